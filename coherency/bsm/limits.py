"""Profiles, allowed regions and limit curves of a model from an experiment preset.

Two statistics (docs/physics.md §13.11, §13.12):

``statistic="counts"``
    The predicted spectrum at every point of a grid in one call
    (:func:`coherency.bsm.experiment_grid`) and a chi^2 of it: a callable of the
    spectra, shape (..., energy bins, time bins) -> (...), by default
    :func:`counts_chi2`, which compares the total counts with the experiment's
    published measurement (Eq. 13.11). Fast, but blind to the spectrum's shape.
``statistic="likelihood"``
    The full likelihood of the experiment's data release
    (:func:`coherency.inference.likelihood`: for COHERENT CsI 2021 the PE x time bins,
    the neutron and steady-state backgrounds, the quenching, efficiency, timing and
    flux nuisances), the model entering through a :class:`LikelihoodModel`, and at
    every point -2 ln L minimised over every nuisance (a profile likelihood,
    Eq. 13.12). The change the model brings is computed once per mediator mass at the
    preset's recoil nodes and combined as a quadratic form in the couplings
    (Eq. 13.10), so a fit costs what a Standard-Model fit costs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from .. import _validation
from ..couplings import FLAVOURS, flavour_of
from ..form_factors import resolve
from ..kinematics import E_min_flat
from . import _engine
from .batch import experiment_grid, grid
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

__all__ = ["LikelihoodModel", "STATISTICS", "counts_chi2", "delta_chi2", "limit_curve",
           "upper_limit"]

FloatArray = npt.NDArray[np.float64]

#: The statistics of :func:`delta_chi2`, :func:`limit_curve` and :func:`upper_limit`.
STATISTICS = ("counts", "likelihood")

_PER_FLAVOUR: dict[type, tuple[str, float]] = {
    MagneticMoment: ("mu_nu_bohr", MAGNETIC_MOMENT_MAX),
    Millicharge: ("q_e", MILLICHARGE_MAX),
    ChargeRadius: ("r2_cm2", CHARGE_RADIUS_MAX_CM2),
}


# ---- the model as parameters of a likelihood ------------------------------------------

def _names_of(template: Model, params: Mapping[str, Any]) -> dict[str, Any]:
    """The likelihood parameter names of grid keywords (:func:`coherency.bsm.grid`):
    ``coupling``, ``mass_MeV``; ``mu_nu_bohr`` (every flavour alike) or
    ``mu_nu_bohr_e``, ... per flavour (likewise ``q_e``, ``r2_cm2``);
    ``eps_uV_e_e``, ``eps_dV_e_mu``, ... for NSI. Returns name -> value."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(template, NSI) and key in ("eps_uV", "eps_dV"):
            if not isinstance(value, Mapping):
                raise TypeError(f"{key} must be a mapping (flavour, flavour) -> array")
            for pair, v in value.items():
                unit = NSI(**{key: {pair: 1.0}})
                (a, b), _ = getattr(unit, key)[0]
                out[f"{key}_{a}_{b}"] = v
        elif type(template) in _PER_FLAVOUR and isinstance(value, Mapping):
            field, _ = _PER_FLAVOUR[type(template)]
            for f, v in value.items():
                out[f"{field}_{flavour_of(f, f'{key} key')}"] = v
        else:
            out[key] = value
    return out


