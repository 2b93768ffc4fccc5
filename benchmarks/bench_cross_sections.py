"""Cross sections: compiled vs numpy twin vs a plain scipy baseline.

dsigma_dq2 (Sharma & Wong Eq. 1, Helm form factor, Ar40) at 1e3 and 1e6 (q2, E) pairs;
sigma_total (CsI, T_min = 0) at 1e3 and 1e6 energies. The twin integrates sigma
with adaptive scipy.integrate.quad per energy (about 3 ms a point for CsI), and the
scipy baseline does the same with a hand-written integrand (about 1.5 ms), so at
1e6 points those two are skipped (they would take about an hour a round); at 1e3
they run, one round each, in the same group as the compiled kernel.
Run: pytest benchmarks/bench_cross_sections.py --benchmark-group-by=group
Each case checks its answer against the twin; no time is asserted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import integrate, special

import coherency as coh
from coherency.constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2, EPSILON_DEFAULT, HBARC_MEV_FM

SIZES = [1_000, 1_000_000]
IMPLS = ["compiled", "numpy", "scipy"]
AR = coh.nucleus("Ar40")


def _helm(q: np.ndarray | float, A: int) -> np.ndarray:
    r0 = np.sqrt((1.2 * A ** (1 / 3)) ** 2 - 5 * 0.5**2) / HBARC_MEV_FM
    x = np.asarray(q) * r0
    with np.errstate(invalid="ignore", divide="ignore"):
        sphere = np.where(x > 0, 3 * special.spherical_jn(1, x) / np.where(x > 0, x, 1.0), 1.0)
    return sphere * np.exp(-((np.asarray(q) * 0.5 / HBARC_MEV_FM) ** 2) / 2)


def scipy_dsigma_dq2(q2: np.ndarray, E: np.ndarray, nuc: coh.Nucleus) -> np.ndarray:
    """Sharma & Wong Eq. 1 written directly in numpy/scipy."""
    M = nuc.mass
    q2max = 4 * E**2 * M / (M + 2 * E)
    weak = (EPSILON_DEFAULT * nuc.Z - nuc.N) ** 2
    val = (DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 * (1 - q2 / (4 * E**2)) * weak
           * _helm(np.sqrt(q2), nuc.A) ** 2)
    return np.where(q2 <= q2max, val, 0.0)


def scipy_sigma_total(E: np.ndarray, target: coh.Target) -> np.ndarray:
    """sigma(E) by scipy.integrate.quad of Eq. 1 over q2, per nucleus and energy."""
    out = np.zeros(E.size)
    for nuc, fraction in target.components:
        M = nuc.mass
        weak = (EPSILON_DEFAULT * nuc.Z - nuc.N) ** 2
        for i, energy in enumerate(E):
            hi = 4 * energy**2 * M / (M + 2 * energy)

            def f(q2: float, energy: float = energy, A: int = nuc.A) -> float:
                return float((1 - q2 / (4 * energy**2)) * _helm(np.sqrt(q2), A) ** 2)

            val, _ = integrate.quad(f, 0.0, hi, epsrel=1e-10, limit=200)
            out[i] += fraction * DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 * weak * val
    return out


def _group(benchmark: Any, name: str, n: int, impl: str) -> None:
    benchmark.group = f"{name} n={n:.0e}"
    benchmark.extra_info["n"] = n
    benchmark.extra_info["impl"] = impl


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("n", SIZES, ids=lambda n: f"n={n:.0e}")
def test_dsigma_dq2(benchmark: Any, n: int, impl: str) -> None:
    rng = np.random.default_rng(2)
    E = rng.uniform(5.0, 55.0, n)
    q2 = rng.uniform(0.0, 1.0, n) * 4 * E**2
    _group(benchmark, "dsigma_dq2", n, impl)
    if impl == "scipy":
        out = benchmark(scipy_dsigma_dq2, q2, E, AR)
    else:
        with coh.use_backend(impl):
            out = benchmark(coh.dsigma_dq2, q2, E, AR)
    with coh.use_backend("numpy"):
        ref = coh.dsigma_dq2(q2, E, AR)
    np.testing.assert_allclose(out, ref, rtol=1e-11, atol=1e-60)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("n", SIZES, ids=lambda n: f"n={n:.0e}")
def test_sigma_total(benchmark: Any, n: int, impl: str) -> None:
    if impl != "compiled" and n > 10_000:
        pytest.skip(f"{impl}: adaptive quad per energy, 1-3 ms a point; {n:.0e} points "
                    "would take about an hour a round (measured at 1e3 instead)")
    rng = np.random.default_rng(3)
    E = rng.uniform(1.0, 55.0, n)
    csi = coh.target("CsI")
    _group(benchmark, "sigma_total", n, impl)
    if impl == "scipy":
        out = benchmark.pedantic(scipy_sigma_total, (E, csi), rounds=1, iterations=1)
    elif impl == "numpy":
        with coh.use_backend(impl):
            out = benchmark.pedantic(coh.sigma_total, (E, csi), rounds=1, iterations=1)
    else:
        with coh.use_backend(impl):
            out = benchmark(coh.sigma_total, E, csi)
    check = slice(None) if n <= 10_000 else slice(0, None, n // 1000)
    with coh.use_backend("numpy"):
        ref = coh.sigma_total(E[check], csi)
    # quad at epsrel 1e-10 (scipy baseline) against the twin's 1e-13.
    np.testing.assert_allclose(np.asarray(out)[check], ref,
                               rtol=1e-8 if impl == "scipy" else 1e-12)
