"""Batch API: flux-averaged cross sections and event counts over arrays of parameters.

Fits and scans evaluate the same source x target integral at many parameter points.
These functions take the parameters as arrays (broadcast against each other like
ufunc arguments) and compute every point in one compiled loop over parameter points x
quadrature nodes (``folded_moments``, csrc/coh_rate.c), instead of one Python call
per point. Parameters:

* ``radius_scale``: multiplies the first length of the form factor (the Helm radius
  R0, the Klein-Nystrand R_A, the symmetrized-Fermi c) of protons and neutrons; the
  point equals the scalar API with ``radius_fm = radius_scale * R0``;
* ``sin2_theta_w``: the weak mixing angle, epsilon = 1 - 4 sin^2 theta_W (seed Eq. 2);
* ``alpha``: the degree of coherency; Gamma = Gamma_QM(alpha) (seed Eq. 3) with the
  form factor set to 1, as ``dsigma_dq2(..., alpha=...)`` does;
* ``T_min`` (and ``T_max`` for counts): the nuclear-recoil window, MeV.

Each point equals the scalar public API (:func:`coherency.flux_averaged_sigma`) to
rounding: the same energy rule, q panels and Gauss-Legendre nodes. Work is shared:
the form-factor integral depends only on (radius_scale, T_min), so it is computed
once per distinct pair, and epsilon and alpha enter as exact factors.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from . import _backend, _validation
from .constants import HBARC_MEV_FM
from .cross_sections import GL_W, GL_X
from .form_factors import FormFactor, FormFactorSpec, NuclearFormFactors
from .rates import (
    _check_source,
    _resolve,
    _rule,
    _total_flux,
    check_threads,
    nuclear_setup,
    threshold_energy,
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
) -> tuple[tuple[int, ...], dict[str, np.ndarray | None]]:
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
    arrays = _validation.broadcast(*named)
    shape = arrays[0].shape
    flat: dict[str, np.ndarray | None] = {"sin2_theta_w": None, "alpha": None, "T_max": None}
    for (name, _), arr in zip(named, arrays):
        flat[name] = np.ascontiguousarray(arr.reshape(-1))
    if alpha is not None and np.any(flat["radius_scale"] != 1.0):  # type: ignore[operator]
        raise ValueError("radius_scale must be 1 with alpha: Gamma_QM(alpha) replaces the "
                         "form factor (seed Eq. 3)")
    if T_max is not None:
        lo, hi = flat["T_min"], flat["T_max"]
        bad = hi < lo  # type: ignore[operator]
        if np.any(bad):
            i = int(np.argmax(bad))
            raise ValueError(f"T_max must be >= T_min; got T_max = {hi[i]!r} MeV < "  # type: ignore[index]
                             f"T_min = {lo[i]!r} MeV at index {i}")  # type: ignore[index]
    return shape, flat


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


def _folded(
    source: Any, nuc: Nucleus, spec: tuple, ffs: NuclearFormFactors, scale: np.ndarray,
    T: np.ndarray, unity: bool, nt: int,
) -> np.ndarray:
    """Moments (n, 3) of the folded q integral at each point (scale, T)."""
    if T.size == 0:
        return np.zeros((0, 3))
    (scale_u, T_u), inverse = _unique(scale, T)
    T_rules, rule_of = np.unique(T_u, return_inverse=True)
    rules = [_rule(source, threshold_energy(float(t), nuc.mass)) for t in T_rules]
    sizes = np.array([r[0].size for r in rules], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    E = np.ascontiguousarray(np.concatenate([r[0] for r in rules]))
    w = np.ascontiguousarray(np.concatenate([r[1] for r in rules]))
    n = scale_u.size
    q2_min = np.ascontiguousarray(2.0 * nuc.mass * T_u)
    if unity:
        ff = (float(nuc.mass), 0, 0.0, 0, 0.0)
        p1z = p1n = np.zeros(n)
        panel = np.zeros(n)
    else:
        mz, _, pz2, mn, _, pn2 = spec[4:10]
        ff = (float(nuc.mass), int(mz), float(pz2), int(mn), float(pn2))
        rz = ffs.proton.lengths_fm(nuc.A)[0]  # type: ignore[union-attr]
        rn = ffs.neutron.lengths_fm(nuc.A)[0]  # type: ignore[union-attr]
        # the same arithmetic as FormFactor.kernel_params / panel_dq with radius_fm = s R0
        lz = scale_u * rz
        ln = scale_u * rn
        p1z = np.ascontiguousarray(lz / HBARC_MEV_FM)
        p1n = np.ascontiguousarray(ln / HBARC_MEV_FM)
        widths = [np.pi * HBARC_MEV_FM / length for length, r0 in ((lz, rz), (ln, rn)) if r0 > 0]
        panel = np.ascontiguousarray(np.minimum.reduce(widths) if widths else np.zeros(n))
    out = np.empty(3 * n)
    _backend.kernels().folded_moments(E, w, offsets, np.ascontiguousarray(rule_of, dtype=np.int64),
                                      q2_min, p1z, p1n, panel, ff, GL_X, GL_W, out, nt)
    return out.reshape(n, 3)[inverse]


def _folded_sigma_points(
    source: Any, tgt: Target, ffs: NuclearFormFactors, p: dict[str, np.ndarray | None],
    T: np.ndarray, nt: int,
) -> list[np.ndarray]:
    """Per target component: integral Phi sigma dE (cm^2 x flux) at every point."""
    from .constants import EPSILON_DEFAULT

    scale = p["radius_scale"]
    s2 = p["sin2_theta_w"]
    alpha = p["alpha"]
    eps = np.full(T.size, EPSILON_DEFAULT) if s2 is None else 1.0 - 4.0 * s2
    unity = alpha is not None
    if not unity and not ffs.compiled:
        raise TypeError("the batch API needs model form factors (names or FormFactor "
                        "instances), not Python callables")
    results = []
    if unity:
        specs: list[tuple[Nucleus, tuple]] = [(nuc, ()) for nuc, _ in tgt.components]
    else:
        specs = [(nuc, spec) for _, nuc, spec, _ in nuclear_setup(tgt, ffs, EPSILON_DEFAULT)]
    for nuc, spec in specs:
        m = _folded(source, nuc, spec, ffs, scale, T, unity, nt)  # type: ignore[arg-type]
        pref = _prefactor()
        wz = eps * nuc.Z
        wn = float(nuc.N)
        if alpha is not None:
            coherent = (wz - wn) ** 2
            decoherent = eps * eps * nuc.Z + nuc.N
            gamma = coherent * alpha + decoherent * (1.0 - alpha)  # seed Eq. 3
            results.append(pref * (gamma * m[:, 0]))
        elif _same(ffs):
            results.append(pref * ((wz - wn) ** 2 * m[:, 0]))
        else:
            results.append(pref * (wz * wz * m[:, 0] - 2.0 * wz * wn * m[:, 1]
                                   + wn * wn * m[:, 2]))
    return results


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
    shape, p = _params(radius_scale, alpha, sin2_theta_w, T_min)
    total = _total_flux(source)
    T = p["T_min"]
    acc = np.zeros(T.size)  # type: ignore[union-attr]
    for (_, fraction), folded in zip(tgt.components, _folded_sigma_points(source, tgt, ffs, p, T, nt)):  # type: ignore[arg-type]
        acc += float(fraction) * folded
    return _validation.restore_shape(acc / total, shape)


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
    shape, p = _params(radius_scale, alpha, sin2_theta_w, T_min, T_max)
    T_lo = p["T_min"]
    lower = _folded_sigma_points(source, tgt, ffs, p, T_lo, nt)  # type: ignore[arg-type]
    upper = None
    if p["T_max"] is not None:
        upper = _folded_sigma_points(source, tgt, ffs, p, p["T_max"], nt)
    acc = np.zeros(T_lo.size)  # type: ignore[union-attr]
    for k, (_, per_kg) in enumerate(tgt.component_nuclei_per_kg()):
        part = lower[k] if upper is None else lower[k] - upper[k]
        acc += per_kg * part
    return _validation.restore_shape(acc * m * t, shape)
