//! serde deserialization: straight from the event stream into any `Deserialize` type.
//!
//! The deserializer reads the checked event stream of [`Parser`] and calls the visitor
//! as each event arrives, so no [`Value`] is built on the way. Borrowed keys and strings
//! reach the visitor as `visit_borrowed_str`, so derived field names match without
//! allocating, and `&'de str` / `&'de [u8]` fields can borrow from the input.
//!
//! How property list values meet serde's data model:
//! - dictionaries are maps (and structs), arrays are sequences (and tuples);
//! - integers are `u64` when not negative, `i64` otherwise; a typed integer that does
//!   not fit (300 into a `u8`) is [`ErrorKind::IntegerOutOfRange`];
//! - there is no null: a value that is present is `Some`, an absent dictionary key is
//!   `None` through serde's missing-field handling;
//! - through `deserialize_any`, a date is a one-entry map from [`magic::DATE`] to its
//!   `f64` Apple seconds, and a UID a one-entry map from [`magic::UID`] to its `u64`, so
//!   that self-describing types ([`Value`]) can tell them from dictionaries (the marker
//!   key comes as bytes, which no document key does, so a document cannot forge one);
//! - a string is only a string: a date or data asked for as a `String` is a type error;
//! - an enum is a string (unit variant) or a dictionary with one key, the variant name,
//!   whose value is the variant's content.
//!
//! The deserializer says it is human readable (serde's default): property lists carry
//! addresses, UUIDs and the like as strings, and types whose serde form depends on the
//! flag (such as `std::net::IpAddr`) then read those strings.
//!
//! Duplicate keys are always rejected here, whatever [`ReadOptions`] says: a typed
//! decode has no sensible "last value wins".
//!
//! serde visitors recurse once per level of nesting; the depth limit
//! ([`ReadOptions::with_max_depth`], 128 by default) is what bounds that recursion, so
//! raise it only for input you trust.
//!
//! A type may recover from an error its deserializer returns (a lenient field that turns
//! a value of the wrong type into `None`): decoding goes on after the failed value, whole
//! containers included, and the rest of the document is read and checked as usual. An
//! error in the document itself (bad syntax, a limit, a duplicate key) ends the decode
//! even if the type swallows it, as does a failure inside an enum written as a
//! dictionary or a visitor that breaks serde's calling rules (a dictionary value asked
//! for without its key). A type that reads less than the whole document, or none of it,
//! still gets a decode that fails when the document is invalid.
//!
//! Every error carries the byte offset of the event concerned and the JSON Pointer of the
//! value concerned; a missing field names the dictionary that lacks it.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::value::BytesDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Expected, IgnoredAny, IntoDeserializer, Unexpected,
    Visitor,
};

use crate::binary::BinarySource;
use crate::build::ValueSource;
use crate::events::{Event, Parser, Source};
use crate::xml::XmlSource;
use crate::{
    Array, Date, Dictionary, DuplicateKeys, Error, ErrorKind, Format, Integer, ReadOptions, Result,
    Uid, Value, magic,
};

/// Decodes a property list (either format, detected) into `T`, with the default limits.
///
/// ```
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// #[serde(rename_all = "PascalCase")]
/// struct CommandResult {
///     status: String,
///     #[serde(rename = "UDID")]
///     udid: Option<String>,
/// }
///
/// let doc = b"<plist><dict><key>Status</key><string>Acknowledged</string></dict></plist>";
/// let result: CommandResult = mdm_plist::from_slice(doc)?;
/// assert_eq!(result.status, "Acknowledged");
/// assert_eq!(result.udid, None);
/// # Ok::<(), mdm_plist::Error>(())
/// ```
pub fn from_slice<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T> {
    from_slice_with(bytes, &ReadOptions::new())
}

/// Decodes a property list into `T` with options (format and limits; duplicate keys are
/// always rejected).
pub fn from_slice_with<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    options: &ReadOptions,
) -> Result<T> {
    let options = options.clone().with_duplicate_keys(DuplicateKeys::Reject);
    match crate::prepare(bytes, &options)? {
        Format::Xml => deserialize_from(XmlSource::new(bytes)?, &options),
        Format::Binary => {
            let options = options.for_binary(bytes.len());
            // The fast path succeeds only where the generic one does, with the same value;
            // when it gives up, the generic path decodes again and reports the error.
            let fast = crate::binary::de::from_slice(bytes, &options);
            if fast.is_ok() {
                return fast;
            }
            deserialize_from(BinarySource::new(bytes, &options)?, &options)
        }
    }
}

/// [`from_slice_with`] on the generic path only (binary documents skip the fast path),
/// for checking the two against each other.
#[cfg(feature = "fuzzing")]
pub(crate) fn from_slice_generic<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    options: &ReadOptions,
) -> Result<T> {
    let options = options.clone().with_duplicate_keys(DuplicateKeys::Reject);
    match crate::prepare(bytes, &options)? {
        Format::Xml => deserialize_from(XmlSource::new(bytes)?, &options),
        Format::Binary => {
            let options = options.for_binary(bytes.len());
            deserialize_from(BinarySource::new(bytes, &options)?, &options)
        }
    }
}

/// Decodes a property list from `reader` into `T`, refusing input over the size limit
/// before reading it whole.
pub fn from_reader<R: Read, T: DeserializeOwned>(reader: R, options: &ReadOptions) -> Result<T> {
    let bytes = crate::read_limited(reader, options.max_input_size)?;
    from_slice_with(&bytes, options)
}

/// Decodes a [`Value`] into `T`; strings and data may be borrowed from the value.
///
/// Nesting deeper than [`ReadOptions::DEFAULT_MAX_DEPTH`] is refused
/// ([`ErrorKind::DepthLimitExceeded`]), because serde visitors recurse. Errors carry the
/// key path and no offset.
///
/// ```
/// use mdm_plist::{Dictionary, Value};
///
/// let mut dict = Dictionary::new();
/// dict.insert("ErrorCode", 12021);
/// let code: std::collections::HashMap<String, u32> = mdm_plist::from_value(&Value::from(dict))?;
/// assert_eq!(code["ErrorCode"], 12021);
/// # Ok::<(), mdm_plist::Error>(())
/// ```
pub fn from_value<'de, T: Deserialize<'de>>(value: &'de Value) -> Result<T> {
    from_value_with(value, &ReadOptions::new())
}

/// Decodes a [`Value`] into `T` with options: the depth limit (which bounds the recursion
/// of serde visitors) applies; the node and byte budgets do not, since the value is
/// already in memory.
///
/// ```
/// use mdm_plist::{from_value_with, ErrorKind, ReadOptions, Value};
///
/// let nested = Value::from(vec![Value::from(vec![Value::from(1)])]);
/// let shallow = ReadOptions::new().with_max_depth(1);
/// let err = from_value_with::<Vec<Vec<u8>>>(&nested, &shallow).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
/// assert_eq!(err.offset(), None);
/// ```
pub fn from_value_with<'de, T: Deserialize<'de>>(
    value: &'de Value,
    options: &ReadOptions,
) -> Result<T> {
    let options = options
        .clone()
        .with_max_nodes(usize::MAX)
        .with_max_expanded_bytes(usize::MAX)
        .with_duplicate_keys(DuplicateKeys::Reject);
    deserialize_from(ValueSource::new(value), &options)
}

/// Runs `T`'s deserialization over one document, monomorphised per source.
fn deserialize_from<'a, S: Source<'a>, T: Deserialize<'a>>(
    source: S,
    options: &ReadOptions,
) -> Result<T> {
    let mut de = Deserializer {
        parser: Parser::new(source, options),
        peeked: None,
        broken: None,
    };
    // An error a `Deserialize` impl makes itself, after reading, gets a position here.
    let result = T::deserialize(&mut de);
    if result.is_ok() {
        // A visitor may leave a value it was offered unread (`visit_some` that ignores
        // its deserializer), or the type may not read the document at all; the rest is
        // still read and checked, so a success means the whole document is valid.
        de.discard_peeked()?;
        while !de.parser.is_finished() {
            de.next()?;
        }
        // An error in the document, or one that left the stream out of step, ends the
        // decode even if the type chose to recover from it.
        if let Some(broken) = de.broken.take() {
            return Err(broken);
        }
    }
    // Returned as it is, not unwrapped and wrapped again: a large `T` is not copied.
    de.located(result)
}

