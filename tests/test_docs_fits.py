"""docs/fits.md must show the numbers the fits give today: the "ours" column of its
main table is recomputed (a stale table fails here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coherency import experiments

DOC = Path(__file__).resolve().parents[1] / "docs" / "fits.md"
_ROW = re.compile(r"\| `([a-z0-9-]+)` \| `([a-z0-9_]+)`[^|]* \| [^|]+ \| ([0-9.]+)"
                  r"(?: −([0-9.]+) \+([0-9.]+))? \|")


def _rows() -> list[tuple[str, str, float, float | None, float | None]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            lo = float(m.group(4)) if m.group(4) else None
            hi = float(m.group(5)) if m.group(5) else None
            rows.append((m.group(1), m.group(2), float(m.group(3)), lo, hi))
    return rows


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    return {name: experiments.load(name).fit() for name in
            ("coherent-csi-2021", "coherent-ar-2020")}


def test_the_table_is_there() -> None:
    keys = {(n, q) for n, q, *_ in _rows()}
    assert ("coherent-csi-2021", "signal_events") in keys
    assert ("coherent-ar-2020", "flux_averaged_sigma") in keys
    assert len(keys) == 7


@pytest.mark.parametrize(("name", "quantity", "shown", "lo", "hi"), _rows())
def test_fits_table_is_current(results, name, quantity, shown, lo, hi) -> None:  # type: ignore[no-untyped-def]
    if quantity == "sin2_theta_w":
        res = experiments.load(name).fit(physics=("sin2_theta_w",))
        val = res.values["sin2_theta_w"]
        ilo, ihi = res.intervals["sin2_theta_w"]
        got = (val, val - ilo, ihi - val)
        tol = 0.0005   # three decimals
    else:
        r = results[name]
        if quantity == "signal_events":
            got = (r.signal_events, *r.signal_events_error)
            tol = 0.05
        elif quantity == "flux_averaged_sigma":
            got = tuple(x / 1e-40 for x in (r.flux_averaged_sigma,
                                            *r.flux_averaged_sigma_error))
            tol = 0.05
        else:
            got = (r.significance, None, None)
            tol = 0.005
    assert abs(got[0] - shown) <= tol + 1e-9, (name, quantity, got, shown)
    if lo is not None:
        assert abs(got[1] - lo) <= tol + 1e-9 and abs(got[2] - hi) <= tol + 1e-9
