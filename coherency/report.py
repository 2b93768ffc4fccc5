"""The ``coherency report``: Sharma & Wong's tables and figures from the packaged defaults.

:func:`build_report` computes everything as plain Python data (JSON-ready);
:func:`render_markdown` formats it; :func:`write_report` writes ``report.json``,
``report.md`` and the figures (``fig1_xi_gamma_vs_alpha.png``,
``fig2_alpha_vs_q2.png``) into a folder. Every number comes from the public API, so a
user can recompute any of them in a few lines (the CLI tests do exactly that).

Choices (stated again in the report itself):

- Nuclei of Table 1 and Fig. 1: Ar40, Ge74, Xe132 (seed: Z = 18, 32, 54; CsI as Xe).
- q^2 ranges: q^2_max at each source's largest energy, and the FWHM of dN/dq^2
  (docs/physics.md §6) both without a threshold and above a typical detector
  threshold per source (:data:`Q2_THRESHOLDS_KEVNR`).
- COHERENT counts: the complete-coherency prediction of the shipped xi tables
  (release efficiency and quenching, :mod:`coherency.data.coherent_csi_2017`), and the
  Helm prediction = that, bin by bin, times the Helm/F=1 ratio of event_rate over the
  bin's nuclear-recoil range (the efficiency varies little inside a bin).
- Reactor Ge (CONUS+-like, inputs from :mod:`coherency.experiments.conus_plus`), solar
  8B and atmospheric on xenon: the detectors of :data:`EXPERIMENTS` (each a
  :class:`CountsSetup`), counts per stated exposure.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from ._figures import FIGURE1_NUCLEI
from ._report_text import render_markdown, summary_text
from .constants import KEV, SECONDS_PER_YEAR
from .experiments import conus_plus

__all__ = [
    "EXPERIMENTS",
    "Q2_SOURCES",
    "Q2_THRESHOLDS_KEVNR",
    "TABLE1_NUCLEI",
    "CountsSetup",
    "Progress",
    "build_report",
    "render_markdown",
    "write_report",
]

#: The nuclei of Table 1: those of Fig. 1 (Sharma & Wong's Z = 18, 32, 54).
TABLE1_NUCLEI: dict[str, str] = FIGURE1_NUCLEI

# Sources of the q^2 table: CLI name (coherency.sources.by_name) -> label.
Q2_SOURCES: dict[str, str] = {
    "reactor": "reactor (3 GW, 20 m)",
    "solar-8B": "solar 8B",
    "solar-hep": "solar hep",
    "coherent-csi": "pion DAR (SNS)",
    "atmospheric": "atmospheric",
}

# Typical nuclear-recoil thresholds (keVnr) per source for the FWHM "with threshold":
# reactor Ge point-contact detectors reach ~0.2 keVee (~0.8 keVnr in Ge); multi-ton
# xenon detectors ~1 keVnr for 8B/hep (S2-only) and ~5 keVnr for atmospheric nu;
# COHERENT CsI starts near 5 keVnr.
Q2_THRESHOLDS_KEVNR: dict[str, float] = {
    "reactor": 0.5,
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


def _conus_quenching() -> Any:
    return conus_plus.quenching(conus_plus.LINDHARD_K)


# Reactor, solar and atmospheric detectors (COHERENT comes from the shipped tables);
# the reactor one is the CONUS+ set-up (coherency.experiments.conus_plus, cited there).
EXPERIMENTS: tuple[CountsSetup, ...] = (
    CountsSetup(
        name="reactor Ge (CONUS+-like)",
        source=f"reactor:{conus_plus.POWER_GW:g}:{conus_plus.DISTANCE_M:g}", target="Ge",
        mass_kg=conus_plus.MASS_KG, time_s=SECONDS_PER_YEAR,
        T_min=conus_plus.THRESHOLD_KEVEE * KEV, energy_scale="ee",
        quenching="lindhard-ge", exposure=f"{conus_plus.MASS_KG:g} kg x 1 yr",
        note=(f"{conus_plus.POWER_GW:g} GW at {conus_plus.DISTANCE_M:g} m, threshold "
              f"{conus_plus.THRESHOLD_KEVEE * 1e3:g} eVee, Lindhard k = "
              f"{conus_plus.LINDHARD_K:g}, efficiency 1"),
        published={"CONUS+ predicted": "{:g} +- {:g} (their exposure, docs/physics.md §8)"
                   .format(*conus_plus.PREDICTED_COUNTS)},
    ),
    CountsSetup(
        name="solar 8B on xenon", source="solar-8B", target="Xe", mass_kg=1000.0,
        time_s=SECONDS_PER_YEAR, T_min=1e-3, exposure="1 t x 1 yr",
        note="natural xenon, threshold 1 keVnr, efficiency 1",
    ),
    CountsSetup(
        name="atmospheric on xenon", source="atmospheric", target="Xe", mass_kg=1e5,
        time_s=SECONDS_PER_YEAR, T_min=5e-3, exposure="100 t x 1 yr",
        note="natural xenon, threshold 5 keVnr, efficiency 1",
    ),
)


class Progress:
    """A one-line text progress bar on a stream (stderr by default); silent if
    ``enabled`` is False. Used as ``progress.step("label")`` once per unit."""

    def __init__(self, total: int, enabled: bool = True, stream: TextIO | None = None,
                 width: int = 30) -> None:
        self.total = max(int(total), 1)
        self.done = 0
        self.enabled = enabled
        self.stream = sys.stderr if stream is None else stream
        self.width = width

    def step(self, label: str) -> None:
        self.done = min(self.done + 1, self.total)
        if not self.enabled:
            return
        filled = int(self.width * self.done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label[:40]:<40}")
        if self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


def _source(spec: str) -> Any:
    from .sources import Reactor, by_name

    if spec.startswith("reactor:"):
        _, power, distance = spec.split(":")
        return Reactor(power_GW=float(power), distance_m=float(distance))
    return by_name(spec)


def _quenching(spec: Any) -> Any:
    if spec == "lindhard-ge":
        return _conus_quenching()
    return spec


def _f(x: Any) -> float | None:
    """JSON-safe float (None for non-finite)."""
    v = float(x)
    return v if math.isfinite(v) else None


def _table1(epsilon: float | None) -> dict[str, Any]:
    from .coherence import coherency_limits

    return {label: coherency_limits(name, epsilon=epsilon).as_dict()
            for label, name in TABLE1_NUCLEI.items()}


def _q2_ranges(epsilon: float | None, progress: Progress) -> list[dict[str, Any]]:
    from .kinematics import q2_max, q2_min
    from .rates import q2_fwhm
    from .targets import as_nucleus

    rows = []
    for src_name, label in Q2_SOURCES.items():
        src = _source(src_name)
        for _tlabel, nuc_name in TABLE1_NUCLEI.items():
            nuc = as_nucleus(nuc_name)
            T_thr = Q2_THRESHOLDS_KEVNR[src_name] * 1e-3
            row: dict[str, Any] = {
                "source": src_name, "source_label": label, "target": nuc_name,
                "E_max_MeV": float(src.E_max),
                "q2_max_MeV2": float(q2_max(float(src.E_max), nuc)),
                "q2_fwhm_MeV2": list(q2_fwhm(src, nuc, T_min=0.0, epsilon=epsilon)),
                "threshold_keVnr": Q2_THRESHOLDS_KEVNR[src_name],
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


def _coherent_counts(name: str, dataset: str, epsilon: float | None) -> dict[str, Any]:
    """COHERENT counts: shipped F = 1 prediction, Helm rescaled bin by bin."""
    from . import data
    from .rates import event_rate, flux_averaged_sigma
    from .sources import PionDAR

    tab = data.table(dataset)
    meas = data.load(dataset)
    preset = PionDAR.coherent_csi_2017 if "csi" in dataset else PionDAR.coherent_ar_2020
    src = preset()
    nuc = meas.nucleus
    lo, hi = tab["t_nr_lo_kev"] * 1e-3, tab["t_nr_hi_kev"] * 1e-3
    ratio = np.empty(lo.size)
    for i, (a, b) in enumerate(zip(lo, hi)):
        helm = event_rate(src, nuc, 1.0, 1.0, T_min=a, T_max=b, epsilon=epsilon)
        unity = event_rate(src, nuc, 1.0, 1.0, T_min=a, T_max=b, form_factor="unity",
                           epsilon=epsilon)
        ratio[i] = helm / unity if unity > 0 else 0.0
    predicted = tab["predicted"]
    observed = tab["on"] - tab["background_ratio"] * tab["background"]
    return {
        "name": name,
        "dataset": dataset,
        "target": nuc.name,
        "source": "PionDAR." + preset.__name__ + "()",
        "threshold_keVnr": float(tab["t_nr_lo_kev"][0]),
        "sigma_avg_cm2": _f(flux_averaged_sigma(src, nuc, epsilon=epsilon)),
        "sigma_avg_threshold_cm2": _f(flux_averaged_sigma(src, nuc, T_min=float(lo[0]),
                                                          epsilon=epsilon)),
        "counts_coherent": _f(np.sum(predicted)),
        "counts_helm": _f(np.sum(predicted * ratio)),
        "counts_observed": _f(np.sum(observed)),
        "exposure": "the data set's exposure (shipped table)",
        "note": "analysis window of the shipped xi table; release efficiency and quenching",
    }


def _experiment_counts(exp: CountsSetup, epsilon: float | None) -> dict[str, Any]:
    from .rates import event_rate, flux_averaged_sigma

    src = _source(exp.source)
    time_s = src.counts_time_s if exp.time_s is None else exp.time_s
    quench = _quenching(exp.quenching)
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


def _alpha_constraints(dataset: str, label: str) -> dict[str, Any]:
    from . import data

    m = data.load(dataset)
    iv = m.alpha_interval(0.6827)
    ex1 = m.strongest_exclusion(1.0)
    ex0 = m.strongest_exclusion(0.0)
    up = m.alpha_bound(0.9, "upper")
    lo = m.alpha_bound(0.9, "lower")
    return {
        "dataset": dataset,
        "label": label,
        "nucleus": m.nucleus.name,
        "statistical_model": "Gaussian in xi, one-sided p-values, local (per bin)",
        "bins": [
            {"q2_MeV2": _f(m.q2[i]), "xi": _f(m.xi[i]), "xi_err": _f(m.xi_err[i]),
             "alpha": _f(m.alpha[i]), "alpha_err": _f(m.alpha_err[i]),
             "alpha_lo_1sigma": _f(iv.lo[i]), "alpha_hi_1sigma": _f(iv.hi[i])}
            for i in range(len(m))
        ],
        "exclude_complete_coherency": {"q2_MeV2": ex1.q2, "p_value": ex1.p_value,
                                       "alpha_upper_90": _f(up.alpha[ex1.index]),
                                       "phi_lower_90_half_pi": _f(up.phi_half_pi[ex1.index])},
        "exclude_complete_decoherency": {"q2_MeV2": ex0.q2, "p_value": ex0.p_value,
                                         "alpha_lower_90": _f(lo.alpha[ex0.index]),
                                         "phi_upper_90_half_pi": _f(lo.phi_half_pi[ex0.index])},
    }


def _reactor_figure_data(rp: dict[str, Any]) -> dict[str, Any]:
    """Fig. 2 panel (c): FWHM range and the projected 1 sigma band per q^2 bin."""
    band = rp["band"]
    q2 = np.ravel(np.column_stack([band["q2_lo"], band["q2_hi"]]))
    lo = np.repeat(band["alpha_lo"], 2)
    hi = np.repeat(band["alpha_hi"], 2)
    return {"nucleus": rp["nucleus"], "q2_fwhm": rp["q2_fwhm"], "q2": q2, "alpha_lo": lo,
            "alpha_hi": hi, "alpha_min": max(0.0, float(np.min(lo)) - 0.05),
            "label": f"projection {band['exposure']:g} {band['exposure_unit']}, 1σ"}


def _reactor_panel(counts: dict[str, Any], epsilon: float | None) -> dict[str, Any]:
    """Reactor-Ge q^2 FWHM above the experiment's threshold, for Fig. 2."""
    from .rates import q2_fwhm
    from .sources import Reactor

    exp = EXPERIMENTS[0]
    _, power, distance = exp.source.split(":")
    src = Reactor(power_GW=float(power), distance_m=float(distance))
    from .projections import reactor_alpha_band

    lo, hi = q2_fwhm(src, "Ge74", T_min=counts["threshold_keVnr"] * 1e-3, epsilon=epsilon)
    band = reactor_alpha_band(epsilon=epsilon).to_dict()
    return {"nucleus": "Ge74", "q2_fwhm": [lo, hi], "band": band}


