//! Telling MDM messages apart: check-in messages, commands and command results.

use mdm_plist::Value;

use crate::command::AnyCommand;
use crate::result::{CommandResult, EmptyResponse};
use crate::{Command, SchemaError};

/// What kind of MDM message a plist is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageKind {
    /// A check-in message; the `MessageType` (`Authenticate`, `TokenUpdate`, ...).
    CheckIn(String),
    /// A command result (any `Status`, `Idle` included).
    CommandResult,
    /// A command from a server.
    Command,
}

impl MessageKind {
    /// Tells what a decoded plist is: a dictionary with `MessageType` is a check-in
    /// message, one with `Status` a command result, one with `Command` a command.
    /// Anything else is [`SchemaError::NotAnMdmMessage`].
    ///
    /// ```
    /// use mdm_plist::Value;
    /// use mdm_schema::MessageKind;
    ///
    /// let v = Value::from_slice(b"<plist><dict><key>Status</key><string>Idle</string></dict></plist>")?;
    /// assert_eq!(MessageKind::identify(&v)?, MessageKind::CommandResult);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn identify(value: &Value) -> Result<Self, SchemaError> {
        let dict = value.as_dictionary().ok_or(SchemaError::NotAnMdmMessage)?;
        if let Some(message_type) = dict.get("MessageType") {
            return match message_type.as_str() {
                Some(t) => Ok(Self::CheckIn(t.to_owned())),
                None => Err(SchemaError::Plist(
                    mdm_plist::Error::new(
                        mdm_plist::ErrorKind::InvalidType,
                        format!("expected a string, found {}", message_type.type_name()),
                    )
                    .with_pointer("/MessageType"),
                )),
            };
        }
        if dict.contains_key("Status") {
            return Ok(Self::CommandResult);
        }
        if dict.contains_key("Command") {
            return Ok(Self::Command);
        }
        Err(SchemaError::NotAnMdmMessage)
    }

    /// The name tools print: the `MessageType`, `"CommandResult"` or `"Command"`.
    pub fn name(&self) -> &str {
        match self {
            Self::CheckIn(t) => t,
            Self::CommandResult => "CommandResult",
            Self::Command => "Command",
        }
    }
}

/// Decodes the result of command `C`, typed, in one pass over the bytes.
///
/// Checks, in order: the plist is valid and `Status` is present (a missing `Status` is
/// [`MissingField`](mdm_plist::ErrorKind::MissingField), whatever else the message holds);
/// the message is not `Idle` ([`SchemaError::NotACommandResult`]); it has a `CommandUUID`;
/// its `RequestType`, when sent, is `C`'s ([`SchemaError::RequestTypeMismatch`]). The
/// response fields are handed out only through
/// [`CommandResult::acknowledged`], which requires `Status` `Acknowledged`.
pub fn decode_result<C: Command>(bytes: &[u8]) -> Result<CommandResult<C::Response>, SchemaError> {
    decode_result_with::<C>(bytes, &mdm_plist::ReadOptions::new())
}

/// [`decode_result`] with reading options.
pub fn decode_result_with<C: Command>(
    bytes: &[u8],
    options: &mdm_plist::ReadOptions,
) -> Result<CommandResult<C::Response>, SchemaError> {
    match CommandResult::<C::Response>::from_slice_with(bytes, options) {
        Ok(result) => match check_result::<C, _>(&result) {
            Ok(()) => Ok(result),
            Err(e) => Err(e),
        },
        Err(error) => status_first::<C>(bytes, options, error),
    }
}

