//! The fast path from a binary property list straight to a [`Value`].
//!
//! The generic reader turns bytes into events and runs every event through
//! [`Parser`](crate::events::Parser), which checks nesting, budgets and duplicate keys and
//! knows the key path for errors. Building a `Value` from a binary document does not need
//! the events: [`build_value`] walks the object graph itself and builds the tree directly.
//!
//! It never reports an error. On anything wrong, and on anything it does not care to
//! handle (a duplicate key even where duplicates are allowed), it gives up with `None`
//! and the caller runs the generic path, which produces the canonical error with its
//! offset and key path. The rule that keeps the two paths one reader: when this returns
//! `Some(value)`, the generic path returns `Ok` with an equal value. So every check the
//! generic path makes is made here too, on the same objects:
//! - header, trailer, offsets, references, markers, lengths and characters, through the
//!   same [`BinarySource`] helpers;
//! - the depth limit (open containers, counted as the parser counts them), the node and
//!   byte budgets (every key and value spends a node, keys, strings and data their
//!   length, each time a shared object is used), cycles (a container may not hold
//!   itself; sharing is fine), string keys and unique keys.
//!
//! Like the generic path it does not recurse and allocates nothing that the input
//! declares before checking it against the budget.

use std::collections::HashSet;

use super::read::{BinarySource, Object};
use crate::build::{KeyCache, MAX_RESERVE};
use crate::events::Event;
use crate::value::Key;
use crate::{Array, Dictionary, Integer, ReadOptions, Value};

/// Slots of [`Walker::keys`].
const KEY_SLOTS: usize = 32;

/// Dictionaries with more keys than this check duplicates through a hash set.
const LINEAR_KEY_SCAN: usize = 16;

/// Builds the value of the binary document `bytes`, or `None` when the generic path must
/// decide (always when the document is wrong). `options` are the binary options
/// ([`ReadOptions::for_binary`]) the generic path would use.
pub(crate) fn build_value(bytes: &[u8], options: &ReadOptions) -> Option<Value> {
    let source = BinarySource::new(bytes, options).ok()?;
    let top = source.top_object;
    let mut walker = Walker {
        source,
        max_depth: options.max_depth,
        nodes_left: options.max_nodes,
        bytes_left: options.max_expanded_bytes,
        keys: std::array::from_fn(|_| (usize::MAX, None)),
        texts: KeyCache::default(),
    };
    // The open containers, innermost last.
    let mut stack: Vec<Frame> = Vec::new();
    if let Some(value) = walker.enter(top, &mut stack)? {
        return Some(value);
    }
    let ref_size = walker.source.ref_size;
    loop {
        let frame = stack.last_mut()?;
        if frame.next >= frame.len {
            let object = frame.object;
            let value = stack.pop()?.children.into_value();
            walker.source.set_open(object, false);
            match stack.last_mut() {
                Some(parent) => parent.children.push(value)?,
                None => return Some(value),
            }
            continue;
        }
        let index = frame.next;
        frame.next = index.saturating_add(1);
        let ref_at = |slot: usize| frame.refs.saturating_add(slot.saturating_mul(ref_size));
        let value_at = match &mut frame.children {
            Children::Array(_) => ref_at(index),
            Children::Dictionary { entries, key, seen } => {
                let object = walker.source.read_ref(ref_at(index)).ok()?;
                let text = walker.key(object)?;
                if is_duplicate(entries, seen, &text) {
                    return None;
                }
                *key = Some(text);
                ref_at(frame.len.saturating_add(index))
            }
        };
        let object = walker.source.read_ref(value_at).ok()?;
        walker.enter(object, &mut stack)?;
    }
}

/// The state of one walk, apart from the open containers.
struct Walker<'a> {
    source: BinarySource<'a>,
    max_depth: usize,
    nodes_left: usize,
    bytes_left: usize,
    /// Keys already read, by object: `(object, key)` in slot `object % KEY_SLOTS`. Writers
    /// store each distinct key once, so a repeated key object costs neither a check of its
    /// characters nor an allocation.
    keys: [(usize, Option<Key>); KEY_SLOTS],
    /// Shares keys of equal text held by different objects, as the generic path does.
    texts: KeyCache<'a>,
}

/// An open container.
struct Frame {
    object: usize,
    /// Where the references start: all keys then all values for a dictionary.
    refs: usize,
    /// Items (arrays) or entries (dictionaries).
    len: usize,
    /// The next item or entry to read.
    next: usize,
    children: Children,
}

