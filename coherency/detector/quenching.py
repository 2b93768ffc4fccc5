"""Nuclear-recoil quenching: models T_nr → T_ee and the inversion T_ee → T_nr.

A detector sees the electron-equivalent energy T_ee = QF(T_nr) T_nr of a nuclear
recoil of energy T_nr (docs/physics.md Eq. 11.1). This module is the one place for
quenching models and for turning an electron-equivalent energy (a threshold, a bin
edge) back into a nuclear-recoil energy. Units are in the names: ``_keV`` or ``_MeV``
suffixes on functions, ``T_nr_MeV``-style parameters.

Models, each a frozen dataclass callable T_nr (MeV, array) -> T_ee (MeV), increasing:
:class:`ConstantQuenching`, :class:`Lindhard`, :class:`PolynomialQuenching` (COHERENT
CsI 2021), :class:`LinearQF` (COHERENT Ar 2020) and :class:`TabulatedQuenching`. A model
asked about energies where it is not strictly increasing (or beyond its stated range)
raises a ``ValueError`` that names the model and the energy where it turns over.

Lindhard's model (J. Lindhard et al., Mat. Fys. Medd. Dan. Vid. Selsk. 33 (1963) 10),
in the usual parametrisation (e.g. Lewin & Smith, Astropart. Phys. 6 (1996) 87,
Eq. 7.1 ff.):

    eps = 11.5 T_nr[keV] Z^(-7/3),  g(eps) = 3 eps^0.15 + 0.7 eps^0.6 + eps,
    QF = k g / (1 + k g),           k = 0.133 Z^(2/3) A^(-1/2) by default.

For germanium the default k is 0.157; reactor experiments quote 0.16-0.2 (CONUS:
k = 0.162 +- 0.004, Bonet et al., EPJC 84 (2024) 139). :class:`Lindhard` is the
callable T_nr (MeV) -> T_ee (MeV) that :func:`coherency.event_rate` takes as
``quenching``; :func:`nr_from_ee_MeV` inverts any such callable (or a constant
quenching factor).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _validation
from .._typing import FloatOrArray

__all__ = [
    "ConstantQuenching",
    "Lindhard",
    "LinearQF",
    "PolynomialQuenching",
    "QuenchingVariants",
    "TabulatedQuenching",
    "invert_increasing",
    "lindhard_k",
    "lindhard_qf",
    "lindhard_qf_MeV",
    "nr_from_ee",
    "nr_from_ee_MeV",
]

#: A quenching model: T_nr (MeV) -> T_ee (MeV), increasing; or a constant factor.
Quenching = Callable[[Any], Any] | float


def lindhard_k(Z: int, A: float) -> float:
    """Lindhard's k = 0.133 Z^(2/3) A^(-1/2) (dimensionless).

    >>> round(lindhard_k(32, 72.63), 3)
    0.157
    """
    Zf = _validation.as_float(Z, "Z", min_value=1.0)
    Af = _validation.as_float(A, "A", min_value=Zf)
    return float(0.133 * Zf ** (2.0 / 3.0) / np.sqrt(Af))


def _lindhard_k_or_default(Z: Any, A: Any, k: Any, caller: str) -> float:
    if k is not None:
        return _validation.as_float(k, "k", min_value=0.0, exclusive_min=True)
    if A is None:
        raise ValueError(f"{caller} needs the mass number A (for the default k) or k")
    return lindhard_k(Z, A)


def _lindhard(T_keV: npt.NDArray[np.float64], Z: float, k: float) -> npt.NDArray[np.float64]:
    """QF at nuclear-recoil energies T_keV (validated, keV): the one Lindhard formula."""
    eps = 11.5 * T_keV * Z ** (-7.0 / 3.0)
    g = 3.0 * eps**0.15 + 0.7 * eps**0.6 + eps
    kg = k * g
    with np.errstate(invalid="ignore"):  # k g = inf (a huge k): QF = 1, not inf/inf
        return np.asarray(np.where(kg < np.inf, kg / (1.0 + kg), 1.0), dtype=np.float64)


def lindhard_qf(T_nr_keV: npt.ArrayLike, Z: int, A: float | None = None,
                k: float | None = None) -> FloatOrArray:
    """Lindhard quenching factor QF = T_ee / T_nr at nuclear-recoil energy T_nr_keV.

    Parameters
    ----------
    T_nr_keV : array_like, keV
        Nuclear-recoil energy in [0, 1e7] keV (``T_RECOIL_MAX_MEV``; QF(0) = 0 by
        continuity).
    Z : int
        Atomic number of the target.
    A : float, optional
        Mass number (may be a mean); needed only for the default k.
    k : float, optional
        Lindhard k (> 0); default :func:`lindhard_k` (Z, A).

    Returns
    -------
    float or ndarray, dimensionless, in [0, 1)

    Raises
    ------
    ValueError
        Neither A nor k given; T_nr_keV < 0 or not finite; k <= 0.

    See Also
    --------
    lindhard_qf_MeV : the same with the energy in MeV.

    Examples
    --------
    >>> round(float(lindhard_qf(1.0, 32, k=0.162)), 4)
    0.1755
    """
    T = _validation.as_float_array(T_nr_keV, "T_nr_keV", min_value=0.0,
                                   max_value=1e3 * _validation.T_RECOIL_MAX_MEV, unit="keV")
    Zf = _validation.as_float(Z, "Z", min_value=1.0)
    kk = _lindhard_k_or_default(Z, A, k, "lindhard_qf")
    return _validation.restore_shape(_lindhard(T, Zf, kk).reshape(-1), T.shape)


def lindhard_qf_MeV(T_nr_MeV: npt.ArrayLike, Z: int, A: float | None = None,
                    k: float | None = None, *, name: str = "T_nr_MeV") -> FloatOrArray:
    """:func:`lindhard_qf` with the nuclear-recoil energy in MeV (the package's unit).

    ``name`` is the argument name used in error messages.

    Examples
    --------
    >>> lindhard_qf_MeV(1e-3, 32, k=0.162) == lindhard_qf(1.0, 32, k=0.162)
    True
    """
    T = _validation.check_recoil_energy(T_nr_MeV, name)
    Zf = _validation.as_float(Z, "Z", min_value=1.0)
    kk = _lindhard_k_or_default(Z, A, k, "lindhard_qf_MeV")
    return _validation.restore_shape(_lindhard(T * 1e3, Zf, kk).reshape(-1), T.shape)


def invert_increasing(f: Callable[[float], float], y: float, *,
                      x_max: float | None = None, name: str = "T_ee",
                      unit: str = "MeV") -> float:
    """The x >= 0 with f(x) = y, for f increasing with f(0) = 0 (a quenched energy).

    Brackets the root on [0, x_hi], x_hi = y doubled until f(x_hi) >= y (f(x) = QF x
    with QF <= 1 needs no doubling), then refines it with Brent's method to a relative
    1e-13. Unit-free: x and y in whatever unit f uses (``unit`` only labels errors).

    Parameters
    ----------
    f : callable float -> float
    y : float
        Target value, >= 0 (checked by the caller).
    x_max : float, optional
        Search no further: if f(x_max) < y, return x_max (the energy lies beyond the
        range of interest, e.g. above a kinematic end point).
    name : str
        Name of ``y`` in error messages.

    Raises
    ------
    ValueError
        f returns a non-finite or negative value, or f(0) > y (the message starts
        with "quenching:"); or, without ``x_max``, f stays below y up to x = 2^60 y
        (the model's range ends first).
    """
    from scipy import optimize

    if y == 0.0:
        return 0.0

    def g(x: float) -> float:
        value = float(f(x))
        if not (math.isfinite(value) and value >= 0.0):
            raise ValueError(f"quenching: the model returned {value!r} at T_nr = {x!r} {unit} "
                             f"(solving for {name} = {y!r} {unit}); it must return finite "
                             "values >= 0")
        return value - y

    if g(0.0) > 0.0:
        raise ValueError(f"quenching: the model gives {f(0.0)!r} {unit} at T_nr = 0, above "
                         f"{name} = {y!r} {unit}; a quenching model must increase from 0")

    if x_max is not None:
        if g(x_max) < 0.0:
            return float(x_max)
        hi = x_max
    else:
        hi = y
        for _ in range(61):
            if g(hi) >= 0.0:
                break
            hi *= 2.0
        else:
            raise ValueError(f"{name} = {y!r} {unit} is beyond the quenching model's range "
                             f"(it stays below that up to {hi:g} {unit})")
    return float(optimize.brentq(g, 0.0, hi, xtol=1e-300, rtol=1e-13))


def nr_from_ee_MeV(T_ee_MeV: float, quenching: Quenching,
                   T_nr_max_MeV: float | None = None) -> float:
    """Nuclear-recoil energy (MeV) whose electron-equivalent energy is ``T_ee_MeV``.

    Parameters
    ----------
    T_ee_MeV : float, MeV
        Electron-equivalent energy, >= 0.
    quenching : callable or float
        T_nr (MeV) -> T_ee (MeV), increasing with quenching(0) = 0 (e.g.
        :class:`Lindhard`), or a constant quenching factor in (0, 1].
    T_nr_max_MeV : float, optional, MeV
        Largest nuclear-recoil energy of interest (e.g. the kinematic end point): the
        result is clipped there.

    Returns
    -------
    float, MeV

    Raises
    ------
    ValueError
        T_ee_MeV < 0 or not finite; a constant factor outside (0, 1]; a model that
        returns non-finite or negative values, does not start from 0, or never reaches
        T_ee_MeV.

    Examples
    --------
    >>> q = Lindhard(32, 72.63, k=0.162)
    >>> t = nr_from_ee_MeV(0.17e-3, q)
    >>> abs(float(q(t)) / 0.17e-3 - 1) < 1e-12
    True
    >>> nr_from_ee_MeV(0.1, 0.25), nr_from_ee_MeV(0.1, 0.25, T_nr_max_MeV=0.3)
    (0.4, 0.3)
    """
    e = _validation.as_float(T_ee_MeV, "T_ee", min_value=0.0, unit="MeV")
    top = None if T_nr_max_MeV is None else _validation.as_float(
        T_nr_max_MeV, "T_nr_max_MeV", min_value=0.0, unit="MeV")
    if not callable(quenching):
        qf = _validation.check_quenching_factor(quenching, "quenching")
        return e / qf if top is None else min(e / qf, top)
    model = quenching
    return invert_increasing(lambda t: float(np.asarray(model(t)).reshape(-1)[0]), e,
                             x_max=top, name="T_ee", unit="MeV")


#: The former name of :func:`nr_from_ee_MeV`.
nr_from_ee = nr_from_ee_MeV


@dataclass(frozen=True)
class Lindhard:
    """Lindhard quenching as a callable T_nr (MeV) -> T_ee (MeV).

    Parameters
    ----------
    Z, A : int, float
        Target nucleus.
    k : float, optional
        Default 0.133 Z^(2/3) A^(-1/2).

    Examples
    --------
    >>> q = Lindhard(32, 72.63, k=0.162)
    >>> round(float(q(1e-3)) * 1e6, 1)   # eVee for a 1 keVnr recoil
    175.5
    """

    Z: int
    A: float
    k: float | None = None

    def __post_init__(self) -> None:
        lindhard_k(self.Z, self.A)  # validates Z and A
        if self.k is not None:
            _validation.as_float(self.k, "k", min_value=0.0, exclusive_min=True)

    def qf(self, T_nr_keV: npt.ArrayLike) -> FloatOrArray:
        """Quenching factor at T_nr (keV)."""
        return lindhard_qf(T_nr_keV, self.Z, self.A, self.k)

    def qf_MeV(self, T_nr_MeV: npt.ArrayLike) -> FloatOrArray:
        """Quenching factor at T_nr (MeV)."""
        return lindhard_qf_MeV(T_nr_MeV, self.Z, self.A, self.k)

    def T_nr(self, T_ee_MeV: float) -> float:
        """Nuclear-recoil energy (MeV) that gives T_ee_MeV (inverse of the call)."""
        return nr_from_ee_MeV(T_ee_MeV, self)

    def __call__(self, T_nr_MeV: npt.ArrayLike) -> FloatOrArray:
        T = _validation.check_recoil_energy(T_nr_MeV, "T_nr_MeV")
        out = np.asarray(self.qf(T * 1e3), dtype=np.float64) * T
        return _validation.restore_shape(out.reshape(-1), T.shape)


# ---------------------------------------------------------------------------------


# The models live in their own module (one topic per file); they are public here.
from ._quenching_models import (  # noqa: E402
    ConstantQuenching,
    LinearQF,
    PolynomialQuenching,
    QuenchingVariants,
    TabulatedQuenching,
)
