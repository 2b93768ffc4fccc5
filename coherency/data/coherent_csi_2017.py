"""Reader of the COHERENT CsI[Na] 2017 data release and its bin-wise ξ(q²)
(docs/physics.md §7).

COHERENT, Science 357 (2017) 1123; release arXiv:1804.09459, Zenodo
10.5281/zenodo.1228631, shipped in ``coherency/data/releases/coherent_csi_2017/``:
every function that takes the release folder defaults to that copy
(:func:`coherency.data.release_dir`); pass your own download to rerun on it.

``data_{coincidence,anticoincidence}_beam{On,Off}.txt`` hold, one line per bin,
``n_PE bin centre, arrival time (µs) bin centre, counts``: 25 bins of 2 PE
(centres 1..49) times 24 bins of 0.5 µs (centres 0.25..11.75). (Checked from the
files: the first column takes the 25 PE values, the second the 24 times.)

Signal = beam-on coincidence (C) minus beam-on anticoincidence (AC) window, in
the arrival-time window where the neutrinos arrive (default t < 6 µs, as in
Fig. 3 of the Science paper). The AC window has the same length and live time as
C, so it is scaled by 1. Beam-off C − AC is a cross-check (consistent with 0);
``background="combined"`` adds the beam-off C and AC windows to the background
estimate, scaled by the live-time ratio 308.1/153.5 d (Science paper).

Energy: T_ee [keVee] = n_PE / 13.348 (light yield of the release);
T_nr from T_ee = QF(T_nr) · T_nr with QF(T_nr) a smooth fit to the quenching
data released with the 2017 paper and re-analysed by Collar, Kavner & Lewis,
PRD 100 (2019) 033003 (:func:`fit_quenching`). Efficiency
ε(n_PE) = a/(1 + exp(−k (n_PE − x0))) for n_PE ≥ 5, else 0, with a = 0.6655,
k = 0.4942, x0 = 10.8507 (release documentation). q² = 2 M T_nr.

Prediction at complete coherency (F = 1), two ways (``response=`` of
:func:`derive_csi_2017`):

* ``"detector"`` (default): the ``coherent-csi-2017`` experiment preset with its detector
  response (docs/physics.md §11): Poisson photoelectron statistics at the light yield,
  the efficiency per observed PE, the released arrival-time PDFs in the window, the
  quenching model above; each PE bin collects recoils from a range of true energies,
  so its q² is the event-weighted mean of 2 M T over them (q2_lo, q2_hi: the 16th and
  84th percentiles) — :func:`csi_2017_predicted_detector`;
* ``"bins"``: each PE bin is one T_ee range, no photoelectron statistics (Sharma & Wong's
  procedure), q² at the bin's midpoint — :func:`csi_2017_predicted`.

Both use tree-level couplings with ε (the ε of Γ, docs/physics.md §9), the
``PionDAR.coherent_csi_2017()`` source and 14.6 kg CsI.
ξ = (C − AC)/predicted, σ_ξ = √(C + AC)/predicted (Poisson, statistical only).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from .. import _validation
from .._typing import FloatArray
from .._warnings import expected_zeros
from ..analysis import coherent_rate_weights
from ..detector.quenching import invert_increasing
from ..rates import event_rate
from ..sources import PionDAR
from ..targets import Nucleus, nucleus, target
from ._files import read_numbers, release_folder
from .xi_tables import XiTable, provenance, row_percentile

__all__ = [
    "CSI_2017_EFFICIENCY",
    "CSI_2017_EFFICIENCY_MIN_PE",
    "CSI_2017_FLAT_QF",
    "CSI_2017_LIGHT_YIELD_PE_PER_KEVEE",
    "CSI_2017_LIVE_DAYS_OFF",
    "CSI_2017_LIVE_DAYS_ON",
    "CSI_2017_MASS_KG",
    "CsIRelease",
    "CsISignal",
    "QuenchingFit",
    "csi_2017_efficiency",
    "csi_2017_predicted",
    "csi_2017_predicted_detector",
    "csi_2017_signal",
    "derive_csi_2017",
    "fit_quenching",
    "read_csi_2017",
]

# COHERENT CsI 2017 data release (arXiv:1804.09459), documentation: light yield and
# the detection-efficiency sigmoid (a, k, x0), valid for n_PE >= 5 (0 below).
CSI_2017_LIGHT_YIELD_PE_PER_KEVEE = 13.348
CSI_2017_EFFICIENCY = (0.6655, 0.4942, 10.8507)
CSI_2017_EFFICIENCY_MIN_PE = 5.0
# CsI[Na] detector mass and live times, COHERENT Science 357 (2017) 1123.
CSI_2017_MASS_KG = 14.6
CSI_2017_LIVE_DAYS_ON = 308.1
CSI_2017_LIVE_DAYS_OFF = 153.5
# Energy-independent QF of the 2017 analysis (Science 2017): 8.78 +- 1.66 %.
CSI_2017_FLAT_QF = 0.0878

_CSI_FILES = {
    "coincidence_on": "data_coincidence_beamOn.txt",
    "anticoincidence_on": "data_anticoincidence_beamOn.txt",
    "coincidence_off": "data_coincidence_beamOff.txt",
    "anticoincidence_off": "data_anticoincidence_beamOff.txt",
}
_CSI_PDFS = {
    "prompt": "arrivalTimePDF_promptNeutrinos.txt",
    "delayed": "arrivalTimePDF_delayedNeutrinos.txt",
}


@dataclass(frozen=True)
class CsIRelease:
    """The CsI 2017 release read into arrays; counts have shape (n_PE bins, time bins)."""

    pe: FloatArray
    time_us: FloatArray
    counts: dict[str, FloatArray]
    arrival_pdf: dict[str, FloatArray]
    qf_chicago: FloatArray   # columns: T_nr keV, sigma_T, QF, sigma_QF
    qf_tunl: FloatArray      # columns: T_nr keV, QF, sigma_QF (mean of the hi/lo errors)
    directory: str


def read_csi_2017(directory: str | Path | None = None) -> CsIRelease:
    """Read the COHERENT CsI 2017 release folder (see the module docstring); default:
    the copy shipped in the package.

    Raises
    ------
    ValueError
        Missing folder or file; a file that is not UTF-8 text; a row without exactly
        the file's number of columns, or with values that are not finite numbers;
        counts that are not whole numbers >= 0; a (PE, time) bin given twice, or bins
        that are not a full PE × time grid; an arrival-time PDF with a negative value,
        a zero sum, or other time bins than the data. Messages name the file (and the
        line).
    """
    folder = release_folder(directory, "coherent_csi_2017")
    counts: dict[str, FloatArray] = {}
    pe = time = None
    for key, fname in _CSI_FILES.items():
        d = read_numbers(folder / fname, 3, integer_columns=(2,))
        _no_duplicate_bins(d, fname)
        upe, ut = np.unique(d[:, 0]), np.unique(d[:, 1])
        if upe.size * ut.size != d.shape[0]:
            raise ValueError(f"{fname}: {d.shape[0]} rows do not form a PE x time grid")
        if pe is None or time is None:
            pe, time = upe, ut
        elif not (np.array_equal(pe, upe) and np.array_equal(time, ut)):
            raise ValueError(f"{fname}: bins differ from {_CSI_FILES['coincidence_on']}")
        grid = np.zeros((upe.size, ut.size))
        grid[np.searchsorted(upe, d[:, 0]), np.searchsorted(ut, d[:, 1])] = d[:, 2]
        counts[key] = grid
    assert pe is not None and time is not None
    pdfs = {}
    for key, fname in _CSI_PDFS.items():
        d = read_numbers(folder / fname, 2, nonnegative_columns=(1,))
        if d.shape[0] != time.size:
            raise ValueError(f"{fname}: {d.shape[0]} rows; the data files have {time.size} "
                             "time bins")
        if not np.allclose(d[:, 0], time):
            raise ValueError(f"{fname}: time bins differ from the data files")
        total = float(d[:, 1].sum())
        if not total > 0:
            raise ValueError(f"{fname}: the arrival-time PDF sums to {total!r}; it must be > 0")
        pdfs[key] = d[:, 1] / total
    chicago = read_numbers(folder / "qfData_chicago.txt", 4)
    tunl_raw = read_numbers(folder / "qfData_tunl.txt", 6)
    tunl = np.column_stack([tunl_raw[:, 0], tunl_raw[:, 3],
                            0.5 * (tunl_raw[:, 4] + tunl_raw[:, 5])])
    return CsIRelease(pe=pe, time_us=time, counts=counts, arrival_pdf=pdfs,
                      qf_chicago=chicago, qf_tunl=tunl, directory=str(folder))


def _no_duplicate_bins(d: FloatArray, fname: str) -> None:
    """Each (PE, time) bin once (a repeated bin would overwrite another's counts)."""
    _, first, counts = np.unique(d[:, :2], axis=0, return_index=True, return_counts=True)
    if np.any(counts > 1):
        rows = np.nonzero((d[:, 0] == d[first[counts > 1][0], 0])
                          & (d[:, 1] == d[first[counts > 1][0], 1]))[0]
        pe, t = d[rows[0], 0], d[rows[0], 1]
        raise ValueError(f"{fname}: the bin (PE {pe:g}, time {t:g} us) appears {rows.size} "
                         f"times (data rows {', '.join(str(int(r) + 1) for r in rows)})")


def csi_2017_efficiency(n_pe: npt.ArrayLike) -> FloatArray | float:
    """Detection efficiency of the CsI 2017 analysis, a/(1 + exp(−k(n − x0))) for
    n ≥ 5 PE and 0 below (release documentation).

    >>> round(csi_2017_efficiency(30.0), 3)
    0.665
    >>> csi_2017_efficiency(4.9)
    0.0
    """
    n = _validation.as_float_array(n_pe, "n_pe", min_value=0.0)
    a, k, x0 = CSI_2017_EFFICIENCY
    eff = np.where(n >= CSI_2017_EFFICIENCY_MIN_PE, a / (1.0 + np.exp(-k * (n - x0))), 0.0)
    return _validation.restore_shape(np.asarray(eff, dtype=np.float64).reshape(-1), n.shape)


@dataclass(frozen=True)
class QuenchingFit:
    """QF(T_nr) = c0 + c1 x + c2 x², x = ln(T_nr / 10 keV), held constant outside the
    fitted energy range [t_min_kev, t_max_kev].

    ``sigma_sys`` is the common extra uncertainty added in quadrature to every point
    so that χ²/ndf = 1: the Chicago and TUNL sets disagree beyond their quoted errors
    (TUNL ~0.09-0.10, Chicago ~0.05-0.07 below 15 keVnr), and the added term keeps
    the small TUNL errors from deciding the curve alone.
    """

    coefficients: tuple[float, ...]
    covariance: FloatArray
    sigma_sys: float
    chi2_plain: float
    ndf: int
    t_min_kev: float
    t_max_kev: float

    def __call__(self, t_nr_kev: npt.ArrayLike) -> FloatArray | float:
        t = _validation.as_float_array(t_nr_kev, "t_nr_kev", min_value=0.0)
        x = np.log(np.clip(t, self.t_min_kev, self.t_max_kev) / 10.0)
        qf = np.polynomial.polynomial.polyval(x, np.asarray(self.coefficients))
        return _validation.restore_shape(np.asarray(qf, dtype=np.float64).reshape(-1), t.shape)

    def t_ee_kev(self, t_nr_kev: npt.ArrayLike) -> FloatArray | float:
        """Electron-equivalent energy QF(T) · T (keVee)."""
        t = _validation.as_float_array(t_nr_kev, "t_nr_kev", min_value=0.0)
        out = np.asarray(self(t), dtype=np.float64) * t
        return _validation.restore_shape(out.reshape(-1), t.shape)

    def t_nr_kev(self, t_ee_kev: npt.ArrayLike) -> FloatArray | float:
        """Invert T_ee = QF(T_nr) T_nr (monotonic on the fitted range; checked), with
        :func:`coherency.detector.quenching.invert_increasing`."""
        tee = _validation.as_float_array(t_ee_kev, "t_ee_kev", min_value=0.0)
        out = np.array([invert_increasing(lambda t: float(self.t_ee_kev(t)), float(e),
                                          name="t_ee_kev", unit="keVee")
                        for e in tee.reshape(-1)], dtype=np.float64)
        return _validation.restore_shape(out, tee.shape)


def fit_quenching(release: CsIRelease, degree: int = 2) -> QuenchingFit:
    """Fit a smooth QF(T_nr) to the Chicago and TUNL CsI[Na] data of the release.

    Weighted least squares in x = ln(T/10 keV), polynomial of ``degree``; vertical
    errors only (TUNL: mean of its asymmetric errors; the horizontal errors, and
    their correlation with the vertical ones, are not propagated, as the release
    notes warn). A common σ_sys is added in quadrature and solved for χ²/ndf = 1.

    The data are those released with the 2017 paper (arXiv:1708.01294); Collar,
    Kavner & Lewis, PRD 100 (2019) 033003 re-analysed them and argue for an energy
    dependent QF; this fit is our smooth stand-in for their model, not a copy of it.
    """
    if not isinstance(release, CsIRelease):
        raise TypeError(f"release must be a CsIRelease; got {type(release).__name__}")
    if not isinstance(degree, int) or not 1 <= degree <= 3:
        raise ValueError(f"degree must be an integer in 1..3; got {degree!r}")
    t = np.r_[release.qf_chicago[:, 0], release.qf_tunl[:, 0]]
    qf = np.r_[release.qf_chicago[:, 2], release.qf_tunl[:, 1]]
    sig = np.r_[release.qf_chicago[:, 3], release.qf_tunl[:, 2]]
    x = np.log(t / 10.0)
    design = np.vander(x, degree + 1, increasing=True)
    ndf = t.size - degree - 1

    def solve(s: FloatArray) -> tuple[FloatArray, FloatArray, float]:
        w = 1.0 / s**2
        cov = np.linalg.inv(design.T @ (design * w[:, None]))
        p = cov @ (design.T @ (w * qf))
        chi2 = float(np.sum(((design @ p - qf) / s) ** 2))
        return p, cov, chi2

    _, _, chi2_plain = solve(sig)
    if chi2_plain > ndf:
        sys = optimize.brentq(lambda y: solve(np.hypot(sig, y))[2] - ndf, 0.0, 1.0)
    else:
        sys = 0.0
    p, cov, _ = solve(np.hypot(sig, sys))
    fit = QuenchingFit(coefficients=tuple(float(c) for c in p), covariance=cov,
                       sigma_sys=float(sys), chi2_plain=chi2_plain, ndf=ndf,
                       t_min_kev=float(t.min()), t_max_kev=float(t.max()))
    grid = np.geomspace(fit.t_min_kev, fit.t_max_kev, 400)
    if np.any(np.diff(np.asarray(fit.t_ee_kev(grid))) <= 0):
        raise ValueError("fitted QF(T) T is not monotonic: T_ee -> T_nr is ambiguous")
    return fit


@dataclass(frozen=True)
class CsISignal:
    """Per PE bin (lo, hi edges in PE): signal-region counts, background estimate."""

    pe_lo: FloatArray
    pe_hi: FloatArray
    on: FloatArray
    background: FloatArray
    background_ratio: float
    time_window_us: tuple[float, float]

    @property
    def signal(self) -> FloatArray:
        return self.on - self.background / self.background_ratio

    @property
    def signal_err(self) -> FloatArray:
        return np.sqrt(self.on + self.background / self.background_ratio**2)


def _time_mask(release: CsIRelease, window: tuple[float, float]) -> npt.NDArray[np.bool_]:
    lo, hi = window
    if not (0.0 <= lo < hi):
        raise ValueError(f"time_window_us must be (lo, hi) with 0 <= lo < hi; got {window}")
    return (release.time_us > lo) & (release.time_us < hi)


def csi_2017_signal(
    release: CsIRelease,
    time_window_us: tuple[float, float] = (0.0, 6.0),
    pe_range: tuple[float, float] = (6.0, 30.0),
    rebin: int = 1,
    background: str = "anticoincidence",
) -> CsISignal:
    """Background-subtracted CsI counts per PE bin inside the arrival-time window.

    Parameters
    ----------
    time_window_us : (lo, hi), µs
        Bins whose centre lies inside are used (default: t < 6 µs).
    pe_range : (lo, hi), PE
        Bin edges kept (default 6-30 PE: the efficiency is 0 below 5 PE and the
        signal ends near 30 PE).
    rebin : int
        Merge this many adjacent 2-PE bins.
    background : "anticoincidence" or "combined"
        Beam-on AC alone (ratio 1) or AC plus beam-off C and AC scaled by live time.
    """
    background = _validation.check_choice(background, "background",
                                          ("anticoincidence", "combined"))
    if not isinstance(rebin, int) or rebin < 1:
        raise ValueError(f"rebin must be a positive integer; got {rebin!r}")
    tmask = _time_mask(release, time_window_us)
    half = 0.5 * float(np.diff(release.pe).min())
    lo_edges, hi_edges = release.pe - half, release.pe + half
    keep = (lo_edges >= pe_range[0] - 1e-9) & (hi_edges <= pe_range[1] + 1e-9)
    if not keep.any():
        raise ValueError(f"pe_range {pe_range} contains no complete PE bin")
    c = release.counts
    on = c["coincidence_on"][:, tmask].sum(axis=1)[keep]
    bkg = c["anticoincidence_on"][:, tmask].sum(axis=1)[keep]
    ratio = 1.0
    if background == "combined":
        bkg = bkg + (c["coincidence_off"][:, tmask].sum(axis=1)
                     + c["anticoincidence_off"][:, tmask].sum(axis=1))[keep]
        ratio = 1.0 + 2.0 * CSI_2017_LIVE_DAYS_OFF / CSI_2017_LIVE_DAYS_ON
    lo_e, hi_e = lo_edges[keep], hi_edges[keep]
    n = (on.size // rebin) * rebin
    if n == 0:
        raise ValueError(f"rebin={rebin} is larger than the {on.size} bins in pe_range")

    def merge(a: FloatArray) -> FloatArray:
        return a[:n].reshape(-1, rebin).sum(axis=1)

    return CsISignal(pe_lo=lo_e[:n:rebin], pe_hi=hi_e[rebin - 1:n:rebin], on=merge(on),
                     background=merge(bkg), background_ratio=ratio,
                     time_window_us=(float(time_window_us[0]), float(time_window_us[1])))


def _merge_time_fraction(release: CsIRelease, window: tuple[float, float]) -> dict[str, float]:
    mask = _time_mask(release, window)
    return {k: float(v[mask].sum()) for k, v in release.arrival_pdf.items()}


def _dar_components(source: Any) -> list[tuple[Any, str]]:
    """Split a pion-DAR source into its prompt (νμ) and delayed (νe, ν̄μ) parts."""
    return [(replace(source, flavours=("numu",)), "prompt"),
            (replace(source, flavours=("nue", "numubar")), "delayed")]


def _csi_source() -> Any:
    return PionDAR.coherent_csi_2017()


def _csi_target(kind: str) -> Any:
    return nucleus("Xe132") if kind == "xe" else target("CsI")


def csi_2017_predicted(
    release: CsIRelease,
    signal: CsISignal,
    quenching: QuenchingFit | float,
    target_kind: str = "xe",
    form_factor: str = "unity",
    source: Any = None,
    epsilon: float | None = None,
) -> FloatArray:
    """Events predicted per PE bin of ``signal``, inside its time window.

    event_rate per bin in electron-equivalent energy [pe_lo, pe_hi]/LY, with the
    release efficiency as a function of n_PE = LY · T_ee and the quenching model;
    prompt and delayed neutrinos weighted by their arrival-time fraction inside the
    window (released PDFs). No PE smearing (each bin is one T_ee range).
    """
    epsilon = _validation.check_epsilon(epsilon)
    src = _csi_source() if source is None else source
    tgt = _csi_target(_validation.check_choice(target_kind, "target_kind", ("xe", "cs_i")))
    if isinstance(quenching, QuenchingFit):
        qfit = quenching

        def quench(t_nr_mev: Any) -> Any:
            t = np.asarray(t_nr_mev, dtype=np.float64) * 1e3
            return np.asarray(qfit(t), dtype=np.float64) * t * 1e-3
    else:
        quench = _validation.as_float(quenching, "quenching", min_value=0.0,
                                      exclusive_min=True)  # type: ignore[assignment]

    def eff(t_ee_mev: Any) -> Any:
        n = np.asarray(t_ee_mev, dtype=np.float64) * 1e3 * CSI_2017_LIGHT_YIELD_PE_PER_KEVEE
        return np.asarray(csi_2017_efficiency(n), dtype=np.float64)

    frac = _merge_time_fraction(release, signal.time_window_us)
    mass = CSI_2017_MASS_KG
    time_s = src.counts_time_s  # 1 for the preset (a fluence): counts of the exposure
    out = np.zeros(signal.on.size)
    with expected_zeros():  # the prompt line does not reach the highest bins
        for comp, key in _dar_components(src):
            for i, (lo, hi) in enumerate(zip(signal.pe_lo, signal.pe_hi)):
                out[i] += frac[key] * event_rate(
                    comp, tgt, mass, time_s,
                    T_min=lo / CSI_2017_LIGHT_YIELD_PE_PER_KEVEE * 1e-3,
                    T_max=hi / CSI_2017_LIGHT_YIELD_PE_PER_KEVEE * 1e-3,
                    efficiency=eff, quenching=quench, energy_scale="ee",
                    form_factor=form_factor, epsilon=epsilon)
    return out


def csi_2017_predicted_detector(
    signal: CsISignal,
    quenching: QuenchingFit | float,
    target_kind: str = "xe",
    epsilon: float | None = None,
) -> dict[str, FloatArray]:
    """Events predicted per PE bin of ``signal`` at complete coherency (F = 1) through
    the detector response of the ``coherent-csi-2017`` preset (docs/physics.md
    Eq. 11.6), and the q² each bin samples.

    The preset's Poisson photoelectron statistics, light yield 13.348 PE/keVee and
    efficiency per PE, with ``quenching`` (a :class:`QuenchingFit` or a flat QF), the
    PE bins and time window of ``signal``, tree-level couplings with ``epsilon``.

    Returns
    -------
    dict
        ``predicted`` (events per bin), ``q2`` (event-weighted mean of 2 M T over the
        true recoils of the bin, MeV²), ``q2_lo``, ``q2_hi`` (16th and 84th
        percentiles), ``t_nr_lo_kev``, ``t_nr_hi_kev`` (the same percentiles of T).
        M is the nucleus's mass (Xe132) or the rate-weighted mean of Cs and I.
    """
    from ..detector import Response
    from ..experiments import load

    epsilon = _validation.check_epsilon(epsilon)
    kind = _validation.check_choice(target_kind, "target_kind", ("xe", "cs_i"))
    if isinstance(quenching, QuenchingFit):
        qfit = quenching

        def quench(t_nr_mev: Any) -> Any:
            t = np.asarray(t_nr_mev, dtype=np.float64) * 1e3
            return np.asarray(qfit(t), dtype=np.float64) * t * 1e-3
        quench_model: Any = quench
    else:
        quench_model = _validation.as_float(quenching, "quenching", min_value=0.0,
                                            exclusive_min=True, max_value=1.0)
    if not np.array_equal(signal.pe_hi[:-1], signal.pe_lo[1:]):
        raise ValueError("signal: the PE bins must be contiguous for the detector response")
    base = load("coherent-csi-2017")
    edges = (*(float(x) for x in signal.pe_lo), float(signal.pe_hi[-1]))
    response = Response(quench_model, base.response.resolution, base.response.efficiency,
                        edges=edges)
    tgt = _csi_target(kind)
    exp = replace(base, target=tgt, response=response,
                  time_edges_us=tuple(signal.time_window_us))
    W = exp.recoil_weights(form_factor="unity", couplings=None, epsilon=epsilon)
    T, _ = exp.recoil_nodes()
    pred = W.sum(axis=1)
    if not np.all(pred > 0.0):
        raise ValueError("signal: a PE bin has no predicted events (below the efficiency "
                         "threshold of 5 PE); choose pe_range above it")
    mass = _mean_mass(tgt, epsilon)
    q2 = 2.0 * mass * T
    lo, hi = row_percentile(W, T, 0.16), row_percentile(W, T, 0.84)
    return {"predicted": pred, "q2": (W @ q2) / pred, "q2_lo": 2.0 * mass * lo,
            "q2_hi": 2.0 * mass * hi, "t_nr_lo_kev": lo * 1e3, "t_nr_hi_kev": hi * 1e3}


def _mean_mass(tgt: Any, epsilon: float | None) -> float:
    """Nuclear mass for q² = 2 M T: the nucleus's, or for a compound the mean
    weighted by each nucleus's complete-coherency rate share x_k (εZ_k − N_k)²."""
    if isinstance(tgt, Nucleus):
        return float(tgt.mass)
    weights = coherent_rate_weights(tgt, epsilon)
    w = np.array([wk for _, wk in weights])
    m = np.array([n.mass for n, _ in weights])
    return float(np.dot(w, m) / w.sum())


def derive_csi_2017(
    directory: str | Path | None = None,
    target_kind: str = "xe",
    time_window_us: tuple[float, float] = (0.0, 6.0),
    pe_range: tuple[float, float] = (6.0, 30.0),
    rebin: int = 1,
    background: str = "anticoincidence",
    quenching: QuenchingFit | float | None = None,
    epsilon: float | None = None,
    response: str = "detector",
) -> XiTable:
    """Bin-wise ξ(q²) from the COHERENT CsI 2017 release (module docstring).

    Parameters
    ----------
    directory : path, optional
        The release folder; default: the copy shipped in the package.
    target_kind : "xe" or "cs_i"
        CsI treated as Xe132 (Sharma & Wong's choice) or as Cs133 + I127.
    time_window_us, pe_range, rebin, background
        See :func:`csi_2017_signal`.
    quenching : QuenchingFit or float, optional
        Default: :func:`fit_quenching` of the release's QF data; a float is a flat QF.
    epsilon : float, optional
        1 − 4 sin²θ_W of the prediction; default ``constants.EPSILON_DEFAULT``.
    response : {"detector", "bins"}
        The prediction through the preset's detector response (photoelectron
        statistics; q² the event-weighted mean of the bin, q2_lo/q2_hi and the T_nr
        columns its 16th and 84th percentiles) or per bin as one T_ee range (q² the
        midpoint, T_nr the bin's edges); module docstring.

    Returns
    -------
    XiTable
        Columns pe_lo, pe_hi, t_nr_lo_kev, t_nr_hi_kev, q2_lo, q2, q2_hi (MeV²),
        on, background, background_ratio, predicted, xi, xi_err.
    """

    eps = _validation.check_epsilon(epsilon)
    kind = _validation.check_choice(target_kind, "target_kind", ("xe", "cs_i"))
    how = _validation.check_choice(response, "response", ("detector", "bins"))
    release = read_csi_2017(directory)
    if quenching is None:
        qf: QuenchingFit | float = fit_quenching(release)
    elif isinstance(quenching, QuenchingFit):
        qf = quenching
    else:
        qf = _validation.as_float(quenching, "quenching", min_value=0.0, exclusive_min=True,
                                  max_value=1.0)
    sig = csi_2017_signal(release, time_window_us=time_window_us, pe_range=pe_range,
                          rebin=rebin, background=background)
    tee_lo = sig.pe_lo / CSI_2017_LIGHT_YIELD_PE_PER_KEVEE
    tee_hi = sig.pe_hi / CSI_2017_LIGHT_YIELD_PE_PER_KEVEE
    if isinstance(qf, QuenchingFit):
        tnr_lo = np.asarray(qf.t_nr_kev(tee_lo), dtype=np.float64)
        tnr_hi = np.asarray(qf.t_nr_kev(tee_hi), dtype=np.float64)
        poly = " + ".join(f"{c:.6g} x^{i}" for i, c in enumerate(qf.coefficients))
        qf_text = (f"QF(T_nr) = {poly}, x = ln(T_nr/10 keV), fit to Chicago + TUNL QF data "
                   f"with sigma_sys = {qf.sigma_sys:.4g} (chi2/ndf = 1), held constant "
                   f"outside {qf.t_min_kev:.3g}-{qf.t_max_kev:.3g} keVnr")
    else:
        tnr_lo, tnr_hi = tee_lo / float(qf), tee_hi / float(qf)
        qf_text = f"flat QF = {float(qf):g}"
    mass = _mean_mass(_csi_target(kind), eps)
    if how == "bins":
        pred = csi_2017_predicted(release, sig, qf, target_kind=kind, epsilon=eps)
        q2_lo, q2_hi = 2.0 * mass * tnr_lo * 1e-3, 2.0 * mass * tnr_hi * 1e-3
        q2 = 0.5 * (q2_lo + q2_hi)
        how_text = ("rates.event_rate per bin as one T_ee range, no PE smearing; q2 = bin "
                    "midpoint")
    else:
        det = csi_2017_predicted_detector(sig, qf, target_kind=kind, epsilon=eps)
        pred, q2, q2_lo, q2_hi = det["predicted"], det["q2"], det["q2_lo"], det["q2_hi"]
        tnr_lo, tnr_hi = det["t_nr_lo_kev"], det["t_nr_hi_kev"]
        how_text = ("experiments preset coherent-csi-2017 response (Poisson PE statistics, "
                    "efficiency per PE); q2 = event-weighted mean of 2 M T in the bin, "
                    "q2_lo/q2_hi and T_nr columns its 16th/84th percentiles")
    ratio = np.full(sig.on.shape, sig.background_ratio)
    cols = {
        "pe_lo": sig.pe_lo, "pe_hi": sig.pe_hi,
        "t_nr_lo_kev": tnr_lo, "t_nr_hi_kev": tnr_hi,
        "q2_lo": q2_lo, "q2": q2, "q2_hi": q2_hi,
        "on": sig.on, "background": sig.background, "background_ratio": ratio,
        "predicted": pred, "xi": sig.signal / pred, "xi_err": sig.signal_err / pred,
    }
    target_name = "Xe132" if kind == "xe" else "CsI"
    choices = (
        f"target {target_name} (q2 = 2 M T with M = {mass:.6g} MeV); "
        f"arrival time {time_window_us[0]:g}-{time_window_us[1]:g} us; PE {pe_range[0]:g}-"
        f"{pe_range[1]:g} in {2 * rebin} PE bins; background = {background} "
        f"(ratio {sig.background_ratio:.6g}); light yield "
        f"{CSI_2017_LIGHT_YIELD_PE_PER_KEVEE} PE/keVee; efficiency sigmoid a,k,x0 = "
        f"{CSI_2017_EFFICIENCY}; {qf_text}; prediction: {how_text}, "
        f"PionDAR.coherent_csi_2017(), {CSI_2017_MASS_KG} kg, form_factor unity, tree "
        "couplings with epsilon, prompt/delayed weighted by the released arrival-time "
        "PDFs in the window"
    )
    prov = provenance(
        "COHERENT CsI[Na] 2017 (arXiv:1804.09459, Zenodo 10.5281/zenodo.1228631)",
        [*_CSI_FILES.values(), *_CSI_PDFS.values(), "qfData_chicago.txt", "qfData_tunl.txt"],
        choices,
    ) + (f"target: {target_name}", f"epsilon: {eps!r}")
    return XiTable(cols, prov)