class LikelihoodModel:
    """A model of :mod:`coherency.bsm` with named parameters, for the likelihoods of
    :mod:`coherency.inference` (a ``SpectrumModel``; docs/physics.md Eq. 13.12).

    Parameters
    ----------
    template : Model
        :class:`VectorMediator`, :class:`ScalarMediator`, :class:`MagneticMoment`,
        :class:`Millicharge`, :class:`ChargeRadius` or :class:`NSI`: the values of
        everything not named in ``names``.
    names : sequence of str
        The parameters the likelihood gets: ``"coupling"`` and ``"mass_MeV"``
        (mediators; the mass is held fixed unless released), ``"mu_nu_bohr"`` (one
        moment for every flavour, mu_B) or ``"mu_nu_bohr_e"``, ``"mu_nu_bohr_mu"``,
        ``"mu_nu_bohr_tau"`` (one flavour each; likewise ``q_e``, ``r2_cm2``),
        ``"eps_uV_e_e"``, ``"eps_dV_e_mu"``, ... (NSI, flavours in e, mu, tau order).

    Notes
    -----
    ``lk = coherency.inference.likelihood(exp, physics=names, spectrum_model=m)``
    then has the model's parameters beside the nuisances (the signal strength fixed
    at 1, the flux constrained). At a fixed mass the change of the recoil spectrum is
    a quadratic form in the linear parameters lambda_k (the coupling, or its square
    for a gauge model; mu_nu; q_nu; <r^2>; each eps), Eq. 13.10: its coefficients
    L_k and Q_kl at the preset's recoil nodes are computed once per mass and flavour
    part by the compiled kernels and cached; each evaluation then adds
    sum_k lambda_k L_k + sum_kl lambda_k lambda_l Q_kl to the Standard-Model node
    vectors of :class:`coherency.inference.CEvNSSignal` (``node_change``), before
    the detector response and its variants.

    Examples
    --------
    >>> import coherency as coh
    >>> from coherency import bsm
    >>> m = bsm.LikelihoodModel(bsm.VectorMediator(10.0, 0.0), ("coupling", "mass_MeV"))
    >>> [p.name for p in m.parameters], m.parameters[1].fixed
    (['coupling', 'mass_MeV'], True)
    >>> m.build({"coupling": 1e-9, "mass_MeV": 30.0})
    VectorMediator(mass_MeV=30.0, coupling=1e-09, charges='universal')
    """

    def __init__(self, template: Model, names: Sequence[str]) -> None:
        from ..inference.likelihood import Parameter

        if not isinstance(template, Model):
            raise TypeError(f"template must be a model of coherency.bsm; got "
                            f"{_validation._short(template)}")
        if isinstance(names, str):
            names = (names,)
        names = tuple(names)
        if not names:
            raise ValueError("names: give at least one parameter of the model")
        self.template = template
        params = []
        for name in names:
            value, lo, hi, unit, doc = self._describe(name)
            params.append(Parameter(name, value, (lo, hi), fixed=(name == "mass_MeV"),
                                    unit=unit, doc=doc))
        self.parameters = tuple(params)
        self._names = names
        # (experiment id, name, units) -> (experiment, coefficients); a few masses
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._last: tuple[Any, Any, list[tuple[str, FloatArray]]] | None = None

    def __repr__(self) -> str:
        return f"LikelihoodModel({self.template!r}, {self._names!r})"

    # ---- names --------------------------------------------------------------------

    def _describe(self, name: str) -> tuple[float, float, float, str, str]:
        t = self.template
        if isinstance(t, (VectorMediator, ScalarMediator)):
            if name == "coupling":
                return (t.coupling, -COUPLING_MAX, COUPLING_MAX, "",
                        f"{type(t).__name__} coupling")
            if name == "mass_MeV":
                return (t.mass_MeV, 0.0, MEDIATOR_MASS_MAX_MEV, "MeV", "mediator mass")
        elif type(t) in _PER_FLAVOUR:
            field, bound = _PER_FLAVOUR[type(t)]
            values = dict(getattr(t, field))
            if name == field:
                return (values["e"], -bound, bound, "", f"{field}, every flavour")
            if name.startswith(field + "_") and name[len(field) + 1:] in FLAVOURS:
                f = name[len(field) + 1:]
                return values[f], -bound, bound, "", f"{field} of nu_{f}"
        elif isinstance(t, NSI):
            parts = name.split("_")
            if (len(parts) == 4 and parts[0] == "eps" and parts[1] in ("uV", "dV")
                    and parts[2] in FLAVOURS and parts[3] in FLAVOURS
                    and FLAVOURS.index(parts[2]) <= FLAVOURS.index(parts[3])):
                return (t.eps(parts[1][0], parts[2], parts[3]), -NSI_MAX, NSI_MAX, "",
                        f"NSI eps^{parts[1]}_{parts[2]}{parts[3]}")
        raise ValueError(f"names: {name!r} is not a parameter of {type(t).__name__} "
                         f"(see LikelihoodModel)")

    def _value(self, values: Mapping[str, float], name: str, default: float) -> float:
        v = values.get(name)
        return default if v is None else float(v)

    def build(self, values: Mapping[str, float]) -> Model:
        """The model at ``values`` (names missing from it keep the template's)."""
        t = self.template
        if isinstance(t, (VectorMediator, ScalarMediator)):
            return dataclasses.replace(t, coupling=self._value(values, "coupling", t.coupling),
                                       mass_MeV=self._value(values, "mass_MeV", t.mass_MeV))
        if type(t) in _PER_FLAVOUR:
            field, _ = _PER_FLAVOUR[type(t)]
            cur = dict(getattr(t, field))
            if field in values:
                cur = dict.fromkeys(FLAVOURS, float(values[field]))
            for f in FLAVOURS:
                cur[f] = self._value(values, f"{field}_{f}", cur[f])
            maker: Any = type(t)
            return maker(cur)  # type: ignore[no-any-return]
        assert isinstance(t, NSI)
        tables: dict[str, dict[tuple[str, str], float]] = {
            "eps_uV": {k: v for k, v in t.eps_uV}, "eps_dV": {k: v for k, v in t.eps_dV}}
        for name in self._names:
            if name in values:
                q, a, b = name.rsplit("_", 2)[0], *name.rsplit("_", 2)[1:]
                tables[q][(a, b)] = float(values[name])
        return NSI(eps_uV=tables["eps_uV"], eps_dV=tables["eps_dV"])

    # ---- the fast route -------------------------------------------------------------

    def _unit_grid(self, model: Model) -> Any:
        """The unit models and lambdas of ``model`` (:func:`coherency.bsm.grid` with its
        own values: one point)."""
        return grid(model)

    def _coefficients(self, experiment: Any, units: tuple[Model, ...]) -> Any:
        """(flavour, L (K, nodes), Q (K, K, nodes)) per flavour part: the change of
        w_j dN/dT(T_j) per unit lambda (Eq. 13.10), cached per experiment and units."""
        key = (id(experiment), experiment.name, units)
        hit = self._cache.get(key)
        if hit is not None and hit[0] is experiment:
            return hit[1]
        exp = experiment
        T, w = exp.recoil_nodes()
        ffs = resolve(exp.form_factor)
        cp = exp.couplings
        K = len(units)
        need_f1 = any(isinstance(u, MagneticMoment) for u in units)
        out = []
        for flavour, part, weight in exp._parts(cp, units):
            flv = flavour_of(flavour)
            L = np.zeros((K, T.size))
            Q = np.zeros((K, K, T.size))
            for nuc, per_kg in exp.target.component_nuclei_per_kg():
                mass = float(nuc.mass)
                q2 = np.ascontiguousarray(2.0 * mass * T)
                mkey = ("bsm: flux moments", part, mass, need_f1)
                moments = exp._cache.get(mkey)
                if moments is None:
                    moments = _engine.moments(part, E_min_flat(T, mass), need_f1)
                    exp._cache[mkey] = moments
                F0, F1, F2 = moments
                scale = weight * per_kg * exp.mass_kg * exp.time_s * 2.0 * mass * w
                own = []
                for k in range(K):
                    rec = _engine.nucleus_spec((units[k],), flv, nuc, ffs, cp, None)
                    lin, quad = _engine.parts(rec, q2, F0, F1, F2)
                    L[k] += scale * lin
                    Q[k, k] += scale * quad
                    own.append(quad)
                for k in range(K):
                    for j in range(k + 1, K):
                        rec = _engine.nucleus_spec((units[k], units[j]), flv, nuc, ffs, cp,
                                                   None)
                        _, both = _engine.parts(rec, q2, F0, F1, F2)
                        cross = 0.5 * scale * (both - own[k] - own[j])
                        Q[k, j] += cross
                        Q[j, k] += cross
            out.append((str(flavour), L, Q))
        coeffs = tuple(out)
        if len(self._cache) >= 256:
            self._cache.clear()
        self._cache[key] = (experiment, coeffs)
        return coeffs

    def node_change(self, experiment: Any, values: Mapping[str, float]
                    ) -> list[tuple[str, FloatArray]]:
        """The change of w_j dN/dT(T_j) at the preset's recoil nodes, per flavour part
        of its source, at ``values`` (module notes)."""
        key = (id(experiment), tuple(values.get(n) for n in self._names))
        if self._last is not None and self._last[0] == key and self._last[1] is experiment:
            return self._last[2]  # a profile fit holds the model's parameters fixed
        out = self._change(experiment, values)
        self._last = (key, experiment, out)
        return out

    def _change(self, experiment: Any, values: Mapping[str, float]
                ) -> list[tuple[str, FloatArray]]:
        g = self._unit_grid(self.build(values))
        lam = [float(x[0]) for x in g.lambdas]
        if not any(lam):
            return []
        out = []
        for flavour, L, Q in self._coefficients(experiment, g.units):
            d = np.zeros(L.shape[1])
            for k, lk in enumerate(lam):
                if lk == 0.0:
                    continue
                d += lk * L[k]
                for j, lj in enumerate(lam):
                    if lj != 0.0:
                        d += (lk * lj) * Q[k, j]
            out.append((flavour, d))
        return out


