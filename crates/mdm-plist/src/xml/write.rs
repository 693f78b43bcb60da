//! The XML writer, in Apple's layout.

use std::io::Write;

use crate::{Error, ErrorKind, Result, Value, WriteOptions};

/// Writes `value` as an XML property list.
pub(crate) fn write_xml<W: Write>(value: &Value, writer: W, options: &WriteOptions) -> Result<()> {
    let _ = (value, writer, options);
    Err(Error::new(ErrorKind::UnsupportedValue, "not written yet"))
}
