//! Deterministic benchmark inputs (device command results) and the cases run on them.
//!
//! Every input is generated in memory from a fixed seed, so each run, machine and peer
//! sees the same bytes. [`inputs`] returns the six documents (`albc`, `apps`, `certs`, each
//! as XML and binary); an [`Op`] on one of them is a case, which [`Op::run`] performs
//! once. The criterion bench, the timing and profiling bins and the scripts
//! all go through these two, so they measure the same thing.

#![forbid(unsafe_code)]

use std::fmt;

use mdm_plist::{Dictionary, Value};
use serde::{Deserialize, Deserializer, de};

/// A small deterministic generator (SplitMix64); no cryptographic quality needed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..high` (`low` when the range is empty).
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        match high.checked_sub(low) {
            Some(span) if span > 0 => low.wrapping_add(self.next_u64() % span),
            _ => low,
        }
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.range(0, 100) < percent
    }

    /// One item of a non-empty list (the first if the list is empty of choices).
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let len = u64::try_from(items.len()).unwrap_or(u64::MAX);
        let index = usize::try_from(self.range(0, len)).unwrap_or(0);
        items.get(index).copied().unwrap_or("")
    }

    /// `count` characters drawn from `alphabet`.
    pub fn string_from(&mut self, alphabet: &[u8], count: usize) -> String {
        let len = u64::try_from(alphabet.len()).unwrap_or(u64::MAX);
        (0..count)
            .map(|_| {
                let i = usize::try_from(self.range(0, len)).unwrap_or(0);
                char::from(alphabet.get(i).copied().unwrap_or(b'0'))
            })
            .collect()
    }

    /// An upper-case UUID in the 8-4-4-4-12 form, version 4 bits set.
    pub fn uuid(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let hi = (hi & !0xF000) | 0x4000;
        let lo = (lo & !(0xC000_u64 << 48)) | (0x8000_u64 << 48);
        format!(
            "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }

    /// `count` random bytes.
    pub fn bytes(&mut self, count: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(count.saturating_add(8));
        while out.len() < count {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(count);
        out
    }
}

/// The seed of every input.
pub const SEED: u64 = 0x6D64_6D2D_7273_0001;

/// The number of applications in the `apps` input.
pub const APP_COUNT: usize = 5_000;

/// The number of certificates in the `certs` input.
pub const CERT_COUNT: usize = 160;

/// Which command result a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An `ActivationLockBypassCode` result.
    Albc,
    /// An `InstalledApplicationList` result with [`APP_COUNT`] apps.
    Apps,
    /// A `CertificateList` result with [`CERT_COUNT`] certificates.
    Certs,
}

impl Kind {
    /// Every kind, in table order.
    pub const ALL: [Kind; 3] = [Kind::Albc, Kind::Apps, Kind::Certs];

    /// The short name used in benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Albc => "albc",
            Kind::Apps => "apps",
            Kind::Certs => "certs",
        }
    }

    /// The kind a file or input name starts with (`apps_xml.plist` is `Apps`).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| {
            name.strip_prefix(k.name())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['_', '.']))
        })
    }

    /// The result as a plist value.
    pub fn value(self) -> Value {
        match self {
            Kind::Albc => albc_value(),
            Kind::Apps => apps_value(APP_COUNT),
            Kind::Certs => certs_value(CERT_COUNT),
        }
    }
}

/// The encoding of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// An XML property list in Apple's layout.
    Xml,
    /// A binary property list (`bplist00`).
    Binary,
}

impl Encoding {
    /// Both encodings.
    pub const ALL: [Encoding; 2] = [Encoding::Xml, Encoding::Binary];

    /// `xml` or `binary`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Xml => "xml",
            Encoding::Binary => "binary",
        }
    }
}

