"""Shared argument checks: one place that turns bad input into clear errors.

Every message names the argument, the allowed range with its unit and the first
offending value with its index, e.g. ``q must be >= 0 MeV; got -3.0 at index 7``.

The kernels of both backends take checked arguments and do not test values; the
checks they rely on live here, for both: the thread count (:func:`check_threads`),
the public arrays (:func:`as_float_array`), and the kernel records built once per
source (:func:`check_flux_model`, :func:`check_qgrid`) or per batch
(:func:`check_rows`). The compiled wrappers keep only the length checks that stop an
out-of-bounds access.
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _backend
from ._config import available_cpus
from ._records import FluxModel, QGrid
from ._typing import FloatArray
from .constants import EPSILON_DEFAULT

_DBL_MAX = sys.float_info.max


def _short(x: Any, limit: int = 60) -> str:
    """``repr(x)`` cut to ``limit`` characters, for error messages."""
    try:
        text = repr(x)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(x).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _huge(v: Any) -> str:
    """A number too large for a float, for messages: ints by their number of digits."""
    if isinstance(v, int):
        digits = int(abs(v).bit_length() * math.log10(2.0)) + 1
        return f"an int of about {digits} digits{' (negative)' if v < 0 else ''}"
    return _short(v)


def _first_bad(arr: FloatArray, bad: npt.NDArray[np.bool_]) -> str:
    if arr.ndim == 0:
        return f"got {arr.item()!r}"
    idx = np.argwhere(bad)[0]
    where = int(idx[0]) if arr.ndim == 1 else tuple(int(i) for i in idx)
    return f"got {arr[tuple(idx)].item()!r} at index {where}"


def as_float_array(
    x: Any,
    name: str,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    exclusive_min: bool = False,
    finite: bool = True,
    unit: str = "",
    n_threads: int = 1,
) -> FloatArray:
    """Convert ``x`` to a float64 array and check its values (the scan on
    ``n_threads`` threads, as the kernel that follows).

    Raises ``TypeError`` for non-numeric input and ``ValueError`` for NaN,
    infinities (when ``finite``) and values outside ``[min_value, max_value]``.
    """
    if type(x) is np.ndarray and x.dtype is _F64 and x.flags.c_contiguous:
        arr = x  # already what the kernels take (native float64, C order): no conversion
    else:
        arr = _to_float_array(x, name)
    if arr.size == 0:
        return arr
    # One pass of the backend's all_within (compiled: a single vectorised scan;
    # twin: min and max) accepts good input; the messages below, with the slower
    # search for the offending index, run only on failure.
    big = _DBL_MAX if finite else math.inf
    lo_ok = -big if min_value is None else max(float(min_value), -big)
    hi_ok = big if max_value is None else min(float(max_value), big)
    open_lo = exclusive_min and min_value is not None and lo_ok == float(min_value)
    if _backend.kernels().all_within(arr.reshape(-1), lo_ok, hi_ok, open_lo, n_threads):
        return arr
    lo = arr.min()
    hi = arr.max()
    if lo != lo:
        raise ValueError(f"{name} must not be NaN; {_first_bad(arr, np.isnan(arr))}")
    if finite and (hi == np.inf or lo == -np.inf):
        raise ValueError(f"{name} must be finite; {_first_bad(arr, np.isinf(arr))}")
    u = f" {unit}" if unit else ""
    if min_value is not None and (lo <= min_value if exclusive_min else lo < min_value):
        low = arr <= min_value if exclusive_min else arr < min_value
        op = ">" if exclusive_min else ">="
        raise ValueError(f"{name} must be {op} {min_value:g}{u}; {_first_bad(arr, low)}")
    if max_value is not None and hi > max_value:
        raise ValueError(f"{name} must be <= {max_value:g}{u}; {_first_bad(arr, arr > max_value)}")
    return arr


_F64 = np.dtype(np.float64)


def _to_float_array(x: Any, name: str) -> FloatArray:
    """``x`` as a native, C-ordered float64 array; ``TypeError`` for non-numeric input."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a real number or array of numbers; got {_short(x)}")
    refuse_masked(x, name)
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged nested sequences and similar
        raise ValueError(
            f"{name} must be a rectangular array of numbers; got {_short(x)}: {exc}"
        ) from None
    if arr.dtype == object:
        arr = _object_to_float(arr, x, name)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be real numbers; got an array of dtype {arr.dtype}: {_short(x)}"
        )
    # Native byte order and C order: strided or big-endian input then runs the very
    # same (SIMD) loops as a contiguous copy, so results agree bit for bit.
    return np.asarray(arr, dtype=np.float64, order="C")


