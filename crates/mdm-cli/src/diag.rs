//! Rendering codec errors for people (with the source line and a caret) and for
//! scripts (JSON).
//!
//! Everything printed from an input (key paths, messages, source lines, file names) is
//! made safe for a terminal first: control characters and bidirectional overrides are
//! escaped or replaced, so a hostile file cannot send escape sequences to the reader's
//! terminal.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use mdm_plist::{Error, Format};
use serde_json::json;

/// The longest source line shown whole; longer lines are trimmed around the column.
pub const MAX_SNIPPET_CHARS: usize = 100;
/// How many characters are kept before the column when a line is trimmed.
const CONTEXT_BEFORE: usize = 60;

/// A place in a text: the 1-based line and column (counted in characters), and the
/// byte range of the line without its line break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, counted in characters (invalid UTF-8 counts as replacement
    /// characters).
    pub column: usize,
    /// The byte offset where the line starts.
    pub line_start: usize,
    /// The byte offset where the line ends, before `\n` or `\r\n`.
    pub line_end: usize,
}

/// The line and column of byte `offset` in `bytes` (an offset past the end is taken as
/// the end).
pub fn position(bytes: &[u8], offset: usize) -> Position {
    let offset = offset.min(bytes.len());
    let (before, after) = bytes.split_at_checked(offset).unwrap_or((bytes, &[]));
    let line_start = memrchr_newline(before).map_or(0, |i| i.saturating_add(1));
    let line = before
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_add(1);
    let prefix = before.get(line_start..).unwrap_or_default();
    let column = String::from_utf8_lossy(prefix)
        .chars()
        .count()
        .saturating_add(1);
    let rest_len = after
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(after.len());
    let mut line_end = offset.saturating_add(rest_len);
    if line_end > line_start && bytes.get(line_end.saturating_sub(1)) == Some(&b'\r') {
        line_end = line_end.saturating_sub(1).max(offset);
    }
    Position {
        line,
        column,
        line_start,
        line_end,
    }
}

fn memrchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().rposition(|&b| b == b'\n')
}

/// Whether a character could change what a terminal shows beyond itself: control
/// characters (C0, DEL, C1) and the bidirectional formatting characters.
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as a `\u{..}` escape.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The error as a JSON object: `kind`, `offset` (or null), `path` (a JSON Pointer,
/// `""` for the whole document) and `message`.
pub fn error_json(err: &Error) -> serde_json::Value {
    Problem::from(err).to_json()
}

/// `Kind at /path: message`, leaving out an empty path or message, made safe for a
/// terminal.
pub fn summary(err: &Error) -> String {
    Problem::from(err).summary()
}

/// An error in the parts tools print: the kind's name, the byte offset, the key path and
/// the message. Codec errors convert into one; other layers (the schema's errors) build
/// one from their own parts, so that every error prints the same way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The kind's exact name, such as `InvalidBase64` or `NotAnMdmMessage`.
    pub kind: &'static str,
    /// The byte offset in the input, when known.
    pub offset: Option<u64>,
    /// The key path, a JSON Pointer; `""` for the whole document.
    pub path: String,
    /// The message, without kind, offset or path.
    pub message: String,
    /// Whether the source line may be shown under the error. Off when the line may hold
    /// a secret.
    pub show_line: bool,
}

impl From<&Error> for Problem {
    fn from(err: &Error) -> Self {
        Self {
            kind: err.kind().name(),
            offset: err.offset(),
            path: err.path(),
            message: err.message().to_owned(),
            show_line: true,
        }
    }
}

impl Problem {
    /// `Kind at /path: message`, leaving out an empty path or message, made safe for a
    /// terminal.
    pub fn summary(&self) -> String {
        let mut out = self.kind.to_owned();
        if !self.path.is_empty() {
            out.push_str(" at ");
            out.push_str(&sanitize(&self.path));
        }
        if !self.message.is_empty() {
            out.push_str(": ");
            out.push_str(&sanitize(&self.message));
        }
        out
    }

    /// The problem as a JSON object: `kind`, `offset` (or null), `path` and `message`.
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "kind": self.kind,
            "offset": self.offset,
            "path": self.path,
            "message": self.message,
        })
    }
}

/// Writes the error in the text form of `mdm plist lint`:
/// `name:line:column: Kind at /path: message` and the source line with a caret for XML,
/// `name: byte N: Kind at /path: message` otherwise. `bytes` is the input (empty when it
/// could not be read whole) and `format` the detected format.
pub fn write_text(
    w: &mut dyn Write,
    name: &str,
    bytes: &[u8],
    format: Option<Format>,
    err: &Error,
) -> io::Result<()> {
    write_problem(w, name, bytes, format, &Problem::from(err))
}

/// Writes a [`Problem`] in the text form of [`write_text`]; the source line is left out
/// when [`Problem::show_line`] is off.
pub fn write_problem(
    w: &mut dyn Write,
    name: &str,
    bytes: &[u8],
    format: Option<Format>,
    problem: &Problem,
) -> io::Result<()> {
    let name = sanitize(name);
    let summary = problem.summary();
    let offset = problem.offset.and_then(|o| usize::try_from(o).ok());
    match (offset, format) {
        (Some(offset), Some(Format::Xml)) if !bytes.is_empty() => {
            let pos = position(bytes, offset);
            writeln!(w, "{name}:{}:{}: {summary}", pos.line, pos.column)?;
            if problem.show_line {
                write_snippet(w, bytes, &pos)?;
            }
            Ok(())
        }
        _ => match problem.offset {
            Some(offset) => writeln!(w, "{name}: byte {offset}: {summary}"),
            None => writeln!(w, "{name}: {summary}"),
        },
    }
}

