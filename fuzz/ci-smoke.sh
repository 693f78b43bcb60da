#!/usr/bin/env bash
# CI's fuzz step: build every cargo-fuzz target once and run each for a few seconds
# from the committed seed corpus, on stable Rust without a sanitizer (`-s none`).
# Installs cargo-fuzz if it is missing. New inputs go to a scratch folder, so the
# committed corpus is left as it is. FUZZ_SECONDS (default 5) sets the time per target.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-5}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

start=$(date +%s)
cargo fuzz build -s none
echo "fuzz: built in $(( $(date +%s) - start )) s"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0
for target in $(cargo fuzz list); do
    mkdir -p "$scratch/$target"
    if cargo fuzz run "$target" -s none "$scratch/$target" "corpus/$target" -- \
        -dict=plist.dict -max_total_time="$seconds" -print_final_stats=1 \
        >"$scratch/$target.log" 2>&1; then
        passed=$((passed + 1))
        echo "fuzz: $target ok: $(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$scratch/$target.log" | tail -1)," \
            "$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$scratch/$target.log" | grep -Eo '[0-9]+$') exec/s"
    else
        failed=$((failed + 1))
        echo "fuzz: $target FAILED"
        tail -n 60 "$scratch/$target.log"
    fi
done
echo "fuzz: took $(( $(date +%s) - start )) s"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