def counts_chi2(experiment: Any, *, sigma_norm: float | None = None
                ) -> Callable[[FloatArray], FloatArray]:
    """chi^2 of the total predicted counts against the experiment's measured CEvNS
    counts (docs/physics.md Eq. 13.11).

    chi^2(N) = min_a [(N_obs - (1 + a) N)^2 / sigma_obs^2 + (a / sigma_norm)^2]
             = (N_obs - N)^2 / (sigma_obs^2 + sigma_norm^2 N^2),

    with N_obs +- sigma_obs the published fitted counts (``published["fitted_counts"]``)
    and sigma_norm the relative uncertainty of the prediction (default: the published
    prediction's, ``published["predicted_counts"]``: 43.4/341 = 12.7 % for CsI 2021).

    Raises
    ------
    ValueError
        The experiment has no published fitted counts, or sigma_norm < 0.
    """
    pub = getattr(experiment, "published", {})
    if "fitted_counts" not in pub:
        raise ValueError(f"experiment: {getattr(experiment, 'name', experiment)!r} has no "
                         f"published fitted counts; pass chi2= to the function instead")
    obs = pub["fitted_counts"]
    if sigma_norm is None:
        pred = pub.get("predicted_counts")
        sigma_norm = 0.0 if pred is None else 0.5 * (pred.err_lo + pred.err_hi) / pred.value
    s_norm = _validation.as_float(sigma_norm, "sigma_norm", min_value=0.0)
    n_obs = obs.value
    s_obs = 0.5 * (obs.err_lo + obs.err_hi)

    def chi2(spectra: FloatArray) -> FloatArray:
        n = np.sum(spectra, axis=(-2, -1))
        return (n_obs - n) ** 2 / (s_obs**2 + (s_norm * n) ** 2)

    return chi2


