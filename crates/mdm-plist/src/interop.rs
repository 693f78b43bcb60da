//! Conversions to and from the `plist` crate's [`plist::Value`] (feature `plist`).
//!
//! Both directions walk the value with an explicit stack, so they work at any depth and
//! take the source apart as they go (a deep source is never dropped recursively). Note
//! that the `plist` crate's own `Value` drops recursively, so a very deep
//! [`plist::Value`] can still overflow the stack when it is dropped.
//!
//! - [`Value`] to [`plist::Value`] always succeeds. Dates outside the years 0000 to 9999
//!   are clamped to those bounds, because the `plist` crate panics when it writes such a
//!   date as XML.
//! - [`plist::Value`] to [`Value`] fails with [`ErrorKind::UnsupportedValue`] for a kind
//!   of value added to the `plist` crate after version 1.10 (its `Value` is
//!   non-exhaustive), and with [`ErrorKind::IntegerOutOfRange`] for an integer outside
//!   `i64::MIN..=u64::MAX` (its own constructors do not make one). The error carries the
//!   key path of the value.

use std::time::SystemTime;

use crate::{Array, Date, Dictionary, Error, ErrorKind, Integer, Uid, Value};

/// 0000-01-01T00:00:00Z, in seconds since 2001-01-01T00:00:00Z.
const FIRST_XML_SECOND: f64 = -63_145_526_400.0;
/// 9999-12-31T23:59:59Z, in seconds since 2001-01-01T00:00:00Z.
const LAST_XML_SECOND: f64 = 252_423_993_599.0;

/// A container being converted into a `plist::Value`.
enum ToPlist {
    Dictionary {
        rest: std::vec::IntoIter<(String, Value)>,
        out: plist::Dictionary,
        key: String,
    },
    Array {
        rest: std::vec::IntoIter<Value>,
        out: Vec<plist::Value>,
    },
}

impl ToPlist {
    /// Converts a scalar at once (`Err`), or opens a container (`Ok`).
    fn open(value: Value) -> Result<Self, plist::Value> {
        match value {
            Value::Dictionary(d) => Ok(Self::Dictionary {
                rest: d.into_entries().into_iter(),
                out: plist::Dictionary::new(),
                key: String::new(),
            }),
            Value::Array(a) => {
                let items = a.into_vec();
                Ok(Self::Array {
                    out: Vec::with_capacity(items.len()),
                    rest: items.into_iter(),
                })
            }
            Value::String(s) => Err(plist::Value::String(s)),
            Value::Integer(i) => Err(plist::Value::Integer(match i.as_u64() {
                Some(u) => plist::Integer::from(u),
                None => plist::Integer::from(i.as_i64().unwrap_or(i64::MIN)),
            })),
            Value::Real(r) => Err(plist::Value::Real(r)),
            Value::Boolean(b) => Err(plist::Value::Boolean(b)),
            Value::Data(d) => Err(plist::Value::Data(d)),
            Value::Date(d) => {
                let seconds = d.apple_seconds().clamp(FIRST_XML_SECOND, LAST_XML_SECOND);
                let time = Date::from_apple_seconds(seconds).unwrap_or(d);
                Err(plist::Value::Date(plist::Date::from(SystemTime::from(
                    time,
                ))))
            }
            Value::Uid(u) => Err(plist::Value::Uid(plist::Uid::new(u.get()))),
        }
    }

    fn next_child(&mut self) -> Option<Value> {
        match self {
            Self::Dictionary { rest, key, .. } => rest.next().map(|(k, v)| {
                *key = k;
                v
            }),
            Self::Array { rest, .. } => rest.next(),
        }
    }

    fn accept(&mut self, value: plist::Value) {
        match self {
            Self::Dictionary { out, key, .. } => {
                out.insert(std::mem::take(key), value);
            }
            Self::Array { out, .. } => out.push(value),
        }
    }

    fn finish(self) -> plist::Value {
        match self {
            Self::Dictionary { out, .. } => plist::Value::Dictionary(out),
            Self::Array { out, .. } => plist::Value::Array(out),
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "plist")))]
impl From<Value> for plist::Value {
    /// Converts without recursion. Dates outside the years 0000 to 9999 are clamped to
    /// those bounds.
    fn from(value: Value) -> Self {
        let mut top = match ToPlist::open(value) {
            Ok(container) => container,
            Err(scalar) => return scalar,
        };
        let mut parents: Vec<ToPlist> = Vec::new();
        loop {
            match top.next_child() {
                Some(child) => match ToPlist::open(child) {
                    Ok(container) => parents.push(std::mem::replace(&mut top, container)),
                    Err(scalar) => top.accept(scalar),
                },
                None => {
                    let done = top.finish();
                    match parents.pop() {
                        Some(parent) => {
                            top = parent;
                            top.accept(done);
                        }
                        None => return done,
                    }
                }
            }
        }
    }
}

