//! The result a device sends back: status, identity, error chain and the command's fields.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use mdm_plist::{Dictionary, Value};
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::secrets::redacted;

/// The `Status` of a command result.
///
/// A status this crate does not know is kept as [`Status::Other`], not rejected, so that a
/// newer device's answer still decodes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// The device ran the command.
    Acknowledged,
    /// The device could not run the command; the error chain says why.
    Error,
    /// The command was malformed.
    CommandFormatError,
    /// The device is ready for a command; this message answers no command.
    Idle,
    /// The device cannot run the command now and will ask again later.
    NotNow,
    /// A status this crate does not know, kept as sent.
    Other(String),
}

impl Status {
    /// The status as the device spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Acknowledged => "Acknowledged",
            Self::Error => "Error",
            Self::CommandFormatError => "CommandFormatError",
            Self::Idle => "Idle",
            Self::NotNow => "NotNow",
            Self::Other(s) => s,
        }
    }

    fn from_text(text: &str) -> Self {
        match text {
            "Acknowledged" => Self::Acknowledged,
            "Error" => Self::Error,
            "CommandFormatError" => Self::CommandFormatError,
            "Idle" => Self::Idle,
            "NotNow" => Self::NotNow,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StatusVisitor;
        impl Visitor<'_> for StatusVisitor {
            type Value = Status;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a status string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Status, E> {
                Ok(Status::from_text(v))
            }
        }
        deserializer.deserialize_str(StatusVisitor)
    }
}

impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One entry of a result's `ErrorChain`, outermost error first.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ErrorChainItem {
    /// The error code; it may be negative.
    pub error_code: i64,
    /// The error domain, such as `MCMDMErrorDomain`.
    pub error_domain: String,
    /// The description in the device's language, if sent.
    pub localized_description: Option<String>,
    /// The description in U.S. English, often absent.
    pub us_english_description: Option<String>,
    /// Keys this crate does not model, kept as sent.
    pub extra: Dictionary,
}

impl fmt::Debug for ErrorChainItem {
    /// Secret keys among the unmodelled ones print as `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorChainItem")
            .field("error_code", &self.error_code)
            .field("error_domain", &self.error_domain)
            .field("localized_description", &self.localized_description)
            .field("us_english_description", &self.us_english_description)
            .field("extra", &redacted(&Value::Dictionary(self.extra.clone())))
            .finish()
    }
}

impl<'de> Deserialize<'de> for ErrorChainItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = ErrorChainItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an error chain dictionary")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ErrorChainItem, A::Error> {
                let mut code = None;
                let mut domain = None;
                let mut localized = None;
                let mut english = None;
                let mut extra = Vec::new();
                while let Some(key) = map.next_key_seed(KeySeed)? {
                    match &*key {
                        "ErrorCode" => code = Some(map.next_value()?),
                        "ErrorDomain" => domain = Some(map.next_value()?),
                        "LocalizedDescription" => localized = Some(map.next_value()?),
                        "USEnglishDescription" => english = Some(map.next_value()?),
                        _ => {
                            let value: Value = map.next_value()?;
                            extra.push((key.into_owned(), value));
                        }
                    }
                }
                let extra = collect_extra(extra);
                Ok(ErrorChainItem {
                    error_code: code.ok_or_else(|| de::Error::missing_field("ErrorCode"))?,
                    error_domain: domain.ok_or_else(|| de::Error::missing_field("ErrorDomain"))?,
                    localized_description: localized,
                    us_english_description: english,
                    extra,
                })
            }
        }
        deserializer.deserialize_map(ItemVisitor)
    }
}

/// The keys nobody claimed, as a dictionary; most results have none, which skips the
/// dictionary's duplicate handling.
fn collect_extra(extra: Vec<(String, Value)>) -> Dictionary {
    if extra.is_empty() {
        Dictionary::new()
    } else {
        extra.into_iter().collect()
    }
}

