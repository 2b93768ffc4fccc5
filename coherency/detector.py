"""Detector response helpers: nuclear-recoil quenching.

A detector sees the electron-equivalent energy T_ee = QF(T_nr) T_nr of a nuclear
recoil. :func:`lindhard_qf` is Lindhard's model (J. Lindhard et al., Mat. Fys. Medd.
Dan. Vid. Selsk. 33 (1963) 10) in the usual parametrisation (e.g. Lewin & Smith,
Astropart. Phys. 6 (1996) 87, Eq. 7.1 ff.):

    eps = 11.5 T_nr[keV] Z^(-7/3),  g(eps) = 3 eps^0.15 + 0.7 eps^0.6 + eps,
    QF = k g / (1 + k g),           k = 0.133 Z^(2/3) A^(-1/2) by default.

For germanium the default k is 0.157; reactor experiments quote 0.16-0.2 (CONUS:
k = 0.162 +- 0.004, Bonet et al., EPJC 84 (2024) 139). :class:`Lindhard` is the
callable T_nr (MeV) -> T_ee (MeV) that :func:`coherency.event_rate` takes as
``quenching``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _validation

__all__ = ["Lindhard", "lindhard_k", "lindhard_qf", "nr_from_ee"]

FloatOrArray = Any


def lindhard_k(Z: int, A: float) -> float:
    """Lindhard's k = 0.133 Z^(2/3) A^(-1/2) (dimensionless).

    >>> round(lindhard_k(32, 72.63), 3)
    0.157
    """
    Zf = _validation.as_float(Z, "Z", min_value=1.0)
    Af = _validation.as_float(A, "A", min_value=Zf)
    return float(0.133 * Zf ** (2.0 / 3.0) / np.sqrt(Af))


def lindhard_qf(T_nr_keV: npt.ArrayLike, Z: int, A: float | None = None,
                k: float | None = None) -> FloatOrArray:
    """Lindhard quenching factor QF = T_ee / T_nr at nuclear-recoil energy T_nr_keV.

    Parameters
    ----------
    T_nr_keV : array_like, keV
        Nuclear-recoil energy, >= 0 (QF(0) = 0 by continuity).
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

    Examples
    --------
    >>> round(float(lindhard_qf(1.0, 32, k=0.162)), 4)
    0.1755
    """
    T = _validation.as_float_array(T_nr_keV, "T_nr_keV", min_value=0.0, unit="keV")
    Zf = _validation.as_float(Z, "Z", min_value=1.0)
    if k is None:
        if A is None:
            raise ValueError("lindhard_qf needs the mass number A (for the default k) or k")
        kk = lindhard_k(Z, A)
    else:
        kk = _validation.as_float(k, "k", min_value=0.0, exclusive_min=True)
    eps = 11.5 * T * Zf ** (-7.0 / 3.0)
    g = 3.0 * eps**0.15 + 0.7 * eps**0.6 + eps
    qf = kk * g / (1.0 + kk * g)
    return _validation.restore_shape(np.asarray(qf, dtype=np.float64).reshape(-1), T.shape)


def nr_from_ee(T_ee: float, quenching: Any) -> float:
    """Invert T_ee = quenching(T_nr) for one energy (MeV), quenching monotonic.

    ``quenching`` is a callable T_nr (MeV) -> T_ee (MeV) or a constant factor.

    >>> q = Lindhard(32, 72.63, k=0.162)
    >>> t = nr_from_ee(0.17e-3, q)
    >>> abs(float(q(t)) / 0.17e-3 - 1) < 1e-12
    True
    """
    from scipy import optimize

    e = _validation.as_float(T_ee, "T_ee", min_value=0.0, unit="MeV")
    if not callable(quenching):
        qf = _validation.as_float(quenching, "quenching", min_value=0.0, exclusive_min=True)
        return e / qf
    if e == 0.0:
        return 0.0

    def f(t: float) -> float:
        return float(quenching(t)) - e

    hi = e
    while f(hi) < 0.0:
        hi *= 2.0
        if hi > 1e6:
            raise ValueError(f"T_ee = {e!r} MeV is beyond the quenching model's range")
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-16, rtol=1e-13))


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

    def T_nr(self, T_ee_MeV: float) -> float:
        """Nuclear-recoil energy (MeV) that gives T_ee_MeV (inverse of the call)."""
        return nr_from_ee(T_ee_MeV, self)

    def __call__(self, T_nr_MeV: npt.ArrayLike) -> FloatOrArray:
        T = _validation.as_float_array(T_nr_MeV, "T_nr_MeV", min_value=0.0, unit="MeV")
        out = np.asarray(self.qf(T * 1e3), dtype=np.float64) * T
        return _validation.restore_shape(out.reshape(-1), T.shape)
