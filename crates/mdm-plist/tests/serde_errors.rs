//! What serde decoding does when a type recovers from an error, in both formats.
//!
//! A type may swallow an error its deserializer returns (a lenient field that turns a
//! wrong type into `None`). Decoding then goes on where the failed value ends, so the
//! rest of the document is read and checked as usual. An error in the document itself
//! ends the decode whatever the type does with it, and so does a type that reads less
//! than the whole document: the rest is still read, and must be valid.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use mdm_plist::{ErrorKind, Value};
use serde::Deserialize;

/// A string field that turns any failure into `None`.
fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(String::deserialize(d).ok())
}

#[derive(Debug, PartialEq, Deserialize)]
struct Lenient {
    #[serde(deserialize_with = "lenient")]
    a: Option<String>,
    b: u8,
}

fn xml(body: &str) -> Vec<u8> {
    format!("<plist>{body}</plist>").into_bytes()
}

/// The XML document and its binary twin (when the XML is valid).
fn both(body: &str) -> Vec<Vec<u8>> {
    let xml = xml(body);
    let mut out = vec![xml.clone()];
    if let Ok(value) = Value::from_slice(&xml) {
        out.push(value.to_binary().unwrap());
    }
    out
}

#[test]
fn a_type_recovers_from_a_wrong_container_and_decoding_goes_on() {
    for body in [
        "<dict><key>a</key><array><integer>1</integer><array/></array><key>b</key><integer>2</integer></dict>",
        "<dict><key>a</key><dict><key>x</key><dict/></dict><key>b</key><integer>2</integer></dict>",
        "<dict><key>a</key><integer>5</integer><key>b</key><integer>2</integer></dict>",
        "<dict><key>a</key><data>AAEC</data><key>b</key><integer>2</integer></dict>",
    ] {
        for data in both(body) {
            let decoded: Lenient = mdm_plist::from_slice(&data).unwrap();
            assert_eq!(decoded, Lenient { a: None, b: 2 }, "{body}");
        }
    }
}

#[derive(Debug, PartialEq, Deserialize)]
struct LenientPair(
    #[serde(deserialize_with = "lenient")] Option<String>,
    #[serde(deserialize_with = "lenient")] Option<String>,
);

#[test]
fn the_value_after_a_recovered_container_is_the_next_one() {
    for data in both("<array><array><string>t</string></array><string>u</string></array>") {
        let pair: LenientPair = mdm_plist::from_slice(&data).unwrap();
        assert_eq!(pair, LenientPair(None, Some("u".into())));
    }
}

#[test]
fn an_error_in_the_document_ends_the_decode_even_when_swallowed() {
    // A bad entity inside the value the lenient field reads.
    let data =
        xml("<dict><key>a</key><string>&bogus;</string><key>b</key><integer>2</integer></dict>");
    let err = mdm_plist::from_slice::<Lenient>(&data).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedXml);
    assert_eq!(err.path(), "/a");
    // Inside a container the lenient field gives up on.
    let data =
        xml("<dict><key>a</key><array><bogus/></array><key>b</key><integer>2</integer></dict>");
    assert_eq!(
        mdm_plist::from_slice::<Lenient>(&data).unwrap_err().kind(),
        Value::from_slice(&data).unwrap_err().kind()
    );
}

#[test]
fn what_follows_a_recovered_container_is_still_checked() {
    let data = xml("<array><array><string>t</string></array><bogus/></array>");
    let expected = Value::from_slice(&data).unwrap_err();
    let err = mdm_plist::from_slice::<LenientPair>(&data).unwrap_err();
    assert_eq!(err.kind(), expected.kind());
    assert_eq!(err.offset(), expected.offset());
}

/// A type that never looks at its deserializer.
#[derive(Debug, PartialEq)]
struct Nothing;

impl<'de> Deserialize<'de> for Nothing {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Ok(Nothing)
    }
}

#[test]
fn a_type_that_reads_nothing_still_gets_a_checked_document() {
    for data in both("<dict><key>a</key><array><integer>1</integer></array></dict>") {
        assert_eq!(mdm_plist::from_slice::<Nothing>(&data).unwrap(), Nothing);
    }
    let bad = xml("<dict><key>a</key><array><bogus/></array></dict>");
    assert_eq!(
        mdm_plist::from_slice::<Nothing>(&bad).unwrap_err().kind(),
        ErrorKind::MalformedXml
    );
    let duplicate = xml("<dict><key>a</key><true/><key>a</key><false/></dict>");
    assert_eq!(
        mdm_plist::from_slice::<Nothing>(&duplicate)
            .unwrap_err()
            .kind(),
        ErrorKind::DuplicateKey
    );
}

/// A unit field that turns any failure into `None`.
fn lenient_unit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<()>, D::Error> {
    Ok(<()>::deserialize(d).ok())
}

#[derive(Debug, PartialEq, Deserialize)]
struct LenientUnit {
    #[serde(deserialize_with = "lenient_unit")]
    a: Option<()>,
    b: u8,
}

#[test]
fn a_non_empty_container_read_as_unit_is_skipped_whole() {
    for body in [
        "<dict><key>a</key><array><array><true/></array><false/></array><key>b</key><integer>2</integer></dict>",
        "<dict><key>a</key><dict><key>k</key><dict/></dict><key>b</key><integer>2</integer></dict>",
        "<dict><key>a</key><array/><key>b</key><integer>2</integer></dict>",
    ] {
        for data in both(body) {
            let decoded: LenientUnit = mdm_plist::from_slice(&data).unwrap();
            assert_eq!(decoded.b, 2, "{body}");
            assert_eq!(decoded.a.is_some(), body.contains("<array/>"), "{body}");
        }
    }
}

#[derive(Debug, PartialEq, Deserialize)]
enum Kind {
    One,
}

fn lenient_kind<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Kind>, D::Error> {
    Ok(Kind::deserialize(d).ok())
}

#[derive(Debug, PartialEq, Deserialize)]
struct LenientKind {
    #[serde(deserialize_with = "lenient_kind")]
    a: Option<Kind>,
    b: u8,
}

#[test]
fn an_enum_given_an_array_is_skipped_whole() {
    for data in both(
        "<dict><key>a</key><array><string>One</string></array><key>b</key><integer>2</integer></dict>",
    ) {
        let decoded: LenientKind = mdm_plist::from_slice(&data).unwrap();
        assert_eq!(decoded, LenientKind { a: None, b: 2 });
    }
}
