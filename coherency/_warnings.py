"""Warnings of the package's own categories (all derive from
:class:`coherency.CoherencyWarning`, itself a ``UserWarning``), so that a user can
filter them as a group: ``warnings.simplefilter("error", coherency.CoherencyWarning)``."""

from __future__ import annotations

import warnings

from ._backend import CoherencyWarning

__all__ = ["CoherencyWarning", "KinematicReachWarning", "warn_beyond_reach"]


class KinematicReachWarning(CoherencyWarning):
    """A result is zero because a recoil threshold lies above the largest recoil the
    neutrino source can give on the target (docs/physics.md Eq. (1.2)): zero events,
    zero cross section. Usually a unit slip (keV typed where MeV was meant)."""


def warn_beyond_reach(function: str, threshold_MeV: float, reach_MeV: float,
                      E_max_MeV: float, stacklevel: int = 3) -> None:
    """Warn (:class:`KinematicReachWarning`) that ``function`` returns zero because its
    nuclear-recoil threshold is above the kinematic reach."""
    warnings.warn(
        f"{function}: the nuclear-recoil threshold {threshold_MeV:.6g} MeV "
        f"({threshold_MeV * 1e3:.6g} keVnr) is above the largest recoil this source "
        f"gives on the target, T_max = {reach_MeV:.6g} MeV ({reach_MeV * 1e3:.6g} keVnr) "
        f"at E_max = {E_max_MeV:.6g} MeV: the result is 0 (energies are in MeV)",
        KinematicReachWarning, stacklevel=stacklevel)
