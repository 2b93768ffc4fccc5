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
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from . import _backend, _cache, _ff_models, _validation
from ._cache import memoize
from ._flux_moments import cheb_model, flux_moments
from ._quadrature import (
    check_source,
    rule,
    total_flux,
)
from ._records import FormFactorParams, NucleusSpec
from ._typing import FloatOrArray
from ._warnings import warn_beyond_reach
from .constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2, HBARC_MEV_FM
from .couplings import coupling_terms
from .cross_sections import (
    GL_W,
    GL_X,
    _epsilon,
    _gamma_python,
    _panel_dq,
    kernel_spec,
    sigma_nucleus,
)
from .form_factors import (
    FormFactor,
    FormFactorSpec,
    NuclearFormFactors,
    resolve,
    with_couplings,
)
from .kinematics import E_min_flat, E_min_of, T_max_of, q2_max_of
from .targets import Nucleus, Target, as_target

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


def clear_caches() -> None:
    """Empty every cache of the package: the same as :func:`coherency.clear_caches`."""
    _cache.clear_caches()


def threshold_energy(T_min: float, mass: float) -> float:
    """E_min(T_min) in MeV for a scalar threshold: 0 for T_min = 0."""
    return float(E_min_of(T_min, mass)) if T_min > 0 else 0.0


def _setup(target: Any, form_factor: FormFactorSpec, epsilon: Any
           ) -> tuple[Target, NuclearFormFactors, float]:
    return as_target(target), _resolve(form_factor), _epsilon(epsilon)


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


@memoize("form-factor parameters per nucleus", per_backend=False)
def _kernel_params(ffs: NuclearFormFactors, nuc: Nucleus
                   ) -> tuple[FormFactorParams, FormFactorParams | None]:
    """The kernel parameters of F_Z and F_N on a nucleus (None for F_N when it is F_Z),
    cached: a measured-radius model looks its radii up and builds its base model on
    every call of kernel_params."""
    pz = ffs.proton.kernel_params(nuc)  # type: ignore[union-attr]
    if ffs.neutron is ffs.proton or ffs.neutron == ffs.proton:
        return pz, None
    return pz, ffs.neutron.kernel_params(nuc)  # type: ignore[union-attr]


def _gamma(q: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float,
           n_threads: int = 1) -> np.ndarray:
    """Gamma_NP at momenta q: compiled form-factor kernel on n_threads when it can."""
    if not ffs.compiled:
        return _gamma_python(q, nuc, ffs, eps)
    kern = _backend.kernels()
    q = np.ascontiguousarray(q, dtype=np.float64)
    fz = np.empty(q.size)
    pz, pn = _kernel_params(ffs, nuc)
    kern.form_factor(q, pz.model, pz.p1, pz.p2, fz, n_threads)
    if pn is None:
        fn = fz
    else:
        fn = np.empty(q.size)
        kern.form_factor(q, pn.model, pn.p1, pn.p2, fn, n_threads)
    return (eps * nuc.Z * fz - nuc.N * fn) ** 2


# dN/dq2 = prefactor Gamma(q) K(q2) per nucleus, with K(q2) = max(F0(x) - q2/4 F2(x), 0)
# at x = E_min(q2/2M) (lines included) the part that does not depend on the form factors
# or the couplings. Spectra on the same recoil energies (a fit's grid, an experiment's
# rule, event_rate's nodes) differ from call to call in those only, so K is cached per
# (source, mass, grid) for grids of up to K_CACHE_MAX points: a new parameter set then
# costs the form factors at the grid and a product.
K_CACHE_MAX = 4096
_K_CACHE: _cache.BoundedDict[tuple[Any, ...], np.ndarray] = _cache.BoundedDict(
    "recoil kinematic factors")
_UNITY_PARAMS = FormFactorParams(_ff_models.UNITY.id, 0.0, 0.0)


def _unit_spec(mass: float) -> NucleusSpec:
    """A spec whose Gamma is 1 and prefactor 1: coh_dn_dq2 then returns K itself."""
    return NucleusSpec(mass, 1.0, 0.0, 1.0, _UNITY_PARAMS, _UNITY_PARAMS)


def _kin_numpy(source: Any, q2: np.ndarray, mass: float, n_threads: int) -> np.ndarray:
    """K at q2 from the flux moments (their direct fallback included); at q2 = 0 it is
    F0, q2 F2 -> 0 even where F2(0) diverges (a table from E = 0 with flux there)."""
    x = E_min_flat(q2 / (2.0 * mass), mass)
    F0, F2 = flux_moments(source, x, n_threads)
    with np.errstate(invalid="ignore"):
        kin = np.where(q2 > 0.0, F0 - 0.25 * q2 * F2, F0)
    return np.maximum(kin, 0.0)