/// One generated document: its bytes and the value they hold, in both libraries' types.
#[derive(Debug, Clone)]
pub struct Doc {
    /// What it holds.
    pub kind: Kind,
    /// How it is encoded.
    pub encoding: Encoding,
    /// The encoded bytes.
    pub bytes: Vec<u8>,
    /// The value, as `mdm_plist` holds it (input of the `write` cases).
    pub value: Value,
    /// The same value as the `plist` crate holds it.
    pub peer_value: plist::Value,
}

impl Doc {
    /// The id used in benchmark names and file names, e.g. `apps_xml`.
    pub fn name(&self) -> String {
        format!("{}_{}", self.kind.name(), self.encoding.name())
    }
}

/// Generates the document of `kind` in `encoding`.
pub fn generate(kind: Kind, encoding: Encoding) -> Result<Doc, mdm_plist::Error> {
    let value = kind.value();
    let bytes = match encoding {
        Encoding::Xml => value.to_xml()?,
        Encoding::Binary => value.to_binary()?,
    };
    let peer_value = plist::Value::from(value.clone());
    Ok(Doc {
        kind,
        encoding,
        bytes,
        value,
        peer_value,
    })
}

/// All six documents, in table order (`albc_xml`, `albc_binary`, `apps_xml`, ...).
pub fn inputs() -> Result<Vec<Doc>, mdm_plist::Error> {
    let mut docs = Vec::new();
    for kind in Kind::ALL {
        for encoding in Encoding::ALL {
            docs.push(generate(kind, encoding)?);
        }
    }
    Ok(docs)
}

/// Finds a document by its name (`apps_xml`).
pub fn input(name: &str) -> Result<Option<Doc>, mdm_plist::Error> {
    for kind in Kind::ALL {
        for encoding in Encoding::ALL {
            if format!("{}_{}", kind.name(), encoding.name()) == name {
                return generate(kind, encoding).map(Some);
            }
        }
    }
    Ok(None)
}

const CODE_ALPHABET: &[u8] = b"0123456789ACDEFGHJKLMNPQRTUVWXY";
const HEX: &[u8] = b"0123456789ABCDEF";

/// The `ActivationLockBypassCode` result of an iPhone (25-character UDID).
///
/// Devices do not send `RequestType` in results, so it is left out, as is
/// `ErrorChain` (the command succeeded).
pub fn albc_value() -> Value {
    let mut rng = Rng::new(SEED);
    let mut code = String::new();
    for (i, len) in [5, 5, 4, 4, 4, 4].into_iter().enumerate() {
        if i > 0 {
            code.push('-');
        }
        code.push_str(&rng.string_from(CODE_ALPHABET, len));
    }
    let mut dict = Dictionary::new();
    dict.insert("ActivationLockBypassCode", code);
    dict.insert("CommandUUID", rng.uuid());
    dict.insert("Status", "Acknowledged");
    dict.insert("UDID", format!("00008110-{}", rng.string_from(HEX, 16)));
    Value::Dictionary(dict)
}

const VENDORS: &[&str] = &[
    "com.apple",
    "com.google",
    "com.microsoft",
    "com.adobe",
    "com.atlassian",
    "com.salesforce",
    "com.zoom",
    "com.slack",
    "net.whatsapp",
    "com.spotify",
    "com.acme-corp",
    "org.mozilla",
    "com.dropbox",
    "com.box",
    "com.cisco",
];

const WORDS: &[&str] = &[
    "Mail", "Notes", "Photo", "Scan", "Sheets", "Docs", "Chat", "Meet", "Drive", "Travel",
    "Expense", "Time", "Pay", "Fit", "Music", "Maps", "Reader", "Tasks", "Forms", "Vault",
    "Connect", "Learn", "Field", "Sales", "Care", "Sign", "Print", "Ops", "Weather", "Cam",
];

