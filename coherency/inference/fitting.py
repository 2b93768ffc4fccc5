"""Maximum-likelihood fits and profile scans with iminuit (docs/physics.md §14).

:func:`fit` minimises -2 ln L of a :class:`~coherency.inference.BinnedLikelihood`
with MIGRAD (F. James and M. Roos, Computer Physics Communications 10 (1975) 343, through
iminuit: H. Dembinski, P. Ongmongkolkul et al., doi:10.5281/zenodo.3949207), then
computes the HESSE errors (the inverse of the second-derivative matrix of -ln L, i.e.
errordef = 1 for -2 ln L) and, for the requested parameters, the MINOS errors (where
-2 ln L, minimised over every other parameter, rises by 1: Eq. (14.4)).

A fit that does not converge is retried once with MIGRAD's strategy 2 from the point
reached; if it still fails the result says so (``valid`` False and the reason in
``messages``), or :class:`FitError` is raised with ``raise_on_failure=True``. A value
from a failed fit is never returned as if it were good.

:func:`profile` gives Delta(-2 ln L) of one parameter on a grid, every other free
parameter minimised at each point (Eq. (14.5)), each fit started from the nearest
point already fitted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from iminuit import Minuit
from scipy import optimize, stats

from .. import _validation
from .._typing import FloatArray
from .likelihood import BinnedLikelihood, start_values

__all__ = ["FitError", "FitResult", "fit", "profile"]


class FitError(RuntimeError):
    """A fit did not converge (raised with ``raise_on_failure=True``)."""


@dataclass(frozen=True)
class FitResult:
    """The outcome of :func:`fit`.

    Attributes
    ----------
    values : dict of str to float
        Best-fit value of every parameter (fixed ones at their value).
    errors : dict of str to float
        HESSE (parabolic) 1-sigma errors; 0 for fixed parameters.
    minos : dict of str to (float, float)
        MINOS errors (lower <= 0, upper >= 0, as offsets from the best fit) of the
        parameters asked for, at the fit's ``cl``; a side that hits a parameter limit
        is the distance to it.
    nll : float
        -2 ln L at the minimum (the deviance plus the constraint terms).
    valid : bool
        MIGRAD converged (EDM below tolerance, no call limit reached), HESSE gave a
        positive-definite covariance, and every MINOS error asked for was found.
    converged : bool
        MIGRAD converged: the minimum (``values``, ``nll``) can be trusted even where
        the covariance cannot (what a profile or a test statistic needs).
    messages : tuple of str
        What went wrong (empty for a valid fit), or notes (parameters at a limit).
    covariance : ndarray or None
        HESSE covariance of the free parameters, in the order of ``free``.
    free : tuple of str
        The parameters that were fitted.
    n_calls : int
        Evaluations of -2 ln L.
    n_bins : int
        Number of bins (for a goodness of fit: ``nll`` has about n_bins - len(free)
        degrees of freedom).
    """

    values: dict[str, float]
    errors: dict[str, float]
    minos: dict[str, tuple[float, float]]
    nll: float
    valid: bool
    messages: tuple[str, ...]
    covariance: FloatArray | None
    free: tuple[str, ...]
    n_calls: int
    n_bins: int
    converged: bool = True
    _extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def interval(self, name: str) -> tuple[float, float]:
        """(lower, upper) 1-sigma interval of ``name``: MINOS if computed, else HESSE."""
        v = self.values[name]
        if name in self.minos:
            lo, hi = self.minos[name]
            return v + lo, v + hi
        e = self.errors[name]
        return v - e, v + e

    def correlation(self, a: str, b: str) -> float:
        """HESSE correlation coefficient of two free parameters."""
        if self.covariance is None:
            return math.nan
        i, j = self.free.index(a), self.free.index(b)
        c = self.covariance
        return float(c[i, j] / math.sqrt(c[i, i] * c[j, j]))


def _minuit(lk: BinnedLikelihood, start: Mapping[str, float]) -> Minuit:
    names = lk.names
    m = Minuit(lk, *[start[n] for n in names], name=names)
    m.errordef = Minuit.LEAST_SQUARES  # -2 ln L: a 1-sigma error is a rise of 1
    for p in lk.parameters:
        m.limits[p.name] = p.limits
        if p.fixed:
            m.fixed[p.name] = True
        else:
            m.errors[p.name] = _step(p, start[p.name])
    m.print_level = 0
    return m


def _step(p: Any, value: float) -> float:
    """Initial step of MIGRAD: the constraint width, else 10 % of the value (or 0.1),
    kept inside the limits' span."""
    if p.sigma is not None:
        s = float(p.sigma)
    else:
        s = 0.1 * abs(value) if value != 0.0 else 0.1
    span = p.limits[1] - p.limits[0]
    if math.isfinite(span):
        s = min(s, 0.25 * span)
    return max(s, 1e-12)


