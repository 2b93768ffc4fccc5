"""COHERENT CsI[Na] 2017: the first observation of CEvNS (docs/physics.md §8).

D. Akimov et al. (COHERENT), Science 357 (2017) 1123, arXiv:1708.01294; data release
arXiv:1804.09459 (Zenodo doi:10.5281/zenodo.1228631), shipped in
``coherency/data/releases/coherent_csi_2017/``.
"""

from __future__ import annotations

import numpy as np

from ..detector import LogisticEfficiency, PoissonPE, Response
from ..sources import PionDAR
from ..sources.timing import BinnedTiming
from ._base import Experiment, Published

__all__ = ["PE_EDGES", "TIME_EDGES_US", "preset"]

#: Observed bins: the release's 2-PE bins from 4 to 50 PE (the efficiency is zero below
#: 5 PE) and the arrival-time window t < 6 us of the signal region.
PE_EDGES = tuple(float(x) for x in np.arange(4.0, 52.0, 2.0))
TIME_EDGES_US = (0.0, 6.0)


def preset() -> Experiment:
    """The COHERENT CsI[Na] 2017 data set: 173 +- 48 predicted, 134 +- 22 observed.

    Inputs (reference in brackets):

    * 1.76e23 protons on target, 0.08 neutrinos per flavour per proton, 19.3 m
      [Science 357 (2017) 1123; release arXiv:1804.09459];
    * 14.6 kg of CsI[Na] [same];
    * quenching factor 8.78 % [same]; light yield 13.348 PE/keVee with Poisson
      photoelectron statistics; efficiency 0.6655/(1 + exp(-0.4942 (n - 10.8507)))
      above 5 PE [release documentation];
    * arrival times: the release's prompt and delayed neutrino PDFs, window t < 6 us;
    * nuclear form factors from measured charge radii with a neutron skin
      (docs/physics.md §3.2) and radiatively corrected couplings (§9).
    """
    source = PionDAR.coherent_csi_2017()
    response = Response(0.0878, PoissonPE.coherent_csi_2017(),
                        LogisticEfficiency.coherent_csi_2017(), edges=PE_EDGES)
    ref = "D. Akimov et al. (COHERENT), Science 357 (2017) 1123, arXiv:1708.01294"
    return Experiment(
        name="coherent-csi-2017",
        title="COHERENT CsI[Na] 2017 (14.6 kg, 19.3 m from the SNS target, 7.48 GWh)",
        source=source, target="CsI", mass_kg=14.6, time_s=source.counts_time_s,
        response=response, timing=BinnedTiming.coherent_csi_2017(),
        time_edges_us=TIME_EDGES_US,
        published={
            "predicted_counts": Published(173.0, 48.0, 48.0, "events", ref,
                                          "Standard-Model prediction"),
            "observed_counts": Published(134.0, 22.0, 22.0, "events", ref,
                                         "fitted CEvNS events"),
        },
        inputs={
            "protons on target": "1.76e23 [Science 357 (2017) 1123]",
            "neutrinos per flavour per proton": "0.08 [release arXiv:1804.09459]",
            "distance": "19.3 m [release]",
            "mass": "14.6 kg [Science 357 (2017) 1123]",
            "quenching factor": "8.78 % [Science 357 (2017) 1123]",
            "light yield": "13.348 PE/keVee, Poisson statistics [release]",
            "efficiency": "0.6655/(1+exp(-0.4942(n-10.8507))), 0 below 5 PE [release]",
            "arrival times": "release PDFs, t < 6 us",
            "observed bins": "2-PE bins, 4-50 PE [release binning]",
        },
    )