/// One `InstalledApplicationList` item with the keys an iOS 16 device sends.
fn app_value(rng: &mut Rng, index: usize) -> Value {
    let first = rng.pick(WORDS);
    let second = rng.pick(WORDS);
    let name = if rng.chance(40) {
        first.to_owned()
    } else {
        format!("{first} {second}")
    };
    let identifier = format!(
        "{}.{}{}.app{index}",
        rng.pick(VENDORS),
        first.to_lowercase(),
        second.to_lowercase()
    );
    let major = rng.range(1, 30);
    let minor = rng.range(0, 20);
    let patch = rng.range(0, 10);
    let short_version = format!("{major}.{minor}.{patch}");
    let version = if rng.chance(50) {
        format!("{}", major * 10_000 + minor * 100 + patch)
    } else {
        short_version.clone()
    };
    let mut app = Dictionary::new();
    app.insert("BundleSize", rng.range(1_000_000, 400_000_000));
    app.insert("DynamicSize", rng.range(0, 50_000_000));
    app.insert(
        "ExternalVersionIdentifier",
        rng.range(800_000_000, 860_000_000),
    );
    app.insert("HasUpdateAvailable", rng.chance(15));
    app.insert("Identifier", identifier);
    app.insert("Installing", rng.chance(1));
    app.insert("IsAppClip", rng.chance(3));
    app.insert("IsValidated", !rng.chance(2));
    app.insert("Name", name);
    app.insert("ShortVersion", short_version);
    app.insert("Version", version);
    Value::Dictionary(app)
}

/// An `InstalledApplicationList` result with `count` apps, of an iPhone (25-character
/// UDID).
pub fn apps_value(count: usize) -> Value {
    let mut rng = Rng::new(SEED ^ 0xA995);
    let uuid = rng.uuid();
    let udid = format!("00008110-{}", rng.string_from(HEX, 16));
    let apps: Vec<Value> = (0..count).map(|i| app_value(&mut rng, i)).collect();
    let mut dict = Dictionary::new();
    dict.insert("CommandUUID", uuid);
    dict.insert("InstalledApplicationList", apps);
    dict.insert("Status", "Acknowledged");
    dict.insert("UDID", udid);
    Value::Dictionary(dict)
}

const CERT_NAMES: &[&str] = &[
    "Apple Root CA",
    "Apple iPhone Device CA",
    "Acme Corp Root CA G2",
    "Acme Corp Issuing CA 03",
    "DigiCert Global Root G2",
    "ISRG Root X1",
    "GlobalSign Root CA - R3",
    "wifi.corp.example.com",
    "vpn-client",
    "MDM Identity",
    "com.apple.systemdefault",
    "Microsoft Intune MDM Device CA",
];

/// A DER-looking certificate of `len` bytes: a SEQUENCE header, then random content.
fn certificate(rng: &mut Rng, len: usize) -> Vec<u8> {
    let body = len.saturating_sub(4);
    let mut der = vec![0x30, 0x82];
    der.extend_from_slice(&u16::try_from(body).unwrap_or(u16::MAX).to_be_bytes());
    der.extend_from_slice(&rng.bytes(body));
    der
}

/// A `CertificateList` result with `count` certificates of 700 to 1,800 bytes.
pub fn certs_value(count: usize) -> Value {
    let mut rng = Rng::new(SEED ^ 0xCE27);
    let uuid = rng.uuid();
    let udid = format!("00008030-{}", rng.string_from(HEX, 16));
    let items: Vec<Value> = (0..count)
        .map(|i| {
            let len = usize::try_from(rng.range(700, 1_800)).unwrap_or(1_000);
            let mut item = Dictionary::new();
            item.insert("CommonName", format!("{} {i}", rng.pick(CERT_NAMES)));
            item.insert("Data", certificate(&mut rng, len));
            item.insert("IsIdentity", rng.chance(10));
            Value::Dictionary(item)
        })
        .collect();
    let mut dict = Dictionary::new();
    dict.insert("CertificateList", items);
    dict.insert("CommandUUID", uuid);
    dict.insert("Status", "Acknowledged");
    dict.insert("UDID", udid);
    Value::Dictionary(dict)
}

