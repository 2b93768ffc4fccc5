"""Numpy twins of the scalar and small-array entry points of the compiled kernels.

Part of :mod:`coherency._reference` (the numpy/scipy twin of every kernel); the
functions are reached through it."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from ._records import (
    NucleusSpec,
)
from ._reference import FloatArray, dsigma_dq2, form_factor, helm, sigma_total, spherical_j1

# --- scalar entry points (one point in, a float out) --------------------------------
# Twins of the compiled fast-path kernels: each runs the array twin above on a
# one-element array, so on this backend a scalar call equals the array call exactly.


def _one(x: float) -> FloatArray:
    return np.array([x], dtype=np.float64)


def spherical_j1_scalar(x: float) -> float:
    """j1(x) at one point."""
    out = np.empty(1)
    spherical_j1(_one(x), out)
    return float(out[0])


def helm_scalar(q: float, r0: float, s: float) -> float:
    """Helm form factor at one q (MeV); r0 and s in MeV^-1."""
    out = np.empty(1)
    helm(_one(q), r0, s, out)
    return float(out[0])


def form_factor_scalar(q: float, model: int, p1: float, p2: float) -> float:
    """Form factor of model id ``model`` at one q (MeV); p1, p2 in MeV^-1."""
    out = np.empty(1)
    form_factor(_one(q), model, p1, p2, out)
    return float(out[0])


def dsigma_dq2_scalar(q2: float, E: float, spec: NucleusSpec) -> float:
    """dsigma/dq2 (Sharma & Wong (arXiv:2010.06810) Eq. 1) at one (q2, E); 0 outside
    kinematics. ``spec``: a NucleusSpec."""
    out = np.empty(1)
    dsigma_dq2(_one(q2), _one(E), spec, out)
    return float(out[0])


def sigma_total_scalar(
    E: float, q2_min: float, spec: NucleusSpec, panel_dq: float, gl_x: FloatArray,
    gl_w: FloatArray,
) -> float:
    """sigma(E) integrated over q2 from q2_min to q2_max(E), at one E; ``spec``: a
    NucleusSpec."""
    out = np.empty(1)
    sigma_total(_one(E), _one(q2_min), spec, panel_dq, gl_x, gl_w, out)
    return float(out[0])


# --- small arrays (the public layer's path for arrays of up to SMALL_MAX elements) ---
# Twins of the compiled small-array entry points: the same acceptance test (a native
# float64 ndarray, C-contiguous, 1 to 16 elements, every value in range; None for
# anything else) written with numpy, then the array twins above.

_SMALL_MAX = 16
_DBL_MAX = sys.float_info.max


def _small(x: Any) -> FloatArray | None:
    if (type(x) is not np.ndarray or x.dtype != np.float64 or not x.dtype.isnative
            or not x.flags.c_contiguous or not x.flags.aligned
            or not 1 <= x.size <= _SMALL_MAX):
        return None
    return x


def _in(x: FloatArray, lo: float, hi: float, lo_open: bool) -> bool:
    return bool(np.all((x > lo if lo_open else x >= lo) & (x <= hi)))


def _small_result(out: FloatArray, shape: tuple[int, ...]) -> FloatArray | float:
    return float(out[0]) if shape == () else out.reshape(shape)


def small_form_factor(q: Any, model: int, p1: float, p2: float) -> FloatArray | float | None:
    """F(q) of model id ``model`` (lengths p1, p2 in MeV^-1) when q is a small float64
    array of finite values >= 0 (SMALL_MAX elements at most), in q's shape (a float
    for 0-d); None for any other q."""
    arr = _small(q)
    if arr is None or not _in(arr, 0.0, _DBL_MAX, False):
        return None
    out = np.empty(arr.size)
    form_factor(arr.reshape(-1), model, p1, p2, out)
    return _small_result(out, arr.shape)


def small_spherical_j1(x: Any) -> FloatArray | float | None:
    """j1(x) when x is a small float64 array of finite values (SMALL_MAX elements at
    most), in x's shape (a float for 0-d); None for any other x."""
    arr = _small(x)
    if arr is None or not _in(arr, -_DBL_MAX, _DBL_MAX, False):
        return None
    out = np.empty(arr.size)
    spherical_j1(arr.reshape(-1), out)
    return _small_result(out, arr.shape)


def small_cross_section(
    kind: int, x: Any, y: Any, plan: tuple[Any, ...], x_max: float, y_max: float,
    gl_x: FloatArray,
    gl_w: FloatArray,
) -> FloatArray | float | None:
    """A cross section averaged over the nuclei of ``plan`` (tuples (number fraction,
    mass MeV, NucleusSpec, panel width MeV), as the public scalar path's) at small
    arrays: kind 0, dsigma/dq2 at (q2 = x, E = y); 1, dsigma/dT at (T = x, E = y); 2,
    sigma(E = x, T_min = y). x and y: two small float64 arrays of one shape, or one
    and a float (SMALL_MAX elements at most); E in (0, its max], the others in
    [0, x_max or y_max]. Returns the values in that shape (a float for 0-d), or None
    for anything else. Each point is summed over the nuclei in plan order, as the
    scalar path and the array path do."""
    if not 0 <= kind <= 2 or not 1 <= len(plan) <= _SMALL_MAX:
        return None
    xa, ya = _small(x), _small(y)
    if (xa is None and type(x) is not float) or (ya is None and type(y) is not float):
        return None
    if xa is None and ya is None:
        return None
    if xa is not None and ya is not None and xa.shape != ya.shape:
        return None
    shape = xa.shape if xa is not None else ya.shape  # type: ignore[union-attr]
    xv = np.broadcast_to(np.asarray(x, dtype=np.float64), shape).reshape(-1)
    yv = np.broadcast_to(np.asarray(y, dtype=np.float64), shape).reshape(-1)
    if not (_in(xv, 0.0, x_max, kind == 2) and _in(yv, 0.0, y_max, kind != 2)):
        return None
    total = np.zeros(xv.size)
    for fraction, mass, spec, panel in plan:
        out = np.empty(xv.size)
        if kind == 0:
            dsigma_dq2(np.ascontiguousarray(xv), np.ascontiguousarray(yv), spec, out)
        elif kind == 1:
            dsigma_dq2(2.0 * mass * xv, np.ascontiguousarray(yv), spec, out)
            out = 2.0 * mass * out
        else:
            sigma_total(np.ascontiguousarray(xv), 2.0 * mass * yv, spec, panel, gl_x, gl_w,
                        out)
        total += fraction * out
    return _small_result(total, shape)


