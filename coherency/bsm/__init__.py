"""Physics beyond the Standard Model in coherent elastic neutrino-nucleus scattering.

Belongs here: non-standard interactions (NSI couplings that change the weak charge),
light vector and scalar mediators (a q²-dependent propagator in the amplitude),
neutrino electromagnetic properties (magnetic moment, charge radius, millicharge) and
oscillations between source and detector (sterile neutrinos at short baselines). Each
model is a small frozen object that the cross sections and rates take (e.g.
``dsigma_dT(T, E, nucleus, model=VectorMediator(m, g), flavour="mu")``), so that the
Standard-Model path stays as fast as it is and a fit can scan a model's parameters.
Couplings and their flavour dependence build on :mod:`coherency.couplings`.
"""

from __future__ import annotations

from .batch import Grid, batch_event_counts, batch_flux_averaged_sigma, experiment_grid, grid
from .limits import counts_chi2, delta_chi2, limit_curve
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
    "experiment_grid",
    "grid",
    "VECTOR_CHARGES",
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
]
