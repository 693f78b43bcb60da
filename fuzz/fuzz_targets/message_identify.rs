//! Fuzz target `message_identify`: see `mdm_schema::fuzzing::message_identify`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mdm_fuzz::bounded(data.len(), || {
    mdm_schema::fuzzing::message_identify(data)
}));
