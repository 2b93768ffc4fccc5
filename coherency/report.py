"""The ``coherency report``: Sharma & Wong's tables and figures from the packaged defaults.

:func:`build_report` computes everything as plain Python data (JSON-ready);
:func:`render_markdown` formats it; :func:`write_report` writes ``report.json``,
``report.md`` and the figures (``fig1_xi_gamma_vs_alpha.png``,
``fig2_alpha_vs_q2.png``) into a folder. Every number comes from the public API, so a
user can recompute any of them in a few lines (the CLI tests do exactly that).

Choices (stated again in the report itself):

- Nuclei of Table 1 and Fig. 1: Ar40, Ge74, Xe132 (Sharma & Wong's Z = 18, 32, 54;
  CsI as Xe).
- q^2 ranges: q^2_max at each source's largest energy, and the FWHM of dN/dq^2
  (docs/physics.md §6) both without a threshold and above a typical detector
  threshold per source (:data:`Q2_THRESHOLDS_KEVNR`; the reactor's is the CONUS+
  threshold of the reactor projection, 170 eVee in natural Ge with Lindhard k = 0.16).
  One reactor configuration throughout: the CONUS+ site (3.6 GW at 20.7 m).
- Predicted counts: the experiment presets (:mod:`coherency.experiments`), each with
  its published exposure and response, beside the published numbers (as numbers with
  their errors in ``report.json``).
- Other detectors (:data:`EXPERIMENTS`, each a :class:`CountsSetup`): solar 8B and
  atmospheric neutrinos on xenon, counts per stated exposure.
- α(q²) from the COHERENT data: bin-wise, Gaussian in ξ; p-values are local (per bin)
  and global (Šidák-corrected for the number of bins), and the words follow the
  global p-value (nothing is called excluded at p >= 0.05).
"""

from __future__ import annotations

import secrets
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from . import _validation
from ._figures import FIGURE1_NUCLEI
from ._report_alpha import LIKELIHOOD_ALPHA, alpha_constraints, alpha_likelihood, coherent_counts
from ._report_files import (
    FIGURE_CAPTIONS,
    FIGURE_DPI,
    FIGURE_FILES,
    move_into_place,
    report_figures,
    save_figure,
    write_files,
)
from ._report_text import json_float as _f
from ._report_text import render_markdown, summary_text
from .constants import SECONDS_PER_YEAR
from .experiments import conus_plus
from .experiments import names as _preset_names

__all__ = [
    "EXPERIMENTS",
    "FIGURE_CAPTIONS",
    "FIGURE_DPI",
    "FIGURE_FILES",
    "LIKELIHOOD_ALPHA",
    "Q2_SOURCES",
    "Q2_THRESHOLDS_KEVNR",
    "TABLE1_NUCLEI",
    "CountsSetup",
    "Progress",
    "build_report",
    "q2_thresholds_keVnr",
    "reactor_threshold_keVnr",
    "render_markdown",
    "report_figures",
    "save_figure",
    "write_report",
]

#: The nuclei of Table 1: those of Fig. 1 (Sharma & Wong's Z = 18, 32, 54).
TABLE1_NUCLEI: dict[str, str] = FIGURE1_NUCLEI

# Sources of the q^2 table: CLI name (coherency.sources.by_name) -> label.
#: The one reactor configuration of the report: the CONUS+ site.
REACTOR_LABEL = (f"reactor (CONUS+ site: {conus_plus.POWER_GW:g} GW, "
                 f"{conus_plus.DISTANCE_M:g} m)")

Q2_SOURCES: dict[str, str] = {
    "reactor": REACTOR_LABEL,
    "solar-8B": "solar 8B",
    "solar-hep": "solar hep",
    "coherent-csi": "pion DAR (SNS)",
    "atmospheric": "atmospheric",
}

