"""Time structure of pulsed neutrino sources (docs/physics.md §10).

At a spallation source (pion decay at rest) the neutrinos arrive in two groups after
each proton pulse: prompt nu_mu from pi+ -> mu+ nu_mu (pion lifetime tau_pi) and
delayed nu_e, anti-nu_mu from mu+ -> e+ nu_e anti-nu_mu (muon lifetime tau_mu after
the pion decay). With the protons-on-target (POT) pulse p(t), the arrival-time
densities are

    prompt(t)  = p (x) Exp(tau_pi)                                  (Eq. 10.1)
    delayed(t) = p (x) Exp(tau_pi) (x) Exp(tau_mu)                  (Eq. 10.2)

(x) a convolution, Exp(tau)(s) = exp(-s/tau)/tau for s >= 0. For a Gaussian pulse
(mean mu, width sigma) both are closed forms in the exponentially modified Gaussian
g_tau(t) = Gaussian (x) Exp(tau):

    prompt  = g_tau_pi,    delayed = [tau_mu g_tau_mu - tau_pi g_tau_pi]/(tau_mu - tau_pi).

:class:`GaussianPulse` implements them; :class:`BinnedTiming` takes released
arrival-time histograms (e.g. the COHERENT CsI 2017 release). Both give the fraction
of each group inside a time window, weighted by a timing efficiency if one is given.
Times are in microseconds (``_us``), the unit of the experiments' releases.
Steady sources (reactors, the Sun) have no time axis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import integrate, special

from .. import _validation
from .._typing import FloatOrArray

__all__ = [
    "COMPONENTS",
    "DAR_FLAVOUR_COMPONENT",
    "MUON_LIFETIME_US",
    "PION_LIFETIME_US",
    "BinnedTiming",
    "GaussianPulse",
]

#: Charged-pion and muon lifetimes, microseconds (PDG 2024: 26.033 ns, 2196.98 ns).
PION_LIFETIME_US = 26.033e-3
MUON_LIFETIME_US = 2196.98e-3

#: Arrival groups of a decay-at-rest source.
COMPONENTS: tuple[str, ...] = ("prompt", "delayed")
#: Which group each decay-at-rest flavour belongs to.
DAR_FLAVOUR_COMPONENT = {"numu": "prompt", "nue": "delayed", "numubar": "delayed"}

Efficiency = Callable[[npt.NDArray[np.float64]], Any]


def _component(component: Any) -> str:
    if component in DAR_FLAVOUR_COMPONENT:
        return DAR_FLAVOUR_COMPONENT[component]
    return _validation.check_choice(component, "component",
                                    (*COMPONENTS, *DAR_FLAVOUR_COMPONENT))


def _window(window: Any) -> tuple[float, float]:
    try:
        lo, hi = window
    except (TypeError, ValueError):
        raise TypeError(f"window must be a pair (t_lo, t_hi) in microseconds; got "
                        f"{window!r}") from None
    lo = _validation.as_float(lo, "window[0]", unit="us")
    hi = _validation.as_float(hi, "window[1]", unit="us")
    if not hi > lo:
        raise ValueError(f"window must have t_hi > t_lo; got ({lo:g}, {hi:g}) us")
    return lo, hi


def _check_efficiency(efficiency: Efficiency | None, t: np.ndarray) -> np.ndarray:
    if efficiency is None:
        return np.ones_like(t)
    if not callable(efficiency):
        raise TypeError(f"efficiency must be a callable of the time in us; got "
                        f"{type(efficiency).__name__}")
    eff = np.asarray(efficiency(t), dtype=np.float64)
    if eff.shape != t.shape:
        try:
            eff = np.broadcast_to(eff, t.shape)
        except ValueError:
            raise ValueError(f"efficiency must return one value per time (shape "
                             f"{t.shape}); got shape {eff.shape}") from None
    if not np.all(np.isfinite(eff)) or np.any(eff < 0.0) or np.any(eff > 1.0):
        bad = np.nonzero(~(np.isfinite(eff) & (eff >= 0.0) & (eff <= 1.0)))[0][0]
        raise ValueError(f"efficiency must return values in [0, 1]; got {eff[bad]!r} at "
                         f"t = {t[bad]:g} us")
    return eff


def _exgauss(t: np.ndarray, mu: float, sigma: float, tau: float) -> np.ndarray:
    """Gaussian(mu, sigma) (x) Exp(tau), normalised, per us; stable for tau << sigma."""
    x = t - mu
    if sigma == 0.0:
        return np.where(x >= 0.0, np.exp(-np.maximum(x, 0.0) / tau) / tau, 0.0)
    z = (sigma / tau - x / sigma) / math.sqrt(2.0)
    out = np.empty_like(x)
    pos = z >= 0.0
    # z >= 0: exp(-x^2/2 sigma^2) erfcx(z); z < 0: the direct form (no overflow there)
    out[pos] = np.exp(-0.5 * (x[pos] / sigma) ** 2) * special.erfcx(z[pos])
    xn = x[~pos]
    out[~pos] = np.exp(0.5 * (sigma / tau) ** 2 - xn / tau) * special.erfc(z[~pos])
    return out / (2.0 * tau)


@dataclass(frozen=True)
class GaussianPulse:
    """Arrival times for a Gaussian proton pulse (docs/physics.md Eqs. 10.1-10.3).

    Parameters
    ----------
    mean_us : float, us
        Centre of the POT pulse relative to the experiment's t = 0.
    sigma_us : float, us
        Gaussian width of the pulse (>= 0; 0: an instantaneous pulse).
    tau_pi_us, tau_mu_us : float, us
        Pion and muon lifetimes (defaults: PDG).

    Examples
    --------
    The COHERENT Ar 2020 release (LArParametersAnlA.yaml): mean 440 ns, sigma 150 ns.

    >>> t = GaussianPulse(0.44, 0.15)
    >>> round(t.fraction("prompt", (-0.1, 4.9)), 4), round(t.fraction("delayed", (-0.1, 4.9)), 4)
    (0.9999, 0.8668)
    """

    mean_us: float = 0.0
    sigma_us: float = 0.15
    tau_pi_us: float = PION_LIFETIME_US
    tau_mu_us: float = MUON_LIFETIME_US

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean_us", _validation.as_float(
            self.mean_us, "mean_us", min_value=-1e3, max_value=1e3, unit="us"))
        object.__setattr__(self, "sigma_us", _validation.as_float(
            self.sigma_us, "sigma_us", min_value=0.0, max_value=1e3, unit="us"))
        for name in ("tau_pi_us", "tau_mu_us"):
            object.__setattr__(self, name, _validation.as_float(
                getattr(self, name), name, min_value=0.0, exclusive_min=True,
                max_value=1e3, unit="us"))
        if not self.tau_mu_us > self.tau_pi_us:
            raise ValueError(f"tau_mu_us must be > tau_pi_us; got {self.tau_mu_us:g} <= "
                             f"{self.tau_pi_us:g} us")

    def pdf(self, component: str, t_us: npt.ArrayLike) -> FloatOrArray:
        """Arrival-time density of a group (``"prompt"``, ``"delayed"``, or a flavour
        ``"numu"``, ``"nue"``, ``"numubar"``), per us; integrates to 1 over all t."""
        comp = _component(component)
        ta = _validation.as_float_array(t_us, "t_us", unit="us")
        t = _validation.flat(ta)
        mu, sg, tp, tm = self.mean_us, self.sigma_us, self.tau_pi_us, self.tau_mu_us
        g_pi = _exgauss(t, mu, sg, tp)
        if comp == "prompt":
            out = g_pi
        else:
            out = (tm * _exgauss(t, mu, sg, tm) - tp * g_pi) / (tm - tp)
            out = np.maximum(out, 0.0)  # rounding below 0 in the far tails
        return _validation.restore_shape(out, ta.shape)

    def _breaks(self, lo: float, hi: float) -> list[float]:
        pts = [self.mean_us + k * self.sigma_us for k in (-6, -3, 0, 3, 6)]
        pts += [self.mean_us + k * self.tau_pi_us for k in (5, 20)]
        return sorted({p for p in pts if lo < p < hi})

    def fraction(self, component: str, window: Sequence[float],
                 efficiency: Efficiency | None = None) -> float:
        """Fraction of a group arriving in ``window = (t_lo, t_hi)`` us, weighted by a
        timing ``efficiency(t_us)`` in [0, 1] (None: 1): integral of eff x pdf."""
        comp = _component(component)
        lo, hi = _window(window)

        def f(t: float) -> float:
            ta = np.array([t])
            return float(np.asarray(self.pdf(comp, ta))[0] * _check_efficiency(efficiency, ta)[0])

        pts = self._breaks(lo, hi)
        val, _ = integrate.quad(f, lo, hi, points=pts or None, limit=400,
                                epsabs=1e-13, epsrel=1e-11)
        return float(min(max(val, 0.0), 1.0))


@dataclass(frozen=True, eq=False)
class BinnedTiming:
    """Arrival-time histograms per group (e.g. a data release's PDFs).

    Parameters
    ----------
    edges_us : array_like, us
        Increasing bin edges (n + 1).
    prompt, delayed : array_like
        Non-negative content per bin (n each), normalised here to sum to 1.
    label : str
        Where the histograms come from.
    """

    edges_us: npt.NDArray[np.float64]
    prompt: npt.NDArray[np.float64]
    delayed: npt.NDArray[np.float64]
    label: str = ""

    def __post_init__(self) -> None:
        e = _validation.as_float_array(self.edges_us, "edges_us", unit="us").ravel()
        if e.size < 2 or not np.all(np.diff(e) > 0):
            raise ValueError("edges_us must hold at least two increasing edges")
        for name in ("prompt", "delayed"):
            v = _validation.as_float_array(getattr(self, name), name, min_value=0.0).ravel()
            if v.size != e.size - 1:
                raise ValueError(f"{name} must have one value per bin ({e.size - 1}); got "
                                 f"{v.size}")
            if not v.sum() > 0:
                raise ValueError(f"{name} must have a positive sum")
            v = v / v.sum()
            v.setflags(write=False)
            object.__setattr__(self, name, v)
        e.setflags(write=False)
        object.__setattr__(self, "edges_us", e)

    def fraction(self, component: str, window: Sequence[float],
                 efficiency: Efficiency | None = None) -> float:
        """Fraction of a group in ``window`` (t_lo, t_hi) us, weighted by
        ``efficiency(t_us)`` averaged over each bin (16-point Gauss-Legendre); the
        content of a bin cut by the window counts in proportion to the overlap."""
        comp = _component(component)
        lo, hi = _window(window)
        w = self.prompt if comp == "prompt" else self.delayed
        a = np.maximum(self.edges_us[:-1], lo)
        b = np.minimum(self.edges_us[1:], hi)
        inside = b > a
        width = self.edges_us[1:] - self.edges_us[:-1]
        x, gw = np.polynomial.legendre.leggauss(16)
        total = 0.0
        for i in np.nonzero(inside)[0]:
            t = 0.5 * (a[i] + b[i]) + 0.5 * (b[i] - a[i]) * x
            eff = _check_efficiency(efficiency, t)
            mean_eff = 0.5 * float(np.dot(gw, eff))  # over the overlap, times its share
            total += w[i] * mean_eff * (b[i] - a[i]) / width[i]
        return float(total)

    @classmethod
    def coherent_csi_2017(cls) -> BinnedTiming:
        """The arrival-time PDFs of prompt and delayed neutrinos of the COHERENT CsI 2017
        release (arXiv:1804.09459; 0.5-us bins from 0 to 12 us)."""
        from ..data import release_dir

        folder = release_dir("coherent_csi_2017")
        p = np.loadtxt(folder / "arrivalTimePDF_promptNeutrinos.txt", delimiter=",")
        d = np.loadtxt(folder / "arrivalTimePDF_delayedNeutrinos.txt", delimiter=",")
        if not np.array_equal(p[:, 0], d[:, 0]):
            raise ValueError("the prompt and delayed PDFs of the release have different bins")
        centres = p[:, 0]
        half = 0.5 * (centres[1] - centres[0])
        edges = np.append(centres - half, centres[-1] + half)
        return cls(edges, p[:, 1], d[:, 1], label="COHERENT CsI 2017 release")
