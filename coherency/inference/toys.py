"""Pseudo-experiments: Feldman-Cousins intervals, coverage and toy p-values
(docs/physics.md §14.1).

Wilks' theorem (Delta(-2 ln L) of the true value distributed as chi^2 with one degree
of freedom) fails near physical boundaries and for small counts; P. B. Denton and
J. Gehrlein (JHEP 04 (2021) 266, arXiv:2008.06062) show that it fails for COHERENT
CsI. The Feldman-Cousins construction (G. J. Feldman and R. D. Cousins, PRD 57 (1998)
3873) with nuisance parameters profiled (the "profile construction", K. Cranmer,
PHYSTAT 2003, arXiv:physics/0511028) replaces the chi^2 quantile by the quantile of
the same test statistic in pseudo-experiments generated at each tested value, with the
nuisances at their profiled values there and the constraint centres drawn around them.

Every toy function is a module-level function run through :func:`coherency.scan.toys`:
reproducible from ``seed`` whatever the chunking, and runnable on a Dask cluster
(``client=``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from .. import _validation
from .._typing import FloatArray
from .fitting import fit, profile
from .likelihood import BinnedLikelihood

__all__ = ["FCInterval", "coverage", "feldman_cousins", "toy_test_statistic"]


def toy_test_statistic(rng: np.random.Generator, lk: BinnedLikelihood, name: str,
                       value: float, truth: dict[str, float]) -> float:
    """Delta(-2 ln L) of ``name`` = ``value`` in one pseudo-experiment drawn at
    ``truth`` (the statistic of the Feldman-Cousins construction, >= 0; nan if a fit
    failed)."""
    toy = lk.sample(rng, truth)
    free = fit(toy, start=truth)
    held = fit(toy.fixed(**{name: value}), start=truth)
    if not (free.converged and held.converged):
        return math.nan
    return max(held.nll - min(free.nll, held.nll), 0.0)


@dataclass(frozen=True)
class FCInterval:
    """A Feldman-Cousins interval (:func:`feldman_cousins`).

    Attributes
    ----------
    grid : ndarray
        Tested values of the parameter.
    observed : ndarray
        Delta(-2 ln L) of the data at each (the profile).
    critical : ndarray
        The ``cl`` quantile of the statistic in pseudo-experiments at each value.
    accepted : ndarray of bool
        observed <= critical.
    interval : (float, float)
        Smallest and largest accepted value (nan if none); the true interval can be
        wider by up to one grid step on either side.
    wilks_interval : (float, float)
        The same from the chi^2 quantile (Wilks), for comparison.
    cl, n_toys, seed
    """

    name: str
    grid: FloatArray
    observed: FloatArray
    critical: FloatArray
    accepted: FloatArray
    interval: tuple[float, float]
    wilks_interval: tuple[float, float]
    cl: float
    n_toys: int
    seed: int


def _ends(grid: FloatArray, ok: FloatArray) -> tuple[float, float]:
    if not ok.any():
        return (math.nan, math.nan)
    g = grid[ok]
    return (float(g.min()), float(g.max()))


def feldman_cousins(lk: BinnedLikelihood, name: str, grid: Any, *, cl: float = 0.6827,
                    n_toys: int = 500, seed: int = 0, client: Any = None,
                    executor: Any = None, chunk_size: int | None = None) -> FCInterval:
    """The Feldman-Cousins interval of parameter ``name`` on ``grid`` (module notes).

    Parameters
    ----------
    lk : BinnedLikelihood
    name : str
    grid : array_like
        Values to test (inside the parameter's limits).
    cl : float
        Confidence level in (0, 1).
    n_toys : int
        Pseudo-experiments per grid value.
    seed : int
        Root of the random streams (value i of the grid uses the stream (seed, i)).
    client, executor, chunk_size
        Where the pseudo-experiments run (:func:`coherency.scan.toys`).

    Returns
    -------
    FCInterval
    """
    from .. import scan

    cl = _validation.as_float(cl, "cl", min_value=0.0, max_value=1.0, exclusive_min=True)
    if cl >= 1.0:
        raise ValueError(f"cl must be < 1; got {cl!r}")
    n_toys = _validation.check_int(n_toys, "n_toys", 1, 10**8)
    best = fit(lk)
    g = np.asarray(grid, dtype=np.float64)
    observed, fits = profile(lk, name, g, best=best, return_fits=True)
    critical = np.empty(g.size)
    for i, x in enumerate(g):
        truth = dict(fits[i].values) if fits[i] is not None else best.values
        truth[name] = float(x)
        t = scan.toys(toy_test_statistic, n_toys, np.random.SeedSequence([seed, i]),
                      client=client, executor=executor, chunk_size=chunk_size,
                      lk=lk, name=name, value=float(x), truth=truth)
        t = np.asarray(t, dtype=np.float64)
        t = t[np.isfinite(t)]
        critical[i] = float(np.quantile(t, cl)) if t.size else math.nan
    accepted = observed <= critical
    wilks = observed <= float(stats.chi2.ppf(cl, 1))
    return FCInterval(name=name, grid=g, observed=observed, critical=critical,
                      accepted=accepted, interval=_ends(g, accepted),
                      wilks_interval=_ends(g, wilks), cl=cl, n_toys=n_toys, seed=seed)


def _covered(rng: np.random.Generator, lk: BinnedLikelihood, name: str,
             truth: dict[str, float], cl: float) -> float:
    toy = lk.sample(rng, truth)
    r = fit(toy, minos=[name], cl=cl, start=truth)
    if not r.valid:
        return math.nan
    lo, hi = r.interval(name)
    return float(lo <= truth[name] <= hi)


def coverage(lk: BinnedLikelihood, name: str, truth: dict[str, float] | None = None, *,
             cl: float = 0.6827, n_toys: int = 200, seed: int = 0, client: Any = None,
             executor: Any = None) -> tuple[float, float, int]:
    """How often the MINOS interval of ``name`` (Wilks) contains the true value in
    pseudo-experiments drawn at ``truth`` (default: the likelihood's values).

    Returns
    -------
    (fraction, binomial standard error, number of valid toys)
    """
    from .. import scan

    t = {**lk.values(), **(truth or {})}
    lk.parameter(name)
    res = np.asarray(scan.toys(_covered, n_toys, seed, client=client, executor=executor,
                               lk=lk, name=name, truth=t, cl=cl), dtype=np.float64)
    ok = res[np.isfinite(res)]
    if ok.size == 0:
        return (math.nan, math.nan, 0)
    f = float(ok.mean())
    return (f, math.sqrt(max(f * (1 - f), 1e-12) / ok.size), int(ok.size))
