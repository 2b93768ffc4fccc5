"""Projected α-sensitivity of future CEvNS experiments (Sharma & Wong Section 2).

The code lives in :mod:`coherency.analysis.projections` (:class:`Experiment`,
:class:`Projection`, :func:`scan_exposure`) and
:mod:`coherency.analysis.projection_presets` (the reactor, solar and atmospheric
presets, :func:`default_projections`, :func:`reactor_alpha_band`). This module keeps
the former import path: every name here is the same object as there.
"""

from __future__ import annotations

from .analysis.projection_presets import (
    ATMOSPHERIC_FLUX_UNC,
    ATMOSPHERIC_HIGH_Q2_BIN,
    B8_FLUX_UNC,
    CONUS_PLUS_DISTANCE_M,
    CONUS_PLUS_MASS_KG,
    CONUS_PLUS_OFF_ON_RATIO,
    CONUS_PLUS_POWER_GW,
    CONUS_PLUS_THRESHOLD_KEVEE,
    DEFAULT_EXPOSURES,
    GE_BACKGROUND_PER_KG_DAY_KEV,
    REACTOR_FLUX_UNC,
    AlphaBand,
    alpha_band,
    atmospheric_xenon,
    default_experiments,
    default_projections,
    reactor_alpha_band,
    reactor_germanium,
    solar_xenon,
)
from .analysis.projections import (
    FWHM_GRID,
    GE_LINDHARD_K,
    SECONDS_PER_YEAR,
    Experiment,
    Projection,
    ProjectionScan,
    lindhard_quenching,
    scan_exposure,
)

__all__ = [
    "ATMOSPHERIC_FLUX_UNC",
    "ATMOSPHERIC_HIGH_Q2_BIN",
    "B8_FLUX_UNC",
    "CONUS_PLUS_DISTANCE_M",
    "CONUS_PLUS_MASS_KG",
    "CONUS_PLUS_OFF_ON_RATIO",
    "CONUS_PLUS_POWER_GW",
    "CONUS_PLUS_THRESHOLD_KEVEE",
    "DEFAULT_EXPOSURES",
    "FWHM_GRID",
    "GE_BACKGROUND_PER_KG_DAY_KEV",
    "GE_LINDHARD_K",
    "REACTOR_FLUX_UNC",
    "SECONDS_PER_YEAR",
    "AlphaBand",
    "Experiment",
    "Projection",
    "ProjectionScan",
    "alpha_band",
    "atmospheric_xenon",
    "default_experiments",
    "default_projections",
    "lindhard_quenching",
    "reactor_alpha_band",
    "reactor_germanium",
    "scan_exposure",
    "solar_xenon",
]
