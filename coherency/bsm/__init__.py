"""Physics beyond the Standard Model in coherent elastic neutrino-nucleus scattering.

Belongs here: non-standard interactions (NSI couplings that change the weak charge),
light vector and scalar mediators (a q²-dependent propagator in the amplitude),
neutrino electromagnetic properties (magnetic moment, charge radius, millicharge) and
oscillations between source and detector (sterile neutrinos at short baselines). Each
model is a small frozen object that the cross sections and rates take (e.g.
``dsigma_dT(T, E, nucleus, model=VectorMediator(m, g), flavour="mu")``), so that the
Standard-Model path stays as fast as it is and a fit can scan a model's parameters.
Couplings and their flavour dependence build on :mod:`coherency.couplings`.

* models (:mod:`.models`, docs/physics.md §13): :class:`NSI`, :class:`VectorMediator`
  (universal, B-L, L_mu - L_tau), :class:`ScalarMediator` (with
  :func:`scalar_nucleon_charges` from quark couplings), :class:`MagneticMoment`,
  :class:`Millicharge`, :class:`ChargeRadius`; a tuple of them acts together. Pass
  one as ``model=`` to :func:`coherency.dsigma_dT`, :func:`coherency.sigma_total`,
  :func:`coherency.flux_averaged_sigma`, :func:`coherency.recoil_spectrum`,
  :func:`coherency.event_rate` and the presets' ``predicted_spectrum``;
* oscillations (:mod:`.oscillations`): :class:`SterileOscillation`,
  :class:`SolarMSW`, :class:`Oscillated` sources;
* grids of parameters (:mod:`.batch`): :func:`grid`, :func:`batch_event_counts`,
  :func:`batch_flux_averaged_sigma`, :func:`experiment_grid`;
* limits (:mod:`.limits`): :func:`delta_chi2`, :func:`limit_curve`,
  :func:`upper_limit` with a counts-only chi^2 (:func:`counts_chi2`) or the full
  likelihood of a data release (``statistic="likelihood"``, the model in it as a
  :class:`LikelihoodModel`).

The kernels are csrc/coh_bsm.c (their numpy twins in coherency._reference); what a
model brings is added to the Standard Model, so zero parameters give its bits.
"""

from __future__ import annotations

from ._likelihood_model import LikelihoodModel
from ._quarks import SCALAR_QUARKS, scalar_nucleon_charges
from .batch import Grid, batch_event_counts, batch_flux_averaged_sigma, experiment_grid, grid
from .limits import STATISTICS, counts_chi2, delta_chi2, limit_curve, upper_limit
from .models import (
    NSI,
    VECTOR_CHARGES,
    ChargeRadius,
    MagneticMoment,
    Millicharge,
    Model,
    ScalarMediator,
    VectorMediator,
)
from .oscillations import Oscillated, SolarMSW, SterileOscillation

__all__ = [
    "Grid",
    "batch_event_counts",
    "batch_flux_averaged_sigma",
    "counts_chi2",
    "delta_chi2",
    "limit_curve",
    "upper_limit",
    "LikelihoodModel",
    "STATISTICS",
    "experiment_grid",
    "grid",
    "VECTOR_CHARGES",
    "SCALAR_QUARKS",
    "NSI",
    "ChargeRadius",
    "MagneticMoment",
    "Millicharge",
    "Model",
    "Oscillated",
    "SolarMSW",
    "SterileOscillation",
    "ScalarMediator",
    "VectorMediator",
    "scalar_nucleon_charges",
]
