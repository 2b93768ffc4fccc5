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

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from . import _backend, _validation
from ._records import FluxModel, NucleusSpec
from ._typing import FloatOrArray
from .constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2
from .cross_sections import (
    GL_W,
    GL_X,
    _epsilon,
    _gamma_python,
    _panel_dq,
    kernel_spec,
    sigma_nucleus,
)
from .form_factors import FormFactorSpec, NuclearFormFactors, resolve
from .targets import Nucleus, Target, as_target

# Gauss-Legendre order on each smooth interval of a source's continuum. Spectra are
# analytic between breakpoints; 48 nodes reach 1e-13 relative on most sources (tests
# compare with nested scipy.quad at 1e-8). A lone beta+ spectrum alone on its
# interval (pp, 13N, hep: the end point is not a power law, the map below does not
# make it smooth) is left at up to 1e-9 against a 96-node rule; the batch API's
# q-outer order resolves those to 1e-13 (tests/test_batch.py).
E_ORDER = 48
E_GL_X, E_GL_W = (np.ascontiguousarray(a) for a in np.polynomial.legendre.leggauss(E_ORDER))
# Intervals wider than this fraction of the decade are split, so that a rule of
# fixed order also resolves slowly varying tails (atmospheric spectra span decades).
MAX_LOG_WIDTH = math.log(4.0)


def E_min_for_T(T: np.ndarray, mass: float) -> np.ndarray:
    """:func:`coherency.kinematics.E_min` on validated flat arrays (no checks, hot path)."""
    return 0.5 * (T + np.sqrt(T) * np.sqrt(T + 2.0 * mass))  # no overflow in T * T


def _check_source(source: Any) -> Any:
    kind = type(source)
    for attr in ("flux", "lines", "breakpoints", "total_flux"):
        # look on the class first: hasattr(source, "total_flux") would evaluate the
        # property, which may integrate the spectrum
        if not hasattr(kind, attr) and not hasattr(source, attr):
            raise TypeError(
                f"source must be a coherency.sources.Source (with flux, lines, breakpoints, "
                f"total_flux); got {type(source).__name__}"
            )
    return source