class _Profiler:
    """-2 ln L of a likelihood minimised over its free nuisances at given values of
    the model's parameters (MIGRAD through iminuit, strategy 0 then 1; each fit
    starts where the last one ended)."""

    def __init__(self, lk: Any, model_names: Sequence[str]) -> None:
        from ..inference.likelihood import start_values

        self.lk = lk
        fixed = set(model_names)
        self.free = tuple(p for p in lk.parameters if not p.fixed and p.name not in fixed)
        self.base = lk.values()
        self.start = {p.name: v for p, v in zip(self.free, (start_values(lk, None)[p.name]
                                                            for p in self.free))}
        self.n_fits = 0

    def __call__(self, point: Mapping[str, float]) -> float:
        from iminuit import Minuit

        vals = {**self.base, **{k: float(v) for k, v in point.items()}}
        names = [p.name for p in self.free]
        lk = self.lk

        def nll(*x: float) -> float:
            if not all(math.isfinite(v) for v in x):
                return math.nan
            vals.update(zip(names, x))
            return float(lk.nll(vals))

        self.n_fits += 1
        if not names:
            return nll()
        m = Minuit(nll, *[self.start[n] for n in names], name=names)
        m.errordef = Minuit.LEAST_SQUARES
        m.print_level = 0
        for p in self.free:
            m.limits[p.name] = p.limits
            m.errors[p.name] = p.sigma if p.sigma is not None else 0.1
        for strategy in (0, 1, 2):
            m.strategy = strategy
            m.migrad()
            if m.valid and not m.fmin.has_reached_call_limit:
                self.start = {n: float(m.values[n]) for n in names}
                return float(m.fval)
        return math.nan


def _likelihood_for(experiment: Any, template: Model, names: Sequence[str],
                    options: Mapping[str, Any] | None) -> Any:
    from ..inference import likelihood

    opts = dict(options or {})
    for bad in ("physics", "spectrum_model", "coupling_model", "normalisation"):
        if bad in opts:
            raise ValueError(f"options: {bad!r} is set by the limit functions")
    model = LikelihoodModel(template, names)
    return likelihood(experiment, physics=(names[0],), spectrum_model=model, **opts)


