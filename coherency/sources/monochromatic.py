"""A single neutrino line: a source of known energy and flux (e.g. a radioactive
source's line, or a test source)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._typing import FloatArray
from ._base import Source, check_flavour, check_positive

__all__ = ["Monochromatic"]


@dataclass(frozen=True)
class Monochromatic(Source):
    """A single line of energy ``energy`` (MeV) and flux ``line_flux`` (ν cm⁻² s⁻¹);
    ``flavour`` (``"nue"``, ``"numubar"``, ...; optional) for flavour-dependent
    couplings.

    Examples
    --------
    >>> m = Monochromatic(30.0, 2.0e7)
    >>> m.lines, m.E_max, m.flux(30.0)
    (((30.0, 20000000.0),), 30.0, 0.0)
    """

    energy: float
    line_flux: float = 1.0
    flavour: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "flavour", check_flavour(self.flavour))
        object.__setattr__(self, "energy", check_positive(self.energy, "energy", "MeV"))
        object.__setattr__(self, "line_flux",
                           check_positive(self.line_flux, "line_flux", "cm^-2 s^-1"))

    def _continuum(self, E: FloatArray) -> FloatArray:
        return np.zeros_like(E)

    def continuum_flux_integral(self) -> float:
        return 0.0

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return ()

    @property
    def lines(self) -> tuple[tuple[float, float], ...]:
        return ((self.energy, self.line_flux),)

    @property
    def name(self) -> str:
        return f"monochromatic {self.energy:g} MeV"