/// The children of an open container, read so far.
enum Children {
    Array(Vec<Value>),
    Dictionary {
        entries: Vec<(Key, Value)>,
        /// The key whose value is being read.
        key: Option<Key>,
        /// The keys of `entries`, once there are more than [`LINEAR_KEY_SCAN`].
        seen: Option<HashSet<Key>>,
    },
}

impl Children {
    /// Adds a finished child; `None` (never expected) for a dictionary value without a key.
    #[inline(always)]
    fn push(&mut self, value: Value) -> Option<()> {
        match self {
            Self::Array(items) => items.push(value),
            Self::Dictionary { entries, key, .. } => entries.push((key.take()?, value)),
        }
        Some(())
    }

    fn into_value(self) -> Value {
        match self {
            Self::Array(items) => Value::Array(Array::from(items)),
            Self::Dictionary { entries, .. } => {
                Value::Dictionary(Dictionary::from_unique_keyed(entries))
            }
        }
    }
}

/// Whether `key` is already a key of `entries`; `seen` holds them hashed once there are
/// many.
fn is_duplicate(entries: &[(Key, Value)], seen: &mut Option<HashSet<Key>>, key: &Key) -> bool {
    if let Some(set) = seen {
        return !set.insert(Key::clone(key));
    }
    if entries.len() < LINEAR_KEY_SCAN {
        // `Arc<str>` equality compares addresses before text.
        return entries.iter().any(|(k, _)| k == key);
    }
    let mut set: HashSet<Key> = entries.iter().map(|(k, _)| Key::clone(k)).collect();
    let duplicate = !set.insert(Key::clone(key));
    *seen = Some(set);
    duplicate
}

/// The count, start and content of a counted object (data, string, array, dictionary) of
/// `unit`-byte elements whose marker is at `at`: `None` exactly where
/// [`BinarySource::object`] fails. The count is the marker's low nibble, or when that is
/// 0xF an integer of 1, 2, 4 or 8 bytes after the marker; the content must lie in
/// `objects` (the object area).
#[inline]
fn counted(objects: &[u8], at: usize, nibble: u8, unit: usize) -> Option<(usize, usize, &[u8])> {
    let next = at.checked_add(1)?;
    let (count, start) = if nibble != 0xF {
        (usize::from(nibble), next)
    } else {
        let rest = objects.get(next..)?;
        let (count, size) = match rest.split_first()? {
            (0x10, b) => (u64::from(*b.first()?), 1),
            (0x11, b) => (u64::from(u16::from_be_bytes(*b.first_chunk()?)), 2),
            (0x12, b) => (u64::from(u32::from_be_bytes(*b.first_chunk()?)), 4),
            (0x13, b) => (u64::from_be_bytes(*b.first_chunk()?), 8),
            _ => return None,
        };
        (usize::try_from(count).ok()?, next.checked_add(1 + size)?)
    };
    let len = count.checked_mul(unit)?;
    Some((count, start, objects.get(start..start.checked_add(len)?)?))
}

impl<'a> Walker<'a> {
    /// Spends one node and `bytes` bytes of the budgets.
    #[inline]
    fn spend(&mut self, bytes: usize) -> Option<()> {
        self.nodes_left = self.nodes_left.checked_sub(1)?;
        self.bytes_left = self.bytes_left.checked_sub(bytes)?;
        Some(())
    }

