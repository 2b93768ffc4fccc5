"""Numpy twins of the kernels of physics beyond the Standard Model (csrc/coh_bsm.h).

Part of :mod:`coherency._reference` (the numpy/scipy twin of every kernel); the
functions are reached through it."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import integrate

from . import _records, _status
from ._records import (
    BSM_MAX_ROWS,
    BSM_MAX_UNITS,
    BSMGrid,
    BSMSpec,
)
from ._reference import (
    MAX_PANELS,
    QUAD_EPSREL,
    QUAD_LIMIT,
    FloatArray,
    _check_ff,
    _check_rule,
    _ff,
    _same_length,
)

# ---- physics beyond the Standard Model (csrc/coh_bsm.h) ------------------------


def _bsm(spec: BSMSpec, where: str) -> FloatArray:
    """The checks of coh_bsm_check; the terms as rows (cz, cn, m2, lep, kind)."""
    terms = np.asarray(spec.terms, dtype=np.float64)
    if terms.size % _records.BSM_TERM_SIZE or terms.size // _records.BSM_TERM_SIZE > \
            _records.BSM_MAX_TERMS:
        raise ValueError(f"terms must hold {_records.BSM_TERM_SIZE} doubles per term and at "
                         f"most {_records.BSM_MAX_TERMS} terms; got {terms.size} doubles")
    _check_ff(int(spec.ffz.model), spec.ffz.p1, spec.ffz.p2, where)
    _check_ff(int(spec.ffn.model), spec.ffn.p1, spec.ffn.p2, where)
    if not spec.mass > 0:
        _status.raise_status(_status.BAD_ARG, where)
    return terms.reshape(-1, _records.BSM_TERM_SIZE)


def _bsm_point(spec: BSMSpec, rows: FloatArray, q2: FloatArray,
               m2: FloatArray | None = None) -> dict[str, FloatArray]:
    """Amplitude a, shift d, incoherent part, scalar S and F_Z^2 of the magnetic part
    at q2 (> 0); m2 (broadcasting against q2) replaces the mediator masses of the
    model's terms and of the scalar."""
    from .couplings import vacuum_polarization  # numpy, Eq. 9.3

    q = np.sqrt(q2)
    fz = _ff(q, int(spec.ffz.model), spec.ffz.p1, spec.ffz.p2)
    fn = _ff(q, int(spec.ffn.model), spec.ffn.p1, spec.ffn.p2)
    a = spec.wz * fz - spec.wn * fn
    d = np.zeros(np.broadcast_shapes(q2.shape, () if m2 is None else m2.shape))
    for cz, cn, mt, lep, kind in rows:
        shape = np.ones_like(q2)
        if lep > 0:
            shape = np.asarray(vacuum_polarization(q, lep), dtype=np.float64)
        new = kind != _records.BSM_SM
        if mt >= 0:
            mass2 = m2 if (new and m2 is not None) else mt
            shape = shape / (q2 + mass2)
        value = (cz * fz + cn * fn) * shape
        if new:
            d = d + value
        else:
            a = a + value
    inc = spec.izz * fz**2 + 2.0 * spec.izn * fz * fn + spec.inn * fn**2
    s = np.zeros_like(d)
    if spec.sz != 0.0 or spec.sn != 0.0:
        ms2 = spec.ms2 if m2 is None else m2
        s = (spec.sz * fz + spec.sn * fn) ** 2 * q2 / (q2 + ms2) ** 2 + np.zeros_like(d)
    mag = fz**2 if spec.pm != 0.0 else np.zeros_like(fz)
    return {"a": a, "d": d, "inc": inc, "s": s, "mag": mag}


def bsm_dsigma_dq2(q2: FloatArray, E: FloatArray, spec: BSMSpec, out: FloatArray,
                   n_threads: int = 1) -> None:
    """Change of dsigma/dq2 (cm^2/MeV^2) that the model ``spec`` (a BSMSpec) brings, at
    pairs (q2[i], E[i]); 0 outside 0 < q2 <= q2_max(E) (csrc/coh_bsm.h)."""
    _same_length(len(q2), len(E), "q2 and E")
    _same_length(len(q2), len(out), "q2 and out")
    rows = _bsm(spec, "bsm_dsigma_dq2")
    if len(q2) == 0:
        return
    q2 = np.asarray(q2, dtype=np.float64)
    E = np.asarray(E, dtype=np.float64)
    M = spec.mass
    with np.errstate(over="ignore", invalid="ignore"):
        top = 4.0 * E * E * M / (M + 2.0 * E)
    inside = (q2 > 0) & (q2 <= top)
    x, e = q2[inside], E[inside]
    p = _bsm_point(spec, rows, x)
    val = spec.pv * (1.0 - x / (4.0 * e * e)) * (p["d"] * (2.0 * p["a"] + p["d"]) + p["inc"])
    val = val + spec.ps * p["s"] / (e * e)
    if spec.pm != 0.0:
        val = val + spec.pm * p["mag"] * (1.0 / x - 1.0 / (2.0 * M * e)
                                          + x / (16.0 * M * M * e * e))
    out[:] = 0.0
    out[inside] = val


