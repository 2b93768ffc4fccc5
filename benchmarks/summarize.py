"""Turn a pytest-benchmark JSON file into the ratio table of benchmarks/README.md.

    pytest benchmarks --benchmark-group-by=group --benchmark-json=bench.json
    python benchmarks/summarize.py bench.json

For every group: the minimum time of each variant per point (ns/point, or us per
call for groups of one point) and its ratio to the first variant listed in
ORDER (compiled, fast, n_threads=1). Minimum, not mean: the machine is shared.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from typing import Any

ORDER = ["compiled", "fast", "n_threads=1", "n_threads=2", "numpy", "numpy0d", "twin",
         "scipy", "numpy-cos-0d"]


def _rank(impl: str) -> tuple[int, str]:
    # Exact names first, then prefixes ("compiled n_threads=2" ranks as compiled).
    if impl in ORDER:
        return ORDER.index(impl), impl
    for i, name in enumerate(ORDER):
        if impl.startswith(name):
            return i, impl
    return len(ORDER), impl


def table(data: dict[str, Any]) -> str:
    groups: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    for bench in data["benchmarks"]:
        info = bench.get("extra_info", {})
        impl = info.get("impl", bench["param"] or bench["name"])
        n = int(info.get("n", 1))
        groups[bench["group"] or bench["name"]].append((impl, bench["stats"]["min"], n))
    lines = ["| group | variant | time per point | ratio to first |",
             "| --- | --- | ---: | ---: |"]
    for group in sorted(groups):
        rows = sorted(groups[group], key=lambda r: _rank(r[0]))
        base = rows[0][1]
        for impl, t, n in rows:
            per = t / n
            shown = f"{per * 1e9:,.1f} ns" if n > 1 else f"{per * 1e6:,.2f} us/call"
            lines.append(f"| {group} | {impl} | {shown} | {t / base:,.2f} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    with open(argv[1]) as fh:
        print(table(json.load(fh)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
