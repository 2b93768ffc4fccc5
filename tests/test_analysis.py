"""coherency.analysis: ξ → α, intervals, p-values and bounds (docs/physics.md §7)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from coherency import analysis, coherence
from coherency.analysis import BinCounts, Measurement, alpha_theory
from coherency.targets import Nucleus, target

XE = Nucleus(Z=54, N=78)
EPS = 0.045  # Sharma & Wong's epsilon
# Pure arithmetic on a handful of numbers: agreement to a few ulps of O(1) values.
TIGHT = 1e-12


def _m(xi, err, **kw):
    q2 = np.linspace(1e3, 4e3, np.size(xi))
    return Measurement(q2, xi, err, XE, epsilon=EPS, **kw)


def test_alpha_is_linear_in_xi_and_matches_coherence():
    xi = np.array([-0.4, 0.0, 0.3, 1.0, 1.7])
    m = _m(xi, 0.2)
    np.testing.assert_allclose(m.alpha, coherence.alpha_from_xi(xi, XE, epsilon=EPS),
                               rtol=0, atol=TIGHT)
    xd = coherence.xi_decoherent(XE, epsilon=EPS)
    np.testing.assert_allclose(m.alpha_err, 0.2 / (1 - xd), rtol=TIGHT)
    assert m.alpha[0] < 0 and m.alpha[-1] > 1  # fluctuations are kept, not clipped


@pytest.mark.parametrize("cl", [0.6827, 0.9, 0.95])
def test_interval_is_gaussian_quantile_and_clipped(cl):
    m = _m([0.5, 0.05, 0.98], [0.1, 0.1, 0.1])
    iv = m.alpha_interval(cl)
    z = stats.norm.ppf(0.5 + cl / 2)
    raw_lo, raw_hi = m.alpha - z * m.alpha_err, m.alpha + z * m.alpha_err
    np.testing.assert_allclose(iv.lo, np.clip(raw_lo, 0, 1), atol=TIGHT)
    np.testing.assert_allclose(iv.hi, np.clip(raw_hi, 0, 1), atol=TIGHT)
    assert iv.lo[1] == 0.0 and iv.hi[2] == 1.0   # clipped at the physical edges
    assert not iv.any_empty


def test_empty_allowed_region_is_reported():
    m = _m([-1.0, 2.5, 0.5], [0.1, 0.1, 0.1])
    iv = m.alpha_interval(0.6827)
    np.testing.assert_array_equal(iv.empty, [True, True, False])
    assert iv.lo[0] == iv.hi[0] == 0.0 and iv.lo[1] == iv.hi[1] == 1.0
    assert iv.any_empty
    ph = m.phi_interval(0.6827)
    np.testing.assert_array_equal(ph.empty, iv.empty)


def test_phi_interval_maps_alpha_ends():
    m = _m([0.4], [0.1])
    iv, ph = m.alpha_interval(0.9), m.phi_interval(0.9)
    assert ph.lo_rad[0] == pytest.approx(math.acos(iv.hi[0]), abs=TIGHT)
    assert ph.hi_rad[0] == pytest.approx(math.acos(iv.lo[0]), abs=TIGHT)
    assert ph.hi_half_pi[0] == pytest.approx(math.acos(iv.lo[0]) / (math.pi / 2), abs=TIGHT)


def test_p_values_against_scipy():
    xi = np.array([0.2, 0.6, 1.1])
    m = _m(xi, [0.3, 0.25, 0.2])
    a, s = m.alpha, m.alpha_err
    # auto: alpha=1 one-sided "less", alpha=0 one-sided "greater"
    np.testing.assert_allclose(m.p_value(1.0), stats.norm.cdf((a - 1) / s), rtol=TIGHT)
    np.testing.assert_allclose(m.p_value(0.0), stats.norm.sf(a / s), rtol=TIGHT)
    # interior hypothesis: two-sided by default
    np.testing.assert_allclose(m.p_value(0.5), 2 * stats.norm.sf(np.abs(a - 0.5) / s),
                               rtol=TIGHT)
    np.testing.assert_allclose(m.p_value(1.0, alternative="two-sided"),
                               np.minimum(1, 2 * stats.norm.sf(np.abs(a - 1) / s)), rtol=TIGHT)
    np.testing.assert_allclose(m.p_value(1.0, alternative="greater"),
                               stats.norm.sf((a - 1) / s), rtol=TIGHT)
    ex = m.strongest_exclusion(1.0)
    assert ex.index == 0 and ex.p_value == pytest.approx(m.p_value(1.0)[0])


@pytest.mark.parametrize("cl", [0.9, 0.95])
def test_one_sided_bounds_are_analytic(cl):
    m = _m([0.3, 0.8], [0.2, 0.2])
    z = stats.norm.ppf(cl)
    up = m.alpha_bound(cl, side="upper")
    lo = m.alpha_bound(cl, side="lower")
    np.testing.assert_allclose(up.alpha, np.clip(m.alpha + z * m.alpha_err, 0, 1), atol=TIGHT)
    np.testing.assert_allclose(lo.alpha, np.clip(m.alpha - z * m.alpha_err, 0, 1), atol=TIGHT)
    np.testing.assert_allclose(up.phi_half_pi, np.arccos(up.alpha) / (np.pi / 2), atol=TIGHT)
    # at the bound, the one-sided p-value of the bound value equals 1 - cl
    a_up = float(m.alpha[0] + z * m.alpha_err[0])
    assert stats.norm.cdf((m.alpha[0] - a_up) / m.alpha_err[0]) == pytest.approx(1 - cl)


def test_bound_flags():
    m = _m([-1.0, 0.5, 3.0], [0.1, 0.1, 0.1])
    up = m.alpha_bound(0.9, "upper")
    np.testing.assert_array_equal(up.empty, [True, False, False])
    np.testing.assert_array_equal(up.trivial, [False, False, True])
    lo = m.alpha_bound(0.9, "lower")
    np.testing.assert_array_equal(lo.empty, [False, False, True])
    np.testing.assert_array_equal(lo.trivial, [True, False, False])


def _brute_force_signed_root(n, m_bkg, tau, pred, xi_dec, a0):
    """Independent on/off profile likelihood by numerical minimisation."""
    def nll(s, b):
        mu1, mu2 = s + b, tau * b
        return mu1 - n * math.log(mu1) + mu2 - m_bkg * math.log(mu2)

    def prof(s):
        r = optimize.minimize_scalar(lambda lb: nll(s, math.exp(lb)),
                                     bounds=(-20, 10), method="bounded",
                                     options={"xatol": 1e-12})
        return r.fun

    s_hat = n - m_bkg / tau
    s0 = pred * (a0 + (1 - a0) * xi_dec)
    q = 2 * (prof(s0) - nll(s_hat, m_bkg / tau))
    a_hat = (s_hat / pred - xi_dec) / (1 - xi_dec)
    return math.copysign(math.sqrt(max(q, 0.0)), a_hat - a0)


@pytest.mark.parametrize("n,m_bkg,tau,pred", [(60, 40, 1.0, 35.0), (12, 30, 2.5, 20.0),
                                               (5, 9, 1.0, 10.0)])
def test_poisson_signed_root_against_brute_force(n, m_bkg, tau, pred):
    s = n - m_bkg / tau
    xi = s / pred
    err = math.sqrt(n + m_bkg / tau**2) / pred
    meas = _m([xi], [err], counts=BinCounts([n], [m_bkg], [tau], [pred]))
    for a0 in (0.0, 0.5, 1.0):
        z = meas.z_score(a0, method="poisson")[0]
        ref = _brute_force_signed_root(n, m_bkg, tau, pred, float(meas.xi_dec[0]), a0)
        # the brute force minimiser converges to ~1e-8 in -ln L
        assert z == pytest.approx(ref, abs=1e-4)


def test_poisson_approaches_gaussian_at_large_counts():
    n, m_bkg, pred = 40000.0, 30000.0, 10000.0
    xi = (n - m_bkg) / pred
    err = math.sqrt(n + m_bkg) / pred
    meas = _m([xi], [err], counts=BinCounts([n], [m_bkg], [1.0], [pred]))
    # relative difference of the z's is O(z sigma_xi / xi) ~ 3% here
    assert meas.p_value(0.5, method="poisson")[0] == pytest.approx(
        meas.p_value(0.5)[0], rel=0.1)


def test_poisson_bound_solves_p_value():
    n, m_bkg, pred = 30.0, 20.0, 25.0
    meas = _m([(n - m_bkg) / pred], [math.sqrt(n + m_bkg) / pred],
              counts=BinCounts([n], [m_bkg], [1.0], [pred]))
    b = meas.alpha_bound(0.9, "upper", method="poisson")
    a = float(b.alpha[0])
    assert 0 < a < 1
    assert meas.p_value(a, alternative="less", method="poisson")[0] == pytest.approx(0.1,
                                                                                    abs=1e-8)


def test_compound_xi_dec_between_components():
    csi = target("CsI")
    xd = analysis.compound_xi_decoherent(csi, epsilon=EPS)
    parts = [coherence.xi_decoherent(n, epsilon=EPS) for n, _ in csi.components]
    assert min(parts) < xd < max(parts)
    m = Measurement([2e3], [0.5], [0.2], csi, epsilon=EPS)
    assert m.xi_dec[0] == pytest.approx(xd)


def test_alpha_theory_helm():
    q2 = np.array([0.0, 1e3, 3.5e3, 2e4])
    c, lo, hi = alpha_theory(q2, XE, epsilon=EPS)
    from coherency.form_factors import helm_form_factor
    F = helm_form_factor(np.sqrt(q2), 132)
    expect = np.clip(coherence.alpha_from_xi(F**2, XE, epsilon=EPS), 0, 1)
    np.testing.assert_allclose(c, expect, atol=TIGHT)
    np.testing.assert_allclose(lo, c * 0.9, atol=TIGHT)
    np.testing.assert_allclose(hi, np.minimum(c * 1.1, 1), atol=TIGHT)
    assert c[0] == 1.0 and np.all(np.diff(c) < 0)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(q2=[-1.0], xi=[0.5], xi_err=[0.1]), ValueError, "q2"),
        (dict(q2=[1e3], xi=[np.nan], xi_err=[0.1]), ValueError, "xi"),
        (dict(q2=[1e3], xi=[0.5], xi_err=[0.0]), ValueError, "xi_err"),
        (dict(q2=[1e3, 2e3], xi=[0.5, 0.4, 0.3], xi_err=[0.1]), ValueError, "broadcast"),
        (dict(q2="a", xi=[0.5], xi_err=[0.1]), TypeError, "q2"),
    ],
)
def test_bad_measurement_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Measurement(nucleus=XE, **kwargs)


def test_bad_method_arguments():
    m = _m([0.5], [0.1])
    with pytest.raises(TypeError, match="nucleus"):
        Measurement([1e3], [0.5], [0.1], 3.0)
    with pytest.raises(ValueError, match="side"):
        m.alpha_bound(0.9, side="both")
    with pytest.raises(ValueError, match="cl"):
        m.alpha_interval(1.5)
    with pytest.raises(ValueError, match="alpha"):
        m.p_value(1.2)
    with pytest.raises(ValueError, match="alternative"):
        m.p_value(1.0, alternative="left")
    with pytest.raises(ValueError, match="counts"):
        m.p_value(1.0, method="poisson")
    with pytest.raises(TypeError, match="counts"):
        Measurement([1e3], [0.5], [0.1], XE, counts=(1, 2))
