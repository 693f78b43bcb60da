//! Reading and writing options: the format and the limits on untrusted input.

/// The two property list encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// XML 1.0, UTF-8, Apple's DTD.
    Xml,
    /// `bplist00`.
    Binary,
}

impl Format {
    /// Guesses the format from the first bytes: `bplist` is binary; a document that starts
    /// (after an optional UTF-8 byte order mark and whitespace) with `<` is XML.
    ///
    /// ```
    /// use mdm_plist::Format;
    ///
    /// assert_eq!(Format::detect(b"bplist00\xd0"), Some(Format::Binary));
    /// assert_eq!(Format::detect(b"\n<?xml version=\"1.0\"?>"), Some(Format::Xml));
    /// assert_eq!(Format::detect(b"{\"json\": true}"), None);
    /// ```
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"bplist") {
            return Some(Self::Binary);
        }
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let first = body
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        (first == Some(&b'<')).then_some(Self::Xml)
    }

    /// `"xml"` or `"binary"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Xml => "xml",
            Self::Binary => "binary",
        }
    }
}

/// What to do with a dictionary key that appears twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DuplicateKeys {
    /// Fail with [`ErrorKind::DuplicateKey`](crate::ErrorKind::DuplicateKey) at the second
    /// occurrence (the default).
    #[default]
    Reject,
    /// Keep the last value, at the place of the first key, as Apple's own readers do.
    /// Applies when building a [`Value`](crate::Value); serde decoding always rejects.
    KeepLast,
}

/// Options for reading: the format, and limits that bound the work an input can cause.
///
/// Every limit has a safe default; raise one only for input you trust more.
///
/// ```
/// use mdm_plist::{ErrorKind, ReadOptions, Value};
///
/// let options = ReadOptions::new().with_max_depth(2);
/// let err = Value::from_slice_with(b"<plist><array><array><array/></array></array></plist>", &options)
///     .unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
/// assert_eq!(err.path(), "/0/0");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    pub(crate) format: Option<Format>,
    pub(crate) max_depth: usize,
    pub(crate) max_input_size: usize,
    pub(crate) max_nodes: usize,
    pub(crate) max_expanded_bytes: usize,
    pub(crate) duplicate_keys: DuplicateKeys,
    pub(crate) max_binary_expansion: usize,
}

impl ReadOptions {
    /// The default deepest nesting of containers: 128 (MDM messages need fewer than 10).
    pub const DEFAULT_MAX_DEPTH: usize = 128;
    /// The default largest input: 64 MiB.
    pub const DEFAULT_MAX_INPUT_SIZE: usize = 64 << 20;
    /// The default most values (keys included) a document may decode into: 4 Mi.
    pub const DEFAULT_MAX_NODES: usize = 4 << 20;
    /// The default most string, key and data bytes a document may decode into: 256 MiB.
    pub const DEFAULT_MAX_EXPANDED_BYTES: usize = 256 << 20;

    /// The default expansion allowed to binary documents: 16 values, and 16 bytes of
    /// strings and data, per byte of input.
    pub const DEFAULT_MAX_BINARY_EXPANSION: usize = 16;

    /// Slack added to the proportional binary budgets, so that tiny documents are never
    /// held to a few values.
    const BINARY_ALLOWANCE: usize = 4096;

    /// The defaults: format detected, every limit at its default, duplicate keys rejected.
    pub const fn new() -> Self {
        Self {
            format: None,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_input_size: Self::DEFAULT_MAX_INPUT_SIZE,
            max_nodes: Self::DEFAULT_MAX_NODES,
            max_expanded_bytes: Self::DEFAULT_MAX_EXPANDED_BYTES,
            duplicate_keys: DuplicateKeys::Reject,
            max_binary_expansion: Self::DEFAULT_MAX_BINARY_EXPANSION,
        }
    }

    /// Reads only this format (`None`, the default, detects it).
    pub const fn with_format(mut self, format: Option<Format>) -> Self {
        self.format = format;
        self
    }

    /// The deepest nesting of containers allowed; the root container is depth 1.
    ///
    /// Reading, writing, dropping and comparing never recurse, whatever the depth. serde
    /// decoding, and `Clone`, `Debug` and `Serialize` of a [`Value`](crate::Value), do
    /// recurse, one stack frame or a few per level: this limit is what keeps them safe, so
    /// raise it to thousands only with a stack to match.
    pub const fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// The largest input accepted, in bytes, checked before the input is read whole.
    pub const fn with_max_input_size(mut self, max_input_size: usize) -> Self {
        self.max_input_size = max_input_size;
        self
    }

    /// The most values, dictionary keys included, that a document may decode into.
    /// In binary documents a shared object counts each time it is referenced, so this
    /// bounds what a small file with many references can expand into.
    pub const fn with_max_nodes(mut self, max_nodes: usize) -> Self {
        self.max_nodes = max_nodes;
        self
    }

