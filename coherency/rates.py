"""Flux-averaged cross sections, recoil spectra and event counts (docs/physics.md §6).

These are double integrals over the neutrino energy E and q^2 (or T). The q^2
integral of sigma(E) runs in the compiled kernel (Gauss-Legendre panels in q); the E
integral uses a Gauss-Legendre rule on every smooth interval of the source (between
its breakpoints and above the threshold energy E_min(T)), and discrete lines are
added exactly. For recoil spectra the order is swapped: at fixed q the E integral
of dsigma/dq2 is analytic in the flux moments,
    integral Phi(E) (1 - q^2/4E^2) dE = F0(E_min) - q^2/4 F2(E_min),
with F_k(x) = integral_x^inf Phi(E) E^-k dE (+ lines), so dN/dT costs one form-factor
evaluation per T. Sources provide flux(E), lines, breakpoints and total_flux.

Speed: the folded integral sum_i w_i sigma(E_i; q2_min) of :func:`flux_averaged_sigma`
is one compiled call (``folded_sigma``, csrc/coh_rate.c). A source's energy rule
(nodes, weights x flux, lines) depends only on the source and the threshold energy,
so it is cached per (source, E_threshold) for frozen (immutable, hashable) sources in
a bounded LRU cache (:func:`clear_caches` empties it); other sources are recomputed
on every call. The flux moments F_k(x) of the recoil spectra come from cached
piecewise Chebyshev antiderivatives of the flux (built once per source, evaluated by
the compiled ``cheb_moments``), so a spectrum needs no flux evaluation per T. ``n_threads``
(default 1; an int in [1, 1024], of which at most the CPUs available to the process
are used) spreads the compiled loops over the package's threads; results are bitwise
the same for any thread count.

The code lives in one module per topic, all re-exported here: ``coherency._rate_inputs``
(argument handling shared by every rate and by :mod:`coherency.batch`: thresholds,
form factors by name, flavour parts with their couplings, exposure),
``coherency._flux_average`` (:func:`flux_averaged_sigma`, Eq. (6.1)),
``coherency._spectra`` (:func:`recoil_spectrum`, :func:`q2_spectrum`, :func:`max_q2`,
:func:`q2_fwhm`, Eqs. (6.2)-(6.4)) and ``coherency._event_rate`` (:func:`event_rate`
and its recoil rule, §6); the energy rules are in ``coherency._quadrature`` and
the flux moments in ``coherency._flux_moments``.
"""

from __future__ import annotations

from . import _cache
from ._event_rate import _apply_response, _kinks, _split_tables, event_rate  # noqa: F401
from ._flux_average import _SIGMA_RESULTS, flux_averaged_sigma  # noqa: F401
from ._rate_inputs import (  # noqa: F401
    Term,
    _exposure,
    _resolve,
    check_threads,
    nuclear_setup,
    threshold_energy,
)
from ._spectra import (  # noqa: F401
    K_CACHE_MAX,
    _dN_dq2_numpy,
    max_q2,
    q2_fwhm,
    q2_spectrum,
    recoil_spectrum,
)


def clear_caches() -> None:
    """Empty every cache of the package: the same as :func:`coherency.clear_caches`."""
    _cache.clear_caches()
