//! Fuzz target `serde_typed`: see `mdm_plist::fuzzing::serde_typed`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mdm_fuzz::bounded(data.len(), || {
    mdm_plist::fuzzing::serde_typed(data)
}));
