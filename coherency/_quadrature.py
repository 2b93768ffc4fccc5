"""Quadrature rules of the rate engine (docs/physics.md §6.4).

Energy rules: a Gauss-Legendre rule on every smooth interval of a source's continuum
(between its breakpoints, above a threshold energy), after the map
E = b - (b - a)(1 - u)^2 that makes beta-decay end points smooth, with the flux folded
into the weights and the discrete lines added as nodes of their own; and recoil rules
in T for :func:`coherency.event_rate`. Rules depend only on the source and the
threshold, so they are cached for frozen sources (:mod:`coherency._cache`).

A table interpolated linearly has a breakpoint at every knot; one Gauss-Legendre
rule per knot interval would cost a node count linear in the table. Its rule is a
product rule instead (:func:`table_rule`): Chebyshev nodes on a few panels that
ignore the knots, with weights w_j = int Phi(E) l_j(E) dE (l_j the Lagrange
polynomials of the panel's nodes) computed exactly for the piecewise-linear Phi. The
rule is exact for Phi times any polynomial of degree < TABLE_ORDER on each panel, so
its error is that of interpolating the smooth factor (the cross section), not the
table (docs/physics.md Eq. (6.5b)).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _validation
from ._cache import memoize

__all__ = [
    "E_GL_W",
    "cheb_interp",
    "linear_table",
    "E_GL_X",
    "E_ORDER",
    "MAX_LOG_WIDTH",
    "check_source",
    "energy_rule",
    "energy_rule_between",
    "lines_above",
    "recoil_panels",
    "recoil_rule",
    "rule",
    "table_rule",
    "total_flux",
]

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



def check_source(source: Any) -> Any:
    """A source the rate engine can integrate: the members of
    :class:`coherency.sources.SourceLike` (``TypeError`` otherwise), and neutrino
    energies (breakpoints and lines) finite, >= 0 and at most
    :data:`coherency._validation.E_NU_MAX_MEV` (``ValueError`` naming the source)."""
    kind = type(source)
    for attr in ("flux", "lines", "breakpoints", "total_flux"):
        # look on the class first: hasattr(source, "total_flux") would evaluate the
        # property, which may integrate the spectrum
        if not hasattr(kind, attr) and not hasattr(source, attr):
            raise TypeError(
                f"source must be a coherency.sources.Source (with flux, lines, breakpoints, "
                f"total_flux); got {type(source).__name__}"
            )
    _check_energies(source)
    return source


@memoize("source energy checks", per_backend=False)
def _check_energies(source: Any) -> bool:
    """The energy domain of a source (cached for frozen sources)."""
    # one array op over the breakpoints (a table brings thousands of them) where they
    # are plain numbers; anything else is read one by one, as float() reads it
    items = list(source.breakpoints)
    breaks = np.asarray(items)
    if breaks.ndim != 1 or breaks.dtype.kind not in "fiu":
        breaks = np.array([float(b) for b in items], dtype=np.float64)
    breaks = breaks.astype(np.float64, copy=False)
    lines = [(float(e), float(f)) for e, f in source.lines]
    energies = np.concatenate([breaks, [e for e, _ in lines], [f for _, f in lines]])
    bad = ~(np.isfinite(energies) & (energies >= 0.0))
    name = getattr(source, "name", type(source).__name__)
    if bad.any():
        value = float(energies[int(np.argmax(bad))])  # the first, in the order above
        raise ValueError(f"source: {name} has a breakpoint, line energy or line flux "
                         f"{value!r}; each must be finite and >= 0")
    top = float(energies[:breaks.size + len(lines)].max(initial=0.0))
    if top > _validation.E_NU_MAX_MEV:
        raise ValueError(f"source: {name} reaches E = {top:g} MeV; neutrino energies must be "
                         f"<= {_validation.E_NU_MAX_MEV:g} MeV (E_NU_MAX_MEV, the domain of "
                         "the cross sections and the rate engine)")
    return True


def mapped_rule(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
    nodes, weights = mapped_rule(np.array([iv[0] for iv in ivals]),
                                 np.array([iv[1] for iv in ivals]))
    nodes = nodes.reshape(-1)
    flux = np.asarray(source.flux(nodes), dtype=np.float64).reshape(-1)
    return nodes, weights.reshape(-1) * flux


def lines_above(source: Any, E_lo: float) -> tuple[np.ndarray, np.ndarray]:
    lines = [(float(e), float(f)) for e, f in source.lines if e >= E_lo and f > 0]
    if not lines:
        return np.empty(0), np.empty(0)
    arr = np.array(lines)
    return arr[:, 0].copy(), arr[:, 1].copy()


def energy_rule_between(source: Any, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and flux weights on [a, b] (split if it spans > x4)."""
    class _Window:
        breakpoints = (a, b)
        flux = source.flux

    return energy_rule(_Window, a)


