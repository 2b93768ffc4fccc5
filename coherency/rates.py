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
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from . import _backend, _cache, _validation
from ._cache import memoize
from ._flux_moments import cheb_model, flux_moments
from ._quadrature import check_source, recoil_rule, rule, total_flux
from ._records import NucleusSpec
from ._typing import FloatOrArray
from ._warnings import warn_beyond_reach
from .constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2
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
from .detector.quenching import nr_from_ee_MeV
from .form_factors import FormFactorSpec, NuclearFormFactors, resolve, with_couplings
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


def _terms(source: Any, ffs: NuclearFormFactors, epsilon: Any, couplings: Any
           ) -> list[tuple[Any, float, NuclearFormFactors, float]]:
    """(source part, weight x norm, form factors, epsilon) per flavour part
    (docs/physics.md Eq. (9.4)): one part at tree level."""
    return [(term.source, term.weight * term.norm, with_couplings(ffs, term.couplings),
             term.epsilon) for term in coupling_terms(source, couplings, epsilon)]


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
    source = check_source(source)
    T = _threshold(T_min)
    nt = check_threads(n_threads)
    tgt, ffs = as_target(target), _resolve(form_factor)
    total = total_flux(source)
    acc = 0.0
    for part, weight, part_ffs, eps in _terms(source, ffs, epsilon, couplings):
        acc += weight * _folded_over_target(part, tgt, part_ffs, eps, T, nt)
    if T > 0.0 and acc == 0.0:
        _warn_if_beyond_reach("flux_averaged_sigma", T, source, tgt)
    _validation.check_finite_result(acc, "flux_averaged_sigma", "the source's flux "
                                    "exceeds the float range")
    return acc / total


def _warn_if_beyond_reach(function: str, T_nr: float, source: Any, tgt: Target) -> None:
    """A KinematicReachWarning when T_nr (MeV) is at or above T_max(E_max) on every
    nucleus of the target (a zero result that is kinematics, not a bug)."""
    E_top = float(source.E_max)
    reach = max(float(T_max_of(E_top, float(nuc.mass))) for nuc, _ in tgt.components)
    if T_nr > reach:
        warn_beyond_reach(function, T_nr, reach, E_top, stacklevel=4)


def _folded_over_target(source: Any, tgt: Target, ffs: NuclearFormFactors, eps: float,
                        T: float, nt: int) -> float:
    """sum over the target's nuclei (number fractions) of integral Phi sigma dE."""
    if not ffs.compiled:
        return sum(f * _folded_sigma(source, nuc, ffs, eps, T) for nuc, f in tgt.components)
    kern = _backend.kernels()
    acc = 0.0
    for fraction, nuc, spec, panel in nuclear_setup(tgt, ffs, eps):
        E, w = rule(source, threshold_energy(T, nuc.mass))
        if E.size:
            acc += fraction * kern.folded_sigma(E, w, 2.0 * nuc.mass * T, spec, panel,
                                                GL_X, GL_W, nt)
    return acc


def _gamma(q: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float,
           n_threads: int = 1) -> np.ndarray:
    """Gamma_NP at momenta q: compiled form-factor kernel on n_threads when it can."""
    if not ffs.compiled:
        return _gamma_python(q, nuc, ffs, eps)
    kern = _backend.kernels()
    q = np.ascontiguousarray(q, dtype=np.float64)
    fz = np.empty(q.size)
    pz = ffs.proton.kernel_params(nuc)  # type: ignore[union-attr]
    kern.form_factor(q, pz.model, pz.p1, pz.p2, fz, n_threads)
    if ffs.neutron is ffs.proton or ffs.neutron == ffs.proton:
        fn = fz
    else:
        fn = np.empty(q.size)
        pn = ffs.neutron.kernel_params(nuc)  # type: ignore[union-attr]
        kern.form_factor(q, pn.model, pn.p1, pn.p2, fn, n_threads)
    return (eps * nuc.Z * fz - nuc.N * fn) ** 2


