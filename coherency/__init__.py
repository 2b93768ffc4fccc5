"""coherency: coherent elastic neutrino-nucleus scattering and its coherency.

Energies, momenta and masses in MeV (q^2 in MeV^2), lengths in fm, cross sections
in cm^2. See the README and PHYSICS.md for the formulas.
"""

from __future__ import annotations

from ._backend import CoherencyWarning, get_backend, set_backend, use_backend
from ._version import __version__
from .cross_sections import dsigma_dq2, dsigma_dT, sigma_total
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
    "dsigma_dT",
    "dsigma_dq2",
    "sigma_total",
    "get_backend",
    "helm_form_factor",
    "set_backend",
    "spherical_j1",
    "use_backend",
]

# Modules of helpers that may still be landing: export them when present.
try:
    from .targets import Nucleus, Target, as_target, nucleus, target

    __all__ += ["Nucleus", "Target", "as_target", "nucleus", "target"]
except ImportError:  # pragma: no cover
    pass
