//! The command a server sends: `CommandUUID` and `Command`, which holds `RequestType` and
//! the command's keys.

use mdm_plist::{Dictionary, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Availability, ResponseFields, SchemaError};

/// An MDM command type: its request type, its availability and its response.
///
/// The implementing type holds the command's own keys (none, for many commands) and
/// serializes to them; [`CommandEnvelope`] adds `RequestType` and `CommandUUID`.
pub trait Command: Serialize + DeserializeOwned {
    /// The `RequestType` string, such as `ActivationLockBypassCode`.
    const REQUEST_TYPE: &'static str;

    /// Where the command may run, from Apple's schema.
    const AVAILABILITY: Availability;

    /// The fields the command adds to its result.
    type Response: ResponseFields + std::fmt::Debug;
}

/// What is known of a command type without its Rust type: for tools that take a request
/// type as text.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct CommandInfo {
    /// The `RequestType` string.
    pub request_type: &'static str,
    /// Where the command may run.
    pub availability: Availability,
    /// Whether the command can be sent with no keys besides `RequestType`.
    pub needs_no_keys: bool,
}

impl CommandInfo {
    /// The facts of a command type.
    pub const fn of<C: Command>(needs_no_keys: bool) -> Self {
        Self {
            request_type: C::REQUEST_TYPE,
            availability: C::AVAILABILITY,
            needs_no_keys,
        }
    }
}

/// A command with its `CommandUUID`, ready to send.
///
/// ```
/// use mdm_schema::{ActivationLockBypassCode, CommandEnvelope};
///
/// let envelope = CommandEnvelope::with_uuid("0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B", ActivationLockBypassCode);
/// let xml = envelope.to_xml()?;
/// let back = CommandEnvelope::<ActivationLockBypassCode>::from_slice(&xml)?;
/// assert_eq!(back.command_uuid, "0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CommandEnvelope<C> {
    /// The UUID the device will echo in its result; used exactly as given.
    pub command_uuid: String,
    /// The command.
    pub command: C,
}

/// A fresh random UUID in upper case, as Apple's servers write them.
pub fn new_command_uuid() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string().to_uppercase()
}

impl<C: Command> CommandEnvelope<C> {
    /// The command with a fresh upper-case UUID.
    pub fn new(command: C) -> Self {
        Self::with_uuid(new_command_uuid(), command)
    }

    /// The command with this UUID, used exactly as given.
    pub fn with_uuid(command_uuid: impl Into<String>, command: C) -> Self {
        Self {
            command_uuid: command_uuid.into(),
            command,
        }
    }

    /// The envelope as a plist dictionary: `Command` (with `RequestType` first) and
    /// `CommandUUID`.
    pub fn to_value(&self) -> Result<Value, mdm_plist::Error> {
        let keys = match mdm_plist::to_value(&self.command)? {
            Value::Dictionary(d) => d,
            other => {
                return Err(mdm_plist::Error::new(
                    mdm_plist::ErrorKind::InvalidType,
                    format!(
                        "a command must serialize to a dictionary, not {}",
                        other.type_name()
                    ),
                ));
            }
        };
        Ok(envelope_value(C::REQUEST_TYPE, &self.command_uuid, keys))
    }

    /// The envelope as an XML plist.
    pub fn to_xml(&self) -> Result<Vec<u8>, mdm_plist::Error> {
        self.to_value()?.to_xml()
    }

    /// The envelope as a binary plist.
    pub fn to_binary(&self) -> Result<Vec<u8>, mdm_plist::Error> {
        self.to_value()?.to_binary()
    }

    /// Parses an envelope of this command type (XML or binary).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, SchemaError> {
        let value = Value::from_slice(bytes)?;
        let any = AnyCommand::from_value(&value)?;
        if any.request_type != C::REQUEST_TYPE {
            return Err(SchemaError::RequestTypeMismatch {
                expected: C::REQUEST_TYPE.to_owned(),
                found: any.request_type,
            });
        }
        let command = mdm_plist::from_value(&Value::Dictionary(any.keys))
            .map_err(|e: mdm_plist::Error| SchemaError::Plist(e))?;
        Ok(Self {
            command_uuid: any.command_uuid,
            command,
        })
    }
}

/// Builds `{Command: {RequestType, keys...}, CommandUUID}`.
pub(crate) fn envelope_value(request_type: &str, uuid: &str, keys: Dictionary) -> Value {
    let mut command = Dictionary::with_capacity(keys.len() + 1);
    command.insert("RequestType", request_type);
    command.extend(keys.into_iter().filter(|(k, _)| k != "RequestType"));
    let mut envelope = Dictionary::with_capacity(2);
    envelope.insert("Command", command);
    envelope.insert("CommandUUID", uuid);
    Value::Dictionary(envelope)
}

/// A command of any type, untyped: what a tool sees before it knows the request type.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AnyCommand {
    /// The `CommandUUID`.
    pub command_uuid: String,
    /// The `RequestType`.
    pub request_type: String,
    /// The command's other keys.
    pub keys: Dictionary,
}

impl AnyCommand {
    /// A command with this request type, UUID and keys.
    pub fn new(
        request_type: impl Into<String>,
        command_uuid: impl Into<String>,
        keys: Dictionary,
    ) -> Self {
        Self {
            command_uuid: command_uuid.into(),
            request_type: request_type.into(),
            keys,
        }
    }

    /// Reads the envelope out of a decoded plist.
    pub fn from_value(value: &Value) -> Result<Self, SchemaError> {
        let missing = |what: &str, path: &str| {
            SchemaError::Plist(
                mdm_plist::Error::new(
                    mdm_plist::ErrorKind::MissingField,
                    format!("missing field `{what}`"),
                )
                .with_pointer(path),
            )
        };
        let wrong = |path: &str, expected: &str, found: &Value| {
            SchemaError::Plist(
                mdm_plist::Error::new(
                    mdm_plist::ErrorKind::InvalidType,
                    format!("expected {expected}, found {}", found.type_name()),
                )
                .with_pointer(path),
            )
        };
        let dict = value.as_dictionary().ok_or(SchemaError::NotAnMdmMessage)?;
        let command = dict.get("Command").ok_or_else(|| missing("Command", ""))?;
        let command = command
            .as_dictionary()
            .ok_or_else(|| wrong("/Command", "a dictionary", command))?;
        let uuid = dict
            .get("CommandUUID")
            .ok_or_else(|| missing("CommandUUID", ""))?;
        let uuid = uuid
            .as_str()
            .ok_or_else(|| wrong("/CommandUUID", "a string", uuid))?;
        let request_type = command
            .get("RequestType")
            .ok_or_else(|| missing("RequestType", "/Command"))?;
        let request_type = request_type
            .as_str()
            .ok_or_else(|| wrong("/Command/RequestType", "a string", request_type))?;
        let keys = command
            .iter()
            .filter(|(k, _)| *k != "RequestType")
            .map(|(k, v)| (k, v.clone()))
            .collect();
        Ok(Self::new(request_type, uuid, keys))
    }

    /// The envelope as a plist dictionary.
    pub fn to_value(&self) -> Value {
        envelope_value(&self.request_type, &self.command_uuid, self.keys.clone())
    }
}