/// Reads a dictionary key, borrowing it from the input when the input allows.
pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a dictionary key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The fields a command adds to its result, decoded in the same single pass as the
/// envelope (no buffering).
///
/// Each command's response type implements it: [`accept`](Self::accept) takes the keys it
/// knows and leaves the others to the envelope, which keeps them in
/// [`CommandResult::extra`].
pub trait ResponseFields: Default {
    /// Reads the value of `key` from `map` if the key belongs to this response, and says
    /// whether it did. A key it does not take must be left unread.
    fn accept<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;

    /// Writes the fields into a result dictionary, as a device would send them.
    fn write_fields(&self, dict: &mut Dictionary);

    /// Whether this response has a field of this name (for redaction and tooling).
    fn has_field(key: &str) -> bool;
}

/// The response of a command that adds no fields to its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmptyResponse;

impl ResponseFields for EmptyResponse {
    fn accept<'de, A: MapAccess<'de>>(&mut self, _: &str, _: &mut A) -> Result<bool, A::Error> {
        Ok(false)
    }

    fn write_fields(&self, _: &mut Dictionary) {}

    fn has_field(_: &str) -> bool {
        false
    }
}

/// Who sent a result: the device, or a user on it.
///
/// Identifiers are kept exactly as sent: no length rule, no case folding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Identity {
    /// The device's `UDID`.
    pub udid: Option<String>,
    /// The user's `UserID` (user channel on macOS, Shared iPad).
    pub user_id: Option<String>,
    /// The `EnrollmentID` of a User Enrollment.
    pub enrollment_id: Option<String>,
    /// The `EnrollmentUserID` of a User Enrollment.
    pub enrollment_user_id: Option<String>,
}

/// A command result as a device sends it, with the command's own fields typed as `R`.
///
/// Decode one with [`decode_result`](crate::decode_result) (typed, checked against the
/// command) or [`CommandResult::from_slice`] (any result). An `Idle` message decodes here
/// too: it has no `CommandUUID`, and answers no command.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct CommandResult<R = EmptyResponse> {
    /// The status.
    pub status: Status,
    /// The UUID of the command this answers; absent in `Idle` messages.
    pub command_uuid: Option<String>,
    /// Who sent it.
    pub identity: Identity,
    /// Why the command failed, outermost error first; empty when not sent.
    pub error_chain: Vec<ErrorChainItem>,
    /// The `RequestType` when the device sends it (not all do).
    pub request_type: Option<String>,
    /// The command's own fields: kept only when the device acknowledged the command, and
    /// handed out only through [`acknowledged`](Self::acknowledged).
    response: R,
    /// Keys nobody modelled, kept as sent.
    pub extra: Dictionary,
}

