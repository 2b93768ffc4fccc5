"""Projected α-sensitivity of future CEvNS experiments (Sharma & Wong Section 2).

A projection answers: with an exposure E (kg·yr or t·yr), how well does an experiment
measure the degree of coherency α(q²) in a q² bin, and can it exclude complete
coherency (α = 1) or complete decoherency (α = 0)? Every assumption is a field of
:class:`Experiment`; :meth:`Experiment.project` and :func:`scan_exposure` give the
answer. Three presets follow Sharma & Wong's claims
(:mod:`coherency.analysis.projection_presets`): a CONUS+-like reactor Ge experiment
(``reactor_germanium``), solar ⁸B on multi-ton xenon (``solar_xenon``) and atmospheric
ν on 100 t xenon (``atmospheric_xenon``). The likelihood of ``method="poisson"`` is in
:mod:`coherency.analysis._asimov`.

Statistical model
-----------------
Per q² bin i (a recoil window [T_lo, T_hi] with q² = 2 M̄ T, M̄ the number-weighted
mean nuclear mass of the target):

* N_coh,i: events expected at complete coherency (F = 1), from
  :func:`coherency.event_rate`; N_Helm,i: the same with the Helm form factor (Sharma & Wong
  parameters) — the physical expectation and the "true" hypothesis of the projection.
* Under a hypothesis α (constant across the bin) the expected signal is exactly
  s_i(α) = N_coh,i · [α + (1 − α) ξ_dec] because Γ_QM is linear in α (Sharma & Wong Eqs. 3–5);
  ξ_dec is that of the target (rate-weighted over its isotopes,
  :func:`coherency.analysis.compound_xi_decoherent`).
* The measured quantity is ξ̂_i = (n_i − b̂_i)/N_coh,i with n_i the observed events and
  b̂_i the estimated background. Its expectation under Helm is
  ξ_i = N_Helm,i/N_coh,i, giving the expected α_i = (ξ_i − ξ_dec)/(1 − ξ_dec).
* Background: a flat differential rate (counts per kg per day per keV on the
  experiment's energy scale, keVee or keVnr), b_i = rate × exposure × bin width. It is
  either known up to a relative normalisation uncertainty ``background_unc`` or measured
  in a background-only control sample (reactor off) whose exposure is
  ``background_control_ratio`` times the signal exposure, or both.
* Systematics: the flux normalisation (relative 1σ ``flux_unc``) scales N_coh and so
  every ξ̂ by a common factor.

``method="gaussian"`` (default; Sharma & Wong's and :class:`~coherency.analysis.Measurement`'s
model): ξ̂_i ~ Normal(ξ_i, σ_ξ,i) with

    σ_ξ,i² = [(N_Helm,i + b_i) + b_i/τ + (σ_b b_i)²] / N_coh,i² + (σ_f ξ_i)²,

(the b_i/τ term only with a control sample of ratio τ), evaluated at the true (Helm)
point. The projection is the Asimov measurement ξ̂ = ξ (Cowan, Cranmer, Gross, Vitells,
EPJC 71 (2011) 1554): a :class:`~coherency.analysis.Measurement` whose α-interval,
one-sided bounds and p-values are the *median* expected ones.

``method="poisson"``: the Asimov data set n_i = N_Helm,i + b_i (control m_i = τ b_i) is
fitted with the Poisson likelihood, the flux factor (1 + δ), the background factor
(1 + β) (Gaussian constraints σ_f, σ_b) and, with a control sample, the background
itself profiled out. q(α0) = −2 ln λ(α0); Z = sign(α_true − α0)√q. p-values are
one-sided (α = 1 can only be violated downwards, α = 0 upwards, as in
:meth:`Measurement.p_value`); bounds solve Z(α) = ±Φ⁻¹(cl); σ_α is half the width of the
Z = ±1 interval. Use it where counts are small (atmospheric ν).

Bins are analysed one at a time (α is a function of q², as in Sharma & Wong's Fig. 2); the
flux uncertainty enters every bin in full. Detector response: a sharp threshold, 100 %
efficiency above it, no energy resolution; for keVee thresholds the Lindhard model
converts nuclear-recoil energies.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from .. import _validation
from .._typing import FloatArray
from ..constants import DAYS_PER_YEAR, SECONDS_PER_YEAR
from ..detector.quenching import lindhard_qf_MeV, nr_from_ee_MeV
from ..experiments import conus_plus
from ..kinematics import T_max
from ..rates import event_rate, q2_fwhm
from ..sources import SourceLike
from ..targets import Target, as_target
from ._asimov import PoissonBin, gaussian_sigma_xi
from .measurement import Measurement, alpha_theory, compound_xi_decoherent, gaussian_quantile

__all__ = [
    "FWHM_GRID",
    "GE_LINDHARD_K",
    "SECONDS_PER_YEAR",
    "Experiment",
    "Projection",
    "ProjectionScan",
    "lindhard_quenching",
    "scan_exposure",
]

_EXPOSURE_UNITS = {"kg yr": 1.0, "t yr": 1000.0}
#: Largest exposure of a projection (in its ``exposure_unit``): 1e12 kg yr or t yr,
#: with every count still far inside the float range.
EXPOSURE_MAX = 1.0e12
_METHODS = ("gaussian", "poisson")
#: Grid of :func:`coherency.q2_fwhm` for the "fwhm" bins (it locates the maximum and
#: brackets the half-maximum crossings, which brentq then refines).
FWHM_GRID = 800
#: Lindhard k of germanium for keVee thresholds: the rounded 0.16 common in reactor-Ge
#: projections (measured: 0.162 +- 0.004; :mod:`coherency.experiments.conus_plus`).
GE_LINDHARD_K = conus_plus.LINDHARD_K


def lindhard_quenching(T: npt.ArrayLike, Z: int, k: float = GE_LINDHARD_K
                       ) -> FloatArray | float:
    """Lindhard quenching factor Y(T) = k g(ε)/(1 + k g(ε)) at the recoil energy T (MeV);
    T_ee = Y T. :func:`coherency.detector.lindhard_qf_MeV` with Ge's rounded k.

    Examples
    --------
    >>> 0.15 < lindhard_quenching(1e-3, 32, 0.16) < 0.25
    True
    """
    return lindhard_qf_MeV(T, Z, k=k, name="T")


def _to_ee(T_nr: FloatArray, Z: int, k: float) -> FloatArray:
    return np.asarray(lindhard_qf_MeV(T_nr, Z, k=k), dtype=np.float64) * T_nr


@dataclass(frozen=True)
class Experiment:
    """A CEvNS experiment for an α projection: source, target, threshold, bins,
    background and systematics.

    Parameters
    ----------
    name : str
        Label.
    source : coherency.sources.Source
        Neutrino source (flux per cm² per s).
    target : Target, Nucleus or str
        Detector material.
    threshold : float, MeV
        Recoil threshold on ``energy_scale`` (nuclear recoil, or electron equivalent),
        in [0, 1e4] MeV.
    energy_scale : {"nr", "ee"}
        Scale of ``threshold`` and of the background rate. "ee" uses the Lindhard
        quenching with ``lindhard_k`` and the target's (first) Z.
    lindhard_k : float
        Lindhard k for ``energy_scale="ee"``.
    bins : "fwhm", "window" or sequence of (q2_lo, q2_hi) in MeV²
        "fwhm": one bin, the q² range where the Helm event distribution exceeds half its
        maximum (:func:`coherency.q2_fwhm`, threshold applied; docs/physics.md §6);
        "window": one bin from threshold to the kinematic end point; or explicit q²
        ranges (mapped to recoil energy with q² = 2 M̄ T).
    flux_unc : float
        Relative 1σ uncertainty of the flux normalisation (>= 0).
    background_per_kg_day_keV : float
        Flat background, counts per kg per day per keV on ``energy_scale`` (>= 0).
    background_unc : float
        Relative 1σ uncertainty of the background normalisation (>= 0).
    background_control_ratio : float or None
        Exposure of a background-only sample (e.g. reactor off) over the signal
        exposure; None: no control sample.
    exposure_unit : {"kg yr", "t yr"}
        Unit in which exposures are given and reported.
    epsilon : float, optional
        1 − 4 sin²θ_W (default: constants.EPSILON_DEFAULT).
    assumptions : str
        Free text stating the choices (shown in reports).
    """

    name: str
    source: Any
    target: Any
    threshold: float
    energy_scale: str = "nr"
    lindhard_k: float = GE_LINDHARD_K
    bins: Any = "fwhm"
    flux_unc: float = 0.0
    background_per_kg_day_keV: float = 0.0
    background_unc: float = 0.0
    background_control_ratio: float | None = None
    exposure_unit: str = "kg yr"
    epsilon: float | None = None
    assumptions: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False,
                                   compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str; got {type(self.name).__name__}")
        if not isinstance(self.source, SourceLike):
            raise TypeError("source must be a coherency.sources.Source (SourceLike); got "
                            f"{type(self.source).__name__}")
        object.__setattr__(self, "target", as_target(self.target))
        object.__setattr__(self, "energy_scale", _validation.check_choice(
            self.energy_scale, "energy_scale", ("nr", "ee")))
        object.__setattr__(self, "threshold", _validation.check_recoil_scalar(
            self.threshold, "threshold"))
        object.__setattr__(self, "lindhard_k", _validation.as_float(
            self.lindhard_k, "lindhard_k", min_value=0.0, exclusive_min=True))
        for name in ("flux_unc", "background_per_kg_day_keV", "background_unc"):
            object.__setattr__(self, name, _validation.as_float(
                getattr(self, name), name, min_value=0.0))
        if self.background_control_ratio is not None:
            object.__setattr__(self, "background_control_ratio", _validation.as_float(
                self.background_control_ratio, "background_control_ratio",
                min_value=0.0, exclusive_min=True))
        object.__setattr__(self, "exposure_unit", _validation.check_choice(
            self.exposure_unit, "exposure_unit", tuple(_EXPOSURE_UNITS)))
        if self.epsilon is not None:
            object.__setattr__(self, "epsilon", _validation.check_epsilon(self.epsilon))
        if isinstance(self.bins, str):
            _validation.check_choice(self.bins, "bins", ("fwhm", "window"))
        else:
            b = _validation.as_float_array(self.bins, "bins", min_value=0.0, unit="MeV^2")
            if b.ndim != 2 or b.shape[1] != 2 or b.shape[0] == 0:
                raise ValueError("bins must be 'fwhm', 'window' or a sequence of "
                                 f"(q2_lo, q2_hi) pairs in MeV^2; got shape {b.shape}")
            if np.any(b[:, 1] <= b[:, 0]):
                i = int(np.argmax(b[:, 1] <= b[:, 0]))
                raise ValueError(f"bins must have q2_hi > q2_lo; got {tuple(b[i])} at "
                                 f"index {i}")
            object.__setattr__(self, "bins", tuple((float(lo), float(hi)) for lo, hi in b))
        if not isinstance(self.assumptions, str):
            raise TypeError("assumptions must be a str")

    # --- derived quantities ---------------------------------------------------------
    @property
    def target_(self) -> Target:
        return self.target  # type: ignore[no-any-return]

    @property
    def mean_mass(self) -> float:
        """Number-weighted mean nuclear mass M̄ (MeV) used for q² = 2 M̄ T."""
        return float(sum(f * n.mass for n, f in self.target_.components))

    @property
    def _Z(self) -> int:
        return int(self.target_.components[0][0].Z)

    @property
    def threshold_nr(self) -> float:
        """Threshold as nuclear-recoil energy (MeV)."""
        if self.energy_scale == "nr":
            return float(self.threshold)
        Z, k = self._Z, self.lindhard_k
        return nr_from_ee_MeV(float(self.threshold), lambda t: _to_ee(np.array([t]), Z, k)[0])

    @property
    def xi_dec(self) -> float:
        """ξ at complete decoherency of the target (rate-weighted over isotopes)."""
        return compound_xi_decoherent(self.target_, epsilon=self.epsilon)

    @property
    def T_end_point(self) -> float:
        """Largest nuclear-recoil energy (MeV) the source gives on the target: the
        kinematic T_max at the source's E_max, on the lightest nucleus."""
        E = float(self.source.E_max)
        return max(float(T_max(E, n)) for n, _ in self.target_.components)

    def bin_edges_T(self) -> FloatArray:
        """Recoil windows (n_bins, 2) in nuclear-recoil MeV, clipped to the threshold
        and the kinematic end point."""
        if "T_edges" in self._cache:
            return self._cache["T_edges"]  # type: ignore[no-any-return]
        T_thr, T_top = self.threshold_nr, self.T_end_point
        if not T_top > T_thr:
            raise ValueError(f"threshold = {self.threshold:g} MeV is above every recoil "
                             f"this source can give (T_max = {T_top:g} MeV)")
        M = self.mean_mass
        if self.bins == "fwhm":
            lo, hi = q2_fwhm(self.source, self.target_, T_min=T_thr, epsilon=self.epsilon,
                             n_grid=FWHM_GRID)
            edges = np.array([[lo / (2 * M), hi / (2 * M)]])
        elif self.bins == "window":
            edges = np.array([[T_thr, T_top]])
        else:
            edges = np.array(self.bins, dtype=np.float64) / (2.0 * M)
        edges = np.clip(edges, T_thr, T_top)
        if np.any(edges[:, 1] <= edges[:, 0]):
            i = int(np.argmax(edges[:, 1] <= edges[:, 0]))
            raise ValueError(f"bins: q2 range {tuple(2 * M * edges[i])} MeV^2 (index {i}) "
                             "has no recoils between threshold and end point")
        edges.setflags(write=False)
        self._cache["T_edges"] = edges
        return edges

    def unit_rates(self) -> dict[str, FloatArray]:
        """Expected counts per bin for an exposure of one ``exposure_unit``:
        ``coherent`` (F = 1), ``helm``, ``background``; and the Helm-event-weighted mean
        ``q2`` (MeV²) with the bin edges ``q2_lo``, ``q2_hi``."""
        if "rates" in self._cache:
            return self._cache["rates"]  # type: ignore[no-any-return]
        edges = self.bin_edges_T()
        mass_kg = _EXPOSURE_UNITS[self.exposure_unit]
        coh, helm, mean_T = (np.empty(len(edges)) for _ in range(3))
        for i, (a, b) in enumerate(edges):
            lo_T, hi_T = float(a), float(b)

            def count(ff: str, eff: Any = None, lo_T: float = lo_T,
                      hi_T: float = hi_T) -> float:
                return event_rate(self.source, self.target_, mass_kg, SECONDS_PER_YEAR,
                                  T_min=lo_T, T_max=hi_T, efficiency=eff, form_factor=ff,
                                  epsilon=self.epsilon)

            coh[i] = count("unity")
            helm[i] = count("helm")
            # <T> = integral T dN/dT / N: T/b in [0, 1] passed as an "efficiency"
            tw = count("helm", lambda T, hi_T=hi_T: T / hi_T)
            mean_T[i] = b * tw / helm[i] if helm[i] > 0 else 0.5 * (a + b)
        if self.energy_scale == "ee":
            width_keV = np.diff(_to_ee(edges.reshape(-1), self._Z, self.lindhard_k)
                                .reshape(-1, 2), axis=1)[:, 0] * 1e3
        else:
            width_keV = (edges[:, 1] - edges[:, 0]) * 1e3
        bkg = self.background_per_kg_day_keV * mass_kg * DAYS_PER_YEAR * width_keV
        M = self.mean_mass
        out = {"coherent": coh, "helm": helm, "background": bkg, "q2": 2 * M * mean_T,
               "q2_lo": 2 * M * edges[:, 0], "q2_hi": 2 * M * edges[:, 1]}
        for v in out.values():
            v.setflags(write=False)
        self._cache["rates"] = out
        return out

    def project(self, exposure: float, method: str = "gaussian",
                cl: float = 0.9) -> Projection:
        """The projection at one exposure (in ``exposure_unit``); see the module
        docstring for the statistical models."""
        return _project(self, exposure, method, cl)


