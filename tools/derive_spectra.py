"""Re-make the derived spectral coefficients shipped in ``coherency/data/``.

Reads the public tables in ``../shared/data`` (relative to the project root, or a
folder given on the command line) and writes

* ``coherency/data/solar_8B_coefficients.csv``: 8B shape
  ``E^2 (Q - E)^2 exp(S(E))`` with ``S`` a cubic B-spline in E (MeV);
* ``coherency/data/atmospheric_coefficients.csv``: per flavour, the flux
  ``exp(S(ln E))`` with ``S`` a cubic B-spline in ln(E/MeV).

The fits are weighted least squares of the logarithm (relative residuals) on uniform
knots. Usage: ``python tools/derive_spectra.py [shared_data_dir]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.integrate import quad
from scipy.interpolate import BSpline, make_lsq_spline

ROOT = Path(__file__).resolve().parents[1]
DATA_OUT = ROOT / "coherency" / "data"
DEFAULT_SHARED = ROOT.parent / "shared" / "data"

# 8B endpoint (MeV): PHYSICS.md section 5 / the end of the Winter et al. 2006 table.
B8_Q_MEV = 16.34
B8_INTERIOR_KNOTS = 30
ATM_INTERIOR_KNOTS = 60
ATM_FILES = {
    "nue": "AtmNu_e.txt",
    "nuebar": "AtmNu_ebar.txt",
    "numu": "AtmNu_mu.txt",
    "numubar": "AtmNu_mubar.txt",
}
SIG = 10  # significant digits written


def _knots(lo: float, hi: float, n_interior: int) -> np.ndarray:
    inner = np.linspace(lo, hi, n_interior + 2)
    return np.r_[[lo] * 3, inner, [hi] * 3]


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
    t = _knots(0.0, B8_Q_MEV, B8_INTERIOR_KNOTS)
    # weight: relative residuals, emphasised where the spectrum matters
    w = np.sqrt(y / y.max()) + 0.05
    spl = make_lsq_spline(E, np.log(y / phase), t, k=3, w=w)
    c = np.array(spl.c, dtype=float)
    norm = quad(
        lambda e: e**2 * (B8_Q_MEV - e) ** 2 * np.exp(BSpline(t, c, 3)(e)),
        0.0, B8_Q_MEV, epsabs=0, epsrel=1e-13, limit=400, points=t[4:-4],
    )[0]
    c = c - np.log(norm)  # B-splines sum to one: a shift of c rescales exp(S)
    return t, c


def fit_atmospheric(shared: Path, flavour: str) -> tuple[np.ndarray, np.ndarray]:
    """Knots (in ln E/MeV) and coefficients of S for one flavour."""
    E, y = load_table(shared / "atmospheric" / ATM_FILES[flavour])
    x = np.log(E)
    t = _knots(x[0], x[-1], ATM_INTERIOR_KNOTS)
    spl = make_lsq_spline(x, np.log(y), t, k=3)
    return t, np.array(spl.c, dtype=float)


def _fmt(v: float) -> str:
    return f"{v:.{SIG}g}"


def render_8B(shared: Path) -> str:
    t, c = fit_8B(shared)
    lines = [
        "# 8B solar neutrino shape, normalised to 1 on [0, Q]:",
        "#   dN/dE = E^2 (Q - E)^2 exp(S(E)),  S = cubic B-spline (knots t, coefficients c), E in MeV",
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
        "# Low-energy atmospheric neutrino fluxes (FLUKA), per flavour:",
        "#   Phi(E) = exp(S(ln(E/MeV))) in cm^-2 s^-1 MeV^-1,  S = cubic B-spline",
        "# fitted to ../shared/data/atmospheric/AtmNu_{e,ebar,mu,mubar}.txt",
        "#   (Battistoni et al., Astropart. Phys. 23 (2005) 526)",
        "# made by tools/derive_spectra.py (fit_atmospheric); do not edit by hand",
        "flavour,name,value",
        "all,degree,3",
    ]
    for flavour in ATM_FILES:
        t, c = fit_atmospheric(shared, flavour)
        lines += [f"{flavour},knot,{_fmt(v)}" for v in t]
        lines += [f"{flavour},coef,{_fmt(v)}" for v in c]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else DEFAULT_SHARED
    if not shared.is_dir():
        print(f"shared data folder not found: {shared}", file=sys.stderr)
        return 1
    (DATA_OUT / "solar_8B_coefficients.csv").write_text(render_8B(shared))
    (DATA_OUT / "atmospheric_coefficients.csv").write_text(render_atmospheric(shared))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
