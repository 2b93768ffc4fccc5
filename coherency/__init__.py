"""coherency: coherent elastic neutrino-nucleus scattering and its coherency.

Energies, momenta and masses in MeV (q^2 in MeV^2), lengths in fm, cross sections
in cm^2, fluxes in neutrinos cm^-2 s^-1 MeV^-1. See the README and docs/physics.md.

Where things live (one job per module; each cites its docs/physics.md section):

* the physics: ``constants``, ``targets``, ``kinematics``, ``form_factors``,
  ``coherence`` (Sharma & Wong Eqs. 2-6), ``couplings``, ``cross_sections``;
  ``sources/`` (one module per source kind, the ``SourceLike`` protocol);
  ``detector/`` (quenching; resolution and efficiency to come); ``bsm/``;
* rates: ``rates``, ``batch`` (parameter arrays), ``scan`` (chunked scans);
* data: ``data/`` (the shipped releases, their readers, the derived tables);
* statistics: ``analysis/`` (α(q²) from data, projections), ``experiments/``
  (presets), ``inference/`` (likelihood fits);
* the face: ``cli``, ``report``, ``plotting``;
* the engine: ``_kernels`` (C) and its numpy twin ``_reference``, ``_backend``,
  ``_validation`` (every argument check), ``_quadrature`` (energy and recoil rules),
  ``_flux_moments`` (the sources' flux moments), ``_cache`` (every cache;
  :func:`clear_caches`, :func:`cache_info`).
"""

from __future__ import annotations

from . import (
    analysis,
    batch,
    bsm,
    data,
    detector,
    experiments,
    inference,
    projections,
    scan,
    sources,
)
from ._backend import CoherencyWarning, get_backend, set_backend, use_backend
from ._cache import cache_info, clear_caches
from ._config import config, show_config
from ._figures import figure1_data
from ._version import __version__
from ._warnings import KinematicReachWarning
from .analysis import Measurement, alpha_theory
from .batch import batch_event_counts, batch_flux_averaged_sigma
from .coherence import (
    alpha_from_form_factors,
    alpha_from_phi,
    alpha_from_xi,
    coherency_limits,
    gamma_data,
    gamma_np,
    gamma_qm,
    phi_from_alpha,
    xi_decoherent,
    xi_from_alpha,
)
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
from .kinematics import E_min, T_max, q2_max, q2_min
from .rates import (
    event_rate,
    flux_averaged_sigma,
    max_q2,
    q2_fwhm,
    q2_spectrum,
    recoil_spectrum,
)
from .targets import Nucleus, Target, as_nucleus, as_target, nucleus, target

__all__ = [
    "Measurement",
    "alpha_theory",
    "analysis",
    "bsm",
    "data",
    "detector",
    "experiments",
    "inference",
    "projections",
    "sources",
    "batch",
    "batch_event_counts",
    "batch_flux_averaged_sigma",
    "cache_info",
    "clear_caches",
    "CoherencyWarning",
    "E_min",
    "Helm",
    "KinematicReachWarning",
    "KleinNystrand",
    "NuclearFormFactors",
    "Nucleus",
    "SymmetrizedFermi",
    "T_max",
    "Target",
    "Unity",
    "__version__",
    "alpha_from_form_factors",
    "alpha_from_phi",
    "alpha_from_xi",
    "as_nucleus",
    "as_target",
    "coherency_limits",
    "config",
    "dsigma_dT",
    "dsigma_dq2",
    "event_rate",
    "figure1_data",
    "flux_averaged_sigma",
    "gamma_data",
    "gamma_np",
    "gamma_qm",
    "get_backend",
    "helm_form_factor",
    "max_q2",
    "nucleus",
    "phi_from_alpha",
    "q2_fwhm",
    "q2_max",
    "q2_min",
    "q2_spectrum",
    "recoil_spectrum",
    "scan",
    "set_backend",
    "show_config",
    "sigma_total",
    "spherical_j1",
    "target",
    "use_backend",
    "xi_decoherent",
    "xi_from_alpha",
]

