//! The property list value model: [`Value`], [`Dictionary`] and [`Array`].

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::{Date, Integer, Uid};

/// Any property list value.
///
/// A `Value` holds exactly what a binary property list can hold. XML can hold all of it
/// except strings with characters XML 1.0 forbids, sub-second date precision and NaN
/// payloads; see the [crate docs](crate#round-trips).
///
/// Dropping a `Value` never recurses, however deep it is.
///
/// Equality compares reals by bit pattern, except that every NaN equals every other NaN:
/// two values are equal when they would be written the same way.
///
/// ```
/// use mdm_plist::{Dictionary, Value};
///
/// let mut dict = Dictionary::new();
/// dict.insert("Status", "Acknowledged");
/// dict.insert("ErrorCode", -402653103);
/// let value = Value::from(dict);
/// assert_eq!(value.get("Status").and_then(Value::as_str), Some("Acknowledged"));
/// assert_eq!(value.pointer("/ErrorCode").and_then(Value::as_i64), Some(-402653103));
/// ```
#[derive(Clone, Debug)]
pub enum Value {
    /// A dictionary, its keys in document order.
    Dictionary(Dictionary),
    /// An array.
    Array(Array),
    /// A string.
    String(String),
    /// An integer in `i64::MIN..=u64::MAX`.
    Integer(Integer),
    /// A 64-bit floating point number.
    Real(f64),
    /// `true` or `false`.
    Boolean(bool),
    /// Bytes (`<data>` in XML).
    Data(Vec<u8>),
    /// A point in time.
    Date(Date),
    /// A keyed-archiver object reference (binary only; XML writes it as a `CF$UID` dictionary).
    Uid(Uid),
}

impl Value {
    /// The dictionary, if this is one.
    pub fn as_dictionary(&self) -> Option<&Dictionary> {
        match self {
            Self::Dictionary(d) => Some(d),
            _ => None,
        }
    }

