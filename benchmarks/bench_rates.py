"""Rate integrals: compiled vs numpy twin vs scipy dblquad, in the same run.

Groups
------
* ``<sigma> PionDAR x CsI``: :func:`coherency.flux_averaged_sigma` for the COHERENT
  CsI 2017 source (prompt line + delayed continuum) on real CsI (Cs133 + I127), with
  its cache of results emptied before each call (the rules and form-factor parameters
  stay cached; bench_parameters.py times the other cases):
  compiled, numpy twin, and a plain scipy baseline, ``scipy.integrate.dblquad`` of
  Phi(E) dsigma/dq^2 over (E, q^2) with ``epsabs=0, epsrel=1e-10`` (plus ``quad`` in q^2
  for the line), Helm written with ``math`` functions.
* ``event_rate Reactor x Ge``: :func:`coherency.event_rate` (2.9 GW at 28 m, natural
  Ge, T_min = 0.1 keV, 1 kg day): compiled, twin, and dblquad of Phi dsigma/dT over (E, T)
  with ``epsabs=0, epsrel=1e-10`` per isotope and per smooth interval of the spectrum.
* ``recoil_spectrum 1000 T``: dN/dT of PionDAR x CsI on 1000 recoil energies, compiled
  vs twin.
* ``threads``: <sigma> Solar x Xe (9 isotopes) and a 1e5-point spectrum with
  n_threads = 1, 2 (the package's thread pool; bench_threads.py measures it with a
  busy core too).

Every case checks its answer (twin and dblquad against compiled at 1e-8, the issue-4
accuracy); no time is asserted. Run:
    pytest benchmarks/bench_rates.py --benchmark-only --benchmark-group-by=group
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate

import coherency as coh
from coherency import sources
from coherency.constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2, EPSILON_DEFAULT, HBARC_MEV_FM

DAR = sources.PionDAR.coherent_csi_2017()
REACTOR = sources.Reactor(power_GW=2.9, distance_m=28.0)
T_GE = 1e-4  # MeV
EPSREL = 1e-10
RTOL_CHECK = 1e-8


def _helm_math(q: float, A: float) -> float:
    r0 = math.sqrt((1.2 * A ** (1 / 3)) ** 2 - 5 * 0.25) / HBARC_MEV_FM
    s = 0.5 / HBARC_MEV_FM
    x = q * r0
    f = 1.0 - x * x / 10.0 if x < 1e-4 else 3.0 * (math.sin(x) - x * math.cos(x)) / x**3
    return f * math.exp(-0.5 * (q * s) ** 2)


def _dsigma_dq2(q2: float, E: float, nuc: Any) -> float:
    f = _helm_math(math.sqrt(q2), nuc.A)
    amp = EPSILON_DEFAULT * nuc.Z * f - nuc.N * f
    return DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 * (1.0 - q2 / (4 * E * E)) * amp * amp


def _q2max(E: float, M: float) -> float:
    return 4 * E * E * M / (M + 2 * E)


def dblquad_sigma(src: Any, target: str) -> float:
    """<sigma> by scipy.dblquad (continuum) + quad (lines), scalar Python integrand."""
    total = 0.0
    bps = list(src.breakpoints)
    for nuc, frac in coh.target(target).components:
        M = nuc.mass
        acc = 0.0
        for a, b in zip(bps[:-1], bps[1:]):
            val, _ = integrate.dblquad(
                lambda q2, E, nuc=nuc: float(src.flux(E)) * _dsigma_dq2(q2, E, nuc),
                a, b, 0.0, lambda E, M=M: _q2max(E, M), epsabs=0, epsrel=EPSREL)
            acc += val
        for e, phi in src.lines:
            acc += phi * integrate.quad(lambda q2, e=e, nuc=nuc: _dsigma_dq2(q2, e, nuc),
                                        0.0, _q2max(e, M),
                                        epsabs=0, epsrel=EPSREL)[0]
        total += frac * acc
    return total / src.total_flux


def dblquad_event_rate(src: Any, target: str, T_min: float, mass_kg: float, time_s: float) -> float:
    """Counts by scipy.dblquad over (E, T) per isotope and smooth interval of Phi."""
    total = 0.0
    bps = list(src.breakpoints)
    for nuc, per_kg in coh.target(target).component_nuclei_per_kg():
        M = nuc.mass
        E_thr = coh.E_min(T_min, M)
        for a, b in zip(bps[:-1], bps[1:]):
            a = max(a, E_thr)
            if not b > a:
                continue
            val, _ = integrate.dblquad(
                lambda T, E, M=M, nuc=nuc: (float(src.flux(E)) * 2 * M
                                            * _dsigma_dq2(2 * M * T, E, nuc)),
                a, b, T_min, lambda E, M=M: 2 * E * E / (M + 2 * E), epsabs=0, epsrel=EPSREL)
            total += per_kg * val
    return total * mass_kg * time_s


def _sigma(*args: Any, **kwargs: Any) -> float:
    """flux_averaged_sigma without its cache of results (what it computes)."""
    from coherency import rates

    rates._SIGMA_RESULTS.clear()
    return coh.flux_averaged_sigma(*args, **kwargs)


def _bench(benchmark: Any, impl: str, fn: Any, slow: bool = False) -> Any:
    benchmark.extra_info["impl"] = impl
    if impl in ("compiled", "numpy"):
        with coh.use_backend(impl):
            if slow:
                return benchmark.pedantic(fn, rounds=3, iterations=1)
            return benchmark(fn)
    return benchmark.pedantic(fn, rounds=1, iterations=1)


@pytest.mark.parametrize("impl", ["compiled", "numpy", "dblquad"])
def test_flux_averaged_sigma(benchmark: Any, impl: str) -> None:
    benchmark.group = "<sigma> PionDAR x CsI"
    benchmark.extra_info["n"] = 1
    if impl == "dblquad":
        got = _bench(benchmark, impl, lambda: dblquad_sigma(DAR, "CsI"))
    else:
        got = _bench(benchmark, impl, lambda: _sigma(DAR, "CsI"))
    with coh.use_backend("compiled"):
        want = coh.flux_averaged_sigma(DAR, "CsI")
    assert got == pytest.approx(want, rel=RTOL_CHECK)


@pytest.mark.parametrize("impl", ["compiled", "numpy", "dblquad"])
def test_event_rate(benchmark: Any, impl: str) -> None:
    benchmark.group = "event_rate Reactor x Ge"
    benchmark.extra_info["n"] = 1
    args = (REACTOR, "Ge", 1.0, 86400.0)
    if impl == "dblquad":
        got = _bench(benchmark, impl, lambda: dblquad_event_rate(REACTOR, "Ge", T_GE, 1.0, 86400.0))
    else:
        got = _bench(benchmark, impl, lambda: coh.event_rate(*args, T_min=T_GE),
                     slow=impl == "numpy")
    with coh.use_backend("compiled"):
        want = coh.event_rate(*args, T_min=T_GE)
    assert got == pytest.approx(want, rel=RTOL_CHECK)


T_GRID = np.linspace(1e-4, 0.03, 1000)


@pytest.mark.parametrize("impl", ["compiled", "numpy"])
def test_recoil_spectrum(benchmark: Any, impl: str) -> None:
    benchmark.group = "recoil_spectrum 1000 T"
    benchmark.extra_info["n"] = T_GRID.size
    got = _bench(benchmark, impl, lambda: coh.recoil_spectrum(DAR, "CsI", T_GRID))
    with coh.use_backend("numpy"):
        want = coh.recoil_spectrum(DAR, "CsI", T_GRID)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("case", ["<sigma> Solar x Xe", "recoil_spectrum 1e5 T"])
def test_threads(benchmark: Any, case: str, n_threads: int) -> None:
    benchmark.group = f"threads {case}"
    benchmark.extra_info["n_threads"] = n_threads
    if case.startswith("<sigma>"):
        src = sources.Solar()
        fn = lambda nt: _sigma(src, "Xe", n_threads=nt)  # noqa: E731
    else:
        T = np.linspace(1e-5, 0.03, 100_000)
        fn = lambda nt: coh.recoil_spectrum(DAR, "CsI", T, n_threads=nt)  # noqa: E731
    with coh.use_backend("compiled"):
        got = benchmark(lambda: fn(n_threads))
        assert np.array_equal(np.asarray(got), np.asarray(fn(1)))
