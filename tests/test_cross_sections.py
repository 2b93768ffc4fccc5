"""Cross sections: analytic limits, identities, scipy.quad references, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import coherency as coh
from coherency import _backend
from coherency.constants import (
    EPSILON_DEFAULT,
    EPSILON_SHARMA_WONG,
    FERMI_CONSTANT_PER_MEV2,
    HBARC2_MEV2_CM2,
)
from coherency.form_factors import Helm, NuclearFormFactors
from coherency.targets import Nucleus, nucleus

EPS = np.finfo(float).eps


def analytic_sigma(E: float, Z: int, N: int, eps: float) -> float:
    """sigma = G_F^2 Q_W^2 E^2 / (4 pi) for F = 1, T_min = 0, M -> infinity."""
    return FERMI_CONSTANT_PER_MEV2**2 * (N - eps * Z) ** 2 * E**2 / (4 * math.pi) * HBARC2_MEV2_CM2


@pytest.mark.parametrize("E", [0.5, 10.0, 50.0, 300.0])
def test_infinite_mass_limit(backend: str, E: float) -> None:
    heavy = Nucleus(Z=54, N=78, mass=1e15)
    got = coh.sigma_total(E, heavy, form_factor="unity")
    # Finite-mass corrections are O(E/M) = 3e-13 at most; the rest is rounding.
    assert got == pytest.approx(analytic_sigma(E, 54, 78, EPSILON_DEFAULT), rel=1e-12)


def test_finite_mass_closed_form(backend: str) -> None:
    # F = 1: sigma = pref Q^2 [q2max - q2max^2/(8 E^2)] exactly (integral of Eq. 1).
    xe = nucleus("Xe132")
    E = np.array([1.0, 10.0, 50.0])
    q2max = 4 * E**2 * xe.mass / (xe.mass + 2 * E)
    pref = 0.5 * FERMI_CONSTANT_PER_MEV2**2 / (4 * math.pi) * HBARC2_MEV2_CM2
    want = pref * (xe.N - EPSILON_SHARMA_WONG * xe.Z) ** 2 * (q2max - q2max**2 / (8 * E**2))
    got = coh.sigma_total(E, xe, form_factor="unity", epsilon=EPSILON_SHARMA_WONG)
    np.testing.assert_allclose(got, want, rtol=20 * EPS)


def test_dsigma_dT_is_2M_dsigma_dq2(backend: str) -> None:
    ge = nucleus("Ge74")
    T = np.linspace(0, 2e-3, 11)
    E = 8.0
    lhs = coh.dsigma_dT(T, E, ge)
    rhs = 2 * ge.mass * coh.dsigma_dq2(2 * ge.mass * T, E, ge)
    np.testing.assert_allclose(lhs, rhs, rtol=4 * EPS)


def test_textbook_form(backend: str) -> None:
    # dsigma/dT = G_F^2 M/(4 pi) Q_W^2 (1 - M T / 2 E^2) F^2 (docs/physics.md §1).
    ar = nucleus("Ar40")
    T, E = 20e-3, 30.0
    q = math.sqrt(2 * ar.mass * T)
    F = coh.helm_form_factor(q, ar.A)
    qw2 = (ar.N - EPSILON_DEFAULT * ar.Z) ** 2
    want = (FERMI_CONSTANT_PER_MEV2**2 * ar.mass / (4 * math.pi) * qw2
            * (1 - ar.mass * T / (2 * E**2)) * F**2 * HBARC2_MEV2_CM2)
    assert coh.dsigma_dT(T, E, ar) == pytest.approx(want, rel=8 * EPS)


def test_outside_kinematics_is_zero(backend: str) -> None:
    xe = nucleus("Xe132")
    E = 10.0
    q2max = 4 * E**2 * xe.mass / (xe.mass + 2 * E)
    vals = coh.dsigma_dq2(np.array([0.5 * q2max, q2max, q2max * (1 + 1e-12), 1e6]), E, xe)
    assert vals[0] > 0 and vals[1] > 0
    assert vals[2] == 0.0 and vals[3] == 0.0
    # a threshold above T_max gives sigma = 0, not an error
    T_max = 2 * E**2 / (xe.mass + 2 * E)
    assert coh.sigma_total(E, xe, T_min=1.0001 * T_max) == 0.0
    assert coh.sigma_total(E, xe, T_min=0.999 * T_max) > 0.0


@pytest.mark.parametrize(
    "ff",
    ["helm", "lewin-smith", "klein-nystrand", "symmetrized-fermi", "unity"],
)
@pytest.mark.parametrize("name", ["Ar40", "Ge72", "Xe132", "Na23"])
def test_sigma_total_compiled_vs_quad(ff: str, name: str) -> None:
    if not _backend.compiled_available():
        pytest.skip("compiled extension not built")
    # Energies from reactor to atmospheric, thresholds from 0 to near T_max.
    nuc = nucleus(name)
    E = np.array([3.0, 10.0, 29.79, 52.8, 150.0, 600.0])
    T_max = 2 * E**2 / (nuc.mass + 2 * E)
    for frac in (0.0, 0.3, 0.97):
        with coh.use_backend("compiled"):
            fast = coh.sigma_total(E, nuc, T_min=frac * T_max, form_factor=ff)
        with coh.use_backend("numpy"):  # scipy.quad, epsabs=0, epsrel=1e-13
            slow = coh.sigma_total(E, nuc, T_min=frac * T_max, form_factor=ff)
        np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=0)


def test_target_average_and_csi(backend: str) -> None:
    E = np.array([20.0, 40.0])
    csi = coh.target("CsI")
    per = sum(f * coh.sigma_total(E, n) for n, f in csi.components)
    np.testing.assert_allclose(coh.sigma_total(E, csi), per, rtol=4 * EPS)
    # "CsI as Xe" (Sharma & Wong) differs from real Cs + I by a few percent only.
    ratio = coh.sigma_total(E, "CsI-as-Xe") / coh.sigma_total(E, csi)
    assert np.all(np.abs(ratio - 1) < 0.1)


def test_alpha_mode(backend: str) -> None:
    xe = nucleus("Xe132")
    E, q2 = 30.0, np.array([10.0, 1e3])
    full = coh.dsigma_dq2(q2, E, xe, form_factor="unity")
    np.testing.assert_allclose(coh.dsigma_dq2(q2, E, xe, alpha=1.0), full, rtol=2 * EPS)
    dec = coh.dsigma_dq2(q2, E, xe, alpha=0.0)
    xi_dec = (EPSILON_DEFAULT**2 * xe.Z + xe.N) / (EPSILON_DEFAULT * xe.Z - xe.N) ** 2
    np.testing.assert_allclose(dec / full, xi_dec, rtol=4 * EPS)
    alphas = np.array([0.0, 0.25, 1.0])
    s = coh.sigma_total(E, xe, alpha=alphas)
    assert s.shape == (3,) and np.all(np.diff(s) > 0)


def test_callable_and_skin(backend: str) -> None:
    xe = nucleus("Xe132")
    E = np.array([15.0, 45.0])
    helm = Helm()
    as_callable = lambda q: coh.helm_form_factor(q, xe.A)  # noqa: E731
    np.testing.assert_allclose(
        coh.sigma_total(E, xe, form_factor=as_callable),
        coh.sigma_total(E, xe, form_factor=helm), rtol=1e-12,
    )
    skin = NuclearFormFactors.with_neutron_skin(helm, xe.A, 0.2)
    assert skin.neutron.rms_radius_fm(xe.A) == pytest.approx(helm.rms_radius_fm(xe.A) + 0.2)
    # A larger neutron radius suppresses the (neutron-dominated) cross section more.
    assert np.all(coh.sigma_total(E, xe, form_factor=skin) < coh.sigma_total(E, xe))


@settings(max_examples=25, deadline=None)
@given(E=st.floats(1.0, 100.0), frac=st.floats(0.0, 0.99),
       A=st.sampled_from(["Ar40", "Xe132", "Ge76"]))
def test_sigma_decreasing_in_threshold(E: float, frac: float, A: str) -> None:
    nuc = nucleus(A)
    T_max = 2 * E**2 / (nuc.mass + 2 * E)
    lo = coh.sigma_total(E, nuc, T_min=frac * T_max)
    hi = coh.sigma_total(E, nuc, T_min=min(frac + 0.01, 1.0) * T_max)
    assert 0.0 <= hi <= lo


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: coh.sigma_total(0.0, "Xe"), r"E must be > 0 MeV; got 0.0"),
        (lambda: coh.sigma_total(-1.0, "Xe"), r"E must be > 0 MeV"),
        (lambda: coh.sigma_total(10.0, "Xe", T_min=-1e-3), r"T_min must be >= 0 MeV"),
        (lambda: coh.sigma_total(float("nan"), "Xe"), r"E must not be NaN"),
        (lambda: coh.dsigma_dq2(-1.0, 10.0, "Xe132"), r"q2 must be >= 0 MeV\^2"),
        (lambda: coh.dsigma_dq2(1.0, 10.0, "Xe132", alpha=1.5), r"alpha must be <= 1"),
        (lambda: coh.dsigma_dT([1e-3, -1e-3], 10.0, "Xe132"),
         r"T must be >= 0 MeV; got -0.001 at index 1"),
        (lambda: coh.sigma_total(10.0, "Xenonn"), r"Xe"),
        (lambda: coh.sigma_total(10.0, "Xe", form_factor="hlem"), r"did you mean helm"),
        (lambda: coh.sigma_total(np.ones(2), "Xe", T_min=np.zeros(3)), r"do not broadcast"),
        (lambda: coh.sigma_total(10.0, "Xe", epsilon=float("nan")), r"epsilon must not be NaN"),
    ],
)
def test_bad_input(backend: str, call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_types(backend: str) -> None:
    with pytest.raises(TypeError, match="E must be"):
        coh.sigma_total("ten", "Xe")
    with pytest.raises(TypeError, match="form_factor"):
        coh.sigma_total(10.0, "Xe", form_factor=3.5)