/// A container being converted from a `plist::Value`.
enum FromPlist {
    Dictionary {
        rest: plist::dictionary::IntoIter,
        out: Vec<(String, Value)>,
        key: String,
    },
    Array {
        rest: std::vec::IntoIter<plist::Value>,
        out: Vec<Value>,
    },
}

impl FromPlist {
    /// Converts a scalar at once (`Ok(Err)`), or opens a container (`Ok(Ok)`).
    fn open(value: plist::Value) -> Result<Result<Self, Value>, Error> {
        Ok(Err(match value {
            plist::Value::Dictionary(d) => {
                return Ok(Ok(Self::Dictionary {
                    out: Vec::with_capacity(d.len()),
                    rest: d.into_iter(),
                    key: String::new(),
                }));
            }
            plist::Value::Array(items) => {
                return Ok(Ok(Self::Array {
                    out: Vec::with_capacity(items.len()),
                    rest: items.into_iter(),
                }));
            }
            plist::Value::String(s) => Value::String(s),
            plist::Value::Integer(i) => match (i.as_unsigned(), i.as_signed()) {
                (Some(u), _) => Value::Integer(Integer::from(u)),
                (None, Some(s)) => Value::Integer(Integer::from(s)),
                (None, None) => {
                    return Err(Error::new(
                        ErrorKind::IntegerOutOfRange,
                        format!("{i} is outside the range i64::MIN..=u64::MAX"),
                    ));
                }
            },
            plist::Value::Real(r) => Value::Real(r),
            plist::Value::Boolean(b) => Value::Boolean(b),
            plist::Value::Data(d) => Value::Data(d),
            plist::Value::Date(d) => Value::Date(Date::from(SystemTime::from(d))),
            plist::Value::Uid(u) => Value::Uid(Uid::new(u.get())),
            _ => {
                return Err(Error::new(
                    ErrorKind::UnsupportedValue,
                    "a kind of plist::Value this crate does not know",
                ));
            }
        }))
    }

    fn next_child(&mut self) -> Option<plist::Value> {
        match self {
            Self::Dictionary { rest, key, .. } => rest.next().map(|(k, v)| {
                *key = k;
                v
            }),
            Self::Array { rest, .. } => rest.next(),
        }
    }

    fn accept(&mut self, value: Value) {
        match self {
            Self::Dictionary { out, key, .. } => out.push((std::mem::take(key), value)),
            Self::Array { out, .. } => out.push(value),
        }
    }

    /// Adds this container's part of the key path of its current child.
    fn annotate(&self, err: Error) -> Error {
        match self {
            Self::Dictionary { key, .. } => err.in_key(key),
            Self::Array { out, .. } => err.in_index(out.len()),
        }
    }

    fn finish(self) -> Value {
        match self {
            // The source is an ordered map, so its keys are unique.
            Self::Dictionary { out, .. } => Value::Dictionary(Dictionary::from_unique_entries(out)),
            Self::Array { out, .. } => Value::Array(Array::from(out)),
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "plist")))]
impl TryFrom<plist::Value> for Value {
    type Error = Error;

