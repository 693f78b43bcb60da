//! Faults the fuzzers found, each with its input and the right outcome.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;

use mdm_plist::{ErrorKind, Value};

fn regression(path: &str) -> Vec<u8> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// `differential_xml`, campaign of 2026-12-04: an `</array>` where a dictionary waited for
/// the value of its last key closed the dictionary and dropped the key; the quick-xml
/// reader refused the document. It is malformed, at the `</array>`.
#[test]
fn end_array_cannot_close_a_dictionary_waiting_for_a_value() {
    let bytes = regression("differential_xml/end-array-closes-dictionary-with-pending-key.xml");
    let err = Value::from_slice(&bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedXml);
    let offset = usize::try_from(err.offset().unwrap()).unwrap();
    assert!(bytes[offset..].starts_with(b"</array>"));
    assert_eq!(err.path(), "/QueryResponses/VoiceRoamingEnable\n");
    let err = mdm_plist::from_slice::<Value>(&bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedXml);
}

/// `differential_xml`, second campaign of 2026-12-04: an XML declaration with an unknown
/// pseudo-attribute whose quoted value held `?>` (`<?xml vecoding="UT?>F-8"?>`) was
/// accepted. The declaration may hold only `version`, `encoding` and `standalone`, in
/// that order, `version` first and required.
#[test]
fn the_xml_declaration_holds_only_what_xml_allows() {
    let bytes = regression("differential_xml/xml-declaration-with-quoted-end.xml");
    let err = Value::from_slice(&bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedXml);
    assert_eq!(err.offset(), Some(0));
    assert_eq!(err.path(), "");
}
