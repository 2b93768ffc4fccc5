"""Detection efficiency of the observable: callables x -> [0, 1] (docs/physics.md
Eq. 11.4), with x in photoelectrons or keVee (the unit of the observed bins).

The response matrix (:class:`coherency.detector.Response`) treats the efficiency as
piecewise linear on a grid and integrates each piece exactly (Eq. 11.5). Each model
here gives that grid itself through ``sample(lo, hi, tolerance, max_step)``: the nodes
and values of a right-continuous piecewise-linear function within ``tolerance`` of the
efficiency on [lo, hi] (a jump is a repeated abscissa: the first copy carries the left
limit). :class:`TabulatedEfficiency` is piecewise linear already (its own nodes,
exact); :class:`LogisticEfficiency` places its nodes from a bound on its curvature.

Models: :class:`LogisticEfficiency` (COHERENT CsI 2017 and 2021),
:class:`TabulatedEfficiency` (COHERENT Ar 2020).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from scipy import special

from .. import _validation
from .._typing import FloatArray, FloatOrArray

__all__ = ["Efficiency", "EfficiencyVariants", "LogisticEfficiency", "TabulatedEfficiency",
           "linear_interpolation_nodes"]

# |sigma''(u)| = s (1 - s) |1 - 2 s| of the logistic s = sigma(u) = 1/(1 + e^-u) is even
# in u, grows from 0 at u = 0 to its maximum 1/(6 sqrt 3) at |u| = ln(2 + sqrt 3) (s = 1/2
# -+ 1/(2 sqrt 3)) and decreases beyond.
_LOGISTIC_PEAK_U = math.log(2.0 + math.sqrt(3.0))
_LOGISTIC_MAX_CURVATURE = 1.0 / (6.0 * math.sqrt(3.0))


def _logistic_curvature(u: float) -> float:
    s = float(special.expit(u))
    return s * (1.0 - s) * abs(1.0 - 2.0 * s)


def _logistic_max_curvature(u0: float, u1: float) -> float:
    """max |sigma''| over [u0, u1] (u0 <= u1): the peak if inside, else an end."""
    if u0 <= _LOGISTIC_PEAK_U <= u1 or u0 <= -_LOGISTIC_PEAK_U <= u1:
        return _LOGISTIC_MAX_CURVATURE
    return max(_logistic_curvature(u0), _logistic_curvature(u1))


@runtime_checkable
class Efficiency(Protocol):
    """An efficiency that knows its own piecewise-linear grid (see the module)."""

    def __call__(self, x: npt.ArrayLike) -> FloatOrArray: ...

    def sample(self, lo: float, hi: float, tolerance: float,
               max_step: float) -> tuple[FloatArray, FloatArray]: ...


class EfficiencyVariants(NamedTuple):
    """An efficiency and its +-1 sigma curves (e.g.
    :meth:`LogisticEfficiency.coherent_csi_2021`)."""

    nominal: LogisticEfficiency
    plus_1sigma: LogisticEfficiency
    minus_1sigma: LogisticEfficiency


def linear_interpolation_nodes(lo: float, hi: float, max_step: float,
                               curvature_bound: Any, tolerance: float) -> FloatArray:
    """Nodes lo = x_0 < x_1 < ... < x_n = hi such that linear interpolation between them
    is within ``tolerance`` of a function whose |f''| on [a, b] is at most
    ``curvature_bound(a, b)``: each step h <= max_step satisfies h^2 K / 8 <= tolerance
    with K the bound on [x, x + max_step] (the interpolation error of a piece of width
    h is at most h^2 max|f''| / 8)."""
    nodes = [lo]
    x = lo
    while x < hi:
        kappa = float(curvature_bound(x, min(x + max_step, hi)))
        h = max_step if kappa <= 0.0 else min(max_step, math.sqrt(8.0 * tolerance / kappa))
        x = x + h
        if hi - x <= 1e-9 * h:  # no sliver at the end
            x = hi
        nodes.append(min(x, hi))
    return np.asarray(nodes, dtype=np.float64)


def _sample_args(lo: float, hi: float, tolerance: float, max_step: float
                 ) -> tuple[float, float, float, float]:
    lo_f = _validation.as_float(lo, "lo")
    hi_f = _validation.as_float(hi, "hi")
    if not hi_f > lo_f:
        raise ValueError(f"hi must be > lo; got lo = {lo_f!r}, hi = {hi_f!r}")
    tol = _validation.as_float(tolerance, "tolerance", min_value=0.0, exclusive_min=True)
    step = _validation.as_float(max_step, "max_step", min_value=0.0, exclusive_min=True)
    return lo_f, hi_f, tol, step


@dataclass(frozen=True)
class LogisticEfficiency:
    """eps(x) = a / (1 + exp(-b (x - c))) + d, clipped to [0, 1], and 0 below x_min
    (docs/physics.md Eq. 11.4).

    Parameters
    ----------
    a, b, c, d : float
        Finite. x in the unit of the observable (PE for COHERENT CsI).
    x_min : float, optional
        eps = 0 for x < x_min (a hard cut); eps(x_min) is the curve's value.

    Raises
    ------
    ValueError
        A parameter is not finite.

    Notes
    -----
    COHERENT CsI 2021 (:meth:`coherent_csi_2021`): a, b, c, d = 1.32045, 0.285979,
    10.8646, -0.333322 with +-1 sigma sets, from the release's ``effCoefficients.txt``.
    COHERENT CsI 2017 (:meth:`coherent_csi_2017`): a, b, c = 0.6655, 0.4942, 10.8507,
    d = 0, zero below 5 PE.

    The grid of :meth:`sample`: the points where the clipping starts or ends and x_min
    (a jump) are nodes; between them the step h keeps h^2 max abs(eps'') / 8 <= tolerance
    on the step (:func:`linear_interpolation_nodes`), with the maximum of
    abs(eps'') = abs(a) b^2 abs(sigma''(u)) over the step in closed form (abs(sigma'') is
    even in u, peaks at abs(u) = ln(2 + sqrt 3) and is monotone on either side); clipped stretches
    need no nodes.

    Examples
    --------
    >>> e = LogisticEfficiency.coherent_csi_2017()
    >>> float(e(4.9)), round(float(e(30.0)), 3)
    (0.0, 0.665)
    >>> v = LogisticEfficiency.coherent_csi_2021()
    >>> bool(v.minus_1sigma(15.0) < v.nominal(15.0) < v.plus_1sigma(15.0))
    True
    """

    a: float
    b: float
    c: float
    d: float = 0.0
    x_min: float | None = None

    def __post_init__(self) -> None:
        for name in ("a", "b", "c", "d"):
            object.__setattr__(self, name, _validation.as_float(getattr(self, name), name))
        if self.x_min is not None:
            object.__setattr__(self, "x_min", _validation.as_float(self.x_min, "x_min"))

    @classmethod
    def coherent_csi_2017(cls) -> LogisticEfficiency:
        """COHERENT CsI[Na] 2017: 0.6655/(1 + exp(-0.4942 (x - 10.8507))) for x >= 5 PE,
        0 below (release documentation, arXiv:1804.09459)."""
        return cls(0.6655, 0.4942, 10.8507, 0.0, x_min=5.0)

    @classmethod
    def coherent_csi_2021(cls, directory: str | Path | None = None) -> EfficiencyVariants:
        """COHERENT CsI 2021: nominal, +1 sigma and -1 sigma curves in PE, read from the
        release's ``effCoefficients.txt`` (``directory``: the release folder, default
        the shipped copy).

        Raises
        ------
        ValueError
            The file is missing or malformed (the message names the file and line).
        """
        from ..data._files import read_coefficient_sets, release_folder

        path = release_folder(directory, "coherent_csi_2021") / "effCoefficients.txt"
        rows = read_coefficient_sets(path, 4, 3, "nominal, +1 sigma, -1 sigma")
        # The file labels both systematic sets "+1 sigma"; the third (c = 11.88 PE, the
        # curve shifted to higher PE) is below the nominal curve everywhere, so it is
        # the -1 sigma curve, and is read as such.
        nominal, plus, minus = (cls(*vals) for _, vals, _ in rows)
        return EfficiencyVariants(nominal, plus, minus)

    def _curve(self, x: FloatArray) -> FloatArray:
        val = self.a * special.expit(self.b * (x - self.c)) + self.d
        val = np.clip(val, 0.0, 1.0)
        if self.x_min is not None:
            val = np.where(x < self.x_min, 0.0, val)
        return np.asarray(val, dtype=np.float64)

    def __call__(self, x: npt.ArrayLike) -> FloatOrArray:
        arr = _validation.as_float_array(x, "x")
        return _validation.restore_shape(self._curve(arr.reshape(-1)), arr.shape)

    def _kinks(self) -> list[float]:
        """Where the unclipped curve crosses 0 and 1."""
        out = []
        if self.a != 0.0 and self.b != 0.0:
            for level in (0.0, 1.0):
                s = (level - self.d) / self.a
                if 0.0 < s < 1.0:
                    out.append(self.c + math.log(s / (1.0 - s)) / self.b)
        return out

    def _curvature_bound(self, lo: float, hi: float) -> float:
        """max |eps''| over [lo, hi] of the unclipped curve: |a| b^2 max |sigma''(u)|."""
        u0, u1 = sorted((self.b * (lo - self.c), self.b * (hi - self.c)))
        return abs(self.a) * self.b**2 * _logistic_max_curvature(u0, u1)

    def sample(self, lo: float, hi: float, tolerance: float = 1e-5,
               max_step: float = 0.25) -> tuple[FloatArray, FloatArray]:
        """Nodes and values of a right-continuous piecewise-linear function within
        ``tolerance`` (absolute) of eps on [lo, hi], steps at most ``max_step``."""
        lo, hi, tol, step = _sample_args(lo, hi, tolerance, max_step)
        cut = -math.inf if self.x_min is None else float(self.x_min)
        jump = lo < cut <= hi
        start = min(cut, hi) if cut > lo else lo
        breaks = sorted({start, hi, *(k for k in self._kinks() if start < k < hi)})
        nodes = [np.array([lo])] if start > lo else []
        for a, b in zip(breaks[:-1], breaks[1:]):
            mid = self._curve(np.array([0.5 * (a + b)]))[0]
            clipped = bool(mid in (0.0, 1.0)) and self.a != 0.0
            if clipped or self.b == 0.0 or self.a == 0.0:
                nodes.append(np.array([a, b]))
            else:
                nodes.append(linear_interpolation_nodes(a, b, step, self._curvature_bound, tol))
        x = np.unique(np.concatenate(nodes)) if nodes else np.array([lo, hi])
        eps = self._curve(x)
        if jump:  # the left limit 0 at x_min, then the curve
            i = int(np.searchsorted(x, cut))
            x = np.insert(x, i, cut)
            eps = np.insert(eps, i, 0.0)
        return x, eps


@dataclass(frozen=True, eq=False)
class TabulatedEfficiency:
    """An efficiency table, interpolated linearly (docs/physics.md Eq. 11.4).

    Parameters
    ----------
    x : array_like
        Abscissae (unit of the observable), strictly increasing, at least two.
    efficiency : array_like
        Values in [0, 1], one per abscissa.
    left, right : float, optional
        Values below x[0] and from x[-1] on, in [0, 1]; default the end values.

    Raises
    ------
    ValueError
        Lengths differ, fewer than two points, x not strictly increasing, or a value
        outside [0, 1] or not finite (the message names the argument and the index).

    Notes
    -----
    COHERENT CENNS-10 Ar 2020 (:meth:`coherent_ar_2020`): ``CENNS10AnlAEfficiency.txt``
    with columns keVee, keVnr, efficiency, read in keVee. The table is its own grid in
    the response matrix: the interpolant is exact there.

    Examples
    --------
    >>> e = TabulatedEfficiency([1.0, 3.0], [0.2, 0.6])
    >>> float(e(2.0)), float(e(0.0)), float(e(9.0))
    (0.4, 0.2, 0.6)
    >>> TabulatedEfficiency([1.0, 3.0], [0.2, 1.2])
    Traceback (most recent call last):
        ...
    ValueError: efficiency must be in [0, 1]; got 1.2 at x = 3.0 (index 1)
    """

    x: tuple[float, ...]
    efficiency: tuple[float, ...]
    left: float | None = None
    right: float | None = None

    def __post_init__(self) -> None:
        xs = _validation.as_float_array(self.x, "x")
        es = _validation.as_float_array(self.efficiency, "efficiency")
        if xs.ndim != 1 or es.ndim != 1 or xs.size != es.size or xs.size < 2:
            raise ValueError(f"x and efficiency must be 1-D of the same length >= 2; got "
                             f"shapes {xs.shape} and {es.shape}")
        _validation.check_increasing(xs, "x")
        _validation.check_unit_interval(es, "efficiency", xs)
        object.__setattr__(self, "x", tuple(float(v) for v in xs))
        object.__setattr__(self, "efficiency", tuple(float(v) for v in es))
        for name, default in (("left", es[0]), ("right", es[-1])):
            value = getattr(self, name)
            value = float(default) if value is None else _validation.as_float(value, name)
            _validation.check_unit_interval(np.array([value]), name)
            object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TabulatedEfficiency):
            return NotImplemented
        return ((self.x, self.efficiency, self.left, self.right)
                == (other.x, other.efficiency, other.left, other.right))

    def __hash__(self) -> int:
        return hash((self.x, self.efficiency, self.left, self.right))

    @classmethod
    def coherent_ar_2020(cls, directory: str | Path | None = None) -> TabulatedEfficiency:
        """COHERENT CENNS-10 Ar 2020, analysis A: efficiency against keVee from the
        release's ``CENNS10AnlAEfficiency.txt`` (columns keVee, keVnr, efficiency;
        ``directory``: the release folder, default the shipped copy); 0 below the
        first node (0.25 keVee, where the table is 0 too).

        Examples
        --------
        >>> e = TabulatedEfficiency.coherent_ar_2020()
        >>> e.x[0], e.efficiency[0], round(float(e(20.0)), 3)
        (0.25, 0.0, 0.952)
        """
        from ..data._files import read_numbers, release_folder

        path = release_folder(directory, "coherent_ar_2020") / "CENNS10AnlAEfficiency.txt"
        table = read_numbers(path, 3)
        return cls(tuple(table[:, 0]), tuple(table[:, 2]), left=0.0)

    @property
    def _ends(self) -> tuple[float, float]:
        """(left, right), filled in by __post_init__."""
        return (float(self.efficiency[0] if self.left is None else self.left),
                float(self.efficiency[-1] if self.right is None else self.right))

    def _values(self, x: FloatArray) -> FloatArray:
        xs = np.asarray(self.x)
        left, right = self._ends
        val = np.interp(x, xs, np.asarray(self.efficiency), left=left, right=right)
        # right-continuous at the last node when right differs from the table's end
        return np.asarray(np.where(x >= xs[-1], right, val), dtype=np.float64)

    def __call__(self, x: npt.ArrayLike) -> FloatOrArray:
        arr = _validation.as_float_array(x, "x")
        return _validation.restore_shape(self._values(arr.reshape(-1)), arr.shape)

    def sample(self, lo: float, hi: float, tolerance: float = 1e-5,
               max_step: float = 0.25) -> tuple[FloatArray, FloatArray]:
        """The table's own nodes within [lo, hi] (exact; tolerance and max_step are not
        needed), with the jumps to ``left`` / ``right`` at its ends."""
        lo, hi, _, _ = _sample_args(lo, hi, tolerance, max_step)
        xs = np.asarray(self.x)
        inner = xs[(xs > lo) & (xs < hi)]
        x = np.concatenate([[lo], inner, [hi]])
        eps = self._values(x)
        first, last = self.x[0], self.x[-1]
        left, right = self._ends
        if lo < first <= hi and left != self.efficiency[0]:
            i = int(np.searchsorted(x, first))
            x, eps = np.insert(x, i, first), np.insert(eps, i, left)
            eps[i + 1] = self.efficiency[0]
        if lo <= last < hi and right != self.efficiency[-1]:
            i = int(np.searchsorted(x, last))
            x, eps = np.insert(x, i, last), np.insert(eps, i, self.efficiency[-1])
        return x, eps
