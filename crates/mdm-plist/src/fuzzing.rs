//! The fuzzing harness (feature `fuzzing`, hidden): one checking function per fuzz target.
//!
//! The cargo-fuzz targets in `fuzz/` are one-line calls into these functions, and the
//! replay tests run the committed corpus and every past crash through the same
//! functions on stable Rust. Each function asserts what must hold, not only that nothing
//! panics:
//!
//! - every error has a kind and a byte offset within the input (`offset <= len`);
//! - every value that decodes re-encodes as binary and reads back equal, and re-encodes
//!   as XML and reads back equal to its XML form ([`xml_form`]) or is refused with one of
//!   the documented XML exceptions; writing the read-back value again gives the same
//!   bytes;
//! - the differential target agrees with an independent reader written here on top of
//!   `quick-xml`, and with the `plist` crate except for its known faults.
//!
//! A failed check panics, which is how a fuzzer learns of it. The heap bound is enforced
//! by the fuzz crate's counting allocator, with [`heap_bound`].

#![allow(
    clippy::panic,
    clippy::manual_assert,
    reason = "a failed check must panic: that is how the fuzzer sees it"
)]

use std::collections::BTreeMap;

use ::arbitrary::{Arbitrary, Unstructured};
use serde::{Deserialize, Serialize};

use crate::{Array, Date, Dictionary, Error, ErrorKind, Format, Integer, ReadOptions, Uid, Value};

/// Heap bytes a reader with the default limits may use per input byte, at most.
pub const HEAP_PER_INPUT_BYTE: usize = 64;

/// Heap bytes a reader may use whatever the input, at most.
pub const HEAP_BASE: usize = 1 << 20;

/// The most heap one harness call may use at once for an input of `len` bytes:
/// `64 × len + 1 MiB`.
pub fn heap_bound(len: usize) -> usize {
    len.saturating_mul(HEAP_PER_INPUT_BYTE)
        .saturating_add(HEAP_BASE)
}

/// Checks that an error has a kind name and an offset within an input of `len` bytes.
pub fn check_error(err: &Error, len: usize) {
    assert!(
        !err.kind().name().is_empty(),
        "error without a kind: {err:?}"
    );
    match err.offset() {
        Some(offset) => assert!(
            usize::try_from(offset).is_ok_and(|o| o <= len),
            "error offset {offset} past the input of {len} bytes: {err:?}"
        ),
        None => panic!("error without an offset: {err:?}"),
    }
}

/// Whether XML 1.0 can hold every character of `text`.
pub fn xml_can_hold(text: &str) -> bool {
    !text.chars().any(|c| {
        matches!(c, '\0'..='\x08' | '\x0B' | '\x0C' | '\x0E'..='\x1F' | '\u{FFFE}' | '\u{FFFF}')
    })
}

/// The number of containers nested at the deepest point of `value` (a scalar has 0);
/// with `uid_is_container`, a UID counts as one, as it does in XML.
pub fn depth(value: &Value, uid_is_container: bool) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, level)) = stack.pop() {
        match v {
            Value::Dictionary(d) => {
                let level = level.saturating_add(1);
                deepest = deepest.max(level);
                stack.extend(d.values().map(|c| (c, level)));
            }
            Value::Array(a) => {
                let level = level.saturating_add(1);
                deepest = deepest.max(level);
                stack.extend(a.iter().map(|c| (c, level)));
            }
            Value::Uid(_) if uid_is_container => deepest = deepest.max(level.saturating_add(1)),
            _ => {}
        }
    }
    deepest
}

