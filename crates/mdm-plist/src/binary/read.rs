//! The binary reader: checks the trailer and offset table, then walks the object graph.

use crate::events::{Event, Source};
use crate::{Error, ErrorKind, ReadOptions, Result};

/// Reads a binary property list as events.
pub(crate) struct BinarySource<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> BinarySource<'a> {
    /// Checks the header, trailer and offset table.
    pub(crate) fn new(bytes: &'a [u8], options: &ReadOptions) -> Result<Self> {
        let _ = options;
        Ok(Self { bytes, offset: 0 })
    }
}

impl<'a> Source<'a> for BinarySource<'a> {
    fn next_event(&mut self) -> Result<Event<'a>> {
        Err(Error::at(ErrorKind::UnexpectedEof, self.bytes.len(), "not written yet"))
    }

    fn event_offset(&self) -> usize {
        self.offset
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}
