"""Batch API of the models: counts, <sigma> and experiment spectra over parameter grids.

A fit or a limit scans a model's couplings and mediator mass. At a fixed mass every
model is a polynomial of degree two in its linear parameters lambda_k (the couplings
of the shift; docs/physics.md Eq. 13.10):

    N(lambda, m) = N_SM + sum_k lambda_k L_k(m) + sum_{k,l} lambda_k lambda_l Q_kl(m),

with L_k the interference of the unit model k with the Standard Model and Q_kl the
products of the shifts (and the incoherent pieces). The functions here compute L and Q
once per distinct mass, for all masses in one compiled pass per flavour part and
nucleus (``bsm_fold_masses``, csrc/coh_bsm.c), and then every point of the grid is a
few multiplications: a 100 x 100 (coupling, mass) grid costs about as much as 100
points. Points whose linear parameters are all zero return the Standard Model's bits.

Parameters are given as keyword arrays that broadcast against each other (like ufunc
arguments); those not given keep the value of the template ``model``:

=====================  ===========================================  =================
model                  scanned parameters                           linear parameter
=====================  ===========================================  =================
VectorMediator         ``coupling``, ``mass_MeV``                   g (universal), g^2
ScalarMediator         ``coupling``, ``mass_MeV``                   g
MagneticMoment         ``mu_nu_bohr`` (array or {flavour: array})   mu
Millicharge            ``q_e`` (array or {flavour: array})          q
ChargeRadius           ``r2_cm2`` (array or {flavour: array})       <r^2>
NSI                    ``eps_uV``, ``eps_dV`` ({pair: array})       each eps
=====================  ===========================================  =================
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _backend, _validation
from .._cache import BoundedDict
from .._quadrature import check_source, total_flux
from .._typing import FloatOrArray
from ..couplings import FLAVOURS, flavour_of
from ..form_factors import resolve
from ..kinematics import E_min_flat
from ..targets import as_target
from . import _engine
from .models import (
    CHARGE_RADIUS_MAX_CM2,
    COUPLING_MAX,
    MAGNETIC_MOMENT_MAX,
    MEDIATOR_MASS_MAX_MEV,
    MILLICHARGE_MAX,
    NSI,
    NSI_MAX,
    ChargeRadius,
    MagneticMoment,
    Millicharge,
    Model,
    ScalarMediator,
    VectorMediator,
)

__all__ = ["Grid", "batch_event_counts", "batch_flux_averaged_sigma", "experiment_grid",
           "grid"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Grid:
    """Points of a model's parameter space (:func:`grid`): ``shape``; the unit models
    (one per linear parameter) and each one's lambda per point (flat); the distinct
    mediator masses (MeV, sorted) and per point the index of its mass, or None when
    the model has no mass."""

    template: Model
    shape: tuple[int, ...]
    units: tuple[Model, ...]
    lambdas: tuple[FloatArray, ...]
    mass_values: FloatArray | None = None
    mass_index: npt.NDArray[np.int64] | None = None

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def masses(self) -> FloatArray | None:
        """The mediator mass of every point (flat, MeV), or None."""
        if self.mass_values is None or self.mass_index is None:
            return None
        return self.mass_values[self.mass_index]


def _array(x: Any, name: str, lo: float, hi: float, unit: str = "") -> FloatArray:
    return _validation.as_float_array(x, name, min_value=lo, max_value=hi, unit=unit)


def _per_flavour_axes(template: Any, field: str, value: Any, bound: float, unit: float,
                      make: Any) -> list[tuple[Model, Any]]:
    """Axes of a per-flavour model: one axis when ``value`` is an array for every
    flavour; with a mapping flavour -> array, one axis per flavour (flavours not given
    keep the template's value)."""
    if value is not None and not isinstance(value, Mapping):
        return [(make(unit), _array(value, field, -bound, bound) / unit)]
    given = {flavour_of(k, f"{field} key"): _array(v, f"{field}[{k!r}]", -bound, bound)
             for k, v in (value or {}).items()}
    current = dict(getattr(template, field))
    axes: list[tuple[Model, Any]] = []
    for f in FLAVOURS:
        v = given.get(f, np.asarray(current[f]))
        axes.append((make({f: unit}), v / unit))
    return axes


def grid(model: Model, **params: Any) -> Grid:
    """The points of ``model`` with the parameters ``params`` (module table) as arrays.

    Raises
    ------
    TypeError
        ``model`` is not a model of :mod:`coherency.bsm`.
    ValueError
        A parameter the model does not have, a value outside its domain (masses in
        [0, 1e6] MeV, couplings within 4 pi, ...), or arrays that do not broadcast.

    Examples
    --------
    >>> import numpy as np
    >>> g = grid(VectorMediator(10.0, 0.0), coupling=np.geomspace(1e-6, 1e-3, 4)[:, None],
    ...          mass_MeV=np.array([1.0, 10.0, 100.0]))
    >>> g.shape
    (4, 3)
    """
    axes: list[tuple[Model, Any]] = []
    mass: Any = None
    if isinstance(model, (VectorMediator, ScalarMediator)):
        allowed = {"coupling", "mass_MeV"}
        bad = set(params) - allowed
        if bad:
            raise ValueError(f"{sorted(bad)[0]}: {type(model).__name__} scans {sorted(allowed)}")
        g = params.get("coupling", model.coupling)
        g = _array(g, "coupling", -COUPLING_MAX, COUPLING_MAX)
        mass = _array(params.get("mass_MeV", model.mass_MeV), "mass_MeV", 0.0,
                      MEDIATOR_MASS_MAX_MEV, "MeV")
        if isinstance(model, VectorMediator):
            unit: Model = VectorMediator(model.mass_MeV, 1.0, model.charges)
            axes.append((unit, model.scan_factor(g)))
        else:
            axes.append((ScalarMediator(model.mass_MeV, 1.0, model.charges), g))
    elif isinstance(model, MagneticMoment):
        _only(params, {"mu_nu_bohr"}, model)
        axes = _per_flavour_axes(model, "mu_nu_bohr", params.get("mu_nu_bohr"),
                                 MAGNETIC_MOMENT_MAX, 1.0, MagneticMoment)
    elif isinstance(model, Millicharge):
        _only(params, {"q_e"}, model)
        axes = _per_flavour_axes(model, "q_e", params.get("q_e"), MILLICHARGE_MAX, 1.0,
                                 Millicharge)
    elif isinstance(model, ChargeRadius):
        _only(params, {"r2_cm2"}, model)
        axes = _per_flavour_axes(model, "r2_cm2", params.get("r2_cm2"),
                                 CHARGE_RADIUS_MAX_CM2, 1e-32, ChargeRadius)
    elif isinstance(model, NSI):
        _only(params, {"eps_uV", "eps_dV"}, model)
        for field in ("eps_uV", "eps_dV"):
            table = {k: np.asarray(v) for k, v in getattr(model, field)}
            given = params.get(field)
            if given is not None:
                if not isinstance(given, Mapping):
                    raise TypeError(f"{field} must be a mapping (flavour, flavour) -> array")
                for key, v in given.items():
                    pair = NSI(**{field: {key: 1.0}})
                    (k, _), = getattr(pair, field)
                    table[k] = _array(v, f"{field}[{key!r}]", -NSI_MAX, NSI_MAX)
            for k, v in table.items():
                axes.append((NSI(**{field: {k: 1.0}}), v))
    else:
        raise TypeError(f"model must be one model of coherency.bsm (not a tuple); got "
                        f"{_validation._short(model)}")
    arrays = [np.asarray(lam, dtype=np.float64) for _, lam in axes]
    if mass is not None:
        arrays.append(mass)
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
    except ValueError:
        raise ValueError("the parameters do not broadcast together: "
                         + ", ".join(str(a.shape) for a in arrays)) from None
    n = math.prod(shape)

    def flat(a: np.ndarray, dtype: Any = np.float64) -> Any:
        return np.ascontiguousarray(np.broadcast_to(a, shape).reshape(n), dtype=dtype)

    values = index = None
    if mass is not None:
        # the distinct masses from the array as given (before broadcasting)
        values, inv = np.unique(mass, return_inverse=True)
        index = flat(inv.reshape(mass.shape), np.int64)
    return Grid(model, tuple(shape), tuple(u for u, _ in axes),
                tuple(flat(np.asarray(lam, dtype=np.float64)) for _, lam in axes),
                None if values is None else np.ascontiguousarray(values), index)


def _only(params: Mapping[str, Any], allowed: set[str], model: Model) -> None:
    bad = set(params) - allowed
    if bad:
        raise ValueError(f"{sorted(bad)[0]}: {type(model).__name__} scans {sorted(allowed)}")


def _as_grid(model: Any, params: Mapping[str, Any]) -> Grid:
    if isinstance(model, Grid):
        if params:
            raise ValueError(f"{sorted(params)[0]}: give the parameters either in the Grid "
                             f"or as keywords")
        return model
    return grid(model, **params)


def _fold(rec: Any, masses: FloatArray | None, nodes: tuple[FloatArray, ...],
          weights: FloatArray, nt: int) -> tuple[FloatArray, FloatArray]:
    """(lin, quad) summed over the nodes with each row of ``weights`` (rows x nodes,
    >= 0), per distinct mass (one value without masses): arrays (masses, rows)."""
    q2, _, F0, F1, F2 = nodes
    W = weights.reshape(-1, q2.size)
    m = np.zeros(1) if masses is None else masses
    if masses is None:
        lin, quad = _engine.parts(rec, q2, F0, F1, F2, nt)
        return (W @ lin)[None, :], (W @ quad)[None, :]
    lin = np.empty(m.size * W.shape[0])
    quad = np.empty(m.size * W.shape[0])
    _backend.kernels().bsm_fold_masses(rec, m * m, q2, F0, F1, F2,
                                       np.ascontiguousarray(W.reshape(-1)), lin, quad, nt)
    return lin.reshape(m.size, -1), quad.reshape(m.size, -1)


def _coefficients(g: Grid, rec_of: Any, masses: FloatArray | None,
                  nodes: tuple[FloatArray, ...], weights: FloatArray, nt: int,
                  L: FloatArray, Q: FloatArray) -> None:
    """Add one (flavour part, nucleus) to L[k, m, r] and Q[k, l, m, r] (r the rows of the
    weights); rec_of((k,)) and rec_of((k, l)) are the kernel records of unit model k
    and of units k and l together."""
    K = len(g.units)
    own = []
    for k in range(K):
        lin, quad = _fold(rec_of((k,)), masses, nodes, weights, nt)
        L[k] += lin
        Q[k, k] += quad
        own.append(quad)
    for k in range(K):
        for j in range(k + 1, K):
            _, both = _fold(rec_of((k, j)), masses, nodes, weights, nt)
            cross = 0.5 * (both - own[k] - own[j])
            Q[k, j] += cross
            Q[j, k] += cross


def _combine(g: Grid, L: FloatArray, Q: FloatArray,
             inverse: npt.NDArray[np.int64] | None) -> FloatArray:
    """sum_k lambda_k L_k + sum_kl lambda_k lambda_l Q_kl at every point: (rows, points)
    from L (K, masses, rows) and Q (K, K, masses, rows) (rows first: the points are
    the contiguous axis, so every product runs numpy's contiguous loops)."""
    idx = inverse if inverse is not None else np.zeros(g.size, dtype=np.int64)

    def at(a: FloatArray) -> FloatArray:  # (masses, rows) -> (rows, points)
        return np.ascontiguousarray(a.T)[:, idx]

    if len(g.lambdas) == 1:  # lambda (L + lambda Q): a scan of one coupling
        lam = g.lambdas[0]
        return lam * (at(L[0]) + lam * at(Q[0, 0]))
    out = np.zeros((L.shape[-1], g.size))
    for k, lam in enumerate(g.lambdas):
        out += lam * at(L[k])
        for j, lam2 in enumerate(g.lambdas):
            out += (lam * lam2) * at(Q[k, j])
    return out


def _masses(g: Grid) -> tuple[FloatArray | None, npt.NDArray[np.int64] | None]:
    return g.mass_values, g.mass_index


def _floor(g: Grid, uniq: FloatArray | None) -> float:
    scales = [8.0 * _engine.floor_scale(g.units)] if _engine.floor_scale(g.units) > 0 else []
    if uniq is not None:
        scales += [float(m) for m in uniq if m > 0]
    return min(scales) / 8.0 if scales else 0.0


def _check_threshold(g: Grid, uniq: FloatArray | None, lowest: float, name: str) -> None:
    if lowest > 0.0:
        return
    _engine.check_threshold(g.units, lowest, name)
    if uniq is not None and uniq.size and uniq[0] == 0.0:
        raise ValueError(f"{name} must be > 0 MeV with a massless mediator (mass_MeV = 0 in "
                         f"the grid): dsigma/dT diverges at T = 0")


@dataclass(frozen=True, eq=False)
class _Piece:
    """One (flavour part, nucleus) of a folded grid: the q nodes with their moments,
    the rule's weights times the part's weight (x 2q), the nucleus' number fraction
    and nuclei per kg, and the kernel record of every unit model and pair of them."""

    nodes: tuple[FloatArray, ...]
    w: FloatArray
    fraction: float
    per_kg: float
    recs: dict[tuple[int, ...], Any]


_PLANS: BoundedDict[tuple[Any, ...], tuple[_Piece, ...]] = BoundedDict("bsm grid plans")


def _plan(source: Any, target: Any, g: Grid, T_lo: float, T_hi: float | None,
          form_factor: Any, couplings: Any, epsilon: Any, floor: float
          ) -> tuple[_Piece, ...]:
    """The pieces of a folded grid (cached for hashable arguments: a fit or a limit
    calls the same grid again and again)."""
    key = (source, target, form_factor, couplings, epsilon, T_lo, T_hi, g.units, floor)
    try:
        cached = _PLANS.get(key)
    except TypeError:  # an unhashable argument: no cache
        cached, key = None, None  # type: ignore[assignment]
    if cached is not None:
        return cached
    tgt, ffs = as_target(target), resolve(form_factor)
    need_f1 = any(isinstance(u, MagneticMoment) for u in g.units)
    per_kg = dict((id(nuc), k) for nuc, k in tgt.component_nuclei_per_kg())
    K = len(g.units)
    combos: list[tuple[int, ...]] = [(k,) for k in range(K)]
    combos += [(k, j) for k in range(K) for j in range(k + 1, K)]
    pieces = []
    for flavour, part, weight in _engine.flavour_parts(source, couplings, g.units):
        flv = _engine.flavour_for(flavour)
        for nuc, fraction in tgt.components:
            mass = float(nuc.mass)
            q_lo = math.sqrt(2.0 * mass * T_lo)
            q_hi = math.inf if T_hi is None else math.sqrt(2.0 * mass * T_hi)
            nodes = _engine.folded_nodes(part, mass, q_lo, q_hi, _engine.panel_width(ffs, nuc),
                                         floor, need_f1)
            if nodes[0].size == 0:
                continue
            recs = {c: _engine.nucleus_spec(tuple(g.units[i] for i in c), flv, nuc, ffs,
                                            couplings, epsilon) for c in combos}
            pieces.append(_Piece(nodes, weight * nodes[1], float(fraction),
                                 float(per_kg[id(nuc)]), recs))
    plan = tuple(pieces)
    if key is not None:
        _PLANS[key] = plan
    return plan


def _folded_grid(source: Any, target: Any, g: Grid, T_lo: float, T_hi: float | None,
                 form_factor: Any, couplings: Any, epsilon: Any, nt: int,
                 weight_of: Any) -> FloatArray:
    """sum over flavour parts and nuclei of weight_of(fraction, per_kg) x the change of
    the q integral between the thresholds, at every point (flat)."""
    uniq, inverse = _masses(g)
    _check_threshold(g, uniq, T_lo, "T_min")
    K, n_m = len(g.units), (1 if uniq is None else uniq.size)
    L = np.zeros((K, n_m, 1))
    Q = np.zeros((K, K, n_m, 1))
    for piece in _plan(source, target, g, T_lo, T_hi, form_factor, couplings, epsilon,
                       _floor(g, uniq)):
        w = np.ascontiguousarray(weight_of(piece.fraction, piece.per_kg) * piece.w)
        _coefficients(g, piece.recs.__getitem__, uniq, piece.nodes, w, nt, L, Q)
    return _combine(g, L, Q, inverse)[0]


def _sm_batch(source: Any, target: Any, exposure: tuple[float, float] | None, T_lo: float,
              T_hi: float | None, form_factor: Any, couplings: Any, epsilon: Any,
              nt: int) -> float:
    """The Standard Model of the point: the batch API of :mod:`coherency.batch` (the
    scalar functions for couplings it does not take, ``"tomalak"``)."""
    from .. import batch as sm_batch
    from .. import rates

    if couplings == "tomalak":
        if exposure is None:
            return rates.flux_averaged_sigma(source, target, T_lo, form_factor, epsilon, nt,
                                             couplings)
        return rates.event_rate(source, target, exposure[0], exposure[1], T_lo, T_hi,
                                form_factor=form_factor, epsilon=epsilon, n_threads=nt,
                                couplings=couplings)
    s2 = None if epsilon is None else 0.25 * (1.0 - _validation.check_epsilon(epsilon))
    if exposure is None:
        return float(sm_batch.batch_flux_averaged_sigma(
            source, target, sin2_theta_w=s2, T_min=T_lo, form_factor=form_factor,
            n_threads=nt, couplings=couplings))
    return float(sm_batch.batch_event_counts(
        source, target, exposure[0], exposure[1], sin2_theta_w=s2, T_min=T_lo, T_max=T_hi,
        form_factor=form_factor, n_threads=nt, couplings=couplings))


def batch_event_counts(source: Any, target: Any, mass_kg: float, time_s: float,
                       model: Any, *, T_min: float = 0.0, T_max: float | None = None,
                       form_factor: Any = "helm", couplings: str | None = None,
                       epsilon: float | None = None, n_threads: int = 1,
                       **params: Any) -> FloatOrArray:
    """Event counts in a nuclear-recoil window at every point of a model's parameters.

    Parameters
    ----------
    source, target, mass_kg, time_s, form_factor, couplings, epsilon, n_threads
        As in :func:`coherency.event_rate` (no efficiency: 100 %, nuclear-recoil
        window).
    model : Model or Grid
        The template model (its values for the parameters not scanned), or a
        :class:`Grid` from :func:`grid`.
    T_min, T_max : float, MeV
        The recoil window (scalars), 0 <= T_min <= T_max <= 1e4 MeV; T_min > 0 with a
        massless mediator, a millicharge or a magnetic moment.
    **params : array_like
        The scanned parameters (module table), broadcasting together.

    Returns
    -------
    float or ndarray
        Counts, shape of the broadcast parameters: :func:`coherency.event_rate` with
        the model of each point. The Standard-Model part is
        :func:`coherency.batch_event_counts`'s (its bits where the linear parameters
        are all 0); the change agrees with the scalar functions to ~1e-12.

    Examples
    --------
    >>> import numpy as np, coherency as coh
    >>> from coherency import bsm
    >>> src = coh.sources.PionDAR.coherent_csi_2017()
    >>> n = bsm.batch_event_counts(src, "CsI", 14.6, 1.0, bsm.VectorMediator(10.0, 0.0),
    ...                            T_min=5e-3, coupling=np.array([0.0, 1e-10]))
    >>> bool(n[0] == coh.batch_event_counts(src, "CsI", 14.6, 1.0, T_min=5e-3))
    True
    >>> bool(n[1] < n[0])
    True
    """
    from ..rates import _exposure

    source = check_source(source)
    nt = _validation.check_threads(n_threads)
    g = _as_grid(model, params)
    lo = _validation.check_recoil_scalar(T_min, "T_min")
    hi = None if T_max is None else _validation.check_recoil_scalar(T_max, "T_max")
    if hi is not None and hi < lo:
        raise ValueError(f"T_max must be >= T_min = {lo:g} MeV; got {hi:g}")
    tgt = as_target(target)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    base = _sm_batch(source, target, (mass_kg, time_s), lo, hi, form_factor, couplings,
                     epsilon, nt)
    delta = _folded_grid(source, tgt, g, lo, hi, form_factor, couplings, epsilon, nt,
                         lambda fraction, per_kg: per_kg * m * t)
    out = base + delta
    _validation.check_finite_result(out, "batch_event_counts", "reduce mass_kg x time_s, "
                                    "the source's flux or the couplings")
    return _validation.restore_shape(out, g.shape)


def batch_flux_averaged_sigma(source: Any, target: Any, model: Any, *, T_min: float = 0.0,
                              form_factor: Any = "helm", couplings: str | None = None,
                              epsilon: float | None = None, n_threads: int = 1,
                              **params: Any) -> FloatOrArray:
    """<sigma> per nucleus (cm^2) at every point of a model's parameters: as
    :func:`batch_event_counts` for :func:`coherency.flux_averaged_sigma`."""
    source = check_source(source)
    nt = _validation.check_threads(n_threads)
    g = _as_grid(model, params)
    lo = _validation.check_recoil_scalar(T_min, "T_min")
    total = total_flux(source)
    base = _sm_batch(source, target, None, lo, None, form_factor, couplings, epsilon, nt)
    delta = _folded_grid(source, target, g, lo, None, form_factor, couplings, epsilon, nt,
                         lambda fraction, per_kg: fraction / total)
    out = base + delta
    _validation.check_finite_result(out, "batch_flux_averaged_sigma", "the couplings give "
                                    "cross sections beyond the float range")
    return _validation.restore_shape(out, g.shape)


def experiment_grid(experiment: Any, model: Any, *, form_factor: Any = None,
                    couplings: Any = "default", epsilon: float | None = None,
                    n_threads: int = 1, **params: Any) -> FloatArray:
    """An experiment's predicted spectrum at every point of a model's parameters.

    Parameters
    ----------
    experiment : coherency.experiments.Experiment
    model : Model or Grid
        As in :func:`batch_event_counts`.
    form_factor, couplings, epsilon, n_threads
        As in :meth:`~coherency.experiments.Experiment.predicted_spectrum`.
    **params : array_like
        The scanned parameters.

    Returns
    -------
    ndarray, shape grid.shape + (n_energy_bins, n_time_bins)
        :meth:`~coherency.experiments.Experiment.predicted_spectrum` with the model
        of each point (its detector response, timing and flavour parts), to ~1e-12 of
        the model's change; the Standard Model's bits where the linear parameters are 0.
    """
    nt = _validation.check_threads(n_threads)
    g = _as_grid(model, params)
    exp = experiment
    ff = exp.form_factor if form_factor is None else form_factor
    cp = exp.couplings if couplings == "default" else couplings
    key: tuple[Any, ...] | None = ("bsm: Standard-Model spectrum", ff, cp, epsilon)
    try:
        base = exp._cache.get(key)
    except TypeError:  # an unhashable form factor: no cache
        key, base = None, None
    if base is None:
        base = np.asarray(exp.predicted_spectrum(form_factor=ff, couplings=cp, epsilon=epsilon,
                                                 n_threads=nt), dtype=np.float64)
        base.setflags(write=False)
        if key is not None:
            exp._cache[key] = base
    T, w = exp.recoil_nodes()
    R = exp.response_matrix(nt)
    ffs = resolve(ff)
    uniq, inverse = _masses(g)
    _check_threshold(g, uniq, float(T[0]) if T.size else 1.0, "T_lo_MeV")
    need_f1 = any(isinstance(u, MagneticMoment) for u in g.units)
    K, n_m, n_bins = len(g.units), (1 if uniq is None else uniq.size), R.shape[0]
    energies, taus = [], []
    for flavour, part, weight in exp._parts(cp, g.units):
        taus.append(exp.time_fractions(flavour))
        flv = flavour_of(flavour)
        L = np.zeros((K, n_m, n_bins))
        Q = np.zeros((K, K, n_m, n_bins))
        for nuc, per_kg in exp.target.component_nuclei_per_kg():
            mass = float(nuc.mass)
            q2 = np.ascontiguousarray(2.0 * mass * T)
            mkey: tuple[Any, ...] | None = ("bsm: flux moments", part, mass, need_f1)
            try:
                moments = exp._cache.get(mkey)
            except TypeError:
                mkey, moments = None, None
            if moments is None:
                moments = _engine.moments(part, E_min_flat(T, mass), need_f1, nt)
                if mkey is not None:
                    exp._cache[mkey] = moments
            F0, F1, F2 = moments
            nodes = (q2, q2, F0, F1, F2)
            scale = weight * per_kg * exp.mass_kg * exp.time_s * 2.0 * mass * w

            def rec_of(combo: tuple[int, ...], nuc: Any = nuc, flv: str = flv) -> Any:
                return _engine.nucleus_spec(tuple(g.units[i] for i in combo), flv, nuc, ffs,
                                            cp, epsilon)

            _coefficients(g, rec_of, uniq, nodes, np.ascontiguousarray(scale[None, :] * R),
                          nt, L, Q)
        energies.append(_combine(g, L, Q, inverse))
    # counts[p, b, c] = base[b, c] + sum_f energy_f[p, b] tau_f[c], parts with the same
    # arrival times (the delayed nu_e and nu_mu-bar) added first
    merged: dict[bytes, list[Any]] = {}
    for energy, tau in zip(energies, taus):
        slot = merged.setdefault(np.asarray(tau).tobytes(), [None, tau])
        slot[0] = energy if slot[0] is None else slot[0] + energy
    # built as (time, energy, points), the points contiguous (a broadcast over a short
    # trailing axis runs numpy's slow strided loops), returned as a (points, energy,
    # time) view
    n_t = base.shape[1]
    out_t = np.empty((n_t, base.shape[0], g.size))
    for c in range(n_t):
        out_t[c] = base[:, c, None]
        for energy, tau in merged.values():  # energy: (energy bins, points)
            if tau[c] != 0.0:
                out_t[c] += tau[c] * energy
    out = out_t.transpose(2, 1, 0)
    return out.reshape(g.shape + base.shape)
