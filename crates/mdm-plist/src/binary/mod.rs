//! Binary property lists (`bplist00`).

pub(crate) mod de;
mod read;
mod tree;
mod write;

pub(crate) use read::BinarySource;
pub(crate) use tree::build_value;
pub(crate) use write::{to_vec, write_binary};
