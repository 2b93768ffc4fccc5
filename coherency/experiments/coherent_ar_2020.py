"""COHERENT CENNS-10 liquid argon, analysis A (docs/physics.md §8).

D. Akimov et al. (COHERENT), PRL 126 (2021) 012002, arXiv:2003.10630; data release
arXiv:2006.12659 (Zenodo doi:10.5281/zenodo.3903810), shipped in
``coherency/data/releases/coherent_ar_2020/`` (``LArParametersAnlA.yaml`` holds the
inputs below).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._cache import memoize
from ..data import release_dir
from ..detector import GaussianEnergy, LinearQF, Response
from ..sources import GaussianPulse, PionDAR
from ._base import Experiment, Published

__all__ = ["ENERGY_EDGES_KEVEE", "TIME_EDGES_US", "TrueRecoilEfficiency", "preset"]

#: The release's bins: 12 energy bins of 10 keVee and 10 time bins of 0.5 us.
ENERGY_EDGES_KEVEE = tuple(float(x) for x in np.arange(0.0, 130.0, 10.0))
TIME_EDGES_US = tuple(round(float(x), 1) for x in np.arange(-0.1, 5.0, 0.5))


@dataclass(frozen=True)
class TrueRecoilEfficiency:
    """The release's acceptance as a function of the nuclear-recoil energy: the table
    ``CENNS10AnlAEfficiency.txt`` gives it per bin of keVee *and* keVnr, i.e. per true
    recoil (its keVnr column follows from the keVee one through the quenching);
    interpolated linearly in keVnr, 0 below the first node, the last value above."""

    def __call__(self, T_nr_MeV: np.ndarray) -> np.ndarray:
        table = _acceptance_table()
        return np.interp(np.asarray(T_nr_MeV) * 1e3, table[:, 1], table[:, 2], left=0.0)


@memoize("argon acceptance table", per_backend=False)
def _acceptance_table() -> np.ndarray:
    from ..data._files import read_numbers

    path = release_dir("coherent_ar_2020") / "CENNS10AnlAEfficiency.txt"
    return read_numbers(path, 3)


def preset() -> Experiment:
    """COHERENT Ar 2020 (analysis A): 128 +- 17 predicted, 159 +- 43 fitted CEvNS events.

    Inputs (``LArParametersAnlA.yaml``): 13.8e22 protons on target, 0.09 neutrinos per
    flavour per proton, 27.5 m, 24.4 kg; QF = 0.246 + 0.00078 T[keVnr]; sigma/E =
    0.58/sqrt(E[keVee]); the acceptance per recoil energy; a Gaussian proton pulse
    (mean 440 ns, sigma 150 ns) convolved with the pion and muon lifetimes; the
    release's 12 x 10 energy x time bins. The release's F90 axis is not modelled (the
    CEvNS PDF's F90 marginal can be taken from the release).
    """
    source = PionDAR.coherent_ar_2020()
    response = Response(LinearQF.coherent_ar_2020(), GaussianEnergy.coherent_ar_2020(),
                        None, edges=ENERGY_EDGES_KEVEE)
    ref = "D. Akimov et al. (COHERENT), PRL 126 (2021) 012002, arXiv:2003.10630"
    return Experiment(
        name="coherent-ar-2020",
        title="COHERENT CENNS-10 liquid argon, analysis A (24.4 kg, 27.5 m, 6.12 GWh)",
        source=source, target="Ar", mass_kg=24.4, time_s=source.counts_time_s,
        response=response, timing=GaussianPulse(0.44, 0.15), time_edges_us=TIME_EDGES_US,
        true_efficiency=TrueRecoilEfficiency(),
        published={
            "predicted_counts": Published(128.0, 17.0, 17.0, "events", ref),
            "fitted_counts": Published(159.0, 43.0, 43.0, "events", ref),
            "measured_flux_averaged_sigma": Published(2.2e-39, 0.7e-39, 0.7e-39, "cm^2", ref),
        },
        inputs={
            "protons on target": "13.8e22 (6.12 GWh) [LArParametersAnlA.yaml]",
            "neutrinos per flavour per proton": "0.09 +- 0.009 [same]",
            "distance, mass": "27.5 m, 24.4 +- 0.61 kg [same]",
            "quenching": "QF = 0.246 + 0.00078 T[keVnr] [same]",
            "resolution": "sigma/E = 0.58/sqrt(E[keVee]) [same]",
            "acceptance": "CENNS10AnlAEfficiency.txt, per recoil energy (keVnr column)",
            "proton pulse": "Gaussian, mean 440 ns, sigma 150 ns [same]",
            "observed bins": "0-120 keVee in 10-keVee bins, -0.1-4.9 us in 0.5-us bins",
        },
    )
