"""Likelihoods and fits of the COHERENT releases (coherency.inference).

Groups:

* ``likelihood CsI 2021``: one evaluation of -2 ln L of the CsI 2021 release (PRL
  bins, every nuisance, the steady state profiled analytically), against the same
  number with the signal recomputed through ``Experiment.predicted_spectrum`` (the
  rate engine and the response product at every call, the nominal detector), the
  path a fit without the fast signal model would take.
* ``fit CsI 2021``: one fit (MIGRAD + HESSE + MINOS of the event count); the whole
  measurement (``Experiment.fit``: three fits); a 20-point profile of the event count.
* ``fit Ar 2020``: the measurement on the argon release.

Every case checks its answer (the two likelihood paths agree to 1e-9; the fits land
on the published numbers within the tolerance of tests/test_fits_published.py). No time
is asserted. Run:
    pytest benchmarks/bench_fits.py --benchmark-group-by=group
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from coherency import experiments
from coherency.inference import csi_2021_likelihood, fit


@pytest.fixture(scope="module")
def csi_lk() -> Any:
    return csi_2021_likelihood()


@pytest.mark.benchmark(group="likelihood CsI 2021")
def test_nll_fast_signal(benchmark: Any, csi_lk: Any) -> None:
    vals = csi_lk.values()
    out = benchmark(csi_lk.nll, vals)
    benchmark.extra_info["n"] = csi_lk.n_bins
    assert np.isfinite(out)


@pytest.mark.benchmark(group="likelihood CsI 2021")
def test_nll_signal_from_the_preset(benchmark: Any, csi_lk: Any) -> None:
    exp = experiments.load("coherent-csi-2021")
    fast_signal = csi_lk.info["signal"]
    base_model = csi_lk.model

    def model(v: Any, obs: Any) -> Any:
        # the same likelihood with the signal recomputed by the preset at each call
        spec = exp.predicted_spectrum()
        fast = fast_signal(v)
        out = base_model(v, obs)
        scale = v["signal_events"] / spec.sum()
        return {"C": out["C"] - fast * v["signal_events"] / fast.sum() + spec * scale,
                "AC": out["AC"]}

    lk = dataclasses.replace(csi_lk, model=model)
    vals = csi_lk.values()
    out = benchmark(lk.nll, vals)
    benchmark.extra_info["n"] = csi_lk.n_bins
    assert out == pytest.approx(csi_lk.nll(vals), rel=1e-9)


@pytest.mark.benchmark(group="fit CsI 2021")
def test_one_fit(benchmark: Any, csi_lk: Any) -> None:
    r = benchmark(fit, csi_lk, minos="signal_events")
    benchmark.extra_info["n"] = 1
    assert r.valid and abs(r.values["signal_events"] / 306.0 - 1.0) < 0.05


@pytest.mark.benchmark(group="fit CsI 2021")
def test_measurement(benchmark: Any) -> None:
    exp = experiments.load("coherent-csi-2021")
    exp.likelihood()  # warm the caches of the preset
    r = benchmark.pedantic(exp.fit, rounds=3, iterations=1)
    benchmark.extra_info["n"] = 1
    assert r.valid and r.significance >= 10.0


@pytest.mark.benchmark(group="fit CsI 2021")
def test_profile_20_points(benchmark: Any, csi_lk: Any) -> None:
    from coherency.inference import profile

    grid = np.linspace(230.0, 400.0, 20)
    best = fit(csi_lk)
    d = benchmark.pedantic(profile, args=(csi_lk, "signal_events", grid),
                           kwargs={"best": best}, rounds=2, iterations=1)
    benchmark.extra_info["n"] = grid.size
    assert np.all(np.isfinite(d)) and d.min() < 0.1


@pytest.mark.benchmark(group="fit Ar 2020")
def test_measurement_ar(benchmark: Any) -> None:
    exp = experiments.load("coherent-ar-2020")
    r = benchmark.pedantic(exp.fit, rounds=3, iterations=1)
    benchmark.extra_info["n"] = 1
    assert r.valid and abs(r.signal_events / 159.0 - 1.0) < 0.10
