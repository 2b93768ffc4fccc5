"""Batch API: flux-averaged cross sections and event counts over arrays of parameters.

Fits and scans evaluate the same source x target integral at many parameter points.
These functions take the parameters as arrays (broadcast against each other like
ufunc arguments) and compute every point in one compiled loop over parameter points
(``qgrid_moments``, csrc/coh_rate.c), instead of one Python call per point.
Parameters:

* ``radius_scale``: multiplies the first length of the form factor (the Helm radius
  R0, the Klein-Nystrand R_A, the symmetrized-Fermi c) of protons and neutrons; the
  point equals the scalar API with ``radius_fm = radius_scale * R0``;
* ``sin2_theta_w``: the weak mixing angle, epsilon = 1 - 4 sin^2 theta_W (seed Eq. 2);
* ``alpha``: the degree of coherency; Gamma = Gamma_QM(alpha) (seed Eq. 3) with the
  form factor set to 1, as ``dsigma_dq2(..., alpha=...)`` does;
* ``T_min`` (and ``T_max`` for counts): the nuclear-recoil window, MeV.

How: the double integral is taken with q outside and E inside (PHYSICS.md section 6).
The E integral of dsigma/dq^2 is analytic in the flux moments,
    integral Phi (1 - q^2/4E^2) dE = F0(E_min(q)) - q^2/4 F2(E_min(q)),
so every point is one q integral of F_a F_b G with G(q) = 2q [F0 - q^2/4 F2], which
does not depend on the form factor. G is tabulated once per (source, nucleus,
lowest threshold, panel width) on panels cut at the images of the source's
breakpoints and lines and refined until G is resolved (cached for frozen sources).
A radius then costs one vectorised form-factor pass over the panels' nodes, shared by
every threshold at that radius; a threshold adds one partial panel. epsilon and alpha
enter as exact factors, so those scans need a single integral.

Accuracy: the scalar API integrates in the other order (E outside). The two agree to
~1e-13 relative where the result is not a tiny tail (tests hold 1e-12 on the DAR,
reactor and model form factors); in deep tails the q-outer order is the more
accurate one (the solar hep tail on Ar above 15 keV: the scalar 48-node energy rule
is 2e-10 off a 96-node one, this module 1e-13).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from . import _backend, _validation
from .constants import HBARC_MEV_FM
from .cross_sections import GL_W, GL_X
from .form_factors import FormFactor, FormFactorSpec, NuclearFormFactors
from .rates import (
    CACHE_SIZE,
    E_min_for_T,
    _check_source,
    _flux_moments,
    cheb_interp,
    _is_frozen,
    _resolve,
    _total_flux,
    check_threads,
    nuclear_setup,
)
from .targets import Nucleus, Target, as_target

FloatOrArray = Union[float, npt.NDArray[np.float64]]

__all__ = ["batch_flux_averaged_sigma", "batch_event_counts", "scaled_form_factors"]


def scaled_form_factors(ffs: NuclearFormFactors, A: float, radius_scale: float) -> NuclearFormFactors:
    """The scalar-API form factors of one batch point: first lengths times radius_scale.

    ``radius_fm = radius_scale * R0`` for protons and neutrons (unity stays unity).
    """
    def scale(ff: Any) -> Any:
        if not isinstance(ff, FormFactor) or not hasattr(ff, "radius_fm"):
            return ff
        return dataclasses.replace(ff, radius_fm=radius_scale * ff.lengths_fm(A)[0])  # type: ignore[type-var]

    return NuclearFormFactors(scale(ffs.proton), scale(ffs.neutron))


def _params(
    radius_scale: Any, alpha: Any, sin2_theta_w: Any, T_min: Any, T_max: Any = None
) -> tuple[tuple[int, ...], int, dict[str, np.ndarray | None]]:
    """Validated parameters: the broadcast shape, its size n, and per parameter a flat
    array of n values, or of one value when it is the same everywhere (no copies of
    a constant)."""
    named: list[tuple[str, np.ndarray]] = [
        ("radius_scale", _validation.as_float_array(radius_scale, "radius_scale", min_value=0.0,
                                                    exclusive_min=True)),
        ("T_min", _validation.as_float_array(T_min, "T_min", min_value=0.0, unit="MeV")),
    ]
    if sin2_theta_w is not None:
        named.append(("sin2_theta_w", _validation.as_float_array(
            sin2_theta_w, "sin2_theta_w", min_value=0.0, max_value=0.5)))
    if alpha is not None:
        named.append(("alpha", _validation.as_float_array(alpha, "alpha", min_value=0.0,
                                                          max_value=1.0)))
    if T_max is not None:
        named.append(("T_max", _validation.as_float_array(T_max, "T_max", min_value=0.0,
                                                          unit="MeV")))
    try:
        shape = np.broadcast_shapes(*(arr.shape for _, arr in named))
    except ValueError:
        shapes = ", ".join(f"{name} {arr.shape}" for name, arr in named)
        raise ValueError(f"arguments do not broadcast together: {shapes}") from None
    n = math.prod(shape)
    flat: dict[str, np.ndarray | None] = {"sin2_theta_w": None, "alpha": None, "T_max": None}
    for name, arr in named:
        if arr.size == 1:
            flat[name] = np.ascontiguousarray(arr, dtype=np.float64).reshape(1)
        else:
            flat[name] = np.ascontiguousarray(np.broadcast_to(arr, shape), dtype=np.float64).reshape(-1)
    if alpha is not None and np.any(flat["radius_scale"] != 1.0):  # type: ignore[operator]
        raise ValueError("radius_scale must be 1 with alpha: Gamma_QM(alpha) replaces the "
                         "form factor (seed Eq. 3)")
    if T_max is not None:
        lo = np.broadcast_to(flat["T_min"], (n,))  # type: ignore[arg-type]
        hi = np.broadcast_to(flat["T_max"], (n,))  # type: ignore[arg-type]
        bad = hi < lo
        if np.any(bad):
            i = int(np.argmax(bad))
            raise ValueError(f"T_max must be >= T_min; got T_max = {hi[i]!r} MeV < "
                             f"T_min = {lo[i]!r} MeV at index {i}")
    return shape, n, flat


def _unique(*cols: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of the columns and, per point, the index of its row."""
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
    x = E_min_for_T(q * q / (2.0 * mass), mass)
    F0, F2 = _flux_moments(source, x.reshape(-1))
    G = 2.0 * q * np.maximum(F0.reshape(q.shape) - 0.25 * q * q * F2.reshape(q.shape), 0.0)
    return G * 2.0 * span * s


