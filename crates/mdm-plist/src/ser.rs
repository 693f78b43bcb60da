//! serde serialization: any `Serialize` type into a [`Value`], then either format.
//!
//! How serde's data model maps onto property lists:
//! - structs and maps become dictionaries, in field (or iteration) order; map keys must be
//!   strings (a `char`, a unit enum variant or a newtype around a string also works),
//!   anything else is [`ErrorKind::InvalidKey`]; a key given twice is
//!   [`ErrorKind::DuplicateKey`];
//! - sequences, tuples and tuple structs become arrays;
//! - `None` leaves its field out of a struct or map. Property lists have no null, so a
//!   `None` anywhere else (the root, an array item, an enum variant's content) and the
//!   unit value `()` and unit structs fail with [`ErrorKind::UnsupportedValue`];
//! - a unit variant becomes the string of its name; a newtype, tuple or struct variant a
//!   dictionary with the one key of its name (serde's "externally tagged" form);
//! - bytes (`serialize_bytes`, as `serde_bytes` does) become data, `char` a string, all
//!   integers from `i64::MIN` to `u64::MAX` integers (others fail with
//!   [`ErrorKind::IntegerOutOfRange`]), `f32` and `f64` reals;
//! - [`Date`] and [`Uid`] go through serde as newtype structs with private names, which
//!   this serializer turns back into dates and UIDs (other serializers see the `f64` Apple
//!   seconds and the `u64`).
//!
//! Building the value recurses once per nesting level, so nesting is limited to
//! [`WriteOptions::DEFAULT_MAX_DEPTH`] levels ([`ErrorKind::DepthLimitExceeded`]), the
//! most the writers and readers accept by default.

use std::fmt::Display;
use std::io::Write;

use serde::ser::{self, Impossible, Serialize};

use crate::{
    Array, Date, Dictionary, Error, ErrorKind, Integer, Result, Uid, Value, WriteOptions, magic,
};

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Self::new(ErrorKind::Custom, msg.to_string())
    }
}

/// Converts `value` into a [`Value`].
///
/// ```
/// use mdm_plist::{to_value, Value};
///
/// #[derive(serde::Serialize)]
/// struct Ack<'a> {
///     #[serde(rename = "Status")]
///     status: &'a str,
///     #[serde(rename = "CommandUUID")]
///     command_uuid: Option<&'a str>,
/// }
///
/// let value = to_value(&Ack { status: "Idle", command_uuid: None })?;
/// assert_eq!(value.get("Status").and_then(Value::as_str), Some("Idle"));
/// assert_eq!(value.get("CommandUUID"), None);
/// # Ok::<(), mdm_plist::Error>(())
/// ```
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    to_value_with(value, &WriteOptions::new())
}

/// Converts `value` into a [`Value`], nesting containers at most
/// [`WriteOptions::max_depth`] deep.
///
/// ```
/// use mdm_plist::{to_value_with, ErrorKind, WriteOptions};
///
/// let nested = vec![vec![vec![1]]];
/// assert!(to_value_with(&nested, &WriteOptions::new().with_max_depth(3)).is_ok());
/// let err = to_value_with(&nested, &WriteOptions::new().with_max_depth(2)).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
/// ```
pub fn to_value_with<T: Serialize + ?Sized>(value: &T, options: &WriteOptions) -> Result<Value> {
    let depth = Depth {
        level: 0,
        max: options.max_depth,
    };
    match value.serialize(ValueSerializer { depth })? {
        Some(value) => Ok(value),
        None => Err(no_null()),
    }
}

/// Serializes `value` as an XML property list in Apple's layout.
pub fn to_xml_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    to_value(value)?.to_xml()
}

/// Serializes `value` as a binary property list.
pub fn to_binary_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    to_value(value)?.to_binary()
}

/// Serializes `value` as an XML property list into `writer`.
pub fn to_xml_writer<W: Write, T: Serialize + ?Sized>(writer: W, value: &T) -> Result<()> {
    to_value(value)?.write_xml(writer, &WriteOptions::new())
}

/// Serializes `value` as a binary property list into `writer`.
pub fn to_binary_writer<W: Write, T: Serialize + ?Sized>(writer: W, value: &T) -> Result<()> {
    to_value(value)?.write_binary(writer, &WriteOptions::new())
}

