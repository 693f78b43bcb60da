//! XML property lists: Apple's DTD, UTF-8.

mod read;
mod write;

pub(crate) use read::XmlSource;
pub(crate) use write::{to_vec, write_xml};
