//! The XML reader: a one-pass scanner over the input bytes.
//!
//! The whole input is checked once up front (UTF-8, characters XML 1.0 forbids), so the
//! scanner afterwards works on bytes and only ever cuts the text at ASCII delimiters,
//! which keeps every slice valid UTF-8. Text without references, CDATA or comments is
//! returned borrowed from the input; only text that must be decoded or joined allocates.

use std::borrow::Cow;
use std::ops::Range;

use memchr::{memchr, memchr2, memmem};

use crate::events::{Event, Source};
use crate::{Date, Error, ErrorKind, Integer, Result};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The prolog and root start tag that Apple's writers produce, up to the root value.
const APPLE_PROLOG: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
<plist version=\"1.0\">";

/// Where `<plist` starts in [`APPLE_PROLOG`].
const APPLE_PROLOG_PLIST: usize = APPLE_PROLOG.len() - b"<plist version=\"1.0\">".len();

/// Reads an XML property list as events.
pub(crate) struct XmlSource<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Where scanning continues.
    pos: usize,
    /// The `<` of the element behind the last event.
    start: usize,
    /// The end event of an empty `<dict/>` or `<array/>`, returned by the next call.
    pending: Option<Event<'a>>,
    /// Whether the root value sits inside `<plist>`.
    wrapped: bool,
    /// Whether any element was read yet.
    started: bool,
    /// Whether the input holds a carriage return anywhere (rare: only then is text
    /// searched for line ends to normalise).
    has_cr: bool,
    /// Whether the input holds `]]>` anywhere (only then is plain text searched for it).
    has_cdata_end: bool,
}

/// The content of a text element.
enum Text {
    /// The input between these offsets, as it is.
    Plain(usize, usize),
    /// Decoded text (references, CDATA, comments or line ends were in it).
    Decoded(String),
}

/// Where an attribute's parts lie in the input.
struct Attribute {
    name: Range<usize>,
    value: Range<usize>,
    after: usize,
}