# Typical nuclear-recoil thresholds (keVnr) per source for the FWHM "with threshold":
# the reactor's is that of the reactor projection (CONUS+: 170 eVee in natural Ge,
# Lindhard k = 0.16, :func:`reactor_threshold_keVnr`), multi-ton xenon detectors reach
# ~1 keVnr for 8B/hep (S2-only) and ~5 keVnr for atmospheric nu; COHERENT CsI starts
# near 5 keVnr. The reactor entry is filled in by :func:`q2_thresholds_keVnr`.
Q2_THRESHOLDS_KEVNR: dict[str, float | None] = {
    "reactor": None,
    "solar-8B": 1.0,
    "solar-hep": 1.0,
    "coherent-csi": 5.0,
    "atmospheric": 5.0,
}


@dataclass(frozen=True)
class CountsSetup:
    """A detector for the counts table: source x target x exposure x response.

    Internal to the report (its rows); the experiment of the α projections is
    :class:`coherency.projections.Experiment`.

    ``T_min``/``T_max`` are in MeV on ``energy_scale`` ("nr" or "ee"; "ee" needs
    ``quenching``). ``time_s`` None means the source's own exposure time (sources
    that carry a fluence, like the COHERENT presets).
    """

    name: str
    source: str
    target: str
    mass_kg: float
    time_s: float | None
    T_min: float
    T_max: float | None = None
    energy_scale: str = "nr"
    quenching: Any = None
    exposure: str = ""
    note: str = ""
    published: dict[str, Any] = field(default_factory=dict)


# Detectors beyond the presets: solar and atmospheric neutrinos on xenon (the reactor
# and COHERENT are the experiment presets of coherency.experiments).
EXPERIMENTS: tuple[CountsSetup, ...] = (
    CountsSetup(
        name="solar 8B on xenon (1 t yr, 1 keVnr)", source="solar-8B", target="Xe",
        mass_kg=1000.0, time_s=SECONDS_PER_YEAR, T_min=1e-3, exposure="1 t x 1 yr",
        note="natural xenon, threshold 1 keVnr, efficiency 1",
    ),
    CountsSetup(
        name="atmospheric on xenon (100 t yr, 5 keVnr)", source="atmospheric", target="Xe",
        mass_kg=1e5, time_s=SECONDS_PER_YEAR, T_min=5e-3, exposure="100 t x 1 yr",
        note="natural xenon, threshold 5 keVnr, efficiency 1",
    ),
)


def reactor_threshold_keVnr() -> float:
    """The reactor threshold of the report in keVnr: the reactor projection's
    (:func:`coherency.projections.reactor_germanium`: 170 eVee in natural Ge, Lindhard
    k = 0.16), so that the q² table, Fig. 2(c) and the projection share one range."""
    from .projections import reactor_germanium

    return float(reactor_germanium().threshold_nr) * 1e3


def q2_thresholds_keVnr() -> dict[str, float]:
    """:data:`Q2_THRESHOLDS_KEVNR` with the reactor's filled in."""
    return {k: (reactor_threshold_keVnr() if v is None else v)
            for k, v in Q2_THRESHOLDS_KEVNR.items()}


class Progress:
    """A progress bar (tqdm) on a stream (stderr by default); silent if ``enabled`` is
    False. Used as ``progress.step("label")`` once per unit, then ``close()``."""

    def __init__(self, total: int, enabled: bool = True, stream: TextIO | None = None,
                 width: int = 30) -> None:
        self.total = max(int(total), 1)
        self.done = 0
        self.enabled = enabled
        self.stream = sys.stderr if stream is None else stream
        self._bar: Any = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, file=self.stream, ncols=80 + width,
                             leave=False, bar_format="{l_bar}{bar:" + str(width) +
                             "}| {n_fmt}/{total_fmt} [{elapsed}]")

    def step(self, label: str) -> None:
        self.done = min(self.done + 1, self.total)
        if self._bar is not None:
            self._bar.set_description_str(label[:40])
            self._bar.update(1)
            if self.done == self.total:
                self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _source(spec: str) -> Any:
    from .sources import Reactor, by_name

    if spec == "reactor":
        return Reactor(power_GW=conus_plus.POWER_GW, distance_m=conus_plus.DISTANCE_M)
    return by_name(spec)


def _table1(epsilon: float | None) -> dict[str, Any]:
    from .coherence import coherency_limits

    return {label: coherency_limits(name, epsilon=epsilon).as_dict()
            for label, name in TABLE1_NUCLEI.items()}


