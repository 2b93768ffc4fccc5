"""Detector response: what a detector makes of a nuclear recoil.

Today: quenching (:mod:`coherency.detector.quenching`): Lindhard's model and the
inversion of any quenching model, electron-equivalent energy -> nuclear-recoil energy.

Belongs here next: energy resolution (smearing of the measured energy), detection
efficiency curves, and response matrices that map true recoil energy to measured
energy bins, each as a small frozen object that :func:`coherency.event_rate` and the
experiment presets (:mod:`coherency.experiments`) can take. Energies in MeV unless a
name says otherwise (``_keV``).
"""

from __future__ import annotations

from .quenching import (
    Lindhard,
    lindhard_k,
    lindhard_qf,
    lindhard_qf_MeV,
    nr_from_ee,
    nr_from_ee_MeV,
)

__all__ = ["Lindhard", "lindhard_k", "lindhard_qf", "lindhard_qf_MeV", "nr_from_ee",
           "nr_from_ee_MeV"]