def as_float(
    x: Any,
    name: str,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    exclusive_min: bool = False,
    finite: bool = True,
    unit: str = "",
) -> float:
    """Like :func:`as_float_array` for a scalar; rejects arrays of size != 1."""
    v = plain_float(x)
    if v is not None and in_range(v, min_value, max_value, exclusive_min):
        return v  # the common case, without numpy (errors take the path below)
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        try:
            arr = np.float64(x)
        except OverflowError:  # an int (or Fraction, Decimal) beyond the float range
            raise ValueError(f"{name} must be finite; got {_huge(x)}, beyond the float "
                             f"range") from None
    else:
        arr = as_float_array(x, name, finite=finite)
        if arr.ndim != 0:
            raise ValueError(f"{name} must be a scalar; got an array of shape {arr.shape}")
    checked = as_float_array(
        arr,
        name,
        min_value=min_value,
        max_value=max_value,
        exclusive_min=exclusive_min,
        finite=finite,
        unit=unit,
    )
    return float(checked)


def refuse_masked(x: Any, name: str) -> None:
    """Masked arrays are refused (``TypeError``): ``numpy.asarray`` would drop the mask
    and compute with the hidden values. Fill or compress them first."""
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(f"{name}: masked arrays are not accepted (the mask would be "
                        f"ignored); pass {name}.filled(value) or {name}.compressed()")


def _object_to_float(arr: npt.NDArray[Any], x: Any, name: str) -> FloatArray:
    """An object array of Python numbers as float64; ints beyond the float range give
    a ``ValueError`` naming the argument, anything else the dtype's ``TypeError``."""
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in arr.flat):
        return arr
    try:
        return np.asarray(arr, dtype=np.float64)
    except OverflowError:
        for i, v in enumerate(arr.flat):
            try:
                float(v)
            except OverflowError:
                where = "" if arr.ndim == 0 else f" at index {i}"
                raise ValueError(f"{name} must be finite; got {_huge(v)}{where}, beyond "
                                 f"the float range") from None
        raise


def plain_float_in(x: Any, lo: float, hi: float) -> float | None:
    """``x`` as a float if it is a plain float or int (:func:`plain_float`) in [lo, hi],
    else None: the test of the scalar fast paths for a bounded argument."""
    v = plain_float(x)
    return v if v is not None and lo <= v <= hi else None


#: Allowed range of epsilon = 1 - 4 sin^2 theta_W (see :func:`check_epsilon`).
EPSILON_RANGE = (-3.0, 1.0)


def check_epsilon(value: Any, name: str = "epsilon") -> float:
    """Validate epsilon = 1 − 4 sin²θ_W, the proton weak charge per proton
    (docs/physics.md §2); ``None`` gives :data:`coherency.constants.EPSILON_DEFAULT`.

    The one check of every public ``epsilon`` argument. Allowed: a finite real scalar
    in [−3, 1], the image of the physical range 0 ≤ sin²θ_W ≤ 1. The range is that
    wide on purpose: epsilon is a parameter of the formulas (Sharma & Wong Eqs. 2–6),
    scanned in fits and in tests, and none of them is singular on the whole range.
    Singular points depend on the nucleus, not on epsilon alone (εZ = N makes
    ξ = Γ/(εZ − N)² undefined; ξ_dec = 1 makes α from ξ undefined): the functions that
    divide by those quantities check them and raise there.

    Raises
    ------
    TypeError
        ``value`` is not a real number.
    ValueError
        NaN, infinite, outside [−3, 1], or an array.

    Examples
    --------
    >>> check_epsilon(0.045)
    0.045
    >>> check_epsilon(-3.0), check_epsilon(1.0)
    (-3.0, 1.0)
    """
    if value is None:
        return EPSILON_DEFAULT
    return as_float(value, name, min_value=EPSILON_RANGE[0], max_value=EPSILON_RANGE[1])


