//! A plain timing loop over every case (or those whose id contains FILTER), printing one
//! JSON object a line: `timing [FILTER] [--budget-ms MS]`.
//!
//! Each case is warmed up, then run in batches until the budget is spent; the median of
//! the batches' time per iteration is reported. The scripts use it where criterion's
//! output is not at hand.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut filter = String::new();
    let mut budget = Duration::from_millis(1_000);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--budget-ms" {
            match args.next().and_then(|v| v.parse::<u64>().ok()) {
                Some(ms) => budget = Duration::from_millis(ms),
                None => {
                    eprintln!("timing: --budget-ms needs a number");
                    return ExitCode::from(2);
                }
            }
        } else {
            filter = arg;
        }
    }
    let docs = match mdm_benches::inputs() {
        Ok(docs) => docs,
        Err(e) => {
            eprintln!("timing: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (op, index) in mdm_benches::cases(&docs) {
        let Some(doc) = docs.get(index) else { continue };
        let id = mdm_benches::case_id(op, doc);
        if !id.contains(&filter) {
            continue;
        }
        // One run to check the case works and to size the batches.
        let start = Instant::now();
        if let Err(e) = op.run(doc) {
            eprintln!("timing: skipping {id}: {e}");
            continue;
        }
        let once = start.elapsed().max(Duration::from_nanos(50));
        let per_batch = u32::try_from(
            (Duration::from_millis(5).as_nanos() / once.as_nanos()).clamp(1, 100_000),
        )
        .unwrap_or(1);
        let warm_until = Instant::now() + budget / 5;
        while Instant::now() < warm_until {
            let _ = black_box(op.run(black_box(doc)));
        }
        let mut samples = Vec::new();
        let until = Instant::now() + budget;
        while Instant::now() < until || samples.len() < 5 {
            let t = Instant::now();
            for _ in 0..per_batch {
                let _ = black_box(op.run(black_box(doc)));
            }
            samples.push(t.elapsed().as_secs_f64() * 1e9 / f64::from(per_batch));
        }
        samples.sort_by(f64::total_cmp);
        let median = samples.get(samples.len() / 2).copied().unwrap_or(0.0);
        println!(
            "{{\"id\":\"{id}\",\"input\":\"{}\",\"bytes\":{},\"median_ns\":{median:.1},\"samples\":{}}}",
            doc.name(),
            doc.bytes.len(),
            samples.len()
        );
    }
    ExitCode::SUCCESS
}
