"""The event rate in a window of recoil energy with efficiency and quenching
(docs/physics.md §6): :func:`coherency.rates.event_rate` and its recoil rule.

Part of :mod:`coherency.rates`, which re-exports :func:`event_rate`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _validation
from ._quadrature import (
    TABLE_ORDER,
    cheb_interp,
    check_source,
    linear_table,
    recoil_panels,
    recoil_rule,
    table_rule,
)
from ._rate_inputs import Term, _exposure, _resolve, _terms, check_threads, threshold_energy
from ._spectra import _dN_dq2_nucleus, _gamma
from ._warnings import warn_beyond_reach
from .constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2
from .cross_sections import (
    _panel_dq,
)
from .detector.quenching import nr_from_ee_MeV
from .form_factors import (
    FormFactorSpec,
    NuclearFormFactors,
)
from .kinematics import T_max_of
from .targets import Nucleus, as_target


def _kinks(source: Any, nuc: Nucleus) -> list[float]:
    """Recoil energies where dN/dT is not smooth: T_max of breakpoints and lines."""
    E = [float(b) for b in source.breakpoints] + [float(e) for e, _ in source.lines]
    return [float(T_max_of(e, float(nuc.mass))) for e in E if e > 0]


def _split_tables(terms: list[Term]) -> tuple[list[Term], list[Term]]:
    """The terms whose source is a linear table (components of a sum included, each
    with the weight of its term), and the others."""
    tables: list[Term] = []
    others: list[Term] = []
    for term in terms:
        part = term[0]
        parts = getattr(part, "components", None)
        if linear_table(part) is not None:
            tables.append(term)
        elif isinstance(parts, tuple) and any(linear_table(p) is not None for p in parts):
            for p in parts:
                (tables if linear_table(p) is not None else others).append((p, *term[1:]))
        else:
            others.append(term)
    return tables, others


_T_Y, _T_DCT = cheb_interp(TABLE_ORDER)
# antiderivative of each Chebyshev basis polynomial, as columns
_T_INT = np.polynomial.chebyshev.chebint(np.eye(TABLE_ORDER))
_T_DEGREES = np.arange(TABLE_ORDER + 1, dtype=np.float64)
_T_INT_LO_VEC = (-1.0) ** _T_DEGREES  # T_j(-1)


def _table_window(
    source: Any, nuc: Nucleus, ffs: NuclearFormFactors, eps: float, a: float, b: float,
    T_top: float, efficiency: Callable | None, quenching: Callable | float | None,
) -> float:
    """Events of a linear table in the recoil window [a, b] (MeV), per target nucleus
    and unit exposure: the double integral with E outside (docs/physics.md Eq. (6.5c)),

        int Phi(E) H(E) dE,  H(E) = G0(tau) - M/(2E^2) G1(tau),  tau = min(b, T_max(E)),
        G_k(tau) = int_a^tau g(T) T^k dT,  g = 2M dsigma/dq2 / (1 - q^2/4E^2) x eff,

    g being smooth in T: G0, G1 are Chebyshev antiderivatives on the recoil panels
    (one form-factor evaluation per node, as the T-outer rule), and the E integral is
    the table's product rule (:func:`coherency._quadrature.table_rule`) with panels
    cut at the images E_min of the recoil panels' edges, where H is smooth. Nothing
    here has the size of the table."""
    M = float(nuc.mass)
    edges = sorted({a, b, *_q_cuts(a, b, M, _panel_dq(ffs, nuc))})
    panels = recoil_panels(edges)
    lo = np.array([p[0] for p in panels])
    hi = np.array([p[1] for p in panels])
    half, mid = 0.5 * (hi - lo), 0.5 * (hi + lo)
    T = (mid[:, None] + half[:, None] * _T_Y[None, :]).reshape(-1)
    g = (2.0 * M * DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2) * _gamma(np.sqrt(2.0 * M * T), nuc,
                                                               ffs, eps)
    g = (g * _apply_response(T, efficiency, quenching)).reshape(lo.size, TABLE_ORDER)
    # antiderivative series per panel (rows), from y = -1, in units of T
    A0 = (g @ _T_DCT.T) @ _T_INT.T * half[:, None]
    A1 = ((g * T.reshape(g.shape)) @ _T_DCT.T) @ _T_INT.T * half[:, None]
    lo0, lo1 = A0 @ _T_INT_LO_VEC, A1 @ _T_INT_LO_VEC
    full0, full1 = A0.sum(axis=1) - lo0, A1.sum(axis=1) - lo1
    cum0 = np.concatenate([[0.0], np.cumsum(full0)])
    cum1 = np.concatenate([[0.0], np.cumsum(full1)])
    E_cuts = tuple(threshold_energy(t, M) for t in edges[1:-1])
    if b < T_top:
        E_cuts += (threshold_energy(b, M),)
    E, w = table_rule(source, threshold_energy(a, M), E_cuts)
    if E.size == 0:
        return 0.0
    tau = np.minimum(T_max_of(E, M), b)
    inside = tau > a
    E, w, tau = E[inside], w[inside], tau[inside]
    p = np.clip(np.searchsorted(hi, tau, side="left"), 0, lo.size - 1)
    y = np.clip((tau - mid[p]) / half[p], -1.0, 1.0)
    V = np.cos(np.arccos(y)[:, None] * _T_DEGREES)  # T_j(y)
    G0 = cum0[p] + np.einsum("ij,ij->i", V, A0[p]) - lo0[p]
    G1 = cum1[p] + np.einsum("ij,ij->i", V, A1[p]) - lo1[p]
    return float(np.dot(w, G0 - G1 * (0.5 * M / (E * E))))


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
    model: Any = None,
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
    form_factor, epsilon, couplings, model
        As in :func:`coherency.flux_averaged_sigma` (with a model, T_min must be > 0
        where the model diverges at T = 0).
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
    if model is not None:
        from .bsm import _public

        return _public.event_rate(source, target, mass_kg, time_s, T_min, T_max, efficiency,
                                  quenching, energy_scale, form_factor, epsilon, n_threads,
                                  couplings, model)
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
    # linear tables integrate with E outside (_table_window), at a cost that does not
    # grow with the table; the rest with T outside, panels cut at their kinks
    tables, others = _split_tables(terms)
    quench = quenching if scale == "ee" else None
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
        for part, weight, part_ffs, eps in tables:
            total += per_kg * weight * _table_window(part, nuc, part_ffs, eps, a, b, T_top,
                                                     efficiency, quench)
        if not others:
            continue
        kinks = (_kinks(source, nuc) if not tables else
                 [k for term in others for k in _kinks(term[0], nuc)])
        edges = sorted({a, b, *(k for k in kinks if a < k < b),
                        *_q_cuts(a, b, float(nuc.mass), _panel_dq(ffs, nuc))})
        T_nodes, w = recoil_rule(edges)
        q2 = 2.0 * nuc.mass * T_nodes
        dN = 2.0 * nuc.mass * sum(
            weight * _dN_dq2_nucleus(part, q2, nuc, part_ffs, eps, nt)
            for part, weight, part_ffs, eps in others)
        resp = _apply_response(T_nodes, efficiency, quench)
        total += per_kg * float(np.dot(w, dN * resp))
    counts = total * m * t
    if counts == 0.0 and beyond:
        warn_beyond_reach("event_rate", lo, reach, E_top, scale)
    _validation.check_finite_result(counts, "event_rate", "reduce mass_kg x time_s or "
                                    "the source's flux")
    return counts