    /// The dictionary, mutably, if this is one.
    pub fn as_dictionary_mut(&mut self) -> Option<&mut Dictionary> {
        match self {
            Self::Dictionary(d) => Some(d),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The array, mutably, if this is one.
    pub fn as_array_mut(&mut self) -> Option<&mut Array> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_integer(&self) -> Option<Integer> {
        match self {
            Self::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The integer as an `i64`, if this is an integer in that range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_integer().and_then(Integer::as_i64)
    }

    /// The integer as a `u64`, if this is an integer in that range.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_integer().and_then(Integer::as_u64)
    }

    /// The real, if this is one.
    pub fn as_real(&self) -> Option<f64> {
        match self {
            Self::Real(r) => Some(*r),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_boolean(&self) -> Option<bool> {
        match self {
            Self::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The bytes, if this is data.
    pub fn as_data(&self) -> Option<&[u8]> {
        match self {
            Self::Data(d) => Some(d),
            _ => None,
        }
    }

    /// The date, if this is one.
    pub fn as_date(&self) -> Option<Date> {
        match self {
            Self::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// The UID, if this is one.
    pub fn as_uid(&self) -> Option<Uid> {
        match self {
            Self::Uid(u) => Some(*u),
            _ => None,
        }
    }

    /// The value under `key`, if this is a dictionary that has it.
    pub fn get(&self, key: &str) -> Option<&Self> {
        self.as_dictionary().and_then(|d| d.get(key))
    }

    /// The value at a JSON Pointer (RFC 6901) such as `/ErrorChain/0/ErrorCode`.
    /// `""` is the value itself.
    pub fn pointer(&self, pointer: &str) -> Option<&Self> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        let mut current = self;
        for raw in rest.split('/') {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            current = match current {
                Self::Dictionary(d) => d.get(&segment)?,
                Self::Array(a) => {
                    if segment.starts_with('+') || (segment.len() > 1 && segment.starts_with('0')) {
                        return None;
                    }
                    a.get(segment.parse::<usize>().ok()?)?
                }
                _ => return None,
            };
        }
        Some(current)
    }

    /// The type's name as the XML element spells it (`"dict"`, `"string"`, ...); `"uid"` for UIDs.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Dictionary(_) => "dict",
            Self::Array(_) => "array",
            Self::String(_) => "string",
            Self::Integer(_) => "integer",
            Self::Real(_) => "real",
            Self::Boolean(_) => "boolean",
            Self::Data(_) => "data",
            Self::Date(_) => "date",
            Self::Uid(_) => "uid",
        }
    }

    /// Whether the value is a dictionary or an array.
    pub fn is_container(&self) -> bool {
        matches!(self, Self::Dictionary(_) | Self::Array(_))
    }
}

impl PartialEq for Value {
    /// Compares without recursion, so that very deep values compare safely.
    fn eq(&self, other: &Self) -> bool {
        let mut pending: Vec<(&Self, &Self)> = vec![(self, other)];
        while let Some(pair) = pending.pop() {
            let same = match pair {
                (Self::Dictionary(a), Self::Dictionary(b)) => {
                    a.len() == b.len()
                        && a.iter().zip(b.iter()).all(|((ka, va), (kb, vb))| {
                            pending.push((va, vb));
                            ka == kb
                        })
                }
                (Self::Array(a), Self::Array(b)) => {
                    pending.extend(a.iter().zip(b.iter()));
                    a.len() == b.len()
                }
                (Self::String(a), Self::String(b)) => a == b,
                (Self::Integer(a), Self::Integer(b)) => a == b,
                (Self::Real(a), Self::Real(b)) => same_real(*a, *b),
                (Self::Boolean(a), Self::Boolean(b)) => a == b,
                (Self::Data(a), Self::Data(b)) => a == b,
                (Self::Date(a), Self::Date(b)) => a == b,
                (Self::Uid(a), Self::Uid(b)) => a == b,
                _ => false,
            };
            if !same {
                return false;
            }
        }
        true
    }
}

/// Bit equality, with all NaNs equal.
pub(crate) fn same_real(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Self::Integer(Integer::from(v))
            }
        }
    )*};
}
from_integer!(i8, i16, i32, i64, u8, u16, u32, u64);

impl From<Integer> for Value {
    fn from(v: Integer) -> Self {
        Self::Integer(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Self::Real(v)
    }
}

impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Self::Real(f64::from(v))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Self::Boolean(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::String(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::String(v.to_owned())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Self::Data(v)
    }
}

impl From<Date> for Value {
    fn from(v: Date) -> Self {
        Self::Date(v)
    }
}

impl From<Uid> for Value {
    fn from(v: Uid) -> Self {
        Self::Uid(v)
    }
}

impl From<Dictionary> for Value {
    fn from(v: Dictionary) -> Self {
        Self::Dictionary(v)
    }
}

impl From<Array> for Value {
    fn from(v: Array) -> Self {
        Self::Array(v)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Self::Array(Array::from(v))
    }
}

/// Drops `value` now if that cannot recurse: a scalar, or a container of scalars (its
/// children dropped first, so its own drop finds nothing to do). A container holding a
/// container goes onto `stack` instead.
#[inline]
fn drop_or_defer(value: Value, stack: &mut Vec<Value>) {
    match value {
        Value::Array(mut a) => {
            if a.items.iter().any(Value::is_container) {
                stack.push(Value::Array(a));
            } else {
                // Dropped here, so that the array's own drop has nothing left to check.
                drop(std::mem::take(&mut a.items));
            }
        }
        Value::Dictionary(mut d) => {
            if d.entries.iter().any(|(_, v)| v.is_container()) {
                stack.push(Value::Dictionary(d));
            } else {
                drop(std::mem::take(&mut d.entries));
            }
        }
        _ => {}
    }
}

/// Takes a container value apart: each child is dropped now or deferred onto `stack`
/// ([`drop_or_defer`]), and the container, then empty, drops.
fn drain_children(value: Value, stack: &mut Vec<Value>) {
    match value {
        Value::Array(mut a) => {
            for child in a.items.drain(..) {
                drop_or_defer(child, stack);
            }
        }
        Value::Dictionary(mut d) => {
            for (_, child) in d.entries.drain(..) {
                drop_or_defer(child, stack);
            }
        }
        _ => {}
    }
}

/// Drops `values` without recursion: a child that holds containers is taken apart on a
/// work list instead of dropped, so no drop goes deeper than one level of containers.
fn drop_flat(values: impl Iterator<Item = Value>) {
    let mut stack = Vec::new();
    for value in values {
        drop_or_defer(value, &mut stack);
    }
    while let Some(value) = stack.pop() {
        drain_children(value, &mut stack);
    }
}

/// An array of values.
///
/// It dereferences to `Vec<Value>`, so every `Vec` method works on it.
#[derive(Clone, Default)]
pub struct Array {
    items: Vec<Value>,
}

impl Array {
    /// An empty array.
    pub const fn new() -> Self {
        Self { items: Vec::new() }
    }

    /// An empty array with room for `capacity` values.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            items: Vec::with_capacity(capacity),
        }
    }