    /// Reads the value object `object` into the innermost open container on `stack`: a
    /// scalar whole, a container as a new frame. With no container open (the top object),
    /// a scalar is returned instead, as `Some(Some(value))`.
    ///
    /// The common objects are decoded here, with the same checks as
    /// [`BinarySource::object`], which decodes the others.
    #[inline]
    fn enter(&mut self, object: usize, stack: &mut Vec<Frame>) -> Option<Option<Value>> {
        let at = self.source.object_offset(object).ok()?;
        let objects = self.source.objects;
        let marker = *objects.get(at)?;
        let nibble = marker & 0x0F;
        let value = match marker >> 4 {
            0x0 if nibble == 0x8 || nibble == 0x9 => {
                self.spend(0)?;
                Value::Boolean(nibble == 0x9)
            }
            0x1 if nibble < 4 => {
                let body = objects.get(at.checked_add(1)?..)?;
                let int = match nibble {
                    0 => Integer::from(*body.first()?),
                    1 => Integer::from(u16::from_be_bytes(*body.first_chunk()?)),
                    2 => Integer::from(u32::from_be_bytes(*body.first_chunk()?)),
                    _ => Integer::from(i64::from_be_bytes(*body.first_chunk()?)),
                };
                self.spend(0)?;
                Value::Integer(int)
            }
            0x4 => {
                let raw = counted(objects, at, nibble, 1)?.2;
                self.spend(raw.len())?;
                Value::Data(raw.to_vec())
            }
            0x5 => {
                let raw = counted(objects, at, nibble, 1)?.2;
                if !raw.is_ascii() {
                    return None;
                }
                self.spend(raw.len())?;
                Value::String(std::str::from_utf8(raw).ok()?.to_owned())
            }
            0x7 => {
                let text = std::str::from_utf8(counted(objects, at, nibble, 1)?.2).ok()?;
                self.spend(text.len())?;
                Value::String(text.to_owned())
            }
            kind @ (0xA | 0xD) => {
                let is_dictionary = kind == 0xD;
                let per_entry = if is_dictionary { 2 } else { 1 };
                let unit = self.source.ref_size.checked_mul(per_entry)?;
                let (len, refs, _) = counted(objects, at, nibble, unit)?;
                self.open(object, is_dictionary, len, refs, stack)?;
                return Some(None);
            }
            _ => self.other(at)?,
        };
        match stack.last_mut() {
            Some(frame) => {
                frame.children.push(value)?;
                Some(None)
            }
            None => Some(Some(value)),
        }
    }

    /// Opens the container `object` of `len` items or entries whose references start at
    /// `refs`, with the parser's checks: a node spent, the depth limit, no cycle.
    fn open(
        &mut self,
        object: usize,
        is_dictionary: bool,
        len: usize,
        refs: usize,
        stack: &mut Vec<Frame>,
    ) -> Option<()> {
        self.spend(0)?;
        if stack.len() >= self.max_depth || self.source.is_open(object) {
            return None;
        }
        // Every item, or key and value, spends a node: a container longer than the budget
        // left fails, so it is not worth room.
        let nodes = if is_dictionary {
            len.checked_mul(2)?
        } else {
            len
        };
        if nodes > self.nodes_left {
            return None;
        }
        self.source.set_open(object, true);
        let room = len.min(MAX_RESERVE);
        let children = if is_dictionary {
            Children::Dictionary {
                entries: Vec::with_capacity(room),
                key: None,
                seen: None,
            }
        } else {
            Children::Array(Vec::with_capacity(room))
        };
        stack.push(Frame {
            object,
            refs,
            len,
            next: 0,
            children,
        });
        Some(())
    }

    /// A scalar [`Self::enter`] leaves to [`BinarySource::object`]: reals, dates, UIDs,
    /// UTF-16 strings, 16-byte integers, and everything that fails.
    #[inline(never)]
    fn other(&mut self, at: usize) -> Option<Value> {
        let Object::Scalar(event) = self.source.object(at).ok()? else {
            return None;
        };
        let payload = match &event {
            Event::String(text) => text.len(),
            Event::Data(data) => data.len(),
            _ => 0,
        };
        self.spend(payload)?;
        Some(match event {
            Event::String(text) => Value::String(text.into_owned()),
            Event::Data(data) => Value::Data(data.into_owned()),
            Event::Integer(i) => Value::Integer(i),
            Event::Real(r) => Value::Real(r),
            Event::Boolean(b) => Value::Boolean(b),
            Event::Date(d) => Value::Date(d),
            Event::Uid(u) => Value::Uid(u),
            _ => return None,
        })
    }

    /// The key object `object`, which must be a string; spends its node and bytes.
    #[inline]
    fn key(&mut self, object: usize) -> Option<Key> {
        let slot = object % KEY_SLOTS;
        let key = match self.keys.get(slot) {
            Some((cached, Some(key))) if *cached == object => Key::clone(key),
            _ => self.read_key(object, slot)?,
        };
        self.spend(key.len())?;
        Some(key)
    }

    /// [`Self::key`] for a key not in the cache: reads and checks it, then caches it.
    #[inline(never)]
    fn read_key(&mut self, object: usize, slot: usize) -> Option<Key> {
        let at = self.source.object_offset(object).ok()?;
        // Exactly the objects the generic reader takes as keys: strings.
        let Object::Scalar(Event::String(text)) = self.source.object(at).ok()? else {
            return None;
        };
        let key = self.texts.get(text);
        if let Some(entry) = self.keys.get_mut(slot) {
            *entry = (object, Some(Key::clone(&key)));
        }
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Date, DuplicateKeys, Error, ErrorKind, Uid};
    use std::path::{Path, PathBuf};