/// The serde deserializer over a checked event stream.
struct Deserializer<'a, S> {
    parser: Parser<'a, S>,
    /// An event read ahead (to find the end of an array, or by `deserialize_option`) that
    /// starts the next value.
    peeked: Option<Event<'a>>,
    /// The first error that makes the rest of the stream meaningless: one in the
    /// document itself, or a failure that left the stream out of step with the visitors.
    /// Once set, every read fails with it and so does the decode, even when a visitor
    /// swallowed the error it was given. (A visitor's error on a value it has read whole,
    /// such as a string where a number was wanted, leaves the stream in step; a type
    /// may recover from it.)
    broken: Option<Error>,
}

impl<'a, S: Source<'a>> Deserializer<'a, S> {
    #[inline]
    fn next(&mut self) -> Result<Event<'a>> {
        match self.peeked.take() {
            Some(event) => Ok(event),
            None => self.pull(),
        }
    }

    /// The parser's next event, unless the stream is broken.
    #[inline]
    fn pull(&mut self) -> Result<Event<'a>> {
        if let Some(broken) = &self.broken {
            return Err(broken.replica());
        }
        match self.parser.next() {
            Ok(event) => Ok(event),
            Err(e) => Err(self.breaks(e)),
        }
    }

    /// Records `err` (already located) as the error that broke the stream and hands it
    /// on; if an earlier error broke it, hands that one on instead, so that every failure
    /// after the break is the same.
    #[cold]
    fn breaks(&mut self, err: Error) -> Error {
        // An event read ahead before the break must not come out as the next value.
        self.peeked = None;
        match &self.broken {
            Some(first) => first.replica(),
            None => {
                self.broken = Some(err.replica());
                err
            }
        }
    }

    /// Makes sure the next value's first event is in `peeked`.
    #[inline]
    fn peek(&mut self) -> Result<()> {
        if self.peeked.is_none() {
            self.peeked = Some(self.pull()?);
        }
        Ok(())
    }

    /// After a visitor failed inside a container: reads the rest of the innermost open
    /// container, so that the stream is back in step for whoever handles the error. A
    /// failure while reading breaks the stream (see [`Self::broken`]).
    #[cold]
    fn skip_rest(&mut self) {
        // Skipping from a container's start reads to its end; the error, if any, is
        // already kept in `broken`.
        let _ = self.skip_from(Event::StartArray(None));
    }

    /// Gives a visitor's result the position of the last event, if it has none yet.
    #[inline]
    fn located<T>(&self, result: Result<T>) -> Result<T> {
        result.map_err(|e| self.parser.annotate(e))
    }

    fn error(&self, err: Error) -> Error {
        self.parser.annotate(err)
    }

    /// After a value failed: skips what of it was read ahead and never consumed (its
    /// deserializer gave up before reading it), so that the next read is the next value.
    /// A failure while skipping breaks the stream, which the decode then reports.
    #[cold]
    fn abandon_peeked(&mut self) {
        if self.discard_peeked().is_err() {
            debug_assert!(self.broken.is_some());
        }
    }

    /// Skips a read-ahead value nobody consumed.
    fn discard_peeked(&mut self) -> Result<()> {
        match self.peeked.take() {
            Some(event) => self.skip_from(event),
            None => Ok(()),
        }
    }

    /// Skips the value that starts with `first`, containers included, without recursion.
    fn skip_from(&mut self, first: Event<'a>) -> Result<()> {
        let mut depth: usize = match first {
            Event::StartDictionary(_) | Event::StartArray(_) => 1,
            Event::EndDictionary | Event::EndArray | Event::Key(_) => {
                let err = self.error(misplaced(&first));
                return Err(self.breaks(err));
            }
            _ => return Ok(()),
        };
        while depth > 0 {
            match self.next()? {
                Event::StartDictionary(_) | Event::StartArray(_) => {
                    // The parser's depth limit keeps this far from overflowing.
                    depth = depth.saturating_add(1);
                }
                Event::EndDictionary | Event::EndArray => depth -= 1,
                _ => {}
            }
        }
        Ok(())
    }

    /// `deserialize_any`: the event as the visitor call that fits it.
    #[inline]
    fn visit_event<V: Visitor<'a>>(&mut self, event: Event<'a>, visitor: V) -> Result<V::Value> {
        match event {
            Event::StartDictionary(len) => self.visit_dictionary(len, visitor),
            Event::StartArray(len) => self.visit_array(len, visitor),
            Event::String(Cow::Borrowed(s)) => self.located(visitor.visit_borrowed_str(s)),
            Event::String(Cow::Owned(s)) => self.located(visitor.visit_string(s)),
            Event::Integer(i) => {
                let result = match i.as_u64() {
                    Some(u) => visitor.visit_u64(u),
                    None => match i.as_i64() {
                        Some(n) => visitor.visit_i64(n),
                        None => visitor.visit_i128(i.as_i128()),
                    },
                };
                self.located(result)
            }
            Event::Real(r) => self.located(visitor.visit_f64(r)),
            Event::Boolean(b) => self.located(visitor.visit_bool(b)),
            Event::Data(Cow::Borrowed(d)) => self.located(visitor.visit_borrowed_bytes(d)),
            Event::Data(Cow::Owned(d)) => self.located(visitor.visit_byte_buf(d)),
            Event::Date(d) => {
                self.located(visitor.visit_map(MagicMap::new(magic::DATE, Magic::Date(d))))
            }
            Event::Uid(u) => {
                self.located(visitor.visit_map(MagicMap::new(magic::UID, Magic::Uid(u))))
            }
            Event::Key(_) | Event::EndDictionary | Event::EndArray => {
                let err = self.error(misplaced(&event));
                Err(self.breaks(err))
            }
        }
    }

    /// A typed request: like [`Self::visit_event`], except that a date or a UID is a type
    /// error rather than a magic map (only self-describing types want those).
    #[inline]
    /// Visits `event` as a sequence: data as its bytes, anything else as usual.
    fn visit_sequence<V: Visitor<'a>>(&mut self, event: Event<'a>, visitor: V) -> Result<V::Value> {
        let Event::Data(bytes) = event else {
            return self.visit_typed(event, visitor);
        };
        let mut seq = de::value::SeqDeserializer::new(bytes.iter().copied());
        let value = visitor.visit_seq(&mut seq);
        let value = self.located(value)?;
        seq.end().map_err(|e| self.error(e))?;
        Ok(value)
    }

    fn visit_typed<V: Visitor<'a>>(&mut self, event: Event<'a>, visitor: V) -> Result<V::Value> {
        match event {
            Event::Date(_) | Event::Uid(_) => {
                Err(self.error(de::Error::invalid_type(unexpected(&event), &visitor)))
            }
            event => self.visit_event(event, visitor),
        }
    }

    fn visit_dictionary<V: Visitor<'a>>(
        &mut self,
        len: Option<usize>,
        visitor: V,
    ) -> Result<V::Value> {
        let mut access = MapAccess {
            de: &mut *self,
            len,
            done: false,
            value_pending: false,
        };
        let result = visitor.visit_map(&mut access);
        let done = access.done;
        // Located before the rest is skipped: the error concerns where the visitor stopped.
        let result = self.located(result);
        if !done {
            // Whatever went wrong, the rest of the dictionary is read, so that a type that
            // recovers from the error goes on at the right place.
            self.skip_rest();
            if result.is_ok() {
                // A stream broken on the way (by an error the visitor swallowed) says why.
                if let Some(broken) = &self.broken {
                    return Err(broken.replica());
                }
                return Err(self.error(Error::new(
                    ErrorKind::InvalidValue,
                    "the dictionary was not read to its end",
                )));
            }
        }
        self.located(result)
    }

    fn visit_array<V: Visitor<'a>>(&mut self, len: Option<usize>, visitor: V) -> Result<V::Value> {
        let mut access = SeqAccess {
            de: &mut *self,
            len,
            count: 0,
            done: false,
        };
        let result = visitor.visit_seq(&mut access);
        let (done, count) = (access.done, access.count);
        let value = match result {
            Ok(value) => value,
            Err(e) => {
                // Located before the rest is skipped, as for dictionaries.
                let e = self.error(e);
                if !done {
                    self.skip_rest();
                }
                return Err(e);
            }
        };
        if !done {
            match self.next()? {
                Event::EndArray => {}
                extra => {
                    let err = self.error(Error::new(
                        ErrorKind::InvalidValue,
                        format!("invalid length: the array has more than {count} elements"),
                    ));
                    if self.skip_from(extra).is_ok() {
                        self.skip_rest();
                    }
                    return Err(err);
                }
            }
        }
        Ok(value)
    }

    /// An empty dictionary or array stands for `()` and unit structs.
    fn visit_unit<V: Visitor<'a>>(&mut self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        let end = match event {
            Event::StartDictionary(_) => Event::EndDictionary,
            Event::StartArray(_) => Event::EndArray,
            other => return self.visit_typed(other, visitor),
        };
        let next = self.next()?;
        if next == end {
            self.located(visitor.visit_unit())
        } else {
            let unexp = if end == Event::EndArray {
                Unexpected::Seq
            } else {
                Unexpected::Map
            };
            let err = self.error(de::Error::invalid_type(unexp, &visitor));
            // Back in step: past the first item (a whole container, if it is one) and
            // the rest.
            if matches!(next, Event::StartDictionary(_) | Event::StartArray(_)) {
                self.skip_rest();
            }
            self.skip_rest();
            Err(err)
        }
    }

    fn out_of_range(&self, value: Integer, target: &str) -> Error {
        self.error(Error::new(
            ErrorKind::IntegerOutOfRange,
            format!("integer {value} does not fit in {target}"),
        ))
    }
}

