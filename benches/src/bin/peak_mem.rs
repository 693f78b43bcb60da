//! Peak heap bytes of one parse, counted by a wrapping global allocator:
//! `peak_mem IMPL FILE` (IMPL is mdm_value, mdm_typed, plist_value or plist_serde).
//!
//! The file is read first; the peak above what is allocated then (the input buffer and
//! the process's own allocations) is the parse's peak, reported with the heap the result
//! keeps and both as ratios of the input size, as one JSON object.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::alloc::System;
use std::hint::black_box;
use std::process::ExitCode;

use cap::Cap;
use mdm_benches::{Kind, Op};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

#[allow(clippy::cast_precision_loss)]
fn ratio(a: usize, b: usize) -> f64 {
    a as f64 / b.max(1) as f64
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(imp), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!("usage: peak_mem IMPL FILE");
        return ExitCode::from(2);
    };
    let Some(op) = Op::from_impl_name(imp) else {
        eprintln!("peak_mem: unknown implementation {imp}");
        return ExitCode::from(2);
    };
    let name = std::path::Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let Some(kind) = Kind::from_name(name) else {
        eprintln!("peak_mem: the file name must start with albc, apps or certs");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("peak_mem: {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let before = ALLOCATOR.allocated();
    let peak_before = ALLOCATOR.max_allocated();
    // The value is kept alive until the retained size is read.
    let result = match op {
        Op::MdmValue => mdm_plist::Value::from_slice(&bytes)
            .map(|v| Box::new(v) as Box<dyn std::any::Any>)
            .map_err(|e| e.to_string()),
        Op::PlistValue => plist::Value::from_reader(std::io::Cursor::new(&bytes))
            .map(|v| Box::new(v) as Box<dyn std::any::Any>)
            .map_err(|e| e.to_string()),
        other => other
            .parse(kind, &bytes)
            .map(|n| Box::new(n) as Box<dyn std::any::Any>),
    };
    let value = match result {
        Ok(v) => v,
        Err(e) => {
            eprintln!("peak_mem: {e}");
            return ExitCode::FAILURE;
        }
    };
    let retained = ALLOCATOR.allocated().saturating_sub(before);
    let peak = ALLOCATOR.max_allocated();
    black_box(&value);
    drop(value);
    let peak_above = peak.saturating_sub(before);
    println!(
        "{{\"impl\":\"{imp}\",\"file\":\"{name}\",\"input_bytes\":{},\"peak_heap_bytes\":{peak_above},\"retained_heap_bytes\":{retained},\"peak_ratio\":{:.3},\"retained_ratio\":{:.3},\"peak_before_parse\":{peak_before}}}",
        bytes.len(),
        ratio(peak_above, bytes.len()),
        ratio(retained, bytes.len()),
    );
    ExitCode::SUCCESS
}
