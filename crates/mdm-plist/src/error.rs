//! Errors: a kind, the byte offset where the input went wrong, and the key path to it.

use std::fmt;

/// What went wrong.
///
/// The names are stable and are printed as they are spelled here (by [`ErrorKind::name`]
/// and by the `mdm` tool), so scripts may match on them. New kinds may be added in minor
/// releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Containers are nested deeper than [`ReadOptions::max_depth`](crate::ReadOptions::max_depth)
    /// (or [`WriteOptions::max_depth`](crate::WriteOptions::max_depth) when writing).
    DepthLimitExceeded,
    /// A binary plist container contains itself, directly or through other containers.
    CyclicReference,
    /// Expanding shared binary references would produce more values or bytes than
    /// [`ReadOptions::max_nodes`](crate::ReadOptions::max_nodes) or
    /// [`ReadOptions::max_expanded_bytes`](crate::ReadOptions::max_expanded_bytes) allow.
    NodeBudgetExceeded,
    /// A binary plist object offset or reference points outside the object area.
    InvalidOffset,
    /// The binary plist trailer is malformed or inconsistent with the file.
    InvalidTrailer,
    /// A declared length or count runs past the end of the input.
    LengthExceedsInput,
    /// The input is larger than [`ReadOptions::max_input_size`](crate::ReadOptions::max_input_size).
    InputTooLarge,
    /// An integer does not fit in the range `i64::MIN..=u64::MAX`, or does not fit the
    /// Rust type it is decoded into.
    IntegerOutOfRange,
    /// An XML document type declaration with an internal subset, or an entity
    /// declaration, was found.
    DtdNotAllowed,
    /// A dictionary holds the same key twice.
    DuplicateKey,
    /// A date is not in the form `YYYY-MM-DDTHH:MM:SSZ`, names a day that does not exist,
    /// or (binary) is not a finite number.
    InvalidDate,
    /// The input is not valid UTF-8 (XML), or a binary string is not valid UTF-16.
    InvalidUtf8,
    /// A `<data>` element holds something other than base64 and whitespace.
    InvalidBase64,
    /// A string holds a character that XML 1.0 cannot represent.
    InvalidXmlChar,
    /// The XML is not well formed, or is not a property list.
    MalformedXml,
    /// The input ends in the middle of a value.
    UnexpectedEof,
    /// Bytes follow the end of the document.
    TrailingData,
    /// An `<integer>` or `<real>` element does not hold a number.
    InvalidNumber,
    /// A binary plist object has a marker byte that is not defined.
    InvalidMarker,
    /// A dictionary key is not a string.
    InvalidKey,
    /// The input is neither an XML nor a binary property list.
    UnknownFormat,
    /// A value cannot be written in the requested format (for example a Rust `None`,
    /// or a date outside the years 0 to 9999 in XML).
    UnsupportedValue,
    /// A value has another type than the one asked for.
    InvalidType,
    /// A value has the right type but a value that is not accepted.
    InvalidValue,
    /// A required dictionary key is missing.
    MissingField,
    /// A dictionary key is not known to the type being decoded.
    UnknownField,
    /// A string does not name a known enum variant.
    UnknownVariant,
    /// An error reported by a `Serialize` or `Deserialize` implementation.
    Custom,
    /// Reading or writing failed at the operating system level.
    Io,
}