def bsm_sigma(E: FloatArray, q2_min: FloatArray, spec: BSMSpec, panel_dq: float,
              gl_x: FloatArray, gl_w: FloatArray, out: FloatArray, n_threads: int = 1) -> None:
    """Change of sigma(E[i]) above q2_min[i] (cm^2) that the model ``spec`` brings.

    The twin integrates dsigma/dq2 in q with adaptive ``scipy.integrate.quad`` on the
    pieces where the compiled rule puts its panels (doubling from sqrt(q2_min), or
    from the model's smallest scale over 8 when q2_min = 0, no wider than panel_dq);
    ``gl_x``, ``gl_w`` are checked but not used."""
    _same_length(len(E), len(q2_min), "E and q2_min")
    _same_length(len(E), len(out), "E and out")
    rows = _bsm(spec, "bsm_sigma")
    _check_rule(gl_x, gl_w, "bsm_sigma")
    scales = [math.sqrt(r[2]) for r in rows if r[2] > 0] + [r[3] for r in rows if r[3] > 0]
    if (spec.sz != 0.0 or spec.sn != 0.0) and spec.ms2 > 0:
        scales.append(math.sqrt(spec.ms2))
    floor = min(scales) / 8.0 if scales else 0.0
    M = spec.mass
    one_E = np.empty(1)
    one_q2 = np.empty(1)
    one_out = np.empty(1)

    def integrand(q: float, energy: float) -> float:
        one_q2[0], one_E[0] = q * q, energy
        bsm_dsigma_dq2(one_q2, one_E, spec, one_out)
        return 2.0 * q * float(one_out[0])

    for i, (energy, lo2) in enumerate(zip(E, q2_min)):
        energy = float(energy)
        hi2 = 4.0 * energy * energy * M / (M + 2.0 * energy)
        if not lo2 < hi2:
            out[i] = 0.0
            continue
        lo, hi = math.sqrt(max(float(lo2), 0.0)), math.sqrt(hi2)
        edges = [lo]
        nxt = 2.0 * lo if lo > 0 else (floor if floor > 0 else hi)
        while edges[-1] < hi:
            edges.append(min(nxt, hi))
            nxt = 2.0 * edges[-1]
        pieces = []
        for a, b in zip(edges[:-1], edges[1:]):
            n = max(1, math.ceil((b - a) / panel_dq)) if panel_dq > 0 else 1
            pieces += [(a + (b - a) * k / n, a + (b - a) * (k + 1) / n) for k in range(n)]
        if len(pieces) > MAX_PANELS:
            _status.raise_status(_status.BAD_ARG, "bsm_sigma")
        total = 0.0
        for a, b in pieces:
            total += integrate.quad(integrand, a, b, args=(energy,), epsabs=0.0,
                                    epsrel=QUAD_EPSREL, limit=QUAD_LIMIT)[0]
        out[i] = total


def _bsm_parts(spec: BSMSpec, p: dict[str, FloatArray], q2: FloatArray,
               F0: FloatArray, F1: FloatArray, F2: FloatArray) -> tuple[FloatArray, FloatArray]:
    K = spec.pv * np.maximum(F0 - 0.25 * q2 * F2, 0.0)
    lin = K * 2.0 * p["a"] * p["d"]
    quad = K * (p["d"] ** 2 + p["inc"]) + spec.ps * p["s"] * F2
    if spec.pm != 0.0:
        M = spec.mass
        quad = quad + spec.pm * p["mag"] * (F0 / q2 - F1 / (2.0 * M) + q2 * F2 / (16.0 * M * M))
    return lin, quad


def bsm_parts(spec: BSMSpec, q2: FloatArray, F0: FloatArray, F1: FloatArray,
              F2: FloatArray, lin: FloatArray, quad: FloatArray, n_threads: int = 1) -> None:
    """The flux-folded change of dN/dq2 at q2[i] > 0 with the flux moments F0, F1, F2
    (integral_{E_min} Phi E^-k dE): its part linear in the model's couplings, lin[i],
    and its quadratic part, quad[i] (csrc/coh_bsm.h)."""
    n = len(q2)
    if not (len(F0) == len(F1) == len(F2) == len(lin) == len(quad) == n):
        raise ValueError("q2, F0, F1, F2, lin and quad must have the same length")
    rows = _bsm(spec, "bsm_parts")
    if n == 0:
        return
    q2 = np.asarray(q2, dtype=np.float64)
    p = _bsm_point(spec, rows, q2)
    lin[:], quad[:] = _bsm_parts(spec, p, q2, np.asarray(F0), np.asarray(F1), np.asarray(F2))


