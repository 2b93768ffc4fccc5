"""Bin-wise ξ(q²) from the public COHERENT data releases (docs/physics.md §7).

Rerun on the release you downloaded: every function takes the release folder as an
argument (nothing here knows where it lives). The tables shipped in
``coherency/data/*.csv`` were made by :func:`write_shipped_tables`.

CsI[Na] 2017 (COHERENT, Science 357 (2017) 1123; release arXiv:1804.09459,
Zenodo 10.5281/zenodo.1228631)
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

    Prediction at complete coherency (F = 1) with :mod:`coherency.rates` and the
    ``PionDAR.coherent_csi_2017()`` source, 14.6 kg CsI; the fraction of prompt and
    delayed neutrinos inside the time window from the released arrival-time PDFs.
    ξ = (C − AC)/predicted, σ_ξ = √(C + AC)/predicted (Poisson, statistical only).

Ar 2020, CENNS-10 analysis A (COHERENT, PRL 126 (2021) 012002; release
arXiv:2006.12659, Zenodo 10.5281/zenodo.3903810)
    ``energydata1d.txt``: 10-keVee bins, steady-state-subtracted data with its
    statistical error and the best-fit CEvNS and BRN (beam-related neutron)
    components. Signal = SS-subtracted data − best-fit BRN; σ from the released
    statistical error. QF = 0.246 + 0.00078 T[keVnr], efficiency from
    ``CENNS10AnlAEfficiency.txt`` (LArParametersAnlA.yaml).
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from . import _validation
from .detector.quenching import invert_increasing

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "CSI_2017_EFFICIENCY",
    "CSI_2017_LIGHT_YIELD_PE_PER_KEVEE",
    "CsIRelease",
    "QuenchingFit",
    "XiTable",
    "csi_2017_efficiency",
    "csi_2017_signal",
    "derive_ar_2020",
    "derive_csi_2017",
    "fit_quenching",
    "read_csi_2017",
    "read_table",
    "write_table",
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


def _folder(directory: Any, name: str = "directory") -> Path:
    if not isinstance(directory, (str, Path)):
        raise TypeError(f"{name} must be a path; got {type(directory).__name__}")
    path = Path(directory)
    if not path.is_dir():
        raise ValueError(f"{name}: no such folder {str(path)!r}")
    return path


def _read_numbers(path: Path, ncols: int) -> FloatArray:
    """Comma- or blank-separated numbers, '#' comments and text header lines skipped."""
    rows: list[list[float]] = []
    if not path.is_file():
        raise ValueError(f"{path.name}: missing file in the release folder {str(path.parent)!r}")
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p for p in line.replace(",", " ").split() if p]
        try:
            vals = [float(p) for p in parts]
        except ValueError:
            if rows:  # text after the data started: a corrupt row, not a title
                raise ValueError(
                    f"{path.name} line {lineno}: expected {ncols} numbers; got {line!r}"
                ) from None
            continue   # column-title line
        if len(vals) < ncols:
            raise ValueError(f"{path.name}: expected {ncols} columns; got {line!r}")
        if not all(math.isfinite(v) for v in vals[:ncols]):
            raise ValueError(f"{path.name} line {lineno}: values must be finite; got {line!r}")
        rows.append(vals[:ncols])
    if not rows:
        raise ValueError(f"{path.name}: no numeric rows")
    return np.asarray(rows, dtype=np.float64)


# --------------------------------------------------------------------------- CsI 2017
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


def read_csi_2017(directory: str | Path) -> CsIRelease:
    """Read the COHERENT CsI 2017 release folder (see the module docstring).

    Raises
    ------
    ValueError
        Missing folder or file, or a file whose bins are not a full PE × time grid.
    """
    folder = _folder(directory)
    counts: dict[str, FloatArray] = {}
    pe = time = None
    for key, fname in _CSI_FILES.items():
        d = _read_numbers(folder / fname, 3)
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
        d = _read_numbers(folder / fname, 2)
        if not np.allclose(d[:, 0], time):
            raise ValueError(f"{fname}: time bins differ from the data files")
        pdfs[key] = d[:, 1] / d[:, 1].sum()
    chicago = _read_numbers(folder / "qfData_chicago.txt", 4)
    tunl_raw = _read_numbers(folder / "qfData_tunl.txt", 6)
    tunl = np.column_stack([tunl_raw[:, 0], tunl_raw[:, 3],
                            0.5 * (tunl_raw[:, 4] + tunl_raw[:, 5])])
    return CsIRelease(pe=pe, time_us=time, counts=counts, arrival_pdf=pdfs,
                      qf_chicago=chicago, qf_tunl=tunl, directory=str(folder))


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


# --------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class XiTable:
    """A derived bin-wise ξ table: columns (name → array) and provenance lines."""

    columns: dict[str, FloatArray]
    provenance: tuple[str, ...]

    def __getitem__(self, key: str) -> FloatArray:
        return self.columns[key]


def write_table(table: XiTable, path: str | Path) -> None:
    """Write ``table`` as CSV with its provenance as leading ``#`` lines."""
    path = Path(path)
    names = list(table.columns)
    with path.open("w", newline="") as fh:
        for line in table.provenance:
            fh.write(f"# {line}\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(names)
        for row in zip(*(table.columns[n] for n in names)):
            writer.writerow([repr(float(v)) for v in row])


def read_table(text: str) -> XiTable:
    """Parse what :func:`write_table` wrote (text of the file)."""
    prov: list[str] = []
    lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            prov.append(line[1:].strip())
        elif line.strip():
            lines.append(line)
    reader = csv.reader(lines)
    names = next(reader, None)
    if not names:
        raise ValueError("text: no column-name line (an empty or truncated table)")
    rows = []
    for i, r in enumerate(reader, 1):
        if len(r) != len(names):
            raise ValueError(f"text: data row {i} has {len(r)} values, the header "
                             f"{len(names)} columns ({', '.join(names)}); got {r!r}")
        try:
            vals = [float(v) for v in r]
        except ValueError:
            raise ValueError(f"text: data row {i} must hold numbers; got {r!r}") from None
        if not all(math.isfinite(v) for v in vals):
            raise ValueError(f"text: data row {i} must hold finite numbers; got {r!r}")
        rows.append(vals)
    if not rows:
        raise ValueError(f"text: no data rows under the columns {', '.join(names)}")
    arr = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(names))
    return XiTable({n: arr[:, i].copy() for i, n in enumerate(names)}, tuple(prov))


