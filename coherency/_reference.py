"""Numpy/scipy twin of every compiled kernel in ``coherency._kernels``.

Same names and signatures as the compiled module (coherency._kernel_api describes
both), written independently of the C code: Bessel functions from ``scipy.special``,
vectorised numpy, and ``scipy.integrate.quad`` (``epsabs=0``) for integrals. It is the
oracle in the tests and the fallback when the extension is not built.

Like the compiled kernels, the twin takes validated arguments (coherency._validation
checks values once for both backends), the records of coherency._records read by
field name, and a thread count it ignores. It refuses inconsistent lengths with the
compiled module's messages and raises the same status errors (coherency._status) for
what the C code refuses: unknown model ids (coherency._ff_models), lengths outside a
model's domain, empty quadrature rules.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import integrate, special

from . import _ff_models, _status
from ._records import (
    FluxModel,
    FormFactorPair,
    NucleusSpec,
    QGrid,
)

FloatArray = npt.NDArray[np.float64]

# Relative accuracy asked of scipy.integrate.quad; the absolute tolerance is off
# because cross sections are ~1e-40 cm^2 (docs/physics.md section 6).
QUAD_EPSREL = 1e-13
QUAD_LIMIT = 1000
# Most q panels one sigma(E) may take, as COH_MAX_PANELS in csrc/coh_xsec.c.
MAX_PANELS = 1 << 20


# scipy's spherical_jn(1, x) loses accuracy below x ~ 1e-50 (1e-14 relative) and
# returns 0 at x = 1e-300; below TINY_X the two-term Taylor expansion
# j1 = x/3 (1 - x^2/10) is exact to x^4/280 < 1e-22 relative.
TINY_X = 1e-5


def _j1(x: FloatArray) -> FloatArray:
    x = np.asarray(x, dtype=np.float64)
    tiny = np.abs(x) < TINY_X
    xt = np.where(tiny, x, 0.0)  # no overflow in x * x where x is huge
    return np.where(tiny, xt / 3.0 * (1.0 - xt * xt / 10.0), special.spherical_jn(1, x))


def _sphere(x: FloatArray) -> FloatArray:
    """3 j1(x)/x with its limit 1 at x = 0."""
    x = np.abs(x)
    tiny = x < TINY_X
    safe = np.where(tiny, 1.0, x)
    xt = np.where(tiny, x, 0.0)  # no overflow in x * x where x is huge
    return np.where(tiny, 1.0 - xt * xt / 10.0, 3.0 * special.spherical_jn(1, safe) / safe)


def _symmetrized_fermi(q: FloatArray, c: float | FloatArray, a: float) -> FloatArray:
    # y coth y - 1 = y i1(y)/i0(y) and y/sinh y = 1/i0(y) with the modified
    # spherical Bessel functions; sin x - x cos x = x^2 j1(x). Below q c = TINY_X
    # the moment expansion F = 1 - q^2 <r^2>/6, <r^2> = 3/5 c^2 + 7/5 pi^2 a^2
    # (next term ~1e-20 relative).
    x = q * c
    y = math.pi * (q * a if a < 1.0 else np.minimum(q, 1e300) * a)  # no overflow to inf
    tiny = x < TINY_X
    big = (y > 700.0) | (x > 1e100)  # |F| < 1e-199 there (as csrc/coh_ff.c)
    ys = np.where(big | tiny, 1.0, y)
    xs = np.where(big | tiny, 1.0, x)
    i0 = special.spherical_in(0, ys)
    i1 = special.spherical_in(1, ys)
    num = ys * i1 * np.sin(xs) / i0**2 + xs**2 * _j1(xs) / i0
    val = 3.0 * num / (xs * (xs**2 + ys**2))
    r2 = 0.6 * c * c + 1.4 * math.pi**2 * a * a
    qt = np.where(tiny, q, 0.0)  # no overflow in q * q where q is huge
    return np.where(tiny, 1.0 - qt * qt * r2 / 6.0, np.where(big, 0.0, val))


def _ff(q: FloatArray, model: int, p1: float | FloatArray, p2: float) -> FloatArray:
    """F(q) of a model; p1 may be an array broadcasting against q (one length per row)."""
    if model == _ff_models.UNITY.id:
        return np.ones_like(q)
    if model == _ff_models.HELM.id:
        # q p2 capped at 1e100 (exp underflows to 0 well before): no overflow warning
        return _sphere(q * p1) * np.exp(-0.5 * np.minimum(q * p2, 1e100) ** 2)
    if model == _ff_models.KLEIN_NYSTRAND.id:
        return _sphere(q * p1) / (1.0 + np.minimum(q * p2, 1e100) ** 2)
    if model == _ff_models.SYMMETRIZED_FERMI.id:
        return _symmetrized_fermi(q, p1, p2)
    _status.raise_status(_status.BAD_MODEL, "form_factor")


def _check_ff(model: int, p1: float, p2: float, where: str) -> None:
    """The checks of coh_ff_check (csrc/coh_ff.c): a registered model id, lengths >= 0,
    c > 0 for the symmetrized Fermi."""
    if not 0 <= model < _ff_models.COUNT:
        _status.raise_status(_status.BAD_MODEL, where)
    if not (p1 >= 0.0 and p2 >= 0.0) or (model == _ff_models.SYMMETRIZED_FERMI.id
                                           and not p1 > 0):
        _status.raise_status(_status.BAD_ARG, where)


def _same_length(a: int, b: int, names: str) -> None:
    if a != b:
        raise ValueError(f"{names} must have the same length; got {a} and {b}")


def _check_rule(gl_x: FloatArray, gl_w: FloatArray, where: str) -> None:
    if len(gl_x) == 0 or len(gl_x) != len(gl_w):
        _status.raise_status(_status.BAD_RULE, where)


def spherical_j1(x: FloatArray, out: FloatArray, n_threads: int = 1) -> None:
    """out[i] = j1(x[i])."""
    _same_length(len(x), len(out), "x and out")
    out[:] = _j1(x)


def helm(q: FloatArray, r0: float, s: float, out: FloatArray, n_threads: int = 1) -> None:
    """Helm form factor (Sharma & Wong (arXiv:2010.06810) Eq. 7); q in MeV, r0 and s
    in MeV^-1."""
    _same_length(len(q), len(out), "q and out")
    if not (r0 >= 0.0 and s >= 0.0):
        _status.raise_status(_status.BAD_ARG, "helm")
    out[:] = _ff(np.asarray(q), _ff_models.HELM.id, r0, s)


def form_factor(
    q: FloatArray, model: int, p1: float, p2: float, out: FloatArray, n_threads: int = 1
) -> None:
    """Form factor of model id ``model`` (coherency._ff_models) with lengths p1, p2 in
    MeV^-1; q in MeV."""
    _same_length(len(q), len(out), "q and out")
    _check_ff(model, p1, p2, "form_factor")
    out[:] = _ff(np.asarray(q), model, p1, p2)


def _nucleus(spec: NucleusSpec, where: str) -> NucleusSpec:
    """The checks of coh_nucleus_check (csrc/coh_xsec.c)."""
    _check_ff(int(spec.ffz.model), spec.ffz.p1, spec.ffz.p2, where)
    _check_ff(int(spec.ffn.model), spec.ffn.p1, spec.ffn.p2, where)
    if not spec.mass > 0:
        _status.raise_status(_status.BAD_ARG, where)
    return spec


def _gamma(q: FloatArray, spec: NucleusSpec) -> FloatArray:
    fz, fn = spec.ffz, spec.ffn
    return (spec.wz * _ff(q, int(fz.model), fz.p1, fz.p2)
            - spec.wn * _ff(q, int(fn.model), fn.p1, fn.p2)) ** 2


def dsigma_dq2(
    q2: FloatArray, E: FloatArray, spec: NucleusSpec, out: FloatArray, n_threads: int = 1
) -> None:
    """dsigma/dq2 (Sharma & Wong (arXiv:2010.06810) Eq. 1) at pairs (q2[i], E[i]); 0
    outside kinematics. ``spec``: a NucleusSpec."""
    _same_length(len(q2), len(E), "q2 and E")
    _same_length(len(q2), len(out), "q2 and out")
    _nucleus(spec, "dsigma_dq2")
    mass, pref = spec.mass, spec.prefactor
    q2 = np.asarray(q2)
    E = np.asarray(E)
    with np.errstate(over="ignore", invalid="ignore"):  # E > 1e150: inf, as in C
        q2max = 4.0 * E**2 * mass / (mass + 2.0 * E)
    inside = (q2 >= 0.0) & (q2 <= q2max)
    q = np.sqrt(np.where(inside, q2, 0.0))
    # q2 = 0 gives exactly 1, also when 4 E^2 underflows to 0 (E < 1e-162).
    with np.errstate(over="ignore"):
        ratio = np.divide(q2, 4.0 * E**2, out=np.zeros(inside.shape), where=inside & (q2 > 0.0))
    val = pref * (1.0 - ratio) * _gamma(q, spec)
    out[:] = np.where(inside, val, 0.0)


def sigma_total(
    E: FloatArray,
    q2_min: FloatArray,
    spec: NucleusSpec,
    panel_dq: float,
    gl_x: FloatArray,
    gl_w: FloatArray,
    out: FloatArray,
    n_threads: int = 1,
) -> None:
    """sigma(E) integrated over q2 from q2_min[i] to q2_max(E[i]); ``spec``: a
    NucleusSpec.

    The twin integrates in q2 with adaptive ``scipy.integrate.quad``; ``panel_dq``,
    ``gl_x`` and ``gl_w`` (the compiled rule) are checked but not used.
    """
    _same_length(len(E), len(q2_min), "E and q2_min")
    _same_length(len(E), len(out), "E and out")
    _nucleus(spec, "sigma_total")
    _check_rule(gl_x, gl_w, "sigma_total")
    mass, pref = spec.mass, spec.prefactor

    for i, (energy, lo) in enumerate(zip(E, q2_min)):
        energy = float(energy)  # Python floats: 1e200**2 raises, not warns
        try:
            hi = 4.0 * energy**2 * mass / (mass + 2.0 * energy)
        except OverflowError:
            _status.raise_status(_status.BAD_ARG, "sigma_total")
        lo = max(lo, 0.0)
        if not lo < hi:
            out[i] = 0.0
            continue

        def integrand(q2: float, energy: float = energy) -> float:
            q = np.array([math.sqrt(q2)])
            return float((1.0 - q2 / (4.0 * energy**2)) * _gamma(q, spec)[0])

        # Break the range where the form factor oscillates (zeros of j1 spaced by
        # about pi/R) so quad sees smooth pieces.
        n_pieces = 1
        if panel_dq > 0:
            n_pieces = max(1, math.ceil((math.sqrt(hi) - math.sqrt(lo)) / panel_dq))
            if n_pieces > MAX_PANELS:
                _status.raise_status(_status.BAD_ARG, "sigma_total")
        edges = np.linspace(math.sqrt(lo), math.sqrt(hi), n_pieces + 1) ** 2
        edges[0], edges[-1] = lo, hi
        total = 0.0
        for a, b in zip(edges[:-1], edges[1:]):
            val, _ = integrate.quad(
                integrand, a, b, epsabs=0.0, epsrel=QUAD_EPSREL, limit=QUAD_LIMIT
            )
            total += val
        out[i] = pref * total


# --- flux-folded cross sections (rates) -------------------------------------------
# sum_i w_i sigma(E_i; q2_min) from the moments
#   m_ab = sum_i w_i int_{q2_min}^{q2_max(E_i)} (1 - q^2/4E_i^2) F_a F_b dq^2,
# on the Gauss-Legendre panels of sigma_total (the compiled rule), in vectorised
# numpy with the scipy Bessel functions of _ff: the same integrals as the kernel,
# written independently of csrc/coh_rate.c.


def _moments(
    E: FloatArray, w: FloatArray, q2_min: float, spec: NucleusSpec,
    panel_dq: float, gl_x: FloatArray, gl_w: FloatArray,
) -> FloatArray:
    E = np.asarray(E, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    mass, ffz, ffn = spec.mass, spec.ffz, spec.ffn
    q2_max = 4.0 * E**2 * mass / (mass + 2.0 * E)
    keep = (q2_min < q2_max) & (w != 0.0)
    E, w, q2_max = E[keep], w[keep], q2_max[keep]
    if E.size == 0:
        return np.zeros(3)
    q_lo = math.sqrt(max(q2_min, 0.0))
    q_hi = np.sqrt(q2_max)
    if panel_dq > 0:
        n_panels = np.maximum(np.ceil((q_hi - q_lo) / panel_dq), 1.0).astype(np.int64)
    else:
        n_panels = np.ones(E.size, dtype=np.int64)
    width = (q_hi - q_lo) / n_panels
    row = np.repeat(np.arange(E.size), n_panels)
    panel = np.arange(row.size) - np.repeat(np.cumsum(n_panels) - n_panels, n_panels)
    half = 0.5 * width[row]
    mid = q_lo + (panel + 0.5) * width[row]
    q = mid[:, None] + half[:, None] * np.asarray(gl_x)[None, :]
    wt = (w[row] * half)[:, None] * np.asarray(gl_w)[None, :] * 2.0 * q * (
        1.0 - q * q / (4.0 * E[row, None] ** 2))
    fz = _ff(q, int(ffz.model), ffz.p1, ffz.p2)
    fn = fz if ffn == ffz else _ff(q, int(ffn.model), ffn.p1, ffn.p2)
    return np.array([np.sum(wt * fz * fz), np.sum(wt * fz * fn), np.sum(wt * fn * fn)])


def _combine(m3: FloatArray, spec: NucleusSpec) -> float:
    pref, wz, wn = spec.prefactor, spec.wz, spec.wn
    if spec.ffz == spec.ffn:
        return pref * ((wz - wn) ** 2 * m3[0])
    return pref * (wz * wz * m3[0] - 2.0 * wz * wn * m3[1] + wn * wn * m3[2])


def folded_sigma(
    E: FloatArray,
    w: FloatArray,
    q2_min: float,
    spec: NucleusSpec,
    panel_dq: float,
    gl_x: FloatArray,
    gl_w: FloatArray,
    n_threads: int = 1,
) -> float:
    """sum_i w[i] sigma(E[i]; q2_min): a cross section folded with an energy rule
    (weights carry the flux), one nucleus (``spec``, a NucleusSpec); same q rule as
    :func:`sigma_total`."""
    if len(w) != len(E):
        raise ValueError(f"w must have the length of E ({len(E)}); got {len(w)}")
    _nucleus(spec, "folded_sigma")
    _check_rule(gl_x, gl_w, "folded_sigma")
    m3 = _moments(E, w, q2_min, spec, panel_dq, gl_x, gl_w)
    return float(_combine(m3, spec))


QGRID_MAX_GL = 64  # COH_QGRID_MAX_GL of csrc/coh_rate.h
# form-factor values per block of the full-panel matrix (memory bound of the twin)
_QGRID_BLOCK = 1 << 20


def _panel_products(fz: FloatArray, fn: FloatArray | None, w: FloatArray, n_panels: int,
                    n_gl: int) -> FloatArray:
    """Per row and panel: sums of w F_z F_z, w F_z F_n, w F_n F_n, shape (rows, P, 3)."""
    rows = fz.shape[0]
    out = np.empty((rows, n_panels, 3))
    a = (w * fz).reshape(rows, n_panels, n_gl)
    z = fz.reshape(rows, n_panels, n_gl)
    out[..., 0] = np.sum(a * z, axis=-1)
    if fn is None:
        out[..., 1] = out[..., 0]
        out[..., 2] = out[..., 0]
    else:
        n = fn.reshape(rows, n_panels, n_gl)
        out[..., 1] = np.sum(a * n, axis=-1)
        out[..., 2] = np.sum((w * fn).reshape(rows, n_panels, n_gl) * n, axis=-1)
    return out


def qgrid_moments(
    grid: QGrid,
    pair: FormFactorPair,
    p1z: FloatArray,
    p1n: FloatArray,
    q_lo: FloatArray,
    out: FloatArray,
    n_threads: int = 1,
) -> None:
    """Folded moments (m_zz, m_zn, m_nn) at many parameter points, one nucleus, from
    G(q) tabulated on panels (q-outer order; see the compiled kernel). ``grid``: a
    QGrid; ``pair``: a FormFactorPair (mass, models, second lengths). Vectorised over
    points: the full panels once per distinct pair of lengths, the partial panel of
    every point with its Chebyshev series of h evaluated by Clenshaw."""
    edges = np.asarray(grid.edges, dtype=np.float64)
    node_q, node_w, cheb, gl_x, gl_w = grid.node_q, grid.node_w, grid.cheb, grid.gl_x, grid.gl_w
    mass, mz, p2z, mn, p2n = pair.mass, pair.ffz.model, pair.ffz.p2, pair.ffn.model, pair.ffn.p2
    n_gl = len(gl_x)
    if n_gl == 0 or n_gl != len(gl_w) or n_gl > QGRID_MAX_GL:
        _status.raise_status(_status.BAD_RULE, "qgrid_moments")
    n_panels = edges.size - 1
    if n_panels < 0:
        raise ValueError("edges must have at least one entry")
    if len(node_q) != n_panels * n_gl or len(node_w) != n_panels * n_gl:
        raise ValueError(f"node_q and node_w must hold {n_gl} entries per panel")
    if n_panels > 0 and (len(cheb) == 0 or len(cheb) % n_panels != 0):
        raise ValueError("cheb must hold one equal row per panel")
    n_points = len(q_lo)
    for name, arr in (("p1z", p1z), ("p1n", p1n)):
        if len(arr) != n_points:
            raise ValueError(f"{name} must have one entry per point ({n_points})")
    if len(out) != 3 * n_points:
        raise ValueError(f"out must have 3 * {n_points} entries")
    p1z = np.asarray(p1z, dtype=np.float64)
    p1n = np.asarray(p1n, dtype=np.float64)
    q_lo = np.asarray(q_lo, dtype=np.float64)
    for i in range(n_points):  # the compiled kernel's per-point checks, same order
        _check_ff(int(mz), float(p1z[i]), float(p2z), "qgrid_moments")
        _check_ff(int(mn), float(p1n[i]), float(p2n), "qgrid_moments")
        if not mass > 0:
            _status.raise_status(_status.BAD_ARG, "qgrid_moments")
    if n_points == 0:
        return
    res = np.zeros((n_points, 3))
    if n_panels == 0:
        out[:] = res.reshape(-1)
        return
    same_model = int(mz) == int(mn) and float(p2z) == float(p2n)
    lengths, which = np.unique(np.stack([p1z, p1n], axis=1), axis=0, return_inverse=True)
    which = which.reshape(-1)
    nq = np.asarray(node_q, dtype=np.float64)
    nw = np.asarray(node_w, dtype=np.float64)
    suffix = np.zeros((lengths.shape[0], n_panels + 1, 3))
    step = max(1, _QGRID_BLOCK // max(nq.size, 1))
    for r0 in range(0, lengths.shape[0], step):
        lz = lengths[r0:r0 + step, 0:1]
        ln = lengths[r0:r0 + step, 1:2]
        fz = _ff(nq[None, :] * np.ones_like(lz), int(mz), lz, p2z)
        same = same_model and bool(np.all(lz == ln))
        fn = None if same else _ff(nq[None, :] * np.ones_like(ln), int(mn), ln, p2n)
        panels = _panel_products(fz, fn, nw[None, :], n_panels, n_gl)
        suffix[r0:r0 + step, :n_panels] = np.cumsum(panels[:, ::-1], axis=1)[:, ::-1]
    k = np.searchsorted(edges, q_lo, side="right") - 1
    inside = q_lo < edges[-1]
    k = np.clip(k, 0, n_panels - 1)
    at_edge = inside & ~(q_lo > edges[k])
    res[at_edge] = suffix[which[at_edge], k[at_edge]]
    part = np.nonzero(inside & ~at_edge)[0]
    if part.size:
        kp = k[part]
        a, b = edges[kp][:, None], edges[kp + 1][:, None]
        t_lo = 1.0 - np.sqrt((b - q_lo[part][:, None]) / (b - a))
        half = 0.5 * (1.0 - t_lo)
        t = t_lo + half * (np.asarray(gl_x)[None, :] + 1.0)
        q = b - (b - a) * (1.0 - t) ** 2
        coef = np.asarray(cheb, dtype=np.float64).reshape(n_panels, -1)[kp]
        h = _clenshaw_rows(coef, 2.0 * t - 1.0)
        wt = half * np.asarray(gl_w)[None, :] * h
        lz = p1z[part][:, None]
        ln = p1n[part][:, None]
        fz = _ff(q, int(mz), lz, p2z)
        fn = fz if same_model and bool(np.all(lz == ln)) else _ff(q, int(mn), ln, p2n)
        res[part, 0] = np.sum(wt * fz * fz, axis=1)
        res[part, 1] = np.sum(wt * fz * fn, axis=1)
        res[part, 2] = np.sum(wt * fn * fn, axis=1)
        res[part] += suffix[which[part], kp + 1]
    out[:] = res.reshape(-1)


def _clenshaw_rows(coef: FloatArray, y: FloatArray) -> FloatArray:
    """sum_j coef[i, j] T_j(y[i, k]) for every row i and column k: the recurrence of
    csrc/coh_rate.c (cheb_nodes). numpy's chebval closes it differently, which near
    q_top, where h -> 0, moves the tiny partial-panel values by far more than the
    rounding of their sums."""
    b1 = np.zeros_like(y)
    b2 = np.zeros_like(y)
    for j in range(coef.shape[1] - 1, 0, -1):
        b1, b2 = coef[:, j:j + 1] + 2.0 * y * b1 - b2, b1
    return coef[:, 0:1] + y * b1 - b2


def moments_to_coef(
    m: FloatArray, factors: FloatArray, coef: FloatArray, add: bool = False,
    n_threads: int = 1,
) -> None:
    """coef[5i + j] (+)= m[3i + (0, 1, 2, 0, 2)[j]] factors[j] (see the compiled kernel)."""
    if len(m) % 3 != 0:
        raise ValueError("m must hold rows of 3 moments")
    if len(factors) != 5:
        raise ValueError("factors must have 5 entries")
    if len(coef) != 5 * (len(m) // 3):
        raise ValueError(f"coef must have 5 entries per row of m ({5 * (len(m) // 3)})")
    term = (np.asarray(m).reshape(-1, 3)[:, [0, 1, 2, 0, 2]] * np.asarray(factors)).reshape(-1)
    if add:
        coef += term
    else:
        coef[:] = term


def batch_combine(
    coef: FloatArray,
    which: npt.NDArray[np.int64],
    s2: FloatArray,
    eps_default: float,
    alpha: FloatArray,
    acc: FloatArray,
    add: bool = True,
    n_threads: int = 1,
) -> None:
    """acc[i] (+)= the Gamma-weighted integral of coefficient row which[i] (see the
    compiled kernel): epsilon = 1 - 4 s2, Gamma_QM(alpha) weighting when alpha is
    given; add: accumulate, else overwrite. A row out of range in ``which`` is the
    compiled kernel's status error."""
    n = len(acc)
    if len(coef) % 5 != 0 or len(coef) == 0:
        raise ValueError("coef must hold rows of 5 coefficients (at least one)")
    rows = np.asarray(coef, dtype=np.float64).reshape(-1, 5)
    if len(which) not in (0, n):
        raise ValueError(f"which must be empty or have one entry per point ({n})")
    for name, arr in (("s2", s2), ("alpha", alpha)):
        if len(arr) not in (0, 1, n):
            raise ValueError(f"{name} must be empty, one value or one per point ({n})")
    w = np.asarray(which)
    if w.size and (w.min() < 0 or w.max() >= rows.shape[0]):
        _status.raise_status(_status.BAD_ARG, "batch_combine (which)")
    if n == 0:
        return
    c = rows[w].T if w.size else rows[0]
    eps = 1.0 - 4.0 * np.asarray(s2) if len(s2) else eps_default
    g = (c[0] * eps - c[1]) * eps + c[2]
    if len(alpha):
        a = np.asarray(alpha)
        g = g * a + (c[3] * eps * eps + c[4]) * (1.0 - a)
    if add:
        acc += g
    else:
        acc[:] = g