def ndim(x: Any, name: str) -> int:
    """``np.ndim(x)``, with a ``ValueError`` naming ``name`` for ragged input."""
    try:
        return int(np.ndim(x))
    except Exception as exc:
        raise ValueError(
            f"{name} must be a rectangular array of numbers; got {_short(x)}: {exc}"
        ) from None


def broadcast(*named: tuple[str, FloatArray]) -> list[FloatArray]:
    """Broadcast arrays against each other; a ``ValueError`` names them on failure."""
    shape = named[0][1].shape
    if all(a.shape == shape for _, a in named):  # nothing to broadcast
        return [np.asarray(a, dtype=np.float64, order="C") for _, a in named]
    try:
        out = np.broadcast_arrays(*(a for _, a in named))
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape}" for n, a in named)
        raise ValueError(f"arguments do not broadcast together: {shapes}") from None
    return [np.asarray(a, dtype=np.float64, order="C") for a in out]


def flat(a: FloatArray) -> FloatArray:
    """Contiguous 1-D float64 view (copy if needed) for the kernels."""
    return np.ascontiguousarray(a, dtype=np.float64).reshape(-1)


def restore_shape(out: FloatArray, shape: tuple[int, ...]) -> FloatArray | float:
    """Reshape a kernel's flat output; a 0-d result becomes a Python float."""
    if shape == ():
        return float(out[0])
    return out.reshape(shape)


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """Check a string option."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}; got {value!r}")
    return value


_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


# numpy's real scalar types (what indexing or iterating over an array gives): their
# value as a float is the float64 the array path converts them to.
_NUMPY_REAL_SCALARS = frozenset({
    np.float64, np.float32, np.float16, np.int8, np.int16, np.int32, np.int64,
    np.uint8, np.uint16, np.uint32, np.uint64, np.intc, np.uintc, np.longlong,
    np.ulonglong,
})


def plain_float(x: Any) -> float | None:
    """``x`` as a float if it is a finite Python ``float`` or ``int``, or a finite numpy
    real scalar (``numpy.float64`` as an array's elements are, float16/32, the integer
    types); else None.

    The test of the public functions' scalar fast path: bools (Python's and numpy's),
    arrays (0-d too), complex numbers, huge ints, NaN and infinities return None and so
    take the array path, which raises the usual errors. Ints are those numpy would hold
    as int64; a numpy scalar gives the float64 the array path would convert it to, so
    both paths see the same number.
    """
    t = type(x)
    if t is float:
        return x if x - x == 0.0 else None  # inf - inf and nan - nan are NaN
    if t is int:
        return float(x) if _INT64_MIN <= x <= _INT64_MAX else None
    if t in _NUMPY_REAL_SCALARS:
        v = float(x)
        return v if v - v == 0.0 else None
    return None


def size1_float(x: Any, like: Any = None) -> float | None:
    """A broadcasting parameter given as a 0-d or one-element real ndarray (a mass
    number, a mass beside the array of energies), as a float, when that leaves the
    result's shape alone: ``x`` has no more dimensions than ``like`` (an ndarray, or
    anything else for 0 dimensions). None otherwise, and for NaN or infinities: the
    array path then runs, with its errors.

    With this the scalar and small-array paths take ``A=np.asarray(132)`` or
    ``mass=np.array([M])`` beside a one-element ``q`` or ``E`` as they take a float;
    the value is the float64 the array path would convert it to.
    """
    if (type(x) is not np.ndarray or x.size != 1
            or x.ndim > (like.ndim if type(like) is np.ndarray else 0)
            or x.dtype.type not in _NUMPY_REAL_SCALARS):
        return None
    v = float(x.item())
    return v if v - v == 0.0 else None


def check_flag(value: Any, name: str) -> bool:
    """A switch argument: True or False (not 0/1, None or a string, whose truth would
    pass silently); else a TypeError naming it."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {type(value).__name__} "
                        f"{_short(value)}")
    return value


