"""Quadrature rules of the rate engine (docs/physics.md §6.4).

Energy rules: a Gauss-Legendre rule on every smooth interval of a source's continuum
(between its breakpoints, above a threshold energy), after the map
E = b - (b - a)(1 - u)^2 that makes beta-decay end points smooth, with the flux folded
into the weights and the discrete lines added as nodes of their own; and recoil rules
in T for :func:`coherency.event_rate`. Rules depend only on the source and the
threshold, so they are cached for frozen sources (:mod:`coherency._cache`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _validation
from ._cache import memoize

__all__ = [
    "E_GL_W",
    "E_GL_X",
    "E_ORDER",
    "MAX_LOG_WIDTH",
    "check_source",
    "energy_rule",
    "energy_rule_between",
    "lines_above",
    "recoil_rule",
    "rule",
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
    energies = [float(b) for b in source.breakpoints]
    energies += [float(e) for e, _ in source.lines]
    energies += [float(f) for _, f in source.lines]
    name = getattr(source, "name", type(source).__name__)
    for value in energies:
        if not math.isfinite(value) or value < 0.0:
            raise ValueError(f"source: {name} has a breakpoint, line energy or line flux "
                             f"{value!r}; each must be finite and >= 0")
    top = max([float(b) for b in source.breakpoints] + [float(e) for e, _ in source.lines],
              default=0.0)
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


@memoize("energy rules")
def rule(source: Any, E_thr: float) -> tuple[np.ndarray, np.ndarray]:
    """Continuum nodes and lines above E_thr as one rule: sum(w g(E)) ~ int Phi g dE."""
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


def recoil_rule(edges: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights in recoil energy T (MeV) over the panels
    between sorted ``edges`` (the window and the kinks of dN/dT), each panel split
    further so that it spans at most a factor 4 in T (a first panel from 0 ends at
    1/64 of its top): sum(w f(T)) ~ integral f dT."""
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
    return np.concatenate(nodes_all), np.concatenate(w_all)
