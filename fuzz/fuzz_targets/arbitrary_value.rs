//! Fuzz target `arbitrary_value`: see `mdm_plist::fuzzing::arbitrary_value`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mdm_fuzz::bounded(data.len(), || {
    mdm_plist::fuzzing::arbitrary_value(data)
}));
