//! End-to-end tests of the `mdm` binary on the bundled fixtures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation,
    reason = "test helpers may fail loudly"
)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use mdm_plist::Value;
use serde_json::Value as Json;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn hostile(name: &str) -> PathBuf {
    fixtures().join("hostile").join(name)
}

fn mdm() -> Command {
    Command::cargo_bin("mdm").unwrap()
}

/// A fresh directory for one test's output files.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mdm-cli-{test}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = mdm().args(args).output().unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `mdm plist lint --json PATH...`: the exit code and one parsed row per file.
fn lint_json(paths: &[&Path]) -> (i32, Vec<Json>) {
    let mut args = vec!["plist", "lint", "--json"];
    args.extend(paths.iter().map(|p| path_arg(p)));
    let run = run(&args);
    let rows = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    (run.code, rows)
}

/// The single row for one file, and the exit code.
fn lint_one(path: &Path) -> (i32, Json) {
    let (code, mut rows) = lint_json(&[path]);
    assert_eq!(rows.len(), 1, "one row per file");
    (code, rows.remove(0))
}

fn assert_error_kind(row: &Json, kind: &str) {
    assert_eq!(row["ok"], false, "{row}");
    assert_eq!(row["error"]["kind"], kind, "{row}");
    assert!(
        row["error"]["offset"].is_u64(),
        "an input error has an offset: {row}"
    );
    assert!(row["error"]["path"].is_string(), "{row}");
    assert!(row["error"]["message"].is_string(), "{row}");
}

fn decode_file(path: &Path) -> Value {
    Value::from_slice(&fs::read(path).unwrap()).unwrap()
}

// ---- arguments, usage and I/O errors (independent of the codec) ----