/// What `value` reads back as after a trip through XML, or `None` when XML cannot hold
/// it: a string or key with a character XML 1.0 forbids, or a date outside the years
/// 0000 to 9999. Dates lose their fraction of a second (rounded down) and a UID becomes
/// the dictionary `{CF$UID: n}`; NaN stays NaN (all NaNs compare equal).
pub fn xml_form(value: &Value) -> Option<Value> {
    let mut copy = value.clone();
    let mut stack: Vec<&mut Value> = vec![&mut copy];
    while let Some(v) = stack.pop() {
        match v {
            Value::Dictionary(d) => {
                for (k, child) in d.iter_mut() {
                    if !xml_can_hold(k) {
                        return None;
                    }
                    stack.push(child);
                }
            }
            Value::Array(a) => stack.extend(a.iter_mut()),
            Value::String(s) if !xml_can_hold(s) => return None,
            Value::Date(d) => {
                d.to_xml_string()?;
                *v = Value::Date(Date::from_unix_seconds(d.unix_seconds()));
            }
            Value::Uid(uid) => {
                let mut d = Dictionary::new();
                d.insert("CF$UID", Integer::from(uid.get()));
                *v = Value::Dictionary(d);
            }
            _ => {}
        }
    }
    Some(copy)
}

/// Writes `value` as binary and XML, reads each back and checks the result; writes the
/// read-back values again and checks the bytes are the same.
pub fn check_reencode(value: &Value) {
    let limit = ReadOptions::DEFAULT_MAX_DEPTH;
    match value.to_binary() {
        Ok(bytes) => {
            let back = Value::from_slice_with(&bytes, &ReadOptions::new())
                .unwrap_or_else(|e| panic!("binary written could not be read: {e:?}\n{value:?}"));
            assert!(
                back == *value,
                "binary trip changed the value:\n{value:?}\n{back:?}"
            );
            let again = back
                .to_binary()
                .unwrap_or_else(|e| panic!("second write: {e:?}"));
            assert!(again == bytes, "binary writer is not stable for {value:?}");
        }
        Err(e) => assert!(
            e.kind() == ErrorKind::DepthLimitExceeded && depth(value, false) > limit,
            "binary write failed: {e:?}\n{value:?}"
        ),
    }
    match (value.to_xml(), xml_form(value)) {
        (Ok(bytes), Some(want)) => {
            let back = Value::from_slice_with(&bytes, &ReadOptions::new()).unwrap_or_else(|e| {
                panic!(
                    "XML written could not be read: {e:?}\n{}",
                    String::from_utf8_lossy(&bytes)
                )
            });
            assert!(
                back == want,
                "XML trip changed the value:\nwant {want:?}\ngot  {back:?}\n{}",
                String::from_utf8_lossy(&bytes)
            );
            let again = back
                .to_xml()
                .unwrap_or_else(|e| panic!("second XML write: {e:?}"));
            assert!(again == bytes, "XML writer is not stable for {value:?}");
        }
        (Ok(bytes), None) => panic!(
            "XML written for a value XML cannot hold:\n{value:?}\n{}",
            String::from_utf8_lossy(&bytes)
        ),
        (Err(e), want) => {
            let expected = match e.kind() {
                ErrorKind::InvalidXmlChar | ErrorKind::UnsupportedValue => want.is_none(),
                ErrorKind::DepthLimitExceeded => depth(value, true) > limit,
                _ => false,
            };
            assert!(expected, "XML write failed: {e:?}\n{value:?}");
        }
    }
}

/// Reads `data` with `options`; checks the error, or re-encodes the value.
fn read_and_check(data: &[u8], options: &ReadOptions) -> Option<Value> {
    match Value::from_slice_with(data, options) {
        Ok(value) => {
            check_reencode(&value);
            Some(value)
        }
        Err(e) => {
            check_error(&e, data.len());
            None
        }
    }
}

/// Target `xml_read`: the XML reader on any bytes.
pub fn xml_read(data: &[u8]) {
    read_and_check(data, &ReadOptions::new().with_format(Some(Format::Xml)));
}

/// Target `binary_read`: the binary reader on any bytes; the fast path agrees with the
/// generic one ([`check_fast_path`]), duplicate keys rejected or kept.
pub fn binary_read(data: &[u8]) {
    let options = ReadOptions::new().with_format(Some(Format::Binary));
    read_and_check(data, &options);
    check_fast_path(data, &options);
    check_fast_path(
        data,
        &options.with_duplicate_keys(crate::DuplicateKeys::KeepLast),
    );
}

