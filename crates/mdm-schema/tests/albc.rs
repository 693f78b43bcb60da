//! `ActivationLockBypassCode` end to end: commands built and parsed, results decoded.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "tests"
)]

use mdm_plist::{ErrorKind, Value};
use mdm_schema::{
    ActivationLockBypassCode, BypassCodeAnswer, ClearActivationLockBypassCode, Command,
    CommandEnvelope, CommandResult, EmptyResponse, MessageKind, SchemaError, Status, decode_result,
};

const UUID: &str = "0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B";
const CODE: &str = "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4";

fn hostile(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/hostile")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn result_xml(body: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n{body}</dict>\n</plist>\n"
    )
    .into_bytes()
}

#[test]
fn command_round_trips_in_both_formats() {
    let envelope = CommandEnvelope::with_uuid(UUID, ActivationLockBypassCode);
    for bytes in [envelope.to_xml().unwrap(), envelope.to_binary().unwrap()] {
        let back = CommandEnvelope::<ActivationLockBypassCode>::from_slice(&bytes).unwrap();
        assert_eq!(back, envelope);
        let value = Value::from_slice(&bytes).unwrap();
        assert_eq!(
            value
                .pointer("/Command/RequestType")
                .and_then(Value::as_str),
            Some("ActivationLockBypassCode")
        );
        assert_eq!(
            value.pointer("/CommandUUID").and_then(Value::as_str),
            Some(UUID)
        );
    }
}

#[test]
fn command_xml_is_apple_layout() {
    let xml = CommandEnvelope::with_uuid(UUID, ClearActivationLockBypassCode)
        .to_xml()
        .unwrap();
    let want = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n\t<key>Command</key>\n\t<dict>\n\t\t<key>RequestType</key>\n\t\t<string>ClearActivationLockBypassCode</string>\n\t</dict>\n\t<key>CommandUUID</key>\n\t<string>{UUID}</string>\n</dict>\n</plist>\n"
    );
    assert_eq!(String::from_utf8(xml).unwrap(), want);
}

#[test]
fn fresh_uuids_are_upper_case_and_distinct() {
    let a = CommandEnvelope::new(ActivationLockBypassCode);
    let b = CommandEnvelope::new(ActivationLockBypassCode);
    assert_ne!(a.command_uuid, b.command_uuid);
    assert_eq!(a.command_uuid, a.command_uuid.to_uppercase());
    assert_eq!(a.command_uuid.len(), 36);
}

#[test]
fn parsing_a_command_of_another_type_is_a_mismatch() {
    let bytes = CommandEnvelope::with_uuid(UUID, ClearActivationLockBypassCode)
        .to_xml()
        .unwrap();
    let err = CommandEnvelope::<ActivationLockBypassCode>::from_slice(&bytes).unwrap_err();
    assert_eq!(err.kind_name(), "RequestTypeMismatch");
}

#[test]
fn acknowledged_result_hands_out_the_code() {
    let bytes = result_xml(&format!(
        "<key>ActivationLockBypassCode</key><string>{CODE}</string>\
         <key>CommandUUID</key><string>{UUID}</string>\
         <key>Status</key><string>Acknowledged</string>\
         <key>UDID</key><string>00008030-000000000000FACE</string>\
         <key>RequestType</key><string>ActivationLockBypassCode</string>\
         <key>FutureKey</key><integer>7</integer>"
    ));
    let result = decode_result::<ActivationLockBypassCode>(&bytes).unwrap();
    assert_eq!(result.status, Status::Acknowledged);
    assert_eq!(result.command_uuid.as_deref(), Some(UUID));
    assert_eq!(
        result.identity.udid.as_deref(),
        Some("00008030-000000000000FACE")
    );
    assert_eq!(result.extra.get("FutureKey"), Some(&Value::from(7)));
    let response = result.acknowledged().unwrap();
    match response.answer() {
        BypassCodeAnswer::Present(code) => assert_eq!(code.expose_secret(), CODE),
        other => panic!("{other:?}"),
    }
    let code = response.parse_code().unwrap().unwrap();
    assert_eq!(&*code.expose_dashed(), CODE);
    // The secret shows nowhere in debug output.
    assert!(!format!("{result:?}").contains(CODE));
}