    /// Runs both paths with the binary options for `bytes`; checks the rule (a fast value
    /// is the generic value) and returns both results.
    #[track_caller]
    fn both(bytes: &[u8], options: &ReadOptions) -> (Option<Value>, Result<Value, Error>) {
        let options = options.for_binary(bytes.len());
        let fast = build_value(bytes, &options);
        let generic = crate::read_binary_generic(bytes, &options);
        if let Some(fast) = &fast {
            match &generic {
                Ok(v) => assert_eq!(v, fast, "the paths disagree"),
                Err(e) => panic!("fast path gave {fast:?}, generic failed: {e:?}"),
            }
        }
        (fast, generic)
    }

    /// Both paths give `want`, the fast path without falling back.
    #[track_caller]
    fn fast_ok(bytes: &[u8], options: &ReadOptions) -> Value {
        let (fast, generic) = both(bytes, options);
        assert!(fast.is_some(), "fell back: {generic:?}");
        generic.unwrap()
    }

    /// The fast path falls back and the generic path fails with `kind`.
    #[track_caller]
    fn falls_back_to(bytes: &[u8], options: &ReadOptions, kind: ErrorKind) {
        let (fast, generic) = both(bytes, options);
        assert!(fast.is_none(), "{fast:?}");
        assert_eq!(generic.unwrap_err().kind(), kind);
    }

