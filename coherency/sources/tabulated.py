"""A source given as a table (E, flux): a flux of your own, interpolated linearly or
with a cubic spline."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import interpolate

from .. import _validation
from .._typing import FloatArray
from ._base import Source, check_flavour

__all__ = ["Tabulated"]


@dataclass(frozen=True)
class Tabulated(Source):
    """A user table ``(E, flux)`` interpolated linearly or with a cubic spline.

    Parameters
    ----------
    E : array_like, MeV
        Strictly increasing energies (>= 0), at least 2 (4 for ``"cubic"``).
    flux : array_like, ν cm⁻² s⁻¹ MeV⁻¹
        Flux density at ``E`` (>= 0).
    kind : {"linear", "cubic"}
        Interpolation; the knots are the breakpoints. ``"cubic"`` is a not-a-knot
        cubic spline, clipped at zero.
    flavour : str, optional
        The neutrinos' flavour (``"nue"``, ``"numubar"``, ...), for flavour-dependent
        couplings.

    Examples
    --------
    >>> t = Tabulated([0.0, 1.0, 2.0], [0.0, 2.0, 0.0])
    >>> t.flux(0.5), t.continuum_flux_integral(), t.breakpoints
    (1.0, 2.0, (0.0, 1.0, 2.0))
    """

    E: tuple[float, ...]
    flux_values: tuple[float, ...]
    kind: str = "linear"
    flavour: str | None = None

    def __init__(self, E: npt.ArrayLike, flux: npt.ArrayLike, kind: str = "linear",
                 flavour: str | None = None) -> None:
        e = _validation.as_float_array(E, "E", min_value=0.0, unit="MeV")
        f = _validation.as_float_array(flux, "flux", min_value=0.0, unit="cm^-2 s^-1 MeV^-1")
        _validation.check_choice(kind, "kind", ("linear", "cubic"))
        if e.ndim != 1 or f.shape != e.shape:
            raise ValueError(f"E and flux must be 1-D of equal length; got shapes {e.shape}"
                             f" and {f.shape}")
        need = 4 if kind == "cubic" else 2
        if e.size < need:
            raise ValueError(f"E must have at least {need} points for kind={kind!r}; "
                             f"got {e.size}")
        if np.any(np.diff(e) <= 0):
            i = int(np.argmax(np.diff(e) <= 0)) + 1
            raise ValueError(f"E must be strictly increasing; got {e[i]!r} at index {i}")
        object.__setattr__(self, "E", tuple(float(v) for v in e))
        object.__setattr__(self, "flux_values", tuple(float(v) for v in f))
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "flavour", check_flavour(flavour))

    @functools.cached_property
    def _spline(self) -> interpolate.CubicSpline | None:
        if self.kind == "cubic":
            return interpolate.CubicSpline(np.array(self.E), np.array(self.flux_values))
        return None

    def __hash__(self) -> int:
        # computed once: the engine's caches hash a source on every call, and a table
        # of thousands of knots costs a hash of as many floats
        value = self.__dict__.get("_hash")
        if value is None:
            value = hash((self.E, self.flux_values, self.kind, self.flavour))
            self.__dict__["_hash"] = value
        return value

    def __getstate__(self) -> dict[str, Any]:
        # the fields only: the cached hash (of str fields, which differs between
        # processes), knots and spline are rebuilt where needed
        return {name: self.__dict__[name] for name in ("E", "flux_values", "kind", "flavour")}

    @functools.cached_property
    def _knots(self) -> tuple[FloatArray, FloatArray]:
        e, f = np.array(self.E), np.array(self.flux_values)
        e.setflags(write=False)
        f.setflags(write=False)
        return e, f

    def _piecewise_linear(self) -> tuple[FloatArray, FloatArray] | None:
        """The knots (E, flux) when the flux is linear between them (``kind="linear"``),
        else None: the rate engine then integrates the table in closed form and with
        product rules whose cost does not grow with the number of knots
        (docs/physics.md Eq. (6.5)). None as well for a subclass with a flux of its own."""
        if self.kind != "linear" or type(self)._continuum is not Tabulated._continuum:
            return None
        return self._knots

    def _continuum(self, E: FloatArray) -> FloatArray:
        e, f = self._knots
        inside = (E >= e[0]) & (E <= e[-1])
        out = np.zeros_like(E)
        if self._spline is None:
            out[inside] = np.interp(E[inside], e, f)
        else:
            out[inside] = np.maximum(self._spline(E[inside]), 0.0)
        return out

    def continuum_flux_integral(self) -> float:
        e, f = np.array(self.E), np.array(self.flux_values)
        if self._spline is None:
            return float(np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(e)))
        raw = self._spline
        if np.all(raw(np.linspace(e[0], e[-1], 50 * e.size)) >= 0.0):
            return float(raw.integrate(e[0], e[-1]))
        return self._integrate_pieces()  # the clip at zero makes it non-polynomial

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return self.E

    @property
    def name(self) -> str:
        return f"tabulated ({len(self.E)} points, {self.kind})"

    def __repr__(self) -> str:
        return (f"Tabulated(E=[{self.E[0]:g} .. {self.E[-1]:g}] ({len(self.E)} points), "
                f"kind={self.kind!r})")
