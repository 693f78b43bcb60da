//! An indented, readable view of a value, in the manner of `plutil -p`: `mdm plist print`.
//!
//! ```text
//! {
//!   "Status" => "Acknowledged"
//!   "ErrorChain" => [
//!     0 => {
//!       "ErrorCode" => 12021
//!     }
//!   ]
//!   "Token" => {length = 4, bytes = 0x01020304}
//!   "Date" => 2018-06-30T13:46:38Z
//!   "Ref" => <CF$UID 3>
//! }
//! ```
//!
//! Strings and keys are quoted with Rust's escapes, so control characters show as
//! `\u{1}` and never reach the terminal raw.

use std::fmt::Write as _;

use mdm_plist::Value;

/// Data up to this many bytes is shown whole; longer data shows its head and tail.
pub const MAX_DATA_SHOWN: usize = 32;
const DATA_HEAD: usize = 16;
const DATA_TAIL: usize = 8;

/// The view of `value`, ending with a line break.
///
/// The rendering recurses once per level of nesting; values read with the default
/// [`ReadOptions`](mdm_plist::ReadOptions) are at most 128 levels deep.
pub fn render(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out.push('\n');
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Dictionary(dict) if dict.is_empty() => out.push_str("{}"),
        Value::Dictionary(dict) => {
            out.push_str("{\n");
            for (key, item) in dict.iter() {
                indent(out, level.saturating_add(1));
                let _ = write!(out, "{key:?} => ");
                write_value(out, item, level.saturating_add(1));
                out.push('\n');
            }
            indent(out, level);
            out.push('}');
        }
        Value::Array(array) if array.is_empty() => out.push_str("[]"),
        Value::Array(array) => {
            out.push_str("[\n");
            for (index, item) in array.iter().enumerate() {
                indent(out, level.saturating_add(1));
                let _ = write!(out, "{index} => ");
                write_value(out, item, level.saturating_add(1));
                out.push('\n');
            }
            indent(out, level);
            out.push(']');
        }
        Value::String(s) => {
            let _ = write!(out, "{s:?}");
        }
        Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Real(r) => out.push_str(&real(*r)),
        Value::Boolean(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Data(bytes) => data(out, bytes),
        Value::Date(date) => match date.to_xml_string() {
            Some(text) => out.push_str(&text),
            None => {
                let _ = write!(out, "<date {} s after 2001-01-01>", date.apple_seconds());
            }
        },
        Value::Uid(uid) => {
            let _ = write!(out, "<CF$UID {}>", uid.get());
        }
        #[allow(unreachable_patterns, reason = "Value may gain variants")]
        other => {
            let _ = write!(out, "<{}>", other.type_name());
        }
    }
}

/// A real with a decimal point or exponent, so it cannot be mistaken for an integer.
fn real(r: f64) -> String {
    if r.is_nan() {
        "nan".to_owned()
    } else if r.is_infinite() {
        if r > 0.0 { "+infinity" } else { "-infinity" }.to_owned()
    } else {
        format!("{r:?}")
    }
}

fn hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
}

fn data(out: &mut String, bytes: &[u8]) {
    let _ = write!(out, "{{length = {}, bytes = 0x", bytes.len());
    if bytes.len() <= MAX_DATA_SHOWN {
        hex(out, bytes);
    } else {
        let (head, rest) = bytes.split_at(DATA_HEAD.min(bytes.len()));
        let tail = rest
            .get(rest.len().saturating_sub(DATA_TAIL)..)
            .unwrap_or_default();
        hex(out, head);
        out.push_str(" ... ");
        hex(out, tail);
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdm_plist::{Date, Dictionary, Uid};

    #[test]
    fn nested_view() {
        let mut inner = Dictionary::new();
        inner.insert("ErrorCode", -402653103);
        let mut dict = Dictionary::new();
        dict.insert("Status", "Acknowledged");
        dict.insert(
            "Chain",
            Value::from(vec![Value::from(inner), Value::from(1.0)]),
        );
        dict.insert("Token", Value::Data(vec![1, 2, 3, 4]));
        dict.insert(
            "When",
            Value::Date(Date::parse_xml("2018-06-30T13:46:38Z").unwrap()),
        );
        dict.insert("Ref", Value::Uid(Uid::new(3)));
        dict.insert("Ctl", "a\u{1}b");
        dict.insert("Empty", Dictionary::new());
        dict.insert("Yes", true);
        assert_eq!(
            render(&Value::from(dict)),
            concat!(
                "{\n",
                "  \"Status\" => \"Acknowledged\"\n",
                "  \"Chain\" => [\n",
                "    0 => {\n",
                "      \"ErrorCode\" => -402653103\n",
                "    }\n",
                "    1 => 1.0\n",
                "  ]\n",
                "  \"Token\" => {length = 4, bytes = 0x01020304}\n",
                "  \"When\" => 2018-06-30T13:46:38Z\n",
                "  \"Ref\" => <CF$UID 3>\n",
                "  \"Ctl\" => \"a\\u{1}b\"\n",
                "  \"Empty\" => {}\n",
                "  \"Yes\" => true\n",
                "}\n",
            )
        );
    }

    #[test]
    fn long_data_is_trimmed() {
        let bytes: Vec<u8> = (0..=99).collect();
        let text = render(&Value::Data(bytes));
        assert_eq!(
            text,
            "{length = 100, bytes = 0x000102030405060708090a0b0c0d0e0f ... 5c5d5e5f60616263}\n"
        );
    }

    #[test]
    fn reals() {
        assert_eq!(real(f64::NAN), "nan");
        assert_eq!(real(f64::NEG_INFINITY), "-infinity");
        assert_eq!(real(0.5), "0.5");
    }
}
