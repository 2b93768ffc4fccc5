"""Arrival times of pulsed sources (coherency.timing, docs/physics.md §10)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from coherency.sources import timing as tm


def _conv_reference(t: float, mu: float, sigma: float, taus: tuple[float, ...]) -> float:
    """Gaussian (x) Exp(tau_1) (x) ... by direct quadrature of the convolution (no
    closed form): the density of t_pulse + sum of exponential delays."""
    if len(taus) == 1:
        (tau,) = taus
        f = lambda s: stats.norm.pdf(t - s, mu, sigma) * math.exp(-s / tau) / tau  # noqa: E731
        return integrate.quad(f, 0, math.inf, epsabs=0, epsrel=1e-12, limit=400,
                              points=None)[0]
    t1, t2 = taus
    # hypoexponential density of the sum of the two delays, then the Gaussian
    h = lambda s: (math.exp(-s / t2) - math.exp(-s / t1)) / (t2 - t1)  # noqa: E731
    f = lambda s: stats.norm.pdf(t - s, mu, sigma) * h(s)  # noqa: E731
    lo, hi = max(0.0, t - mu - 12 * sigma), max(0.0, t - mu + 12 * sigma)
    return integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-12, limit=400)[0]


@pytest.mark.parametrize("t", [-0.2, 0.3, 0.44, 0.5, 0.7, 1.0, 3.0, 10.0])
def test_pdf_is_the_convolution(t: float) -> None:
    g = tm.GaussianPulse(0.44, 0.15)
    p = _conv_reference(t, 0.44, 0.15, (tm.PION_LIFETIME_US,))
    d = _conv_reference(t, 0.44, 0.15, (tm.PION_LIFETIME_US, tm.MUON_LIFETIME_US))
    assert g.pdf("prompt", t) == pytest.approx(p, rel=1e-9, abs=1e-300)
    assert g.pdf("delayed", t) == pytest.approx(d, rel=1e-8, abs=1e-300)


def test_normalisation_and_flavours() -> None:
    g = tm.GaussianPulse(0.3, 0.2)
    for comp in tm.COMPONENTS:
        tot = integrate.quad(lambda t, c=comp: g.pdf(c, t), -5, 200, points=[0.3, 1, 5],
                             limit=500, epsabs=0, epsrel=1e-12)[0]
        assert tot == pytest.approx(1.0, rel=1e-10)
    assert g.fraction("numu", (0, 6)) == g.fraction("prompt", (0, 6))
    assert g.fraction("nue", (0, 6)) == g.fraction("numubar", (0, 6)) == g.fraction(
        "delayed", (0, 6))


def test_fractions_against_closed_forms() -> None:
    mu, sg, tau = 0.44, 0.15, tm.PION_LIFETIME_US
    g = tm.GaussianPulse(mu, sg)

    def cdf_prompt(t: float) -> float:  # exponentially modified Gaussian CDF
        x = t - mu
        return (stats.norm.cdf(x / sg)
                - math.exp(0.5 * (sg / tau) ** 2 - x / tau) * stats.norm.cdf(x / sg - sg / tau))

    for lo, hi in [(-0.1, 4.9), (0.0, 0.5), (0.4, 0.6), (0.5, 6.0)]:
        assert g.fraction("prompt", (lo, hi)) == pytest.approx(
            cdf_prompt(hi) - cdf_prompt(lo), abs=1e-10)
    # instantaneous pulse at 0: delayed CDF of two exponentials in closed form
    g0 = tm.GaussianPulse(0.0, 0.0)
    tp, tmu = tm.PION_LIFETIME_US, tm.MUON_LIFETIME_US
    cdf = lambda t: 1 - (tmu * math.exp(-t / tmu) - tp * math.exp(-t / tp)) / (tmu - tp)  # noqa: E731
    assert g0.fraction("delayed", (0.0, 6.0)) == pytest.approx(cdf(6.0), abs=1e-10)


def test_efficiency_weighting() -> None:
    # CsI 2021 timing efficiency: 1 below 0.52 us, then exp(-0.0494/us (t - 0.52 us))
    eff = lambda t: np.where(t < 0.52, 1.0, np.exp(-0.0494 * (t - 0.52)))  # noqa: E731
    g = tm.GaussianPulse(0.36, 0.16)
    f_eff = g.fraction("delayed", (0.0, 6.0), eff)
    f_raw = g.fraction("delayed", (0.0, 6.0))
    assert 0.8 * f_raw < f_eff < f_raw
    ref = integrate.quad(lambda t: g.pdf("delayed", t) * float(eff(np.array(t))), 0.0, 6.0,
                         points=[0.36, 0.52], limit=400, epsabs=0, epsrel=1e-11)[0]
    assert f_eff == pytest.approx(ref, rel=1e-9)


def test_coherent_ar_2020_window() -> None:
    # Ar release: POT pulse mean 440 ns, sigma 150 ns; time bins -0.1 .. 4.9 us
    g = tm.GaussianPulse(0.44, 0.15)
    assert g.fraction("prompt", (-0.1, 4.9)) > 0.9998
    assert g.fraction("delayed", (-0.1, 4.9)) == pytest.approx(0.8668, abs=1e-4)


def test_binned_csi_2017() -> None:
    b = tm.BinnedTiming.coherent_csi_2017()
    assert b.edges_us[0] == 0.0 and b.edges_us[-1] == 12.0
    assert b.fraction("prompt", (0, 12)) == pytest.approx(1.0, abs=1e-12)
    assert b.fraction("delayed", (0, 12)) == pytest.approx(1.0, abs=1e-12)
    # half of one bin counts half
    half = b.fraction("delayed", (0.0, 0.25))
    assert half == pytest.approx(0.5 * b.delayed[0], rel=1e-12)
    assert b.fraction("delayed", (0, 6)) < 1.0
    assert b.fraction("delayed", (0, 6), lambda t: 0.5 * np.ones_like(t)) == pytest.approx(
        0.5 * b.fraction("delayed", (0, 6)), rel=1e-12)


def test_bad_input() -> None:
    g = tm.GaussianPulse()
    with pytest.raises(ValueError, match="window"):
        g.fraction("prompt", (1.0, 0.5))
    with pytest.raises(TypeError, match="window"):
        g.fraction("prompt", 3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="component"):
        g.fraction("sideways", (0, 1))
    with pytest.raises(ValueError, match="efficiency"):
        g.fraction("prompt", (0, 1), lambda t: 1.5 * np.ones_like(t))
    with pytest.raises(TypeError, match="efficiency"):
        g.fraction("prompt", (0, 1), 0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sigma_us"):
        tm.GaussianPulse(0.0, -0.1)
    with pytest.raises(ValueError, match="tau_mu_us"):
        tm.GaussianPulse(tau_pi_us=1.0, tau_mu_us=0.5)
    with pytest.raises(ValueError, match="edges_us"):
        tm.BinnedTiming([0, 1, 1], [1, 1], [1, 1])
    with pytest.raises(ValueError, match="prompt"):
        tm.BinnedTiming([0, 1, 2], [-1, 1], [1, 1])
    with pytest.raises(ValueError, match="delayed"):
        tm.BinnedTiming([0, 1, 2], [1, 1], [0, 0])