# ------------------------------------------------------------------ results

@dataclass(frozen=True)
class Projection:
    """Projected α-sensitivity of one experiment at one exposure; arrays over q² bins.

    Attributes
    ----------
    name, exposure, exposure_unit, method, cl
        What was projected and how (``cl`` of the one-sided bounds).
    q2, q2_lo, q2_hi : ndarray, MeV²
        Helm-event-weighted mean q² and the bin's range.
    n_coherent, n_helm, n_background : ndarray
        Expected counts at complete coherency (F = 1), with Helm, and of background.
    xi_dec : float
        ξ at complete decoherency for the target.
    xi_expected, alpha_expected : ndarray
        ξ = n_helm/n_coherent and α from it (the Helm expectation, Eq. 5).
    alpha_theory : ndarray
        Helm α at the mean q² (``analysis.alpha_theory``), for comparison.
    sigma_xi, sigma_alpha : ndarray
        1σ widths of ξ̂ and α̂ (statistics and systematics).
    alpha_lower, alpha_upper : ndarray
        Median expected one-sided bounds at ``cl``: α > alpha_lower, α < alpha_upper
        (clipped to [0, 1]).
    p_alpha1, p_alpha0 : ndarray
        Median expected one-sided p-values of α = 1 and α = 0.
    z_alpha1, z_alpha0 : ndarray
        The same as Gaussian significances Φ⁻¹(1 − p).
    """

    name: str
    exposure: float
    exposure_unit: str
    method: str
    cl: float
    q2: FloatArray
    q2_lo: FloatArray
    q2_hi: FloatArray
    n_coherent: FloatArray
    n_helm: FloatArray
    n_background: FloatArray
    xi_dec: float
    xi_expected: FloatArray
    alpha_expected: FloatArray
    alpha_theory: FloatArray
    sigma_xi: FloatArray
    sigma_alpha: FloatArray
    alpha_lower: FloatArray
    alpha_upper: FloatArray
    p_alpha1: FloatArray
    p_alpha0: FloatArray
    z_alpha1: FloatArray
    z_alpha0: FloatArray

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dict (lists and floats), e.g. for JSON reports."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            out[k] = v.tolist() if isinstance(v, np.ndarray) else v
        return out


