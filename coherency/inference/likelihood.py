"""Binned Poisson likelihoods with constrained nuisance parameters (docs/physics.md §14).

A :class:`BinnedLikelihood` holds observed counts in one or more channels (arrays of
bins: energy x time, energy x F90 x time, a control region), a model that gives the
expected counts of every channel for given parameter values, and the parameters
(:class:`Parameter`) with their starting values, limits and Gaussian constraints.
Its value is, Eq. (14.1),

    -2 ln L = 2 sum_bins [mu - n + n ln(n/mu)] + sum_constrained ((theta - c)/sigma)^2,

the Poisson deviance (the log-likelihood ratio to the saturated model, so that the
minimum is a goodness-of-fit statistic with about as many degrees of freedom as bins
less fitted parameters) plus one Gaussian term per constrained parameter with centre
c and width sigma. Bins with n = 0 add 2 mu (mu < 0 counts as 0). An expected count
mu <= 0 in a bin with n > 0 is an impossible model: it is evaluated at mu = 1e-300 (a large, finite
penalty that keeps a minimiser away) and counted in :attr:`BinnedLikelihood.n_clipped`.

The model is ``model(values, observed) -> {channel: expected}``: it sees the observed
counts too, so that it can profile parameters analytically (a background measured in
a control region, :mod:`coherency.inference.coherent`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy import special

from .. import _validation
from .._typing import FloatArray

__all__ = ["BinnedLikelihood", "Parameter", "poisson_deviance"]

#: Floor of an expected count in a bin that has events (Eq. (14.1)).
MU_FLOOR = 1e-300


def poisson_deviance(observed: Any, expected: Any) -> float:
    """2 sum [mu - n + n ln(n/mu)] (docs/physics.md Eq. (14.1)), with mu floored at
    1e-300 where n > 0 and at 0 where n = 0.

    >>> poisson_deviance([3.0], [3.0])
    0.0
    >>> round(poisson_deviance([0.0, 2.0], [1.0, 1.0]), 6)     # 2*1 + 2*(1 - 2 + 2 ln 2)
    2.772589
    """
    n = np.asarray(observed, dtype=np.float64)
    mu = np.asarray(expected, dtype=np.float64)
    mu = np.where(n > 0.0, np.maximum(mu, MU_FLOOR), np.maximum(mu, 0.0))
    # xlogy(n, n/mu) is 0 at n = 0 (where mu may be 0 too)
    return float(2.0 * np.sum(mu - n + special.xlogy(n, n / np.where(n > 0.0, mu, 1.0))))


@dataclass(frozen=True)
class Parameter:
    """One parameter of a likelihood.

    Parameters
    ----------
    name : str
        Identifier (a valid Python name: iminuit shows it).
    value : float
        Starting value of a fit, and the value when ``fixed``.
    limits : (float, float)
        Allowed range (may be infinite); the value must lie inside.
    sigma : float, optional
        Width of a Gaussian constraint (> 0); None: unconstrained.
    centre : float, optional
        Centre of the constraint; default ``value``.
    fixed : bool
        Held at ``value`` in fits.
    unit, doc : str
        Documentation (shown by :meth:`BinnedLikelihood.describe`).
    """

    name: str
    value: float
    limits: tuple[float, float] = (-math.inf, math.inf)
    sigma: float | None = None
    centre: float | None = None
    fixed: bool = False
    unit: str = ""
    doc: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"name must be a Python identifier; got {self.name!r}")
        v = _validation.as_float(self.value, f"{self.name} value")
        lo, hi = (float(x) for x in self.limits)
        if math.isnan(lo) or math.isnan(hi) or not lo < hi:
            raise ValueError(f"{self.name}: limits must be (lo, hi) with lo < hi; got "
                             f"{self.limits!r}")
        if not lo <= v <= hi:
            raise ValueError(f"{self.name} must lie within its limits [{lo:g}, {hi:g}]; got "
                             f"{v!r}")
        object.__setattr__(self, "value", v)
        object.__setattr__(self, "limits", (lo, hi))
        if self.sigma is not None:
            object.__setattr__(self, "sigma", _validation.as_float(
                self.sigma, f"{self.name} sigma", min_value=0.0, exclusive_min=True))
            c = v if self.centre is None else _validation.as_float(self.centre,
                                                                   f"{self.name} centre")
            object.__setattr__(self, "centre", c)
        elif self.centre is not None:
            raise ValueError(f"{self.name}: centre needs sigma (a constraint)")

    @property
    def constrained(self) -> bool:
        return self.sigma is not None


Model = Callable[[Mapping[str, float], Mapping[str, FloatArray]], Mapping[str, Any]]


@dataclass(frozen=True, eq=False)
class BinnedLikelihood:
    """-2 ln L of binned counts (module notes, Eq. (14.1)).

    Parameters
    ----------
    parameters : sequence of Parameter
        In the order of the positional arguments of :meth:`__call__`; names unique.
    observed : mapping of str to array_like
        Observed counts per channel (whole numbers >= 0, or Asimov expectations >= 0).
    model : callable
        ``model(values, observed) -> {channel: expected}`` with the same channels and
        shapes as ``observed``.
    name : str
        Label (the experiment).
    poi : str, optional
        The parameter of interest (default of :func:`~coherency.inference.fit`'s Minos
        errors and of significances).
    info : mapping, optional
        What the builder wants to keep with the likelihood (the signal model, the
        experiment, the predicted events); not used by the likelihood itself.

    Examples
    --------
    One bin, a signal s on a known background of 5:

    >>> lk = BinnedLikelihood([Parameter("s", 1.0, (0.0, 100.0))], {"on": [12.0]},
    ...                       lambda v, obs: {"on": np.array([v["s"] + 5.0])})
    >>> lk(7.0)
    0.0
    >>> round(lk(0.0), 3)                        # 2 (5 - 12 + 12 ln(12/5))
    7.011
    """

    parameters: tuple[Parameter, ...]
    observed: Mapping[str, FloatArray]
    model: Model
    name: str = ""
    poi: str | None = None
    info: Mapping[str, Any] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _n_clipped: list[int] = field(default_factory=lambda: [0], init=False, repr=False)

    def __post_init__(self) -> None:
        params = tuple(self.parameters)
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(f"parameters must be Parameter objects; got {p!r}")
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"parameters: duplicate names {dup}")
        object.__setattr__(self, "parameters", params)
        obs: dict[str, FloatArray] = {}
        if not isinstance(self.observed, Mapping) or not self.observed:
            raise TypeError("observed must be a non-empty mapping channel -> counts")
        for ch, n in self.observed.items():
            arr = _validation.as_float_array(n, f"observed[{ch!r}]", min_value=0.0)
            obs[str(ch)] = np.array(arr, dtype=np.float64)
        object.__setattr__(self, "observed", obs)
        if not callable(self.model):
            raise TypeError(f"model must be callable; got {self.model!r}")
        if self.poi is not None and self.poi not in names:
            raise ValueError(f"poi: {self.poi!r} is not a parameter; parameters: {names}")
        object.__setattr__(self, "_index", {n: i for i, n in enumerate(names)})

    # ---- parameters ---------------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name`` (``ValueError`` listing the names)."""
        if name not in self._index:
            raise ValueError(f"name: unknown parameter {name!r}; parameters: {list(self.names)}")
        return self.parameters[self._index[name]]

    def values(self, **overrides: float) -> dict[str, float]:
        """Every parameter's value (start or fixed value), with ``overrides``."""
        out = {p.name: p.value for p in self.parameters}
        for k, v in overrides.items():
            self.parameter(k)
            out[k] = float(v)
        return out

    def with_parameters(self, **changes: Mapping[str, Any]) -> BinnedLikelihood:
        """A copy with some parameters changed: ``lk.with_parameters(mu={"fixed":
        True, "value": 0.0})``."""
        params = list(self.parameters)
        for name, ch in changes.items():
            i = self._index.get(name)
            if i is None:
                raise ValueError(f"name: unknown parameter {name!r}; parameters: "
                                 f"{list(self.names)}")
            params[i] = replace(params[i], **dict(ch))
        return replace(self, parameters=tuple(params))

    def fixed(self, **values: float) -> BinnedLikelihood:
        """A copy with the named parameters fixed at the given values."""
        return self.with_parameters(**{k: {"value": float(v), "fixed": True}
                                       for k, v in values.items()})

    def released(self, *names: str) -> BinnedLikelihood:
        """A copy with the named parameters free."""
        return self.with_parameters(**{k: {"fixed": False} for k in names})

    def with_observed(self, observed: Mapping[str, Any]) -> BinnedLikelihood:
        """The same likelihood for other counts (a toy, an Asimov data set)."""
        if set(observed) != set(self.observed):
            raise ValueError(f"observed: channels {sorted(observed)} differ from "
                             f"{sorted(self.observed)}")
        return replace(self, observed=dict(observed))

    def with_constraint_centres(self, centres: Mapping[str, float]) -> BinnedLikelihood:
        """A copy with the centres of some constraints moved (the global observables
        of a toy experiment)."""
        return self.with_parameters(**{k: {"centre": float(c)} for k, c in centres.items()})

    # ---- evaluation ---------------------------------------------------------------

    def expected(self, values: Mapping[str, float] | None = None) -> dict[str, FloatArray]:
        """Expected counts per channel at ``values`` (default: :meth:`values`)."""
        vals = self.values() if values is None else {**self.values(), **values}
        out = self.model(vals, self.observed)
        exp: dict[str, FloatArray] = {}
        for ch, n in self.observed.items():
            if ch not in out:
                raise ValueError(f"model: no expected counts for channel {ch!r}")
            mu = np.asarray(out[ch], dtype=np.float64)
            if mu.shape != n.shape:
                raise ValueError(f"model: channel {ch!r} has shape {mu.shape}; the observed "
                                 f"counts have {n.shape}")
            if not np.all(np.isfinite(mu)):
                bad = {k: v for k, v in vals.items()}
                raise ValueError(f"model: non-finite expected counts in channel {ch!r} at "
                                 f"{bad}")
            exp[ch] = mu
        return exp

    def constraint_term(self, values: Mapping[str, float]) -> float:
        """sum ((theta - c)/sigma)^2 over the constrained parameters."""
        acc = 0.0
        for p in self.parameters:
            if p.sigma is not None:
                acc += ((values[p.name] - p.centre) / p.sigma) ** 2  # type: ignore[operator]
        return acc

    def nll(self, values: Mapping[str, float]) -> float:
        """-2 ln L at ``values`` (a mapping; missing names take their :meth:`values`)."""
        vals = {**self.values(), **values}
        exp = self.expected(vals)
        total = 0.0
        for ch, n in self.observed.items():
            mu = exp[ch]
            bad = (mu <= 0.0) & (n > 0.0)
            if bad.any():
                self._n_clipped[0] += 1
            total += poisson_deviance(n, mu)
        return total + self.constraint_term(vals)

    def __call__(self, *x: float) -> float:
        """-2 ln L with every parameter positional, in :attr:`names` order (the form
        iminuit calls). A non-finite parameter value (a minimiser that lost its way)
        gives nan, which iminuit reports as an invalid minimum."""
        if len(x) != len(self.parameters):
            raise TypeError(f"expected {len(self.parameters)} values ({', '.join(self.names)});"
                            f" got {len(x)}")
        vals = [float(v) for v in x]
        if not all(math.isfinite(v) for v in vals):
            return math.nan
        return self.nll(dict(zip(self.names, vals)))

    @property
    def n_clipped(self) -> int:
        """How many evaluations met an expected count <= 0 in a bin with events."""
        return self._n_clipped[0]

    @property
    def n_bins(self) -> int:
        return int(sum(n.size for n in self.observed.values()))

    # ---- pseudo-data --------------------------------------------------------------

    def asimov(self, values: Mapping[str, float] | None = None) -> BinnedLikelihood:
        """The likelihood of the Asimov data set: observed = expected at ``values``
        (G. Cowan, K. Cranmer, E. Gross, O. Vitells, EPJC 71 (2011) 1554), constraint
        centres at the values."""
        vals = {**self.values(), **(values or {})}
        exp = self.expected(vals)
        lk = self.with_observed(exp)
        return lk.with_constraint_centres({p.name: vals[p.name] for p in self.parameters
                                           if p.constrained})

    def sample(self, rng: np.random.Generator, values: Mapping[str, float] | None = None,
               *, constraints: bool = True) -> BinnedLikelihood:
        """A toy experiment: Poisson counts drawn around the expectation at ``values``
        and, with ``constraints``, each constraint centre drawn from a Gaussian around
        the parameter's value (its auxiliary measurement)."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
        vals = {**self.values(), **(values or {})}
        exp = self.expected(vals)
        lk = self.with_observed({ch: rng.poisson(np.maximum(mu, 0.0)).astype(np.float64)
                                 for ch, mu in exp.items()})
        if constraints:
            lk = lk.with_constraint_centres({
                p.name: float(rng.normal(vals[p.name], p.sigma)) for p in self.parameters
                if p.sigma is not None})
        return lk

    def describe(self) -> str:
        """One line per parameter: name, value, limits, constraint, unit, doc."""
        rows = []
        for p in self.parameters:
            c = f"N({p.centre:g}, {p.sigma:g})" if p.sigma is not None else "free"
            state = "fixed" if p.fixed else c
            rows.append(f"{p.name:>18s} = {p.value:<12.6g} [{p.limits[0]:g}, {p.limits[1]:g}]"
                        f"  {state:<18s} {p.unit:<8s} {p.doc}")
        return "\n".join(rows)


def start_values(lk: BinnedLikelihood, start: Mapping[str, float] | None,
                 names: Sequence[str] | None = None) -> dict[str, float]:
    """Start values: the parameters' values, updated by ``start`` (clipped into the
    limits)."""
    vals = lk.values()
    for k, v in (start or {}).items():
        if k not in vals:
            continue
        p = lk.parameter(k)
        if p.fixed:
            continue
        lo, hi = p.limits
        vals[k] = min(max(float(v), lo), hi)
    return vals
