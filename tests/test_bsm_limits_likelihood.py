"""Limits with the full likelihood of COHERENT CsI 2021 (docs/physics.md §13.12):
the model in the likelihood, the limit's crossing against a direct profile with
iminuit, the heavy mediator against the contact interaction it reduces to, the NSI
bands and the LMA-Dark points, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import coherency as coh
from coherency import bsm
from coherency.constants import FERMI_CONSTANT_PER_MEV2
from coherency.inference import CEvNSSignal, fit, likelihood

EXP = coh.experiments.load("coherent-csi-2021")
#: Delta(-2 ln L) of a 90 % CL bound on one parameter, and of a 2-D region
ONE_DOF = float(stats.chi2.ppf(0.9, 1))
TWO_DOF = float(stats.chi2.ppf(0.9, 2))


@pytest.mark.parametrize(("template", "names", "values"), [
    (bsm.VectorMediator(10.0, 0.0), ("coupling", "mass_MeV"),
     {"coupling": 3e-9, "mass_MeV": 30.0}),
    (bsm.VectorMediator(10.0, 0.0, "Lmu-Ltau"), ("coupling",), {"coupling": 3e-3}),
    (bsm.MagneticMoment(0.0), ("mu_nu_bohr_e", "mu_nu_bohr_mu"),
     {"mu_nu_bohr_e": 3e-9, "mu_nu_bohr_mu": -1e-9}),
    (bsm.NSI(), ("eps_uV_e_e", "eps_dV_e_e", "eps_uV_e_mu"),
     {"eps_uV_e_e": 0.1, "eps_dV_e_e": -0.05, "eps_uV_e_mu": 0.07}),
])
def test_model_in_the_signal_is_the_presets_prediction(backend: str, template: bsm.Model,
                                                       names: tuple[str, ...],
                                                       values: dict[str, float]) -> None:
    # the quadratic form at the recoil nodes (Eq. 13.10) against the preset's own
    # prediction with the model (the rates' compiled or twin path): the same
    # quadrature, so agreement to rounding (a few 1e-15 seen; 1e-12 allows the sums'
    # order)
    model = bsm.LikelihoodModel(template, names)
    sig = CEvNSSignal(EXP, spectrum_model=model)
    want = EXP.predicted_spectrum(model=model.build(values))
    np.testing.assert_allclose(sig(values), want, rtol=1e-12)
    sm = EXP.predicted_spectrum()
    assert model.node_change(EXP, dict.fromkeys(names, 0.0)) == []
    np.testing.assert_allclose(sig(dict.fromkeys(names, 0.0)), sm, rtol=1e-12)
    assert abs(float(sig(values).sum()) - float(sm.sum())) > 1.0  # the model acts


def test_likelihood_limit_is_the_crossing_of_a_direct_profile() -> None:
    g = np.geomspace(1e-11, 1e-4, 170)
    lim = bsm.limit_curve(EXP, bsm.VectorMediator(1.0, 0.0), [1.0, 1e4], g,
                          statistic="likelihood")
    assert 3e-10 < lim[0] < 1.5e-9  # the counts-only chi^2 gives 7.5e-10
    # an independent profile at m = 1 MeV with the package's iminuit fit (MIGRAD +
    # HESSE, strategy 1): the best fit over the coupling in [0, limit], and the fit
    # at the limit
    model = bsm.LikelihoodModel(bsm.VectorMediator(1.0, 0.0), ("coupling",))
    lk = likelihood(EXP, physics=("coupling",), spectrum_model=model)
    best = fit(lk.with_parameters(coupling={"value": 0.3 * lim[0],
                                            "limits": (0.0, lim[0])}))
    at = fit(lk.fixed(coupling=lim[0]))
    assert best.converged and at.converged
    # the scan interpolates Delta linearly in log g between grid points 10 % apart:
    # its error there is below 0.05 (the curvature of Delta over one step)
    assert at.nll - best.nll == pytest.approx(ONE_DOF, abs=0.05)
    # heavy mediator: the contact interaction eps^{qV}_aa = g/(sqrt(2) G_F m^2) for u
    # and d quarks and every flavour (Eq. 13.3), q^2/m^2 < 1e-4 at 10 GeV
    eps = np.linspace(0.0, 2.0, 81) * lim[1] / (math.sqrt(2.0) * FERMI_CONSTANT_PER_MEV2
                                                * 1e4**2)
    diag = {(f, f): eps for f in ("e", "mu", "tau")}
    eps_lim = bsm.upper_limit(EXP, bsm.NSI(), statistic="likelihood", eps_uV=diag,
                              eps_dV=diag)
    g_from_eps = eps_lim * math.sqrt(2.0) * FERMI_CONSTANT_PER_MEV2 * 1e4**2
    # both interpolate between their grid points (2.5 % apart for eps): 1 %
    assert g_from_eps == pytest.approx(lim[1], rel=1e-2)


def test_magnetic_moment_and_nsi_region_with_the_likelihood() -> None:
    mu = np.linspace(0.0, 1e-8, 41)
    lim_e = bsm.upper_limit(EXP, bsm.MagneticMoment(0.0), statistic="likelihood",
                            mu_nu_bohr={"e": mu})
    lim_mu = bsm.upper_limit(EXP, bsm.MagneticMoment(0.0), statistic="likelihood",
                             mu_nu_bohr={"mu": mu})
    # nu_mu and nu_mu-bar (two thirds of the flux) see mu_nu_mu; nu_e one third
    assert 1e-9 < lim_mu < lim_e < 6e-9
    # NSI of nu_e with u and d quarks (2-D, 90 % CL: Delta < 4.61)
    pts = {"SM": (0.0, 0.0), "flipped": (0.40, 0.0), "excluded": (-0.2, 0.0),
           "LMA-D up": (-2.0 / 3.0, 0.0), "LMA-D down": (0.0, -2.0 / 3.0)}
    u = np.array([p[0] for p in pts.values()])
    d = np.array([p[1] for p in pts.values()])
    dd = bsm.delta_chi2(EXP, bsm.NSI(), statistic="likelihood", eps_uV={("e", "e"): u},
                        eps_dV={("e", "e"): d})
    got = dict(zip(pts, dd))
    assert got["SM"] < TWO_DOF and got["flipped"] < TWO_DOF  # the two bands
    assert got["excluded"] > TWO_DOF
    # the LMA-Dark points (docs/physics.md §13.12: eps^{Earth}_ee = -2, Y_n = 1) are
    # excluded beyond 5 sigma, as Giunti (arXiv:1909.00466) found with CsI 2017
    assert got["LMA-D up"] > 25.0 and got["LMA-D down"] > 25.0


def test_bad_likelihood_limit_arguments() -> None:
    vec = bsm.VectorMediator(1.0, 0.0)
    with pytest.raises(ValueError, match="statistic"):
        bsm.limit_curve(EXP, vec, [1.0], [1e-10, 1e-9], statistic="chi2")
    with pytest.raises(ValueError, match="chi2"):
        bsm.limit_curve(EXP, vec, [1.0], [1e-10, 1e-9], statistic="likelihood",
                        chi2=bsm.counts_chi2(EXP))
    with pytest.raises(ValueError, match="options"):
        bsm.limit_curve(EXP, vec, [1.0], [1e-10, 1e-9], options={"steady_state": "ac-shape"})
    with pytest.raises(ValueError, match="options"):
        bsm.limit_curve(EXP, vec, [1.0], [1e-10, 1e-9], statistic="likelihood",
                        options={"physics": ("sin2_theta_w",)})
    with pytest.raises(ValueError, match="mass_MeV"):
        bsm.limit_curve(EXP, vec, [2e6], [1e-10, 1e-9], statistic="likelihood")
    with pytest.raises(TypeError, match="model"):
        bsm.limit_curve(EXP, bsm.MagneticMoment(0.0), [1.0], [1e-10, 1e-9])
    with pytest.raises(ValueError, match="experiment"):
        bsm.delta_chi2(coh.experiments.load("coherent-csi-2017"), bsm.MagneticMoment(0.0),
                       statistic="likelihood", mu_nu_bohr=[0.0, 1e-9])
    with pytest.raises(ValueError, match="names"):
        bsm.LikelihoodModel(vec, ("mu_nu_bohr",))
    with pytest.raises(ValueError, match="names"):
        bsm.LikelihoodModel(bsm.NSI(), ("eps_uV_mu_e",))  # flavours in e, mu, tau order
    with pytest.raises(TypeError, match="template"):
        bsm.LikelihoodModel("vector", ("coupling",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="broadcast"):
        bsm.upper_limit(EXP, bsm.NSI(), eps_uV={("e", "e"): [0.0, 0.1]},
                        eps_dV={("e", "e"): [0.0, 0.1, 0.2]})
    with pytest.raises(ValueError, match="one 1-D array"):
        bsm.upper_limit(EXP, bsm.MagneticMoment(0.0), mu_nu_bohr=[[0.0, 1e-9]])
