"""CONUS+ at the Leibstadt reactor (Switzerland): the inputs of run 1, in one place.

Ackermann et al. (CONUS+ Collaboration), "First observation of reactor antineutrinos
by coherent scattering", Nature 643 (2025) 1229, arXiv:2501.05206 (docs/physics.md §8).
Used by the reactor projection (:func:`coherency.projections.reactor_germanium`) and
the counts table of :mod:`coherency.report`.
"""

from __future__ import annotations

from ..detector.quenching import Lindhard
from ..targets import target

__all__ = [
    "DISTANCE_M",
    "EXPOSURE_OFF_KG_DAY",
    "EXPOSURE_ON_KG_DAY",
    "LINDHARD_K",
    "LINDHARD_K_MEASURED",
    "MASS_KG",
    "OBSERVED_COUNTS",
    "OFF_ON_RATIO",
    "POWER_GW",
    "PREDICTED_COUNTS",
    "THRESHOLD_KEVEE",
    "quenching",
]

#: Active mass of the three germanium detectors (C2, C3, C5), kg.
MASS_KG = 2.83
#: Distance from the reactor core, m.
DISTANCE_M = 20.7
#: Thermal power of the reactor, GW.
POWER_GW = 3.6
#: Energy threshold, keVee: 160-180 eVee across the detectors; the middle value.
THRESHOLD_KEVEE = 0.17
#: Run-1 exposures with the reactor on and off, kg d.
EXPOSURE_ON_KG_DAY = 327.0
EXPOSURE_OFF_KG_DAY = 60.0
#: Reactor-off over reactor-on exposure: the background control sample's ratio.
OFF_ON_RATIO = EXPOSURE_OFF_KG_DAY / EXPOSURE_ON_KG_DAY
#: Lindhard k for Ge, 0.162 +- 0.004, measured by Bonhomme et al., EPJC 82 (2022) 815
#: (the value CONUS+ uses).
LINDHARD_K_MEASURED = 0.162
#: The rounded k = 0.16 common in reactor-Ge projections: the one the projections and
#: the report use.
LINDHARD_K = 0.16
#: Published run-1 counts (their exposure): (value, 1 sigma).
PREDICTED_COUNTS = (347.0, 59.0)
OBSERVED_COUNTS = (395.0, 106.0)


def quenching(k: float = LINDHARD_K) -> Lindhard:
    """Lindhard quenching of natural germanium (Z = 32, mean A) with Lindhard ``k``,
    the callable T_nr (MeV) -> T_ee (MeV) of :func:`coherency.event_rate`.

    >>> round(float(quenching()(1e-3)) * 1e3, 4)   # keVee of a 1 keVnr recoil
    0.1737
    """
    ge = target("Ge")
    A = sum(n.A * f for n, f in ge.components)
    return Lindhard(32, A, k=k)
