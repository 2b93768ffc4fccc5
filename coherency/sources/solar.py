"""Solar neutrinos: the pp-chain and CNO components, B16-GS98 normalisations
(docs/physics.md §5)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import interpolate

from .. import _validation
from .._cache import memoize
from .._typing import FloatArray, FloatOrArray
from ._base import Source
from ._beta import beta_plus_norm, beta_plus_unnormalised
from ._tables import read_named_csv

__all__ = ["SOLAR_COMPONENTS", "Solar", "b8_shape", "beta_plus_shape"]

# B16-GS98 fluxes at Earth, cm^-2 s^-1 (Vinyoles et al., ApJ 835 (2017) 202; docs/physics.md).
_SOLAR_FLUX = {
    "pp": 5.98e10, "pep": 1.44e8, "hep": 7.98e3, "7Be": 4.93e8 + 4.50e9, "8B": 5.46e6,
    "13N": 2.78e8, "15O": 2.05e8, "17F": 5.29e6,
}
# 7Be lines: 0.384 MeV (10.4 %) and 0.862 MeV (89.6 %), fluxes as in docs/physics.md §5.
_BE7_LINES = ((0.3843, 4.93e8), (0.8618, 4.50e9))
_PEP_LINE_MEV = 1.442
# Allowed beta+ shapes: (endpoint Q MeV, daughter Z, daughter A).
# Endpoints of Bahcall's standard spectra (the tables in coherency/data/releases/solar):
#   pp 0.42341 MeV includes the thermal energy of the fusing protons (Bahcall, PRC 56
#   (1997) 3391: table in steps of 5.0406 keV up to 0.42341); 13N 1.199, 15O 1.732,
#   17F 1.740 MeV (Bahcall & Ulrich, RMP 60 (1988) 297; Bahcall, "Neutrino Astrophysics");
#   hep: 18.784 MeV, the end point of the tabulated spectrum (the bare 3He+p mass
#   difference gives 18.77 MeV; the table vanishes at 18.784, which we adopt).
_BETA_PLUS = {
    "pp": (0.42341, 1, 2),
    "13N": (1.199, 6, 13),
    "15O": (1.732, 7, 15),
    "17F": (1.740, 8, 17),
    "hep": (18.784, 2, 4),
}
#: The components :class:`Solar` knows, in this order.
SOLAR_COMPONENTS = ("pp", "pep", "hep", "7Be", "8B", "13N", "15O", "17F")


@memoize("solar end-point corrections", per_backend=False)
def _endpoint_corrections() -> dict[str, tuple[FloatArray, FloatArray]]:
    """(E_MeV, ratio) nodes of the shipped end-point corrections, per component."""
    rows = read_named_csv("solar_endpoint_corrections.csv")
    out: dict[str, tuple[FloatArray, FloatArray]] = {}
    for comp in sorted({r[0] for r in rows}):
        e = np.array([float(r[1]) for r in rows if r[0] == comp])
        ratio = np.array([float(r[2]) for r in rows if r[0] == comp])
        out[comp] = (e, ratio)
    return out



def beta_plus_shape(E: npt.ArrayLike, component: str) -> FloatOrArray:
    """Normalised allowed β⁺ neutrino spectrum (MeV⁻¹) of a solar component
    (``E`` in MeV, >= 0; ``component`` one of the β⁺ components, e.g. "pp").

    For 15O and 17F the analytic shape is multiplied, in the last 30 keV below the end
    point, by the piecewise-linear ratio to the public table
    (``data/solar_endpoint_corrections.csv``; already normalised).
    """
    arr = _validation.as_float_array(E, "E", min_value=0.0, unit="MeV")
    _validation.check_choice(component, "component", tuple(_BETA_PLUS))
    return _validation.restore_shape(_beta_plus_shape(arr.reshape(-1), component), arr.shape)


def _beta_plus_shape(E: FloatArray, component: str) -> FloatArray:
    """:func:`beta_plus_shape` on a validated flat array."""
    Q, Z, A = _BETA_PLUS[component]
    shape = beta_plus_unnormalised(E, Q, Z, A) / beta_plus_norm(Q, Z, A)
    corr = _endpoint_corrections().get(component)
    if corr is not None:
        shape = shape * np.interp(E, corr[0], corr[1], left=corr[1][0])
    return shape


def _beta_plus_breakpoints(component: str) -> tuple[float, ...]:
    corr = _endpoint_corrections().get(component)
    inner = tuple(float(e) for e in corr[0]) if corr is not None else ()
    return (0.0, *inner, _BETA_PLUS[component][0])



@memoize("8B spectrum model", per_backend=False)
def _b8_model() -> tuple[float, interpolate.BSpline]:
    rows = read_named_csv("solar_8B_coefficients.csv")
    q = next(float(v) for n, v in rows if n == "Q_MeV")
    t = np.array([float(v) for n, v in rows if n == "knot"])
    c = np.array([float(v) for n, v in rows if n == "coef"])
    return q, interpolate.BSpline(t, c, 3, extrapolate=False)


def b8_shape(E: npt.ArrayLike) -> FloatOrArray:
    """Normalised 8B spectrum (MeV⁻¹) from the shipped B-spline coefficients (``E`` in
    MeV, >= 0)."""
    arr = _validation.as_float_array(E, "E", min_value=0.0, unit="MeV")
    return _validation.restore_shape(_b8_shape(arr.reshape(-1)), arr.shape)


def _b8_shape(E: FloatArray) -> FloatArray:
    """:func:`b8_shape` on a validated flat array."""
    q, spl = _b8_model()
    out = np.zeros_like(E)
    inside = (E > 0.0) & (E < q)
    e = E[inside]
    out[inside] = e**2 * (q - e) ** 2 * np.exp(spl(e))
    return out


def _b8_knots() -> tuple[float, ...]:
    _, spl = _b8_model()
    return tuple(float(v) for v in np.unique(spl.t))



@dataclass(frozen=True)
class Solar(Source):
    """Solar neutrinos, B16-GS98 normalisations (docs/physics.md §5).

    Parameters
    ----------
    components : tuple of str
        Any of "pp", "pep", "hep", "7Be", "8B", "13N", "15O", "17F" (default: all).

    Notes
    -----
    pp, hep, 13N, 15O, 17F: allowed β⁺ spectra in neutrino energy,
    E² p W F(−Z, W) with W = Q − E + m_e and the relativistic Fermi function, endpoints
    Q as in the source comments; for 15O and 17F times a piecewise-linear correction in
    the last 30 keV below Q that follows the public tables there (up to 1.7 %;
    ``data/solar_endpoint_corrections.csv``, its nodes are breakpoints). 8B:
    E²(Q − E)² exp(S(E)) with S a cubic B-spline fitted to Winter et al. 2006
    (``data/solar_8B_coefficients.csv``; its knots are breakpoints). pep (1.442 MeV)
    and 7Be (0.3843, 0.8618 MeV) are lines. Each continuum shape integrates to one,
    times its flux.

    Examples
    --------
    >>> s = Solar(components=("8B",))
    >>> round(s.continuum_flux_integral() / 5.46e6, 9)
    1.0
    >>> [e for e, _ in Solar(components=("7Be", "pep")).lines]
    [0.3843, 0.8618, 1.442]
    """

    components: tuple[str, ...] = SOLAR_COMPONENTS

    def __post_init__(self) -> None:
        comps = (self.components,) if isinstance(self.components, str) else tuple(
            self.components)
        if not comps:
            raise ValueError(f"components must name at least one of {SOLAR_COMPONENTS}")
        for c in comps:
            if c not in SOLAR_COMPONENTS:
                close = difflib.get_close_matches(c, SOLAR_COMPONENTS, n=3, cutoff=0.3)
                raise ValueError(f"components: unknown solar component {c!r}; choose from "
                                 f"{SOLAR_COMPONENTS}" + (f" (close: {close})" if close else ""))
        object.__setattr__(self, "components",
                           tuple(c for c in SOLAR_COMPONENTS if c in comps))

    def _continuum(self, E: FloatArray) -> FloatArray:
        out = np.zeros_like(E)
        for c in self.components:
            if c in _BETA_PLUS:
                out += _SOLAR_FLUX[c] * _beta_plus_shape(E, c)
            elif c == "8B":
                out += _SOLAR_FLUX[c] * _b8_shape(E)
        return out

    def continuum_flux_integral(self) -> float:
        return float(sum(_SOLAR_FLUX[c] for c in self.components
                         if c in _BETA_PLUS or c == "8B"))

    @property
    def breakpoints(self) -> tuple[float, ...]:
        pts: set[float] = set()
        for c in self.components:
            if c in _BETA_PLUS:
                pts.update(_beta_plus_breakpoints(c))
            elif c == "8B":
                pts.update(_b8_knots())
        return tuple(sorted(pts))

    @property
    def lines(self) -> tuple[tuple[float, float], ...]:
        out: list[tuple[float, float]] = []
        if "7Be" in self.components:
            out.extend(_BE7_LINES)
        if "pep" in self.components:
            out.append((_PEP_LINE_MEV, _SOLAR_FLUX["pep"]))
        return tuple(out)

    def flavour_components(self) -> tuple[tuple[str, Source, float], ...]:
        """Electron neutrinos, as produced in the Sun (no oscillation applied here)."""
        return (("nue", self, 1.0),)

    @property
    def name(self) -> str:
        return "solar " + ",".join(self.components)
