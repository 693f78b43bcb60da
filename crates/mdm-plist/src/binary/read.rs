//! The binary reader: checks the trailer and offset table, then walks the object graph.
//!
//! Everything the trailer declares is checked against the bytes present before anything
//! is allocated; objects are then read lazily while the graph is walked depth first with
//! an explicit stack. Error offsets name the first byte that is wrong:
//! - a bad trailer field: that field's first byte;
//! - an object offset outside the object area: its entry in the offset table;
//! - a reference to a missing object, or one that closes a cycle: the reference's bytes;
//! - a length or fixed size that runs past the object area, a bad marker, a bad date or
//!   an out-of-range integer: the object's marker (a bad length marker: that marker);
//! - a bad character: the first byte of the offending byte or UTF-16 unit.

use std::borrow::Cow;

use crate::events::{Event, Source};
use crate::{Date, Error, ErrorKind, Integer, ReadOptions, Result, Uid};

/// The magic bytes and version this reader supports.
const HEADER: &[u8; 8] = b"bplist00";
/// The trailer's size: 6 unused bytes, two size bytes and three 8-byte numbers.
const TRAILER_LEN: usize = 32;

/// Reads a binary property list as events.
pub(crate) struct BinarySource<'a> {
    bytes: &'a [u8],
    /// The object area plus the header: `bytes[..offset_table_offset]`. Every object read
    /// goes through this slice, so nothing can run into the offset table or trailer.
    pub(crate) objects: &'a [u8],
    offset_size: usize,
    pub(crate) ref_size: usize,
    /// `64 - 8 * offset_size` and `64 - 8 * ref_size`, for [`read_be_shifted`].
    offset_shift: u32,
    ref_shift: u32,
    num_objects: usize,
    pub(crate) top_object: usize,
    table_offset: usize,
    /// One bit per object: set while that container is open on the current path. Empty
    /// for documents of at most 64 objects, which use `on_path_small`.
    on_path: Vec<u64>,
    on_path_small: u64,
    stack: Vec<Frame>,
    started: bool,
    offset: usize,
    /// Keys already read, by object: `(object, offset, text)` in slot `object % KEY_CACHE`
    /// (`usize::MAX` when empty). Writers share one object among all equal keys, so
    /// each key's checks run once instead of at every use. Empty (never used) for small
    /// documents, which gain less than the cache costs.
    key_cache: Vec<(usize, usize, &'a str)>,
    /// Stretches of the object area that are valid UTF-8, found once up front: a string
    /// inside one needs no validation of its own. See [`TextRuns`].
    text: TextRuns<'a>,
}

/// How many stretches of text [`TextRuns`] keeps, and how many validation calls it makes
/// at most to find them.
const TEXT_RUNS: usize = 2;
const TEXT_SCAN_CALLS: usize = 16;
/// Shorter stretches are not kept: no string fits in them that is worth it.
const TEXT_RUN_MIN: usize = 16;

/// The object area's first stretches of valid UTF-8.
///
/// Small documents, results and check-in messages, are mostly strings: their keys and
/// values lie back to back, and the one-byte markers and references between them are
/// ASCII too, so one validation pass over the object area covers nearly every string
/// at once. Each string is then cut out of a stretch with `str::get`, which checks only
/// its two ends, instead of validating its bytes again (about 7 instructions a byte for
/// short strings). The scan stops after a few stretches, so a document of data or
/// numbers pays almost nothing for it; strings outside the stretches are validated one
/// by one as before.
struct TextRuns<'a> {
    /// `(start offset, text, whether it is all ASCII)`; the first `len` are set.
    runs: [(usize, &'a str, bool); TEXT_RUNS],
    len: usize,
}

impl<'a> TextRuns<'a> {
    fn find(objects: &'a [u8]) -> Self {
        let mut text = Self {
            runs: [(0, "", true); TEXT_RUNS],
            len: 0,
        };
        let mut at = HEADER.len();
        for _ in 0..TEXT_SCAN_CALLS {
            let Some(rest) = objects.get(at..).filter(|r| !r.is_empty()) else {
                break;
            };
            let (run, valid, skip) = match std::str::from_utf8(rest) {
                Ok(run) => (Some(run), rest.len(), 0),
                // The valid part is validated again to get it as text (only when worth
                // keeping): still cheaper than validating each of its strings.
                Err(e) => (
                    rest.get(..e.valid_up_to())
                        .filter(|valid| valid.len() >= TEXT_RUN_MIN)
                        .and_then(|valid| std::str::from_utf8(valid).ok()),
                    e.valid_up_to(),
                    e.error_len().map_or(1, usize::from),
                ),
            };
            if let (Some(run), Some(slot)) = (run, text.runs.get_mut(text.len)) {
                *slot = (at, run, all_ascii(run.as_bytes()));
                text.len += 1;
                if text.len == TEXT_RUNS {
                    break;
                }
            }
            at = at.saturating_add(valid).saturating_add(skip);
        }
        text
    }

    /// The text of `len` bytes at `start`, if it lies in one stretch and starts and ends
    /// on character boundaries, with whether that stretch is all ASCII.
    #[inline]
    fn get(&self, start: usize, len: usize) -> Option<(&'a str, bool)> {
        let runs = self.runs.get(..self.len)?;
        for &(run_start, run, ascii) in runs {
            if let Some(from) = start.checked_sub(run_start)
                && let Some(text) = run.get(from..from.saturating_add(len))
            {
                return Some((text, ascii));
            }
        }
        None
    }
}

/// Slots of [`BinarySource::key_cache`].
const KEY_CACHE: usize = 16;
/// Documents with fewer objects have no key cache.
const KEY_CACHE_MIN_OBJECTS: usize = 64;

/// An open container.
struct Frame {
    object: usize,
    marker: usize,
    /// Where the references start: all keys then all values for a dictionary.
    refs: usize,
    /// Items (arrays) or entries (dictionaries).
    len: usize,
    /// The next item or entry to emit.
    next: usize,
    is_dictionary: bool,
    /// Dictionaries: the key of entry `next` was emitted, its value is next.
    key_sent: bool,
}

/// One decoded object: a finished scalar event or the header of a container.
pub(crate) enum Object<'a> {
    Scalar(Event<'a>),
    Container {
        is_dictionary: bool,
        len: usize,
        refs: usize,
    },
}

/// Reads a big-endian unsigned number of `size` (at most 8) bytes at `at`.
#[inline]
fn read_be(bytes: &[u8], at: usize, size: usize) -> Option<u64> {
    let rest = bytes.get(at..)?;
    // The sizes the format uses, as single loads; any other size byte by byte.
    match size {
        1 => rest.first().map(|&b| u64::from(b)),
        2 => rest
            .first_chunk()
            .map(|&b| u64::from(u16::from_be_bytes(b))),
        4 => rest
            .first_chunk()
            .map(|&b| u64::from(u32::from_be_bytes(b))),
        8 => rest.first_chunk().map(|&b| u64::from_be_bytes(b)),
        _ => {
            let b = rest.get(..size)?;
            Some(b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
        }
    }
}

/// [`read_be`] for the offset table and references, whose size is fixed per document:
/// one 8-byte load shifted right by `shift` (`64 - 8 * size`) when 8 bytes remain, which
/// skips the dispatch on the size.
#[inline]
fn read_be_shifted(bytes: &[u8], at: usize, size: usize, shift: u32) -> Option<u64> {
    match bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        Some(b) => Some(u64::from_be_bytes(*b) >> shift),
        None => read_be(bytes, at, size),
    }
}

/// Reads a fixed-size array at `at`.
fn read_array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..)?.first_chunk::<N>().copied()
}