def _check_statistic(statistic: str, chi2: Any, options: Any) -> str:
    _validation.check_choice(statistic, "statistic", STATISTICS)
    if statistic == "likelihood" and chi2 is not None:
        raise ValueError("chi2: a chi^2 of the spectra goes with statistic='counts'")
    if statistic == "counts" and options:
        raise ValueError("options: likelihood options go with statistic='likelihood'")
    return statistic


def _likelihood_surface(experiment: Any, model: Any, options: Mapping[str, Any] | None,
                        params: Mapping[str, Any]) -> tuple[FloatArray, int]:
    """Profiled -2 ln L at every point of the grid of ``params`` (Eq. 13.12) and the
    number of fits."""
    if not isinstance(model, Model):
        raise TypeError("model: with statistic='likelihood' give the template model and "
                        "its parameters as keywords (not a Grid)")
    grid(model, **params)  # validates names, domains and broadcasting
    named = _names_of(model, params)
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in named.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
    flat = {k: np.broadcast_to(a, shape).reshape(-1) for k, a in arrays.items()}
    names = list(flat)
    if not names:
        raise ValueError("give the model's parameters to scan as keywords")
    lk = _likelihood_for(experiment, model, names, None if options is None else options)
    prof = _Profiler(lk, names)
    n = math.prod(shape)
    out = np.empty(n)
    # a 2-D grid is walked row by row in a serpentine, so each fit starts next door
    order: Any = np.arange(n)
    if len(shape) == 2:
        snake = order.reshape(shape)
        snake[1::2] = snake[1::2, ::-1]
        order = snake.reshape(-1)
    for i in order:
        out[i] = prof({k: float(v[i]) for k, v in flat.items()})
    return out.reshape(shape), prof.n_fits


def delta_chi2(experiment: Any, model: Any, *, chi2: Callable[[FloatArray], FloatArray]
               | None = None, statistic: str = "counts",
               options: Mapping[str, Any] | None = None, n_threads: int = 1,
               **params: Any) -> FloatArray:
    """Delta chi^2 = chi^2 - min chi^2 over the grid of ``model``'s parameters.

    Parameters
    ----------
    experiment : coherency.experiments.Experiment
    model : Model or Grid
        Template model and scanned parameters (as :func:`coherency.bsm.grid`; a Grid
        with the counts statistic only).
    chi2 : callable, optional
        Spectra (..., energy bins, time bins) -> chi^2 (...) (``statistic="counts"``);
        default :func:`counts_chi2`.
    statistic : {"counts", "likelihood"}
        ``"likelihood"``: -2 ln L of the experiment's data release with every nuisance
        minimised at each point (docs/physics.md Eq. 13.12); the experiment must have
        one (:data:`coherency.inference.LIKELIHOODS`).
    options : mapping, optional
        Options of the likelihood builder (``steady_state=``, ``priors=``, ...).

    Returns
    -------
    ndarray, the grid's shape
        Profile in one parameter (a 1-D grid) or a surface (2-D); an allowed region at
        confidence level c is Delta chi^2 < ``scipy.stats.chi2.ppf(c, dof)``, dof the
        number of parameters scanned.

    Raises
    ------
    ValueError
        An unknown statistic, a chi2 with the likelihood (or options with the counts),
        an experiment without a data release to fit, parameters as in
        :func:`coherency.bsm.grid`.

    Examples
    --------
    >>> import numpy as np, coherency as coh
    >>> from coherency import bsm
    >>> exp = coh.experiments.load("coherent-csi-2021")
    >>> d = delta_chi2(exp, bsm.MagneticMoment(0.0), mu_nu_bohr=np.linspace(0, 1e-8, 5))
    >>> bool(d[0] < 1.0 < d[-1])
    True
    """
    statistic = _check_statistic(statistic, chi2, options)
    if statistic == "likelihood":
        values, _ = _likelihood_surface(experiment, model, options, params)
        return values - np.nanmin(values)
    f = counts_chi2(experiment) if chi2 is None else chi2
    spectra = experiment_grid(experiment, model, n_threads=n_threads, **params)
    values = np.asarray(f(spectra), dtype=np.float64)
    return values - np.min(values)