    /// A document of these objects, references one byte, offsets two bytes, top object 0.
    fn doc(objects: &[&[u8]]) -> Vec<u8> {
        let mut out = b"bplist00".to_vec();
        let mut offsets = Vec::new();
        for object in objects {
            offsets.push(u16::try_from(out.len()).unwrap());
            out.extend_from_slice(object);
        }
        let table = out.len() as u64;
        for offset in &offsets {
            out.extend_from_slice(&offset.to_be_bytes());
        }
        out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 2, 1]);
        out.extend_from_slice(&(offsets.len() as u64).to_be_bytes());
        out.extend_from_slice(&0u64.to_be_bytes());
        out.extend_from_slice(&table.to_be_bytes());
        out
    }

    fn default() -> ReadOptions {
        ReadOptions::new()
    }

    /// Budgets of exactly `nodes` values and `bytes` bytes, with no share per input byte.
    fn budget(nodes: usize, bytes: usize) -> ReadOptions {
        ReadOptions::new()
            .with_max_binary_expansion(0)
            .with_max_nodes(nodes)
            .with_max_expanded_bytes(bytes)
    }

    #[test]
    fn every_scalar_type() {
        let mut real = vec![0x23];
        real.extend_from_slice(&1.5f64.to_be_bytes());
        let mut real4 = vec![0x22];
        real4.extend_from_slice(&(-2.5f32).to_be_bytes());
        let mut date = vec![0x33];
        date.extend_from_slice(&100.25f64.to_be_bytes());
        let mut wide = vec![0x14];
        wide.extend_from_slice(&i128::from(u64::MAX).to_be_bytes());
        let cases: Vec<(Vec<u8>, Value)> = vec![
            (vec![0x08], Value::from(false)),
            (vec![0x09], Value::from(true)),
            (vec![0x10, 0xFF], Value::from(255)),
            (vec![0x11, 1, 2], Value::from(0x0102)),
            (vec![0x12, 0xFF, 0xFF, 0xFF, 0xFF], Value::from(u32::MAX)),
            (
                vec![0x13, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE],
                Value::from(-2),
            ),
            (wide, Value::from(u64::MAX)),
            (real, Value::Real(1.5)),
            (real4, Value::Real(-2.5)),
            (date, Value::Date(Date::from_apple_seconds(100.25).unwrap())),
            (vec![0x40], Value::Data(Vec::new())),
            (vec![0x42, 7, 8], Value::Data(vec![7, 8])),
            (vec![0x50], Value::from("")),
            (b"\x53abc".to_vec(), Value::from("abc")),
            (b"\x72\xc3\xa9".to_vec(), Value::from("é")),
            (vec![0x62, 0xD8, 0x3D, 0xDE, 0x00], Value::from("😀")),
            (vec![0x80, 9], Value::Uid(Uid::new(9))),
            (vec![0xA0], Value::from(Vec::<Value>::new())),
            (vec![0xD0], Value::from(Dictionary::new())),
        ];
        for (object, want) in cases {
            // At the top, and inside an array and a dictionary.
            assert_eq!(fast_ok(&doc(&[&object]), &default()), want, "{object:x?}");
            let array = doc(&[&[0xA2, 1, 1], &object]);
            assert_eq!(
                fast_ok(&array, &default()),
                Value::from(vec![want.clone(), want.clone()])
            );
            let dict = doc(&[&[0xD1, 1, 2], b"\x51k", &object]);
            let mut d = Dictionary::new();
            d.insert("k", want);
            assert_eq!(fast_ok(&dict, &default()), Value::from(d));
        }
    }

    #[test]
    fn long_lengths_in_every_width() {
        for (len_bytes, n) in [
            (&[0x10, 20][..], 20),
            (&[0x11, 0, 20], 20),
            (&[0x12, 0, 0, 0, 3], 3),
        ] {
            for marker in [0x4F, 0x5F, 0x7F] {
                let mut object = vec![marker];
                object.extend_from_slice(len_bytes);
                object.extend(std::iter::repeat_n(b'x', n));
                let value = fast_ok(&doc(&[&object]), &default());
                assert_eq!(
                    value
                        .as_data()
                        .map_or_else(|| value.as_str().unwrap().len(), <[u8]>::len),
                    n
                );
            }
        }
        let mut object = vec![0x4F, 0x13];
        object.extend_from_slice(&2u64.to_be_bytes());
        object.extend_from_slice(b"ab");
        assert_eq!(
            fast_ok(&doc(&[&object]), &default()),
            Value::Data(b"ab".to_vec())
        );
        // An array whose length is an extended integer.
        let mut array = vec![0xAF, 0x10, 16];
        array.extend_from_slice(&[1; 16]);
        let value = fast_ok(&doc(&[&array, &[0x09]]), &default());
        assert_eq!(value.as_array().unwrap().len(), 16);
    }

    #[test]
    fn bad_objects_fall_back() {
        for (object, kind) in [
            (&[0x00][..], ErrorKind::InvalidMarker),
            (&[0x0F], ErrorKind::InvalidMarker),
            (&[0x15, 0], ErrorKind::InvalidMarker),
            (&[0x13, 1], ErrorKind::LengthExceedsInput),
            (&[0x53, b'a'], ErrorKind::LengthExceedsInput),
            (&[0x52, b'a', 0xC3], ErrorKind::InvalidUtf8),
            (&[0x72, 0xC3, 0x28], ErrorKind::InvalidUtf8),
            (&[0x61, 0xD8, 0x00], ErrorKind::InvalidUtf8),
            (&[0x4F, 0x23, 1], ErrorKind::InvalidMarker),
            (&[0x4F, 0x10], ErrorKind::LengthExceedsInput),
            (
                &[0x4F, 0x13, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                ErrorKind::LengthExceedsInput,
            ),
            (&[0xA2, 1], ErrorKind::LengthExceedsInput),
            (&[0xA1, 9], ErrorKind::InvalidOffset),
            (&[0xC1, 0], ErrorKind::InvalidMarker),
            (
                &[0x33, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0],
                ErrorKind::InvalidDate,
            ),
        ] {
            falls_back_to(&doc(&[object]), &default(), kind);
        }
        let mut huge = vec![0x14];
        huge.extend_from_slice(&i128::MAX.to_be_bytes());
        falls_back_to(&doc(&[&huge]), &default(), ErrorKind::IntegerOutOfRange);
    }

    #[test]
    fn keys_must_be_unique_strings() {
        // A non-string key.
        falls_back_to(
            &doc(&[&[0xD1, 1, 1], &[0x10, 1]]),
            &default(),
            ErrorKind::InvalidKey,
        );
        let keep = ReadOptions::new().with_duplicate_keys(DuplicateKeys::KeepLast);
        // The same key object twice.
        let same = doc(&[&[0xD2, 1, 1, 2, 3], b"\x51k", &[0x10, 1], &[0x10, 2]]);
        falls_back_to(&same, &default(), ErrorKind::DuplicateKey);
        let (fast, generic) = both(&same, &keep);
        assert!(fast.is_none());
        assert_eq!(generic.unwrap().get("k"), Some(&Value::from(2)));
        // Two key objects with equal text, in ASCII and UTF-16.
        let equal = doc(&[&[0xD2, 1, 2, 3, 3], b"\x51k", &[0x61, 0, b'k'], &[0x09]]);
        falls_back_to(&equal, &default(), ErrorKind::DuplicateKey);
        assert!(both(&equal, &keep).0.is_none());
        // Distinct keys, one in UTF-16, and a key shared by two dictionaries.
        let fine = doc(&[
            &[0xA2, 1, 1],
            &[0xD2, 2, 3, 4, 4],
            b"\x51k",
            &[0x61, 0, b'j'],
            &[0x09],
        ]);
        let value = fast_ok(&fine, &default());
        let d = value.as_array().unwrap()[1].as_dictionary().unwrap();
        assert_eq!(d.keys().collect::<Vec<_>>(), ["k", "j"]);
    }

    /// A dictionary of `n` distinct one-character keys (from `!`), all with value `true`,
    /// plus `extra` as its last key.
    fn wide_dictionary(n: u8, extra: &[u8]) -> Vec<u8> {
        let count = n + 1;
        let mut dict = vec![0xDF, 0x10, count];
        dict.extend(1..=count);
        dict.extend(std::iter::repeat_n(count + 1, usize::from(count)));
        let keys: Vec<Vec<u8>> = (0..n).map(|i| vec![0x51, b'!' + i]).collect();
        let mut objects: Vec<&[u8]> = vec![&dict];
        objects.extend(keys.iter().map(Vec::as_slice));
        objects.push(extra);
        objects.push(&[0x09]);
        doc(&objects)
    }

    #[test]
    fn duplicates_in_big_dictionaries() {
        // Past the linear scan: 40 keys, then a 41st that is new or repeats the first.
        let fine = fast_ok(&wide_dictionary(40, b"\x52zz"), &default());
        assert_eq!(fine.as_dictionary().unwrap().len(), 41);
        falls_back_to(
            &wide_dictionary(40, b"\x51!"),
            &default(),
            ErrorKind::DuplicateKey,
        );
        falls_back_to(
            &wide_dictionary(40, &[0x61, 0, b'&']),
            &default(),
            ErrorKind::DuplicateKey,
        );
        // At the edge of the scan.
        for n in 14..=18 {
            assert!(both(&wide_dictionary(n, b"\x52zz"), &default()).0.is_some());
            falls_back_to(
                &wide_dictionary(n, b"\x51!"),
                &default(),
                ErrorKind::DuplicateKey,
            );
            let last = [0x51, b'!' + n - 1];
            falls_back_to(
                &wide_dictionary(n, &last),
                &default(),
                ErrorKind::DuplicateKey,
            );
        }
    }

    /// `levels` arrays, each holding the next; the innermost is empty.
    fn nested(levels: u8) -> Vec<u8> {
        let arrays: Vec<Vec<u8>> = (0..levels)
            .map(|i| {
                if i + 1 == levels {
                    vec![0xA0]
                } else {
                    vec![0xA1, i + 1]
                }
            })
            .collect();
        doc(&arrays.iter().map(Vec::as_slice).collect::<Vec<_>>())
    }

    #[test]
    fn depth_limit_at_its_edge() {
        for levels in [1, 2, 5, 40] {
            let bytes = nested(levels);
            let depth = usize::from(levels);
            fast_ok(&bytes, &ReadOptions::new().with_max_depth(depth));
            falls_back_to(
                &bytes,
                &ReadOptions::new().with_max_depth(depth - 1),
                ErrorKind::DepthLimitExceeded,
            );
        }
        // A scalar needs no depth.
        fast_ok(&doc(&[&[0x09]]), &ReadOptions::new().with_max_depth(0));
    }

    #[test]
    fn budgets_at_their_edges() {
        // {k: [s, s, s]}: the dictionary, the key, the array and three strings are 6 values;
        // "k" and three 10-byte strings are 31 bytes.
        let bytes = doc(&[&[0xD1, 1, 2], b"\x51k", &[0xA3, 3, 3, 3], b"\x5Aabcdefghij"]);
        fast_ok(&bytes, &budget(6, 31));
        falls_back_to(&bytes, &budget(5, 31), ErrorKind::NodeBudgetExceeded);
        falls_back_to(&bytes, &budget(6, 30), ErrorKind::NodeBudgetExceeded);
        // Data, UTF-8 and UTF-16 strings spend their decoded length.
        let bytes = doc(&[
            &[0xA3, 1, 2, 3],
            &[0x43, 1, 2, 3],
            b"\x72\xc3\xa9",
            &[0x61, 0x20, 0xAC],
        ]);
        fast_ok(&bytes, &budget(4, 8));
        falls_back_to(&bytes, &budget(4, 7), ErrorKind::NodeBudgetExceeded);
        falls_back_to(&bytes, &budget(3, 8), ErrorKind::NodeBudgetExceeded);
        // A container longer than the budget left gives up before reading it.
        let long = doc(&[&[0xA5, 1, 1, 1, 1, 1], &[0x09]]);
        fast_ok(&long, &budget(6, 0));
        falls_back_to(&long, &budget(5, 0), ErrorKind::NodeBudgetExceeded);
    }

    #[test]
    fn cycles_fall_back_and_sharing_does_not() {
        falls_back_to(&doc(&[&[0xA1, 0]]), &default(), ErrorKind::CyclicReference);
        let through = doc(&[&[0xA1, 1], &[0xD1, 2, 3], b"\x51k", &[0xA2, 4, 0], &[0x08]]);
        falls_back_to(&through, &default(), ErrorKind::CyclicReference);
        // One array shared by three parents, and one string shared by everything.
        let shared = doc(&[&[0xA4, 1, 1, 2, 3], &[0xA2, 3, 3], &[0xD1, 3, 1], b"\x51s"]);
        let s = Value::from("s");
        let inner = Value::from(vec![s.clone(), s.clone()]);
        let mut d = Dictionary::new();
        d.insert("s", inner.clone());
        assert_eq!(
            fast_ok(&shared, &default()),
            Value::from(vec![inner.clone(), inner, Value::from(d), s])
        );
    }

    #[test]
    fn broken_containers_fall_back() {
        let bytes = doc(&[&[0xA2, 1, 2], b"\x51a", b"\x51b"]);
        let mut variants = Vec::new();
        for len in 0..bytes.len() {
            variants.push(bytes[..len].to_vec());
        }
        for i in 0..bytes.len() {
            for v in [0u8, 1, 2, 3, 0x0F, 0x10, 0x5F, 0x7F, 0xA1, 0xD1, 0xFF] {
                let mut b = bytes.clone();
                b[i] = v;
                variants.push(b);
            }
        }
        for b in variants {
            let _ = both(&b, &default());
            let _ = both(
                &b,
                &ReadOptions::new().with_duplicate_keys(DuplicateKeys::KeepLast),
            );
        }
    }

    fn fixtures(dir: &str) -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(dir);
        let mut out = Vec::new();
        let mut pending = vec![root];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e != "md") {
                    out.push(path);
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn every_good_fixture_takes_the_fast_path() {
        let paths = fixtures("device-messages/good");
        assert!(paths.len() >= 40, "{}", paths.len());
        for path in paths {
            let value = Value::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let bytes = value.to_binary().unwrap();
            assert_eq!(fast_ok(&bytes, &default()), value, "{}", path.display());
        }
    }

    #[test]
    fn hostile_fixtures_agree() {
        for path in fixtures("hostile") {
            let bytes = std::fs::read(&path).unwrap();
            if bytes.starts_with(b"bplist") {
                let (fast, generic) = both(&bytes, &default());
                assert_eq!(fast.is_some(), generic.is_ok(), "{}", path.display());
            } else if let Ok(value) = Value::from_slice(&bytes) {
                fast_ok(&value.to_binary().unwrap(), &default());
            }
        }
    }

    #[cfg(feature = "arbitrary")]
    #[test]
    fn generated_values_take_the_fast_path() {
        use ::arbitrary::{Arbitrary, Unstructured};
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut noise = vec![0u8; 4096];
        let mut containers = 0;
        for round in 0..300 {
            for b in &mut noise {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state.to_le_bytes()[0];
            }
            let Ok(value) = Value::arbitrary(&mut Unstructured::new(&noise)) else {
                continue;
            };
            let Ok(bytes) = value.to_binary() else {
                continue;
            };
            let (fast, generic) = both(&bytes, &default());
            let generic = generic.unwrap();
            assert_eq!(generic, value, "round {round}");
            assert!(fast.is_some(), "round {round}: fell back on {value:?}");
            containers += usize::from(value.is_container());
        }
        assert!(containers > 100, "{containers}");
    }
}
