"""Figures of Sharma & Wong (arXiv:2010.06810), drawn from the library's numbers (``plot`` extra).

matplotlib is imported only when a figure is drawn, so ``import coherency`` never
needs it. Every function returns a :class:`matplotlib.figure.Figure` that the caller
can restyle or save; nothing is shown or written here.

- :func:`figure1`: Sharma & Wong Fig. 1, xi(alpha) (left) and Gamma_NP(alpha) (right) for
  Ar, Ge, Xe, with the alpha reached at the q^2_max of each neutrino source marked on
  the right-hand curves.
- :func:`figure2`: Sharma & Wong Fig. 2, the 1 sigma allowed alpha(q^2) per bin from the
  COHERENT CsI (left) and Ar (right) data, the Helm +-10 % theory bands, and the
  reactor-Ge range (q^2 FWHM of the event distribution) with its projection
  (Sharma & Wong's inset, drawn as a third panel).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["figure1", "figure2", "figure_fingerprint", "require_matplotlib"]

# One colour per nucleus, one marker per source; colour-blind-safe (Okabe-Ito).
_NUCLEUS_COLOURS = {"Ar": "#0072B2", "Ge": "#009E73", "Xe": "#D55E00"}
_SOURCE_MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


def require_matplotlib() -> Any:
    """Import matplotlib with the non-interactive Agg backend if none is chosen.

    Raises
    ------
    ImportError
        matplotlib is not installed; the message names the extra to install.
    """
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError(
            "coherency.plotting needs matplotlib: pip install 'coherency[plot]'"
        ) from exc
    import os

    if "MPLBACKEND" not in os.environ and not _pyplot_imported():
        matplotlib.use("Agg")
    return matplotlib


def _pyplot_imported() -> bool:
    import sys

    return "matplotlib.pyplot" in sys.modules


def _new_figure(ncols: int, width: float, height: float) -> tuple[Any, Any]:
    require_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols)
    return fig, axes


def figure1(data: dict[str, Any] | None = None, *, epsilon: float | None = None) -> Any:
    """Sharma & Wong Fig. 1: xi and Gamma_NP against alpha for Ar, Ge and Xe.

    Parameters
    ----------
    data : dict, optional
        The output of :func:`coherency.figure1_data`; computed with
        ``epsilon`` if omitted.
    epsilon : float, optional
        1 - 4 sin^2 theta_W when ``data`` is computed here.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: left xi(alpha) (log scale, from xi_dec at alpha = 0 to 1), right
        Gamma_NP(alpha) (log scale) with one marker per source at the alpha its
        maximum q^2 reaches on each nucleus (Helm form factor, Sharma & Wong Eq. 7), joined
        across nuclei by a dashed "contour".
    """
    if data is None:
        from ._figures import figure1_data

        data = figure1_data(epsilon=epsilon)
    fig, (ax_xi, ax_g) = _new_figure(2, 10.0, 4.8)
    alpha = np.asarray(data["alpha"])
    labels = list(data["sources"])
    contour: dict[str, list[tuple[float, float]]] = {s: [] for s in labels}
    for name, nd in data["nuclei"].items():
        colour = _NUCLEUS_COLOURS.get(name)
        tag = f"{name} (Z={nd['Z']}, A={nd['A']})"
        ax_xi.plot(alpha, nd["xi"], color=colour, lw=2, label=tag)
        ax_g.plot(alpha, nd["gamma_np"], color=colour, lw=2)
        for k, src in enumerate(labels):
            a_k = float(nd["alpha_at_q2_max"][k])
            g_k = float(nd["gamma_at_q2_max"][k])
            contour[src].append((a_k, g_k))
            ax_g.plot([a_k], [g_k], marker=_SOURCE_MARKERS[k % len(_SOURCE_MARKERS)],
                      color=colour, ms=7, mec="black", mew=0.6, ls="none", zorder=3,
                      clip_on=False)
    for k, src in enumerate(labels):
        pts = sorted(contour[src])
        xs, ys = zip(*pts)
        ax_g.plot(xs, ys, color="0.35", ls="--", lw=0.9, zorder=2)
        ax_g.plot([], [], marker=_SOURCE_MARKERS[k % len(_SOURCE_MARKERS)], color="0.6",
                  mec="black", mew=0.6, ls="none",
                  label=f"{src}, $E_\\nu$ = {float(data['E_max'][k]):.1f} MeV")
    eps = float(data["epsilon"])
    ax_xi.set_xlabel(r"degree of coherency $\alpha$")
    ax_xi.set_ylabel(r"cross-section ratio $\xi = \sigma/\sigma(\alpha{=}1)$")
    ax_xi.set_yscale("log")
    ax_xi.set_xlim(0.0, 1.0)
    ax_xi.set_title(r"cross-section ratio $\xi(\alpha)$")
    ax_xi.legend(loc="lower right", fontsize=9)
    ax_g.set_xlabel(r"degree of coherency $\alpha$")
    ax_g.set_ylabel(r"$\Gamma_{NP} = \Gamma_{QM}$ (dimensionless)")
    ax_g.set_yscale("log")
    ax_g.set_xlim(0.0, 1.0)
    ax_g.set_title(r"$\Gamma_{NP}(\alpha)$; markers: $\alpha$ at $q^2_{max}(E_\nu)$, Helm")
    ax_g.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, ncol=3,
                frameon=False, title=r"largest $q^2$ of each source, at its highest energy "
                                     r"$E_\nu$", title_fontsize=8)
    fig.suptitle(rf"Degree of coherency $\alpha$: cross-section ratio and $\Gamma_{{NP}}$ "
                 rf"($\varepsilon$ = 1 − 4 sin$^2\theta_W$ = {eps:.5g})", fontsize=11)
    return fig


def _alpha_bins(ax: Any, meas: Any, colour: str, label: str) -> None:
    """Hatched 1 sigma allowed alpha per q^2 bin (stripe-shaded as in Sharma & Wong)."""
    from matplotlib.patches import Rectangle

    iv = meas.alpha_interval(0.6827)
    lo_q = meas.q2_lo if meas.q2_lo is not None else meas.q2 * 0.95
    hi_q = meas.q2_hi if meas.q2_hi is not None else meas.q2 * 1.05
    first = True
    for i in range(len(meas)):
        if iv.empty[i]:
            # no physical alpha allowed at 1 sigma: mark the edge the data point to
            ax.plot([lo_q[i], hi_q[i]], [iv.lo[i], iv.lo[i]], color=colour, lw=2.5)
            continue
        ax.add_patch(Rectangle((lo_q[i], iv.lo[i]), hi_q[i] - lo_q[i], iv.hi[i] - iv.lo[i],
                               facecolor="none", edgecolor=colour, hatch="////", lw=1.0,
                               label=label if first else None))
        first = False


def _theory_band(ax: Any, q2: np.ndarray, nucleus: Any, colour: str, label: str,
                 epsilon: float | None) -> None:
    from .analysis import alpha_theory

    central, lo, hi = alpha_theory(q2, nucleus, epsilon=epsilon)
    ax.fill_between(q2, lo, hi, color=colour, alpha=0.45, lw=0, label=label)
    ax.plot(q2, central, color=colour, lw=1.2)


def figure2(
    csi: Any = None,
    ar: Any = None,
    reactor: dict[str, Any] | None = None,
    *,
    epsilon: float | None = None,
) -> Any:
    """Sharma & Wong Fig. 2: alpha(q^2) allowed by COHERENT CsI (left) and Ar (right).

    Parameters
    ----------
    csi, ar : coherency.analysis.Measurement, optional
        Default: ``coherency.data.load("coherent_csi")`` and ``load("coherent_ar")``.
    reactor : dict, optional
        Reactor-Ge range for a third panel (Sharma & Wong's inset), with keys ``"nucleus"``
        (e.g. "Ge74"), ``"q2_fwhm"`` (lo, hi) in MeV^2 and, optionally,
        ``"q2"``, ``"alpha_lo"``, ``"alpha_hi"`` (arrays): the projected allowed
        band. Omitted: no inset.
    epsilon : float, optional
        For the theory bands.

    Returns
    -------
    matplotlib.figure.Figure
        Hatched: the data's 1 sigma allowed alpha per bin (Sharma & Wong Eq. 7, no nuclear
        physics). Shaded: Helm (Sharma & Wong Eq. 7 form factor) alpha(q^2) with a +-10 %
        (1 sigma) band. Third panel (with ``reactor``): reactor-Ge q^2 FWHM range, Helm
        band and projection.
    """
    from . import _validation
    from . import data as _data

    epsilon = _validation.check_epsilon(epsilon)  # before any drawing
    csi = _data.load("coherent_csi") if csi is None else csi
    ar = _data.load("coherent_ar") if ar is None else ar
    ncols = 3 if reactor is not None else 2
    fig, axes = _new_figure(ncols, 4.4 * ncols, 4.2)
    panels = [(axes[0], csi, "CsI (as Xe132)", "#D55E00", "(a) COHERENT CsI 2017 data"),
              (axes[1], ar, "Ar", "#0072B2", "(b) COHERENT Ar 2020 data")]
    for ax, meas, name, colour, title in panels:
        q_hi = float(np.max(meas.q2_hi if meas.q2_hi is not None else meas.q2)) * 1.05
        q2 = np.linspace(0.0, q_hi, 400)
        _theory_band(ax, q2, meas.nucleus, "0.45", f"Helm ±10 % ({meas.nucleus.name})", epsilon)
        _alpha_bins(ax, meas, colour, f"{name} data, 1σ allowed")
        ax.set_xlim(0.0, q_hi)
        ax.set_ylim(0.0, 1.05)
        ax.set_xlabel(r"$q^2$ (MeV$^2$)")
        ax.set_ylabel(r"degree of coherency $\alpha$")
        ax.set_title(title)
        ax.legend(loc="lower left", fontsize=8)
    if reactor is not None:
        _reactor_panel(axes[2], reactor, epsilon)
    return fig


def _reactor_panel(ax: Any, reactor: dict[str, Any], epsilon: float | None) -> None:
    lo, hi = (float(x) for x in reactor["q2_fwhm"])
    span = hi - lo
    x0, x1 = max(lo - 0.5 * span, 0.0), hi + 0.5 * span
    if "q2" in reactor:
        x0 = min(x0, float(np.min(reactor["q2"])))
        x1 = max(x1, float(np.max(reactor["q2"])))
    q2 = np.linspace(x0, x1, 300)
    _theory_band(ax, q2, reactor["nucleus"], "#009E73", f"Helm ±10 % ({reactor['nucleus']})",
                 epsilon)
    ax.axvspan(lo, hi, color="0.85", lw=0, zorder=0, label="FWHM of $dN/dq^2$ (events)")
    if "alpha_lo" in reactor:
        ax.fill_between(np.asarray(reactor["q2"]), reactor["alpha_lo"], reactor["alpha_hi"],
                        facecolor="none", edgecolor="black", hatch="\\\\\\", lw=0.8,
                        label=reactor.get("label", "projection, 1σ allowed"))
    ax.set_ylim(reactor.get("alpha_min", 0.8), 1.01)
    ax.set_xlim(q2[0], q2[-1])
    ax.set_title(reactor.get("title", f"(c) reactor on {reactor['nucleus']} (projection)"))
    ax.set_xlabel(r"$q^2$ (MeV$^2$)")
    ax.set_ylabel(r"degree of coherency $\alpha$")
    ax.legend(loc="lower left", fontsize=8)


def _round(values: Any, digits: int = 4) -> list[float | None]:
    out: list[float | None] = []
    for v in np.asarray(values, dtype=np.float64).ravel():
        out.append(float(f"{v:.{digits}g}") if np.isfinite(v) else None)
    return out


def figure_fingerprint(fig: Any) -> dict[str, Any]:
    """What a figure shows, as plain data: its size, every text (titles, axis labels,
    legend entries, tick labels) and the data of every line and patch, rounded to 4
    significant digits (not the axis limits or ticks a matplotlib version chooses).
    Two figures with the same fingerprint show the same thing,
    whatever renders them; the README's figures are checked against the report's
    this way."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Rectangle

    axes = []
    for ax in fig.axes:
        legend = ax.get_legend()
        lines = [{"label": ln.get_label(), "x": _round(ln.get_xdata()),
                  "y": _round(ln.get_ydata())} for ln in ax.get_lines()]
        rects = [_round([r.get_x(), r.get_y(), r.get_width(), r.get_height()])
                 for r in ax.patches if isinstance(r, Rectangle)]
        fills = [_round(c.get_paths()[0].vertices) for c in ax.collections
                 if isinstance(c, PolyCollection) and c.get_paths()]
        axes.append({
            "title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
            "xscale": ax.get_xscale(), "yscale": ax.get_yscale(),
            "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
            "legend_title": legend.get_title().get_text() if legend else "",
            "lines": lines, "rectangles": rects, "fills": fills,
        })
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    return {"size_inches": _round(fig.get_size_inches()), "suptitle": suptitle,
            "axes": axes}