def build_report(epsilon: float | None = None, progress: Progress | None = None,
                 ) -> dict[str, Any]:
    """Compute every number of the report (JSON-ready dict).

    Parameters
    ----------
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default ``constants.EPSILON_DEFAULT`` (0.045 reproduces
        Sharma & Wong's Table 1 and Fig. 1).
    progress : Progress, optional
        Progress bar for the long steps (silent by default).

    Returns
    -------
    dict
        Keys ``meta``, ``table1``, ``q2_ranges``, ``experiments``,
        ``alpha_constraints``, ``reactor_panel``.
    """
    from . import __version__, _validation, get_backend

    eps = _validation.check_epsilon(epsilon)
    progress = Progress(1, enabled=False) if progress is None else progress
    report: dict[str, Any] = {
        "meta": {"coherency_version": __version__, "backend": get_backend(), "epsilon": eps,
                 "units": "energies MeV (thresholds keVnr), q2 MeV^2, cross sections cm^2"},
    }
    report["table1"] = _table1(eps)
    progress.step("Table 1")
    report["q2_ranges"] = _q2_ranges(eps, progress)
    experiments = [
        _coherent_counts("COHERENT CsI 2017 (CsI as Xe132)", "coherent_csi", eps),
        _coherent_counts("COHERENT Ar 2020", "coherent_ar", eps),
    ]
    experiments[0]["published"] = {"COHERENT predicted": "173 +- 48", "observed": "134 +- 22"}
    experiments[1]["published"] = {"COHERENT predicted": "128 +- 17", "observed": "159 +- 43"}
    progress.step("COHERENT counts")
    for exp in EXPERIMENTS:
        experiments.append(_experiment_counts(exp, eps))
        progress.step(f"counts: {exp.name}")
    report["experiments"] = experiments
    report["alpha_constraints"] = [
        _alpha_constraints("coherent_csi", "COHERENT CsI 2017 (as Xe132)"),
        _alpha_constraints("coherent_ar", "COHERENT Ar 2020"),
    ]
    progress.step("alpha constraints")
    report["reactor_panel"] = _reactor_panel(experiments[2], eps)
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


