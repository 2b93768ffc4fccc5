"""Batch API: flux-averaged cross sections and event counts over arrays of parameters.

Fits and scans evaluate the same source x target integral at many parameter points.
These functions take the parameters as arrays (broadcast against each other like
ufunc arguments) and compute every point in one compiled loop over parameter points
(``qgrid_moments``, csrc/coh_rate.c), instead of one Python call per point.
Parameters:

* ``radius_scale``: multiplies the first length of the form factor (the Helm radius
  R0, the Klein-Nystrand R_A, the symmetrized-Fermi c) of protons and neutrons; the
  point equals the scalar API with ``radius_fm = radius_scale * R0``;
* ``sin2_theta_w``: the weak mixing angle, epsilon = 1 - 4 sin^2 theta_W (Sharma & Wong Eq. 2);
* ``alpha``: the degree of coherency; Gamma = Gamma_QM(alpha) (Sharma & Wong Eq. 3) with the
  form factor set to 1, as ``dsigma_dq2(..., alpha=...)`` does;
* ``T_min`` (and ``T_max`` for counts): the nuclear-recoil window, MeV.

How: the double integral is taken with q outside and E inside (docs/physics.md §6).
The E integral of dsigma/dq^2 is analytic in the flux moments,
    integral Phi (1 - q^2/4E^2) dE = F0(E_min(q)) - q^2/4 F2(E_min(q)),
so every point is one q integral of F_a F_b G with G(q) = 2q [F0 - q^2/4 F2], which
does not depend on the form factor. G is tabulated once per (source, nucleus,
panel width) from q = 0 on panels cut at the images of the source's breakpoints and
lines (of a linear table: its end knots and lines; the refinement resolves the knots
inside) and refined until G is resolved (cached for frozen sources); the panel width
is one oscillation of F^2 at the point's radius scale rounded up to a power of
2^(1/8). A radius then costs one vectorised form-factor pass over the panels' nodes,
shared by every threshold at that radius; a threshold adds one partial panel.
epsilon and alpha enter as exact factors, so those scans need a single integral.

Bits: the grid of a point depends on that point's parameters alone (its rounded
radius scale), never on the other points of the batch, so every point has the same
bits whether it is computed alone, in a batch, or in any chunk of a
:func:`coherency.scan.grid` (tests/test_domains.py). The price: a batch whose radius
scales span a factor 2 builds 9 grids per nucleus on its first call (cached after).

Accuracy: the scalar API integrates in the other order (E outside). The two agree to
~1e-13 relative where the result is not a tiny tail (tests hold 1e-12 on the DAR,
reactor and model form factors); in deep tails the q-outer order is the more
accurate one (the solar hep tail on Ar above 15 keV: the scalar 48-node energy rule
is 2e-10 off a 96-node one, this module 1e-13).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _backend, _ff_models, _validation
from ._cache import memoize
from ._flux_moments import cheb_interp, flux_moments
from ._quadrature import check_source, linear_table, total_flux
from ._rate_inputs import _exposure, _resolve, nuclear_setup
from ._records import FormFactorPair, FormFactorParams, QGrid
from ._typing import FloatOrArray
from .constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2, EPSILON_DEFAULT, HBARC_MEV_FM
from .couplings import check_scheme, coupling_terms
from .cross_sections import GL_W, GL_X
from .form_factors import FormFactor, FormFactorSpec, NuclearFormFactors
from .kinematics import E_min_flat, q2_max_of
from .targets import Target, as_target

__all__ = ["batch_flux_averaged_sigma", "batch_event_counts", "scaled_form_factors"]


def scaled_form_factors(ffs: NuclearFormFactors, A: float, radius_scale: float
                        ) -> NuclearFormFactors:
    """The scalar-API form factors of one batch point: first lengths times radius_scale.

    ``radius_fm = radius_scale * R0`` for protons and neutrons (unity stays unity).
    """
    def scale(ff: Any) -> Any:
        if not isinstance(ff, FormFactor) or not hasattr(ff, "radius_fm"):
            return ff
        return dataclasses.replace(ff, radius_fm=radius_scale * ff.lengths_fm(A)[0])  # type: ignore[type-var]

    return NuclearFormFactors(scale(ffs.proton), scale(ffs.neutron))


# (name, min, max, exclusive min, unit) of each parameter
_RANGES = {
    "radius_scale": (0.0, _validation.RADIUS_SCALE_MAX, True, ""),
    "T_min": (0.0, _validation.T_RECOIL_MAX_MEV, False, "MeV"),
    "sin2_theta_w": (0.0, 1.0, False, ""),  # epsilon in [-3, 1], as check_epsilon
    "alpha": (0.0, 1.0, False, ""),
    "T_max": (0.0, _validation.T_RECOIL_MAX_MEV, False, "MeV"),
}


def _param(x: Any, name: str) -> np.ndarray:
    """One parameter, validated: a float64 array (a plain float in range takes a
    path without numpy's reductions; anything else the checks of as_float_array)."""
    lo, hi, open_lo, unit = _RANGES[name]
    v = _validation.plain_float(x)
    if v is not None and _validation.in_range(v, lo, hi, open_lo):
        return np.array(v)
    return _validation.as_float_array(x, name, min_value=lo, max_value=hi,
                                      exclusive_min=open_lo, unit=unit)


def _params(
    radius_scale: Any, alpha: Any, sin2_theta_w: Any, T_min: Any, T_max: Any = None
) -> tuple[tuple[int, ...], int, dict[str, np.ndarray | None]]:
    """Validated parameters: the broadcast shape, its size n, and per parameter a flat
    array of n values, or of one value when it is the same everywhere (no copies of
    a constant)."""
    named = [("radius_scale", _param(radius_scale, "radius_scale")),
             ("T_min", _param(T_min, "T_min"))]
    for name, x in (("sin2_theta_w", sin2_theta_w), ("alpha", alpha), ("T_max", T_max)):
        if x is not None:
            named.append((name, _param(x, name)))
    shapes = [arr.shape for _, arr in named if arr.ndim]
    if len(shapes) <= 1:
        shape = shapes[0] if shapes else ()
    else:
        try:
            shape = np.broadcast_shapes(*shapes)
        except ValueError:
            text = ", ".join(f"{name} {arr.shape}" for name, arr in named)
            raise ValueError(f"arguments do not broadcast together: {text}") from None
    n = math.prod(shape)
    flat: dict[str, np.ndarray | None] = {"sin2_theta_w": None, "alpha": None, "T_max": None}
    for name, arr in named:
        if arr.size == 1:
            flat[name] = arr.reshape(1)
        elif arr.shape == shape:
            flat[name] = arr.reshape(-1)  # as_float_array's result is C-contiguous
        else:
            flat[name] = np.ascontiguousarray(np.broadcast_to(arr, shape)).reshape(-1)
    scale = flat["radius_scale"]
    assert scale is not None
    if alpha is not None and (scale.size > 1 or scale[0] != 1.0) and np.any(scale != 1.0):
        raise ValueError("radius_scale must be 1 with alpha: Gamma_QM(alpha) replaces the "
                         "form factor (Sharma & Wong Eq. 3)")
    if T_max is not None:
        lo = np.broadcast_to(flat["T_min"], (n,))  # type: ignore[arg-type]
        hi = np.broadcast_to(flat["T_max"], (n,))  # type: ignore[arg-type]
        bad = hi < lo
        if np.any(bad):
            i = int(np.argmax(bad))
            raise ValueError(f"T_max must be >= T_min; got T_max = {hi[i]!r} MeV < "
                             f"T_min = {lo[i]!r} MeV at index {i}")
    return shape, n, flat


def _lex_increasing(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether the rows (a[i], b[i]) increase strictly in lexicographic order."""
    da = a[1:] - a[:-1]
    return bool(np.all((da > 0) | ((da == 0) & (b[1:] > b[:-1]))))


def _unique(*cols: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of two columns, sorted (lexicographically), and per point the
    index of its row."""
    a, b = cols
    if _lex_increasing(a, b):  # a scan or a grid in order: each point is its own row
        return [np.ascontiguousarray(c) for c in cols], np.arange(a.size, dtype=np.int64)
    varying = [c for c in cols if c.size > 1 and np.any(c != c[0])]
    if not varying:
        return [c[:1] for c in cols], np.zeros(cols[0].size, dtype=np.int64)
    if len(varying) == 1:
        uniq, inverse = np.unique(varying[0], return_inverse=True)
        first = np.zeros(uniq.size, dtype=np.int64)
        first[inverse[::-1]] = np.arange(inverse.size)[::-1]
    else:
        stacked = np.stack(cols, axis=1)
        _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    return [np.ascontiguousarray(c[first]) for c in cols], inverse.reshape(-1).astype(np.int64)


# The q-outer grid (module notes). On each panel [a, b], q(t) = b - (b - a)(1 - t)^2
# (smooth where G ends like a power of (q_b - q), as beta spectra do), and
# h(t) = G(q(t)) dq/dt is fitted by a Chebyshev series of QG_CHEB terms; panels whose
# last coefficients exceed QG_TOL of the series (or of the largest panel's) are
# bisected, up to QG_MAX_DEPTH times, so G is resolved wherever it varies fast (an
# exponential tail, a logarithmic end point). The tolerance sits above the ~1e-13
# noise of the flux moments, so refinement always stops.
QG_CHEB = 32
QG_TOL = 1e-12
QG_MAX_DEPTH = 40
QG_MAX_PANELS = 20000  # refinement stops there whatever the tails say
_QG_Y, _QG_DCT = cheb_interp(QG_CHEB)
QG_T = 0.5 * (_QG_Y + 1.0)  # Chebyshev nodes in t
GL_T = 0.5 * (GL_X + 1.0)


def _h(source: Any, mass: float, a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """h(t) = G(q(t)) dq/dt on panels [a, b] (columns: panels' nodes t)."""
    s = 1.0 - t[None, :]
    span = (b - a)[:, None]
    q = b[:, None] - span * s * s
    x = E_min_flat(q * q / (2.0 * mass), mass)
    F0, F2 = flux_moments(source, x.reshape(-1))
    G = 2.0 * q * np.maximum(F0.reshape(q.shape) - 0.25 * q * q * F2.reshape(q.shape), 0.0)
    return G * 2.0 * span * s


@memoize("batch q grids")
def _qgrid(source: Any, mass: float, q_base: float, dq: float) -> QGrid:
    """Panels, nodes, weights and series of G(q) on [q_base, q_top] for one nucleus.

    Panels are cut at the images of the source's breakpoints and lines, except for a
    linear table: its flux is continuous and linear between knots, so G is smooth
    between their images but for a jump of its second derivative at each, which the
    refinement resolves where it matters; cutting at every knot would make one panel
    per knot, a cost per point that grows with the table. A table is cut at its end
    knots (where the flux may drop to zero) and its lines only; where the refinement
    does not converge so within as many panels as the table has knots (a coarse table,
    whose kinks are large), its grid is cut at every knot as for other sources."""
    table = linear_table(source)
    if table is not None:
        ends = [float(table[0][0]), float(table[0][-1])]
        grid = _qgrid_build(source, mass, q_base, dq, ends, budget=table[0].size)
        if grid is not None:
            return grid
    built = _qgrid_build(source, mass, q_base, dq, [float(e) for e in source.breakpoints])
    assert built is not None
    return built


def _qgrid_build(source: Any, mass: float, q_base: float, dq: float, breaks: list[float],
                 budget: int | None = None) -> QGrid | None:
    """The grid of :func:`_qgrid` with panels cut at the images of ``breaks`` and of the
    source's lines. With a ``budget``: None where the refinement needs more panels
    than that, or keeps one only because it reached QG_MAX_DEPTH or QG_MAX_PANELS."""
    def q_of(E: float) -> float:
        return math.sqrt(q2_max_of(E, mass))

    q_top = q_of(float(source.E_max))
    energies = breaks + [float(e) for e, _ in source.lines]
    cuts = sorted({q_of(e) for e in energies if e > 0} | {q_base, q_top})
    raw = [c for c in cuts if q_base <= c <= q_top]
    lo: list[float] = []
    hi: list[float] = []
    for a, b in zip(raw[:-1], raw[1:]):
        n = max(1, math.ceil((b - a) / dq)) if dq > 0 else 1
        cut = [a + (b - a) * k / n for k in range(n)] + [b]
        lo += cut[:-1]
        hi += cut[1:]
    a_arr, b_arr = np.array(lo), np.array(hi)
    done_a: list[np.ndarray] = []
    done_b: list[np.ndarray] = []
    done_c: list[np.ndarray] = []
    scale = 0.0
    for depth in range(QG_MAX_DEPTH + 1):
        if a_arr.size == 0:
            break
        coef = _h(source, mass, a_arr, b_arr, QG_T) @ _QG_DCT.T
        if not np.all(np.isfinite(coef)):
            raise ValueError(f"source {getattr(source, 'name', source)!r}: its flux moments "
                             f"are not finite (flux returns NaN or inf)")
        size = np.sum(np.abs(coef), axis=1)
        scale = max(scale, float(np.max(size)))
        tail = np.max(np.abs(coef[:, -4:]), axis=1)
        converged = (tail <= QG_TOL * size) | (tail <= QG_TOL * 1e-3 * scale)
        ok = converged | (depth == QG_MAX_DEPTH) | (a_arr.size > QG_MAX_PANELS)
        if budget is not None and (not np.all(converged[ok]) or sum(
                a.size for a in done_a) + a_arr.size + np.count_nonzero(~ok) > budget):
            return None
        done_a.append(a_arr[ok])
        done_b.append(b_arr[ok])
        done_c.append(coef[ok])
        mid = 0.5 * (a_arr[~ok] + b_arr[~ok])
        a_arr, b_arr = (np.concatenate([a_arr[~ok], mid]), np.concatenate([mid, b_arr[~ok]]))
    pa = np.concatenate(done_a) if done_a else np.empty(0)
    pb = np.concatenate(done_b) if done_b else np.empty(0)
    order = np.argsort(pa, kind="stable")
    pa, pb = pa[order], pb[order]
    cheb = (np.concatenate(done_c)[order] if done_c else np.empty((0, QG_CHEB)))
    s = 1.0 - GL_T[None, :]
    node_q = pb[:, None] - (pb - pa)[:, None] * s * s
    node_w = 0.5 * GL_W[None, :] * _h(source, mass, pa, pb, GL_T) if pa.size else node_q
    grid = QGrid(
        edges=np.ascontiguousarray(np.append(pa, pb[-1:]) if pa.size else np.array([q_base])),
        node_q=np.ascontiguousarray(node_q.reshape(-1)),
        node_w=np.ascontiguousarray(node_w.reshape(-1)),
        cheb=np.ascontiguousarray(cheb.reshape(-1)),
        gl_x=GL_X,
        gl_w=GL_W,
    )
    for arr in (grid.edges, grid.node_q, grid.node_w, grid.cheb):
        arr.setflags(write=False)
    return _validation.check_qgrid(grid)


def _panel_scale(scale: float) -> float:
    """A radius scale rounded up to a power of 2^(1/8): the panels of G(q) for every
    point whose scale rounds to it (and the cache key of the grid)."""
    return float(2.0 ** (math.ceil(8.0 * math.log2(scale) - 1e-9) / 8.0))


@dataclasses.dataclass(frozen=True, eq=False)
class _Component:
    """What the q loop needs of one nucleus: mass (MeV), charges, the kernel's
    FormFactorPair (mass, models, second lengths; the first lengths come per point)
    and the first lengths R0 of protons and neutrons (fm; 0 without a form factor)."""
    mass: float
    Z: float
    N: float
    ff: FormFactorPair
    rz: float
    rn: float
    fraction: float  # of the target's nuclei
    per_kg: float  # nuclei of this component per kg of target
    p1_unit: tuple[np.ndarray, np.ndarray]  # kernel lengths at radius_scale 1


@memoize("batch target components", per_backend=False)
def _components(tgt: Target, ffs: NuclearFormFactors, unity: bool
                ) -> tuple[_Component, ...]:
    per_kg = [float(k) for _, k in tgt.component_nuclei_per_kg()]
    out = []
    for k, (nuc, fraction) in enumerate(tgt.components):
        if unity:
            one = FormFactorParams(_ff_models.UNITY.id, 0.0, 0.0)
            ff = FormFactorPair(float(nuc.mass), one, one)
            rz = rn = 0.0
        else:
            spec = nuclear_setup(tgt, ffs, EPSILON_DEFAULT)[k][2]
            # the first lengths are the kernel's per-point arguments
            ff = FormFactorPair(float(nuc.mass), spec.ffz._replace(p1=0.0),
                                spec.ffn._replace(p1=0.0))
            rz = float(ffs.proton.lengths_fm(nuc)[0])  # type: ignore[union-attr]
            rn = float(ffs.neutron.lengths_fm(nuc)[0])  # type: ignore[union-attr]
        p1 = (np.array([rz / HBARC_MEV_FM]), np.array([rn / HBARC_MEV_FM]))
        for arr in p1:
            arr.setflags(write=False)
        out.append(_Component(float(nuc.mass), float(nuc.Z), float(nuc.N), ff, rz, rn,
                              float(fraction), per_kg[k], p1))
    return tuple(out)


def _rows(scale: np.ndarray, T: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (radius scale, threshold) rows and per point its row (empty when
    there is one row)."""
    if scale.size == 1 and T.size == 1:
        return scale, T, _NO_ROWS
    # _unique gives the rows in lexicographic order, so equal scales are consecutive
    # (the kernel shares their full panels)
    (scale_u, T_u), inverse = _unique(np.broadcast_to(scale, (n,)), np.broadcast_to(T, (n,)))
    return scale_u, T_u, (inverse if scale_u.size > 1 else _NO_ROWS)


def _grid_for(source: Any, c: _Component, rounded: float) -> QGrid:
    """The q grid of the points whose radius scale rounds to ``rounded``
    (:func:`_panel_scale`): from q = 0 (thresholds cut inside it) with panels of one
    oscillation of F^2 at that scale. It depends on the point alone, not on the rest
    of the batch, so a point's value is the same bits however a scan is chunked."""
    longest = max(c.rz, c.rn) * rounded if max(c.rz, c.rn) > 0 else 0.0
    dq = math.pi * HBARC_MEV_FM / longest if longest > 0 else 0.0
    return _qgrid(source, c.mass, 0.0, dq)


def _moments(source: Any, c: _Component, scale_u: np.ndarray, T_u: np.ndarray,
             nt: int) -> np.ndarray:
    """Moments (m_zz, m_zn, m_nn) of the q integral of one nucleus, one row per
    (scale, T) (rows sorted by scale): flat, 3 per row."""
    kern = _backend.kernels()
    if scale_u.size == 1:  # without numpy's per-call cost on one-element arrays
        s = float(scale_u[0])
        q_lo = np.array([math.sqrt(2.0 * c.mass * float(T_u[0]))])
        if s == 1.0:  # s R0 / hbarc = R0 / hbarc exactly
            p1z, p1n = c.p1_unit
        else:
            p1z = np.array([s * c.rz / HBARC_MEV_FM])
            p1n = np.array([s * c.rn / HBARC_MEV_FM])
        out = np.empty(3)
        kern.qgrid_moments(_grid_for(source, c, _panel_scale(s)), c.ff, p1z, p1n, q_lo, out,
                           nt)
        return out
    q_lo = np.ascontiguousarray(np.sqrt(2.0 * c.mass * T_u))
    # the same arithmetic as FormFactor.kernel_params with radius_fm = s R0
    p1z = np.ascontiguousarray(scale_u * c.rz / HBARC_MEV_FM)
    p1n = np.ascontiguousarray(scale_u * c.rn / HBARC_MEV_FM)
    out = np.empty(3 * scale_u.size)
    # one grid per rounded scale; the rows are sorted by scale, so the rows of each
    # grid are one run
    uniq = np.unique(scale_u)
    rounded = np.array([_panel_scale(float(v)) for v in uniq])[np.searchsorted(uniq, scale_u)]
    cuts = (np.nonzero(np.diff(rounded))[0] + 1).tolist()
    for i0, i1 in zip([0, *cuts], [*cuts, scale_u.size]):
        part = np.empty(3 * (i1 - i0))
        kern.qgrid_moments(_grid_for(source, c, float(rounded[i0])), c.ff, p1z[i0:i1],
                           p1n[i0:i1], q_lo[i0:i1], part, nt)
        out[3 * i0:3 * i1] = part
    return out


_NO_ROWS = np.empty(0, dtype=np.int64)
_NONE = np.empty(0)


def _target_components(tgt: Target, ffs: NuclearFormFactors,
                       p: dict[str, np.ndarray | None]) -> tuple[_Component, ...]:
    unity = p["alpha"] is not None
    if not unity and not ffs.compiled:
        raise TypeError("the batch API needs model form factors (names or FormFactor "
                        "instances), not Python callables")
    return _components(tgt, ffs, unity)


def _coefficients(
    source: Any, comps: tuple[_Component, ...], p: dict[str, np.ndarray | None],
    T: np.ndarray, nt: int, n: int, weights: list[float],
) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``batch_combine`` (csrc/coh_rate.h): per distinct (scale, T), the
    sum over the target's nuclei k of weights[k] x prefactor x (Z^2 m_zz, 2 Z N m_zn,
    N^2 m_nn, Z m_zz, N m_nn), flat; and per point its row (empty: one row)."""
    scale_u, T_u, which = _rows(p["radius_scale"], T, n)  # type: ignore[arg-type]
    pref = DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2
    if scale_u.size == 1:  # Python floats: a few ns each, numpy's calls a microsecond
        row = [0.0] * 5
        for c, weight in zip(comps, weights):
            w = weight * pref
            zz, zn, nn = _moments(source, c, scale_u, T_u, nt).tolist()
            row[0] += w * c.Z * c.Z * zz
            row[1] += w * 2.0 * c.Z * c.N * zn
            row[2] += w * c.N * c.N * nn
            row[3] += w * c.Z * zz
            row[4] += w * c.N * nn
        return np.array(row), which
    coef = np.empty(5 * scale_u.size)
    for k, (c, weight) in enumerate(zip(comps, weights)):
        w = weight * pref
        factors = np.array([w * c.Z * c.Z, w * 2.0 * c.Z * c.N, w * c.N * c.N, w * c.Z,
                            w * c.N])
        # the products of the one-row path above, row by row in the kernel (inf beyond
        # the float range: left to check_finite_result)
        moments = _moments(source, c, scale_u, T_u, nt)
        with np.errstate(over="ignore", invalid="ignore"):
            _backend.kernels().moments_to_coef(moments, factors, coef, k > 0, nt)
    return coef, which


def _combine(coef: np.ndarray, which: np.ndarray, p: dict[str, np.ndarray | None],
             acc: np.ndarray, nt: int, add: bool) -> None:
    """acc (+)= the per-point integrals (the compiled parameter loop, batch_combine).
    Values beyond the float range (inf, inf - inf) are left to the callers'
    check_finite_result, without the twin's warnings."""
    s2, alpha = p["sin2_theta_w"], p["alpha"]
    with np.errstate(over="ignore", invalid="ignore"):
        _backend.kernels().batch_combine(coef, which, _NONE if s2 is None else s2,
                                         EPSILON_DEFAULT, _NONE if alpha is None else alpha,
                                         acc, add, nt)


def _terms(source: Any, couplings: Any, p: dict[str, np.ndarray | None]
           ) -> list[tuple[Any, float, dict[str, np.ndarray | None]]]:
    """(source part, weight x norm, parameters) per flavour part of the couplings
    (docs/physics.md Eq. (9.4)): the whole source at tree level; with flavour-
    dependent couplings, each part at its own fixed epsilon (sin2_theta_w must then be
    absent, and couplings must not run with q: the kernels take fixed charges)."""
    scheme = check_scheme(couplings, None)
    if scheme in (None, "tree"):
        return [(source, 1.0, p)]
    if p["sin2_theta_w"] is not None:
        raise ValueError(f"sin2_theta_w: the {scheme!r} couplings fix epsilon flavour by "
                         f"flavour; scan sin2_theta_w with couplings=None or 'tree'")
    out = []
    for term in coupling_terms(source, couplings, None):
        if term.couplings is not None and term.couplings.runs:
            raise ValueError(f"couplings: {scheme!r} runs with q, which the batch API's "
                             f"kernels do not take; use 'pdg', or the scalar functions")
        s2 = np.array([0.25 * (1.0 - term.epsilon)])
        out.append((term.source, term.weight * term.norm, {**p, "sin2_theta_w": s2}))
    return out


def batch_flux_averaged_sigma(
    source: Any,
    target: Any,
    *,
    radius_scale: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike | None = None,
    sin2_theta_w: npt.ArrayLike | None = None,
    T_min: npt.ArrayLike = 0.0,
    form_factor: FormFactorSpec = "helm",
    n_threads: int = 1,
    couplings: str | None = None,
) -> FloatOrArray:
    """Flux-averaged cross section per nucleus at many parameter points.

    Parameters
    ----------
    source : coherency.sources.Source
    target : Target, Nucleus or str
    radius_scale : array_like
        Factor in (0, 10] (``RADIUS_SCALE_MAX``) on the form factor's radius (Helm R0),
        protons and neutrons.
    alpha : array_like, optional
        Degree of coherency in [0, 1]: Gamma = Gamma_QM(alpha) (Sharma & Wong Eq. 3) and no
        form factor (then ``radius_scale`` must be 1).
    sin2_theta_w : array_like, optional
        sin^2 theta_W in [0, 1]; epsilon = 1 - 4 sin^2 theta_W. Default: the
        package's (epsilon 0.04572).
    T_min : array_like, MeV
        Recoil threshold in [0, 1e4] MeV (``T_RECOIL_MAX_MEV``).
    form_factor : str, FormFactor, (F_Z, F_N) or NuclearFormFactors
        Model form factors (no Python callables).
    n_threads : int
        Threads of the compiled loop over parameter points: an int in [1, 1024], of
        which at most the CPUs available to the process are used
        (``coherency.config()["cpus_available"]``); small inputs run on one thread; the
        result does not depend on it.
    couplings : {None, "tree", "pdg"}
        Weak couplings, as in :func:`coherency.flux_averaged_sigma`; with ``"pdg"``
        each flavour part of the source has its own epsilon (then no
        ``sin2_theta_w``).

    Returns
    -------
    float or ndarray, cm^2
        <sigma> at every point, shape of the broadcast parameters; a float when all
        are scalars. Equals :func:`coherency.flux_averaged_sigma` with ``epsilon = 1 -
        4 sin2_theta_w`` and ``radius_fm = radius_scale * R0`` point by point.

    Examples
    --------
    >>> import numpy as np, coherency as coh
    >>> src = coh.sources.PionDAR.coherent_csi_2017()
    >>> s = coh.batch_flux_averaged_sigma(src, "CsI", radius_scale=np.array([0.9, 1.0, 1.1]))
    >>> bool(s[0] > s[1] > s[2])          # larger nuclei, stronger form-factor suppression
    True
    >>> bool(abs(s[1] / coh.flux_averaged_sigma(src, "CsI") - 1) < 1e-12)
    True
    """
    source = check_source(source)
    nt = _validation.check_threads(n_threads)
    tgt = as_target(target)
    ffs = _resolve(form_factor)
    shape, n, p = _params(radius_scale, alpha, sin2_theta_w, T_min)
    total = total_flux(source)
    comps = _target_components(tgt, ffs, p)
    acc = np.empty(n)
    if n:
        for k, (part, weight, pp) in enumerate(_terms(source, couplings, p)):
            coef, which = _coefficients(part, comps, pp, pp["T_min"], nt, n,  # type: ignore[arg-type]
                                        [weight * c.fraction / total for c in comps])
            _combine(coef, which, pp, acc, nt, add=k > 0)
    _validation.check_finite_result(acc, "batch_flux_averaged_sigma", "the source's flux "
                                    "exceeds the float range")
    return _validation.restore_shape(acc, shape)


def batch_event_counts(
    source: Any,
    target: Any,
    mass_kg: float,
    time_s: float,
    *,
    radius_scale: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike | None = None,
    sin2_theta_w: npt.ArrayLike | None = None,
    T_min: npt.ArrayLike = 0.0,
    T_max: npt.ArrayLike | None = None,
    form_factor: FormFactorSpec = "helm",
    n_threads: int = 1,
    couplings: str | None = None,
) -> FloatOrArray:
    """Expected event counts in a nuclear-recoil window at many parameter points.

    N = m t sum_i n_i [Phi sigma_i(T_min) - Phi sigma_i(T_max)], with n_i the nuclei
    of component i per kg and Phi sigma(T) = integral Phi(E) sigma(E; T) dE: the
    counts of :func:`coherency.event_rate` without efficiency (100 % efficiency,
    nuclear-recoil thresholds). With ``alpha`` these are the Gamma_QM(alpha)-weighted
    counts of Sharma & Wong Eq. 3.

    Parameters
    ----------
    source, target, radius_scale, alpha, sin2_theta_w, T_min, form_factor, n_threads,
    couplings
        As in :func:`batch_flux_averaged_sigma`.
    mass_kg : float, kg
        Target mass in [0, 1e12] kg.
    time_s : float, s
        Exposure time in [0, 1e12] s (1 for a fluence source).
    T_max : array_like, MeV, optional
        Upper end of the window (T_min <= T_max <= 1e4 MeV); None: no upper cut.

    Returns
    -------
    float or ndarray
        Counts, shape of the broadcast parameters.

    Examples
    --------
    >>> import coherency as coh
    >>> src = coh.sources.PionDAR.coherent_csi_2017()
    >>> n = coh.batch_event_counts(src, "CsI", 14.6, 1.0, alpha=[0.0, 1.0])  # a fluence: time_s = 1
    >>> bool(n[1] > 10 * n[0])           # coherent vs decoherent scattering
    True
    """
    source = check_source(source)
    nt = _validation.check_threads(n_threads)
    tgt = as_target(target)
    ffs = _resolve(form_factor)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    shape, n, p = _params(radius_scale, alpha, sin2_theta_w, T_min, T_max)
    comps = _target_components(tgt, ffs, p)
    acc = np.empty(n)
    if n:
        for k, (part, weight, pp) in enumerate(_terms(source, couplings, p)):
            per_kg = [weight * c.per_kg * m * t for c in comps]
            coef, which = _coefficients(part, comps, pp, pp["T_min"], nt, n, per_kg)  # type: ignore[arg-type]
            up: np.ndarray | None = None
            if pp["T_max"] is not None:
                # N(T_min) - N(T_max): the upper rows with negative weights, in the
                # same pass over the points when both windows have one row
                up, which_up = _coefficients(part, comps, pp, pp["T_max"], nt, n,
                                             [-w for w in per_kg])
                if which.size == 0 and which_up.size == 0:
                    coef, up = coef + up, None
            _combine(coef, which, pp, acc, nt, add=k > 0)
            if up is not None:
                _combine(up, which_up, pp, acc, nt, add=True)
    _validation.check_finite_result(acc, "batch_event_counts", "reduce mass_kg x time_s or "
                                    "the source's flux")
    return _validation.restore_shape(acc, shape)