/// Owned bytes that deserialize from a plist `<data>` in either library.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BytesVisitor;
        impl<'de> de::Visitor<'de> for BytesVisitor {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("data")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                Ok(Bytes(v))
            }
        }
        deserializer.deserialize_byte_buf(BytesVisitor)
    }
}

/// The `ActivationLockBypassCode` result with the fields `mdm_schema` decodes, for the
/// `plist` crate's serde (`plist_serde`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlbcResult {
    /// The code.
    pub activation_lock_bypass_code: Option<String>,
    /// The command's UUID.
    #[serde(rename = "CommandUUID")]
    pub command_uuid: Option<String>,
    /// The request type, when sent.
    pub request_type: Option<String>,
    /// The status.
    pub status: String,
    /// The device.
    #[serde(rename = "UDID")]
    pub udid: Option<String>,
}

/// One installed application.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct App {
    /// `BundleSize`.
    pub bundle_size: Option<u64>,
    /// `DynamicSize`.
    pub dynamic_size: Option<u64>,
    /// `ExternalVersionIdentifier`.
    pub external_version_identifier: Option<u64>,
    /// `HasUpdateAvailable`.
    pub has_update_available: Option<bool>,
    /// `Identifier`.
    pub identifier: Option<String>,
    /// `Installing`.
    pub installing: Option<bool>,
    /// `IsAppClip`.
    pub is_app_clip: Option<bool>,
    /// `IsValidated`.
    pub is_validated: Option<bool>,
    /// `Name`.
    pub name: Option<String>,
    /// `ShortVersion`.
    pub short_version: Option<String>,
    /// `Version`.
    pub version: Option<String>,
}

/// An `InstalledApplicationList` result.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AppsResult {
    /// The command's UUID.
    #[serde(rename = "CommandUUID")]
    pub command_uuid: String,
    /// The apps.
    #[serde(default)]
    pub installed_application_list: Vec<App>,
    /// The status.
    pub status: String,
    /// The device.
    #[serde(rename = "UDID")]
    pub udid: Option<String>,
}

/// One certificate.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Cert {
    /// `CommonName`.
    pub common_name: Option<String>,
    /// `Data`, DER.
    pub data: Bytes,
    /// `IsIdentity`.
    pub is_identity: Option<bool>,
}

/// A `CertificateList` result.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CertsResult {
    /// The certificates.
    #[serde(default)]
    pub certificate_list: Vec<Cert>,
    /// The command's UUID.
    #[serde(rename = "CommandUUID")]
    pub command_uuid: String,
    /// The status.
    pub status: String,
    /// The device.
    #[serde(rename = "UDID")]
    pub udid: Option<String>,
}

/// An operation measured on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `mdm_plist::Value::from_slice`.
    MdmValue,
    /// `mdm_plist` serde into the typed result (`mdm_schema::decode_result` for `albc`).
    MdmTyped,
    /// `plist::Value::from_reader`.
    PlistValue,
    /// `plist::from_bytes` into the same typed result.
    PlistSerde,
    /// `mdm_plist` writes the document's own format from its `Value`.
    MdmWrite,
    /// `plist` writes the document's own format from its `plist::Value`.
    PlistWrite,
}

impl Op {
    /// The parse operations, in table order.
    pub const PARSE: [Op; 4] = [Op::MdmValue, Op::MdmTyped, Op::PlistValue, Op::PlistSerde];
    /// The write operations.
    pub const WRITE: [Op; 2] = [Op::MdmWrite, Op::PlistWrite];

