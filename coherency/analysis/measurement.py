"""Coherency from data: bin-wise ξ(q²) → α(q²) intervals, p-values and bounds.

docs/physics.md §7 (Sharma & Wong Section 2, Fig. 2). A :class:`Measurement` holds, per q²
bin, the measured cross-section ratio ξ = measured/predicted, where the prediction is
made at complete coherency (F = 1), with its 1σ uncertainty σ_ξ. No nuclear physics is
used: the degree of coherency follows linearly from ξ (Sharma & Wong Eq. 5),

    α = (ξ − ξ_dec)/(1 − ξ_dec),    σ_α = σ_ξ/(1 − ξ_dec),

with ξ_dec = (ε²Z + N)/(εZ − N)² the value of ξ at complete decoherency. A measured ξ
may fall below 0 or above 1 through fluctuations; the estimate α̂ then lies outside
[0, 1] and is kept as it is (it is an unbiased Gaussian estimate), while intervals and
bounds on the physical parameter are clipped to [0, 1].

Statistical models
------------------
``method="gaussian"`` (default, Sharma & Wong's): α̂ ~ Normal(α, σ_α). The p-value of the
hypothesis α = α0 is computed from z = (α̂ − α0)/σ_α.

``method="poisson"``: where the counts are known (:class:`BinCounts`: n_on events in
the signal region, n_bkg events in a background control region whose exposure is
``background_ratio`` times that of the signal region, and the number of events
predicted at complete coherency), each bin is the classic on/off problem

    n_on ~ Poisson(b + s(α)),  n_bkg ~ Poisson(background_ratio · b),
    s(α) = predicted · [α + (1 − α) ξ_dec],

with the background b profiled out. The test statistic is the signed root of the
profile-likelihood ratio, z = sign(α̂ − α0) √(−2 ln λ(α0)), asymptotically Normal(0,1)
(Wilks; Cowan, Cranmer, Gross, Vitells, EPJC 71 (2011) 1554). Normalisation
uncertainties of the prediction are not part of this model.

Sidedness of p-values
---------------------
``alternative="less"``: p = P(α̂' ≤ α̂ | α0) — evidence that α < α0 (one-sided).
``alternative="greater"``: p = P(α̂' ≥ α̂ | α0) — evidence that α > α0 (one-sided).
``alternative="two-sided"``: p = 2 min(less, greater).
``alternative="auto"`` (default): α0 = 1 (complete coherency) can only be violated
downwards, so "less"; α0 = 0 (complete decoherency) only upwards, so "greater";
anything else two-sided. The one-sided choice is the one that reproduces Sharma & Wong's
numbers (see docs/coherency_from_data.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

from .. import _validation
from .._typing import FloatArray
from ..coherence import alpha_from_xi, phi_from_alpha, xi_decoherent
from ..targets import Nucleus, Target, as_nucleus, target

__all__ = [
    "AlphaBound",
    "AlphaInterval",
    "BinCounts",
    "Exclusion",
    "Measurement",
    "PhiInterval",
    "alpha_theory",
    "coherent_rate_weights",
    "compound_xi_decoherent",
    "gaussian_quantile",
]

_ALTERNATIVES = ("auto", "less", "greater", "two-sided")
_METHODS = ("gaussian", "poisson")


def gaussian_quantile(cl: float, *, two_sided: bool) -> float:
    """Standard-normal quantile for a confidence level: z with P(|Z| < z) = cl
    (``two_sided``) or P(Z < z) = cl (one-sided).

    >>> round(gaussian_quantile(0.9, two_sided=False), 4)
    1.2816
    >>> round(gaussian_quantile(0.6827, two_sided=True), 3)
    1.0
    """
    c = _validation.as_float(cl, "cl", min_value=0.0, max_value=1.0, exclusive_min=True)
    if c >= 1.0:
        raise ValueError(f"cl must be < 1; got {cl!r}")
    return float(stats.norm.ppf(0.5 * (1.0 + c) if two_sided else c))


def _as_nucleus_or_target(nucleus: Any) -> Nucleus | Target:
    if isinstance(nucleus, (Nucleus, Target)):
        return nucleus
    if isinstance(nucleus, str):
        try:
            return as_nucleus(nucleus)
        except ValueError:

            return target(nucleus)
    raise TypeError(
        f"nucleus must be a Nucleus, a Target or a name; got {type(nucleus).__name__}"
    )


def coherent_rate_weights(target: Target, epsilon: float | None = None
                          ) -> list[tuple[Nucleus, float]]:
    """Each nucleus of a target with its (unnormalised) share of the event rate at
    complete coherency, w_k = x_k (εZ_k − N_k)² (x_k its number fraction; Γ at F = 1,
    Sharma & Wong Table 1). The weights neglect the mass dependence of the kinematics
    (Cs and I differ by 5 % in mass).

    >>> from coherency.targets import target
    >>> [round(w, 1) for _, w in coherent_rate_weights(target("CsI"), epsilon=0.0)]
    [3042.0, 2738.0]
    """
    eps = _validation.check_epsilon(epsilon)
    return [(nuc, frac * (eps * nuc.Z - nuc.N) ** 2) for nuc, frac in target.components]


def compound_xi_decoherent(target: Nucleus | Target, epsilon: float | None = None) -> float:
    """ξ_dec of a target: for a compound, the mean of each nucleus's ξ_dec weighted
    by its share of the complete-coherency rate, w_k ∝ x_k (εZ_k − N_k)²
    (:func:`coherent_rate_weights`), a per-mille approximation of ξ_dec.
    """
    if isinstance(target, Nucleus):
        return float(xi_decoherent(target, epsilon=epsilon))
    num = 0.0
    den = 0.0
    for nuc, w in coherent_rate_weights(target, epsilon):
        num += w * float(xi_decoherent(nuc, epsilon=epsilon))
        den += w
    return num / den


@dataclass(frozen=True)
class BinCounts:
    """Event counts behind a Measurement, per bin (for the Poisson model).

    Attributes
    ----------
    on : ndarray
        Events in the signal region (beam-on coincidence window), in [0, 1e15]
        (``COUNT_MAX``; need not be integers: Asimov data).
    background : ndarray
        Events in the background control region, in [0, 1e15].
    background_ratio : ndarray
        Exposure of the control region over that of the signal region (1 for the
        COHERENT anticoincidence window, which has the same length), in
        [1e-15, 1e15].
    predicted : ndarray
        Events predicted at complete coherency (F = 1) in the signal region, in
        (0, 1e15].
    """

    on: FloatArray
    background: FloatArray
    background_ratio: FloatArray
    predicted: FloatArray

    def __post_init__(self) -> None:
        on = _validation.check_counts(self.on, "on")
        bkg = _validation.check_counts(self.background, "background")
        ratio = _validation.as_float_array(
            self.background_ratio, "background_ratio", min_value=1.0 / _validation.COUNT_MAX,
            max_value=_validation.COUNT_MAX
        )
        pred = _validation.check_counts(self.predicted, "predicted", positive=True)
        on, bkg, ratio, pred = _validation.broadcast(
            ("on", on), ("background", bkg), ("background_ratio", ratio), ("predicted", pred)
        )
        for name, arr in (("on", on), ("background", bkg), ("background_ratio", ratio),
                          ("predicted", pred)):
            arr.setflags(write=False)
            object.__setattr__(self, name, np.atleast_1d(arr))

    @property
    def signal(self) -> FloatArray:
        """Background-subtracted events, on − background/background_ratio."""
        return self.on - self.background / self.background_ratio

    @property
    def signal_err(self) -> FloatArray:
        """Poisson 1σ of :attr:`signal`: √(on + background/ratio²)."""
        return np.sqrt(self.on + self.background / self.background_ratio**2)


@dataclass(frozen=True)
class AlphaInterval:
    """Allowed range of α per bin. ``lo``/``hi`` are clipped to [0, 1]; where the
    whole unclipped interval lies outside [0, 1], ``empty`` is True and lo = hi = the
    nearest physical edge (the data disfavour every physical α at this CL)."""

    lo: FloatArray
    hi: FloatArray
    empty: npt.NDArray[np.bool_]
    estimate: FloatArray
    sigma: FloatArray
    cl: float

    @property
    def any_empty(self) -> bool:
        return bool(np.any(self.empty))


@dataclass(frozen=True)
class PhiInterval:
    """Allowed range of φ = arccos α per bin, in radians and in units of π/2."""

    lo_rad: FloatArray
    hi_rad: FloatArray
    empty: npt.NDArray[np.bool_]
    cl: float

    @property
    def lo_half_pi(self) -> FloatArray:
        return self.lo_rad / (0.5 * math.pi)

    @property
    def hi_half_pi(self) -> FloatArray:
        return self.hi_rad / (0.5 * math.pi)


@dataclass(frozen=True)
class AlphaBound:
    """One-sided bound per bin: α < alpha (side "upper") or α > alpha ("lower"),
    clipped to [0, 1]; the matching bound on φ (φ > ... or φ < ...) in units of π/2.
    ``empty`` marks bins where the bound excludes all of [0, 1]; ``trivial`` bins
    where it excludes nothing of it."""

    alpha: FloatArray
    phi_half_pi: FloatArray
    side: str
    cl: float
    empty: npt.NDArray[np.bool_]
    trivial: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Exclusion:
    """The bin giving the smallest p-value for a hypothesis α = alpha."""

    index: int
    q2: float
    p_value: float
    alpha: float


@dataclass(frozen=True)
class Measurement:
    """Bin-wise cross-section ratios ξ(q²) and what they say about α(q²).

    Parameters
    ----------
    q2 : array_like, MeV²
        Representative q² of each bin (> 0).
    xi : array_like
        Measured ξ = measured/predicted at complete coherency; any real value.
    xi_err : array_like
        1σ uncertainty of ξ (> 0).
    nucleus : Nucleus, Target or str
        Target nucleus (or compound) that sets ξ_dec; ξ_dec = 1 (¹H, at any ε) is
        refused: there ξ says nothing of α.
    epsilon : float, optional
        1 − 4 sin²θ_W; default ``constants.EPSILON_DEFAULT`` (Sharma & Wong: 0.045).
    counts : BinCounts, optional
        Counts behind ξ, for ``method="poisson"``.
    q2_lo, q2_hi : array_like, optional, MeV²
        Bin edges in q² (>= 0, q2_lo <= q2_hi bin by bin).
    xi_dec : array_like, optional
        Override of ξ_dec per bin (e.g. rate-weighted for a compound).
    label : str
        Free text (data set, choices).

    Examples
    --------
    >>> from coherency.targets import Nucleus
    >>> m = Measurement([1e3], [1.0], [0.1], Nucleus(Z=54, N=78), epsilon=0.045)
    >>> float(m.alpha[0])
    1.0
    >>> float(m.alpha_interval(0.6827).hi[0])
    1.0
    """

    q2: FloatArray
    xi: FloatArray
    xi_err: FloatArray
    nucleus: Any
    epsilon: float | None = None
    counts: BinCounts | None = None
    q2_lo: FloatArray | None = None
    q2_hi: FloatArray | None = None
    xi_dec: FloatArray | None = field(default=None)
    label: str = ""

    def __post_init__(self) -> None:
        q2 = _validation.as_float_array(self.q2, "q2", min_value=0.0, exclusive_min=True,
                                        unit="MeV^2")
        xi = _validation.as_float_array(self.xi, "xi")
        err = _validation.as_float_array(self.xi_err, "xi_err", min_value=0.0,
                                         exclusive_min=True)
        q2, xi, err = _validation.broadcast(("q2", q2), ("xi", xi), ("xi_err", err))
        if q2.ndim > 1:
            raise ValueError(f"q2, xi and xi_err must be 1-D (one entry per bin); got {q2.shape}")
        q2, xi, err = (np.atleast_1d(a) for a in (q2, xi, err))
        nuc = _as_nucleus_or_target(self.nucleus)
        eps = None if self.epsilon is None else _validation.check_epsilon(self.epsilon)
        if self.xi_dec is None:
            value = compound_xi_decoherent(nuc, epsilon=eps)
            if value == 1.0:  # the singular point of Eq. 5 (1H at any epsilon)
                name = getattr(nuc, "name", nuc)
                raise ValueError(f"nucleus: xi_dec = (eps^2 Z + N)/(eps Z - N)^2 = 1 for "
                                 f"{name}, so xi does not determine alpha = (xi - xi_dec)/"
                                 "(1 - xi_dec) (Sharma & Wong Eq. 5)")
            xd = np.full(q2.shape, value)
        else:
            xd = _validation.as_float_array(self.xi_dec, "xi_dec", min_value=0.0,
                                            max_value=1.0, exclusive_min=True)
            xd = np.broadcast_to(xd, q2.shape).astype(np.float64)
            if np.any(xd >= 1.0):
                raise ValueError("xi_dec must be < 1")
        edges = []
        for name in ("q2_lo", "q2_hi"):
            val = getattr(self, name)
            if val is not None:
                val = _validation.as_float_array(val, name, min_value=0.0, unit="MeV^2")
                if val.shape != q2.shape:
                    raise ValueError(f"{name} must have the shape of q2 {q2.shape}; "
                                     f"got {val.shape}")
                val.setflags(write=False)
            edges.append(val)
        if edges[0] is not None and edges[1] is not None:
            _validation.check_order(edges[0], edges[1], "q2_lo", "q2_hi", "MeV^2")
        if self.counts is not None:
            if not isinstance(self.counts, BinCounts):
                raise TypeError(f"counts must be a BinCounts; got {type(self.counts).__name__}")
            if self.counts.on.shape != q2.shape:
                raise ValueError(f"counts must have one entry per bin {q2.shape}; "
                                 f"got {self.counts.on.shape}")
        if not isinstance(self.label, str):
            raise TypeError(f"label must be a str; got {type(self.label).__name__}")
        for a in (q2, xi, err, xd):
            a.setflags(write=False)
        object.__setattr__(self, "q2", q2)
        object.__setattr__(self, "xi", xi)
        object.__setattr__(self, "xi_err", err)
        object.__setattr__(self, "nucleus", nuc)
        object.__setattr__(self, "epsilon", eps)
        object.__setattr__(self, "xi_dec", xd)
        object.__setattr__(self, "q2_lo", edges[0])
        object.__setattr__(self, "q2_hi", edges[1])

    # --- point estimates -------------------------------------------------------
    def __len__(self) -> int:
        return int(self.q2.size)

    @property
    def alpha(self) -> FloatArray:
        """Unclipped estimate α̂ = (ξ − ξ_dec)/(1 − ξ_dec) per bin (Sharma & Wong Eq. 5)."""
        assert self.xi_dec is not None
        return (self.xi - self.xi_dec) / (1.0 - self.xi_dec)

    @property
    def alpha_err(self) -> FloatArray:
        """σ_α = σ_ξ/(1 − ξ_dec)."""
        assert self.xi_dec is not None
        return self.xi_err / (1.0 - self.xi_dec)

    def _xi_of_alpha(self, alpha: FloatArray) -> FloatArray:
        assert self.xi_dec is not None
        return alpha + (1.0 - alpha) * self.xi_dec

    # --- intervals and bounds ----------------------------------------------------
    def alpha_interval(self, cl: float = 0.6827) -> AlphaInterval:
        """Central (two-sided) Gaussian interval α̂ ± z σ_α, z = Φ⁻¹((1 + cl)/2),
        intersected with the physical range [0, 1].

        Where the unclipped interval lies entirely below 0 or above 1, the physical
        allowed region is empty at this CL: ``empty`` is True and lo = hi is set to
        the nearest edge (0 or 1).
        """
        z = gaussian_quantile(cl, two_sided=True)
        a, s = self.alpha, self.alpha_err
        lo_raw, hi_raw = a - z * s, a + z * s
        empty = (hi_raw < 0.0) | (lo_raw > 1.0)
        lo = np.clip(lo_raw, 0.0, 1.0)
        hi = np.clip(hi_raw, 0.0, 1.0)
        return AlphaInterval(lo=lo, hi=hi, empty=empty, estimate=a.copy(), sigma=s.copy(),
                             cl=float(cl))

    def phi_interval(self, cl: float = 0.6827) -> PhiInterval:
        """The allowed α range mapped to φ = arccos α ∈ [0, π/2] (α_hi ↦ φ_lo)."""
        iv = self.alpha_interval(cl)
        return PhiInterval(
            lo_rad=np.asarray(phi_from_alpha(iv.hi), dtype=np.float64),
            hi_rad=np.asarray(phi_from_alpha(iv.lo), dtype=np.float64),
            empty=iv.empty,
            cl=iv.cl,
        )

    def alpha_bound(self, cl: float = 0.9, side: str = "upper",
                    method: str = "gaussian") -> AlphaBound:
        """One-sided bound on α per bin, and the matching bound on φ in units of π/2.

        ``side="upper"``: α < α̂ + z σ_α (⇔ φ > arccos of it);
        ``side="lower"``: α > α̂ − z σ_α (⇔ φ < arccos of it); z = Φ⁻¹(cl).
        With ``method="poisson"`` the bound solves p(α) = 1 − cl for the one-sided
        profile-likelihood p-value instead. Bounds are clipped to [0, 1].
        """
        side = _validation.check_choice(side, "side", ("upper", "lower"))
        method = _validation.check_choice(method, "method", _METHODS)
        z = gaussian_quantile(cl, two_sided=False)
        if method == "gaussian":
            raw = self.alpha + (z if side == "upper" else -z) * self.alpha_err
        else:
            raw = self._poisson_bound(z, side)
        if side == "upper":
            empty, trivial = raw < 0.0, raw >= 1.0
        else:
            empty, trivial = raw > 1.0, raw <= 0.0
        bound = np.clip(raw, 0.0, 1.0)
        phi = np.asarray(phi_from_alpha(bound), dtype=np.float64) / (0.5 * math.pi)
        return AlphaBound(alpha=bound, phi_half_pi=np.atleast_1d(phi), side=side,
                          cl=float(cl), empty=empty, trivial=trivial)

    # --- hypothesis tests --------------------------------------------------------
    def z_score(self, alpha: float, method: str = "gaussian") -> FloatArray:
        """Signed deviation of each bin from the hypothesis α = ``alpha``:
        (α̂ − α)/σ_α (Gaussian) or the signed root of −2 ln λ (Poisson)."""
        a0 = _validation.as_float(alpha, "alpha", min_value=0.0, max_value=1.0)
        method = _validation.check_choice(method, "method", _METHODS)
        if method == "gaussian":
            return (self.alpha - a0) / self.alpha_err
        return self._poisson_signed_root(a0)

    def p_value(self, alpha: float, alternative: str = "auto",
                method: str = "gaussian") -> FloatArray:
        """Per-bin p-value of the hypothesis α = ``alpha`` (1: complete coherency,
        0: complete decoherency). See the module docstring for ``alternative``
        ("auto": one-sided away from the physical edge) and ``method``.

        >>> from coherency.targets import Nucleus
        >>> m = Measurement([1e3], [0.0], [0.5], Nucleus(Z=54, N=78), epsilon=0.045)
        >>> p = m.p_value(1.0)   # one-sided: z = (alpha_hat - 1)/sigma_alpha = -2.0
        >>> 0.02 < float(p[0]) < 0.03
        True
        """
        a0 = _validation.as_float(alpha, "alpha", min_value=0.0, max_value=1.0)
        alternative = _validation.check_choice(alternative, "alternative", _ALTERNATIVES)
        if alternative == "auto":
            alternative = "less" if a0 == 1.0 else "greater" if a0 == 0.0 else "two-sided"
        z = self.z_score(a0, method=method)
        if alternative == "less":
            return np.asarray(stats.norm.cdf(z), dtype=np.float64)
        if alternative == "greater":
            return np.asarray(stats.norm.sf(z), dtype=np.float64)
        return np.asarray(np.minimum(1.0, 2.0 * stats.norm.sf(np.abs(z))), dtype=np.float64)

    def strongest_exclusion(self, alpha: float, alternative: str = "auto",
                            method: str = "gaussian") -> Exclusion:
        """The bin with the smallest p-value for α = ``alpha`` (a local p-value:
        no correction for having looked at several bins)."""
        p = self.p_value(alpha, alternative=alternative, method=method)
        i = int(np.argmin(p))
        return Exclusion(index=i, q2=float(self.q2[i]), p_value=float(p[i]),
                         alpha=float(alpha))

    # --- Poisson model ---------------------------------------------------------------
    def _require_counts(self) -> BinCounts:
        if self.counts is None:
            raise ValueError("method='poisson' needs the counts behind xi (counts=BinCounts)")
        return self.counts

    @staticmethod
    def _profiled_background(s: FloatArray, c: BinCounts) -> FloatArray:
        """The background b that maximises L(s, b) for signal s (array over bins)."""
        n, m, tau = c.on, c.background, c.background_ratio
        one_tau = 1.0 + tau
        bq = one_tau * s - n - m
        disc = np.sqrt(bq * bq + 4.0 * one_tau * m * np.maximum(s, 0.0))
        b = (-bq + disc) / (2.0 * one_tau)
        return np.asarray(np.where(m > 0, np.maximum(b, 1e-300), np.maximum(b, 0.0)),
                          dtype=np.float64)

    def _poisson_signed_root(self, a0: float) -> FloatArray:
        c = self._require_counts()
        s0 = c.predicted * self._xi_of_alpha(np.full(c.on.shape, a0))
        s_hat = c.on - c.background / c.background_ratio   # unconstrained MLE of s
        # The unconstrained maximum has mu_on = n and mu_off = m (s_hat + b_hat = n >= 0
        # with b_hat = m/tau), so -2 ln lambda is the sum of the two counts' deviances,
        # computed without the cancellation of two log-likelihoods of size n ln n
        # (which cost z ~0.1 at 1e12 counts).
        b = self._profiled_background(s0, c)
        q = np.maximum(_deviance(c.on, s0 + b)
                       + _deviance(c.background, c.background_ratio * b), 0.0)
        assert self.xi_dec is not None  # filled in __post_init__
        a_hat = (s_hat / c.predicted - self.xi_dec) / (1.0 - self.xi_dec)
        return np.sign(a_hat - a0) * np.sqrt(q)

    def _poisson_bound(self, z: float, side: str) -> FloatArray:
        out = np.empty(self.q2.shape)
        target = -z if side == "upper" else z
        for i in range(self.q2.size):
            sub = self._bin(i)

            def f(a: float, sub: Measurement = sub) -> float:
                return float(sub._poisson_signed_root(a)[0]) - target

            lo, hi = -50.0, 50.0
            if f(lo) * f(hi) > 0:
                out[i] = np.nan
                continue
            out[i] = optimize.brentq(f, lo, hi, xtol=1e-10)
        return out

    def _bin(self, i: int) -> Measurement:
        c = self.counts
        sub_counts = None if c is None else BinCounts(
            c.on[i:i + 1], c.background[i:i + 1], c.background_ratio[i:i + 1],
            c.predicted[i:i + 1])
        assert self.xi_dec is not None
        return Measurement(self.q2[i:i + 1], self.xi[i:i + 1], self.xi_err[i:i + 1],
                           self.nucleus, epsilon=self.epsilon, counts=sub_counts,
                           xi_dec=self.xi_dec[i:i + 1], label=self.label)


def _deviance(n: FloatArray, mu: FloatArray) -> FloatArray:
    """2 [mu - n + n ln(n/mu)], the Poisson deviance of counts n at mean mu (2 mu for
    n = 0), with ln(n/mu) as log1p((n - mu)/mu): accurate to ~eps/|n/mu - 1| relative
    for counts up to COUNT_MAX."""
    mu_pos = np.maximum(mu, 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = 2.0 * (mu_pos - n + n * np.log1p((n - mu_pos) / mu_pos))
    return np.asarray(np.where(n > 0, dev, 2.0 * mu_pos), dtype=np.float64)


def alpha_theory(
    q2: npt.ArrayLike,
    nucleus: Any,
    form_factor: Any = None,
    rel_unc: float = 0.10,
    epsilon: float | None = None,
) -> tuple[FloatArray | float, FloatArray | float, FloatArray | float]:
    """Theory band α(q²) from a form factor, with a relative 1σ uncertainty.

    Parameters
    ----------
    q2 : array_like, MeV²
    nucleus : Nucleus or name
    form_factor : FormFactor, optional
        Default: Helm with Sharma & Wong's parameters (s = 0.5 fm, R = 1.2 A^(1/3) fm),
        F_Z = F_N = F_A so that ξ = F_A² (Sharma & Wong Eq. 7).
    rel_unc : float
        Relative 1σ uncertainty of α (Sharma & Wong Fig. 2: 10%).
    epsilon : float, optional

    Returns
    -------
    (central, lo, hi)
        α from Eqs. 5-6 (clipped to [0, 1]), and central·(1 ∓ rel_unc) clipped to
        [0, 1].

    >>> c, lo, hi = alpha_theory(0.0, "Xe132")
    >>> (c, lo, hi)
    (1.0, 0.9, 1.0)
    """
    from ..form_factors import Helm, form_factor_model

    q2a = _validation.as_float_array(q2, "q2", min_value=0.0, unit="MeV^2")
    r = _validation.as_float(rel_unc, "rel_unc", min_value=0.0)
    nuc = as_nucleus(nucleus)
    ff = Helm() if form_factor is None else form_factor_model(form_factor)
    F = np.asarray(ff(np.sqrt(q2a), nuc.A), dtype=np.float64)
    xi = F * F
    central = np.clip(np.asarray(alpha_from_xi(xi, nuc, epsilon=epsilon), dtype=np.float64),
                      0.0, 1.0)
    lo = np.clip(central * (1.0 - r), 0.0, 1.0)
    hi = np.clip(central * (1.0 + r), 0.0, 1.0)
    shape = q2a.shape
    return (_validation.restore_shape(central.reshape(-1), shape),
            _validation.restore_shape(lo.reshape(-1), shape),
            _validation.restore_shape(hi.reshape(-1), shape))
