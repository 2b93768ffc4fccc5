"""coherency: coherent elastic neutrino-nucleus scattering and its coherency.

Energies, momenta and masses in MeV (q^2 in MeV^2), lengths in fm, cross sections
in cm^2. See the README and PHYSICS.md for the formulas.
"""

from __future__ import annotations

from ._backend import CoherencyWarning, get_backend, set_backend, use_backend
from ._version import __version__
from .form_factors import (
    Helm,
    KleinNystrand,
    NuclearFormFactors,
    SymmetrizedFermi,
    Unity,
    helm_form_factor,
    spherical_j1,
)

__all__ = [
    "CoherencyWarning",
    "Helm",
    "KleinNystrand",
    "NuclearFormFactors",
    "SymmetrizedFermi",
    "Unity",
    "__version__",
    "get_backend",
    "helm_form_factor",
    "set_backend",
    "spherical_j1",
    "use_backend",
]
