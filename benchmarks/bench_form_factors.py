"""Form-factor kernels: compiled vs numpy twin vs a plain scipy baseline.

Groups: spherical_j1, helm, form_factor (Klein-Nystrand), form_factor (symmetrized
Fermi), each at 1e3 and 1e6 points. The scipy baseline is what analysis code
typically writes (scipy.special.spherical_jn and numpy, no care at q = 0).
Run: pytest benchmarks/bench_form_factors.py --benchmark-group-by=group
Each case checks its answer against the twin; no time is asserted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import special

import coherency as coh
from coherency.constants import HBARC_MEV_FM

SIZES = [1_000, 1_000_000]
A = 132.0
IMPLS = ["compiled", "numpy", "scipy"]


def _sphere(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return 3 * special.spherical_jn(1, x) / x


def scipy_helm(q: np.ndarray, A: float, s_fm: float = 0.5, r_coeff_fm: float = 1.2) -> np.ndarray:
    r0 = np.sqrt((r_coeff_fm * A ** (1 / 3)) ** 2 - 5 * s_fm**2)
    return _sphere(q * r0 / HBARC_MEV_FM) * np.exp(-((q * s_fm / HBARC_MEV_FM) ** 2) / 2)


def scipy_klein_nystrand(q: np.ndarray, A: float) -> np.ndarray:
    r, a = 1.2 * A ** (1 / 3) / HBARC_MEV_FM, 0.7 / HBARC_MEV_FM
    return _sphere(q * r) / (1 + (q * a) ** 2)


def scipy_symmetrized_fermi(q: np.ndarray, A: float) -> np.ndarray:
    c = (1.23 * A ** (1 / 3) - 0.60) / HBARC_MEV_FM
    a = 0.52 / HBARC_MEV_FM
    x, y = q * c, math.pi * q * a
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return (3 / (x * (x**2 + y**2)) * (y / np.sinh(y))
                * (y / np.tanh(y) * np.sin(x) - x * np.cos(x)))


@pytest.fixture(params=SIZES, ids=lambda n: f"n={n:.0e}")
def q(request: pytest.FixtureRequest) -> np.ndarray:
    rng = np.random.default_rng(1)
    return rng.uniform(1e-3, 400.0, request.param)


def _run(benchmark: Any, group: str, impl: str, n: int, public: Callable[[], Any],
         baseline: Callable[[], Any]) -> np.ndarray:
    benchmark.group = f"{group} n={n:.0e}"
    benchmark.extra_info["n"] = n
    benchmark.extra_info["impl"] = impl
    if impl == "scipy":
        return np.asarray(benchmark(baseline))
    with coh.use_backend(impl):
        return np.asarray(benchmark(public))


def _twin(fn: Callable[[], Any]) -> np.ndarray:
    with coh.use_backend("numpy"):
        return np.asarray(fn())


@pytest.mark.parametrize("impl", IMPLS)
def test_spherical_j1(benchmark: Any, q: np.ndarray, impl: str) -> None:
    x = q / 10.0  # 0 .. 40: both sides of the series switch at x = 1
    out = _run(benchmark, "spherical_j1", impl, x.size, lambda: coh.spherical_j1(x),
               lambda: special.spherical_jn(1, x))
    np.testing.assert_allclose(out, _twin(lambda: coh.spherical_j1(x)), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("impl", IMPLS)
def test_helm(benchmark: Any, q: np.ndarray, impl: str) -> None:
    out = _run(benchmark, "helm", impl, q.size, lambda: coh.helm_form_factor(q, A),
               lambda: scipy_helm(q, A))
    np.testing.assert_allclose(out, _twin(lambda: coh.helm_form_factor(q, A)),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("impl", IMPLS)
def test_form_factor_klein_nystrand(benchmark: Any, q: np.ndarray, impl: str) -> None:
    model = coh.KleinNystrand()
    out = _run(benchmark, "form_factor KN", impl, q.size, lambda: model(q, A),
               lambda: scipy_klein_nystrand(q, A))
    np.testing.assert_allclose(out, _twin(lambda: model(q, A)), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("impl", IMPLS)
def test_form_factor_symmetrized_fermi(benchmark: Any, q: np.ndarray, impl: str) -> None:
    model = coh.SymmetrizedFermi()
    out = _run(benchmark, "form_factor SF", impl, q.size, lambda: model(q, A),
               lambda: scipy_symmetrized_fermi(q, A))
    ref = _twin(lambda: model(q, A))
    if impl == "scipy":
        # The naive closed form cancels at small q (y coth y - 1, sin x - x cos x):
        # it keeps only ~8 digits there, which is the point of the compiled kernel.
        np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-9)
    else:
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-15)
