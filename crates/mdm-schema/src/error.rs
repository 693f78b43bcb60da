//! Errors of the schema layer: a plist error, or a message that is not what was asked for.

use std::fmt;

/// What went wrong when reading an MDM message.
#[derive(Debug)]
#[non_exhaustive]
pub enum SchemaError {
    /// The bytes are not a valid property list, or the plist does not have the shape of
    /// the message (a missing `Status`, a wrong type). The plist error has the kind, the
    /// byte offset and the key path.
    Plist(mdm_plist::Error),
    /// An `Idle` message was given where the result of a command was expected.
    NotACommandResult,
    /// The result answers another command than the one it was checked against: its
    /// `CommandUUID` is not the command's.
    CommandUuidMismatch {
        /// The UUID of the command sent.
        expected: String,
        /// The UUID the result carries.
        found: String,
    },
    /// The message is of another request type than the one expected.
    RequestTypeMismatch {
        /// The command expected.
        expected: String,
        /// The `RequestType` the result carries.
        found: String,
    },
    /// The plist is neither a check-in message, a command nor a command result.
    NotAnMdmMessage,
    /// A command's response was asked for, but the device did not acknowledge the command.
    NotAcknowledged {
        /// The status the device sent.
        status: crate::Status,
    },
    /// No command of this request type is known.
    UnknownRequestType(String),
}

impl SchemaError {
    /// The kind's name, as tools print it: the plist error's kind (`MissingField`,
    /// `InvalidBase64`, ...) or this enum's variant name.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Plist(e) => e.kind().name(),
            Self::NotACommandResult => "NotACommandResult",
            Self::RequestTypeMismatch { .. } => "RequestTypeMismatch",
            Self::CommandUuidMismatch { .. } => "CommandUuidMismatch",
            Self::NotAnMdmMessage => "NotAnMdmMessage",
            Self::NotAcknowledged { .. } => "NotAcknowledged",
            Self::UnknownRequestType(_) => "UnknownRequestType",
        }
    }

    /// The byte offset of the error in the input, when known.
    pub fn offset(&self) -> Option<u64> {
        match self {
            Self::Plist(e) => e.offset(),
            _ => None,
        }
    }

    /// The key path (JSON Pointer) of the error; `""` for the whole message.
    pub fn path(&self) -> String {
        match self {
            Self::Plist(e) => e.path(),
            Self::RequestTypeMismatch { .. } => "/RequestType".to_owned(),
            Self::CommandUuidMismatch { .. } => "/CommandUUID".to_owned(),
            _ => String::new(),
        }
    }

    /// The message, without kind, offset or path.
    pub fn message(&self) -> String {
        match self {
            Self::Plist(e) => e.message().to_owned(),
            Self::NotACommandResult => {
                "an Idle message answers no command: it says the device is ready for work"
                    .to_owned()
            }
            Self::RequestTypeMismatch { expected, found } => {
                format!("expected {expected}, the message says {found}")
            }
            Self::CommandUuidMismatch { expected, found } => {
                format!("the result answers command {found}, not {expected}")
            }
            Self::NotAnMdmMessage => {
                "the plist has no Status, MessageType or Command key".to_owned()
            }
            Self::NotAcknowledged { status } => {
                format!("the device answered {status}, not Acknowledged")
            }
            Self::UnknownRequestType(rt) => format!("no command has the request type {rt:?}"),
        }
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plist(e) => fmt::Display::fmt(e, f),
            other => write!(f, "{}: {}", other.kind_name(), other.message()),
        }
    }
}

impl std::error::Error for SchemaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Plist(e) => Some(e),
            _ => None,
        }
    }
}

impl From<mdm_plist::Error> for SchemaError {
    fn from(e: mdm_plist::Error) -> Self {
        Self::Plist(e)
    }
}