    /// The most bytes of strings, keys and data that a document may decode into, shared
    /// binary objects counted each time they are referenced.
    pub const fn with_max_expanded_bytes(mut self, max_expanded_bytes: usize) -> Self {
        self.max_expanded_bytes = max_expanded_bytes;
        self
    }

    /// How many values, and how many bytes of strings and data, a binary document may
    /// decode into per byte of its input (plus 4,096 of each), on top of
    /// [`max_nodes`](Self::with_max_nodes) and
    /// [`max_expanded_bytes`](Self::with_max_expanded_bytes).
    ///
    /// Binary documents can share objects, so a few hundred bytes can describe billions
    /// of values. Apple's writers share only strings, numbers, dates and data, and every
    /// reference costs at least one byte, so real documents stay far below 16 values per
    /// byte; a hostile one is stopped after a work proportional to its size, not at the
    /// absolute budgets. XML cannot share, so this does not apply to it.
    ///
    /// ```
    /// use mdm_plist::{ErrorKind, ReadOptions, Value};
    ///
    /// // A 434-byte document: one array of 300 references to one 100-byte string,
    /// // which expands to 30,000 bytes of strings.
    /// let mut doc = b"bplist00".to_vec();
    /// doc.extend_from_slice(&[0xAF, 0x11, 0x01, 0x2C]); // array, 300 items
    /// doc.extend(std::iter::repeat_n(1u8, 300));
    /// let string_at = doc.len() as u16;
    /// doc.extend_from_slice(&[0x5F, 0x10, 100]); // ASCII string, 100 bytes
    /// doc.extend(std::iter::repeat_n(b'a', 100));
    /// let table_at = doc.len() as u64;
    /// doc.extend_from_slice(&[0, 8]);
    /// doc.extend_from_slice(&string_at.to_be_bytes());
    /// doc.extend_from_slice(&[0, 0, 0, 0, 0, 0, 2, 1]);
    /// doc.extend_from_slice(&2u64.to_be_bytes());
    /// doc.extend_from_slice(&0u64.to_be_bytes());
    /// doc.extend_from_slice(&table_at.to_be_bytes());
    ///
    /// // By default it may expand to 16 × 434 + 4,096 bytes: not enough.
    /// let err = Value::from_slice(&doc).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NodeBudgetExceeded);
    ///
    /// // A caller that trusts its input more can allow it.
    /// let trusting = ReadOptions::new().with_max_binary_expansion(100);
    /// assert_eq!(Value::from_slice_with(&doc, &trusting)?.as_array().map(|a| a.len()), Some(300));
    /// # Ok::<(), mdm_plist::Error>(())
    /// ```
    pub const fn with_max_binary_expansion(mut self, per_input_byte: usize) -> Self {
        self.max_binary_expansion = per_input_byte;
        self
    }

    /// The expansion allowed to binary documents per byte of input.
    pub const fn max_binary_expansion(&self) -> usize {
        self.max_binary_expansion
    }

    /// The options in force for a binary document of `len` bytes: the budgets capped in
    /// proportion to its size.
    pub(crate) fn for_binary(&self, len: usize) -> Self {
        let proportional = self
            .max_binary_expansion
            .saturating_mul(len)
            .saturating_add(Self::BINARY_ALLOWANCE);
        let mut options = self.clone();
        options.max_nodes = options.max_nodes.min(proportional);
        options.max_expanded_bytes = options.max_expanded_bytes.min(proportional);
        options
    }

    /// What to do with a repeated dictionary key.
    pub const fn with_duplicate_keys(mut self, duplicate_keys: DuplicateKeys) -> Self {
        self.duplicate_keys = duplicate_keys;
        self
    }

    /// The format read, or `None` to detect it.
    pub const fn format(&self) -> Option<Format> {
        self.format
    }

    /// The deepest nesting allowed.
    pub const fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The largest input accepted, in bytes.
    pub const fn max_input_size(&self) -> usize {
        self.max_input_size
    }

    /// The most values a document may decode into.
    pub const fn max_nodes(&self) -> usize {
        self.max_nodes
    }

    /// The most string, key and data bytes a document may decode into.
    pub const fn max_expanded_bytes(&self) -> usize {
        self.max_expanded_bytes
    }

    /// What happens to a repeated dictionary key.
    pub const fn duplicate_keys(&self) -> DuplicateKeys {
        self.duplicate_keys
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// Options for writing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    pub(crate) max_depth: usize,
}

impl WriteOptions {
    /// The default deepest nesting written: 128, the reading default, so that what is
    /// written can be read back with default options.
    pub const DEFAULT_MAX_DEPTH: usize = ReadOptions::DEFAULT_MAX_DEPTH;

    /// The defaults.
    pub const fn new() -> Self {
        Self {
            max_depth: Self::DEFAULT_MAX_DEPTH,
        }
    }

    /// The deepest nesting of containers written; deeper values fail with
    /// [`ErrorKind::DepthLimitExceeded`](crate::ErrorKind::DepthLimitExceeded).
    pub const fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// The deepest nesting written.
    pub const fn max_depth(&self) -> usize {
        self.max_depth
    }
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self::new()
    }
}