/// An event where the parser's structure checks make it impossible, or a visitor that
/// broke serde's calling rules (a key asked for before the last value was read).
fn misplaced(event: &Event<'_>) -> Error {
    Error::new(
        ErrorKind::Custom,
        format!("{} where a value was expected", unexpected(event)),
    )
}

pub(crate) fn unexpected<'e>(event: &'e Event<'_>) -> Unexpected<'e> {
    match event {
        Event::StartDictionary(_) => Unexpected::Map,
        Event::StartArray(_) => Unexpected::Seq,
        Event::String(s) => Unexpected::Str(s),
        Event::Integer(i) => match (i.as_u64(), i.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(n)) => Unexpected::Signed(n),
            (None, None) => Unexpected::Other("integer"),
        },
        Event::Real(r) => Unexpected::Float(*r),
        Event::Boolean(b) => Unexpected::Bool(*b),
        Event::Data(d) => Unexpected::Bytes(d),
        Event::Date(_) => Unexpected::Other("date"),
        Event::Uid(_) => Unexpected::Other("UID"),
        Event::Key(_) => Unexpected::Other("dictionary key"),
        Event::EndDictionary => Unexpected::Other("end of dictionary"),
        Event::EndArray => Unexpected::Other("end of array"),
    }
}

/// Typed integer requests: checked here, so that a value that does not fit is
/// `IntegerOutOfRange` with the type named.
macro_rules! deserialize_integer {
    ($($method:ident => $visit:ident, $ty:ty, $wide:ident;)*) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.next()? {
                Event::Integer(i) => match i.$wide().and_then(|w| <$ty>::try_from(w).ok()) {
                    Some(v) => self.located(visitor.$visit(v)),
                    None => Err(self.out_of_range(i, stringify!($ty))),
                },
                event => self.visit_typed(event, visitor),
            }
        }
    )*};
}

impl<'de, S: Source<'de>> de::Deserializer<'de> for &mut Deserializer<'de, S> {
    type Error = Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_event(event, visitor)
    }

    deserialize_integer! {
        deserialize_i8 => visit_i8, i8, as_i64;
        deserialize_i16 => visit_i16, i16, as_i64;
        deserialize_i32 => visit_i32, i32, as_i64;
        deserialize_i64 => visit_i64, i64, as_i64;
        deserialize_u8 => visit_u8, u8, as_u64;
        deserialize_u16 => visit_u16, u16, as_u64;
        deserialize_u32 => visit_u32, u32, as_u64;
        deserialize_u64 => visit_u64, u64, as_u64;
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            Event::Integer(i) => self.located(visitor.visit_i128(i.as_i128())),
            event => self.visit_typed(event, visitor),
        }
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            Event::Integer(i) => match i.as_u64() {
                Some(u) => self.located(visitor.visit_u128(u128::from(u))),
                None => Err(self.out_of_range(i, "u128")),
            },
            event => self.visit_typed(event, visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_typed(event, visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_typed(event, visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_typed(event, visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_typed(event, visitor)
    }

    /// Only a string is a string: dates and data are type errors.
    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            // A string is asked for: data is not text, even when its bytes are UTF-8, and
            // a date is not its XML text (a `Status` that is a date is not a status).
            event @ (Event::Data(_) | Event::Date(_)) => {
                Err(self.error(de::Error::invalid_type(unexpected(&event), &visitor)))
            }
            event => self.visit_typed(event, visitor),
        }
    }

    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_typed(event, visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_typed(event, visitor)
    }

    /// Property lists have no null: a value that is there is `Some`.
    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        // Reading ahead makes sure the value exists (and is checked) even if the visitor
        // does not read it.
        self.peek()?;
        let result = visitor.visit_some(&mut *self);
        self.located(result)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.visit_unit(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.visit_unit(visitor)
    }

    /// [`magic::DATE`] and [`magic::UID`] take a date or UID event and hand over its
    /// number; other newtypes are transparent.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == magic::DATE || name == magic::UID {
            let result = match self.next()? {
                Event::Date(d) if name == magic::DATE => {
                    visitor.visit_newtype_struct(d.apple_seconds().into_deserializer())
                }
                Event::Uid(u) if name == magic::UID => {
                    visitor.visit_newtype_struct(u.get().into_deserializer())
                }
                // A string (a date's text) or a `CF$UID` dictionary: the visitor decides.
                event => return self.visit_typed(event, visitor),
            };
            return self.located(result);
        }
        self.peek()?;
        let result = visitor.visit_newtype_struct(&mut *self);
        self.located(result)
    }

    /// A sequence; `<data>` asked for as a sequence is its bytes, so that `Vec<u8>` reads
    /// data.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_sequence(event, visitor)
    }

    /// A tuple or fixed-size array; `<data>` is its bytes, as for sequences.
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_sequence(event, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_typed(event, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_typed(event, visitor)
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_typed(event, visitor)
    }

    /// A string is a unit variant; a dictionary with one key is the variant named by the
    /// key, its value the variant's content.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.next()? {
            Event::String(s) => self.located(visitor.visit_enum(UnitVariant(s))),
            Event::StartDictionary(_) => {
                let result = visitor.visit_enum(VariantAccess { de: &mut *self });
                // Where a failure leaves the stream depends on how far the variant got:
                // it breaks the stream.
                let value = match self.located(result) {
                    Ok(value) => value,
                    Err(e) => return Err(self.breaks(e)),
                };
                match self.next()? {
                    Event::EndDictionary => Ok(value),
                    _ => {
                        let err = self.error(Error::new(
                            ErrorKind::InvalidValue,
                            "an enum dictionary must have exactly one key",
                        ));
                        Err(self.breaks(err))
                    }
                }
            }
            event @ (Event::Key(_) | Event::EndDictionary | Event::EndArray) => {
                let err = self.error(misplaced(&event));
                Err(self.breaks(err))
            }
            event => {
                let err = self.error(de::Error::invalid_type(unexpected(&event), &visitor));
                if matches!(event, Event::StartArray(_)) {
                    self.skip_rest();
                }
                Err(err)
            }
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.visit_typed(event, visitor)
    }

    /// Skips a whole value, containers included, without recursion.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let event = self.next()?;
        self.skip_from(event)?;
        self.located(visitor.visit_unit())
    }
}

/// The entries of a dictionary.
struct MapAccess<'d, 'a, S> {
    de: &'d mut Deserializer<'a, S>,
    len: Option<usize>,
    done: bool,
    /// A key has been read and its value not yet asked for.
    value_pending: bool,
}

