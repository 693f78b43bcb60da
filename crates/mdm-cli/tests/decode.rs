//! End-to-end tests of `mdm decode`, `mdm command` and `mdm bypass-code` on the bundled
//! fixtures.

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

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mdm-decode-{test}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_with(args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    let mut cmd = mdm();
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let output = cmd.output().unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn run(args: &[&str]) -> Run {
    run_with(args, None)
}

fn rows(stdout: &str) -> Vec<Json> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// `mdm decode --json [extra...] PATH`: the exit code and the single row.
fn decode_one(path: &Path, extra: &[&str]) -> (i32, Json) {
    let mut args = vec!["decode", "--json"];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    let run = run(&args);
    let mut rows = rows(&run.stdout);
    assert_eq!(rows.len(), 1, "one row per file: {}", run.stdout);
    (run.code, rows.remove(0))
}

const FIELDS: [&str; 10] = [
    "path",
    "ok",
    "format",
    "message",
    "status",
    "command_uuid",
    "udid",
    "request_type",
    "body",
    "error",
];

fn assert_fields(row: &Json) {
    let keys: Vec<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, FIELDS, "{row}");
}

fn assert_error(code: i32, row: &Json, kind: &str) {
    assert_eq!(code, 1, "{row}");
    assert_eq!(row["ok"], false, "{row}");
    assert_eq!(row["error"]["kind"], kind, "{row}");
}

/// The message kind a good fixture's name implies.
fn expected_message(name: &str) -> &'static str {
    for check_in in ["Authenticate", "TokenUpdate", "CheckOut"] {
        if name.contains(&format!("__{check_in}")) {
            return check_in;
        }
    }
    if name.contains("InstallProfile") {
        return "Command";
    }
    "CommandResult"
}

