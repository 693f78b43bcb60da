//! Helpers for the workspace tests: where the bundled fixtures are, and listing them.

#![forbid(unsafe_code)]

use std::fs;
use std::path::{Path, PathBuf};

/// The `tests/fixtures` directory of the workspace.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The files under `dir`, recursively, sorted by path.
///
/// # Panics
///
/// When `dir` cannot be read: the fixtures are part of the repository.
#[allow(
    clippy::expect_used,
    reason = "test helper: a missing fixture is a broken checkout"
)]
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("the fixture directory is readable") {
            let path = entry.expect("the fixture directory is readable").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The 48 device messages every strict decoder must read.
pub fn good_device_messages() -> Vec<PathBuf> {
    files_under(&fixtures().join("device-messages/good"))
}

/// The two device messages whose redacted `<data>` is not base64.
pub fn redacted_device_messages() -> Vec<PathBuf> {
    files_under(&fixtures().join("device-messages/redacted"))
}

/// A file in `fixtures/hostile`.
pub fn hostile(name: &str) -> PathBuf {
    fixtures().join("hostile").join(name)
}
