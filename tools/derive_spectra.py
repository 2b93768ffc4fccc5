"""Re-make the derived spectral coefficients shipped in ``coherency/data/``.

Reads the public tables shipped in ``coherency/data/releases/`` (or a folder with the
same layout given on the command line) and writes

* ``coherency/data/solar_8B_coefficients.csv``: 8B shape
  ``E^2 (Q - E)^2 exp(S(E))`` with ``S`` a cubic B-spline in E (MeV);
* ``coherency/data/atmospheric_coefficients.csv``: per flavour, the flux
  ``exp(S(ln E))`` with ``S`` a cubic B-spline in ln(E/MeV) below ``ATM_SPLIT_MEV``,
  and above it the table's own piecewise-linear segments (its slope-change points);
* ``coherency/data/solar_endpoint_corrections.csv``: for 15O and 17F, the ratio of the
  public table to the analytic allowed beta+ shape at every table point in the last
  ``ENDPOINT_WINDOW_MEV`` below the end point (the shape is then the analytic one times
  the piecewise-linear interpolation of this ratio, renormalised).

The spline fits are least squares of the logarithm (relative residuals).
Usage: ``python tools/derive_spectra.py [releases_dir]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.integrate import quad
from scipy.interpolate import BSpline, make_lsq_spline

ROOT = Path(__file__).resolve().parents[1]
DATA_OUT = ROOT / "coherency" / "data"
DEFAULT_RELEASES = DATA_OUT / "releases"

# 8B endpoint (MeV): docs/physics.md §5 / the end of the Winter et al. 2006 table.
B8_Q_MEV = 16.34
# Uniform interior knots on [1 MeV, Q] plus a 0.05 MeV grid on [0, 1] MeV: the table's
# reduced shape y / (E^2 (Q-E)^2) changes slope sharply near 0.3 MeV, which 30 uniform
# knots missed by 1.3 %.
B8_INTERIOR_KNOTS = 40
B8_LOW_KNOT_STEP_MEV = 0.05
B8_LOW_KNOT_END_MEV = 1.0
ATM_INTERIOR_KNOTS = 60
# Above this energy the FLUKA tables are piecewise linear in E between sparse original
# nodes (kinks up to 35 MeV apart); a smooth spline misses those kinks by up to 3 %
# (the final 946-982 MeV ramp), so the table's linear segments are kept there.
ATM_SPLIT_MEV = 20.0
# Window below the 15O / 17F end points where the tables are followed point by point.
ENDPOINT_WINDOW_MEV = 0.030
# Relative tolerance of the piecewise-linear reconstruction of a table.
LINEAR_RTOL = 1e-3
ENDPOINT_COMPONENTS = ("15O", "17F")
ATM_FILES = {
    "nue": "AtmNu_e.txt",
    "nuebar": "AtmNu_ebar.txt",
    "numu": "AtmNu_mu.txt",
    "numubar": "AtmNu_mubar.txt",
}
SIG = 10  # significant digits written


def _knots(lo: float, hi: float, n_interior: int,
           extra: np.ndarray | None = None) -> np.ndarray:
    inner = np.linspace(lo, hi, n_interior + 2)
    if extra is not None:
        inner = np.unique(np.r_[inner, extra])
    return np.r_[[lo] * 3, inner, [hi] * 3]


def slope_change_points(y: np.ndarray) -> np.ndarray:
    """Indices of a piecewise-linear table where its slope changes.

    Same criterion as tests/test_sources.py: the second difference exceeds twice the
    rounding noise of the table's 5 significant digits.
    """
    d2 = np.abs(np.diff(y, 2))
    ulp = 10.0 ** (np.floor(np.log10(np.maximum(np.abs(y), 1e-300))) - 4)
    noise = 0.5 * (ulp[:-2] + 2 * ulp[1:-1] + ulp[2:])
    return np.where(d2 > 2 * noise)[0] + 1


def load_table(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Two-column (E MeV, value) table, comma separated."""
    data = np.loadtxt(path, delimiter=",")
    return data[:, 0], data[:, 1]


