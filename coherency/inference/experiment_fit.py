"""Fits of an experiment preset to its data release: the measurement of CEvNS (events,
cross section, significance), physics parameters, and profile scans
(docs/physics.md §14, Eqs. (14.2), (14.11)).

The entry points are the methods of :class:`coherency.experiments.Experiment`::

    exp = coherency.experiments.load("coherent-csi-2021")
    res = exp.fit()                          # CEvNSMeasurement
    res.signal_events, res.signal_events_error, res.significance
    exp.fit(physics=("sin2_theta_w",))       # ParameterFit
    exp.profile("signal_events", grid)       # Delta(-2 ln L) on the grid
    exp.likelihood()                         # the BinnedLikelihood itself

and the functions here, which they call. Options (``steady_state=``, ``priors=``,
``pe_edges=``, ...) go to the experiment's likelihood builder
(:func:`~coherency.inference.csi_2021_likelihood`,
:func:`~coherency.inference.ar_2020_likelihood`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from .._typing import FloatArray
from .coherent import ar_2020_likelihood, csi_2021_likelihood
from .fitting import FitError, FitResult, fit, profile
from .likelihood import BinnedLikelihood
from .signal import names_for

__all__ = [
    "LIKELIHOODS",
    "CEvNSMeasurement",
    "ParameterFit",
    "fit_experiment",
    "fit_parameters",
    "likelihood",
    "profile_experiment",
]

#: Experiments with a likelihood of their data release: preset name -> builder.
LIKELIHOODS: dict[str, Callable[..., BinnedLikelihood]] = {
    "coherent-csi-2021": csi_2021_likelihood,
    "coherent-ar-2020": ar_2020_likelihood,
}


def likelihood(experiment: Any, **options: Any) -> BinnedLikelihood:
    """The likelihood of ``experiment``'s data release (options: its builder's).

    Raises
    ------
    ValueError
        The experiment has no public data release the package can fit.
    """
    name = getattr(experiment, "name", None)
    builder = LIKELIHOODS.get(name)  # type: ignore[arg-type]
    if builder is None:
        raise ValueError(f"experiment: no likelihood of a data release for {name!r}; "
                         f"fits exist for {sorted(LIKELIHOODS)}")
    return builder(experiment, **options)


@dataclass(frozen=True)
class CEvNSMeasurement:
    """The measurement of CEvNS from a data release (:func:`fit_experiment`).

    Attributes
    ----------
    experiment : str
    signal_events : float
        Fitted CEvNS events in the observed bins.
    signal_events_error : (float, float)
        Sizes of the lower and upper 1-sigma errors (MINOS, every nuisance profiled).
    predicted_events : float
        The Standard-Model prediction in the same bins (nominal inputs).
    flux_averaged_sigma : float, cm^2
        Measured flux-averaged cross section per nucleus: the fitted signal strength
        times the Standard-Model <sigma> (docs/physics.md Eq. (14.11)).
    flux_averaged_sigma_error : (float, float), cm^2
        Its lower and upper 1-sigma errors (MINOS on the strength, with the flux and
        detector nuisances).
    flux_averaged_sigma_sm : float, cm^2
        The Standard-Model <sigma> it is scaled from.
    significance : float
        Rejection of the no-CEvNS hypothesis in Gaussian sigma, sqrt(q0) with
        q0 = Delta(-2 ln L) between signal_events = 0 and the best fit (one-sided,
        asymptotic: Cowan et al., EPJC 71 (2011) 1554).
    p_value : float
        The local p-value of the no-CEvNS hypothesis, 1 - Phi(significance).
    values, errors : dict of str to float
        Best fit and HESSE errors of every parameter of both fits (the events fit and
        the strength fit; ``mu`` and ``flux`` come from the latter).
    events_fit, strength_fit, null_fit : FitResult
        The three fits behind the numbers.
    valid : bool
        All three fits converged and every error asked for was found.
    messages : tuple of str
    """

    experiment: str
    signal_events: float
    signal_events_error: tuple[float, float]
    predicted_events: float
    flux_averaged_sigma: float
    flux_averaged_sigma_error: tuple[float, float]
    flux_averaged_sigma_sm: float
    significance: float
    p_value: float
    values: dict[str, float]
    errors: dict[str, float]
    events_fit: FitResult
    strength_fit: FitResult
    null_fit: FitResult
    valid: bool
    messages: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """A few lines: events, cross section, significance, and the fit's status."""
        lo, hi = self.signal_events_error
        slo, shi = self.flux_averaged_sigma_error
        lines = [
            f"{self.experiment}: {self.signal_events:.1f} -{lo:.1f} +{hi:.1f} CEvNS events "
            f"(Standard Model {self.predicted_events:.1f})",
            f"  <sigma> = ({self.flux_averaged_sigma * 1e40:.1f} -{slo * 1e40:.1f} "
            f"+{shi * 1e40:.1f}) x 1e-40 cm^2 (Standard Model "
            f"{self.flux_averaged_sigma_sm * 1e40:.1f})",
            f"  no-CEvNS rejected at {self.significance:.2f} sigma (p = {self.p_value:.3g})",
        ]
        if not self.valid:
            lines.append("  FIT NOT VALID: " + "; ".join(self.messages))
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Numbers as numbers (JSON)."""
        return {
            "experiment": self.experiment, "signal_events": self.signal_events,
            "signal_events_error": list(self.signal_events_error),
            "predicted_events": self.predicted_events,
            "flux_averaged_sigma_cm2": self.flux_averaged_sigma,
            "flux_averaged_sigma_error_cm2": list(self.flux_averaged_sigma_error),
            "flux_averaged_sigma_sm_cm2": self.flux_averaged_sigma_sm,
            "significance": self.significance, "p_value": self.p_value,
            "values": dict(self.values), "errors": dict(self.errors),
            "valid": self.valid, "messages": list(self.messages),
        }


@dataclass(frozen=True)
class ParameterFit:
    """A fit of physics parameters (:func:`fit_parameters`).

    Attributes
    ----------
    experiment : str
    parameters : tuple of str
        The physics parameters fitted (full names: ``sin2_theta_w``, ``rn_fm``,
        ``rn_Cs_fm``, ``xi_0``, ...).
    values, errors : dict of str to float
        Best fit and HESSE errors of every parameter.
    intervals : dict of str to (float, float)
        MINOS 1-sigma intervals (lower, upper values) of the physics parameters.
    standard_model : dict of str to float
        Their Standard-Model values (the likelihood's starting values).
    fit : FitResult
    valid : bool
    messages : tuple of str
    """

    experiment: str
    parameters: tuple[str, ...]
    values: dict[str, float]
    errors: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    standard_model: dict[str, float]
    fit: FitResult
    valid: bool
    messages: tuple[str, ...] = ()


def _check_result(r: FitResult, what: str, raise_on_failure: bool) -> None:
    if raise_on_failure and not r.valid:
        raise FitError(f"{what}: " + "; ".join(r.messages))


def fit_experiment(experiment: Any, *, raise_on_failure: bool = False,
                   **options: Any) -> CEvNSMeasurement:
    """Measure CEvNS in ``experiment``'s data release (docs/physics.md Eqs. (14.2),
    (14.11)).

    Three fits of the experiment's likelihood: with the number of CEvNS events free
    (its MINOS errors: ``signal_events_error``), with the strength relative to the
    Standard Model free together with the flux nuisance (the cross section and its
    errors), and with no CEvNS (the significance).

    Parameters
    ----------
    experiment : Experiment
    raise_on_failure : bool
        Raise :class:`~coherency.inference.FitError` if a fit does not converge
        (default: the result is returned with ``valid`` False and the reasons).
    **options
        Passed to the likelihood builder (``physics`` is not accepted here: use
        :func:`fit_parameters`).

    Returns
    -------
    CEvNSMeasurement
    """
    if options.get("physics"):
        raise ValueError("physics: fit_experiment measures the CEvNS rate; use "
                         "fit_parameters (Experiment.fit(physics=...)) for physics "
                         "parameters")
    opts = {k: v for k, v in options.items() if k not in ("normalisation", "physics")}
    lk_e = likelihood(experiment, normalisation="events", **opts)
    lk_s = likelihood(experiment, normalisation="strength", **opts)
    r_e = fit(lk_e, minos="signal_events")
    _check_result(r_e, f"{experiment.name} events fit", raise_on_failure)
    r_s = fit(lk_s, minos="mu", start=r_e.values)
    _check_result(r_s, f"{experiment.name} strength fit", raise_on_failure)
    r_0 = fit(lk_e.fixed(signal_events=0.0), start=r_e.values)
    if raise_on_failure and not r_0.converged:
        raise FitError(f"{experiment.name} no-CEvNS fit: " + "; ".join(r_0.messages))
    q0 = max(r_0.nll - r_e.nll, 0.0)
    z = math.sqrt(q0)
    sigma_sm = float(experiment.flux_averaged_sigma())
    mu = r_s.values["mu"]
    mlo, mhi = r_s.minos.get("mu", (-r_s.errors["mu"], r_s.errors["mu"]))
    elo, ehi = r_e.minos.get("signal_events", (-r_e.errors["signal_events"],
                                               r_e.errors["signal_events"]))
    values = {**r_s.values, **r_e.values}
    errors = {**r_s.errors, **r_e.errors}
    messages = tuple(f"{tag}: {m}" for tag, r in (("events", r_e), ("strength", r_s),
                                                  ("no-CEvNS", r_0)) for m in r.messages)
    return CEvNSMeasurement(
        experiment=experiment.name,
        signal_events=r_e.values["signal_events"],
        signal_events_error=(-elo, ehi),
        predicted_events=float(lk_e.info["predicted_events"]),
        flux_averaged_sigma=mu * sigma_sm,
        flux_averaged_sigma_error=(-mlo * sigma_sm, mhi * sigma_sm),
        flux_averaged_sigma_sm=sigma_sm,
        significance=z,
        p_value=float(stats.norm.sf(z)),
        values=values, errors=errors,
        events_fit=r_e, strength_fit=r_s, null_fit=r_0,
        valid=r_e.valid and r_s.valid and r_0.converged,
        messages=messages,
        options=dict(options),
    )


def fit_parameters(experiment: Any, physics: Sequence[str], *, minos: bool = True,
                   raise_on_failure: bool = False, **options: Any) -> ParameterFit:
    """Fit physics parameters (the signal strength fixed at the Standard Model's, the
    flux and detector nuisances profiled): ``"sin2_theta_w"``, ``"rn"`` (one neutron
    rms radius for every nucleus), ``"rn_each"`` (one per element), ``"xi"`` (the
    suppression per q^2 bin, with ``q2_edges=``), or full names (``"rn_Cs_fm"``),
    and the parameters of a ``coupling_model`` or ``spectrum_model``.

    Returns
    -------
    ParameterFit
    """
    if isinstance(physics, str):
        physics = (physics,)
    physics = tuple(physics)
    if not physics:
        raise ValueError("physics: give at least one parameter (e.g. 'sin2_theta_w')")
    lk = likelihood(experiment, physics=physics, **options)
    signal = lk.info.get("signal")
    names = names_for(signal, physics) if signal is not None else list(physics)
    model_names: list[str] = []
    for key in ("coupling_model", "spectrum_model"):
        model = options.get(key)
        if model is not None:
            model_names.extend(p.name for p in model.parameters)
    names = [*names, *(n for n in model_names if n not in names)]
    r = fit(lk, minos=names if minos else ())
    _check_result(r, f"{experiment.name} physics fit", raise_on_failure)
    intervals = {n: r.interval(n) for n in names}
    sm = {n: lk.parameter(n).value for n in names}
    return ParameterFit(experiment=experiment.name, parameters=tuple(names),
                        values=r.values, errors=r.errors, intervals=intervals,
                        standard_model=sm, fit=r, valid=r.valid, messages=r.messages)


def profile_experiment(experiment: Any, name: str, grid: Any, **options: Any
                       ) -> FloatArray:
    """Delta(-2 ln L) of ``name`` on ``grid`` with every other parameter profiled
    (docs/physics.md Eq. (14.5)).

    ``name``: ``"signal_events"``; ``"mu"``; ``"flux_averaged_sigma"`` (grid in cm^2);
    a physics parameter (``"sin2_theta_w"``, ``"rn_fm"``, ``"rn_Cs_fm"``, ``"xi_2"``,
    ...: the likelihood then has that parameter free with the strength fixed at the
    Standard Model's, or those of ``physics=``); or any other parameter of the events
    likelihood (a nuisance).
    """
    g = np.asarray(grid, dtype=np.float64)
    physics = tuple(options.pop("physics", ()))
    if name in ("signal_events",):
        lk = likelihood(experiment, normalisation="events", physics=(), **options)
        return np.asarray(profile(lk, name, g))
    if name in ("mu", "flux_averaged_sigma"):
        lk = likelihood(experiment, normalisation="strength", physics=(), **options)
        if name == "flux_averaged_sigma":
            g = g / float(experiment.flux_averaged_sigma())
        return np.asarray(profile(lk, "mu", g))
    is_physics = (name in ("sin2_theta_w", "rn_fm") or name.startswith("xi_")
                  or (name.startswith("rn_") and name.endswith("_fm")))
    if is_physics:
        lk = likelihood(experiment, physics=physics or (name,), **options)
        return np.asarray(profile(lk, name, g))
    lk = likelihood(experiment, normalisation="events", physics=physics, **options)
    return np.asarray(profile(lk, name, g))
