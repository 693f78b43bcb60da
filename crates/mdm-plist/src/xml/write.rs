//! The XML writer, in Apple's layout.
//!
//! The output is what CoreFoundation (`plutil`, `NSPropertyListSerialization`) writes:
//! the standard header, the root value at indentation 0, one tab per nesting level,
//! `<dict/>` and `<array/>` for empty containers, and `<data>` wrapped over lines whose
//! width shrinks with the indentation.
//!
//! Choices where Apple's writers differ from each other or from a lossless round trip:
//! - reals are written in the shortest form that reads back as the same `f64`
//!   (CoreFoundation writes 17 significant digits, so its text can be longer, but the
//!   number is the same). Integral values have no fraction (`1`, `-0`), magnitudes from
//!   1e-4 up to 1e17 are written without an exponent and others with one, as C's `%g`
//!   does (`1e+300`, `2.5e-07`). NaN is `nan`, infinities `+infinity` and `-infinity`;
//! - dates keep whole seconds, rounded down; dates outside the years 0000 to 9999 fail
//!   with [`ErrorKind::UnsupportedValue`];
//! - a carriage return in a string or key is written as `&#13;`, because XML readers turn
//!   a raw one into a line feed;
//! - characters XML 1.0 cannot hold fail with [`ErrorKind::InvalidXmlChar`] and the key
//!   path of the string, so that no unreadable document is written;
//! - a UID is written as Apple writes it, a dictionary with the one key `CF$UID`. It
//!   counts as a nesting level, because it reads back as a dictionary.
//!
//! The document is built in memory and handed to the writer in one piece, so a failure
//! leaves the writer untouched.

use std::io::Write;

use crate::{Error, ErrorKind, Result, Value, WriteOptions};

const HEADER: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
<plist version=\"1.0\">\n";

const FOOTER: &[u8] = b"</plist>\n";

/// Writes `value` as an XML property list.
pub(crate) fn write_xml<W: Write>(
    value: &Value,
    mut writer: W,
    options: &WriteOptions,
) -> Result<()> {
    let out = to_vec(value, options)?;
    writer.write_all(&out)?;
    writer.flush()?;
    Ok(())
}

/// Writes `value` as an XML property list into a new vector, which saves
/// [`write_xml`]'s copy of the document when the caller wants the bytes.
pub(crate) fn to_vec(value: &Value, options: &WriteOptions) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(HEADER);
    write_root(value, options.max_depth, &mut out)?;
    out.extend_from_slice(FOOTER);
    Ok(out)
}

/// An open container: the children still to write.
///
/// `D` is the dictionary entry iterator; it is a type parameter only because
/// [`Dictionary::iter`](crate::Dictionary::iter) returns an unnamed type.
enum Frame<'a, D> {
    Dictionary {
        entries: D,
        /// The key of the entry being written, for error paths.
        key: &'a str,
    },
    Array {
        items: std::slice::Iter<'a, Value>,
        len: usize,
    },
}

