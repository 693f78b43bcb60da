//! Replays the committed fuzz corpus and every past crash of the schema targets through
//! the same harness functions the fuzzers call, on stable Rust.
//!
//! `fuzz/corpus/<target>/` holds the seeds, `fuzz/regressions/<target>/` the crashes
//! found so far. The ignored test `generate_seeds` writes the generated part of the
//! seed corpus; `fuzz/gen-corpus.sh` runs it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::fs;
use std::path::{Path, PathBuf};

use mdm_schema::fuzzing;
use mdm_schema::{ActivationLockBypassCode, CommandEnvelope};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut count = 0;
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = fs::read_dir(fuzz_dir().join(kind).join(target)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths.iter().filter(|p| p.is_file()) {
            let data = fs::read(path).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{target}: {} failed", path.display());
            count += 1;
        }
    }
    count
}

macro_rules! replay_tests {
    ($($target:ident),* $(,)?) => {$(
        #[test]
        fn $target() {
            let count = replay(stringify!($target), fuzzing::$target);
            assert!(count > 0, "no corpus for {}", stringify!($target));
        }
    )*};
}

replay_tests!(
    albc_result,
    message_identify,
    arbitrary_command,
    bypass_code
);

const ALBC_RESULTS: &[(&str, &str)] = &[
    (
        "acknowledged",
        "<plist><dict><key>ActivationLockBypassCode</key><string>3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4</string>\
         <key>CommandUUID</key><string>0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B</string>\
         <key>RequestType</key><string>ActivationLockBypassCode</string>\
         <key>Status</key><string>Acknowledged</string><key>UDID</key><string>X</string></dict></plist>",
    ),
    (
        "empty-code",
        "<plist><dict><key>ActivationLockBypassCode</key><string/>\
         <key>CommandUUID</key><string>U</string><key>Status</key><string>Acknowledged</string></dict></plist>",
    ),
    (
        "bad-code",
        "<plist><dict><key>ActivationLockBypassCode</key><string>3UM43-PUYVY-QYD1-UVCC-HEHJ-FKB9</string>\
         <key>CommandUUID</key><string>U</string><key>Status</key><string>Acknowledged</string></dict></plist>",
    ),
    (
        "error-chain",
        "<plist><dict><key>CommandUUID</key><string>U</string><key>ErrorChain</key><array><dict>\
         <key>ErrorCode</key><integer>-402653103</integer><key>ErrorDomain</key><string>D</string>\
         <key>LocalizedDescription</key><string>é</string><key>Extra</key><true/></dict></array>\
         <key>Status</key><string>Error</string></dict></plist>",
    ),
    (
        "idle",
        "<plist><dict><key>Status</key><string>Idle</string><key>UDID</key><string>X</string></dict></plist>",
    ),
    (
        "mismatch",
        "<plist><dict><key>CommandUUID</key><string>U</string><key>RequestType</key>\
         <string>DeviceLock</string><key>Status</key><string>NotNow</string></dict></plist>",
    ),
    (
        "checkin",
        "<plist><dict><key>MessageType</key><string>TokenUpdate</string><key>Token</key>\
         <data>AAEC</data><key>UnlockToken</key><data>AAEC</data></dict></plist>",
    ),
];

const BYPASS_CODES: &[&str] = &[
    "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4",
    "3um43 puyvy qyd1 uvcc hehj fka4",
    "00000-00000-0000-0000-0000-0000",
    "ZZZZZ-ZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZ7",
    "ZZZZZ-ZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZ8",
    "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKB4",
    "3UM43-PUYVY-QYD1",
    "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4-0",
    "é3UM43",
];

/// Writes the generated seeds into `fuzz/corpus/<target>/gen-*`.
#[test]
#[ignore = "writes the seed corpus; run by fuzz/gen-corpus.sh"]
fn generate_seeds() {
    let out = fuzz_dir().join("corpus");
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = out.join(target);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("gen-{name}")), bytes).unwrap();
    };
    for (name, xml) in ALBC_RESULTS {
        let binary = mdm_plist::Value::from_slice(xml.as_bytes())
            .unwrap()
            .to_binary()
            .unwrap();
        for target in ["albc_result", "message_identify"] {
            write(target, &format!("{name}.xml"), xml.as_bytes());
            write(target, &format!("{name}.bplist"), &binary);
        }
    }
    let command = CommandEnvelope::with_uuid(
        "0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B",
        ActivationLockBypassCode,
    );
    write(
        "message_identify",
        "command.xml",
        &command.to_xml().unwrap(),
    );
    write(
        "message_identify",
        "command.bplist",
        &command.to_binary().unwrap(),
    );
    for (i, code) in BYPASS_CODES.iter().enumerate() {
        write("bypass_code", &format!("{i}"), code.as_bytes());
    }
    for (i, seed) in [3u64, 5, 11, 2024].into_iter().enumerate() {
        let mut x = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let bytes: Vec<u8> = (0..48 + 64 * i)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0]
            })
            .collect();
        write("arbitrary_command", &format!("random-{i}"), &bytes);
    }
    write(
        "arbitrary_command",
        "uuid",
        b"0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B",
    );
}
