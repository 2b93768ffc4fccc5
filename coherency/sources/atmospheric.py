"""Low-energy atmospheric neutrinos (FLUKA, Battistoni et al. 2005), per flavour
(docs/physics.md §5)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import integrate, interpolate

from .._cache import memoize
from .._typing import FloatArray
from ._base import Source, check_flavours
from ._tables import read_named_csv

__all__ = ["Atmospheric"]

_ATM_FLAVOURS = ("nue", "nuebar", "numu", "numubar")


@memoize("atmospheric flux models", per_backend=False)
def _atm_models() -> dict[str, tuple[interpolate.BSpline, FloatArray, FloatArray]]:
    """Per flavour: spline S(ln E) below the split, (node_E, node_flux) above it."""
    rows = read_named_csv("atmospheric_coefficients.csv")
    out = {}
    for flv in _ATM_FLAVOURS:
        def col(name: str, flv: str = flv) -> FloatArray:
            return np.array([float(v) for f, n, v in rows if f == flv and n == name])
        spl = interpolate.BSpline(col("knot"), col("coef"), 3, extrapolate=False)
        out[flv] = (spl, col("node_E"), col("node_flux"))
    return out


@dataclass(frozen=True)
class Atmospheric(Source):
    """Low-energy atmospheric neutrinos (FLUKA, Battistoni et al. 2005), per flavour.

    Parameters
    ----------
    flavours : tuple of {"nue", "nuebar", "numu", "numubar"}
        Default: all four.

    Notes
    -----
    Per flavour, from ``data/atmospheric_coefficients.csv`` (derived from the FLUKA
    tables by ``tools/derive_spectra.py``): exp(S(ln E)) with S a cubic B-spline below
    ≈ 21 MeV, and above it the tables' own piecewise-linear segments in E (their nodes
    recovered so that every table point is reproduced within 0.1 %; the tables are
    linear between original nodes up to 35 MeV apart, with a final ramp 946–982 MeV).
    Valid on 13.18–981.75 MeV (the tables' range) and zero outside. The four flavours
    give ≈ 10.55 cm⁻² s⁻¹ there (≈ 10.7 up to 10 GeV). Spline knots and linear nodes
    are breakpoints.

    Examples
    --------
    >>> a = Atmospheric()
    >>> round(a.E_lowest, 2), round(a.E_max, 2)
    (13.18, 981.75)
    """

    flavours: tuple[str, ...] = _ATM_FLAVOURS

    def __post_init__(self) -> None:
        object.__setattr__(self, "flavours", check_flavours(self.flavours, _ATM_FLAVOURS))

    def _continuum(self, E: FloatArray) -> FloatArray:
        out = np.zeros_like(E)
        models = _atm_models()
        x = np.log(np.maximum(E, 1e-300))
        for f in self.flavours:
            spl, node_E, node_flux = models[f]
            low = (x >= spl.t[0]) & (E < node_E[0])
            out[low] += np.exp(spl(x[low]))
            high = (E >= node_E[0]) & (E <= node_E[-1])
            out[high] += np.interp(E[high], node_E, node_flux)
        return out

    def continuum_flux_integral(self) -> float:
        models = _atm_models()
        total = 0.0
        for f in self.flavours:
            spl, node_E, node_flux = models[f]
            # linear segments exactly; the spline part by quadrature between its knots
            total += float(np.sum(0.5 * (node_flux[1:] + node_flux[:-1]) * np.diff(node_E)))
            knots = np.exp(np.unique(spl.t))
            knots = np.r_[knots[knots < node_E[0]], node_E[0]]
            for lo, hi in zip(knots[:-1], knots[1:]):
                total += integrate.quad(lambda e, spl=spl: float(np.exp(spl(math.log(e)))), lo, hi,
                                        epsabs=0.0, epsrel=1e-12, limit=200)[0]
        return total

    @property
    def breakpoints(self) -> tuple[float, ...]:
        models = _atm_models()
        pts: set[float] = set()
        for f in self.flavours:
            spl, node_E, _ = models[f]
            knots = np.exp(np.unique(spl.t))
            pts.update(float(k) for k in knots[knots < node_E[0]])
            pts.update(float(e) for e in node_E)
        return tuple(sorted(pts))

    def flavour_components(self) -> tuple[tuple[str, Source, float], ...]:
        """Each selected flavour (nu_e, anti-nu_e, nu_mu, anti-nu_mu) on its own."""
        return tuple((f, replace(self, flavours=(f,)), 1.0) for f in self.flavours)

    @property
    def name(self) -> str:
        return "atmospheric " + ",".join(self.flavours)
