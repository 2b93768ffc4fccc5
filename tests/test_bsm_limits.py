"""Profiles, allowed regions and limit curves (docs/physics.md §13.10, §13.11)."""

from __future__ import annotations

import types

import numpy as np
import pytest
from scipy import optimize

import coherency as coh
from coherency import bsm

EXP = coh.experiments.load("coherent-csi-2021")


def test_counts_chi2_is_the_profiled_normalisation() -> None:
    # chi2(N) = min_a [(N_obs - (1 + a) N)^2/s^2 + (a/s_a)^2], N_obs = 306 +- 20 and
    # s_a = 43.4/341 (PRL 129 (2022) 081801), minimised numerically here
    chi2 = bsm.counts_chi2(EXP)
    for n in (250.0, 306.0, 341.0, 420.0):
        spectra = np.full((1, 9, 11), n / 99.0)
        want = optimize.minimize_scalar(
            lambda a, n=n: (306.0 - (1 + a) * n) ** 2 / 20.0**2 + (a / (43.4 / 341.0)) ** 2).fun
        assert float(chi2(spectra)[0]) == pytest.approx(want, rel=1e-8, abs=1e-12)
    with pytest.raises(ValueError, match="fitted counts"):
        bsm.counts_chi2(types.SimpleNamespace(name="no data", published={}))


def test_limit_curve_scales_as_g_over_m_squared() -> None:
    masses = np.array([0.01, 0.1, 3e3, 1e4])
    g = np.geomspace(1e-12, 1e-3, 400)
    lim = bsm.limit_curve(EXP, bsm.VectorMediator(1.0, 0.0), masses, g)
    # light: independent of the mass (m << q ~ 50 MeV); heavy: the contact interaction,
    # g/m^2 fixed (1 + q^2/m^2 ~ 1.0003 at m = 3 GeV)
    assert lim[1] == pytest.approx(lim[0], rel=1e-3)
    assert lim[3] / lim[2] == pytest.approx((1e4 / 3e3) ** 2, rel=2e-3)
    # the crossing: Delta chi^2 = 2.71 there (the interpolation in log g is exact to
    # the grid's curvature)
    d = bsm.delta_chi2(EXP, bsm.VectorMediator(1.0, 0.0),
                       coupling=np.concatenate([[0.0], g])[:, None], mass_MeV=masses)
    at = bsm.delta_chi2(EXP, bsm.VectorMediator(1.0, 0.0),
                        coupling=np.concatenate([[0.0], g, [lim[2]]])[:, None],
                        mass_MeV=masses[2:3])
    assert at[-1, 0] + (d.min() - 0.0) == pytest.approx(2.706, abs=0.02)


def test_magnetic_moment_profile_and_nsi_bands() -> None:
    mu = np.linspace(0.0, 2e-8, 201)
    d = bsm.delta_chi2(EXP, bsm.MagneticMoment(0.0), mu_nu_bohr=mu)
    assert np.all(np.diff(d) > 0)  # the magnetic term only adds events
    assert 1e-9 < np.interp(2.706, d, mu) < 5e-9
    # NSI of nu_e with u quarks: the charge of Cs and I changes sign at
    # eps_u = -2 Q_SM/(2Z + N) ~ 0.40 (Barranco et al.): a second allowed band there,
    # the region between (Q_e ~ 0 at eps_u ~ 0.2: the delayed nu_e, a third of the
    # flux, no longer scatter) excluded at 90 % CL
    eps = np.array([0.0, 0.2, 0.40])
    d = bsm.delta_chi2(EXP, bsm.NSI(), eps_uV={("e", "e"): eps})
    assert d[0] < 1.0 and d[2] < 1.0 and d[1] > 2.706


def test_bad_limit_arguments() -> None:
    with pytest.raises(ValueError, match="coupling"):
        bsm.limit_curve(EXP, bsm.VectorMediator(1.0, 0.0), [1.0], [1e-9, 1e-10])
    with pytest.raises(ValueError, match="cl"):
        bsm.limit_curve(EXP, bsm.VectorMediator(1.0, 0.0), [1.0], [1e-10, 1e-9], cl=1.0)
    with pytest.raises(ValueError, match="mass_MeV"):
        bsm.limit_curve(EXP, bsm.VectorMediator(1.0, 0.0), [-1.0], [1e-10, 1e-9])


def test_a_scan_that_excludes_nothing_says_so() -> None:
    """A limit the scan does not reach is NaN and named in a warning, not silent."""
    exp = coh.experiments.load("coherent-csi-2021")
    masses = np.array([1.0, 10.0])
    with pytest.warns(coh.CoherencyWarning, match=r"limit_curve: no scanned value up to "
                                                  r"1e-12 .* 2 of 2 masses \(first 1 MeV\)"):
        lim = bsm.limit_curve(exp, bsm.VectorMediator(1.0, 0.0), masses,
                              np.geomspace(1e-14, 1e-12, 5))
    assert np.isnan(lim).all()
    with pytest.warns(coh.CoherencyWarning, match="upper_limit: no scanned value"):
        mu = bsm.upper_limit(exp, bsm.MagneticMoment(0.0),
                             mu_nu_bohr=np.linspace(0.0, 1e-11, 5))
    assert np.isnan(mu)
    # a scan that reaches the limit is silent (warnings are errors in the suite)
    lim = bsm.limit_curve(exp, bsm.VectorMediator(1.0, 0.0), masses,
                          np.geomspace(1e-11, 1e-7, 40))
    assert np.isfinite(lim).all()