/// Checks the rule of the binary fast path: when it builds a value, the generic path
/// (events and parser) succeeds with an equal value. Other inputs are not checked.
pub fn check_fast_path(data: &[u8], options: &ReadOptions) {
    if !matches!(crate::prepare(data, options), Ok(Format::Binary)) {
        return;
    }
    let options = options.for_binary(data.len());
    let Some(fast) = crate::binary::build_value(data, &options) else {
        return;
    };
    match crate::read_binary_generic(data, &options) {
        Ok(generic) => assert!(
            generic == fast,
            "the fast path and the generic path disagree:\n{fast:?}\n{generic:?}"
        ),
        Err(e) => panic!("the fast path built {fast:?} where the generic path fails: {e:?}"),
    }
}

/// Target `auto_read`: format detection, then the reader it picks; the result is the
/// same as naming that format.
pub fn auto_read(data: &[u8]) {
    check_fast_path(data, &ReadOptions::new());
    let auto = Value::from_slice(data);
    match &auto {
        Ok(value) => check_reencode(value),
        Err(e) => check_error(e, data.len()),
    }
    match Format::detect(data) {
        Some(format) => {
            let named = Value::from_slice_with(data, &ReadOptions::new().with_format(Some(format)));
            match (&auto, &named) {
                (Ok(a), Ok(b)) => assert!(a == b, "detected and named format differ"),
                (Err(a), Err(b)) => assert!(
                    a.kind() == b.kind() && a.offset() == b.offset(),
                    "detected and named format fail differently: {a:?} / {b:?}"
                ),
                _ => panic!("detected and named format disagree: {auto:?} / {named:?}"),
            }
        }
        None => {
            let e = auto.err().map(|e| e.kind());
            assert!(
                e == Some(ErrorKind::UnknownFormat),
                "undetected format gave {e:?}"
            );
        }
    }
}

/// Target `round_trip`: a value read in either format survives binary and XML writing,
/// and reading with `from_reader` gives the same result as `from_slice`.
pub fn round_trip(data: &[u8]) {
    let options = ReadOptions::new();
    let sliced = read_and_check(data, &options);
    let streamed = Value::from_reader(data, &options).ok();
    assert!(sliced == streamed, "from_reader and from_slice differ");
}

/// Target `arbitrary_value`: an arbitrary [`Value`] survives binary and XML writing.
pub fn arbitrary_value(data: &[u8]) {
    let mut u = Unstructured::new(data);
    if let Ok(value) = Value::arbitrary(&mut u) {
        check_reencode(&value);
    }
}

/// An error item of [`TypedResult`].
#[derive(Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TypedErrorItem {
    /// `ErrorCode`.
    pub error_code: i64,
    /// `ErrorDomain`.
    pub error_domain: String,
    /// `LocalizedDescription`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localized_description: Option<String>,
}

/// A kind of answer, as an externally tagged enum.
#[derive(Debug, PartialEq, Deserialize, Serialize)]
pub enum TypedAnswer {
    /// A unit variant (a string in the plist).
    Nothing,
    /// A newtype variant (a one-key dictionary).
    Code(String),
    /// A struct variant.
    Pair {
        /// A number.
        n: u32,
        /// A flag.
        flag: bool,
    },
}

/// An MDM-like command result with every kind of field serde decodes.
#[derive(Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TypedResult {
    /// `Status`, required.
    pub status: String,
    /// `CommandUUID`.
    #[serde(
        rename = "CommandUUID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub command_uuid: Option<String>,
    /// `UDID`.
    #[serde(rename = "UDID", default, skip_serializing_if = "Option::is_none")]
    pub udid: Option<String>,
    /// `ErrorChain`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_chain: Vec<TypedErrorItem>,
    /// A signed number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// An unsigned number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// A flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<bool>,
    /// A date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Date>,
    /// A UID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Uid>,
    /// An enum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<TypedAnswer>,
    /// A map of anything (`QueryResponses`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_responses: Option<BTreeMap<String, Value>>,
    /// A tuple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair: Option<(u8, String)>,
}

