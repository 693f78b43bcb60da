//! Fuzz target `bypass_code`: see `mdm_schema::fuzzing::bypass_code`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mdm_fuzz::bounded(data.len(), || {
    mdm_schema::fuzzing::bypass_code(data)
}));
