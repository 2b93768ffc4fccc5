"""Detector response matrix: compiled kernel vs numpy twin vs a plain scipy baseline.

Groups (``Response.matrix`` through the public API; the efficiency grid is built once
per Response, as in a fit):

* ``response CsI 2021 9x400``: COHERENT CsI 2021 (nominal polynomial quenching, the
  gamma photoelectron model, the logistic efficiency), 9 bins of 6.67 PE from 0 to
  60 PE, 400 true-recoil nodes up to 0.045 MeV.
* ``response gamma 100x2000``: the same chain, 100 bins of 1 PE, 2000 nodes up to
  0.06 MeV; also with n_threads = 2.
* ``response Ar Gaussian 100x2000``: COHERENT Ar 2020 (linear QF, sigma/E =
  0.58/sqrt(E), the tabulated efficiency), 100 bins of 1.2 keVee, 2000 nodes up to
  0.4 MeV.

The scipy baseline is what analysis code typically writes: the density (scipy.stats)
times the efficiency on a dense x grid (0.02 in x units), integrated per bin with the
trapezoid rule. Every case checks its answer: the twin against the compiled kernel to
1e-10 relative (1e-13 absolute), the baseline to its own accuracy (1e-3 absolute).
No time is asserted. Run:
    pytest benchmarks/bench_response.py --benchmark-group-by=group
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import integrate, stats

import coherency as coh
from coherency.detector import (
    GammaPE,
    GaussianEnergy,
    LinearQF,
    LogisticEfficiency,
    PolynomialQuenching,
    Response,
    TabulatedEfficiency,
)

BASELINE_STEP = 0.02  # x units
BASELINE_ATOL = 1e-3


def _csi(edges: np.ndarray) -> Response:
    return Response(PolynomialQuenching.coherent_csi_2021().nominal, GammaPE(),
                    LogisticEfficiency.coherent_csi_2021().nominal, edges)


def _ar(edges: np.ndarray) -> Response:
    return Response(LinearQF.coherent_ar_2020(), GaussianEnergy.coherent_ar_2020(),
                    TabulatedEfficiency.coherent_ar_2020(), edges)


CASES = {
    "CsI 2021 9x400": (lambda: _csi(np.linspace(0.0, 60.0, 10)),
                       np.linspace(1e-4, 0.045, 400)),
    "gamma 100x2000": (lambda: _csi(np.linspace(0.0, 100.0, 101)),
                       np.linspace(1e-4, 0.06, 2000)),
    "Ar Gaussian 100x2000": (lambda: _ar(np.linspace(0.0, 120.0, 101)),
                             np.linspace(1e-4, 0.4, 2000)),
}


def scipy_baseline(resp: Response, T: np.ndarray) -> np.ndarray:
    """Density x efficiency on a dense grid, trapezoid per bin."""
    edges = resp.edges_array
    n = int(np.ceil((edges[-1] - edges[0]) / BASELINE_STEP))
    x = np.linspace(edges[0], edges[-1], n + 1)
    eff = np.asarray(resp.efficiency(x))
    E_keV = np.asarray(resp.quenching(T)) * 1e3
    if isinstance(resp.resolution, GammaPE):
        g = resp.resolution
        k = 1.0 + g.b * E_keV
        dens = stats.gamma.pdf(x[None, :], k[:, None], scale=(E_keV / g.a / k)[:, None])
    else:
        sig = resp.resolution.sigma1 * np.sqrt(E_keV)  # type: ignore[attr-defined]
        dens = stats.norm.pdf(x[None, :], E_keV[:, None], sig[:, None])
    f = dens * eff[None, :]
    out = np.empty((edges.size - 1, T.size))
    idx = np.searchsorted(x, edges)
    for b in range(edges.size - 1):
        sl = slice(idx[b], idx[b + 1] + 1)
        out[b] = integrate.trapezoid(f[:, sl], x[sl], axis=1)
    return out


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("impl", ["compiled", "compiled n_threads=2", "numpy", "scipy"])
def test_response_matrix(benchmark: Any, case: str, impl: str) -> None:
    if impl == "compiled n_threads=2" and case == "CsI 2021 9x400":
        pytest.skip("the small case runs on one thread")
    make, T = CASES[case]
    resp = make()
    resp.grid()  # built once per Response
    benchmark.group = f"response {case}"
    benchmark.extra_info["n"] = int(T.size * (resp.edges_array.size - 1))
    benchmark.extra_info["impl"] = impl
    with coh.use_backend("compiled"):
        want = resp.matrix(T)
    if impl == "scipy":
        got = benchmark(scipy_baseline, resp, T)
        np.testing.assert_allclose(got, want, rtol=0, atol=BASELINE_ATOL)
        return
    backend, _, threads = impl.partition(" ")
    nt = int(threads.split("=")[1]) if threads else 1
    with coh.use_backend(backend):
        got = benchmark(resp.matrix, T, nt)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)