def _first_crossing(x: FloatArray, d: FloatArray, threshold: float) -> float:
    """The smallest x where d crosses above ``threshold``, interpolated linearly in
    log x (linearly from x = 0); nan where no point is above."""
    above = np.nonzero(d > threshold)[0]
    if above.size == 0:
        return math.nan
    i = int(above[0])
    if i == 0:
        return float(x[0])
    lo, hi = x[i - 1], x[i]
    f = (threshold - d[i - 1]) / (d[i] - d[i - 1])
    if lo > 0:
        return float(np.exp(np.log(lo) + f * (np.log(hi) - np.log(lo))))
    return float(lo + f * (hi - lo))


def _check_level(cl: float) -> float:
    level = _validation.as_float(cl, "cl", min_value=0.0, max_value=1.0, exclusive_min=True)
    if level >= 1.0:
        raise ValueError(f"cl must be < 1; got {level!r}")
    return level


def limit_curve(experiment: Any, model: Any, mass_MeV: Any, coupling: Any, *,
                cl: float = 0.9, chi2: Callable[[FloatArray], FloatArray] | None = None,
                statistic: str = "counts", options: Mapping[str, Any] | None = None,
                n_threads: int = 1) -> FloatArray:
    """The upper limit on a mediator's coupling at each mass (confidence level ``cl``).

    Parameters
    ----------
    experiment : coherency.experiments.Experiment
    model : VectorMediator or ScalarMediator
        The template (its charges).
    mass_MeV : array_like, MeV
        Masses, 1-D.
    coupling : array_like
        Couplings to scan, 1-D, increasing, >= 0 (a log-spaced range that spans the
        limit; 0 is added).
    cl : float
        Confidence level in (0, 1), one parameter (Delta chi^2 = 2.71 at 90 %).
    chi2 : callable, optional
        As in :func:`delta_chi2` (``statistic="counts"``).
    statistic : {"counts", "likelihood"}
        ``"counts"``: Delta chi^2 relative to the minimum over the whole grid.
        ``"likelihood"``: the profile likelihood of the experiment's data release
        (docs/physics.md Eq. 13.12), mass by mass: Delta(-2 ln L) relative to the
        smallest -2 ln L among the Standard Model (coupling 0) and the couplings
        evaluated at that mass below the crossing. The scanned couplings are
        walked up in steps of about a factor 2 from the previous mass's crossing,
        then bisected to two neighbours of the grid (about 8 fits per mass).
    options : mapping, optional
        Options of the likelihood builder (``statistic="likelihood"``).

    Returns
    -------
    ndarray, shape (len(mass_MeV),)
        The smallest coupling where Delta chi^2 crosses the threshold, interpolated
        linearly in log coupling between the scanned points; NaN where no scanned
        coupling is excluded. A destructive model can be allowed again above the
        limit (where the charge changes sign): the curve is the first crossing.

    Raises
    ------
    ValueError
        Masses < 0 or > 1e6 MeV, couplings < 0, not increasing or fewer than two,
        cl outside (0, 1), an unknown statistic, a model that is not a mediator.
    """
    masses = _validation.as_float_array(mass_MeV, "mass_MeV", min_value=0.0,
                                        max_value=MEDIATOR_MASS_MAX_MEV, unit="MeV")
    g = _validation.as_float_array(coupling, "coupling", min_value=0.0,
                                   max_value=COUPLING_MAX)
    if masses.ndim != 1 or g.ndim != 1 or g.size < 2:
        raise ValueError("mass_MeV must be 1-D and coupling 1-D with at least two values")
    _validation.check_increasing(g, "coupling")
    level = _check_level(cl)
    statistic = _check_statistic(statistic, chi2, options)
    if not isinstance(model, (VectorMediator, ScalarMediator)):
        raise TypeError(f"model must be a VectorMediator or ScalarMediator; got "
                        f"{_validation._short(model)}")
    g_all = np.concatenate([[0.0], g]) if g[0] > 0 else g
    threshold = float(stats.chi2.ppf(level, 1))
    if statistic == "likelihood":
        return _likelihood_limits(experiment, model, masses, g_all, threshold, options)
    d = delta_chi2(experiment, grid(model, coupling=g_all[:, None], mass_MeV=masses[None, :]),
                   chi2=chi2, n_threads=n_threads)
    return np.array([_first_crossing(g_all, d[:, j], threshold)
                     for j in range(masses.size)])


