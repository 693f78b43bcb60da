//! Binary property lists (`bplist00`).

mod read;
mod write;

pub(crate) use read::BinarySource;
pub(crate) use write::{to_vec, write_binary};
