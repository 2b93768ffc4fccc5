"""Statistics of the likelihood layer: global p-values, Feldman-Cousins intervals,
coverage, and the coherency analysis with the full likelihood. Pseudo-experiments are
kept few: each test checks a property that a wrong construction would break by far
more than the toys' spread."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from coherency import experiments
from coherency.inference import (
    BinnedLikelihood,
    Parameter,
    coherency_fit,
    coverage,
    feldman_cousins,
)
from coherency.inference.coherency_fit import min_p_global


def _on_off(n: float, b: float, sigma_b: float) -> BinnedLikelihood:
    return BinnedLikelihood(
        [Parameter("s", 1.0, (0.0, 1000.0)), Parameter("b", b, (0.0, 100.0), sigma=sigma_b)],
        {"on": [n]}, lambda v, obs: {"on": np.array([v["s"] + v["b"]])}, poi="s")


def test_global_p_value_of_independent_bins_is_sidak() -> None:
    p, K, n = 0.01, 5, 40000
    g = min_p_global(p, np.eye(K), side=1.0, n_toys=n, seed=3)
    sidak = 1.0 - (1.0 - p) ** K
    assert g == pytest.approx(sidak, abs=4 * np.sqrt(sidak * (1 - sidak) / n))
    # fully correlated bins: no trial factor
    g1 = min_p_global(p, np.full((K, K), 1.0) + 1e-9 * np.eye(K), side=-1.0, n_toys=n, seed=4)
    assert g1 == pytest.approx(p, abs=4 * np.sqrt(p / n) + 1e-3)
    # reproducible by seed, wherever the pseudo-experiments run
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        assert g == min_p_global(p, np.eye(K), side=1.0, n_toys=n, seed=3, executor=pool)


def test_feldman_cousins_at_the_boundary_and_far_from_it() -> None:
    lk = _on_off(2.0, 3.0, 0.3)   # fewer events than the background: s fits to 0
    fc = feldman_cousins(lk, "s", [0.0, 40.0], n_toys=120, seed=1)
    # at s = 0 half the pseudo-experiments fit s = 0 (t = 0): the 68 % quantile falls
    # far below Wilks' 1 (a chi^2 with one degree of freedom cut in half)
    assert fc.critical[0] < 0.6
    # far from the boundary the statistic is chi^2(1): its 68 % quantile is ~1
    assert fc.critical[1] == pytest.approx(1.0, abs=0.45)
    assert fc.accepted[0] and not fc.accepted[1]
    assert fc.interval[0] == 0.0


def test_wilks_coverage_of_a_large_count() -> None:
    lk = _on_off(110.0, 10.0, 1.0)
    frac, err, n = coverage(lk, "s", {"s": 100.0, "b": 10.0}, n_toys=150, seed=5)
    assert n == 150
    assert abs(frac - 0.6827) < 4 * np.sqrt(0.6827 * 0.3173 / n)


def test_coherency_of_ar_2020_with_the_full_likelihood() -> None:
    exp = experiments.load("coherent-ar-2020")
    res = coherency_fit(exp, q2_edges=[0.0, 2000.0, 12000.0], n_toys=2000, seed=1)
    assert res.valid, res.messages
    assert len(res.bins) == 2
    from coherency.coherence import xi_decoherent
    from coherency.couplings import couplings
    from coherency.targets import nucleus

    # xi_dec of argon with the package's couplings: between the nu_e and nu_mu values
    ar = nucleus("Ar40")
    lims = sorted(xi_decoherent(ar, epsilon=couplings(f, "pdg").epsilon) for f in ("e", "mu"))
    for b in res.bins:
        assert lims[0] - 0.002 <= b.xi_dec <= lims[1] + 0.002
        lo, hi = b.xi_interval
        assert lo <= b.xi <= hi
        # alpha = (xi - xi_dec)/(1 - xi_dec) (Sharma & Wong Eq. 5)
        assert b.alpha == pytest.approx((b.xi - b.xi_dec) / (1 - b.xi_dec), rel=1e-12)
        assert 0.0 <= b.alpha_lower_90 <= b.alpha_upper_90 <= 1.0
        assert 0.0 < b.p_coherent < 1.0 and 0.0 < b.p_decoherent < 1.0
        # the Standard-Model form factors suppress more at higher q^2
        assert 0.0 < b.xi_sm < 1.0
    assert res.bins[0].xi_sm > res.bins[1].xi_sm
    assert res.bins[0].q2_lo <= res.bins[0].q2_mean <= res.bins[0].q2_hi
    # the global p-value of the smallest local one is at least that local one
    assert res.global_p_coherent >= res.p_min_coherent - 0.01
    # consistency with the data: the fitted total is the measured one (159 events
    # with the release's signal; the preset's softer prompt recoils give fewer)
    total = sum(b.xi * b.predicted_coherent for b in res.bins)
    assert 90.0 < total < 200.0


def test_local_p_values_follow_the_profile() -> None:
    """p(coherency) of a bin is Phi(z) with z the signed root of the profile rise at
    xi = 1."""
    exp = experiments.load("coherent-ar-2020")
    res = coherency_fit(exp, q2_edges=[0.0, 12000.0], n_toys=100, seed=2)
    b = res.bins[0]
    d = exp.profile("xi_0", [1.0], q2_edges=[0.0, 12000.0])
    z = np.copysign(np.sqrt(d[0]), b.xi - 1.0)
    assert b.p_coherent == pytest.approx(stats.norm.cdf(z), abs=2e-3)
