//! The binary writer: shared strings and numbers stored once, as CoreFoundation does.
//!
//! Writing takes two passes without recursion. The first numbers the objects depth first
//! (a container, then its keys, then its values), giving equal scalars one number; the
//! second writes the objects in number order, then the offset table and the trailer.

use std::collections::HashMap;
use std::io::Write;

use crate::{Error, ErrorKind, Integer, Result, Value, WriteOptions};

/// A scalar as the key of the table that stores equal scalars once. Reals and dates are
/// compared by bit pattern; strings (keys and values alike) and data by content.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Scalar<'v> {
    String(&'v str),
    Integer(Integer),
    Real(u64),
    Date(u64),
    Boolean(bool),
    Data(&'v [u8]),
    Uid(u64),
}

/// An object to write: a scalar, or a container whose references are
/// `refs[start..start + len]` (dictionaries: `len` keys, then `len` values).
enum Object<'v> {
    Scalar(Scalar<'v>),
    Array { start: usize, len: usize },
    Dictionary { start: usize, len: usize },
}

/// A value still to number, the reference slot its number goes into, and its depth.
struct Pending<'v> {
    value: &'v Value,
    slot: usize,
    depth: usize,
}

/// The hasher of the de-duplication maps.
///
/// The maps hash values the caller gives, which may come from a device, so crafted
/// values must not collide at will. SipHash (std's default) cost more than half of a
/// write. foldhash's `RandomState` is about as fast as hashing gets and seeds every map
/// afresh; each map is filled in one pass and neither its hashes nor its order ever
/// leave this module (objects are written in numbering order), so there is nothing to
/// observe to learn a seed from. Long data is hashed whole: hashing a sample would let
/// anyone collide values of equal length and sample without knowing any seed.
type Seeded = foldhash::fast::RandomState;

/// Documents with at most this many objects find equal scalars by a linear scan: no
/// maps to allocate and hash into.
const SMALL: usize = 32;

/// How many objects of each kind a value holds, before de-duplication, to size the
/// tables up front.
#[derive(Default)]
struct Counts {
    objects: usize,
    refs: usize,
    /// Strings that are values: keys are left out, as they mostly repeat the keys of
    /// the dictionary before and are numbered without the map.
    strings: usize,
    data: usize,
    unsigned: usize,
    numbers: usize,
}

impl Counts {
    /// Counts every object of `root`, without recursion.
    fn of(root: &Value) -> Counts {
        let mut counts = Counts {
            objects: 1,
            refs: 1,
            ..Counts::default()
        };
        let mut stack = Vec::new();
        counts.add(root, &mut stack);
        while let Some(value) = stack.pop() {
            match value {
                Value::Array(items) => {
                    counts.objects = counts.objects.saturating_add(items.len());
                    counts.refs = counts.refs.saturating_add(items.len());
                    for item in items.iter() {
                        counts.add(item, &mut stack);
                    }
                }
                Value::Dictionary(dict) => {
                    let len = dict.len();
                    counts.objects = counts.objects.saturating_add(len.saturating_mul(2));
                    counts.refs = counts.refs.saturating_add(len.saturating_mul(2));
                    for item in dict.values() {
                        counts.add(item, &mut stack);
                    }
                }
                _ => {}
            }
        }
        counts
    }

    /// Counts a scalar by kind, or stacks a container to count its children.
    fn add<'v>(&mut self, value: &'v Value, stack: &mut Vec<&'v Value>) {
        match value {
            Value::String(_) => self.strings = self.strings.saturating_add(1),
            Value::Data(_) => self.data = self.data.saturating_add(1),
            Value::Integer(i) if i.as_u64().is_some() => {
                self.unsigned = self.unsigned.saturating_add(1);
            }
            Value::Integer(_) | Value::Real(_) | Value::Date(_) | Value::Uid(_) => {
                self.numbers = self.numbers.saturating_add(1);
            }
            Value::Boolean(_) => {}
            Value::Array(_) | Value::Dictionary(_) => stack.push(value),
        }
    }
}