def _q2_ranges(epsilon: float | None, progress: Progress) -> list[dict[str, Any]]:
    from .kinematics import q2_max, q2_min
    from .rates import q2_fwhm
    from .targets import as_nucleus

    rows = []
    thresholds = q2_thresholds_keVnr()
    for src_name, label in Q2_SOURCES.items():
        src = _source(src_name)
        for _tlabel, nuc_name in TABLE1_NUCLEI.items():
            nuc = as_nucleus(nuc_name)
            T_thr = thresholds[src_name] * 1e-3
            row: dict[str, Any] = {
                "source": src_name, "source_label": label, "target": nuc_name,
                "E_max_MeV": float(src.E_max),
                "q2_max_MeV2": float(q2_max(float(src.E_max), nuc)),
                "q2_fwhm_MeV2": list(q2_fwhm(src, nuc, T_min=0.0, epsilon=epsilon)),
                "threshold_keVnr": thresholds[src_name],
                "q2_threshold_MeV2": float(q2_min(T_thr, nuc)),
            }
            try:
                row["q2_fwhm_threshold_MeV2"] = list(q2_fwhm(src, nuc, T_min=T_thr,
                                                             epsilon=epsilon))
            except ValueError:
                row["q2_fwhm_threshold_MeV2"] = None  # no recoil above the threshold
            rows.append(row)
        progress.step(f"q2 ranges: {label}")
    return rows


def _experiment_counts(exp: CountsSetup, epsilon: float | None) -> dict[str, Any]:
    from .rates import event_rate, flux_averaged_sigma

    src = _source(exp.source)
    time_s = src.counts_time_s if exp.time_s is None else exp.time_s
    quench = exp.quenching
    T_nr_thr = exp.T_min
    if exp.energy_scale == "ee":
        from .detector import nr_from_ee_MeV

        T_nr_thr = nr_from_ee_MeV(exp.T_min, quench)
    kw = dict(T_min=exp.T_min, T_max=exp.T_max, quenching=quench,
              energy_scale=exp.energy_scale, epsilon=epsilon)
    return {
        "name": exp.name,
        "source": exp.source,
        "target": exp.target,
        "mass_kg": exp.mass_kg,
        "time_s": time_s,
        "exposure": exp.exposure,
        "threshold_keVnr": T_nr_thr * 1e3,
        "sigma_avg_cm2": _f(flux_averaged_sigma(src, exp.target, epsilon=epsilon)),
        "sigma_avg_threshold_cm2": _f(flux_averaged_sigma(src, exp.target, T_min=T_nr_thr,
                                                          epsilon=epsilon)),
        "counts_helm": _f(event_rate(src, exp.target, exp.mass_kg, time_s, **kw)),
        "counts_coherent": _f(event_rate(src, exp.target, exp.mass_kg, time_s,
                                         form_factor="unity", **kw)),
        "note": exp.note,
        "published": dict(exp.published),
    }


def _presets(progress: Progress) -> list[dict[str, Any]]:
    """Every experiment preset's prediction beside its published numbers."""
    from . import experiments

    rows = []
    for name in experiments.names():
        exp = experiments.load(name)
        counts = exp.predicted_counts()
        sigma = exp.flux_averaged_sigma()
        published = {k: p.as_dict() for k, p in exp.published.items()}
        row: dict[str, Any] = {
            "name": name, "title": exp.title, "target": exp.target.name,
            "mass_kg": exp.mass_kg, "source": exp.source.name,
            "form_factor": exp.form_factor, "couplings": exp.couplings,
            "counts": counts, "sigma_avg_cm2": sigma, "published": published,
        }
        for key, ours in (("predicted_counts", counts), ("flux_averaged_sigma", sigma)):
            pub = exp.published.get(key)
            if pub is not None:
                err = pub.err_hi if ours > pub.value else pub.err_lo
                row[f"{key}_difference_percent"] = 100.0 * (ours / pub.value - 1.0)
                row[f"{key}_difference_sigma"] = (ours - pub.value) / err
        rows.append(row)
        progress.step(f"preset {name}")
    return rows


