"""Warnings of the package's own categories (all derive from
:class:`coherency.CoherencyWarning`, itself a ``UserWarning``), so that a user can
filter them as a group: ``warnings.simplefilter("error", coherency.CoherencyWarning)``."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ._backend import CoherencyWarning

__all__ = ["CoherencyWarning", "KinematicReachWarning", "expected_zeros",
           "warn_beyond_reach"]

_EXPECTED_ZEROS: ContextVar[bool] = ContextVar("coherency_expected_zeros", default=False)


@contextmanager
def expected_zeros() -> Iterator[None]:
    """Inside this block no :class:`KinematicReachWarning` is raised: for the package's
    own loops over windows of which some lie above the reach on purpose (the bins of a
    data release, per flavour). Thread- and task-safe (a context variable)."""
    token = _EXPECTED_ZEROS.set(True)
    try:
        yield
    finally:
        _EXPECTED_ZEROS.reset(token)


class KinematicReachWarning(CoherencyWarning):
    """A result is zero because a recoil threshold lies above the largest recoil the
    neutrino source can give on the target (docs/physics.md Eq. (1.2)): zero events,
    zero cross section. Usually a unit slip (keV typed where MeV was meant)."""


def warn_beyond_reach(function: str, threshold_MeV: float, reach_MeV: float,
                      E_max_MeV: float, scale: str = "nr", stacklevel: int = 3) -> None:
    """Warn (:class:`KinematicReachWarning`) that ``function`` returns zero because its
    threshold (on ``scale``: "nr" nuclear recoil, "ee" electron equivalent) is above
    the kinematic reach ``reach_MeV`` on the same scale."""
    if _EXPECTED_ZEROS.get():
        return
    what = "nuclear-recoil" if scale == "nr" else "electron-equivalent"
    warnings.warn(
        f"{function}: the {what} threshold {threshold_MeV:.6g} MeV "
        f"({threshold_MeV * 1e3:.6g} keV{scale}) is above the largest recoil this source "
        f"gives on the target, T_max = {reach_MeV:.6g} MeV ({reach_MeV * 1e3:.6g} "
        f"keV{scale}) at E_max = {E_max_MeV:.6g} MeV: the result is 0 (energies are in "
        f"MeV)", KinematicReachWarning, stacklevel=stacklevel)