#[test]
fn absent_and_empty_codes_are_normal_answers() {
    let absent = result_xml(&format!(
        "<key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Acknowledged</string>"
    ));
    let result = decode_result::<ActivationLockBypassCode>(&absent).unwrap();
    assert_eq!(
        result.acknowledged().unwrap().answer(),
        BypassCodeAnswer::Absent
    );
    assert!(
        result
            .acknowledged()
            .unwrap()
            .parse_code()
            .unwrap()
            .is_none()
    );

    let empty = result_xml(&format!(
        "<key>ActivationLockBypassCode</key><string></string>\
         <key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Acknowledged</string>"
    ));
    let result = decode_result::<ActivationLockBypassCode>(&empty).unwrap();
    assert_eq!(
        result.acknowledged().unwrap().answer(),
        BypassCodeAnswer::Empty
    );
}

#[test]
fn a_code_without_acknowledged_is_never_handed_out() {
    let bytes = result_xml(&format!(
        "<key>ActivationLockBypassCode</key><string>{CODE}</string>\
         <key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Error</string>"
    ));
    let result = decode_result::<ActivationLockBypassCode>(&bytes).unwrap();
    let err = result.acknowledged().unwrap_err();
    assert_eq!(err.kind_name(), "NotAcknowledged");
    assert!(!err.to_string().contains(CODE));
}

#[test]
fn hostile_20_missing_status_is_missing_field() {
    let err = decode_result::<ActivationLockBypassCode>(&hostile("20-albc-missing-status.plist"))
        .unwrap_err();
    let SchemaError::Plist(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.kind(), ErrorKind::MissingField);
    assert_eq!(e.path(), "");
    assert!(e.message().contains("Status"), "{e}");
    assert!(e.offset().is_some());
}

#[test]
fn hostile_17_error_chain_is_exact() {
    let result =
        decode_result::<ActivationLockBypassCode>(&hostile("17-albc-errorchain-non-ascii.plist"))
            .unwrap();
    assert_eq!(result.status, Status::Error);
    assert_eq!(
        result.acknowledged().unwrap_err().kind_name(),
        "NotAcknowledged"
    );
    assert!(result.acknowledged().is_err());
    let chain = &result.error_chain;
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0].error_code, 12021);
    assert_eq!(chain[0].error_domain, "FakeMDMErrorDomain");
    assert_eq!(
        chain[0].localized_description.as_deref(),
        Some(
            "Le code de contournement n\u{2019}est pas disponible pour \u{ab}\u{a0}Exemple-iPad\u{a0}\u{bb}."
        )
    );
    assert_eq!(
        chain[0].us_english_description.as_deref(),
        Some("The bypass code for \u{201c}Example-iPad\u{201d} is not available.")
    );
    assert_eq!(chain[1].error_code, -402_653_103);
    assert_eq!(chain[1].error_domain, "FakeLowerDomain");
    assert_eq!(chain[1].localized_description.as_deref(), Some("テスト 🔒"));
    assert_eq!(chain[1].us_english_description, None);
}

#[test]
fn idle_is_not_a_command_result() {
    let bytes =
        result_xml("<key>Status</key><string>Idle</string><key>UDID</key><string>X</string>");
    let any: CommandResult<EmptyResponse> = CommandResult::from_slice(&bytes).unwrap();
    assert!(any.is_idle());
    assert_eq!(any.command_uuid, None);
    let err = decode_result::<ActivationLockBypassCode>(&bytes).unwrap_err();
    assert!(matches!(err, SchemaError::NotACommandResult));
    let value = Value::from_slice(&bytes).unwrap();
    assert_eq!(
        MessageKind::identify(&value).unwrap(),
        MessageKind::CommandResult
    );
}