def _likelihood_limits(experiment: Any, model: Model, masses: FloatArray, g_all: FloatArray,
                       threshold: float, options: Mapping[str, Any] | None) -> FloatArray:
    """limit_curve with the profile likelihood (its notes)."""
    lk = _likelihood_for(experiment, model, ("coupling", "mass_MeV"), options)
    prof = _Profiler(lk, ("coupling", "mass_MeV"))
    n = g_all.size
    logs = np.log(g_all[g_all > 0])
    stride = max(1, int(round(math.log(2.0) / float(np.mean(np.diff(logs)))))
                 if logs.size > 1 else 1)
    p0 = prof({"coupling": 0.0, "mass_MeV": float(masses[0])})
    out = np.full(masses.size, np.nan)
    order = np.argsort(masses, kind="stable")
    prev = 1
    # the first mass twice: its second pass starts, like every other mass, two steps
    # below a crossing, so that the reference minimum is searched alike at every mass
    for j in [order[0], *order]:
        m = float(masses[j])
        cache: dict[int, float] = {0: p0} if g_all[0] == 0.0 else {}

        def p(i: int, m: float = m, cache: dict[int, float] = cache) -> float:
            if i not in cache:
                cache[i] = prof({"coupling": float(g_all[i]), "mass_MeV": m})
            return cache[i]

        def ref(cache: dict[int, float] = cache) -> float:
            return min(v for v in cache.values() if math.isfinite(v))

        lo = max(0, prev - 2 * stride)
        p(lo)
        # walk down while the start is excluded, then up to the first excluded point
        while lo > 0 and p(lo) - ref() > threshold:
            lo = max(0, lo - stride)
        hi = lo
        while hi < n - 1:
            hi = min(n - 1, hi + stride)
            if p(hi) - ref() > threshold:
                break
            lo = hi
        if not p(hi) - ref() > threshold:
            continue
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if p(mid) - ref() > threshold:
                hi = mid
            else:
                lo = mid
        r = ref()
        out[j] = _first_crossing(g_all[[lo, hi]], np.array([p(lo) - r, p(hi) - r]),
                                 threshold)
        prev = hi
    return out


def upper_limit(experiment: Any, model: Any, *, cl: float = 0.9,
                chi2: Callable[[FloatArray], FloatArray] | None = None,
                statistic: str = "counts", options: Mapping[str, Any] | None = None,
                n_threads: int = 1, **param: Any) -> float:
    """The upper limit on one parameter of ``model`` scanned from its smallest value
    (confidence level ``cl``, one parameter: Delta chi^2 = 2.71 at 90 %).

    Parameters
    ----------
    experiment, model, chi2, statistic, options, n_threads
        As in :func:`delta_chi2`.
    **param : array_like
        One scanned parameter as :func:`coherency.bsm.grid` takes it, 1-D and
        increasing (``mu_nu_bohr=...``, ``mu_nu_bohr={"e": ...}``,
        ``eps_uV={("e", "e"): ...}``); several parameters given the same array move
        together (a flavour-universal NSI: ``eps_uV={("e", "e"): x, ("mu", "mu"): x}``).

    Returns
    -------
    float
        The first value above the minimum of the scan where Delta chi^2 (relative to
        the minimum over the scan) crosses the threshold, interpolated linearly in log
        value between the scanned points; NaN where none does.

    Examples
    --------
    >>> import numpy as np, coherency as coh
    >>> from coherency import bsm
    >>> exp = coh.experiments.load("coherent-csi-2021")
    >>> lim = upper_limit(exp, bsm.MagneticMoment(0.0), mu_nu_bohr=np.linspace(0, 1e-8, 101))
    >>> bool(1e-9 < lim < 5e-9)
    True
    """
    level = _check_level(cl)
    d = delta_chi2(experiment, model, chi2=chi2, statistic=statistic, options=options,
                   n_threads=n_threads, **param)
    named = _names_of(model, param) if isinstance(model, Model) else {}
    arrays = [np.asarray(v, dtype=np.float64) for v in named.values()]
    if not arrays or any(a.ndim != 1 or a.shape != arrays[0].shape for a in arrays):
        raise ValueError("give one 1-D array of the scanned parameter (the same array for "
                         "parameters that move together)")
    x = arrays[0]
    if x.size < 2:
        raise ValueError("the scanned parameter needs at least two values")
    _validation.check_increasing(x, next(iter(named)))
    start = int(np.argmin(d))
    return _first_crossing(x[start:], d[start:], float(stats.chi2.ppf(level, 1)))