def _kin_factor(source: Any, v: np.ndarray, scale: float, cap: float, mass: float,
                n_threads: int) -> np.ndarray:
    """Rows K and q at q2 = scale min(v, cap) for one nucleus mass (MeV), cached for
    frozen sources and grids of up to K_CACHE_MAX points. The values never depend on
    the cache."""
    key: tuple[Any, ...] | None = None
    if v.size <= K_CACHE_MAX and _cache.is_frozen(source):
        key = (_backend.get_backend(), source, mass, scale, cap, v.tobytes())
        try:
            known = _K_CACHE.get(key)
        except TypeError:  # a frozen source with an unhashable field
            known, key = None, None
        if known is not None:
            return known
    q = np.sqrt(scale * np.minimum(v, cap))
    model = cheb_model(source)
    if model is not None and model["keys"].size and model["bps"].size >= 2:
        # the compiled pass of the spectrum (E_min, moments, lines), Gamma = 1
        K = np.empty(v.size)
        redo = np.empty(v.size, dtype=np.uint8)
        lines = np.array([(e, f, f / e**2) for e, f in source.lines],
                         dtype=np.float64).reshape(-1, 3).T.copy()
        _backend.kernels().dn_dq2(model["kernel"], lines[0], lines[1], lines[2],
                                  _unit_spec(mass), v, scale, cap, 1.0, K, redo, False,
                                  n_threads)
        r = np.nonzero(redo)[0]
        if r.size:  # pieces the model does not trust: their moments directly
            K[r] = _kin_numpy(source, scale * np.minimum(v[r], cap), mass, n_threads)
    else:
        K = _kin_numpy(source, scale * np.minimum(v, cap), mass, n_threads)
    K = np.stack([K, q])  # one array: K and the momenta q = sqrt(q2) MeV
    if key is not None:
        K.setflags(write=False)
        _K_CACHE[key] = K
    return K


def _add_dN_dq2(
    source: Any, v: np.ndarray, scale: float, cap: float, nuc: Nucleus,
    ffs: NuclearFormFactors, eps: float, weight: float, out: np.ndarray, add: bool,
    n_threads: int = 1,
) -> None:
    """out (+)= weight x integral Phi dsigma/dq2 dE at q2 = scale min(v, cap), per
    target nucleus and unit exposure (cm^2/MeV^2 x flux): weight prefactor Gamma K."""
    v = np.ascontiguousarray(v, dtype=np.float64)
    K, q = _kin_factor(source, v, scale, cap, float(nuc.mass), n_threads)
    gam = _gamma(q, nuc, ffs, eps, n_threads)
    with np.errstate(over="ignore", invalid="ignore"):  # inf: check_finite_result
        val = weight * (DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 * gam * K)
    if add:
        out += val
    else:
        out[:] = val


def _dN_dq2_nucleus(
    source: Any, q2: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float,
    n_threads: int = 1,
) -> np.ndarray:
    """Per target nucleus and unit exposure: integral Phi dsigma/dq2 dE, cm^2/MeV^2 x flux."""
    out = np.empty(np.size(q2))
    _add_dN_dq2(source, q2, 1.0, math.inf, nuc, ffs, eps, 1.0, out, False, n_threads)
    return out


def _dN_dq2_numpy(
    source: Any, q2: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float,
    n_threads: int = 1,
) -> np.ndarray:
    """_dN_dq2_nucleus step by step in numpy (moments with their direct fallback)."""
    gam = _gamma(np.sqrt(q2), nuc, ffs, eps, n_threads)
    return DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 * gam * _kin_numpy(source, q2, float(nuc.mass),
                                                                n_threads)


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