def _valid(m: Minuit) -> bool:
    return bool(m.valid) and not m.fmin.has_reached_call_limit


def _run_minos(m: Minuit, name: str, cl: float, max_calls: int | None) -> Any:
    """MINOS of ``name``; where it finds a lower minimum, MIGRAD from there and MINOS
    again (twice at most); where an error is not found, once more with strategy 2."""
    for _ in range(3):
        m.minos(name, cl=cl)
        me = m.merrors[name]
        if not (me.lower_new_min or me.upper_new_min):
            break
        m.migrad(ncall=max_calls)
        m.hesse()
    if not (me.lower_valid or me.at_lower_limit) or not (me.upper_valid
                                                         or me.at_upper_limit):
        m.strategy = 2
        m.minos(name, cl=cl)
        me = m.merrors[name]
    return me


def _profile_crossing(lk: BinnedLikelihood, name: str, best: Mapping[str, float],
                      nll_min: float, side: int, rise: float, step: float) -> float:
    """Where -2 ln L, every other parameter minimised, rises by ``rise`` on one side of
    the best fit (Eq. (14.4)): bracketed by doubling steps, then Brent's method."""
    p = lk.parameter(name)
    lim = p.limits[0] if side < 0 else p.limits[1]
    x0 = best[name]

    def g(x: float) -> float:
        r = fit(lk.fixed(**{name: x}), start=best)
        return r.nll - nll_min - rise if r.converged else math.nan

    h = step if step > 0 and math.isfinite(step) else 0.1 * max(abs(x0), 1.0)
    inner = x0
    for _ in range(30):
        outer = x0 + side * h
        if (side < 0 and outer <= lim) or (side > 0 and outer >= lim):
            outer = lim
        v = g(outer)
        if math.isnan(v):
            return math.nan
        if v > 0:
            try:
                return float(optimize.brentq(lambda x: g(x), min(inner, outer),
                                             max(inner, outer), xtol=1e-4 * h))
            except ValueError:
                return math.nan
        if outer == lim:
            return lim
        inner = outer
        h *= 2.0
    return math.nan


