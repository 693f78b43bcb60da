#!/usr/bin/env python3
"""Turns one benchmark record into the targets table (Markdown, on stdout) and a
throughput plot (SVG, written by hand: no plotting library needed).

  report.py [RECORD.json] [--peers PEERS.json] [--pairs PAIRS.jsonl] [--memory] [--svg OUT.svg]

RECORD defaults to the newest file in benches/history/. --peers adds plistlib and
libplist bars from `peers.py --json`; --pairs adds the ratios of `timing --pairs`
(alternating batches, robust to a drifting machine load). --memory runs the peak_mem and rss bins on
apps_xml and adds the memory rows.
"""

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT / "benches" / "history"
INPUTS = ["albc_xml", "albc_binary", "apps_xml", "apps_binary", "certs_xml", "certs_binary"]

# (label, ours, peer, target ratio)
TARGETS = [
    ("albc_xml typed vs plist_serde", "parse/mdm_typed/albc_xml", "parse/plist_serde/albc_xml", 4.0),
    ("albc_binary typed vs plist_serde", "parse/mdm_typed/albc_binary", "parse/plist_serde/albc_binary", 2.5),
    ("apps_xml Value vs plist_value", "parse/mdm_value/apps_xml", "parse/plist_value/apps_xml", 4.0),
    ("apps_binary Value vs plist_value", "parse/mdm_value/apps_binary", "parse/plist_value/apps_binary", 3.0),
    ("certs_xml Value vs plist_value", "parse/mdm_value/certs_xml", "parse/plist_value/certs_xml", 3.0),
    ("certs_binary Value vs plist_value", "parse/mdm_value/certs_binary", "parse/plist_value/certs_binary", 3.0),
]
for kind in ("albc", "apps", "certs"):
    TARGETS.append((f"write {kind}_xml vs plist_xml", f"write/mdm_xml/{kind}_xml", f"write/plist_xml/{kind}_xml", 2.0))
for kind in ("albc", "apps", "certs"):
    TARGETS.append((f"write {kind}_binary vs plist_binary", f"write/mdm_binary/{kind}_binary", f"write/plist_binary/{kind}_binary", 3.0))

COLORS = {
    "mdm_value": "#1f5fa8", "mdm_typed": "#5b9bd5", "mdm_xml": "#1f5fa8", "mdm_binary": "#1f5fa8",
    "plist_value": "#c0504d", "plist_serde": "#e6928f", "plist_xml": "#c0504d", "plist_binary": "#c0504d",
    "plistlib": "#7f7f7f", "libplist": "#9bbb59",
}


def memory_rows():
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "mdm-benches", "--bins"], cwd=ROOT, check=True)
    rel = ROOT / "target" / "release"
    tmp = Path(tempfile.mkdtemp())
    subprocess.run([str(rel / "generate"), str(tmp)], check=True, stdout=subprocess.DEVNULL)
    f = tmp / "apps_xml.plist"
    run = lambda *a: json.loads(subprocess.run([str(x) for x in a], check=True, capture_output=True, text=True).stdout)  # noqa: E731
    peak = {imp: run(rel / "peak_mem", imp, f) for imp in ("mdm_value", "plist_value")}
    base = run(rel / "rss", f)["vm_hwm_bytes"]
    rss = {imp: run(rel / "rss", f, imp)["vm_hwm_bytes"] - base for imp in ("mdm_value", "plist_value")}
    size = f.stat().st_size
    return size, peak, rss


