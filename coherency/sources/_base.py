"""What a neutrino source is: the :class:`SourceLike` protocol the rate engine reads,
and :class:`Source`, the base class every shipped source derives from.

The rate engine (:mod:`coherency.rates`, :mod:`coherency.batch`) uses a source only
through the members of :class:`SourceLike`, so any object with them works there; the
shipped kinds get those members from :class:`Source` by implementing three things
(the continuum density, its integral and the breakpoints). Frozen dataclasses are
hashable and immutable, so the engine caches their energy rules and flux moments;
other objects are recomputed on every call.
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from scipy import integrate

from .. import _validation
from .._typing import FloatArray, FloatOrArray


@runtime_checkable
class SourceLike(Protocol):
    """The members of a neutrino source that the rate engine relies on.

    Every shipped source (a :class:`Source`) has them; so may any object of yours,
    without deriving from :class:`Source`. Energies are in MeV. A source is either a
    steady **flux** (continuum in ν cm⁻² s⁻¹ MeV⁻¹, lines in ν cm⁻² s⁻¹; counts scale
    with ``time_s``) or a **fluence** (ν cm⁻² MeV⁻¹ and ν cm⁻² over a whole burst or
    exposure; counts need ``time_s = 1``), as ``is_fluence`` says.

    Examples
    --------
    >>> from coherency import sources
    >>> isinstance(sources.Solar(), SourceLike), isinstance(3.0, SourceLike)
    (True, False)
    """

    @property
    def name(self) -> str:
        """Short readable name, used in messages."""

    @property
    def is_fluence(self) -> bool:
        """True if ``flux`` and ``lines`` are a fluence (ν cm⁻² MeV⁻¹, ν cm⁻²) of a
        whole burst or exposure: counts then need ``time_s = 1``."""

    @property
    def lines(self) -> tuple[tuple[float, float], ...]:
        """Discrete lines ``(E, flux)``: energy in MeV, flux in ν cm⁻² s⁻¹ (ν cm⁻² for a
        fluence). Not part of ``flux(E)``: the engine adds them exactly."""

    @property
    def breakpoints(self) -> tuple[float, ...]:
        """Sorted energies (MeV): the ends of the continuum's support and every energy
        where ``flux(E)`` is not smooth. ``flux`` is zero outside [first, last]; the
        engine integrates each interval between neighbours with one Gauss–Legendre
        rule. Empty for a source of lines only."""

    @property
    def E_max(self) -> float:
        """Largest neutrino energy (MeV) of the continuum and the lines; sets the
        largest q² (:func:`coherency.q2_max`) and recoil the source can give."""

    @property
    def total_flux(self) -> float:
        """∫ flux(E) dE plus the line fluxes: ν cm⁻² s⁻¹ (ν cm⁻² for a fluence), > 0.
        The normalisation of :func:`coherency.flux_averaged_sigma`."""

    def flux(self, E: npt.ArrayLike) -> FloatOrArray:
        """Continuum flux density at neutrino energies ``E`` (MeV, >= 0): ν cm⁻² s⁻¹
        MeV⁻¹ (ν cm⁻² MeV⁻¹ for a fluence), zero outside the support, lines
        excluded. The engine calls it with 1-D float64 arrays and needs an array of
        the same shape back."""


def sphere_area_cm2(distance_cm: float) -> float:
    """4π d² in cm² for a distance d in cm: the area a point source's flux spreads on."""
    return 4.0 * math.pi * distance_cm**2


def check_positive(value: Any, name: str, unit: str, *, allow_zero: bool = False) -> float:
    """A scalar > 0 (>= 0 with ``allow_zero``), with the usual error messages."""
    return _validation.as_float(value, name, min_value=0.0, exclusive_min=not allow_zero,
                                unit=unit)


def check_flavour(value: Any, name: str = "flavour") -> str | None:
    """A neutrino name (``"nue"``, ``"numubar"``, ``"nutau"``, ...) or None."""
    if value is None:
        return None
    from ..couplings import NEUTRINO_NAMES, flavour_of

    flavour_of(value, name)  # the checks and messages of the couplings
    key = value.strip().lower().replace("_", "").replace("ν", "nu")
    return NEUTRINO_NAMES.get(key, key)