impl<'de, S: Source<'de>> de::MapAccess<'de> for MapAccess<'_, 'de, S> {
    type Error = Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.done {
            return Ok(None);
        }
        match self.de.next()? {
            Event::Key(key) => {
                // Even if the key is refused, its value comes next.
                self.value_pending = true;
                let result = seed.deserialize(KeyDeserializer(key));
                self.de.located(result).map(Some)
            }
            Event::EndDictionary => {
                self.done = true;
                Ok(None)
            }
            event => {
                let err = self.de.error(misplaced(&event));
                Err(self.de.breaks(err))
            }
        }
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        if !self.value_pending {
            // The next event is a key, the dictionary's end or a value of another level.
            let err = self.de.error(Error::new(
                ErrorKind::Custom,
                "a dictionary value was asked for without a key",
            ));
            return Err(self.de.breaks(err));
        }
        self.value_pending = false;
        let result = seed.deserialize(&mut *self.de);
        match self.de.located(result) {
            Ok(value) => {
                self.de.discard_peeked()?;
                Ok(value)
            }
            Err(e) => {
                self.de.abandon_peeked();
                Err(e)
            }
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.len
    }
}

/// The items of an array.
struct SeqAccess<'d, 'a, S> {
    de: &'d mut Deserializer<'a, S>,
    len: Option<usize>,
    count: usize,
    done: bool,
}

impl<'de, S: Source<'de>> de::SeqAccess<'de> for SeqAccess<'_, 'de, S> {
    type Error = Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.done {
            return Ok(None);
        }
        match self.de.next()? {
            Event::EndArray => {
                self.done = true;
                Ok(None)
            }
            event => {
                self.de.peeked = Some(event);
                self.count = self.count.saturating_add(1);
                let result = seed.deserialize(&mut *self.de);
                match self.de.located(result) {
                    Ok(value) => {
                        self.de.discard_peeked()?;
                        Ok(Some(value))
                    }
                    Err(e) => {
                        // The next element is the one after this, even if this one was
                        // never read.
                        self.de.abandon_peeked();
                        Err(e)
                    }
                }
            }
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.len.map(|len| len.saturating_sub(self.count))
    }
}

/// The variant of an enum written as a one-key dictionary.
struct VariantAccess<'d, 'a, S> {
    de: &'d mut Deserializer<'a, S>,
}

impl<'de, S: Source<'de>> de::EnumAccess<'de> for VariantAccess<'_, 'de, S> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self)> {
        match self.de.next()? {
            Event::Key(key) => {
                let result = seed.deserialize(KeyDeserializer(key));
                let variant = self.de.located(result)?;
                Ok((variant, self))
            }
            _ => Err(self.de.error(Error::new(
                ErrorKind::InvalidValue,
                "an enum dictionary must have exactly one key",
            ))),
        }
    }
}

impl<'de, S: Source<'de>> de::VariantAccess<'de> for VariantAccess<'_, 'de, S> {
    type Error = Error;

    /// The value under a unit variant's key carries nothing and is skipped.
    fn unit_variant(self) -> Result<()> {
        let event = self.de.next()?;
        self.de.skip_from(event)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        let result = seed.deserialize(&mut *self.de);
        let value = self.de.located(result)?;
        self.de.discard_peeked()?;
        Ok(value)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_tuple(&mut *self.de, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_struct(&mut *self.de, "", fields, visitor)
    }
}

/// An enum written as a string: a unit variant.
pub(crate) struct UnitVariant<'a>(pub(crate) Cow<'a, str>);

impl<'de> de::EnumAccess<'de> for UnitVariant<'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self)> {
        let variant = seed.deserialize(KeyDeserializer(self.0))?;
        Ok((variant, Self(Cow::Borrowed(""))))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"newtype variant",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"struct variant",
        ))
    }
}

/// A dictionary key (or an enum variant name): a string, which integer requests parse
/// (so maps with integer keys work, as in JSON).
pub(crate) struct KeyDeserializer<'a>(pub(crate) Cow<'a, str>);

