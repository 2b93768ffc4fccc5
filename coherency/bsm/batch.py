"""Batch API of the models: counts, <sigma> and experiment spectra over parameter grids.

A fit or a limit scans a model's couplings and mediator mass. At a fixed mass every
model is a polynomial of degree two in its linear parameters lambda_k (the couplings
of the shift; docs/physics.md Eq. 13.10):

    N(lambda, m) = N_SM + sum_k lambda_k L_k(m) + sum_{k,l} lambda_k lambda_l Q_kl(m),

with L_k the interference of the unit model k with the Standard Model and Q_kl the
products of the shifts (and the incoherent pieces). The functions here describe the
grid to one compiled call (the kernel ``bsm_grid``, csrc/coh_bsm.c: its flavour parts
and nuclei with their q nodes and weights, the kernel record of every unit model and
pair of them, the distinct masses and every point's lambdas and mass), which computes L
and Q once per distinct mass and then every point in a few multiplications: a 100 x 100
(coupling, mass) grid costs about as much as 100 points. Points whose linear parameters
are all zero return the Standard Model's bits.

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

Transition (flavour-changing) charge radii of a ChargeRadius keep the model's values
at every point; a MagneticMoment's effective moments include its transition moments.
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
from .._records import BSMGrid, BSMPiece
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
        # transition radii: fixed at the template's values (incoherent, one axis each)
        axes += [(ChargeRadius({pair: 1e-32}), np.asarray(v / 1e-32))
                 for pair, v in model.transition_r2_cm2]
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
        if not arrays:
            shape: tuple[int, ...] = ()
        elif len(arrays) <= 32:  # np.broadcast: no arrays made, as broadcast_shapes does
            shape = np.broadcast(*arrays).shape
        else:
            shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise ValueError("the parameters do not broadcast together: "
                         + ", ".join(str(a.shape) for a in arrays)) from None
    n = math.prod(shape)

    def flat(a: np.ndarray, dtype: Any = np.float64) -> Any:
        return np.ascontiguousarray(np.broadcast_to(a, shape).reshape(n), dtype=dtype)

    values = index = None
    if mass is not None:
        # the distinct masses (sorted) from the array as given, before broadcasting; an
        # increasing axis of masses (the usual scan) is its own
        line = mass.reshape(-1)
        if line.size > 1 and bool(np.all(line[1:] > line[:-1])):
            values = line.copy()
            index = flat(np.arange(line.size).reshape(mass.shape), np.int64)
        else:
            values = np.unique(mass)
            index = flat(np.searchsorted(values, mass), np.int64)
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


def _kernel_arrays(g: Grid) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int64]]:
    """The distinct masses squared (MeV^2; empty without a mass), the lambdas (K rows
    of the points, flat) and the mass index of every point (empty without a mass), as
    the kernel bsm_grid takes them."""
    lam = g.lambdas[0] if len(g.lambdas) == 1 else np.concatenate(g.lambdas)
    if g.mass_values is None or g.mass_index is None:
        return _EMPTY, lam, _NO_INDEX
    return g.mass_values * g.mass_values, lam, g.mass_index


_EMPTY = np.empty(0)
_NO_INDEX = np.empty(0, dtype=np.int64)


def _grid_values(g: Grid, spec: BSMGrid, scale: FloatArray, nt: int) -> FloatArray:
    """sum_k lambda_k L_k + sum_kl lambda_k lambda_l Q_kl at every point, per row of the
    weights: (rows, points) (docs/physics.md Eq. 13.10; the kernel bsm_grid)."""
    if not g.units or not spec.pieces:
        return np.zeros((spec.n_rows, g.size))
    out = np.empty((spec.n_rows, g.size))
    m2, lam, index = _kernel_arrays(g)
    _backend.kernels().bsm_grid(spec, scale, m2, lam, index, out.reshape(-1), nt)
    return out


def _combos(K: int) -> list[tuple[int, ...]]:
    """The unit models, then each pair of them, in the order of BSMPiece.specs."""
    return [(k,) for k in range(K)] + [(k, j) for k in range(K) for j in range(k + 1, K)]


def _floor(g: Grid, uniq: FloatArray | None) -> float:
    scale = _engine.floor_scale(g.units)
    lowest = 8.0 * scale if scale > 0 else math.inf
    if uniq is not None:
        positive = uniq[uniq > 0]
        if positive.size:
            lowest = min(lowest, float(positive[0]))  # sorted
    return lowest / 8.0 if lowest < math.inf else 0.0


def _check_threshold(g: Grid, uniq: FloatArray | None, lowest: float, name: str) -> None:
    if lowest > 0.0:
        return
    _engine.check_threshold(g.units, lowest, name)
    if uniq is not None and uniq.size and uniq[0] == 0.0:
        raise ValueError(f"{name} must be > 0 MeV with a massless mediator (mass_MeV = 0 in "
                         f"the grid): dsigma/dT diverges at T = 0")


@dataclass(frozen=True, eq=False)
class _Plan:
    """A folded grid's kernel record (one row of weights per piece: the q rule times
    the flavour part's weight, x 2q) and per piece the nucleus' number fraction and
    nuclei per kg."""

    spec: BSMGrid
    fraction: FloatArray
    per_kg: FloatArray


_PLANS: BoundedDict[tuple[Any, ...], _Plan] = BoundedDict("bsm grid plans")


def _plan(source: Any, target: Any, g: Grid, T_lo: float, T_hi: float | None,
          form_factor: Any, couplings: Any, epsilon: Any, floor: float) -> _Plan:
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
    combos = _combos(len(g.units))
    pieces, fractions, kgs = [], [], []
    for flavour, part, weight in _engine.flavour_parts(source, couplings, g.units):
        flv = _engine.flavour_for(flavour)
        for nuc, fraction in tgt.components:
            mass = float(nuc.mass)
            q_lo = math.sqrt(2.0 * mass * T_lo)
            q_hi = math.inf if T_hi is None else math.sqrt(2.0 * mass * T_hi)
            q2, wq, F0, F1, F2 = _engine.folded_nodes(
                part, mass, q_lo, q_hi, _engine.panel_width(ffs, nuc), floor, need_f1)
            if q2.size == 0:
                continue
            specs = tuple(_engine.nucleus_spec(tuple(g.units[i] for i in c), flv, nuc, ffs,
                                               couplings, epsilon) for c in combos)
            pieces.append(BSMPiece(specs, q2, F0, F1, F2, np.ascontiguousarray(weight * wq)))
            fractions.append(float(fraction))
            kgs.append(float(per_kg[id(nuc)]))
    plan = _Plan(BSMGrid(len(g.units), 1, tuple(pieces)), np.array(fractions),
                 np.array(kgs))
    if key is not None:
        _PLANS[key] = plan
    return plan


def _folded_grid(source: Any, target: Any, g: Grid, T_lo: float, T_hi: float | None,
                 form_factor: Any, couplings: Any, epsilon: Any, nt: int,
                 weight_of: Any) -> FloatArray:
    """sum over flavour parts and nuclei of weight_of(fractions, per_kg) x the change of
    the q integral between the thresholds, at every point (flat)."""
    uniq = g.mass_values
    _check_threshold(g, uniq, T_lo, "T_min")
    plan = _plan(source, target, g, T_lo, T_hi, form_factor, couplings, epsilon,
                 _floor(g, uniq))
    scale = np.ascontiguousarray(weight_of(plan.fraction, plan.per_kg), dtype=np.float64)
    return _grid_values(g, plan.spec, scale, nt)[0]


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
    out = np.add(delta, base, out=delta)
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
    _check_threshold(g, g.mass_values, float(T[0]) if T.size else 1.0, "T_lo_MeV")
    need_f1 = any(isinstance(u, MagneticMoment) for u in g.units)
    combos = _combos(len(g.units))
    energies, taus = [], []
    for flavour, part, weight in exp._parts(cp, g.units):
        taus.append(exp.time_fractions(flavour))
        flv = flavour_of(flavour)
        pieces = []
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
            scale = weight * per_kg * exp.mass_kg * exp.time_s * 2.0 * mass * w
            specs = tuple(_engine.nucleus_spec(tuple(g.units[i] for i in c), flv, nuc, ffs,
                                               cp, epsilon) for c in combos)
            pieces.append(BSMPiece(specs, q2, F0, F1, F2,
                                   np.ascontiguousarray((scale[None, :] * R).reshape(-1))))
        spec = BSMGrid(len(g.units), R.shape[0], tuple(pieces))
        energies.append(_grid_values(g, spec, np.ones(len(pieces)), nt))
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