def check_flavours(value: Any, allowed: tuple[str, ...], name: str = "flavours"
                   ) -> tuple[str, ...]:
    """A flavour selection (one name or several, each in ``allowed``, at least one), as a
    tuple in the order of ``allowed``."""
    chosen = (value,) if isinstance(value, str) else tuple(value)
    if not chosen:
        raise ValueError(f"{name} must name at least one of {allowed}; got ()")
    for f in chosen:
        _validation.check_choice(f, name, allowed)
    return tuple(f for f in allowed if f in chosen)


class Source(ABC):
    """Abstract neutrino source: implements :class:`SourceLike` for its subclasses.

    Subclasses implement :meth:`_continuum` (flux density on validated, flat,
    non-negative energies, zero outside the support), :meth:`continuum_flux_integral`
    and the ``breakpoints`` property; ``lines`` defaults to none.
    """

    @abstractmethod
    def _continuum(self, E: FloatArray) -> FloatArray:
        """Continuum flux density at energies ``E`` (1-D, MeV, validated)."""

    @abstractmethod
    def continuum_flux_integral(self) -> float:
        """∫ flux(E) dE over the continuum (lines excluded), ν cm⁻² s⁻¹."""

    @property
    @abstractmethod
    def breakpoints(self) -> tuple[float, ...]:
        """Sorted energies (MeV): continuum support edges and non-smooth points."""

    @property
    def lines(self) -> tuple[tuple[float, float], ...]:
        """Discrete lines as ``(E_MeV, flux ν cm⁻² s⁻¹)``."""
        return ()

    @property
    def name(self) -> str:
        """Short readable name."""
        return type(self).__name__

    @property
    def is_fluence(self) -> bool:
        """True if ``flux`` is a fluence (ν cm⁻² MeV⁻¹, a whole burst or exposure).

        Counts from a fluence source need ``time_s = 1`` in :mod:`coherency.rates`;
        any other time would multiply the whole exposure again.
        """
        return False

    # ---------------------------------------------------------------- public API
    def flux(self, E: npt.ArrayLike) -> FloatOrArray:
        """Continuum flux density.

        Parameters
        ----------
        E : array_like, MeV
            Neutrino energies, >= 0.

        Returns
        -------
        float or ndarray
            ν cm⁻² s⁻¹ MeV⁻¹ (a fluence, ν cm⁻² MeV⁻¹, for :class:`Supernova`), same
            shape as ``E``; zero outside the support. Lines are not included.

        Raises
        ------
        ValueError
            If ``E`` is negative, NaN or infinite.
        TypeError
            If ``E`` is not numeric.
        """
        arr = _validation.as_float_array(E, "E", min_value=0.0, unit="MeV")
        out = self._continuum(_validation.flat(arr))
        return _validation.restore_shape(np.asarray(out, dtype=np.float64), arr.shape)

    def spectrum(self, E: npt.ArrayLike) -> FloatOrArray:
        """Normalised continuum density ``flux(E) / total_flux`` (MeV⁻¹).

        The line fluxes count in ``total_flux`` but not in the density; a source with
        lines therefore integrates to less than one.
        """
        total = self.total_flux
        if total <= 0.0:
            raise ValueError(f"{self.name}: total_flux is {total!r}; cannot normalise")
        value = self.flux(E)
        if isinstance(value, float):
            return value / total
        return value / total

    @property
    def total_flux(self) -> float:
        """Continuum integral plus line fluxes (ν cm⁻² s⁻¹; ν cm⁻² for a fluence)."""
        return float(self.continuum_flux_integral() + sum(f for _, f in self.lines))

    @property
    def E_lowest(self) -> float:
        """Lowest neutrino energy of the source (MeV): the lower end of the continuum's
        support or the lowest line. Not the kinematic threshold :func:`coherency.E_min`."""
        ends = list(self.breakpoints[:1]) + [e for e, _ in self.lines]
        return float(min(ends)) if ends else 0.0

    @property
    def E_min(self) -> float:
        """Deprecated name of :attr:`E_lowest` (``E_min(T, mass)`` is the kinematic
        threshold energy, :func:`coherency.E_min`)."""
        warnings.warn("Source.E_min is deprecated; use Source.E_lowest (E_min(T, mass) is "
                      "the kinematic threshold, coherency.E_min)", DeprecationWarning,
                      stacklevel=2)
        return self.E_lowest

    @property
    def E_max(self) -> float:
        """Upper end of the support including lines (MeV); sets q²_max."""
        ends = list(self.breakpoints[-1:]) + [e for e, _ in self.lines]
        return float(max(ends)) if ends else 0.0

    def flavour_components(self) -> tuple[tuple[str, Source, float], ...]:
        """The source as parts of definite neutrino flavour (docs/physics.md Eq. (9.4)).

        Returns
        -------
        tuple of (flavour, source, weight)
            ``flavour`` a neutrino name (``"nue"``, ``"numubar"``, ...), ``source`` the
            part, ``weight`` the share of the part's flux that has that flavour; the
            parts' weighted fluxes add up to this source's.

        Raises
        ------
        ValueError
            The source does not state its flavour (a :class:`Monochromatic` or
            :class:`Tabulated` built without ``flavour=``): flavour-dependent couplings
            cannot be applied to it.
        """
        flavour = getattr(self, "flavour", None)
        if flavour is None:
            raise ValueError(f"{self.name} does not state its neutrino flavour: build it "
                             f"with flavour='nue' (or 'numu', 'nuebar', ...) to use "
                             f"flavour-dependent couplings")
        return ((flavour, self, 1.0),)

    def __add__(self, other: object) -> SourceSum:
        if not isinstance(other, Source):
            return NotImplemented
        return SourceSum((self, other))

    def __radd__(self, other: object) -> Source:
        # lets sum([...]) start from 0
        if isinstance(other, (int, float)) and other == 0:
            return self
        if isinstance(other, Source):
            return SourceSum((other, self))
        return NotImplemented

    def _integrate_pieces(self) -> float:
        """Adaptive quadrature of the continuum between consecutive breakpoints."""
        bp = self.breakpoints
        total = 0.0
        for lo, hi in zip(bp[:-1], bp[1:]):
            if hi > lo:
                total += integrate.quad(
                    lambda e: float(self._continuum(np.array([e]))[0]),
                    lo, hi, epsabs=0.0, epsrel=1e-12, limit=400,
                )[0]
        return total


