"""The coherency analysis with the full likelihood: xi(q^2) per bin of true momentum
transfer with every nuisance profiled, then alpha(q^2) (docs/physics.md Eqs. (14.12),
(14.13)).

Sharma & Wong (arXiv:2010.06810) define, per q^2 bin, the measured suppression of the
cross section relative to complete coherency, xi = measured / predicted(F = 1), and
from it the degree of coherency alpha = (xi - xi_dec)/(1 - xi_dec) (Eq. (2.5));
:mod:`coherency.analysis` does this bin by bin from background-subtracted counts. Here
the same quantities come from the experiment's likelihood: the signal of the recoils
whose q^2 = 2 M T falls in bin k is Gamma(F = 1) times xi_k (Eq. (14.12)), every xi_k
is fitted at once with the detector, flux and background nuisances profiled, and

* the 1-sigma interval of xi_k is its MINOS interval (-2 ln L, every other xi and
  nuisance minimised, rises by 1);
* the one-sided 90 % bounds are the ends of the MINOS interval at 80 % (a rise of
  1.642);
* the local p-value of complete coherency in bin k is Phi(z), z = sign(xi_k - 1)
  sqrt(q), q = Delta(-2 ln L) at xi_k = 1 (one-sided: coherency can only be violated
  downwards), and that of complete decoherency Phi(-z') at xi_k = xi_dec,k;
* xi_dec,k is the rate-weighted value of the bin: the decoherent over the coherent
  template (flavours with their couplings, the nuclei of the target, the detector);
* the global p-value of the smallest local p-value among the bins (the look-elsewhere
  effect) comes from pseudo-experiments of the xi estimates drawn from their
  correlated Gaussian distribution under the null hypothesis (every bin at the null
  value, covariance from HESSE), run through :func:`coherency.scan.toys`; the Sidak
  value 1 - (1 - p)^K of independent bins is given beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from .. import _validation
from .._typing import FloatArray
from .fitting import FitResult, fit

__all__ = ["DEFAULT_Q2_EDGES", "CoherencyBin", "CoherencyFit", "coherency_fit",
           "measurement_global_p", "min_p_global"]

#: q^2 bins (MeV^2) of the coherency analysis per preset, each with tens of
#: Standard-Model events (docs/fits.md): CsI 2021 from 2000 to 6000 MeV^2 in steps of
#: 1000; Ar 2020 from 1000 to 5000.
DEFAULT_Q2_EDGES: dict[str, tuple[float, ...]] = {
    "coherent-csi-2021": (0.0, 2000.0, 3000.0, 4000.0, 5000.0, 6000.0, 12000.0),
    "coherent-ar-2020": (0.0, 1000.0, 2000.0, 3000.0, 5000.0, 12000.0),
}

_Z90 = float(stats.norm.ppf(0.9))


@dataclass(frozen=True)
class CoherencyBin:
    """One q^2 bin of :class:`CoherencyFit` (q^2 in MeV^2).

    ``xi`` is the fitted suppression, ``xi_interval`` its 1-sigma interval,
    ``xi_dec`` and ``xi_sm`` the values at complete decoherency and with the
    Standard-Model form factors; ``alpha`` = (xi - xi_dec)/(1 - xi_dec) unclipped,
    ``alpha_interval`` the 1-sigma interval clipped to [0, 1], ``alpha_upper_90`` and
    ``alpha_lower_90`` the one-sided 90 % bounds (clipped), ``phi_lower_90`` and
    ``phi_upper_90`` the matching bounds on the phase angle in units of pi/2;
    ``p_coherent`` and ``p_decoherent`` the local one-sided p-values.
    """

    q2_lo: float
    q2_hi: float
    q2_mean: float
    xi: float
    xi_interval: tuple[float, float]
    xi_dec: float
    xi_sm: float
    alpha: float
    alpha_interval: tuple[float, float]
    alpha_sm: float
    alpha_upper_90: float
    alpha_lower_90: float
    phi_lower_90: float
    phi_upper_90: float
    p_coherent: float
    p_decoherent: float
    predicted_coherent: float


@dataclass(frozen=True)
class CoherencyFit:
    """alpha(q^2) of an experiment from its likelihood (:func:`coherency_fit`).

    Attributes
    ----------
    experiment : str
    bins : tuple of CoherencyBin
    fit : FitResult
        The global fit, every xi free.
    xi_covariance : ndarray
        HESSE covariance of the xi.
    p_min_coherent, p_min_decoherent : float
        The smallest local p-values, and ``global_p_coherent``,
        ``global_p_decoherent`` the chance of so small a smallest p-value among the bins
        under the null hypothesis (pseudo-experiments), ``sidak_*`` the same for
        independent bins.
    n_toys, seed : int
        Of the global p-values.
    valid : bool
    messages : tuple of str
    """

    experiment: str
    bins: tuple[CoherencyBin, ...]
    fit: FitResult
    xi_covariance: FloatArray
    p_min_coherent: float
    global_p_coherent: float
    sidak_coherent: float
    p_min_decoherent: float
    global_p_decoherent: float
    sidak_decoherent: float
    n_toys: int
    seed: int
    valid: bool
    messages: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python data (JSON-ready): the bins as dicts of
        :class:`CoherencyBin`'s fields (intervals as pairs), the p-values, the toys'
        count and seed, ``valid``, ``messages`` and ``q2_edges`` (MeV^2)."""
        return {
            "experiment": self.experiment,
            "q2_edges_MeV2": [float(e) for e in self.options.get("q2_edges", ())],
            "bins": [{k: (list(v) if isinstance(v, tuple) else v)
                      for k, v in asdict(b).items()} for b in self.bins],
            "p_min_coherent": self.p_min_coherent,
            "global_p_coherent": self.global_p_coherent,
            "sidak_coherent": self.sidak_coherent,
            "p_min_decoherent": self.p_min_decoherent,
            "global_p_decoherent": self.global_p_decoherent,
            "sidak_decoherent": self.sidak_decoherent,
            "n_toys": self.n_toys, "seed": self.seed, "valid": self.valid,
            "messages": list(self.messages),
        }

    def table(self) -> str:
        """A text table, one row per q^2 bin."""
        head = (f"{'q2 bin (MeV^2)':>16} {'<q2>':>6} {'xi':>17} {'xi_dec':>6} {'xi_SM':>5} "
                f"{'alpha (68%)':>18} {'alpha_SM':>8} {'90% bounds':>13} {'p(coh)':>8} "
                f"{'p(dec)':>8}")
        rows = [head]
        for b in self.bins:
            lo, hi = b.xi_interval
            a_lo, a_hi = b.alpha_interval
            rows.append(
                f"{b.q2_lo:7.0f}-{b.q2_hi:<8.0f} {b.q2_mean:6.0f} {b.xi:5.2f} "
                f"[{lo:4.2f}, {hi:4.2f}] {b.xi_dec:6.3f} {b.xi_sm:5.2f} {b.alpha:5.2f} "
                f"[{a_lo:4.2f}, {a_hi:4.2f}] {b.alpha_sm:8.2f} {b.alpha_lower_90:4.2f}-"
                f"{b.alpha_upper_90:4.2f}   {b.p_coherent:8.2g} {b.p_decoherent:8.2g}")
        rows.append(f"smallest p(coherency) {self.p_min_coherent:.3g}: global "
                    f"{self.global_p_coherent:.3g} ({self.n_toys} pseudo-experiments; "
                    f"independent bins {self.sidak_coherent:.3g})")
        rows.append(f"smallest p(decoherency) {self.p_min_decoherent:.3g}: global "
                    f"{self.global_p_decoherent:.3g} (independent bins "
                    f"{self.sidak_decoherent:.3g})")
        if not self.valid:
            rows.append("FIT NOT VALID: " + "; ".join(self.messages))
        return "\n".join(rows)


