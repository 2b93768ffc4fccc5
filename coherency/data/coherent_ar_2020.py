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

Prediction at complete coherency (F = 1), tree-level couplings with ε, two ways
(``response=`` of :func:`derive_ar_2020`): ``"detector"`` (default), the
``coherent-ar-2020`` experiment preset with its response (Gaussian energy resolution,
the acceptance per true recoil, the arrival-time window; docs/physics.md §11), q² per
bin the event-weighted mean of 2 M T over the true recoils it collects (q2_lo, q2_hi:
16th and 84th percentiles); ``"bins"``, each 10-keVee bin as one T_ee range without
smearing, the efficiency interpolated in keVee, q² at the bin's midpoint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import _validation
from .._typing import FloatArray
from .._warnings import expected_zeros
from ..rates import event_rate
from ..sources import PionDAR
from ..targets import nucleus
from ._files import read_numbers, read_text, release_folder
from .xi_tables import XiTable, provenance, row_percentile

__all__ = ["AR_2020_BRN_REL_UNC", "AR_2020_MASS_KG", "AR_2020_QF", "Ar2020Release",
           "ar_2020_predicted_detector", "derive_ar_2020", "read_ar_2020",
           "read_yaml_numbers"]

# CENNS-10 analysis A release (LArParametersAnlA.yaml): QF = a + b T[keVnr].
AR_2020_QF = (0.246, 0.00078)
AR_2020_MASS_KG = 24.4
# Best-fit BRN normalisation 553 +- 34 (LArParametersAnlA.yaml): relative 1 sigma.
AR_2020_BRN_REL_UNC = 34.0 / 553.0


def _ar_tnr_kev(t_ee_kev: FloatArray) -> FloatArray:
    """T_nr (keV) of the release's linear QF, T_ee = (a + b T_nr) T_nr, in closed form."""
    a, b = AR_2020_QF
    return (-a + np.sqrt(a * a + 4.0 * b * t_ee_kev)) / (2.0 * b)


def ar_2020_predicted_detector(edges_kevee: Any, epsilon: float | None = None
                               ) -> dict[str, FloatArray]:
    """Events predicted per keVee bin (``edges_kevee``, contiguous) at complete coherency
    (F = 1) through the detector response of the ``coherent-ar-2020`` preset, summed
    over its arrival-time window (docs/physics.md Eq. 11.6), tree-level couplings with
    ``epsilon``.

    Returns
    -------
    dict
        ``predicted``; ``q2`` (event-weighted mean of 2 M(Ar40) T over the true recoils of
        the bin, MeV²), ``q2_lo``, ``q2_hi`` (16th and 84th percentiles) and
        ``t_nr_lo_kev``, ``t_nr_hi_kev`` (the same percentiles of T).
    """
    from dataclasses import replace

    from ..detector import Response
    from ..experiments import load

    epsilon = _validation.check_epsilon(epsilon)
    edges = _validation.as_float_array(edges_kevee, "edges_kevee", unit="keVee")
    base = load("coherent-ar-2020")
    r = base.response
    exp = replace(base, response=Response(r.quenching, r.resolution, r.efficiency,
                                          edges=tuple(float(x) for x in edges)))
    W = exp.recoil_weights(form_factor="unity", couplings=None, epsilon=epsilon)
    T, _ = exp.recoil_nodes()
    pred = W.sum(axis=1)
    mass = float(nucleus("Ar40").mass)
    with np.errstate(invalid="ignore", divide="ignore"):
        q2 = np.where(pred > 0, (W @ (2.0 * mass * T)) / np.where(pred > 0, pred, 1.0),
                      np.nan)
    lo, hi = row_percentile(W, T, 0.16), row_percentile(W, T, 0.84)
    return {"predicted": pred, "q2": q2, "q2_lo": 2.0 * mass * lo, "q2_hi": 2.0 * mass * hi,
            "t_nr_lo_kev": lo * 1e3, "t_nr_hi_kev": hi * 1e3}


