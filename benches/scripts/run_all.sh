#!/usr/bin/env bash
# One full measurement run: the criterion suite, the instruction counts and a new
# history record, the peers' table and the report (targets table, memory, SVG plot).
# About 8 minutes on 2 cores. Outputs go to target/bench-run/ and benches/history/.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/bench-run
mkdir -p "$out"
cargo bench -p mdm-benches --bench codec 2>&1 | tee "$out/criterion.log"
python3 benches/scripts/track.py record --callgrind-dir "$out" 2>&1 | tee "$out/track.log"
cargo build --quiet --release -p mdm-benches --bins
target/release/timing --pairs --budget-ms 1500 | tee "$out/pairs.jsonl"
python3 benches/scripts/peers.py --json "$out/peers.json" | tee "$out/peers.txt"
python3 benches/scripts/report.py --peers "$out/peers.json" --pairs "$out/pairs.jsonl" --memory \
  --svg docs/performance-throughput.svg | tee "$out/report.md"