/// Adds the key path of the value being written (every open container) to `err`.
fn at_path<D>(stack: &[Frame<'_, D>], mut err: Error) -> Error {
    for frame in stack.iter().rev() {
        err = match frame {
            Frame::Dictionary { key, .. } => err.in_key(key),
            Frame::Array { items, len } => {
                err.in_index(len.saturating_sub(items.len()).saturating_sub(1))
            }
        };
    }
    err.path_complete()
}

fn depth_error(max_depth: usize) -> Error {
    Error::new(
        ErrorKind::DepthLimitExceeded,
        format!("containers are nested deeper than the limit of {max_depth}"),
    )
}

/// Writes the root value and everything in it, without recursion.
fn write_root(root: &Value, max_depth: usize, out: &mut Vec<u8>) -> Result<()> {
    let mut stack = Vec::new();
    let mut next = Some(root);
    loop {
        if let Some(value) = next.take() {
            let level = stack.len();
            match value {
                Value::Dictionary(dict) => {
                    if level >= max_depth {
                        return Err(at_path(&stack, depth_error(max_depth)));
                    }
                    indent(out, level);
                    if dict.is_empty() {
                        out.extend_from_slice(b"<dict/>\n");
                    } else {
                        out.extend_from_slice(b"<dict>\n");
                        stack.push(Frame::Dictionary {
                            entries: dict.iter(),
                            key: "",
                        });
                    }
                }
                Value::Array(array) => {
                    if level >= max_depth {
                        return Err(at_path(&stack, depth_error(max_depth)));
                    }
                    indent(out, level);
                    if array.is_empty() {
                        out.extend_from_slice(b"<array/>\n");
                    } else {
                        out.extend_from_slice(b"<array>\n");
                        stack.push(Frame::Array {
                            items: array.iter(),
                            len: array.len(),
                        });
                    }
                }
                Value::Uid(uid) => {
                    if level >= max_depth {
                        return Err(at_path(&stack, depth_error(max_depth)));
                    }
                    indent(out, level);
                    out.extend_from_slice(b"<dict>\n");
                    indent(out, level.saturating_add(1));
                    out.extend_from_slice(b"<key>CF$UID</key>\n");
                    indent(out, level.saturating_add(1));
                    writeln!(out, "<integer>{}</integer>", uid.get())?;
                    indent(out, level);
                    out.extend_from_slice(b"</dict>\n");
                }
                scalar => write_scalar(out, level, scalar).map_err(|err| at_path(&stack, err))?,
            }
        }
        let level = stack.len();
        match stack.last_mut() {
            None => return Ok(()),
            Some(Frame::Dictionary { entries, key }) => match entries.next() {
                Some((k, v)) => {
                    *key = k;
                    indent(out, level);
                    out.extend_from_slice(b"<key>");
                    escape(out, k).map_err(|err| at_path(&stack, err))?;
                    out.extend_from_slice(b"</key>\n");
                    next = Some(v);
                }
                None => {
                    stack.pop();
                    indent(out, stack.len());
                    out.extend_from_slice(b"</dict>\n");
                }
            },
            Some(Frame::Array { items, .. }) => match items.next() {
                Some(v) => next = Some(v),
                None => {
                    stack.pop();
                    indent(out, stack.len());
                    out.extend_from_slice(b"</array>\n");
                }
            },
        }
    }
}

fn indent(out: &mut Vec<u8>, level: usize) {
    out.resize(out.len().saturating_add(level), b'\t');
}

/// Writes a value that is not a container, followed by a line feed.
fn write_scalar(out: &mut Vec<u8>, level: usize, value: &Value) -> Result<()> {
    if let Value::Data(data) = value {
        write_data(out, level, data);
        return Ok(());
    }
    indent(out, level);
    match value {
        Value::String(s) => {
            out.extend_from_slice(b"<string>");
            escape(out, s)?;
            out.extend_from_slice(b"</string>\n");
        }
        Value::Integer(i) => writeln!(out, "<integer>{i}</integer>")?,
        Value::Real(r) => {
            out.extend_from_slice(b"<real>");
            push_real(out, *r)?;
            out.extend_from_slice(b"</real>\n");
        }
        Value::Boolean(true) => out.extend_from_slice(b"<true/>\n"),
        Value::Boolean(false) => out.extend_from_slice(b"<false/>\n"),
        Value::Date(date) => match date.to_xml_string() {
            Some(text) => {
                out.extend_from_slice(b"<date>");
                out.extend_from_slice(text.as_bytes());
                out.extend_from_slice(b"</date>\n");
            }
            None => {
                return Err(Error::new(
                    ErrorKind::UnsupportedValue,
                    "XML cannot hold a date outside the years 0000 to 9999",
                ));
            }
        },
        // Containers, UIDs and data are handled by the callers.
        Value::Dictionary(_) | Value::Array(_) | Value::Uid(_) | Value::Data(_) => {}
    }
    Ok(())
}

/// The base64 line width Apple uses at an indentation level: 76 columns minus 8 per
/// tab, at least 16, a multiple of 4.
fn data_line_width(level: usize) -> usize {
    76usize.saturating_sub(level.saturating_mul(8)).max(16) / 4 * 4
}

/// Writes `<data>`, the base64 lines and `</data>`, each line at the same indentation.
///
/// The lines are encoded straight into `out`: the space for all of them is added at
/// once, filled with tabs so that the indentation is already in place, and each line's
/// characters and line feed are then written over it.
fn write_data(out: &mut Vec<u8>, level: usize, data: &[u8]) {
    indent(out, level);
    out.extend_from_slice(b"<data>\n");
    let width = data_line_width(level);
    let bytes_per_line = width / 4 * 3;
    let line_len = level.saturating_add(width).saturating_add(1);
    let full_lines = data.len() / bytes_per_line;
    let (full, last) = data
        .split_at_checked(full_lines * bytes_per_line)
        .unwrap_or((data, &[]));
    let last_len = if last.is_empty() {
        0
    } else {
        level
            .saturating_add(last.len().div_ceil(3) * 4)
            .saturating_add(1)
    };
    let start = out.len();
    let full_len = full_lines.saturating_mul(line_len);
    out.resize(
        start.saturating_add(full_len).saturating_add(last_len),
        b'\t',
    );
    if let Some((full_dst, last_dst)) = out
        .get_mut(start..)
        .and_then(|dst| dst.split_at_mut_checked(full_len))
    {
        let lines = full_dst.chunks_exact_mut(line_len);
        for (line, chunk) in lines.zip(full.chunks_exact(bytes_per_line)) {
            if let Some((newline, text)) = line.split_last_mut() {
                encode_whole_groups(chunk, text.get_mut(level..).unwrap_or_default());
                *newline = b'\n';
            }
        }
        if let Some((newline, text)) = last_dst.split_last_mut() {
            encode_last(last, text.get_mut(level..).unwrap_or_default());
            *newline = b'\n';
        }
    }
    indent(out, level);
    out.extend_from_slice(b"</data>\n");
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The two base64 characters of every 12-bit value, the first in the low byte so that
/// a little-endian store puts it first: one lookup encodes a byte and a half.
static BASE64_PAIRS: [u16; 4096] = base64_pairs();

// Evaluated by the compiler: an index out of bounds would fail the build.
#[allow(clippy::indexing_slicing, clippy::cast_lossless)]
const fn base64_pairs() -> [u16; 4096] {
    let mut table = [0u16; 4096];
    let mut i = 0;
    while i < 4096 {
        table[i] = (BASE64_ALPHABET[i >> 6] as u16) | ((BASE64_ALPHABET[i & 63] as u16) << 8);
        i += 1;
    }
    table
}

/// The two characters of the low 12 bits of `bits`, first character in the low byte.
fn base64_pair(bits: u64) -> u64 {
    let index = usize::try_from(bits & 0xFFF).unwrap_or_default();
    u64::from(BASE64_PAIRS.get(index).copied().unwrap_or_default())
}

/// The eight base64 characters of the low 48 bits of `bits`, first character in the
/// low byte.
#[inline(always)]
fn encode_48(bits: u64) -> u64 {
    base64_pair(bits >> 36)
        | (base64_pair(bits >> 24) << 16)
        | (base64_pair(bits >> 12) << 32)
        | (base64_pair(bits) << 48)
}

/// Encodes six bytes as eight base64 characters.
fn encode_six(bytes: [u8; 6]) -> [u8; 8] {
    let [a, b, c, d, e, f] = bytes;
    let bits = u64::from_be_bytes([a, b, c, d, e, f, 0, 0]);
    let chars = base64_pair(bits >> 52)
        | (base64_pair(bits >> 40) << 16)
        | (base64_pair(bits >> 28) << 32)
        | (base64_pair(bits >> 16) << 48);
    chars.to_le_bytes()
}

/// Encodes three bytes as four base64 characters.
fn encode_three(bytes: [u8; 3]) -> [u8; 4] {
    let [a, b, c] = bytes;
    let bits = u64::from_be_bytes([0, 0, 0, 0, 0, a, b, c]);
    let chars = base64_pair(bits >> 12) | (base64_pair(bits) << 16);
    let [w, x, y, z, ..] = chars.to_le_bytes();
    [w, x, y, z]
}

/// Encodes `input`, whose length is a multiple of 3, into `out`, which is
/// `input.len() / 3 * 4` bytes long: base64 without padding.
fn encode_whole_groups(input: &[u8], out: &mut [u8]) {
    // Two groups a step: half the loop's own instructions.
    let (twelves, rest) = input.as_chunks::<12>();
    let Some((head, out)) = out.split_at_mut_checked(twelves.len() * 16) else {
        return;
    };
    let (out_pairs, _) = head.as_chunks_mut::<16>();
    for (dst, src) in out_pairs.iter_mut().zip(twelves) {
        // Two overlapping 8-byte loads hold the two 6-byte groups: bytes 0..6 at the top
        // of the first, bytes 6..12 at the bottom of the second.
        let (head, _) = src.split_first_chunk::<8>().unwrap_or((&[0; 8], &[]));
        let (_, tail) = src.split_last_chunk::<8>().unwrap_or((&[], &[0; 8]));
        let first = u64::from_be_bytes(*head) >> 16;
        let second = u64::from_be_bytes(*tail);
        let (x, y) = dst.split_at_mut(8);
        x.copy_from_slice(&encode_48(first).to_le_bytes());
        y.copy_from_slice(&encode_48(second).to_le_bytes());
    }
    let (sixes, rest) = rest.as_chunks::<6>();
    let Some((head, tail)) = out.split_at_mut_checked(sixes.len() * 8) else {
        return;
    };
    let (out_groups, _) = head.as_chunks_mut::<8>();
    for (dst, src) in out_groups.iter_mut().zip(sixes) {
        *dst = encode_six(*src);
    }
    if let (Some(src), Some(dst)) = (rest.first_chunk::<3>(), tail.first_chunk_mut::<4>()) {
        *dst = encode_three(*src);
    }
}

/// Encodes `input` as padded base64 into `out`, which is `input.len().div_ceil(3) * 4`
/// bytes long.
fn encode_last(input: &[u8], out: &mut [u8]) {
    let whole = input.len() / 3 * 3;
    let (groups, rest) = input.split_at_checked(whole).unwrap_or((input, &[]));
    let Some((head, tail)) = out.split_at_mut_checked(whole / 3 * 4) else {
        return;
    };
    encode_whole_groups(groups, head);
    let (chars, used) = match *rest {
        [a] => (encode_three([a, 0, 0]), 2),
        [a, b] => (encode_three([a, b, 0]), 3),
        _ => return,
    };
    for (i, (dst, ch)) in tail.iter_mut().zip(chars).enumerate() {
        *dst = if i < used { ch } else { b'=' };
    }
}

/// Whether a byte needs more than copying: markup, a carriage return, a control
/// character XML forbids, or the lead byte of U+FFFE / U+FFFF.
fn needs_care(b: u8) -> bool {
    // A table lookup: one load per byte instead of a chain of range tests.
    NEEDS_CARE.get(usize::from(b)).copied().unwrap_or(true)
}

/// [`needs_care`] for every byte.
static NEEDS_CARE: [bool; 256] = needs_care_table();

// Evaluated by the compiler: an index out of bounds would fail the build.
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
const fn needs_care_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = matches!(i as u8, b'&' | b'<' | b'>' | 0x00..=0x08 | 0x0B..=0x1F | 0xEF);
        i += 1;
    }
    table
}

