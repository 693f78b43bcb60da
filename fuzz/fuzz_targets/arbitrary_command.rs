//! Fuzz target `arbitrary_command`: see `mdm_schema::fuzzing::arbitrary_command`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mdm_fuzz::bounded(data.len(), || {
    mdm_schema::fuzzing::arbitrary_command(data)
}));