#: Largest array the public functions' small-array path takes: float64 arrays of up to
#: this many elements go to the compiled ``small_*`` entry points (one call, no numpy
#: reductions or broadcasting; ``SMALL_MAX`` in coherency/_kernels.pyx).
SMALL_MAX = 16


def in_range(v: float, min_value: float | None, max_value: float | None,
             exclusive_min: bool = False) -> bool:
    """Whether a finite float passes the range test of :func:`as_float_array`."""
    if min_value is not None and (v <= min_value if exclusive_min else v < min_value):
        return False
    return max_value is None or v <= max_value


MAX_THREADS = 1024
"""Largest ``n_threads`` accepted (COH_POOL_MAX_THREADS of csrc/coh_pool.h)."""

_CPUS = available_cpus()


def check_threads(n_threads: Any, name: str = "n_threads") -> int:
    """Validate a thread count and return the number of threads to use.

    ``n_threads`` must be an int (a Python int or a numpy integer, not a bool) in
    [1, MAX_THREADS = 1024]; the kernels then use min(n_threads, CPUs available to
    the process) threads (:func:`coherency._config.available_cpus`: the affinity mask
    and a cgroup CPU quota). Results never depend on the count.

    Raises
    ------
    TypeError
        ``n_threads`` is not an integer (or is a bool).
    ValueError
        ``n_threads`` is outside [1, 1024] (e.g. 0, 10**400, np.uint64(2**64 - 1)).
    """
    if type(n_threads) is int:
        if n_threads == 1:  # the default, on every scalar call: first and cheapest
            return 1
        if 1 <= n_threads <= MAX_THREADS:
            return n_threads if n_threads <= _CPUS else _CPUS
    if isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)):
        raise TypeError(f"{name} must be an int in [1, {MAX_THREADS}]; got {_short(n_threads)}")
    value = int(n_threads)
    if not 1 <= value <= MAX_THREADS:
        raise ValueError(f"{name} must be in [1, {MAX_THREADS}]; got {_short(value)}")
    return min(value, _CPUS)


def check_flux_model(model: FluxModel) -> FluxModel:
    """The values a flux model's kernels rely on: increasing breakpoints, and pieces
    whose arrays have the lengths the model states (``ValueError`` otherwise). (The
    kernels also need >= 2 breakpoints and >= 1 piece; callers skip them otherwise.)"""
    n_keys = len(model.keys)
    if np.any(np.diff(model.bps) < 0) or np.any(np.isnan(model.bps)):
        raise ValueError("bps must be increasing")
    if (any(len(a) != n_keys for a in (model.t0, model.t1, model.a1_0, model.a1_2,
                                        model.above0, model.above2, model.converged))
            or len(model.coef0) != n_keys * model.n_coef
            or len(model.coef2) != n_keys * model.n_coef):
        raise ValueError(f"every piece needs t0, t1, a1, above, converged and n_coef = "
                         f"{model.n_coef} coefficients ({n_keys} pieces)")
    return model


