"""Couplings in the cross sections and rates: flavour parts of sources, radiatively
corrected and running couplings, measured nuclear radii (docs/physics.md §3.2, §9)."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

import coherency as coh
from coherency import nuclear_radii, sources
from coherency.constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 as PREF
from coherency.form_factors import MeasuredRadius, NuclearFormFactors

DAR = sources.PionDAR.coherent_csi_2017()
ALL_SOURCES = [DAR, sources.Reactor(3.6, 20.7), sources.Solar(), sources.Atmospheric(),
               sources.Supernova(), sources.Monochromatic(20.0, 3.0, flavour="numubar"),
               sources.Tabulated([1.0, 5.0, 9.0], [1.0, 2.0, 0.5], flavour="nutau")]


@pytest.mark.parametrize("src", ALL_SOURCES, ids=lambda s: s.name)
def test_flavour_parts_add_up_to_the_source(src: sources.Source) -> None:
    parts = src.flavour_components()
    total = sum(w * p.total_flux for _, p, w in parts)
    assert total == pytest.approx(src.total_flux, rel=1e-12)
    E = np.linspace(0.1, 60.0, 37)
    flux = sum(w * np.asarray(p.flux(E)) for _, p, w in parts)
    np.testing.assert_allclose(flux, src.flux(E), rtol=1e-13, atol=0)
    for name, _, _ in parts:
        assert coh.couplings.flavour_of(name) in ("e", "mu", "tau")


def test_tree_couplings_are_the_default_bit_for_bit(backend: str) -> None:
    for kw in ({}, {"form_factor": "helm-measured"}):
        a = coh.flux_averaged_sigma(DAR, "CsI", T_min=5e-3, **kw)
        b = coh.flux_averaged_sigma(DAR, "CsI", T_min=5e-3, couplings="tree", **kw)
        assert a == b
        T = np.array([2e-3, 1e-2, 3e-2])
        np.testing.assert_array_equal(coh.recoil_spectrum(DAR, "Ar", T, **kw),
                                      coh.recoil_spectrum(DAR, "Ar", T, couplings="tree", **kw))
    assert coh.sigma_total(30.0, "Xe", couplings="tree", flavour="e") == coh.sigma_total(
        30.0, "Xe")


def test_pdg_cross_section_against_the_formula(backend: str) -> None:
    # F = 1: sigma(E) = pref Gamma (q2max - q2max^2/(8 E^2)), Gamma = 4 (Z g_p + N g_n)^2
    # with the PDG couplings typed here (Erler & Su: g_V^n = -0.5117, g_V^p(nu_mu) =
    # 0.0298, nu_e 0.0298 + 0.0196964 - 0.0114381).
    nuc = coh.nucleus("Ar40")
    E = 30.0
    q2max = 4 * E * E * nuc.mass / (nuc.mass + 2 * E)
    for flavour, g_p in (("mu", 0.0298), ("e", 0.0298 + 0.0196964 - 0.0114381)):
        gamma = 4 * (18 * g_p + 22 * -0.5117) ** 2
        want = PREF * gamma * (q2max - q2max**2 / (8 * E * E))
        got = coh.sigma_total(E, nuc, form_factor="unity", couplings="pdg", flavour=flavour)
        assert got == pytest.approx(want, rel=1e-13)
        line = sources.Monochromatic(E, 1.0, flavour="nu" + flavour)
        assert coh.flux_averaged_sigma(line, nuc, form_factor="unity",
                                       couplings="pdg") == pytest.approx(want, rel=1e-13)


def test_pdg_rates_sum_the_flavours(backend: str) -> None:
    # <sigma> of the DAR source = sum over its parts of (part flux x part <sigma>)
    want = sum(w * p.total_flux * coh.flux_averaged_sigma(
        p, "CsI", couplings="pdg") for _, p, w in DAR.flavour_components()) / DAR.total_flux
    assert coh.flux_averaged_sigma(DAR, "CsI", couplings="pdg") == pytest.approx(want, rel=1e-14)
    # radiative corrections raise the SNS cross section on CsI by 1-3 %
    ratio = coh.flux_averaged_sigma(DAR, "CsI", couplings="pdg") / coh.flux_averaged_sigma(
        DAR, "CsI")
    assert 1.01 < ratio < 1.03
    # batch API: the same flavour sum
    b = coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=[1.0], couplings="pdg")
    assert b[0] == pytest.approx(coh.flux_averaged_sigma(DAR, "CsI", couplings="pdg"),
                                 rel=1e-12)
    n = coh.batch_event_counts(DAR, "Ar", 24.4, 1.0, T_min=[5e-3], couplings="pdg")
    assert n[0] == pytest.approx(coh.event_rate(DAR, "Ar", 24.4, 1.0, T_min=5e-3,
                                                couplings="pdg"), rel=1e-8)


def _vp(x: float) -> float:
    with mp.workdps(30):
        return float(-2 * mp.quad(lambda z: z * (1 - z) * mp.log1p(x * z * (1 - z)), [0, 1]))


@pytest.mark.parametrize("T", [1e-4, 3e-3, 2e-2])
def test_tomalak_running_dsigma_dT(T: float, backend: str) -> None:
    # dsigma/dT = 2M pref (1 - M T/2E^2) 4 [Z g_p(q) F_Z - ... ]^2 with F = 1, g_p(q)
    # built here from the vacuum polarisation integral (independent of the module)
    nuc = coh.nucleus("Xe132")
    E = 40.0
    q = math.sqrt(2 * nuc.mass * T)
    alpha_pi = 7.2973525693e-3 / math.pi
    masses = {"e": 0.51099895, "mu": 105.6583755, "tau": 1776.93}
    g_p = 0.0298 + 0.0196964 - 0.0114381 + sum(
        alpha_pi * ((1.0 if f == "e" else 0.0) - 0.5 + 2 * 0.23129) * _vp((q / m) ** 2)
        for f, m in masses.items())
    gamma = 4 * (54 * g_p - 78 * 0.5117) ** 2
    want = 2 * nuc.mass * PREF * (1 - nuc.mass * T / (2 * E * E)) * gamma
    got = coh.dsigma_dT(T, E, nuc, form_factor="unity", couplings="tomalak", flavour="e")
    assert got == pytest.approx(want, rel=1e-10)


def test_measured_radii_form_factors() -> None:
    cs = coh.nucleus("Cs133")
    ffs = NuclearFormFactors.measured()
    assert ffs.proton.rms_radius_fm(cs) == pytest.approx(nuclear_radii.proton_radius_fm(cs))
    assert ffs.neutron.rms_radius_fm(cs) == pytest.approx(nuclear_radii.neutron_radius_fm(cs))
    # the rms radius from the slope at q -> 0: F = 1 - q^2 <r^2>/6 + ...
    for ff in (ffs.proton, ffs.neutron, MeasuredRadius("klein-nystrand", "neutron"),
               MeasuredRadius("symmetrized-fermi")):
        def r2(q: float, ff=ff) -> float:  # 6 (1 - F)/q^2 = <r^2> - c q^2 + ...
            return 6 * (1 - ff(q, cs)) / (q / 197.3269804) ** 2
        r2_0 = (4 * r2(0.5) - r2(1.0)) / 3  # Richardson: the q^2 term cancels
        assert math.sqrt(r2_0) == pytest.approx(ff.rms_radius_fm(cs), rel=1e-6)
    # F_Z != F_N in the rates: a larger neutron radius suppresses more
    src = sources.Monochromatic(40.0, 1.0)
    same = coh.flux_averaged_sigma(src, cs, form_factor=(ffs.proton, ffs.proton))
    skin = coh.flux_averaged_sigma(src, cs, form_factor="helm-measured")
    assert skin < same
    zero_skin = NuclearFormFactors.measured(skin_fm=0.0)
    assert coh.flux_averaged_sigma(src, cs, form_factor=zero_skin) == pytest.approx(
        same, rel=1e-14)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="flavour"):
        coh.sigma_total(30.0, "Ar", couplings="pdg")
    with pytest.raises(ValueError, match="epsilon"):
        coh.sigma_total(30.0, "Ar", couplings="pdg", flavour="e", epsilon=0.05)
    with pytest.raises(ValueError, match="couplings"):
        coh.flux_averaged_sigma(DAR, "Ar", couplings="loop")
    with pytest.raises(ValueError, match="flavour"):
        coh.flux_averaged_sigma(sources.Monochromatic(30.0), "Ar", couplings="pdg")
    with pytest.raises(ValueError, match="flavour"):
        sources.Monochromatic(30.0, flavour="nu_x")
    with pytest.raises(ValueError, match="couplings"):
        coh.batch_flux_averaged_sigma(DAR, "Ar", couplings="tomalak")
    with pytest.raises(ValueError, match="sin2_theta_w"):
        coh.batch_flux_averaged_sigma(DAR, "Ar", couplings="pdg", sin2_theta_w=[0.23])
    with pytest.raises(ValueError, match="nucleus"):
        MeasuredRadius()(0.1, 40.0)
    with pytest.raises(ValueError, match="skin_fm"):
        MeasuredRadius("helm", "proton", skin_fm=0.1)
    with pytest.raises(ValueError, match="model"):
        MeasuredRadius("gauss")
