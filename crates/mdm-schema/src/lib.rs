//! The command schema of Apple's Device Management (MDM) protocol: typed commands a
//! server sends, typed results a device sends back, and the secrets they carry.
//!
//! It starts with one command done completely, `ActivationLockBypassCode` (and
//! `ClearActivationLockBypassCode`), including the Activation Lock bypass code itself:
//!
//! - [`CommandEnvelope`] builds the command a server sends (`CommandUUID` and `Command`
//!   with its `RequestType`), as XML or binary, and parses it back; [`AnyCommand`] reads
//!   any command untyped.
//! - [`decode_result`] decodes a device's result for a given [`Command`] type in one pass:
//!   `Status` first (a missing one is `MissingField`), `Idle` refused as
//!   [`SchemaError::NotACommandResult`], a foreign `RequestType` refused as
//!   [`SchemaError::RequestTypeMismatch`], identities kept verbatim, every unmodelled key
//!   kept in [`CommandResult::extra`]. The command's own fields come out only through
//!   [`CommandResult::acknowledged`].
//! - [`MessageKind::identify`] tells check-in messages, commands and results apart.
//! - Each command knows its request type and Apple's availability facts
//!   ([`Command::AVAILABILITY`], from Apple's `device-management` schema), for the rules
//!   that decide whether a command may go to a device.
//! - [`BypassCode`], the Activation Lock bypass code: generated from the operating
//!   system's secure random source, shown to and read from a person in the dashed form
//!   `XXXXX-XXXXX-XXXX-XXXX-XXXX-XXXX`, and turned into the [`EscrowKey`] that Apple's
//!   device-enrollment service is sent;
//! - [`SecretString`] and [`SecretData`], the wrappers for secret fields of commands and
//!   results: zeroized on drop, `<redacted>` when printed;
//! - [`secrets`], the one list of secret plist keys, and redaction of untyped messages by
//!   those keys.
//!
//! `BypassCode` and `EscrowKey` implement neither `Display` nor `Clone`; the secret
//! wrappers print `<redacted>` in `Debug` and `Display`. Every place that reveals a secret
//! calls a method named `expose_*`.
//!
//! # Decoding a result
//!
//! ```
//! use mdm_schema::{decode_result, ActivationLockBypassCode, BypassCodeAnswer, Status};
//!
//! let bytes = br#"<?xml version="1.0" encoding="UTF-8"?>
//! <plist version="1.0">
//! <dict>
//!     <key>CommandUUID</key>
//!     <string>0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B</string>
//!     <key>Status</key>
//!     <string>Acknowledged</string>
//!     <key>UDID</key>
//!     <string>00008030-000000000000FACE</string>
//! </dict>
//! </plist>"#;
//! let result = decode_result::<ActivationLockBypassCode>(bytes)?;
//! assert_eq!(result.status, Status::Acknowledged);
//! // The code is only available for a while after supervision: absent is a normal answer.
//! assert_eq!(result.acknowledged()?.answer(), BypassCodeAnswer::Absent);
//! # Ok::<(), mdm_schema::SchemaError>(())
//! ```
//!
//! # The bypass code
//!
//! ```
//! use mdm_schema::{BypassCode, BypassCodeError};
//!
//! // A new code for a supervised device; the server keeps it secret.
//! let code = BypassCode::generate()?;
//! let shown = code.expose_dashed();
//! assert_eq!(shown.len(), 31);
//!
//! // A person types it back, in any case, with or without dashes.
//! let typed = shown.to_lowercase().replace('-', " ");
//! assert!(typed.parse::<BypassCode>()? == code);
//!
//! // What Apple's service is sent instead of the code.
//! let key = code.escrow_key();
//! assert_eq!(key.to_hex().len(), 64);
//!
//! // Typing mistakes name the character and where it is, and nothing else.
//! let err = "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKB4".parse::<BypassCode>().unwrap_err();
//! assert!(matches!(err, BypassCodeError::InvalidCharacter { character: 'B', position: 30 }));
//! # Ok::<(), BypassCodeError>(())
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod availability;
pub mod bypass;
mod command;
mod commands;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod message;
mod result;
mod secret;
pub mod secrets;

pub use availability::{Availability, ModeSupport, OsVersion, Platform, PlatformSupport};
pub use command::{AnyCommand, Command, CommandEnvelope, CommandInfo, new_command_uuid};
pub use commands::{
    ActivationLockBypassCode, ActivationLockBypassCodeResponse, BypassCodeAnswer, COMMANDS,
    ClearActivationLockBypassCode, command_info,
};
pub use error::SchemaError;
pub use message::{
    MessageKind, decode_any_command, decode_any_result, decode_result, decode_result_for,
    decode_result_with,
};
pub use result::{CommandResult, EmptyResponse, ErrorChainItem, Identity, ResponseFields, Status};

pub use bypass::{BypassCode, BypassCodeError, EscrowKey, RandomSourceError};
pub use secret::{REDACTED, SecretData, SecretString};
pub use secrets::{SECRET_KEYS, is_secret_key, redact, redacted};
/// The zeroizing wrapper that the `expose_*` methods return, so that callers can name it
/// without depending on `zeroize` themselves.
pub use zeroize::Zeroizing;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