def check_qgrid(grid: QGrid) -> QGrid:
    """The values the q-grid kernel relies on: edges finite, >= 0 and increasing,
    ``len(gl_x)`` nodes per panel, equal Chebyshev rows (``ValueError`` otherwise)."""
    edges = np.asarray(grid.edges, dtype=np.float64)
    n_gl = len(grid.gl_x)
    n_panels = edges.size - 1
    if n_panels < 0:
        raise ValueError("edges must have at least one entry")
    if not (np.all(np.isfinite(edges)) and np.all(edges >= 0.0)
            and np.all(np.diff(edges) >= 0.0)):
        raise ValueError("edges must be finite, >= 0 and increasing")
    if n_gl == 0 or len(grid.gl_w) != n_gl:
        raise ValueError("gl_x and gl_w must be a rule of at least one node")
    if len(grid.node_q) != n_panels * n_gl or len(grid.node_w) != n_panels * n_gl:
        raise ValueError(f"node_q and node_w must hold {n_gl} entries per panel")
    if n_panels > 0 and (len(grid.cheb) == 0 or len(grid.cheb) % n_panels != 0):
        raise ValueError("cheb must hold one equal row per panel")
    return grid


def check_rows(which: npt.NDArray[np.int64], n_rows: int) -> npt.NDArray[np.int64]:
    """Row indices of ``batch_combine``: every ``which[i]`` in [0, n_rows)."""
    w = np.asarray(which)
    bad = (w < 0) | (w >= n_rows)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"which must be in [0, {n_rows}); got {w[i]} at index {i}")
    return which


def check_increasing(arr: FloatArray, name: str, *, strict: bool = True,
                     unit: str = "") -> FloatArray:
    """``arr`` (1-D) strictly increasing (nondecreasing unless ``strict``); a
    ``ValueError`` names the first value out of order, e.g. ``edges must be strictly
    increasing; got 3.0 after 5.0 at index 2``."""
    a = np.asarray(arr, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {a.shape}")
    step = np.diff(a)
    bad = ~(step > 0.0) if strict else ~(step >= 0.0)
    if bad.any():
        i = int(np.argmax(bad)) + 1
        u = f" {unit}" if unit else ""
        kind = "strictly increasing" if strict else "nondecreasing"
        raise ValueError(f"{name} must be {kind}; got {float(a[i])!r}{u} after "
                         f"{float(a[i - 1])!r}{u} at index {i}")
    return a


def check_unit_interval(values: FloatArray, name: str, where: FloatArray | None = None,
                        where_name: str = "x") -> FloatArray:
    """Every value in [0, 1] (an efficiency); a ``ValueError`` names ``name``, the first
    bad value and, if given, the abscissa ``where`` it belongs to."""
    v = np.asarray(values, dtype=np.float64)
    bad = ~((v >= 0.0) & (v <= 1.0))
    if bad.any():
        i = int(np.argmax(bad.reshape(-1)))
        at = ("" if where is None
              else f" at {where_name} = {float(np.asarray(where).reshape(-1)[i])!r}")
        raise ValueError(f"{name} must be in [0, 1]; got {float(v.reshape(-1)[i])!r}{at} "
                         f"(index {i})")
    return v


#: Domain limits of the response kernel (csrc/coh_resp.h): the largest Poisson mean
#: and gamma shape.
RESPONSE_MAX_POISSON_MEAN = 1e8
RESPONSE_MAX_GAMMA_SHAPE = 1e8


def check_response_means(mu: FloatArray, params: Any, unit: str,
                         name: str = "T_nr_MeV") -> FloatArray:
    """The means the response kernel takes (``params``: a ResolutionParams): finite,
    >= 0, a Poisson mean and a gamma shape 1 + p1 mu at most 1e8, a finite Gaussian
    width. The ``ValueError`` names the node (index into ``name``)."""
    from ._records import RES_GAMMA, RES_GAUSS, RES_POISSON

    m = np.asarray(mu, dtype=np.float64)
    bad = ~((m >= 0.0) & (m <= _DBL_MAX))
    what = "finite and >= 0"
    if params.model == RES_POISSON:
        bad |= m > RESPONSE_MAX_POISSON_MEAN
        what = f"at most {RESPONSE_MAX_POISSON_MEAN:g} {unit} (Poisson)"
    elif params.model == RES_GAMMA:
        with np.errstate(over="ignore"):
            bad |= ~(1.0 + params.p1 * m <= RESPONSE_MAX_GAMMA_SHAPE)
        what = f"such that the gamma shape 1 + {params.p1:g} mu is at most " \
               f"{RESPONSE_MAX_GAMMA_SHAPE:g}"
    elif params.model == RES_GAUSS:
        with np.errstate(over="ignore", invalid="ignore"):
            sigma2 = params.p1**2 + params.p2**2 * m + (params.p3 * m) ** 2
        bad |= ~(sigma2 <= _DBL_MAX)
        what = "such that the Gaussian width is finite"
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"the mean observable must be {what}; got {float(m[i])!r} {unit} "
                         f"at {name} index {i}")
    return m