def bsm_grid(grid: BSMGrid, scale: FloatArray, m2: FloatArray, lambdas: FloatArray,
             mass_index: npt.NDArray[np.int64], out: FloatArray, n_threads: int = 1) -> None:
    """Values of a grid of model points (csrc/coh_bsm.h, coh_bsm_grid_*): for every
    point p and row r, out[r n_points + p] = sum_k lambda_k (L_k + sum_l lambda_l Q_kl)
    at the point's mass, L_k and Q_kk the sums over each piece's nodes of its weights
    times the parts of bsm_parts of unit model k (times the piece's scale),
    Q_kl = (quad of the pair record - Q_kk - Q_ll)/2; m2 empty: the records' own
    masses; mass_index empty: every point at the first mass."""
    K, R = int(grid.n_units), int(grid.n_rows)
    pieces = tuple(grid.pieces)
    if not 1 <= K <= BSM_MAX_UNITS:
        raise ValueError(f"n_units must be in [1, {BSM_MAX_UNITS}]; got {K}")
    if not 1 <= R <= BSM_MAX_ROWS:
        raise ValueError(f"n_rows must be in [1, {BSM_MAX_ROWS}]; got {R}")
    if len(scale) != len(pieces):
        raise ValueError(f"scale must have one entry per piece ({len(pieces)})")
    if len(lambdas) % K:
        raise ValueError(f"lambdas must hold {K} rows of one value per point")
    n_points = len(lambdas) // K
    if len(mass_index) not in (0, n_points):
        raise ValueError(f"mass_index must be empty or have one entry per point "
                         f"({n_points})")
    if len(out) != R * n_points:
        raise ValueError(f"out must have n_rows x {n_points} entries")
    pairs = [(k, j) for k in range(K) for j in range(k + 1, K)]
    masses = np.asarray(m2, dtype=np.float64)[:, None] if len(m2) else None
    n_m = len(m2) if len(m2) else 1
    L = np.zeros((K, n_m, R))
    Q = np.zeros((K, K, n_m, R))
    for p, (piece, s) in enumerate(zip(pieces, scale)):
        q2 = np.asarray(piece.q2, dtype=np.float64)
        for name in ("F0", "F1", "F2"):
            if len(getattr(piece, name)) != len(q2):
                raise ValueError(f"q2 and {name} of piece {p} must have the same length")
        if len(piece.W) != R * len(q2):
            raise ValueError(f"W of piece {p} must hold n_rows x len(q2) weights")
        if len(piece.specs) != K * (K + 1) // 2:
            _status.raise_status(_status.BAD_ARG, "bsm_grid")
        rows = [_bsm(spec, "bsm_grid") for spec in piece.specs]
        if len(q2) == 0:
            continue
        x = q2[None, :]
        weights = np.asarray(piece.W, dtype=np.float64).reshape(R, len(q2))
        F = [np.asarray(getattr(piece, name))[None, :] for name in ("F0", "F1", "F2")]
        for c, (spec, terms) in enumerate(zip(piece.specs, rows)):
            point = _bsm_point(spec, terms, x, masses)
            point = {k: np.broadcast_to(v, (n_m, len(q2))) for k, v in point.items()}
            lin, quad = _bsm_parts(spec, point, x, *F)
            # (masses, rows): the weighted sums over the nodes
            lin_sum = np.sum(np.broadcast_to(lin, (n_m, len(q2)))[:, None, :]
                             * weights[None, :, :], axis=2)
            quad_sum = np.sum(np.broadcast_to(quad, (n_m, len(q2)))[:, None, :]
                              * weights[None, :, :], axis=2)
            if c < K:
                L[c] += s * lin_sum
                Q[c, c] += s * quad_sum
            else:
                k, j = pairs[c - K]
                Q[k, j] += s * quad_sum
    for k, j in pairs:
        Q[k, j] = Q[j, k] = 0.5 * (Q[k, j] - Q[k, k] - Q[j, j])
    idx = np.asarray(mass_index, dtype=np.int64) if len(mass_index) else \
        np.zeros(n_points, dtype=np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= n_m):
        _status.raise_status(_status.BAD_ARG, "bsm_grid")
    lam = np.asarray(lambdas, dtype=np.float64).reshape(K, n_points)
    # at every point: L (K, points, rows), Q (K, K, points, rows)
    inner = L[:, idx, :] + np.einsum("jp,kjpr->kpr", lam, Q[:, :, idx, :])
    out[:] = np.einsum("kp,kpr->rp", lam, inner).reshape(-1)
