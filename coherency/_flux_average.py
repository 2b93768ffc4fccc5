"""The flux-averaged cross section <sigma> (docs/physics.md Eq. (6.1)):
:func:`coherency.rates.flux_averaged_sigma` and its plans.

The folded integral sum_i w_i sigma(E_i; q2_min) over a source's energy rule (lines as
nodes) is one compiled call per nucleus (``folded_sigma``, csrc/coh_rate.c). What does
not change between calls is kept: the rule per (source, threshold), the kernel
parameters per (target, form factor), and for frozen arguments the whole plan and the
result. Part of :mod:`coherency.rates`, which re-exports :func:`flux_averaged_sigma`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _backend, _cache, _validation
from ._cache import memoize
from ._quadrature import check_source, rule, total_flux
from ._rate_inputs import _resolve, _terms, _threshold, check_threads, threshold_energy
from ._records import FormFactorParams, NucleusSpec
from ._warnings import warn_beyond_reach
from .constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2, HBARC_MEV_FM
from .cross_sections import GL_W, GL_X, _epsilon, sigma_nucleus
from .form_factors import FormFactor, FormFactorSpec, NuclearFormFactors
from .kinematics import T_max_of
from .targets import Nucleus, Target, as_target


def _folded_sigma(source: Any, nuc: Nucleus, ffs: NuclearFormFactors, eps: float,
                  T_min: float) -> float:
    """integral Phi(E) sigma(E; T_min) dE + lines, per nucleus (cm^2 x flux)."""
    E, w = rule(source, threshold_energy(T_min, nuc.mass))
    if E.size == 0:
        return 0.0
    sigma = sigma_nucleus(E, np.full(E.size, 2.0 * nuc.mass * T_min), nuc, ffs, eps)
    return float(np.dot(w, sigma))


def flux_averaged_sigma(
    source: Any,
    target: Any,
    T_min: float = 0.0,
    form_factor: FormFactorSpec = "helm",
    epsilon: float | None = None,
    n_threads: int = 1,
    couplings: str | None = None,
    model: Any = None,
) -> float:
    """Flux-averaged cross section per nucleus above a recoil threshold.

    Parameters
    ----------
    source : coherency.sources.Source
        Neutrino source (continuum and lines), energies up to 1e4 MeV
        (``E_NU_MAX_MEV``, docs/physics.md §12).
    target : Target, Nucleus or str
        Average per nucleus over the target's components (number fractions).
    T_min : float, MeV
        Nuclear-recoil threshold in [0, 1e4] MeV (``T_RECOIL_MAX_MEV``).
    form_factor, epsilon
        As in :func:`coherency.dsigma_dq2`.
    n_threads : int
        Threads of the compiled folded integral: an int in [1, 1024], of which at most
        the CPUs available to the process are used
        (``coherency.config()["cpus_available"]``); small inputs run on one thread; the
        result does not depend on it.
    couplings : {None, "tree", "pdg", "tomalak"}
        Weak couplings (:mod:`coherency.couplings`, docs/physics.md §9). None: tree
        level with ``epsilon``. ``"pdg"``, ``"tomalak"``: radiatively corrected and
        flavour dependent; the source's flavour components
        (:meth:`~coherency.sources.Source.flavour_components`) are summed, each with
        its couplings (``epsilon`` must then be None).
    model : coherency.bsm model or tuple of models, optional
        Physics beyond the Standard Model (:mod:`coherency.bsm`, docs/physics.md §13),
        added to the Standard Model flavour part by flavour part of the source
        (:meth:`~coherency.sources.Source.flavour_components`, needed when the model or
        the couplings depend on the flavour). None: the Standard Model.

    Returns
    -------
    float, cm^2
        <sigma> = integral Phi sigma(E; T_min) dE / integral Phi dE (docs/physics.md §6).

    Notes
    -----
    sum_i w_i sigma(E_i; q2_min) over the source's cached energy rule (lines as
    nodes) runs in one kernel call per nucleus (``folded_sigma``).

    Examples
    --------
    >>> import coherency as coh
    >>> s = coh.flux_averaged_sigma(coh.sources.Monochromatic(30.0, 1.0), "Ar40")
    >>> abs(s / coh.sigma_total(30.0, "Ar40") - 1) < 1e-14
    True
    """
    if model is not None:
        from .bsm import _public

        return _public.flux_averaged_sigma(source, target, T_min, form_factor, epsilon,
                                           n_threads, couplings, model)
    nt = check_threads(n_threads)
    key = _result_key(source, target, T_min, form_factor, epsilon, couplings)
    if key is not None:
        known = _SIGMA_RESULTS.get(key)
        if known is not None:  # the same frozen arguments: the same number
            return known
    if couplings is None:
        # tree level, the whole source with epsilon (_terms' one term): what a fit
        # varies is epsilon or the form factor, so everything else is one lookup
        eps = _epsilon(epsilon)
        plan_key = key[:5] if key is not None else None
        plan = _TREE_PLANS.get(plan_key) if plan_key is not None else None
        if plan is None:
            # the parts, each cached by its own arguments (frozen when key is not None)
            T = _threshold(T_min)
            ff_key = (target, form_factor) if key is not None else None
            ff = _FF_PLANS.get(ff_key) if ff_key is not None else None
            if ff is None:
                tgt, ffs = as_target(target), _resolve(form_factor)
                ff = (tgt, ffs, _ff_plan.uncached(tgt, ffs) if ffs.compiled else None)  # type: ignore[attr-defined]
                if ff_key is not None:
                    _FF_PLANS[ff_key] = ff
            tgt, ffs, ff_plan = ff
            src = _SOURCE_PLANS.get(key[:4]) if key is not None else None
            if src is None:
                src = _source_plan(source, tgt, T)
                if key is not None:
                    _SOURCE_PLANS[key[:4]] = src
            total, nuclei = src
            plan = (T, tgt, ffs, total, nuclei, ff_plan)
            if plan_key is not None:
                _TREE_PLANS[plan_key] = plan
        T, tgt, ffs, total, nuclei, ff_plan = plan
        acc = _folded_over_target(source, tgt, ffs, eps, T, nt, nuclei, ff_plan)
    else:
        T = _threshold(T_min)
        tgt, ffs = as_target(target), _resolve(form_factor)
        total = total_flux(check_source(source))
        acc = 0.0
        for part, weight, part_ffs, part_eps in _terms(source, ffs, epsilon, couplings):
            nuclei = _source_plan(part, tgt, T)[1]
            acc += weight * _folded_over_target(
                part, tgt, part_ffs, part_eps, T, nt, nuclei,
                _ff_plan(tgt, part_ffs) if part_ffs.compiled else None)
    if T > 0.0 and acc == 0.0:
        _warn_if_beyond_reach("flux_averaged_sigma", T, source, as_target(target))
    if not math.isfinite(acc):
        _validation.check_finite_result(acc, "flux_averaged_sigma", "the source's flux "
                                        "exceeds the float range")
    value = acc / total
    if key is not None and (acc != 0.0 or T == 0.0):  # a zero may warn: computed again
        _SIGMA_RESULTS[key] = value
    return value


def _warn_if_beyond_reach(function: str, T_nr: float, source: Any, tgt: Target) -> None:
    """A KinematicReachWarning when T_nr (MeV) is at or above T_max(E_max) on every
    nucleus of the target (a zero result that is kinematics, not a bug)."""
    E_top = float(source.E_max)
    reach = max(float(T_max_of(E_top, float(nuc.mass))) for nuc, _ in tgt.components)
    if T_nr > reach:
        warn_beyond_reach(function, T_nr, reach, E_top, stacklevel=4)


# <sigma> by its arguments when every one is frozen and hashable (sources, targets and
# form factors are frozen dataclasses; names, numbers, None): a repeated call is one
# lookup. Keyed by the backend too, as every cache of computed values.
_SIGMA_RESULTS: _cache.BoundedDict[tuple[Any, ...], float] = _cache.BoundedDict(
    "flux-averaged cross sections", maxsize=4 * _cache.CACHE_SIZE)
# (backend, source, target, T_min, form_factor) -> (T, target, form factors, total flux,
# _source_plan's rules, _ff_plan's parameters) of the tree-level path.
_TREE_PLANS: _cache.BoundedDict[tuple[Any, ...], tuple[Any, ...]] = _cache.BoundedDict(
    "flux-averaging plans by argument")
# (target, form_factor) -> (Target, NuclearFormFactors, _ff_plan or None)
_FF_PLANS: _cache.BoundedDict[tuple[Any, ...], tuple[Any, ...]] = _cache.BoundedDict(
    "form factors per target by argument")
# (backend, source, target, T_min) -> _source_plan(source, target, T)
_SOURCE_PLANS: _cache.BoundedDict[tuple[Any, ...], tuple[Any, ...]] = _cache.BoundedDict(
    "flux-averaging rules by argument")


def _result_key(*args: Any) -> tuple[Any, ...] | None:
    """(backend, *args) when every argument is frozen and hashable, else None."""
    for a in args:
        if not _cache.is_frozen(a):
            return None
    key = (_backend.get_backend(), *args)
    try:
        hash(key)
    except TypeError:
        return None
    return key


@memoize("flux-averaging plans")
def _source_plan(source: Any, tgt: Target, T: float
                 ) -> tuple[float, tuple[tuple[float, Nucleus, np.ndarray, np.ndarray], ...]]:
    """What <sigma> needs of a source above a threshold T on a target, whatever the
    form factor and couplings: its total flux and, per nucleus, (number fraction,
    nucleus, energy rule E, w) above E_min(T) (checks the source)."""
    source = check_source(source)
    return total_flux(source), tuple(
        (float(f), nuc, *rule(source, threshold_energy(T, nuc.mass)))
        for nuc, f in tgt.components)


@memoize("form factors per target", per_backend=False)
def _ff_plan(tgt: Target, ffs: NuclearFormFactors
             ) -> tuple[tuple[FormFactorParams, FormFactorParams, float], ...]:
    """Per nucleus of the target: the kernel parameters of F_Z and F_N and the q panel
    width (kernel_spec and _panel_dq, without epsilon), each model's lengths computed
    once."""
    out = []
    same = ffs.neutron is ffs.proton
    for nuc, _ in tgt.components:
        params: list[FormFactorParams] = []
        widths: list[float] = []
        for ff in (ffs.proton,) if same else (ffs.proton, ffs.neutron):
            kind = type(ff)
            if (kind.kernel_params is FormFactor.kernel_params  # type: ignore[union-attr]
                    and kind.panel_dq is FormFactor.panel_dq):  # type: ignore[union-attr]
                # the two methods' arithmetic on one call of lengths_fm
                p1, p2 = ff.lengths_fm(nuc)  # type: ignore[union-attr]
                params.append(FormFactorParams(ff.model_id, p1 / HBARC_MEV_FM,  # type: ignore[union-attr]
                                               p2 / HBARC_MEV_FM))
                width = math.pi * HBARC_MEV_FM / p1 if p1 > 0 else 0.0
            else:
                params.append(ff.kernel_params(nuc))  # type: ignore[union-attr]
                width = ff.panel_dq(nuc)  # type: ignore[union-attr]
            if width > 0:
                widths.append(width)
        out.append((params[0], params[-1], min(widths) if widths else 0.0))
    return tuple(out)


def _folded_over_target(
    source: Any, tgt: Target, ffs: NuclearFormFactors, eps: float, T: float, nt: int,
    nuclei: tuple[tuple[float, Nucleus, np.ndarray, np.ndarray], ...],
    ff_plan: tuple[tuple[FormFactorParams, FormFactorParams, float], ...] | None,
) -> float:
    """sum over the target's nuclei (number fractions) of integral Phi sigma dE, with
    the rules of ``nuclei`` (:func:`_source_plan`) and, for compiled form factors, the
    parameters of ``ff_plan`` (:func:`_ff_plan`)."""
    if ff_plan is None:
        return sum(f * _folded_sigma(source, nuc, ffs, eps, T) for nuc, f in tgt.components)
    kern = _backend.kernels()
    acc = 0.0
    for (fraction, nuc, E, w), (ffz, ffn, panel) in zip(nuclei, ff_plan):
        if E.size:
            # kernel_spec(nuc, ffs, eps), from the cached parameters
            spec = NucleusSpec(float(nuc.mass), DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2,
                               eps * nuc.Z, float(nuc.N), ffz, ffn)
            acc += fraction * kern.folded_sigma(E, w, 2.0 * nuc.mass * T, spec, panel,
                                                GL_X, GL_W, nt)
    return acc
