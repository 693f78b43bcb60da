//! Fuzz target `albc_result`: see `mdm_schema::fuzzing::albc_result`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mdm_fuzz::bounded(data.len(), || {
    mdm_schema::fuzzing::albc_result(data)
}));