macro_rules! deserialize_key_integer {
    ($($method:ident => $visit:ident, $wide:ty;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.0.parse::<$wide>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => self.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'de> {
    type Error = Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
        }
    }

    deserialize_key_integer! {
        deserialize_i8 => visit_i64, i64;
        deserialize_i16 => visit_i64, i64;
        deserialize_i32 => visit_i64, i64;
        deserialize_i64 => visit_i64, i64;
        deserialize_u8 => visit_u64, u64;
        deserialize_u16 => visit_u64, u64;
        deserialize_u32 => visit_u64, u64;
        deserialize_u64 => visit_u64, u64;
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(UnitVariant(self.0))
    }

    serde::forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// The number a magic map carries.
#[derive(Clone, Copy)]
pub(crate) enum Magic {
    Date(Date),
    Uid(Uid),
}

/// A date or UID through `deserialize_any`: a one-entry map from the magic name to the
/// number.
pub(crate) struct MagicMap {
    key: Option<&'static str>,
    value: Option<Magic>,
}

impl MagicMap {
    pub(crate) fn new(key: &'static str, value: Magic) -> Self {
        Self {
            key: Some(key),
            value: Some(value),
        }
    }
}

impl<'de> de::MapAccess<'de> for MagicMap {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.key.take() {
            // The marker comes as bytes: keys from a document always come as strings, so a
            // document cannot forge a date or UID by using the marker as a key.
            Some(key) => seed
                .deserialize(BytesDeserializer::new(key.as_bytes()))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        match self.value.take() {
            Some(Magic::Date(d)) => seed.deserialize(d.apple_seconds().into_deserializer()),
            Some(Magic::Uid(u)) => seed.deserialize(u.get().into_deserializer()),
            None => Err(Error::new(
                ErrorKind::Custom,
                "a map value was asked for twice",
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(usize::from(self.key.is_some()))
    }
}

// ---------------------------------------------------------------------------------------
// Errors

/// Whether a visitor's expectation is an integer type (serde's primitive visitors say
/// `u8`, `i32`, ...; the non-zero ones `a nonzero u8`; ours `an integer in ...`).
fn expects_integer(exp: &dyn Expected) -> bool {
    let text = exp.to_string();
    let name = text.strip_prefix("a nonzero ").unwrap_or(&text);
    matches!(
        name,
        "u8" | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
    ) || text.starts_with("an integer in")
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(ErrorKind::Custom, msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self::new(
            ErrorKind::InvalidType,
            format!("invalid type: {unexp}, expected {exp}"),
        )
    }

    /// A number a visitor finds out of its integer type's range is
    /// [`ErrorKind::IntegerOutOfRange`]; anything else [`ErrorKind::InvalidValue`].
    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        let numeric = matches!(
            unexp,
            Unexpected::Signed(_) | Unexpected::Unsigned(_) | Unexpected::Other(_)
        );
        let kind = if numeric && expects_integer(exp) {
            ErrorKind::IntegerOutOfRange
        } else {
            ErrorKind::InvalidValue
        };
        Self::new(kind, format!("invalid value: {unexp}, expected {exp}"))
    }

    fn invalid_length(len: usize, exp: &dyn Expected) -> Self {
        Self::new(
            ErrorKind::InvalidValue,
            format!("invalid length {len}, expected {exp}"),
        )
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::new(
            ErrorKind::UnknownVariant,
            format!("unknown variant {variant:?}, expected {}", one_of(expected)),
        )
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::new(
            ErrorKind::UnknownField,
            format!("unknown key {field:?}, expected {}", one_of(expected)),
        )
    }

    fn missing_field(field: &'static str) -> Self {
        Self::new(ErrorKind::MissingField, format!("missing key {field:?}"))
    }

    fn duplicate_field(field: &'static str) -> Self {
        Self::new(
            ErrorKind::DuplicateKey,
            format!("the key {field:?} appears twice in one dictionary"),
        )
    }
}

fn one_of(names: &[&str]) -> String {
    match names {
        [] => "nothing".to_owned(),
        [one] => format!("{one:?}"),
        _ => {
            let list: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
            format!("one of {}", list.join(", "))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Deserialize for the value model

/// Reads any self-describing format (this crate's deserializer, `serde_json`, ...).
///
/// A date or UID from this crate's deserializer becomes [`Value::Date`] or
/// [`Value::Uid`]. Integers outside `i64::MIN..=u64::MAX` are
/// [`ErrorKind::IntegerOutOfRange`]; null is a type error, as property lists have none.
/// In a map with a repeated key (possible in JSON) the last value wins, at the place of
/// the first. Building a `Value` through serde recurses once per level of nesting; this
/// crate's readers bound the depth ([`ReadOptions::with_max_depth`](crate::ReadOptions::with_max_depth)), as
/// does `serde_json`. [`Value::from_slice`] reads without recursion and is faster.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

const INTEGER_RANGE: &str = "an integer in i64::MIN..=u64::MAX";

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property list value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Boolean(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Integer(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Integer(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        IntegerVisitor.visit_i128(v).map(Value::Integer)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        IntegerVisitor.visit_u128(v).map(Value::Integer)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Real(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Data(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Data(v))
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        read_array(seq).map(Value::Array)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let first = match map.next_key_seed(KeySeed)? {
            None => return Ok(Value::Dictionary(Dictionary::new())),
            Some(Key::Date) => {
                let seconds: f64 = map.next_value()?;
                let date = Date::from_apple_seconds(seconds).ok_or_else(|| {
                    de::Error::invalid_value(Unexpected::Float(seconds), &"a finite date")
                })?;
                return single_entry(map, Value::Date(date));
            }
            Some(Key::Uid) => {
                let uid: u64 = map.next_value()?;
                return single_entry(map, Value::Uid(Uid::new(uid)));
            }
            Some(Key::Other(key)) => key,
        };
        let mut entries: Vec<(String, Value)> = Vec::with_capacity(cautious(map.size_hint()));
        entries.push((first, map.next_value()?));
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            entries.push((key, value));
        }
        Ok(Value::Dictionary(dictionary_last_wins(entries)))
    }
}

fn read_array<'de, A: de::SeqAccess<'de>>(mut seq: A) -> Result<Array, A::Error> {
    let mut items = Vec::with_capacity(cautious(seq.size_hint()));
    while let Some(item) = seq.next_element::<Value>()? {
        items.push(item);
    }
    Ok(Array::from(items))
}

/// A size hint, trusted only up to a modest preallocation.
fn cautious(hint: Option<usize>) -> usize {
    hint.unwrap_or(0).min(1024)
}

/// Ends a magic map, which must have no second entry.
fn single_entry<'de, A: de::MapAccess<'de>>(mut map: A, value: Value) -> Result<Value, A::Error> {
    match map.next_key::<IgnoredAny>()? {
        None => Ok(value),
        Some(_) => Err(de::Error::invalid_length(2, &"a map with one entry")),
    }
}

/// Builds a dictionary from entries in which a repeated key keeps its first place and
/// takes its last value, in linear time.
fn dictionary_last_wins(entries: Vec<(String, Value)>) -> Dictionary {
    let unique = if entries.len() <= 16 {
        entries
            .iter()
            .enumerate()
            .all(|(i, (k, _))| entries.iter().take(i).all(|(other, _)| other != k))
    } else {
        let mut seen = HashSet::with_capacity(entries.len());
        entries.iter().all(|(k, _)| seen.insert(k.as_str()))
    };
    if unique {
        return Dictionary::from_unique_entries(entries);
    }
    let mut places: HashMap<String, usize> = HashMap::with_capacity(entries.len());
    let mut out: Vec<(String, Value)> = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        match places.get(&key) {
            Some(&place) => {
                if let Some(slot) = out.get_mut(place) {
                    slot.1 = value;
                }
            }
            None => {
                places.insert(key.clone(), out.len());
                out.push((key, value));
            }
        }
    }
    Dictionary::from_unique_entries(out)
}

/// The first key of a map: a magic name, or an ordinary key.
enum Key {
    Date,
    Uid,
    Other(String),
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key::Other(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
        Ok(Key::Other(v))
    }

    /// Only this crate's deserializer hands a key over as bytes: the date or UID marker.
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key, E> {
        match v {
            b if b == magic::DATE.as_bytes() => Ok(Key::Date),
            b if b == magic::UID.as_bytes() => Ok(Key::Uid),
            _ => Err(E::invalid_type(Unexpected::Bytes(v), &self)),
        }
    }
}

/// Reads a map (a dictionary); a date or UID is a type error.
impl<'de> Deserialize<'de> for Dictionary {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DictionaryVisitor;

        impl<'de> Visitor<'de> for DictionaryVisitor {
            type Value = Dictionary;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a dictionary")
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Dictionary, A::Error> {
                match ValueVisitor.visit_map(map)? {
                    Value::Dictionary(d) => Ok(d),
                    Value::Date(_) => {
                        Err(de::Error::invalid_type(Unexpected::Other("date"), &self))
                    }
                    _ => Err(de::Error::invalid_type(Unexpected::Other("UID"), &self)),
                }
            }
        }

        deserializer.deserialize_map(DictionaryVisitor)
    }
}

/// Reads a sequence.
impl<'de> Deserialize<'de> for Array {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ArrayVisitor;

        impl<'de> Visitor<'de> for ArrayVisitor {
            type Value = Array;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Array, A::Error> {
                read_array(seq)
            }
        }

        deserializer.deserialize_seq(ArrayVisitor)
    }
}

/// Reads any integer in `i64::MIN..=u64::MAX`; others are
/// [`ErrorKind::IntegerOutOfRange`].
impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntegerVisitor)
    }
}

struct IntegerVisitor;

impl Visitor<'_> for IntegerVisitor {
    type Value = Integer;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(INTEGER_RANGE)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Integer, E> {
        Ok(v.into())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Integer, E> {
        Ok(v.into())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Integer, E> {
        Integer::from_i128(v)
            .ok_or_else(|| de::Error::invalid_value(Unexpected::Other("128-bit integer"), &self))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Integer, E> {
        u64::try_from(v)
            .map(Integer::from)
            .map_err(|_| de::Error::invalid_value(Unexpected::Other("128-bit integer"), &self))
    }
}

/// Reads a date: a date from this crate's deserializer or serializer, its XML text
/// `YYYY-MM-DDTHH:MM:SSZ` (so dates read from JSON strings), or a number of seconds since
/// 2001-01-01T00:00:00Z.
impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(magic::DATE, DateVisitor)
    }
}

struct DateVisitor;

impl DateVisitor {
    fn seconds<E: de::Error>(self, seconds: f64) -> Result<Date, E> {
        Date::from_apple_seconds(seconds)
            .ok_or_else(|| de::Error::invalid_value(Unexpected::Float(seconds), &self))
    }
}

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date")
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Date, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Date, E> {
        self.seconds(v)
    }

    #[allow(
        clippy::cast_precision_loss,
        reason = "exact for any date in the years 0 to 9999"
    )]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Date, E> {
        self.seconds(v as f64)
    }

    #[allow(
        clippy::cast_precision_loss,
        reason = "exact for any date in the years 0 to 9999"
    )]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Date, E> {
        self.seconds(v as f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
        Date::parse_xml(v).ok_or_else(|| de::Error::invalid_value(Unexpected::Str(v), &self))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
        match map.next_key_seed(KeySeed)? {
            Some(Key::Date) => {
                let date = self.seconds(map.next_value()?)?;
                match map.next_key::<IgnoredAny>()? {
                    None => Ok(date),
                    Some(_) => Err(de::Error::invalid_length(2, &"a map with one entry")),
                }
            }
            _ => Err(de::Error::invalid_type(Unexpected::Map, &self)),
        }
    }
}

/// Reads a UID: a UID from this crate's deserializer or serializer, a `CF$UID` dictionary (how
/// XML writes one), or a plain unsigned integer.
impl<'de> Deserialize<'de> for Uid {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(magic::UID, UidVisitor)
    }
}

struct UidVisitor;