# ----------------------------------------------------------------------------------
# Domains of the public arguments (docs/physics.md §12): one check per kind of
# argument, used by every function that takes it.
# ----------------------------------------------------------------------------------

#: Largest neutrino energy (MeV) of the cross sections and the rate engine (sources
#: included). Ten times the highest shipped source (atmospheric, 982 MeV) and far
#: above the coherent regime (q_max >> pi hbar c/R from ~100 MeV on). It bounds the
#: work: one sigma(E) then takes at most ~3200 q panels (q_max < 2E, panels of
#: pi hbar c / LENGTH_MAX_FM), and the kinematics cannot overflow.
E_NU_MAX_MEV = 1.0e4

#: Largest recoil energy T (thresholds, windows, spectra; MeV): no neutrino of the
#: domain gives more (T_max(E) < E).
T_RECOIL_MAX_MEV = E_NU_MAX_MEV

#: Largest q^2 (MeV^2) of the cross sections and spectra: (2 E_NU_MAX)^2 exceeds
#: q2_max(E, M) = 4 E^2 M/(M + 2E) for every E and M in the domain.
Q2_MAX_MEV2 = (2.0 * E_NU_MAX_MEV) ** 2

#: Largest nuclear length (fm) of a form factor: radii, skin thickness, diffuseness,
#: and the first length a model derives for a nucleus (R0, R_A, c); more than ten
#: times the radius of any nucleus.
LENGTH_MAX_FM = 100.0

#: Largest ``radius_scale`` of the batch API (a factor on the form factor's radius).
RADIUS_SCALE_MAX = 10.0

#: Largest detector mass (kg) and exposure time (s) of the count functions: 1e9 t,
#: and about 3e4 years.
MASS_KG_MAX = 1.0e12
TIME_S_MAX = 1.0e12

#: Largest event count (observed or predicted counts of an analysis bin).
COUNT_MAX = 1.0e15

#: Points of a search grid (``n_grid`` of :func:`coherency.q2_fwhm`): at least 3 (a
#: maximum and its two neighbours), at most 10^6 (8 MB per array).
N_GRID_RANGE = (3, 1_000_000)

#: Number of bins of a projection (``n_bins``): each bin costs an event-rate integral.
N_BINS_RANGE = (1, 1000)


def check_neutrino_energy(x: Any, name: str = "E", *, n_threads: int = 1) -> FloatArray:
    """Neutrino energies in (0, E_NU_MAX_MEV] MeV as a float64 array."""
    return as_float_array(x, name, min_value=0.0, exclusive_min=True, max_value=E_NU_MAX_MEV,
                          unit="MeV", n_threads=n_threads)


def check_recoil_energy(x: Any, name: str = "T", *, n_threads: int = 1) -> FloatArray:
    """Recoil energies in [0, T_RECOIL_MAX_MEV] MeV as a float64 array."""
    return as_float_array(x, name, min_value=0.0, max_value=T_RECOIL_MAX_MEV, unit="MeV",
                          n_threads=n_threads)


