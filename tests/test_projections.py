"""Projections of the α-sensitivity (coherency.projections) and Sharma & Wong's claims.

Independent references: event counts from coherency.event_rate called directly, the
Gaussian widths written out from the statistical model, the Poisson deviance in closed
form, the Lindhard formula typed in from Lewin & Smith. Experiments are built once per
module (their rates are cached) so the file stays fast on both backends.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import coherency as coh
from coherency import projections as P

Z90 = stats.norm.ppf(0.9)


# The report's experiments, built once per process with their rates cached.
@pytest.fixture(scope="module")
def reactor() -> P.Experiment:
    return P.default_experiments()[0]


@pytest.fixture(scope="module")
def solar() -> P.Experiment:
    return P.default_experiments()[1]


@pytest.fixture(scope="module")
def atm_high() -> P.Experiment:
    return P.default_experiments()[4]


# ---------------------------------------------------------------- inputs

def test_lindhard_formula_and_threshold() -> None:
    T = 1e-3   # 1 keVnr on Ge
    eps = 11.5 * 32 ** (-7 / 3) * 1.0
    g = 3 * eps**0.15 + 0.7 * eps**0.6 + eps
    assert P.lindhard_quenching(T, 32, 0.16) == pytest.approx(0.16 * g / (1 + 0.16 * g),
                                                              rel=1e-14)
    exp = P.reactor_germanium()
    T_nr = exp.threshold_nr
    # T_ee = Y(T_nr) T_nr must give back the 170 eVee threshold
    assert P.lindhard_quenching(T_nr, 32, 0.16) * T_nr == pytest.approx(0.17e-3, rel=1e-10)
    assert 0.9e-3 < T_nr < 1.1e-3        # ~1 keVnr, the CONUS+ regime


def test_counts_match_event_rate(backend: str) -> None:
    """Per-bin counts are event_rate over the bin's recoil window, per kg yr."""
    exp = P.reactor_germanium(bins="window")
    r = exp.unit_rates()
    a, b = exp.bin_edges_T()[0]
    yr = P.SECONDS_PER_YEAR
    for key, ff in (("coherent", "unity"), ("helm", "helm")):
        ref = coh.event_rate(exp.source, "Ge", 1.0, yr, T_min=a, T_max=b, form_factor=ff)
        assert r[key][0] == pytest.approx(ref, rel=1e-12)
    # window = threshold .. kinematic end point: nothing above it
    assert coh.event_rate(exp.source, "Ge", 1.0, yr, T_min=b) == 0.0
    # background: flat 10 /(kg d keVee) times the ee width of the window
    width_keV = (P.lindhard_quenching(b, 32, 0.16) * b - 0.17e-3) * 1e3
    assert r["background"][0] == pytest.approx(10.0 * 365.25 * width_keV, rel=1e-9)
    # the mean q2 lies inside the bin
    assert r["q2_lo"][0] < r["q2"][0] < r["q2_hi"][0]


def test_fwhm_bin_is_q2_fwhm(reactor: P.Experiment) -> None:
    lo, hi = coh.q2_fwhm(reactor.source, "Ge", T_min=reactor.threshold_nr,
                         n_grid=P.FWHM_GRID)
    r = reactor.unit_rates()
    # the bin is a recoil window (q2 = 2 M T with the mean mass M): its lower edge is
    # the threshold when q2_fwhm starts at the lightest isotope's threshold q2
    M = reactor.mean_mass
    assert r["q2_hi"][0] == pytest.approx(hi, rel=1e-12)
    assert r["q2_lo"][0] == pytest.approx(max(lo, 2 * M * reactor.threshold_nr), rel=1e-12)


# ---------------------------------------------------------------- statistics

def test_gaussian_model_written_out(reactor: P.Experiment) -> None:
    p = reactor.project(10.0)
    r = reactor.unit_rates()
    N, S, B = 10 * r["coherent"][0], 10 * r["helm"][0], 10 * r["background"][0]
    tau, sf = P.CONUS_PLUS_OFF_ON_RATIO, P.REACTOR_FLUX_UNC
    xi = S / N
    sig_xi = math.sqrt((S + B + B / tau) / N**2 + (sf * xi) ** 2)
    xd = coh.analysis.compound_xi_decoherent(coh.target("Ge"))
    assert p.xi_dec == pytest.approx(xd, rel=1e-14)
    sig_a = sig_xi / (1 - xd)
    a = (xi - xd) / (1 - xd)
    assert p.sigma_alpha[0] == pytest.approx(sig_a, rel=1e-12)
    assert p.alpha_expected[0] == pytest.approx(a, rel=1e-12)
    assert p.alpha_lower[0] == pytest.approx(a - Z90 * sig_a, rel=1e-12)
    assert p.p_alpha1[0] == pytest.approx(stats.norm.cdf((a - 1) / sig_a), rel=1e-10)
    assert p.p_alpha0[0] == pytest.approx(stats.norm.sf(a / sig_a), rel=1e-10)
    # counts scale linearly with exposure
    assert reactor.project(20.0).n_helm[0] == pytest.approx(2 * S, rel=1e-14)