/// Whether every byte is below 0x80, eight bytes at a time and without early exit:
/// cheaper than `<[u8]>::is_ascii` on the short strings of a property list.
#[inline]
fn all_ascii(bytes: &[u8]) -> bool {
    let (words, tail) = bytes.as_chunks::<8>();
    let high = words
        .iter()
        .fold(0u64, |acc, word| acc | u64::from_ne_bytes(*word));
    let tail = tail.iter().fold(0u8, |acc, &b| acc | b);
    high & 0x8080_8080_8080_8080 == 0 && tail < 0x80
}

fn legal_size(size: u8) -> bool {
    matches!(size, 1 | 2 | 4 | 8)
}

impl<'a> BinarySource<'a> {
    /// Checks the header, trailer and offset table.
    pub(crate) fn new(bytes: &'a [u8], options: &ReadOptions) -> Result<Self> {
        let _ = options;
        let Some(magic) = bytes.first_chunk::<8>() else {
            if HEADER.starts_with(bytes) {
                return Err(Error::at(
                    ErrorKind::UnexpectedEof,
                    bytes.len(),
                    "the input ends inside the bplist00 header",
                ));
            }
            return Err(Error::at(
                ErrorKind::UnknownFormat,
                0,
                "not a binary property list",
            ));
        };
        if !magic.starts_with(b"bplist") {
            return Err(Error::at(
                ErrorKind::UnknownFormat,
                0,
                "not a binary property list",
            ));
        }
        if magic != HEADER {
            let version = magic.get(6..).unwrap_or_default().escape_ascii();
            return Err(Error::at(
                ErrorKind::UnknownFormat,
                6,
                format!("binary property list version \"{version}\" is not supported, only \"00\""),
            ));
        }
        let Some(t) = bytes
            .len()
            .checked_sub(TRAILER_LEN)
            .filter(|&t| t >= HEADER.len())
        else {
            return Err(Error::at(
                ErrorKind::UnexpectedEof,
                bytes.len(),
                "the input is too short to hold the 32-byte trailer",
            ));
        };
        let Some(trailer) = read_array::<TRAILER_LEN>(bytes, t) else {
            return Err(Error::at(
                ErrorKind::UnexpectedEof,
                bytes.len(),
                "no trailer",
            ));
        };
        let [_, _, _, _, _, _, offset_size, ref_size, ..] = trailer;
        if !legal_size(offset_size) {
            return Err(Error::at(
                ErrorKind::InvalidTrailer,
                t + 6,
                format!("the offset size is {offset_size}, not 1, 2, 4 or 8"),
            ));
        }
        if !legal_size(ref_size) {
            return Err(Error::at(
                ErrorKind::InvalidTrailer,
                t + 7,
                format!("the object reference size is {ref_size}, not 1, 2, 4 or 8"),
            ));
        }
        let field = |i: usize| read_be(&trailer, i, 8).unwrap_or(u64::MAX);
        let (num_objects, top_object, table_offset) = (field(8), field(16), field(24));

        // The offset table lies after the header and at least one object byte, and before
        // the trailer.
        let table_offset = match usize::try_from(table_offset) {
            Ok(o) if o > HEADER.len() && o <= t => o,
            _ => {
                return Err(Error::at(
                    ErrorKind::InvalidTrailer,
                    t + 24,
                    format!(
                        "the offset table offset {table_offset} is not between the header and the trailer"
                    ),
                ));
            }
        };
        if num_objects == 0 {
            return Err(Error::at(
                ErrorKind::InvalidTrailer,
                t + 8,
                "the trailer declares no objects",
            ));
        }
        let room = t - table_offset;
        let trailer_offset_size = offset_size;
        let offset_size = usize::from(offset_size);
        let table_len = usize::try_from(num_objects)
            .ok()
            .and_then(|n| n.checked_mul(offset_size));
        let num_objects = match table_len {
            Some(len) if len == room => room / offset_size,
            Some(len) if len < room => {
                return Err(Error::at(
                    ErrorKind::InvalidTrailer,
                    t + 8,
                    format!(
                        "{num_objects} offsets of {offset_size} bytes leave {} bytes between the offset table and the trailer",
                        room - len
                    ),
                ));
            }
            _ => {
                return Err(Error::at(
                    ErrorKind::LengthExceedsInput,
                    t + 8,
                    format!(
                        "{num_objects} offsets of {offset_size} bytes do not fit in the {room} bytes before the trailer"
                    ),
                ));
            }
        };
        let top_object = match usize::try_from(top_object) {
            Ok(top) if top < num_objects => top,
            _ => {
                return Err(Error::at(
                    ErrorKind::InvalidTrailer,
                    t + 16,
                    format!("the top object {top_object} is not one of the {num_objects} objects"),
                ));
            }
        };
        Ok(Self {
            bytes,
            objects: bytes.get(..table_offset).unwrap_or_default(),
            offset_size,
            ref_size: usize::from(ref_size),
            offset_shift: 64 - 8 * u32::from(trailer_offset_size),
            ref_shift: 64 - 8 * u32::from(ref_size),
            num_objects,
            top_object,
            table_offset,
            on_path: if num_objects > 64 {
                vec![0; num_objects.div_ceil(64)]
            } else {
                Vec::new()
            },
            on_path_small: 0,
            stack: Vec::new(),
            started: false,
            offset: 0,
            key_cache: if num_objects >= KEY_CACHE_MIN_OBJECTS {
                vec![(usize::MAX, 0, ""); KEY_CACHE]
            } else {
                Vec::new()
            },
            text: TextRuns::find(bytes.get(..table_offset).unwrap_or_default()),
        })
    }

    /// The offset of object `object` (already known to exist), checked to lie in the
    /// object area.
    #[inline(always)]
    pub(crate) fn object_offset(&self, object: usize) -> Result<usize> {
        let entry = object
            .checked_mul(self.offset_size)
            .and_then(|o| o.checked_add(self.table_offset))
            .unwrap_or(usize::MAX);
        match read_be_shifted(self.bytes, entry, self.offset_size, self.offset_shift)
            .map(usize::try_from)
        {
            Some(Ok(offset)) if offset >= HEADER.len() && offset < self.table_offset => Ok(offset),
            _ => Err(self.bad_offset(object, entry)),
        }
    }

    /// The error for object `object`, whose offset table entry at `entry` is missing or
    /// points outside the object area.
    #[cold]
    #[inline(never)]
    fn bad_offset(&self, object: usize, entry: usize) -> Error {
        let Some(raw) = read_be(self.bytes, entry, self.offset_size) else {
            return Error::at(ErrorKind::InvalidOffset, entry, "no offset table entry");
        };
        Error::at(
            ErrorKind::InvalidOffset,
            entry,
            format!(
                "object {object} has offset {raw}, outside the object area {}..{}",
                HEADER.len(),
                self.table_offset
            ),
        )
    }

    /// Reads the object reference at `at` (inside a checked container).
    #[inline]
    pub(crate) fn read_ref(&self, at: usize) -> Result<usize> {
        match read_be_shifted(self.objects, at, self.ref_size, self.ref_shift).map(usize::try_from)
        {
            Some(Ok(object)) if object < self.num_objects => Ok(object),
            _ => Err(self.bad_ref(at)),
        }
    }

