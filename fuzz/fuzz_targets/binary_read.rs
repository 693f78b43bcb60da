//! Fuzz target `binary_read`: see `mdm_plist::fuzzing::binary_read`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mdm_fuzz::bounded(data.len(), || {
    mdm_plist::fuzzing::binary_read(data)
}));