def test_poisson_matches_closed_form_without_nuisances() -> None:
    """No systematics, no background: q(α0) = 2[μ0 − n + n ln(n/μ0)] on Asimov n."""
    exp = P.Experiment("test", coh.sources.Solar(components=("8B",)), "Xe", 1e-3,
                       bins="window", exposure_unit="t yr")
    p = exp.project(0.05, method="poisson")
    r = exp.unit_rates()
    N, n = 0.05 * r["coherent"][0], 0.05 * r["helm"][0]
    xd = p.xi_dec
    for a0, pv in ((1.0, p.p_alpha1[0]), (0.0, p.p_alpha0[0])):
        mu0 = N * (a0 + (1 - a0) * xd)
        z = math.sqrt(2 * (mu0 - n + n * math.log(n / mu0)))
        ref = stats.norm.sf(z)     # both one-sided tails away from the truth
        assert pv == pytest.approx(ref, rel=1e-6)


def test_poisson_agrees_with_gaussian_at_large_counts(reactor: P.Experiment) -> None:
    g = reactor.project(100.0)
    q = reactor.project(100.0, method="poisson")
    # ~2e4 events: Wald and likelihood widths agree to well below 1 %
    assert q.sigma_alpha[0] == pytest.approx(g.sigma_alpha[0], rel=5e-3)
    assert q.alpha_lower[0] == pytest.approx(g.alpha_lower[0], abs=2e-3)


def test_scan_monotone_and_crossing(reactor: P.Experiment) -> None:
    s = P.scan_exposure(reactor, np.geomspace(0.3, 3e3, 9))
    assert s.sigma_alpha.shape == (9, 1)
    assert np.all(np.diff(s.sigma_alpha[:, 0]) < 0)
    assert np.all(np.diff(s.alpha_lower[:, 0]) > 0)
    e = s.exposure_for("alpha_lower", 0.9)
    assert reactor.project(e).alpha_lower[0] == pytest.approx(0.9, abs=5e-3)


def test_bad_input(reactor: P.Experiment) -> None:
    with pytest.raises(ValueError, match="exposure"):
        reactor.project(0.0)
    with pytest.raises(ValueError, match="method"):
        reactor.project(1.0, method="bayes")
    with pytest.raises(ValueError, match="bins"):
        P.reactor_germanium(bins=((200.0, 100.0),))
    with pytest.raises(ValueError, match="flux_unc"):
        P.reactor_germanium(flux_unc=-0.1)
    with pytest.raises(TypeError, match="source"):
        P.Experiment("x", "reactor", "Ge", 1e-3)
    with pytest.raises(ValueError, match="threshold"):
        P.Experiment("x", coh.sources.Solar(components=("8B",)), "Xe", 1.0).bin_edges_T()


# ---------------------------------------------------------------- Sharma & Wong's claims

def test_reactor_claim_alpha_above_095(reactor: P.Experiment) -> None:
    """Sharma & Wong: reactor ν on Ge "can probe the mostly complete (α > 95 %) coherency region".
    Sharma & Wong gives no exposure or CL. What holds: the Helm expectation in the FWHM q²
    bin is α ≈ 0.98 > 0.95 (F ≈ 1 at q² ≈ 140 MeV²), and complete decoherency is
    excluded at > 5σ from ~1.3 kg·yr. A 90 % CL bound α > 0.95 needs the flux
    normalisation known to better than ~2 %: with 2.4 % (Daya Bay) the bound tends to
    0.9817 − 1.2816·0.024·ξ/(1 − ξ_dec) = 0.9505 only as exposure → ∞ (about
    2e3 kg·yr); with 1 % it is reached at ~1e2 kg·yr. See docs/projections.md."""
    p10 = reactor.project(10.0)
    assert 0.95 < p10.alpha_expected[0] < 0.99
    assert p10.alpha_theory[0] == pytest.approx(p10.alpha_expected[0], abs=2e-3)
    assert p10.z_alpha0[0] > 5.0
    assert p10.z_alpha1[0] < 1.0       # coherent regime: α = 1 cannot be excluded
    assert reactor.project(100.0).alpha_lower[0] < 0.95
    # the systematics floor of the lower bound, written out
    floor = p10.alpha_expected[0] - Z90 * P.REACTOR_FLUX_UNC * p10.xi_expected[0] / (
        1 - p10.xi_dec)
    assert reactor.project(1e6).alpha_lower[0] == pytest.approx(floor, abs=2e-4)
    assert 0.95 < floor < 0.952
    better = P.reactor_germanium(flux_unc=0.01)
    assert better.project(150.0).alpha_lower[0] > 0.95