/// The numbered object graph.
struct Graph<'v> {
    objects: Vec<Object<'v>>,
    refs: Vec<usize>,
    /// Whether equal scalars are found through the maps or by scanning `objects`.
    mapped: bool,
    strings: HashMap<&'v str, usize, Seeded>,
    data: HashMap<&'v [u8], usize, Seeded>,
    /// Integers from 0 up, the most common numbers, in a map with smaller entries.
    unsigned: HashMap<u64, usize, Seeded>,
    /// Every other scalar but booleans, by [`number_key`].
    numbers: HashMap<u128, usize, Seeded>,
    /// The numbers of `false` and `true`.
    booleans: [Option<usize>; 2],
    /// The bytes of the strings and data stored, to size the output.
    payload: usize,
}

/// A number's key in [`Graph::numbers`]: a tag for the kind, then its 64 bits.
fn number_key(scalar: Scalar<'_>) -> u128 {
    let (tag, bits): (u8, u64) = match scalar {
        Scalar::Integer(i) => match i.as_u64() {
            Some(n) => (0, n),
            None => (1, i.as_i64().unwrap_or_default().cast_unsigned()),
        },
        Scalar::Real(bits) => (2, bits),
        Scalar::Date(bits) => (3, bits),
        Scalar::Uid(u) => (4, u),
        Scalar::String(_) | Scalar::Data(_) | Scalar::Boolean(_) => (5, 0),
    };
    (u128::from(tag) << 64) | u128::from(bits)
}

impl<'v> Graph<'v> {
    fn new(counts: &Counts) -> Self {
        let mapped = counts.objects > SMALL;
        let size = |n: usize| if mapped { n } else { 0 };
        Graph {
            objects: Vec::with_capacity(counts.objects),
            refs: Vec::with_capacity(counts.refs),
            mapped,
            strings: HashMap::with_capacity_and_hasher(size(counts.strings), Seeded::default()),
            data: HashMap::with_capacity_and_hasher(size(counts.data), Seeded::default()),
            unsigned: HashMap::with_capacity_and_hasher(size(counts.unsigned), Seeded::default()),
            numbers: HashMap::with_capacity_and_hasher(size(counts.numbers), Seeded::default()),
            booleans: [None; 2],
            payload: 0,
        }
    }

    /// The number of `scalar`, stored once.
    fn scalar(&mut self, scalar: Scalar<'v>) -> usize {
        let next = self.objects.len();
        let id = match scalar {
            Scalar::Boolean(b) => {
                let slot = if b {
                    &mut self.booleans[1]
                } else {
                    &mut self.booleans[0]
                };
                *slot.get_or_insert(next)
            }
            _ if !self.mapped => self
                .objects
                .iter()
                .position(|object| matches!(object, Object::Scalar(s) if *s == scalar))
                .unwrap_or(next),
            Scalar::String(s) => *self.strings.entry(s).or_insert(next),
            Scalar::Data(d) => *self.data.entry(d).or_insert(next),
            Scalar::Integer(i) => match i.as_u64() {
                Some(n) => *self.unsigned.entry(n).or_insert(next),
                None => *self.numbers.entry(number_key(scalar)).or_insert(next),
            },
            _ => *self.numbers.entry(number_key(scalar)).or_insert(next),
        };
        if id == next {
            if let Scalar::String(s) = scalar {
                self.payload = self.payload.saturating_add(s.len());
            } else if let Scalar::Data(d) = scalar {
                self.payload = self.payload.saturating_add(d.len());
            }
            self.objects.push(Object::Scalar(scalar));
        }
        id
    }
}

fn scalar_of(value: &Value) -> Option<Scalar<'_>> {
    Some(match value {
        Value::String(s) => Scalar::String(s),
        Value::Integer(i) => Scalar::Integer(*i),
        Value::Real(r) => Scalar::Real(r.to_bits()),
        Value::Date(d) => Scalar::Date(d.apple_seconds().to_bits()),
        Value::Boolean(b) => Scalar::Boolean(*b),
        Value::Data(d) => Scalar::Data(d),
        Value::Uid(u) => Scalar::Uid(u.get()),
        Value::Dictionary(_) | Value::Array(_) => return None,
    })
}