def _provenance(source: str, files: Sequence[str], choices: str) -> tuple[str, ...]:
    return (
        f"Derived from the public release {source}",
        "files: " + ", ".join(files),
        "script: coherency.coherent_release.write_shipped_tables (rerun it on the release)",
        f"date: {_dt.date.today().isoformat()}",
        f"choices: {choices}",
        "xi = observed/predicted at complete coherency (F = 1); xi_err statistical only",
    )


def _merge_time_fraction(release: CsIRelease, window: tuple[float, float]) -> dict[str, float]:
    mask = _time_mask(release, window)
    return {k: float(v[mask].sum()) for k, v in release.arrival_pdf.items()}


def _dar_components(source: Any) -> list[tuple[Any, str]]:
    """Split a pion-DAR source into its prompt (νμ) and delayed (νe, ν̄μ) parts."""
    from dataclasses import replace

    return [(replace(source, flavours=("numu",)), "prompt"),
            (replace(source, flavours=("nue", "numubar")), "delayed")]


def _csi_source() -> Any:
    from .sources import PionDAR

    return PionDAR.coherent_csi_2017()


def _csi_target(kind: str) -> Any:
    from .targets import nucleus, target

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
    from .rates import event_rate

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
    for comp, key in _dar_components(src):
        for i, (lo, hi) in enumerate(zip(signal.pe_lo, signal.pe_hi)):
            out[i] += frac[key] * event_rate(
                comp, tgt, mass, time_s,
                T_min=lo / CSI_2017_LIGHT_YIELD_PE_PER_KEVEE * 1e-3,
                T_max=hi / CSI_2017_LIGHT_YIELD_PE_PER_KEVEE * 1e-3,
                efficiency=eff, quenching=quench, energy_scale="ee",
                form_factor=form_factor, epsilon=epsilon)
    return out


