//! The criterion suite: groups `parse` and `write`, ids `<impl>/<input>`.
//!
//! Each case runs through [`Op::run`], the same code the timing and profiling bins run.
//! A case whose operation fails on its input (a codec not finished yet) is skipped with a
//! note on stderr, so the rest of the suite still runs.

#![forbid(unsafe_code)]
#![allow(missing_docs, clippy::print_stderr)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, measurement::WallTime,
};
use mdm_benches::{Doc, Kind, Op};

fn configure(group: &mut BenchmarkGroup<'_, WallTime>, doc: &Doc) {
    group.throughput(Throughput::Bytes(
        u64::try_from(doc.bytes.len()).unwrap_or(u64::MAX),
    ));
    if doc.kind == Kind::Albc {
        group.sampling_mode(SamplingMode::Auto);
        group.sample_size(50);
        group.measurement_time(Duration::from_secs(3));
    } else {
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(4));
    }
}

fn run_group(c: &mut Criterion, name: &str, ops: &[Op], docs: &[Doc]) {
    let mut group = c.benchmark_group(name);
    group.warm_up_time(Duration::from_secs(1));
    for &op in ops {
        for doc in docs {
            let id = BenchmarkId::new(op.impl_name(doc.encoding), doc.name());
            if let Err(e) = op.run(doc) {
                eprintln!(
                    "skipping {name}/{}/{}: {e}",
                    op.impl_name(doc.encoding),
                    doc.name()
                );
                continue;
            }
            configure(&mut group, doc);
            group.bench_function(id, |b| b.iter(|| black_box(op.run(black_box(doc)))));
        }
    }
    group.finish();
}

fn main() {
    let docs = match mdm_benches::inputs() {
        Ok(docs) => docs,
        Err(e) => {
            eprintln!("cannot generate the inputs: {e}");
            std::process::exit(1);
        }
    };
    let mut c = Criterion::default().configure_from_args();
    run_group(&mut c, "parse", &Op::PARSE, &docs);
    run_group(&mut c, "write", &Op::WRITE, &docs);
    c.final_summary();
}