def _mapped_rule(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes/weights on [a, b] (arrays, one row per interval) after the
    map E = b - (b - a)(1 - u)^2, u in [0, 1]. Spectra ending like sqrt(b - E) (beta
    decay endpoints) become smooth in u, so the rule converges spectrally there too;
    for analytic integrands the map is harmless."""
    u = 0.5 * (E_GL_X + 1.0)
    w = 0.5 * E_GL_W
    span = (b - a)[..., None]
    nodes = b[..., None] - span * (1.0 - u) ** 2
    weights = 2.0 * span * (1.0 - u) * w
    return nodes, weights


def _intervals(source: Any, E_lo: float) -> list[tuple[float, float]]:
    """Smooth intervals of the continuum above E_lo, split where they span > x4."""
    bps = sorted(float(b) for b in source.breakpoints)
    out: list[tuple[float, float]] = []
    for a, b in zip(bps[:-1], bps[1:]):
        a = max(a, E_lo)
        if not b > a:
            continue
        if a > 0 and math.log(b / a) > MAX_LOG_WIDTH:
            n = math.ceil(math.log(b / a) / MAX_LOG_WIDTH)
            edges = np.geomspace(a, b, n + 1)
            edges[0], edges[-1] = a, b
            out.extend(zip(edges[:-1], edges[1:]))
        else:
            out.append((a, b))
    return out


def energy_rule(source: Any, E_lo: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (including the flux) of the continuum integral above E_lo:
    sum(w * g(E)) approximates integral_{E_lo} Phi(E) g(E) dE."""
    ivals = _intervals(source, E_lo)
    if not ivals:
        return np.empty(0), np.empty(0)
    nodes, weights = _mapped_rule(np.array([iv[0] for iv in ivals]), np.array([iv[1] for iv in ivals]))
    nodes = nodes.reshape(-1)
    flux = np.asarray(source.flux(nodes), dtype=np.float64).reshape(-1)
    return nodes, weights.reshape(-1) * flux


def _lines(source: Any, E_lo: float) -> tuple[np.ndarray, np.ndarray]:
    lines = [(float(e), float(f)) for e, f in source.lines if e >= E_lo and f > 0]
    if not lines:
        return np.empty(0), np.empty(0)
    arr = np.array(lines)
    return arr[:, 0].copy(), arr[:, 1].copy()


check_threads = _validation.check_threads


# ----------------------------------------------------------------------------- caches
# Bounded LRU caches keyed on frozen, hashable objects only (sources, targets and form
# factors are frozen dataclasses): equal keys describe the same physics, so a cached
# value can never be stale. functools.lru_cache is safe to call from several threads.
CACHE_SIZE = 256


_FROZEN_TYPES: dict[type, bool] = {}


def _is_frozen(obj: Any) -> bool:
    """True for an instance of a frozen dataclass whose parts (``sources`` of a
    SourceSum) are frozen too; unhashable ones are caught where the cache is used."""
    kind = type(obj)
    frozen = _FROZEN_TYPES.get(kind)
    if frozen is None:
        params = getattr(kind, "__dataclass_params__", None)
        frozen = bool(dataclasses.is_dataclass(kind) and params is not None and params.frozen)
        _FROZEN_TYPES[kind] = frozen
    if not frozen:
        return False
    parts = getattr(obj, "sources", None)
    if isinstance(parts, tuple):
        return all(_is_frozen(p) for p in parts)
    return True


def _build_rule(source: Any, E_thr: float) -> tuple[np.ndarray, np.ndarray]:
    """Continuum nodes and lines above E_thr as one rule: sum(w g(E)) ~ int Phi g dE."""
    nodes, weights = energy_rule(source, E_thr)
    line_E, line_flux = _lines(source, E_thr)
    E = np.concatenate([nodes, line_E])
    w = np.concatenate([weights, line_flux])
    keep = E > 0
    E, w = np.ascontiguousarray(E[keep]), np.ascontiguousarray(w[keep])
    E.setflags(write=False)
    w.setflags(write=False)
    return E, w


_cached_rule = functools.lru_cache(maxsize=CACHE_SIZE)(_build_rule)


def _rule(source: Any, E_thr: float) -> tuple[np.ndarray, np.ndarray]:
    if _is_frozen(source):
        try:
            return _cached_rule(source, E_thr)
        except TypeError:  # a frozen dataclass with an unhashable field
            pass
    return _build_rule(source, E_thr)


def _total_flux_uncached(source: Any) -> float:
    total = float(source.total_flux)
    if not total > 0:
        raise ValueError(f"source total_flux must be > 0; got {total!r}")
    return total


_cached_total_flux = functools.lru_cache(maxsize=CACHE_SIZE)(_total_flux_uncached)


def _total_flux(source: Any) -> float:
    if _is_frozen(source):
        try:
            return _cached_total_flux(source)
        except TypeError:
            pass
    return _total_flux_uncached(source)


def _threshold(T_min: Any, name: str = "T_min") -> float:
    """A recoil threshold in MeV (>= 0); plain non-negative floats skip the array checks."""
    if type(T_min) is float and 0.0 <= T_min < math.inf:
        return T_min
    return _validation.as_float(T_min, name, min_value=0.0, unit="MeV")


@functools.lru_cache(maxsize=64)
def _resolve_name(name: str | None) -> NuclearFormFactors:
    return resolve(name)


def _resolve(form_factor: FormFactorSpec) -> NuclearFormFactors:
    if form_factor is None or isinstance(form_factor, str):
        return _resolve_name(form_factor)
    return resolve(form_factor)


def _nuclear_setup_uncached(
    tgt: Target, ffs: NuclearFormFactors, eps: float
) -> tuple[tuple[float, Nucleus, NucleusSpec, float], ...]:
    """(number fraction, nucleus, kernel spec, panel width) per target component."""
    return tuple((float(f), nuc, kernel_spec(nuc, ffs, eps), _panel_dq(ffs, nuc.A))
                 for nuc, f in tgt.components)


_cached_nuclear_setup = functools.lru_cache(maxsize=CACHE_SIZE)(_nuclear_setup_uncached)


def nuclear_setup(
    tgt: Target, ffs: NuclearFormFactors, eps: float
) -> tuple[tuple[float, Nucleus, NucleusSpec, float], ...]:
    """Per-component kernel inputs for compiled form factors (cached when hashable)."""
    try:
        return _cached_nuclear_setup(tgt, ffs, eps)
    except TypeError:  # an unhashable component
        return _nuclear_setup_uncached(tgt, ffs, eps)


def clear_caches() -> None:
    """Empty the rate caches (energy rules, total fluxes, per-target kernel inputs)."""
    for cache in (_cached_rule, _cached_total_flux, _cached_nuclear_setup, _resolve_name,
                  _cached_tails, _cached_cheb_model):
        cache.cache_clear()


def threshold_energy(T_min: float, mass: float) -> float:
    """E_min(T_min) in MeV for a scalar threshold (0 for T_min = 0); E_min_for_T."""
    return 0.5 * (T_min + math.sqrt(T_min * T_min + 2.0 * mass * T_min)) if T_min > 0 else 0.0


def _setup(target: Any, form_factor: FormFactorSpec, epsilon: Any) -> tuple[Target, NuclearFormFactors, float]:
    return as_target(target), _resolve(form_factor), _epsilon(epsilon)


def _folded_sigma(source: Any, nuc: Nucleus, ffs: NuclearFormFactors, eps: float, T_min: float) -> float:
    """integral Phi(E) sigma(E; T_min) dE + lines, per nucleus (cm^2 x flux)."""
    E, w = _rule(source, threshold_energy(T_min, nuc.mass))
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
) -> float:
    """Flux-averaged cross section per nucleus above a recoil threshold.

    Parameters
    ----------
    source : coherency.sources.Source
        Neutrino source (continuum and lines).
    target : Target, Nucleus or str
        Average per nucleus over the target's components (number fractions).
    T_min : float, MeV
        Nuclear-recoil threshold, >= 0.
    form_factor, epsilon
        As in :func:`coherency.dsigma_dq2`.
    n_threads : int
        Threads of the compiled folded integral: an int in [1, 1024], of which at most
        the CPUs available to the process are used
        (``coherency.config()["cpus_available"]``); small inputs run on one thread; the
        result does not depend on it.

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
    source = _check_source(source)
    T = _threshold(T_min)
    nt = check_threads(n_threads)
    tgt, ffs, eps = _setup(target, form_factor, epsilon)
    total = _total_flux(source)
    if not ffs.compiled:
        acc = sum(f * _folded_sigma(source, nuc, ffs, eps, T) for nuc, f in tgt.components)
        return acc / total
    kern = _backend.kernels()
    acc = 0.0
    for fraction, nuc, spec, panel in nuclear_setup(tgt, ffs, eps):
        E, w = _rule(source, threshold_energy(T, nuc.mass))
        if E.size:
            acc += fraction * kern.folded_sigma(E, w, 2.0 * nuc.mass * T, spec, panel,
                                                GL_X, GL_W, nt)
    return acc / total


# Flux moments F_k(x) = int_x Phi E^-k dE for recoil spectra. On each smooth interval
# [a, b] of the source, with E = b - (b - a)(1 - t)^2 (smooth at sqrt(b - E) endpoints),
# Phi(E) dE/dt and Phi E^-2 dE/dt are interpolated by Chebyshev series of CHEB_N terms
# on pieces of [0, 1] in t, bisected until the last coefficients fall below CHEB_TOL of
# the series; integrating the series gives F_k at any x from cached coefficients, with no
# flux evaluation. Points where that would lose digits (a piece that did not converge,
# or x so close to the top of a piece that the tail integral is < CHEB_CANCEL of the
# piece's) use the direct Gauss-Legendre rule on [x, b].
CHEB_N = 40
CHEB_TOL = 1e-13
CHEB_CANCEL = 1e-4
CHEB_MAX_DEPTH = 12


def cheb_interp(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Chebyshev points of the first kind y_k (n of them, in [-1, 1]) and the matrix D
    with D @ f(y) = the coefficients of the degree n - 1 interpolant of f."""
    k = np.arange(n)
    dct = (2.0 / n) * np.cos(np.pi * np.outer(k, k + 0.5) / n)
    dct[0] *= 0.5
    return np.cos(np.pi * (k + 0.5) / n), dct