/// Numbers every object of `root`, refusing nesting deeper than `max_depth`.
fn number(root: &Value, max_depth: usize) -> Result<Graph<'_>> {
    let mut graph = Graph::new(&Counts::of(root));
    graph.refs.push(0);
    // Slot 0 of `refs` is a scratch slot for the root, which nothing references.
    // The keys of the last dictionary and their numbers: the dictionaries of an array
    // mostly have the same keys in the same order, which are then found without hashing.
    // Small documents, which have no maps, do without.
    let mut last_keys: Vec<(&str, usize)> = Vec::new();
    let mut pending = vec![Pending {
        value: root,
        slot: 0,
        depth: 0,
    }];
    while let Some(Pending { value, slot, depth }) = pending.pop() {
        let id = match value {
            Value::Array(items) => {
                let depth = enter(depth, max_depth)?;
                let id = graph.objects.len();
                let start = graph.refs.len();
                graph.objects.push(Object::Array {
                    start,
                    len: items.len(),
                });
                graph.refs.resize(start + items.len(), 0);
                pending.extend(items.iter().enumerate().rev().map(|(i, value)| Pending {
                    value,
                    slot: start + i,
                    depth,
                }));
                id
            }
            Value::Dictionary(dict) => {
                let depth = enter(depth, max_depth)?;
                let id = graph.objects.len();
                let start = graph.refs.len();
                let len = dict.len();
                graph.objects.push(Object::Dictionary { start, len });
                for (i, key) in dict.keys().enumerate() {
                    if !graph.mapped {
                        let id = graph.scalar(Scalar::String(key));
                        graph.refs.push(id);
                        continue;
                    }
                    let id = match last_keys.get_mut(i) {
                        Some((last, id)) if *last == key => *id,
                        Some(slot) => {
                            let id = graph.scalar(Scalar::String(key));
                            *slot = (key, id);
                            id
                        }
                        None => {
                            let id = graph.scalar(Scalar::String(key));
                            last_keys.push((key, id));
                            id
                        }
                    };
                    graph.refs.push(id);
                }
                last_keys.truncate(len);
                graph.refs.resize(start + 2 * len, 0);
                pending.extend(dict.values().enumerate().rev().map(|(i, value)| Pending {
                    value,
                    slot: start + len + i,
                    depth,
                }));
                id
            }
            _ => match scalar_of(value) {
                Some(scalar) => graph.scalar(scalar),
                None => 0,
            },
        };
        if let Some(r) = graph.refs.get_mut(slot) {
            *r = id;
        }
    }
    Ok(graph)
}

/// The depth of a container opened at `depth`, if allowed.
fn enter(depth: usize, max_depth: usize) -> Result<usize> {
    let depth = depth + 1;
    if depth > max_depth {
        return Err(Error::new(
            ErrorKind::DepthLimitExceeded,
            format!("containers nest deeper than {max_depth}"),
        ));
    }
    Ok(depth)
}

/// The fewest of 1, 2, 4 or 8 bytes that hold `n`.
fn width(n: u64) -> u8 {
    if n <= 0xFF {
        1
    } else if n <= 0xFFFF {
        2
    } else if n <= 0xFFFF_FFFF {
        4
    } else {
        8
    }
}

fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Appends the low `size` bytes of `n`, big-endian.
fn put_be(out: &mut Vec<u8>, n: u64, size: usize) {
    // Fixed-size copies, which compile to single stores rather than calls to memcpy.
    let [a, b, c, d, e, f, g, h] = n.to_be_bytes();
    match size {
        1 => out.push(h),
        2 => out.extend_from_slice(&[g, h]),
        4 => out.extend_from_slice(&[e, f, g, h]),
        _ => out.extend_from_slice(&[a, b, c, d, e, f, g, h]),
    }
}

/// Appends every number of `numbers` as `size` bytes (1, 2, 4 or 8), big-endian.
fn put_all_be(out: &mut Vec<u8>, numbers: &[usize], size: usize) {
    out.reserve(numbers.len().saturating_mul(size));
    // One loop per size, so that the size is not looked at for every number.
    match size {
        1 => out.extend(numbers.iter().map(|&n| as_u64(n).to_be_bytes()[7])),
        2 => numbers.iter().for_each(|&n| put_be(out, as_u64(n), 2)),
        4 => numbers.iter().for_each(|&n| put_be(out, as_u64(n), 4)),
        _ => numbers.iter().for_each(|&n| put_be(out, as_u64(n), 8)),
    }
}

/// Appends an unsigned integer object in its smallest form.
fn put_uint(out: &mut Vec<u8>, n: u64) {
    if i64::try_from(n).is_err() {
        // As CoreFoundation does: the 16-byte form, its high half zero.
        out.push(0x14);
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&n.to_be_bytes());
        return;
    }
    let size = width(n);
    let log2 = match size {
        1 => 0,
        2 => 1,
        4 => 2,
        _ => 3,
    };
    out.push(0x10 | log2);
    put_be(out, n, usize::from(size));
}