/// Checks the binary fast path of serde decoding against the generic path for `T`:
/// whenever the fast path succeeds, the generic path succeeds with an equal value. (When
/// the fast path gives up, the generic path's result is what callers get anyway.)
/// Returns whether the fast path succeeded; input that is not binary returns false.
pub fn check_fast_serde<'de, T>(data: &'de [u8]) -> bool
where
    T: Deserialize<'de> + PartialEq + std::fmt::Debug,
{
    if Format::detect(data) != Some(Format::Binary) {
        return false;
    }
    let options = ReadOptions::new()
        .with_duplicate_keys(crate::DuplicateKeys::Reject)
        .for_binary(data.len());
    let Ok(fast) = crate::binary::de::from_slice::<T>(data, &options) else {
        return false;
    };
    match crate::de::from_slice_generic::<T>(data, &ReadOptions::new()) {
        Ok(generic) => assert!(
            fast == generic,
            "the fast and generic paths decode differently:\n{fast:?}\n{generic:?}"
        ),
        Err(e) => panic!("the fast path accepted what the generic path refuses: {e:?}"),
    }
    true
}

/// A typed view that bends serde's rules as far as they allow: fields that swallow the
/// error their deserializer returns, one that never looks at its value, and one whose
/// `Option` visitor ignores its deserializer. The fast path must still agree with the
/// generic one on it.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TypedLenient {
    /// `Status`, `None` when it is not a string.
    #[serde(default, deserialize_with = "swallow_errors")]
    pub status: Option<String>,
    /// `ErrorChain`, `None` when it does not decode.
    #[serde(default, deserialize_with = "swallow_errors")]
    pub error_chain: Option<Vec<TypedErrorItem>>,
    /// `Answer`, `None` when it does not decode.
    #[serde(default, deserialize_with = "swallow_errors")]
    pub answer: Option<TypedAnswer>,
    /// `Count`, whose value is never looked at.
    #[serde(default, deserialize_with = "never_look")]
    pub count: u8,
    /// `UDID`, present or not; its value is never looked at.
    #[serde(rename = "UDID", default)]
    pub udid: Option<Unseen>,
}

/// Present, with its value unread: `deserialize_option` whose `visit_some` ignores the
/// deserializer it is given.
#[derive(Debug, PartialEq)]
pub struct Unseen;

impl<'de> Deserialize<'de> for Unseen {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Blind;
        impl<'de> serde::de::Visitor<'de> for Blind {
            type Value = Unseen;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, _: D) -> Result<Unseen, D::Error> {
                Ok(Unseen)
            }
        }
        deserializer.deserialize_option(Blind)
    }
}

fn swallow_errors<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(T::deserialize(deserializer).ok())
}

fn never_look<'de, D: serde::Deserializer<'de>>(_: D) -> Result<u8, D::Error> {
    Ok(1)
}