def _mean_mass(tgt: Any, epsilon: float | None) -> float:
    """Nuclear mass for q² = 2 M T: the nucleus's, or for a compound the mean
    weighted by each nucleus's complete-coherency rate share x_k (εZ_k − N_k)²."""
    from .targets import Nucleus

    if isinstance(tgt, Nucleus):
        return float(tgt.mass)
    eps = _validation.check_epsilon(epsilon)
    w = np.array([f * (eps * n.Z - n.N) ** 2 for n, f in tgt.components])
    m = np.array([n.mass for n, _ in tgt.components])
    return float(np.dot(w, m) / w.sum())


def derive_csi_2017(
    directory: str | Path,
    target_kind: str = "xe",
    time_window_us: tuple[float, float] = (0.0, 6.0),
    pe_range: tuple[float, float] = (6.0, 30.0),
    rebin: int = 1,
    background: str = "anticoincidence",
    quenching: QuenchingFit | float | None = None,
    epsilon: float | None = None,
) -> XiTable:
    """Bin-wise ξ(q²) from the COHERENT CsI 2017 release (module docstring).

    Parameters
    ----------
    directory : path
        The release folder.
    target_kind : "xe" or "cs_i"
        CsI treated as Xe132 (Sharma & Wong's choice) or as Cs133 + I127.
    time_window_us, pe_range, rebin, background
        See :func:`csi_2017_signal`.
    quenching : QuenchingFit or float, optional
        Default: :func:`fit_quenching` of the release's QF data; a float is a flat QF.
    epsilon : float, optional
        1 − 4 sin²θ_W of the prediction; default ``constants.EPSILON_DEFAULT``.

    Returns
    -------
    XiTable
        Columns pe_lo, pe_hi, t_nr_lo_kev, t_nr_hi_kev, q2_lo, q2, q2_hi (MeV²;
        q2 the midpoint), on, background, background_ratio, predicted, xi, xi_err.
    """

    release = read_csi_2017(directory)
    kind = _validation.check_choice(target_kind, "target_kind", ("xe", "cs_i"))
    qf = fit_quenching(release) if quenching is None else quenching
    sig = csi_2017_signal(release, time_window_us=time_window_us, pe_range=pe_range,
                          rebin=rebin, background=background)
    eps = _validation.check_epsilon(epsilon)
    pred = csi_2017_predicted(release, sig, qf, target_kind=kind, epsilon=eps)
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
    q2_lo, q2_hi = 2.0 * mass * tnr_lo * 1e-3, 2.0 * mass * tnr_hi * 1e-3
    ratio = np.full(sig.on.shape, sig.background_ratio)
    cols = {
        "pe_lo": sig.pe_lo, "pe_hi": sig.pe_hi,
        "t_nr_lo_kev": tnr_lo, "t_nr_hi_kev": tnr_hi,
        "q2_lo": q2_lo, "q2": 0.5 * (q2_lo + q2_hi), "q2_hi": q2_hi,
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
        f"{CSI_2017_EFFICIENCY}; {qf_text}; prediction: rates.event_rate, "
        f"PionDAR.coherent_csi_2017(), {CSI_2017_MASS_KG} kg, form_factor unity, "
        "prompt/delayed weighted by the released arrival-time PDFs in the window, no PE "
        "smearing"
    )
    prov = _provenance(
        "COHERENT CsI[Na] 2017 (arXiv:1804.09459, Zenodo 10.5281/zenodo.1228631)",
        [*_CSI_FILES.values(), *_CSI_PDFS.values(), "qfData_chicago.txt", "qfData_tunl.txt"],
        choices,
    ) + (f"target: {target_name}", f"epsilon: {eps!r}")
    return XiTable(cols, prov)