/// The text of the line at byte `offset` of `bytes` (for checks on what a snippet would
/// show).
pub fn line_at(bytes: &[u8], offset: usize) -> &[u8] {
    let pos = position(bytes, offset);
    bytes.get(pos.line_start..pos.line_end).unwrap_or_default()
}

/// Writes the line at `pos` and a caret under its column, trimming long lines.
fn write_snippet(w: &mut dyn Write, bytes: &[u8], pos: &Position) -> io::Result<()> {
    let line = bytes.get(pos.line_start..pos.line_end).unwrap_or_default();
    let chars: Vec<char> = String::from_utf8_lossy(line).chars().collect();
    let col = pos.column.saturating_sub(1).min(chars.len());
    let (start, end) = if chars.len() <= MAX_SNIPPET_CHARS {
        (0, chars.len())
    } else {
        let start = col.saturating_sub(CONTEXT_BEFORE);
        let end = start.saturating_add(MAX_SNIPPET_CHARS).min(chars.len());
        // Near the end of the line, show a full window that ends there.
        (end.saturating_sub(MAX_SNIPPET_CHARS).min(start), end)
    };
    let shown = chars.get(start..end).unwrap_or_default();
    let mut text = String::new();
    let mut marker = String::new();
    if start > 0 {
        text.push_str("...");
        marker.push_str("   ");
    }
    for (i, &c) in shown.iter().enumerate() {
        let c = if c != '\t' && is_unsafe_char(c) {
            '\u{FFFD}'
        } else {
            c
        };
        text.push(c);
        if start.saturating_add(i) < col {
            // Tabs in the marker line keep the caret under the column in a terminal.
            marker.push(if c == '\t' { '\t' } else { ' ' });
        }
    }
    if end < chars.len() {
        text.push_str("...");
    }
    marker.push('^');
    let gutter = pos.line.to_string();
    writeln!(w, "{gutter} | {text}")?;
    writeln!(w, "{:width$} | {marker}", "", width = gutter.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdm_plist::ErrorKind;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncé\r\nxyz";
        assert_eq!(
            position(text.as_bytes(), 0),
            Position {
                line: 1,
                column: 1,
                line_start: 0,
                line_end: 2
            }
        );
        // 'é' is two bytes but one column; the line ends before "\r\n".
        let after_e = text.find("\r").unwrap();
        assert_eq!(
            position(text.as_bytes(), after_e),
            Position {
                line: 2,
                column: 3,
                line_start: 3,
                line_end: 6
            }
        );
        let end = position(text.as_bytes(), 999);
        assert_eq!((end.line, end.column), (3, 4));
    }

    #[test]
    fn sanitize_escapes_terminal_controls() {
        assert_eq!(sanitize("plain /Key"), "plain /Key");
        assert_eq!(sanitize("a\u{1b}[31mb\u{202e}"), "a\\u{1b}[31mb\\u{202e}");
    }

    #[test]
    fn text_form_for_xml_shows_line_and_caret() {
        let doc = b"<plist>\n\t<data>@@</data>\n</plist>";
        let err = Error::at(ErrorKind::InvalidBase64, 15, "not base64");
        let mut out = Vec::new();
        write_text(&mut out, "m.plist", doc, Some(Format::Xml), &err).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            "m.plist:2:8: InvalidBase64: not base64\n2 | \t<data>@@</data>\n  | \t      ^\n"
        );
    }

    #[test]
    fn text_form_for_binary_names_the_byte() {
        let err = Error::at(ErrorKind::InvalidOffset, 67, "offset into the offset table");
        let mut out = Vec::new();
        write_text(
            &mut out,
            "b.bplist",
            b"bplist00",
            Some(Format::Binary),
            &err,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "b.bplist: byte 67: InvalidOffset: offset into the offset table\n"
        );
    }

    #[test]
    fn long_lines_are_trimmed_around_the_column() {
        let mut doc = "x".repeat(500);
        doc.replace_range(300..301, "!");
        let err = Error::at(ErrorKind::MalformedXml, 300, "bad");
        let mut out = Vec::new();
        write_text(&mut out, "l.xml", doc.as_bytes(), Some(Format::Xml), &err).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "l.xml:1:301: MalformedXml: bad");
        let shown = lines[1].strip_prefix("1 | ").unwrap();
        assert!(shown.starts_with("...") && shown.ends_with("..."));
        let caret = lines[2].strip_prefix("  | ").unwrap();
        assert_eq!(shown.chars().nth(caret.len() - 1), Some('!'));
    }

    #[test]
    fn json_form_has_every_field() {
        let err = Error::at(ErrorKind::TrailingData, 3, "more");
        assert_eq!(
            error_json(&err).to_string(),
            r#"{"kind":"TrailingData","offset":3,"path":"","message":"more"}"#
        );
        let err = Error::new(ErrorKind::Custom, "x");
        assert_eq!(error_json(&err)["offset"], serde_json::Value::Null);
    }
}