impl ErrorKind {
    /// The kind's name, exactly as the enum variant is spelled (`"DepthLimitExceeded"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::DepthLimitExceeded => "DepthLimitExceeded",
            Self::CyclicReference => "CyclicReference",
            Self::NodeBudgetExceeded => "NodeBudgetExceeded",
            Self::InvalidOffset => "InvalidOffset",
            Self::InvalidTrailer => "InvalidTrailer",
            Self::LengthExceedsInput => "LengthExceedsInput",
            Self::InputTooLarge => "InputTooLarge",
            Self::IntegerOutOfRange => "IntegerOutOfRange",
            Self::DtdNotAllowed => "DtdNotAllowed",
            Self::DuplicateKey => "DuplicateKey",
            Self::InvalidDate => "InvalidDate",
            Self::InvalidUtf8 => "InvalidUtf8",
            Self::InvalidBase64 => "InvalidBase64",
            Self::InvalidXmlChar => "InvalidXmlChar",
            Self::MalformedXml => "MalformedXml",
            Self::UnexpectedEof => "UnexpectedEof",
            Self::TrailingData => "TrailingData",
            Self::InvalidNumber => "InvalidNumber",
            Self::InvalidMarker => "InvalidMarker",
            Self::InvalidKey => "InvalidKey",
            Self::UnknownFormat => "UnknownFormat",
            Self::UnsupportedValue => "UnsupportedValue",
            Self::InvalidType => "InvalidType",
            Self::InvalidValue => "InvalidValue",
            Self::MissingField => "MissingField",
            Self::UnknownField => "UnknownField",
            Self::UnknownVariant => "UnknownVariant",
            Self::Custom => "Custom",
            Self::Io => "Io",
        }
    }

    /// Whether the error comes from the bytes themselves (syntax or a limit), as opposed to
    /// the shape of the value (a type, a missing field) or the environment (I/O).
    pub const fn is_syntax(self) -> bool {
        !matches!(
            self,
            Self::InvalidType
                | Self::InvalidValue
                | Self::MissingField
                | Self::UnknownField
                | Self::UnknownVariant
                | Self::Custom
                | Self::Io
                | Self::UnsupportedValue
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error from reading or writing a property list.
///
/// It carries the [`ErrorKind`], the byte offset of the first byte that is wrong (when
/// the error comes from input bytes), the key path to the value as a JSON Pointer
/// (RFC 6901, `""` for the whole document), and a short message. The error is one
/// pointer wide, so `Result<T, Error>` stays small.
///
/// ```
/// use mdm_plist::{ErrorKind, Value};
///
/// let doc = b"<plist><dict><key>A</key><integer>1</integer><key>A</key><true/></dict></plist>";
/// let err = Value::from_slice(doc).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::DuplicateKey);
/// assert_eq!(err.offset(), Some(45));
/// assert_eq!(err.path(), "/A");
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    offset: Option<u64>,
    /// Path segments, innermost first, while the error travels outwards; joined on demand.
    segments: Vec<Segment>,
    /// Set once the path is final, so outer layers stop adding segments.
    path_done: bool,
    /// Set when outer segments were left out ([`MAX_PATH_SEGMENTS`]).
    path_cut: bool,
    message: String,
    source: Option<std::io::Error>,
}

/// The longest key, in bytes, that a path shows whole.
const MAX_KEY_IN_PATH: usize = 256;

/// The most segments a path keeps.
const MAX_PATH_SEGMENTS: usize = 256;

/// The key, cut at a character boundary after [`MAX_KEY_IN_PATH`] bytes and ended with `…`.
pub(crate) fn shorten(key: &str) -> String {
    if key.len() <= MAX_KEY_IN_PATH {
        return key.to_owned();
    }
    let mut end = MAX_KEY_IN_PATH;
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    let mut short = key.get(..end).unwrap_or_default().to_owned();
    short.push('…');
    short
}

#[derive(Clone, Debug)]
enum Segment {
    Key(String),
    Index(usize),
}

impl Error {
    /// A copy of this error, without its I/O source (which cannot be copied): for keeping
    /// the first error of a stream while handing the original on.
    pub(crate) fn replica(&self) -> Self {
        Self {
            inner: Box::new(Inner {
                kind: self.inner.kind,
                offset: self.inner.offset,
                segments: self.inner.segments.clone(),
                path_done: self.inner.path_done,
                path_cut: self.inner.path_cut,
                message: self.inner.message.clone(),
                source: None,
            }),
        }
    }

    /// Creates an error of `kind` with a message and no position.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                offset: None,
                segments: Vec::new(),
                path_done: false,
                path_cut: false,
                message: message.into(),
                source: None,
            }),
        }
    }

    /// Creates an error of `kind` at byte `offset`.
    pub fn at(kind: ErrorKind, offset: usize, message: impl Into<String>) -> Self {
        Self::new(kind, message).with_offset(offset)
    }

    pub(crate) fn io(err: std::io::Error) -> Self {
        let mut e = Self::new(ErrorKind::Io, err.to_string());
        e.inner.source = Some(err);
        e
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The byte offset of the first wrong byte in the input, when the error comes from input.
    pub fn offset(&self) -> Option<u64> {
        self.inner.offset
    }

    /// The key path to the value in error, as a JSON Pointer (`/ErrorChain/0/ErrorCode`).
    /// The whole document is `""`.
    /// Keys longer than 256 bytes appear shortened, ending in `…`; a path of more than 256
    /// segments keeps its innermost ones after a leading `/…`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        if self.inner.path_cut {
            out.push_str("/…");
        }
        for segment in self.inner.segments.iter().rev() {
            out.push('/');
            match segment {
                Segment::Key(key) => {
                    for c in key.chars() {
                        match c {
                            '~' => out.push_str("~0"),
                            '/' => out.push_str("~1"),
                            c => out.push(c),
                        }
                    }
                }
                Segment::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    /// The message, without kind, offset or path.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Sets the key path from a JSON Pointer (`/ErrorChain/0/ErrorCode`; `""` for the whole
    /// document), replacing any path the error had. For errors found after decoding, such
    /// as a field that a schema layer checks.
    ///
    /// ```
    /// use mdm_plist::{Error, ErrorKind};
    ///
    /// let err = Error::new(ErrorKind::MissingField, "missing field `RequestType`")
    ///     .with_pointer("/Command");
    /// assert_eq!(err.path(), "/Command");
    /// assert_eq!(err.offset(), None);
    /// ```
    pub fn with_pointer(mut self, pointer: &str) -> Self {
        let mut segments: Vec<Segment> = pointer
            .split('/')
            .skip(1)
            .map(|s| Segment::Key(shorten(&s.replace("~1", "/").replace("~0", "~"))))
            .collect();
        segments.reverse();
        segments.truncate(MAX_PATH_SEGMENTS);
        self.inner.segments = segments;
        self.inner.path_done = true;
        self
    }

    /// Sets the offset if none is set yet.
    pub(crate) fn with_offset(mut self, offset: usize) -> Self {
        if self.inner.offset.is_none() {
            self.inner.offset = Some(offset as u64);
        }
        self
    }

    /// Adds a dictionary key as the next outer path segment, unless the path is final.
    /// Keys longer than [`MAX_KEY_IN_PATH`] bytes are shortened, and a path keeps at most
    /// [`MAX_PATH_SEGMENTS`] segments (the innermost), so that an error stays small
    /// whatever the input.
    pub(crate) fn in_key(mut self, key: &str) -> Self {
        if !self.inner.path_done && self.has_room() {
            self.inner.segments.push(Segment::Key(shorten(key)));
        }
        self
    }

    /// Adds an array index as the next outer path segment, unless the path is final.
    pub(crate) fn in_index(mut self, index: usize) -> Self {
        if !self.inner.path_done && self.has_room() {
            self.inner.segments.push(Segment::Index(index));
        }
        self
    }

    /// Whether another segment fits; records that the path was cut when not.
    fn has_room(&mut self) -> bool {
        if self.inner.segments.len() < MAX_PATH_SEGMENTS {
            return true;
        }
        self.inner.path_cut = true;
        false
    }

    /// Marks the path as complete: outer layers add no more segments.
    pub(crate) fn path_complete(mut self) -> Self {
        self.inner.path_done = true;
        self
    }

    /// Whether the path is already complete.
    pub(crate) fn has_complete_path(&self) -> bool {
        self.inner.path_done
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("offset", &self.inner.offset)
            .field("path", &self.path())
            .field("message", &self.inner.message)
            .finish()
    }
}

impl fmt::Display for Error {
    /// `Kind at /path (byte N): message`, leaving out what is unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.inner.kind)?;
        let path = self.path();
        if !path.is_empty() || self.inner.offset.is_some() {
            write!(f, " at {}", if path.is_empty() { "\"\"" } else { &path })?;
        }
        if let Some(offset) = self.inner.offset {
            write!(f, " (byte {offset})")?;
        }
        if !self.inner.message.is_empty() {
            write!(f, ": {}", self.inner.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Self::io(err)
    }
}

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_is_json_pointer_with_escapes() {
        let e = Error::new(ErrorKind::Custom, "x")
            .in_key("a/b~c")
            .in_index(3)
            .in_key("ErrorChain");
        assert_eq!(e.path(), "/ErrorChain/3/a~1b~0c");
    }

    #[test]
    fn pointer_round_trips_through_path() {
        for pointer in ["", "/a", "/a~1b/0/~0c", "/ErrorChain/1/ErrorCode"] {
            let e = Error::new(ErrorKind::Custom, "x")
                .in_key("old")
                .with_pointer(pointer);
            assert_eq!(e.path(), pointer);
        }
    }

    #[test]
    fn paths_stay_small_whatever_the_input() {
        let long = "é".repeat(1000);
        let e = Error::new(ErrorKind::Custom, "x").in_key(&long);
        assert_eq!(e.path().len(), 1 + 256 + '…'.len_utf8());
        let mut e = Error::new(ErrorKind::Custom, "x").in_key("inner");
        for i in 0..10_000 {
            e = e.in_index(i);
        }
        let path = e.path();
        assert!(path.starts_with("/…/254/"), "{}", &path[..20]);
        assert!(path.ends_with("/inner"));
        assert_eq!(path.matches('/').count(), MAX_PATH_SEGMENTS + 1);
        let short = "a".repeat(256);
        assert_eq!(
            Error::new(ErrorKind::Custom, "x").in_key(&short).path(),
            format!("/{short}")
        );
    }

    #[test]
    fn complete_path_stops_growing() {
        let e = Error::new(ErrorKind::Custom, "x")
            .in_key("Inner")
            .path_complete()
            .in_key("Outer");
        assert_eq!(e.path(), "/Inner");
    }

    #[test]
    fn first_offset_wins() {
        let e = Error::at(ErrorKind::Custom, 4, "x").with_offset(9);
        assert_eq!(e.offset(), Some(4));
    }

    #[test]
    fn display_names_kind_path_and_offset() {
        let e = Error::at(ErrorKind::InvalidBase64, 17, "bad byte").in_key("Token");
        assert_eq!(e.to_string(), "InvalidBase64 at /Token (byte 17): bad byte");
        let e = Error::at(ErrorKind::TrailingData, 3, "more");
        assert_eq!(e.to_string(), "TrailingData at \"\" (byte 3): more");
    }

    #[test]
    fn error_is_one_pointer() {
        assert_eq!(size_of::<Error>(), size_of::<usize>());
    }
}