N_STEPS = 1 + len(Q2_SOURCES) + 1 + len(EXPERIMENTS) + 1 + 1 + 1


FIGURE_FILES = {
    "fig1": "fig1_xi_gamma_vs_alpha.png",
    "fig2": "fig2_alpha_vs_q2.png",
}


def write_report(
    out_dir: str | Path = "coherency-report",
    epsilon: float | None = None,
    figures: bool = True,
    progress: bool = False,
    summary: Callable[[str], None] | None = None,
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
    if figures:
        from .plotting import require_matplotlib

        require_matplotlib()
    n = N_STEPS + (2 if figures else 0)
    bar = Progress(n, enabled=progress)
    report = build_report(epsilon=epsilon, progress=bar)
    out.absolute().parent.mkdir(parents=True, exist_ok=True)
    staging = out.absolute().parent / f".{out.name}.{secrets.token_hex(4)}.tmp"
    staging.mkdir()
    try:
        written = _write_files(report, staging, figures, bar)
        _move_into_place(staging, out, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if summary is not None:
        summary(summary_text(report, out))
    return {key: out / name for key, name in written.items()}


def _move_into_place(staging: Path, out: Path, written: dict[str, str]) -> None:
    """The finished files from ``staging`` to ``out``: one rename of the folder when
    ``out`` is new, else one atomic replace per file (other files there stay)."""
    if not out.exists():
        try:
            staging.rename(out)
            return
        except OSError:
            if not out.is_dir():  # made meanwhile by someone else: fall through
                raise
    for name in written.values():
        os.replace(staging / name, out / name)


def _write_files(report: dict[str, Any], out: Path, figures: bool, bar: Progress
                 ) -> dict[str, str]:
    """Write the figures, report.json and report.md into ``out``; their file names."""
    paths: dict[str, Path] = {}
    captions: dict[str, str] = {}
    if figures:
        from . import plotting
        from ._figures import figure1_data

        fig = plotting.figure1(figure1_data(epsilon=report["meta"]["epsilon"]))
        paths["fig1"] = out / FIGURE_FILES["fig1"]
        fig.savefig(paths["fig1"], dpi=150)
        captions["Fig. 1: ξ (left) and Γ_NP (right) against α for Ar, Ge, Xe; markers: "
                 "α reached at each source's q²_max (Helm)"] = FIGURE_FILES["fig1"]
        bar.step("Fig. 1")
        rp = report["reactor_panel"]
        fig = plotting.figure2(reactor=_reactor_figure_data(rp),
                               epsilon=report["meta"]["epsilon"])
        paths["fig2"] = out / FIGURE_FILES["fig2"]
        fig.savefig(paths["fig2"], dpi=150)
        captions["Fig. 2: 1σ allowed α(q²) from COHERENT CsI and Ar (hatched), Helm ±10 % "
                 "(shaded), reactor Ge FWHM q² range"] = FIGURE_FILES["fig2"]
        bar.step("Fig. 2")
    paths["report_json"] = out / "report.json"
    paths["report_json"].write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    paths["report_md"] = out / "report.md"
    paths["report_md"].write_text(render_markdown(report, captions), encoding="utf-8")
    return {key: path.name for key, path in paths.items()}


def __getattr__(name: str) -> Any:
    # The former name of CountsSetup, kept working with a DeprecationWarning: it
    # clashed with coherency.projections.Experiment, a different class.
    if name == "Experiment":
        import warnings

        warnings.warn("coherency.report.Experiment is deprecated; use "
                      "coherency.report.CountsSetup", DeprecationWarning, stacklevel=2)
        return CountsSetup
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