def _add_dN_dq2(
    source: Any, v: np.ndarray, scale: float, cap: float, nuc: Nucleus,
    ffs: NuclearFormFactors, eps: float, weight: float, out: np.ndarray, add: bool,
    n_threads: int = 1,
) -> None:
    """out (+)= weight x integral Phi dsigma/dq2 dE at q2 = scale min(v, cap), per
    target nucleus and unit exposure (cm^2/MeV^2 x flux)."""
    model = cheb_model(source)
    v = np.ascontiguousarray(v, dtype=np.float64)
    if ffs.compiled and model is not None and model["keys"].size and model["bps"].size >= 2:
        # one compiled pass (E_min, moments, lines, form factors, weights), threaded
        redo = np.empty(v.size, dtype=np.uint8)
        lines = np.array([(e, f, f / e**2) for e, f in source.lines],
                         dtype=np.float64).reshape(-1, 3).T.copy()
        _backend.kernels().dn_dq2(model["kernel"], lines[0], lines[1], lines[2],
                                  kernel_spec(nuc, ffs, eps), v, scale, cap, weight, out,
                                  redo, add, n_threads)
        r = np.nonzero(redo)[0]
        if r.size:  # pieces the model does not trust: their moments directly
            q2 = scale * np.minimum(v[r], cap)
            with np.errstate(over="ignore"):  # inf: the callers' check_finite_result
                out[r] += weight * _dN_dq2_numpy(source, q2, nuc, ffs, eps, n_threads)
        return
    val = _dN_dq2_numpy(source, scale * np.minimum(v, cap), nuc, ffs, eps, n_threads)
    with np.errstate(over="ignore"):  # inf: the callers' check_finite_result
        val = weight * val
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
    T = q2 / (2.0 * nuc.mass)
    x = E_min_flat(T, nuc.mass)
    F0, F2 = flux_moments(source, x, n_threads)
    gam = _gamma(np.sqrt(q2), nuc, ffs, eps, n_threads)
    return DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 * gam * np.maximum(F0 - 0.25 * q2 * F2, 0.0)


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
    form_factor, epsilon, couplings
        As in :func:`coherency.flux_averaged_sigma`.
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
) -> FloatOrArray:
    """Event distribution in q^2, dN/dq^2 (events per MeV^2) for an exposure.

    Same parameters as :func:`recoil_spectrum` (``n_threads`` too) with ``q2``
    (MeV^2, in [0, 4e8], ``Q2_MAX_MEV2``) instead of T;
    dN/dq^2 = dN/dT / (2M) summed over the target's nuclei.
    """
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


def _kinks(source: Any, nuc: Nucleus) -> list[float]:
    """Recoil energies where dN/dT is not smooth: T_max of breakpoints and lines."""
    E = [float(b) for b in source.breakpoints] + [float(e) for e, _ in source.lines]
    return [float(T_max_of(e, float(nuc.mass))) for e in E if e > 0]


def _q_cuts(a: float, b: float, mass: float, dq: float) -> list[float]:
    """Recoil energies T = (k dq)^2/2M inside (a, b): panels of one oscillation of F^2
    in q (the q panels of sigma_total), so that the rule resolves the form factor
    however far the window reaches (at most q2_max(E_NU_MAX)/dq of them)."""
    if not dq > 0.0 or not b > a:
        return []
    q_a, q_b = math.sqrt(2.0 * mass * a), math.sqrt(2.0 * mass * b)
    k0, k1 = math.floor(q_a / dq) + 1, math.ceil(q_b / dq) - 1
    cuts = ((k * dq) ** 2 / (2.0 * mass) for k in range(k0, k1 + 1))
    return [t for t in cuts if a < t < b]


def _check_response(efficiency: Any, quenching: Any) -> None:
    """efficiency: None or a callable; quenching: None, a callable, or a constant
    factor in (0, 1] (``check_quenching_factor``)."""
    if efficiency is not None and not callable(efficiency):
        raise TypeError("efficiency must be a callable of the recoil energy (MeV) returning "
                        f"values in [0, 1]; got {_validation._short(efficiency)}")
    if quenching is not None and not callable(quenching):
        _validation.check_quenching_factor(quenching, "quenching")


def _returned(func: Callable, x: np.ndarray, name: str) -> np.ndarray:
    """func(x) as float64 of the shape of x (a scalar is broadcast), with errors that
    name the argument ``name``."""
    value = func(x)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must return real numbers; got "
                        f"{_validation._short(value)}") from None
    if arr.shape != x.shape:
        if arr.size != 1:
            raise ValueError(f"{name} must return one value per recoil energy (shape "
                             f"{x.shape}) or a scalar; got shape {arr.shape}")
        arr = np.full(x.shape, float(arr.reshape(-1)[0]))
    return arr


def _apply_response(
    T: np.ndarray, efficiency: Callable | None, quenching: Callable | float | None
) -> np.ndarray:
    if efficiency is None:
        return np.ones_like(T)
    x = T if quenching is None else _quench(T, quenching)
    eff = _returned(efficiency, x, "efficiency")
    bad = ~(np.isfinite(eff) & (eff >= 0) & (eff <= 1 + 1e-12))
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(f"efficiency must return values in [0, 1]; got {float(eff[i])!r} "
                         f"at {float(x[i])!r} MeV")
    return eff


def _quench(T: np.ndarray, quenching: Callable | float) -> np.ndarray:
    if callable(quenching):
        out = _returned(quenching, T, "quenching")
        bad = ~(np.isfinite(out) & (out >= 0))
        if np.any(bad):
            i = int(np.argmax(bad))
            raise ValueError(f"quenching must return finite values >= 0 (T_ee in MeV); got "
                             f"{float(out[i])!r} at T_nr = {float(T[i])!r} MeV")
        return out
    return _validation.check_quenching_factor(quenching, "quenching") * T


