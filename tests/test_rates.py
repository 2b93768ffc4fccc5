"""Rates: Gauss-Legendre double integrals against nested scipy.quad, identities,
published magnitudes, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

import coherency as coh
from coherency import _flux_moments, _quadrature, rates, sources
from coherency.targets import nucleus

# Issue target: compiled double integrals agree with scipy.quad to 1e-8 relative.
RTOL = 1e-8

SOURCES = {
    "dar": sources.PionDAR.coherent_csi_2017(),
    "reactor": sources.Reactor(power_GW=2.9, distance_m=28.0),
    "solar-8B": sources.Solar(components=("8B", "hep")),
    "solar-all": sources.Solar(),
    "atmospheric": sources.Atmospheric(),
    "supernova": sources.Supernova(),
    "line": sources.Monochromatic(20.0, 3.0),
    "table": sources.Tabulated(np.linspace(1.0, 40.0, 14), np.exp(-np.linspace(1.0, 40.0, 14) / 9)),
}


def quad_flux_sigma(src, nuc, T_min: float) -> float:
    """Nested adaptive quadrature: int Phi(E) sigma(E) dE + lines, numpy backend
    (sigma itself by scipy.quad in q^2)."""
    E_thr = coh.E_min(T_min, nuc.mass) if T_min > 0 else 0.0
    bps = sorted(src.breakpoints)
    edges = sorted({max(E_thr, bps[0]), *(b for b in bps if b > E_thr)}) if bps else []
    total = 0.0
    with coh.use_backend("numpy"):
        f = lambda E: src.flux(E) * coh.sigma_total(E, nuc, T_min=T_min) if E > 0 else 0.0  # noqa: E731
        for a, b in zip(edges[:-1], edges[1:]):
            val, _ = integrate.quad(f, a, b, epsabs=0, epsrel=1e-11, limit=200)
            total += val
        for e, phi in src.lines:
            if e >= E_thr:
                total += phi * coh.sigma_total(e, nuc, T_min=T_min)
    return total


@pytest.mark.parametrize("name", list(SOURCES))
@pytest.mark.parametrize("frac", [0.0, 0.2, 0.9])
def test_flux_averaged_sigma_vs_quad(name: str, frac: float) -> None:
    src = SOURCES[name]
    nuc = nucleus("Ar40") if name in ("dar", "atmospheric") else nucleus("Xe132")
    E_top = src.E_max if name != "atmospheric" else 60.0
    T_min = frac * coh.T_max(E_top, nuc.mass)
    got = coh.flux_averaged_sigma(src, nuc, T_min=T_min)
    want = quad_flux_sigma(src, nuc, T_min) / src.total_flux
    assert got == pytest.approx(want, rel=RTOL, abs=0)


@pytest.mark.parametrize("name", ["dar", "reactor", "solar-8B", "line", "table", "supernova"])
def test_recoil_spectrum_vs_quad(name: str) -> None:
    src = SOURCES[name]
    tgt = coh.target("Ge76")
    nuc = tgt.components[0][0]
    per_kg = tgt.component_nuclei_per_kg()[0][1]
    T_top = coh.T_max(src.E_max, nuc.mass)
    T = np.array([0.01, 0.3, 0.7, 0.98]) * T_top
    time_s = 1.0 if src.is_fluence else 3.0  # a fluence holds its own exposure time
    got = coh.recoil_spectrum(src, tgt, T, mass_kg=2.0, time_s=time_s)
    for Ti, g in zip(T, got):
        E_lo = coh.E_min(Ti, nuc.mass)
        with coh.use_backend("numpy"):
            f = lambda E, Ti=Ti: src.flux(E) * coh.dsigma_dT(Ti, E, nuc)  # noqa: E731
            edges = sorted({E_lo, *(b for b in src.breakpoints if b > E_lo)})
            want = sum(integrate.quad(f, a, b, epsabs=0, epsrel=1e-11, limit=200)[0]
                       for a, b in zip(edges[:-1], edges[1:]))
            want += sum(phi * coh.dsigma_dT(Ti, e, nuc) for e, phi in src.lines if e >= E_lo)
        assert g == pytest.approx(want * per_kg * 2.0 * time_s, rel=RTOL)


def test_fluence_sources_refuse_a_run_time() -> None:
    """A fluence already holds the exposure: time_s other than 1 would over-count."""
    dar = sources.PionDAR.coherent_csi_2017()
    assert dar.is_fluence
    for call in (lambda: coh.event_rate(dar, "CsI", 14.6, 308.1 * 86400.0),
                 lambda: coh.recoil_spectrum(dar, "CsI", 1e-2, 14.6, 3600.0),
                 lambda: coh.q2_spectrum(dar, "CsI", 1e3, 14.6, 3600.0),
                 lambda: coh.event_rate(sources.Supernova(), "Xe", 1e3, 10.0)):
        with pytest.raises(ValueError, match="time_s: .* is a fluence .* time_s = 1"):
            call()
    steady = sources.PionDAR.coherent_csi_2017(exposure_time_s=308.1 * 86400.0)
    assert not steady.is_fluence
    n = coh.event_rate(steady, "CsI", 14.6, steady.counts_time_s, T_min=5e-3)
    assert n == pytest.approx(coh.event_rate(dar, "CsI", 14.6, 1.0, T_min=5e-3), rel=1e-12)


def test_event_rate_is_integral_of_spectrum() -> None:
    src = SOURCES["dar"]
    csi = coh.target("CsI")
    T_lo, T_hi = 5e-3, 40e-3
    got = coh.event_rate(src, csi, 14.6, 1.0, T_min=T_lo, T_max=T_hi)
    kinks = sorted(k for nuc, _ in csi.components for k in rates._kinks(src, nuc)
                   if T_lo < k < T_hi)
    want, _ = integrate.quad(lambda T: coh.recoil_spectrum(src, csi, T, 14.6), T_lo, T_hi,
                             points=kinks, epsabs=0, epsrel=1e-12, limit=400)
    assert got == pytest.approx(want, rel=RTOL)


def test_linearity_and_monochromatic_identity(backend: str) -> None:
    src = sources.Monochromatic(30.0, 2.0)
    ar = nucleus("Ar40")
    assert coh.flux_averaged_sigma(src, ar) == pytest.approx(coh.sigma_total(30.0, ar), rel=1e-14)
    n1 = coh.event_rate(src, ar, 1.0, 1.0)
    assert coh.event_rate(src, ar, 3.0, 5.0) == pytest.approx(15 * n1, rel=1e-14)
    both = src + sources.Monochromatic(30.0, 2.0)
    assert coh.event_rate(both, ar, 1.0, 1.0) == pytest.approx(2 * n1, rel=1e-13)
    # counts = N_T t phi sigma for a line
    per_kg = coh.target("Ar40").nuclei_per_kg
    assert n1 == pytest.approx(per_kg * 2.0 * coh.sigma_total(30.0, ar), rel=1e-10)


def test_efficiency_and_quenching(backend: str) -> None:
    src = SOURCES["dar"]
    ar = "Ar40"
    full = coh.event_rate(src, ar, 24.4, 1.0, T_min=20e-3)
    half = coh.event_rate(src, ar, 24.4, 1.0, T_min=20e-3,
                          efficiency=lambda T: 0.5 * np.ones_like(T))
    assert half == pytest.approx(0.5 * full, rel=1e-13)
    qf = 0.25
    ee = coh.event_rate(src, ar, 24.4, 1.0, T_min=qf * 20e-3, quenching=qf, energy_scale="ee")
    assert ee == pytest.approx(full, rel=1e-12)
    with pytest.raises(ValueError, match="needs quenching"):
        coh.event_rate(src, ar, 1.0, 1.0, energy_scale="ee")


def test_q2_fwhm_and_max_q2(backend: str) -> None:
    src = sources.PionDAR.coherent_csi_2017()
    xe = "CsI-as-Xe"
    q2max = coh.max_q2(src, xe)
    mmu = 105.6583755
    M = nucleus("Xe132").mass
    assert q2max == pytest.approx(4 * (mmu / 2) ** 2 * M / (M + mmu), rel=1e-12)
    lo, hi = coh.q2_fwhm(src, xe, T_min=5e-3)
    dens = lambda q2: coh.q2_spectrum(src, xe, q2)  # noqa: E731
    peak = max(dens(np.linspace(lo, hi, 400)))
    assert dens(lo) == pytest.approx(0.5 * peak, rel=1e-6) or lo == pytest.approx(2 * M * 5e-3)
    assert dens(hi) == pytest.approx(0.5 * peak, rel=1e-6)
    assert lo < hi < q2max


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: coh.flux_averaged_sigma(SOURCES["dar"], "Xe", T_min=-1.0), "T_min must be >= 0"),
        (lambda: coh.flux_averaged_sigma("dar", "Xe"), "source must be"),
        (lambda: coh.recoil_spectrum(SOURCES["dar"], "Xe", [1e-3, float("nan")]),
         "T must not be NaN"),
        (lambda: coh.event_rate(SOURCES["dar"], "Xe", -1.0, 1.0), "mass_kg must be >= 0"),
        (lambda: coh.event_rate(SOURCES["dar"], "Xe", 1.0, 1.0, T_min=2e-3, T_max=1e-3),
         "T_max must be >= T_min"),
        (lambda: coh.event_rate(SOURCES["dar"], "Xe", 1.0, 1.0, energy_scale="keV"),
         "energy_scale must be one of"),
        (lambda: coh.q2_fwhm(SOURCES["reactor"], "Xe", T_min=1.0), "above every recoil"),
        (lambda: coh.event_rate(SOURCES["dar"], "Xe", 1.0, 1.0,
                                efficiency=lambda T: 2 * np.ones_like(T)), "efficiency"),
    ],
)
def test_bad_input(call, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_threshold_above_reach_gives_zero(backend: str) -> None:
    # zero, and a warning of the package's own category that says why
    src = SOURCES["reactor"]
    with pytest.warns(coh.KinematicReachWarning, match="flux_averaged_sigma.*T_max"):
        assert coh.flux_averaged_sigma(src, "Xe132", T_min=1.0) == 0.0
    with pytest.warns(coh.KinematicReachWarning, match="event_rate.*1000 keVnr"):
        assert coh.event_rate(src, "Xe132", 1.0, 1.0, T_min=1.0) == 0.0
    # on the electron-equivalent scale too (0.5 MeVee is far above any reactor recoil)
    with pytest.warns(coh.KinematicReachWarning, match="event_rate"):
        assert coh.event_rate(src, "Xe132", 1.0, 1.0, T_min=0.5, quenching=0.2,
                              energy_scale="ee") == 0.0
    assert issubclass(coh.KinematicReachWarning, coh.CoherencyWarning)
    # the package's own loops over bins above the reach stay quiet, and only inside
    import warnings

    from coherency._warnings import expected_zeros

    with warnings.catch_warnings():
        warnings.simplefilter("error", coh.KinematicReachWarning)
        with expected_zeros():
            assert coh.event_rate(src, "Xe132", 1.0, 1.0, T_min=1.0) == 0.0
    with pytest.warns(coh.KinematicReachWarning):
        coh.event_rate(src, "Xe132", 1.0, 1.0, T_min=1.0)
    # a spectrum is zero above the reach by definition: no warning there
    assert coh.recoil_spectrum(src, "Xe132", 1.0) == 0.0


def test_threshold_below_reach_does_not_warn(backend: str) -> None:
    import warnings

    src = SOURCES["reactor"]
    reach = float(coh.T_max(src.E_max, "Xe132"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", coh.CoherencyWarning)
        assert coh.event_rate(src, "Xe132", 1.0, 1.0, T_min=0.5 * reach) > 0.0
        # an empty window (T_max = T_min) is zero without being beyond the reach
        assert coh.event_rate(src, "Xe132", 1.0, 1.0, T_min=0.5 * reach,
                              T_max=0.5 * reach) == 0.0


def test_flux_moments_near_zero_energy() -> None:
    """F2(x) = int_x Phi/E^2 dE for a spectrum that starts at E = 0 with Phi(0) > 0 (a
    reactor): near x -> 0 F2 ~ Phi(0)/x spans decades over [x, b]. The direct rule
    used there must split [x, b] geometrically (one rule gave 73 % low at 1e-4 MeV).
    Reference: the energy rule, which splits every interval wider than x4."""
    src = sources.Reactor(power_GW=2.9, distance_m=28.0)
    bps = sorted(src.breakpoints)
    x = np.array([1e-6, 1e-4, 1e-2, 0.3])
    F0, F2 = _flux_moments.flux_moments(src, x)
    for xi, f0, f2 in zip(x, F0, F2):
        want0 = want2 = 0.0
        for a, b in zip(bps[:-1], bps[1:]):
            if b > xi:
                nodes, w = _quadrature.energy_rule_between(src, max(a, xi), b)
                want0 += float(np.sum(w))
                want2 += float(np.sum(w / nodes**2))
        assert f0 == pytest.approx(want0, rel=1e-13)
        assert f2 == pytest.approx(want2, rel=1e-13)