def fit(lk: BinnedLikelihood, *, minos: Sequence[str] | str | None = (),
        start: Mapping[str, float] | None = None, strategy: int = 1,
        max_calls: int | None = None, cl: float = 0.6827,
        raise_on_failure: bool = False) -> FitResult:
    """Minimise -2 ln L (module notes).

    Parameters
    ----------
    lk : BinnedLikelihood
    minos : str or sequence of str, optional
        Free parameters to get MINOS errors for; ``"poi"`` means the likelihood's
        parameter of interest.
    start : mapping, optional
        Starting values (default: the parameters' values).
    strategy : int
        MIGRAD strategy 0, 1 or 2 (more derivative evaluations, more robust).
    cl : float
        Confidence level of the MINOS intervals, in (0, 1): the rise of -2 ln L is the
        chi^2 quantile with one degree of freedom (1 for 0.6827; 1.642 for 0.8, whose
        ends are the one-sided 90 % bounds).
    max_calls : int, optional
        Most evaluations of -2 ln L per MIGRAD call (default: iminuit's, which grows
        with the number of parameters); reaching it makes the fit invalid.
    raise_on_failure : bool
        Raise :class:`FitError` instead of returning a result flagged invalid.

    Returns
    -------
    FitResult

    Examples
    --------
    >>> from coherency.inference import BinnedLikelihood, Parameter
    >>> lk = BinnedLikelihood([Parameter("s", 1.0, (0.0, 100.0))], {"on": [12.0]},
    ...                       lambda v, obs: {"on": np.array([v["s"] + 5.0])})
    >>> r = fit(lk, minos="s")
    >>> round(r.values["s"], 2), r.valid
    (7.0, True)
    >>> lo, hi = r.minos["s"]
    >>> round(lo, 2), round(hi, 2)                # asymmetric Poisson interval
    (-3.14, 3.81)
    """
    if not isinstance(lk, BinnedLikelihood):
        raise TypeError(f"lk must be a BinnedLikelihood; got {type(lk).__name__}")
    if strategy not in (0, 1, 2):
        raise ValueError(f"strategy must be 0, 1 or 2; got {strategy!r}")
    cl = _validation.as_float(cl, "cl", min_value=0.0, max_value=1.0, exclusive_min=True)
    if cl >= 1.0:
        raise ValueError(f"cl must be < 1; got {cl!r}")
    if max_calls is not None:
        max_calls = _validation.check_int(max_calls, "max_calls", 1, 10**9)
    if isinstance(minos, str):
        minos = [minos]
    want = []
    for name in (minos or ()):
        if name == "poi":
            if lk.poi is None:
                raise ValueError("minos: 'poi' asked for, but the likelihood has no poi")
            name = lk.poi
        p = lk.parameter(name)
        if not p.fixed:
            want.append(name)
    free = tuple(p.name for p in lk.parameters if not p.fixed)
    vals0 = start_values(lk, start)
    messages: list[str] = []
    if not free:
        nll = lk.nll(vals0)
        return FitResult(values=vals0, errors={n: 0.0 for n in lk.names}, minos={},
                         nll=nll, valid=math.isfinite(nll), messages=(), covariance=None,
                         free=(), n_calls=1, n_bins=lk.n_bins)
    m = _minuit(lk, vals0)
    m.strategy = strategy
    m.migrad(ncall=max_calls)
    if not _valid(m):
        m.strategy = 2
        m.migrad(ncall=max_calls)
    ok = _valid(m)
    converged = ok
    if not ok:
        messages.append(f"MIGRAD did not converge (EDM {m.fmin.edm:.3g}, "
                        f"call limit {'reached' if m.fmin.has_reached_call_limit else 'not'}"
                        f" reached)")
    m.hesse()
    if ok and not _valid(m):
        # HESSE can find the EDM above its goal (a parameter near a limit): descend
        # again from there with the better second derivatives
        m.strategy = 2
        m.migrad(ncall=max_calls)
        m.hesse()
        if not _valid(m):
            ok = converged = False
            messages.append(f"MIGRAD after HESSE did not converge (EDM {m.fmin.edm:.3g})")
    cov = None
    if m.covariance is not None and m.fmin.has_accurate_covar:
        cov = np.array([[m.covariance[a, b] for b in free] for a in free])
    else:
        ok = False
        messages.append("HESSE: the covariance matrix is not accurate (not positive "
                        "definite or forced)")
    values = {n: float(m.values[n]) for n in lk.names}
    errors = {n: (0.0 if lk.parameter(n).fixed else float(m.errors[n])) for n in lk.names}
    minos_err: dict[str, tuple[float, float]] = {}
    if want and ok:
        rise = float(stats.chi2.ppf(cl, 1))
        for name in want:
            try:
                me = _run_minos(m, name, cl, max_calls)
            except RuntimeError as exc:  # iminuit: function minimum invalid
                ok = False
                messages.append(f"MINOS {name}: {exc}")
                continue
            values = {n: float(m.values[n]) for n in lk.names}
            p = lk.parameter(name)
            sides = []
            for side, valid, at_limit, err in ((-1, me.lower_valid, me.at_lower_limit,
                                                me.lower),
                                               (1, me.upper_valid, me.at_upper_limit,
                                                me.upper)):
                if at_limit:
                    sides.append(p.limits[0 if side < 0 else 1] - values[name])
                elif valid:
                    sides.append(float(err))
                else:
                    # MINOS lost its way: the crossing of the profile, found directly
                    x = _profile_crossing(lk, name, values, float(m.fmin.fval), side, rise,
                                          float(m.errors[name]))
                    if math.isnan(x):
                        ok = False
                        messages.append(f"MINOS {name}: the {'lower' if side < 0 else 'upper'}"
                                        f" error was not found")
                    else:
                        messages.append(f"MINOS {name}: {'lower' if side < 0 else 'upper'} "
                                        f"error from the profile")
                    sides.append(x - values[name] if not math.isnan(x) else math.nan)
            minos_err[name] = (sides[0], sides[1])
    for name in free:
        p = lk.parameter(name)
        lo, hi = p.limits
        v = values[name]
        tol = 1e-6 * max(1.0, abs(v))
        if (math.isfinite(lo) and v - lo < tol) or (math.isfinite(hi) and hi - v < tol):
            messages.append(f"{name} = {v:g} is at a limit of [{lo:g}, {hi:g}]")
    result = FitResult(values=values, errors=errors, minos=minos_err,
                       nll=float(lk.nll(values)), valid=ok, messages=tuple(messages),
                       covariance=cov, free=free, n_calls=int(m.nfcn), n_bins=lk.n_bins,
                       converged=converged)
    if raise_on_failure and not ok:
        raise FitError(f"{lk.name or 'fit'}: " + "; ".join(messages))
    return result