/// Target `serde_typed`: typed decoding of any bytes into [`TypedResult`]. A decoded
/// struct serializes back to a plist that decodes equal, and decoding the bytes agrees
/// with decoding the [`Value`] read from them. On binary input, the fast path agrees with
/// the generic one ([`check_fast_serde`]) for [`TypedResult`], [`TypedLenient`] and
/// [`Value`].
pub fn serde_typed(data: &[u8]) {
    check_fast_serde::<TypedResult>(data);
    check_fast_serde::<TypedLenient>(data);
    check_fast_serde::<Value>(data);
    let typed = crate::from_slice::<TypedResult>(data);
    let through_value = Value::from_slice(data).and_then(|v| crate::from_value::<TypedResult>(&v));
    match &typed {
        Ok(t) => {
            let value = crate::to_value(t).unwrap_or_else(|e| panic!("to_value failed: {e:?}"));
            let bytes = value
                .to_binary()
                .unwrap_or_else(|e| panic!("to_binary failed: {e:?}"));
            let back: TypedResult = crate::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("re-decoding failed: {e:?}\n{value:?}"));
            assert!(
                back == *t,
                "typed trip changed the struct:\n{t:?}\n{back:?}"
            );
            let direct = crate::to_binary_vec(t).unwrap_or_else(|e| panic!("to_binary_vec: {e:?}"));
            assert!(
                direct == bytes,
                "to_binary_vec differs from to_value + to_binary"
            );
        }
        Err(e) => check_error(e, data.len()),
    }
    match (&typed, &through_value) {
        (Ok(a), Ok(b)) => assert!(a == b, "from_slice and from_value differ:\n{a:?}\n{b:?}"),
        (Err(_), Err(_)) => {}
        _ => panic!("from_slice and from_value disagree:\n{typed:?}\n{through_value:?}"),
    }
}

/// Target `differential_xml`: our XML reader against [`quick_xml_reader`] and the
/// `plist` crate.
///
/// Whatever our reader accepts, the quick-xml reader must accept with an equal value:
/// that reader follows the same plist rules, so a disagreement is a bug in one of them.
/// Our reader may refuse what the quick-xml reader accepts, because it is stricter on
/// purpose (see [`quick_xml_reader`]). The `plist` crate is asked only about documents
/// our reader accepts (it recurses, so deeper input could overflow the stack), and must
/// then give an equal value or fail, except for its known faults ([`plist_known_fault`]).
pub fn differential_xml(data: &[u8]) {
    let ours = Value::from_slice_with(data, &ReadOptions::new().with_format(Some(Format::Xml)));
    let Ok(ours) = ours else {
        if let Err(e) = &ours {
            check_error(e, data.len());
        }
        // Still run the other reader: it must not panic either.
        let _ = quick_xml_reader(data);
        return;
    };
    match quick_xml_reader(data) {
        Ok(theirs) => assert!(
            theirs == ours,
            "quick-xml reader differs:\nours   {ours:?}\ntheirs {theirs:?}"
        ),
        Err(why) => panic!("quick-xml reader refused what ours read ({why}):\n{ours:?}"),
    }
    let peer = plist::Value::from_reader_xml(data)
        .ok()
        .and_then(|v| Value::try_from(v).ok());
    if let Some(peer) = peer
        && peer != ours
        && plist_known_fault(data).is_none()
    {
        panic!("plist crate differs:\nours {ours:?}\nplist {peer:?}");
    }
}

/// A fault of the `plist` crate (1.10.4) that explains why it reads `data` differently.
///
/// - `CdataSplitLosesText`: text made of several pieces (CDATA sections next to plain
///   text or references) keeps only its last piece.
/// - `LineEndsKept`: a carriage return in text is kept as it is, where XML 1.0 reads
///   CR LF and a lone CR as LF (section 2.11 of the XML specification).
pub fn plist_known_fault(data: &[u8]) -> Option<&'static str> {
    if data.windows(9).any(|w| w == b"<![CDATA[") {
        Some("CdataSplitLosesText")
    } else if data.contains(&b'\r') {
        Some("LineEndsKept")
    } else {
        None
    }
}