def _reactor_panel(epsilon: float | None) -> dict[str, Any]:
    """Fig. 2(c): the reactor projection's q^2 range (the FWHM of dN/dq^2 on natural Ge
    above its threshold, clipped there: the projection's one bin) and its projected band
    at the CONUS+ site, so that the panel, the text and the projection share one range."""
    from .projections import reactor_alpha_band, reactor_germanium

    base = reactor_germanium(epsilon=epsilon)
    T_lo, T_hi = (float(x) for x in base.bin_edges_T()[0])
    M = float(base.mean_mass)
    band = reactor_alpha_band(epsilon=epsilon).to_dict()
    thr = float(base.threshold_nr) * 1e3
    # the Helm band of the panel is drawn for Ge74 (a single nucleus), the most abundant
    # isotope; the range is that of natural Ge, as in the projection
    return {"nucleus": "Ge74", "target": "Ge", "source": REACTOR_LABEL,
            "threshold_keVnr": thr, "q2_fwhm": [2.0 * M * T_lo, 2.0 * M * T_hi],
            "band": band, "title": f"(c) reactor, natural Ge, {thr:.3g} keVnr threshold"}


def build_report(epsilon: float | None = None, progress: Progress | None = None,
                 *, fits: bool = True) -> dict[str, Any]:
    """Compute every number of the report (JSON-ready dict).

    Parameters
    ----------
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default ``constants.EPSILON_DEFAULT`` (0.045 reproduces
        Sharma & Wong's Table 1 and Fig. 1).
    progress : Progress, optional
        Progress bar for the long steps (silent by default).
    fits : bool
        Fit alpha(q^2) of :data:`LIKELIHOOD_ALPHA` with the full likelihood (about
        20 s). False leaves ``alpha_likelihood`` empty and
        says so in ``meta``.

    Returns
    -------
    dict
        Keys ``meta``, ``table1``, ``q2_ranges``, ``presets``, ``other_detectors``,
        ``alpha_constraints``, ``alpha_likelihood``, ``reactor_panel``,
        ``projections``.
    """
    from . import __version__, get_backend

    eps = _validation.check_epsilon(epsilon)
    _validation.check_flag(fits, "fits")
    progress = Progress(1, enabled=False) if progress is None else progress
    report: dict[str, Any] = {
        "meta": {"coherency_version": __version__, "backend": get_backend(), "epsilon": eps,
                 "units": "energies MeV (thresholds keVnr), q2 MeV^2, cross sections cm^2",
                 "presets_physics": "the presets use their own couplings (pdg) and form "
                                    "factors (helm-measured); epsilon applies to the rest"},
    }
    report["table1"] = _table1(eps)
    progress.step("Table 1")
    report["q2_ranges"] = _q2_ranges(eps, progress)
    report["presets"] = _presets(progress)
    report["other_detectors"] = []
    for exp in EXPERIMENTS:
        report["other_detectors"].append(_experiment_counts(exp, eps))
        progress.step(f"counts: {exp.name}")
    report["alpha_constraints"] = [
        alpha_constraints("coherent_csi", "COHERENT CsI 2017 (CsI as Xe132)",
                          coherent_counts("COHERENT CsI 2017", "coherent_csi", eps)),
        alpha_constraints("coherent_ar", "COHERENT Ar 2020",
                          coherent_counts("COHERENT Ar 2020", "coherent_ar", eps)),
    ]
    progress.step("alpha constraints")
    report["alpha_likelihood"] = []
    if fits:
        for name, label in LIKELIHOOD_ALPHA.items():
            report["alpha_likelihood"].append(alpha_likelihood(name, label))
            progress.step(f"alpha(q2) fit: {name}")
    else:
        report["meta"]["alpha_likelihood"] = "not computed (fits=False, --no-fits)"
    report["reactor_panel"] = _reactor_panel(eps)
    progress.step("reactor q2 range")
    report["projections"] = _projections(eps)
    progress.step("projections")
    return _json_safe(report)


