//! Helpers for the workspace tests: where the bundled fixtures are.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

/// The `tests/fixtures` directory of the workspace.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}
