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

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from .. import _validation
from .._backend import CoherencyWarning
from ._likelihood_model import LikelihoodModel, _names_of
from .batch import experiment_grid, grid
from .models import (
    COUPLING_MAX,
    MEDIATOR_MASS_MAX_MEV,
    Model,
    ScalarMediator,
    VectorMediator,
)

__all__ = ["LikelihoodModel", "STATISTICS", "counts_chi2", "delta_chi2", "limit_curve",
           "upper_limit"]

FloatArray = npt.NDArray[np.float64]

#: The statistics of :func:`delta_chi2`, :func:`limit_curve` and :func:`upper_limit`.
STATISTICS = ("counts", "likelihood")

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
        self.failed: list[dict[str, float]] = []  # points whose fit did not converge

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
        self.failed.append({k: float(v) for k, v in point.items()})
        return math.nan

    def warn_failed(self, where: str) -> None:
        """Say so when fits did not converge (their values are NaN)."""
        if self.failed:
            warnings.warn(f"{where}: {len(self.failed)} of {self.n_fits} profile fits did "
                          f"not converge (MIGRAD, strategies 0-2), first at "
                          f"{self.failed[0]}; those points are NaN", CoherencyWarning,
                          stacklevel=3)


def _warn_unreached(where: str, x_max: float, cl: float, masses: FloatArray | None,
                    limits: FloatArray) -> None:
    """Say so when the scan holds no excluded value (the limit is NaN there)."""
    bad = np.isnan(limits)
    if not bad.any():
        return
    at = "" if masses is None else (f" for {int(bad.sum())} of {bad.size} masses "
                                    f"(first {float(masses[bad][0]):g} MeV)")
    warnings.warn(f"{where}: no scanned value up to {x_max:g} is excluded at {cl:g} CL"
                  f"{at}; the limit is NaN there: extend the scan upward", CoherencyWarning,
                  stacklevel=3)


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
    prof.warn_failed("delta_chi2")
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
        coupling is excluded, with a CoherencyWarning naming those masses. A
        destructive model can be allowed again above the limit (where the charge
        changes sign): the curve is the first crossing.

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
        out = _likelihood_limits(experiment, model, masses, g_all, threshold, options)
    else:
        d = delta_chi2(experiment,
                       grid(model, coupling=g_all[:, None], mass_MeV=masses[None, :]),
                       chi2=chi2, n_threads=n_threads)
        out = np.array([_first_crossing(g_all, d[:, j], threshold)
                        for j in range(masses.size)])
    _warn_unreached("limit_curve", float(g_all[-1]), level, masses, out)
    return out


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
    prof.warn_failed("limit_curve")
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
        value between the scanned points; NaN where none does, with a
        CoherencyWarning.

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
    out = _first_crossing(x[start:], d[start:], float(stats.chi2.ppf(level, 1)))
    _warn_unreached("upper_limit", float(x[-1]), level, None, np.array([out]))
    return out
