"""Statistical inference on CEvNS data: binned likelihoods, fits and toys.

Belongs here: Poisson (and Gaussian) likelihoods of binned counts in recoil energy and
arrival time, with nuisance parameters for the flux normalisation, quenching,
efficiency and backgrounds; maximum-likelihood fits and profile scans (with iminuit);
pseudo-experiments (toys) for coverage and p-values, run through :mod:`coherency.scan`.
A likelihood takes its prediction from an experiment preset (:mod:`coherency.experiments`)
and its parameters from the physics modules (form-factor radii, the weak mixing
angle, the degree of coherency α, the parameters of :mod:`coherency.bsm`).

Not here: the bin-wise α(q²) statistics of Sharma & Wong (Measurement, projections),
which live in :mod:`coherency.analysis`.

Modules (docs/physics.md §14; results beside the published ones in docs/fits.md):

:mod:`.likelihood`
    :class:`Parameter`, :class:`BinnedLikelihood` (Poisson deviance plus Gaussian
    constraints; Asimov data and toys).
:mod:`.fitting`
    :func:`fit` (MIGRAD, HESSE, MINOS; failures flagged or raised), :func:`profile`.
:mod:`.interpolation`
    :class:`ShapeVariant`, :func:`morph`: templates between their ±1σ versions.
:mod:`.signal`
    :class:`CEvNSSignal`: a preset's prediction as a fast function of sin²θ_W, neutron
    radii, ξ per q² bin, detector variants, an arrival-time shift and models beyond
    the Standard Model (:class:`CouplingModel`, :class:`SpectrumModel`).
:mod:`.coherent`
    :func:`csi_2021_likelihood`, :func:`ar_2020_likelihood`: the COHERENT releases.
:mod:`.experiment_fit`
    :func:`fit_experiment` (events, ⟨σ⟩, significance), :func:`fit_parameters`,
    :func:`profile_experiment`; behind ``Experiment.fit``, ``.profile``, ``.likelihood``.
:mod:`.coherency_fit`
    :func:`coherency_fit`: ξ and α per q² bin, local and global p-values.
:mod:`.toys`
    :func:`feldman_cousins`, :func:`coverage` (pseudo-experiments on
    :func:`coherency.scan.toys`).
"""

from __future__ import annotations

from .coherency_fit import DEFAULT_Q2_EDGES, CoherencyBin, CoherencyFit, coherency_fit
from .coherent import (
    AR_2020_PRIORS,
    CSI_2021_PRIORS,
    ar_2020_likelihood,
    csi_2021_likelihood,
    profile_on_off,
)
from .experiment_fit import (
    LIKELIHOODS,
    CEvNSMeasurement,
    ParameterFit,
    fit_experiment,
    fit_parameters,
    likelihood,
    profile_experiment,
)
from .fitting import FitError, FitResult, fit, profile
from .interpolation import ShapeVariant, morph
from .likelihood import BinnedLikelihood, Parameter, poisson_deviance
from .signal import CEvNSSignal, CouplingModel, SpectrumModel
from .toys import FCInterval, coverage, feldman_cousins

__all__ = [
    "AR_2020_PRIORS",
    "DEFAULT_Q2_EDGES",
    "CoherencyBin",
    "CoherencyFit",
    "FCInterval",
    "coherency_fit",
    "coverage",
    "feldman_cousins",
    "LIKELIHOODS",
    "CEvNSMeasurement",
    "ParameterFit",
    "fit_experiment",
    "fit_parameters",
    "likelihood",
    "profile_experiment",
    "CSI_2021_PRIORS",
    "BinnedLikelihood",
    "CEvNSSignal",
    "CouplingModel",
    "FitError",
    "FitResult",
    "Parameter",
    "ShapeVariant",
    "SpectrumModel",
    "ar_2020_likelihood",
    "csi_2021_likelihood",
    "fit",
    "morph",
    "poisson_deviance",
    "profile",
    "profile_on_off",
]
