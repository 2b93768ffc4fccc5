"""Reader of the COHERENT CENNS-10 argon 2020 data release (analysis A) and its
bin-wise ξ(q²) (docs/physics.md §7).

COHERENT, PRL 126 (2021) 012002; release arXiv:2006.12659, Zenodo
10.5281/zenodo.3903810, shipped in ``coherency/data/releases/coherent_ar_2020/``
(the default folder of :func:`derive_ar_2020`).

``energydata1d.txt``: 10-keVee bins, steady-state-subtracted data with its
statistical error and the best-fit CEvNS and BRN (beam-related neutron) components.
Signal = SS-subtracted data − best-fit BRN; σ from the released statistical error.
QF = 0.246 + 0.00078 T[keVnr], efficiency from ``CENNS10AnlAEfficiency.txt``
(LArParametersAnlA.yaml).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .. import _validation
from .._typing import FloatArray
from .._warnings import expected_zeros
from ..rates import event_rate
from ..sources import PionDAR
from ..targets import nucleus
from ._files import read_numbers, release_folder
from .xi_tables import XiTable, provenance

__all__ = ["AR_2020_BRN_REL_UNC", "AR_2020_MASS_KG", "AR_2020_QF", "derive_ar_2020"]

# CENNS-10 analysis A release (LArParametersAnlA.yaml): QF = a + b T[keVnr].
AR_2020_QF = (0.246, 0.00078)
AR_2020_MASS_KG = 24.4
# Best-fit BRN normalisation 553 +- 34 (LArParametersAnlA.yaml): relative 1 sigma.
AR_2020_BRN_REL_UNC = 34.0 / 553.0


def _ar_tnr_kev(t_ee_kev: FloatArray) -> FloatArray:
    """T_nr (keV) of the release's linear QF, T_ee = (a + b T_nr) T_nr, in closed form."""
    a, b = AR_2020_QF
    return (-a + np.sqrt(a * a + 4.0 * b * t_ee_kev)) / (2.0 * b)


def derive_ar_2020(
    directory: str | Path | None = None,
    min_predicted: float = 5.0,
    brn_systematic: bool = True,
    epsilon: float | None = None,
) -> XiTable:
    """Bin-wise ξ(q²) from the COHERENT CENNS-10 Ar release (analysis A).

    Signal per 10-keVee bin = steady-state-subtracted data − best-fit BRN
    (``energydata1d.txt``); σ = released statistical error ⊕ (BRN normalisation
    uncertainty 34/553 × BRN) when ``brn_systematic``. Prediction at complete
    coherency (F = 1) with ``PionDAR.coherent_ar_2020()``, 24.4 kg Ar40, the QF of
    the release (T_ee = (a + b T) T) and the released efficiency interpolated in
    keVee; no energy-resolution smearing. Bins with fewer than ``min_predicted``
    predicted events are dropped (no CEvNS there). The BinCounts of the table treat
    the SS-subtracted data as on-counts with zero background (ratio 1), so the
    Poisson method is not meaningful for Ar: use the Gaussian one. ``directory``:
    the release folder, default the copy shipped in the package.
    """
    eps = _validation.check_epsilon(epsilon)
    min_predicted = _validation.as_float(min_predicted, "min_predicted", min_value=0.0)
    folder = release_folder(directory, "coherent_ar_2020")
    data = read_numbers(folder / "energydata1d.txt", 8, title_lines=1)
    effd = read_numbers(folder / "CENNS10AnlAEfficiency.txt", 3, nonnegative_columns=(2,))
    centre = data[:, 0]
    width = float(np.diff(centre).min())
    lo_ee, hi_ee = centre - 0.5 * width, centre + 0.5 * width
    signal = data[:, 1] - data[:, 4]
    err = data[:, 2]
    if brn_systematic:
        err = np.hypot(err, AR_2020_BRN_REL_UNC * data[:, 4])
    src = PionDAR.coherent_ar_2020()
    ar = nucleus("Ar40")
    a, b = AR_2020_QF

    def quench(t_nr_mev: Any) -> Any:
        t = np.asarray(t_nr_mev, dtype=np.float64)
        return (a + b * t * 1e3) * t

    def eff(t_ee_mev: Any) -> Any:
        x = np.asarray(t_ee_mev, dtype=np.float64) * 1e3
        return np.interp(x, effd[:, 0], effd[:, 2], left=0.0, right=float(effd[-1, 2]))

    with expected_zeros():  # the release's bins reach above the largest recoil
        pred = np.array([
            event_rate(src, ar, AR_2020_MASS_KG, src.counts_time_s, T_min=lo * 1e-3,
                       T_max=hi * 1e-3, efficiency=eff, quenching=quench, energy_scale="ee",
                       form_factor="unity", epsilon=eps)
            for lo, hi in zip(lo_ee, hi_ee)
        ])
    keep = pred >= min_predicted
    tnr_lo, tnr_hi = _ar_tnr_kev(lo_ee[keep]), _ar_tnr_kev(hi_ee[keep])
    q2_lo, q2_hi = 2.0 * ar.mass * tnr_lo * 1e-3, 2.0 * ar.mass * tnr_hi * 1e-3
    n = int(keep.sum())
    cols = {
        "t_ee_lo_kev": lo_ee[keep], "t_ee_hi_kev": hi_ee[keep],
        "t_nr_lo_kev": tnr_lo, "t_nr_hi_kev": tnr_hi,
        "q2_lo": q2_lo, "q2": 0.5 * (q2_lo + q2_hi), "q2_hi": q2_hi,
        "on": np.maximum(signal[keep], 0.0), "background": np.zeros(n),
        "background_ratio": np.ones(n), "predicted": pred[keep],
        "xi": signal[keep] / pred[keep], "xi_err": err[keep] / pred[keep],
    }
    choices = (
        "signal = SS-subtracted data - best-fit BRN (energydata1d.txt), 10 keVee bins; "
        f"xi_err = released stat error{' (+) BRN norm 34/553' if brn_systematic else ''}; "
        f"QF = {a} + {b} T[keVnr]; efficiency CENNS10AnlAEfficiency.txt (linear interp in "
        f"keVee); prediction rates.event_rate, PionDAR.coherent_ar_2020(), "
        f"{AR_2020_MASS_KG} kg Ar40, form_factor unity, no resolution smearing; bins with "
        f">= {min_predicted:g} predicted events; q2 = 2 M(Ar40) T_nr; on/background columns "
        "hold the SS-subtracted signal with zero background (Gaussian model only)"
    )
    prov = provenance(
        "COHERENT CENNS-10 Ar 2020 analysis A (arXiv:2006.12659, Zenodo 10.5281/zenodo.3903810)",
        ["energydata1d.txt", "CENNS10AnlAEfficiency.txt", "LArParametersAnlA.yaml"], choices,
    ) + ("target: Ar40", f"epsilon: {eps!r}")
    return XiTable(cols, prov)
