"""Turn a pytest-benchmark JSON file into the tables of benchmarks/README.md.

    pytest benchmarks -p no:randomly --benchmark-group-by=group --benchmark-json=bench.json
    python benchmarks/summarize.py bench.json

One section per benchmark file. In each group: the minimum time of each variant (per
point for groups of many points, per call otherwise) and its ratio to the first
variant listed in ORDER (compiled, fast, n_threads=1, ...). Minimum, not mean: the
machine is shared. Groups with n_threads=1 and n_threads=2 are also summarised as
speed-ups, with the CPUs other processes kept busy while they ran (``other_cpus``)
and the load average. The header gives the run's date, commit and machine as
pytest-benchmark recorded them.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from typing import Any

ORDER = ["compiled", "SM compiled", "fast", "n_threads=1", "n_threads=2",
         "plain libmvec loop", "E outside", "301 knots", "array1", "array16",
         "test_nll_fast_signal", "test_one_fit", "npscalar", "numpy", "numpy0d", "twin",
         "scipy",
         "numpy-cos-0d"]


def _rank(impl: str) -> tuple[int, str]:
    # Exact names first, then prefixes ("compiled n_threads=2" ranks as compiled).
    if impl in ORDER:
        return ORDER.index(impl), impl
    for i, name in enumerate(ORDER):
        if impl.startswith(name):
            return i, impl
    return len(ORDER), impl


def _shown(seconds: float, n: int) -> str:
    per = seconds / n
    if n > 1:
        return f"{per * 1e9:,.1f} ns/pt"
    if per < 1e-3:
        return f"{per * 1e6:,.2f} us"
    return f"{per * 1e3:,.3f} ms"


def _cpus(value: Any) -> str:
    """other_cpus as shown: '-' when not measured, never below 0 (rounding of short
    cases)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "-"
    return "-" if v != v else f"{max(v, 0.0):.2f}"


def header(data: dict[str, Any]) -> str:
    machine = data.get("machine_info", {})
    commit = data.get("commit_info", {})
    cpu = machine.get("cpu", {})
    lines = [
        f"- date: {data.get('datetime', '?')[:10]}; commit "
        f"{str(commit.get('id', '?'))[:7]}{' (with local changes)' if commit.get('dirty') else ''}",
        f"- CPU: {cpu.get('brand_raw', '?')}, {cpu.get('count', '?')} logical CPUs; "
        f"Python {machine.get('python_version', '?')} ({machine.get('python_implementation', '')})",
    ]
    loads = [b["extra_info"]["loadavg"][0] for b in data["benchmarks"]
             if "loadavg" in b.get("extra_info", {})]
    if loads:
        lines.append(f"- 1-minute load average during the thread cases: {min(loads):.2f} to "
                     f"{max(loads):.2f}")
    return "\n".join(lines)


def table(data: dict[str, Any]) -> str:
    files: dict[str, dict[str, list[tuple[str, float, int]]]] = defaultdict(
        lambda: defaultdict(list))
    for bench in data["benchmarks"]:
        info = bench.get("extra_info", {})
        impl = info.get("impl", bench["param"] or bench["name"])
        n = int(info.get("n", 1))
        file = bench["fullname"].split("::")[0].rsplit("/", 1)[-1]
        files[file][bench["group"] or bench["name"]].append((impl, bench["stats"]["min"], n))
    out = []
    for file in sorted(files):
        out += [f"### {file}", "", "| group | variant | time | ratio to first |",
                "| --- | --- | ---: | ---: |"]
        for group in sorted(files[file]):
            rows = sorted(files[file][group], key=lambda r: _rank(r[0]))
            base = rows[0][1]
            for impl, t, n in rows:
                out.append(f"| {group} | {impl} | {_shown(t, n)} | {t / base:,.2f} |")
        out.append("")
    return "\n".join(out)


def threads(data: dict[str, Any]) -> str:
    """n_threads = 1 vs 2 per group: speed-up = time(1) / time(2), minima over rounds."""
    cases: dict[str, dict[str, Any]] = defaultdict(dict)
    for bench in data["benchmarks"]:
        info = bench.get("extra_info", {})
        impl = info.get("impl", "")
        match = re.fullmatch(r".*n_threads=(\d)", impl)
        if not match:
            continue
        row = cases[bench["group"]]
        row[match.group(1)] = bench["stats"]["min"]
        row.setdefault("other", []).append(info.get("other_cpus", float("nan")))
        row.setdefault("load", []).append(info.get("loadavg", [float("nan")])[0])
    if not cases:
        return ""
    out = ["| group | 1 thread | 2 threads | speed-up | other CPUs busy | load |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for group in sorted(cases):
        row = cases[group]
        if "1" not in row or "2" not in row:
            continue
        other = ", ".join(_cpus(v) for v in row["other"])
        load = max(row["load"])
        out.append(f"| {group} | {_shown(row['1'], 1)} | {_shown(row['2'], 1)} | "
                   f"{row['1'] / row['2']:.2f}x | {other} | {_cpus(load)} |")
    return "\n".join(out)


def paired(data: dict[str, Any]) -> str:
    """The paired speed-ups of bench_threads.py (median and quartiles of neighbouring
    calls' time(1)/time(2))."""
    rows = []
    for bench in data["benchmarks"]:
        info = bench.get("extra_info", {})
        if "speedup_paired" not in info:
            continue
        q1, med, q3 = info["speedup_paired"]
        rows.append(f"| {bench['group'].replace('threads paired ', '')} | {med:.2f}x | "
                    f"{q1:.2f}-{q3:.2f} | {_cpus(info.get('other_cpus'))} | "
                    f"{info.get('loadavg', [float('nan')])[0]:.2f} |")
    if not rows:
        return ""
    return "\n".join(["| case [condition] | speed-up, median | quartiles | other CPUs busy "
                      "| load |", "| --- | ---: | ---: | ---: | ---: |", *sorted(rows)])


def interleaved(data: dict[str, Any]) -> str:
    """The interleaved minima of bench_helm_baseline.py."""
    rows = []
    for bench in data["benchmarks"]:
        info = bench.get("extra_info", {})
        if "ratio_to_plain" not in info:
            continue
        for name, ratio in info["ratio_to_plain"].items():
            rows.append(f"| {name} | {info['ns_per_point'][name]:.2f} ns/pt | {ratio:.2f} |")
    if not rows:
        return ""
    return "\n".join(["| variant | minimum | ratio to the plain loop |",
                      "| --- | ---: | ---: |", *rows])


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    with open(argv[1]) as fh:
        data = json.load(fh)
    print(header(data), "", table(data), "### n_threads = 1 vs 2", "", threads(data), "",
          "### n_threads = 1 vs 2, paired calls", "", paired(data), "",
          "### Helm against the plain libmvec loop, interleaved", "", interleaved(data),
          sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
