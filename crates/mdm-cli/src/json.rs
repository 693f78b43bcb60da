//! A property list as JSON, for reading: `mdm plist convert --to json`.
//!
//! - dictionaries are objects with their keys in document order;
//! - data is standard base64 (with padding);
//! - dates are RFC 3339 strings, `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, rounded down);
//! - integers are exact over `i64::MIN..=u64::MAX`;
//! - reals are numbers, except NaN and the infinities, written as the strings `"nan"`,
//!   `"+infinity"` and `"-infinity"`;
//! - UIDs are `{"CF$UID": n}`, as in Apple's XML form.
//!
//! The mapping is one way: JSON cannot tell a string from a date or data, so there is
//! no conversion back.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mdm_plist::{Error, ErrorKind, Value};
use serde_json::{Map, Number};

/// Converts a value to JSON. Fails with [`ErrorKind::UnsupportedValue`] (and the key
/// path) for a date outside the years 0000 to 9999, which RFC 3339 cannot write.
///
/// The conversion recurses once per level of nesting; values read with the default
/// [`ReadOptions`](mdm_plist::ReadOptions) are at most 128 levels deep.
pub fn to_json(value: &Value) -> Result<serde_json::Value, Error> {
    let mut path = Vec::new();
    convert(value, &mut path).map_err(|message| {
        Error::new(
            ErrorKind::UnsupportedValue,
            format!("{message} at {}", pointer(&path)),
        )
    })
}

/// A JSON Pointer from path segments.
fn pointer(path: &[String]) -> String {
    let mut out = String::new();
    for segment in path {
        out.push('/');
        out.push_str(&segment.replace('~', "~0").replace('/', "~1"));
    }
    if out.is_empty() {
        "\"\"".to_owned()
    } else {
        out
    }
}

fn convert(value: &Value, path: &mut Vec<String>) -> Result<serde_json::Value, String> {
    Ok(match value {
        Value::Dictionary(dict) => {
            let mut map = Map::with_capacity(dict.len());
            for (key, item) in dict.iter() {
                path.push(key.to_owned());
                let item = convert(item, path)?;
                path.pop();
                map.insert(key.to_owned(), item);
            }
            serde_json::Value::Object(map)
        }
        Value::Array(array) => {
            let mut items = Vec::with_capacity(array.len());
            for (index, item) in array.iter().enumerate() {
                path.push(index.to_string());
                items.push(convert(item, path)?);
                path.pop();
            }
            serde_json::Value::Array(items)
        }
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Integer(i) => match (i.as_i64(), i.as_u64()) {
            (Some(v), _) => serde_json::Value::Number(Number::from(v)),
            (None, Some(v)) => serde_json::Value::Number(Number::from(v)),
            (None, None) => return Err(format!("integer {i} out of range")),
        },
        Value::Real(r) => real(*r),
        Value::Boolean(b) => serde_json::Value::Bool(*b),
        Value::Data(bytes) => serde_json::Value::String(STANDARD.encode(bytes)),
        Value::Date(date) => match date.to_xml_string() {
            Some(text) => serde_json::Value::String(text),
            None => return Err("a date outside the years 0000 to 9999".to_owned()),
        },
        Value::Uid(uid) => {
            let mut map = Map::with_capacity(1);
            map.insert("CF$UID".to_owned(), Number::from(uid.get()).into());
            serde_json::Value::Object(map)
        }
        // `Value` may grow new kinds; say so rather than guess.
        #[allow(unreachable_patterns, reason = "Value may gain variants")]
        other => return Err(format!("a {} value", other.type_name())),
    })
}

/// A real as a JSON number, or one of the strings `nan`, `+infinity`, `-infinity`.
fn real(r: f64) -> serde_json::Value {
    match Number::from_f64(r) {
        Some(n) => serde_json::Value::Number(n),
        None if r.is_nan() => serde_json::Value::String("nan".to_owned()),
        None if r > 0.0 => serde_json::Value::String("+infinity".to_owned()),
        None => serde_json::Value::String("-infinity".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdm_plist::{Date, Dictionary, Integer, Uid};

    #[test]
    fn every_kind_of_value() {
        let mut dict = Dictionary::new();
        dict.insert("z", "first");
        dict.insert("a", Value::Integer(Integer::from(u64::MAX)));
        dict.insert("min", Value::Integer(Integer::from(i64::MIN)));
        dict.insert("real", Value::Real(1.5));
        dict.insert("whole", Value::Real(2.0));
        dict.insert("nan", Value::Real(f64::NAN));
        dict.insert("inf", Value::Real(f64::INFINITY));
        dict.insert("-inf", Value::Real(f64::NEG_INFINITY));
        dict.insert("bool", Value::Boolean(true));
        dict.insert("data", Value::Data(vec![0, 1, 2, 0xff]));
        dict.insert(
            "date",
            Value::Date(Date::parse_xml("2018-06-30T13:46:38Z").unwrap()),
        );
        dict.insert("uid", Value::Uid(Uid::new(7)));
        dict.insert("list", Value::Array(vec![Value::from("x")].into()));
        let json = to_json(&Value::Dictionary(dict)).unwrap();
        assert_eq!(
            json.to_string(),
            concat!(
                r#"{"z":"first","a":18446744073709551615,"min":-9223372036854775808,"#,
                r#""real":1.5,"whole":2.0,"nan":"nan","inf":"+infinity","-inf":"-infinity","#,
                r#""bool":true,"data":"AAEC/w==","date":"2018-06-30T13:46:38Z","#,
                r#""uid":{"CF$UID":7},"list":["x"]}"#
            )
        );
    }

    #[test]
    fn out_of_range_date_names_its_path() {
        let far = Date::from_apple_seconds(1e15).unwrap();
        let mut dict = Dictionary::new();
        dict.insert("When/Then", Value::Array(vec![Value::Date(far)].into()));
        let err = to_json(&Value::Dictionary(dict)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedValue);
        assert!(
            err.message().ends_with("at /When~1Then/0"),
            "{}",
            err.message()
        );
    }
}