impl<'de> Visitor<'de> for UidVisitor {
    type Value = Uid;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a UID")
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Uid, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Uid, E> {
        Ok(Uid::new(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Uid, E> {
        u64::try_from(v)
            .map(Uid::new)
            .map_err(|_| de::Error::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Uid, A::Error> {
        let uid = match map.next_key_seed(KeySeed)? {
            Some(Key::Uid) => map.next_value()?,
            Some(Key::Other(key)) if key == "CF$UID" => map.next_value()?,
            _ => return Err(de::Error::invalid_type(Unexpected::Map, &self)),
        };
        match map.next_key::<IgnoredAny>()? {
            None => Ok(Uid::new(uid)),
            Some(_) => Err(de::Error::invalid_length(2, &"a map with one entry")),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use serde::Deserialize;

    use super::*;

    fn dict(entries: Vec<(&str, Value)>) -> Value {
        Value::Dictionary(entries.into_iter().collect())
    }

    fn array(items: Vec<Value>) -> Value {
        Value::Array(Array::from(items))
    }

    fn date(text: &str) -> Date {
        Date::parse_xml(text).unwrap()
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct ErrorItem {
        error_code: i64,
        error_domain: String,
        #[serde(rename = "USEnglishDescription")]
        description: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct CommandResult {
        status: String,
        #[serde(rename = "UDID")]
        udid: String,
        #[serde(rename = "CommandUUID")]
        command_uuid: Option<String>,
        enrollment_id: Option<String>,
        error_chain: Option<Vec<ErrorItem>>,
    }

    fn error_item(code: Value) -> Value {
        dict(vec![
            ("ErrorCode", code),
            ("ErrorDomain", "MCProfileErrorDomain".into()),
            ("LocalizedDescription", "ignored".into()),
        ])
    }

    fn result_value(second_code: Value) -> Value {
        dict(vec![
            ("CommandUUID", "0001".into()),
            (
                "ErrorChain",
                array(vec![error_item((-402).into()), error_item(second_code)]),
            ),
            ("Status", "Error".into()),
            ("UDID", "abc".into()),
            ("Extra", array(vec![dict(vec![("Deep", array(vec![]))])])),
        ])
    }

    #[test]
    fn derived_struct_with_options_vectors_and_unknown_keys() {
        let value = result_value(1000.into());
        let result: CommandResult = from_value(&value).unwrap();
        assert_eq!(
            result,
            CommandResult {
                status: "Error".into(),
                udid: "abc".into(),
                command_uuid: Some("0001".into()),
                enrollment_id: None,
                error_chain: Some(vec![
                    ErrorItem {
                        error_code: -402,
                        error_domain: "MCProfileErrorDomain".into(),
                        description: None,
                    },
                    ErrorItem {
                        error_code: 1000,
                        error_domain: "MCProfileErrorDomain".into(),
                        description: None,
                    },
                ]),
            }
        );
    }

    #[test]
    fn wrong_type_has_kind_and_path() {
        let value = result_value("oops".into());
        let err = from_value::<CommandResult>(&value).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType, "{err}");
        assert_eq!(err.path(), "/ErrorChain/1/ErrorCode");
        // A value in memory has no byte offsets.
        assert_eq!(err.offset(), None);
    }

    #[test]
    fn missing_field_names_field_and_dictionary() {
        let value = dict(vec![(
            "ErrorChain",
            array(vec![dict(vec![("ErrorCode", 1.into())])]),
        )]);
        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        #[allow(dead_code)]
        struct Outer {
            error_chain: Vec<ErrorItem>,
        }
        let err = from_value::<Outer>(&value).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingField);
        assert_eq!(err.path(), "/ErrorChain/0");
        assert!(err.message().contains("ErrorDomain"), "{err}");

        let err = from_value::<CommandResult>(&dict(vec![])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingField);
        assert_eq!(err.path(), "");
    }

    #[test]
    fn borrowed_strings_and_data() {
        #[derive(Deserialize)]
        struct Borrowed<'a> {
            name: &'a str,
            #[serde(borrow)]
            blob: &'a [u8],
            cow: Cow<'a, str>,
        }
        let value = dict(vec![
            ("name", "n".into()),
            ("blob", Value::Data(vec![1, 2, 3])),
            ("cow", "c".into()),
        ]);
        let b: Borrowed<'_> = from_value(&value).unwrap();
        assert_eq!((b.name, b.blob, &*b.cow), ("n", &[1u8, 2, 3][..], "c"));
    }

    #[derive(Debug, PartialEq)]
    struct ByteBuf(Vec<u8>);

    impl<'de> Deserialize<'de> for ByteBuf {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = ByteBuf;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v.to_vec()))
                }
                fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v))
                }
            }
            d.deserialize_byte_buf(V)
        }
    }

    #[test]
    fn scalars_and_bytes() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Scalars {
            real: f64,
            int_as_real: f64,
            flag: bool,
            token: ByteBuf,
            list: Vec<u16>,
            ch: char,
        }
        let value = dict(vec![
            ("real", 1.5.into()),
            ("int_as_real", 3.into()),
            ("flag", true.into()),
            ("token", Value::Data(vec![0, 255])),
            ("list", array(vec![1.into(), 65535.into()])),
            ("ch", "x".into()),
        ]);
        let s: Scalars = from_value(&value).unwrap();
        assert_eq!(
            s,
            Scalars {
                real: 1.5,
                int_as_real: 3.0,
                flag: true,
                token: ByteBuf(vec![0, 255]),
                list: vec![1, 65535],
                ch: 'x',
            }
        );
        let err = from_value::<ByteBuf>(&"text".into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
    }

    #[test]
    fn integers_at_range_edges() {
        assert_eq!(from_value::<i64>(&i64::MIN.into()).unwrap(), i64::MIN);
        assert_eq!(from_value::<i64>(&i64::MAX.into()).unwrap(), i64::MAX);
        assert_eq!(from_value::<u64>(&u64::MAX.into()).unwrap(), u64::MAX);
        assert_eq!(from_value::<u8>(&255.into()).unwrap(), 255);
        assert_eq!(from_value::<i8>(&(-128).into()).unwrap(), -128);
        assert_eq!(
            from_value::<i128>(&u64::MAX.into()).unwrap(),
            i128::from(u64::MAX)
        );
        assert_eq!(from_value::<u128>(&7.into()).unwrap(), 7);
        assert_eq!(
            from_value::<Integer>(&u64::MAX.into()).unwrap(),
            u64::MAX.into()
        );
        assert_eq!(
            from_value::<Integer>(&i64::MIN.into()).unwrap(),
            i64::MIN.into()
        );

        let out_of_range = |value: Value| {
            #[derive(Debug, Deserialize)]
            #[allow(dead_code)]
            struct Small {
                inner: Vec<u8>,
                wide: i64,
                unsigned: u64,
            }
            from_value::<Small>(&value).unwrap_err()
        };
        let good = || {
            vec![
                ("inner", array(vec![1.into(), 2.into()])),
                ("wide", 0.into()),
                ("unsigned", 0.into()),
            ]
        };
        let mut bad = good();
        bad[0].1 = array(vec![1.into(), 256.into()]);
        let err = out_of_range(dict(bad));
        assert_eq!(err.kind(), ErrorKind::IntegerOutOfRange, "{err}");
        assert_eq!(err.path(), "/inner/1");
        assert!(err.message().contains("u8"), "{err}");

        let mut bad = good();
        bad[1].1 = u64::MAX.into();
        let err = out_of_range(dict(bad));
        assert_eq!(err.kind(), ErrorKind::IntegerOutOfRange);
        assert_eq!(err.path(), "/wide");

        let mut bad = good();
        bad[2].1 = (-1).into();
        let err = out_of_range(dict(bad));
        assert_eq!(err.kind(), ErrorKind::IntegerOutOfRange);
        assert_eq!(err.path(), "/unsigned");

        // Range errors found by a visitor (not by a typed request) are recognised too.
        let err = from_value::<std::num::NonZeroU8>(&0.into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IntegerOutOfRange, "{err}");
        let err = from_value::<std::num::NonZeroU8>(&300.into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IntegerOutOfRange, "{err}");
        // A real is no integer.
        let err = from_value::<u8>(&1.5.into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Command {
        DeviceLock,
        Restart(u32),
        Install { identifier: String },
        Pair(u8, String),
    }

    #[test]
    fn enums() {
        assert_eq!(
            from_value::<Command>(&"DeviceLock".into()).unwrap(),
            Command::DeviceLock
        );
        let v = dict(vec![("Restart", 5.into())]);
        assert_eq!(from_value::<Command>(&v).unwrap(), Command::Restart(5));
        let v = dict(vec![(
            "Install",
            dict(vec![("identifier", "com.x".into())]),
        )]);
        assert_eq!(
            from_value::<Command>(&v).unwrap(),
            Command::Install {
                identifier: "com.x".into()
            }
        );
        let v = dict(vec![("Pair", array(vec![1.into(), "b".into()]))]);
        assert_eq!(
            from_value::<Command>(&v).unwrap(),
            Command::Pair(1, "b".into())
        );
        let v = dict(vec![("DeviceLock", dict(vec![]))]);
        assert_eq!(from_value::<Command>(&v).unwrap(), Command::DeviceLock);

        let v = dict(vec![("List", array(vec!["Wipe".into()]))]);
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Holder {
            #[serde(rename = "List")]
            list: Vec<Command>,
        }
        let err = from_value::<Holder>(&v).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownVariant);
        assert_eq!(err.path(), "/List/0");

        let v = dict(vec![("Restart", 5.into()), ("DeviceLock", 1.into())]);
        let err = from_value::<Command>(&v).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        let err = from_value::<Command>(&dict(vec![])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        let err = from_value::<Command>(&3.into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
        let err = from_value::<Command>(&"Restart".into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
    }

    #[test]
    fn dates_and_uids() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Stamped {
            when: Date,
            from_text: Date,
            uid: Uid,
            cf_uid: Uid,
            maybe: Option<Date>,
        }
        let d = date("2018-06-30T13:46:38Z");
        let value = dict(vec![
            ("when", d.into()),
            ("from_text", "2018-06-30T13:46:38Z".into()),
            ("uid", Uid::new(7).into()),
            ("cf_uid", dict(vec![("CF$UID", 9.into())])),
            ("maybe", d.into()),
        ]);
        let s: Stamped = from_value(&value).unwrap();
        assert_eq!(
            s,
            Stamped {
                when: d,
                from_text: d,
                uid: Uid::new(7),
                cf_uid: Uid::new(9),
                maybe: Some(d),
            }
        );

        // A date is not a string either.
        let err = from_value::<String>(&d.into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
        let err = from_value::<Date>(&"yesterday".into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        let err = from_value::<Date>(&true.into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
        // A date is not a struct, a number or bytes.
        let err = from_value::<f64>(&d.into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
        let err = from_value::<CommandResult>(&d.into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
        assert!(err.message().contains("date"), "{err}");
        let err = from_value::<u64>(&Uid::new(1).into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
    }

    #[test]
    fn unknown_fields_denied_when_asked() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            a: u8,
        }
        let v = dict(vec![("a", 1.into()), ("b", 2.into())]);
        let err = from_value::<Strict>(&v).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownField);
        assert_eq!(err.path(), "/b");
    }

    fn nested(depth: usize) -> Value {
        let mut v = Value::from("leaf");
        for i in 0..depth {
            v = if i % 2 == 0 {
                array(vec![v, 1.into()])
            } else {
                dict(vec![("k", v), ("z", Value::Data(vec![1]))])
            };
        }
        v
    }

    #[test]
    fn ignored_any_skips_deep_nesting() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Pick {
            keep: u8,
        }
        let v = dict(vec![
            ("skip", nested(120)),
            ("keep", 3.into()),
            ("more", nested(5)),
        ]);
        assert_eq!(from_value::<Pick>(&v).unwrap(), Pick { keep: 3 });
        assert!(from_value::<IgnoredAny>(&nested(127)).is_ok());
        let err = from_value::<IgnoredAny>(&nested(129)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
    }

    fn rich() -> Value {
        let mut inner = Dictionary::new();
        inner.insert("max", u64::MAX);
        inner.insert("min", i64::MIN);
        inner.insert("zero", 0);
        inner.insert("real", -0.25);
        inner.insert("nan", f64::NAN);
        inner.insert("t", true);
        inner.insert("f", false);
        inner.insert("data", Value::Data(vec![0, 1, 2]));
        inner.insert("empty data", Value::Data(vec![]));
        inner.insert("date", date("1999-12-31T23:59:59Z"));
        inner.insert("fractional date", Date::from_apple_seconds(0.5).unwrap());
        inner.insert("uid", Uid::new(42));
        inner.insert("cf", dict(vec![("CF$UID", 3.into())]));
        inner.insert("s", "text with / and ~");
        inner.insert("empty dict", Dictionary::new());
        inner.insert("empty array", Array::new());
        dict(vec![
            ("inner", inner.into()),
            (
                "list",
                array(vec![1.into(), "two".into(), nested(6), array(vec![])]),
            ),
        ])
    }

    #[test]
    fn value_round_trips_through_from_value() {
        let value = rich();
        assert_eq!(from_value::<Value>(&value).unwrap(), value);
        let Value::Dictionary(d) = &value else {
            unreachable!()
        };
        assert_eq!(&from_value::<Dictionary>(&value).unwrap(), d);
        let list = value.get("list").unwrap();
        assert_eq!(
            from_value::<Array>(list).unwrap().into_vec(),
            list.as_array().unwrap().to_vec()
        );
        let err = from_value::<Dictionary>(&date("2001-01-01T00:00:00Z").into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
    }

    #[test]
    fn value_from_json() {
        let json = r#"{"b": [1, -2, 18446744073709551615, 1.5, "s", true, {}],
                       "a": {"x": false}, "b2": [], "dup": 1, "dup": 2}"#;
        let value: Value = serde_json::from_str(json).unwrap();
        let expected = dict(vec![
            (
                "b",
                array(vec![
                    1.into(),
                    (-2).into(),
                    u64::MAX.into(),
                    1.5.into(),
                    "s".into(),
                    true.into(),
                    dict(vec![]),
                ]),
            ),
            ("a", dict(vec![("x", false.into())])),
            ("b2", array(vec![])),
            ("dup", 2.into()),
        ]);
        assert_eq!(value, expected);
        assert!(serde_json::from_str::<Value>("null").is_err());

        let d: Date = serde_json::from_str(r#""2018-06-30T13:46:38Z""#).unwrap();
        assert_eq!(d, date("2018-06-30T13:46:38Z"));
        let d: Date = serde_json::from_str("0.5").unwrap();
        assert_eq!(d.apple_seconds(), 0.5);
        let u: Uid = serde_json::from_str("7").unwrap();
        assert_eq!(u, Uid::new(7));
        let u: Uid = serde_json::from_str(r#"{"CF$UID": 8}"#).unwrap();
        assert_eq!(u, Uid::new(8));
        let i: Integer = serde_json::from_str("-5").unwrap();
        assert_eq!(i, Integer::from(-5));
        let a: Array = serde_json::from_str("[1]").unwrap();
        assert_eq!(a.len(), 1);
        let d: Dictionary = serde_json::from_str(r#"{"k": "v"}"#).unwrap();
        assert_eq!(d.get("k"), Some(&Value::from("v")));
    }

    #[test]
    fn dictionary_with_many_repeated_keys_keeps_last_values() {
        let mut entries: Vec<(String, Value)> =
            (0..40).map(|i| (format!("k{i}"), Value::from(i))).collect();
        entries.push(("k3".into(), "last".into()));
        let d = dictionary_last_wins(entries);
        assert_eq!(d.len(), 40);
        assert_eq!(d.get("k3"), Some(&Value::from("last")));
        assert_eq!(d.keys().nth(3), Some("k3"));
    }

    #[test]
    fn maps_with_integer_keys_and_units() {
        let v = dict(vec![("1", "a".into()), ("20", "b".into())]);
        let m: HashMap<u32, String> = from_value(&v).unwrap();
        assert_eq!(m.get(&20).map(String::as_str), Some("b"));
        let m: BTreeMap<String, String> = from_value(&v).unwrap();
        assert_eq!(m.len(), 2);
        let err = from_value::<HashMap<u32, String>>(&dict(vec![("x", "a".into())])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
        assert_eq!(err.path(), "/x");

        #[derive(Debug, Deserialize, PartialEq)]
        struct Unit;
        from_value::<()>(&dict(vec![])).unwrap();
        assert_eq!(from_value::<Unit>(&array(vec![])).unwrap(), Unit);
        assert!(from_value::<()>(&array(vec![1.into()])).is_err());
    }

    #[test]
    fn tuples_must_match_length() {
        let v = array(vec![1.into(), 2.into()]);
        assert_eq!(from_value::<(u8, u8)>(&v).unwrap(), (1, 2));
        let err = from_value::<(u8,)>(&v).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert_eq!(err.path(), "/1");
        let err = from_value::<(u8, u8, u8)>(&v).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
    }

    #[test]
    fn untagged_and_flattened_types_see_dates() {
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(untagged)]
        enum Either {
            When(Date),
            Text(String),
        }
        let d = date("2020-01-01T00:00:00Z");
        assert_eq!(from_value::<Either>(&d.into()).unwrap(), Either::When(d));
        assert_eq!(
            from_value::<Either>(&"x".into()).unwrap(),
            Either::Text("x".into())
        );

        #[derive(Debug, Deserialize, PartialEq)]
        struct Flat {
            a: u8,
            #[serde(flatten)]
            rest: BTreeMap<String, Value>,
        }
        let v = dict(vec![
            ("a", 1.into()),
            ("d", d.into()),
            ("u", Uid::new(2).into()),
        ]);
        let f: Flat = from_value(&v).unwrap();
        assert_eq!(f.rest.get("d"), Some(&Value::Date(d)));
        assert_eq!(f.rest.get("u"), Some(&Value::Uid(Uid::new(2))));
    }

    #[test]
    fn options_ignoring_their_value_still_consume_it() {
        struct Lazy;
        impl<'de> Deserialize<'de> for Lazy {
            fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = Lazy;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("anything")
                    }
                    fn visit_some<D: de::Deserializer<'de>>(self, _: D) -> Result<Lazy, D::Error> {
                        Ok(Lazy)
                    }
                }
                d.deserialize_option(V)
            }
        }
        #[derive(Deserialize)]
        #[allow(dead_code)]
        struct Holder {
            lazy: Lazy,
            after: u8,
        }
        let v = dict(vec![("lazy", nested(4)), ("after", 1.into())]);
        assert_eq!(from_value::<Holder>(&v).unwrap().after, 1);
        assert!(from_value::<Lazy>(&nested(4)).is_ok());
    }

    /// Replays events, each at offset 10 * its index.
    struct Replay<'a>(std::vec::IntoIter<Event<'a>>, usize);

    impl<'a> Source<'a> for Replay<'a> {
        fn next_event(&mut self) -> Result<Event<'a>> {
            self.1 += 1;
            self.0
                .next()
                .ok_or_else(|| Error::new(ErrorKind::UnexpectedEof, "end"))
        }
        fn event_offset(&self) -> usize {
            self.1.saturating_sub(1) * 10
        }
        fn finish(&mut self) -> Result<()> {
            match self.0.next() {
                None => Ok(()),
                Some(_) => Err(Error::at(ErrorKind::TrailingData, self.1 * 10, "more")),
            }
        }
    }

    fn replay<'a, T: Deserialize<'a>>(events: Vec<Event<'a>>) -> Result<T> {
        deserialize_from(Replay(events.into_iter(), 0), &ReadOptions::new())
    }

    #[test]
    fn errors_carry_the_offset_of_their_event() {
        let key = |k: &'static str| Event::Key(Cow::Borrowed(k));
        let events = || {
            vec![
                Event::StartDictionary(None),
                key("ErrorCode"),
                Event::String(Cow::Borrowed("x")),
                key("ErrorDomain"),
                Event::String(Cow::Owned("d".to_owned())),
                Event::EndDictionary,
            ]
        };
        let err = replay::<ErrorItem>(events()).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::InvalidType, Some(20))
        );
        assert_eq!(err.path(), "/ErrorCode");

        let mut e = events();
        e[2] = Event::Integer(5.into());
        e.truncate(3);
        e.push(Event::EndDictionary);
        let err = replay::<ErrorItem>(e).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::MissingField, Some(30))
        );
        assert_eq!(err.path(), "");

        let mut e = events();
        e[2] = Event::Integer(5.into());
        e.push(Event::Boolean(true));
        let err = replay::<ErrorItem>(e).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::TrailingData, Some(60))
        );

        let mut e = events();
        e[2] = Event::Integer(5.into());
        e[3] = key("ErrorCode");
        let err = replay::<ErrorItem>(e).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::DuplicateKey, Some(30))
        );

        let mut e = events();
        e[2] = Event::Integer(5.into());
        e.pop();
        let err = replay::<ErrorItem>(e).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedEof);

        // An error a `Deserialize` impl makes after reading still gets a position.
        #[derive(Debug)]
        struct Picky;
        impl<'de> Deserialize<'de> for Picky {
            fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let _ = String::deserialize(d)?;
                Err(de::Error::custom("not this one"))
            }
        }
        let err = replay::<Picky>(vec![Event::String(Cow::Borrowed("s"))]).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::Custom, Some(0)));
        let err = replay::<Vec<Picky>>(vec![
            Event::StartArray(None),
            Event::String(Cow::Borrowed("s")),
        ])
        .unwrap_err();
        assert_eq!(
            (err.kind(), err.offset(), err.path()),
            (ErrorKind::Custom, Some(10), "/0".to_owned())
        );
    }

    #[test]
    fn serde_errors_map_to_kinds() {
        use de::Error as _;
        assert_eq!(Error::missing_field("X").kind(), ErrorKind::MissingField);
        assert_eq!(Error::duplicate_field("X").kind(), ErrorKind::DuplicateKey);
        assert_eq!(
            Error::unknown_field("X", &["a", "b"]).kind(),
            ErrorKind::UnknownField
        );
        assert_eq!(
            Error::unknown_variant("X", &[]).kind(),
            ErrorKind::UnknownVariant
        );
        assert_eq!(
            Error::invalid_length(3, &"two").kind(),
            ErrorKind::InvalidValue
        );
        assert_eq!(Error::custom("boom").kind(), ErrorKind::Custom);
        assert_eq!(
            Error::invalid_value(Unexpected::Unsigned(5), &"variant index 0 <= i < 3").kind(),
            ErrorKind::InvalidValue
        );
        assert_eq!(
            Error::unknown_field("X", &["a", "b"]).message(),
            "unknown key \"X\", expected one of \"a\", \"b\""
        );
    }
}

