//! Fuzz target `differential_xml`: see `mdm_plist::fuzzing::differential_xml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mdm_fuzz::bounded(data.len(), || {
    mdm_plist::fuzzing::differential_xml(data)
}));