def derive_ar_2020(
    directory: str | Path | None = None,
    min_predicted: float = 5.0,
    brn_systematic: bool = True,
    epsilon: float | None = None,
    response: str = "detector",
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
    the release folder, default the copy shipped in the package. ``response``:
    ``"detector"`` (the preset's response, :func:`ar_2020_predicted_detector`) or
    ``"bins"`` (module docstring).
    """
    eps = _validation.check_epsilon(epsilon)
    how = _validation.check_choice(response, "response", ("detector", "bins"))
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

    if how == "bins":
        with expected_zeros():  # the release's bins reach above the largest recoil
            pred = np.array([
                event_rate(src, ar, AR_2020_MASS_KG, src.counts_time_s, T_min=lo * 1e-3,
                           T_max=hi * 1e-3, efficiency=eff, quenching=quench,
                           energy_scale="ee", form_factor="unity", epsilon=eps)
                for lo, hi in zip(lo_ee, hi_ee)
            ])
        keep = pred >= min_predicted
        tnr_lo, tnr_hi = _ar_tnr_kev(lo_ee[keep]), _ar_tnr_kev(hi_ee[keep])
        q2_lo, q2_hi = 2.0 * ar.mass * tnr_lo * 1e-3, 2.0 * ar.mass * tnr_hi * 1e-3
        q2 = 0.5 * (q2_lo + q2_hi)
        how_text = ("rates.event_rate per bin as one T_ee range, efficiency "
                    "CENNS10AnlAEfficiency.txt (linear interp in keVee), no resolution "
                    "smearing; q2 = 2 M(Ar40) T_nr at the bin midpoint")
    else:
        if not np.allclose(hi_ee[:-1], lo_ee[1:], rtol=0.0, atol=1e-9):
            raise ValueError(f"{folder / 'energydata1d.txt'}: energy bins are not contiguous")
        det = ar_2020_predicted_detector((*lo_ee, hi_ee[-1]), epsilon=eps)
        pred = det["predicted"]
        keep = pred >= min_predicted
        tnr_lo, tnr_hi = det["t_nr_lo_kev"][keep], det["t_nr_hi_kev"][keep]
        q2_lo, q2, q2_hi = det["q2_lo"][keep], det["q2"][keep], det["q2_hi"][keep]
        how_text = ("experiments preset coherent-ar-2020 response (Gaussian resolution, "
                    "acceptance per true recoil, arrival-time window); q2 = event-weighted "
                    "mean of 2 M(Ar40) T in the bin, q2_lo/q2_hi and T_nr columns its "
                    "16th/84th percentiles")
    n = int(keep.sum())
    cols = {
        "t_ee_lo_kev": lo_ee[keep], "t_ee_hi_kev": hi_ee[keep],
        "t_nr_lo_kev": tnr_lo, "t_nr_hi_kev": tnr_hi,
        "q2_lo": q2_lo, "q2": q2, "q2_hi": q2_hi,
        "on": np.maximum(signal[keep], 0.0), "background": np.zeros(n),
        "background_ratio": np.ones(n), "predicted": pred[keep],
        "xi": signal[keep] / pred[keep], "xi_err": err[keep] / pred[keep],
    }
    choices = (
        "signal = SS-subtracted data - best-fit BRN (energydata1d.txt), 10 keVee bins; "
        f"xi_err = released stat error{' (+) BRN norm 34/553' if brn_systematic else ''}; "
        f"QF = {a} + {b} T[keVnr]; prediction: {how_text}, PionDAR.coherent_ar_2020(), "
        f"{AR_2020_MASS_KG} kg Ar40, form_factor unity, tree couplings with epsilon; bins "
        f"with >= {min_predicted:g} predicted events; on/background columns "
        "hold the SS-subtracted signal with zero background (Gaussian model only)"
    )
    prov = provenance(
        "COHERENT CENNS-10 Ar 2020 analysis A (arXiv:2006.12659, Zenodo 10.5281/zenodo.3903810)",
        ["energydata1d.txt", "CENNS10AnlAEfficiency.txt", "LArParametersAnlA.yaml"], choices,
    ) + ("target: Ar40", f"epsilon: {eps!r}")
    return XiTable(cols, prov)


# ---- the 3-D release: data, PDFs and their systematic variants (docs/physics.md §14) --

#: The 3-D files of the release (12 energy x 8 F90 x 10 time bins each): key -> file.
AR_2020_3D_FILES = {
    "data": "datanobkgsub.txt",
    "cevns": "cevnspdf.txt",
    "brn": "brnpdf.txt",
    "delayed_brn": "delbrnpdf.txt",
    "ss": "bkgpdf.txt",
    "cevns_f90_plus": "cevnspdf+1sigF90.txt",
    "cevns_f90_minus": "cevnspdf-1sigF90.txt",
    "cevns_timing_mean": "cevnspdfCEvNSTimingMeanSyst.txt",
    "brn_energy_plus": "brnpdf+1sigEnergy.txt",
    "brn_energy_minus": "brnpdf-1sigEnergy.txt",
    "brn_timing_mean_plus": "brnpdf+1sigBRNTimingMean.txt",
    "brn_timing_mean_minus": "brnpdf-1sigBRNTimingMean.txt",
    "brn_timing_width": "brnpdfBRNTimingWidthSyst.txt",
}
_SYSTERRORS = {"energy": "systerrors1denergy.txt", "f90": "systerrors1dpsd.txt",
               "time": "systerrors1dtime.txt"}


@dataclass(frozen=True)
class Ar2020Release:
    """The CENNS-10 analysis-A release in arrays: every 3-D file on one grid.

    Attributes
    ----------
    energy_edges_kevee, f90_edges, time_edges_us : ndarray
        Bin edges (from the files' evenly spaced bin centres): 12 energy bins of
        10 keVee from 0, 8 F90 bins of 0.05 from 0.5, 10 time bins of 0.5 us from
        -0.1 us.
    arrays : dict of str to ndarray, shape (12, 8, 10)
        :data:`AR_2020_3D_FILES` by key: ``"data"`` (counts, steady state not
        subtracted), the PDFs normalised to their predicted events, and their
        systematic variants.
    parameters : dict of str to (float, float)
        ``LArParametersAnlA.yaml``: each top-level entry with a single value, as
        (value, uncertainty); the uncertainty is nan where the file says
        "negligible" or gives none.
    systerrors : dict of str to ndarray, shape (n, 3)
        ``"energy"``, ``"f90"``, ``"time"``: bin centre, low and high factor of the
        released 1-D systematic envelope on CEvNS + BRN.
    """

    energy_edges_kevee: FloatArray
    f90_edges: FloatArray
    time_edges_us: FloatArray
    arrays: dict[str, FloatArray]
    parameters: dict[str, tuple[float, float]]
    systerrors: dict[str, FloatArray]
    directory: str

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.energy_edges_kevee.size - 1, self.f90_edges.size - 1,
                self.time_edges_us.size - 1)


def _edges_from_centres(c: FloatArray, fname: str, axis: str) -> FloatArray:
    if c.size < 2:
        raise ValueError(f"{fname}: the {axis} axis needs at least two bins; got {c.size}")
    step = np.diff(c)
    if not np.allclose(step, step[0], rtol=1e-6, atol=1e-9) or not step[0] > 0:
        raise ValueError(f"{fname}: the {axis} bin centres are not evenly spaced")
    half = 0.5 * step[0]
    return np.r_[c - half, c[-1] + half]


def _grid(d: FloatArray, fname: str) -> tuple[tuple[FloatArray, ...], FloatArray]:
    """(axes centres, values on the full grid) of a 4-column 3-D file."""
    axes = tuple(np.unique(d[:, k]) for k in range(3))
    n = tuple(a.size for a in axes)
    if n[0] * n[1] * n[2] != d.shape[0]:
        raise ValueError(f"{fname}: {d.shape[0]} rows do not form a full energy x F90 x time "
                         f"grid ({n[0]} x {n[1]} x {n[2]})")
    idx = tuple(np.searchsorted(a, d[:, k]) for k, a in enumerate(axes))
    grid = np.full(n, np.nan)
    grid[idx] = d[:, 3]
    if np.isnan(grid).any():
        raise ValueError(f"{fname}: a bin of the energy x F90 x time grid appears twice "
                         f"(and another is missing)")
    return axes, grid


def read_yaml_numbers(path: Path) -> dict[str, tuple[float, float]]:
    """The top-level entries of a release's parameter file that hold one number:
    ``name: {value: v, uncertainty: u}`` -> (v, u), u = nan when "negligible" or absent.
    Entries with a parameter list or no value are left out. Only the flat layout of
    ``LArParametersAnlA.yaml`` is read (no YAML library is needed): top-level keys at
    column 0, their fields indented."""
    out: dict[str, tuple[float, float]] = {}
    key: str | None = None
    fields: dict[str, str] = {}

    def close() -> None:
        if key is None or "value" not in fields:
            return
        try:
            v = float(fields["value"])
        except ValueError:
            raise ValueError(f"{path.name}: {key}: value {fields['value']!r} is not a "
                             f"number") from None
        unc_text = fields.get("uncertainty", fields.get("uncertainty_stat", ""))
        try:
            u = float(unc_text)
        except ValueError:
            u = math.nan
        if not math.isfinite(v):
            raise ValueError(f"{path.name}: {key}: value must be finite; got {v!r}")
        out[key] = (v, u)

    for raw in read_text(path).splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            close()
            name, sep, _ = raw.partition(":")
            if not sep:
                raise ValueError(f"{path.name}: expected 'name:' at the start of an entry; "
                                 f"got {raw!r}")
            key, fields = name.strip(), {}
            continue
        if raw.startswith("  ") and not raw.startswith("   ") and ":" in raw:
            name, _, value = raw.strip().partition(":")
            fields.setdefault(name.strip(), value.strip())
    close()
    return out


def read_ar_2020(directory: str | Path | None = None) -> Ar2020Release:
    """Read the 3-D data, PDFs, systematic variants, 1-D systematic envelopes and the
    parameter file of the CENNS-10 analysis-A release (default: the shipped copy).

    Raises
    ------
    ValueError
        A missing file; a row without four finite numbers; data that are not whole
        counts; a negative PDF value; files on different grids or a grid with a bin
        missing or repeated; a parameter file without the normalisations the fit
        needs. Messages name the file (and the line).

    Examples
    --------
    >>> rel = read_ar_2020()
    >>> rel.shape, round(float(rel.arrays["cevns"].sum()), 3)
    ((12, 8, 10), 128.0)
    """
    folder = release_folder(directory, "coherent_ar_2020")
    arrays: dict[str, FloatArray] = {}
    axes0: tuple[FloatArray, ...] | None = None
    for key, fname in AR_2020_3D_FILES.items():
        d = read_numbers(folder / fname, 4,
                         integer_columns=(3,) if key == "data" else (),
                         nonnegative_columns=(3,))
        axes, grid = _grid(d, fname)
        if axes0 is None:
            axes0 = axes
        elif not all(a.shape == b.shape and np.allclose(a, b) for a, b in zip(axes, axes0)):
            raise ValueError(f"{fname}: its bins differ from {AR_2020_3D_FILES['data']}")
        arrays[key] = grid
    assert axes0 is not None
    first = AR_2020_3D_FILES["data"]
    edges = [_edges_from_centres(a, first, ax) for a, ax in zip(axes0, ("energy", "F90",
                                                                       "time"))]
    params = read_yaml_numbers(folder / "LArParametersAnlA.yaml")
    needed = ("cevnsPredictionNormalization", "promptBeamRelatedNeutronPredictionNormalization",
              "delayedBeamRelatedNeutronPredictionNormalization",
              "ssBackgroundPredictionNormalization", "neutrinosPerProton")
    missing = [k for k in needed if k not in params]
    if missing:
        raise ValueError(f"LArParametersAnlA.yaml: missing {missing}")
    syst = {}
    for axis, fname in _SYSTERRORS.items():
        syst[axis] = read_numbers(folder / fname, 3, nonnegative_columns=(1, 2))
    return Ar2020Release(energy_edges_kevee=edges[0], f90_edges=edges[1],
                         time_edges_us=edges[2], arrays=arrays, parameters=params,
                         systerrors=syst, directory=str(folder))