@dataclass(frozen=True)
class ProjectionScan:
    """Projections over an exposure array: every array field of :class:`Projection`
    stacked to shape (n_exposures, n_bins)."""

    name: str
    exposure: FloatArray
    exposure_unit: str
    method: str
    cl: float
    projections: tuple[Projection, ...]

    def __getattr__(self, item: str) -> FloatArray:
        if item.startswith("_") or item in ("projections",):
            raise AttributeError(item)
        try:
            vals = [getattr(p, item) for p in self.projections]
        except AttributeError:
            raise AttributeError(item) from None
        return np.array(vals, dtype=np.float64)

    def exposure_for(self, quantity: str, value: float, bin: int = 0) -> float:
        """Smallest scanned exposure at which ``quantity`` (e.g. "alpha_lower",
        "z_alpha1") reaches ``value`` (crossing interpolated in log exposure); NaN if
        never reached. Quantities that fall with exposure (p-values, sigma, upper
        bounds) are compared as <= value, the others as >= value."""
        y = getattr(self, quantity)[:, bin]
        falling = quantity.startswith(("p_", "sigma", "alpha_upper"))
        ok = y <= value if falling else y >= value
        if not ok.any():
            return float("nan")
        j = int(np.argmax(ok))
        if j == 0:
            return float(self.exposure[0])
        x0, x1 = np.log(self.exposure[j - 1]), np.log(self.exposure[j])
        y0, y1 = y[j - 1], y[j]
        t = 0.0 if y1 == y0 else (value - y0) / (y1 - y0)
        return float(np.exp(x0 + t * (x1 - x0)))