/// Appends `text` escaped for element content.
fn escape(out: &mut Vec<u8>, text: &str) -> Result<()> {
    let mut rest = text.as_bytes();
    while let Some(pos) = rest.iter().position(|&b| needs_care(b)) {
        let Some((clean, tail)) = rest.split_at_checked(pos) else {
            break;
        };
        out.extend_from_slice(clean);
        let Some((&b, after)) = tail.split_first() else {
            break;
        };
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'\r' => out.extend_from_slice(b"&#13;"),
            0xEF => match after {
                [0xBF, last @ (0xBE | 0xBF), ..] => {
                    return Err(invalid_char(if *last == 0xBE { 0xFFFE } else { 0xFFFF }));
                }
                _ => out.push(b),
            },
            _ => return Err(invalid_char(u32::from(b))),
        }
        rest = after;
    }
    out.extend_from_slice(rest);
    Ok(())
}

fn invalid_char(code: u32) -> Error {
    Error::new(
        ErrorKind::InvalidXmlChar,
        format!("U+{code:04X} cannot be written in XML 1.0"),
    )
}

/// Appends a real in the shortest text that reads back as the same number.
fn push_real(out: &mut Vec<u8>, r: f64) -> Result<()> {
    if r.is_nan() {
        out.extend_from_slice(b"nan");
    } else if r.is_infinite() {
        out.extend_from_slice(if r > 0.0 { b"+infinity" } else { b"-infinity" });
    } else if r == 0.0 || (1e-4..1e17).contains(&r.abs()) {
        write!(out, "{r}")?;
    } else {
        // Rust writes `1.5e-7`; C's `%g`, which Apple's readers expect, `1.5e-07`.
        let text = format!("{r:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
        let (sign, digits) = match exponent.strip_prefix('-') {
            Some(digits) => ('-', digits),
            None => ('+', exponent),
        };
        write!(out, "{mantissa}e{sign}{digits:0>2}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Array, Date, Dictionary, Uid};
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    fn xml(value: &Value) -> String {
        String::from_utf8(value.to_xml().unwrap()).unwrap()
    }

    fn doc(body: &str) -> String {
        format!(
            "{}{body}{}",
            std::str::from_utf8(HEADER).unwrap(),
            "</plist>\n"
        )
    }

    fn dict<const N: usize>(entries: [(&str, Value); N]) -> Value {
        Value::Dictionary(Dictionary::from_iter(entries))
    }

    fn array<const N: usize>(items: [Value; N]) -> Value {
        Value::Array(Array::from(Vec::from(items)))
    }

    #[test]
    fn every_type_nested() {
        let value = dict([
            ("String", Value::from("a & b <c> \"d\" 'e'")),
            ("Empty", Value::from("")),
            ("Integer", Value::from(-402_653_103)),
            ("Big", Value::from(u64::MAX)),
            ("Real", Value::from(15.468_269_348_144_531)),
            ("One", Value::from(1.0)),
            ("True", Value::from(true)),
            ("False", Value::from(false)),
            (
                "Date",
                Value::Date(Date::parse_xml("2018-06-30T13:46:38Z").unwrap()),
            ),
            ("Data", Value::Data(b"hello".to_vec())),
            ("NoData", Value::Data(Vec::new())),
            ("Uid", Value::Uid(Uid::new(7))),
            ("EmptyDict", dict([])),
            ("EmptyArray", array([])),
            (
                "List",
                array([
                    Value::from(1),
                    dict([("K", Value::from("v"))]),
                    array([Value::from(false)]),
                ]),
            ),
        ]);
        let expected = doc("<dict>
\t<key>String</key>
\t<string>a &amp; b &lt;c&gt; \"d\" 'e'</string>
\t<key>Empty</key>
\t<string></string>
\t<key>Integer</key>
\t<integer>-402653103</integer>
\t<key>Big</key>
\t<integer>18446744073709551615</integer>
\t<key>Real</key>
\t<real>15.468269348144531</real>
\t<key>One</key>
\t<real>1</real>
\t<key>True</key>
\t<true/>
\t<key>False</key>
\t<false/>
\t<key>Date</key>
\t<date>2018-06-30T13:46:38Z</date>
\t<key>Data</key>
\t<data>
\taGVsbG8=
\t</data>
\t<key>NoData</key>
\t<data>
\t</data>
\t<key>Uid</key>
\t<dict>
\t\t<key>CF$UID</key>
\t\t<integer>7</integer>
\t</dict>
\t<key>EmptyDict</key>
\t<dict/>
\t<key>EmptyArray</key>
\t<array/>
\t<key>List</key>
\t<array>
\t\t<integer>1</integer>
\t\t<dict>
\t\t\t<key>K</key>
\t\t\t<string>v</string>
\t\t</dict>
\t\t<array>
\t\t\t<false/>
\t\t</array>
\t</array>
</dict>
");
        assert_eq!(xml(&value), expected);
    }

    #[test]
    fn scalar_roots_are_not_indented() {
        assert_eq!(xml(&Value::from("x")), doc("<string>x</string>\n"));
        assert_eq!(xml(&Value::from(true)), doc("<true/>\n"));
        assert_eq!(xml(&array([])), doc("<array/>\n"));
        assert_eq!(
            xml(&Value::Data(vec![0, 1])),
            doc("<data>\nAAE=\n</data>\n")
        );
    }

    #[test]
    fn real_forms() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            // CoreFoundation writes this one as 217.90493011474609.
            (217.904_930_114_746_1, "217.9049301147461"),
            (1e-4, "0.0001"),
            (1.5e-7, "1.5e-07"),
            (9.9e16, "99000000000000000"),
            (1e17, "1e+17"),
            (-1e300, "-1e+300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "+infinity"),
            (f64::NEG_INFINITY, "-infinity"),
        ];
        for &(r, text) in cases {
            let mut out = Vec::new();
            push_real(&mut out, r).unwrap();
            assert_eq!(std::str::from_utf8(&out).unwrap(), text, "{r:?}");
            if r.is_finite() {
                assert_eq!(
                    text.parse::<f64>().unwrap().to_bits(),
                    r.to_bits(),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn data_wraps_by_level() {
        // 100 bytes: 136 base64 characters.
        let data: Vec<u8> = (0u8..100).collect();
        let b64 = STANDARD.encode(&data);
        for level in 0..=9usize {
            let width = [76, 68, 60, 52, 44, 36, 28, 20, 16, 16][level];
            assert_eq!(data_line_width(level), width);
            let mut value = Value::Data(data.clone());
            for _ in 0..level {
                value = array([value]);
            }
            let text = xml(&value);
            let tabs = "\t".repeat(level);
            let mut expected = format!("{tabs}<data>\n");
            for line in b64.as_bytes().chunks(width) {
                expected.push_str(&tabs);
                expected.push_str(std::str::from_utf8(line).unwrap());
                expected.push('\n');
            }
            expected.push_str(&format!("{tabs}</data>\n"));
            assert!(text.contains(&expected), "level {level}:\n{text}");
        }
    }

    #[test]
    fn base64_matches_the_standard_encoder_at_every_length_and_level() {
        // Varied bytes, so that many different 12-bit pairs are looked up.
        let data: Vec<u8> = (0..400u32)
            .map(|i| (i * 167 + i / 256).to_le_bytes()[0])
            .collect();
        for len in 0..data.len() {
            let input = &data[..len];
            let b64 = STANDARD.encode(input);
            let mut out = vec![0; len.div_ceil(3) * 4];
            encode_last(input, &mut out);
            assert_eq!(std::str::from_utf8(&out).unwrap(), b64, "{len}");
            for level in [0, 1, 3, 7, 8, 12] {
                let mut text = Vec::new();
                write_data(&mut text, level, input);
                let tabs = "\t".repeat(level);
                let mut expected = format!("{tabs}<data>\n");
                for line in b64.as_bytes().chunks(data_line_width(level)) {
                    expected.push_str(&tabs);
                    expected.push_str(std::str::from_utf8(line).unwrap());
                    expected.push('\n');
                }
                expected.push_str(&format!("{tabs}</data>\n"));
                assert_eq!(String::from_utf8(text).unwrap(), expected, "{len} {level}");
            }
        }
    }

    #[test]
    fn data_line_lengths_match_a_device_message() {
        // The shape of the 10.11 CertificateList message: data three levels down, 52
        // characters per line.
        let data = vec![0xA5u8; 100];
        let value = dict([("L", array([dict([("Data", Value::Data(data))])]))]);
        let text = xml(&value);
        let line = text.lines().find(|l| l.starts_with("\t\t\tpaWl")).unwrap();
        assert_eq!(line.len(), 3 + 52);
    }

    #[test]
    fn escaping_of_text_and_keys() {
        let value = dict([("a<&>\r\"", Value::from("x\r\ny\t]]>\u{FFFD}\u{EFFF}é"))]);
        assert_eq!(
            xml(&value),
            doc("<dict>
\t<key>a&lt;&amp;&gt;&#13;\"</key>
\t<string>x&#13;\ny\t]]&gt;\u{FFFD}\u{EFFF}é</string>
</dict>
")
        );
    }

    #[test]
    fn forbidden_characters_fail_with_their_path() {
        let mut forbidden: Vec<char> = ('\u{0}'..='\u{8}').collect();
        forbidden.extend(['\u{B}', '\u{C}']);
        forbidden.extend('\u{E}'..='\u{1F}');
        forbidden.extend(['\u{FFFE}', '\u{FFFF}']);
        for c in forbidden {
            let value = dict([(
                "Outer",
                array([
                    Value::from("fine"),
                    dict([("Inner", Value::from(format!("a{c}b")))]),
                ]),
            )]);
            let err = value.to_xml().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidXmlChar, "{c:?}");
            assert_eq!(err.path(), "/Outer/1/Inner", "{c:?}");
            assert!(err.message().contains(&format!("U+{:04X}", u32::from(c))));

            let key = format!("k{c}");
            let value = array([dict([(key.as_str(), Value::from(1))])]);
            let err = value.to_xml().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidXmlChar, "{c:?}");
            assert_eq!(err.path(), format!("/0/{key}"));
        }
        // The neighbours of the forbidden ranges are fine.
        for c in [
            '\t',
            '\n',
            ' ',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FFFD}',
            '\u{10000}',
        ] {
            assert!(Value::from(c.to_string()).to_xml().is_ok(), "{c:?}");
        }
    }

    #[test]
    fn dates_outside_four_digit_years_fail() {
        let date = Date::from_apple_seconds(1e15).unwrap();
        let err = dict([("D", Value::Date(date))]).to_xml().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedValue);
        assert_eq!(err.path(), "/D");
        let date = Date::from_apple_seconds(0.75).unwrap();
        assert_eq!(
            xml(&Value::Date(date)),
            doc("<date>2001-01-01T00:00:00Z</date>\n")
        );
    }

    fn nested(depth: usize) -> Value {
        let mut value = Value::from(1);
        for i in 0..depth {
            value = if i % 2 == 0 {
                array([value])
            } else {
                dict([("k", value)])
            };
        }
        value
    }

    fn write_with(value: &Value, max_depth: usize) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        value.write_xml(&mut out, &WriteOptions::new().with_max_depth(max_depth))?;
        Ok(out)
    }

    #[test]
    fn depth_limit_at_the_edge() {
        let max = WriteOptions::DEFAULT_MAX_DEPTH;
        assert!(nested(max).to_xml().is_ok());
        let err = nested(max + 1).to_xml().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
        assert_eq!(err.path().split('/').count(), max + 1);

        assert!(write_with(&nested(3), 3).is_ok());
        let err = write_with(&nested(4), 3).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
        // nested(4) is dict > array > dict > array: the innermost array is too deep.
        assert_eq!(err.path(), "/k/0/k");
        assert_eq!(write_with(&array([]), 0).unwrap_err().path(), "");
        assert!(write_with(&Value::from(1), 0).is_ok());
        // A UID reads back as a dictionary, so it is a level too.
        let uid = array([Value::Uid(Uid::new(1))]);
        assert!(write_with(&uid, 2).is_ok());
        assert_eq!(write_with(&uid, 1).unwrap_err().path(), "/0");
    }

    #[test]
    fn very_deep_values_fail_without_overflowing() {
        let err = nested(200_000).to_xml().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
        // Indentation makes the output quadratic in the depth, so stay moderate here.
        let text = write_with(&nested(5_000), usize::MAX).unwrap();
        assert!(text.ends_with(b"</dict>\n</plist>\n"));
    }

    #[test]
    fn failure_leaves_the_writer_untouched() {
        let mut out = Vec::new();
        let value = array([Value::from("ok"), Value::from("\u{0}")]);
        assert!(value.write_xml(&mut out, &WriteOptions::new()).is_err());
        assert!(out.is_empty());
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
        let err = Value::from(1)
            .write_xml(Broken, &WriteOptions::new())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io);
    }
}
