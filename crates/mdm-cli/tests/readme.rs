//! The README examples cannot drift: the workspace README's `console` blocks are run as
//! snapshot tests from the workspace root (output and exit status), and every `mdm ...`
//! command line shown in the workspace README or the crate README is also one of the
//! snapshot cases in `tests/cmd/`, which `cmd.rs` runs.
//!
//! After a deliberate change of output, refresh the README with
//! `TRYCMD=overwrite cargo test -p mdm-cli --test readme`, and review the diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation,
    reason = "test helpers may fail loudly"
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The command lines of the snapshot cases, as `mdm ARGS`.
fn case_command_lines() -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    for entry in fs::read_dir(crate_dir().join("tests/cmd")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = fs::read_to_string(&path).unwrap();
            let args = text
                .lines()
                .find_map(|l| l.strip_prefix("args = \""))
                .and_then(|rest| rest.strip_suffix('"'))
                .unwrap_or_else(|| panic!("{} has no args line", path.display()));
            lines.insert(format!("mdm {args}"));
        }
    }
    lines
}

/// The `mdm ...` lines inside the fenced code blocks of a Markdown file, with an
/// optional `$ ` prompt removed.
fn readme_command_lines(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let mut in_block = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        let line = line.trim();
        let line = line.strip_prefix("$ ").unwrap_or(line);
        if in_block && line.starts_with("mdm ") {
            lines.push(line.to_owned());
        }
    }
    lines
}

#[test]
fn readme_examples_are_snapshot_cases() {
    let cases = case_command_lines();
    for readme in [
        crate_dir().join("../../README.md"),
        crate_dir().join("README.md"),
    ] {
        let shown = readme_command_lines(&readme);
        assert!(
            !shown.is_empty(),
            "{} shows no mdm command",
            readme.display()
        );
        for line in shown {
            assert!(
                cases.contains(&line),
                "{}: `{line}` has no case in tests/cmd/ (cases: {cases:#?})",
                readme.display()
            );
        }
    }
}

#[test]
fn every_subcommand_is_shown() {
    let shown = readme_command_lines(&crate_dir().join("../../README.md"));
    for sub in [
        "mdm plist lint ",
        "mdm plist convert ",
        "mdm plist print ",
        "mdm decode ",
        "mdm decode --json ",
        "mdm decode --expect ",
        "mdm command ",
        "mdm bypass-code generate",
        "mdm bypass-code encode ",
        "mdm bypass-code decode ",
        "mdm bypass-code escrow-key ",
    ] {
        assert!(
            shown.iter().any(|l| l.starts_with(sub)),
            "README shows no `{sub}`"
        );
    }
}

#[test]
fn readme_console_blocks_give_the_output_shown() {
    // The README's commands run from the workspace root. This is the only test in this
    // binary that depends on the working directory, and no other test here spawns
    // processes, so changing it is safe.
    let root = crate_dir().join("../..").canonicalize().unwrap();
    std::env::set_current_dir(&root).unwrap();
    trycmd::TestCases::new()
        .register_bin("mdm", Path::new(env!("CARGO_BIN_EXE_mdm")))
        .case(root.join("README.md"));
}

#[test]
fn the_main_job_is_named_near_the_top() {
    let text = fs::read_to_string(crate_dir().join("../../README.md")).unwrap();
    let head: String = text.lines().take(15).collect::<Vec<_>>().join("\n");
    assert!(
        head.contains(
            "Run the main job: cargo run -q -p mdm-cli -- decode tests/fixtures/device-messages/good"
        ),
        "{head}"
    );
    assert!(
        head.contains("Run the tests: cargo test --workspace"),
        "{head}"
    );
    assert!(
        readme_command_lines(&crate_dir().join("../../README.md"))
            .contains(&"mdm decode tests/fixtures/device-messages/good".to_owned())
    );
}