/// A container or text element the quick-xml reader is inside.
enum Frame {
    Plist,
    Dictionary(Dictionary, Option<String>),
    Array(Array),
    Text(TextKind, String),
    Boolean(bool, String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TextKind {
    Key,
    String,
    Integer,
    Real,
    Date,
    Data,
}

/// An independent XML property list reader, built on `quick-xml` events, for the
/// differential target.
///
/// It reads the plist grammar as Apple documents it (`<plist>` optional around the
/// root; the five predefined entities and character references; CDATA; comments and
/// processing instructions anywhere; attributes ignored; whitespace around scalars
/// trimmed, inside strings kept; CR LF and CR read as LF) and refuses duplicate keys. It
/// is more lenient than ours where ours refuses on purpose: it does not look for
/// characters XML 1.0 forbids, `]]>` in text, `--` in comments, or a declared encoding
/// other than UTF-8, and has no depth limit (it does not recurse). It shares only the
/// date parser ([`Date::parse_xml`]) with ours; integers, reals and base64 are parsed
/// here.
pub fn quick_xml_reader(data: &[u8]) -> Result<Value, String> {
    use quick_xml::events::Event;

    let text = std::str::from_utf8(data).map_err(|e| e.to_string())?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut reader = quick_xml::Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = false;
    config.expand_empty_elements = false;
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Value> = None;
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match event {
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::DocType(d) => {
                if root.is_some() || !stack.is_empty() || has_internal_subset(&d) {
                    return Err("a DOCTYPE out of place or with an internal subset".into());
                }
            }
            Event::Start(start) => {
                let name = start.name();
                let frame = open_frame(name.as_ref().as_bytes(), &stack, root.is_some())?;
                for attribute in start.attributes() {
                    attribute.map_err(|e| e.to_string())?;
                }
                stack.push(frame);
            }
            Event::Empty(start) => {
                let name = start.name();
                for attribute in start.attributes() {
                    attribute.map_err(|e| e.to_string())?;
                }
                let frame = open_frame(name.as_ref().as_bytes(), &stack, root.is_some())?;
                if matches!(frame, Frame::Plist) {
                    return Err("an empty plist".into());
                }
                close_frame(frame, &mut stack, &mut root)?;
            }
            Event::End(_) => {
                let frame = stack.pop().ok_or("an end tag without a start")?;
                close_frame(frame, &mut stack, &mut root)?;
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                push_text(&mut stack, &content)?;
            }
            Event::CData(c) => {
                let raw = c.into_inner();
                let content = raw.replace("\r\n", "\n").replace('\r', "\n");
                match stack.last_mut() {
                    Some(Frame::Text(_, buf) | Frame::Boolean(_, buf)) => buf.push_str(&content),
                    _ => return Err("CDATA outside a text element".into()),
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c,
                    None => match &*r.into_inner() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("unknown entity {other}")),
                    },
                };
                match stack.last_mut() {
                    Some(Frame::Text(_, buf) | Frame::Boolean(_, buf)) => buf.push(c),
                    _ => return Err("a reference outside a text element".into()),
                }
            }
        }
    }
    if !stack.is_empty() {
        return Err("the document ends early".into());
    }
    root.ok_or_else(|| "no root value".to_owned())
}

/// Whether a DOCTYPE's content has a `[` outside its quoted literals.
fn has_internal_subset(doctype: &str) -> bool {
    let mut quote = None;
    for c in doctype.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '[') => return true,
            _ => {}
        }
    }
    false
}

/// The frame for a start tag `name`.
fn open_frame(name: &[u8], stack: &[Frame], has_root: bool) -> Result<Frame, String> {
    if has_root {
        return Err("an element after the root value".into());
    }
    match stack.last() {
        Some(Frame::Text(..) | Frame::Boolean(..)) => {
            return Err("an element inside a text element".into());
        }
        Some(Frame::Dictionary(_, None)) if name != b"key" => {
            return Err("a value where a key belongs".into());
        }
        Some(Frame::Dictionary(_, Some(_))) if name == b"key" => {
            return Err("a key where a value belongs".into());
        }
        Some(Frame::Array(_) | Frame::Plist) | None if name == b"key" => {
            return Err("a key outside a dictionary".into());
        }
        _ => {}
    }
    Ok(match name {
        b"plist" if stack.is_empty() => Frame::Plist,
        b"dict" => Frame::Dictionary(Dictionary::new(), None),
        b"array" => Frame::Array(Array::new()),
        b"key" => Frame::Text(TextKind::Key, String::new()),
        b"string" => Frame::Text(TextKind::String, String::new()),
        b"integer" => Frame::Text(TextKind::Integer, String::new()),
        b"real" => Frame::Text(TextKind::Real, String::new()),
        b"date" => Frame::Text(TextKind::Date, String::new()),
        b"data" => Frame::Text(TextKind::Data, String::new()),
        b"true" => Frame::Boolean(true, String::new()),
        b"false" => Frame::Boolean(false, String::new()),
        other => {
            return Err(format!(
                "unknown element {}",
                String::from_utf8_lossy(other)
            ));
        }
    })
}

