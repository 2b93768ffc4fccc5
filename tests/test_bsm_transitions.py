"""Transition (flavour-changing) electromagnetic properties of neutrinos
(docs/physics.md Eqs. 13.6b and 13.7): a transition charge radius adds an incoherent
term, a transition magnetic moment enters through the effective moment of each
flavour; both survive the batch grids and the likelihood's parameter handling."""

from __future__ import annotations

import math

import numpy as np
import pytest

import coherency as coh
from coherency import bsm, sources
from coherency.constants import FERMI_CONSTANT_PER_MEV2, FINE_STRUCTURE, HBARC2_MEV2_CM2

DAR = sources.PionDAR.coherent_csi_2017(exposure_time_s=308.1 * 86400.0)


def test_transition_charge_radius_adds_the_incoherent_term(backend: str) -> None:
    """With F = 1 the added cross section of nu_e is (G_F^2 M/pi)(1 - MT/2E^2)
    (Z delta_p)^2, delta_p = -(sqrt(2) pi alpha/3 G_F) <r^2_emu> (Cadeddu et al.,
    arXiv:1810.05606), written out here; nu_mu gains the same, nu_tau nothing."""
    nuc = coh.nucleus("Ar40")
    T, E, r2 = np.array([1e-3, 5e-3, 2e-2]), 30.0, 1e-31
    model = bsm.ChargeRadius({("mu", "e"): r2})  # either order
    G, M = FERMI_CONSTANT_PER_MEV2, nuc.mass
    delta = -math.sqrt(2.0) * math.pi * FINE_STRUCTURE / (3.0 * G) * r2 / HBARC2_MEV2_CM2
    want = G * G * M / math.pi * (1.0 - M * T / (2.0 * E * E)) * (nuc.Z * delta) ** 2
    want = want * HBARC2_MEV2_CM2
    for flavour, factor in (("e", 1.0), ("mu", 1.0), ("tau", 0.0)):
        added = (coh.dsigma_dT(T, E, nuc, form_factor="unity", model=model, flavour=flavour)
                 - coh.dsigma_dT(T, E, nuc, form_factor="unity", flavour=flavour))
        np.testing.assert_allclose(added, factor * want, rtol=1e-9, atol=0)
    # it does not interfere: the sign of the radius does not matter
    flipped = bsm.ChargeRadius({("e", "mu"): -r2})
    assert coh.dsigma_dT(1e-3, E, nuc, model=flipped, flavour="e") == pytest.approx(
        coh.dsigma_dT(1e-3, E, nuc, model=model, flavour="e"), rel=1e-14)


def test_transition_magnetic_moment_is_an_effective_moment(backend: str) -> None:
    both = bsm.MagneticMoment({("e", "mu"): 3e-10, "e": 4e-10})
    assert dict(both.mu_nu_bohr) == {"e": 5e-10, "mu": 3e-10, "tau": 0.0}
    assert both.transition_bohr == ((("e", "mu"), 3e-10),)
    same = bsm.MagneticMoment({"e": 5e-10, "mu": 3e-10})
    for target in ("CsI", "Ar40"):
        assert coh.flux_averaged_sigma(DAR, target, T_min=5e-3, model=both) == \
            coh.flux_averaged_sigma(DAR, target, T_min=5e-3, model=same)


@pytest.mark.parametrize("make,err,match", [
    (lambda: bsm.MagneticMoment({("e", "mu"): 0.9, ("e", "tau"): 0.9}), ValueError,
     "effective moment of nu_e"),
    (lambda: bsm.MagneticMoment({("e", "mu"): 1e-9, ("mu", "e"): 2e-9}), ValueError,
     "given twice"),
    (lambda: bsm.MagneticMoment({"e": 1e-9, ("e", "e"): 2e-9}), ValueError, "given twice"),
    (lambda: bsm.ChargeRadius({("e", "mu", "tau"): 1e-32}), ValueError, "pairs of flavours"),
    (lambda: bsm.ChargeRadius({("e", "x"): 1e-32}), ValueError, "r2_cm2 key"),
    (lambda: bsm.ChargeRadius({("e", "mu"): 1e-19}), ValueError, "r2_cm2"),
])
def test_transitions_refuse_bad_entries(make, err, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(err, match=match):
        make()


def test_batch_and_likelihood_keep_the_transitions(backend: str) -> None:
    template = bsm.ChargeRadius({("e", "mu"): 2e-31, "e": 0.0})
    r2 = np.array([-1e-31, 0.0, 1e-31])
    got = bsm.batch_flux_averaged_sigma(DAR, "CsI", template, T_min=4e-3, r2_cm2={"e": r2})
    for i, v in enumerate(r2):
        want = coh.flux_averaged_sigma(DAR, "CsI", T_min=4e-3,
                                       model=bsm.ChargeRadius({("e", "mu"): 2e-31, "e": v}))
        assert got[i] == pytest.approx(want, rel=1e-10)
    built = bsm.LikelihoodModel(template, ["r2_cm2_e"]).build({"r2_cm2_e": 5e-32})
    assert isinstance(built, bsm.ChargeRadius)
    assert built.transition_r2_cm2 == ((("e", "mu"), 2e-31),)
    assert dict(built.r2_cm2)["e"] == 5e-32
