#!/usr/bin/env python3
"""Runs the generated inputs through every plist implementation at hand and prints one
table of throughput (MB/s) and of each peer's time relative to ours.

Peers: Python's plistlib (always), libplist (C, through benches/scripts/libplist_bench.c,
when `cc` and libplist's headers are installed: Debian's libplist-dev), and the plist
crate (from the Rust suite). Our numbers and the plist crate's come from criterion's
output in target/criterion when a run left it there (--criterion, the default if
present), else from the `timing` bin.

Usage: python3 benches/scripts/peers.py [--budget-ms MS] [--timing] [--json OUT]
"""

import argparse
import json
import os
import plistlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).resolve().parent
INPUTS = ["albc_xml", "albc_binary", "apps_xml", "apps_binary", "certs_xml", "certs_binary"]


def cargo_bin(name):
    """Builds the release bins once and returns the path of one."""
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "mdm-benches", "--bins"],
        cwd=ROOT,
        check=True,
    )
    return ROOT / "target" / "release" / name


def generate(outdir):
    subprocess.run([str(cargo_bin("generate")), str(outdir)], check=True, stdout=subprocess.DEVNULL)
    return {name: (outdir / f"{name}.plist") for name in INPUTS}


def median_ns(fn, budget_s):
    """Median time of fn() in ns over batches sized to about 5 ms, after a warm-up."""
    t = time.perf_counter_ns()
    fn()
    single = max(time.perf_counter_ns() - t, 50)
    per_batch = max(1, min(100_000, int(5e6 // single)))
    warm_end = time.perf_counter() + budget_s / 5
    while time.perf_counter() < warm_end:
        fn()
    samples = []
    end = time.perf_counter() + budget_s
    while time.perf_counter() < end or len(samples) < 5:
        t = time.perf_counter_ns()
        for _ in range(per_batch):
            fn()
        samples.append((time.perf_counter_ns() - t) / per_batch)
    samples.sort()
    return samples[len(samples) // 2]


def plistlib_numbers(files, budget_s):
    out = {}
    for name, path in files.items():
        data = path.read_bytes()
        fmt = plistlib.FMT_BINARY if name.endswith("_binary") else plistlib.FMT_XML
        obj = plistlib.loads(data)
        out[("parse", name)] = median_ns(lambda: plistlib.loads(data), budget_s)
        out[("write", name)] = median_ns(lambda: plistlib.dumps(obj, fmt=fmt, sort_keys=False), budget_s)
    return out


def libplist_numbers(files, budget_ms):
    cc = shutil.which("cc")
    if not cc or not Path("/usr/include/plist/plist.h").exists():
        print("libplist: not installed (apt-get install libplist-dev), skipped", file=sys.stderr)
        return {}
    exe = Path(tempfile.mkdtemp()) / "libplist_bench"
    subprocess.run(
        [cc, "-O2", "-o", str(exe), str(SCRIPTS / "libplist_bench.c"), "-lplist-2.0"], check=True
    )
    out = {}
    for name, path in files.items():
        for mode in ("parse", "write"):
            res = subprocess.run(
                [str(exe), str(path), mode, str(budget_ms)], capture_output=True, text=True
            )
            if res.returncode == 0:
                out[(mode, name)] = float(res.stdout.strip())
            else:
                print(f"libplist {mode} {name}: {res.stderr.strip()}", file=sys.stderr)
    return out


def criterion_numbers():
    """Median ns per case from target/criterion/<group>/<impl>/<input>/new/estimates.json."""
    base = ROOT / "target" / "criterion"
    out = {}
    # A renamed benchmark leaves its old folder behind: the newest file of an id wins.
    for bj in sorted(base.glob("**/new/benchmark.json"), key=lambda p: p.stat().st_mtime):
        parts = json.loads(bj.read_text())["full_id"].split("/")
        if len(parts) != 3 or parts[2] not in INPUTS:
            continue
        group, imp, inp = parts
        data = json.loads((bj.parent / "estimates.json").read_text())
        out[(group, imp, inp)] = data["median"]["point_estimate"]
    return out


def timing_numbers(budget_ms):
    res = subprocess.run(
        [str(cargo_bin("timing")), "--budget-ms", str(budget_ms)],
        capture_output=True, text=True, check=True,
    )
    out = {}
    for line in res.stdout.splitlines():
        d = json.loads(line)
        group, imp, inp = d["id"].split("/")
        out[(group, imp, inp)] = d["median_ns"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget-ms", type=int, default=700, help="time per peer case")
    ap.add_argument("--timing", action="store_true", help="time Rust with the timing bin")
    ap.add_argument("--json", help="also write all numbers to this file")
    args = ap.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="mdm-bench-"))
    files = generate(workdir)
    sizes = {name: path.stat().st_size for name, path in files.items()}

    rust = {} if args.timing else criterion_numbers()
    source = "criterion"
    if not rust:
        rust = timing_numbers(args.budget_ms)
        source = "timing bin"
    pylib = plistlib_numbers(files, args.budget_ms / 1000)
    clib = libplist_numbers(files, args.budget_ms)

    rows = []
    for group in ("parse", "write"):
        for name in INPUTS:
            enc = "binary" if name.endswith("_binary") else "xml"
            if group == "parse":
                ours = rust.get((group, "mdm_value", name))
                peers = [
                    ("mdm_typed", rust.get((group, "mdm_typed", name))),
                    ("plist_value", rust.get((group, "plist_value", name))),
                    ("plist_serde", rust.get((group, "plist_serde", name))),
                ]
                our_name = "mdm_value"
            else:
                ours = rust.get((group, f"mdm_{enc}", name))
                peers = [("plist_" + enc, rust.get((group, f"plist_{enc}", name)))]
                our_name = f"mdm_{enc}"
            peers += [("plistlib", pylib.get((group, name))), ("libplist", clib.get((group, name)))]
            rows.append((group, name, our_name, ours, peers))

    mbps = lambda ns, n: n / ns * 1e3 if ns else None  # noqa: E731  bytes/ns*1e3 = MB/s
    print(f"# {source} for Rust; MB/s = 10^6 bytes of input per second")
    print("# ratio = the peer's time / ours (how many times faster ours is)")
    header = f"{'group':6} {'input':13} {'ours':>10} {'MB/s':>8} | peers: name MB/s (ratio)"
    print(header)
    print("-" * len(header))
    record = []
    for group, name, our_name, ours, peers in rows:
        size = sizes[name]
        cells = []
        for pname, pns in peers:
            if pns is None:
                continue
            ratio = f"{pns / ours:.2f}x" if ours else "-"
            cells.append(f"{pname} {mbps(pns, size):.1f} ({ratio})")
            record.append({"group": group, "input": name, "impl": pname, "ns": pns})
        if ours:
            record.append({"group": group, "input": name, "impl": our_name, "ns": ours})
        ours_txt = f"{mbps(ours, size):8.1f}" if ours else "       -"
        print(f"{group:6} {name:13} {our_name:>10} {ours_txt} | " + "; ".join(cells))
    if args.json:
        Path(args.json).write_text(json.dumps({"sizes": sizes, "source": source, "results": record}, indent=1))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
