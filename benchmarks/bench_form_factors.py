"""Helm form factor: compiled kernel vs numpy twin vs a plain scipy baseline.

Run: pytest benchmarks/bench_form_factors.py --benchmark-group-by=group
Each case checks its answer against the twin; no time is asserted.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

import coherency as coh
from coherency.constants import HBARC_MEV_FM

SIZES = [1_000, 1_000_000]
A = 132.0


def scipy_helm(q: np.ndarray, A: float, s_fm: float = 0.5, r_coeff_fm: float = 1.2) -> np.ndarray:
    """What analysis code typically writes: scipy's spherical_jn, no q = 0 care."""
    r0 = np.sqrt((r_coeff_fm * A ** (1 / 3)) ** 2 - 5 * s_fm**2)
    x = q * r0 / HBARC_MEV_FM
    with np.errstate(invalid="ignore", divide="ignore"):
        return 3 * special.spherical_jn(1, x) / x * np.exp(-((q * s_fm / HBARC_MEV_FM) ** 2) / 2)


@pytest.fixture(params=SIZES, ids=lambda n: f"n={n:.0e}")
def q(request: pytest.FixtureRequest) -> np.ndarray:
    rng = np.random.default_rng(1)
    return rng.uniform(1e-3, 400.0, request.param)


def _reference(q: np.ndarray) -> np.ndarray:
    with coh.use_backend("numpy"):
        return coh.helm_form_factor(q, A)


@pytest.mark.parametrize("impl", ["compiled", "numpy", "scipy"])
def test_helm(benchmark, q: np.ndarray, impl: str) -> None:
    benchmark.group = f"helm n={q.size:.0e}"
    if impl == "scipy":
        out = benchmark(scipy_helm, q, A)
    else:
        with coh.use_backend(impl):
            out = benchmark(coh.helm_form_factor, q, A)
    np.testing.assert_allclose(out, _reference(q), rtol=1e-12, atol=1e-15)