@dataclass(frozen=True)
class SourceSum(Source):
    """Sum of sources: fluxes add, breakpoints are the union, lines are concatenated.

    Examples
    --------
    >>> from coherency.sources import Monochromatic
    >>> s = Monochromatic(1.0, 2.0) + Monochromatic(3.0, 4.0)
    >>> s.lines, s.E_lowest, s.E_max
    (((1.0, 2.0), (3.0, 4.0)), 1.0, 3.0)
    """

    components: tuple[Source, ...]

    def __post_init__(self) -> None:
        flat: list[Source] = []
        for comp in self.components:
            if not isinstance(comp, Source):
                raise TypeError(f"components must be Source objects; got {comp!r}")
            flat.extend(comp.components if isinstance(comp, SourceSum) else (comp,))
        if not flat:
            raise ValueError("components must contain at least one source; got none")
        kinds = {c.is_fluence for c in flat}
        if len(kinds) > 1:
            raise ValueError("components: cannot add a fluence source (ν cm⁻², e.g. a "
                             "Supernova or a PionDAR exposure) to a flux source (ν cm⁻² "
                             "s⁻¹); got " + ", ".join(f"{c.name} (fluence={c.is_fluence})"
                                                      for c in flat))
        object.__setattr__(self, "components", tuple(flat))

    def _continuum(self, E: FloatArray) -> FloatArray:
        return np.sum([c._continuum(E) for c in self.components], axis=0)

    def continuum_flux_integral(self) -> float:
        return float(sum(c.continuum_flux_integral() for c in self.components))

    @property
    def breakpoints(self) -> tuple[float, ...]:
        pts = sorted({b for c in self.components for b in c.breakpoints})
        return tuple(pts)

    @property
    def lines(self) -> tuple[tuple[float, float], ...]:
        return tuple(line for c in self.components for line in c.lines)

    @property
    def is_fluence(self) -> bool:
        return any(c.is_fluence for c in self.components)

    def flavour_components(self) -> tuple[tuple[str, Source, float], ...]:
        return tuple(part for c in self.components for part in c.flavour_components())

    @property
    def name(self) -> str:
        return " + ".join(c.name for c in self.components)