def recoil_spectrum(
    source: Any,
    target: Any,
    T: npt.ArrayLike,
    mass_kg: float = 1.0,
    time_s: float = 1.0,
    form_factor: FormFactorSpec = "helm",
    epsilon: float | None = None,
    n_threads: int = 1,
    couplings: str | None = None,
    model: Any = None,
) -> FloatOrArray:
    """Recoil spectrum dN/dT for a detector exposure.

    Parameters
    ----------
    source : coherency.sources.Source
        Neutrino energies up to 1e4 MeV (``E_NU_MAX_MEV``, docs/physics.md §12).
    target : Target, Nucleus or str
    T : array_like, MeV
        Nuclear recoil energy in [0, 1e4] MeV (``T_RECOIL_MAX_MEV``).
    mass_kg : float, kg
        Target mass in [0, 1e12] kg (nuclei per kg from the target's composition).
    time_s : float, s
        Exposure time in [0, 1e12] s (use 1 for a fluence source such as a
        supernova).
    form_factor, epsilon, couplings, model
        As in :func:`coherency.flux_averaged_sigma` (with a model, T must be > 0 where
        the model diverges at T = 0).
    n_threads : int
        Threads of the compiled loops: an int in [1, 1024], of which at most the CPUs
        available to the process are used (``coherency.config()["cpus_available"]``);
        small inputs run on one thread; the result does not depend on it.

    Returns
    -------
    float or ndarray, events per MeV
        dN/dT = sum_i n_i m t integral_{E_min(T)} Phi(E) dsigma_i/dT dE.

    Notes
    -----
    With q^2 = 2 M T the E integral is analytic in two flux moments (module notes).
    """
    if model is not None:
        from .bsm import _public

        return _public.spectrum(source, target, T, mass_kg, time_s, form_factor, epsilon,
                                n_threads, couplings, model, recoil=True)
    source = check_source(source)
    nt = check_threads(n_threads)
    Ta = _validation.check_recoil_energy(T, "T", n_threads=nt)
    tgt, ffs = as_target(target), _resolve(form_factor)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    flat = _validation.flat(Ta)
    out = np.zeros(flat.size)
    first = True
    for part, weight, part_ffs, eps in _terms(source, ffs, epsilon, couplings):
        E_top = float(part.E_max)
        for nuc, per_kg in tgt.component_nuclei_per_kg():
            # above the reach T_max(E_max) dN/dT = 0: clip there (no overflow for huge
            # T); dN/dT = 2M dN/dq2 at q2 = 2M T
            T_top = T_max_of(E_top, float(nuc.mass))
            _add_dN_dq2(part, flat, 2.0 * nuc.mass, 2.0 * T_top, nuc, part_ffs, eps,
                        weight * per_kg * 2.0 * nuc.mass * m * t, out, not first, nt)
            first = False
    _validation.check_finite_result(out, "recoil_spectrum", "reduce mass_kg x time_s or "
                                    "the source's flux")
    return _validation.restore_shape(out, Ta.shape)


def q2_spectrum(
    source: Any,
    target: Any,
    q2: npt.ArrayLike,
    mass_kg: float = 1.0,
    time_s: float = 1.0,
    form_factor: FormFactorSpec = "helm",
    epsilon: float | None = None,
    n_threads: int = 1,
    couplings: str | None = None,
    model: Any = None,
) -> FloatOrArray:
    """Event distribution in q^2, dN/dq^2 (events per MeV^2) for an exposure.

    Same parameters as :func:`recoil_spectrum` (``n_threads`` too) with ``q2``
    (MeV^2, in [0, 4e8], ``Q2_MAX_MEV2``) instead of T;
    dN/dq^2 = dN/dT / (2M) summed over the target's nuclei; ``model`` as in
    :func:`recoil_spectrum`.
    """
    if model is not None:
        from .bsm import _public

        return _public.spectrum(source, target, q2, mass_kg, time_s, form_factor, epsilon,
                                n_threads, couplings, model, recoil=False)
    source = check_source(source)
    nt = check_threads(n_threads)
    qa = _validation.check_q2(q2, "q2", n_threads=nt)
    tgt, ffs = as_target(target), _resolve(form_factor)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    flat = _validation.flat(qa)
    out = np.zeros(flat.size)
    first = True
    for part, weight, part_ffs, eps in _terms(source, ffs, epsilon, couplings):
        E_top = float(part.E_max)
        for nuc, per_kg in tgt.component_nuclei_per_kg():
            q2_top = q2_max_of(E_top, float(nuc.mass))
            # dN/dq2 = 0 above the reach: clip there
            _add_dN_dq2(part, flat, 1.0, 2.0 * q2_top, nuc, part_ffs, eps,
                        weight * per_kg * m * t, out, not first, nt)
            first = False
    _validation.check_finite_result(out, "q2_spectrum", "reduce mass_kg x time_s or "
                                    "the source's flux")
    return _validation.restore_shape(out, qa.shape)