    /// Converts without recursion; see the module docs for what can fail.
    fn try_from(value: plist::Value) -> Result<Self, Error> {
        let mut top = match FromPlist::open(value) {
            Ok(Ok(container)) => container,
            Ok(Err(scalar)) => return Ok(scalar),
            Err(err) => return Err(err.path_complete()),
        };
        let mut parents: Vec<FromPlist> = Vec::new();
        loop {
            match top.next_child() {
                Some(child) => match FromPlist::open(child) {
                    Ok(Ok(container)) => parents.push(std::mem::replace(&mut top, container)),
                    Ok(Err(scalar)) => top.accept(scalar),
                    Err(err) => {
                        let err = parents
                            .iter()
                            .rev()
                            .fold(top.annotate(err), |err, parent| parent.annotate(err));
                        return Err(err.path_complete());
                    }
                },
                None => {
                    let done = top.finish();
                    match parents.pop() {
                        Some(parent) => {
                            top = parent;
                            top.accept(done);
                        }
                        None => return Ok(done),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict<const N: usize>(entries: [(&str, Value); N]) -> Value {
        Value::Dictionary(Dictionary::from_iter(entries))
    }

    fn sample() -> Value {
        dict([
            ("String", Value::from("x")),
            ("Min", Value::from(i64::MIN)),
            ("Max", Value::from(u64::MAX)),
            ("Real", Value::from(-2.5)),
            ("NaN", Value::from(f64::NAN)),
            ("True", Value::from(true)),
            ("Data", Value::Data(vec![0, 255])),
            (
                "Date",
                Value::Date(Date::parse_xml("2018-06-30T13:46:38Z").unwrap()),
            ),
            (
                "Fraction",
                Value::Date(Date::from_apple_seconds(-1.25).unwrap()),
            ),
            ("Uid", Value::Uid(Uid::new(42))),
            ("Empty", dict([])),
            (
                "List",
                Value::from(vec![
                    Value::from(1),
                    dict([("Z", Value::Array(Array::new())), ("A", Value::from("a"))]),
                ]),
            ),
        ])
    }

    #[test]
    fn round_trip_keeps_everything_in_order() {
        let value = sample();
        let converted = plist::Value::from(value.clone());
        let dict = converted.as_dictionary().unwrap();
        assert_eq!(
            dict.keys().map(String::as_str).collect::<Vec<_>>(),
            value.as_dictionary().unwrap().keys().collect::<Vec<_>>()
        );
        assert_eq!(
            dict.get("Max").and_then(plist::Value::as_unsigned_integer),
            Some(u64::MAX)
        );
        assert_eq!(
            dict.get("Min").and_then(plist::Value::as_signed_integer),
            Some(i64::MIN)
        );
        assert_eq!(
            dict.get("Uid").and_then(plist::Value::as_uid),
            Some(&plist::Uid::new(42))
        );
        assert_eq!(
            dict.get("Date")
                .and_then(plist::Value::as_date)
                .map(|d| d.to_xml_format()),
            Some("2018-06-30T13:46:38Z".to_owned())
        );
        let list = dict.get("List").and_then(plist::Value::as_array).unwrap();
        let inner = list.get(1).and_then(plist::Value::as_dictionary).unwrap();
        assert_eq!(
            inner.keys().map(String::as_str).collect::<Vec<_>>(),
            ["Z", "A"]
        );
        assert_eq!(Value::try_from(converted).unwrap(), value);
    }

    #[test]
    fn scalar_roots() {
        for value in [Value::from("s"), Value::from(3), Value::Uid(Uid::new(1))] {
            assert_eq!(
                Value::try_from(plist::Value::from(value.clone())).unwrap(),
                value
            );
        }
    }

    #[test]
    fn dates_beyond_four_digit_years_are_clamped() {
        let far = Value::Date(Date::from_apple_seconds(1e15).unwrap());
        let converted = plist::Value::from(far);
        assert_eq!(
            converted.as_date().unwrap().to_xml_format(),
            "9999-12-31T23:59:59Z"
        );
        let early = Value::Date(Date::from_apple_seconds(-1e15).unwrap());
        let converted = plist::Value::from(early);
        assert_eq!(
            converted.as_date().unwrap().to_xml_format(),
            "0000-01-01T00:00:00Z"
        );
    }

    #[test]
    fn plist_values_convert() {
        let mut dict = plist::Dictionary::new();
        dict.insert("b".into(), plist::Value::Integer(plist::Integer::from(-7)));
        dict.insert(
            "a".into(),
            plist::Value::Array(vec![plist::Value::Boolean(false)]),
        );
        let value = Value::try_from(plist::Value::Dictionary(dict)).unwrap();
        assert_eq!(
            value,
            self::dict([
                ("b", Value::from(-7)),
                ("a", Value::from(vec![Value::from(false)]))
            ])
        );
    }

    #[test]
    fn deep_values_convert_without_recursion() {
        let mut value = Value::from(0);
        for i in 0..100_000 {
            value = if i % 2 == 0 {
                Value::from(vec![value])
            } else {
                dict([("k", value)])
            };
        }
        // The plist::Value is taken apart by the conversion back, so it never drops deep.
        let back = Value::try_from(plist::Value::from(value)).unwrap();
        assert_eq!(
            back.pointer("/k/0/k/0").map(Value::is_container),
            Some(true)
        );
    }
}
