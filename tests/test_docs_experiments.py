"""docs/experiments.md must show the numbers the presets give today (a stale table
fails here). The table's rows are parsed and each "ours" value recomputed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coherency import experiments

DOC = Path(__file__).resolve().parents[1] / "docs" / "experiments.md"


def _rows() -> list[tuple[str, str, float]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `([a-z0-9-]+)`( ⟨σ⟩)? \| [^|]+ \| ([0-9.]+)", line)
        if m:
            rows.append((m.group(1), "sigma" if m.group(2) else "counts", float(m.group(3))))
    return rows


def test_the_table_is_there() -> None:
    names = {name for name, _, _ in _rows()}
    assert names == set(experiments.names())


@pytest.mark.parametrize(("name", "what", "shown"), _rows())
def test_docs_table_is_current(name: str, what: str, shown: float) -> None:
    exp = experiments.load(name)
    ours = (exp.flux_averaged_sigma() / 1e-40 if what == "sigma"
            else exp.predicted_counts())
    # the table rounds to one decimal
    assert abs(ours - shown) <= 0.05 + 1e-9, (name, ours, shown)
