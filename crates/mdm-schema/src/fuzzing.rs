//! The fuzzing harness of the schema layer (feature `fuzzing`, hidden): one checking
//! function per fuzz target.
//!
//! Like `mdm_plist::fuzzing`, each function asserts what must hold and panics when it
//! does not; the cargo-fuzz targets and the replay tests call these functions.

#![allow(
    clippy::panic,
    clippy::manual_assert,
    reason = "a failed check must panic: that is how the fuzzer sees it"
)]

use arbitrary::{Arbitrary, Unstructured};
use mdm_plist::fuzzing::{check_error, depth, xml_form};
use mdm_plist::{Dictionary, Value};

use crate::{
    ActivationLockBypassCode, ActivationLockBypassCodeResponse, BypassCode, BypassCodeError,
    CommandEnvelope, CommandResult, ErrorChainItem, Identity, MessageKind, ResponseFields,
    SchemaError, SecretString, Status, decode_result,
};

/// Checks a schema error: a plist error made while reading has a kind and an offset
/// within the input.
///
/// Errors made after reading, from the decoded value, carry no offset: the `MissingField`
/// for `CommandUUID` from [`decode_result`] and the `InvalidType` for a `MessageType`
/// that is not a string. They are checked for their kind only.
fn check_schema_error(err: &SchemaError, len: usize) {
    assert!(!err.kind_name().is_empty());
    if let SchemaError::Plist(e) = err {
        if e.offset().is_none()
            && matches!(
                e.kind(),
                mdm_plist::ErrorKind::MissingField | mdm_plist::ErrorKind::InvalidType
            )
        {
            return;
        }
        check_error(e, len);
    }
}

/// Checks a code the device sent: parsing never panics, and a code that parses shows
/// as text that parses back to the same bytes.
fn check_code_text(text: &str) {
    match BypassCode::parse(text) {
        Ok(code) => {
            let dashed = code.expose_dashed();
            let again = BypassCode::parse(&dashed)
                .unwrap_or_else(|e| panic!("a shown code does not parse: {e}"));
            assert!(again.expose_bytes() == code.expose_bytes());
            let compact = BypassCode::parse(&code.expose_compact().to_lowercase())
                .unwrap_or_else(|e| panic!("a compact code does not parse: {e}"));
            assert!(compact.expose_bytes() == code.expose_bytes());
            assert!(BypassCode::from_bytes(*code.expose_bytes()) == code);
        }
        Err(BypassCodeError::InvalidCharacter {
            character,
            position,
        }) => {
            let at = position.checked_sub(1).and_then(|i| text.chars().nth(i));
            assert!(
                at == Some(character),
                "wrong position {position} for {character:?}"
            );
        }
        Err(BypassCodeError::WrongLength { found }) => assert!(found != 26),
        Err(BypassCodeError::LastCharacterTooLarge { .. }) => {}
        Err(other) => panic!("unexpected bypass code error {other}"),
    }
}

/// Target `bypass_code`: [`BypassCode::parse`] on any text never panics; a code that
/// parses formats and re-parses to the same bytes.
pub fn bypass_code(data: &[u8]) {
    check_code_text(&String::from_utf8_lossy(data));
}

/// Encodes `result` as binary (and XML when XML can hold it) and decodes it typed again.
///
/// [`CommandResult::to_value`] sorts the keys, as devices do, so the unmodelled keys come
/// back sorted.
fn check_result_trip(result: &CommandResult<ActivationLockBypassCodeResponse>) {
    let mut sorted = result.clone();
    sorted.extra.sort_keys();
    let result = &sorted;
    let value = result.to_value();
    let bytes = value
        .to_binary()
        .unwrap_or_else(|e| panic!("binary write of a result: {e:?}"));
    let back = decode_result::<ActivationLockBypassCode>(&bytes)
        .unwrap_or_else(|e| panic!("re-decoding a result failed: {e:?}\n{value:?}"));
    assert!(
        back == *result,
        "result trip changed it:\n{result:?}\n{back:?}"
    );
    if xml_form(&value).is_some_and(|form| form == value) {
        let xml = value
            .to_xml()
            .unwrap_or_else(|e| panic!("XML write of a result: {e:?}"));
        let back = decode_result::<ActivationLockBypassCode>(&xml)
            .unwrap_or_else(|e| panic!("re-decoding a result from XML failed: {e:?}"));
        assert!(back == *result, "XML result trip changed it");
    }
}