    /// The error for the reference at `at`, which runs past the object area or names a
    /// missing object.
    #[cold]
    #[inline(never)]
    fn bad_ref(&self, at: usize) -> Error {
        let Some(raw) = read_be(self.objects, at, self.ref_size) else {
            return exceeds(at, "the reference runs past the object area");
        };
        Error::at(
            ErrorKind::InvalidOffset,
            at,
            format!(
                "reference to object {raw}, but there are only {} objects",
                self.num_objects
            ),
        )
    }

    /// `len` bytes at `start`, inside the object area; `marker` names the object.
    fn take(&self, marker: usize, start: usize, len: usize) -> Result<&'a [u8]> {
        start
            .checked_add(len)
            .and_then(|end| self.objects.get(start..end))
            .ok_or_else(|| {
                exceeds(
                    marker,
                    format!("the object needs {len} bytes, past the end of the object area"),
                )
            })
    }

    /// The count in a marker's low nibble, or in the integer object after it when the
    /// nibble is 0xF. Returns the count and where the object's content starts.
    fn count(&self, marker: usize, nibble: u8) -> Result<(usize, usize)> {
        let next = marker.saturating_add(1);
        if nibble != 0xF {
            return Ok((usize::from(nibble), next));
        }
        let Some(&int_marker) = self.objects.get(next) else {
            return Err(exceeds(marker, "the length runs past the object area"));
        };
        let size = match int_marker {
            0x10..=0x13 => 1usize << (int_marker & 0x0F),
            _ => {
                return Err(Error::at(
                    ErrorKind::InvalidMarker,
                    next,
                    format!(
                        "a length must be an integer of 1 to 8 bytes, not marker 0x{int_marker:02x}"
                    ),
                ));
            }
        };
        let start = next.saturating_add(1);
        let Some(raw) = read_be(self.objects, start, size) else {
            return Err(exceeds(marker, "the length runs past the object area"));
        };
        let count = usize::try_from(raw)
            .map_err(|_| exceeds(marker, format!("the length {raw} is larger than the input")))?;
        Ok((count, start.saturating_add(size)))
    }

    /// The content of a counted object of `unit`-byte elements, checked against the
    /// object area before anything is read or allocated.
    fn counted(&self, marker: usize, nibble: u8, unit: usize) -> Result<(usize, usize, &'a [u8])> {
        let (count, start) = self.count(marker, nibble)?;
        let room = self.table_offset.saturating_sub(start);
        match count.checked_mul(unit) {
            Some(len) if len <= room => Ok((count, start, self.take(marker, start, len)?)),
            _ => Err(exceeds(
                marker,
                format!(
                    "the object declares {count} elements of {unit} bytes, but only {room} bytes remain before the offset table"
                ),
            )),
        }
    }

    /// Decodes the object at `at`.
    pub(crate) fn object(&self, at: usize) -> Result<Object<'a>> {
        let Some(&marker) = self.objects.get(at) else {
            return Err(Error::at(ErrorKind::InvalidOffset, at, "no object here"));
        };
        let nibble = marker & 0x0F;
        let body = at.saturating_add(1);
        let scalar = match marker >> 4 {
            0x0 => match nibble {
                0x8 => Event::Boolean(false),
                0x9 => Event::Boolean(true),
                0x0 => return Err(bad_marker(at, marker, "null has no property list value")),
                0xF => return Err(bad_marker(at, marker, "fill bytes are not a value")),
                _ => return Err(bad_marker(at, marker, "undefined marker")),
            },
            0x1 => Event::Integer(self.integer(at, nibble)?),
            0x2 => match nibble {
                2 => {
                    let b = read_array::<4>(self.objects, body)
                        .ok_or_else(|| exceeds(at, "the real runs past the object area"))?;
                    Event::Real(f64::from(f32::from_be_bytes(b)))
                }
                3 => Event::Real(f64::from_be_bytes(self.eight(at)?)),
                _ => return Err(bad_marker(at, marker, "a real must have 4 or 8 bytes")),
            },
            0x3 => {
                if nibble != 3 {
                    return Err(bad_marker(at, marker, "a date is marker 0x33"));
                }
                let seconds = f64::from_be_bytes(self.eight(at)?);
                match Date::from_apple_seconds(seconds) {
                    Some(date) => Event::Date(date),
                    None => {
                        return Err(Error::at(
                            ErrorKind::InvalidDate,
                            at,
                            format!("the date {seconds} is not a finite number"),
                        ));
                    }
                }
            }
            0x4 => Event::Data(Cow::Borrowed(self.counted(at, nibble, 1)?.2)),
            0x5..=0x7 => Event::String(self.string(at, marker)?),
            0x8 => {
                if nibble > 7 {
                    return Err(bad_marker(at, marker, "a UID has 1 to 8 bytes"));
                }
                let raw = read_be(self.objects, body, usize::from(nibble) + 1)
                    .ok_or_else(|| exceeds(at, "the UID runs past the object area"))?;
                Event::Uid(Uid::new(raw))
            }
            0xA | 0xD => {
                let is_dictionary = marker >> 4 == 0xD;
                let per_entry = if is_dictionary { 2 } else { 1 };
                let unit = self.ref_size.saturating_mul(per_entry);
                let (len, refs, _) = self.counted(at, nibble, unit)?;
                return Ok(Object::Container {
                    is_dictionary,
                    len,
                    refs,
                });
            }
            0xC => return Err(bad_marker(at, marker, "sets are not property list values")),
            _ => return Err(bad_marker(at, marker, "undefined marker")),
        };
        Ok(Object::Scalar(scalar))
    }

    /// The 8 bytes after the marker at `at`.
    fn eight(&self, at: usize) -> Result<[u8; 8]> {
        read_array::<8>(self.objects, at.saturating_add(1))
            .ok_or_else(|| exceeds(at, "the value runs past the object area"))
    }

    fn integer(&self, at: usize, nibble: u8) -> Result<Integer> {
        let body = at.saturating_add(1);
        let short = |size: usize| {
            read_be(self.objects, body, size)
                .map(Integer::from)
                .ok_or_else(|| exceeds(at, "the integer runs past the object area"))
        };
        match nibble {
            0 => short(1),
            1 => short(2),
            2 => short(4),
            3 => Ok(Integer::from(i64::from_be_bytes(self.eight(at)?))),
            4 => {
                let b = read_array::<16>(self.objects, body)
                    .ok_or_else(|| exceeds(at, "the integer runs past the object area"))?;
                let wide = i128::from_be_bytes(b);
                Integer::from_i128(wide).ok_or_else(|| {
                    Error::at(
                        ErrorKind::IntegerOutOfRange,
                        at,
                        format!("the integer {wide} is outside i64::MIN..=u64::MAX"),
                    )
                })
            }
            _ => Err(bad_marker(
                at,
                0x10 | nibble,
                "an integer has 1, 2, 4, 8 or 16 bytes",
            )),
        }
    }

    /// The common case of [`Self::counted`] for bytes: a length under 256 (in the marker
    /// or a one-byte integer after it) and content inside the object area. `None` leaves
    /// everything else, errors included, to `counted`.
    #[inline]
    fn short_bytes(&self, at: usize, nibble: u8) -> Option<(usize, &'a [u8])> {
        let (len, start) = if nibble != 0xF {
            (usize::from(nibble), at.checked_add(1)?)
        } else {
            match self.objects.get(at.checked_add(1)?..at.checked_add(3)?)? {
                [0x10, len] => (usize::from(*len), at.checked_add(3)?),
                _ => return None,
            }
        };
        Some((start, self.objects.get(start..start.checked_add(len)?)?))
    }

    /// A string object (0x5n ASCII, 0x6n UTF-16BE, 0x7n UTF-8) at `at`.
    #[inline]
    pub(crate) fn string(&self, at: usize, marker: u8) -> Result<Cow<'a, str>> {
        match self.plain_str(at, marker) {
            Some(text) => Ok(Cow::Borrowed(text)),
            None => self.any_string(at, marker),
        }
    }

    /// The common case of [`Self::string`]: a valid ASCII or UTF-8 string whose length is
    /// under 256. `None` leaves everything else, errors included, to
    /// [`Self::any_string`].
    #[inline]
    pub(crate) fn plain_str(&self, at: usize, marker: u8) -> Option<&'a str> {
        let kind = marker >> 4;
        if kind != 0x5 && kind != 0x7 {
            return None;
        }
        let (start, raw) = self.short_bytes(at, marker & 0x0F)?;
        let (text, ascii) = match self.text.get(start, raw.len()) {
            Some(found) => found,
            None => (std::str::from_utf8(raw).ok()?, false),
        };
        (kind == 0x7 || ascii || all_ascii(text.as_bytes())).then_some(text)
    }

    /// [`Self::string`] for every string object, with the error for a bad one.
    #[inline(never)]
    fn any_string(&self, at: usize, marker: u8) -> Result<Cow<'a, str>> {
        let nibble = marker & 0x0F;
        match marker >> 4 {
            0x5 => {
                let (start, raw) = match self.short_bytes(at, nibble) {
                    Some(found) => found,
                    None => {
                        let (_, start, raw) = self.counted(at, nibble, 1)?;
                        (start, raw)
                    }
                };
                // Both checks run a word at a time; the byte to blame is only looked for
                // when one fails.
                match std::str::from_utf8(raw) {
                    Ok(text) if text.is_ascii() => Ok(Cow::Borrowed(text)),
                    _ => {
                        let bad = raw.iter().position(|b| !b.is_ascii()).unwrap_or(0);
                        Err(Error::at(
                            ErrorKind::InvalidUtf8,
                            start.saturating_add(bad),
                            "an ASCII string holds a byte above 0x7f",
                        ))
                    }
                }
            }
            0x6 => {
                let (count, start, raw) = self.counted(at, nibble, 2)?;
                let (units, _) = raw.as_chunks::<2>();
                // Every unit decodes to at most 3 UTF-8 bytes; count is bounded by the input.
                let mut out = String::with_capacity(count);
                let mut unit = 0usize;
                for c in char::decode_utf16(units.iter().map(|u| u16::from_be_bytes(*u))) {
                    match c {
                        Ok(c) => {
                            out.push(c);
                            unit = unit.saturating_add(c.len_utf16());
                        }
                        Err(e) => {
                            return Err(Error::at(
                                ErrorKind::InvalidUtf8,
                                start.saturating_add(unit.saturating_mul(2)),
                                format!(
                                    "a UTF-16 string holds the unpaired surrogate 0x{:04x}",
                                    e.unpaired_surrogate()
                                ),
                            ));
                        }
                    }
                }
                Ok(Cow::Owned(out))
            }
            _ => {
                let (start, raw) = match self.short_bytes(at, nibble) {
                    Some(found) => found,
                    None => {
                        let (_, start, raw) = self.counted(at, nibble, 1)?;
                        (start, raw)
                    }
                };
                std::str::from_utf8(raw).map(Cow::Borrowed).map_err(|e| {
                    Error::at(
                        ErrorKind::InvalidUtf8,
                        start.saturating_add(e.valid_up_to()),
                        "a UTF-8 string is not valid UTF-8",
                    )
                })
            }
        }
    }

    pub(crate) fn is_open(&self, object: usize) -> bool {
        let word = if self.on_path.is_empty() {
            Some(&self.on_path_small).filter(|_| object < 64)
        } else {
            self.on_path.get(object / 64)
        };
        word.is_some_and(|w| w & (1 << (object % 64)) != 0)
    }

    pub(crate) fn set_open(&mut self, object: usize, open: bool) {
        let word = if self.on_path.is_empty() {
            Some(&mut self.on_path_small).filter(|_| object < 64)
        } else {
            self.on_path.get_mut(object / 64)
        };
        if let Some(w) = word {
            let bit = 1u64 << (object % 64);
            if open {
                *w |= bit;
            } else {
                *w &= !bit;
            }
        }
    }

    /// Emits the object `object`, referenced from `ref_at` (`None` for the top object).
    fn enter(&mut self, object: usize, ref_at: Option<usize>) -> Result<Event<'a>> {
        let at = self.object_offset(object)?;
        self.offset = at;
        match self.object(at)? {
            Object::Scalar(event) => Ok(event),
            Object::Container {
                is_dictionary,
                len,
                refs,
            } => {
                if self.is_open(object) {
                    return Err(Error::at(
                        ErrorKind::CyclicReference,
                        ref_at.unwrap_or(at),
                        format!("object {object} contains itself"),
                    ));
                }
                self.set_open(object, true);
                self.stack.push(Frame {
                    object,
                    marker: at,
                    refs,
                    len,
                    next: 0,
                    is_dictionary,
                    key_sent: false,
                });
                Ok(if is_dictionary {
                    Event::StartDictionary(Some(len))
                } else {
                    Event::StartArray(Some(len))
                })
            }
        }
    }

    /// The text of key object `object` when it is cached or a plain string (see
    /// [`Self::plain_str`]), caching it; `None` leaves everything else, errors included,
    /// to [`Self::key`].
    #[inline]
    pub(crate) fn plain_key(&mut self, object: usize) -> Option<&'a str> {
        let slot = object % KEY_CACHE;
        if let Some(&(cached, _, text)) = self.key_cache.get(slot)
            && cached == object
        {
            return Some(text);
        }
        let at = self.object_offset(object).ok()?;
        let text = self.plain_str(at, *self.objects.get(at)?)?;
        if let Some(entry) = self.key_cache.get_mut(slot) {
            *entry = (object, at, text);
        }
        Some(text)
    }

    /// Object `object` as text, with its offset, when it is a plain string (see
    /// [`Self::plain_str`]): the offset lookup, marker, length and text in one pass, for
    /// the fast paths. It repeats `plain_str` inline on purpose: calling it costs 2.6 %
    /// of the `albc_binary` typed decode (callgrind). `None` leaves everything else, errors included, to the general
    /// path. Arithmetic saturates where an overflow can only produce a position past the
    /// input, which the next bounds check refuses.
    #[inline]
    pub(crate) fn plain_string_object(&self, object: usize) -> Option<(usize, &'a str)> {
        let entry = object
            .saturating_mul(self.offset_size)
            .saturating_add(self.table_offset);
        // The trailer follows the offset table, so 8 bytes are always there to load.
        let raw = self.bytes.get(entry..)?.first_chunk::<8>()?;
        let at = usize::try_from(u64::from_be_bytes(*raw) >> self.offset_shift).ok()?;
        if at < HEADER.len() {
            return None;
        }
        // `objects` ends at the offset table: an offset at or past it finds nothing.
        let (&marker, body) = self.objects.get(at..)?.split_first()?;
        let kind = marker >> 4;
        if kind != 0x5 && kind != 0x7 {
            return None;
        }
        let (len, start) = match marker & 0x0F {
            0x0F => match body {
                [0x10, len, ..] => (usize::from(*len), at.saturating_add(3)),
                _ => return None,
            },
            nibble => (usize::from(nibble), at.saturating_add(1)),
        };
        let (text, ascii) = match self.text.get(start, len) {
            Some(found) => found,
            None => (
                std::str::from_utf8(self.objects.get(start..start.saturating_add(len))?).ok()?,
                false,
            ),
        };
        (kind == 0x7 || ascii || all_ascii(text.as_bytes())).then_some((at, text))
    }

    /// Emits the key object `object`, which must be a string.
    #[inline]
    pub(crate) fn key(&mut self, object: usize) -> Result<Event<'a>> {
        let slot = object % KEY_CACHE;
        if let Some(&(cached, at, text)) = self.key_cache.get(slot)
            && cached == object
        {
            self.offset = at;
            return Ok(Event::Key(Cow::Borrowed(text)));
        }
        self.read_key(object, slot)
    }

    /// [`Self::key`] for a key not in the cache: reads and checks it, then caches it in
    /// `slot`.
    #[inline(never)]
    fn read_key(&mut self, object: usize, slot: usize) -> Result<Event<'a>> {
        let at = self.object_offset(object)?;
        self.offset = at;
        let marker = self.objects.get(at).copied().unwrap_or_default();
        if !matches!(marker >> 4, 0x5..=0x7) {
            return Err(Error::at(
                ErrorKind::InvalidKey,
                at,
                format!("a dictionary key must be a string, not marker 0x{marker:02x}"),
            ));
        }
        let key = self.string(at, marker)?;
        if let (Cow::Borrowed(text), Some(entry)) = (&key, self.key_cache.get_mut(slot)) {
            *entry = (object, at, text);
        }
        Ok(Event::Key(key))
    }
}

