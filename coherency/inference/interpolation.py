"""Shape variants: a template moved between its released +-1 sigma versions by a
nuisance parameter (docs/physics.md §13, Eq. (13.3)).

A systematic uncertainty released as a nominal template h0 and its +1 sigma and -1
sigma versions h+ and h- (histograms of the same bins) becomes one nuisance
parameter theta with a unit Gaussian constraint. Bin by bin,

    h(theta) = h0 + theta (h+ - h-)/2 + theta^2 (h+ + h- - 2 h0)/2     for |theta| <= 1,
    h(theta) = h0 + theta (h+ - h0)                                    for theta > 1,
    h(theta) = h0 + |theta| (h- - h0)                                  for theta < -1,

the parabola through the three templates inside the +-1 sigma band and straight
lines beyond (the extrapolation of the nearer variant, continuous at |theta| = 1).
A one-sided variant (only h+ given) is mirrored, h- = 2 h0 - h+: the interpolation
is then linear, h0 + theta (h+ - h0). This is the vertical template morphing of
HistFactory (K. Cranmer et al., CERN-OPEN-2012-016), with quadratic interpolation
inside and linear extrapolation outside (its interpolation code 1 for shapes is
linear throughout; the parabola keeps the derivative continuous at theta = 0 when
the variants are asymmetric). Negative bins that an extrapolation can produce are
the caller's to clip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .. import _validation
from .._typing import FloatArray

__all__ = ["ShapeVariant", "morph"]


@dataclass(frozen=True, eq=False)
class ShapeVariant:
    """The +-1 sigma differences of one systematic, ready for :meth:`delta`.

    Parameters
    ----------
    nominal, plus : array_like
        The nominal template and its +1 sigma version (same shape).
    minus : array_like, optional
        The -1 sigma version; None: a one-sided variant, mirrored (module notes).

    Examples
    --------
    >>> v = ShapeVariant([10.0, 10.0], [12.0, 9.0], [9.0, 11.0])
    >>> v.delta(1.0), v.delta(-1.0), v.delta(2.0)
    (array([ 2., -1.]), array([-1.,  1.]), array([ 4., -2.]))
    """

    nominal: FloatArray
    plus: FloatArray
    minus: FloatArray | None = None

    def __post_init__(self) -> None:
        nom = _validation.as_float_array(self.nominal, "nominal")
        plus = _validation.as_float_array(self.plus, "plus")
        if plus.shape != nom.shape:
            raise ValueError(f"plus must have the shape of nominal {nom.shape}; got {plus.shape}")
        if self.minus is None:
            minus = 2.0 * nom - plus
        else:
            minus = _validation.as_float_array(self.minus, "minus")
            if minus.shape != nom.shape:
                raise ValueError(f"minus must have the shape of nominal {nom.shape}; got "
                                 f"{minus.shape}")
        nom = np.asarray(nom, dtype=np.float64)
        plus = np.asarray(plus, dtype=np.float64)
        minus = np.asarray(minus, dtype=np.float64)
        object.__setattr__(self, "nominal", nom)
        object.__setattr__(self, "plus", plus)
        object.__setattr__(self, "minus", minus)
        up = plus - nom
        down = minus - nom
        object.__setattr__(self, "_up", up)
        object.__setattr__(self, "_down", down)
        object.__setattr__(self, "_lin", 0.5 * (up - down))
        object.__setattr__(self, "_quad", 0.5 * (up + down))

    def delta(self, theta: float) -> FloatArray:
        """h(theta) - h0 (module notes, Eq. (13.3))."""
        t = float(theta)
        if t > 1.0:
            return t * self._up  # type: ignore[attr-defined, no-any-return]
        if t < -1.0:
            return -t * self._down  # type: ignore[attr-defined, no-any-return]
        return t * self._lin + (t * t) * self._quad  # type: ignore[attr-defined, no-any-return]


def morph(nominal: npt.ArrayLike, plus: npt.ArrayLike, minus: npt.ArrayLike | None,
          theta: float) -> FloatArray:
    """The template at nuisance value ``theta`` (module notes, Eq. (13.3)).

    >>> morph([10.0], [12.0], [9.0], 0.5)
    array([10.875])
    >>> morph([10.0], [12.0], None, -0.5)     # one-sided: mirrored, linear
    array([9.])
    """
    v = ShapeVariant(np.asarray(nominal, dtype=np.float64), np.asarray(plus, dtype=np.float64),
                     None if minus is None else np.asarray(minus, dtype=np.float64))
    theta = _validation.as_float(theta, "theta")
    return np.asarray(v.nominal + v.delta(theta), dtype=np.float64)
