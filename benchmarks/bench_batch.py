"""Batch API: 1e4 parameter points in one call, compiled vs numpy twin vs a loop over
the scalar public API (targets: 1e4 points <= 5 ms and >= 10x the twin).

Groups (PionDAR CsI 2017 x CsI):
* ``batch sin2_theta_w 1e4``: <sigma> over 1e4 values of sin^2 theta_W;
* ``batch alpha counts 1e4``: Gamma_QM(alpha)-weighted counts over 1e4 alphas;
* ``batch radius 1e4``: <sigma> over 1e4 radius scales (a new form-factor integral
  per point), n_threads 1 and 2, twin;
* ``batch T_min 1e4``: <sigma> over 1e4 thresholds (one radius, a partial panel each);
* ``batch radius x T_min 100x100``: a 2-D grid, compiled (1 and 2 threads) and twin.
The scalar loop runs 100 points and is scaled by 100 (its cost is linear).
Every case checks its answer against the scalar API; no time is asserted. Run:
    pytest benchmarks/bench_batch.py --benchmark-only --benchmark-group-by=group
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import batch, sources
from coherency.form_factors import resolve

DAR = sources.PionDAR.coherent_csi_2017()
N = 10_000
S2 = np.linspace(0.20, 0.26, N)
ALPHA = np.linspace(0.0, 1.0, N)
SCALE = np.linspace(0.8, 1.2, N)


def _scalar_sigma(scale: float = 1.0, s2: float | None = None, T: float = 0.0) -> float:
    eps = None if s2 is None else 1.0 - 4.0 * s2
    total = 0.0
    for nuc, frac in coh.target("CsI").components:
        ffs = batch.scaled_form_factors(resolve("helm"), nuc.A, scale)
        total += frac * coh.flux_averaged_sigma(DAR, nuc, T_min=T, form_factor=ffs, epsilon=eps)
    return total


def _check(values: np.ndarray, idx: list[int], want: Any) -> None:
    for i in idx:
        assert values.reshape(-1)[i] == pytest.approx(want(i), rel=1e-12, abs=0)


def _run(benchmark: Any, group: str, impl: str, fn: Any, slow: bool = False) -> Any:
    benchmark.group = group
    benchmark.extra_info["impl"] = impl
    benchmark.extra_info["n"] = N
    backend = "numpy" if impl == "numpy" else "compiled"
    with coh.use_backend(backend):
        if slow:
            return benchmark.pedantic(fn, rounds=1, iterations=1)
        return benchmark(fn)


def _one_axis(benchmark: Any, impl: str, group: str, values: np.ndarray, key: str,
              scalar_kw: Any, batch_kw: dict[str, Any]) -> None:
    """A 1-D scan: the batch call on every value, or the scalar API on the first 100.
    ``scalar_kw(x)`` gives the scalar API's keywords, ``key`` the _scalar_sigma one."""
    if impl.startswith("scalar"):
        out = _run(benchmark, group, impl,
                   lambda: np.array([coh.flux_averaged_sigma(DAR, "CsI", **scalar_kw(x))
                                     for x in values[:100]]))
        benchmark.extra_info["n"] = 100
        idx = [0, 99]
    else:
        out = _run(benchmark, group, impl,
                   lambda: coh.batch_flux_averaged_sigma(DAR, "CsI", **batch_kw))
        idx = [0, N // 2, N - 1]
    _check(out, idx, lambda i: _scalar_sigma(**{key: values[i]}))


@pytest.mark.parametrize("impl", ["compiled", "numpy", "scalar loop x100"])
def test_sin2(benchmark: Any, impl: str) -> None:
    _one_axis(benchmark, impl, "batch sin2_theta_w 1e4", S2, "s2",
              lambda x: {"epsilon": 1 - 4 * x}, {"sin2_theta_w": S2})


@pytest.mark.parametrize("impl", ["compiled", "numpy"])
def test_alpha_counts(benchmark: Any, impl: str) -> None:
    out = _run(benchmark, "batch alpha counts 1e4", impl,
               lambda: coh.batch_event_counts(DAR, "CsI", 14.6, 1.0, alpha=ALPHA, T_min=5e-3))
    unity = coh.batch_event_counts(DAR, "CsI", 14.6, 1.0, alpha=1.0, T_min=5e-3)
    assert out[-1] == pytest.approx(unity, rel=1e-12)
    assert np.all(np.diff(out) > 0)


@pytest.mark.parametrize("impl", ["compiled n_threads=1", "compiled n_threads=2", "numpy"])
def test_radius(benchmark: Any, impl: str) -> None:
    nt = 2 if impl.endswith("=2") else 1
    out = _run(benchmark, "batch radius 1e4", impl,
               lambda: coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=SCALE, n_threads=nt))
    _check(out, [0, N // 3, N - 1], lambda i: _scalar_sigma(scale=SCALE[i]))


THRESH = np.linspace(0.0, 0.02, N)


@pytest.mark.parametrize("impl", ["compiled", "numpy", "scalar loop x100"])
def test_threshold(benchmark: Any, impl: str) -> None:
    _one_axis(benchmark, impl, "batch T_min 1e4", THRESH, "T",
              lambda x: {"T_min": x}, {"T_min": THRESH})


@pytest.mark.parametrize("impl", ["compiled n_threads=1", "compiled n_threads=2", "numpy"])
def test_radius_threshold_grid(benchmark: Any, impl: str) -> None:
    nt = 2 if impl.endswith("=2") else 1
    scale = np.linspace(0.8, 1.2, 100)[:, None]
    T = np.linspace(0.0, 0.01, 100)[None, :]
    out = _run(benchmark, "batch radius x T_min 100x100", impl,
               lambda: coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=scale, T_min=T,
                                                     n_threads=nt))
    _check(out, [0, 5050, 9999],
           lambda i: _scalar_sigma(scale=scale[i // 100, 0], T=T[0, i % 100]))