/// Decoding failed on some key: the `Status` decides what to report. A result without
/// `Status` is a missing `Status`, whatever else is wrong with it; a result whose command
/// was not acknowledged is still a valid answer, whatever its response fields hold, so it
/// is decoded without them. Only then is the first error the answer.
fn status_first<C: Command>(
    bytes: &[u8],
    options: &mdm_plist::ReadOptions,
    error: mdm_plist::Error,
) -> Result<CommandResult<C::Response>, SchemaError> {
    // A document that is not a valid plist fails here too, with the same first error.
    let Ok(value) = Value::from_slice_with(bytes, options) else {
        return Err(SchemaError::Plist(error));
    };
    let Some(dict) = value.as_dictionary() else {
        return Err(SchemaError::Plist(error));
    };
    match dict.get("Status") {
        // Decoding got to the end and found no `Status`: that error has its offset.
        None if error.kind() == mdm_plist::ErrorKind::MissingField && error.path().is_empty() => {
            Err(SchemaError::Plist(error))
        }
        None => Err(SchemaError::Plist(
            mdm_plist::Error::new(mdm_plist::ErrorKind::MissingField, "missing field `Status`")
                .with_pointer(""),
        )),
        Some(Value::String(status)) if status != "Acknowledged" => {
            let without_response: mdm_plist::Dictionary = dict
                .iter()
                .filter(|(k, _)| !<C::Response as crate::ResponseFields>::has_field(k))
                .map(|(k, v)| (k, v.clone()))
                .collect();
            match mdm_plist::from_value_with::<CommandResult<C::Response>>(
                &Value::Dictionary(without_response),
                options,
            ) {
                // Only the response was bad, and an unacknowledged result has none.
                Ok(result) => check_result::<C, _>(&result).map(|()| result),
                Err(_) => Err(SchemaError::Plist(error)),
            }
        }
        Some(_) => Err(SchemaError::Plist(error)),
    }
}

/// Decodes the device's result for the command `sent`: [`decode_result`], and the
/// result's `CommandUUID` must be the command's ([`SchemaError::CommandUuidMismatch`]).
///
/// ```
/// use mdm_schema::{decode_result_for, ActivationLockBypassCode, CommandEnvelope};
///
/// let sent = CommandEnvelope::with_uuid("0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B", ActivationLockBypassCode);
/// let answer = b"<plist><dict><key>CommandUUID</key><string>0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B</string>\
///     <key>Status</key><string>NotNow</string></dict></plist>";
/// assert!(decode_result_for(&sent, answer).is_ok());
/// let other = b"<plist><dict><key>CommandUUID</key><string>X</string>\
///     <key>Status</key><string>NotNow</string></dict></plist>";
/// assert_eq!(decode_result_for(&sent, other).unwrap_err().kind_name(), "CommandUuidMismatch");
/// ```
pub fn decode_result_for<C: Command>(
    sent: &crate::CommandEnvelope<C>,
    bytes: &[u8],
) -> Result<CommandResult<C::Response>, SchemaError> {
    let result = decode_result::<C>(bytes)?;
    match result.command_uuid.as_deref() {
        Some(found) if found == sent.command_uuid => Ok(result),
        found => Err(SchemaError::CommandUuidMismatch {
            expected: sent.command_uuid.clone(),
            found: found.unwrap_or_default().to_owned(),
        }),
    }
}

/// The checks of [`decode_result`] after decoding.
pub(crate) fn check_result<C: Command, R>(result: &CommandResult<R>) -> Result<(), SchemaError> {
    if result.status == crate::Status::Idle {
        return Err(SchemaError::NotACommandResult);
    }
    if result.command_uuid.is_none() {
        return Err(SchemaError::Plist(
            mdm_plist::Error::new(
                mdm_plist::ErrorKind::MissingField,
                "missing field `CommandUUID`",
            )
            .with_pointer(""),
        ));
    }
    if let Some(found) = result
        .request_type
        .as_ref()
        .filter(|f| *f != C::REQUEST_TYPE)
    {
        return Err(SchemaError::RequestTypeMismatch {
            expected: C::REQUEST_TYPE.to_owned(),
            found: found.clone(),
        });
    }
    Ok(())
}

impl<R> CommandResult<R> {
    /// The command's response fields, only if the device acknowledged the command.
    pub fn acknowledged(&self) -> Result<&R, SchemaError> {
        match self.status {
            crate::Status::Acknowledged => Ok(self.response_unchecked()),
            ref other => Err(SchemaError::NotAcknowledged {
                status: other.clone(),
            }),
        }
    }

    /// The command's response fields, taken out of the result, only if the device
    /// acknowledged the command.
    pub fn into_acknowledged(self) -> Result<R, SchemaError> {
        match self.status {
            crate::Status::Acknowledged => Ok(self.into_response_unchecked()),
            other => Err(SchemaError::NotAcknowledged { status: other }),
        }
    }
}

/// Decodes any command result, untyped: the envelope fields, every other key in
/// [`CommandResult::extra`].
pub fn decode_any_result(bytes: &[u8]) -> Result<CommandResult<EmptyResponse>, SchemaError> {
    Ok(CommandResult::from_slice(bytes)?)
}

/// Reads a command envelope of any type.
pub fn decode_any_command(bytes: &[u8]) -> Result<AnyCommand, SchemaError> {
    AnyCommand::from_value(&Value::from_slice(bytes)?)
}