    /// The criterion group: `parse` or `write`.
    pub fn group(self) -> &'static str {
        match self {
            Op::MdmValue | Op::MdmTyped | Op::PlistValue | Op::PlistSerde => "parse",
            Op::MdmWrite | Op::PlistWrite => "write",
        }
    }

    /// The implementation name in benchmark ids (`mdm_xml` for writing an XML document).
    pub fn impl_name(self, encoding: Encoding) -> &'static str {
        match (self, encoding) {
            (Op::MdmValue, _) => "mdm_value",
            (Op::MdmTyped, _) => "mdm_typed",
            (Op::PlistValue, _) => "plist_value",
            (Op::PlistSerde, _) => "plist_serde",
            (Op::MdmWrite, Encoding::Xml) => "mdm_xml",
            (Op::MdmWrite, Encoding::Binary) => "mdm_binary",
            (Op::PlistWrite, Encoding::Xml) => "plist_xml",
            (Op::PlistWrite, Encoding::Binary) => "plist_binary",
        }
    }

    /// The operation an implementation name of [`case_id`] stands for.
    pub fn from_impl_name(name: &str) -> Option<Op> {
        Some(match name {
            "mdm_value" => Op::MdmValue,
            "mdm_typed" => Op::MdmTyped,
            "plist_value" => Op::PlistValue,
            "plist_serde" => Op::PlistSerde,
            "mdm_xml" | "mdm_binary" => Op::MdmWrite,
            "plist_xml" | "plist_binary" => Op::PlistWrite,
            _ => return None,
        })
    }

    /// Runs the operation once on `doc`; returns a number derived from the result so the
    /// work cannot be optimised away.
    pub fn run(self, doc: &Doc) -> Result<usize, String> {
        match self {
            Op::MdmValue | Op::MdmTyped | Op::PlistValue | Op::PlistSerde => {
                self.parse(doc.kind, &doc.bytes)
            }
            Op::MdmWrite => match doc.encoding {
                Encoding::Xml => doc.value.to_xml(),
                Encoding::Binary => doc.value.to_binary(),
            }
            .map(|out| out.len())
            .map_err(|e| e.to_string()),
            Op::PlistWrite => {
                let mut out = Vec::new();
                match doc.encoding {
                    Encoding::Xml => doc.peer_value.to_writer_xml(&mut out),
                    Encoding::Binary => doc.peer_value.to_writer_binary(&mut out),
                }
                .map(|()| out.len())
                .map_err(|e| e.to_string())
            }
        }
    }
    /// Runs a parse operation once on `bytes` holding a result of `kind` (a write
    /// operation is an error here: it needs a value).
    pub fn parse(self, kind: Kind, bytes: &[u8]) -> Result<usize, String> {
        match self {
            Op::MdmValue => Value::from_slice(bytes)
                .map(|v| v.as_dictionary().map_or(0, Dictionary::len))
                .map_err(|e| e.to_string()),
            Op::MdmTyped => match kind {
                Kind::Albc => {
                    mdm_schema::decode_result::<mdm_schema::ActivationLockBypassCode>(bytes)
                        .map(|r| r.command_uuid.map_or(0, |u| u.len()))
                        .map_err(|e| e.to_string())
                }
                Kind::Apps => mdm_plist::from_slice::<AppsResult>(bytes)
                    .map(|r| r.installed_application_list.len())
                    .map_err(|e| e.to_string()),
                Kind::Certs => mdm_plist::from_slice::<CertsResult>(bytes)
                    .map(|r| r.certificate_list.len())
                    .map_err(|e| e.to_string()),
            },
            Op::PlistValue => plist::Value::from_reader(std::io::Cursor::new(bytes))
                .map(|v| v.as_dictionary().map_or(0, plist::Dictionary::len))
                .map_err(|e| e.to_string()),
            Op::PlistSerde => match kind {
                Kind::Albc => plist::from_bytes::<AlbcResult>(bytes)
                    .map(|r| r.command_uuid.map_or(0, |u| u.len()))
                    .map_err(|e| e.to_string()),
                Kind::Apps => plist::from_bytes::<AppsResult>(bytes)
                    .map(|r| r.installed_application_list.len())
                    .map_err(|e| e.to_string()),
                Kind::Certs => plist::from_bytes::<CertsResult>(bytes)
                    .map(|r| r.certificate_list.len())
                    .map_err(|e| e.to_string()),
            },
            Op::MdmWrite | Op::PlistWrite => Err("a write operation needs a value".to_owned()),
        }
    }
}

