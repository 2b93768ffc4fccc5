"""COHERENT CsI[Na] full data set (docs/physics.md §8).

D. Akimov et al. (COHERENT), "Measurement of the coherent elastic neutrino-nucleus
scattering cross section on CsI by COHERENT", PRL 129 (2022) 081801,
arXiv:2110.07730; the data release of that paper, shipped in
``coherency/data/releases/coherent_csi_2021/``.
"""

from __future__ import annotations

import numpy as np

from ..detector import GammaPE, LogisticEfficiency, PolynomialQuenching, Response
from ..sources import GaussianPulse, PionDAR
from ._base import Experiment, Published

__all__ = ["PE_EDGES", "TIME_EDGES_US", "preset", "timing_efficiency",
           "timing_efficiency_mean"]

#: The binning of the PRL's likelihood: 9 PE bins and 11 arrival-time bins (us).
PE_EDGES = (0.0, 8.0, 12.0, 16.0, 20.0, 24.0, 32.0, 40.0, 50.0, 60.0)
TIME_EDGES_US = (0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0, 2.0, 4.0, 6.0)
#: Proton pulse: a Gaussian fitted to the release's neutrino-induced-neutron arrival-time
#: PDF (``ninTrec.txt``; those neutrons follow the delayed neutrinos): mean 0.363 us,
#: sigma 0.164 us (FWHM 386 ns, as the SNS's ~400 ns).
PULSE = GaussianPulse(0.363, 0.164)


#: The timing efficiency's knee (us) and decay rate (1/us).
_T_KNEE_US, _T_RATE = 0.52, 0.0494


def timing_efficiency(t_us: np.ndarray) -> np.ndarray:
    """1 below 0.52 us, then exp(-0.0494/us (t - 0.52 us)) (the PRL's supplement)."""
    t = np.asarray(t_us, dtype=np.float64)
    return np.where(t < _T_KNEE_US, 1.0, np.exp(-_T_RATE * (t - _T_KNEE_US)))


def timing_efficiency_mean(a_us: np.ndarray, b_us: np.ndarray) -> np.ndarray:
    """The mean of :func:`timing_efficiency` over each interval [a, b] (us), exact:
    the integral (b - a below the knee, (e^{-r(a - 0.52)} - e^{-r(b - 0.52)})/r above
    it) over b - a; the value at a for an empty interval (docs/physics.md Eq. (14.7)).

    >>> float(timing_efficiency_mean(np.array([0.0]), np.array([0.5]))[0])
    1.0
    >>> x = timing_efficiency_mean(np.array([2.0]), np.array([4.0]))[0]
    >>> bool(abs(x - (np.exp(-0.0494 * 1.48) - np.exp(-0.0494 * 3.48)) / (0.0494 * 2.0)) < 1e-15)
    True
    """
    a = np.asarray(a_us, dtype=np.float64)
    b = np.asarray(b_us, dtype=np.float64)

    def integral(x: np.ndarray) -> np.ndarray:
        # integral of eps from the knee; negative below it
        return np.where(x < _T_KNEE_US, x - _T_KNEE_US,
                        -np.expm1(-_T_RATE * (np.maximum(x, _T_KNEE_US) - _T_KNEE_US))
                        / _T_RATE)

    width = b - a
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (integral(b) - integral(a)) / width
    return np.where(width > 0, mean, timing_efficiency(a))


def preset() -> Experiment:
    """The COHERENT CsI 2021 data set: 341 +- 11 (th) +- 42 (ex) predicted, 306 +- 20
    fitted; Standard-Model <sigma> = (189 +- 6)e-40 cm^2.

    Inputs: 3.198e23 protons on target (13.99 GWh), 0.0848 neutrinos per flavour per
    proton, 19.3 m, 14.6 kg; the release's quenching polynomial
    (``scintRespCoefficients.txt``), the gamma model of the PE signal (a = 0.0749/E_ee,
    b = 9.56 E_ee, keVee), the efficiency (``effCoefficients.txt``), the timing
    efficiency; the PRL's 9 x 11 PE x time bins; the proton pulse fitted to the
    release's NIN timing; form factors from measured radii, PDG couplings.
    """
    source = PionDAR(n_pot=3.198e23, exposure_time_s=None, distance_m=19.3,
                     nu_per_proton=0.0848, label="COHERENT CsI 2021")
    response = Response(PolynomialQuenching.coherent_csi_2021().nominal, GammaPE(),
                        LogisticEfficiency.coherent_csi_2021().nominal, edges=PE_EDGES)
    ref = ("D. Akimov et al. (COHERENT), PRL 129 (2022) 081801, arXiv:2110.07730")
    return Experiment(
        name="coherent-csi-2021",
        title="COHERENT CsI[Na] full data set (14.6 kg, 19.3 m, 13.99 GWh)",
        source=source, target="CsI", mass_kg=14.6, time_s=1.0, response=response,
        timing=PULSE, time_edges_us=TIME_EDGES_US, timing_efficiency=timing_efficiency,
        T_lo_MeV=2e-4,
        published={
            "predicted_counts": Published(341.0, 43.4, 43.4, "events", ref,
                                          "341 +- 11 (theory) +- 42 (experiment)"),
            "fitted_counts": Published(306.0, 20.0, 20.0, "events", ref),
            "flux_averaged_sigma": Published(189e-40, 6e-40, 6e-40, "cm^2", ref,
                                             "Standard Model, per nucleus"),
            "measured_flux_averaged_sigma": Published(165e-40, 25e-40, 30e-40, "cm^2", ref),
        },
        inputs={
            "protons on target": "3.198e23 (13.99 GWh) [PRL 129 (2022) 081801]",
            "neutrinos per flavour per proton": "0.0848 [same]",
            "distance, mass": "19.3 m, 14.6 kg [same]",
            "quenching": "scintRespCoefficients.txt, nominal [release]",
            "resolution": "gamma in PE, a = 0.0749/E_ee, b = 9.56 E_ee [supplement]",
            "efficiency": "effCoefficients.txt, nominal [release]",
            "timing efficiency": "1 below 0.52 us, exp(-0.0494 (t - 0.52)) [supplement]",
            "proton pulse": "Gaussian, mean 0.363 us, sigma 0.164 us, fitted to ninTrec.txt",
            "observed bins": "PE 0-60 in 9 bins, t 0-6 us in 11 bins [PRL]",
        },
    )