def _projections(epsilon: float) -> list[dict[str, Any]]:
    from .constants import EPSILON_DEFAULT
    from .projections import default_experiments, default_projections

    if epsilon != EPSILON_DEFAULT:
        # the presets are built with the default epsilon; rebuild with this one
        from .projections import DEFAULT_EXPOSURES

        out = []
        for exp in default_experiments():
            kind = exp.name.split(" ")[0]
            method = "poisson" if kind == "atmospheric" else "gaussian"
            e = _replace(exp, epsilon=epsilon)
            out.append(e.project(DEFAULT_EXPOSURES[kind], method=method, cl=0.9))
    else:
        out = default_projections()
    return [{**p.to_dict(), "assumptions": exp.assumptions}
            for p, exp in zip(out, default_experiments())]


def _replace(obj: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _json_safe(obj: Any) -> Any:
    """Non-finite floats become None (strict JSON has no inf/NaN)."""
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return _f(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


N_STEPS = 1 + len(Q2_SOURCES) + len(_preset_names()) + len(EXPERIMENTS) + 1 + 1 + 1


def write_report(
    out_dir: str | Path = "coherency-report",
    epsilon: float | None = None,
    figures: bool = True,
    progress: bool = False,
    summary: Callable[[str], None] | None = None,
    *,
    fits: bool = True,
) -> dict[str, Path]:
    """Compute the report and write it into ``out_dir`` (created if needed).

    Parameters
    ----------
    out_dir : str or Path
        Output folder (default ``./coherency-report``).
    epsilon : float, optional
        1 - 4 sin^2 theta_W.
    figures : bool
        Draw Fig. 1 and Fig. 2 as PNG (needs matplotlib, the ``plot`` extra).
    progress : bool
        Show a progress bar on stderr.
    summary : callable, optional
        Called with a few lines of summary text when the files are written.
    fits : bool
        alpha(q^2) of CsI 2021 and Ar 2020 from the full likelihood
        (:func:`build_report`).

    Returns
    -------
    dict of name -> Path
        ``report_json``, ``report_md`` and, with figures, ``fig1``, ``fig2``.

    Raises
    ------
    ValueError
        ``out_dir`` is empty or names something that is not a folder.
    OSError
        The folder cannot be written (read-only, a full disk, ...).

    Notes
    -----
    The files are written into a new hidden folder next to ``out_dir`` and moved
    into place only when all of them are complete (the folder is renamed when it is
    new; each file replaces its older version when it exists), so an error or an
    interrupt never leaves a half-written report; the hidden folder is removed.
    """
    if not isinstance(out_dir, (str, Path)):
        raise TypeError(f"out_dir must be a path; got {type(out_dir).__name__}")
    if str(out_dir).strip() == "":
        raise ValueError("out_dir must name a folder; got ''")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir: {str(out)!r} exists and is not a folder")
    parent = out.absolute().parent
    if parent.exists() and not parent.is_dir():
        raise ValueError(f"out_dir: {str(parent)!r} exists and is not a folder")
    _validation.check_flag(figures, "figures")
    _validation.check_flag(fits, "fits")
    if figures:
        from .plotting import require_matplotlib

        require_matplotlib()
    n = N_STEPS + (len(LIKELIHOOD_ALPHA) if fits else 0) + (2 if figures else 0)
    bar = Progress(n, enabled=progress)
    try:
        report = build_report(epsilon=epsilon, progress=bar, fits=fits)
        out.absolute().parent.mkdir(parents=True, exist_ok=True)
        staging = out.absolute().parent / f".{out.name}.{secrets.token_hex(4)}.tmp"
        staging.mkdir()
        try:
            written = write_files(report, staging, figures, bar)
            move_into_place(staging, out, written)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        bar.close()
    if summary is not None:
        summary(summary_text(report, out, sorted(written.values())))
    return {key: out / name for key, name in written.items()}


def __getattr__(name: str) -> Any:
    # The former name of CountsSetup, kept working with a DeprecationWarning: it
    # clashed with coherency.projections.Experiment, a different class.
    if name == "Experiment":
        import warnings

        warnings.warn("coherency.report.Experiment is deprecated; use "
                      "coherency.report.CountsSetup", DeprecationWarning, stacklevel=2)
        return CountsSetup
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