/// Appends a marker with its count: in the low nibble, or as an integer after 0xF.
fn put_header(out: &mut Vec<u8>, marker: u8, count: usize) {
    match u8::try_from(count) {
        Ok(n) if n < 0x0F => out.push(marker | n),
        _ => {
            out.push(marker | 0x0F);
            put_uint(out, as_u64(count));
        }
    }
}

fn put_scalar(out: &mut Vec<u8>, scalar: Scalar<'_>) {
    match scalar {
        Scalar::String(s) if s.is_ascii() => {
            put_header(out, 0x50, s.len());
            out.extend_from_slice(s.as_bytes());
        }
        Scalar::String(s) => {
            let units: usize = s.chars().map(char::len_utf16).sum();
            put_header(out, 0x60, units);
            out.reserve(units * 2);
            for unit in s.encode_utf16() {
                out.extend_from_slice(&unit.to_be_bytes());
            }
        }
        Scalar::Integer(i) => match i.as_u64() {
            Some(n) => put_uint(out, n),
            None => {
                out.push(0x13);
                out.extend_from_slice(&i.as_i64().unwrap_or_default().to_be_bytes());
            }
        },
        Scalar::Real(bits) => {
            out.push(0x23);
            out.extend_from_slice(&bits.to_be_bytes());
        }
        Scalar::Date(bits) => {
            out.push(0x33);
            out.extend_from_slice(&bits.to_be_bytes());
        }
        Scalar::Boolean(b) => out.push(if b { 0x09 } else { 0x08 }),
        Scalar::Data(d) => {
            put_header(out, 0x40, d.len());
            out.extend_from_slice(d);
        }
        Scalar::Uid(u) => {
            let size = width(u);
            out.push(0x80 | (size - 1));
            put_be(out, u, usize::from(size));
        }
    }
}

/// Writes `value` as a binary property list.
pub(crate) fn write_binary<W: Write>(
    value: &Value,
    mut writer: W,
    options: &WriteOptions,
) -> Result<()> {
    let out = to_vec(value, options)?;
    writer.write_all(&out)?;
    writer.flush()?;
    Ok(())
}