CHEB_Y, _CHEB_DCT = cheb_interp(CHEB_N)


def _cheb_fit(source: Any, a: float, b: float, t0: float, t1: float) -> tuple[np.ndarray, ...]:
    """Chebyshev coefficients (on y in [-1, 1]) of Phi E^-k dE/dy, k = 0, 2, and whether
    both converged."""
    t = 0.5 * (t0 + t1) + 0.5 * (t1 - t0) * CHEB_Y
    E = b - (b - a) * (1.0 - t) ** 2
    jac = 2.0 * (b - a) * (1.0 - t) * 0.5 * (t1 - t0)
    g0 = np.asarray(source.flux(E), dtype=np.float64) * jac
    g2 = g0 / (E * E)
    c0 = _CHEB_DCT @ g0
    c2 = _CHEB_DCT @ g2
    ok = all(np.max(np.abs(c[-4:])) <= CHEB_TOL * max(np.sum(np.abs(c)), 1e-300)
             for c in (c0, c2))
    return c0, c2, np.array(ok)


def _antiderivative(c: np.ndarray) -> np.ndarray:
    """Coefficients of A(y) = int_{-1}^y sum c_j T_j."""
    return np.polynomial.chebyshev.chebint(c, lbnd=-1.0)


def _cheb_model_uncached(source: Any) -> dict[str, Any]:
    bps = np.array(sorted(float(b) for b in source.breakpoints))
    keys, coef0, coef2, full0, full2, above0, above2, conv, t0s, t1s = ([] for _ in range(10))
    _, tail0, tail2 = _tails(source)
    for k in range(bps.size - 1):
        a, b = float(bps[k]), float(bps[k + 1])
        if not b > a:
            continue
        pieces = []
        stack = [(0.0, 1.0, 0)]
        while stack:
            t0, t1, depth = stack.pop()
            c0, c2, ok = _cheb_fit(source, a, b, t0, t1)
            if not ok and depth < CHEB_MAX_DEPTH:
                mid = 0.5 * (t0 + t1)
                stack += [(t0, mid, depth + 1), (mid, t1, depth + 1)]
                continue
            A0, A2 = _antiderivative(c0), _antiderivative(c2)
            f0 = float(np.polynomial.chebyshev.chebval(1.0, A0))
            f2 = float(np.polynomial.chebyshev.chebval(1.0, A2))
            if not ok:  # full integrals of the piece by the direct rule instead
                E0, E1 = (b - (b - a) * (1.0 - tt) ** 2 for tt in (t0, t1))
                nodes, w = _mapped_rule(np.array([E0]), np.array([E1]))
                flux = np.asarray(source.flux(nodes.reshape(-1)), dtype=np.float64)
                f0 = float(np.dot(w.reshape(-1), flux))
                f2 = float(np.dot(w.reshape(-1), flux / nodes.reshape(-1) ** 2))
            pieces.append((t0, t1, A0, A2, f0, f2, bool(ok)))
        pieces.sort(key=lambda pc: pc[0])
        acc0, acc2 = float(tail0[k + 1]), float(tail2[k + 1])
        rows = []
        for pc in reversed(pieces):
            rows.append((pc, acc0, acc2))
            acc0 += pc[4]
            acc2 += pc[5]
        for (t0, t1, A0, A2, _f0, _f2, ok), ab0, ab2 in reversed(rows):
            keys.append(k + t0)
            t0s.append(t0)
            t1s.append(t1)
            coef0.append(A0)
            coef2.append(A2)
            full0.append(np.polynomial.chebyshev.chebval(1.0, A0))
            full2.append(np.polynomial.chebyshev.chebval(1.0, A2))
            above0.append(ab0)
            above2.append(ab2)
            conv.append(ok)
    model: dict[str, Any] = {
        "bps": bps, "tail0": tail0, "tail2": tail2,
        "keys": np.array(keys), "t0": np.array(t0s), "t1": np.array(t1s),
        "coef0": np.array(coef0).reshape(-1, CHEB_N + 1),
        "coef2": np.array(coef2).reshape(-1, CHEB_N + 1),
        "A1_0": np.array(full0), "A1_2": np.array(full2),
        "above0": np.array(above0), "above2": np.array(above2),
        "converged": np.array(conv, dtype=bool),
    }
    model["flat0"] = np.ascontiguousarray(model["coef0"]).reshape(-1)
    model["flat2"] = np.ascontiguousarray(model["coef2"]).reshape(-1)
    model["converged_u8"] = model["converged"].view(np.uint8)
    for arr in model.values():
        arr.setflags(write=False)
    # the argument of the kernels cheb_moments and dn_dq2 (csrc/coh_rate.h)
    model["kernel"] = _validation.check_flux_model(FluxModel(
        bps=bps, below0=float(tail0[0]), below2=float(tail2[0]), keys=model["keys"],
        t0=model["t0"], t1=model["t1"], n_coef=CHEB_N + 1, coef0=model["flat0"],
        coef2=model["flat2"], a1_0=model["A1_0"], a1_2=model["A1_2"],
        above0=model["above0"], above2=model["above2"], converged=model["converged_u8"],
        cancel=CHEB_CANCEL))
    return model