impl<R: ResponseFields> CommandResult<R> {
    /// Decodes a result (XML or binary) with the default limits. `Status` is required;
    /// everything else is checked by [`decode_result`](crate::decode_result).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, mdm_plist::Error> {
        mdm_plist::from_slice(bytes)
    }

    /// Decodes a result with reading options.
    pub fn from_slice_with(
        bytes: &[u8],
        options: &mdm_plist::ReadOptions,
    ) -> Result<Self, mdm_plist::Error> {
        mdm_plist::from_slice_with(bytes, options)
    }

    /// A result as a device would send it: `status` with the command's `response` fields
    /// (dropped unless `status` is `Acknowledged`), nothing else set.
    pub fn new(status: Status, command_uuid: Option<String>, response: R) -> Self {
        let response = if status == Status::Acknowledged {
            response
        } else {
            R::default()
        };
        Self {
            status,
            command_uuid,
            identity: Identity::default(),
            error_chain: Vec::new(),
            request_type: None,
            response,
            extra: Dictionary::new(),
        }
    }

    /// Whether this is an `Idle` message, which answers no command.
    pub fn is_idle(&self) -> bool {
        self.status == Status::Idle
    }

    /// The result as a plist dictionary, as a device would send it (keys sorted, as
    /// Apple's devices write them).
    pub fn to_value(&self) -> Value {
        let mut dict = Dictionary::new();
        if let Some(uuid) = &self.command_uuid {
            dict.insert("CommandUUID", uuid.as_str());
        }
        if !self.error_chain.is_empty() {
            let items: Vec<Value> = self
                .error_chain
                .iter()
                .map(|item| {
                    let mut d = Dictionary::new();
                    d.insert("ErrorCode", item.error_code);
                    d.insert("ErrorDomain", item.error_domain.as_str());
                    if let Some(s) = &item.localized_description {
                        d.insert("LocalizedDescription", s.as_str());
                    }
                    if let Some(s) = &item.us_english_description {
                        d.insert("USEnglishDescription", s.as_str());
                    }
                    d.extend(item.extra.iter().map(|(k, v)| (k, v.clone())));
                    Value::Dictionary(d)
                })
                .collect();
            dict.insert("ErrorChain", items);
        }
        if let Some(rt) = &self.request_type {
            dict.insert("RequestType", rt.as_str());
        }
        dict.insert("Status", self.status.as_str());
        let id = &self.identity;
        for (key, value) in [
            ("UDID", &id.udid),
            ("UserID", &id.user_id),
            ("EnrollmentID", &id.enrollment_id),
            ("EnrollmentUserID", &id.enrollment_user_id),
        ] {
            if let Some(v) = value {
                dict.insert(key, v.as_str());
            }
        }
        self.response.write_fields(&mut dict);
        dict.extend(self.extra.iter().map(|(k, v)| (k, v.clone())));
        dict.sort_keys();
        Value::Dictionary(dict)
    }
}

impl<R> CommandResult<R> {
    /// The response, whatever the status (it is the default unless acknowledged).
    pub(crate) fn response_unchecked(&self) -> &R {
        &self.response
    }

    /// The response, whatever the status.
    pub(crate) fn into_response_unchecked(self) -> R {
        self.response
    }
}

impl<R: fmt::Debug> fmt::Debug for CommandResult<R> {
    /// Secret keys among the unmodelled ones print as `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandResult")
            .field("status", &self.status)
            .field("command_uuid", &self.command_uuid)
            .field("identity", &self.identity)
            .field("error_chain", &self.error_chain)
            .field("request_type", &self.request_type)
            .field("response", &self.response)
            .field("extra", &redacted(&Value::Dictionary(self.extra.clone())))
            .finish()
    }
}

impl<'de, R: ResponseFields> Deserialize<'de> for CommandResult<R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ResultVisitor(PhantomData))
    }
}

struct ResultVisitor<R>(PhantomData<R>);

impl<'de, R: ResponseFields> Visitor<'de> for ResultVisitor<R> {
    type Value = CommandResult<R>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a command result dictionary")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut status = None;
        let mut command_uuid = None;
        let mut identity = Identity::default();
        let mut error_chain = Vec::new();
        let mut request_type = None;
        let mut response = R::default();
        let mut extra = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match &*key {
                "Status" => status = Some(map.next_value::<Status>()?),
                "CommandUUID" => command_uuid = Some(map.next_value()?),
                "UDID" => identity.udid = Some(map.next_value()?),
                "UserID" => identity.user_id = Some(map.next_value()?),
                "EnrollmentID" => identity.enrollment_id = Some(map.next_value()?),
                "EnrollmentUserID" => identity.enrollment_user_id = Some(map.next_value()?),
                "ErrorChain" => error_chain = map.next_value()?,
                "RequestType" => request_type = Some(map.next_value()?),
                other => {
                    if !response.accept(other, &mut map)? {
                        let value: Value = map.next_value()?;
                        extra.push((key.into_owned(), value));
                    }
                }
            }
        }
        let status = status.ok_or_else(|| de::Error::missing_field("Status"))?;
        if status != Status::Acknowledged {
            // A command that was not acknowledged has no response: whatever the device
            // sent (a bypass code, say) is dropped here, and its secrets wiped.
            response = R::default();
        }
        let extra = collect_extra(extra);
        Ok(CommandResult {
            status,
            command_uuid,
            identity,
            error_chain,
            request_type,
            response,
            extra,
        })
    }
}
