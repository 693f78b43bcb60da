//! Runs one case N times, for callgrind: `run_case IMPL INPUT N`, e.g.
//! `run_case mdm_value apps_xml 10`.
//!
//! Only [`measured_loop`] is meant to be counted: run callgrind with
//! `--collect-atstart=no --toggle-collect='*measured_loop*'` so that generating the
//! input is left out.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use std::process::ExitCode;

use mdm_benches::{Doc, Op};

/// The counted part: `n` runs of `op` on `doc`.
#[inline(never)]
fn measured_loop(op: Op, doc: &Doc, n: u64) -> Result<usize, String> {
    let mut total = 0_usize;
    for _ in 0..n {
        total = total.wrapping_add(op.run(black_box(doc))?);
    }
    Ok(total)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(imp), Some(input), Some(n)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: run_case IMPL INPUT N");
        return ExitCode::from(2);
    };
    let Some(op) = Op::from_impl_name(imp) else {
        eprintln!("run_case: unknown implementation {imp}");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("run_case: N must be a whole number");
        return ExitCode::from(2);
    };
    let doc = match mdm_benches::input(input) {
        Ok(Some(doc)) => doc,
        Ok(None) => {
            eprintln!("run_case: unknown input {input}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("run_case: {e}");
            return ExitCode::FAILURE;
        }
    };
    match measured_loop(op, &doc, n) {
        Ok(total) => {
            println!("{}\t{n}\t{total}", mdm_benches::case_id(op, &doc));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("run_case: {e}");
            ExitCode::FAILURE
        }
    }
}