fn exceeds(at: usize, message: impl Into<String>) -> Error {
    Error::at(ErrorKind::LengthExceedsInput, at, message)
}

fn bad_marker(at: usize, marker: u8, what: &str) -> Error {
    Error::at(
        ErrorKind::InvalidMarker,
        at,
        format!("marker 0x{marker:02x}: {what}"),
    )
}

impl<'a> Source<'a> for BinarySource<'a> {
    fn next_event(&mut self) -> Result<Event<'a>> {
        if !self.started {
            self.started = true;
            return self.enter(self.top_object, None);
        }
        let ref_size = self.ref_size;
        let Some(frame) = self.stack.last_mut() else {
            return Err(Error::at(
                ErrorKind::UnexpectedEof,
                self.bytes.len(),
                "the document is already complete",
            ));
        };
        if frame.next >= frame.len {
            let (object, marker, is_dictionary) = (frame.object, frame.marker, frame.is_dictionary);
            self.stack.pop();
            self.set_open(object, false);
            self.offset = marker;
            return Ok(if is_dictionary {
                Event::EndDictionary
            } else {
                Event::EndArray
            });
        }
        let index = frame.next;
        let slot_at = |slot: usize| frame.refs.saturating_add(slot.saturating_mul(ref_size));
        if frame.is_dictionary && !frame.key_sent {
            frame.key_sent = true;
            let ref_at = slot_at(index);
            let object = self.read_ref(ref_at)?;
            return self.key(object);
        }
        let ref_at = if frame.is_dictionary {
            slot_at(frame.len.saturating_add(index))
        } else {
            slot_at(index)
        };
        frame.next = index.saturating_add(1);
        frame.key_sent = false;
        let object = self.read_ref(ref_at)?;
        self.enter(object, Some(ref_at))
    }

    fn event_offset(&self) -> usize {
        self.offset
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Parser;
    use crate::{Format, Value};
    use std::path::Path;
    use std::time::{Duration, Instant};

    /// Appends a trailer.
    fn trailer(out: &mut Vec<u8>, offset_size: u8, ref_size: u8, count: u64, top: u64, table: u64) {
        out.extend_from_slice(&[0; 6]);
        out.push(offset_size);
        out.push(ref_size);
        out.extend_from_slice(&count.to_be_bytes());
        out.extend_from_slice(&top.to_be_bytes());
        out.extend_from_slice(&table.to_be_bytes());
    }

    /// A file of these objects (references one byte), offsets in one byte.
    fn assemble(objects: &[&[u8]], top: u64) -> Vec<u8> {
        let mut out = HEADER.to_vec();
        let mut offsets = Vec::new();
        for object in objects {
            offsets.push(out.len());
            out.extend_from_slice(object);
        }
        let table = out.len();
        let wide = table > 255;
        for offset in &offsets {
            if wide {
                out.extend_from_slice(&u16::try_from(*offset).unwrap().to_be_bytes());
            } else {
                out.push(u8::try_from(*offset).unwrap());
            }
        }
        let size = if wide { 2 } else { 1 };
        trailer(&mut out, size, 1, offsets.len() as u64, top, table as u64);
        out
    }

    fn read(bytes: &[u8]) -> Result<Value> {
        Value::from_slice_with(bytes, &ReadOptions::new().with_format(Some(Format::Binary)))
    }

    #[track_caller]
    fn fails(bytes: &[u8], kind: ErrorKind, offset: usize) -> Error {
        let err = read(bytes).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (kind, Some(offset as u64)),
            "{err}"
        );
        err
    }

    /// `{"a": [true, 1], "b": "héllo"}` and an int, hand assembled.
    fn sample() -> Vec<u8> {
        assemble(
            &[
                &[0xD2, 1, 2, 3, 4],
                b"\x51a",
                b"\x51b",
                &[0xA2, 5, 6],
                &[0x65, 0, b'h', 0, 0xE9, 0, b'l', 0, b'l', 0, b'o'],
                &[0x09],
                &[0x10, 1],
            ],
            0,
        )
    }

    /// An array of 70 dictionaries `{"k": true}` sharing one key object; the last one
    /// names that key twice when `duplicate` is set.
    fn shared_keys(duplicate: bool) -> Vec<u8> {
        let n = 70u8;
        let mut top = vec![0xAF, 0x10, n];
        top.extend((0..n).map(|i| 3 + i));
        let mut objects: Vec<Vec<u8>> = vec![top, b"\x51k".to_vec(), vec![0x09]];
        for i in 0..n {
            if duplicate && i + 1 == n {
                objects.push(vec![0xD2, 1, 1, 2, 2]);
            } else {
                objects.push(vec![0xD1, 1, 2]);
            }
        }
        let refs: Vec<&[u8]> = objects.iter().map(Vec::as_slice).collect();
        assemble(&refs, 0)
    }

    #[test]
    fn shared_key_objects_read_alike_at_every_use() {
        let value = read(&shared_keys(false)).unwrap();
        let items = value.as_array().unwrap();
        assert_eq!(items.len(), 70);
        for item in items.iter() {
            assert_eq!(
                item.as_dictionary().unwrap().get("k"),
                Some(&Value::Boolean(true))
            );
        }
        let bytes = shared_keys(true);
        let err = read(&bytes).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateKey);
        assert_eq!(err.path(), "/69/k");
        // The key object's own offset, as for a key read the first time.
        let key_at = bytes.windows(2).position(|w| w == b"\x51k").unwrap();
        assert_eq!(err.offset(), Some(key_at as u64));
    }

    #[test]
    fn reads_hand_assembled_file() {
        let value = read(&sample()).unwrap();
        let expected: Value = [
            ("a", Value::from(vec![Value::from(true), 1.into()])),
            ("b", "héllo".into()),
        ]
        .into_iter()
        .collect::<crate::Dictionary>()
        .into();
        assert_eq!(value, expected);
    }

    #[test]
    fn events_carry_marker_offsets_and_borrow() {
        let bytes = sample();
        let mut source = BinarySource::new(&bytes, &ReadOptions::new()).unwrap();
        let mut seen = Vec::new();
        for _ in 0..9 {
            let event = source.next_event().unwrap();
            seen.push((event, source.event_offset()));
        }
        assert_eq!(seen[0], (Event::StartDictionary(Some(2)), 8));
        assert!(matches!(&seen[1].0, Event::Key(Cow::Borrowed("a"))));
        assert_eq!(seen[1].1, 13);
        assert_eq!(seen[2], (Event::StartArray(Some(2)), 17));
        assert_eq!(seen[3], (Event::Boolean(true), 31));
        assert_eq!(seen[4], (Event::Integer(1.into()), 32));
        assert_eq!(seen[5], (Event::EndArray, 17));
        assert_eq!(seen[6].1, 15);
        assert!(matches!(&seen[7].0, Event::String(Cow::Owned(s)) if s == "héllo"));
        assert_eq!(seen[8], (Event::EndDictionary, 8));
    }

    #[test]
    fn header_errors() {
        let opts = ReadOptions::new();
        let err = |bytes: &[u8]| {
            let e = BinarySource::new(bytes, &opts).err().unwrap();
            (e.kind(), e.offset().unwrap())
        };
        assert_eq!(err(b""), (ErrorKind::UnexpectedEof, 0));
        assert_eq!(err(b"bplist"), (ErrorKind::UnexpectedEof, 6));
        assert_eq!(err(b"<plist/>"), (ErrorKind::UnknownFormat, 0));
        let mut v15 = sample();
        v15[6..8].copy_from_slice(b"15");
        assert_eq!(err(&v15), (ErrorKind::UnknownFormat, 6));
        let mut short = HEADER.to_vec();
        short.extend_from_slice(&[0; 31]);
        assert_eq!(err(&short), (ErrorKind::UnexpectedEof, 39));
    }

    #[test]
    fn trailer_errors() {
        let good = sample();
        let t = good.len() - 32;
        let table = u64::from_be_bytes(good[t + 24..].try_into().unwrap());
        let with = |at: usize, bytes: &[u8]| {
            let mut b = good.clone();
            b[t + at..t + at + bytes.len()].copy_from_slice(bytes);
            b
        };
        fails(&with(6, &[3]), ErrorKind::InvalidTrailer, t + 6);
        fails(&with(6, &[0]), ErrorKind::InvalidTrailer, t + 6);
        fails(&with(7, &[16]), ErrorKind::InvalidTrailer, t + 7);
        fails(
            &with(8, &0u64.to_be_bytes()),
            ErrorKind::InvalidTrailer,
            t + 8,
        );
        fails(
            &with(8, &6u64.to_be_bytes()),
            ErrorKind::InvalidTrailer,
            t + 8,
        );
        fails(
            &with(8, &8u64.to_be_bytes()),
            ErrorKind::LengthExceedsInput,
            t + 8,
        );
        fails(
            &with(8, &u64::MAX.to_be_bytes()),
            ErrorKind::LengthExceedsInput,
            t + 8,
        );
        // 2^61 offsets of 8 bytes overflow 64 bits.
        let mut overflow = with(8, &(1u64 << 61).to_be_bytes());
        overflow[t + 6] = 8;
        fails(&overflow, ErrorKind::LengthExceedsInput, t + 8);
        fails(
            &with(16, &7u64.to_be_bytes()),
            ErrorKind::InvalidTrailer,
            t + 16,
        );
        fails(
            &with(16, &u64::MAX.to_be_bytes()),
            ErrorKind::InvalidTrailer,
            t + 16,
        );
        for bad_table in [0, 8, t as u64 + 1, u64::MAX] {
            fails(
                &with(24, &bad_table.to_be_bytes()),
                ErrorKind::InvalidTrailer,
                t + 24,
            );
        }
        // A table that starts one byte late no longer ends at the trailer.
        fails(
            &with(24, &(table + 1).to_be_bytes()),
            ErrorKind::LengthExceedsInput,
            t + 8,
        );
    }

    #[test]
    fn offsets_must_lie_in_the_object_area() {
        let good = sample();
        let t = good.len() - 32;
        let table = t - 7;
        let at = |o: usize| u8::try_from(o).unwrap();
        for bad in [0u8, 7, at(table), at(table + 3), 0xFF] {
            let mut b = good.clone();
            b[table + 5] = bad; // object 5, the `true`
            let err = fails(&b, ErrorKind::InvalidOffset, table + 5);
            assert_eq!(err.path(), "/a/0");
        }
        // The top object's own offset.
        let mut b = good.clone();
        b[table] = 4;
        fails(&b, ErrorKind::InvalidOffset, table);
    }

    #[test]
    fn references_must_name_objects() {
        let mut b = sample();
        b[18] = 7; // the array's first reference; there are 7 objects
        let err = fails(&b, ErrorKind::InvalidOffset, 18);
        assert_eq!(err.path(), "/a/0");
        let mut b = sample();
        b[10] = 200; // the second key reference
        fails(&b, ErrorKind::InvalidOffset, 10);
    }

    #[test]
    fn bad_markers() {
        for marker in [
            0x00u8, 0x0F, 0x01, 0x0C, 0x15, 0x1F, 0x21, 0x24, 0x30, 0x34, 0x88, 0x8F,
        ]
        .into_iter()
        .chain([0x90, 0xB0, 0xC1, 0xE0, 0xF0, 0xFF])
        {
            let b = assemble(
                &[
                    &[0xA1, 1],
                    &[marker, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                ],
                0,
            );
            let err = fails(&b, ErrorKind::InvalidMarker, 10);
            assert_eq!(err.path(), "/0", "{marker:#x}");
        }
        // A length extension whose length is not an integer.
        let b = assemble(&[&[0x5F, 0x23, 0, 0, 0, 0, 0, 0, 0, 0]], 0);
        fails(&b, ErrorKind::InvalidMarker, 9);
        let b = assemble(
            &[&[
                0x5F, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, b'a',
            ]],
            0,
        );
        fails(&b, ErrorKind::InvalidMarker, 9);
    }

    #[test]
    fn integers() {
        let int = |body: &[u8]| read(&assemble(&[body], 0));
        assert_eq!(int(&[0x10, 0xFF]).unwrap(), Value::from(255));
        assert_eq!(int(&[0x11, 0xFF, 0xFF]).unwrap(), Value::from(65535));
        assert_eq!(
            int(&[0x12, 0xFF, 0xFF, 0xFF, 0xFF]).unwrap(),
            Value::from(u32::MAX)
        );
        assert_eq!(
            int(&[0x13, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).unwrap(),
            Value::from(-1)
        );
        let mut wide = vec![0x14];
        wide.extend_from_slice(&i128::from(u64::MAX).to_be_bytes());
        assert_eq!(int(&wide).unwrap(), Value::from(u64::MAX));
        let mut wide = vec![0x14];
        wide.extend_from_slice(&i128::from(i64::MIN).to_be_bytes());
        assert_eq!(int(&wide).unwrap(), Value::from(i64::MIN));
        for bad in [
            i128::from(u64::MAX) + 1,
            i128::from(i64::MIN) - 1,
            i128::MAX,
            i128::MIN,
        ] {
            let mut wide = vec![0x14];
            wide.extend_from_slice(&bad.to_be_bytes());
            fails(&assemble(&[&wide], 0), ErrorKind::IntegerOutOfRange, 8);
        }
        // Running into the offset table.
        fails(
            &assemble(&[&[0x13, 1, 2, 3]], 0),
            ErrorKind::LengthExceedsInput,
            8,
        );
        fails(
            &assemble(&[&[0x23, 1, 2, 3]], 0),
            ErrorKind::LengthExceedsInput,
            8,
        );
        fails(
            &assemble(&[&[0x33, 1, 2, 3]], 0),
            ErrorKind::LengthExceedsInput,
            8,
        );
        fails(
            &assemble(&[&[0x83, 1, 2, 3]], 0),
            ErrorKind::LengthExceedsInput,
            8,
        );
    }

    #[test]
    fn reals_dates_uids() {
        let one = |body: &[u8]| read(&assemble(&[body], 0)).unwrap();
        let mut f32_obj = vec![0x22];
        f32_obj.extend_from_slice(&1.5f32.to_be_bytes());
        assert_eq!(one(&f32_obj), Value::Real(1.5));
        let mut date = vec![0x33];
        date.extend_from_slice(&(-1.25f64).to_be_bytes());
        assert_eq!(
            one(&date),
            Value::Date(Date::from_apple_seconds(-1.25).unwrap())
        );
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut date = vec![0x33];
            date.extend_from_slice(&bad.to_be_bytes());
            fails(&assemble(&[&date], 0), ErrorKind::InvalidDate, 8);
        }
        assert_eq!(one(&[0x80, 7]), Value::Uid(Uid::new(7)));
        assert_eq!(one(&[0x82, 1, 2, 3]), Value::Uid(Uid::new(0x010203)));
        let mut uid = vec![0x87];
        uid.extend_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(one(&uid), Value::Uid(Uid::new(u64::MAX)));
    }

    #[test]
    fn strings() {
        let one = |body: &[u8]| read(&assemble(&[&[0xA1, 1], body], 0));
        assert_eq!(
            one(b"\x75\xc3\xa9t\xc3\xa9").unwrap(),
            Value::from(vec![Value::from("été")])
        );
        assert_eq!(
            one(&[0x62, 0xD8, 0x3D, 0xDE, 0x00]).unwrap(),
            Value::from(vec![Value::from("😀")])
        );
        // Bad characters, at the offending byte or unit.
        let err = one(b"\x53ab\xe9").unwrap_err();
        assert_eq!(
            (err.kind(), err.offset(), err.path().as_str()),
            (ErrorKind::InvalidUtf8, Some(13), "/0")
        );
        let err = one(&[0x62, 0, b'a', 0xDC, 0x00]).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::InvalidUtf8, Some(13))
        );
        let err = one(&[0x62, 0xD8, 0x00, 0, b'a']).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::InvalidUtf8, Some(11))
        );
        let err = one(&[0x61, 0xD8, 0x00]).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::InvalidUtf8, Some(11))
        );
        let err = one(b"\x72a\xff").unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::InvalidUtf8, Some(12))
        );
        // Lengths: inline, extended, and past the object area.
        let mut long = vec![0x5F, 0x10, 15];
        long.extend_from_slice(&[b'x'; 15]);
        assert_eq!(
            one(&long).unwrap(),
            Value::from(vec![Value::from("x".repeat(15))])
        );
        let err = one(&[0x5F, 0x10, 16, b'x']).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::LengthExceedsInput, Some(10))
        );
        for short in [
            &[0x53, b'a', b'b'][..],
            &[0x73, b'a', b'b'],
            &[0x5F, 0x10, 3, b'a', b'b'],
            &[0x7F, 0x10, 3, b'a', b'b'],
            &[0x5F, 0x10],
            &[0x7F],
        ] {
            let err = one(short).unwrap_err();
            assert_eq!(
                (err.kind(), err.offset()),
                (ErrorKind::LengthExceedsInput, Some(10)),
                "{short:x?}"
            );
        }
        for (marker, count) in [
            (&[0x72][..], 2),
            (&[0x7F, 0x10, 2], 2),
            (&[0x7F, 0x11, 0, 2], 2),
        ] {
            let mut body = marker.to_vec();
            body.extend(std::iter::repeat_n(b'y', count));
            assert_eq!(one(&body).unwrap(), Value::from(vec![Value::from("yy")]));
        }
        let err = one(&[0x63, 0, b'a', 0, b'b', 0]).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::LengthExceedsInput, Some(10))
        );
        let err = one(&[0x6F, 0x13, 0x40, 0, 0, 0, 0, 0, 0, 0]).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::LengthExceedsInput, Some(10))
        );
        let err = one(&[0x4F, 0x13, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::LengthExceedsInput, Some(10))
        );
        let err = one(&[0x4F, 0x12, 0xFF]).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::LengthExceedsInput, Some(10))
        );
        let err = one(&[0x5F]).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::LengthExceedsInput, Some(10))
        );
    }

    #[test]
    fn containers_must_fit_and_keys_must_be_strings() {
        // An array claiming 14 references with 2 present.
        fails(
            &assemble(&[&[0xAE, 0, 0]], 0),
            ErrorKind::LengthExceedsInput,
            8,
        );
        // A dictionary claiming 2^40 entries.
        fails(
            &assemble(&[&[0xDF, 0x13, 0, 0, 1, 0, 0, 0, 0, 0]], 0),
            ErrorKind::LengthExceedsInput,
            8,
        );
        // A dictionary with 2 refs: one entry's key and value.
        let b = assemble(&[&[0xD1, 1, 2], &[0x10, 1], b"\x51v"], 0);
        let err = fails(&b, ErrorKind::InvalidKey, 11);
        assert_eq!(err.path(), "");
        let b = assemble(&[&[0xD1, 0, 0]], 0);
        fails(&b, ErrorKind::InvalidKey, 8);
        // A key string with a bad length.
        let b = assemble(&[&[0xD1, 1, 1], &[0x55, b'a']], 0);
        fails(&b, ErrorKind::LengthExceedsInput, 11);
    }

    #[test]
    fn cycles_are_refused_and_sharing_is_not() {
        // Direct: an array holding itself.
        fails(&assemble(&[&[0xA1, 0]], 0), ErrorKind::CyclicReference, 9);
        // Through three containers: A -> dict B -> C -> A.
        let b = assemble(
            &[&[0xA1, 1], &[0xD1, 2, 3], b"\x51k", &[0xA2, 4, 0], &[0x08]],
            0,
        );
        let err = fails(&b, ErrorKind::CyclicReference, 17);
        assert_eq!(err.path(), "/0/k/1");
        // Shared: one array referenced twice from the root, and holding a shared string.
        let b = assemble(&[&[0xA3, 1, 1, 2], &[0xA2, 2, 2], b"\x51s"], 0);
        let s = Value::from("s");
        let inner = Value::from(vec![s.clone(), s.clone()]);
        assert_eq!(
            read(&b).unwrap(),
            Value::from(vec![inner.clone(), inner, s])
        );
    }

    /// Array i holds 8 references to array i + 1, 30 levels deep: 8^30 values expanded.
    fn reference_bomb() -> Vec<u8> {
        let mut objects: Vec<Vec<u8>> = (1..=30u8)
            .map(|next| {
                let mut a = vec![0xA8];
                a.extend_from_slice(&[next; 8]);
                a
            })
            .collect();
        objects.push(vec![0x09]);
        let refs: Vec<&[u8]> = objects.iter().map(Vec::as_slice).collect();
        assemble(&refs, 0)
    }

    #[test]
    fn shared_reference_bomb_hits_the_node_budget() {
        let bytes = reference_bomb();
        assert!(bytes.len() < 500);
        let start = Instant::now();
        // Streamed without building values. With the default budget (4 Mi nodes) this takes
        // about 1.5 s in a debug build, so the test uses a smaller one.
        let options = ReadOptions::new().with_max_nodes(1 << 19);
        let mut parser = Parser::new(BinarySource::new(&bytes, &options).unwrap(), &options);
        let err = loop {
            if let Err(e) = parser.next() {
                break e;
            }
        };
        assert_eq!(err.kind(), ErrorKind::NodeBudgetExceeded);
        // Building a value, with a smaller budget.
        let err = Value::from_slice_with(&bytes, &ReadOptions::new().with_max_nodes(100_000))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NodeBudgetExceeded);
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn shared_reference_bomb_stops_in_proportion_to_its_size() {
        let bytes = reference_bomb();
        let start = Instant::now();
        let err = Value::from_slice(&bytes).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NodeBudgetExceeded);
        let err = crate::from_slice::<Value>(&bytes).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NodeBudgetExceeded);
        // 16 values per input byte plus 4,096: a few thousand values, not millions.
        assert!(start.elapsed() < Duration::from_secs(2));
        let budget = 16 * bytes.len() + 4096;
        let at_edge = ReadOptions::new()
            .with_max_binary_expansion(0)
            .with_max_nodes(budget);
        assert_eq!(
            Value::from_slice_with(&bytes, &at_edge).unwrap_err().kind(),
            ErrorKind::NodeBudgetExceeded
        );
    }

    #[test]
    fn binary_expansion_limit_at_its_edge() {
        // [s, s, s] where s is a 10-byte string: 4 values, 30 string bytes.
        let b = assemble(&[&[0xA3, 1, 1, 1], b"\x5Aabcdefghij"], 0);
        let exact = |nodes: usize, bytes: usize| {
            ReadOptions::new()
                .with_max_binary_expansion(0)
                .with_max_nodes(nodes)
                .with_max_expanded_bytes(bytes)
        };
        // With no proportional share, only the 4,096 allowance applies on top of nothing:
        // the absolute budgets decide.
        assert!(Value::from_slice_with(&b, &exact(4, 30)).is_ok());
        assert_eq!(
            Value::from_slice_with(&b, &exact(3, 30))
                .unwrap_err()
                .kind(),
            ErrorKind::NodeBudgetExceeded
        );
        assert_eq!(
            Value::from_slice_with(&b, &exact(4, 29))
                .unwrap_err()
                .kind(),
            ErrorKind::NodeBudgetExceeded
        );
        let options = ReadOptions::new().with_max_binary_expansion(3);
        assert_eq!(options.for_binary(10).max_nodes(), 30 + 4096);
        assert_eq!(options.for_binary(10).max_expanded_bytes(), 30 + 4096);
        assert_eq!(
            ReadOptions::new().for_binary(usize::MAX).max_nodes(),
            ReadOptions::DEFAULT_MAX_NODES
        );
    }

    #[test]
    fn truncations_and_mutations_never_panic() {
        let bytes = sample();
        for len in 0..bytes.len() {
            assert!(read(&bytes[..len]).is_err(), "{len}");
        }
        for i in 0..bytes.len() {
            for v in [
                0u8,
                1,
                0x0F,
                0x10,
                0x7F,
                0x80,
                0xFF,
                bytes[i] ^ 1,
                bytes[i] ^ 0x10,
            ] {
                let mut b = bytes.clone();
                b[i] = v;
                let _ = read(&b);
            }
        }
    }

    #[test]
    fn all_ascii_finds_a_high_byte_anywhere() {
        for len in 0..40 {
            let mut bytes = vec![b'a'; len];
            assert!(all_ascii(&bytes), "{len}");
            for at in 0..len {
                bytes[at] = 0x80;
                assert!(!all_ascii(&bytes), "{len} {at}");
                bytes[at] = 0xff;
                assert!(!all_ascii(&bytes), "{len} {at}");
                bytes[at] = 0x7f;
                assert!(all_ascii(&bytes), "{len} {at}");
            }
        }
    }

    #[test]
    fn text_runs_cover_strings_only_within_one_stretch() {
        // Header, an invalid byte, 20 ASCII bytes, an invalid byte, 20 more.
        let mut objects = HEADER.to_vec();
        objects.push(0xD1);
        objects.extend_from_slice(b"abcdefghijklmnopqrst");
        objects.push(0xFF);
        objects.extend_from_slice(b"ABCDEFGHIJKLMNOPQRST");
        let runs = TextRuns::find(&objects);
        assert_eq!(runs.get(9, 20), Some(("abcdefghijklmnopqrst", true)));
        assert_eq!(runs.get(12, 3), Some(("def", true)));
        assert_eq!(runs.get(30, 20), Some(("ABCDEFGHIJKLMNOPQRST", true)));
        // Across the invalid byte, or past the end: not in any stretch.
        assert_eq!(runs.get(25, 10), None);
        assert_eq!(runs.get(45, 10), None);
        // A stretch with multi-byte characters: cut only on character boundaries.
        let mut objects = HEADER.to_vec();
        objects.push(0xD1);
        objects.extend_from_slice("ééééééééé".as_bytes());
        let runs = TextRuns::find(&objects);
        assert_eq!(runs.get(9, 4), Some(("éé", false)));
        assert_eq!(runs.get(10, 2), None);
    }

    fn fixture(name: &str) -> Option<Vec<u8>> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/hostile")
            .join(name);
        Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    }

    #[test]
    fn hostile_fixtures() {
        if let Some(b) = fixture("03-bplist-self-cycle.bplist") {
            let err = Value::from_slice(&b).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::CyclicReference);
            assert_eq!(err.offset(), Some(0x5C));
            assert_eq!(err.path(), "/ErrorChain/0");
        }
        if let Some(b) = fixture("05-bplist-offset-into-offset-table.bplist") {
            let err = Value::from_slice(&b).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidOffset);
            assert_eq!(err.offset(), Some(0xB4 + 7));
            assert_eq!(err.path(), "/Status");
        }
        if let Some(b) = fixture("07-bplist-length-header-bomb.bplist") {
            assert_eq!(b.len(), 199);
            let err = Value::from_slice(&b).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::LengthExceedsInput);
            assert_eq!(err.offset(), Some(0x44));
        }
        if let Some(b) = fixture("16-bplist-control-chars.bplist") {
            let value = Value::from_slice(&b).unwrap();
            assert_eq!(
                value.get("UserLongName").and_then(Value::as_str),
                Some("Fake\u{1}User")
            );
            assert_eq!(
                value.get("UserShortName").and_then(Value::as_str),
                Some("fake\u{0}user")
            );
            let again = value.to_binary().unwrap();
            assert_eq!(Value::from_slice(&again).unwrap(), value);
        }
    }
}
