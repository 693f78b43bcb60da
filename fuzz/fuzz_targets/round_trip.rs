//! Fuzz target `round_trip`: see `mdm_plist::fuzzing::round_trip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mdm_fuzz::bounded(data.len(), || {
    mdm_plist::fuzzing::round_trip(data)
}));