def _qgrid_uncached(source: Any, mass: float, q_base: float, dq: float) -> dict[str, np.ndarray]:
    """Panels, nodes, weights and series of G(q) on [q_base, q_top] for one nucleus."""
    def q_of(E: float) -> float:  # sqrt(q2_max(E))
        return 2.0 * E * math.sqrt(mass / (mass + 2.0 * E))

    q_top = q_of(float(source.E_max))
    energies = [float(e) for e in source.breakpoints] + [float(e) for e, _ in source.lines]
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
        ok = ((tail <= QG_TOL * size) | (tail <= QG_TOL * 1e-3 * scale)
              | (depth == QG_MAX_DEPTH) | (a_arr.size > QG_MAX_PANELS))
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
    grid = {
        "edges": np.ascontiguousarray(np.append(pa, pb[-1:]) if pa.size else np.array([q_base])),
        "node_q": np.ascontiguousarray(node_q.reshape(-1)),
        "node_w": np.ascontiguousarray(node_w.reshape(-1)),
        "cheb": np.ascontiguousarray(cheb.reshape(-1)),
    }
    for arr in grid.values():
        arr.setflags(write=False)
    return grid


_cached_qgrid = functools.lru_cache(maxsize=CACHE_SIZE)(_qgrid_uncached)