#[test]
fn request_type_of_another_command_is_a_mismatch() {
    let bytes = result_xml(&format!(
        "<key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Acknowledged</string>\
         <key>RequestType</key><string>DeviceLock</string>"
    ));
    let err = decode_result::<ActivationLockBypassCode>(&bytes).unwrap_err();
    assert_eq!(err.kind_name(), "RequestTypeMismatch");
    assert_eq!(err.path(), "/RequestType");
}

#[test]
fn unknown_status_is_kept() {
    let bytes = result_xml(&format!(
        "<key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Deferred</string>"
    ));
    let result = decode_result::<ClearActivationLockBypassCode>(&bytes).unwrap();
    assert_eq!(result.status, Status::Other("Deferred".into()));
    assert_eq!(result.status.as_str(), "Deferred");
}

#[test]
fn identities_are_kept_verbatim() {
    let bytes = result_xml(&format!(
        "<key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>NotNow</string>\
         <key>UserID</key><string>abc-DEF</string><key>EnrollmentID</key><string>x</string>\
         <key>EnrollmentUserID</key><string>Ü</string>"
    ));
    let result = decode_result::<ActivationLockBypassCode>(&bytes).unwrap();
    assert_eq!(result.status, Status::NotNow);
    assert_eq!(result.identity.user_id.as_deref(), Some("abc-DEF"));
    assert_eq!(result.identity.enrollment_id.as_deref(), Some("x"));
    assert_eq!(result.identity.enrollment_user_id.as_deref(), Some("Ü"));
}

#[test]
fn results_round_trip_through_to_value() {
    let bytes = result_xml(&format!(
        "<key>ActivationLockBypassCode</key><string>{CODE}</string>\
         <key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Acknowledged</string>\
         <key>UDID</key><string>u</string><key>Zeta</key><true/>"
    ));
    let result = decode_result::<ActivationLockBypassCode>(&bytes).unwrap();
    let binary = result.to_value().to_binary().unwrap();
    let again = decode_result::<ActivationLockBypassCode>(&binary).unwrap();
    assert_eq!(again, result);
}

#[test]
fn wrong_type_names_its_path() {
    let bytes = result_xml(&format!(
        "<key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Error</string>\
         <key>ErrorChain</key><array><dict><key>ErrorCode</key><string>x</string>\
         <key>ErrorDomain</key><string>d</string></dict></array>"
    ));
    let SchemaError::Plist(e) = decode_result::<ActivationLockBypassCode>(&bytes).unwrap_err()
    else {
        panic!()
    };
    assert_eq!(e.kind(), ErrorKind::InvalidType);
    assert_eq!(e.path(), "/ErrorChain/0/ErrorCode");
}

#[test]
fn availability_matches_apple_schema() {
    let a = ActivationLockBypassCode::AVAILABILITY;
    assert_eq!(a.ios.introduced, mdm_schema::OsVersion::parse("7.1"));
    assert_eq!(a.macos.introduced, mdm_schema::OsVersion::parse("10.15"));
    assert_eq!(a.macos.user_channel, Some(false));
    assert!(!a.tvos.is_available());
    assert!(!a.watchos.is_available());
    assert_eq!(a.visionos.introduced, mdm_schema::OsVersion::parse("2.0"));
    assert_eq!(ClearActivationLockBypassCode::AVAILABILITY, a);
}

#[test]
fn an_unacknowledged_result_keeps_no_code() {
    let bytes = result_xml(&format!(
        "<key>ActivationLockBypassCode</key><string>{CODE}</string>\
         <key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>NotNow</string>"
    ));
    let result = decode_result::<ActivationLockBypassCode>(&bytes).unwrap();
    assert!(result.acknowledged().is_err());
    assert!(!format!("{result:?}").contains(CODE));
    assert!(!result.extra.contains_key("ActivationLockBypassCode"));
    let err = result.into_acknowledged().unwrap_err();
    assert_eq!(err.kind_name(), "NotAcknowledged");
}

