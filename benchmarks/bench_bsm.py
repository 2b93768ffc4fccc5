"""Physics beyond the Standard Model: the model= path against the Standard-Model path
and the numpy twin, and the batch API over (coupling, mass) grids, in the same run.

Groups
------
* ``bsm dsigma_dT 1e3``: dsigma/dT of CsI at 1000 (T, E) points: Standard Model, a
  universal vector mediator (compiled, twin), an L_mu - L_tau mediator (vacuum
  polarisation in every term);
* ``bsm sigma_total 1e2``: sigma(E) of CsI above 1 keV at 100 energies: Standard Model,
  vector mediator, magnetic moment (compiled, twin);
* ``bsm event_rate``: PionDAR x CsI above 5 keV, Standard Model vs vector mediator
  vs magnetic moment (compiled, twin);
* ``bsm grid 100x100 counts``: ``bsm.batch_event_counts`` over 100 couplings x 100
  masses of a universal vector mediator, PionDAR x CsI (COHERENT 2017 source), compiled
  (1 and 2 threads) vs twin vs a loop of the scalar ``event_rate`` (100 points, scaled);
* ``bsm grid 100x100 CsI 2021``: ``bsm.experiment_grid`` of the COHERENT CsI 2021
  preset (9 PE x 11 time bins, three flavour parts), compiled vs twin;
* ``bsm limit curve 100 masses CsI 2021``: ``bsm.limit_curve`` of a universal vector
  mediator over 100 masses (0.01 MeV - 10 GeV, 400 couplings), the full likelihood of
  the data release (every nuisance profiled at each point; one round, it takes tens of
  seconds) vs the counts-only chi^2.

Every case checks its answer against the twin or the scalar functions; no time is
asserted. Run:
    pytest benchmarks/bench_bsm.py --benchmark-only --benchmark-group-by=group
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import bsm, sources

DAR = sources.PionDAR.coherent_csi_2017()
RNG = np.random.default_rng(3)
T_PTS = RNG.uniform(1e-4, 0.03, 1000)
E_PTS = RNG.uniform(10.0, 53.0, 1000)
E_SIG = np.linspace(10.0, 53.0, 100)
VEC = bsm.VectorMediator(10.0, 1e-10)
LMT = bsm.VectorMediator(20.0, 3e-4, "Lmu-Ltau")
MAG = bsm.MagneticMoment(1e-9)
G = np.geomspace(1e-12, 1e-8, 100)[:, None]
M = np.geomspace(0.1, 1e3, 100)[None, :]


def _run(benchmark: Any, group: str, impl: str, fn: Any, n: int) -> Any:
    benchmark.group = group
    benchmark.extra_info["impl"] = impl
    benchmark.extra_info["n"] = n
    with coh.use_backend("numpy" if impl.startswith("numpy") else "compiled"):
        fn()  # caches (rules, flux moments, kernel records) warm, as in a fit
        return benchmark(fn)


@pytest.mark.parametrize("impl", ["SM compiled", "vector compiled", "numpy vector",
                                  "Lmu-Ltau compiled", "numpy Lmu-Ltau"])
def test_dsigma(benchmark: Any, impl: str) -> None:
    model = None if impl.startswith("SM") else (LMT if "Lmu" in impl else VEC)
    kw = {"model": model, "flavour": "mu"}
    out = _run(benchmark, "bsm dsigma_dT 1e3", impl,
               lambda: coh.dsigma_dT(T_PTS, E_PTS, "CsI", **kw), T_PTS.size)
    with coh.use_backend("numpy"):
        np.testing.assert_allclose(out, coh.dsigma_dT(T_PTS, E_PTS, "CsI", **kw), rtol=1e-12)


@pytest.mark.parametrize("impl", ["SM compiled", "vector compiled", "numpy vector",
                                  "magnetic compiled"])
def test_sigma_total(benchmark: Any, impl: str) -> None:
    model = None if impl.startswith("SM") else (MAG if "magnetic" in impl else VEC)
    out = _run(benchmark, "bsm sigma_total 1e2", impl,
               lambda: coh.sigma_total(E_SIG, "CsI", T_min=1e-3, model=model), E_SIG.size)
    with coh.use_backend("numpy"):
        want = coh.sigma_total(E_SIG[::25], "CsI", T_min=1e-3, model=model)
    np.testing.assert_allclose(out[::25], want, rtol=1e-9)


@pytest.mark.parametrize("impl", ["SM compiled", "vector compiled", "numpy vector",
                                  "magnetic compiled", "numpy magnetic"])
def test_event_rate(benchmark: Any, impl: str) -> None:
    model = None if impl.startswith("SM") else (MAG if "magnetic" in impl else VEC)
    out = _run(benchmark, "bsm event_rate", impl,
               lambda: coh.event_rate(DAR, "CsI", 14.6, 1.0, T_min=5e-3, model=model), 1)
    with coh.use_backend("numpy"):
        assert out == pytest.approx(coh.event_rate(DAR, "CsI", 14.6, 1.0, T_min=5e-3,
                                                   model=model), rel=1e-12)


def _grid_counts(n_threads: int = 1) -> np.ndarray:
    return bsm.batch_event_counts(DAR, "CsI", 14.6, 1.0, bsm.VectorMediator(1.0, 0.0),
                                  T_min=5e-3, coupling=G, mass_MeV=M, n_threads=n_threads)


@pytest.mark.parametrize("impl", ["compiled", "compiled 2 threads", "numpy", "scalar loop"])
def test_grid_counts(benchmark: Any, impl: str) -> None:
    if impl == "scalar loop":
        pts = [(float(M[0, j]), float(G[i, 0])) for i, j in zip(range(0, 100, 10), range(10))]

        def loop() -> list[float]:
            return [coh.event_rate(DAR, "CsI", 14.6, 1.0, T_min=5e-3,
                                   model=bsm.VectorMediator(m, g)) for m, g in pts]

        benchmark.extra_info["scale"] = 1e4 / len(pts)  # per-point cost x 1e4
        got = _run(benchmark, "bsm grid 100x100 counts", impl, loop, len(pts))
        grid = _grid_counts()
        for (i, j), v in zip(zip(range(0, 100, 10), range(10)), got):
            assert grid[i, j] == pytest.approx(v, rel=1e-11)
        return
    nt = 2 if "2 threads" in impl else 1
    out = _run(benchmark, "bsm grid 100x100 counts", impl, lambda: _grid_counts(nt),
               G.size * M.size)
    with coh.use_backend("numpy"):
        np.testing.assert_allclose(out, _grid_counts(), rtol=1e-12)


@pytest.mark.parametrize("impl", ["compiled", "numpy"])
def test_grid_experiment(benchmark: Any, impl: str) -> None:
    exp = coh.experiments.load("coherent-csi-2021")

    def run() -> np.ndarray:
        return bsm.experiment_grid(exp, bsm.VectorMediator(1.0, 0.0), coupling=G, mass_MeV=M)

    out = _run(benchmark, "bsm grid 100x100 CsI 2021", impl, run, G.size * M.size)
    want = exp.predicted_spectrum(model=bsm.VectorMediator(float(M[0, 40]), float(G[60, 0])))
    np.testing.assert_allclose(out[60, 40], want, rtol=1e-10, atol=1e-12 * want.max())


@pytest.mark.parametrize("statistic", ["likelihood", "counts"])
def test_limit_curve(benchmark: Any, statistic: str) -> None:
    exp = coh.experiments.load("coherent-csi-2021")
    masses = np.geomspace(0.01, 1e4, 100)
    couplings = np.geomspace(1e-12, 1e-3, 400)

    def run() -> np.ndarray:
        return bsm.limit_curve(exp, bsm.VectorMediator(1.0, 0.0), masses, couplings,
                               statistic=statistic)

    benchmark.group = "bsm limit curve 100 masses CsI 2021"
    benchmark.extra_info["impl"] = statistic
    benchmark.extra_info["n"] = masses.size
    out = benchmark.pedantic(run, rounds=1, iterations=1, warmup_rounds=0)
    # light mediators: the contact-free plateau; heavy: g / m^2 fixed
    assert np.all(np.isfinite(out))
    assert out[0] == pytest.approx(out[10], rel=1e-2)
    assert out[-1] / out[-6] == pytest.approx((masses[-1] / masses[-6]) ** 2, rel=0.05)
