"""The Helm form factor as a function of (q, A) and the spherical Bessel function j1
(docs/physics.md Eqs. (3.1), (3.5)), with their scalar fast paths.

:func:`helm_form_factor` is :class:`~coherency.form_factors.Helm` with Sharma & Wong's
parameters as arguments, broadcasting over q and A. Part of
:mod:`coherency.form_factors`, which re-exports every public name.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from . import _backend, _ff_models, _validation
from ._cache import BoundedDict
from ._ff_classes import Helm, _mass_number
from ._typing import FloatOrArray
from .constants import HBARC_MEV_FM


def spherical_j1(x: npt.ArrayLike) -> FloatOrArray:
    """Spherical Bessel function of the first kind of order 1.

    Parameters
    ----------
    x : array_like
        Real argument (any sign; j1 is odd).

    Returns
    -------
    float or ndarray
        j1(x) = sin x / x^2 - cos x / x, with the shape of ``x``.

    Notes
    -----
    Below ``|x| = 1`` a ten-term series of 3 j1(x)/x (docs/physics.md §3)
    replaces the closed form, which cancels catastrophically for small x.

    Examples
    --------
    >>> spherical_j1(0.0)
    0.0
    >>> abs(spherical_j1(1e-8) - 1e-8 / 3) < 1e-30
    True
    """
    if type(x) is np.ndarray:
        small = _backend.kernels().small_spherical_j1(x)  # <= SMALL_MAX values: one call
        if small is not None:
            return small
    else:
        xf = _validation.plain_float(x)
        if xf is not None:  # scalar fast path: no array machinery
            return float(_backend.kernels().spherical_j1_scalar(xf))
    arr = _validation.as_float_array(x, "x")
    out = np.empty(arr.size)
    _backend.kernels().spherical_j1(_validation.flat(arr), out)
    return _validation.restore_shape(out, arr.shape)


# (A, s_fm, r_coeff_fm) -> (R0, s) in MeV^-1 for the scalar fast path of
# helm_form_factor, filled by the same Helm.lengths_fm as the array path.
_HELM_LENGTHS: BoundedDict[tuple[float, float, float], tuple[float, float]] = BoundedDict(
    "Helm lengths", maxsize=1024)


def _helm_scalar(q: Any, A: Any, s_fm: Any, r_coeff_fm: Any) -> float | None:
    """helm_form_factor for plain finite floats/ints in range, else None.

    Bit for bit the array path's value: the same R0 (from Helm.lengths_fm) and the
    same C routine on one point. Anything unusual returns None, so the array path
    runs and raises its usual errors.
    """
    qf = _validation.plain_float(q)
    if qf is None or not qf >= 0.0:
        return None
    lengths = _helm_lengths(A, s_fm, r_coeff_fm, q)
    if lengths is None:
        return None
    return float(_backend.kernels().helm_scalar(qf, lengths[0], lengths[1]))


def _helm_lengths(A: Any, s_fm: Any, r_coeff_fm: Any, q: Any = None
                  ) -> tuple[float, float] | None:
    """(R0, s) in MeV^-1 of helm_form_factor for plain floats/ints in range (cached),
    else None. A may also be a 0-d or one-element array with no more dimensions than
    q (it broadcasts against q without changing the shape)."""
    af = (_validation.size1_float(A, q) if type(A) is np.ndarray
          else _validation.plain_float(A))
    sf = _validation.plain_float(s_fm)
    rf = _validation.plain_float(r_coeff_fm)
    if af is None or sf is None or rf is None:
        return None
    top = _validation.LENGTH_MAX_FM
    if not (af > 0.0 and 0.0 <= sf <= top and 0.0 <= rf <= top):
        return None
    key = (af, sf, rf)
    lengths = _HELM_LENGTHS.get(key)
    if lengths is None:
        r0_fm, _ = Helm(r_coeff_fm=rf, s_fm=sf).lengths_fm(af)  # may raise R0^2 < 0
        lengths = (r0_fm / HBARC_MEV_FM, sf / HBARC_MEV_FM)
        _HELM_LENGTHS[key] = lengths
    return lengths


def helm_form_factor(
    q: npt.ArrayLike, A: npt.ArrayLike, s_fm: float = 0.5, r_coeff_fm: float = 1.2,
    n_threads: int = 1,
) -> FloatOrArray:
    """Helm nuclear form factor, Sharma & Wong Eq. 7.

    Parameters
    ----------
    q : array_like, MeV
        Three-momentum transfer, q >= 0 (q^2 = 2 M T).
    A : array_like
        Mass number (> 0); broadcasts against ``q``.
    s_fm : float, fm
        Surface thickness s in [0, 100] fm (Sharma & Wong: 0.5 fm).
    r_coeff_fm : float, fm
        R = r_coeff_fm * A^(1/3) (Sharma & Wong: 1.2 fm), in [0, 100] fm; R0^2 = R^2 - 5 s^2
        must lie in [0, (100 fm)^2] (``LENGTH_MAX_FM``).
    n_threads : int
        Threads of the compiled loop: an int in [1, 1024], of which at most the CPUs
        available to the process are used (``coherency.config()["cpus_available"]``);
        small inputs run on one thread; the result does not depend on it.

    Returns
    -------
    float or ndarray
        F(q) in [-1, 1] (abs(F) <= 1, F(0) = 1 exactly), broadcast shape of q and A.

    Raises
    ------
    ValueError
        q < 0, A <= 0, NaN or infinite input, a length outside [0, 100] fm, or
        R0^2 < 0 (the message names r_coeff_fm and s_fm).
    TypeError
        Non-numeric input.

    Notes
    -----
    F(q) = [3 j1(q R0)/(q R0)] exp(-q^2 s^2 / 2), q in fm^-1 = q[MeV]/hbar c
    (Sharma & Wong Eq. 7, docs/physics.md §3). Below q R0 = 1 the series of 3 j1(x)/x
    is used, so there is no cancellation and no NaN at q = 0.

    References
    ----------
    R. H. Helm, Phys. Rev. 104 (1956) 1466; V. Sharma, H. T. Wong, ICHEP2020.

    Examples
    --------
    >>> helm_form_factor(0.0, 132)
    1.0
    >>> 0.0 < helm_form_factor(50.0, 132) < 1.0
    True
    """
    nt = _validation.check_threads(n_threads)
    fast = _helm_scalar(q, A, s_fm, r_coeff_fm)
    if fast is not None:
        return fast
    lengths = _helm_lengths(A, s_fm, r_coeff_fm, q) if type(q) is np.ndarray else None
    if lengths is not None:  # a small float64 array (<= SMALL_MAX elements): one call
        small = _backend.kernels().small_form_factor(q, _ff_models.HELM.id, *lengths)
        if small is not None:
            return small
    qa = _validation.as_float_array(q, "q", min_value=0.0, unit="MeV", n_threads=nt)
    s = _validation.check_length(s_fm, "s_fm")
    rc = _validation.check_length(r_coeff_fm, "r_coeff_fm")
    model = Helm(r_coeff_fm=rc, s_fm=s)
    kern = _backend.kernels()
    if _validation.ndim(A, "A") == 0:
        a_value = _mass_number(A)
        r0_fm, _ = model.lengths_fm(a_value)
        out = np.empty(qa.size)
        kern.helm(_validation.flat(qa), r0_fm / HBARC_MEV_FM, s / HBARC_MEV_FM, out, nt)
        return _validation.restore_shape(out, qa.shape)
    aa = _validation.as_float_array(A, "A", min_value=0.0, exclusive_min=True)
    qb, ab = _validation.broadcast(("q", qa), ("A", aa))
    qf = qb.reshape(-1)
    af = ab.reshape(-1)
    out = np.empty(qf.size)
    for a_value in np.unique(aa):
        r0_fm, _ = model.lengths_fm(float(a_value))
        sel = af == a_value
        part = np.empty(int(sel.sum()))
        kern.helm(np.ascontiguousarray(qf[sel]), r0_fm / HBARC_MEV_FM, s / HBARC_MEV_FM, part,
                  nt)
        out[sel] = part
    return _validation.restore_shape(out, qb.shape)