#[cfg(test)]
mod marker_tests {
    use crate::{Date, Value};

    /// A dictionary whose key is the internal date marker stays a dictionary.
    #[test]
    fn a_document_cannot_forge_a_date() {
        let doc = b"<plist><dict><key>$__mdm_plist::Date</key><real>5</real></dict></plist>";
        let through_serde: Value = crate::from_slice(doc).unwrap();
        assert!(through_serde.as_dictionary().is_some(), "{through_serde:?}");
        assert_eq!(through_serde, Value::from_slice(doc).unwrap());
        let doc = b"<plist><dict><key>$__mdm_plist::Uid</key><integer>5</integer></dict></plist>";
        let through_serde: Value = crate::from_slice(doc).unwrap();
        assert!(through_serde.as_dictionary().is_some());
    }

    #[test]
    fn data_is_not_a_string() {
        let doc = b"<plist><data>YWJj</data></plist>";
        let err = crate::from_slice::<String>(doc).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidType);
    }

    #[test]
    fn data_reads_into_a_byte_vector_in_both_formats() {
        let xml = b"<plist><data>AAEC/w==</data></plist>";
        let bytes: Vec<u8> = crate::from_slice(xml).unwrap();
        assert_eq!(bytes, [0, 1, 2, 255]);
        let binary = Value::Data(vec![9, 8]).to_binary().unwrap();
        assert_eq!(crate::from_slice::<Vec<u8>>(&binary).unwrap(), [9, 8]);
        // An array of small integers still reads as bytes, and a big one is refused.
        let array = b"<plist><array><integer>1</integer><integer>2</integer></array></plist>";
        assert_eq!(crate::from_slice::<Vec<u8>>(array).unwrap(), [1, 2]);
        let big = b"<plist><array><integer>256</integer></array></plist>";
        assert!(crate::from_slice::<Vec<u8>>(big).is_err());
        // A fixed-size array must match the data's length exactly.
        assert_eq!(crate::from_slice::<[u8; 4]>(xml).unwrap(), [0, 1, 2, 255]);
        assert!(crate::from_slice::<[u8; 3]>(xml).is_err());
    }

    #[test]
    fn real_dates_still_come_through_serde() {
        let doc = b"<plist><array><date>2018-06-30T13:46:38Z</date></array></plist>";
        let value: Value = crate::from_slice(doc).unwrap();
        assert_eq!(
            value.pointer("/0").and_then(Value::as_date),
            Date::parse_xml("2018-06-30T13:46:38Z")
        );
    }
}
