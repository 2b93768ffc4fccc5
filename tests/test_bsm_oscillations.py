"""Oscillations between source and detector (docs/physics.md §13.8, §13.9)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

import coherency as coh
from coherency import bsm, sources

DAR = sources.PionDAR.coherent_csi_2017()
SUN = sources.Solar(components=("8B", "hep", "7Be"))


def test_active_oscillations_leave_tree_level_rates_unchanged(backend: str) -> None:
    # CEvNS is flavour-blind at tree level: nu_e -> nu_mu, nu_tau changes nothing
    sun = bsm.Oscillated(SUN, bsm.SolarMSW())
    total = sum(w * p.total_flux for _, p, w in sun.flavour_components())
    assert total == pytest.approx(SUN.total_flux, rel=1e-12)
    a = coh.event_rate(SUN, "Xe", 1000.0, 3.15e7, T_min=1e-3)
    b = coh.event_rate(sun, "Xe", 1000.0, 3.15e7, T_min=1e-3)
    assert b == pytest.approx(a, rel=1e-12)
    T = np.geomspace(1e-4, 3e-3, 5)
    np.testing.assert_allclose(coh.recoil_spectrum(sun, "Xe", T), coh.recoil_spectrum(SUN, "Xe", T),
                               rtol=1e-12, atol=0)
    # with flavour-dependent couplings, the flavours that arrive matter: nu_mu and nu_tau
    # have a smaller g_V^p, a larger |Q| (docs/physics.md §9)
    pdg = coh.event_rate(SUN, "Xe", 1000.0, 3.15e7, T_min=1e-3, couplings="pdg")
    pdg_osc = coh.event_rate(sun, "Xe", 1000.0, 3.15e7, T_min=1e-3, couplings="pdg")
    assert 1.0 < pdg_osc / pdg < 1.05


def test_solar_survival_probability() -> None:
    msw = bsm.SolarMSW()
    s12, s13 = 0.303, 0.02203
    # vacuum limit (low energy): P = cos^4 th13 (1 - sin^2 2th12 / 2) + sin^4 th13
    vac = (1 - s13) ** 2 * (1 - 2 * s12 * (1 - s12)) + s13**2
    assert float(msw.p_ee(1e-9)) == pytest.approx(vac, rel=1e-9)
    # high energy (beta >> 1): P_2 -> sin^2 th12
    assert float(msw.p_ee(1e4)) == pytest.approx((1 - s13) ** 2 * s12 + s13**2, rel=1e-3)
    # measured 8B survival at ~10 MeV: ~0.3 (Borexino, SNO, Super-Kamiokande)
    assert 0.29 < float(msw.p_ee(10.0)) < 0.34
    # the electron density that sets the MSW resonance: beta = 1 at E ~ 2 MeV near the
    # centre of the Sun (sqrt(2) G_F n_e = 7.63e-14 eV per N_A cm^-3)
    v = 7.63e-14 * 100.0
    e_res = (1 - 2 * s12) * 7.41e-5 / (2 * v * (1 - s13)) / 1e6
    # at the resonance cos 2theta12^m = 0: P_2 = 1/2
    assert float(msw.p_ee(e_res)) == pytest.approx((1 - s13) ** 2 * 0.5 + s13**2, rel=2e-3)


def test_sterile_disappearance_against_its_formula(backend: str) -> None:
    osc = bsm.SterileOscillation(1.3, 0.2, flavours=("mu",))
    L = 19.3
    line = sources.Monochromatic(30.0, 1.0, flavour="numu")
    seen = bsm.Oscillated(line, osc, distance_m=L)
    p = 1 - 0.2 * math.sin(1.26693 * 1.3 * L / 30.0) ** 2
    assert seen.total_flux == pytest.approx(p, rel=1e-5)
    assert coh.flux_averaged_sigma(seen, "Ar") * seen.total_flux == pytest.approx(
        p * coh.flux_averaged_sigma(line, "Ar"), rel=1e-12)
    # averaged over the extent w: <sin^2> = 1/2 - cos(2 k L) sin(k w)/(2 k w)
    w = 2.0
    k = 1.26693 * 1.3 / 30.0
    avg = integrate.quad(lambda x: math.sin(k * x) ** 2, L - w / 2, L + w / 2)[0] / w
    smeared = bsm.Oscillated(line, osc, distance_m=L, spread_m=w)
    assert smeared.total_flux == pytest.approx(1 - 0.2 * avg, rel=1e-5)
    # fast oscillations average to 1 - sin^2 2theta / 2
    fast = bsm.Oscillated(DAR, bsm.SterileOscillation(1e4, 0.2), spread_m=1.0)
    r = coh.event_rate(fast, "CsI", 14.6, 1.0, T_min=5e-3) / coh.event_rate(
        DAR, "CsI", 14.6, 1.0, T_min=5e-3)
    assert r == pytest.approx(0.9, rel=1e-4)


def test_oscillations_and_flavour_dependent_models(backend: str) -> None:
    # an NSI of nu_e only: nu_e that arrive as nu_mu no longer see it
    nsi = bsm.NSI(eps_uV={("e", "e"): 0.3})
    sun = bsm.Oscillated(SUN, bsm.SolarMSW())
    base = coh.event_rate(sun, "Xe", 1000.0, 3.15e7, T_min=1e-3)
    full = coh.event_rate(SUN, "Xe", 1000.0, 3.15e7, T_min=1e-3, model=nsi) - coh.event_rate(
        SUN, "Xe", 1000.0, 3.15e7, T_min=1e-3)
    osc = coh.event_rate(sun, "Xe", 1000.0, 3.15e7, T_min=1e-3, model=nsi) - base
    assert 0.25 < osc / full < 0.45  # the nu_e share above threshold (P_ee at 8B energies)


@pytest.mark.parametrize("make,match", [
    (lambda: bsm.SterileOscillation(1.0, 1.5), "sin2_2theta"),
    (lambda: bsm.SterileOscillation(1.0, -0.1), "sin2_2theta"),
    (lambda: bsm.SterileOscillation(-1.0, 0.1), "dm2_eV2"),
    (lambda: bsm.SterileOscillation(1.0, 0.1, flavours=("x",)), "flavours"),
    (lambda: bsm.SolarMSW(sin2_theta12=1.2), "sin2_theta12"),
    (lambda: bsm.SolarMSW(dm2_21_eV2=0.0), "dm2_21_eV2"),
    (lambda: bsm.Oscillated(SUN, bsm.SterileOscillation(1.0, 0.1)), "distance_m"),
    (lambda: bsm.Oscillated(DAR, bsm.SterileOscillation(1.0, 0.1), spread_m=-1.0), "spread_m"),
    (lambda: bsm.Oscillated(DAR, "3+1"), "oscillation"),
    (lambda: bsm.Oscillated(sources.Monochromatic(10.0, 1.0), bsm.SolarMSW()), "flavour"),
])
def test_bad_oscillations_are_refused(make, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        make()