def fit_8B(shared: Path) -> tuple[np.ndarray, np.ndarray]:
    """Knots and coefficients of S(E) for the normalised 8B shape."""
    E, y = load_table(shared / "solar" / "8B.txt")
    # The table floors at 1e-7 near the endpoint: keep only genuine values.
    keep = (y > 1.5e-7) & (E < B8_Q_MEV)
    E, y = E[keep], y[keep]
    phase = E**2 * (B8_Q_MEV - E) ** 2
    low = np.arange(0.0, B8_LOW_KNOT_END_MEV + 1e-9, B8_LOW_KNOT_STEP_MEV)
    inner = np.linspace(0.0, B8_Q_MEV, B8_INTERIOR_KNOTS + 2)
    t = _knots(0.0, B8_Q_MEV, 0, np.r_[low, inner[inner > B8_LOW_KNOT_END_MEV]])
    # unweighted least squares of the logarithm: equal relative residuals everywhere
    spl = make_lsq_spline(E, np.log(y / phase), t, k=3)
    c = np.array(spl.c, dtype=float)
    norm = quad(
        lambda e: e**2 * (B8_Q_MEV - e) ** 2 * np.exp(BSpline(t, c, 3)(e)),
        0.0, B8_Q_MEV, epsabs=0, epsrel=1e-13, limit=400, points=t[4:-4],
    )[0]
    c = c - np.log(norm)  # B-splines sum to one: a shift of c rescales exp(S)
    return t, c