def _project(exp: Experiment, exposure: Any, method: str, cl: float) -> Projection:
    E = _validation.as_float(exposure, "exposure", min_value=0.0, exclusive_min=True,
                             max_value=EXPOSURE_MAX, unit=exp.exposure_unit)
    method = _validation.check_choice(method, "method", _METHODS)
    z_cl = gaussian_quantile(cl, two_sided=False)
    r = exp.unit_rates()
    n_coh, n_helm, bkg = r["coherent"] * E, r["helm"] * E, r["background"] * E
    if np.any(n_coh <= 0):
        raise ValueError(f"{exp.name}: a bin has no expected events")
    xi_dec = exp.xi_dec
    xi = n_helm / n_coh
    a_exp = (xi - xi_dec) / (1.0 - xi_dec)
    a_th = np.atleast_1d(np.asarray(alpha_theory(r["q2"], exp.target_.components[0][0],
                                                 epsilon=exp.epsilon)[0], dtype=np.float64))
    sig_xi = gaussian_sigma_xi(n_coh, n_helm, bkg, exp)
    if method == "gaussian":
        m = Measurement(r["q2"], xi, sig_xi, exp.target_, epsilon=exp.epsilon,
                        xi_dec=np.full(xi.shape, xi_dec), label=exp.name)
        sig_a = np.asarray(m.alpha_err, dtype=np.float64)
        lower = m.alpha_bound(cl, "lower").alpha
        upper = m.alpha_bound(cl, "upper").alpha
        p1 = m.p_value(1.0)
        p0 = m.p_value(0.0)
    else:
        nb = xi.size
        sig_a, lower, upper, p1, p0 = (np.empty(nb) for _ in range(5))
        for i in range(nb):
            pb = PoissonBin(float(n_coh[i]), float(n_helm[i]), float(bkg[i]), xi_dec, exp)
            floor = pb.alpha_floor()
            up_lim = pb.alpha_true + 20.0 * (1.0 + float(sig_xi[i]) / (1.0 - xi_dec))
            a_hi = pb.solve(1.0, "upper", up_lim)
            a_lo = pb.solve(1.0, "lower", floor)
            sig_a[i] = 0.5 * (a_hi - a_lo) if a_lo > floor else a_hi - pb.alpha_true
            lower[i] = pb.solve(z_cl, "lower", 0.0) if pb.alpha_true > 0 else 0.0
            upper[i] = pb.solve(z_cl, "upper", 1.0) if pb.alpha_true < 1 else 1.0
            # one-sided as Measurement.p_value: alpha = 1 is violated downwards
            # (p = Phi(Z)), alpha = 0 upwards (p = 1 - Phi(Z))
            p1[i] = stats.norm.cdf(pb.z(1.0))
            p0[i] = stats.norm.sf(pb.z(0.0))
        sig_xi = sig_a * (1.0 - xi_dec)
    p1 = np.asarray(p1, dtype=np.float64)
    p0 = np.asarray(p0, dtype=np.float64)
    return Projection(
        name=exp.name, exposure=E, exposure_unit=exp.exposure_unit, method=method,
        cl=float(cl), q2=r["q2"].copy(), q2_lo=r["q2_lo"].copy(), q2_hi=r["q2_hi"].copy(),
        n_coherent=n_coh, n_helm=n_helm, n_background=bkg, xi_dec=float(xi_dec),
        xi_expected=xi, alpha_expected=a_exp, alpha_theory=a_th,
        sigma_xi=np.asarray(sig_xi, dtype=np.float64), sigma_alpha=sig_a,
        alpha_lower=np.asarray(lower, dtype=np.float64),
        alpha_upper=np.asarray(upper, dtype=np.float64),
        p_alpha1=p1, p_alpha0=p0,
        z_alpha1=np.asarray(stats.norm.isf(p1), dtype=np.float64),
        z_alpha0=np.asarray(stats.norm.isf(p0), dtype=np.float64),
    )


def scan_exposure(experiment: Experiment, exposures: npt.ArrayLike,
                  method: str = "gaussian", cl: float = 0.9) -> ProjectionScan:
    """Projections of ``experiment`` over an array of exposures (in its
    ``exposure_unit``, > 0). The rates are computed once and scaled.

    Examples
    --------
    >>> from coherency.analysis.projection_presets import reactor_germanium
    >>> s = scan_exposure(reactor_germanium(), [1.0, 100.0])
    >>> bool(s.sigma_alpha[1, 0] < s.sigma_alpha[0, 0])
    True
    """
    if not isinstance(experiment, Experiment):
        raise TypeError(f"experiment must be an Experiment; got {type(experiment).__name__}")
    ex = _validation.as_float_array(exposures, "exposures", min_value=0.0,
                                    exclusive_min=True, max_value=EXPOSURE_MAX,
                                    unit=experiment.exposure_unit)
    ex = np.atleast_1d(ex).reshape(-1)
    projs = tuple(experiment.project(float(e), method=method, cl=cl) for e in ex)
    return ProjectionScan(name=experiment.name, exposure=ex,
                          exposure_unit=experiment.exposure_unit, method=method,
                          cl=float(cl), projections=projs)
