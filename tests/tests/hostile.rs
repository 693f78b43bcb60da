//! The hostile inputs of `fixtures/hostile`, each with the outcome its README gives.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation,
    reason = "test helpers may fail loudly"
)]

use std::fs;
use std::time::{Duration, Instant};

use mdm_plist::{DuplicateKeys, ErrorKind, ReadOptions, Value};
use mdm_tests::hostile;

fn read(name: &str) -> Vec<u8> {
    fs::read(hostile(name)).unwrap()
}

fn decode(name: &str) -> Value {
    Value::from_slice(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn fails_with(name: &str, kind: ErrorKind) -> mdm_plist::Error {
    let err = Value::from_slice(&read(name)).unwrap_err();
    assert_eq!(err.kind(), kind, "{name}: {err}");
    assert!(
        err.offset().is_some(),
        "{name}: an input error has an offset: {err}"
    );
    err
}

#[test]
fn deep_nesting_hits_the_depth_limit_quickly() {
    let start = Instant::now();
    let err = fails_with("01-xml-deep-nesting.plist", ErrorKind::DepthLimitExceeded);
    // Generous for a debug build on a busy machine; the point is "not quadratic".
    assert!(start.elapsed() < Duration::from_secs(2));
    let path = err.path();
    assert!(path.starts_with("/0/0"), "{path}");
    assert!(path.split('/').skip(1).all(|s| s == "0"), "{path}");
    assert!(
        path.split('/').count() <= ReadOptions::DEFAULT_MAX_DEPTH + 1,
        "{path}"
    );
}

#[test]
fn a_self_containing_array_is_a_cycle() {
    let err = fails_with("03-bplist-self-cycle.bplist", ErrorKind::CyclicReference);
    assert!(
        err.path().starts_with("/ErrorChain") || err.path().is_empty(),
        "{err}"
    );
}

#[test]
fn an_offset_into_the_offset_table_is_refused() {
    fails_with(
        "05-bplist-offset-into-offset-table.bplist",
        ErrorKind::InvalidOffset,
    );
}

#[test]
fn a_length_bomb_is_refused_before_allocating() {
    let err = fails_with(
        "07-bplist-length-header-bomb.bplist",
        ErrorKind::LengthExceedsInput,
    );
    assert!(err.offset().unwrap() < 199, "{err}");
}

#[test]
fn cdata_sections_and_references_are_joined() {
    let value = decode("10-xml-cdata-split.plist");
    let get = |key: &str| value.get(key).and_then(Value::as_str);
    assert_eq!(
        get("ActivationLockBypassCode"),
        Some("FAKE0-FAKE1-FAKE2-FAKE3-FAKE4")
    );
    assert_eq!(
        get("CommandUUID"),
        Some("11111111-2222-4333-8444-555555555555")
    );
    assert_eq!(get("Note"), Some("a]]>b&<c>"));
    assert_eq!(get("Status"), Some("Acknowledged"));
    let keys: Vec<&str> = value.as_dictionary().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "ActivationLockBypassCode",
            "CommandUUID",
            "Note",
            "Status",
            "UDID"
        ]
    );
}

#[test]
fn a_duplicate_status_key_is_refused_at_the_second_key() {
    let bytes = read("11-xml-duplicate-status-key.plist");
    let err = Value::from_slice(&bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DuplicateKey);
    assert_eq!(err.path(), "/Status");
    let text = String::from_utf8(bytes.clone()).unwrap();
    let second = text.rfind("<key>Status</key>").unwrap();
    assert_eq!(err.offset(), Some(second as u64));

    // The lenient mode keeps the last value, at the place of the first key.
    let lenient = ReadOptions::new().with_duplicate_keys(DuplicateKeys::KeepLast);
    let value = Value::from_slice_with(&bytes, &lenient).unwrap();
    assert_eq!(
        value.get("Status").and_then(Value::as_str),
        Some("Acknowledged")
    );
    let keys: Vec<&str> = value.as_dictionary().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "CommandUUID",
            "Status",
            "ErrorChain",
            "UDID",
            "ActivationLockBypassCode"
        ]
    );
}

#[test]
fn invalid_utf8_fails_the_whole_document_at_the_first_bad_byte() {
    let bytes = read("13-xml-invalid-utf8.plist");
    let err = fails_with("13-xml-invalid-utf8.plist", ErrorKind::InvalidUtf8);
    let first_bad = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
    assert_eq!(err.offset(), Some(first_bad as u64));
}

#[test]
fn control_characters_survive_binary_but_not_xml() {
    let value = decode("16-bplist-control-chars.bplist");
    assert_eq!(
        value.get("UserLongName").and_then(Value::as_str),
        Some("Fake\u{1}User")
    );
    assert_eq!(
        value.get("UserShortName").and_then(Value::as_str),
        Some("fake\u{0}user")
    );
    let binary = value.to_binary().unwrap();
    assert_eq!(Value::from_slice(&binary).unwrap(), value);
    let err = value.to_xml().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidXmlChar);
}

#[test]
fn non_ascii_error_chain_text_is_exact() {
    let value = decode("17-albc-errorchain-non-ascii.plist");
    let text = |p: &str| value.pointer(p).and_then(Value::as_str);
    assert_eq!(text("/Status"), Some("Error"));
    assert_eq!(value.get("ActivationLockBypassCode"), None);
    assert_eq!(
        value
            .pointer("/ErrorChain/0/ErrorCode")
            .and_then(Value::as_i64),
        Some(12021)
    );
    assert_eq!(
        text("/ErrorChain/0/ErrorDomain"),
        Some("FakeMDMErrorDomain")
    );
    assert_eq!(
        text("/ErrorChain/0/LocalizedDescription"),
        Some(
            "Le code de contournement n\u{2019}est pas disponible pour \u{ab}\u{a0}Exemple-iPad\u{a0}\u{bb}."
        )
    );
    assert_eq!(
        text("/ErrorChain/0/USEnglishDescription"),
        Some("The bypass code for \u{201c}Example-iPad\u{201d} is not available.")
    );
    assert_eq!(
        value
            .pointer("/ErrorChain/1/ErrorCode")
            .and_then(Value::as_i64),
        Some(-402653103)
    );
    assert_eq!(value.pointer("/ErrorChain/1/USEnglishDescription"), None);
    assert_eq!(
        text("/ErrorChain/1/LocalizedDescription"),
        Some("テスト 🔒")
    );
}

#[test]
fn a_missing_status_is_still_a_plain_property_list() {
    // Only a typed decode (mdm-schema) refuses it; as a plain plist it is fine.
    let value = decode("20-albc-missing-status.plist");
    assert_eq!(value.get("Status"), None);
    assert_eq!(
        value
            .get("ActivationLockBypassCode")
            .and_then(Value::as_str),
        Some("FAKE0-FAKE1-FAKE2-FAKE3-FAKE4")
    );
}
