//! Fuzz target `xml_read`: see `mdm_plist::fuzzing::xml_read`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mdm_fuzz::bounded(data.len(), || {
    mdm_plist::fuzzing::xml_read(data)
}));