#[test]
fn every_good_message_decodes_with_its_kind() {
    let good = fixtures().join("device-messages/good");
    let run = run(&["decode", "--json", good.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let rows = rows(&run.stdout);
    assert_eq!(rows.len(), 48);
    for row in &rows {
        assert_fields(row);
        let path = row["path"].as_str().unwrap();
        assert_eq!(row["ok"], true, "{row}");
        assert_eq!(row["format"], "xml", "{path}");
        assert_eq!(row["error"], Json::Null, "{path}");
        assert_eq!(row["message"], expected_message(path), "{path}");
        assert!(row["body"].is_object(), "{path}");
        match row["message"].as_str().unwrap() {
            "CommandResult" => assert!(row["status"].is_string(), "{path}"),
            "Command" => {
                assert_eq!(row["request_type"], "InstallProfile");
                assert_eq!(row["command_uuid"], "7e761ec5-9e20-42d1-9072-3d5a611e3ac5");
            }
            _ => {
                assert_eq!(row["status"], Json::Null, "{path}");
                assert!(row["udid"].is_string(), "{path}");
            }
        }
    }
    // The result kinds the fixtures hold, Error and NotNow included.
    let statuses: Vec<&str> = rows.iter().filter_map(|r| r["status"].as_str()).collect();
    for status in ["Acknowledged", "Error", "NotNow", "CommandFormatError"] {
        assert!(statuses.contains(&status), "no {status} result");
    }
    // The text view of the whole directory also exits 0 with one block per file.
    let text = self::run(&["decode", good.to_str().unwrap()]);
    assert_eq!(text.code, 0);
    assert_eq!(text.stdout.matches("\n  message:").count(), 48);
}

#[test]
fn redacted_fixtures_are_invalid_base64() {
    let dir = fixtures().join("device-messages/redacted");
    let run = run(&["decode", "--json", dir.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    let rows = rows(&run.stdout);
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_fields(row);
        assert_eq!(row["error"]["kind"], "InvalidBase64", "{row}");
        assert!(row["error"]["offset"].is_u64());
        assert_eq!(row["body"], Json::Null);
    }
    // Text: place, kind and key path; the line under /Token is not shown, since it holds
    // the secret value, but the one under /CertificateList is.
    let text = self::run(&["decode", dir.to_str().unwrap()]);
    assert_eq!(text.code, 1);
    assert!(text.stdout.contains(
        "CertificateList__iOS-11.3.1.xml:11:14: InvalidBase64 at /CertificateList/0/Data"
    ));
    assert!(text.stdout.contains("11 | \t\t\t<data>Base64="));
    assert!(
        text.stdout
            .contains("TokenUpdate__iOS-11.3.1.xml:13:17: InvalidBase64 at /Token")
    );
    assert!(!text.stdout.contains("13 |"), "{}", text.stdout);
}

#[test]
fn hostile_files_give_their_outcomes() {
    for (name, kind, path) in [
        ("01-xml-deep-nesting.plist", "DepthLimitExceeded", None),
        (
            "03-bplist-self-cycle.bplist",
            "CyclicReference",
            Some("/ErrorChain/0"),
        ),
        (
            "05-bplist-offset-into-offset-table.bplist",
            "InvalidOffset",
            Some("/Status"),
        ),
        (
            "07-bplist-length-header-bomb.bplist",
            "LengthExceedsInput",
            Some("/ActivationLockBypassCode"),
        ),
        (
            "11-xml-duplicate-status-key.plist",
            "DuplicateKey",
            Some("/Status"),
        ),
        ("13-xml-invalid-utf8.plist", "InvalidUtf8", Some("")),
        // A valid plist, but no MDM message: no Status, MessageType or Command.
        (
            "16-bplist-control-chars.bplist",
            "NotAnMdmMessage",
            Some(""),
        ),
        ("20-albc-missing-status.plist", "NotAnMdmMessage", Some("")),
    ] {
        let (code, row) = decode_one(&hostile(name), &[]);
        assert_fields(&row);
        assert_error(code, &row, kind);
        if let Some(path) = path {
            assert_eq!(row["error"]["path"], path, "{name}");
        }
        if kind != "NotAnMdmMessage" {
            assert!(row["error"]["offset"].is_u64(), "{name}: {row}");
        }
    }

    let (code, row) = decode_one(&hostile("10-xml-cdata-split.plist"), &[]);
    assert_eq!(code, 0, "{row}");
    assert_eq!(row["message"], "CommandResult");
    assert_eq!(row["status"], "Acknowledged");
    assert_eq!(row["command_uuid"], "11111111-2222-4333-8444-555555555555");
    assert_eq!(row["udid"], "00008030-000000000000FACE");
    assert_eq!(row["request_type"], Json::Null);
    assert_eq!(row["body"]["Note"], "a]]>b&<c>");
    assert_eq!(row["body"]["ActivationLockBypassCode"], "<redacted>");

    // An Error result is a valid message: exit 0, the error chain in the body exactly.
    let (code, row) = decode_one(&hostile("17-albc-errorchain-non-ascii.plist"), &[]);
    assert_eq!(code, 0, "{row}");
    assert_eq!(row["status"], "Error");
    assert_eq!(row["body"]["ErrorChain"][0]["ErrorCode"], 12021);
    assert_eq!(row["body"]["ErrorChain"][1]["ErrorCode"], -402653103);
}

#[test]
fn expect_albc_is_typed() {
    let (code, row) = decode_one(
        &hostile("20-albc-missing-status.plist"),
        &["--expect", "ActivationLockBypassCode"],
    );
    assert_error(code, &row, "MissingField");
    assert_eq!(row["request_type"], "ActivationLockBypassCode");
    assert!(!row.to_string().contains("FAKE"), "{row}");

    let (code, row) = decode_one(
        &hostile("17-albc-errorchain-non-ascii.plist"),
        &["--expect", "ActivationLockBypassCode"],
    );
    assert_eq!(code, 0, "{row}");
    assert_fields(&row);
    assert_eq!(row["status"], "Error");

    let text = run(&[
        "decode",
        "--expect",
        "ActivationLockBypassCode",
        hostile("17-albc-errorchain-non-ascii.plist")
            .to_str()
            .unwrap(),
    ]);
    assert!(
        text.stdout
            .contains("  bypass code:  none taken: the status is Error, not Acknowledged\n"),
        "{}",
        text.stdout
    );
}

/// A result file written for a test.
fn write_result(dir: &Path, name: &str, entries: &[(&str, &str)]) -> PathBuf {
    let mut body = String::new();
    for (key, value) in entries {
        body.push_str(&format!("<key>{key}</key><string>{value}</string>\n"));
    }
    let path = dir.join(name);
    fs::write(
        &path,
        format!("<?xml version=\"1.0\"?>\n<plist version=\"1.0\"><dict>\n{body}</dict></plist>\n"),
    )
    .unwrap();
    path
}

const UUID: &str = "0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B";
const CODE: &str = "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4";

#[test]
fn secrets_are_redacted_unless_asked_for() {
    let dir = scratch("secrets");
    let ack = write_result(
        &dir,
        "ack.plist",
        &[
            ("ActivationLockBypassCode", CODE),
            ("CommandUUID", UUID),
            ("Status", "Acknowledged"),
            ("UDID", "X"),
        ],
    );
    let ack = ack.to_str().unwrap();
    for json in [true, false] {
        let mut args = vec!["decode", "--expect", "ActivationLockBypassCode"];
        if json {
            args.push("--json");
        }
        args.push(ack);
        let hidden = run(&args);
        assert_eq!(hidden.code, 0, "{}", hidden.stderr);
        assert!(!hidden.stdout.contains(CODE) && !hidden.stderr.contains(CODE));
        assert!(hidden.stdout.contains("<redacted>"));
        args.insert(1, "--show-secrets");
        let shown = run(&args);
        assert!(shown.stdout.contains(CODE), "{}", shown.stdout);
        if !json {
            assert!(
                hidden
                    .stdout
                    .contains("  bypass code:  Present: <redacted>\n")
            );
            assert!(
                shown
                    .stdout
                    .contains(&format!("  bypass code:  Present: {CODE}\n"))
            );
        }
    }
    let empty = write_result(
        &dir,
        "empty.plist",
        &[
            ("ActivationLockBypassCode", ""),
            ("CommandUUID", UUID),
            ("Status", "Acknowledged"),
        ],
    );
    let text = run(&[
        "decode",
        "--expect",
        "ActivationLockBypassCode",
        empty.to_str().unwrap(),
    ]);
    assert!(
        text.stdout.contains("  bypass code:  Empty\n"),
        "{}",
        text.stdout
    );

    // Check-in secrets at the top and nested; the error about a secret value hides its
    // text.
    let token =
        fixtures().join("device-messages/good/micromdm+nanomdm/mdm__testdata__TokenUpdate.2.plist");
    let (_, row) = decode_one(&token, &[]);
    assert_eq!(row["body"]["Token"], "<redacted>");
    assert_eq!(row["body"]["PushMagic"], "<redacted>");
    let (_, row) = decode_one(&token, &["--show-secrets"]);
    assert_eq!(
        row["body"]["PushMagic"],
        "888CEB39-BFFA-40F6-89FA-B60752EB63C2"
    );

    let nested = dir.join("nested.plist");
    fs::write(
        &nested,
        "<plist><dict><key>Command</key><dict><key>RequestType</key><string>X</string>\
<key>Settings</key><array><dict><key>Password</key><string>hunter2</string></dict></array>\
</dict><key>CommandUUID</key><string>U</string></dict></plist>",
    )
    .unwrap();
    let (code, row) = decode_one(&nested, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        row["body"]["Command"]["Settings"][0]["Password"],
        "<redacted>"
    );
    assert_eq!(row["request_type"], "X");

    let bad_pin = dir.join("pin.plist");
    fs::write(
        &bad_pin,
        "<plist><dict><key>MessageType</key><string>M</string>\n<key>PIN</key>\n<integer>12x4</integer></dict></plist>",
    )
    .unwrap();
    let text = run(&["decode", bad_pin.to_str().unwrap()]);
    assert_eq!(text.code, 1);
    assert!(text.stdout.contains("at /PIN"), "{}", text.stdout);
    assert!(!text.stdout.contains("12x4"), "{}", text.stdout);
    let (_, row) = decode_one(&bad_pin, &[]);
    assert!(!row.to_string().contains("12x4"), "{row}");
}

#[test]
fn expect_mismatch_idle_and_plain_plists() {
    let dir = scratch("expect");
    let other = write_result(
        &dir,
        "other.plist",
        &[
            ("CommandUUID", UUID),
            ("RequestType", "DeviceInformation"),
            ("Status", "Acknowledged"),
        ],
    );
    let (code, row) = decode_one(&other, &["--expect", "ActivationLockBypassCode"]);
    assert_error(code, &row, "RequestTypeMismatch");
    assert_eq!(row["request_type"], "DeviceInformation");
    // Without --expect the same file is fine.
    assert_eq!(decode_one(&other, &[]).0, 0);

    let idle = write_result(&dir, "idle.plist", &[("Status", "Idle"), ("UDID", "X")]);
    let (code, row) = decode_one(&idle, &[]);
    assert_eq!(code, 0, "{row}");
    assert_eq!(row["message"], "CommandResult");
    assert_eq!(row["status"], "Idle");
    let (code, row) = decode_one(&idle, &["--expect", "ClearActivationLockBypassCode"]);
    assert_error(code, &row, "NotACommandResult");

    let plain = write_result(&dir, "plain.plist", &[("Hello", "world")]);
    let (code, row) = decode_one(&plain, &[]);
    assert_error(code, &row, "NotAnMdmMessage");
    assert_eq!(row["message"], Json::Null);
    assert_eq!(row["body"]["Hello"], "world");

    let unknown = run(&["decode", "--expect", "Nope", plain.to_str().unwrap()]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("ActivationLockBypassCode"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn one_bad_file_does_not_stop_the_others() {
    let dir = scratch("mixed");
    let missing = dir.join("missing.plist");
    let good = hostile("10-xml-cdata-split.plist");
    let bad = hostile("11-xml-duplicate-status-key.plist");
    let run = run(&[
        "decode",
        "--json",
        bad.to_str().unwrap(),
        missing.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "a missing file is an I/O error");
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
    let rows = rows(&run.stdout);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["error"]["kind"], "DuplicateKey");
    assert_eq!(rows[1]["error"]["kind"], "Io");
    assert_eq!(rows[2]["ok"], true);

    let invalid = self::run(&["decode", bad.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(invalid.code, 1);
    assert!(invalid.stdout.contains("  status:       Acknowledged"));
}

#[test]
fn command_round_trips_through_decode() {
    for format in ["xml", "binary"] {
        let out = mdm()
            .args(["command", "ActivationLockBypassCode", "--uuid", UUID])
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let run = run_with(&["decode", "--json", "-"], Some(out.stdout));
        assert_eq!(run.code, 0, "{}", run.stderr);
        let row = &rows(&run.stdout)[0];
        assert_eq!(row["path"], "-");
        assert_eq!(row["format"], format);
        assert_eq!(row["message"], "Command");
        assert_eq!(row["command_uuid"], UUID);
        assert_eq!(row["request_type"], "ActivationLockBypassCode");
    }
    // A fresh UUID is upper case, and differs each time.
    let uuids: Vec<String> = (0..2)
        .map(|_| {
            let out = mdm()
                .args(["command", "ClearActivationLockBypassCode"])
                .output()
                .unwrap();
            let run = run_with(&["decode", "--json", "-"], Some(out.stdout));
            rows(&run.stdout)[0]["command_uuid"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for uuid in &uuids {
        assert_eq!(uuid.len(), 36);
        assert_eq!(*uuid, uuid.to_uppercase());
    }
    assert_ne!(uuids[0], uuids[1]);

    let unknown = run(&["command", "RestartDevice"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("ClearActivationLockBypassCode"));
}

fn vectors() -> Vec<(String, String, String)> {
    fs::read_to_string(fixtures().join("bypass-code/vectors.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split('\t').collect();
            (parts[0].into(), parts[1].into(), parts[2].into())
        })
        .collect()
}

#[test]
fn bypass_code_vectors() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 4);
    for (raw, code, key) in &vectors {
        assert_eq!(
            run(&["bypass-code", "encode", raw]).stdout,
            format!("{code}\n")
        );
        assert_eq!(
            run(&["bypass-code", "encode", &raw.to_uppercase()]).stdout,
            format!("{code}\n")
        );
        assert_eq!(
            run(&["bypass-code", "decode", code]).stdout,
            format!("{raw}\n")
        );
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(
            run(&["bypass-code", "decode", &typed]).stdout,
            format!("{raw}\n")
        );
        assert_eq!(
            run(&["bypass-code", "escrow-key", code]).stdout,
            format!("{key}\n")
        );
        let piped = run_with(
            &["bypass-code", "escrow-key", "-"],
            Some(format!("{code}\n").into_bytes()),
        );
        assert_eq!(piped.stdout, format!("{key}\n"));
    }
}

#[test]
fn bypass_code_errors_never_echo_the_input() {
    for (args, needle) in [
        (
            ["bypass-code", "decode", "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKB4"],
            "position 30",
        ),
        (
            ["bypass-code", "decode", "3UM43-PUYVY-QYD1-UVCC-HEHJ"],
            "found 22",
        ),
        (
            [
                "bypass-code",
                "escrow-key",
                "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA9",
            ],
            "0 to 7",
        ),
        (
            ["bypass-code", "encode", "1ea841db5edfafe6075b5ae0d845d2"],
            "found 30",
        ),
        (
            ["bypass-code", "encode", "1ea841db5edfafe6075b5ae0d845d25x"],
            "position 32",
        ),
    ] {
        let run = run(&args);
        assert_eq!(run.code, 1, "{args:?}");
        assert!(run.stdout.is_empty());
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("PUYVY") && !run.stderr.contains("1ea841"));
    }
    assert_eq!(run(&["bypass-code", "decode"]).code, 2);
    assert_eq!(run(&["bypass-code", "frobnicate"]).code, 2);
}

#[test]
fn generated_codes_decode_and_match_their_key() {
    let run = run(&["bypass-code", "generate"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    let (code, key) = (lines[0], lines[1]);
    assert_eq!(code.len(), 31);
    assert_eq!(code.matches('-').count(), 5);
    assert_eq!(key.len(), 64);
    assert!(
        key.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    let raw = self::run(&["bypass-code", "decode", code]);
    assert_eq!(raw.code, 0);
    let back = self::run(&["bypass-code", "encode", raw.stdout.trim()]);
    assert_eq!(back.stdout.trim(), code);
    assert_eq!(
        self::run(&["bypass-code", "escrow-key", code])
            .stdout
            .trim(),
        key
    );

    let json = self::run(&["bypass-code", "generate", "--json"]);
    let row: Json = serde_json::from_str(&json.stdout).unwrap();
    let keys: Vec<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["code", "escrow_key"]);
    let code = row["code"].as_str().unwrap();
    assert_ne!(code, lines[0], "two codes differ");
    assert_eq!(
        self::run(&["bypass-code", "escrow-key", code])
            .stdout
            .trim(),
        row["escrow_key"]
    );
}

#[test]
fn every_new_subcommand_has_help_with_examples() {
    for args in [
        &["decode", "--help"][..],
        &["command", "--help"],
        &["bypass-code", "--help"],
        &["bypass-code", "generate", "--help"],
        &["bypass-code", "encode", "--help"],
        &["bypass-code", "decode", "--help"],
        &["bypass-code", "escrow-key", "--help"],
    ] {
        let run = run(args);
        assert_eq!(run.code, 0, "{args:?}");
        assert!(run.stdout.contains("Examples:\n  mdm "), "{args:?}");
    }
}