/// A speed target of the issue: `ours` on `input` against `peer` on it, at least `ratio`
/// times faster.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Our operation.
    pub ours: Op,
    /// The peer's operation.
    pub peer: Op,
    /// The input's name (`apps_xml`).
    pub input: &'static str,
    /// The least ratio of the peer's time to ours.
    pub ratio: f64,
}

/// The speed targets, in the order of the issue.
pub const TARGETS: [Target; 12] = [
    target(Op::MdmTyped, Op::PlistSerde, "albc_xml", 4.0),
    target(Op::MdmTyped, Op::PlistSerde, "albc_binary", 2.5),
    target(Op::MdmValue, Op::PlistValue, "apps_xml", 4.0),
    target(Op::MdmValue, Op::PlistValue, "apps_binary", 3.0),
    target(Op::MdmValue, Op::PlistValue, "certs_xml", 3.0),
    target(Op::MdmValue, Op::PlistValue, "certs_binary", 3.0),
    target(Op::MdmWrite, Op::PlistWrite, "albc_xml", 2.0),
    target(Op::MdmWrite, Op::PlistWrite, "apps_xml", 2.0),
    target(Op::MdmWrite, Op::PlistWrite, "certs_xml", 2.0),
    target(Op::MdmWrite, Op::PlistWrite, "albc_binary", 3.0),
    target(Op::MdmWrite, Op::PlistWrite, "apps_binary", 3.0),
    target(Op::MdmWrite, Op::PlistWrite, "certs_binary", 3.0),
];

const fn target(ours: Op, peer: Op, input: &'static str, ratio: f64) -> Target {
    Target {
        ours,
        peer,
        input,
        ratio,
    }
}

/// Every case of the suite, as (operation, document index into [`inputs`]) pairs in
/// table order: each parse operation on every document, then each writer on every
/// document.
pub fn cases(docs: &[Doc]) -> Vec<(Op, usize)> {
    let mut out = Vec::new();
    for op in Op::PARSE.into_iter().chain(Op::WRITE) {
        for index in 0..docs.len() {
            out.push((op, index));
        }
    }
    out
}

/// The criterion id of a case: `parse/mdm_value/apps_xml`.
pub fn case_id(op: Op, doc: &Doc) -> String {
    format!(
        "{}/{}/{}",
        op.group(),
        op.impl_name(doc.encoding),
        doc.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn albc_has_the_expected_size() {
        let doc = generate(Kind::Albc, Encoding::Xml).unwrap();
        assert!(
            (455..=470).contains(&doc.bytes.len()),
            "{}",
            doc.bytes.len()
        );
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(certs_value(3), certs_value(3));
        assert_eq!(apps_value(3), apps_value(3));
    }

    #[test]
    fn small_documents_decode_in_both_libraries() {
        let value = apps_value(3);
        let bytes = value.to_binary().unwrap();
        let ours: AppsResult = mdm_plist::from_slice(&bytes).unwrap();
        let theirs: AppsResult = plist::from_bytes(&bytes).unwrap();
        assert_eq!(ours.installed_application_list.len(), 3);
        assert_eq!(theirs.installed_application_list.len(), 3);
        let value = certs_value(2);
        let bytes = value.to_binary().unwrap();
        let ours: CertsResult = mdm_plist::from_slice(&bytes).unwrap();
        let theirs: CertsResult = plist::from_bytes(&bytes).unwrap();
        assert_eq!(ours.certificate_list.len(), 2);
        assert_eq!(
            ours.certificate_list[1].data,
            theirs.certificate_list[1].data
        );
    }
}