# --------------------------------------------------------------------------- Ar 2020
# CENNS-10 analysis A release (LArParametersAnlA.yaml): QF = a + b T[keVnr].
AR_2020_QF = (0.246, 0.00078)
AR_2020_MASS_KG = 24.4
# Best-fit BRN normalisation 553 +- 34 (LArParametersAnlA.yaml): relative 1 sigma.
AR_2020_BRN_REL_UNC = 34.0 / 553.0


def _ar_tnr_kev(t_ee_kev: FloatArray) -> FloatArray:
    a, b = AR_2020_QF
    return (-a + np.sqrt(a * a + 4.0 * b * t_ee_kev)) / (2.0 * b)


def derive_ar_2020(
    directory: str | Path,
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
    Poisson method is not meaningful for Ar: use the Gaussian one.
    """
    from .rates import event_rate
    from .sources import PionDAR
    from .targets import nucleus

    folder = _folder(directory)
    data = _read_numbers(folder / "energydata1d.txt", 8)
    effd = _read_numbers(folder / "CENNS10AnlAEfficiency.txt", 3)
    centre = data[:, 0]
    width = float(np.diff(centre).min())
    lo_ee, hi_ee = centre - 0.5 * width, centre + 0.5 * width
    signal = data[:, 1] - data[:, 4]
    err = data[:, 2]
    if brn_systematic:
        err = np.hypot(err, AR_2020_BRN_REL_UNC * data[:, 4])
    eps = _validation.check_epsilon(epsilon)
    src = PionDAR.coherent_ar_2020()
    ar = nucleus("Ar40")
    a, b = AR_2020_QF

    def quench(t_nr_mev: Any) -> Any:
        t = np.asarray(t_nr_mev, dtype=np.float64)
        return (a + b * t * 1e3) * t

    def eff(t_ee_mev: Any) -> Any:
        x = np.asarray(t_ee_mev, dtype=np.float64) * 1e3
        return np.interp(x, effd[:, 0], effd[:, 2], left=0.0, right=float(effd[-1, 2]))

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
    prov = _provenance(
        "COHERENT CENNS-10 Ar 2020 analysis A (arXiv:2006.12659, Zenodo 10.5281/zenodo.3903810)",
        ["energydata1d.txt", "CENNS10AnlAEfficiency.txt", "LArParametersAnlA.yaml"], choices,
    ) + ("target: Ar40", f"epsilon: {eps!r}")
    return XiTable(cols, prov)


SHIPPED: dict[str, tuple[str, dict[str, Any]]] = {
    "coherent_csi_2017_xi.csv": ("coherent_csi_2017", dict(target_kind="xe")),
    "coherent_csi_2017_cs_i_xi.csv": ("coherent_csi_2017", dict(target_kind="cs_i")),
    "coherent_ar_2020_xi.csv": ("coherent_ar_2020", {}),
}


def derive_shipped(data_dir: str | Path, filename: str) -> XiTable:
    """Re-derive one shipped table from the releases under ``data_dir`` (the folder
    holding ``coherent_csi_2017/`` and ``coherent_ar_2020/``), with the shipped
    choices (the defaults of :func:`derive_csi_2017` and :func:`derive_ar_2020`)."""
    if filename not in SHIPPED:
        raise ValueError(f"filename must be one of {sorted(SHIPPED)}; got {filename!r}")
    folder, kwargs = SHIPPED[filename]
    path = _folder(data_dir, "data_dir") / folder
    if folder == "coherent_ar_2020":
        return derive_ar_2020(path, **kwargs)
    return derive_csi_2017(path, **kwargs)


def write_shipped_tables(data_dir: str | Path, out_dir: str | Path | None = None) -> None:
    """Remake ``coherency/data/*.csv`` (or write them to ``out_dir``)."""
    out = Path(__file__).parent / "data" if out_dir is None else _folder(out_dir, "out_dir")
    for fname in SHIPPED:
        write_table(derive_shipped(data_dir, fname), out / fname)
