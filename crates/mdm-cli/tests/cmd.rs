//! Snapshot tests of `mdm` command lines: each `cmd/*.toml` case runs the built binary
//! from the workspace root and compares its exit code, standard output and standard
//! error with the files beside it. The README examples are these same command lines
//! (checked by `readme.rs`).
//!
//! After a deliberate change of output, refresh the snapshots with
//! `TRYCMD=overwrite cargo test -p mdm-cli --test cmd`, and review the diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation,
    reason = "test helpers may fail loudly"
)]

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("mdm", std::path::Path::new(env!("CARGO_BIN_EXE_mdm")))
        .case("tests/cmd/*.toml");
}
