"""Numpy twin of the detector-response kernels (csrc/coh_resp.h): the regularised
incomplete gamma and the response matrix.

Part of :mod:`coherency._reference` (the numpy/scipy twin of every kernel); the
functions are reached through it."""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from . import _records, _status
from ._records import (
    ResolutionParams,
)
from ._reference import FloatArray, _same_length

# --- detector response -----------------------------------------------------------

# Domain limits of csrc/coh_resp.h (COH_GAMMA_MAX_A, COH_POISSON_MAX_MEAN).
GAMMA_MAX_A = 1e8
POISSON_MAX_MEAN = 1e8
# Nodes per block of the continuous models (bounds the (nodes x grid) temporaries).
_RESP_BLOCK = 256


def gammainc_pq(a: FloatArray, x: FloatArray, P: FloatArray, Q: FloatArray,
                n_threads: int = 1) -> None:
    """P[i] = P(a[i], x[i]) and Q[i] = Q(a[i], x[i]) = 1 - P[i], the regularised lower
    and upper incomplete gamma functions (csrc/coh_resp.h), for 0 < a <= 1e8 and
    x >= 0 (x = inf allowed); anything else is COH_EBADARG."""
    _same_length(len(a), len(x), "a and x")
    _same_length(len(a), len(P), "a and P")
    _same_length(len(a), len(Q), "a and Q")
    a = np.asarray(a, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if not np.all((a > 0.0) & (a <= GAMMA_MAX_A) & (x >= 0.0)):
        _status.raise_status(_status.BAD_ARG, "gammainc_pq")
    P[:] = special.gammainc(a, x)
    Q[:] = special.gammaincc(a, x)


def _check_resolution(res: ResolutionParams, where: str) -> None:
    """The checks of coh_resolution_check (csrc/coh_resp.c)."""
    if not 0 <= res.model < _records.RES_COUNT:
        _status.raise_status(_status.BAD_RESOLUTION, where)
    used = {_records.RES_GAMMA: (res.p1,),
            _records.RES_GAUSS: (res.p1, res.p2, res.p3)}.get(res.model, ())
    if not all(0.0 <= p < math.inf for p in used):
        _status.raise_status(_status.BAD_ARG, where)


def _check_response_grid(gx: FloatArray, geps: FloatArray, edges: FloatArray,
                         where: str) -> None:
    """The checks of coh_response_grid_check (csrc/coh_resp.c)."""
    ok = (len(gx) >= 2 and len(edges) >= 2 and bool(np.all(np.isfinite(edges)))
          and bool(np.all(np.diff(edges) > 0.0)) and bool(np.all(np.isfinite(gx)))
          and bool(np.all(np.diff(gx) >= 0.0))
          and bool(np.all((geps >= 0.0) & (geps <= 1.0)))
          and gx[0] == edges[0] and gx[-1] == edges[-1]
          and bool(np.all(np.isin(edges, gx))))
    if not ok:
        _status.raise_status(_status.BAD_GRID, where)


def _eps_at(gx: FloatArray, geps: FloatArray, x: FloatArray) -> FloatArray:
    """The right-continuous piecewise-linear efficiency at x (>= gx[0])."""
    k = np.searchsorted(gx, x, side="right") - 1
    last = k >= len(gx) - 1
    k = np.minimum(k, len(gx) - 2)
    x0, x1 = gx[k], gx[k + 1]
    width = np.where(last, 1.0, x1 - x0)
    frac = np.where(last, 1.0, (x - x0) / width)
    return np.where(last, geps[-1], geps[k] * (1.0 - frac) + geps[k + 1] * frac)


def _response_delta(m: FloatArray, gx: FloatArray, geps: FloatArray, edges: FloatArray,
                    rows: FloatArray) -> None:
    """A point mass at each m: eps(m) into the bin [edges[b], edges[b+1]) holding m."""
    inside = (m >= edges[0]) & (m < edges[-1])
    idx = np.flatnonzero(inside)
    bins = np.searchsorted(edges, m[idx], side="right") - 1
    rows[idx, bins] = _eps_at(gx, geps, m[idx])


def _response_poisson(m: float, gx: FloatArray, geps: FloatArray, edges: FloatArray,
                      row: FloatArray) -> None:
    """sum of eps(n) Poisson(n; m) over the integers n of each bin, from scipy.stats.
    The window m -+ (60 sqrt(m) + 200) holds every term above 1e-300."""
    spread = 60.0 * math.sqrt(m) + 200.0
    lo = max(math.ceil(edges[0]), 0.0, math.floor(m - spread))
    hi = min(edges[-1], m + spread)  # exclusive
    if not lo < hi:
        return
    n = np.arange(lo, math.ceil(hi))
    n = n[n < edges[-1]]
    weights = stats.poisson.pmf(n, m) * _eps_at(gx, geps, n)
    bins = np.searchsorted(edges, n, side="right") - 1
    row += np.bincount(bins, weights=weights, minlength=len(row))


def _response_continuous(m: FloatArray, res: ResolutionParams, gx: FloatArray,
                         geps: FloatArray, edges: FloatArray, rows: FloatArray) -> None:
    """Gamma or Gaussian rows (positive width for every m): each linear piece of eps
    integrated with the CDF F and the centred partial moment H(x) = int^x (m - t) p(t) dt,
    from scipy.special (gammainc; ndtr). H is at most about sigma in size and in
    closed form (Gamma: m z^k e^-z / Gamma(k + 1); Gauss: sigma^2 p(x)), so the piece
    e0 dF + (e1 - e0) ((m - x0) dF - dH) / w loses about eps sigma / w (the rounding
    of H over the width of the piece), not eps x / w."""
    x = gx[None, :]
    mm = m[:, None]
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        if res.model == _records.RES_GAMMA:
            k = 1.0 + res.p1 * mm
            z = np.maximum(x, 0.0) / (mm / k)
            F, Fc = special.gammainc(k, z), special.gammaincc(k, z)
            # P(k, z) - P(k + 1, z) = z^k e^-z / Gamma(k + 1), and k theta = m
            with np.errstate(invalid="ignore"):
                log_h = special.xlogy(k, z) - z - special.gammaln(k + 1.0)
            H = np.where(np.isinf(z), 0.0, mm * np.exp(log_h))  # z = inf: far tail
            # scipy's gammainc is 0 at subnormal z; there P(k, z) = z^k e^-z/Gamma(k + 1)
            # (1 + z/(k + 1) + ...), which the first two terms give to rounding
            tiny = z < np.finfo(np.float64).tiny
            F = np.where(tiny, np.exp(log_h) * (1.0 + z / (k + 1.0)), F)
            Fc = np.where(tiny, 1.0 - F, Fc)
        else:
            sigma = np.sqrt(res.p1**2 + res.p2**2 * mm + res.p3**2 * mm**2)
            z = (x - mm) / sigma
            F, Fc = special.ndtr(z), special.ndtr(-z)
            H = sigma * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    # differences of whichever side is small: no cancellation in either tail
    upper = Fc[:, :-1] < 0.5
    dF = np.where(upper, Fc[:, :-1] - Fc[:, 1:], F[:, 1:] - F[:, :-1])
    dH = H[:, 1:] - H[:, :-1]
    x0, x1 = gx[:-1], gx[1:]
    width = x1 - x0
    has = width > 0.0
    safe = np.where(has, width, 1.0)
    # eps = e0 + (e1 - e0) (x - x0) / width on the piece, and
    # int (x - x0) p dx = (m - x0) dF - dH
    with np.errstate(over="ignore", invalid="ignore"):
        pieces = geps[:-1] * dF + (geps[1:] - geps[:-1]) * (((mm - x0) * dF - dH) / safe)
    pieces = np.where(has, pieces, 0.0)
    _narrow_pieces(mm, res, gx, geps, pieces)
    starts = np.searchsorted(gx[:-1], edges[:-1], side="left")
    rows += np.add.reduceat(pieces, starts, axis=1)


# Pieces narrower than this fraction of the density's length scale are integrated on
# the density (3-point Gauss-Legendre), as in csrc/coh_resp.c (NARROW_PIECE): CDF
# differences lose eps / (p w) there.
NARROW_PIECE = 1e-3
_GL3_X = np.array([-math.sqrt(0.6), 0.0, math.sqrt(0.6)])
_GL3_W = np.array([5.0, 8.0, 5.0]) / 9.0


def _narrow_pieces(mm: FloatArray, res: ResolutionParams, gx: FloatArray,
                   geps: FloatArray, pieces: FloatArray) -> None:
    """Replace the pieces (rows: nodes) narrow against the density by Gauss-Legendre
    sums of eps times the scipy.stats density."""
    x0, x1 = gx[:-1], gx[1:]
    width = x1 - x0
    mid = 0.5 * (x0 + x1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if res.model == _records.RES_GAMMA:
            k = 1.0 + res.p1 * mm
            theta = mm / k
            rate = np.maximum(np.abs((k - 1.0) / mid - 1.0 / theta), np.sqrt(k - 1.0) / mid)
            usable = x0 > 0.0
        else:
            sigma = np.sqrt(res.p1**2 + res.p2**2 * mm + res.p3**2 * mm**2)
            rate = np.maximum(np.abs(mid - mm) / sigma**2, 1.0 / sigma)
            usable = np.ones_like(x0, dtype=bool)
        narrow = (width > 0.0) & usable & (width * rate <= NARROW_PIECE)
    j, p = np.nonzero(narrow)
    if j.size == 0:
        return
    frac = 0.5 * (1.0 + _GL3_X)  # the nodes as fractions of the piece
    xs = x0[p][:, None] + width[p][:, None] * frac[None, :]
    eps = geps[p][:, None] * (1.0 - frac) + geps[p + 1][:, None] * frac
    m = mm[j, 0][:, None]
    if res.model == _records.RES_GAMMA:
        kk = 1.0 + res.p1 * m
        dens = stats.gamma.pdf(xs, kk, scale=m / kk)
    else:
        sig = np.sqrt(res.p1**2 + res.p2**2 * m + res.p3**2 * m**2)
        dens = stats.norm.pdf(xs, loc=m, scale=sig)
    pieces[j, p] = 0.5 * width[p] * np.sum(_GL3_W * eps * dens, axis=1)


def response_matrix(mu: FloatArray, res: ResolutionParams, grid_x: FloatArray,
                    grid_eps: FloatArray, edges: FloatArray, out: FloatArray,
                    n_threads: int = 1) -> None:
    """The detector response matrix, transposed: out[j (len(edges) - 1) + b] = R[b, j],
    the integral over observed bin [edges[b], edges[b+1]) of eps(x) P(x | mu[j])
    (docs/physics.md Eq. 11.5) with eps piecewise linear on (grid_x, grid_eps) and the
    resolution model ``res`` (a ResolutionParams); csrc/coh_resp.h gives the
    conventions. Each node's row is computed on its own: the bits do not depend on
    n_threads."""
    n = len(mu)
    n_bins = len(edges) - 1 if len(edges) > 1 else 0
    _same_length(len(grid_x), len(grid_eps), "grid_x and grid_eps")
    if len(out) != n * n_bins:
        raise ValueError(f"out must hold len(mu) x (len(edges) - 1) = {n * n_bins} "
                         f"values; got {len(out)}")
    where = "response_matrix"
    _check_resolution(res, where)
    gx = np.asarray(grid_x, dtype=np.float64)
    geps = np.asarray(grid_eps, dtype=np.float64)
    e = np.asarray(edges, dtype=np.float64)
    _check_response_grid(gx, geps, e, where)
    m = np.asarray(mu, dtype=np.float64)
    model = res.model
    with np.errstate(over="ignore", invalid="ignore"):
        shape = 1.0 + res.p1 * m
        sigma = np.sqrt(res.p1**2 + res.p2**2 * m + res.p3**2 * m**2)
    bad = ~((m >= 0.0) & (m < math.inf))
    if model == _records.RES_POISSON:
        bad |= m > POISSON_MAX_MEAN
    elif model == _records.RES_GAMMA:
        bad |= ~(shape <= GAMMA_MAX_A)
    elif model == _records.RES_GAUSS:
        bad |= ~(sigma < math.inf)
    if bad.any():
        _status.raise_status(_status.BAD_ARG, where)
    rows = np.zeros((n, n_bins))
    if model == _records.RES_POISSON:
        for j in range(n):
            _response_poisson(float(m[j]), gx, geps, e, rows[j])
    else:
        if model == _records.RES_GAMMA:
            smeared = m > 0.0
        elif model == _records.RES_GAUSS:
            smeared = sigma > 0.0
        else:
            smeared = np.zeros(n, dtype=bool)
        point = np.flatnonzero(~smeared)
        if point.size:
            part = np.zeros((point.size, n_bins))
            _response_delta(m[point], gx, geps, e, part)
            rows[point] = part
        wide = np.flatnonzero(smeared)
        for start in range(0, wide.size, _RESP_BLOCK):
            idx = wide[start:start + _RESP_BLOCK]
            block = np.zeros((idx.size, n_bins))
            _response_continuous(m[idx], res, gx, geps, e, block)
            rows[idx] = block
    out[:] = rows.reshape(-1)
