"""CONUS+ at the Leibstadt reactor (Switzerland): the inputs of run 1, in one place.

Ackermann et al. (CONUS+ Collaboration), "First observation of reactor antineutrinos
by coherent scattering", Nature 643 (2025) 1229, arXiv:2501.05206 (docs/physics.md §8).
Used by the reactor projection (:func:`coherency.projections.reactor_germanium`) and
the counts table of :mod:`coherency.report`.
"""

from __future__ import annotations

from ..detector.quenching import Lindhard
from ..detector.resolution import GaussianEnergy
from ..detector.response import Response
from ..targets import target
from ._base import Experiment, Published

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
    "NOISE_FWHM_KEVEE",
    "ROI_HIGH_KEVEE",
    "preset",
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
#: Electronic-noise (pulser) FWHM of the detectors, keVee: "below 85 eVee" for the
#: CONUS diodes (H. Bonet et al., EPJC 81 (2021) 267); CONUS+ does not quote its
#: run-1 values: 70 eVee assumed (the counts move by -6 %/+9 % for 60/80 eVee).
NOISE_FWHM_KEVEE = 0.070
#: Upper end of the region of interest, keVee (CEvNS ends well below it).
ROI_HIGH_KEVEE = 1.0
#: Fano factor and pair-creation energy of germanium at 77 K.
GE_FANO = 0.11
GE_PAIR_ENERGY_EV = 2.96
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


def preset() -> Experiment:
    """CONUS+ run 1: 347 +- 59 predicted, 395 +- 106 observed CEvNS events.

    Inputs: 3.6 GW thermal at 20.7 m (the reactor's default fission fractions, the
    exponential spectrum tail above 8 MeV, docs/physics.md Eq. 5.2a); natural
    germanium, 327 kg d with the reactor on (2.83 kg); Lindhard quenching with the
    measured k = 0.162; a Gaussian resolution of 70 eVee noise FWHM with Fano 0.11
    and 2.96 eV per pair; one threshold of 170 eVee for the three detectors (160-180
    eVee); trigger efficiency 1 above threshold. Per-detector thresholds, noise and
    trigger efficiencies and the reactor's fuel composition are not public: they are
    the inputs that matter most (see :func:`coherency.experiments.load` docs).
    """
    from ..constants import SECONDS_PER_DAY
    from ..sources import Reactor

    ref = ("N. Ackermann et al. (CONUS+), Nature 643 (2025) 1229, arXiv:2501.05206")
    response = Response(
        quenching(LINDHARD_K_MEASURED),
        GaussianEnergy.from_noise_and_fano(NOISE_FWHM_KEVEE, GE_FANO, GE_PAIR_ENERGY_EV),
        None, edges=(THRESHOLD_KEVEE, ROI_HIGH_KEVEE))
    return Experiment(
        name="conus-plus-2025",
        title="CONUS+ run 1 at Leibstadt (2.83 kg Ge, 20.7 m from a 3.6 GW core, 327 kg d)",
        source=Reactor(POWER_GW, DISTANCE_M), target="Ge", mass_kg=MASS_KG,
        time_s=EXPOSURE_ON_KG_DAY / MASS_KG * SECONDS_PER_DAY, response=response,
        T_lo_MeV=2e-5,
        published={
            "predicted_counts": Published(PREDICTED_COUNTS[0], PREDICTED_COUNTS[1],
                                          PREDICTED_COUNTS[1], "events", ref),
            "observed_counts": Published(OBSERVED_COUNTS[0], OBSERVED_COUNTS[1],
                                         OBSERVED_COUNTS[1], "events", ref),
        },
        inputs={
            "reactor": "3.6 GW thermal, 20.7 m [arXiv:2501.05206]",
            "exposure": "327 kg d reactor on, 2.83 kg [same, Methods]",
            "quenching": "Lindhard, k = 0.162 +- 0.004 [Bonhomme et al., EPJC 82 (2022) 815]",
            "threshold": "170 eVee (160-180 across detectors) [arXiv:2501.05206]",
            "resolution": "noise FWHM 70 eVee (assumed; < 85 eVee for CONUS diodes), "
                          "Fano 0.11",
            "spectrum": "Huber-Mueller with Vogel-Engel below 2 MeV and an exponential "
                        "tail above 8 MeV (docs/physics.md §5)",
        },
    )