#[test]
fn help_has_examples_everywhere() {
    for args in [
        &["--help"][..],
        &["plist", "--help"],
        &["plist", "lint", "--help"],
        &["plist", "convert", "--help"],
        &["plist", "print", "--help"],
    ] {
        let run = run(args);
        assert_eq!(run.code, 0, "{args:?}");
        assert!(run.stdout.contains("Examples:"), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let run = run(&["plist", "lint", "--no-such-flag", "x.plist"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--no-such-flag"));
    assert!(run.stdout.is_empty());
}

#[test]
fn missing_arguments_are_usage_errors() {
    assert_eq!(run(&["plist", "lint"]).code, 2);
    assert_eq!(
        run(&["plist", "convert", "x.plist"]).code,
        2,
        "--to is required"
    );
    assert_eq!(
        run(&["plist", "convert", "--to", "yaml", "x.plist"]).code,
        2
    );
    assert_eq!(run(&["plist", "print"]).code, 2);
    assert_eq!(run(&[]).code, 2);
}

#[test]
fn missing_file_exits_2() {
    let missing = fixtures().join("no-such-file.plist");
    for args in [
        vec!["plist", "lint", path_arg(&missing)],
        vec!["plist", "print", path_arg(&missing)],
        vec!["plist", "convert", "--to", "json", path_arg(&missing)],
    ] {
        let run = run(&args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn missing_file_in_json_mode_still_gets_a_row() {
    let missing = fixtures().join("no-such-file.plist");
    let (code, rows) = lint_json(&[&missing, &hostile("README.md")]);
    assert_eq!(code, 2, "an I/O error outranks an invalid input");
    assert_eq!(rows.len(), 2, "every input is reported");
    assert_eq!(rows[0]["error"]["kind"], "Io");
    assert_eq!(rows[0]["error"]["offset"], Json::Null);
    assert_eq!(rows[1]["error"]["kind"], "UnknownFormat");
}

#[test]
fn a_named_file_is_checked_whatever_its_name() {
    // Not a plist at all, and not a plist name: still checked, and reported invalid.
    let (code, row) = lint_one(&hostile("README.md"));
    assert_eq!(code, 1);
    assert_eq!(row["path"], path_arg(&hostile("README.md")));
    assert_eq!(row["format"], Json::Null);
    assert_eq!(
        row["error"],
        serde_json::json!({
            "kind": "UnknownFormat",
            "offset": 0,
            "path": "",
            "message": "neither an XML nor a binary property list",
        })
    );
    let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["path", "ok", "format", "error"],
        "fields in a fixed order"
    );
}

#[test]
fn directories_give_their_plist_files_in_sorted_order() {
    let (_, rows) = lint_json(&[&fixtures().join("device-messages/good")]);
    let paths: Vec<&str> = rows.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), 48);
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted);
    // The README.md files in fixtures/hostile are skipped when walking.
    let (_, rows) = lint_json(&[&fixtures().join("hostile")]);
    assert_eq!(rows.len(), 10);
    assert!(
        rows.iter()
            .all(|r| !r["path"].as_str().unwrap().ends_with(".md"))
    );
}

#[test]
fn text_mode_reports_unknown_format_by_byte() {
    let readme = hostile("README.md");
    let run = run(&["plist", "lint", path_arg(&readme)]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        format!(
            "{}: byte 0: UnknownFormat: neither an XML nor a binary property list\n",
            readme.display()
        )
    );
}

// ---- the device messages ----

#[test]
fn good_device_messages_all_pass() {
    let dir = fixtures().join("device-messages/good");
    let run = run(&["plist", "lint", path_arg(&dir)]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 48);
    assert!(lines.iter().all(|l| l.ends_with(": OK")), "{}", run.stdout);

    let (code, rows) = lint_json(&[&dir]);
    assert_eq!(code, 0);
    for row in &rows {
        assert_eq!(row["ok"], true, "{row}");
        assert_eq!(row["format"], "xml", "{row}");
        assert_eq!(row["error"], Json::Null, "{row}");
    }
}

#[test]
fn redacted_device_messages_fail_with_invalid_base64() {
    let dir = fixtures().join("device-messages/redacted/cmdmnt+commandment");
    let (code, rows) = lint_json(&[&dir]);
    assert_eq!(code, 1);
    assert_eq!(rows.len(), 2);
    for (row, name, key_path) in [
        (
            &rows[0],
            "testdata__CertificateList__iOS-11.3.1.xml",
            "/CertificateList/0/Data",
        ),
        (&rows[1], "testdata__TokenUpdate__iOS-11.3.1.xml", "/Token"),
    ] {
        assert!(row["path"].as_str().unwrap().ends_with(name), "{row}");
        assert_eq!(row["format"], "xml");
        assert_error_kind(row, "InvalidBase64");
        assert_eq!(row["error"]["path"], key_path, "{row}");
        // The offset lies inside the first <data> element's text.
        let text = fs::read(dir.join(name)).unwrap();
        let start = find(&text, b"<data>", 0) + b"<data>".len();
        let end = find(&text, b"</data>", start);
        let offset = row["error"]["offset"].as_u64().unwrap() as usize;
        assert!(
            (start..end).contains(&offset),
            "{offset} outside {start}..{end}"
        );
    }

    let run = run(&["plist", "lint", path_arg(&dir)]);
    assert_eq!(run.code, 1);
    let first = run.stdout.lines().next().unwrap();
    let prefix = format!(
        "{}:",
        dir.join("testdata__CertificateList__iOS-11.3.1.xml")
            .display()
    );
    assert!(first.starts_with(&prefix), "{first}");
    assert!(
        first.contains(": InvalidBase64 at /CertificateList/0/Data: "),
        "{first}"
    );
    assert!(
        run.stdout.contains("<data>") && run.stdout.contains('^'),
        "{}",
        run.stdout
    );
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> usize {
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
        .unwrap()
}

// ---- the hostile inputs ----

#[test]
fn hostile_inputs_fail_with_their_kinds() {
    for (name, kind) in [
        ("01-xml-deep-nesting.plist", "DepthLimitExceeded"),
        ("03-bplist-self-cycle.bplist", "CyclicReference"),
        ("05-bplist-offset-into-offset-table.bplist", "InvalidOffset"),
        ("07-bplist-length-header-bomb.bplist", "LengthExceedsInput"),
        ("11-xml-duplicate-status-key.plist", "DuplicateKey"),
        ("13-xml-invalid-utf8.plist", "InvalidUtf8"),
    ] {
        let (code, row) = lint_one(&hostile(name));
        assert_eq!(code, 1, "{name}");
        assert_error_kind(&row, kind);
    }
    let (_, row) = lint_one(&hostile("11-xml-duplicate-status-key.plist"));
    assert_eq!(row["error"]["path"], "/Status");
    let (_, row) = lint_one(&hostile("03-bplist-self-cycle.bplist"));
    assert_eq!(row["format"], "binary");
}

#[test]
fn hostile_deep_nesting_reports_in_text_mode() {
    let run = run(&[
        "plist",
        "lint",
        path_arg(&hostile("01-xml-deep-nesting.plist")),
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(": DepthLimitExceeded at /0/0/0"),
        "{}",
        run.stdout
    );
}

#[test]
fn hostile_inputs_that_parse() {
    for name in [
        "10-xml-cdata-split.plist",
        "16-bplist-control-chars.bplist",
        "17-albc-errorchain-non-ascii.plist",
        // A plain plist: the missing Status matters only to a typed decode.
        "20-albc-missing-status.plist",
    ] {
        let (code, row) = lint_one(&hostile(name));
        assert_eq!(code, 0, "{row}");
        assert_eq!(row["ok"], true);
    }
}

#[test]
fn cdata_split_converts_to_json_with_the_joined_texts() {
    let run = run(&[
        "plist",
        "convert",
        "--to",
        "json",
        path_arg(&hostile("10-xml-cdata-split.plist")),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "ActivationLockBypassCode": "FAKE0-FAKE1-FAKE2-FAKE3-FAKE4",
            "CommandUUID": "11111111-2222-4333-8444-555555555555",
            "Note": "a]]>b&<c>",
            "Status": "Acknowledged",
            "UDID": "00008030-000000000000FACE",
        })
    );
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "ActivationLockBypassCode",
            "CommandUUID",
            "Note",
            "Status",
            "UDID"
        ]
    );
}

#[test]
fn non_ascii_error_chain_converts_exactly() {
    let run = run(&[
        "plist",
        "convert",
        "--to",
        "json",
        path_arg(&hostile("17-albc-errorchain-non-ascii.plist")),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["Status"], "Error");
    assert_eq!(json["ErrorChain"][0]["ErrorCode"], 12021);
    assert_eq!(json["ErrorChain"][0]["ErrorDomain"], "FakeMDMErrorDomain");
    assert_eq!(json["ErrorChain"][1]["ErrorCode"], -402653103);
    assert_eq!(json["ErrorChain"][1].get("USEnglishDescription"), None);
    assert_eq!(json["ErrorChain"][1]["LocalizedDescription"], "テスト 🔒");
}

#[test]
fn control_characters_convert_to_binary_but_not_xml() {
    let input = hostile("16-bplist-control-chars.bplist");
    let dir = scratch("control-chars");

    let xml_out = dir.join("out.xml");
    let run_xml = run(&[
        "plist",
        "convert",
        "--to",
        "xml",
        "-o",
        path_arg(&xml_out),
        path_arg(&input),
    ]);
    assert_eq!(run_xml.code, 1);
    assert!(
        run_xml.stderr.contains("InvalidXmlChar"),
        "{}",
        run_xml.stderr
    );
    assert!(!xml_out.exists(), "no partial output file");
    assert_eq!(
        fs::read_dir(&dir).unwrap().count(),
        0,
        "no temporary file left"
    );

    let bin_out = dir.join("out.bplist");
    let run_bin = run(&[
        "plist",
        "convert",
        "--to",
        "binary",
        "-o",
        path_arg(&bin_out),
        path_arg(&input),
    ]);
    assert_eq!(run_bin.code, 0, "{}", run_bin.stderr);
    let value = decode_file(&bin_out);
    assert_eq!(value, decode_file(&input));
    assert_eq!(
        value.get("UserLongName").and_then(Value::as_str),
        Some("Fake\u{1}User")
    );
    assert_eq!(
        value.get("UserShortName").and_then(Value::as_str),
        Some("fake\u{0}user")
    );

    let run_print = run(&["plist", "print", path_arg(&input)]);
    assert_eq!(run_print.code, 0);
    assert!(
        run_print
            .stdout
            .contains(r#""UserLongName" => "Fake\u{1}User""#),
        "{}",
        run_print.stdout
    );
}

// ---- conversions ----

#[test]
fn convert_round_trips_through_every_format() {
    let input = fixtures()
        .join("device-messages/good/micromdm+nanomdm/mdm__testdata__DeviceInformation.1.plist");
    let original = decode_file(&input);
    let dir = scratch("round-trip");

    for (to, magic) in [("xml", &b"<?xml"[..]), ("binary", &b"bplist00"[..])] {
        let out = dir.join(format!("out.{to}"));
        let run = run(&[
            "plist",
            "convert",
            "--to",
            to,
            "-o",
            path_arg(&out),
            path_arg(&input),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.is_empty(), "-o writes nothing to stdout");
        let bytes = fs::read(&out).unwrap();
        assert!(bytes.starts_with(magic), "{to}");
        assert_eq!(Value::from_slice(&bytes).unwrap(), original, "{to}");
    }

    // To stdout: the same bytes as with -o.
    let stdout = mdm()
        .args(["plist", "convert", "--to", "binary", path_arg(&input)])
        .output()
        .unwrap();
    assert!(stdout.status.success());
    assert_eq!(stdout.stdout, fs::read(dir.join("out.binary")).unwrap());

    let run = run(&["plist", "convert", "--to", "json", path_arg(&input)]);
    assert_eq!(run.code, 0);
    let json: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["Status"], "Acknowledged");
    assert_eq!(json["RequestType"], "DeviceInformation");
    assert!(json["QueryResponses"].is_object());
    assert!(run.stdout.starts_with("{\n  \""), "pretty-printed");
}

#[test]
fn invalid_input_leaves_no_output_file_and_keeps_an_old_one() {
    let dir = scratch("invalid-input");
    let out = dir.join("out.json");
    let run1 = run(&[
        "plist",
        "convert",
        "--to",
        "json",
        "-o",
        path_arg(&out),
        path_arg(&hostile("13-xml-invalid-utf8.plist")),
    ]);
    assert_eq!(run1.code, 1);
    assert!(run1.stderr.contains("InvalidUtf8"), "{}", run1.stderr);
    assert!(!out.exists());

    fs::write(&out, b"previous").unwrap();
    let run2 = run(&[
        "plist",
        "convert",
        "--to",
        "xml",
        "-o",
        path_arg(&out),
        path_arg(&hostile("16-bplist-control-chars.bplist")),
    ]);
    assert_eq!(run2.code, 1);
    assert_eq!(fs::read(&out).unwrap(), b"previous");
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn unwritable_output_exits_2() {
    let input = hostile("10-xml-cdata-split.plist");
    let out = fixtures().join("no-such-dir/out.json");
    let run = run(&[
        "plist",
        "convert",
        "--to",
        "json",
        "-o",
        path_arg(&out),
        path_arg(&input),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
}

#[test]
fn print_shows_the_structure() {
    let run = run(&[
        "plist",
        "print",
        path_arg(&hostile("17-albc-errorchain-non-ascii.plist")),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("{\n  \"CommandUUID\" => \"11111111-2222-4333-8444-555555555555\"\n")
    );
    assert!(
        run.stdout
            .contains("  \"ErrorChain\" => [\n    0 => {\n      \"ErrorCode\" => 12021\n")
    );
    assert!(run.stdout.contains("      \"ErrorCode\" => -402653103\n"));
    assert!(
        run.stdout
            .ends_with("  \"UDID\" => \"00008030-000000000000FACE\"\n}\n")
    );
}

#[test]
fn print_of_invalid_input_reports_on_stderr() {
    let run = run(&[
        "plist",
        "print",
        path_arg(&hostile("11-xml-duplicate-status-key.plist")),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("DuplicateKey at /Status"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_fifo_named_on_the_command_line_is_refused_not_waited_on() {
    let dir = std::env::temp_dir().join(format!("mdm-cli-fifo-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("pipe.plist");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(
        made.is_ok_and(|s| s.success()),
        "mkfifo is needed for this test"
    );
    for args in [&["plist", "lint"][..], &["decode"][..]] {
        let out = mdm()
            .args(args)
            .arg(&fifo)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plist_commands_read_standard_input_for_a_dash() {
    let doc = b"<plist><dict><key>Status</key><string>Idle</string></dict></plist>".to_vec();
    let out = mdm()
        .args(["plist", "lint", "--json", "-"])
        .write_stdin(doc.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let row: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(row["path"], "-");
    assert_eq!(row["ok"], true);
    let out = mdm()
        .args(["plist", "convert", "--to", "json", "-"])
        .write_stdin(doc)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["Status"], "Idle");
}
