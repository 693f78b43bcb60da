//! Replays the committed fuzz corpus and every past crash of the codec targets through
//! the same harness functions the fuzzers call, on stable Rust.
//!
//! `fuzz/corpus/<target>/` holds the seeds, `fuzz/regressions/<target>/` the crashes
//! found so far (each a named file). The ignored test `generate_seeds` writes the
//! generated part of the seed corpus; `fuzz/gen-corpus.sh` runs it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::fs;
use std::path::{Path, PathBuf};

use mdm_plist::fuzzing;
use mdm_plist::{Array, Date, Dictionary, Integer, Uid, Value};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// Runs every file of the corpus and regression folders of `target` through `check`;
/// returns how many ran.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut count = 0;
    for kind in ["corpus", "regressions"] {
        let dir = fuzz_dir().join(kind).join(target);
        let Ok(entries) = fs::read_dir(&dir) else {
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
    xml_read,
    binary_read,
    auto_read,
    serde_typed,
    round_trip,
    arbitrary_value,
    differential_xml,
);

#[test]
fn heap_bound_is_documented_formula() {
    assert_eq!(fuzzing::heap_bound(0), 1 << 20);
    assert_eq!(fuzzing::heap_bound(1000), 64_000 + (1 << 20));
    assert_eq!(fuzzing::heap_bound(usize::MAX), usize::MAX);
}

#[test]
fn xml_form_applies_the_documented_exceptions() {
    let date = Date::from_apple_seconds(10.75).unwrap();
    let value = Value::from(vec![Value::Date(date), Value::Uid(Uid::new(7))]);
    let mut uid = Dictionary::new();
    uid.insert("CF$UID", 7u64);
    let want = Value::from(vec![
        Value::Date(Date::from_apple_seconds(10.0).unwrap()),
        Value::Dictionary(uid),
    ]);
    assert_eq!(fuzzing::xml_form(&value), Some(want));
    assert_eq!(fuzzing::xml_form(&Value::from("a\u{1}b")), None);
    assert_eq!(
        fuzzing::xml_form(&Value::Date(Date::from_apple_seconds(1e12).unwrap())),
        None
    );
}

#[test]
fn quick_xml_reader_reads_what_ours_reads() {
    let doc = b"<?xml version=\"1.0\"?>\n<plist version=\"1.0\"><dict>\
        <key>a&amp;b</key><string>x<![CDATA[<y>]]>&#65;</string>\
        <key>n</key><integer> -0x10 </integer>\
        <key>d</key><data>AAEC\n</data><key>t</key><true/></dict></plist>";
    let ours = Value::from_slice(doc).unwrap();
    assert_eq!(fuzzing::quick_xml_reader(doc).unwrap(), ours);
    assert!(fuzzing::quick_xml_reader(b"<plist><dict><key>a</key></dict></plist>").is_err());
    assert!(
        fuzzing::quick_xml_reader(b"<dict><key>a</key><true/><key>a</key><true/></dict>").is_err()
    );
}

/// Values that reach the parts of the codecs the fuzzers should start from.
fn seed_values() -> Vec<(&'static str, Value)> {
    let mut result = Dictionary::new();
    result.insert("CommandUUID", "0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B");
    result.insert("Status", "Acknowledged");
    result.insert("UDID", "00008030-000000000000FACE");
    result.insert(
        "ActivationLockBypassCode",
        "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4",
    );
    result.insert("RequestType", "ActivationLockBypassCode");

    let mut item = Dictionary::new();
    item.insert("ErrorCode", -402_653_103i64);
    item.insert("ErrorDomain", "FakeMDMErrorDomain");
    item.insert("LocalizedDescription", "Échec: 失敗 😀 a&b <c>");
    let mut error = Dictionary::new();
    error.insert("CommandUUID", "E");
    error.insert("ErrorChain", vec![Value::Dictionary(item)]);
    error.insert("Status", "Error");

    let mut typed = Dictionary::new();
    typed.insert("Status", "Acknowledged");
    typed.insert("Count", -5i64);
    typed.insert("Size", u64::MAX);
    typed.insert("Flag", true);
    typed.insert("When", Date::parse_xml("2018-06-30T13:46:38Z").unwrap());
    typed.insert("Uid", Uid::new(3));
    typed.insert("Answer", "Nothing");
    let mut q = Dictionary::new();
    q.insert("OSVersion", "17.0");
    q.insert("BatteryLevel", 0.5);
    typed.insert("QueryResponses", q);
    typed.insert("Pair", vec![Value::from(1), Value::from("one")]);

    let mut scalars = Array::new();
    for i in [
        0i128,
        -1,
        255,
        256,
        65_536,
        i128::from(i64::MIN),
        i128::from(u64::MAX),
    ] {
        scalars.push(Value::Integer(Integer::from_i128(i).unwrap()));
    }
    for r in [0.0, -0.0, 1.5, 1e300, 2.5e-7, f64::NAN, f64::INFINITY] {
        scalars.push(Value::Real(r));
    }
    scalars.push(Value::Data((0u8..=255).collect()));
    scalars.push(Value::Date(Date::from_apple_seconds(-1.5).unwrap()));
    scalars.push(Value::Uid(Uid::new(u64::MAX)));
    scalars.push(Value::from("line\r\nend\ttab"));
    scalars.push(Value::Array(Array::new()));
    scalars.push(Value::Dictionary(Dictionary::new()));

    let mut deep = Value::from(1);
    for _ in 0..128 {
        deep = Value::from(vec![deep]);
    }
    let mut idle = Dictionary::new();
    idle.insert("Status", "Idle");
    idle.insert("UDID", "X");
    let mut checkin = Dictionary::new();
    checkin.insert("MessageType", "Authenticate");
    checkin.insert("Topic", "com.apple.mgmt.fake");

    vec![
        ("albc-result", Value::Dictionary(result)),
        ("error-result", Value::Dictionary(error)),
        ("typed", Value::Dictionary(typed)),
        ("scalars", Value::Array(scalars)),
        ("deep-128", deep),
        ("idle", Value::Dictionary(idle)),
        ("checkin", Value::Dictionary(checkin)),
    ]
}

/// Hand-written XML that reaches the reader's slow paths.
const XML_SEEDS: &[(&str, &str)] = &[
    (
        "cdata-entities",
        "<plist><dict><key>C<![CDATA[ommand]]>UUID</key><string>&#x41;&lt;&#66;<!-- c -->\
         <?pi x?></string><key>Status</key><string>Acknowledged</string></dict></plist>",
    ),
    (
        "bare-root",
        "<array><integer>0x7f</integer><real>-1e-07</real><false/></array>",
    ),
    (
        "bom-doctype-crlf",
        "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!DOCTYPE plist PUBLIC \
         \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\r\n\
         <plist version=\"1.0\">\r\n<string>a\r\nb\rc</string>\r\n</plist>\r\n",
    ),
    (
        "dtd-subset",
        "<!DOCTYPE plist [<!ENTITY x \"y\">]><plist><string>&x;</string></plist>",
    ),
    ("data-padding", "<data>\n\tAAEC\n\tAw==\n</data>"),
    ("date", "<date>2018-06-30T13:46:38Z</date>"),
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
    let readers = ["auto_read", "round_trip", "serde_typed"];
    for (name, value) in seed_values() {
        let xml = value.to_xml().unwrap();
        let binary = value.to_binary().unwrap();
        write("xml_read", &format!("{name}.xml"), &xml);
        write("differential_xml", &format!("{name}.xml"), &xml);
        write("binary_read", &format!("{name}.bplist"), &binary);
        for target in readers {
            write(target, &format!("{name}.xml"), &xml);
            write(target, &format!("{name}.bplist"), &binary);
        }
    }
    for (name, text) in XML_SEEDS {
        for target in ["xml_read", "differential_xml", "auto_read", "round_trip"] {
            write(target, &format!("{name}.xml"), text.as_bytes());
        }
    }
    // The structure-aware target reads bytes as choices: a few fixed patterns suffice.
    for (i, seed) in [0u64, 1, 7, 42, 1234, 99_999].into_iter().enumerate() {
        let mut x = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let bytes: Vec<u8> = (0..64 + 48 * i)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0]
            })
            .collect();
        write("arbitrary_value", &format!("random-{i}"), &bytes);
    }
    write("arbitrary_value", "empty", b"");
}