def small_kinematics(kind: int, x: Any, mass: float, x_max: float
                     ) -> FloatArray | float | None:
    """Elastic kinematics (docs/physics.md section 1) at a small float64 array x of
    values in [0, x_max) for a nuclear mass M (MeV): kind 0, E_min(T) =
    [T + sqrt(T (T + 2M))]/2; 1, T_max(E) = 2E^2/(M + 2E); 2, q2_max(E) =
    4E^2 M/(M + 2E); 3, q2_min(T) = 2 M T; with the arithmetic of
    coherency.kinematics' scalar path. In x's shape (a float for 0-d); None for any
    other x, or when a value is not finite (the public function then raises)."""
    arr = _small(x)
    if not 0 <= kind <= 3 or arr is None or not np.all((arr >= 0.0) & (arr < x_max)):
        return None
    e = arr.reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):
        if kind == 0:
            v = 0.5 * (e + np.sqrt(e * (e + 2.0 * mass)))
        elif kind == 1:
            v = 2.0 * e * e / (mass + 2.0 * e)
        elif kind == 2:
            v = 4.0 * e * e * mass / (mass + 2.0 * e)
        else:
            v = 2.0 * mass * e
    if not np.all(v <= _DBL_MAX):
        return None
    return _small_result(v, arr.shape)


def _operand(x: Any) -> FloatArray | None:
    """A small float64 array as it is, a float scalar as a 0-d array, else None."""
    if type(x) is float or type(x) is np.float64:
        return np.asarray(x, dtype=np.float64)
    return _small(x)


def small_coherence(kind: int, x: Any, y: Any, c0: float, c1: float, c2: float, c3: float,
                    clip: bool) -> FloatArray | float | None:
    """The formulas of coherency.coherence (Sharma & Wong Eqs. 2-6) at small float64
    arrays, written with numpy as the array path: kind 0, Gamma_NP = (c0 x - c1 y)^2;
    1, alpha = ((c0 x - c1 y)^2 / c2 - c3) / (1 - c3); 2, Gamma_QM = c0 x + c1 (1 - x);
    3, Gamma_DATA = c0 x; 4, xi = x + (1 - x) c0; 5, alpha = (x - c0) / c1;
    6, arccos(x); 7, cos(x); clipped to [0, 1] with ``clip``. x (and y for kinds 0,
    1): small float64 arrays or float scalars of one shape, or one of size 1 with no
    more dimensions than the other. In that shape (a float for 0-d), or None for
    anything else, a value out of range or a result that is not finite."""
    two = kind in (0, 1)
    if not 0 <= kind <= 7:
        return None
    xa = _operand(x)
    ya = _operand(y) if two else None
    if xa is None or (two and ya is None):
        return None
    shape = xa.shape
    if ya is not None and ya.shape != shape:
        if xa.size == 1 and xa.ndim <= ya.ndim:
            shape = ya.shape
        elif not (ya.size == 1 and ya.ndim <= xa.ndim):
            return None
    lo, hi = ((-1.0, 1.0) if two else (-_DBL_MAX, _DBL_MAX) if kind in (3, 5)
              else (0.0, math.pi / 2) if kind == 7 else (0.0, 1.0))
    if not _in(xa, lo, hi, False) or (ya is not None and not _in(ya, lo, hi, False)):
        return None
    if kind >= 6:
        return _small_result(np.asarray((np.arccos if kind == 6 else np.cos)(xa)).reshape(-1),
                             shape)
    a = np.broadcast_to(xa, shape)
    with np.errstate(over="ignore", invalid="ignore"):
        if two:
            b = np.broadcast_to(ya, shape)  # type: ignore[arg-type]
            v = (c0 * a - c1 * b) ** 2
            if kind == 1:
                v = (v / c2 - c3) / (1.0 - c3)
        elif kind == 2:
            v = c0 * a + c1 * (1.0 - a)
        elif kind == 3:
            v = c0 * a
        elif kind == 4:
            v = a + (1.0 - a) * c0
        else:
            v = (a - c0) / c1
    v = np.asarray(v, dtype=np.float64)
    if not _in(v, -_DBL_MAX, _DBL_MAX, False):
        return None
    if clip:
        v = np.clip(v, 0.0, 1.0)
    return _small_result(np.ascontiguousarray(v).reshape(-1), shape)


def simd_info() -> str:
    """Twin of the compiled ``simd_info``: the numpy/scipy code has no SIMD clone."""
    return "none (numpy/scipy twin)"
