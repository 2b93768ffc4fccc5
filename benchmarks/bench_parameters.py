"""Calls with a new parameter set every time, as a fit or a scan makes them.

Group ``<sigma> PionDAR x CsI`` (:func:`coherency.flux_averaged_sigma`, COHERENT CsI
2017 source, natural CsI; targets: <= 30 us for a new parameter set, <= 10 us warm):

  kernels only      -- the two compiled folded integrals (``folded_sigma``, one per
                       nucleus) on cached rules: the floor of any call;
  warm              -- the same arguments again;
  new epsilon       -- epsilon = 1 - 4 sin^2 theta_W new on every call;
  new Helm          -- a new ``Helm(r_coeff_fm=...)`` every call (built outside the
                       timing: ~2-4 us more to construct one);
  new T_min         -- a new threshold every call (new energy rules);
  couplings="pdg"   -- radiatively corrected, flavour by flavour (three parts), with
                       a new form factor every call;
  cold              -- ``clear_caches()`` before each call (every cache empty).

Groups ``batch ...``: :func:`coherency.batch_flux_averaged_sigma` with one new scalar
parameter per call. Groups ``CsI 2021 ...``: the preset
``experiments.load("coherent-csi-2021")`` (9 x 11 bins, three flavour parts, 336
recoil nodes, measured-radius form factors, PDG couplings): ``predicted_counts()``
warm, ``predicted_spectrum(form_factor=Helm(...))`` with a new Helm every call, and
tree-level couplings. Groups ``spectrum ...``: a 200-point reactor spectrum on Ge
with a new Helm every call, and ``event_rate`` with a new epsilon.

Each case checks its value against a cold call with the same parameters; no time is
asserted. Run:
    pytest benchmarks/bench_parameters.py -p no:cacheprovider --benchmark-group-by=group
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import experiments, sources

DAR = sources.PionDAR.coherent_csi_2017()
REACTOR = sources.Reactor(power_GW=2.9, distance_m=28.0)
_fresh = itertools.count(1)


def _new() -> float:
    """A new small number per call (parameters never repeat within a run)."""
    return 1e-9 * next(_fresh)


def _helms(n: int = 100_000) -> list[coh.Helm]:
    start = next(_fresh)
    return [coh.Helm(r_coeff_fm=1.2 + 1e-9 * (start + i)) for i in range(n)]


def _kernels_only() -> Any:
    from coherency import _quadrature, rates
    from coherency.cross_sections import GL_W, GL_X

    tgt = coh.target("CsI")
    setup = rates.nuclear_setup(tgt, rates._resolve("helm"), coh.constants.EPSILON_DEFAULT)
    E, w = _quadrature.rule(DAR, 0.0)
    kern = coh._backend.kernels()
    return lambda: sum(f * kern.folded_sigma(E, w, 0.0, spec, panel, GL_X, GL_W, 1)
                       for f, _, spec, panel in setup)


def _sigma_case(name: str) -> tuple[Any, Any]:
    """(call, check): the timed call and a function giving its last value cold."""
    last: dict[str, Any] = {}
    if name == "kernels only":
        fn = _kernels_only()
        return fn, lambda: pytest.approx(coh.flux_averaged_sigma(DAR, "CsI") * DAR.total_flux,
                                         rel=1e-15)
    if name == "warm":
        def call() -> float:
            return coh.flux_averaged_sigma(DAR, "CsI")
        return call, lambda: coh.flux_averaged_sigma(DAR, "CsI")
    if name == "new epsilon":
        def call() -> float:
            last["eps"] = 0.04 + _new()
            return coh.flux_averaged_sigma(DAR, "CsI", epsilon=last["eps"])
        return call, lambda: coh.flux_averaged_sigma(DAR, "CsI", epsilon=last["eps"])
    if name in ("new Helm", 'couplings="pdg", new Helm'):
        helms = iter(_helms())
        cp = "pdg" if name.startswith("couplings") else None

        def call() -> float:
            last["ff"] = next(helms)
            return coh.flux_averaged_sigma(DAR, "CsI", form_factor=last["ff"], couplings=cp)
        return call, lambda: coh.flux_averaged_sigma(DAR, "CsI", form_factor=last["ff"],
                                                     couplings=cp)
    if name == "new T_min":
        def call() -> float:
            last["T"] = 1e-3 + _new()
            return coh.flux_averaged_sigma(DAR, "CsI", T_min=last["T"])
        return call, lambda: coh.flux_averaged_sigma(DAR, "CsI", T_min=last["T"])

    def call() -> float:  # cold
        coh.clear_caches()
        return coh.flux_averaged_sigma(DAR, "CsI")
    return call, lambda: coh.flux_averaged_sigma(DAR, "CsI")


SIGMA_CASES = ["kernels only", "warm", "new epsilon", "new Helm", "new T_min",
               'couplings="pdg", new Helm', "cold"]


@pytest.mark.parametrize("name", SIGMA_CASES)
def test_flux_averaged_sigma(benchmark: Any, name: str) -> None:
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    benchmark.group = "<sigma> PionDAR x CsI, one call"
    benchmark.extra_info["impl"] = name
    call, check = _sigma_case(name)
    with coh.use_backend("compiled"):
        coh.flux_averaged_sigma(DAR, "CsI")
        got = benchmark(call)
        want = check()
        coh.clear_caches()
        assert got == want  # the same bits as a cold call


@pytest.mark.parametrize("param", ["radius_scale", "sin2_theta_w"])
def test_batch_one_point(benchmark: Any, param: str) -> None:
    benchmark.group = f"batch <sigma> PionDAR x CsI, one new {param} per call"
    benchmark.extra_info["impl"] = "compiled"
    base = 1.0 if param == "radius_scale" else 0.23
    last: dict[str, float] = {}

    def call() -> Any:
        last["x"] = base + 1e3 * _new()
        return coh.batch_flux_averaged_sigma(DAR, "CsI", **{param: last["x"]})

    got = benchmark(call)
    assert got == coh.batch_flux_averaged_sigma(DAR, "CsI", **{param: last["x"]})


CSI_2021 = experiments.load("coherent-csi-2021")


@pytest.mark.parametrize("case", ["predicted_counts, warm",
                                  "predicted_spectrum, new Helm",
                                  "predicted_counts, tree couplings"])
def test_experiment(benchmark: Any, case: str) -> None:
    benchmark.group = "CsI 2021 prediction (9 x 11 bins), one call"
    benchmark.extra_info["impl"] = case
    exp = CSI_2021
    exp.predicted_counts()
    helms = iter(_helms(20_000))
    last: dict[str, Any] = {}
    if case == "predicted_counts, warm":
        def call() -> Any:
            return exp.predicted_counts()
        kwargs: dict[str, Any] = {}
    elif case == "predicted_spectrum, new Helm":
        def call() -> Any:
            last["ff"] = next(helms)
            return exp.predicted_spectrum(form_factor=last["ff"])
        kwargs = last
    else:
        def call() -> Any:
            return exp.predicted_counts(couplings=None)
        kwargs = {"couplings": None}
    got = np.asarray(benchmark(call))
    fn = exp.predicted_spectrum if case.startswith("predicted_spectrum") else (
        exp.predicted_counts)
    want = np.asarray(fn(form_factor=kwargs["ff"]) if "ff" in kwargs else fn(**kwargs))
    np.testing.assert_array_equal(got, want)


T_GE = np.linspace(1e-4, 2e-3, 200)


@pytest.mark.parametrize("case", ["recoil_spectrum 200 T, new Helm",
                                  "event_rate, new epsilon"])
def test_reactor(benchmark: Any, case: str) -> None:
    benchmark.group = "reactor x Ge, one call with a new parameter"
    benchmark.extra_info["impl"] = case
    helms = iter(_helms(50_000))
    last: dict[str, Any] = {}
    if case.startswith("recoil"):
        def call() -> Any:
            last["ff"] = next(helms)
            return coh.recoil_spectrum(REACTOR, "Ge", T_GE, form_factor=last["ff"])

        def again() -> Any:
            return coh.recoil_spectrum(REACTOR, "Ge", T_GE, form_factor=last["ff"])
    else:
        def call() -> Any:
            last["eps"] = 0.04 + _new()
            return coh.event_rate(REACTOR, "Ge", 1.0, 1.0, T_min=1e-4, epsilon=last["eps"])

        def again() -> Any:
            return coh.event_rate(REACTOR, "Ge", 1.0, 1.0, T_min=1e-4, epsilon=last["eps"])
    got = np.asarray(benchmark(call))
    coh.clear_caches()
    np.testing.assert_array_equal(got, np.asarray(again()))