/// Text between tags: kept inside text elements, only whitespace allowed elsewhere.
fn push_text(stack: &mut [Frame], content: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(Frame::Text(_, buf) | Frame::Boolean(_, buf)) => {
            buf.push_str(content);
            Ok(())
        }
        _ if content.chars().all(is_xml_space) => Ok(()),
        _ => Err("text outside a text element".into()),
    }
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Ends `frame` and hands its value to its parent (or makes it the root).
fn close_frame(frame: Frame, stack: &mut [Frame], root: &mut Option<Value>) -> Result<(), String> {
    let value = match frame {
        Frame::Plist => {
            return if root.is_some() {
                Ok(())
            } else {
                Err("an empty plist".into())
            };
        }
        Frame::Dictionary(d, None) => Value::Dictionary(d),
        Frame::Dictionary(_, Some(_)) => return Err("a key without a value".into()),
        Frame::Array(a) => Value::Array(a),
        Frame::Boolean(b, text) => {
            if !text.chars().all(is_xml_space) {
                return Err("text in a boolean".into());
            }
            Value::Boolean(b)
        }
        Frame::Text(TextKind::Key, text) => {
            return match stack.last_mut() {
                Some(Frame::Dictionary(d, key @ None)) => {
                    if d.contains_key(&text) {
                        return Err("a duplicate key".into());
                    }
                    *key = Some(text);
                    Ok(())
                }
                _ => Err("a key outside a dictionary".into()),
            };
        }
        Frame::Text(kind, text) => scalar_value(kind, text)?,
    };
    match stack.last_mut() {
        Some(Frame::Dictionary(d, key)) => {
            let k = key.take().ok_or("a value without a key")?;
            d.insert(k, value);
        }
        Some(Frame::Array(a)) => a.push(value),
        Some(Frame::Plist) | None => {
            if root.is_some() {
                return Err("a second root value".into());
            }
            *root = Some(value);
        }
        Some(Frame::Text(..) | Frame::Boolean(..)) => {
            return Err("an element inside a text element".into());
        }
    }
    Ok(())
}

/// The value of a text element other than a key.
fn scalar_value(kind: TextKind, text: String) -> Result<Value, String> {
    let trimmed = text.trim_matches(is_xml_space);
    Ok(match kind {
        TextKind::String | TextKind::Key => Value::String(text),
        TextKind::Integer => Value::Integer(parse_integer(trimmed).ok_or("a bad integer")?),
        TextKind::Real => {
            let r: f64 = trimmed.parse().map_err(|_| "a bad real")?;
            if r.is_nan() && !trimmed.eq_ignore_ascii_case("nan") {
                return Err("a signed NaN".into());
            }
            Value::Real(r)
        }
        TextKind::Date => Value::Date(Date::parse_xml(trimmed).ok_or("a bad date")?),
        TextKind::Data => Value::Data(decode_base64(&text).ok_or("bad base64")?),
    })
}

/// An optionally signed decimal or `0x` hexadecimal integer in `i64::MIN..=u64::MAX`.
fn parse_integer(text: &str) -> Option<Integer> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (radix, digits) = match rest.get(..2) {
        Some("0x" | "0X") => (16, rest.get(2..)?),
        _ => (10, rest),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    let magnitude = i128::try_from(magnitude).ok()?;
    Integer::from_i128(if negative { -magnitude } else { magnitude })
}

/// Base64 with whitespace anywhere and any trailing padding.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

    let compact: String = text.chars().filter(|c| !is_xml_space(*c)).collect();
    let body = compact.trim_end_matches('=');
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(body).ok()
}
