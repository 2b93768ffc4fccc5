"""Elastic neutrino-nucleus kinematics (docs/physics.md §1, Sharma & Wong, text below Eq. 1).

All energies, masses and momenta in MeV, q^2 in MeV^2. Every function broadcasts its
arguments like a numpy ufunc and returns a Python float for scalar input. ``mass``
is the nuclear mass in MeV, or anything :func:`coherency.targets.as_nucleus`
accepts (a :class:`~coherency.targets.Nucleus`, an isotope name, a single-component
:class:`~coherency.targets.Target`), whose ``.mass`` is then used.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _backend, _validation
from ._cache import BoundedDict
from ._typing import FloatOrArray
from .targets import Nucleus, Target, as_nucleus

__all__ = ["E_min", "T_max", "q2_max", "q2_min"]

MassLike = npt.ArrayLike | Nucleus | Target | str


def _mass_array(mass: Any) -> npt.NDArray[np.float64]:
    if isinstance(mass, (Nucleus, Target, str)):
        return np.asarray(as_nucleus(mass, "mass").mass, dtype=np.float64)
    return _validation.as_float_array(mass, "mass", min_value=0.0, exclusive_min=True,
                                      unit="MeV")


def _energy_and_mass(
    x: Any, name: str, mass: Any
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], tuple[int, ...]]:
    arr = _validation.as_float_array(x, name, min_value=0.0, unit="MeV")
    m = _mass_array(mass)
    xb, mb = _validation.broadcast((name, arr), ("mass", m))
    return xb, mb, xb.shape


# name/Target -> nuclear mass (MeV) for the scalar fast path.
_MASSES: BoundedDict[Any, float] = BoundedDict("nuclear masses by name")


def _scalar_args(x: Any, mass: Any, like: Any = None) -> tuple[float, float] | None:
    """(x, M) as floats when x is a plain float/int >= 0 and mass a plain float > 0 (or
    a 0-d or one-element array with no more dimensions than ``like``), a Nucleus, or a
    hashable name/Target naming one nucleus; else None (array path)."""
    xf = _validation.plain_float(x)
    if xf is None or not xf >= 0.0:
        return None
    if isinstance(mass, Nucleus):
        return xf, float(mass.mass)
    if isinstance(mass, (str, Target)):
        m = _MASSES.get(mass)
        if m is None:
            m = float(as_nucleus(mass, "mass").mass)  # same errors as the array path
            _MASSES[mass] = m
        return xf, m
    mf = _validation.plain_float(mass)
    if mf is None:
        mf = _validation.size1_float(mass, like)
    if mf is None or not mf > 0.0:
        return None
    return xf, mf


def _small(kind: int, x: Any, mass: Any) -> FloatOrArray | None:
    """A small float64 array x (``SMALL_MAX`` elements, values in [0, _BIG)) and a mass
    as :func:`_scalar_args` takes it: the compiled small-array path
    (``small_kinematics``, the scalar path's arithmetic). None otherwise, or where a
    value is not finite: the array path then runs, with its errors."""
    if type(x) is not np.ndarray:
        return None
    if type(mass) is float and mass > 0.0 and mass - mass == 0.0:
        return _backend.kernels().small_kinematics(kind, x, mass, _BIG)
    if type(mass) is np.ndarray:  # a 0-d or one-element mass
        m = _validation.size1_float(mass, x)
        if m is None or not m > 0.0:
            return None
        return _backend.kernels().small_kinematics(kind, x, m, _BIG)
    m = _MASSES.get(mass) if isinstance(mass, (str, Target)) else None
    if m is None:
        fast = _scalar_args(0.0, mass, x)
        if fast is None:
            return None
        m = fast[1]
    return _backend.kernels().small_kinematics(kind, x, m, _BIG)


# Above this E (or T) in MeV, E^2 overflows: the rearranged forms used there have no
# intermediate overflow, so the result is inf only when it exceeds the float range.
_BIG = 1e150


# The formulas, for validated floats or float64 arrays (no checks): the public
# functions below and the rate engine use these and nothing else.
def q2_max_of(E: Any, m: Any) -> Any:
    """q^2_max = 4 E^2 M/(M + 2E) (rearranged above _BIG so that E^2 cannot overflow,
    and as 4 E^2 [M/(M + 2E)] where 4 E^2 M overflows for a huge mass)."""
    if isinstance(E, float):
        if E >= _BIG:
            return 2.0 * m * (E * (E / (0.5 * m + E)))
        v = 4.0 * E * E * m / (m + 2.0 * E)
        return v if v < math.inf else 4.0 * E * E * (m / (m + 2.0 * E))
    with np.errstate(over="ignore", invalid="ignore"):  # the E >= _BIG branch is taken there
        v = np.where(E < _BIG, 4.0 * E * E * m / (m + 2.0 * E),
                     2.0 * m * (E * (E / (0.5 * m + E))))
        return np.where((E < _BIG) & ~(v < np.inf), 4.0 * E * E * (m / (m + 2.0 * E)), v)


def T_max_of(E: Any, m: Any) -> Any:
    """T_max = 2 E^2/(M + 2E) (rearranged above _BIG)."""
    if isinstance(E, float):
        if E >= _BIG:
            return E * (E / (0.5 * m + E))
        return 2.0 * E * E / (m + 2.0 * E)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(E < _BIG, 2.0 * E * E / (m + 2.0 * E), E * (E / (0.5 * m + E)))


def E_min_of(T: Any, m: Any) -> Any:
    """E_min(T) = [T + sqrt(T (T + 2M))]/2 (sqrt(T) sqrt(T + 2M) above _BIG)."""
    if isinstance(T, float):
        if T >= _BIG:
            v = 0.5 * T + 0.5 * math.sqrt(T) * math.sqrt(T + 2.0 * m)
        else:
            v = 0.5 * (T + math.sqrt(T * (T + 2.0 * m)))
        return v if v < math.inf else _E_min_huge(T, m)
    with np.errstate(over="ignore", invalid="ignore"):
        v = np.where(T < _BIG, 0.5 * (T + np.sqrt(T * (T + 2.0 * m))),
                     0.5 * T + 0.5 * np.sqrt(T) * np.sqrt(T + 2.0 * m))
        return np.where(v < np.inf, v, _E_min_huge(T, m))


def _E_min_huge(T: Any, m: Any) -> Any:
    """E_min where T + 2M overflows (a mass near the float maximum): sqrt(2) sqrt(T)
    sqrt(T/2 + M)/2 + T/2, inf only where the value itself exceeds the float range."""
    return 0.5 * T + (0.5 * math.sqrt(2.0)) * np.sqrt(T) * np.sqrt(0.5 * T + m)


def E_min_flat(T: npt.NDArray[np.float64], m: float) -> npt.NDArray[np.float64]:
    """E_min on a validated flat array in the form the compiled recoil-spectrum
    kernel uses, [T + sqrt(T) sqrt(T + 2M)]/2 (no overflow for any finite T), so
    that the numpy path of a spectrum and the kernel see the same x."""
    return 0.5 * (T + np.sqrt(T) * np.sqrt(T + 2.0 * m))


def _finish(out: npt.NDArray[np.float64], shape: tuple[int, ...], what: str = "",
            x: Any = None, name: str = "E", mass: Any = None) -> FloatOrArray:
    flat = np.ascontiguousarray(out).reshape(-1)
    if what:
        _overflow(flat, what, x, name, mass)
    return _validation.restore_shape(flat, shape)


def _overflow(value: Any, what: str, x: Any, name: str, mass: Any) -> None:
    """A result beyond the float range is a ValueError naming the arguments (the
    formulas are arranged so that this happens only when the value itself is)."""
    v = np.asarray(value)
    if np.all(v < np.inf):
        return
    i = int(np.argmax(~(v.reshape(-1) < np.inf)))
    xs = np.broadcast_to(np.asarray(x, dtype=np.float64), v.shape).reshape(-1)
    ms = np.broadcast_to(np.asarray(mass, dtype=np.float64), v.shape).reshape(-1)
    where = "" if v.ndim == 0 else f" at index {i}"
    raise ValueError(f"{what} exceeds the float range for {name} = {float(xs[i])!r} MeV "
                     f"and mass = {float(ms[i])!r} MeV{where}; reduce {name} or mass")


def q2_max(E: npt.ArrayLike, mass: MassLike) -> FloatOrArray:
    """Largest squared three-momentum transfer for neutrino energy E.

    Parameters
    ----------
    E : array_like, MeV
        Neutrino energy, E >= 0.
    mass : array_like (MeV), Nucleus, single-component Target or isotope name
        Nuclear mass M > 0.

    Returns
    -------
    float or ndarray, MeV^2
        q^2_max = 4 E^2 M/(M + 2E) = 2 M T_max, broadcast shape of E and mass.

    Raises
    ------
    ValueError
        E < 0, mass <= 0, NaN or infinite input, shapes that do not broadcast,
        or a target with several nuclei.
    TypeError
        Non-numeric input.

    Notes
    -----
    Sharma & Wong, text below Eq. 1 (docs/physics.md §1): q^2_max = 4 E^2 [M/(M + 2E)],
    which tends to 4 E^2 for M >> E.

    See Also
    --------
    coherency.max_q2 : the largest q^2 a whole source (its highest energy) can give on
        a target.

    Examples
    --------
    >>> q2_max(10.0, 1e30)  # M -> infinity: 4 E^2
    400.0
    >>> M = as_nucleus("Xe132").mass
    >>> abs(q2_max(30.0, M) / (2 * M * T_max(30.0, M)) - 1) < 1e-15
    True
    """
    fast = _scalar_args(E, mass)
    if fast is not None:  # scalar fast path, same arithmetic as the array path
        v = float(q2_max_of(*fast))
        if v < math.inf:
            return v
        _overflow(v, "q2_max", fast[0], "E", fast[1])
    small = _small(2, E, mass)
    if small is not None:  # a small float64 array: one compiled call
        return small
    e, m, shape = _energy_and_mass(E, "E", mass)
    return _finish(q2_max_of(e, m), shape, "q2_max", e, "E", m)


def T_max(E: npt.ArrayLike, mass: MassLike) -> FloatOrArray:
    """Largest nuclear recoil kinetic energy for neutrino energy E.

    Parameters
    ----------
    E : array_like, MeV
        Neutrino energy, E >= 0.
    mass : array_like (MeV), Nucleus, single-component Target or isotope name
        Nuclear mass M > 0.

    Returns
    -------
    float or ndarray, MeV
        T_max = 2 E^2/(M + 2E) (backward scattering), broadcast shape.

    Raises
    ------
    ValueError
        E < 0, mass <= 0, NaN or infinite input, or shapes that do not broadcast.
    TypeError
        Non-numeric input.

    Notes
    -----
    docs/physics.md §1 (Sharma & Wong Eq. 1 kinematics): T_max = 2 E^2/(M + 2E), so
    q^2_max = 2 M T_max.

    Examples
    --------
    >>> T_max(0.0, 1000.0)
    0.0
    >>> abs(E_min(T_max(20.0, "Ar40"), "Ar40") - 20.0) < 1e-12
    True
    """
    fast = _scalar_args(E, mass)
    if fast is not None:  # scalar fast path, same arithmetic as the array path
        v = float(T_max_of(*fast))
        if v < math.inf:
            return v
        _overflow(v, "T_max", fast[0], "E", fast[1])
    small = _small(1, E, mass)
    if small is not None:  # a small float64 array: one compiled call
        return small
    e, m, shape = _energy_and_mass(E, "E", mass)
    return _finish(T_max_of(e, m), shape, "T_max", e, "E", m)


def q2_min(T_min: npt.ArrayLike, mass: MassLike) -> FloatOrArray:
    """Squared momentum transfer at the recoil threshold, q^2_min = 2 M T_min.

    Parameters
    ----------
    T_min : array_like, MeV
        Recoil-energy threshold, T_min >= 0.
    mass : array_like (MeV), Nucleus, single-component Target or isotope name
        Nuclear mass M > 0.

    Returns
    -------
    float or ndarray, MeV^2
        2 M T_min, broadcast shape.

    Raises
    ------
    ValueError
        T_min < 0, mass <= 0, NaN or infinite input, or shapes that do not broadcast.
    TypeError
        Non-numeric input.

    Notes
    -----
    Sharma & Wong, text below Eq. 1, docs/physics.md §1: q^2 = 2 M T.

    Examples
    --------
    >>> q2_min(1e-3, 1000.0)
    2.0
    """
    fast = _scalar_args(T_min, mass)
    if fast is not None:  # scalar fast path, same arithmetic as the array path
        tf, mf = fast
        v = 2.0 * mf * tf
        if v < math.inf:
            return v
        _overflow(v, "q2_min", tf, "T_min", mf)
    small = _small(3, T_min, mass)
    if small is not None:  # a small float64 array: one compiled call
        return small
    t, m, shape = _energy_and_mass(T_min, "T_min", mass)
    with np.errstate(over="ignore"):  # inf only where 2 M T_min exceeds the float range
        return _finish(2.0 * m * t, shape, "q2_min", t, "T_min", m)


def E_min(T: npt.ArrayLike, mass: MassLike) -> FloatOrArray:
    """Smallest neutrino energy that can give the nucleus a recoil energy T.

    Parameters
    ----------
    T : array_like, MeV
        Nuclear recoil kinetic energy, T >= 0.
    mass : array_like (MeV), Nucleus, single-component Target or isotope name
        Nuclear mass M > 0.

    Returns
    -------
    float or ndarray, MeV
        E_min = [T + sqrt(T^2 + 2 M T)]/2, broadcast shape; the inverse of
        :func:`T_max` in E.

    Raises
    ------
    ValueError
        T < 0, mass <= 0, NaN or infinite input, or shapes that do not broadcast.
    TypeError
        Non-numeric input.

    Notes
    -----
    docs/physics.md §1. Both terms are non-negative, so the sum has no
    cancellation; sqrt(T^2 + 2 M T) is evaluated as sqrt(T (T + 2M)).

    Examples
    --------
    >>> E_min(0.0, 1000.0)
    0.0
    >>> abs(T_max(E_min(1e-3, "Ge74"), "Ge74") - 1e-3) < 1e-18
    True
    """
    fast = _scalar_args(T, mass)
    if fast is not None:  # scalar fast path; math.sqrt and np.sqrt are both exact IEEE
        v = float(E_min_of(*fast))
        if v < math.inf:
            return v
        _overflow(v, "E_min", fast[0], "T", fast[1])
    small = _small(0, T, mass)
    if small is not None:  # a small float64 array: one compiled call
        return small
    t, m, shape = _energy_and_mass(T, "T", mass)
    return _finish(E_min_of(t, m), shape, "E_min", t, "T", m)
