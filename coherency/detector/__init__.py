"""Detector response: what a detector makes of a nuclear recoil (docs/physics.md §11).

Everything a detector does between a nuclear recoil and an observed count lives here:

* quenching (:mod:`coherency.detector.quenching`), T_nr -> E_ee: :class:`ConstantQuenching`,
  :class:`Lindhard`, :class:`PolynomialQuenching`, :class:`LinearQF`,
  :class:`TabulatedQuenching`, and the inversion E_ee -> T_nr of any of them;
* resolution (:mod:`coherency.detector.resolution`), P(x | mu): :class:`PoissonPE`,
  :class:`GammaPE`, :class:`GaussianEnergy`, :class:`NoSmearing`;
* efficiency of the observable (:mod:`coherency.detector.efficiency`):
  :class:`LogisticEfficiency`, :class:`TabulatedEfficiency`;
* the response matrix from true recoil energy to observed bins
  (:mod:`coherency.detector.response`): :class:`Response`, computed by a compiled kernel.

Each is a small frozen object that :func:`coherency.event_rate` and the experiment
presets (:mod:`coherency.experiments`) can take. Energies in MeV unless a name says
otherwise (``_keV``); observables in photoelectrons (PE) or keVee.
"""

from __future__ import annotations

from .efficiency import EfficiencyVariants, LogisticEfficiency, TabulatedEfficiency
from .quenching import (
    ConstantQuenching,
    Lindhard,
    LinearQF,
    PolynomialQuenching,
    QuenchingVariants,
    TabulatedQuenching,
    lindhard_k,
    lindhard_qf,
    lindhard_qf_MeV,
    nr_from_ee,
    nr_from_ee_MeV,
)
from .resolution import GammaPE, GaussianEnergy, NoSmearing, PoissonPE, ResolutionModel
from .response import Response

__all__ = [
    "ConstantQuenching",
    "EfficiencyVariants",
    "GammaPE",
    "GaussianEnergy",
    "Lindhard",
    "LinearQF",
    "LogisticEfficiency",
    "NoSmearing",
    "PoissonPE",
    "PolynomialQuenching",
    "QuenchingVariants",
    "ResolutionModel",
    "Response",
    "TabulatedEfficiency",
    "TabulatedQuenching",
    "lindhard_k",
    "lindhard_qf",
    "lindhard_qf_MeV",
    "nr_from_ee",
    "nr_from_ee_MeV",
]