def _chebmodel(model: FluxModel) -> FluxModel:
    """The length checks of the compiled kernel (values: coherency._validation)."""
    n_keys = len(model.keys)
    n_coef = model.n_coef
    if len(model.bps) < 2 or n_keys < 1 or n_coef < 1:
        raise ValueError("the model needs >= 2 breakpoints, >= 1 piece and n_coef >= 1")
    if (any(len(a) != n_keys for a in (model.t0, model.t1, model.a1_0, model.a1_2,
                                        model.above0, model.above2, model.converged))
            or len(model.coef0) != n_keys * n_coef or len(model.coef2) != n_keys * n_coef):
        raise ValueError(f"every piece needs t0, t1, a1, above, converged and n_coef = "
                         f"{n_coef} coefficients ({n_keys} pieces)")
    return model


def _cheb_moments(model: FluxModel, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    bps, keys, t0, t1, n_coef = model.bps, model.keys, model.t0, model.t1, model.n_coef
    a1_0, a1_2, above0, above2 = model.a1_0, model.a1_2, model.above0, model.above2
    below0, below2, cancel = model.below0, model.below2, model.cancel
    x = np.asarray(x)
    k = np.clip(np.searchsorted(bps, x, side="right") - 1, -1, len(bps) - 1)
    F0 = np.where(k < 0, below0, 0.0)
    F2 = np.where(k < 0, below2, 0.0)
    redo = np.zeros(x.size, dtype=bool)
    idx = np.nonzero((k >= 0) & (k < len(bps) - 1))[0]
    if idx.size == 0:
        return F0, F2, redo
    ki, xi = k[idx], x[idx]
    a, b = bps[ki], bps[ki + 1]
    t = 1.0 - np.sqrt(np.clip((b - xi) / (b - a), 0.0, 1.0))
    p = np.clip(np.searchsorted(keys, ki + t, side="right") - 1, 0, len(keys) - 1)
    y = np.clip((2.0 * t - (t0[p] + t1[p])) / (t1[p] - t0[p]), -1.0, 1.0)
    # numpy's chebval on each point's own coefficient row, vectorised over points
    s0 = np.polynomial.chebyshev.chebval(y, np.asarray(model.coef0).reshape(-1, n_coef)[p].T,
                                         tensor=False)
    s2 = np.polynomial.chebyshev.chebval(y, np.asarray(model.coef2).reshape(-1, n_coef)[p].T,
                                         tensor=False)
    in0 = a1_0[p] - s0
    in2 = a1_2[p] - s2
    F0[idx] = above0[p] + in0
    F2[idx] = above2[p] + in2
    redo[idx] = ((np.asarray(model.converged)[p] == 0) | (np.abs(in0) < cancel * np.abs(a1_0[p]))
                 | (np.abs(in2) < cancel * np.abs(a1_2[p])))
    return F0, F2, redo


def cheb_moments(
    model: FluxModel, x: FloatArray, F0: FloatArray, F2: FloatArray,
    redo: npt.NDArray[np.uint8], n_threads: int = 1,
) -> None:
    """Continuum flux moments F0, F2 at x from a source's piecewise Chebyshev model
    (``model``: a FluxModel; see the compiled kernel); redo = 1 where they must be
    recomputed directly."""
    _chebmodel(model)
    if len(F0) != len(x) or len(F2) != len(x) or len(redo) != len(x):
        raise ValueError("x, F0, F2 and redo must have the same length")
    F0[:], F2[:], redo[:] = _cheb_moments(model, x)


def dn_dq2(
    model: FluxModel, line_E: FloatArray, line_F0: FloatArray, line_F2: FloatArray,
    spec: NucleusSpec, v: FloatArray, scale: float, cap: float, weight: float,
    out: FloatArray, redo: npt.NDArray[np.uint8], add: bool = False, n_threads: int = 1,
) -> None:
    """out (+)= weight x integral Phi dsigma/dq2 dE at q2 = scale min(v, cap) (v, scale,
    cap >= 0), one nucleus (``spec``, a NucleusSpec); nothing where redo (see the
    compiled kernel)."""
    _nucleus(spec, "dn_dq2")
    _chebmodel(model)
    if len(line_F0) != len(line_E) or len(line_F2) != len(line_E):
        raise ValueError("line_E, line_F0 and line_F2 must have the same length")
    if len(out) != len(v) or len(redo) != len(v):
        raise ValueError("v, out and redo must have the same length")
    mass, pref = spec.mass, spec.prefactor
    v = np.asarray(v)
    q2 = scale * np.minimum(v, cap)
    T = q2 / (2.0 * mass)
    x = 0.5 * (T + np.sqrt(T) * np.sqrt(T + 2.0 * mass))
    F0, F2, flags = _cheb_moments(model, x)
    for e, f0, f2 in zip(np.asarray(line_E).tolist(), np.asarray(line_F0).tolist(),
                         np.asarray(line_F2).tolist()):
        above = x <= e
        F0[above] += f0
        F2[above] += f2
    dn = pref * _gamma(np.sqrt(q2), spec) * np.maximum(F0 - 0.25 * q2 * F2, 0.0)
    val = np.where(flags, 0.0, weight * dn)
    if add:
        out += val
    else:
        out[:] = val
    redo[:] = flags


def build_info() -> dict:
    """Twin of the compiled ``build_info``: no threads, no SIMD, no compile flags."""
    return {"threads": "serial", "simd": simd_info(), "compile_flags": ""}


def all_within(
    x: FloatArray, lo: float, hi: float, lo_open: bool = False, n_threads: int = 1
) -> bool:
    """True if every x lies in [lo, hi] ((lo, hi] when lo_open); NaN lies outside."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.size == 0:
        return True
    a, b = arr.min(), arr.max()  # NaN propagates, and fails both tests
    return bool((a > lo if lo_open else a >= lo) and b <= hi)


# The twins of the detector response, the scalar and small-array entry points and
# physics beyond the Standard Model live in their own modules (one topic per file).
from ._reference_bsm import (  # noqa: E402, F401
    bsm_dsigma_dq2,
    bsm_grid,
    bsm_parts,
    bsm_sigma,
)
from ._reference_response import (  # noqa: E402, F401
    GAMMA_MAX_A,
    NARROW_PIECE,
    POISSON_MAX_MEAN,
    _eps_at,
    gammainc_pq,
    response_matrix,
)
from ._reference_scalar import (  # noqa: E402, F401
    dsigma_dq2_scalar,
    form_factor_scalar,
    helm_scalar,
    sigma_total_scalar,
    simd_info,
    small_coherence,
    small_cross_section,
    small_form_factor,
    small_kinematics,
    small_spherical_j1,
    spherical_j1_scalar,
)