fn no_null() -> Error {
    Error::new(
        ErrorKind::UnsupportedValue,
        "a property list has no null: a none can only be left out of a dictionary",
    )
}

fn unsupported(what: &str) -> Error {
    Error::new(
        ErrorKind::UnsupportedValue,
        format!("a property list cannot hold {what}"),
    )
}

/// The default deepest nesting built, for the tests.
#[cfg(test)]
const MAX_DEPTH: usize = WriteOptions::DEFAULT_MAX_DEPTH;

/// How deep a value sits, and how deep it may go.
#[derive(Clone, Copy)]
struct Depth {
    level: usize,
    max: usize,
}

/// Checks that containers opened `extra` levels below `depth` stay within the limit, and
/// returns the depth of the innermost one.
fn enter(depth: Depth, extra: usize) -> Result<Depth> {
    match depth.level.checked_add(extra) {
        Some(level) if level <= depth.max => Ok(Depth { level, ..depth }),
        _ => Err(Error::new(
            ErrorKind::DepthLimitExceeded,
            format!(
                "containers are nested deeper than the limit of {}",
                depth.max
            ),
        )),
    }
}

/// A one-entry dictionary, serde's form of a variant with content.
fn variant_dictionary(variant: &str, content: Value) -> Value {
    Value::Dictionary(Dictionary::from_unique_entries(vec![(
        variant.to_owned(),
        content,
    )]))
}

/// Turns collected entries into a dictionary, refusing a repeated key.
fn unique_dictionary(entries: Vec<(String, Value)>) -> Result<Dictionary> {
    let duplicate = if entries.len() <= 16 {
        entries
            .iter()
            .enumerate()
            .find(|(i, (key, _))| entries.iter().take(*i).any(|(k, _)| k == key))
            .map(|(_, (key, _))| key.as_str())
    } else {
        let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        keys.windows(2).find_map(|pair| match pair {
            [a, b] if a == b => Some(*a),
            _ => None,
        })
    };
    match duplicate {
        Some(key) => Err(Error::new(
            ErrorKind::DuplicateKey,
            format!("the key {:?} is given twice", crate::error::shorten(&key)),
        )),
        None => Ok(Dictionary::from_unique_entries(entries)),
    }
}

/// Builds a [`Value`]; `Ok(None)` stands for serde's `None`, which only a dictionary can
/// hold (by leaving the entry out).
struct ValueSerializer {
    /// How many containers enclose the value.
    depth: Depth,
}

impl ser::Serializer for ValueSerializer {
    type Ok = Option<Value>;
    type Error = Error;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantBuilder<SeqBuilder>;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = VariantBuilder<MapBuilder>;

    fn serialize_bool(self, v: bool) -> Result<Option<Value>> {
        Ok(Some(Value::Boolean(v)))
    }

    fn serialize_i8(self, v: i8) -> Result<Option<Value>> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<Option<Value>> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<Option<Value>> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<Option<Value>> {
        Ok(Some(Value::Integer(Integer::from(v))))
    }

    fn serialize_i128(self, v: i128) -> Result<Option<Value>> {
        match Integer::from_i128(v) {
            Some(i) => Ok(Some(Value::Integer(i))),
            None => Err(Error::new(
                ErrorKind::IntegerOutOfRange,
                format!("{v} is outside the range i64::MIN..=u64::MAX"),
            )),
        }
    }

    fn serialize_u8(self, v: u8) -> Result<Option<Value>> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<Option<Value>> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<Option<Value>> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<Option<Value>> {
        Ok(Some(Value::Integer(Integer::from(v))))
    }

    fn serialize_u128(self, v: u128) -> Result<Option<Value>> {
        match u64::try_from(v) {
            Ok(u) => self.serialize_u64(u),
            Err(_) => Err(Error::new(
                ErrorKind::IntegerOutOfRange,
                format!("{v} is outside the range i64::MIN..=u64::MAX"),
            )),
        }
    }

    fn serialize_f32(self, v: f32) -> Result<Option<Value>> {
        Ok(Some(Value::Real(f64::from(v))))
    }