def test_solar_claim_similar_range(solar: P.Experiment) -> None:
    """Sharma & Wong: solar 8B on multi-ton detectors probes "a similar range of α as reactor
    neutrinos". Helm expectation in the 8B FWHM bin (q² ≈ 245–305 MeV², 1 keVnr):
    α ≈ 0.95, i.e. the same nearly-coherent region. The 12 % flux normalisation limits
    σ_α to >= 0.116, so the 90 % CL lower bound saturates near 0.80."""
    p = solar.project(10.0)
    assert 0.93 < p.alpha_expected[0] < 0.97
    assert p.z_alpha0[0] > 5.0
    floor = p.alpha_expected[0] - Z90 * P.B8_FLUX_UNC * p.xi_expected[0] / (1 - p.xi_dec)
    assert solar.project(1e6).alpha_lower[0] == pytest.approx(floor, abs=1e-3)
    assert 0.79 < floor < 0.81


def test_atmospheric_claim_high_q2(atm_high: P.Experiment) -> None:
    """Sharma & Wong: "Xenon detectors with scale O(100) ton would be required to probe the
    weakly coherent region at α < 0.2 with atmospheric neutrinos." In the 30–100 keVnr
    bin (q² = 7.3e3–2.45e4 MeV²) the Helm expectation is α ≈ 0.03; with 100 t·yr
    (0.7 events expected, 15 at complete coherency) the Poisson projection excludes
    α = 1 at ~4σ and bounds α < 0.2 at 90 % CL; 10 t·yr does neither."""
    p100 = atm_high.project(100.0, method="poisson")
    assert p100.alpha_expected[0] < 0.2
    assert p100.alpha_theory[0] < 0.2
    assert p100.n_helm[0] < 1.0 < 10.0 < p100.n_coherent[0]
    assert p100.z_alpha1[0] > 3.0
    assert p100.alpha_upper[0] < 0.2
    p10 = atm_high.project(10.0, method="poisson")
    assert p10.z_alpha1[0] < 2.0 and p10.alpha_upper[0] > 0.2


def test_atmospheric_fwhm_bin_is_not_weakly_coherent() -> None:
    """With the threshold applied the Helm event distribution peaks at threshold: the
    FWHM bin (q² ≈ 1.2e3–3.6e3 MeV²) has α ≈ 0.5–0.8, not < 0.2 — the claim needs the
    high-q² bin above (docs/projections.md)."""
    p = P.default_experiments()[3].project(100.0, method="poisson")
    assert 0.4 < p.alpha_expected[0] < 0.9
    assert p.q2_hi[0] < P.ATMOSPHERIC_HIGH_Q2_BIN[0]


# ---------------------------------------------------------------- report helpers

def test_reactor_alpha_band() -> None:
    b = P.reactor_alpha_band(n_bins=3)
    assert b.q2.shape == (3,)
    assert np.all(np.diff(b.q2) > 0)
    assert np.all((b.alpha_lo <= b.alpha_expected) & (b.alpha_expected <= b.alpha_hi))
    assert np.all(b.theory_lo <= b.theory)
    # the lowest-q2 bin has the most events: the tightest band
    width = b.alpha_hi - b.alpha_lo
    assert width[0] == width.min()
    assert set(b.to_dict()) >= {"q2", "alpha_lo", "alpha_hi", "theory"}


def test_default_projections_to_dict() -> None:
    ps = P.default_projections()
    assert len(ps) == 5
    d = ps[0].to_dict()
    assert d["exposure_unit"] == "kg yr" and isinstance(d["alpha_lower"], list)
    assert ps[4].method == "poisson" and ps[4].exposure_unit == "t yr"
