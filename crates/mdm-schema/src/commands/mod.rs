//! The typed commands, and a registry of them by request type.

/// serde for a command with no keys: it is an empty dictionary, and any keys a peer adds
/// are ignored when reading.
macro_rules! keyless_command {
    ($name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::ser::SerializeStruct::end(serializer.serialize_struct(stringify!($name), 0)?)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct KeylessVisitor;
                impl<'de> serde::de::Visitor<'de> for KeylessVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("the keys of ", stringify!($name)))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        while map
                            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                            .is_some()
                        {}
                        Ok($name)
                    }
                }
                deserializer.deserialize_struct(stringify!($name), &[], KeylessVisitor)
            }
        }
    };
}

mod activation_lock;

pub use activation_lock::{
    ActivationLockBypassCode, ActivationLockBypassCodeResponse, BypassCodeAnswer,
    ClearActivationLockBypassCode,
};

use crate::CommandInfo;

/// Every command this crate types, in alphabetical order of request type.
pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo::of::<ActivationLockBypassCode>(true),
    CommandInfo::of::<ClearActivationLockBypassCode>(true),
];

/// The command with this request type (exact, case-sensitive match).
///
/// ```
/// let info = mdm_schema::command_info("ActivationLockBypassCode").unwrap();
/// assert!(info.availability.ios.supervised == Some(true));
/// assert!(mdm_schema::command_info("activationlockbypasscode").is_none());
/// ```
pub fn command_info(request_type: &str) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|c| c.request_type == request_type)
}
