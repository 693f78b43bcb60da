//! Binary property lists (`bplist00`).

pub(crate) mod de;
mod read;
mod write;

pub(crate) use read::BinarySource;
pub(crate) use write::{to_vec, write_binary};
