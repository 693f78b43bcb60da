#!/usr/bin/env python3
"""Keeps one small JSON record per benchmark run in benches/history/ and compares runs.

  track.py record [--iters-scale F] [--no-callgrind] [--no-save]
      Reads the medians and confidence intervals of the last criterion run
      (target/criterion, from `cargo bench -p mdm-benches`), counts instructions per
      iteration of every case with callgrind (the `run_case` bin), compares with the
      newest record in benches/history/ and saves the new record there.
  track.py compare [NEW.json] [OLD.json]
      Compares two records (default: the two newest).

A case is flagged when its instruction count grew by more than 2 % or its time grew
beyond the run's own noise: the new median's confidence interval lies wholly above the
old one's. Exit status 1 when a case is flagged and --strict is given.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT / "benches" / "history"
INSTR_THRESHOLD = 0.02

# Iterations per case under callgrind: enough to dwarf setup noise, few enough to be quick.
ITERS = {"albc": 2000, "apps": 2, "certs": 20}


def criterion_results():
    out = {}
    # A renamed benchmark leaves its old folder behind: the newest file of an id wins.
    found = sorted((ROOT / "target" / "criterion").glob("**/new/benchmark.json"),
                   key=lambda p: p.stat().st_mtime)
    for bj in found:
        bench = json.loads(bj.read_text())
        med = json.loads((bj.parent / "estimates.json").read_text())["median"]
        ci = med["confidence_interval"]
        throughput = bench.get("throughput") or {}
        out[bench["full_id"]] = {
            "bytes": throughput.get("Bytes"),
            "median_ns": round(med["point_estimate"], 1),
            "ci_low_ns": round(ci["lower_bound"], 1),
            "ci_high_ns": round(ci["upper_bound"], 1),
        }
    return out


def build_run_case():
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "mdm-benches", "--bin", "run_case"],
        cwd=ROOT, check=True,
    )
    return ROOT / "target" / "release" / "run_case"


def callgrind_instructions(exe, case_id, scale, keep_dir=None):
    """Instructions per iteration of one case, counting only `measured_loop`."""
    _, imp, inp = case_id.split("/")
    iters = max(1, int(ITERS[inp.split("_")[0]] * scale))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(keep_dir or tmp) / f"{case_id.replace('/', '.')}.callgrind"
        subprocess.run(
            [
                "valgrind", "--tool=callgrind", "--dump-instr=no", "--collect-atstart=no",
                "--toggle-collect=*measured_loop*", f"--callgrind-out-file={out}",
                str(exe), imp, inp, str(iters),
            ],
            check=True, capture_output=True,
        )
        text = out.read_text()
    m = re.search(r"^(?:summary|totals):\s*(\d+)", text, re.M)
    if not m:
        raise RuntimeError(f"no instruction total for {case_id}")
    return int(m.group(1)) // iters


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "rustc": rustc}


def commit():
    res = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return res.stdout.strip() + ("-dirty" if dirty else "")


def records():
    return sorted(HISTORY.glob("*.json"))


def compare(new, old):
    """Prints the comparison; returns the ids of flagged cases."""
    flagged = []
    print(f"comparing {new.get('commit')} ({new.get('date')}) with {old.get('commit')} ({old.get('date')})")
    print(f"{'case':42} {'time':>10} {'instr':>9}  flag")
    for case, n in sorted(new["results"].items()):
        o = old["results"].get(case)
        if not o:
            print(f"{case:42} {'new':>10}")
            continue
        notes = []
        tdelta = idelta = ""
        if n.get("median_ns") and o.get("median_ns"):
            tdelta = f"{(n['median_ns'] / o['median_ns'] - 1) * 100:+.1f}%"
            if n.get("ci_low_ns", 0) > o.get("ci_high_ns", float("inf")):
                notes.append("slower beyond noise")
        if n.get("instructions") and o.get("instructions"):
            growth = n["instructions"] / o["instructions"] - 1
            idelta = f"{growth * 100:+.2f}%"
            if growth > INSTR_THRESHOLD:
                notes.append("instructions +>2%")
        if notes:
            flagged.append(case)
        print(f"{case:42} {tdelta:>10} {idelta:>9}  {'; '.join(notes)}")
    print(f"{len(flagged)} flagged" + (": " + ", ".join(flagged) if flagged else ""))
    return flagged


def main():
    ap = argparse.ArgumentParser(description="benchmark history")
    sub = ap.add_subparsers(dest="cmd", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("--no-callgrind", action="store_true")
    rec.add_argument("--no-save", action="store_true")
    rec.add_argument("--iters-scale", type=float, default=1.0)
    rec.add_argument("--strict", action="store_true")
    rec.add_argument("--callgrind-dir", help="keep the callgrind outputs here")
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("new", nargs="?")
    cmp_.add_argument("old", nargs="?")
    cmp_.add_argument("--strict", action="store_true")
    args = ap.parse_args()

    if args.cmd == "compare":
        files = records()
        new = Path(args.new) if args.new else (files[-1] if files else None)
        old = Path(args.old) if args.old else (files[-2] if len(files) > 1 else None)
        if not new or not old:
            print("need two records", file=sys.stderr)
            return 2
        flagged = compare(json.loads(new.read_text()), json.loads(old.read_text()))
        return 1 if flagged and args.strict else 0

    results = criterion_results()
    if not results:
        print("no criterion results: run `cargo bench -p mdm-benches` first", file=sys.stderr)
        return 2
    if not args.no_callgrind:
        exe = build_run_case()
        for case in sorted(results):
            results[case]["instructions"] = callgrind_instructions(
                exe, case, args.iters_scale, args.callgrind_dir
            )
            print(f"  {case}: {results[case]['instructions']} instructions", file=sys.stderr)
    now = datetime.datetime.now(datetime.timezone.utc)
    record = {
        "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": commit(),
        "machine": machine(),
        "results": results,
    }
    files = records()
    flagged = compare(record, json.loads(files[-1].read_text())) if files else []
    if not args.no_save:
        HISTORY.mkdir(parents=True, exist_ok=True)
        path = HISTORY / f"{now.strftime('%Y%m%dT%H%M%SZ')}-{record['commit']}.json"
        path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        print(f"saved {path.relative_to(ROOT)}")
    return 1 if flagged and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