def cheb_interp(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Chebyshev points of the first kind y_k (n of them, in [-1, 1]) and the matrix D
    with D @ f(y) = the coefficients of the degree n - 1 interpolant of f."""
    k = np.arange(n)
    dct = (2.0 / n) * np.cos(np.pi * np.outer(k, k + 0.5) / n)
    dct[0] *= 0.5
    return np.cos(np.pi * (k + 0.5) / n), dct


def linear_table(source: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The knots (E, flux) of a source whose continuum is linear between its knots and
    zero outside them (``Tabulated(kind="linear")``), else None."""
    table = getattr(source, "_piecewise_linear", None)
    return table() if callable(table) else None


# Nodes per panel of the product rule of a linear table: Chebyshev points of the first
# kind, the rule exact for Phi times polynomials of degree < TABLE_ORDER per panel.
TABLE_ORDER = 48
_TABLE_Y, _TABLE_DCT = cheb_interp(TABLE_ORDER)
# first and second antiderivatives of T_0 .. T_{N-1}, as Chebyshev series (columns)
_TABLE_INT1 = np.polynomial.chebyshev.chebint(np.eye(TABLE_ORDER), m=1)
_TABLE_INT2 = np.polynomial.chebyshev.chebint(np.eye(TABLE_ORDER), m=2)


def _panels(edges: list[float]) -> list[tuple[float, float]]:
    """The intervals between sorted ``edges``, each split geometrically so that it
    spans at most a factor 4 (as :func:`energy_rule`)."""
    out: list[tuple[float, float]] = []
    for a, b in zip(edges[:-1], edges[1:]):
        if not b > a:
            continue
        if a > 0 and math.log(b / a) > MAX_LOG_WIDTH:
            n = math.ceil(math.log(b / a) / MAX_LOG_WIDTH)
            cut = np.geomspace(a, b, n + 1)
            cut[0], cut[-1] = a, b
            out.extend(zip(cut[:-1].tolist(), cut[1:].tolist()))
        else:
            out.append((a, b))
    return out


def _chebyshev_moments(E: np.ndarray, f: np.ndarray, lo: np.ndarray, hi: np.ndarray
                       ) -> np.ndarray:
    """nu[p, m] = int_{lo_p}^{hi_p} Phi(E) T_m(y) dE, y = (2E - lo_p - hi_p)/(hi_p - lo_p),
    for the piecewise-linear Phi through (E, f) (zero outside), m < TABLE_ORDER.

    Integrating by parts twice, with P1, P2 the first and second antiderivatives of
    T_m and Phi' (in y) constant between knots,
      int_{-1}^{1} Phi T_m dy = [Phi P1 - Phi' P2]_{-1}^{1} + sum_k ds_k P2(y_k),
    ds_k the jump of Phi' at each knot y_k inside the panel: exact, and the knots
    enter only through u_j = sum_k ds_k T_j(y_k), one Chebyshev recurrence over the
    knots (no matrix of knots x degrees)."""
    nu = np.empty((lo.size, TABLE_ORDER))
    int1, int2 = _TABLE_INT1, _TABLE_INT2
    ones = np.ones(TABLE_ORDER + 2)
    alt = (-1.0) ** np.arange(TABLE_ORDER + 2)
    P1_hi, P1_lo = ones[:TABLE_ORDER + 1] @ int1, alt[:TABLE_ORDER + 1] @ int1
    P2_hi, P2_lo = ones @ int2, alt @ int2
    for p in range(lo.size):
        a, b = float(lo[p]), float(hi[p])
        half, mid = 0.5 * (b - a), 0.5 * (a + b)
        i, j = np.searchsorted(E, a, side="right"), np.searchsorted(E, b, side="left")
        # the points of the panel: a, the knots strictly inside, b
        pts = np.concatenate([[a], E[i:j], [b]])
        vals = np.interp(pts, E, f, left=0.0, right=0.0)
        y = np.clip((pts - mid) / half, -1.0, 1.0)
        slope = np.diff(vals) / np.diff(y)
        ds = np.diff(slope)  # jumps at the inner points
        acc = np.zeros(TABLE_ORDER + 2)
        if ds.size:
            yk = y[1:-1]
            t_prev, t_cur = np.ones_like(yk), yk.copy()
            acc[0] = ds.sum()
            acc[1] = ds @ t_cur
            y2 = 2.0 * yk
            for m in range(2, TABLE_ORDER + 2):
                t_prev, t_cur = t_cur, y2 * t_cur - t_prev
                acc[m] = ds @ t_cur
        nu[p] = (vals[-1] * P1_hi - vals[0] * P1_lo - slope[-1] * P2_hi + slope[0] * P2_lo
                 + acc @ int2) * half
    return nu


@memoize("linear-table rules", per_backend=False)
def table_rule(source: Any, E_lo: float, cuts: tuple[float, ...] = ()
               ) -> tuple[np.ndarray, np.ndarray]:
    """Product rule of a linear table above E_lo: nodes E_j and weights w_j with
    sum_j w_j g(E_j) = int_{E_lo} Phi g dE exactly for g a polynomial of degree
    < TABLE_ORDER on each panel. Panels: from max(E_lo, first knot) to the last knot,
    cut at ``cuts`` (where g is not smooth) and where they span more than a factor
    4; the knots play no part in them."""
    table = linear_table(source)
    assert table is not None
    E, f = table
    a = max(float(E_lo), float(E[0]))
    b = float(E[-1])
    if not b > a:
        return np.empty(0), np.empty(0)
    edges = sorted({a, b, *(float(c) for c in cuts if a < c < b)})
    panels = _panels(edges)
    lo = np.array([p[0] for p in panels])
    hi = np.array([p[1] for p in panels])
    nu = _chebyshev_moments(E, f, lo, hi)
    weights = nu @ _TABLE_DCT  # w_j = sum_m nu_m D[m, j]: D maps values to coefficients
    nodes = 0.5 * (lo + hi)[:, None] + 0.5 * (hi - lo)[:, None] * _TABLE_Y[None, :]
    nodes, weights = nodes.reshape(-1), weights.reshape(-1)
    nodes.setflags(write=False)
    weights.setflags(write=False)
    return nodes, weights


@memoize("energy rules")
def rule(source: Any, E_thr: float) -> tuple[np.ndarray, np.ndarray]:
    """Continuum nodes and lines above E_thr as one rule: sum(w g(E)) ~ int Phi g dE
    (a product rule for a linear table, :func:`table_rule`)."""
    if linear_table(source) is not None:
        nodes, weights = table_rule(source, E_thr)
    else:
        nodes, weights = energy_rule(source, E_thr)
    line_E, line_flux = lines_above(source, E_thr)
    E = np.concatenate([nodes, line_E])
    w = np.concatenate([weights, line_flux])
    keep = E > 0
    E, w = np.ascontiguousarray(E[keep]), np.ascontiguousarray(w[keep])
    E.setflags(write=False)
    w.setflags(write=False)
    return E, w



@memoize("total fluxes", per_backend=False)
def total_flux(source: Any) -> float:
    """The source's total flux (> 0), ν cm⁻² s⁻¹ (ν cm⁻² for a fluence)."""
    total = float(source.total_flux)
    if not total > 0:
        raise ValueError(f"source total_flux must be > 0; got {total!r}")
    if not total < math.inf:
        raise ValueError(f"source total_flux must be finite; got {total!r}")
    return total


def recoil_panels(edges: list[float]) -> list[tuple[float, float]]:
    """The panels in recoil energy T (MeV) between sorted ``edges`` (the window and
    the kinks of dN/dT), each split further so that it spans at most a factor 4 in T
    (a first panel from 0 ends at 1/64 of its top)."""
    out: list[tuple[float, float]] = []
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
        out.extend(zip(sub[:-1], sub[1:]))
    return out


def recoil_rule(edges: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights in recoil energy T (MeV) over
    :func:`recoil_panels` of ``edges``: sum(w f(T)) ~ integral f dT."""
    nodes_all, w_all = [], []
    for y0, y1 in recoil_panels(edges):
        nodes_all.append(0.5 * (y0 + y1) + 0.5 * (y1 - y0) * E_GL_X)
        w_all.append(0.5 * (y1 - y0) * E_GL_W)
    return np.concatenate(nodes_all), np.concatenate(w_all)