    fn serialize_f64(self, v: f64) -> Result<Option<Value>> {
        Ok(Some(Value::Real(v)))
    }

    fn serialize_char(self, v: char) -> Result<Option<Value>> {
        Ok(Some(Value::String(v.to_string())))
    }

    fn serialize_str(self, v: &str) -> Result<Option<Value>> {
        Ok(Some(Value::String(v.to_owned())))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Option<Value>> {
        Ok(Some(Value::Data(v.to_vec())))
    }

    fn serialize_none(self) -> Result<Option<Value>> {
        Ok(None)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Option<Value>> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Option<Value>> {
        Err(unsupported("the unit value ()"))
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<Option<Value>> {
        Err(unsupported(&format!("the unit struct {name}")))
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Option<Value>> {
        Ok(Some(Value::String(variant.to_owned())))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Option<Value>> {
        if name == magic::DATE {
            return match value.serialize(self)? {
                Some(Value::Real(seconds)) => match Date::from_apple_seconds(seconds) {
                    Some(date) => Ok(Some(Value::Date(date))),
                    None => Err(Error::new(
                        ErrorKind::InvalidDate,
                        "a date must be a finite number of seconds",
                    )),
                },
                _ => Err(Error::new(
                    ErrorKind::InvalidValue,
                    "a date must serialize as its f64 seconds since 2001",
                )),
            };
        }
        if name == magic::UID {
            return match value.serialize(self)? {
                Some(Value::Integer(i)) => match i.as_u64() {
                    Some(u) => Ok(Some(Value::Uid(Uid::new(u)))),
                    None => Err(Error::new(
                        ErrorKind::IntegerOutOfRange,
                        "a UID must not be negative",
                    )),
                },
                _ => Err(Error::new(
                    ErrorKind::InvalidValue,
                    "a UID must serialize as its u64",
                )),
            };
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Option<Value>> {
        let depth = enter(self.depth, 1)?;
        match value.serialize(ValueSerializer { depth }) {
            Ok(Some(content)) => Ok(Some(variant_dictionary(variant, content))),
            Ok(None) => Err(no_null().in_key(variant)),
            Err(err) => Err(err.in_key(variant)),
        }
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder> {
        SeqBuilder::new(self.depth, 1, len)
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder> {
        SeqBuilder::new(self.depth, 1, Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqBuilder> {
        SeqBuilder::new(self.depth, 1, Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<SeqBuilder>> {
        Ok(VariantBuilder {
            variant,
            inner: SeqBuilder::new(self.depth, 2, Some(len))?,
        })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder> {
        MapBuilder::new(self.depth, 1, len)
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapBuilder> {
        MapBuilder::new(self.depth, 1, Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<MapBuilder>> {
        Ok(VariantBuilder {
            variant,
            inner: MapBuilder::new(self.depth, 2, Some(len))?,
        })
    }
}

/// Capacity hints from a `Serialize` impl are not trusted beyond this.
const MAX_PREALLOCATED: usize = 1024;

/// Collects the items of an array.
struct SeqBuilder {
    items: Vec<Value>,
    /// The depth of the items.
    depth: Depth,
}

impl SeqBuilder {
    fn new(depth: Depth, extra: usize, len: Option<usize>) -> Result<Self> {
        Ok(Self {
            items: Vec::with_capacity(len.unwrap_or(0).min(MAX_PREALLOCATED)),
            depth: enter(depth, extra)?,
        })
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let index = self.items.len();
        match value.serialize(ValueSerializer { depth: self.depth }) {
            Ok(Some(item)) => {
                self.items.push(item);
                Ok(())
            }
            Ok(None) => Err(no_null().in_index(index)),
            Err(err) => Err(err.in_index(index)),
        }
    }

    fn finish(self) -> Value {
        Value::Array(Array::from(self.items))
    }
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Option<Value>;
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }

    fn end(self) -> Result<Option<Value>> {
        Ok(Some(self.finish()))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Option<Value>;
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }

    fn end(self) -> Result<Option<Value>> {
        Ok(Some(self.finish()))
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Option<Value>;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }

    fn end(self) -> Result<Option<Value>> {
        Ok(Some(self.finish()))
    }
}

/// Collects the entries of a dictionary.
struct MapBuilder {
    entries: Vec<(String, Value)>,
    /// The key given to `serialize_key`, waiting for its value.
    pending_key: Option<String>,
    /// The depth of the values.
    depth: Depth,
}

impl MapBuilder {
    fn new(depth: Depth, extra: usize, len: Option<usize>) -> Result<Self> {
        Ok(Self {
            entries: Vec::with_capacity(len.unwrap_or(0).min(MAX_PREALLOCATED)),
            pending_key: None,
            depth: enter(depth, extra)?,
        })
    }

    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<()> {
        match value.serialize(ValueSerializer { depth: self.depth }) {
            Ok(Some(value)) => {
                self.entries.push((key, value));
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(err) => Err(err.in_key(&key)),
        }
    }

    fn finish(self) -> Result<Value> {
        unique_dictionary(self.entries).map(Value::Dictionary)
    }
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Option<Value>;
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.pending_key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        match self.pending_key.take() {
            Some(key) => self.insert(key, value),
            None => Err(Error::new(
                ErrorKind::Custom,
                "serialize_value was called before serialize_key",
            )),
        }
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<()> {
        let key = key.serialize(KeySerializer)?;
        self.insert(key, value)
    }

    fn end(self) -> Result<Option<Value>> {
        self.finish().map(Some)
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = Option<Value>;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.insert(key.to_owned(), value)
    }

    fn end(self) -> Result<Option<Value>> {
        self.finish().map(Some)
    }
}

/// A tuple or struct variant: its content, wrapped at the end in a dictionary with the
/// variant's name as the one key.
struct VariantBuilder<B> {
    variant: &'static str,
    inner: B,
}

impl ser::SerializeTupleVariant for VariantBuilder<SeqBuilder> {
    type Ok = Option<Value>;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.inner
            .push(value)
            .map_err(|err| err.in_key(self.variant))
    }

    fn end(self) -> Result<Option<Value>> {
        Ok(Some(variant_dictionary(self.variant, self.inner.finish())))
    }
}

impl ser::SerializeStructVariant for VariantBuilder<MapBuilder> {
    type Ok = Option<Value>;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.inner
            .insert(key.to_owned(), value)
            .map_err(|err| err.in_key(self.variant))
    }

    fn end(self) -> Result<Option<Value>> {
        let content = self
            .inner
            .finish()
            .map_err(|err| err.in_key(self.variant))?;
        Ok(Some(variant_dictionary(self.variant, content)))
    }
}

/// Serializes a dictionary key, which must be a string.
struct KeySerializer;

fn key_error(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidKey,
        format!("a dictionary key must be a string, not {what}"),
    )
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = Impossible<String, Error>;
    type SerializeTuple = Impossible<String, Error>;
    type SerializeTupleStruct = Impossible<String, Error>;
    type SerializeTupleVariant = Impossible<String, Error>;
    type SerializeMap = Impossible<String, Error>;
    type SerializeStruct = Impossible<String, Error>;
    type SerializeStructVariant = Impossible<String, Error>;

    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_owned())
    }

    fn serialize_char(self, v: char) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }

    fn serialize_bool(self, _v: bool) -> Result<String> {
        Err(key_error("a boolean"))
    }

    fn serialize_i8(self, _v: i8) -> Result<String> {
        Err(key_error("an integer"))
    }

    fn serialize_i16(self, _v: i16) -> Result<String> {
        Err(key_error("an integer"))
    }

    fn serialize_i32(self, _v: i32) -> Result<String> {
        Err(key_error("an integer"))
    }

    fn serialize_i64(self, _v: i64) -> Result<String> {
        Err(key_error("an integer"))
    }

    fn serialize_i128(self, _v: i128) -> Result<String> {
        Err(key_error("an integer"))
    }

    fn serialize_u8(self, _v: u8) -> Result<String> {
        Err(key_error("an integer"))
    }

    fn serialize_u16(self, _v: u16) -> Result<String> {
        Err(key_error("an integer"))
    }

    fn serialize_u32(self, _v: u32) -> Result<String> {
        Err(key_error("an integer"))
    }

    fn serialize_u64(self, _v: u64) -> Result<String> {
        Err(key_error("an integer"))
    }

    fn serialize_u128(self, _v: u128) -> Result<String> {
        Err(key_error("an integer"))
    }

    fn serialize_f32(self, _v: f32) -> Result<String> {
        Err(key_error("a real"))
    }

    fn serialize_f64(self, _v: f64) -> Result<String> {
        Err(key_error("a real"))
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<String> {
        Err(key_error("data"))
    }

    fn serialize_none(self) -> Result<String> {
        Err(key_error("none"))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String> {
        Err(key_error("an option"))
    }

    fn serialize_unit(self) -> Result<String> {
        Err(key_error("()"))
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<String> {
        Err(key_error("a unit struct"))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String> {
        Err(key_error("an enum variant with content"))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_error("a sequence"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(key_error("a tuple"))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_error("a tuple struct"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_error("an enum variant with content"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_error("a map"))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(key_error("a struct"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_error("an enum variant with content"))
    }
}

impl Serialize for Value {
    /// Serializes the value through serde's data model: dates and UIDs as the newtype
    /// structs described in the [module docs](crate::to_value), data as bytes.
    ///
    /// This recurses once per nesting level; [`Value::to_xml`] and
    /// [`Value::to_binary`] do not.
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Dictionary(d) => d.serialize(serializer),
            Self::Array(a) => a.serialize(serializer),
            Self::String(s) => serializer.serialize_str(s),
            Self::Integer(i) => i.serialize(serializer),
            Self::Real(r) => serializer.serialize_f64(*r),
            Self::Boolean(b) => serializer.serialize_bool(*b),
            Self::Data(d) => serializer.serialize_bytes(d),
            Self::Date(d) => d.serialize(serializer),
            Self::Uid(u) => u.serialize(serializer),
        }
    }
}

impl Serialize for Dictionary {
    /// Serializes as a map, in key order.
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl Serialize for Array {
    /// Serializes as a sequence.
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl Serialize for Integer {
    /// Serializes as an `i64` when it fits, otherwise as a `u64`.
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self.as_i64(), self.as_u64()) {
            (Some(i), _) => serializer.serialize_i64(i),
            (None, Some(u)) => serializer.serialize_u64(u),
            (None, None) => serializer.serialize_i128(self.as_i128()),
        }
    }
}

impl Serialize for Date {
    /// Serializes as a newtype struct with a private name around the `f64` seconds since
    /// 2001-01-01T00:00:00Z; this crate's serializer makes it a date again.
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(magic::DATE, &self.apple_seconds())
    }
}

impl Serialize for Uid {
    /// Serializes as a newtype struct with a private name around the `u64`; this crate's
    /// serializer makes it a UID again.
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(magic::UID, &self.get())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    /// Bytes serialized as bytes (what `serde_bytes` does).
    struct Bytes<'a>(&'a [u8]);

    impl Serialize for Bytes<'_> {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(self.0)
        }
    }

    fn as_bytes<S: ser::Serializer>(v: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(v)
    }

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Inner {
        code: i32,
        domain: String,
    }

    #[derive(Serialize)]
    enum Kind {
        Plain,
        Wrapped(u8),
        Pair(i8, bool),
        Shape { w: u16 },
    }

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Message {
        status: &'static str,
        #[serde(rename = "CommandUUID")]
        command_uuid: Option<String>,
        not_now: Option<bool>,
        error_chain: Vec<Inner>,
        #[serde(serialize_with = "as_bytes")]
        token: Vec<u8>,
        kinds: Vec<Kind>,
        when: Date,
        reference: Uid,
        ratio: f32,
        letter: char,
        nested_none: Option<Option<u8>>,
    }

    fn dict<const N: usize>(entries: [(&str, Value); N]) -> Value {
        Value::Dictionary(Dictionary::from_iter(entries))
    }

    #[test]
    fn derived_struct_becomes_ordered_dictionary() {
        let date = Date::parse_xml("2018-06-30T13:46:38Z").unwrap();
        let message = Message {
            status: "Error",
            command_uuid: Some("1234".into()),
            not_now: None,
            error_chain: vec![Inner {
                code: 12_021,
                domain: "MCMDMErrorDomain".into(),
            }],
            token: vec![1, 2, 3],
            kinds: vec![
                Kind::Plain,
                Kind::Wrapped(7),
                Kind::Pair(-1, true),
                Kind::Shape { w: 3 },
            ],
            when: date,
            reference: Uid::new(9),
            ratio: 0.5,
            letter: 'é',
            nested_none: Some(None),
        };
        let expected = dict([
            ("Status", Value::from("Error")),
            ("CommandUUID", Value::from("1234")),
            (
                "ErrorChain",
                Value::from(vec![dict([
                    ("Code", Value::from(12_021)),
                    ("Domain", Value::from("MCMDMErrorDomain")),
                ])]),
            ),
            ("Token", Value::Data(vec![1, 2, 3])),
            (
                "Kinds",
                Value::from(vec![
                    Value::from("Plain"),
                    dict([("Wrapped", Value::from(7))]),
                    dict([(
                        "Pair",
                        Value::from(vec![Value::from(-1), Value::from(true)]),
                    )]),
                    dict([("Shape", dict([("w", Value::from(3))]))]),
                ]),
            ),
            ("When", Value::Date(date)),
            ("Reference", Value::Uid(Uid::new(9))),
            ("Ratio", Value::Real(0.5)),
            ("Letter", Value::from("é")),
        ]);
        let value = to_value(&message).unwrap();
        assert_eq!(value, expected);
        // The value serializes back into itself.
        assert_eq!(to_value(&value).unwrap(), expected);
        assert_eq!(to_xml_vec(&message).unwrap(), expected.to_xml().unwrap());
        let mut out = Vec::new();
        to_xml_writer(&mut out, &message).unwrap();
        assert_eq!(out, expected.to_xml().unwrap());
    }

    #[test]
    fn xml_text_of_a_small_struct() {
        #[derive(Serialize)]
        struct Ack {
            #[serde(rename = "Status")]
            status: &'static str,
            #[serde(rename = "UDID")]
            udid: Option<&'static str>,
        }
        let text = to_xml_vec(&Ack {
            status: "Acknowledged",
            udid: None,
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">
<plist version=\"1.0\">
<dict>
\t<key>Status</key>
\t<string>Acknowledged</string>
</dict>
</plist>
"
        );
    }

    #[test]
    fn scalars_and_bytes() {
        assert_eq!(
            to_value(&Bytes(b"ab")).unwrap(),
            Value::Data(b"ab".to_vec())
        );
        assert_eq!(to_value(&u64::MAX).unwrap(), Value::from(u64::MAX));
        assert_eq!(to_value(&i64::MIN).unwrap(), Value::from(i64::MIN));
        assert_eq!(to_value(&-5i128).unwrap(), Value::from(-5));
        assert_eq!(to_value(&7u128).unwrap(), Value::from(7));
        for err in [
            to_value(&(i128::from(u64::MAX) + 1)).unwrap_err(),
            to_value(&(i128::from(i64::MIN) - 1)).unwrap_err(),
            to_value(&u128::MAX).unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::IntegerOutOfRange);
        }
        assert_eq!(
            to_value(&(1u8, "x")).unwrap(),
            Value::from(vec![Value::from(1), Value::from("x")])
        );
        // A plain Vec<u8> is a sequence of integers, as serde defines it.
        assert_eq!(
            to_value(&vec![1u8]).unwrap(),
            Value::from(vec![Value::from(1)])
        );
    }

    #[test]
    fn none_and_unit_have_no_place_outside_dictionaries() {
        assert_eq!(
            to_value(&None::<u8>).unwrap_err().kind(),
            ErrorKind::UnsupportedValue
        );
        let err = to_value(&vec![Some(1), None]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedValue);
        assert_eq!(err.path(), "/1");
        assert_eq!(
            to_value(&()).unwrap_err().kind(),
            ErrorKind::UnsupportedValue
        );
        #[derive(Serialize)]
        struct Unit;
        assert_eq!(
            to_value(&Unit).unwrap_err().kind(),
            ErrorKind::UnsupportedValue
        );
        #[derive(Serialize)]
        enum E {
            A(Option<u8>),
        }
        assert_eq!(to_value(&E::A(None)).unwrap_err().path(), "/A");
        let mut map = BTreeMap::new();
        map.insert("a", None);
        map.insert("b", Some(2));
        assert_eq!(to_value(&map).unwrap(), dict([("b", Value::from(2))]));
    }

    #[test]
    fn map_keys_must_be_strings() {
        #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
        enum Key {
            Alpha,
        }
        let map = BTreeMap::from([(Key::Alpha, 1)]);
        assert_eq!(to_value(&map).unwrap(), dict([("Alpha", Value::from(1))]));
        let map = BTreeMap::from([('c', 1)]);
        assert_eq!(to_value(&map).unwrap(), dict([("c", Value::from(1))]));
        let map = BTreeMap::from([(1, 1)]);
        assert_eq!(to_value(&map).unwrap_err().kind(), ErrorKind::InvalidKey);
        let map = BTreeMap::from([(vec!["x"], 1)]);
        assert_eq!(to_value(&map).unwrap_err().kind(), ErrorKind::InvalidKey);
    }

    /// Gives every key in `keys`, in order, whatever repeats.
    struct Entries(Vec<&'static str>);

    impl Serialize for Entries {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.0.iter().map(|k| (*k, 1)))
        }
    }

    #[test]
    fn repeated_keys_fail() {
        let err = to_value(&Entries(vec!["a", "b", "a"])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateKey);
        let mut many: Vec<&'static str> = [
            "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12", "k13",
            "k14", "k15", "k16", "k17",
        ]
        .to_vec();
        assert!(to_value(&Entries(many.clone())).is_ok());
        many.push("k3");
        assert_eq!(
            to_value(&Entries(many)).unwrap_err().kind(),
            ErrorKind::DuplicateKey
        );
    }

    #[test]
    fn errors_carry_the_path() {
        #[derive(Serialize)]
        struct Outer {
            list: Vec<BTreeMap<u8, u8>>,
        }
        let err = to_value(&Outer {
            list: vec![BTreeMap::new(), BTreeMap::from([(1, 1)])],
        })
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert_eq!(err.path(), "/list/1");
    }

    /// Nests `depth` levels of one-item arrays.
    struct Deep(usize);

    impl Serialize for Deep {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                0 => serializer.serialize_u8(0),
                n => serializer.collect_seq([Deep(n - 1)]),
            }
        }
    }

    #[test]
    fn depth_is_limited() {
        assert!(to_value(&Deep(MAX_DEPTH)).is_ok());
        let err = to_value(&Deep(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
        assert_eq!(err.path().matches('/').count(), MAX_DEPTH);
        #[derive(Serialize)]
        enum E {
            T(u8, Deep),
        }
        // The variant's dictionary and the tuple's array are two levels.
        assert!(to_value(&E::T(0, Deep(MAX_DEPTH - 2))).is_ok());
        assert_eq!(
            to_value(&E::T(0, Deep(MAX_DEPTH - 1))).unwrap_err().kind(),
            ErrorKind::DepthLimitExceeded
        );
    }

    #[test]
    fn magic_newtypes_check_their_content() {
        struct FakeDate(f64);
        impl Serialize for FakeDate {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct(magic::DATE, &self.0)
            }
        }
        struct FakeUid(i64);
        impl Serialize for FakeUid {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct(magic::UID, &self.0)
            }
        }
        assert_eq!(
            to_value(&FakeDate(1.5)).unwrap(),
            Value::Date(Date::from_apple_seconds(1.5).unwrap())
        );
        assert_eq!(
            to_value(&FakeDate(f64::NAN)).unwrap_err().kind(),
            ErrorKind::InvalidDate
        );
        assert_eq!(to_value(&FakeUid(3)).unwrap(), Value::Uid(Uid::new(3)));
        assert_eq!(
            to_value(&FakeUid(-3)).unwrap_err().kind(),
            ErrorKind::IntegerOutOfRange
        );
        // Other serializers see the plain numbers.
        let json = serde_json::to_string(&(Date::from_apple_seconds(2.5).unwrap(), Uid::new(4)));
        assert_eq!(json.unwrap(), "[2.5,4]");
    }

    #[test]
    fn custom_errors_are_custom() {
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: ser::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(ser::Error::custom("nope"))
            }
        }
        let err = to_value(&vec![Fails]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Custom);
        assert_eq!(err.message(), "nope");
        assert_eq!(err.path(), "/0");
    }
}
