"""Coherency (Sharma & Wong Eqs. 2-6, Table 1, Fig. 1): limits, round trips, clipping, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coherency.coherence import (
    FIGURE1_SOURCES_MEV,
    alpha_from_form_factors,
    alpha_from_phi,
    alpha_from_xi,
    coherency_limits,
    figure1_data,
    gamma_data,
    gamma_np,
    gamma_qm,
    phi_from_alpha,
    xi_decoherent,
    xi_from_alpha,
)
from coherency.constants import (
    ATOMIC_MASS_UNIT_MEV,
    EPSILON_DEFAULT,
    EPSILON_SHARMA_WONG,
    HBARC_MEV_FM,
    MUON_MASS_MEV,
)
from coherency.form_factors import Helm, helm_form_factor
from coherency.kinematics import q2_max
from coherency.targets import Nucleus, nucleus, target

EPS = np.finfo(float).eps
# Each formula here is a handful of correctly rounded operations (<= 1/2 ulp each) on
# numbers of order 1 (alpha, xi) or of order (eps Z - N)^2 (Gamma). A round trip
# alpha -> xi -> alpha costs ~4 roundings, amplified by 1/|1 - xi_dec| (the slope of
# Eq. 5 inverted), so the bound is ROUND_TRIP_ULPS * eps * max(1, xi_dec)/|1 - xi_dec|.
ROUND_TRIP_ULPS = 4
# Gamma_QM(alpha) vs Gamma_DATA(xi(alpha)): ~6 roundings on each side, relative to
# the scale (eps Z - N)^2 + (eps^2 Z + N) of the two terms.
GAMMA_ULPS = 8
# arccos then cos: |d cos| <= |d phi| <= (pi/2) ulp plus the rounding of cos.
PHI_ULPS = 4

hyp = settings(max_examples=150, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])

NAMED = ["Ar40", "Ge74", "Xe132", "CsI-as-Xe", "Na23", "I127", "F19", "Si28", "W184"]


@st.composite
def any_nucleus(draw: st.DrawFn) -> Nucleus:
    """Named nuclei plus arbitrary (Z, N); the mass is irrelevant to Eqs. 2-6."""
    if draw(st.booleans()):
        return nucleus(draw(st.sampled_from([n for n in NAMED if n != "CsI-as-Xe"])))
    Z = draw(st.integers(1, 100))
    N = draw(st.integers(1, 160))
    return Nucleus(Z=Z, N=N, mass=(Z + N) * ATOMIC_MASS_UNIT_MEV)


epsilons = st.sampled_from([EPSILON_DEFAULT, EPSILON_SHARMA_WONG])


def charges(nuc: Nucleus, eps: float) -> tuple[float, float]:
    """(eps Z - N)^2 and eps^2 Z + N, written out from Sharma & Wong Table 1."""
    return (eps * nuc.Z - nuc.N) ** 2, eps**2 * nuc.Z + nuc.N


# --- Table 1 ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMED)
@pytest.mark.parametrize("eps", [EPSILON_DEFAULT, EPSILON_SHARMA_WONG, None])
def test_table1_limits(backend: str, name: str, eps: float | None) -> None:
    nuc = target(name).components[0][0]
    e = EPSILON_DEFAULT if eps is None else eps
    coh2, dec = charges(nuc, e)
    scale = coh2 + dec
    # Complete coherency: F_Z = F_N = 1 -> alpha = 1, xi = 1, Gamma = (eps Z - N)^2.
    assert alpha_from_form_factors(1.0, 1.0, name, eps) == 1.0
    assert alpha_from_form_factors(1.0, 1.0, name, eps, clip=False) == 1.0
    assert gamma_np(1.0, 1.0, name, eps) == pytest.approx(coh2, rel=2 * EPS)
    assert gamma_qm(1.0, name, eps) == pytest.approx(coh2, rel=2 * EPS)
    assert gamma_data(1.0, name, eps) == pytest.approx(coh2, rel=2 * EPS)
    assert xi_from_alpha(1.0, name, eps) == 1.0
    assert alpha_from_xi(1.0, name, eps) == 1.0
    # Complete decoherency: alpha = 0 -> xi = xi_dec, Gamma = eps^2 Z + N.
    assert xi_decoherent(name, eps) == pytest.approx(dec / coh2, rel=2 * EPS)
    assert xi_from_alpha(0.0, name, eps) == xi_decoherent(name, eps)
    assert alpha_from_xi(xi_decoherent(name, eps), name, eps) == 0.0
    assert gamma_qm(0.0, name, eps) == pytest.approx(dec, rel=2 * EPS)
    assert gamma_data(xi_decoherent(name, eps), name, eps) == pytest.approx(
        dec, abs=GAMMA_ULPS * EPS * scale)
    assert phi_from_alpha(1.0) == 0.0
    assert phi_from_alpha(0.0) == math.pi / 2

    lim = coherency_limits(name, eps)
    assert lim.nucleus == nuc and lim.epsilon == e
    c, d = lim.coherent, lim.decoherent
    assert (c.q2, c.FZ, c.FN, c.alpha, c.phi, c.xi) == (0.0, 1.0, 1.0, 1.0, 0.0, 1.0)
    assert c.gamma_np == pytest.approx(coh2, rel=2 * EPS)
    assert (d.FZ, d.FN, d.alpha, d.phi) == (None, None, 0.0, math.pi / 2)
    assert d.xi == pytest.approx(dec / coh2, rel=2 * EPS)
    assert d.gamma_np == pytest.approx(dec, rel=2 * EPS)
    # q^2 scale (pi/R)^2 with R = 1.2 A^(1/3) fm (Sharma & Wong Table 1 and Eq. 7).
    R = 1.2 * nuc.A ** (1 / 3)
    assert lim.radius_fm == pytest.approx(R, rel=2 * EPS)
    assert d.q2 == lim.q2_scale == pytest.approx((math.pi * HBARC_MEV_FM / R) ** 2,
                                                 rel=4 * EPS)
    assert lim.as_dict()["decoherent"]["alpha"] == 0.0


def test_table1_seed_xenon(backend: str) -> None:
    # Sharma & Wong Table 1 with Sharma & Wong's epsilon = 0.045 and CsI treated as Xe (Z = 54,
    # A = 132): Gamma at complete coherency (0.045*54 - 78)^2 = 75.57^2 = 5710.8249 and at
    # complete decoherency 0.045^2*54 + 78 = 78.10935 (arithmetic by hand).
    lim = coherency_limits("CsI-as-Xe", epsilon=EPSILON_SHARMA_WONG)
    assert lim.coherent.gamma_np == pytest.approx(5710.8249, rel=1e-12)
    assert lim.decoherent.gamma_np == pytest.approx(78.10935, rel=1e-12)
    # Complete decoherency sets in near q^2 = (pi/R)^2 ~ 1e4 MeV^2 for Xe, above the
    # DAR prompt line's q2_max (3.5e3 MeV^2) and below the delayed endpoint's.
    assert 3.6e3 < lim.q2_scale < 1.1e4


def test_gamma_np_general_form_factors(backend: str) -> None:
    # Eq. 2 with its square and F_Z != F_N (a neutron skin).
    eps, FZ, FN = EPSILON_SHARMA_WONG, np.array([0.9, 0.5, -0.1]), np.array([0.8, 0.4, 0.05])
    expected = (eps * 32 * FZ - 42 * FN) ** 2
    np.testing.assert_allclose(gamma_np(FZ, FN, "Ge74", eps), expected, rtol=4 * EPS)


# --- round trips (hypothesis) ---------------------------------------------------------


@hyp
@given(alpha=st.floats(0.0, 1.0), nuc=any_nucleus(), eps=epsilons)
def test_alpha_xi_round_trip(backend: str, alpha: float, nuc: Nucleus, eps: float) -> None:
    xi_dec = xi_decoherent(nuc, eps)
    tol = ROUND_TRIP_ULPS * EPS * max(1.0, xi_dec) / abs(1.0 - xi_dec)
    assert abs(alpha_from_xi(xi_from_alpha(alpha, nuc, eps), nuc, eps) - alpha) <= tol


@hyp
@given(u=st.floats(0.0, 1.0), nuc=any_nucleus(), eps=epsilons)
def test_xi_alpha_round_trip(backend: str, u: float, nuc: Nucleus, eps: float) -> None:
    xi_dec = xi_decoherent(nuc, eps)
    xi = xi_dec + u * (1.0 - xi_dec)  # a xi between the two limits of Table 1
    alpha = alpha_from_xi(xi, nuc, eps)
    assert 0.0 <= alpha <= 1.0
    assert abs(xi_from_alpha(alpha, nuc, eps) - xi) <= ROUND_TRIP_ULPS * EPS * max(1, xi_dec)


@hyp
@given(alpha=st.floats(0.0, 1.0))
def test_alpha_phi_round_trip(backend: str, alpha: float) -> None:
    phi = phi_from_alpha(alpha)
    assert 0.0 <= phi <= math.pi / 2
    assert abs(alpha_from_phi(phi) - alpha) <= PHI_ULPS * EPS


def test_phi_known_angles(backend: str) -> None:
    # cos(pi/3) = 1/2, cos(pi/4) = 1/sqrt(2).
    assert phi_from_alpha(0.5) == pytest.approx(math.pi / 3, rel=2 * EPS)
    assert alpha_from_phi(math.pi / 4) == pytest.approx(1 / math.sqrt(2), rel=2 * EPS)


@hyp
@given(alpha=st.floats(0.0, 1.0), nuc=any_nucleus(), eps=epsilons)
def test_eq6_gamma_qm_equals_gamma_data(backend: str, alpha: float, nuc: Nucleus,
                                        eps: float) -> None:
    coh2, dec = charges(nuc, eps)
    lhs = gamma_qm(alpha, nuc, eps)
    rhs = gamma_data(xi_from_alpha(alpha, nuc, eps), nuc, eps)
    assert abs(lhs - rhs) <= GAMMA_ULPS * EPS * (coh2 + dec)


@hyp
@given(u=st.floats(0.0, 1.0), nuc=any_nucleus(), eps=epsilons)
def test_eq6_gamma_np_equals_gamma_qm(backend: str, u: float, nuc: Nucleus,
                                      eps: float) -> None:
    # F_Z = F_N = F with F^2 between xi_dec and 1: alpha from the form factors
    # (Eq. 5) puts Gamma_QM on Gamma_NP (Eq. 6).
    coh2, dec = charges(nuc, eps)
    xi_dec = dec / coh2
    if xi_dec >= 1.0:
        return  # no F in [0, 1] reaches alpha in [0, 1] from below 1 (light nuclei)
    F = math.sqrt(xi_dec + u * (1.0 - xi_dec))
    alpha = alpha_from_form_factors(F, F, nuc, eps, clip=False)
    assert -ROUND_TRIP_ULPS * EPS / (1 - xi_dec) <= alpha <= 1.0
    alpha = min(max(alpha, 0.0), 1.0)
    assert abs(gamma_qm(alpha, nuc, eps) - gamma_np(F, F, nuc, eps)) <= (
        GAMMA_ULPS * EPS * (coh2 + dec) / (1 - xi_dec))


# --- Helm form factor and clipping ---------------------------------------------------


@pytest.mark.parametrize("name", ["Ar40", "Ge74", "Xe132"])
def test_helm_alpha_at_small_q(backend: str, name: str) -> None:
    nuc = nucleus(name)
    F0 = helm_form_factor(0.0, nuc.A)
    assert alpha_from_form_factors(F0, F0, nuc) == 1.0
    # Small q: F^2 = 1 - q^2 r_rms^2/(3 (hbar c)^2) + O(q^4), so
    # (1 - alpha)(1 - xi_dec) = 1 - xi -> q^2 r^2/3. At q = 0.5 MeV the next order is
    # ~(q r/hbar c)^2 ~ 2e-4 relative: compare at 1e-3.
    q = 0.5
    F = helm_form_factor(q, nuc.A)
    alpha = alpha_from_form_factors(F, F, nuc, clip=False)
    r = Helm().rms_radius_fm(nuc.A)
    expected = (q * r / HBARC_MEV_FM) ** 2 / 3
    assert (1 - alpha) * (1 - xi_decoherent(nuc)) == pytest.approx(expected, rel=1e-3)


def test_alpha_from_xi_clipping(backend: str) -> None:
    xi_dec = xi_decoherent("Xe132")
    xi = np.array([-0.1, xi_dec / 2, xi_dec, 0.5, 1.0, 1.2])
    raw = alpha_from_xi(xi, "Xe132")
    np.testing.assert_allclose(raw, (xi - xi_dec) / (1 - xi_dec), rtol=4 * EPS)
    assert raw[0] < 0 and raw[1] < 0 and raw[-1] > 1  # linear, leaves [0, 1]
    clipped = alpha_from_xi(xi, "Xe132", clip=True)
    np.testing.assert_array_equal(clipped, np.clip(raw, 0.0, 1.0))
    assert clipped[0] == 0.0 and clipped[-1] == 1.0


def test_alpha_from_form_factors_clips_by_default(backend: str) -> None:
    # F = 0 makes xi = 0 < xi_dec: alpha = -xi_dec/(1 - xi_dec) unclipped, 0 clipped.
    xi_dec = xi_decoherent("Ar40")
    assert alpha_from_form_factors(0.0, 0.0, "Ar40") == 0.0
    assert alpha_from_form_factors(0.0, 0.0, "Ar40", clip=False) == pytest.approx(
        -xi_dec / (1 - xi_dec), rel=4 * EPS)
    # Past the first zero of Helm F, F < 0 but F^2 can exceed xi_dec again.
    F = np.array([-0.3, 0.3])
    a = alpha_from_form_factors(F, F, "Ar40")
    assert a[0] == a[1] == pytest.approx((0.09 - xi_dec) / (1 - xi_dec), rel=8 * EPS)


# --- broadcasting and bad input --------------------------------------------------------


def test_broadcasting_and_scalar_type(backend: str) -> None:
    FZ = np.linspace(0, 1, 4).reshape(4, 1)
    FN = np.linspace(0, 1, 3)
    assert gamma_np(FZ, FN, "Ge74").shape == (4, 3)
    assert alpha_from_form_factors(FZ, FN, "Ge74").shape == (4, 3)
    a = np.linspace(0, 1, 6).reshape(2, 3)
    for f in (gamma_qm, xi_from_alpha):
        assert f(a, "Ge74").shape == (2, 3)
    assert alpha_from_xi(a, "Ge74").shape == gamma_data(a, "Ge74").shape == (2, 3)
    assert phi_from_alpha(a).shape == (2, 3)
    for value in (gamma_np(1, 1, "Ge74"), gamma_qm(0.5, "Ge74"), gamma_data(0.5, "Ge74"),
                  xi_from_alpha(0.5, "Ge74"), alpha_from_xi(0.5, "Ge74"),
                  phi_from_alpha(0.5), alpha_from_phi(0.5),
                  alpha_from_form_factors(0.5, 0.5, "Ge74"), xi_decoherent("Ge74")):
        assert type(value) is float


@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [
        (lambda: gamma_qm(1.5, "Xe132"), ValueError, r"^alpha must be <= 1"),
        (lambda: gamma_qm(-0.1, "Xe132"), ValueError, r"^alpha must be >= 0"),
        (lambda: xi_from_alpha(float("nan"), "Xe132"), ValueError, r"^alpha must not be NaN"),
        (lambda: phi_from_alpha([0.2, 1.1]), ValueError, r"^alpha .* at index 1"),
        (lambda: alpha_from_phi(-0.1), ValueError, r"^phi must be >= 0"),
        (lambda: alpha_from_phi(2.0), ValueError, r"^phi must be <= 1.5708"),
        (lambda: alpha_from_xi(float("nan"), "Xe132"), ValueError, r"^xi must not be NaN"),
        (lambda: gamma_data(float("inf"), "Xe132"), ValueError, r"^xi must be finite"),
        (lambda: gamma_data("big", "Xe132"), TypeError, r"^xi"),
        (lambda: gamma_np(1.5, 1.0, "Xe132"), ValueError, r"^FZ must be <= 1"),
        (lambda: gamma_np(1.0, float("nan"), "Xe132"), ValueError, r"^FN must not be NaN"),
        (lambda: alpha_from_form_factors(1.0, -1.5, "Xe132"), ValueError, r"^FN must be >= -1"),
        (lambda: gamma_qm(0.5, "Xe132", epsilon=2.0), ValueError, r"^epsilon must be <= 1"),
        (lambda: gamma_qm(0.5, "Xe132", epsilon=float("nan")), ValueError, r"^epsilon"),
        (lambda: gamma_qm(0.5, "Xe"), ValueError, r"^nucleus: target 'Xe' has 9"),
        (lambda: gamma_qm(0.5, "Xe999"), ValueError, r"^nucleus"),
        (lambda: gamma_qm(0.5, 54), TypeError, r"^nucleus"),
        (lambda: xi_decoherent(Nucleus(6, 6), epsilon=1.0), ValueError, r"^nucleus: eps Z - N"),
        # A lone proton: (eps Z - N)^2 = eps^2 Z + N, so xi_dec = 1 and xi cannot tell
        # alpha (there is no many-body coherency for one nucleon).
        (lambda: alpha_from_xi(0.5, "H1"), ValueError, r"^nucleus: xi_dec = 1"),
    ],
)
def test_bad_input(backend: str, call, exc: type, pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        call()


# --- Sharma & Wong Fig. 1 -----------------------------------------------------------------------


def test_figure1_data(backend: str) -> None:
    d = figure1_data(epsilon=EPSILON_SHARMA_WONG)
    alpha = d["alpha"]
    assert alpha[0] == 0.0 and alpha[-1] == 1.0 and d["epsilon"] == EPSILON_SHARMA_WONG
    # Sharma & Wong Section 2: Ar, Ge, Xe with Z = 18, 32, 54.
    assert {k: v["Z"] for k, v in d["nuclei"].items()} == {"Ar": 18, "Ge": 32, "Xe": 54}
    assert d["nuclei"]["Xe"]["A"] == 132  # Sharma & Wong's CsI-as-Xe
    # Source endpoints: DAR prompt line (m_pi^2 - m_mu^2)/(2 m_pi) = 29.792 MeV and
    # delayed endpoint m_mu/2 = 52.83 MeV (docs/physics.md §5).
    E_max = dict(zip(d["sources"], d["E_max"]))
    assert E_max["DAR-prompt"] == pytest.approx(29.792, abs=5e-4)
    assert E_max["DAR-delayed"] == MUON_MASS_MEV / 2
    assert d["sources"] == tuple(FIGURE1_SOURCES_MEV)
    for v in d["nuclei"].values():
        nuc = Nucleus(v["Z"], v["N"])
        coh2, dec = charges(nuc, EPSILON_SHARMA_WONG)
        # Left panel: xi runs from xi_dec (alpha = 0) to 1 (alpha = 1), linearly.
        assert v["xi"][0] == pytest.approx(dec / coh2, rel=2 * EPS) and v["xi"][-1] == 1.0
        assert np.all(np.diff(v["xi"]) > 0)
        # Right panel: Gamma from eps^2 Z + N to (eps Z - N)^2.
        assert v["gamma_np"][0] == pytest.approx(dec, rel=2 * EPS)
        assert v["gamma_np"][-1] == pytest.approx(coh2, rel=2 * EPS)
        # Contours: q2_max of each endpoint, Helm F there, alpha in [0, 1] and
        # falling as the endpoint rises; the contour point sits on the curve.
        np.testing.assert_array_equal(v["q2_max"], q2_max(d["E_max"], nuc))
        np.testing.assert_array_equal(v["form_factor"],
                                      helm_form_factor(np.sqrt(v["q2_max"]), nuc.A))
        a = v["alpha_at_q2_max"]
        assert np.all((a >= 0) & (a <= 1)) and np.all(np.diff(a) < 0)
        np.testing.assert_allclose(v["gamma_at_q2_max"], gamma_qm(a, nuc, EPSILON_SHARMA_WONG),
                                   rtol=0)
    # Heavier nuclei lose coherency earlier at the same endpoint.
    ar, ge, xe = (d["nuclei"][k]["alpha_at_q2_max"] for k in ("Ar", "Ge", "Xe"))
    assert np.all(xe < ge) and np.all(ge < ar)
    # Sharma & Wong Section 3: reactor neutrinos on Ge probe the mostly complete (alpha > 95%)
    # coherency region.
    assert ge[d["sources"].index("reactor")] > 0.95


def test_figure1_options(backend: str) -> None:
    d = figure1_data([0.0, 0.5, 1.0], nuclei={"CsI": "CsI-as-Xe"},
                     sources={"line": 10.0})
    assert d["alpha"].shape == (3,) and list(d["nuclei"]) == ["CsI"]
    assert d["nuclei"]["CsI"]["q2_max"].shape == (1,)
    assert d["epsilon"] == EPSILON_DEFAULT
    with pytest.raises(ValueError, match="alpha"):
        figure1_data([0.0, 2.0])
    with pytest.raises(ValueError, match="E_max"):
        figure1_data(sources={"bad": -1.0})