impl<'a> XmlSource<'a> {
    /// Checks the whole input (UTF-8, characters) and reads the prolog.
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Self> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Error::at(
                ErrorKind::InvalidUtf8,
                e.valid_up_to(),
                "the input is not valid UTF-8",
            )
        })?;
        let pos = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
        // Apple's standard prolog is known to be clean: the scan starts after it.
        let checked = if bytes
            .get(pos..)
            .is_some_and(|rest| rest.starts_with(APPLE_PROLOG))
        {
            pos + APPLE_PROLOG.len()
        } else {
            0
        };
        let (has_cr, has_bracket) = check_chars(bytes, checked)?;
        let has_cdata_end = has_bracket && memmem::find(bytes, b"]]>").is_some();
        let mut source = Self {
            text,
            bytes,
            pos,
            start: 0,
            pending: None,
            wrapped: false,
            started: false,
            has_cr,
            has_cdata_end,
        };
        source.prolog()?;
        Ok(source)
    }

    // ---- small helpers -------------------------------------------------------------

    #[inline]
    fn byte(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    #[inline]
    fn starts(&self, i: usize, pattern: &[u8]) -> bool {
        self.bytes
            .get(i..)
            .is_some_and(|rest| rest.starts_with(pattern))
    }

    #[inline]
    fn rest(&self, i: usize) -> &'a [u8] {
        self.bytes.get(i..).unwrap_or_default()
    }

    #[inline]
    fn skip_ws(&self, mut i: usize) -> usize {
        while let Some(b) = self.byte(i) {
            if !is_ws(b) {
                break;
            }
            i += 1;
        }
        i
    }

    #[inline]
    fn name_end(&self, mut i: usize) -> usize {
        while let Some(b) = self.byte(i) {
            if !is_name_byte(b) {
                break;
            }
            i += 1;
        }
        i
    }

    /// `err`, or running out of input if the input ends at `i`.
    fn or_eof(&self, i: usize, err: Error) -> Error {
        if i >= self.bytes.len() {
            self.eof()
        } else {
            err
        }
    }

    fn eof(&self) -> Error {
        Error::at(
            ErrorKind::UnexpectedEof,
            self.bytes.len(),
            "the document ends early",
        )
    }

    #[inline(always)]
    fn str_at(&self, start: usize, end: usize) -> Result<&'a str> {
        self.text.get(start..end).ok_or_else(|| {
            Error::at(
                ErrorKind::MalformedXml,
                start,
                "text cut inside a character",
            )
        })
    }

    // ---- markup other than elements ------------------------------------------------

    /// Skips `<!-- ... -->` starting at `lt`; returns the offset after it.
    fn skip_comment(&self, lt: usize) -> Result<usize> {
        let from = lt + 4;
        match memmem::find(self.rest(from), b"-->") {
            Some(k) => Ok(from + k + 3),
            None => Err(self.eof()),
        }
    }

    /// Skips a processing instruction `<?target ...?>` starting at `lt`.
    fn skip_pi(&self, lt: usize) -> Result<usize> {
        let name_start = lt + 2;
        let name_end = self.name_end(name_start);
        let target = self.bytes.get(name_start..name_end).unwrap_or_default();
        if target.is_empty() {
            return Err(match self.byte(name_start) {
                None => self.eof(),
                Some(_) => malformed(lt, "a processing instruction without a target"),
            });
        }
        if target.eq_ignore_ascii_case(b"xml") {
            return Err(malformed(lt, "an XML declaration that is not at the start"));
        }
        match self.byte(name_end) {
            Some(b) if is_ws(b) || b == b'?' => {}
            None => return Err(self.eof()),
            Some(_) => return Err(malformed(lt, "a malformed processing instruction")),
        }
        match memmem::find(self.rest(name_end), b"?>") {
            Some(k) => Ok(name_end + k + 2),
            None => Err(self.eof()),
        }
    }

    /// A CDATA section at `lt`: its content range and the offset after it.
    fn cdata(&self, lt: usize) -> Result<(usize, usize, usize)> {
        let from = lt + 9;
        match memmem::find(self.rest(from), b"]]>") {
            Some(k) => Ok((from, from + k, from + k + 3)),
            None => Err(self.eof()),
        }
    }

    /// The error for `<!` markup that is not allowed where it stands.
    fn bad_bang(&self, lt: usize) -> Error {
        const DTD: [&[u8]; 4] = [b"<!ENTITY", b"<!ELEMENT", b"<!ATTLIST", b"<!NOTATION"];
        const OTHER: [&[u8]; 3] = [b"<!DOCTYPE", b"<![CDATA[", b"<!--"];
        let rest = self.rest(lt);
        if DTD.iter().any(|p| rest.starts_with(p)) {
            Error::at(
                ErrorKind::DtdNotAllowed,
                lt,
                "DTD declarations are not allowed",
            )
        } else if rest.starts_with(b"<!DOCTYPE") {
            malformed(lt, "a DOCTYPE that is not in the prolog, or a second one")
        } else if rest.starts_with(b"<![CDATA[") {
            malformed(lt, "text outside of a text element")
        } else if DTD.iter().chain(&OTHER).any(|p| p.starts_with(rest)) {
            // The input ends inside the keyword.
            self.eof()
        } else {
            malformed(lt, "unknown markup")
        }
    }

    /// Skips whitespace, comments and processing instructions.
    fn skip_misc(&self, mut i: usize) -> Result<usize> {
        loop {
            i = self.skip_ws(i);
            if self.starts(i, b"<!--") {
                i = self.skip_comment(i)?;
            } else if self.starts(i, b"<?") {
                i = self.skip_pi(i)?;
            } else {
                return Ok(i);
            }
        }
    }

    /// A quoted literal starting at `i`: the range inside the quotes and the offset after.
    fn quoted(&self, lt: usize, i: usize) -> Result<(usize, usize, usize)> {
        let quote = match self.byte(i) {
            Some(q @ (b'"' | b'\'')) => q,
            None => return Err(self.eof()),
            Some(_) => return Err(malformed(lt, "a value that is not quoted")),
        };
        match memchr(quote, self.rest(i + 1)) {
            Some(k) => Ok((i + 1, i + 1 + k, i + 2 + k)),
            None => Err(self.eof()),
        }
    }

    /// One attribute `name = "value"` starting at `i` (a name byte): name range, value
    /// range, and the offset after it. The value holds no `<` and only valid references.
    fn attribute(&self, lt: usize, i: usize) -> Result<Attribute> {
        let name_end = self.name_end(i);
        if name_end == i {
            return Err(match self.byte(i) {
                None => self.eof(),
                Some(_) => malformed(lt, "a malformed attribute"),
            });
        }
        let eq = self.skip_ws(name_end);
        match self.byte(eq) {
            Some(b'=') => {}
            None => return Err(self.eof()),
            Some(_) => return Err(malformed(lt, "an attribute without a value")),
        }
        let (vs, ve, after) = self.quoted(lt, self.skip_ws(eq + 1))?;
        let value = self.bytes.get(vs..ve).unwrap_or_default();
        if memchr(b'<', value).is_some() {
            return Err(malformed(lt, "an attribute value with '<'"));
        }
        let mut j = vs;
        while let Some(k) = memchr(b'&', self.bytes.get(j..ve).unwrap_or_default()) {
            let (_, next) = self.reference(j + k)?;
            j = next;
        }
        Ok(Attribute {
            name: i..name_end,
            value: vs..ve,
            after,
        })
    }

    /// The rest of a start tag after its name: attributes, then `>` or `/>`. Returns
    /// whether the element is empty (`/>`) and the offset after the tag.
    #[inline]
    fn tag_rest(&self, lt: usize, mut i: usize) -> Result<(bool, usize)> {
        loop {
            match self.byte(i) {
                Some(b'>') => return Ok((false, i + 1)),
                Some(b'/') => {
                    return match self.byte(i + 1) {
                        Some(b'>') => Ok((true, i + 2)),
                        None => Err(self.eof()),
                        Some(_) => Err(malformed(lt, "a malformed start tag")),
                    };
                }
                Some(b) if is_ws(b) => {
                    i = self.skip_ws(i);
                    if matches!(self.byte(i), Some(b'>' | b'/')) {
                        continue;
                    }
                    i = self.attribute(lt, i)?.after;
                }
                None => return Err(self.eof()),
                Some(_) => return Err(malformed(lt, "a malformed start tag")),
            }
        }
    }

    /// An end tag `</name>` at `lt` (which holds `</`); returns the offset after it.
    #[inline(always)]
    fn end_tag(&self, lt: usize, name: &[u8]) -> Result<usize> {
        let name_start = lt + 2;
        // The common `</name>`, compared as a whole.
        if let Some(rest) = self.bytes.get(name_start..)
            && rest.starts_with(name)
            && rest.get(name.len()) == Some(&b'>')
        {
            return Ok(name_start + name.len() + 1);
        }
        let name_end = self.name_end(name_start);
        if self.bytes.get(name_start..name_end) != Some(name) {
            return Err(match self.byte(name_end) {
                None => self.eof(),
                Some(_) => malformed(lt, "an end tag that does not match its start tag"),
            });
        }
        let gt = self.skip_ws(name_end);
        match self.byte(gt) {
            Some(b'>') => Ok(gt + 1),
            None => Err(self.eof()),
            Some(_) => Err(malformed(lt, "a malformed end tag")),
        }
    }

    // ---- prolog --------------------------------------------------------------------

    fn prolog(&mut self) -> Result<()> {
        // Apple's writers all start with the same bytes, which the general scanner below
        // would accept: matching them whole skips the attribute and DOCTYPE parsing.
        if self.rest(self.pos).starts_with(APPLE_PROLOG) {
            self.start = self.pos + APPLE_PROLOG_PLIST;
            self.wrapped = true;
            self.pos += APPLE_PROLOG.len();
            return Ok(());
        }
        self.general_prolog()
    }

    /// Any prolog: declaration, comments, processing instructions, one DOCTYPE, then the
    /// root start tag.
    fn general_prolog(&mut self) -> Result<()> {
        let mut i = self.skip_ws(self.pos);
        if self.starts(i, b"<?xml") {
            match self.byte(i + 5) {
                None => return Err(self.eof()),
                Some(b) if is_ws(b) || b == b'?' => i = self.declaration(i)?,
                Some(_) => {}
            }
        }
        let mut doctype = false;
        loop {
            i = self.skip_ws(i);
            match self.byte(i) {
                Some(b'<') => {}
                None => return Err(self.eof()),
                Some(_) => return Err(malformed(i, "text before the root element")),
            }
            match self.byte(i + 1) {
                Some(b'?') => i = self.skip_pi(i)?,
                Some(b'!') if self.starts(i, b"<!--") => i = self.skip_comment(i)?,
                Some(b'!') if self.starts(i, b"<!DOCTYPE") => {
                    if doctype {
                        return Err(malformed(i, "a second DOCTYPE"));
                    }
                    doctype = true;
                    i = self.doctype(i)?;
                }
                Some(b'!') => return Err(self.bad_bang(i)),
                _ => {
                    let name_end = self.name_end(i + 1);
                    if self.bytes.get(i + 1..name_end) == Some(b"plist") {
                        self.start = i;
                        let (empty, after) = self.tag_rest(i, name_end)?;
                        if empty {
                            return Err(malformed(i, "the plist holds no value"));
                        }
                        self.wrapped = true;
                        self.pos = after;
                    } else {
                        self.pos = i;
                    }
                    return Ok(());
                }
            }
        }
    }

    /// The XML declaration at `lt`, as XML 1.0 defines it: `version` (`1.` and digits),
    /// then optionally `encoding` (only UTF-8 is accepted) and `standalone` (`yes` or
    /// `no`), in that order and nothing else.
    fn declaration(&self, lt: usize) -> Result<usize> {
        const ORDER: [&[u8]; 3] = [b"version", b"encoding", b"standalone"];
        let mut i = lt + 5;
        let mut next = 0;
        loop {
            i = self.skip_ws(i);
            if self.starts(i, b"?>") {
                if next == 0 {
                    return Err(malformed(lt, "an XML declaration without a version"));
                }
                return Ok(i + 2);
            }
            if self.byte(i) == Some(b'?') && self.byte(i + 1).is_none() {
                return Err(self.eof());
            }
            let Attribute { name, value, after } = self.attribute(lt, i)?;
            let name = self.bytes.get(name).unwrap_or_default();
            let value = self.bytes.get(value).unwrap_or_default();
            let Some(position) = ORDER.iter().position(|n| *n == name) else {
                return Err(malformed(
                    lt,
                    "an XML declaration may hold only version, encoding and standalone",
                ));
            };
            if position < next || (next == 0 && position != 0) {
                return Err(malformed(lt, "a malformed XML declaration"));
            }
            next = position + 1;
            let valid = match position {
                0 => value
                    .strip_prefix(b"1.")
                    .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit)),
                1 => value.eq_ignore_ascii_case(b"UTF-8"),
                _ => value == b"yes" || value == b"no",
            };
            if !valid && position == 1 {
                return Err(malformed(lt, "the declared encoding is not UTF-8"));
            }
            if !valid {
                return Err(malformed(lt, "a malformed XML declaration"));
            }
            match self.byte(after) {
                Some(b) if is_ws(b) || b == b'?' => {}
                None => return Err(self.eof()),
                Some(_) => return Err(malformed(lt, "a malformed XML declaration")),
            }
            i = after;
        }
    }

    /// A `<!DOCTYPE name [PUBLIC "..." "..." | SYSTEM "..."]>` at `lt`; an internal
    /// subset is refused.
    fn doctype(&self, lt: usize) -> Result<usize> {
        let mut i = lt + 9;
        let need_ws = |i: usize| match self.byte(i) {
            Some(b) if is_ws(b) => Ok(self.skip_ws(i)),
            None => Err(self.eof()),
            Some(_) => Err(malformed(lt, "a malformed DOCTYPE")),
        };
        i = need_ws(i)?;
        let name_end = self.name_end(i);
        if name_end == i {
            return Err(self.or_eof(i, malformed(lt, "a DOCTYPE without a name")));
        }
        i = self.skip_ws(name_end);
        if self.starts(i, b"PUBLIC") {
            i = need_ws(i + 6)?;
            i = self.quoted(lt, i)?.2;
            i = need_ws(i)?;
            i = self.quoted(lt, i)?.2;
        } else if self.starts(i, b"SYSTEM") {
            i = need_ws(i + 6)?;
            i = self.quoted(lt, i)?.2;
        } else if let rest = self.rest(i)
            && !rest.is_empty()
            && (b"PUBLIC".starts_with(rest) || b"SYSTEM".starts_with(rest))
        {
            return Err(self.eof());
        }
        i = self.skip_ws(i);
        match self.byte(i) {
            Some(b'>') => Ok(i + 1),
            Some(b'[') => Err(Error::at(
                ErrorKind::DtdNotAllowed,
                lt,
                "a DOCTYPE with an internal subset is not allowed",
            )),
            None => Err(self.eof()),
            Some(_) => Err(malformed(lt, "a malformed DOCTYPE")),
        }
    }

    // ---- text ----------------------------------------------------------------------

    /// A reference `&...;` at `amp`: the character and the offset after it.
    fn reference(&self, amp: usize) -> Result<(char, usize)> {
        let i = amp + 1;
        if self.byte(i) == Some(b'#') {
            let (radix, digits_start) = if self.byte(i + 1) == Some(b'x') {
                (16, i + 2)
            } else {
                (10, i + 1)
            };
            let mut j = digits_start;
            let mut value: u32 = 0;
            while let Some(d) = self.byte(j).and_then(|b| char::from(b).to_digit(radix)) {
                value = value.saturating_mul(radix).saturating_add(d);
                j += 1;
            }
            match self.byte(j) {
                Some(b';') if j > digits_start => {}
                None => return Err(self.eof()),
                Some(_) => return Err(malformed(amp, "a malformed character reference")),
            }
            return match char::from_u32(value).filter(|&c| is_xml_char(c)) {
                Some(c) => Ok((c, j + 1)),
                None => Err(Error::at(
                    ErrorKind::InvalidXmlChar,
                    amp,
                    "a character reference to a character XML does not allow",
                )),
            };
        }
        let rest = self.rest(i);
        let named: [(&[u8], char); 5] = [
            (b"lt;", '<'),
            (b"gt;", '>'),
            (b"amp;", '&'),
            (b"quot;", '"'),
            (b"apos;", '\''),
        ];
        for (name, c) in named {
            if rest.starts_with(name) {
                return Ok((c, i + name.len()));
            }
        }
        Err(malformed(amp, "an unknown or malformed entity reference"))
    }

    /// Refuses `]]>` in plain text.
    #[inline(always)]
    fn check_plain(&self, start: usize, end: usize) -> Result<()> {
        if self.has_cdata_end {
            let segment = self.bytes.get(start..end).unwrap_or_default();
            if let Some(k) = memmem::find(segment, b"]]>") {
                return Err(malformed(start + k, "']]>' in text"));
            }
        }
        Ok(())
    }

    /// The content of the text element `name` starting at `from`, up to and including
    /// its end tag; `self.pos` moves past the end tag.
    #[inline(always)]
    fn text(&mut self, from: usize, name: &[u8]) -> Result<Text> {
        let Some(k) = find_markup(self.rest(from)) else {
            return Err(self.eof());
        };
        let lt = from + k;
        if self.byte(lt) == Some(b'<') && self.byte(lt + 1) == Some(b'/') {
            let after = self.end_tag(lt, name)?;
            self.check_plain(from, lt)?;
            self.pos = after;
            return Ok(Text::Plain(from, lt));
        }
        self.decode_text(from, name)
    }

    /// The slow path of [`Self::text`]: joins plain text, references and CDATA sections,
    /// skipping comments and processing instructions.
    fn decode_text(&mut self, mut i: usize, name: &[u8]) -> Result<Text> {
        let mut out = String::new();
        loop {
            let Some(k) = memchr2(b'<', b'&', self.rest(i)) else {
                return Err(self.eof());
            };
            let at = i + k;
            self.check_plain(i, at)?;
            self.push_text(&mut out, i, at)?;
            if self.byte(at) == Some(b'&') {
                let (c, after) = self.reference(at)?;
                out.push(c);
                i = after;
                continue;
            }
            match self.byte(at + 1) {
                Some(b'/') => {
                    self.pos = self.end_tag(at, name)?;
                    return Ok(Text::Decoded(out));
                }
                Some(b'!') if self.starts(at, b"<![CDATA[") => {
                    let (start, end, after) = self.cdata(at)?;
                    self.push_text(&mut out, start, end)?;
                    i = after;
                }
                Some(b'!') if self.starts(at, b"<!--") => i = self.skip_comment(at)?,
                Some(b'!') => return Err(self.bad_bang(at)),
                Some(b'?') => i = self.skip_pi(at)?,
                None => return Err(self.eof()),
                Some(_) => return Err(malformed(at, "an element inside a text element")),
            }
        }
    }

    /// Appends input text, with line ends normalised.
    fn push_text(&self, out: &mut String, start: usize, end: usize) -> Result<()> {
        let text = self.str_at(start, end)?;
        if self.has_cr {
            push_normalized(out, text);
        } else {
            out.push_str(text);
        }
        Ok(())
    }

    /// The text of a `<key>` or `<string>` element.
    #[inline(always)]
    fn string(&mut self, after_tag: usize, empty: bool, name: &[u8]) -> Result<Cow<'a, str>> {
        if empty {
            return Ok(Cow::Borrowed(""));
        }
        match self.text(after_tag, name)? {
            Text::Plain(start, end) => {
                let text = self.str_at(start, end)?;
                if self.has_cr && memchr(b'\r', text.as_bytes()).is_some() {
                    let mut out = String::with_capacity(text.len());
                    push_normalized(&mut out, text);
                    Ok(Cow::Owned(out))
                } else {
                    Ok(Cow::Borrowed(text))
                }
            }
            Text::Decoded(s) => Ok(Cow::Owned(s)),
        }
    }

    /// The text of a scalar element with surrounding whitespace trimmed, and the offset
    /// to blame for a bad value (exact for plain text, the content start otherwise).
    fn scalar_text(
        &mut self,
        after_tag: usize,
        empty: bool,
        name: &[u8],
    ) -> Result<(Cow<'a, str>, usize)> {
        if empty {
            return Ok((Cow::Borrowed(""), after_tag));
        }
        match self.text(after_tag, name)? {
            Text::Plain(start, end) => {
                let raw = self.str_at(start, end)?;
                let trimmed = raw.trim_start_matches(is_ws_char);
                let offset = start + (raw.len() - trimmed.len());
                Ok((Cow::Borrowed(trimmed.trim_end_matches(is_ws_char)), offset))
            }
            Text::Decoded(s) => Ok((Cow::Owned(s.trim_matches(is_ws_char).to_owned()), after_tag)),
        }
    }

    fn integer(&mut self, after_tag: usize, empty: bool) -> Result<Integer> {
        let (text, offset) = self.scalar_text(after_tag, empty, b"integer")?;
        if let Some(n) = Integer::parse_text(&text) {
            return Ok(n);
        }
        if is_integer_syntax(&text) {
            Err(Error::at(
                ErrorKind::IntegerOutOfRange,
                offset,
                "an integer outside the range of a 64-bit integer",
            ))
        } else {
            Err(Error::at(
                ErrorKind::InvalidNumber,
                offset,
                "an integer that is not a number",
            ))
        }
    }

    fn real(&mut self, after_tag: usize, empty: bool) -> Result<f64> {
        let (text, offset) = self.scalar_text(after_tag, empty, b"real")?;
        match text.parse::<f64>() {
            // Rust also reads a signed NaN; the plist form is the bare word only.
            Ok(r) if !r.is_nan() || text.eq_ignore_ascii_case("nan") => Ok(r),
            _ => Err(Error::at(
                ErrorKind::InvalidNumber,
                offset,
                "a real that is not a number",
            )),
        }
    }

    fn date(&mut self, after_tag: usize, empty: bool) -> Result<Date> {
        let (text, offset) = self.scalar_text(after_tag, empty, b"date")?;
        Date::parse_xml(&text).ok_or_else(|| {
            Error::at(
                ErrorKind::InvalidDate,
                offset,
                "a date not in the form YYYY-MM-DDTHH:MM:SSZ",
            )
        })
    }

    fn boolean(&mut self, after_tag: usize, empty: bool, name: &[u8]) -> Result<()> {
        if empty {
            return Ok(());
        }
        let (text, offset) = self.scalar_text(after_tag, empty, name)?;
        if text.is_empty() {
            Ok(())
        } else {
            Err(malformed(offset, "text inside a boolean"))
        }
    }

    fn data(&mut self, after_tag: usize, empty: bool) -> Result<Vec<u8>> {
        if empty {
            return Ok(Vec::new());
        }
        let (input, base, exact) = match self.text(after_tag, b"data")? {
            Text::Plain(start, end) => (
                Cow::Borrowed(self.bytes.get(start..end).unwrap_or_default()),
                start,
                true,
            ),
            Text::Decoded(s) => (Cow::Owned(s.into_bytes()), after_tag, false),
        };
        decode_base64(&input).map_err(|(index, message)| {
            let offset = if exact { base + index } else { base };
            Error::at(ErrorKind::InvalidBase64, offset, message)
        })
    }

    // ---- elements ------------------------------------------------------------------

    fn close_tag(&mut self, lt: usize) -> Result<Event<'a>> {
        let name_start = lt + 2;
        let name_end = self.name_end(name_start);
        let gt = self.skip_ws(name_end);
        match self.byte(gt) {
            Some(b'>') => {}
            None => return Err(self.eof()),
            Some(_) => return Err(malformed(lt, "a malformed end tag")),
        }
        self.pos = gt + 1;
        match pack(self.bytes.get(name_start..name_end).unwrap_or_default()) {
            DICT => Ok(Event::EndDictionary),
            ARRAY => Ok(Event::EndArray),
            PLIST if !self.started => Err(malformed(lt, "the plist holds no value")),
            _ => Err(malformed(lt, "an end tag without its start tag")),
        }
    }

    #[inline]
    fn open_tag(&mut self, lt: usize) -> Result<Event<'a>> {
        let name_start = lt + 1;
        let (name, empty, after) = match quick_tag(self.rest(name_start)) {
            Some((name, empty, len)) => (name, empty, name_start + len),
            None => {
                let name_end = self.name_end(name_start);
                if name_end == name_start {
                    return Err(malformed(lt, "a malformed tag"));
                }
                let (empty, after) = self.tag_rest(lt, name_end)?;
                let name = pack(self.bytes.get(name_start..name_end).unwrap_or_default());
                (name, empty, after)
            }
        };
        self.started = true;
        self.pos = after;
        Ok(match name {
            KEY => Event::Key(self.string(after, empty, b"key")?),
            STRING => Event::String(self.string(after, empty, b"string")?),
            DICT => {
                if empty {
                    self.pending = Some(Event::EndDictionary);
                }
                Event::StartDictionary(None)
            }
            ARRAY => {
                if empty {
                    self.pending = Some(Event::EndArray);
                }
                Event::StartArray(None)
            }
            INTEGER => Event::Integer(self.integer(after, empty)?),
            TRUE => {
                self.boolean(after, empty, b"true")?;
                Event::Boolean(true)
            }
            FALSE => {
                self.boolean(after, empty, b"false")?;
                Event::Boolean(false)
            }
            REAL => Event::Real(self.real(after, empty)?),
            DATA => Event::Data(Cow::Owned(self.data(after, empty)?)),
            DATE => Event::Date(self.date(after, empty)?),
            _ => {
                return Err(malformed(
                    lt,
                    "an element that is not part of a property list",
                ));
            }
        })
    }
}

