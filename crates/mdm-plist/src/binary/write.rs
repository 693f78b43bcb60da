//! The binary writer: shared strings and numbers stored once, as CoreFoundation does.

use std::io::Write;

use crate::{Error, ErrorKind, Result, Value, WriteOptions};

/// Writes `value` as a binary property list.
pub(crate) fn write_binary<W: Write>(value: &Value, writer: W, options: &WriteOptions) -> Result<()> {
    let _ = (value, writer, options);
    Err(Error::new(ErrorKind::UnsupportedValue, "not written yet"))
}