def _alpha(xi: float, xi_dec: float) -> float:
    return (xi - xi_dec) / (1.0 - xi_dec)


def _clip01(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def _phi_half_pi(alpha: float) -> float:
    return math.acos(_clip01(alpha)) / (0.5 * math.pi)


def _min_p_toys(rng: np.random.Generator, n: int, chol: FloatArray, sigma: FloatArray,
                side: float) -> FloatArray:
    """Smallest local p-value of ``n`` pseudo-experiments of Gaussian estimates with
    covariance chol chol^T around the null (z_k = offset_k / sigma_k; p = Phi(side z))."""
    z = (rng.standard_normal((n, chol.shape[0])) @ chol.T) / sigma
    return np.asarray(stats.norm.cdf(side * z).min(axis=1), dtype=np.float64)


def min_p_global(p_min: float, covariance: FloatArray, *, side: float, n_toys: int,
                 seed: int, client: Any = None, executor: Any = None) -> float:
    """The global p-value of the smallest of K local one-sided p-values (docs/physics.md
    Eq. (14.13)): the fraction of pseudo-experiments of K correlated Gaussian estimates
    (``covariance``) under the null whose smallest local p-value is <= ``p_min``.
    ``side`` = +1 for p = Phi(z) (an effect below the null), -1 for p = Phi(-z).
    Pseudo-experiments run in blocks through :func:`coherency.scan.toys` (reproducible
    by ``seed``; ``client``/``executor`` as there).

    >>> round(min_p_global(0.01, np.eye(3), side=1.0, n_toys=20000, seed=1), 2)
    0.03
    """
    from .. import scan

    cov = _validation.as_float_array(covariance, "covariance")
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise ValueError(f"covariance must be a square matrix; got shape {cov.shape}")
    sigma = np.sqrt(np.diag(cov))
    chol = np.linalg.cholesky(cov + 1e-12 * np.diag(np.diag(cov)))
    mins = scan.toys(_min_p_toys, n_toys, seed, block_size=min(1000, max(1, n_toys)),
                     chunk_size=max(1000, n_toys // 8), client=client, executor=executor,
                     chol=chol, sigma=sigma, side=float(side))
    return float(np.mean(mins <= p_min)) if n_toys else math.nan


def coherency_fit(experiment: Any, q2_edges: Sequence[float] | None = None, *,
                  n_toys: int = 20000, seed: int = 2010, client: Any = None,
                  **options: Any) -> CoherencyFit:
    """alpha(q^2) of ``experiment`` from its likelihood (module notes).

    Parameters
    ----------
    experiment : Experiment
        ``coherent-csi-2021`` or ``coherent-ar-2020``.
    q2_edges : sequence of float, optional
        q^2 bin edges (MeV^2); default :data:`DEFAULT_Q2_EDGES` of the preset.
    n_toys, seed, client
        Pseudo-experiments of the global p-values (:func:`min_p_global`).
    **options
        Passed to the likelihood builder (``priors``, ``steady_state``, ...).

    Returns
    -------
    CoherencyFit
    """
    from .experiment_fit import likelihood

    edges = q2_edges if q2_edges is not None else DEFAULT_Q2_EDGES.get(experiment.name)
    if edges is None:
        raise ValueError(f"q2_edges: no default bins for {experiment.name!r}; give q2_edges")
    n_toys = _validation.check_int(n_toys, "n_toys", 0, 10**8)
    lk = likelihood(experiment, physics=("xi",), q2_edges=edges, **options)
    sig = lk.info["signal"]
    K = sig.n_q2_bins
    names = [f"xi_{k}" for k in range(K)]
    A, D, SM = sig.q2_templates()
    a_sum, d_sum, sm_sum = A.sum(axis=(1, 2)), D.sum(axis=(1, 2)), SM.sum(axis=(1, 2))
    if np.any(a_sum <= 0):
        empty = [k for k in range(K) if a_sum[k] <= 0]
        raise ValueError(f"q2_edges: bins {empty} hold no predicted signal in the observed "
                         f"bins; merge them")
    xi_dec = d_sum / a_sum
    xi_sm = sm_sum / a_sum
    best = fit(lk, minos=names)
    at90 = fit(lk, minos=names, cl=0.8, start=best.values)
    messages = list(best.messages) + [f"90 %: {m}" for m in at90.messages
                                      if "at a limit" not in m]
    valid = best.valid and at90.valid
    q2m = sig.q2_means()
    bins = []
    for k, name in enumerate(names):
        xi = best.values[name]
        lo, hi = best.interval(name)
        lo90, hi90 = at90.interval(name)
        p_val = {}
        for label, null, side in (("coh", 1.0, 1.0), ("dec", float(xi_dec[k]), -1.0)):
            r0 = fit(lk.fixed(**{name: null}), start=best.values)
            if not r0.converged:
                valid = False
                messages.extend(f"{name} = {null:g}: {m}" for m in r0.messages)
            z = math.copysign(math.sqrt(max(r0.nll - best.nll, 0.0)), xi - null)
            p_val[label] = float(stats.norm.cdf(side * z))
        xd = float(xi_dec[k])
        alpha_lo, alpha_hi = _clip01(_alpha(lo, xd)), _clip01(_alpha(hi, xd))
        a_up, a_low = _clip01(_alpha(hi90, xd)), _clip01(_alpha(lo90, xd))
        bins.append(CoherencyBin(
            q2_lo=float(edges[k]), q2_hi=float(edges[k + 1]), q2_mean=float(q2m[k]),
            xi=xi, xi_interval=(lo, hi), xi_dec=xd, xi_sm=float(xi_sm[k]),
            alpha=_alpha(xi, xd), alpha_interval=(alpha_lo, alpha_hi),
            alpha_sm=_alpha(float(xi_sm[k]), xd),
            alpha_upper_90=a_up, alpha_lower_90=a_low,
            phi_lower_90=_phi_half_pi(a_up), phi_upper_90=_phi_half_pi(a_low),
            p_coherent=p_val["coh"], p_decoherent=p_val["dec"],
            predicted_coherent=float(a_sum[k])))
    idx = [best.free.index(n) for n in names]
    cov = (best.covariance[np.ix_(idx, idx)] if best.covariance is not None
           else np.diag([best.errors[n] ** 2 for n in names]))
    p_coh = min(b.p_coherent for b in bins)
    p_dec = min(b.p_decoherent for b in bins)
    g_coh = min_p_global(p_coh, cov, side=1.0, n_toys=n_toys, seed=seed, client=client)
    g_dec = min_p_global(p_dec, cov, side=-1.0, n_toys=n_toys, seed=seed + 1, client=client)
    return CoherencyFit(
        experiment=experiment.name, bins=tuple(bins), fit=best, xi_covariance=cov,
        p_min_coherent=p_coh, global_p_coherent=g_coh,
        sidak_coherent=1.0 - (1.0 - p_coh) ** K,
        p_min_decoherent=p_dec, global_p_decoherent=g_dec,
        sidak_decoherent=1.0 - (1.0 - p_dec) ** K,
        n_toys=n_toys, seed=seed, valid=valid, messages=tuple(messages),
        options={"q2_edges": tuple(float(e) for e in edges), **options})


def measurement_global_p(measurement: Any, alpha: float = 1.0, *, n_toys: int = 20000,
                         seed: int = 2010) -> tuple[float, float]:
    """(smallest local p, global p) of the hypothesis ``alpha`` over the bins of a
    bin-wise :class:`coherency.analysis.Measurement` (Gaussian, one-sided away from the
    physical edge, as :meth:`~coherency.analysis.Measurement.p_value`): the bins are
    independent there, so the global p-value is the chance that the smallest of K
    independent local p-values is as small (docs/physics.md Eq. (14.13)).

    >>> from coherency import data
    >>> p_loc, p_glob = measurement_global_p(data.load("coherent_csi"), 1.0, n_toys=20000)
    >>> p_loc < 0.01 < p_glob
    True
    """
    alpha = _validation.as_float(alpha, "alpha", min_value=0.0, max_value=1.0)
    p = np.asarray(measurement.p_value(alpha), dtype=np.float64)
    side = 1.0 if alpha >= 0.5 else -1.0
    cov = np.eye(p.size)
    p_min = float(p.min())
    return p_min, min_p_global(p_min, cov, side=side, n_toys=n_toys, seed=seed)