def event_rate(
    source: Any,
    target: Any,
    mass_kg: float,
    time_s: float,
    T_min: float = 0.0,
    T_max: float | None = None,
    efficiency: Callable[[np.ndarray], Any] | None = None,
    quenching: Callable[[np.ndarray], Any] | float | None = None,
    energy_scale: str = "nr",
    form_factor: FormFactorSpec = "helm",
    epsilon: float | None = None,
    n_threads: int = 1,
    couplings: str | None = None,
) -> float:
    """Expected number of events in a recoil window.

    Parameters
    ----------
    source : coherency.sources.Source
        Neutrino energies up to 1e4 MeV (``E_NU_MAX_MEV``, docs/physics.md §12).
    target : Target, Nucleus or str
    mass_kg : float, kg
        Target mass in [0, 1e12] kg (``MASS_KG_MAX``).
    time_s : float, s
        Exposure time in [0, 1e12] s (``TIME_S_MAX``; 1 for a fluence source).
    T_min, T_max : float, MeV
        Window in nuclear-recoil energy, or in electron-equivalent energy when
        ``energy_scale="ee"`` (then ``quenching`` converts), each in [0, 1e4] MeV
        (``T_RECOIL_MAX_MEV``), T_min <= T_max. T_max None: no upper cut.
    efficiency : callable, optional
        Detection efficiency as a function of the recoil energy in MeV on the
        ``energy_scale`` (nuclear recoil, or electron equivalent after quenching),
        called with a 1-D array; it must return values in [0, 1], one per energy (or
        one scalar for all).
    quenching : callable or float, optional
        T_nr (MeV) -> T_ee (MeV), increasing from quenching(0) = 0 with finite values
        >= 0; or a constant quenching factor in (0, 1].
    energy_scale : "nr" or "ee"
        Scale of T_min, T_max and of the efficiency's argument.
    form_factor, epsilon, couplings
        As in :func:`coherency.flux_averaged_sigma`.
    n_threads : int
        Threads of the compiled loops: an int in [1, 1024], of which at most the CPUs
        available to the process are used (``coherency.config()["cpus_available"]``);
        small inputs run on one thread; the result does not depend on it.

    Returns
    -------
    float
        Expected counts: integral of dN/dT x efficiency over the window.

    Raises
    ------
    ValueError
        An argument outside its domain, an efficiency or quenching model returning
        values outside theirs (the message names ``efficiency`` or ``quenching``), or
        counts beyond the float range.
    TypeError
        ``efficiency`` not callable, or returning something that is not numbers.
    """
    source = check_source(source)
    nt = check_threads(n_threads)
    tgt, ffs = as_target(target), _resolve(form_factor)
    terms = _terms(source, ffs, epsilon, couplings)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    scale = _validation.check_choice(energy_scale, "energy_scale", ("nr", "ee"))
    _check_response(efficiency, quenching)
    lo = _validation.check_recoil_scalar(T_min, "T_min")
    hi = None if T_max is None else _validation.check_recoil_scalar(T_max, "T_max")
    if hi is not None and hi < lo:
        raise ValueError(f"T_max must be >= T_min = {lo:g} MeV; got {hi:g}")
    if scale == "ee" and quenching is None:
        raise ValueError("energy_scale='ee' needs quenching (T_nr -> T_ee)")
    total = 0.0
    E_top = float(source.E_max)
    beyond = True  # the window starts above the reach on every nucleus
    reach = 0.0  # the largest recoil on the window's scale (MeV)
    for nuc, per_kg in tgt.component_nuclei_per_kg():
        T_top = T_max_of(E_top, float(nuc.mass))
        a, b = lo, (T_top if hi is None else min(hi, T_top))
        if scale == "ee":
            a = nr_from_ee_MeV(lo, quenching, T_top)  # type: ignore[arg-type]
            b = T_top if hi is None else nr_from_ee_MeV(hi, quenching, T_top)  # type: ignore[arg-type]
        top = T_top if scale == "nr" else float(_quench(np.array([T_top]), quenching)[0])  # type: ignore[arg-type]
        reach = max(reach, top)
        beyond = beyond and lo > top
        if not b > a:
            continue
        edges = sorted({a, b, *(k for k in _kinks(source, nuc) if a < k < b),
                        *_q_cuts(a, b, float(nuc.mass), _panel_dq(ffs, nuc))})
        T_nodes, w = recoil_rule(edges)
        q2 = 2.0 * nuc.mass * T_nodes
        dN = 2.0 * nuc.mass * sum(
            weight * _dN_dq2_nucleus(part, q2, nuc, part_ffs, eps, nt)
            for part, weight, part_ffs, eps in terms)
        resp = _apply_response(T_nodes, efficiency, quenching if scale == "ee" else None)
        total += per_kg * float(np.dot(w, dN * resp))
    counts = total * m * t
    if counts == 0.0 and beyond:
        warn_beyond_reach("event_rate", lo, reach, E_top, scale)
    _validation.check_finite_result(counts, "event_rate", "reduce mass_kg x time_s or "
                                    "the source's flux")
    return counts


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
