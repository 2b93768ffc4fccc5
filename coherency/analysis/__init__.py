"""Coherency from data and its projections: α(q²) with Sharma & Wong's statistics.

:mod:`.measurement`
    :class:`Measurement` (bin-wise ξ(q²) → α(q²) intervals, bounds and p-values,
    Gaussian or Poisson), :func:`alpha_theory` (the Helm band), ξ_dec of compounds.
:mod:`.projections`
    :class:`~coherency.analysis.projections.Experiment` and its projected
    α-sensitivity at a given exposure (median expected, Asimov), exposure scans.
:mod:`.projection_presets`
    The reactor, solar and atmospheric presets of Sharma & Wong's claims and the
    projections of the report (also importable from :mod:`coherency.projections`).

Binned likelihood fits of whole data sets belong to :mod:`coherency.inference`.
"""

from __future__ import annotations

from . import measurement, projection_presets, projections
from .measurement import (
    AlphaBound,
    AlphaInterval,
    BinCounts,
    Exclusion,
    Measurement,
    PhiInterval,
    alpha_theory,
    coherent_rate_weights,
    compound_xi_decoherent,
    gaussian_quantile,
)

__all__ = [
    "AlphaBound",
    "AlphaInterval",
    "BinCounts",
    "Exclusion",
    "Measurement",
    "PhiInterval",
    "alpha_theory",
    "coherent_rate_weights",
    "compound_xi_decoherent",
    "gaussian_quantile",
    "measurement",
    "projection_presets",
    "projections",
]