def linear_nodes(E: np.ndarray, y: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Fewest table indices in [lo, hi] whose linear interpolation gives every table
    point within ``LINEAR_RTOL`` (or 1.5 units of its 5th significant digit).

    Douglas-Peucker: keep the end points, split at the worst point until every point
    is within tolerance. On a table that is piecewise linear between sparse original
    nodes this recovers those nodes (kinks too small for ``slope_change_points``
    included).
    """
    ulp = 10.0 ** (np.floor(np.log10(np.maximum(np.abs(y), 1e-300))) - 4)
    tol = np.maximum(LINEAR_RTOL * np.abs(y), 1.5 * ulp)
    keep = {lo, hi}
    stack = [(lo, hi)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        idx = np.arange(a + 1, b)
        line = y[a] + (y[b] - y[a]) * (E[idx] - E[a]) / (E[b] - E[a])
        excess = np.abs(line - y[idx]) / tol[idx]
        worst = int(np.argmax(excess))
        if excess[worst] > 1.0:
            m = int(idx[worst])
            keep.add(m)
            stack += [(a, m), (m, b)]
    return np.array(sorted(keep))


def fit_atmospheric(shared: Path, flavour: str
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Spline below the split, linear nodes above it, for one flavour.

    Returns the knots (in ln E/MeV) and coefficients of S (fitted on the whole table,
    evaluated on [E_0, E_split] only), and the
    node energies (MeV) and fluxes of the piecewise-linear part on [E_split, E_end].
    E_split is the table's first slope-change point at or above ``ATM_SPLIT_MEV``; the
    first node's flux is the spline's value there, so the flux is continuous.
    """
    E, y = load_table(shared / "atmospheric" / ATM_FILES[flavour])
    kinks = slope_change_points(y)
    split = int(kinks[E[kinks] >= ATM_SPLIT_MEV][0])
    nodes = linear_nodes(E, y, split, len(E) - 1)
    x = np.log(E)
    # fitted on the whole table (uniform knots in ln E), used below the split only
    t = _knots(x[0], x[-1], ATM_INTERIOR_KNOTS)
    spl = make_lsq_spline(x, np.log(y), t, k=3)
    c = np.array(spl.c, dtype=float)
    node_E = E[nodes].astype(float)
    node_y = y[nodes].astype(float)
    node_y[0] = float(np.exp(BSpline(t, c, 3)(x[split])))
    return t, c, node_E, node_y


def fit_endpoint_correction(shared: Path, component: str
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Energies (MeV) and ratios table / analytic allowed shape near the end point.

    The first node (ratio 1) is the table point just below the window, the others are
    every table point in the last ``ENDPOINT_WINDOW_MEV`` below Q. The ratios are
    divided by the normalisation of the corrected shape, so the corrected shape
    integrates to one.
    """
    sys.path.insert(0, str(ROOT))
    from coherency.sources import _beta, solar  # the analytic shape and its end point

    Q, Z, A = solar._BETA_PLUS[component]
    E, y = load_table(shared / "solar" / f"{component}.txt")
    def analytic(e: np.ndarray) -> np.ndarray:
        return _beta.beta_plus_unnormalised(np.atleast_1d(np.asarray(e, float)), Q, Z, A)
    norm = quad(lambda e: analytic(e)[0], 0.0, Q, epsabs=0, epsrel=1e-13, limit=400)[0]
    inside = np.where(E > Q - ENDPOINT_WINDOW_MEV)[0]
    node_E = np.r_[E[inside[0] - 1], E[inside]]
    ratio = np.r_[1.0, y[inside] / (analytic(E[inside]) / norm)]
    edges = np.r_[0.0, node_E, Q]
    total = sum(quad(lambda e: analytic(e)[0] / norm * np.interp(e, node_E, ratio),
                     lo, hi, epsabs=0, epsrel=1e-13, limit=200)[0]
                for lo, hi in zip(edges[:-1], edges[1:]))
    return node_E, ratio / total


def _fmt(v: float) -> str:
    return f"{v:.{SIG}g}"


def render_8B(shared: Path) -> str:
    t, c = fit_8B(shared)
    lines = [
        "# 8B solar neutrino shape, normalised to 1 on [0, Q]:",
        "#   dN/dE = E^2 (Q - E)^2 exp(S(E)),  S = cubic B-spline (knots t, coefficients c),"
        " E in MeV",
        f"#   knots: {B8_INTERIOR_KNOTS} uniform on [0, Q] above {B8_LOW_KNOT_END_MEV:g} MeV, "
        f"step {B8_LOW_KNOT_STEP_MEV:g} MeV below",
        "# fitted to ../shared/data/solar/8B.txt (Winter et al., PRC 73 (2006) 025503)",
        "# made by tools/derive_spectra.py (fit_8B); do not edit by hand",
        "name,value",
        f"Q_MeV,{_fmt(B8_Q_MEV)}",
        "degree,3",
    ]
    lines += [f"knot,{_fmt(v)}" for v in t]
    lines += [f"coef,{_fmt(v)}" for v in c]
    return "\n".join(lines) + "\n"


def render_atmospheric(shared: Path) -> str:
    lines = [
        "# Low-energy atmospheric neutrino fluxes (FLUKA), per flavour, cm^-2 s^-1 MeV^-1:",
        "#   E <= first node_E:  Phi(E) = exp(S(ln(E/MeV))),  S = cubic B-spline (knot, coef)",
        "#   E >= first node_E:  Phi linear in E between (node_E MeV, node_flux), i.e. the",
        "#   table's own linear segments between its slope-change points (first node_flux",
        "#   = the spline's value there, so Phi is continuous)",
        "# fitted to ../shared/data/atmospheric/AtmNu_{e,ebar,mu,mubar}.txt",
        "#   (Battistoni et al., Astropart. Phys. 23 (2005) 526)",
        "# made by tools/derive_spectra.py (fit_atmospheric); do not edit by hand",
        "flavour,name,value",
        "all,degree,3",
    ]
    for flavour in ATM_FILES:
        t, c, node_E, node_y = fit_atmospheric(shared, flavour)
        lines += [f"{flavour},knot,{_fmt(v)}" for v in t]
        lines += [f"{flavour},coef,{_fmt(v)}" for v in c]
        lines += [f"{flavour},node_E,{_fmt(v)}" for v in node_E]
        lines += [f"{flavour},node_flux,{_fmt(v)}" for v in node_y]
    return "\n".join(lines) + "\n"


def render_endpoint_corrections(shared: Path) -> str:
    lines = [
        "# End-point corrections of the analytic allowed beta+ shapes (15O, 17F):",
        "#   dN/dE = analytic(E) * r(E),  r = piecewise-linear interpolation of (E_MeV, ratio),",
        "#   constant beyond the last node, 1 below the first; normalised to 1 on [0, Q].",
        f"#   Nodes: every table point in the last {ENDPOINT_WINDOW_MEV * 1e3:g} keV below Q.",
        "# ratio = table / analytic at ../shared/data/solar/{15O,17F}.txt (Bahcall's CNO",
        "#   spectra: Bahcall & Ulrich, RMP 60 (1988) 297; Bahcall, Neutrino Astrophysics,",
        "#   1989), divided by the corrected shape's normalisation",
        "# made by tools/derive_spectra.py (fit_endpoint_correction); do not edit by hand",
        "component,E_MeV,ratio",
    ]
    for comp in ENDPOINT_COMPONENTS:
        node_E, ratio = fit_endpoint_correction(shared, comp)
        lines += [f"{comp},{_fmt(e)},{_fmt(r)}" for e, r in zip(node_E, ratio)]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else DEFAULT_RELEASES
    if not shared.is_dir():
        print(f"shared data folder not found: {shared}", file=sys.stderr)
        return 1
    (DATA_OUT / "solar_8B_coefficients.csv").write_text(render_8B(shared))
    (DATA_OUT / "atmospheric_coefficients.csv").write_text(render_atmospheric(shared))
    (DATA_OUT / "solar_endpoint_corrections.csv").write_text(
        render_endpoint_corrections(shared))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
