//! Shared support of the fuzz targets: a global allocator that holds each run to a heap bound.
//!
//! The allocator is `cap::Cap` around the system allocator: it counts the bytes in use
//! and refuses an allocation past its limit. [`bounded`] sets the limit to what is in use
//! plus [`mdm_plist::fuzzing::heap_bound`] of the input length before a run, so an input
//! that makes a reader allocate more aborts with `memory allocation of N bytes failed`,
//! which libFuzzer reports as a crash with the input saved.
//!
//! `MDM_FUZZ_HEAP_FACTOR=N` replaces the 64 bytes per input byte, to measure what the
//! readers really need (see `docs/fuzzing.md`).

#![forbid(unsafe_code)]

use std::alloc::System;
use std::sync::OnceLock;

use cap::Cap;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The heap bound for an input of `len` bytes, with the factor from the environment if set.
pub fn heap_bound(len: usize) -> usize {
    static FACTOR: OnceLock<Option<usize>> = OnceLock::new();
    let factor = FACTOR.get_or_init(|| {
        std::env::var("MDM_FUZZ_HEAP_FACTOR")
            .ok()
            .and_then(|f| f.parse().ok())
    });
    match factor {
        Some(f) => len
            .saturating_mul(*f)
            .saturating_add(mdm_plist::fuzzing::HEAP_BASE),
        None => mdm_plist::fuzzing::heap_bound(len),
    }
}

/// Lifts the heap limit before a panic is reported: printing the message and the
/// backtrace needs memory the bound did not plan for. Installed on the first run, after
/// libFuzzer's own hook, which it then calls.
fn lift_limit_on_panic() {
    static HOOK: OnceLock<()> = OnceLock::new();
    HOOK.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = ALLOCATOR.set_limit(usize::MAX);
            previous(info);
        }));
    });
}

/// Runs `f` with the heap limited to what is in use now plus [`heap_bound`] of `len`.
pub fn bounded(len: usize, f: impl FnOnce()) {
    lift_limit_on_panic();
    let limit = ALLOCATOR.allocated().saturating_add(heap_bound(len));
    // `set_limit` fails only when more is in use than the new limit, which cannot be.
    let _ = ALLOCATOR.set_limit(limit);
    f();
    let _ = ALLOCATOR.set_limit(usize::MAX);
}