    /// The values, as a `Vec`.
    pub fn into_vec(mut self) -> Vec<Value> {
        std::mem::take(&mut self.items)
    }
}

impl Drop for Array {
    fn drop(&mut self) {
        if self.items.iter().any(Value::is_container) {
            drop_flat(self.items.drain(..));
        }
    }
}

impl PartialEq for Array {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl fmt::Debug for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.items.iter()).finish()
    }
}

impl std::ops::Deref for Array {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.items
    }
}

impl std::ops::DerefMut for Array {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        &mut self.items
    }
}

impl From<Vec<Value>> for Array {
    fn from(items: Vec<Value>) -> Self {
        Self { items }
    }
}

impl From<Array> for Vec<Value> {
    fn from(array: Array) -> Self {
        array.into_vec()
    }
}

impl<V: Into<Value>> FromIterator<V> for Array {
    fn from_iter<I: IntoIterator<Item = V>>(iter: I) -> Self {
        Self {
            items: iter.into_iter().map(Into::into).collect(),
        }
    }
}

impl IntoIterator for Array {
    type Item = Value;
    type IntoIter = std::vec::IntoIter<Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a Array {
    type Item = &'a Value;
    type IntoIter = std::slice::Iter<'a, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// A dictionary: string keys, in document order.
///
/// Lookups scan the keys, which is the fastest way for the small dictionaries of MDM
/// messages; a dictionary with many thousands of keys is better turned into a map.
/// Keys are unique: [`insert`](Self::insert) replaces the value of an existing key in place.
#[derive(Clone, Default)]
pub struct Dictionary {
    entries: Vec<(Key, Value)>,
}

/// A dictionary key: shared, so that the many equal keys of a large document (5,000
/// `Identifier` keys in an app list) are stored once.
pub(crate) type Key = Arc<str>;

impl Dictionary {
    /// An empty dictionary.
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    /// An empty dictionary with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Builds a dictionary from entries whose keys are already known to be unique.
    pub(crate) fn from_unique_entries(entries: Vec<(String, Value)>) -> Self {
        Self {
            entries: entries
                .into_iter()
                .map(|(k, v)| (Key::from(k), v))
                .collect(),
        }
    }

    /// Builds a dictionary from shared keys already known to be unique.
    pub(crate) fn from_unique_keyed(entries: Vec<(Key, Value)>) -> Self {
        Self { entries }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| &**k == key)
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v)
    }

    /// The value under `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`. An existing key keeps its place and its old value is returned;
    /// a new key goes last.
    ///
    /// Each call scans the keys; to build a large dictionary, collect or
    /// [`extend`](Extend::extend) it, which takes linear time.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        let key: String = key.into();
        let value = value.into();
        match self.position(&key) {
            Some(i) => self
                .entries
                .get_mut(i)
                .map(|(_, slot)| std::mem::replace(slot, value)),
            None => {
                self.entries.push((Key::from(key), value));
                None
            }
        }
    }

    /// Removes `key`, keeping the order of the others, and returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        Some(self.entries.remove(i).1)
    }

    /// The entries in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> + DoubleEndedIterator {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// The entries in order, values mutable.
    pub fn iter_mut(
        &mut self,
    ) -> impl ExactSizeIterator<Item = (&str, &mut Value)> + DoubleEndedIterator {
        self.entries.iter_mut().map(|(k, v)| (&**k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        self.entries.iter().map(|(k, _)| &**k)
    }

    /// The values in order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &Value> + DoubleEndedIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Sorts the entries by key, in byte order of their UTF-8 text.
    ///
    /// Readers and writers keep the document's order; Apple's writers sort keys
    /// (comparing UTF-16 code units, which differs from this order only between
    /// characters at or above U+E000 and characters outside the Basic Multilingual Plane).
    pub fn sort_keys(&mut self) {
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
    }

    /// The entries, as a `Vec` of pairs.
    pub fn into_entries(mut self) -> Vec<(String, Value)> {
        std::mem::take(&mut self.entries)
            .into_iter()
            .map(|(k, v)| (String::from(&*k), v))
            .collect()
    }
}

impl Drop for Dictionary {
    fn drop(&mut self) {
        if self.entries.iter().any(|(_, v)| v.is_container()) {
            drop_flat(self.entries.drain(..).map(|(_, v)| v));
        }
    }
}

impl PartialEq for Dictionary {
    /// Equal when both hold the same keys with equal values, in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self.keys().eq(other.keys())
            && self.values().zip(other.values()).all(|(a, b)| a == b)
    }
}