#[test]
fn missing_status_wins_over_any_other_error() {
    let bytes = result_xml(
        "<key>ActivationLockBypassCode</key><integer>5</integer>\
         <key>CommandUUID</key><integer>7</integer><key>UDID</key><string>u</string>",
    );
    let SchemaError::Plist(e) = decode_result::<ActivationLockBypassCode>(&bytes).unwrap_err()
    else {
        panic!()
    };
    assert_eq!(e.kind(), ErrorKind::MissingField);
    assert!(e.message().contains("Status"));
    assert_eq!(e.path(), "");
}

#[test]
fn an_error_result_with_a_malformed_code_still_decodes() {
    let bytes = result_xml(&format!(
        "<key>ActivationLockBypassCode</key><integer>123456</integer>\
         <key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Error</string>\
         <key>ErrorChain</key><array><dict><key>ErrorCode</key><integer>-1</integer>\
         <key>ErrorDomain</key><string>D</string></dict></array>"
    ));
    let result = decode_result::<ActivationLockBypassCode>(&bytes).unwrap();
    assert_eq!(result.status, Status::Error);
    assert_eq!(result.error_chain.len(), 1);
    assert!(result.acknowledged().is_err());
}

#[test]
fn a_malformed_code_in_an_acknowledged_result_is_an_error_without_the_value() {
    for (body, found) in [
        ("<integer>123456</integer>", "123456"),
        ("<data>MTIzNDU2</data>", "123456"),
        ("<real>1234.5</real>", "1234.5"),
        ("<array><string>3UM43</string></array>", "3UM43"),
    ] {
        let bytes = result_xml(&format!(
            "<key>ActivationLockBypassCode</key>{body}\
             <key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Acknowledged</string>"
        ));
        let err = decode_result::<ActivationLockBypassCode>(&bytes).unwrap_err();
        let SchemaError::Plist(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.kind(), ErrorKind::InvalidType, "{body}");
        assert_eq!(e.path(), "/ActivationLockBypassCode");
        assert!(e.offset().is_some());
        assert!(!err.to_string().contains(found), "{err}");
        assert!(!format!("{err:?}").contains(found), "{err:?}");
    }
}

#[test]
fn secrets_inside_error_chain_items_are_redacted_in_debug() {
    let bytes = result_xml(&format!(
        "<key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Error</string>\
         <key>ErrorChain</key><array><dict><key>ErrorCode</key><integer>1</integer>\
         <key>ErrorDomain</key><string>D</string><key>Token</key><string>TOPSECRET</string>\
         </dict></array><key>PushMagic</key><string>MAGICSECRET</string>"
    ));
    let result = decode_result::<ActivationLockBypassCode>(&bytes).unwrap();
    let shown = format!("{result:?}");
    assert!(!shown.contains("TOPSECRET"), "{shown}");
    assert!(!shown.contains("MAGICSECRET"), "{shown}");
    assert!(shown.contains("<redacted>"));
}

#[test]
fn many_unknown_keys_decode_in_linear_time() {
    let mut body = format!(
        "<key>CommandUUID</key><string>{UUID}</string><key>Status</key><string>Acknowledged</string>"
    );
    for i in 0..50_000 {
        body.push_str(&format!("<key>K{i}</key><true/>"));
    }
    let start = std::time::Instant::now();
    let result = decode_result::<ActivationLockBypassCode>(&result_xml(&body)).unwrap();
    assert_eq!(result.extra.len(), 50_000);
    // Quadratic insertion took tens of seconds here; linear takes well under one.
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn schema_errors_name_their_key_path() {
    let bytes =
        b"<plist><dict><key>Command</key><dict><key>RequestType</key><integer>1</integer></dict>\
        <key>CommandUUID</key><string>u</string></dict></plist>";
    let err = mdm_schema::decode_any_command(bytes).unwrap_err();
    assert_eq!(err.kind_name(), "InvalidType");
    assert_eq!(err.path(), "/Command/RequestType");
    let bytes = b"<plist><dict><key>Command</key><dict/><key>CommandUUID</key><string>u</string></dict></plist>";
    let err = mdm_schema::decode_any_command(bytes).unwrap_err();
    assert_eq!(err.kind_name(), "MissingField");
    assert_eq!(err.path(), "/Command");
}
