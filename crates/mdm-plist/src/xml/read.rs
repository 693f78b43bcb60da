//! The XML reader: a one-pass scanner over the input bytes.

use crate::events::{Event, Source};
use crate::{Error, ErrorKind, Result};

/// Reads an XML property list as events.
pub(crate) struct XmlSource<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> XmlSource<'a> {
    /// Checks the whole input (UTF-8, characters) and reads the prolog.
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Self> {
        Ok(Self { bytes, offset: 0 })
    }
}

impl<'a> Source<'a> for XmlSource<'a> {
    fn next_event(&mut self) -> Result<Event<'a>> {
        Err(Error::at(
            ErrorKind::UnexpectedEof,
            self.bytes.len(),
            "not written yet",
        ))
    }

    fn event_offset(&self) -> usize {
        self.offset
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}
