//! Round trips: binary holds every value exactly; XML holds every value it can represent,
//! and each documented exception behaves as documented.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use mdm_plist::{Array, Date, Dictionary, ErrorKind, Integer, Uid, Value};

fn via_xml(value: &Value) -> Value {
    Value::from_slice(&value.to_xml().unwrap()).unwrap()
}

fn via_binary(value: &Value) -> Value {
    Value::from_slice(&value.to_binary().unwrap()).unwrap()
}

fn rich() -> Value {
    let mut dict = Dictionary::new();
    for (i, n) in [
        i128::from(i64::MIN),
        -1,
        0,
        255,
        65_536,
        i128::from(u64::MAX),
    ]
    .into_iter()
    .enumerate()
    {
        dict.insert(format!("int{i}"), Integer::from_i128(n).unwrap());
    }
    dict.insert("real", 15.468_269_348_144_531);
    dict.insert("negative zero", -0.0);
    dict.insert("tiny", 5e-324);
    dict.insert("infinity", f64::INFINITY);
    dict.insert("text", "a<b>&c ]]> é 日本 😀 \r\n tab\t");
    dict.insert("empty", "");
    dict.insert("data", (0..=255u8).collect::<Vec<_>>());
    dict.insert("date", Date::parse_xml("2018-06-30T13:46:38Z").unwrap());
    dict.insert("true", true);
    dict.insert(
        "nested",
        vec![Value::from(Array::new()), Dictionary::new().into()],
    );
    Value::Dictionary(dict)
}

#[test]
fn binary_holds_everything_exactly() {
    let mut value = rich();
    let dict = value.as_dictionary_mut().unwrap();
    dict.insert("uid", Uid::new(42));
    dict.insert("fraction", Date::from_apple_seconds(0.25).unwrap());
    dict.insert("control", "\u{0}\u{1}\u{fffe}");
    dict.insert("far", Date::from_apple_seconds(1e15).unwrap());
    dict.insert("nan payload", f64::from_bits(0x7FF8_0000_0000_1234));
    let back = via_binary(&value);
    assert_eq!(back, value);
    let bits = back
        .get("nan payload")
        .and_then(Value::as_real)
        .unwrap()
        .to_bits();
    assert_eq!(bits, 0x7FF8_0000_0000_1234);
    let zero = back.get("negative zero").and_then(Value::as_real).unwrap();
    assert!(zero.is_sign_negative());
}

#[test]
fn xml_holds_every_value_it_can_represent() {
    let value = rich();
    let back = via_xml(&value);
    assert_eq!(back, value);
    let zero = back.get("negative zero").and_then(Value::as_real).unwrap();
    assert!(zero.is_sign_negative(), "-0 stays negative");
    // A carriage return survives (written as a character reference).
    assert_eq!(back.get("text"), value.get("text"));
}

#[test]
fn xml_writes_a_uid_as_a_cf_uid_dictionary() {
    let value = Value::from(vec![Value::Uid(Uid::new(7))]);
    let xml = String::from_utf8(value.to_xml().unwrap()).unwrap();
    assert!(
        xml.contains("<dict>\n\t\t<key>CF$UID</key>\n\t\t<integer>7</integer>\n\t</dict>"),
        "{xml}"
    );
    let back = via_xml(&value);
    assert_eq!(
        back,
        Value::from(vec![Value::Dictionary(Dictionary::from_iter([(
            "CF$UID", 7
        )]))])
    );
}

#[test]
fn xml_keeps_whole_seconds_of_a_date_rounded_down() {
    let date = Date::from_apple_seconds(12.75).unwrap();
    let back = via_xml(&Value::Date(date));
    assert_eq!(back, Value::Date(Date::from_apple_seconds(12.0).unwrap()));
    let before_epoch = Date::from_apple_seconds(-0.5).unwrap();
    let back = via_xml(&Value::Date(before_epoch));
    assert_eq!(back, Value::Date(Date::from_apple_seconds(-1.0).unwrap()));
}

#[test]
fn xml_refuses_a_date_outside_years_0000_to_9999() {
    let far = Value::from(vec![Value::Date(Date::from_apple_seconds(1e15).unwrap())]);
    let err = far.to_xml().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedValue);
    assert_eq!(err.path(), "/0");
}

#[test]
fn xml_refuses_strings_it_cannot_hold_and_says_where() {
    for bad in [
        "\u{0}", "\u{1}", "\u{8}", "\u{b}", "\u{c}", "\u{1f}", "\u{fffe}", "\u{ffff}",
    ] {
        let mut dict = Dictionary::new();
        dict.insert("Name", format!("Fake{bad}User"));
        let err = Value::Dictionary(dict).to_xml().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidXmlChar, "{bad:?}");
        assert_eq!(err.path(), "/Name");
        let key = Dictionary::from_iter([(format!("K{bad}"), 1)]);
        let err = Value::Dictionary(key).to_xml().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidXmlChar, "{bad:?}");
    }
    for fine in [
        "\t",
        "\n",
        "\r",
        "\u{7f}",
        "\u{85}",
        "\u{fffd}",
        "\u{10000}",
    ] {
        let value = Value::from(format!("a{fine}b"));
        assert_eq!(via_xml(&value), value, "{fine:?}");
    }
}

#[test]
fn xml_reads_back_any_nan_as_nan() {
    let value = Value::Real(f64::from_bits(0x7FF8_0000_0000_1234));
    let xml = String::from_utf8(value.to_xml().unwrap()).unwrap();
    assert!(xml.contains("<real>nan</real>"), "{xml}");
    let back = via_xml(&value).as_real().unwrap();
    assert!(back.is_nan());
}
