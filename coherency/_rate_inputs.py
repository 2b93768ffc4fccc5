"""What every rate function does with its arguments (docs/physics.md §6, §9, §12):
the threshold and thread checks, form factors by name, the kernel inputs per target
nucleus, the flavour parts of a source with their couplings (Eq. (9.4)), and the
exposure.

Shared by :mod:`coherency.rates` (flux-averaged cross sections, spectra, event rates)
and :mod:`coherency.batch`.
"""

from __future__ import annotations

from typing import Any

from . import _validation
from ._cache import memoize
from ._records import NucleusSpec
from .couplings import coupling_terms
from .cross_sections import _panel_dq, kernel_spec
from .form_factors import FormFactorSpec, NuclearFormFactors, resolve, with_couplings
from .kinematics import E_min_of
from .targets import Nucleus, Target

check_threads = _validation.check_threads


def _threshold(T_min: Any, name: str = "T_min") -> float:
    """A recoil threshold in [0, T_RECOIL_MAX_MEV] MeV; plain floats in range skip the
    array checks."""
    if type(T_min) is float and 0.0 <= T_min <= _validation.T_RECOIL_MAX_MEV:
        return T_min
    return _validation.check_recoil_scalar(T_min, name)


@memoize("form-factor names", maxsize=64, per_backend=False)
def _resolve_name(name: str | None) -> NuclearFormFactors:
    return resolve(name)


def _resolve(form_factor: FormFactorSpec) -> NuclearFormFactors:
    if form_factor is None or isinstance(form_factor, str):
        return _resolve_name(form_factor)
    return resolve(form_factor)


@memoize("kernel inputs per target", per_backend=False)
def nuclear_setup(
    tgt: Target, ffs: NuclearFormFactors, eps: float
) -> tuple[tuple[float, Nucleus, NucleusSpec, float], ...]:
    """(number fraction, nucleus, kernel spec, panel width) per target component, for
    compiled form factors (cached when hashable)."""
    return tuple((float(f), nuc, kernel_spec(nuc, ffs, eps), _panel_dq(ffs, nuc))
                 for nuc, f in tgt.components)


def threshold_energy(T_min: float, mass: float) -> float:
    """E_min(T_min) in MeV for a scalar threshold: 0 for T_min = 0."""
    return float(E_min_of(T_min, mass)) if T_min > 0 else 0.0


Term = tuple[Any, float, NuclearFormFactors, float]


def _terms(source: Any, ffs: NuclearFormFactors, epsilon: Any, couplings: Any
           ) -> list[Term]:
    """(source part, weight x norm, form factors, epsilon) per flavour part
    (docs/physics.md Eq. (9.4)): one part at tree level."""
    return list(_terms_cached(source, ffs, epsilon, couplings))


@memoize("flavour parts with couplings", per_backend=False)
def _terms_cached(source: Any, ffs: NuclearFormFactors, epsilon: Any, couplings: Any
                  ) -> tuple[Term, ...]:
    # cached: a source's flavour components are new objects on every call
    return tuple((term.source, term.weight * term.norm, with_couplings(ffs, term.couplings),
                  term.epsilon) for term in coupling_terms(source, couplings, epsilon))


def _exposure(target: Target, mass_kg: Any, time_s: Any,
              source: Any = None) -> tuple[float, float]:
    m, t = _validation.check_exposure(mass_kg, time_s)
    if t != 1.0 and getattr(source, "is_fluence", False):
        # A fluence (nu cm^-2 of a whole exposure or burst) already holds the time:
        # a run time here would multiply the counts by it.
        raise ValueError(f"time_s: {source.name} is a fluence (nu/cm^2 of the whole "
                         f"exposure or burst), so counts need time_s = 1; got {t!r} s. "
                         f"Build the source with its live time for a per-second flux.")
    return m, t
