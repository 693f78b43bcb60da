//! The typed commands, and a registry of them by request type.

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
