//! A plain timing loop over every case (or those whose id contains FILTER), printing one
//! JSON object a line: `timing [FILTER] [--budget-ms MS] [--pairs]`.
//!
//! Each case is warmed up, then run in batches until the budget is spent; the median of
//! the batches' time per iteration is reported. The scripts use it where criterion's
//! output is not at hand.
//!
//! With `--pairs`, each speed target's two cases run in alternating batches instead, and
//! the median of the batch-by-batch ratios is reported: on a shared machine whose load
//! drifts, both sides of a ratio then see the same load.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use mdm_benches::{Doc, Op};

fn main() -> ExitCode {
    let mut filter = String::new();
    let mut pairs = false;
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
        } else if arg == "--pairs" {
            pairs = true;
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
    if pairs {
        run_pairs(&docs, &filter, budget);
        return ExitCode::SUCCESS;
    }
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

/// Iterations per batch so that one batch of `op` takes about 5 ms.
fn batch_size(op: Op, doc: &Doc) -> Result<u32, String> {
    let start = Instant::now();
    op.run(doc)?;
    let once = start.elapsed().max(Duration::from_nanos(50));
    Ok(
        u32::try_from((Duration::from_millis(5).as_nanos() / once.as_nanos()).clamp(1, 100_000))
            .unwrap_or(1),
    )
}

/// Nanoseconds per iteration of one batch.
fn batch(op: Op, doc: &Doc, n: u32) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        let _ = black_box(op.run(black_box(doc)));
    }
    t.elapsed().as_secs_f64() * 1e9 / f64::from(n)
}

fn run_pairs(docs: &[Doc], filter: &str, budget: Duration) {
    for target in mdm_benches::TARGETS {
        let Some(doc) = docs.iter().find(|d| d.name() == target.input) else {
            continue;
        };
        let ours_id = mdm_benches::case_id(target.ours, doc);
        let peer_id = mdm_benches::case_id(target.peer, doc);
        if !ours_id.contains(filter) && !peer_id.contains(filter) {
            continue;
        }
        let (n_ours, n_peer) = match (batch_size(target.ours, doc), batch_size(target.peer, doc)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("timing: skipping {ours_id} vs {peer_id}: {e}");
                continue;
            }
        };
        let warm_until = Instant::now() + budget / 5;
        while Instant::now() < warm_until {
            batch(target.ours, doc, n_ours);
            batch(target.peer, doc, n_peer);
        }
        let mut ratios = Vec::new();
        let mut ours = Vec::new();
        let mut peer = Vec::new();
        let until = Instant::now() + budget;
        while Instant::now() < until || ratios.len() < 5 {
            let a = batch(target.ours, doc, n_ours);
            let b = batch(target.peer, doc, n_peer);
            ratios.push(b / a);
            ours.push(a);
            peer.push(b);
        }
        println!(
            "{{\"ours\":\"{ours_id}\",\"peer\":\"{peer_id}\",\"target\":{},\"ratio\":{:.3},\"ours_ns\":{:.1},\"peer_ns\":{:.1},\"pairs\":{}}}",
            target.ratio,
            median(&mut ratios),
            median(&mut ours),
            median(&mut peer),
            ratios.len()
        );
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}
