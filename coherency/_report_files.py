"""Writing the ``coherency report``: its figures, ``report.json`` and ``report.md`` into
a folder (:func:`coherency.report.write_report` calls these; the README and the user
guide show the same figures, drawn by :func:`report_figures`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ._report_text import render_markdown

__all__ = ["FIGURE_CAPTIONS", "FIGURE_DPI", "FIGURE_FILES", "move_into_place",
           "report_figures", "save_figure", "write_files"]

FIGURE_FILES = {
    "fig1": "fig1_xi_gamma_vs_alpha.png",
    "fig2": "fig2_alpha_vs_q2.png",
}


def _reactor_figure_data(rp: dict[str, Any]) -> dict[str, Any]:
    """Fig. 2 panel (c): FWHM range and the projected 1 sigma band per q^2 bin."""
    band = rp["band"]
    q2 = np.ravel(np.column_stack([band["q2_lo"], band["q2_hi"]]))
    lo = np.repeat(band["alpha_lo"], 2)
    hi = np.repeat(band["alpha_hi"], 2)
    return {"nucleus": rp["nucleus"], "q2_fwhm": rp["q2_fwhm"], "q2": q2, "alpha_lo": lo,
            "alpha_hi": hi, "alpha_min": max(0.0, float(np.min(lo)) - 0.05),
            "label": f"projection, {band['exposure']:g} {band['exposure_unit']}, 1σ",
            "title": rp["title"]}


def move_into_place(staging: Path, out: Path, written: dict[str, str]) -> None:
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


#: Captions of the figures (the report's and the README's).
FIGURE_CAPTIONS = {
    "fig1": "ξ = σ/σ(α = 1) (left) and Γ_NP (right) against the degree of coherency α "
            "for Ar40, Ge74 and Xe132; markers: the α that each neutrino source reaches at "
            "its largest q² (Helm form factor)",
    "fig2": "α(q²) allowed at 1σ per bin by the COHERENT CsI 2017 (as Xe132) and Ar 2020 "
            "data (hatched; no nuclear physics used), the Helm expectation ±10 % (shaded) "
            "and (c) the reactor-Ge projection at the CONUS+ site with the FWHM of dN/dq² "
            "(grey)",
}


def report_figures(report: dict[str, Any]) -> dict[str, Any]:
    """The report's figures (matplotlib Figures) from a :func:`build_report` dict:
    ``{"fig1": Figure, "fig2": Figure}``; the README shows the same two."""
    from . import plotting
    from ._figures import figure1_data

    eps = report["meta"]["epsilon"]
    return {
        "fig1": plotting.figure1(figure1_data(epsilon=eps)),
        "fig2": plotting.figure2(reactor=_reactor_figure_data(report["reactor_panel"]),
                                 epsilon=eps),
    }


#: Resolution of the saved figures, dots per inch.
FIGURE_DPI = 150


def save_figure(fig: Any, path: Path) -> None:
    """Save a report figure as PNG (without the software version in its metadata, so
    that the file depends on the picture only)."""
    fig.savefig(path, dpi=FIGURE_DPI, metadata={"Software": None})


def write_files(report: dict[str, Any], out: Path, figures: bool, bar: Any
                 ) -> dict[str, str]:
    """Write the figures, report.json and report.md into ``out``; their file names."""
    paths: dict[str, Path] = {}
    captions: dict[str, str] = {}
    if figures:
        for key, fig in report_figures(report).items():
            paths[key] = out / FIGURE_FILES[key]
            save_figure(fig, paths[key])
            captions[f"Fig. {key[-1]}: {FIGURE_CAPTIONS[key]}"] = FIGURE_FILES[key]
            bar.step(f"Fig. {key[-1]}")
    paths["report_json"] = out / "report.json"
    paths["report_json"].write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    paths["report_md"] = out / "report.md"
    paths["report_md"].write_text(render_markdown(report, captions), encoding="utf-8")
    return {key: path.name for key, path in paths.items()}
