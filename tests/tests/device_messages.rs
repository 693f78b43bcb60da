//! The real device messages: every good one decodes and round-trips through both
//! formats; the two redacted ones fail where the placeholder text is.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation,
    reason = "test helpers may fail loudly"
)]

use std::fs;

use mdm_plist::{ErrorKind, ReadOptions, Value};
use mdm_tests::{good_device_messages, redacted_device_messages};

#[test]
fn the_fixtures_are_all_there() {
    assert_eq!(good_device_messages().len(), 48);
    assert_eq!(redacted_device_messages().len(), 2);
}

#[test]
fn every_good_message_decodes_and_round_trips() {
    for path in good_device_messages() {
        let bytes = fs::read(&path).unwrap();
        let value = Value::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(value.as_dictionary().is_some(), "{}", path.display());

        let binary = value.to_binary().unwrap();
        assert_eq!(
            Value::from_slice(&binary).unwrap(),
            value,
            "{} via binary",
            path.display()
        );
        let xml = value.to_xml().unwrap();
        assert_eq!(
            Value::from_slice(&xml).unwrap(),
            value,
            "{} via XML",
            path.display()
        );
    }
}

#[test]
fn messages_say_what_they_are() {
    for path in good_device_messages() {
        let value = Value::from_slice(&fs::read(&path).unwrap()).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.ends_with("InstallProfile.plist") {
            // A command sent to the device, not a response.
            let request = value
                .pointer("/Command/RequestType")
                .and_then(Value::as_str);
            assert_eq!(request, Some("InstallProfile"));
        } else {
            assert!(
                value.get("MessageType").is_some() || value.get("Status").is_some(),
                "{name} is neither a check-in nor a command result"
            );
        }
    }
}

#[test]
fn negative_error_codes_and_missing_english_descriptions_are_kept() {
    let path = mdm_tests::fixtures().join(
        "device-messages/good/cmdmnt+commandment/testdata__Errors__10.13.6-invalid-command.xml",
    );
    let value = Value::from_slice(&fs::read(path).unwrap()).unwrap();
    assert_eq!(value.get("Status").and_then(Value::as_str), Some("Error"));
    assert_eq!(
        value
            .pointer("/ErrorChain/0/ErrorCode")
            .and_then(Value::as_i64),
        Some(12021)
    );
}

#[test]
fn redacted_data_fails_with_invalid_base64_in_place() {
    let expected = [
        (
            "testdata__CertificateList__iOS-11.3.1.xml",
            "/CertificateList/0/Data",
        ),
        ("testdata__TokenUpdate__iOS-11.3.1.xml", "/Token"),
    ];
    let files = redacted_device_messages();
    assert_eq!(files.len(), expected.len());
    for (path, (name, key_path)) in files.iter().zip(expected) {
        assert!(path.ends_with(name), "{}", path.display());
        let bytes = fs::read(path).unwrap();
        let err = Value::from_slice(&bytes).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidBase64, "{err}");
        assert_eq!(err.path(), key_path);
        // The offset is inside the text of the first <data> element.
        let text = String::from_utf8(bytes).unwrap();
        let start = text.find("<data>").unwrap() + "<data>".len();
        let end = start + text[start..].find("</data>").unwrap();
        let offset = usize::try_from(err.offset().unwrap()).unwrap();
        assert!(
            (start..end).contains(&offset),
            "{offset} not in {start}..{end}"
        );
    }
}

#[test]
fn the_input_size_limit_applies_before_decoding() {
    let path = &good_device_messages()[0];
    let bytes = fs::read(path).unwrap();
    let options = ReadOptions::new().with_max_input_size(bytes.len() - 1);
    let err = Value::from_slice_with(&bytes, &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InputTooLarge);
    assert_eq!(err.path(), "");
}