def check_recoil_scalar(x: Any, name: str = "T_min") -> float:
    """A scalar recoil energy in [0, T_RECOIL_MAX_MEV] MeV."""
    return as_float(x, name, min_value=0.0, max_value=T_RECOIL_MAX_MEV, unit="MeV")


def check_q2(x: Any, name: str = "q2", *, n_threads: int = 1) -> FloatArray:
    """Squared momentum transfers in [0, Q2_MAX_MEV2] MeV^2 as a float64 array."""
    return as_float_array(x, name, min_value=0.0, max_value=Q2_MAX_MEV2, unit="MeV^2",
                          n_threads=n_threads)


def check_length(x: Any, name: str, *, positive: bool = False, signed: bool = False) -> float:
    """A form-factor length in fm: [0, LENGTH_MAX_FM] ((0, ...] when ``positive``;
    [-LENGTH_MAX_FM, LENGTH_MAX_FM] when ``signed``, for offsets and skins)."""
    lo = -LENGTH_MAX_FM if signed else 0.0
    return as_float(x, name, min_value=lo, exclusive_min=positive and not signed,
                    max_value=LENGTH_MAX_FM, unit="fm")


def check_exposure(mass_kg: Any, time_s: Any) -> tuple[float, float]:
    """A detector mass in [0, MASS_KG_MAX] kg and a time in [0, TIME_S_MAX] s."""
    return (as_float(mass_kg, "mass_kg", min_value=0.0, max_value=MASS_KG_MAX, unit="kg"),
            as_float(time_s, "time_s", min_value=0.0, max_value=TIME_S_MAX, unit="s"))


def check_counts(x: Any, name: str, *, positive: bool = False) -> FloatArray:
    """Event counts in [0, COUNT_MAX] ((0, COUNT_MAX] when ``positive``)."""
    return as_float_array(x, name, min_value=0.0, exclusive_min=positive,
                          max_value=COUNT_MAX)


def check_int(value: Any, name: str, lo: int, hi: int) -> int:
    """An integer (a Python or numpy int, not a bool) in [lo, hi]: grid sizes, numbers
    of bins, everything whose value sets an amount of work or memory."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int in [{lo}, {hi}]; got {_short(value)}")
    v = int(value)
    if not lo <= v <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}]; got {_short(v)}")
    return v


def check_fraction_values(values: Any, name: str) -> FloatArray:
    """What an efficiency returned: finite, in [0, 1]."""
    return as_float_array(values, name, min_value=0.0, max_value=1.0)


def check_quenching_factor(x: Any, name: str = "quenching") -> float:
    """A constant quenching factor T_ee/T_nr in (0, 1]."""
    return as_float(x, name, min_value=0.0, exclusive_min=True, max_value=1.0)


def check_order(lo: FloatArray, hi: FloatArray, lo_name: str, hi_name: str,
                unit: str = "") -> None:
    """``lo <= hi`` element by element (bin edges, windows)."""
    bad = np.asarray(hi < lo)
    if np.any(bad):
        u = f" {unit}" if unit else ""
        if bad.ndim == 0:
            raise ValueError(f"{hi_name} must be >= {lo_name}; got {hi_name} = "
                             f"{float(hi)!r}{u} < {lo_name} = {float(lo)!r}{u}")
        i = int(np.argmax(bad.reshape(-1)))
        lo_f = np.broadcast_to(lo, bad.shape).reshape(-1)
        hi_f = np.broadcast_to(hi, bad.shape).reshape(-1)
        raise ValueError(f"{hi_name} must be >= {lo_name}; got {hi_name} = {float(hi_f[i])!r}"
                         f"{u} < {lo_name} = {float(lo_f[i])!r}{u} at index {i}")


def check_finite_result(value: Any, what: str, hint: str) -> None:
    """A last guard: a result outside the float range is an error, not inf or NaN."""
    arr = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} is not finite (it exceeds the float range): {hint}")