/// Target `albc_result`: [`decode_result`] of an `ActivationLockBypassCode` result.
/// A result that decodes re-encodes and decodes equal; its code, if any, parses
/// without panicking.
pub fn albc_result(data: &[u8]) {
    match decode_result::<ActivationLockBypassCode>(data) {
        Ok(result) => {
            assert!(result.status != Status::Idle && result.command_uuid.is_some());
            if let Some(code) = &result.response_unchecked().code {
                check_code_text(code.expose_secret());
            }
            check_result_trip(&result);
        }
        Err(e) => check_schema_error(&e, data.len()),
    }
}

/// Target `message_identify`: decode to a [`Value`], then [`MessageKind::identify`], as
/// `mdm decode` does. The kind agrees with the keys, and redaction keeps the kind.
pub fn message_identify(data: &[u8]) {
    let value = match Value::from_slice(data) {
        Ok(v) => v,
        Err(e) => {
            check_error(&e, data.len());
            return;
        }
    };
    let kind = MessageKind::identify(&value);
    let dict = value.as_dictionary();
    match &kind {
        Ok(MessageKind::CheckIn(t)) => {
            assert!(
                dict.and_then(|d| d.get("MessageType"))
                    .and_then(Value::as_str)
                    == Some(t)
            );
        }
        Ok(MessageKind::CommandResult) => {
            assert!(dict.is_some_and(|d| d.contains_key("Status")));
            // A string `Status` decodes to that status; any other type is refused.
            let sent = value.get("Status").and_then(Value::as_str);
            match (
                CommandResult::<crate::EmptyResponse>::from_slice(data),
                sent,
            ) {
                (Ok(result), Some(sent)) => {
                    assert!(result.status.as_str() == sent, "Status decoded differently");
                }
                (Ok(_), None) => panic!("a Status that is not a string was accepted"),
                (Err(_), _) => {}
            }
        }
        Ok(MessageKind::Command) => {
            assert!(dict.is_some_and(|d| d.contains_key("Command")));
        }
        Err(e) => check_schema_error(e, data.len()),
    }
    if let Ok(kind) = &kind {
        assert!(!kind.name().is_empty() || matches!(kind, MessageKind::CheckIn(_)));
    }
    let redacted = crate::redacted(&value);
    assert!(
        MessageKind::identify(&redacted).ok() == kind.ok(),
        "redaction changed the message kind"
    );
}

/// Any text that XML can hold, or any text at all.
fn string(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    String::arbitrary(u)
}

fn option_string(u: &mut Unstructured<'_>) -> arbitrary::Result<Option<String>> {
    Ok(if bool::arbitrary(u)? {
        Some(string(u)?)
    } else {
        None
    })
}

/// The keys a result models; `extra` must not hold them.
fn modelled(key: &str) -> bool {
    matches!(
        key,
        "Status"
            | "CommandUUID"
            | "UDID"
            | "UserID"
            | "EnrollmentID"
            | "EnrollmentUserID"
            | "ErrorChain"
            | "RequestType"
    ) || ActivationLockBypassCodeResponse::has_field(key)
}

fn extra(u: &mut Unstructured<'_>, keep: impl Fn(&str) -> bool) -> arbitrary::Result<Dictionary> {
    let all = Dictionary::arbitrary(u)?;
    // Unmodelled values sit two or three levels down in a result: keep the whole within
    // the depth limit, which the plist tests cover on their own.
    Ok(all
        .into_iter()
        .filter(|(k, v)| keep(k) && depth(v, true) < 120)
        .collect())
}

fn status(u: &mut Unstructured<'_>) -> arbitrary::Result<Status> {
    Ok(match u.int_in_range(0u8..=5)? {
        0 => Status::Acknowledged,
        1 => Status::Error,
        2 => Status::CommandFormatError,
        3 => Status::NotNow,
        4 => Status::Idle,
        _ => {
            let s = string(u)?;
            match s.as_str() {
                "Acknowledged" | "Error" | "CommandFormatError" | "NotNow" | "Idle" => {
                    Status::Acknowledged
                }
                _ => Status::Other(s),
            }
        }
    })
}

