"""Profiles, allowed regions and limit curves of a model from an experiment preset.

Each function takes an experiment preset (:mod:`coherency.experiments`), a template
model and its parameter arrays (as :func:`coherency.bsm.grid`), computes the predicted
spectrum at every point in one call (:func:`coherency.bsm.experiment_grid`) and
applies a chi^2 to it. The chi^2 is a callable of the spectra, shape
(..., energy bins, time bins) -> (...): a likelihood from :mod:`coherency.inference`
plugs in there. Without one, :func:`counts_chi2` compares the total counts with the
experiment's published measurement (docs/physics.md §13.11).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from .. import _validation
from .batch import experiment_grid, grid

__all__ = ["counts_chi2", "delta_chi2", "limit_curve"]

FloatArray = npt.NDArray[np.float64]


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


def delta_chi2(experiment: Any, model: Any, *, chi2: Callable[[FloatArray], FloatArray]
               | None = None, n_threads: int = 1, **params: Any) -> FloatArray:
    """Delta chi^2 = chi^2 - min chi^2 over the grid of ``model``'s parameters.

    Parameters
    ----------
    experiment : coherency.experiments.Experiment
    model : Model or Grid
        Template model and scanned parameters (as :func:`coherency.bsm.grid`).
    chi2 : callable, optional
        Spectra (..., energy bins, time bins) -> chi^2 (...); default
        :func:`counts_chi2`.

    Returns
    -------
    ndarray, the grid's shape
        Profile in one parameter (a 1-D grid) or a surface (2-D); an allowed region at
        confidence level c is Delta chi^2 < ``scipy.stats.chi2.ppf(c, dof)``.

    Examples
    --------
    >>> import numpy as np, coherency as coh
    >>> from coherency import bsm
    >>> exp = coh.experiments.load("coherent-csi-2021")
    >>> d = delta_chi2(exp, bsm.MagneticMoment(0.0), mu_nu_bohr=np.linspace(0, 1e-8, 5))
    >>> bool(d[0] < 1.0 < d[-1])
    True
    """
    f = counts_chi2(experiment) if chi2 is None else chi2
    spectra = experiment_grid(experiment, model, n_threads=n_threads, **params)
    values = np.asarray(f(spectra), dtype=np.float64)
    return values - np.min(values)


def limit_curve(experiment: Any, model: Any, mass_MeV: Any, coupling: Any, *,
                cl: float = 0.9, chi2: Callable[[FloatArray], FloatArray] | None = None,
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
        As in :func:`delta_chi2`.

    Returns
    -------
    ndarray, shape (len(mass_MeV),)
        The smallest coupling where Delta chi^2 (relative to the minimum over the whole
        grid) crosses the threshold, interpolated linearly in log coupling between the
        scanned points; NaN where no scanned coupling is excluded. A destructive model
        can be allowed again above the limit (where the charge changes sign): the curve
        is the first crossing.
    """
    masses = _validation.as_float_array(mass_MeV, "mass_MeV", min_value=0.0, unit="MeV")
    g = _validation.as_float_array(coupling, "coupling", min_value=0.0)
    if masses.ndim != 1 or g.ndim != 1 or g.size < 2:
        raise ValueError("mass_MeV must be 1-D and coupling 1-D with at least two values")
    _validation.check_increasing(g, "coupling")
    level = _validation.as_float(cl, "cl", min_value=0.0, max_value=1.0, exclusive_min=True)
    if level >= 1.0:
        raise ValueError(f"cl must be < 1; got {level!r}")
    g_all = np.concatenate([[0.0], g]) if g[0] > 0 else g
    d = delta_chi2(experiment, grid(model, coupling=g_all[:, None], mass_MeV=masses[None, :]),
                   chi2=chi2, n_threads=n_threads)
    threshold = float(stats.chi2.ppf(level, 1))
    out = np.full(masses.size, np.nan)
    for j in range(masses.size):
        above = np.nonzero(d[:, j] > threshold)[0]
        if above.size == 0:
            continue
        i = int(above[0])
        if i == 0:
            out[j] = g_all[0]
            continue
        lo, hi = g_all[i - 1], g_all[i]
        f = (threshold - d[i - 1, j]) / (d[i, j] - d[i - 1, j])
        if lo > 0:
            out[j] = float(np.exp(np.log(lo) + f * (np.log(hi) - np.log(lo))))
        else:
            out[j] = float(lo + f * (hi - lo))
    return out