impl<'a> Source<'a> for XmlSource<'a> {
    fn next_event(&mut self) -> Result<Event<'a>> {
        if let Some(event) = self.pending.take() {
            return Ok(event);
        }
        loop {
            let lt = self.skip_ws(self.pos);
            match self.byte(lt) {
                Some(b'<') => {}
                None => return Err(self.eof()),
                Some(_) => return Err(malformed(lt, "text outside of a text element")),
            }
            match self.byte(lt + 1) {
                Some(b'/') => {
                    self.start = lt;
                    return self.close_tag(lt);
                }
                Some(b'!') if self.starts(lt, b"<!--") => self.pos = self.skip_comment(lt)?,
                Some(b'!') => return Err(self.bad_bang(lt)),
                Some(b'?') => self.pos = self.skip_pi(lt)?,
                None => return Err(self.eof()),
                Some(_) => {
                    self.start = lt;
                    return self.open_tag(lt);
                }
            }
        }
    }

    fn event_offset(&self) -> usize {
        self.start
    }

    fn finish(&mut self) -> Result<()> {
        // How Apple's writers end a document, which the general path below accepts.
        if self.wrapped && matches!(self.rest(self.pos), b"\n</plist>\n" | b"\n</plist>") {
            self.pos = self.bytes.len();
            return Ok(());
        }
        let mut i = self.skip_misc(self.pos)?;
        if self.wrapped {
            match self.byte(i) {
                None => return Err(self.eof()),
                Some(_) if b"</plist".starts_with(self.rest(i)) => return Err(self.eof()),
                Some(_) if self.starts(i, b"</") => match self.end_tag(i, b"plist") {
                    Ok(after) => i = self.skip_misc(after)?,
                    Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Err(e),
                    Err(_) => return Err(trailing(i)),
                },
                Some(_) => return Err(self.trailing_or_dtd(i)),
            }
        }
        self.pos = i;
        if i < self.bytes.len() {
            return Err(self.trailing_or_dtd(i));
        }
        Ok(())
    }
}

impl XmlSource<'_> {
    fn trailing_or_dtd(&self, i: usize) -> Error {
        let e = self.bad_bang(i);
        if self.starts(i, b"<!") && e.kind() == ErrorKind::DtdNotAllowed {
            e
        } else {
            trailing(i)
        }
    }
}

/// A name of up to 8 bytes as a number, for cheap comparison; longer names give 0.
#[inline]
const fn pack(name: &[u8]) -> u64 {
    if name.len() > 8 {
        return 0;
    }
    let mut packed = 0u64;
    let mut rest = name;
    while let [b, tail @ ..] = rest {
        packed = packed << 8 | *b as u64;
        rest = tail;
    }
    packed
}

/// The common start tags without attributes, whole (`<` left out): the tag as bytes
/// and its mask in a little-endian word, the packed name, whether it is empty, its length.
const QUICK_TAGS: [(u64, u64, u64, bool, usize); 12] = [
    quick(b"key>", KEY, false),
    quick(b"string>", STRING, false),
    quick(b"integer>", INTEGER, false),
    quick(b"true/>", TRUE, true),
    quick(b"false/>", FALSE, true),
    quick(b"dict>", DICT, false),
    quick(b"array>", ARRAY, false),
    quick(b"data>", DATA, false),
    quick(b"date>", DATE, false),
    quick(b"real>", REAL, false),
    quick(b"dict/>", DICT, true),
    quick(b"array/>", ARRAY, true),
];

/// One entry of [`QUICK_TAGS`]; `tag` has at most 8 bytes.
const fn quick(tag: &[u8], name: u64, empty: bool) -> (u64, u64, u64, bool, usize) {
    // Evaluated at compile time: a tag over 8 bytes overflows the shift and fails the build.
    let mut word = 0u64;
    let mut mask = 0u64;
    let mut shift = 0;
    let mut rest = tag;
    while let [b, tail @ ..] = rest {
        word |= (*b as u64) << shift;
        mask |= 0xFF << shift;
        shift += 8;
        rest = tail;
    }
    (word, mask, name, empty, tag.len())
}

/// A start tag of [`QUICK_TAGS`] at the start of `rest` (just after `<`): its packed
/// name, whether it is empty, and its length. `None` sends the tag to the general path,
/// which reads it the same way.
#[inline(always)]
fn quick_tag(rest: &[u8]) -> Option<(u64, bool, usize)> {
    let word = u64::from_le_bytes(*rest.first_chunk::<8>()?);
    QUICK_TAGS
        .iter()
        .find(|&&(tag, mask, ..)| word & mask == tag)
        .map(|&(_, _, name, empty, len)| (name, empty, len))
}

const KEY: u64 = pack(b"key");
const STRING: u64 = pack(b"string");
const DICT: u64 = pack(b"dict");
const ARRAY: u64 = pack(b"array");
const INTEGER: u64 = pack(b"integer");
const TRUE: u64 = pack(b"true");
const FALSE: u64 = pack(b"false");
const REAL: u64 = pack(b"real");
const DATA: u64 = pack(b"data");
const DATE: u64 = pack(b"date");
const PLIST: u64 = pack(b"plist");