_cached_cheb_model = functools.lru_cache(maxsize=CACHE_SIZE)(_cheb_model_uncached)


def _cheb_model(source: Any) -> dict[str, Any] | None:
    """The cached model of a frozen source; None for others (building one costs more
    than the direct rule for a single call)."""
    if _is_frozen(source):
        try:
            return _cached_cheb_model(source)
        except TypeError:
            pass
    return None


def _flux_moments_direct(
    source: Any, x: np.ndarray, k: np.ndarray, bps: np.ndarray, tail0: np.ndarray,
    tail2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Continuum F0, F2 at x inside interval k: Gauss-Legendre on [x, b_k] + tails.

    [x, b_k] is cut into geometric pieces no wider than MAX_LOG_WIDTH, as
    :func:`energy_rule` cuts its intervals: one rule over decades would miss the
    1/E^2 of F2 near a spectrum that starts at E = 0 (a reactor's F2(1e-4 MeV) came
    out 73 % low)."""
    b = bps[k + 1]
    with np.errstate(divide="ignore"):
        decades = np.where(x > 0, np.log(b / np.where(x > 0, x, 1.0)), 0.0)
    n_pieces = np.clip(np.ceil(decades / MAX_LOG_WIDTH), 1, 256).astype(np.int64)
    F0 = np.empty(x.size)
    F2 = np.empty(x.size)
    for m in np.unique(n_pieces):
        sel = np.nonzero(n_pieces == m)[0]
        if m == 1:
            edges = np.stack([x[sel], b[sel]], axis=1)
        else:
            edges = x[sel, None] * (b[sel] / x[sel])[:, None] ** (np.arange(m + 1) / m)
            edges[:, -1] = b[sel]
        nodes, w = _mapped_rule(edges[:, :-1].reshape(-1), edges[:, 1:].reshape(-1))
        flux = np.asarray(source.flux(nodes.reshape(-1)), dtype=np.float64).reshape(nodes.shape)
        F0[sel] = np.sum((w * flux).reshape(sel.size, -1), axis=1)
        F2[sel] = np.sum((w * flux / nodes**2).reshape(sel.size, -1), axis=1)
    return F0 + tail0[k + 1], F2 + tail2[k + 1]


def _flux_moments(
    source: Any, x: np.ndarray, n_threads: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """F0(x) = int_x Phi dE, F2(x) = int_x Phi/E^2 dE, lines included, vectorised."""
    model = _cheb_model(source)
    bps, tail0, tail2 = _tails(source)
    x = np.asarray(x, dtype=np.float64)
    F0 = np.zeros(x.size)
    F2 = np.zeros(x.size)
    if bps.size >= 2 and model is None:
        k = np.clip(np.searchsorted(bps, x, side="right") - 1, -1, bps.size - 1)
        inside = (k >= 0) & (k < bps.size - 1)
        F0[k < 0] = tail0[0]
        F2[k < 0] = tail2[0]
        if inside.any():
            F0[inside], F2[inside] = _flux_moments_direct(source, x[inside], k[inside], bps,
                                                          tail0, tail2)
    elif model is not None and bps.size >= 2 and model["keys"].size:
        redo = np.empty(x.size, dtype=np.uint8)
        _backend.kernels().cheb_moments(model["kernel"], np.ascontiguousarray(x), F0, F2,
                                        redo, n_threads)
        r = np.nonzero(redo)[0]
        if r.size:
            k = np.searchsorted(bps, x[r], side="right") - 1
            F0[r], F2[r] = _flux_moments_direct(source, x[r], k, bps, tail0, tail2)
    for e_line, f_line in source.lines:
        above = x <= e_line
        F0[above] += f_line
        F2[above] += f_line / e_line**2
    return F0, F2


def _tails_uncached(source: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breakpoints and the continuum integrals of Phi and Phi/E^2 above each one."""
    bps = np.array(sorted(float(b) for b in source.breakpoints))
    # full-interval integrals, cumulated from the top
    full0 = np.zeros(bps.size)
    full2 = np.zeros(bps.size)
    for k in range(bps.size - 1):
        nodes, w = energy_rule_between(source, bps[k], bps[k + 1])
        full0[k] = np.dot(w, np.ones_like(nodes))
        full2[k] = np.dot(w, 1.0 / nodes**2) if nodes.size else 0.0
    tail0 = np.concatenate([np.cumsum(full0[::-1])[::-1], [0.0]])
    tail2 = np.concatenate([np.cumsum(full2[::-1])[::-1], [0.0]])
    for arr in (bps, tail0, tail2):
        arr.setflags(write=False)
    return bps, tail0, tail2


_cached_tails = functools.lru_cache(maxsize=CACHE_SIZE)(_tails_uncached)


def _tails(source: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if _is_frozen(source):
        try:
            return _cached_tails(source)
        except TypeError:
            pass
    return _tails_uncached(source)


def energy_rule_between(source: Any, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and flux weights on [a, b] (split if it spans > x4)."""
    class _Window:
        breakpoints = (a, b)
        flux = source.flux

    return energy_rule(_Window, a)


def _gamma(q: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float,
           n_threads: int = 1) -> np.ndarray:
    """Gamma_NP at momenta q: compiled form-factor kernel on n_threads when it can."""
    if not ffs.compiled:
        return _gamma_python(q, nuc, ffs, eps)
    kern = _backend.kernels()
    q = np.ascontiguousarray(q, dtype=np.float64)
    fz = np.empty(q.size)
    pz = ffs.proton.kernel_params(nuc.A)  # type: ignore[union-attr]
    kern.form_factor(q, pz.model, pz.p1, pz.p2, fz, n_threads)
    if ffs.neutron is ffs.proton or ffs.neutron == ffs.proton:
        fn = fz
    else:
        fn = np.empty(q.size)
        pn = ffs.neutron.kernel_params(nuc.A)  # type: ignore[union-attr]
        kern.form_factor(q, pn.model, pn.p1, pn.p2, fn, n_threads)
    return (eps * nuc.Z * fz - nuc.N * fn) ** 2


def _add_dN_dq2(
    source: Any, v: np.ndarray, scale: float, cap: float, nuc: Nucleus,
    ffs: NuclearFormFactors, eps: float, weight: float, out: np.ndarray, add: bool,
    n_threads: int = 1,
) -> None:
    """out (+)= weight x integral Phi dsigma/dq2 dE at q2 = scale min(v, cap), per
    target nucleus and unit exposure (cm^2/MeV^2 x flux)."""
    model = _cheb_model(source)
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
            out[r] += weight * _dN_dq2_numpy(source, q2, nuc, ffs, eps, n_threads)
        return
    val = weight * _dN_dq2_numpy(source, scale * np.minimum(v, cap), nuc, ffs, eps, n_threads)
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
    x = E_min_for_T(T, nuc.mass)
    F0, F2 = _flux_moments(source, x, n_threads)
    gam = _gamma(np.sqrt(q2), nuc, ffs, eps, n_threads)
    return DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 * gam * np.maximum(F0 - 0.25 * q2 * F2, 0.0)


def _exposure(target: Target, mass_kg: Any, time_s: Any,
              source: Any = None) -> tuple[float, float]:
    m = _validation.as_float(mass_kg, "mass_kg", min_value=0.0, unit="kg")
    t = _validation.as_float(time_s, "time_s", min_value=0.0, unit="s")
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
) -> FloatOrArray:
    """Recoil spectrum dN/dT for a detector exposure.

    Parameters
    ----------
    source : coherency.sources.Source
    target : Target, Nucleus or str
    T : array_like, MeV
        Nuclear recoil energy, >= 0.
    mass_kg : float, kg
        Target mass (nuclei per kg from the target's composition).
    time_s : float, s
        Exposure time (use 1 for a fluence source such as a supernova).
    form_factor, epsilon
        As in :func:`coherency.dsigma_dq2`.
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
    source = _check_source(source)
    nt = check_threads(n_threads)
    Ta = _validation.as_float_array(T, "T", min_value=0.0, unit="MeV", n_threads=nt)
    tgt, ffs, eps = _setup(target, form_factor, epsilon)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    flat = _validation.flat(Ta)
    out = np.zeros(flat.size)
    E_top = float(source.E_max)
    for k, (nuc, per_kg) in enumerate(tgt.component_nuclei_per_kg()):
        # above the reach T_max(E_max) dN/dT = 0: clip there (no overflow for huge T);
        # dN/dT = 2M dN/dq2 at q2 = 2M T
        T_top = 2.0 * E_top * E_top / (nuc.mass + 2.0 * E_top)
        _add_dN_dq2(source, flat, 2.0 * nuc.mass, 2.0 * T_top, nuc, ffs, eps,
                    per_kg * 2.0 * nuc.mass * m * t, out, k > 0, nt)
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
) -> FloatOrArray:
    """Event distribution in q^2, dN/dq^2 (events per MeV^2) for an exposure.

    Same parameters as :func:`recoil_spectrum` (``n_threads`` too) with ``q2``
    (MeV^2, >= 0) instead of T;
    dN/dq^2 = dN/dT / (2M) summed over the target's nuclei.
    """
    source = _check_source(source)
    nt = check_threads(n_threads)
    qa = _validation.as_float_array(q2, "q2", min_value=0.0, unit="MeV^2", n_threads=nt)
    tgt, ffs, eps = _setup(target, form_factor, epsilon)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    flat = _validation.flat(qa)
    out = np.zeros(flat.size)
    E_top = float(source.E_max)
    for k, (nuc, per_kg) in enumerate(tgt.component_nuclei_per_kg()):
        q2_top = 4.0 * E_top * E_top * nuc.mass / (nuc.mass + 2.0 * E_top)
        # dN/dq2 = 0 above the reach: clip there
        _add_dN_dq2(source, flat, 1.0, 2.0 * q2_top, nuc, ffs, eps, per_kg * m * t, out,
                    k > 0, nt)
    return _validation.restore_shape(out, qa.shape)


def max_q2(source: Any, target: Any) -> float:
    """Largest q^2 (MeV^2) a source can give on a target: q2_max(E_max) of its
    lightest nucleus; 4 E^2 M/(M + 2E)."""
    source = _check_source(source)
    tgt = as_target(target)
    E = float(source.E_max)
    return max(4.0 * E * E * nuc.mass / (nuc.mass + 2.0 * E) for nuc, _ in tgt.components)


def _kinks(source: Any, nuc: Nucleus) -> list[float]:
    """Recoil energies where dN/dT is not smooth: T_max of breakpoints and lines."""
    E = [float(b) for b in source.breakpoints] + [float(e) for e, _ in source.lines]
    return [2.0 * e * e / (nuc.mass + 2.0 * e) for e in E if e > 0]


def _apply_response(
    T: np.ndarray, efficiency: Callable | None, quenching: Callable | float | None
) -> np.ndarray:
    if efficiency is None:
        return np.ones_like(T)
    x = T if quenching is None else _quench(T, quenching)
    eff = np.asarray(efficiency(x), dtype=np.float64)
    if eff.shape != T.shape:
        eff = np.broadcast_to(eff, T.shape)
    if not np.all(np.isfinite(eff)) or np.any(eff < 0) or np.any(eff > 1 + 1e-12):
        raise ValueError("efficiency must return values in [0, 1]")
    return eff


def _quench(T: np.ndarray, quenching: Callable | float) -> np.ndarray:
    if callable(quenching):
        return np.asarray(quenching(T), dtype=np.float64)
    qf = _validation.as_float(quenching, "quenching", min_value=0.0, exclusive_min=True)
    return qf * T


def _nr_from_ee(T_ee: float, quenching: Callable | float, T_hi: float) -> float:
    """Invert T_ee = quench(T_nr) (monotone) for a threshold given in electron equivalent."""
    if not callable(quenching):
        return T_ee / _validation.as_float(quenching, "quenching", min_value=0.0, exclusive_min=True)
    f = lambda t: float(np.asarray(quenching(np.array([t])))[0]) - T_ee  # noqa: E731
    if f(T_hi) < 0:
        return T_hi
    return optimize.brentq(f, 0.0, T_hi, xtol=1e-15, rtol=1e-13)


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
) -> float:
    """Expected number of events in a recoil window.

    Parameters
    ----------
    source : coherency.sources.Source
    target : Target, Nucleus or str
    mass_kg : float, kg
    time_s : float, s
        Exposure time (1 for a fluence source).
    T_min, T_max : float, MeV
        Window in nuclear-recoil energy, or in electron-equivalent energy when
        ``energy_scale="ee"`` (then ``quenching`` converts). T_max None: no upper cut.
    efficiency : callable, optional
        Detection efficiency in [0, 1] as a function of the recoil energy in MeV on
        the ``energy_scale`` (nuclear recoil, or electron equivalent after quenching).
    quenching : callable or float, optional
        T_nr (MeV) -> T_ee (MeV), or a constant quenching factor.
    energy_scale : "nr" or "ee"
        Scale of T_min, T_max and of the efficiency's argument.
    form_factor, epsilon
        As in :func:`coherency.dsigma_dq2`.
    n_threads : int
        Threads of the compiled loops: an int in [1, 1024], of which at most the CPUs
        available to the process are used (``coherency.config()["cpus_available"]``);
        small inputs run on one thread; the result does not depend on it.

    Returns
    -------
    float
        Expected counts: integral of dN/dT x efficiency over the window.
    """
    source = _check_source(source)
    nt = check_threads(n_threads)
    tgt, ffs, eps = _setup(target, form_factor, epsilon)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    scale = _validation.check_choice(energy_scale, "energy_scale", ("nr", "ee"))
    lo = _validation.as_float(T_min, "T_min", min_value=0.0, unit="MeV")
    hi = None if T_max is None else _validation.as_float(T_max, "T_max", min_value=0.0, unit="MeV")
    if hi is not None and hi < lo:
        raise ValueError(f"T_max must be >= T_min = {lo:g} MeV; got {hi:g}")
    if scale == "ee" and quenching is None:
        raise ValueError("energy_scale='ee' needs quenching (T_nr -> T_ee)")
    total = 0.0
    E_top = float(source.E_max)
    for nuc, per_kg in tgt.component_nuclei_per_kg():
        T_top = 2.0 * E_top * E_top / (nuc.mass + 2.0 * E_top)
        a, b = lo, (T_top if hi is None else min(hi, T_top))
        if scale == "ee":
            a = _nr_from_ee(lo, quenching, T_top)  # type: ignore[arg-type]
            b = T_top if hi is None else _nr_from_ee(hi, quenching, T_top)  # type: ignore[arg-type]
        if not b > a:
            continue
        edges = sorted({a, b, *(k for k in _kinks(source, nuc) if a < k < b)})
        # panels: split further so each spans at most a factor 4 in T
        nodes_all, w_all = [], []
        for x0, x1 in zip(edges[:-1], edges[1:]):
            sub = [x0, x1]
            if x0 > 0 and x1 / x0 > 4:
                # log difference: x1 / x0 overflows for a subnormal x0
                n = math.ceil((math.log(x1) - math.log(x0)) / MAX_LOG_WIDTH)
                sub = list(np.geomspace(x0, x1, n + 1))
            elif x0 == 0:
                # from zero: one panel up to x1/64, then geometric
                first = x1 / 64
                sub = [0.0, *np.geomspace(first, x1, 4)] if first > 0 else [0.0, x1]
            for y0, y1 in zip(sub[:-1], sub[1:]):
                nodes_all.append(0.5 * (y0 + y1) + 0.5 * (y1 - y0) * E_GL_X)
                w_all.append(0.5 * (y1 - y0) * E_GL_W)
        T_nodes = np.concatenate(nodes_all)
        w = np.concatenate(w_all)
        q2 = 2.0 * nuc.mass * T_nodes
        dN = 2.0 * nuc.mass * _dN_dq2_nucleus(source, q2, nuc, ffs, eps, nt)
        resp = _apply_response(T_nodes, efficiency, quenching if scale == "ee" else None)
        total += per_kg * float(np.dot(w, dN * resp))
    return total * m * t


def q2_fwhm(
    source: Any,
    target: Any,
    T_min: float = 0.0,
    form_factor: FormFactorSpec = "helm",
    epsilon: float | None = None,
    n_grid: int = 4000,
) -> tuple[float, float]:
    """q^2 range (MeV^2) where the event distribution dN/dq^2 exceeds half its maximum.

    Sharma & Wong's "q^2 range specified by FWHM in [Phi sigma]" (Fig. 2): dN/dq^2 is
    proportional to integral Phi(E) dsigma/dq2 dE, with the threshold applied
    (q^2 >= 2 M T_min). The maximum is located on a grid and refined with a bounded
    scalar search; the half-maximum crossings are found with brentq.

    Returns
    -------
    (lo, hi) : tuple of float, MeV^2
    """
    source = _check_source(source)
    T = _validation.as_float(T_min, "T_min", min_value=0.0, unit="MeV")
    tgt = as_target(target)
    q2_lo = min(2.0 * nuc.mass * T for nuc, _ in tgt.components)
    q2_hi = max_q2(source, tgt)
    if not q2_hi > q2_lo:
        raise ValueError(f"T_min = {T:g} MeV is above every recoil this source can give")

    def density(q2: np.ndarray) -> np.ndarray:
        q2 = np.atleast_1d(np.asarray(q2, dtype=np.float64))
        val = np.asarray(q2_spectrum(source, tgt, q2, form_factor=form_factor, epsilon=epsilon))
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
    lo = q2_lo if j0 == 0 else optimize.brentq(g, grid[j0 - 1], grid[j0], xtol=1e-12, rtol=1e-12)
    hi = q2_hi if j1 == n_grid - 1 else optimize.brentq(g, grid[j1], grid[j1 + 1], xtol=1e-12, rtol=1e-12)
    return float(lo), float(hi)
