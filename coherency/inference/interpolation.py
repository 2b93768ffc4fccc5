"""Shape variants: a template moved between its released +-1 sigma versions by a
nuisance parameter (docs/physics.md §14, Eq. (14.3)).

A systematic uncertainty released as a nominal template h0 and its +1 sigma and -1
sigma versions h+ and h- (histograms of the same bins) becomes one nuisance
parameter theta with a unit Gaussian constraint. Bin by bin, with d+ = h+ - h0 and
d- = h0 - h-,

    h(theta) = h0 + theta d+                                            for theta > 1,
    h(theta) = h0 + theta d-                                            for theta < -1,
    h(theta) = h0 + theta [S + theta A (15 + theta^2 (3 theta^2 - 10))]  for |theta| <= 1,

S = (d+ + d-)/2, A = (d+ - d-)/16: straight lines beyond the +-1 sigma templates and
inside a sixth-order polynomial through h-, h0, h+ that joins them with continuous
first and second derivatives (a minimiser's convergence test needs smooth second
derivatives; a parabola would jump in them at |theta| = 1). This is HistFactory's
vertical template morphing (K. Cranmer et al., CERN-OPEN-2012-016) with the
interpolation of its code 4 as implemented by pyhf ("code4p": L. Heinrich, M. Feickert,
G. Stark, K. Cranmer, JOSS 6 (2021) 2823). A one-sided variant (only h+ given) is
mirrored, h- = 2 h0 - h+: then d- = d+, A = 0 and the interpolation is linear,
h0 + theta (h+ - h0). Negative bins that an extrapolation can produce are the
caller's to clip.
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
        up = plus - nom        # d+
        down = nom - minus     # d-
        object.__setattr__(self, "_up", up)
        object.__setattr__(self, "_down", down)
        object.__setattr__(self, "_S", 0.5 * (up + down))
        object.__setattr__(self, "_A", (up - down) / 16.0)

    def delta(self, theta: float) -> FloatArray:
        """h(theta) - h0 (module notes, Eq. (14.3))."""
        t = float(theta)
        if t > 1.0:
            return t * self._up  # type: ignore[attr-defined, no-any-return]
        if t < -1.0:
            return t * self._down  # type: ignore[attr-defined, no-any-return]
        t2 = t * t
        poly = t2 * (15.0 + t2 * (3.0 * t2 - 10.0))
        return t * self._S + poly * self._A  # type: ignore[attr-defined, no-any-return]


def morph(nominal: npt.ArrayLike, plus: npt.ArrayLike, minus: npt.ArrayLike | None,
          theta: float) -> FloatArray:
    """The template at nuisance value ``theta`` (module notes, Eq. (14.3)).

    >>> morph([10.0], [12.0], [9.0], 0.5)     # 10 + 0.5 x 1.5 + 0.25/16 x 12.6875
    array([10.94824219])
    >>> morph([10.0], [12.0], None, -0.5)     # one-sided: mirrored, linear
    array([9.])
    """
    v = ShapeVariant(np.asarray(nominal, dtype=np.float64), np.asarray(plus, dtype=np.float64),
                     None if minus is None else np.asarray(minus, dtype=np.float64))
    theta = _validation.as_float(theta, "theta")
    return np.asarray(v.nominal + v.delta(theta), dtype=np.float64)
