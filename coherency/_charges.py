"""Weak charges of a nucleus for the coherency formulas, cached per (nucleus, epsilon).

(εZ − N)² (Γ at complete coherency) and ε²Z + N (Γ at complete decoherency) of
Sharma & Wong Table 1, with ξ_dec and 1 − ξ_dec (Eq. 5); the scalar fast paths of
:mod:`coherency.coherence` look them up here instead of resolving the nucleus again.
The caches are :class:`coherency._cache.BoundedDict` (cleared when full), safe to
share between threads: a race can only compute an entry twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import _validation
from ._cache import BoundedDict
from .targets import Nucleus, as_nucleus

__all__ = ["CHARGES", "XI_CONSTANTS", "Charges", "charges", "xi_constants"]


@dataclass(frozen=True)
class Charges:
    """Z, N and epsilon of one nucleus, with the combinations of Table 1."""

    nucleus: Nucleus
    epsilon: float
    Z: float
    N: float

    @property
    def coherent(self) -> float:
        """(eps Z - N)^2: Gamma at complete coherency."""
        return (self.epsilon * self.Z - self.N) ** 2

    @property
    def decoherent(self) -> float:
        """eps^2 Z + N: Gamma at complete decoherency."""
        return self.epsilon**2 * self.Z + self.N

    def xi_decoherent(self) -> float:
        """(eps^2 Z + N)/(eps Z - N)^2, xi at complete decoherency (Eq. 5)."""
        if self.coherent == 0.0:
            raise ValueError(
                f"nucleus: eps Z - N = 0 for {self.nucleus.name} with epsilon = "
                f"{self.epsilon!r}; xi (Eq. 4) is undefined"
            )
        return self.decoherent / self.coherent

    def alpha_denominator(self) -> float:
        """1 - xi_dec, the slope of Eq. 5; zero when xi cannot tell alpha."""
        xi_dec = self.xi_decoherent()
        if xi_dec == 1.0:
            raise ValueError(
                f"nucleus: xi_dec = 1 for {self.nucleus.name} with epsilon = "
                f"{self.epsilon!r}, so xi does not determine alpha (Eq. 5)"
            )
        return 1.0 - xi_dec


# (nucleus, epsilon) -> Charges, so that scalar calls skip the name look-up.
CHARGES: BoundedDict[tuple[Any, Any], Charges] = BoundedDict("weak charges")


def charges(nucleus: Any, epsilon: Any) -> Charges:
    """The Charges of ``nucleus`` (anything as_nucleus accepts) at ``epsilon`` (checked)."""
    key = (nucleus, epsilon)
    try:
        found = CHARGES.get(key)
        hashable = True
    except TypeError:  # unhashable argument: no caching
        found, hashable = None, False
    if found is not None:
        return found
    nuc = as_nucleus(nucleus)
    ch = Charges(nuc, _validation.check_epsilon(epsilon), float(nuc.Z), float(nuc.N))
    if hashable:
        CHARGES[key] = ch
    return ch


# (nucleus, epsilon) -> (eps Z, N, xi_dec, 1 - xi_dec, (eps Z - N)^2) for the scalar
# fast paths of the xi <-> alpha maps; only nuclei for which both are defined.
XI_CONSTANTS: BoundedDict[tuple[Any, Any], tuple[float, float, float, float, float]] = (
    BoundedDict("xi-alpha constants"))


def xi_constants(nucleus: Any, epsilon: Any) -> tuple[float, float, float, float, float] | None:
    """Cached constants of Eq. 5, or None (then the array path runs and raises)."""
    key = (nucleus, epsilon)
    try:
        found = XI_CONSTANTS.get(key)
    except TypeError:
        return None
    if found is not None:
        return found
    ch = charges(nucleus, epsilon)
    if ch.coherent == 0.0 or ch.xi_decoherent() == 1.0:
        return None
    found = (ch.epsilon * ch.Z, ch.N, ch.xi_decoherent(), ch.alpha_denominator(), ch.coherent)
    XI_CONSTANTS[key] = found
    return found