def max_q2(source: Any, target: Any) -> float:
    """Largest q^2 (MeV^2) a source can give on a target: :func:`coherency.q2_max`
    (the kinematic maximum at one neutrino energy, docs/physics.md Eq. (1.3)) at the
    source's highest energy E_max, on the target's lightest nucleus.

    See Also
    --------
    coherency.q2_max : q^2_max(E, mass) at given neutrino energies.
    """
    source = check_source(source)
    tgt = as_target(target)
    E = float(source.E_max)
    return max(float(q2_max_of(E, float(nuc.mass))) for nuc, _ in tgt.components)


def q2_fwhm(
    source: Any,
    target: Any,
    T_min: float = 0.0,
    form_factor: FormFactorSpec = "helm",
    epsilon: float | None = None,
    n_grid: int = 4000,
    couplings: str | None = None,
) -> tuple[float, float]:
    """q^2 range (MeV^2) where the event distribution dN/dq^2 exceeds half its maximum.

    Sharma & Wong's "q^2 range specified by FWHM in [Phi sigma]" (Fig. 2): dN/dq^2 is
    proportional to integral Phi(E) dsigma/dq2 dE, with the threshold applied
    (q^2 >= 2 M T_min). The maximum is located on a grid and refined with a bounded
    scalar search; the half-maximum crossings are found with brentq.

    Parameters
    ----------
    source, target, form_factor, epsilon
        As in :func:`flux_averaged_sigma`.
    T_min : float, MeV
        Nuclear-recoil threshold in [0, 1e4] MeV.
    n_grid : int
        Points of the search grid, an int in [3, 10^6] (``N_GRID_RANGE``).

    Returns
    -------
    (lo, hi) : tuple of float, MeV^2

    Raises
    ------
    ValueError
        An argument outside its domain (docs/physics.md §12), a threshold above every
        recoil the source gives, or no events.
    TypeError
        ``n_grid`` not an int.
    """
    source = check_source(source)
    T = _validation.check_recoil_scalar(T_min, "T_min")
    n_grid = _validation.check_int(n_grid, "n_grid", *_validation.N_GRID_RANGE)
    tgt = as_target(target)
    q2_lo = min(2.0 * nuc.mass * T for nuc, _ in tgt.components)
    q2_hi = max_q2(source, tgt)
    if not q2_hi > q2_lo:
        raise ValueError(f"T_min = {T:g} MeV is above every recoil this source can give")

    def density(q2: np.ndarray) -> np.ndarray:
        q2 = np.atleast_1d(np.asarray(q2, dtype=np.float64))
        val = np.asarray(q2_spectrum(source, tgt, q2, form_factor=form_factor, epsilon=epsilon,
                                     couplings=couplings))
        # apply the threshold per nucleus: below 2 M T_min there are no events
        if T > 0:
            cut = np.zeros_like(q2)
            for nuc, _ in tgt.components:
                cut = np.maximum(cut, (q2 >= 2.0 * nuc.mass * T).astype(float))
            val = val * cut
        return val

    grid = np.linspace(q2_lo, q2_hi, n_grid)
    vals = density(grid)
    i = int(np.argmax(vals))
    if vals[i] <= 0:
        raise ValueError("no events: the q^2 distribution is zero everywhere")
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, n_grid - 1)]
    res = optimize.minimize_scalar(lambda x: -density(x)[0], bounds=(a, b), method="bounded",
                                   options={"xatol": 1e-10 * max(abs(b), 1.0)})
    peak = max(vals[i], -res.fun)
    half = 0.5 * peak
    g = lambda x: density(x)[0] - half  # noqa: E731
    above = np.nonzero(vals >= half)[0]
    j0, j1 = above[0], above[-1]
    tol = {"xtol": 1e-12, "rtol": 1e-12}
    lo = q2_lo if j0 == 0 else optimize.brentq(g, grid[j0 - 1], grid[j0], **tol)
    hi = q2_hi if j1 == n_grid - 1 else optimize.brentq(g, grid[j1], grid[j1 + 1], **tol)
    return float(lo), float(hi)


# event_rate and its recoil rule live in their own module (one topic per file).
from ._event_rate import (  # noqa: E402, F401
    _T_DCT,
    _T_DEGREES,
    _T_INT,
    _T_INT_LO_VEC,
    _T_Y,
    _apply_response,
    _check_response,
    _kinks,
    _q_cuts,
    _quench,
    _returned,
    _split_tables,
    _table_window,
    event_rate,
)