def svg_plot(record, peers, out):
    rows = []  # (section, input, impl, MB/s)
    res = record["results"]
    for group in ("parse", "write"):
        for inp in INPUTS:
            items = []
            for case, r in res.items():
                g, imp, i = case.split("/")
                if g == group and i == inp and r.get("bytes"):
                    items.append((imp, r["bytes"] / r["median_ns"] * 1e3))
            for p in peers:
                if p["group"] == group and p["input"] == inp and p["impl"] in ("plistlib", "libplist"):
                    items.append((p["impl"], peers_size(peers, inp) / p["ns"] * 1e3))
            order = list(COLORS)
            items.sort(key=lambda x: order.index(x[0]) if x[0] in order else 99)
            for imp, v in items:
                rows.append((group, inp, imp, v))
    bar, gap, left, width = 13, 10, 230, 560
    lo, hi = 1.0, 10000.0
    x = lambda v: left + width * (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))  # noqa: E731
    y = 50
    parts = []
    prev = None
    for group, inp, imp, v in rows:
        if (group, inp) != prev:
            y += gap
            if prev is None or prev[0] != group:
                parts.append(f'<text x="10" y="{y + 12}" font-weight="bold">{group}</text>')
                y += 18
            parts.append(f'<text x="10" y="{y + 11}">{inp}</text>')
            prev = (group, inp)
        color = COLORS.get(imp, "#444")
        parts.append(f'<text x="{left - 6}" y="{y + 10}" text-anchor="end" font-size="11">{imp}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{x(v) - left:.1f}" height="{bar - 2}" fill="{color}"/>')
        parts.append(f'<text x="{x(v) + 4:.1f}" y="{y + 10}" font-size="11">{v:.0f}</text>')
        y += bar
    height = y + 40
    axis = []
    for p in range(0, 5):
        v = 10 ** p
        axis.append(f'<line x1="{x(v):.1f}" y1="45" x2="{x(v):.1f}" y2="{y + 5}" stroke="#ddd"/>')
        axis.append(f'<text x="{x(v):.1f}" y="{y + 20}" text-anchor="middle" font-size="11">{v:g}</text>')
    title = (f"Throughput in MB/s of input (log scale), commit {record.get('commit')}, "
             f"{record.get('date')}")
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="22" font-size="14">{title}</text>',
        *axis, *parts,
        f'<text x="{left + width / 2}" y="{y + 35}" text-anchor="middle" font-size="11">MB/s (10^6 bytes of input per second)</text>',
        "</svg>",
    ]
    Path(out).write_text("\n".join(svg) + "\n")


def peers_size(peers, inp):
    return peers_size.sizes.get(inp, 0)


peers_size.sizes = {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("record", nargs="?")
    ap.add_argument("--peers")
    ap.add_argument("--memory", action="store_true")
    ap.add_argument("--pairs")
    ap.add_argument("--svg", default=str(ROOT / "docs" / "performance-throughput.svg"))
    args = ap.parse_args()
    path = Path(args.record) if args.record else sorted(HISTORY.glob("*.json"))[-1]
    record = json.loads(path.read_text())
    res = record["results"]
    peers = []
    if args.peers:
        pj = json.loads(Path(args.peers).read_text())
        peers = pj["results"]
        peers_size.sizes = pj["sizes"]

    print(f"Record `{path.name}` (commit {record.get('commit')}, {record.get('date')}, "
          f"{record['machine'].get('cpu')}, {record['machine'].get('cores')} cores).\n")
    pairs = {}
    if args.pairs:
        for line in Path(args.pairs).read_text().splitlines():
            d = json.loads(line)
            pairs[d["ours"]] = d["ratio"]
    print("| target | ours | peer | ratio (criterion) | ratio (instructions) | ratio (alternating) | target | met |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |")
    fmt = lambda ns: f"{ns / 1000:.2f} µs" if ns < 1e6 else f"{ns / 1e6:.2f} ms"  # noqa: E731
    for label, ours, peer, target in TARGETS:
        o, p = res.get(ours), res.get(peer)
        if not o or not p:
            print(f"| {label} | - | - | - | - | - | {target:g}x | - |")
            continue
        ratio = p["median_ns"] / o["median_ns"]
        ok = "yes" if ratio >= target else "**no**"
        instr = "-"
        if o.get("instructions") and p.get("instructions"):
            instr = f"{p['instructions'] / o['instructions']:.2f}x"
        alt = f"{pairs[ours]:.2f}x" if ours in pairs else "-"
        print(f"| {label} | {fmt(o['median_ns'])} | {fmt(p['median_ns'])} | {ratio:.2f}x | {instr} | {alt} | {target:g}x | {ok} |")
    if args.memory:
        size, peak, rss = memory_rows()
        for imp in ("mdm_value", "plist_value"):
            pr = peak[imp]["peak_heap_bytes"] / size
            rr = rss[imp] / size
            met = ("yes" if pr <= 1.5 else "**no**") if imp == "mdm_value" else ""
            print(f"| peak heap apps_xml -> {imp} | {peak[imp]['peak_heap_bytes'] / 1e6:.2f} MB | input {size / 1e6:.2f} MB | {pr:.3f}x input | - | RSS above reading: {rr:.2f}x | {'≤1.5x' if imp == 'mdm_value' else '(5.7x)'} | {met} |")
    svg_plot(record, peers, args.svg)
    print(f"\nwrote {args.svg}", file=sys.stderr)


if __name__ == "__main__":
    main()
