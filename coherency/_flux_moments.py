"""Flux moments of a source for recoil spectra (docs/physics.md §6.4).

F_k(x) = integral_x^inf Phi(E) E^-k dE, k = 0, 2 (lines included): at fixed q the E
integral of dsigma/dq2 is F0(E_min) - q^2/4 F2(E_min), so a recoil spectrum needs
them at one x per recoil energy. They come from piecewise Chebyshev antiderivatives
of the flux, built once per frozen source and evaluated by the compiled
``cheb_moments``; points the model does not trust use a direct Gauss-Legendre rule.

A table interpolated linearly (:class:`coherency.sources.Tabulated`, ``kind="linear"``)
has moments in closed form (docs/physics.md Eq. (6.5a)): on each interval the flux is a
straight line, so F0 is a sum of trapezoids and F2 of the two integrals of
:func:`_hat_moments`. Those cost a binary search per point and no model, whatever the
length of the table; sums of sources add their components' moments.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _backend, _validation
from ._cache import is_frozen, memoize
from ._quadrature import (
    MAX_LOG_WIDTH,
    cheb_interp,
    energy_rule_between,
    linear_table,
    mapped_rule,
)
from ._records import FluxModel

__all__ = ["CHEB_CANCEL", "CHEB_N", "cheb_interp", "cheb_model", "flux_moments", "has_table",
           "linear_table", "tails"]

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


@memoize("flux-moment models")
def _cheb_model_frozen(source: Any) -> dict[str, Any]:
    bps = np.array(sorted(float(b) for b in source.breakpoints))
    keys, coef0, coef2, full0, full2, above0, above2, conv, t0s, t1s = ([] for _ in range(10))
    _, tail0, tail2 = tails(source)
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
                nodes, w = mapped_rule(np.array([E0]), np.array([E1]))
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


def has_table(source: Any) -> bool:
    """True for a linear table or a sum of sources with one among its components:
    those take the closed-form moments instead of a Chebyshev model."""
    if linear_table(source) is not None:
        return True
    parts = getattr(source, "components", None)
    return isinstance(parts, tuple) and any(linear_table(p) is not None for p in parts)


def _hat_moments(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) with int_lo^hi E^-2 (hi - E)/(hi - lo) dE = a and
    int_lo^hi E^-2 (E - lo)/(hi - lo) dE = b, for 0 < lo < hi (arrays).

    With u = (hi - lo)/lo: a = (1 - ln(1 + u)/u)/lo, b = (ln(1 + u)/u - 1/(1 + u))/lo,
    by their Taylor series below u = 0.05 (the closed forms cancel there; 13 terms
    leave < 1e-17 relative)."""
    u = (hi - lo) / lo
    small = u < 0.05
    us = np.where(small, u, 0.0)
    s1 = np.zeros_like(u)
    s2 = np.zeros_like(u)
    power = np.ones_like(u)
    for j in range(1, 14):
        power = power * us
        sign = 1.0 if j % 2 else -1.0
        s1 += sign * power / (j + 1)
        s2 += sign * power * j / (j + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ul = np.where(small, 1.0, u)
        ratio = np.log1p(ul) / ul
        a = np.where(small, s1, 1.0 - ratio)
        b = np.where(small, s2, ratio - 1.0 / (1.0 + ul))
    return a / lo, b / lo


@memoize("linear-table tails", per_backend=False)
def _table_tails(source: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Knots E, flux f and the closed-form moments above each knot, tail0[k] =
    int_{E_k} Phi dE and tail2[k] = int_{E_k} Phi/E^2 dE (inf when the table starts
    at E = 0 with a non-zero flux: F2 diverges there)."""
    table = linear_table(source)
    assert table is not None
    E, f = table
    full0 = 0.5 * (f[:-1] + f[1:]) * np.diff(E)
    full2 = np.empty(E.size - 1)
    pos = E[:-1] > 0.0
    a, b = _hat_moments(E[:-1][pos], E[1:][pos])
    full2[pos] = f[:-1][pos] * a + f[1:][pos] * b
    # an interval from E = 0: finite only without flux at 0 (then the line from 0 to
    # (E1, f1) gives int f1 E/E1 E^-2 dE = inf as well unless f1 = 0)
    full2[~pos] = np.where((f[:-1][~pos] > 0) | (f[1:][~pos] > 0), np.inf, 0.0)
    tail0 = np.concatenate([np.cumsum(full0[::-1])[::-1], [0.0]])
    tail2 = np.concatenate([np.cumsum(full2[::-1])[::-1], [0.0]])
    for arr in (E, f, tail0, tail2):
        arr.setflags(write=False)
    return E, f, tail0, tail2


def _table_moments(source: Any, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """F0(x), F2(x) of a linear table in closed form: the interval holding x from x to
    its top knot (a trapezoid, and :func:`_hat_moments` from x), plus the tails above.
    F2 is inf at x = 0 when the flux there is not zero (the integral diverges)."""
    E, f, tail0, tail2 = _table_tails(source)
    k = np.searchsorted(E, x, side="right") - 1
    below = k < 0
    inside = (k >= 0) & (k < E.size - 1)
    F0 = np.where(below, tail0[0], 0.0)
    F2 = np.where(below, tail2[0], 0.0)
    if inside.any():
        ki, xi = k[inside], x[inside]
        hi, fh = E[ki + 1], f[ki + 1]
        fx = f[ki] + (f[ki + 1] - f[ki]) * ((xi - E[ki]) / (hi - E[ki]))
        F0[inside] = tail0[ki + 1] + 0.5 * (fx + fh) * (hi - xi)
        pos = xi > 0.0
        a, b = _hat_moments(np.where(pos, xi, 1.0), np.where(pos, hi, 2.0))
        with np.errstate(invalid="ignore"):
            part2 = np.where(pos, fx * a + fh * b, np.where(fx > 0, np.inf, 0.0))
        F2[inside] = tail2[ki + 1] + part2
    return F0, F2


def cheb_model(source: Any) -> dict[str, Any] | None:
    """The cached model of a frozen, hashable source; None for others (building one
    costs more than the direct rule for a single call) and for sources with a linear
    table (:func:`has_table`: closed-form moments instead)."""
    if not is_frozen(source) or has_table(source):
        return None
    try:
        hash(source)
    except TypeError:
        return None
    return _cheb_model_frozen(source)


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
        nodes, w = mapped_rule(edges[:, :-1].reshape(-1), edges[:, 1:].reshape(-1))
        flux = np.asarray(source.flux(nodes.reshape(-1)), dtype=np.float64).reshape(nodes.shape)
        F0[sel] = np.sum((w * flux).reshape(sel.size, -1), axis=1)
        F2[sel] = np.sum((w * flux / nodes**2).reshape(sel.size, -1), axis=1)
    return F0 + tail0[k + 1], F2 + tail2[k + 1]


def flux_moments(
    source: Any, x: np.ndarray, n_threads: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """F0(x) = int_x Phi dE, F2(x) = int_x Phi/E^2 dE, lines included, vectorised."""
    if has_table(source):
        x = np.asarray(x, dtype=np.float64)
        if linear_table(source) is not None:
            return _table_moments(source, x)
        F0 = np.zeros(x.size)
        F2 = np.zeros(x.size)
        for part in source.components:
            p0, p2 = flux_moments(part, x, n_threads)
            F0 += p0
            F2 += p2
        return F0, F2
    model = cheb_model(source)
    bps, tail0, tail2 = tails(source)
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


@memoize("flux-moment tails")
def tails(source: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