/// Writes `value` as a binary property list into a new vector, which saves
/// [`write_binary`]'s copy of the file when the caller wants the bytes.
pub(crate) fn to_vec(value: &Value, options: &WriteOptions) -> Result<Vec<u8>> {
    let graph = number(value, options.max_depth)?;
    let count = graph.objects.len();
    let ref_width = width(as_u64(count.saturating_sub(1)));
    let ref_size = usize::from(ref_width);

    // Room for the whole file, so that it is never copied to grow: the header, the
    // strings and data, up to 9 bytes of marker, count or number per object, the
    // references, an offset per object and the trailer. UTF-16 strings may still need
    // more; their room is made as they come.
    let objects_len = graph
        .payload
        .saturating_add(count.saturating_mul(9))
        .saturating_add(graph.refs.len().saturating_mul(ref_size))
        .saturating_add(8);
    let capacity = count
        .saturating_mul(usize::from(width(as_u64(objects_len))))
        .saturating_add(objects_len)
        .saturating_add(32);
    let mut out = Vec::with_capacity(capacity);
    out.extend_from_slice(b"bplist00");
    let mut offsets = Vec::with_capacity(count);
    for object in &graph.objects {
        offsets.push(out.len());
        let (marker, start, len, refs) = match *object {
            Object::Scalar(scalar) => {
                put_scalar(&mut out, scalar);
                continue;
            }
            Object::Array { start, len } => (0xA0, start, len, len),
            Object::Dictionary { start, len } => (0xD0, start, len, 2 * len),
        };
        put_header(&mut out, marker, len);
        let refs = graph.refs.get(start..start + refs).unwrap_or_default();
        put_all_be(&mut out, refs, ref_size);
    }

    let table_offset = out.len();
    let offset_width = width(as_u64(offsets.last().copied().unwrap_or_default()));
    let offset_size = usize::from(offset_width);
    out.reserve(32);
    put_all_be(&mut out, &offsets, offset_size);
    out.extend_from_slice(&[0; 6]);
    out.push(offset_width);
    out.push(ref_width);
    out.extend_from_slice(&as_u64(count).to_be_bytes());
    out.extend_from_slice(&0u64.to_be_bytes());
    out.extend_from_slice(&as_u64(table_offset).to_be_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Array, Date, Dictionary, ReadOptions, Uid};
    use proptest::prelude::*;

    fn binary(value: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        write_binary(value, &mut out, &WriteOptions::new()).unwrap();
        out
    }

    #[track_caller]
    fn round_trip(value: &Value) -> Vec<u8> {
        let bytes = binary(value);
        let back = Value::from_slice(&bytes).unwrap();
        assert_eq!(&back, value);
        bytes
    }

    /// The trailer's (offset size, ref size, object count, top, table offset).
    fn trailer(bytes: &[u8]) -> (u8, u8, u64, u64, u64) {
        let t = &bytes[bytes.len() - 32..];
        let n = |i: usize| u64::from_be_bytes(t[i..i + 8].try_into().unwrap());
        (t[6], t[7], n(8), n(16), n(24))
    }

    fn dict(entries: Vec<(&str, Value)>) -> Value {
        Value::Dictionary(entries.into_iter().collect())
    }

    #[test]
    fn integers_round_trip_in_their_smallest_form() {
        let cases: [(Value, &[u8]); 11] = [
            (Value::from(i64::MIN), &[0x13, 0x80, 0, 0, 0, 0, 0, 0, 0]),
            (
                Value::from(-1),
                &[0x13, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            ),
            (Value::from(0), &[0x10, 0]),
            (Value::from(255), &[0x10, 0xFF]),
            (Value::from(256), &[0x11, 1, 0]),
            (Value::from(65535), &[0x11, 0xFF, 0xFF]),
            (Value::from(65536), &[0x12, 0, 1, 0, 0]),
            (Value::from(u32::MAX), &[0x12, 0xFF, 0xFF, 0xFF, 0xFF]),
            (
                Value::from(i64::MAX),
                &[0x13, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            ),
            (
                Value::from(i64::MAX as u64 + 1),
                &[0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0],
            ),
            (
                Value::from(u64::MAX),
                &[
                    0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                ],
            ),
        ];
        for (value, encoded) in &cases {
            let bytes = round_trip(value);
            assert_eq!(&bytes[8..8 + encoded.len()], *encoded, "{value:?}");
            assert_eq!(bytes.len(), 8 + encoded.len() + 1 + 32);
        }
        let all: Value = cases
            .iter()
            .map(|(v, _)| v.clone())
            .collect::<Array>()
            .into();
        round_trip(&all);
    }

    #[test]
    fn exact_layout_of_a_small_dictionary() {
        let bytes = round_trip(&dict(vec![("a", 1.into())]));
        let mut expected = b"bplist00\xd1\x01\x02\x51a\x10\x01\x08\x0b\x0d".to_vec();
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 1]);
        expected.extend_from_slice(&3u64.to_be_bytes());
        expected.extend_from_slice(&0u64.to_be_bytes());
        expected.extend_from_slice(&15u64.to_be_bytes());
        assert_eq!(bytes, expected);
    }

    #[test]
    fn scalars_round_trip() {
        let values = vec![
            Value::Real(0.0),
            Value::Real(-0.0),
            Value::Real(f64::NAN),
            Value::Real(f64::INFINITY),
            Value::Real(f64::NEG_INFINITY),
            Value::Real(f64::MIN_POSITIVE),
            Value::Real(1.0e300),
            Value::Date(Date::from_apple_seconds(0.0).unwrap()),
            Value::Date(Date::from_apple_seconds(-1.0e12).unwrap()),
            Value::Date(Date::from_apple_seconds(561_651_998.25).unwrap()),
            true.into(),
            false.into(),
            Value::Data(Vec::new()),
            Value::Data(vec![0; 15]),
            Value::Data((0..=255).collect()),
            "".into(),
            "x".repeat(14).into(),
            "x".repeat(15).into(),
            "x".repeat(16).into(),
            "é".repeat(15).into(),
            "é".repeat(16).into(),
            "😀 astral and \u{0} nul".into(),
            "日本語".into(),
            Value::Uid(Uid::new(0)),
            Value::Uid(Uid::new(255)),
            Value::Uid(Uid::new(256)),
            Value::Uid(Uid::new(u64::MAX)),
        ];
        for v in &values {
            round_trip(v);
        }
        // Negative zero and zero are different objects; NaN keeps its bits.
        let bytes = round_trip(&Value::from(vec![Value::Real(0.0), Value::Real(-0.0)]));
        assert_eq!(trailer(&bytes).2, 3);
        round_trip(&Value::from(values));
        // Sizes of the 15 and 16 character strings: header 0x5F 0x10 n.
        let bytes = round_trip(&"x".repeat(15).into());
        assert_eq!(&bytes[8..11], &[0x5F, 0x10, 15]);
        let bytes = round_trip(&"é".repeat(14).into());
        assert_eq!(bytes[8], 0x6E);
        let bytes = round_trip(&"😀".into());
        assert_eq!(&bytes[8..13], &[0x62, 0xD8, 0x3D, 0xDE, 0x00]);
    }

    #[test]
    fn containers_round_trip() {
        round_trip(&Value::from(Array::new()));
        round_trip(&Value::from(Dictionary::new()));
        let big: Array = (0..70_000u32).map(Value::from).collect();
        let bytes = round_trip(&big.clone().into());
        let (offset_size, ref_size, count, top, _) = trailer(&bytes);
        assert_eq!((offset_size, ref_size, count, top), (4, 4, 70_001, 0));
        let nested = dict(vec![
            ("list", big.into()),
            ("empty", Dictionary::new().into()),
            (
                "inner",
                dict(vec![("x", vec![Value::from(Array::new())].into())]),
            ),
        ]);
        round_trip(&nested);
        let many: Dictionary = (0..300)
            .map(|i| (format!("key{i}"), Value::from(i)))
            .collect();
        round_trip(&many.into());
    }

    #[test]
    fn equal_scalars_are_stored_once() {
        let value = Value::from(vec![Value::from("same"); 100]);
        let bytes = round_trip(&value);
        assert_eq!(trailer(&bytes).2, 2);
        // Keys share with equal values and with the keys of other dictionaries; containers
        // are not shared.
        let inner = dict(vec![("Status", "Status".into()), ("n", 1.into())]);
        let value = Value::from(vec![inner.clone(), inner, 1.into(), Value::Real(1.0)]);
        let bytes = round_trip(&value);
        // root, 2 dicts, "Status", "n", 1, 1.0
        assert_eq!(trailer(&bytes).2, 7);
        let value = Value::from(vec![
            Value::Data(vec![1]),
            Value::Data(vec![1]),
            Value::Uid(Uid::new(1)),
            Value::Uid(Uid::new(1)),
            Value::Date(Date::from_apple_seconds(1.0).unwrap()),
            Value::Date(Date::from_apple_seconds(1.0).unwrap()),
            true.into(),
            true.into(),
            Value::Real(f64::NAN),
            Value::Real(f64::NAN),
            Value::from(1),
        ]);
        // root, data, UID, date, true, NaN, 1
        let bytes = round_trip(&value);
        assert_eq!(trailer(&bytes).2, 7);
    }

    #[test]
    fn equal_scalars_are_stored_once_in_large_documents() {
        // Past `SMALL` objects the maps find the duplicates; the same kinds of pairs as
        // above, and numbers of different kinds with the same 64 bits, which must stay
        // apart.
        let pairs = || {
            vec![
                Value::Data(vec![1]),
                Value::Uid(Uid::new(1)),
                Value::Date(Date::from_apple_seconds(1.0).unwrap()),
                true.into(),
                false.into(),
                Value::Real(f64::NAN),
                Value::Real(-0.0),
                Value::Real(0.0),
                Value::Real(f64::from_bits(1)),
                Value::from(1),
                Value::from(-1),
                Value::from(u64::MAX),
                Value::Uid(Uid::new(u64::MAX)),
                "1".into(),
                Value::Data(b"1".to_vec()),
            ]
        };
        let mut items = pairs();
        items.extend(pairs());
        items.extend((100..140).map(Value::from));
        items.push(dict(vec![("1", "1".into()), ("a", 1.into())]));
        let value = Value::from(items);
        let bytes = round_trip(&value);
        // root, 15 distinct scalars, 40 more integers, the dictionary and its key "a".
        assert_eq!(trailer(&bytes).2, 1 + 15 + 40 + 2);
    }

    #[test]
    fn keys_of_consecutive_dictionaries() {
        // Dictionaries whose keys match the previous one's in part, in another order, or
        // in number, in a document large enough for the maps.
        let d = |keys: &[&str]| dict(keys.iter().map(|k| (*k, Value::from(1))).collect());
        let mut items = vec![
            d(&["a", "b", "c"]),
            d(&["a", "b", "c"]),
            d(&["b", "a"]),
            d(&["a", "b", "c", "d"]),
            d(&["x"]),
            d(&[]),
            d(&["a", "x"]),
        ];
        items.extend((100..140).map(Value::from));
        let bytes = round_trip(&Value::from(items));
        // root, 7 dictionaries, keys a b c d x, the value 1, 40 integers.
        assert_eq!(trailer(&bytes).2, 1 + 7 + 5 + 1 + 40);
    }

    #[test]
    fn depth_limit() {
        let nest = |depth: usize| {
            let mut v = Value::from(1);
            for _ in 0..depth {
                v = Value::from(vec![v]);
            }
            v
        };
        let write = |v: &Value, max: usize| {
            write_binary(v, Vec::new(), &WriteOptions::new().with_max_depth(max))
        };
        write(&nest(3), 3).unwrap();
        let err = write(&nest(4), 3).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
        assert!(!binary(&nest(128)).is_empty());
        let err = write_binary(&nest(129), Vec::new(), &WriteOptions::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
        // Deep values are written and read back without recursion.
        let deep = nest(100_000);
        let mut bytes = Vec::new();
        write_binary(
            &deep,
            &mut bytes,
            &WriteOptions::new().with_max_depth(usize::MAX),
        )
        .unwrap();
        let back =
            Value::from_slice_with(&bytes, &ReadOptions::new().with_max_depth(usize::MAX)).unwrap();
        // Compare the encodings: a second encoding of the decoded value must be identical.
        let mut again = Vec::new();
        write_binary(
            &back,
            &mut again,
            &WriteOptions::new().with_max_depth(usize::MAX),
        )
        .unwrap();
        assert_eq!(again, bytes);
    }

    #[test]
    fn io_errors_are_reported() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk on fire"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let err = write_binary(&Value::from(1), Broken, &WriteOptions::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io);
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::Real),
            any::<bool>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
            "[a-c]{0,3}".prop_map(Value::from),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Data),
            any::<f64>()
                .prop_filter_map("finite", |s| Date::from_apple_seconds(s).map(Value::Date)),
            any::<u64>().prop_map(|u| Value::Uid(Uid::new(u))),
        ];
        leaf.prop_recursive(5, 96, 10, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..10).prop_map(Value::from),
                proptest::collection::vec(("[a-d]{0,2}|.{0,20}", inner), 0..10)
                    .prop_map(|entries| Value::Dictionary(entries.into_iter().collect())),
            ]
        })
    }

    /// A file holding one of every kind of object, lengths past 15 included.
    fn rich() -> Vec<u8> {
        round_trip(&dict(vec![
            (
                "ints",
                vec![Value::from(-5), 300.into(), 70_000.into(), u64::MAX.into()].into(),
            ),
            ("real", Value::Real(-2.5)),
            ("date", Value::Date(Date::from_apple_seconds(1e9).unwrap())),
            ("data", Value::Data((0..20).collect())),
            ("long key of more than fifteen", "ascii".into()),
            ("utf16", "héllo wörld 😀 and more".into()),
            ("uid", Value::Uid(Uid::new(70_000))),
            ("flags", vec![Value::from(true), false.into()].into()),
            ("empty", Dictionary::new().into()),
        ]))
    }

    #[test]
    fn rich_file_truncations_and_mutations_never_panic() {
        let bytes = rich();
        for len in 0..bytes.len() {
            assert!(Value::from_slice(&bytes[..len]).is_err(), "{len}");
        }
        for i in 0..bytes.len() {
            for v in [
                0u8,
                0x0F,
                0x1F,
                0x5F,
                0x80,
                0xFF,
                bytes[i] ^ 1,
                bytes[i] ^ 0x40,
            ] {
                let mut b = bytes.clone();
                b[i] = v;
                let _ = Value::from_slice(&b);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn arbitrary_values_round_trip(value in arb_value()) {
            let bytes = binary(&value);
            prop_assert_eq!(Value::from_slice(&bytes).unwrap(), value);
        }

        #[test]
        fn damaged_files_never_panic(
            value in arb_value(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = binary(&value);
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let _ = Value::from_slice(&bytes);
            let _ = Value::from_slice(&bytes[..cut.index(bytes.len())]);
        }
    }
}