impl fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Dictionary {
    /// Collects pairs in linear time; a repeated key keeps its first place and its last
    /// value.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut dict = Self::new();
        dict.extend(iter);
        dict
    }
}

impl<K: Into<String>, V: Into<Value>> Extend<(K, V)> for Dictionary {
    /// Adds pairs in linear time; a key already present, or repeated, keeps its first
    /// place and takes the last value.
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        let mut all = std::mem::take(&mut self.entries);
        all.extend(
            iter.into_iter()
                .map(|(k, v)| (Key::from(k.into()), v.into())),
        );
        self.entries = collapse_last_wins(all);
    }
}

/// Dictionaries with more entries than this find repeated keys through a hash map.
const LINEAR_KEY_SCAN: usize = 16;

/// Removes repeated keys in linear time: each key keeps the place of its first entry and
/// the value of its last.
pub(crate) fn collapse_last_wins(entries: Vec<(Key, Value)>) -> Vec<(Key, Value)> {
    let mut out: Vec<(Key, Value)> = Vec::with_capacity(entries.len());
    if entries.len() <= LINEAR_KEY_SCAN {
        for (key, value) in entries {
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => out.push((key, value)),
            }
        }
        return out;
    }
    let mut index: HashMap<Key, usize> = HashMap::with_capacity(entries.len());
    for (key, value) in entries {
        match index.get(&key).and_then(|&i| out.get_mut(i)) {
            Some(slot) => slot.1 = value,
            None => {
                index.insert(Key::clone(&key), out.len());
                out.push((key, value));
            }
        }
    }
    out
}

impl IntoIterator for Dictionary {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_entries().into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(depth: usize) -> Value {
        let mut v = Value::from(1);
        for i in 0..depth {
            v = if i % 2 == 0 {
                Value::Array(Array::from(vec![v]))
            } else {
                Value::Dictionary(Dictionary::from_iter([("k", v)]))
            };
        }
        v
    }

    #[test]
    fn dropping_a_million_levels_does_not_overflow() {
        drop(deep(1_000_000));
    }

    #[test]
    fn comparing_a_million_levels_does_not_overflow() {
        let (a, b) = (deep(1_000_000), deep(1_000_000));
        assert!(a == b);
        let c = deep(999_999);
        assert!(a != c);
    }

    #[test]
    fn pointer_walks_keys_and_indices() {
        let v = Value::Dictionary(Dictionary::from_iter([(
            "a/b",
            Value::from(vec![Value::from(1), Value::from("x")]),
        )]));
        assert_eq!(v.pointer("/a~1b/1").and_then(Value::as_str), Some("x"));
        assert_eq!(v.pointer("/a~1b/01"), None);
        assert_eq!(v.pointer("/a~1b/2"), None);
        assert_eq!(v.pointer(""), Some(&v));
        assert_eq!(v.pointer("a"), None);
    }

    #[test]
    fn collecting_many_keys_is_linear_and_last_wins() {
        let n: i32 = 50_000;
        let pairs = (0..n)
            .map(|i| (format!("k{i}"), Value::from(i)))
            .chain([("k7".to_owned(), Value::from(-1))]);
        let d: Dictionary = pairs.collect();
        assert_eq!(d.len(), usize::try_from(n).unwrap());
        assert_eq!(d.get("k7"), Some(&Value::from(-1)));
        assert_eq!(d.keys().nth(7), Some("k7"));
        let mut small: Dictionary = [("a", 1), ("b", 2)].into_iter().collect();
        small.extend([("a", 3), ("c", 4)]);
        assert_eq!(
            small.iter().collect::<Vec<_>>(),
            [("a", &Value::from(3)), ("b", &2.into()), ("c", &4.into())]
        );
    }

    #[test]
    fn insert_keeps_position_of_existing_key() {
        let mut d = Dictionary::new();
        d.insert("a", 1);
        d.insert("b", 2);
        assert_eq!(d.insert("a", 3), Some(Value::from(1)));
        assert_eq!(d.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(d.remove("a"), Some(Value::from(3)));
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn reals_compare_by_bits_with_nan_equal() {
        assert_eq!(Value::Real(f64::NAN), Value::Real(-f64::NAN));
        assert_ne!(Value::Real(0.0), Value::Real(-0.0));
        assert_eq!(Value::Real(1.5), Value::Real(1.5));
    }

    #[test]
    fn value_is_four_words() {
        assert_eq!(size_of::<Value>(), 32);
    }
}
