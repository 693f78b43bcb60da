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
use crate::build::KeyCache;
use crate::events::Event;
use crate::value::Key;
use crate::{Array, Dictionary, Integer, ReadOptions, Value};

/// Slots of [`Walker::keys`].
const KEY_SLOTS: usize = 32;

/// Dictionaries with more keys than this check duplicates through a hash set.
const LINEAR_KEY_SCAN: usize = 16;

/// The most children a container's declared length reserves room for ahead of reading
/// them; a longer container grows as it fills.
const MAX_RESERVE: usize = 1 << 16;

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
    if let Step::Value(value) = walker.enter(top, &mut stack)? {
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
            Children::Dictionary {
                entries,
                key,
                seen,
            } => {
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
        if let Step::Value(value) = walker.enter(object, &mut stack)? {
            stack.last_mut()?.children.push(value)?;
        }
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

/// What [`Walker::enter`] found.
enum Step {
    /// A scalar, complete.
    Value(Value),
    /// A container, now open on the stack.
    Opened,
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
        seen: Option<Box<HashSet<Key>>>,
    },
}

impl Children {
    /// Adds a finished child; `None` (never expected) for a dictionary value without a key.
    #[inline]
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
fn is_duplicate(
    entries: &[(Key, Value)],
    seen: &mut Option<Box<HashSet<Key>>>,
    key: &Key,
) -> bool {
    if let Some(set) = seen {
        return !set.insert(Key::clone(key));
    }
    if entries.len() < LINEAR_KEY_SCAN {
        // `Arc<str>` equality compares addresses before text.
        return entries.iter().any(|(k, _)| k == key);
    }
    let mut set: HashSet<Key> = entries.iter().map(|(k, _)| Key::clone(k)).collect();
    let duplicate = !set.insert(Key::clone(key));
    *seen = Some(Box::new(set));
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

    /// Reads the value object `object`: a scalar whole, a container as a new frame on
    /// `stack` (the open containers).
    ///
    /// The common objects are decoded here, with the same checks as
    /// [`BinarySource::object`], which decodes the others.
    #[inline]
    fn enter(&mut self, object: usize, stack: &mut Vec<Frame>) -> Option<Step> {
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
                return Some(Step::Opened);
            }
            _ => self.other(at)?,
        };
        Some(Step::Value(value))
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
