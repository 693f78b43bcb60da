#!/usr/bin/env bash
# Regenerates the committed seed corpus in fuzz/corpus/<target>/:
#   - real device messages and the hostile cases, copied from the bundled fixtures
#     (tests/fixtures, or $FIXTURES);
#   - generated documents, written by the ignored `generate_seeds` tests of the
#     mdm-plist and mdm-schema replay tests (fuzz_replay.rs).
# Files the fuzzers added (hash names) are left alone; run `cargo fuzz cmin` to prune them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fixtures="${FIXTURES:-$root/tests/fixtures}"
[ -d "$fixtures" ] || fixtures=/work/shared/fixtures
corpus="$root/fuzz/corpus"
good="$fixtures/device-messages/good"
[ -d "$good" ] || good="$fixtures/device-messages"
redacted="$fixtures/device-messages/redacted"
hostile="$fixtures/hostile"

rm -f "$corpus"/*/gen-* "$corpus"/*/msg-* "$corpus"/*/hostile-*

copy() { # target file prefix
    mkdir -p "$corpus/$1"
    cp "$2" "$corpus/$1/$3-$(basename "$2")"
}

# Every real message seeds the XML reader; a spread of kinds seeds the others (the
# committed corpus stays small; the fuzz scripts also pass the fixtures folder).
while IFS= read -r -d '' f; do
    copy xml_read "$f" msg
done < <(find "$good" "$redacted" -type f \( -name '*.xml' -o -name '*.plist' \) -print0 2>/dev/null)
for pattern in Authenticate__IOS-11.3.1 TokenUpdate__iOS-11.3.1 Errors__iOS-11.3.1-CommandFormatError \
    Errors__10.13.6-invalid-command DeviceInformation__iOS-11.3.1 InstallProfile NotNow__iOS-11.3.1 \
    CertificateList__iOS-11.3.1 AvailableOSUpdates__iOS-11.3.1 SecurityInfo__iOS-11.3.1; do
    while IFS= read -r -d '' f; do
        for t in auto_read round_trip serde_typed differential_xml message_identify albc_result; do
            copy "$t" "$f" msg
        done
    done < <(find "$good" "$redacted" -type f -name "*${pattern}*" -print0 2>/dev/null)
done

# The hostile cases, except the 150 KB deep-nesting file (generated seeds cover depth).
for f in "$hostile"/*.plist; do
    case "$f" in *deep-nesting*) continue ;; esac
    for t in xml_read auto_read round_trip differential_xml message_identify albc_result serde_typed; do
        copy "$t" "$f" hostile
    done
done
for f in "$hostile"/*.bplist; do
    for t in binary_read auto_read round_trip message_identify albc_result; do
        copy "$t" "$f" hostile
    done
done

cd "$root"
cargo test -q -p mdm-plist --test fuzz_replay -- --ignored generate_seeds
cargo test -q -p mdm-schema --test fuzz_replay -- --ignored generate_seeds
du -sh "$corpus"
