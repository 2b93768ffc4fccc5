"""Tabulated sources: the cost of a linear table against its number of knots.

A reactor spectrum (``sources.Reactor(2.9 GW, 28 m)``) sampled on 301 and 6001 knots
over [0, 10] MeV, as users bring their own tables, on natural germanium (five
isotopes, T_min = 0.1 keV):

* ``event_rate``: warm (the table's product rules cached) and cold (a new table per
  round, so that every cache of the source misses: the first call of a fit);
* ``flux_averaged_sigma`` (warm);
* ``recoil_spectrum`` on 1000 recoil energies (warm);
* ``batch_flux_averaged_sigma`` over 1000 radius scales (warm), beside the analytic
  reactor spectrum the tables sample;
* ``event_rate, T outside`` (the 301-knot table only): the same count with T outside
  and a recoil panel per image T_max(E_k) of every knot, as the engine integrates
  analytic sources: the method a table's cost used to grow with, and the check of
  the E-outer result (1e-10).

Ratios to read: 6001 knots over 301 knots in each group. Every case checks its
answer; no time is asserted. Run:
    pytest benchmarks/bench_tables.py -p no:cacheprovider --benchmark-group-by=group
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import _event_rate, sources

REACTOR = sources.Reactor(power_GW=2.9, distance_m=28.0)
KNOTS = [301, 6001]
T_MIN = 1e-4  # MeV
T_GRID = np.linspace(1e-5, 2e-3, 1000)
_fresh = itertools.count(1)


def _table(n: int, scale: float = 1.0) -> sources.Tabulated:
    E = np.linspace(0.0, 10.0, n)
    return sources.Tabulated(E, scale * np.asarray(REACTOR.flux(E)))


TABLES = {n: _table(n) for n in KNOTS}


def _rate(src: Any) -> float:
    return coh.event_rate(src, "Ge", 1.0, 86400.0, T_min=T_MIN)


def _t_outer(src: Any) -> float:
    """The count with T outside and a panel per knot image (tables taken as others)."""
    split = _event_rate._split_tables
    _event_rate._split_tables = lambda terms: ([], terms)  # type: ignore[assignment]
    try:
        return _rate(src)
    finally:
        _event_rate._split_tables = split  # type: ignore[assignment]


@pytest.mark.parametrize("n", KNOTS)
def test_event_rate_warm(benchmark: Any, n: int) -> None:
    benchmark.group = "table event_rate Reactor x Ge (warm)"
    benchmark.extra_info["impl"] = f"{n} knots"
    src = TABLES[n]
    got = benchmark(lambda: _rate(src))
    assert got == pytest.approx(_rate(TABLES[301]), rel=1e-3)  # the same spectrum


@pytest.mark.parametrize("n", KNOTS)
def test_event_rate_cold(benchmark: Any, n: int) -> None:
    benchmark.group = "table event_rate Reactor x Ge (cold: a new table per call)"
    benchmark.extra_info["impl"] = f"{n} knots"

    def setup() -> tuple[tuple[Any], dict[str, Any]]:
        return (_table(n, 1.0 + 1e-9 * next(_fresh)),), {}

    got = benchmark.pedantic(_rate, setup=setup, rounds=20, iterations=1)
    assert got == pytest.approx(_rate(TABLES[n]), rel=1e-6)


@pytest.mark.parametrize("n", KNOTS)
def test_flux_averaged_sigma(benchmark: Any, n: int) -> None:
    benchmark.group = "table flux_averaged_sigma Reactor x Ge (warm)"
    benchmark.extra_info["impl"] = f"{n} knots"
    src = TABLES[n]
    got = benchmark(lambda: coh.flux_averaged_sigma(src, "Ge", T_min=T_MIN))
    assert got == pytest.approx(coh.flux_averaged_sigma(REACTOR, "Ge", T_min=T_MIN),
                                rel=1e-3)


@pytest.mark.parametrize("n", KNOTS)
def test_recoil_spectrum(benchmark: Any, n: int) -> None:
    benchmark.group = "table recoil_spectrum Reactor x Ge 1000 T (warm)"
    benchmark.extra_info["impl"] = f"{n} knots"
    benchmark.extra_info["n"] = T_GRID.size
    src = TABLES[n]
    got = benchmark(lambda: coh.recoil_spectrum(src, "Ge", T_GRID))
    assert np.all(np.isfinite(got)) and np.all(got > 0)


@pytest.mark.parametrize("impl", ["E outside", "T outside, a panel per knot"])
def test_event_rate_methods(benchmark: Any, impl: str) -> None:
    benchmark.group = "table event_rate 301 knots: E outside vs T outside"
    benchmark.extra_info["impl"] = impl
    src = TABLES[301]
    fn = _rate if impl == "E outside" else _t_outer
    got = benchmark.pedantic(lambda: fn(src), rounds=5 if impl != "E outside" else 50,
                             iterations=1, warmup_rounds=1)
    assert got == pytest.approx(_t_outer(src), rel=1e-10)


SCALES = np.linspace(0.9, 1.1, 1000)


@pytest.mark.parametrize("impl", [*(f"{n} knots" for n in KNOTS), "analytic Reactor"])
def test_batch_radius_scan(benchmark: Any, impl: str) -> None:
    benchmark.group = "table batch_flux_averaged_sigma Reactor x Ge, 1000 radius scales (warm)"
    benchmark.extra_info["impl"] = impl
    benchmark.extra_info["n"] = SCALES.size
    src = REACTOR if impl == "analytic Reactor" else TABLES[int(impl.split()[0])]

    def scan() -> Any:
        return coh.batch_flux_averaged_sigma(src, "Ge", radius_scale=SCALES, T_min=T_MIN)

    got = benchmark.pedantic(scan, rounds=10, iterations=1, warmup_rounds=1)
    want = coh.batch_flux_averaged_sigma(REACTOR, "Ge", radius_scale=SCALES, T_min=T_MIN)
    np.testing.assert_allclose(got, want, rtol=5e-3)  # the same spectrum (301 knots: 0.3 %)