/// The first `<` or `&`: short texts (most keys and values) eight bytes at a time in a
/// register, which beats the set-up of a vector search, longer ones by memchr.
#[inline(always)]
fn find_markup(text: &[u8]) -> Option<usize> {
    const SHORT: usize = 32;
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const LT: u64 = u64::from_le_bytes([b'<'; 8]);
    const AMP: u64 = u64::from_le_bytes([b'&'; 8]);
    let head = text.get(..SHORT).unwrap_or(text);
    let mut words = head.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let Ok(bytes) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let w = u64::from_le_bytes(bytes);
        // A byte equal to `<` or `&` becomes zero in one of the xors; the lowest flagged
        // byte is the first zero byte (the borrow only flags bytes above a real zero).
        let (a, b) = (w ^ LT, w ^ AMP);
        let found = (a.wrapping_sub(ONES) & !a | b.wrapping_sub(ONES) & !b) & HIGH;
        if found != 0 {
            return Some(base + (found.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        if b == b'<' || b == b'&' {
            return Some(base + k);
        }
    }
    memchr2(b'<', b'&', text.get(SHORT..)?).map(|k| k + SHORT)
}

fn malformed(offset: usize, message: &str) -> Error {
    Error::at(ErrorKind::MalformedXml, offset, message)
}

fn trailing(offset: usize) -> Error {
    Error::at(
        ErrorKind::TrailingData,
        offset,
        "data after the end of the document",
    )
}

/// XML whitespace.
#[inline]
const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_ws_char(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// A byte that may be part of a name (non-ASCII bytes are taken as name characters).
#[inline]
const fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.') || b >= 0x80
}

/// Whether XML 1.0 allows the character.
fn is_xml_char(c: char) -> bool {
    !matches!(c, '\0'..='\x08' | '\x0B' | '\x0C' | '\x0E'..='\x1F' | '\u{FFFE}' | '\u{FFFF}')
}

/// Whether the text looks like an integer (so a failed parse means out of range).
fn is_integer_syntax(text: &str) -> bool {
    let rest = text.strip_prefix(['-', '+']).unwrap_or(text);
    match rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        Some(hex) => !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        None => !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// Appends `text` with CR LF and lone CR turned into LF.
fn push_normalized(out: &mut String, text: &str) {
    let mut pieces = text.split('\r');
    if let Some(first) = pieces.next() {
        out.push_str(first);
    }
    for piece in pieces {
        out.push('\n');
        out.push_str(piece.strip_prefix('\n').unwrap_or(piece));
    }
}

/// Finds characters XML 1.0 forbids in valid UTF-8 input from offset `from` on; returns
/// whether a carriage return occurs and whether a `]` does (without one, no text can hold
/// `]]>`).
fn check_chars(bytes: &[u8], from: usize) -> Result<(bool, bool)> {
    const CHUNK: usize = 64;
    let mut has_cr = false;
    let mut has_bracket = false;
    let mut base = from;
    let mut chunks = bytes.get(from..).unwrap_or_default().chunks_exact(CHUNK);
    for chunk in &mut chunks {
        let (suspect, cr, bracket) =
            <&[u8; CHUNK]>::try_from(chunk).map_or((true, true, true), scan_chunk);
        has_cr |= cr;
        has_bracket |= bracket;
        if suspect {
            find_bad_char(bytes, base, chunk)?;
        }
        base += CHUNK;
    }
    // The tail, padded with spaces, goes through the same vectorised scan.
    let tail = chunks.remainder();
    let mut padded = [b' '; CHUNK];
    if let Some(head) = padded.get_mut(..tail.len()) {
        head.copy_from_slice(tail);
    }
    let (suspect, cr, bracket) = scan_chunk(&padded);
    if suspect {
        find_bad_char(bytes, base, tail)?;
    }
    Ok((has_cr | cr, has_bracket | bracket))
}

/// Whether a chunk may hold a forbidden character, holds a carriage return, holds a `]`;
/// branch-free so it vectorises.
#[inline(always)]
fn scan_chunk(chunk: &[u8; 64]) -> (bool, bool, bool) {
    let mut suspect = false;
    let mut cr = false;
    let mut bracket = false;
    for &b in chunk {
        suspect |= (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') | (b == 0xEF);
        cr |= b == b'\r';
        bracket |= b == b']';
    }
    (suspect, cr, bracket)
}

/// The exact check of a flagged chunk that starts at `base` in `bytes`.
#[cold]
fn find_bad_char(bytes: &[u8], base: usize, chunk: &[u8]) -> Result<()> {
    for (k, &b) in chunk.iter().enumerate() {
        let at = base + k;
        let bad = if b == 0xEF {
            matches!(bytes.get(at + 1..at + 3), Some([0xBF, 0xBE | 0xBF]))
        } else {
            b < 0x20 && !is_ws(b)
        };
        if bad {
            return Err(Error::at(
                ErrorKind::InvalidXmlChar,
                at,
                "a character that XML 1.0 does not allow",
            ));
        }
    }
    Ok(())
}

const B64_WS: u8 = 0x40;
const B64_PAD: u8 = 0x41;
const B64_BAD: u8 = 0xFF;

/// Base64 sextet values; whitespace, padding and anything else marked.
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
const B64: [u8; 256] = {
    let mut table = [B64_BAD; 256];
    let mut i = 0;
    while i < 26 {
        table[b'A' as usize + i] = i as u8;
        table[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        table[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    table[b'+' as usize] = 62;
    table[b'/' as usize] = 63;
    table[b' ' as usize] = B64_WS;
    table[b'\t' as usize] = B64_WS;
    table[b'\n' as usize] = B64_WS;
    table[b'\r' as usize] = B64_WS;
    table[b'=' as usize] = B64_PAD;
    table
};

/// Marks a character that is not a base64 digit in [`SHIFTED`].
const GROUP_BAD: u32 = 0xFF00_0000;

/// For each position in a group of four, each character's bits in the group's 24-bit
/// value, or [`GROUP_BAD`].
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time, where an index out of bounds fails the build"
)]
static SHIFTED: [[u32; 256]; 4] = {
    let mut tables = [[GROUP_BAD; 256]; 4];
    let mut c = 0;
    while c < 256 {
        let s = B64[c];
        if s < 64 {
            let mut k = 0;
            while k < 4 {
                tables[k][c] = (s as u32) << (18 - 6 * k);
                k += 1;
            }
        }
        c += 1;
    }
    tables
};

/// The 24-bit value of four base64 digits, with [`GROUP_BAD`] bits set if one is not.
#[inline(always)]
fn group(c0: u8, c1: u8, c2: u8, c3: u8) -> u32 {
    let [t0, t1, t2, t3] = &SHIFTED;
    let get = |t: &[u32; 256], c: u8| t.get(usize::from(c)).copied().unwrap_or(GROUP_BAD);
    get(t0, c0) | get(t1, c1) | get(t2, c2) | get(t3, c3)
}

#[inline]
fn sextet(b: u8) -> u8 {
    B64.get(usize::from(b)).copied().unwrap_or(B64_BAD)
}

/// Decodes standard base64 with whitespace anywhere and optional final padding.
/// Errors give the index of the wrong byte (for a short final group, where it starts).
#[inline(never)]
fn decode_base64(input: &[u8]) -> std::result::Result<Vec<u8>, (usize, &'static str)> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
    let mut acc: u32 = 0;
    let mut count = 0u32;
    let mut group_start = 0;
    let mut i = 0;
    loop {
        if count == 0 {
            // Whitespace between groups (line breaks and indentation) is skipped at once.
            while input.get(i).is_some_and(|&b| sextet(b) == B64_WS) {
                i += 1;
            }
            // Runs of eight characters without whitespace, the common case: six bytes
            // out per step.
            let (blocks, _) = input.get(i..).unwrap_or_default().as_chunks::<8>();
            let run_start = i;
            for &[c0, c1, c2, c3, c4, c5, c6, c7] in blocks {
                let hi = group(c0, c1, c2, c3);
                let lo = group(c4, c5, c6, c7);
                if (hi | lo) & GROUP_BAD != 0 {
                    break;
                }
                let v = u64::from(hi) << 24 | u64::from(lo);
                let [_, _, six @ ..] = v.to_be_bytes();
                out.extend_from_slice(&six);
                i += 8;
            }
            if i != run_start {
                continue;
            }
            // Then a whole group of four.
            if let Some(&[b0, b1, b2, b3]) = input.get(i..i + 4) {
                let v = group(b0, b1, b2, b3);
                if v & GROUP_BAD == 0 {
                    let [_, x, y, z] = v.to_be_bytes();
                    out.extend_from_slice(&[x, y, z]);
                    i += 4;
                    continue;
                }
            }
        }
        let Some(&b) = input.get(i) else {
            break;
        };
        let s = sextet(b);
        if s < 64 {
            if count == 0 {
                group_start = i;
            }
            acc = acc << 6 | u32::from(s);
            count += 1;
            if count == 4 {
                let [_, x, y, z] = acc.to_be_bytes();
                out.extend_from_slice(&[x, y, z]);
                acc = 0;
                count = 0;
            }
        } else if s == B64_PAD {
            return finish_padding(input, i, acc, count, group_start, out);
        } else if s != B64_WS {
            return Err((i, "a character that is not base64"));
        }
        i += 1;
    }
    match count {
        0 => {}
        1 => return Err((group_start, "base64 that ends in the middle of a group")),
        2 => out.push(((acc << 12).to_be_bytes())[1]),
        _ => {
            let [_, x, y, _] = (acc << 6).to_be_bytes();
            out.extend_from_slice(&[x, y]);
        }
    }
    Ok(out)
}

/// Checks the padding that starts at `pad` and that only whitespace follows it.
///
/// A group of two or three characters needs its full padding (`==` or `=`) if it has
/// any; up to two `=` after whole groups are tolerated, as devices send that.
fn finish_padding(
    input: &[u8],
    pad: usize,
    acc: u32,
    count: u32,
    group_start: usize,
    mut out: Vec<u8>,
) -> std::result::Result<Vec<u8>, (usize, &'static str)> {
    let needed = match count {
        0 => 0,
        1 => return Err((group_start, "base64 that ends in the middle of a group")),
        2 => 2,
        _ => 1,
    };
    let mut seen = 0;
    for (k, &b) in input.iter().enumerate().skip(pad) {
        match sextet(b) {
            B64_WS => {}
            B64_PAD if seen < 2 => seen += 1,
            B64_PAD => return Err((k, "too much base64 padding")),
            _ => return Err((pad, "base64 padding before the end")),
        }
    }
    if seen < needed {
        return Err((group_start, "base64 with incomplete padding"));
    }
    match count {
        0 => {}
        2 => out.push(((acc << 12).to_be_bytes())[1]),
        _ => {
            let [_, x, y, _] = (acc << 6).to_be_bytes();
            out.extend_from_slice(&[x, y]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DuplicateKeys, ReadOptions, Value};

    const HEAD: &str = concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" ",
        "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n",
    );

    fn wrap(body: &str) -> String {
        format!("{HEAD}<plist version=\"1.0\">\n{body}\n</plist>\n")
    }

    fn ok(doc: impl AsRef<[u8]>) -> Value {
        match Value::from_slice(doc.as_ref()) {
            Ok(v) => v,
            Err(e) => panic!("{e:?} for {:?}", String::from_utf8_lossy(doc.as_ref())),
        }
    }

    fn err(doc: impl AsRef<[u8]>) -> Error {
        match Value::from_slice(doc.as_ref()) {
            Ok(v) => panic!("{v:?} for {:?}", String::from_utf8_lossy(doc.as_ref())),
            Err(e) => e,
        }
    }

    /// The error's kind, offset and path.
    fn fail(doc: impl AsRef<[u8]>) -> (ErrorKind, u64, String) {
        let e = err(doc);
        (e.kind(), e.offset().unwrap(), e.path())
    }

    fn kind(doc: impl AsRef<[u8]>) -> ErrorKind {
        err(doc).kind()
    }

    /// The offset of the first `needle` in `doc`.
    fn at(doc: &str, needle: &str) -> u64 {
        doc.find(needle).unwrap() as u64
    }

    /// The raw events of a document, up to the end of the root value.
    fn events(doc: &str) -> Vec<Event<'_>> {
        let mut source = XmlSource::new(doc.as_bytes()).unwrap();
        let mut out = Vec::new();
        let mut depth = 0usize;
        loop {
            let event = source.next_event().unwrap();
            match event {
                Event::StartDictionary(_) | Event::StartArray(_) => depth += 1,
                Event::EndDictionary | Event::EndArray => depth -= 1,
                _ => {}
            }
            let done = depth == 0 && !matches!(event, Event::Key(_));
            out.push(event);
            if done {
                source.finish().unwrap();
                return out;
            }
        }
    }

    fn string(doc: impl AsRef<[u8]>) -> String {
        ok(doc).as_str().unwrap().to_owned()
    }

    // ---- whole-input checks ----------------------------------------------------------

    #[test]
    fn invalid_utf8_anywhere_fails_the_document() {
        let cases: [(&[u8], usize); 6] = [
            (b"<plist><string>a\xFFb</string></plist>", 16),
            (b"<plist><string>\xED\xA0\x80</string></plist>", 15), // encoded surrogate
            (b"<plist><string>\xC0\xAF</string></plist>", 15),     // overlong '/'
            (b"<plist><string>\xE0\x80\xAF</string></plist>", 15), // overlong
            (b"<plist><true/></plist><!-- \xF5 -->", 27),
            (b"<plist><string>\xE2\x82", 15), // truncated sequence at the end
        ];
        for (doc, offset) in cases {
            let e = err(doc);
            assert_eq!(e.kind(), ErrorKind::InvalidUtf8, "{doc:?}");
            assert_eq!(e.offset(), Some(offset as u64), "{doc:?}");
            assert_eq!(e.path(), "");
        }
        // Invalid UTF-8 wins over an earlier structural error.
        assert_eq!(kind(b"<plist><bogus/>\xFF</plist>"), ErrorKind::InvalidUtf8);
    }

    #[test]
    fn forbidden_characters_anywhere() {
        for (doc, offset) in [
            ("<plist><string>a\u{1}b</string></plist>", 16),
            ("<plist><string>a\u{0}</string></plist>", 16),
            ("<plist><string>\u{FFFE}</string></plist>", 15),
            ("<plist><string>x\u{FFFF}</string></plist>", 16),
            ("<plist><true/></plist>\u{1F}", 22),
            ("<!-- \u{B} --><plist><true/></plist>", 5),
            ("<plist><key\u{C}/></plist>", 11),
        ] {
            assert_eq!(
                fail(doc),
                (ErrorKind::InvalidXmlChar, offset, String::new()),
                "{doc:?}"
            );
        }
        // Allowed: tab, LF, CR, DEL, C1 controls, U+FFFD, U+FEFF, non-BMP, the EF lead byte.
        let text = "\t\n a\u{7F}\u{85}\u{FFFD}\u{FEFF}\u{EFFF}\u{F000}😀";
        let doc = format!("<plist><string>{text}</string></plist>");
        assert_eq!(string(doc), text);
    }

    #[test]
    fn forbidden_character_found_across_chunks() {
        let long = "x".repeat(200);
        let doc = format!("<plist><string>{long}\u{FFFF}</string></plist>");
        let (k, offset, _) = fail(&doc);
        assert_eq!((k, offset), (ErrorKind::InvalidXmlChar, 215));
        // U+FFFF split over a 64-byte chunk boundary
        for pad in 40..50 {
            let doc = format!(
                "<plist><string>{}\u{FFFF}</string></plist>",
                "y".repeat(pad)
            );
            assert_eq!(fail(&doc).1, 15 + pad as u64);
        }
    }

    #[test]
    fn byte_order_mark_allowed_at_start() {
        let doc = format!("\u{FEFF}{}", wrap("<true/>"));
        assert_eq!(ok(doc).as_boolean(), Some(true));
        let doc = "\u{FEFF}<plist><false/></plist>";
        assert_eq!(ok(doc).as_boolean(), Some(false));
    }

    // ---- prolog ----------------------------------------------------------------------

    #[test]
    fn document_ends() {
        let head = format!("{HEAD}<plist version=\"1.0\">\n<true/>");
        for end in [
            "\n</plist>\n",
            "\n</plist>",
            "</plist>",
            "\n</plist>\n\n",
            "\n</plist >\n",
        ] {
            assert_eq!(
                ok(format!("{head}{end}")).as_boolean(),
                Some(true),
                "{end:?}"
            );
        }
        for (end, kind) in [
            ("\n</plist>\nx", ErrorKind::TrailingData),
            ("\n</plist", ErrorKind::UnexpectedEof),
            ("\n", ErrorKind::UnexpectedEof),
            ("\n</plistx>\n", ErrorKind::TrailingData),
        ] {
            assert_eq!(fail(format!("{head}{end}")).0, kind, "{end:?}");
        }
    }

    #[test]
    fn an_array_end_cannot_close_a_dictionary() {
        let (kind, offset, path) = fail("<plist><dict><key>a</key></array></plist>");
        assert_eq!(
            (kind, offset, path.as_str()),
            (ErrorKind::MalformedXml, 25, "/a")
        );
    }

    #[test]
    fn quick_tags_read_as_the_general_path_does() {
        let body = "<dict><key>k</key><array><string>s</string><integer>7</integer>\
                    <true/><false/><real>1.5</real><data>AQI=</data>\
                    <date>2024-01-02T03:04:05Z</date><dict/><array/></array></dict>";
        // A space before `>` (or `/>`) takes every start tag through the general path.
        let mut spaced = body.to_owned();
        for name in [
            "key", "string", "integer", "true", "false", "dict", "array", "data", "date", "real",
        ] {
            spaced = spaced
                .replace(&format!("<{name}>"), &format!("<{name} >"))
                .replace(&format!("<{name}/>"), &format!("<{name} />"));
        }
        assert!(!spaced.contains("<key>") && !spaced.contains("<true/>"));
        assert_eq!(ok(wrap(body)), ok(wrap(&spaced)));
        for (tag, name, empty, len) in [
            ("key>", KEY, false, 4),
            ("true/>", TRUE, true, 6),
            ("dict/>", DICT, true, 6),
            ("string>", STRING, false, 7),
        ] {
            let text = format!("{tag}xxxxxxxx");
            assert_eq!(quick_tag(text.as_bytes()), Some((name, empty, len)));
        }
        // Tags a byte longer, with attributes, or too near the end go the general way.
        for text in [
            "keys>xxxxx",
            "key a='b'>",
            "key>",
            "dict /> xx",
            "ke>xxxxxxx",
        ] {
            assert_eq!(quick_tag(text.as_bytes()), None, "{text}");
        }
        // A root value whose tag ends within 8 bytes of the end still reads.
        assert_eq!(ok("<true/>").as_boolean(), Some(true));
        assert_eq!(ok("<dict/>").as_dictionary().map(|d| d.len()), Some(0));
    }

    #[test]
    fn find_markup_matches_a_plain_search() {
        // Fillers next to the searched bytes in value, and with the high bit set.
        let fillers = [b'a', b';', b'=', b'%', b'\'', 0xBC, 0xA6, 0x00, 0x7F, 0xFF];
        for len in 0..70 {
            for &filler in &fillers {
                let mut text = vec![filler; len];
                let naive = |t: &[u8]| t.iter().position(|&b| b == b'<' || b == b'&');
                assert_eq!(find_markup(&text), naive(&text), "{len} {filler}");
                for at in 0..len {
                    for mark in [b'<', b'&'] {
                        text[at] = mark;
                        assert_eq!(find_markup(&text), Some(at), "{len} {filler} {at}");
                        // A second mark later changes nothing.
                        if let Some(last) = text.last_mut().filter(|_| at + 1 < len) {
                            *last = b'&';
                            assert_eq!(find_markup(&text), Some(at));
                            *text.last_mut().unwrap() = filler;
                        }
                        text[at] = filler;
                    }
                }
            }
        }
    }

    #[test]
    fn apple_prolog_shortcut_matches_the_general_scanner() {
        for doc in [
            wrap("<true/>"),
            format!("\u{FEFF}{}", wrap("<string>a</string>")),
            format!("{HEAD}<plist version=\"1.0\"></plist>"),
            format!("{HEAD}<plist version=\"1.0\">"),
        ] {
            let fast = XmlSource::new(doc.as_bytes()).unwrap();
            let mut general = XmlSource::new(doc.as_bytes()).unwrap();
            general.pos = if doc.starts_with('\u{FEFF}') {
                BOM.len()
            } else {
                0
            };
            general.start = 0;
            general.wrapped = false;
            general.general_prolog().unwrap();
            assert_eq!(
                (fast.pos, fast.start, fast.wrapped),
                (general.pos, general.start, general.wrapped),
                "{doc}"
            );
        }
        // Errors after the prolog keep their offsets.
        let bad = format!("{HEAD}<plist version=\"1.0\">\n<string>a\u{1}</string></plist>");
        assert_eq!(fail(&bad).1, bad.find('\u{1}').unwrap() as u64);
        assert_eq!(
            fail(format!("{HEAD}<plist version=\"1.0\"></plist>")).0,
            ErrorKind::MalformedXml
        );
        let cdata = wrap("<string>a]]>b</string>");
        assert_eq!(fail(&cdata).0, ErrorKind::MalformedXml);
    }

    #[test]
    fn character_scan_covers_chunk_tails() {
        // Bad characters and carriage returns at every position of a 64-byte chunk and
        // its tail, with and without the standard prolog before them.
        for prefix in [String::new(), format!("{HEAD}<plist version=\"1.0\">")] {
            for len in [1usize, 5, 63, 64, 65, 130] {
                for at in [0, len / 2, len - 1] {
                    let mut text = vec![b'a'; len];
                    text[at] = 0x0B;
                    let doc = [prefix.as_bytes(), b"<string>", &text, b"</string>"].concat();
                    let expect = prefix.len() + 8 + at;
                    assert_eq!(fail(&doc).1, expect as u64, "{len} {at}");
                    text[at] = b'\r';
                    let doc = [prefix.as_bytes(), b"<string>", &text, b"</string>"].concat();
                    let (has_cr, _) = check_chars(&doc, prefix.len()).unwrap();
                    assert!(has_cr, "{len} {at}");
                    let mut doc = [prefix.as_bytes(), b"<string>", &text[..at]].concat();
                    doc.extend_from_slice("\u{FFFF}</string>".as_bytes());
                    assert_eq!(fail(&doc).1, expect as u64, "{len} {at}");
                }
            }
        }
    }

    #[test]
    fn prolog_variants() {
        let good = [
            wrap("<true/>"),
            "<plist><true/></plist>".to_owned(),
            "\n  <?xml version='1.0'?><plist><true/></plist>".to_owned(),
            "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\" ?><plist><true/></plist>"
                .to_owned(),
            "<?xml version=\"1.0\"?>\n<!-- c --><?pi x?><!DOCTYPE plist SYSTEM \"x.dtd\">\
             <!-- c2 -->\r\n<plist version=\"1.0\" a='b'><true/></plist>"
                .to_owned(),
            "<!DOCTYPE plist><plist><true/></plist>".to_owned(),
            "<!DOCTYPE plist PUBLIC '-//Apple//DTD PLIST 1.0//EN' 'x' ><plist><true/></plist>"
                .to_owned(),
            "<?xml-stylesheet href='a'?><plist><true/></plist>".to_owned(),
        ];
        for doc in good {
            assert_eq!(ok(&doc).as_boolean(), Some(true), "{doc}");
        }
    }

    #[test]
    fn declared_encoding_must_be_utf8() {
        for enc in ["ISO-8859-1", "UTF-16", "utf8", ""] {
            let doc = format!("<?xml version=\"1.0\" encoding=\"{enc}\"?><plist><true/></plist>");
            assert_eq!(
                fail(&doc),
                (ErrorKind::MalformedXml, 0, String::new()),
                "{enc}"
            );
        }
    }

    #[test]
    fn malformed_prolog() {
        for (doc, offset) in [
            (
                "<?xml version=\"1.0\" encoding=UTF-8?><plist><true/></plist>",
                0,
            ),
            ("<?xml version=\"1.0\"x=\"1\"?><plist><true/></plist>", 0),
            // Found by the differential_xml fuzz target: `?>` inside a quoted value.
            ("<?xml vecoding=\"UT?>F-8\"?><plist><true/></plist>", 0),
            ("<?xml encoding=\"UTF-8\"?><plist><true/></plist>", 0),
            ("<?xml?><plist><true/></plist>", 0),
            ("<?xml version=\"2.0\"?><plist><true/></plist>", 0),
            ("<?xml version=\"1.\"?><plist><true/></plist>", 0),
            (
                "<?xml version=\"1.0\" standalone=\"maybe\"?><plist><true/></plist>",
                0,
            ),
            (
                "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?><plist><true/></plist>",
                0,
            ),
            (
                "<?xml version=\"1.0\" version=\"1.0\"?><plist><true/></plist>",
                0,
            ),
            ("<plist><true/></plist><?xml version=\"1.0\"?>", 22),
            (
                "<!-- a --><?xml version=\"1.0\"?><plist><true/></plist>",
                10,
            ),
            ("<!-- -->junk<plist><true/></plist>", 8),
            ("<? x?><plist><true/></plist>", 0),
            ("<!DOCTYPE><plist><true/></plist>", 0),
            ("<!DOCTYPE plist PUBLIC \"a\"><plist><true/></plist>", 0),
            ("<!DOCTYPE plist SYSTEM x><plist><true/></plist>", 0),
            ("<!FOO><plist><true/></plist>", 0),
            ("<![CDATA[x]]><plist><true/></plist>", 0),
        ] {
            assert_eq!(
                fail(doc),
                (ErrorKind::MalformedXml, offset, String::new()),
                "{doc}"
            );
        }
    }

    #[test]
    fn second_doctype_is_malformed() {
        let doc = "<!DOCTYPE plist><!DOCTYPE plist><plist><true/></plist>";
        assert_eq!(fail(doc), (ErrorKind::MalformedXml, 16, String::new()));
        let doc = "<!DOCTYPE plist><plist><array><!DOCTYPE plist></array></plist>";
        assert_eq!(fail(doc), (ErrorKind::MalformedXml, 30, "/0".to_owned()));
    }

    #[test]
    fn dtd_declarations_refused_anywhere() {
        for (doc, offset, path) in [
            (
                "<!DOCTYPE plist [<!ENTITY a 'b'>]><plist><true/></plist>",
                0,
                "",
            ),
            (
                "<!DOCTYPE plist SYSTEM 'x' [ ]><plist><true/></plist>",
                0,
                "",
            ),
            (
                "<!DOCTYPE plist PUBLIC 'a' 'b' [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\
                 <plist><string>&x;</string></plist>",
                0,
                "",
            ),
            ("<!ENTITY a 'b'><plist><true/></plist>", 0, ""),
            ("<plist><!ELEMENT a ANY><true/></plist>", 7, ""),
            (
                "<plist><dict><!ATTLIST a b CDATA #IMPLIED></dict></plist>",
                13,
                "",
            ),
            (
                "<plist><dict><key>k</key><string>a<!ENTITY x 'y'></string></dict></plist>",
                34,
                "/k",
            ),
            ("<plist><true/></plist><!ENTITY a 'b'>", 22, ""),
            ("<plist><true/><!NOTATION a SYSTEM 'b'></plist>", 14, ""),
        ] {
            assert_eq!(
                fail(doc),
                (ErrorKind::DtdNotAllowed, offset, path.to_owned()),
                "{doc}"
            );
        }
    }

    // ---- root ------------------------------------------------------------------------

    #[test]
    fn bare_root_value() {
        assert_eq!(ok("<string>x</string>").as_str(), Some("x"));
        let v = ok("<?xml version=\"1.0\"?>\n<dict><key>a</key><true/></dict>\n");
        assert_eq!(v.get("a").and_then(Value::as_boolean), Some(true));
        assert_eq!(ok("<array/>").as_array().map(|a| a.len()), Some(0));
        // Without the wrapper, no `</plist>` may follow.
        assert_eq!(
            fail("<true/></plist>"),
            (ErrorKind::TrailingData, 7, String::new())
        );
    }

    #[test]
    fn plist_without_value() {
        for (doc, offset) in [
            ("<plist/>", 0),
            ("<plist version=\"1.0\"/>", 0),
            ("<plist></plist>", 7),
            ("<plist> <!-- x --> </plist>", 19),
        ] {
            let e = err(doc);
            assert_eq!(
                (e.kind(), e.offset()),
                (ErrorKind::MalformedXml, Some(offset)),
                "{doc}"
            );
            assert!(e.to_string().contains("no value"), "{e}");
        }
    }

    #[test]
    fn plist_with_two_values_or_no_end() {
        assert_eq!(
            fail("<plist><true/><false/></plist>"),
            (ErrorKind::TrailingData, 14, String::new())
        );
        assert_eq!(
            fail("<plist><true/></dict>"),
            (ErrorKind::TrailingData, 14, String::new())
        );
        assert_eq!(
            fail("<plist><true/>x"),
            (ErrorKind::TrailingData, 14, String::new())
        );
        assert_eq!(
            fail("<plist><true/>"),
            (ErrorKind::UnexpectedEof, 14, String::new())
        );
        assert_eq!(
            fail("<plist><true/></pli"),
            (ErrorKind::UnexpectedEof, 19, String::new())
        );
        assert_eq!(
            fail("<plist><true/></plist></plist>"),
            (ErrorKind::TrailingData, 22, String::new())
        );
        assert_eq!(
            fail("<plist><true/></plist><true/>"),
            (ErrorKind::TrailingData, 22, String::new())
        );
    }

    #[test]
    fn trailing_misc_allowed() {
        let doc = "<plist><true/><!-- a --> </plist >\n<!-- b -->\n<?pi c?>\r\n\t";
        assert_eq!(ok(doc).as_boolean(), Some(true));
        assert_eq!(ok("<true/><!-- x -->\n").as_boolean(), Some(true));
        assert_eq!(
            fail("<true/><!-- x"),
            (ErrorKind::UnexpectedEof, 13, String::new())
        );
    }

    #[test]
    fn empty_or_prolog_only_input() {
        for doc in [
            "",
            "   ",
            "<?xml version=\"1.0\"?>",
            "<!-- x -->",
            "<plist>",
            "<plist> ",
        ] {
            let e = Value::from_slice_with(
                doc.as_bytes(),
                &ReadOptions::new().with_format(Some(crate::Format::Xml)),
            )
            .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UnexpectedEof, "{doc:?}");
            assert_eq!(e.offset(), Some(doc.len() as u64), "{doc:?}");
        }
    }

    // ---- elements --------------------------------------------------------------------

    #[test]
    fn all_value_types() {
        let doc = wrap(
            "<dict>
                <key>s</key><string>text</string>
                <key>i</key><integer>-42</integer>
                <key>r</key><real>2.5</real>
                <key>t</key><true/>
                <key>f</key><false/>
                <key>t2</key><true></true>
                <key>f2</key><false> </false>
                <key>d</key><data>AAEC</data>
                <key>date</key><date>2001-01-01T00:00:00Z</date>
                <key>a</key><array><integer>1</integer><string/></array>
                <key>ea</key><array/>
                <key>ed</key><dict/>
                <key>es</key><string/>
                <key>edata</key><data/>
                <key/><string></string>
            </dict>",
        );
        let v = ok(doc);
        assert_eq!(v.get("s").and_then(Value::as_str), Some("text"));
        assert_eq!(v.get("i").and_then(Value::as_i64), Some(-42));
        assert_eq!(v.get("r").and_then(Value::as_real), Some(2.5));
        assert_eq!(v.get("t").and_then(Value::as_boolean), Some(true));
        assert_eq!(v.get("f").and_then(Value::as_boolean), Some(false));
        assert_eq!(v.get("t2").and_then(Value::as_boolean), Some(true));
        assert_eq!(v.get("f2").and_then(Value::as_boolean), Some(false));
        assert_eq!(v.get("d").and_then(Value::as_data), Some(&[0u8, 1, 2][..]));
        assert_eq!(
            v.get("date")
                .and_then(Value::as_date)
                .map(Date::apple_seconds),
            Some(0.0)
        );
        let a = v.get("a").and_then(Value::as_array).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].as_str(), Some(""));
        assert_eq!(
            v.get("ea").and_then(Value::as_array).map(|a| a.len()),
            Some(0)
        );
        assert_eq!(
            v.get("ed").and_then(Value::as_dictionary).map(|d| d.len()),
            Some(0)
        );
        assert_eq!(v.get("es").and_then(Value::as_str), Some(""));
        assert_eq!(v.get("edata").and_then(Value::as_data), Some(&[][..]));
        assert_eq!(v.get("").and_then(Value::as_str), Some(""));
    }

    #[test]
    fn empty_containers_emit_start_and_end() {
        assert_eq!(
            events("<plist><array><dict/><array/></array></plist>"),
            vec![
                Event::StartArray(None),
                Event::StartDictionary(None),
                Event::EndDictionary,
                Event::StartArray(None),
                Event::EndArray,
                Event::EndArray,
            ]
        );
    }

    #[test]
    fn attributes_tolerated_when_well_formed() {
        let doc = "<plist version=\"1.0\"><dict id='1'><key a=\"x &amp; y\" >k</key>\
                   <string\tb = 'c'\n>v</string><key>t</key><true c=\"\"/></dict ></plist>";
        let v = ok(doc);
        assert_eq!(v.get("k").and_then(Value::as_str), Some("v"));
        for doc in [
            "<plist><string a>v</string></plist>",
            "<plist><string a=b>v</string></plist>",
            "<plist><string a=\"b\"c=\"d\">v</string></plist>",
            "<plist><string a=\"<\">v</string></plist>",
            "<plist><string =\"b\">v</string></plist>",
            "<plist><string/ >v</string></plist>",
            "<plist><string a=\"&bogus;\">v</string></plist>",
            "<plist><string!>v</string></plist>",
        ] {
            let (k, offset, _) = fail(doc);
            assert_eq!(k, ErrorKind::MalformedXml, "{doc}");
            let want = doc.find('&').unwrap_or(7) as u64;
            assert_eq!(offset, want, "{doc}");
        }
        assert_eq!(kind("<plist><string a=\"b"), ErrorKind::UnexpectedEof);
    }

    #[test]
    fn unknown_elements_and_bad_tags() {
        for (doc, offset, path) in [
            (
                "<plist><dict><key>a</key><uid>1</uid></dict></plist>",
                25,
                "/a",
            ),
            ("<plist><plist><true/></plist></plist>", 7, ""),
            ("<plist><array><true/><bool/></array></plist>", 21, "/1"),
            ("<plist><array>< true/></array></plist>", 14, "/0"),
            ("<plist><Dict></Dict></plist>", 7, ""),
            ("<plist><true>x</true></plist>", 13, ""),
            ("<plist><false><true/></false></plist>", 14, ""),
        ] {
            assert_eq!(
                fail(doc),
                (ErrorKind::MalformedXml, offset, path.to_owned()),
                "{doc}"
            );
        }
    }

    #[test]
    fn mismatched_end_tags() {
        for (doc, offset, path) in [
            ("<plist><dict><key>a</string></dict></plist>", 19, ""),
            (
                "<plist><dict><key>a</key><string>b</key></dict></plist>",
                34,
                "/a",
            ),
            ("<plist><dict></array></plist>", 13, ""),
            ("<plist><array></dict></plist>", 14, ""),
            ("<plist><array></plist>", 14, "/0"),
            ("<plist><array><true/></true></array></plist>", 21, "/1"),
            (
                "<plist><array><integer>1</integerx></array></plist>",
                24,
                "/0",
            ),
            (
                "<plist><array><integer>1</integer x></array></plist>",
                24,
                "/0",
            ),
        ] {
            assert_eq!(
                fail(doc),
                (ErrorKind::MalformedXml, offset, path.to_owned()),
                "{doc}"
            );
        }
    }

    #[test]
    fn structure_checked_by_parser() {
        // Values where keys belong, keys in arrays, a missing value.
        for (doc, offset) in [
            ("<plist><dict><string>a</string></dict></plist>", 13),
            ("<plist><array><key>a</key></array></plist>", 14),
            ("<plist><dict><key>a</key></dict></plist>", 25),
            ("<plist><dict><key>a</key><key>b</key></dict></plist>", 25),
            ("<plist><key>a</key></plist>", 7),
        ] {
            assert_eq!(fail(doc).0, ErrorKind::MalformedXml, "{doc}");
            assert_eq!(fail(doc).1, offset, "{doc}");
        }
    }

    #[test]
    fn whitespace_comments_and_pis_between_elements() {
        let doc = "<plist>\r\n<!-- a --><dict>\t<?pi x?>\n<key>k</key><!--b--> <string>v</string>\
                   <!----></dict><!-- c --></plist>";
        assert_eq!(ok(doc).get("k").and_then(Value::as_str), Some("v"));
    }

    #[test]
    fn text_between_elements_is_malformed() {
        for (doc, offset, path) in [
            ("<plist><dict>x<key>a</key><true/></dict></plist>", 13, ""),
            (
                "<plist><dict><key>a</key> y <true/></dict></plist>",
                26,
                "/a",
            ),
            ("<plist><array><true/>&amp;</array></plist>", 21, "/1"),
            ("<plist><array><![CDATA[x]]></array></plist>", 14, "/0"),
            ("<plist>z<true/></plist>", 7, ""),
        ] {
            assert_eq!(
                fail(doc),
                (ErrorKind::MalformedXml, offset, path.to_owned()),
                "{doc}"
            );
        }
    }

    #[test]
    fn event_offsets_point_at_elements() {
        let doc = "<plist>\n<dict>\n <key>a</key>\n <integer>1</integer>\n</dict>\n</plist>";
        let mut source = XmlSource::new(doc.as_bytes()).unwrap();
        let mut offsets = Vec::new();
        for _ in 0..4 {
            source.next_event().unwrap();
            offsets.push(source.event_offset() as u64);
        }
        assert_eq!(
            offsets,
            vec![
                at(doc, "<dict>"),
                at(doc, "<key>"),
                at(doc, "<integer>"),
                at(doc, "</dict>")
            ]
        );
        source.finish().unwrap();
    }

    #[test]
    fn duplicate_key_offset_and_path() {
        let doc =
            wrap("<dict><key>A</key><dict><key>S</key><true/><key>S</key><false/></dict></dict>");
        let (k, offset, path) = fail(&doc);
        assert_eq!(k, ErrorKind::DuplicateKey);
        assert_eq!(offset, at(&doc, "<key>S</key><false/>"));
        assert_eq!(path, "/A/S");
        let v = Value::from_slice_with(
            doc.as_bytes(),
            &ReadOptions::new().with_duplicate_keys(DuplicateKeys::KeepLast),
        )
        .unwrap();
        assert_eq!(v.pointer("/A/S").and_then(Value::as_boolean), Some(false));
    }

    #[test]
    fn deep_nesting_fails_fast() {
        let n = 10_000;
        let doc = format!("{}{}", "<array>".repeat(n), "</array>".repeat(n));
        let start = std::time::Instant::now();
        let (k, offset, path) = fail(wrap(&doc));
        assert_eq!(k, ErrorKind::DepthLimitExceeded);
        assert_eq!(offset, (HEAD.len() + 22 + 128 * 7) as u64);
        assert_eq!(path.matches('/').count(), 128);
        assert!(start.elapsed().as_secs() < 1);
        // Unclosed deep nesting under a high limit runs out of input, without recursion.
        let doc = "<array>".repeat(n);
        let e = Value::from_slice_with(doc.as_bytes(), &ReadOptions::new().with_max_depth(n + 1))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnexpectedEof);
    }

    // ---- text ------------------------------------------------------------------------

    #[test]
    fn plain_text_is_borrowed() {
        let doc = "<plist><dict><key>Key</key><string>a > b \u{E9}</string></dict></plist>";
        let list = events(doc);
        assert!(matches!(&list[1], Event::Key(Cow::Borrowed("Key"))));
        assert!(matches!(
            &list[2],
            Event::String(Cow::Borrowed("a > b \u{E9}"))
        ));
        // With CRs elsewhere in the document, CR-free text stays borrowed.
        let doc = "<plist>\r\n<string>abc</string>\r\n</plist>";
        assert!(matches!(
            &events(doc)[0],
            Event::String(Cow::Borrowed("abc"))
        ));
    }

    #[test]
    fn entities_and_character_references() {
        let doc = "<plist><string>&lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#x1F600;&#0000067;\
                   &#9;&#xa;&#13;</string></plist>";
        assert_eq!(string(doc), "<>&\"' AB😀C\t\n\r");
        let doc = "<plist><dict><key>a&amp;b</key><true/></dict></plist>";
        let v = ok(doc);
        assert_eq!(v.get("a&b").and_then(Value::as_boolean), Some(true));
        assert!(matches!(
            &events("<plist><string>x&amp;y</string></plist>")[0],
            Event::String(Cow::Owned(s)) if s == "x&y"
        ));
    }

    #[test]
    fn bad_references() {
        for (body, needle, k) in [
            ("<string>a&bogus;</string>", "&", ErrorKind::MalformedXml),
            ("<string>a&amp</string>", "&", ErrorKind::MalformedXml),
            ("<string>a & b</string>", "&", ErrorKind::MalformedXml),
            ("<string>&#;</string>", "&", ErrorKind::MalformedXml),
            ("<string>&#x;</string>", "&", ErrorKind::MalformedXml),
            ("<string>&#X41;</string>", "&", ErrorKind::MalformedXml),
            ("<string>&#12a;</string>", "&", ErrorKind::MalformedXml),
            ("<string>&LT;</string>", "&", ErrorKind::MalformedXml),
            ("<string>ok&#0;</string>", "&", ErrorKind::InvalidXmlChar),
            ("<string>&#1;</string>", "&", ErrorKind::InvalidXmlChar),
            ("<string>&#x1F;</string>", "&", ErrorKind::InvalidXmlChar),
            ("<string>&#xD800;</string>", "&", ErrorKind::InvalidXmlChar),
            ("<string>&#xDFFF;</string>", "&", ErrorKind::InvalidXmlChar),
            ("<string>&#xFFFE;</string>", "&", ErrorKind::InvalidXmlChar),
            ("<string>&#65535;</string>", "&", ErrorKind::InvalidXmlChar),
            (
                "<string>&#x110000;</string>",
                "&",
                ErrorKind::InvalidXmlChar,
            ),
            (
                "<string>&#99999999999999999999;</string>",
                "&",
                ErrorKind::InvalidXmlChar,
            ),
        ] {
            let doc = format!("<plist><dict><key>K</key>{body}</dict></plist>");
            assert_eq!(fail(&doc), (k, at(&doc, needle), "/K".to_owned()), "{body}");
        }
    }

    #[test]
    fn cdata_sections_are_joined() {
        for (body, want) in [
            ("<![CDATA[a]]>", "a"),
            ("<![CDATA[]]>", ""),
            ("x<![CDATA[<&>]]>y", "x<&>y"),
            ("<![CDATA[a]]><![CDATA[b]]>&amp;<![CDATA[c]]>d", "ab&cd"),
            ("<![CDATA[a]]]]><![CDATA[>b]]>", "a]]>b"),
            ("<![CDATA[]]]>", "]"),
            ("a<!-- note -->b<?pi?>c", "abc"),
            ("<!-- only -->", ""),
        ] {
            let doc = format!("<plist><string>{body}</string></plist>");
            assert_eq!(string(&doc), want, "{body}");
        }
    }

    #[test]
    fn split_key_and_hostile_cdata_document() {
        let doc = wrap(
            "<dict>
	<key>ActivationLockBypassCode</key>
	<string><![CDATA[FAKE0-FAKE1]]>-FAKE2<![CDATA[-FA]]><![CDATA[KE3]]>&#45;FAKE4</string>
	<key><![CDATA[Command]]>UUID</key>
	<string>11111111-2222-4333-8444-555555555555</string>
	<key>Note</key>
	<string><![CDATA[a]]]]><![CDATA[>b]]>&amp;&lt;c&gt;</string>
	<key>Status</key>
	<string>Acknowledged</string>
</dict>",
        );
        let v = ok(doc);
        let get = |k: &str| v.get(k).and_then(Value::as_str).unwrap().to_owned();
        assert_eq!(
            get("ActivationLockBypassCode"),
            "FAKE0-FAKE1-FAKE2-FAKE3-FAKE4"
        );
        assert_eq!(get("CommandUUID"), "11111111-2222-4333-8444-555555555555");
        assert_eq!(get("Note"), "a]]>b&<c>");
        assert_eq!(get("Status"), "Acknowledged");
    }

    #[test]
    fn cdata_end_in_plain_text_is_malformed() {
        let doc = "<plist><dict><key>N</key><string>ab]]>c</string></dict></plist>";
        assert_eq!(
            fail(doc),
            (ErrorKind::MalformedXml, at(doc, "]]>"), "/N".to_owned())
        );
        let doc = "<plist><string>&amp;]]></string></plist>";
        assert_eq!(
            fail(doc),
            (ErrorKind::MalformedXml, at(doc, "]]>"), String::new())
        );
        // `]]` and `>` apart are fine.
        assert_eq!(
            string("<plist><string>]] > ]]&gt;</string></plist>"),
            "]] > ]]>"
        );
    }

    #[test]
    fn unterminated_text_markup() {
        for doc in [
            "<plist><string>abc",
            "<plist><string><![CDATA[abc</string></plist>",
            "<plist><string>a<!-- b</string></plist>",
            "<plist><string>a<?pi b</string></plist>",
            "<plist><string>a&#x4",
            "<plist><string>a</str",
        ] {
            assert_eq!(
                fail(doc),
                (ErrorKind::UnexpectedEof, doc.len() as u64, String::new())
            );
        }
        // An element inside a string.
        let doc = "<plist><string>a<b/></string></plist>";
        assert_eq!(fail(doc), (ErrorKind::MalformedXml, 16, String::new()));
    }

    #[test]
    fn line_ends_normalised() {
        for (body, want) in [
            ("a\r\nb", "a\nb"),
            ("a\rb", "a\nb"),
            ("a\r\rb\r", "a\n\nb\n"),
            ("\r\n\r\n", "\n\n"),
            ("a&amp;\r\nb", "a&\nb"),
            ("<![CDATA[x\r\ny]]>", "x\ny"),
            ("a&#13;\nb&#xD;", "a\r\nb\r"),
            ("a\r<!-- -->\nb", "a\n\nb"),
        ] {
            let doc = format!("<plist><string>{body}</string></plist>");
            assert_eq!(string(&doc), want, "{body:?}");
        }
        let doc = "<plist><dict><key>a\r\nb</key><true/></dict></plist>";
        assert!(ok(doc).get("a\nb").is_some());
    }

    // ---- scalars ---------------------------------------------------------------------

    #[test]
    fn integers() {
        for (text, want) in [
            ("0", 0i128),
            ("-0", 0),
            ("+17", 17),
            (" \n\t42\r\n ", 42),
            ("0x1F", 31),
            ("-0x10", -16),
            ("9223372036854775807", i64::MAX.into()),
            ("-9223372036854775808", i64::MIN.into()),
            ("18446744073709551615", u64::MAX.into()),
            ("0xFFFFFFFFFFFFFFFF", u64::MAX.into()),
            ("0&#x31;", 1),
        ] {
            let doc = format!("<plist><integer>{text}</integer></plist>");
            assert_eq!(
                ok(&doc).as_integer().map(Integer::as_i128),
                Some(want),
                "{text:?}"
            );
        }
        for (text, k) in [
            ("18446744073709551616", ErrorKind::IntegerOutOfRange),
            ("-9223372036854775809", ErrorKind::IntegerOutOfRange),
            ("0x10000000000000000", ErrorKind::IntegerOutOfRange),
            ("99999999999999999999999999", ErrorKind::IntegerOutOfRange),
            ("", ErrorKind::InvalidNumber),
            ("  ", ErrorKind::InvalidNumber),
            ("1.5", ErrorKind::InvalidNumber),
            ("1 2", ErrorKind::InvalidNumber),
            ("0x", ErrorKind::InvalidNumber),
            ("12a", ErrorKind::InvalidNumber),
            ("--1", ErrorKind::InvalidNumber),
            ("one", ErrorKind::InvalidNumber),
        ] {
            let doc =
                format!("<plist><dict><key>N</key><integer>  {text}</integer></dict></plist>");
            // Blank text is blamed where the number should have been.
            let offset = if text.trim().is_empty() {
                36 + text.len()
            } else {
                36
            } as u64;
            assert_eq!(fail(&doc), (k, offset, "/N".to_owned()), "{text:?}");
        }
        assert_eq!(kind("<plist><integer/></plist>"), ErrorKind::InvalidNumber);
    }

    #[test]
    fn reals() {
        for (text, want) in [
            ("1.5", 1.5),
            (" -2.25e3 ", -2250.0),
            ("1E-2", 0.01),
            ("+3", 3.0),
            (".5", 0.5),
            ("7.", 7.0),
            ("-0.0", -0.0),
            ("infinity", f64::INFINITY),
            ("+Infinity", f64::INFINITY),
            ("-INFINITY", f64::NEG_INFINITY),
            ("inf", f64::INFINITY),
            ("+inf", f64::INFINITY),
            ("-Inf", f64::NEG_INFINITY),
        ] {
            let doc = format!("<plist><real>{text}</real></plist>");
            assert_eq!(ok(&doc).as_real(), Some(want), "{text:?}");
        }
        for text in ["nan", "NaN", "NAN"] {
            let doc = format!("<plist><real>{text}</real></plist>");
            assert!(ok(&doc).as_real().unwrap().is_nan(), "{text:?}");
        }
        for text in [
            "", "x", "1.5.2", "0x10", "1e", "-nan", "+NaN", "1,5", "in f", "infinit",
        ] {
            let doc = format!("<plist><dict><key>R</key><real>{text}</real></dict></plist>");
            let (k, offset, path) = fail(&doc);
            assert_eq!(
                (k, path.as_str()),
                (ErrorKind::InvalidNumber, "/R"),
                "{text:?}"
            );
            assert_eq!(offset, 31, "{text:?}");
        }
    }

    #[test]
    fn dates() {
        let doc = "<plist><date> 2024-02-29T23:59:59Z\n</date></plist>";
        let date = ok(doc).as_date().unwrap();
        assert_eq!(
            date.to_xml_string().as_deref(),
            Some("2024-02-29T23:59:59Z")
        );
        for text in [
            "2023-02-29T00:00:00Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00",
            "",
        ] {
            let doc = format!("<plist><array><date>{text}</date></array></plist>");
            assert_eq!(
                fail(&doc),
                (ErrorKind::InvalidDate, 20, "/0".to_owned()),
                "{text}"
            );
        }
    }

    // ---- data ------------------------------------------------------------------------

    /// The decoder one character at a time, as the fast paths must behave.
    fn decode_base64_slowly(input: &[u8]) -> std::result::Result<Vec<u8>, (usize, &'static str)> {
        let (mut acc, mut count, mut group_start) = (0u32, 0u32, 0usize);
        let mut out = Vec::new();
        for (i, &b) in input.iter().enumerate() {
            let s = sextet(b);
            if s < 64 {
                if count == 0 {
                    group_start = i;
                }
                acc = acc << 6 | u32::from(s);
                count += 1;
                if count == 4 {
                    out.extend_from_slice(&acc.to_be_bytes()[1..]);
                    (acc, count) = (0, 0);
                }
            } else if s == B64_PAD {
                return finish_padding(input, i, acc, count, group_start, out);
            } else if s != B64_WS {
                return Err((i, "a character that is not base64"));
            }
        }
        match count {
            0 => {}
            1 => return Err((group_start, "base64 that ends in the middle of a group")),
            2 => out.push((acc >> 4).to_be_bytes()[3]),
            _ => out.extend_from_slice(&(acc >> 2).to_be_bytes()[2..]),
        }
        Ok(out)
    }

    #[test]
    fn base64_fast_paths_match_the_slow_decoder() {
        let alphabet = b"AQgw/+9z=  \n\t\r!=";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 41) as usize;
            let mut input = Vec::with_capacity(len);
            let mut bits = state;
            for k in 0..len {
                if k % 16 == 0 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    bits = state;
                }
                // Mostly digits, so that long valid runs occur.
                let pick = (bits & 0xF) as usize;
                bits >>= 4;
                input.push(if pick < 10 {
                    b"AQgw/+9zkP"[pick]
                } else {
                    alphabet[pick]
                });
            }
            assert_eq!(
                decode_base64(&input),
                decode_base64_slowly(&input),
                "{}",
                input.escape_ascii()
            );
        }
    }

    #[test]
    fn base64_decoding() {
        for (text, want) in [
            ("", &b""[..]),
            ("  \n\t ", b""),
            ("AA==", b"\0"),
            ("AA", b"\0"),
            ("AAE=", b"\0\x01"),
            ("AAE", b"\0\x01"),
            ("AAEC", b"\0\x01\x02"),
            ("AAECAw==", b"\0\x01\x02\x03"),
            ("\n\t\tAA EC\r\n\tAw =\n= \n", b"\0\x01\x02\x03"),
            ("AAAA=", b"\0\0\0"),
            ("AAAA==", b"\0\0\0"),
            ("AAA==", b"\0\0"),
            ("+/+/", b"\xfb\xff\xbf"),
            ("aGVsbG8gd29ybGQ=", b"hello world"),
            ("aGVs&#x62;G8=", b"hello"),
            ("<![CDATA[aGVs]]>bG8=", b"hello"),
        ] {
            let doc = format!("<plist><data>{text}</data></plist>");
            assert_eq!(ok(&doc).as_data(), Some(want), "{text:?}");
        }
        let long: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &long);
        // Apple's layout: lines of 68 characters, indented.
        let lines: Vec<&str> = encoded
            .as_bytes()
            .chunks(68)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let text = format!("\n\t{}\n", lines.join("\n\t"));
        let doc = format!("<plist><data>{text}</data></plist>");
        assert_eq!(ok(&doc).as_data(), Some(&long[..]));
    }

    #[test]
    fn base64_errors() {
        for (text, index) in [
            ("AAA!", 3),    // not alphabet
            ("AA-A", 2),    // URL-safe alphabet
            ("AA_A", 2),    // URL-safe alphabet
            ("A", 0),       // one character
            ("AAAAB", 4),   // one character in the last group
            ("AAAA B ", 5), // same, with whitespace
            ("AB=", 0),     // incomplete padding
            ("AAAA AB=", 5),
            ("=AAA", 0),     // padding first
            ("AA==AA==", 2), // padding in the middle
            ("AAA=A", 3),
            ("AAAA===", 6), // too much padding
            ("AA===", 4),
            ("A=", 0),
            ("AAAA\u{A0}", 4), // non-breaking space is not XML whitespace
            ("AA\u{B}", 2),
        ] {
            let doc = format!("<plist><dict><key>Token</key><data>{text}</data></dict></plist>");
            let e = err(&doc);
            if text.contains('\u{B}') {
                assert_eq!(e.kind(), ErrorKind::InvalidXmlChar);
                continue;
            }
            assert_eq!(e.kind(), ErrorKind::InvalidBase64, "{text:?}");
            assert_eq!(e.offset(), Some(35 + index), "{text:?}");
            assert_eq!(e.path(), "/Token", "{text:?}");
        }
        // Decoded text (with references) blames the start of the content.
        let doc = "<plist><array><data>&#65;!</data></array></plist>";
        assert_eq!(fail(doc), (ErrorKind::InvalidBase64, 20, "/0".to_owned()));
    }

    // ---- robustness ----------------------------------------------------------------

    const SAMPLE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"x.dtd\">\n\
        <plist version=\"1.0\">\n<dict>\n\t<key>A</key>\n\t<array>\n\t\t<integer>-5</integer>\n\
        \t\t<real>1.5</real>\n\t\t<true/>\n\t\t<data>AAEC\n\tAw==</data>\n\
        \t\t<date>2020-01-01T00:00:00Z</date>\n\t\t<dict/>\n\t</array>\n\
        \t<key>B</key>\n\t<string>x<!-- c --><![CDATA[y]]>\u{E9}</string>\n</dict>\n</plist>\n";

    #[test]
    fn every_truncation_is_unexpected_eof() {
        assert!(Value::from_slice(SAMPLE.as_bytes()).is_ok());
        let bytes = SAMPLE.as_bytes();
        let end = SAMPLE.rfind("</plist>").unwrap() + "</plist>".len();
        for cut in 1..end {
            let doc = &bytes[..cut];
            match Value::from_slice(doc) {
                Ok(v) => panic!("{v:?} from {cut} bytes"),
                Err(e) if e.kind() == ErrorKind::InvalidUtf8 => {
                    assert_eq!(doc.last().map(|b| b & 0xC0), Some(0xC0), "cut {cut}");
                }
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::UnexpectedEof, "cut {cut}: {e:?}");
                    assert_eq!(e.offset(), Some(cut as u64), "cut {cut}");
                }
            }
        }
    }

    #[test]
    fn mutations_never_panic_and_stay_in_bounds() {
        let bytes = SAMPLE.as_bytes();
        for i in 0..bytes.len() {
            for b in [
                b'<', b'>', b'&', b'/', b'"', b']', b'=', b' ', b'!', b'?', 0, 0xFF,
            ] {
                let mut doc = bytes.to_vec();
                doc[i] = b;
                if let Err(e) = Value::from_slice(&doc) {
                    assert!(e.offset().unwrap() <= doc.len() as u64, "{i} {b}: {e:?}");
                }
                doc.insert(i, b'<');
                if let Err(e) = Value::from_slice(&doc) {
                    assert!(e.offset().unwrap() <= doc.len() as u64, "{i} {b}: {e:?}");
                }
            }
        }
    }

    // ---- fixtures --------------------------------------------------------------------

    /// The `.xml` and `.plist` files under `dir`, at any depth, sorted.
    fn fixture_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "xml" || e == "plist") {
                    files.push(path);
                }
            }
        }
        files.sort();
        files
    }

    #[test]
    fn device_messages_decode() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/device-messages");
        let dir = dir.as_path();
        let mut good = 0;
        for file in fixture_files(dir) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&file).unwrap();
            let result = Value::from_slice(&bytes);
            let redacted = [
                ("CertificateList__iOS-11.3.1.xml", "/CertificateList/0/Data"),
                ("TokenUpdate__iOS-11.3.1.xml", "/Token"),
            ];
            match redacted.iter().find(|(n, _)| name.ends_with(n)) {
                Some((_, path)) => {
                    let e = result.unwrap_err();
                    assert_eq!(e.kind(), ErrorKind::InvalidBase64, "{name}");
                    assert_eq!(e.path(), *path, "{name}");
                    // The group "64=" that lacks its second `=`.
                    let offset = usize::try_from(e.offset().unwrap()).unwrap();
                    assert_eq!(bytes.get(offset..offset + 3), Some(&b"64="[..]), "{name}");
                }
                None => {
                    let v = result.unwrap_or_else(|e| panic!("{name}: {e:?}"));
                    assert!(v.as_dictionary().is_some(), "{name}");
                    good += 1;
                }
            }
        }
        assert_eq!(good, 48);
    }

    #[test]
    fn hostile_xml_files() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/hostile");
        let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
        assert_eq!(
            kind(read("01-xml-deep-nesting.plist")),
            ErrorKind::DepthLimitExceeded
        );
        let v = ok(read("10-xml-cdata-split.plist"));
        assert_eq!(
            v.get("ActivationLockBypassCode").and_then(Value::as_str),
            Some("FAKE0-FAKE1-FAKE2-FAKE3-FAKE4")
        );
        assert!(v.get("CommandUUID").is_some());
        assert_eq!(v.get("Note").and_then(Value::as_str), Some("a]]>b&<c>"));
        assert_eq!(
            v.get("Status").and_then(Value::as_str),
            Some("Acknowledged")
        );
        let e = err(read("11-xml-duplicate-status-key.plist"));
        assert_eq!(
            (e.kind(), e.path().as_str()),
            (ErrorKind::DuplicateKey, "/Status")
        );
        let e = err(read("13-xml-invalid-utf8.plist"));
        assert_eq!((e.kind(), e.path().as_str()), (ErrorKind::InvalidUtf8, ""));
        let v = ok(read("17-albc-errorchain-non-ascii.plist"));
        assert_eq!(
            v.pointer("/ErrorChain/0/ErrorCode").and_then(Value::as_i64),
            Some(12021)
        );
        assert_eq!(
            v.pointer("/ErrorChain/1/ErrorCode").and_then(Value::as_i64),
            Some(-402_653_103)
        );
        assert!(
            ok(read("20-albc-missing-status.plist"))
                .get("Status")
                .is_none()
        );
    }
}
