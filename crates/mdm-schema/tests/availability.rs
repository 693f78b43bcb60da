//! Each typed command's availability facts agree with Apple's schema files, vendored in
//! `schema/apple-device-management/` (see its `SOURCE.md`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use std::path::{Path, PathBuf};

use mdm_schema::{COMMANDS, ModeSupport, OsVersion, Platform, PlatformSupport};
use yaml_rust2::{Yaml, YamlLoader};

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/apple-device-management/mdm/commands")
}

/// The command files, by request type.
fn command_files() -> Vec<(String, Yaml)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(schema_dir()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = YamlLoader::load_from_str(&text).unwrap().remove(0);
        if let Some(rt) = doc["payload"]["requesttype"].as_str() {
            out.push((rt.to_owned(), doc));
        }
    }
    out
}

fn version(y: &Yaml) -> Option<OsVersion> {
    match y.as_str() {
        None | Some("n/a") => None,
        Some(v) => Some(OsVersion::parse(v).unwrap_or_else(|| panic!("version {v}"))),
    }
}

fn mode(y: &Yaml) -> Option<ModeSupport> {
    match y["mode"].as_str()? {
        "allowed" => Some(ModeSupport::Allowed),
        "required" => Some(ModeSupport::Required),
        "forbidden" => Some(ModeSupport::Forbidden),
        "ignored" => Some(ModeSupport::Ignored),
        other => panic!("mode {other}"),
    }
}

/// The schema's facts for one platform, in our types.
fn expected(os: &Yaml) -> PlatformSupport {
    let introduced = version(&os["introduced"]);
    if introduced.is_none() {
        return PlatformSupport::UNAVAILABLE;
    }
    PlatformSupport {
        introduced,
        deprecated: version(&os["deprecated"]),
        removed: version(&os["removed"]),
        access_rights: os["accessrights"]
            .as_str()
            .filter(|r| *r != "None")
            .map(|r| &*Box::leak(r.to_owned().into_boxed_str())),
        device_channel: os["devicechannel"].as_bool(),
        user_channel: os["userchannel"].as_bool(),
        supervised: os["supervised"].as_bool(),
        requires_dep: os["requiresdep"].as_bool(),
        user_approved_mdm: os["userapprovedmdm"].as_bool(),
        shared_ipad: mode(&os["sharedipad"]),
        user_enrollment: mode(&os["userenrollment"]),
    }
}

#[test]
fn every_typed_command_matches_apple_schema() {
    let files = command_files();
    assert!(
        files.len() >= 60,
        "the vendored schema has its command files"
    );
    for info in COMMANDS {
        let (_, doc) = files
            .iter()
            .find(|(rt, _)| rt == info.request_type)
            .unwrap_or_else(|| panic!("{} is not in Apple's schema", info.request_type));
        for platform in Platform::ALL {
            let os = &doc["payload"]["supportedOS"][platform.name()];
            assert_eq!(
                *info.availability.platform(platform),
                expected(os),
                "{} on {}",
                info.request_type,
                platform.name()
            );
        }
    }
}