fn error_item(u: &mut Unstructured<'_>) -> arbitrary::Result<ErrorChainItem> {
    Ok(ErrorChainItem {
        error_code: i64::arbitrary(u)?,
        error_domain: string(u)?,
        localized_description: option_string(u)?,
        us_english_description: option_string(u)?,
        extra: extra(u, |k| {
            !matches!(
                k,
                "ErrorCode" | "ErrorDomain" | "LocalizedDescription" | "USEnglishDescription"
            )
        })?,
    })
}

/// Target `arbitrary_command`: an `ActivationLockBypassCode` command envelope with an
/// arbitrary UUID, and an arbitrary result of it, encode and decode equal.
pub fn arbitrary_command(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(uuid) = string(&mut u) else { return };
    let envelope = CommandEnvelope::with_uuid(uuid.clone(), ActivationLockBypassCode);
    let bytes = envelope
        .to_binary()
        .unwrap_or_else(|e| panic!("binary write of a command: {e:?}"));
    let back = CommandEnvelope::<ActivationLockBypassCode>::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("re-decoding a command failed: {e:?}"));
    assert!(back == envelope);
    match envelope.to_xml() {
        Ok(xml) => {
            let back = CommandEnvelope::<ActivationLockBypassCode>::from_slice(&xml)
                .unwrap_or_else(|e| panic!("re-decoding an XML command failed: {e:?}"));
            assert!(
                back.command_uuid == uuid,
                "XML command trip changed the UUID"
            );
        }
        Err(e) => assert!(
            e.kind() == mdm_plist::ErrorKind::InvalidXmlChar,
            "XML write of a command: {e:?}"
        ),
    }

    let Ok(result) = arbitrary_result(&mut u, uuid) else {
        return;
    };
    let expect_ok = result.status != Status::Idle
        && result
            .request_type
            .as_deref()
            .is_none_or(|t| t == "ActivationLockBypassCode");
    if expect_ok {
        check_result_trip(&result);
    } else {
        let bytes = result
            .to_value()
            .to_binary()
            .unwrap_or_else(|e| panic!("binary write of a result: {e:?}"));
        let err = decode_result::<ActivationLockBypassCode>(&bytes).err();
        assert!(
            matches!(
                err,
                Some(SchemaError::NotACommandResult | SchemaError::RequestTypeMismatch { .. })
            ),
            "a result that must be refused gave {err:?}"
        );
    }
}

fn arbitrary_result(
    u: &mut Unstructured<'_>,
    uuid: String,
) -> arbitrary::Result<CommandResult<ActivationLockBypassCodeResponse>> {
    let mut error_chain = Vec::new();
    while !u.is_empty() && u.ratio(1u8, 3)? {
        error_chain.push(error_item(u)?);
    }
    let request_type = match u.int_in_range(0u8..=2)? {
        0 => None,
        1 => Some("ActivationLockBypassCode".to_owned()),
        _ => Some(string(u)?),
    };
    let code = match u.int_in_range(0u8..=3)? {
        0 => None,
        1 => Some(String::new()),
        2 => Some(
            BypassCode::from_bytes(<[u8; 16]>::arbitrary(u)?)
                .expose_dashed()
                .to_string(),
        ),
        _ => Some(string(u)?),
    };
    let identity = Identity {
        udid: option_string(u)?,
        user_id: option_string(u)?,
        enrollment_id: option_string(u)?,
        enrollment_user_id: option_string(u)?,
    };
    // A result is written with its keys sorted, as devices write them.
    let mut extra = extra(u, |k| !modelled(k))?;
    extra.sort_keys();
    let response = ActivationLockBypassCodeResponse {
        code: code.map(SecretString::new),
    };
    let mut result = CommandResult::new(status(u)?, Some(uuid), response);
    result.identity = identity;
    result.error_chain = error_chain;
    result.request_type = request_type;
    result.extra = extra;
    Ok(result)
}