def profile(lk: BinnedLikelihood, name: str, grid: Any, *,
            best: FitResult | None = None, return_fits: bool = False,
            raise_on_failure: bool = False) -> Any:
    """Delta(-2 ln L) of parameter ``name`` on ``grid``, the other free parameters
    minimised at each point (docs/physics.md Eq. (14.5)).

    Parameters
    ----------
    lk : BinnedLikelihood
    name : str
        A parameter of ``lk`` (it is fixed at each grid value in turn).
    grid : array_like
        Values inside the parameter's limits.
    best : FitResult, optional
        The global fit (computed if not given).
    return_fits : bool
        Also return the fit at each point.
    raise_on_failure : bool
        Raise :class:`FitError` where a point's fit is not valid (default: a point is
        nan only where MIGRAD did not converge).

    Returns
    -------
    ndarray, or (ndarray, list of FitResult)
        -2 ln L(grid) - -2 ln L(best fit). A point lower than the global fit (a fit that
        found a better minimum there) moves the reference: every value is then >= 0.
    """
    p = lk.parameter(name)
    g = _validation.as_float_array(grid, "grid", min_value=p.limits[0],
                                   max_value=p.limits[1])
    if g.ndim != 1 or g.size == 0:
        raise ValueError(f"grid must be a non-empty 1-D array; got shape {g.shape}")
    if best is None:
        best = fit(lk, raise_on_failure=raise_on_failure)
    lk_free = lk.released(name) if p.fixed else lk
    centre = best.values[name]
    order = np.argsort(np.abs(g - centre), kind="stable")
    fits: list[FitResult | None] = [None] * g.size
    done: list[tuple[float, dict[str, float]]] = [(centre, best.values)]
    for i in order:
        x = float(g[i])
        nearest = min(done, key=lambda d: abs(d[0] - x))[1]
        r = fit(lk_free.fixed(**{name: x}), start=nearest, raise_on_failure=raise_on_failure)
        fits[i] = r
        if r.converged:
            done.append((x, r.values))
    nll = np.array([r.nll if r is not None and r.converged else np.nan for r in fits])
    ref = best.nll
    if np.any(np.isfinite(nll)):
        ref = min(ref, float(np.nanmin(nll)))
    delta = nll - ref
    if return_fits:
        return delta, fits
    return delta