def _qgrid(source: Any, mass: float, q_base: float, dq: float) -> dict[str, np.ndarray]:
    if _is_frozen(source):
        try:
            return _cached_qgrid(source, mass, q_base, dq)
        except TypeError:
            pass
    return _qgrid_uncached(source, mass, q_base, dq)


def _panel_scale(scale_max: float) -> float:
    """scale_max rounded up to a power of 2^(1/8): panels (and the cache key) stay
    the same across batches whose largest radius differs a little."""
    return float(2.0 ** (math.ceil(8.0 * math.log2(scale_max) - 1e-9) / 8.0))


def _folded(
    source: Any, nuc: Nucleus, spec: tuple, ffs: NuclearFormFactors, scale: np.ndarray,
    T: np.ndarray, unity: bool, nt: int, n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Moments of the folded q integral: rows of (m_zz, m_zn, m_nn), one per distinct
    (scale, T), flattened, and per point its row (empty when there is one row)."""
    if scale.size == 1 and T.size == 1:
        scale_u, T_u, which = scale, T, _NO_ROWS
    else:
        # np.unique sorts its rows, so equal scales are consecutive (the kernel shares
        # their full panels)
        (scale_u, T_u), inverse = _unique(np.broadcast_to(scale, (n,)), np.broadcast_to(T, (n,)))
        which = inverse if scale_u.size > 1 else _NO_ROWS
    mass = float(nuc.mass)
    q_lo = np.ascontiguousarray(np.sqrt(2.0 * mass * T_u))
    n_u = scale_u.size
    if unity:
        ff = (mass, 0, 0.0, 0, 0.0)
        p1z = p1n = np.zeros(n_u)
        dq = 0.0
    else:
        mz, _, pz2, mn, _, pn2 = spec[4:10]
        ff = (mass, int(mz), float(pz2), int(mn), float(pn2))
        rz = ffs.proton.lengths_fm(nuc.A)[0]  # type: ignore[union-attr]
        rn = ffs.neutron.lengths_fm(nuc.A)[0]  # type: ignore[union-attr]
        # the same arithmetic as FormFactor.kernel_params with radius_fm = s R0
        p1z = np.ascontiguousarray(scale_u * rz / HBARC_MEV_FM)
        p1n = np.ascontiguousarray(scale_u * rn / HBARC_MEV_FM)
        longest = max(rz, rn) * _panel_scale(float(np.max(scale_u)))
        dq = np.pi * HBARC_MEV_FM / longest if longest > 0 else 0.0
    grid = _qgrid(source, mass, float(np.min(q_lo)), dq)
    out = np.empty(3 * n_u)
    _backend.kernels().qgrid_moments(grid["edges"], grid["node_q"], grid["node_w"],
                                     grid["cheb"], GL_X, GL_W, p1z, p1n, q_lo, ff, out, nt)
    return out, which


_NO_ROWS = np.empty(0, dtype=np.int64)
_NONE = np.empty(0)


def _accumulate(
    source: Any, tgt: Target, ffs: NuclearFormFactors, p: dict[str, np.ndarray | None],
    T: np.ndarray, nt: int, n: int, weights: list[float], acc: np.ndarray,
) -> None:
    """acc += sum over the target's components k of weights[k] x integral Phi
    sigma_k dE (cm^2 x flux / cm^2 ...) at every point, through the compiled
    parameter loop (batch_combine)."""
    from .constants import EPSILON_DEFAULT

    s2 = p["sin2_theta_w"]
    alpha = p["alpha"]
    unity = alpha is not None
    if not unity and not ffs.compiled:
        raise TypeError("the batch API needs model form factors (names or FormFactor "
                        "instances), not Python callables")
    if n == 0:
        return
    if unity:
        specs: list[tuple[Nucleus, tuple]] = [(nuc, ()) for nuc, _ in tgt.components]
    else:
        specs = [(nuc, spec) for _, nuc, spec, _ in nuclear_setup(tgt, ffs, EPSILON_DEFAULT)]
    kern = _backend.kernels()
    pref = _prefactor()
    same = _same(ffs)
    for (nuc, spec), weight in zip(specs, weights):
        m, which = _folded(source, nuc, spec, ffs, p["radius_scale"], T, unity, nt, n)  # type: ignore[arg-type]
        kern.batch_combine(m, which, _NONE if s2 is None else s2, EPSILON_DEFAULT,
                           _NONE if alpha is None else alpha, float(nuc.Z), float(nuc.N),
                           same, weight * pref, acc, nt)


def _prefactor() -> float:
    from .constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2

    return DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2


def _same(ffs: NuclearFormFactors) -> bool:
    return ffs.proton is ffs.neutron or ffs.proton == ffs.neutron


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
) -> FloatOrArray:
    """Flux-averaged cross section per nucleus at many parameter points.

    Parameters
    ----------
    source : coherency.sources.Source
    target : Target, Nucleus or str
    radius_scale : array_like
        Factor (> 0) on the form factor's radius (Helm R0), protons and neutrons.
    alpha : array_like, optional
        Degree of coherency in [0, 1]: Gamma = Gamma_QM(alpha) (seed Eq. 3) and no
        form factor (then ``radius_scale`` must be 1).
    sin2_theta_w : array_like, optional
        sin^2 theta_W in [0, 0.5]; epsilon = 1 - 4 sin^2 theta_W. Default: the
        package's (epsilon 0.04572).
    T_min : array_like, MeV
        Recoil threshold, >= 0.
    form_factor : str, FormFactor, (F_Z, F_N) or NuclearFormFactors
        Model form factors (no Python callables).
    n_threads : int
        Threads of the compiled loop over parameter points (result independent of it).

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
    source = _check_source(source)
    nt = check_threads(n_threads)
    tgt = as_target(target)
    ffs = _resolve(form_factor)
    shape, n, p = _params(radius_scale, alpha, sin2_theta_w, T_min)
    total = _total_flux(source)
    acc = np.zeros(n)
    _accumulate(source, tgt, ffs, p, p["T_min"], nt, n,  # type: ignore[arg-type]
                [float(fraction) / total for _, fraction in tgt.components], acc)
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
) -> FloatOrArray:
    """Expected event counts in a nuclear-recoil window at many parameter points.

    N = m t sum_i n_i [Phi sigma_i(T_min) - Phi sigma_i(T_max)], with n_i the nuclei
    of component i per kg and Phi sigma(T) = integral Phi(E) sigma(E; T) dE: the
    counts of :func:`coherency.event_rate` without efficiency (100 % efficiency,
    nuclear-recoil thresholds). With ``alpha`` these are the Gamma_QM(alpha)-weighted
    counts of seed Eq. 3.

    Parameters
    ----------
    source, target, radius_scale, alpha, sin2_theta_w, T_min, form_factor, n_threads
        As in :func:`batch_flux_averaged_sigma`.
    mass_kg : float, kg
    time_s : float, s
        Exposure time (1 for a fluence source).
    T_max : array_like, MeV, optional
        Upper end of the window (>= T_min); None: no upper cut.

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
    source = _check_source(source)
    nt = check_threads(n_threads)
    tgt = as_target(target)
    ffs = _resolve(form_factor)
    from .rates import _exposure

    m, t = _exposure(tgt, mass_kg, time_s, source)
    shape, n, p = _params(radius_scale, alpha, sin2_theta_w, T_min, T_max)
    per_kg = [float(k) * m * t for _, k in tgt.component_nuclei_per_kg()]
    acc = np.zeros(n)
    _accumulate(source, tgt, ffs, p, p["T_min"], nt, n, per_kg, acc)  # type: ignore[arg-type]
    if p["T_max"] is not None:
        _accumulate(source, tgt, ffs, p, p["T_max"], nt, n, [-w for w in per_kg], acc)
    return _validation.restore_shape(acc, shape)
