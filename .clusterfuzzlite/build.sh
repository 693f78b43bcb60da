#!/usr/bin/env bash
# Builds every cargo-fuzz target and puts it in $OUT with its dictionary and seed corpus
# (<target>.dict, <target>_seed_corpus.zip), the layout ClusterFuzzLite and OSS-Fuzz read.
#
# Inside their build image (see Dockerfile) $SRC and $OUT are set and cargo fuzz uses
# the sanitizer flags of the image. By hand on a plain machine it builds without a
# sanitizer on stable Rust into fuzz/out (or $OUT):  bash .clusterfuzzlite/build.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
if [ -n "${SRC:-}" ] && [ -d "$SRC/mdm-rs" ]; then
    repo="$SRC/mdm-rs"
else
    repo="$(cd "$here/.." && pwd)"
fi
OUT="${OUT:-$repo/fuzz/out}"
mkdir -p "$OUT"
cd "$repo/fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# In the OSS-Fuzz image the sanitizer comes from $SANITIZER and the compiler flags from
# $RUSTFLAGS; by hand, build without one so that stable Rust will do.
if [ -n "${SANITIZER:-}" ]; then
    cargo fuzz build -O --debug-assertions
else
    cargo fuzz build -O -s none
fi

bin_dir="target/x86_64-unknown-linux-gnu/release"
for target in $(cargo fuzz list); do
    cp "$bin_dir/$target" "$OUT/$target"
    cp plist.dict "$OUT/$target.dict"
    if [ -d "corpus/$target" ]; then
        rm -f "$OUT/${target}_seed_corpus.zip"
        if command -v zip >/dev/null 2>&1; then
            (cd "corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
        else
            python3 -c 'import shutil, sys; shutil.make_archive(sys.argv[1], "zip", sys.argv[2])' \
                "$OUT/${target}_seed_corpus" "corpus/$target"
        fi
    fi
done
echo "built $(cargo fuzz list | wc -l) fuzz targets into $OUT"
