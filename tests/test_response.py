"""The detector response matrix (docs/physics.md Eq. 11.5): against scipy.integrate.quad
of eps(x) pdf(x) for every resolution model, normalisation, Poisson sums against direct
sums, compiled vs twin, bit-for-bit thread independence, bad input."""

from __future__ import annotations

import math
from typing import Any

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from coherency import _backend, _records, _reference
from coherency.detector import (
    ConstantQuenching,
    GammaPE,
    GaussianEnergy,
    LinearQF,
    LogisticEfficiency,
    NoSmearing,
    PoissonPE,
    PolynomialQuenching,
    Response,
    TabulatedEfficiency,
)

EPS = np.finfo(np.float64).eps
# The accuracy asked of R against quad: 1e-10 relative (measured: ~1e-13). quad runs
# at epsrel = 1e-13 on each linear piece of eps, so its own error is far below.
QUAD_RTOL = 1e-10
QUAD_EPSREL = 1e-13
# Entries below this (far tails) are compared in absolute terms: a probability of
# 1e-200 has no physical weight, and quad's relative tolerance does not reach there.
TAIL = 1e-200
# A column with eps = 1 over the whole support sums to 1 up to the rounding of one
# CDF difference per piece (a few ulp each, ~1e3 pieces at most here).
NORM_ATOL = 1e-12

CSI_EDGES = np.linspace(0.0, 60.0, 10)         # 9 PE bins, as COHERENT CsI 2021
T_CSI = np.linspace(2e-3, 0.04, 7)              # MeV, the recoils of pion-decay neutrinos


def _csi_2021(resolution: Any = None, edges: Any = CSI_EDGES, **kw: Any) -> Response:
    return Response(PolynomialQuenching.coherent_csi_2021().nominal,
                    GammaPE() if resolution is None else resolution,
                    LogisticEfficiency.coherent_csi_2021().nominal, edges, **kw)


def _gamma_pdf(x: float, E_keV: float, a: float, b: float) -> float:
    """COHERENT CsI 2021 gamma model, written as in the release: a' = a/E, b' = b E."""
    if x <= 0.0:
        return 0.0
    ap, bp = a / E_keV, b * E_keV
    rate = ap * (1.0 + bp)
    return math.exp((1.0 + bp) * math.log(rate) - math.lgamma(1.0 + bp) + bp * math.log(x)
                    - rate * x)


def _gauss_pdf(x: float, mu: float, sigma: float) -> float:
    return math.exp(-0.5 * ((x - mu) / sigma) ** 2) / (math.sqrt(2.0 * math.pi) * sigma)


def _quad_matrix(resp: Response, pdf_of_node: Any) -> np.ndarray:
    """Reference R: quad of eps_lin(x) pdf(x) over each linear piece of the response's
    efficiency grid (eps_lin as the kernel sees it), summed per bin."""
    gx, geps = resp.grid()
    edges = resp.edges_array
    out = np.zeros((edges.size - 1, len(pdf_of_node)))
    for j, pdf in enumerate(pdf_of_node):
        for k in range(gx.size - 1):
            x0, x1 = gx[k], gx[k + 1]
            if x1 <= x0:
                continue
            e0, e1 = geps[k], geps[k + 1]

            def f(x: float, x0: float = x0, x1: float = x1, e0: float = e0,
                  e1: float = e1, pdf: Any = pdf) -> float:
                return (e0 + (e1 - e0) * (x - x0) / (x1 - x0)) * pdf(x)

            val = integrate.quad(f, x0, x1, epsabs=0.0, epsrel=QUAD_EPSREL, limit=200)[0]
            b = int(np.searchsorted(edges, x0, side="right")) - 1
            out[b, j] += val
    return out


def _assert_close(R: np.ndarray, ref: np.ndarray, rtol: float = QUAD_RTOL) -> float:
    tail = np.abs(ref) < TAIL
    assert np.all(np.abs(R[tail]) < 1e-150)
    rel = np.abs(R[~tail] - ref[~tail]) / np.abs(ref[~tail])
    worst = float(rel.max()) if rel.size else 0.0
    assert worst <= rtol, worst
    return worst


# ---- against quad ---------------------------------------------------------------------

def test_gamma_against_quad(backend: str) -> None:
    resp = _csi_2021()
    E_keV = np.asarray(resp.quenching(T_CSI)) * 1e3
    g = GammaPE()
    pdfs = [lambda x, E=E: _gamma_pdf(x, E, g.a, g.b) for E in E_keV]
    _assert_close(resp.matrix(T_CSI), _quad_matrix(resp, pdfs))


def test_gamma_with_its_own_light_yield_against_quad(backend: str) -> None:
    # a light-yield variation: mean Y E, shape 1 + b E
    Y = 12.0
    resp = _csi_2021(light_yield_pe_per_keV=Y)
    E_keV = np.asarray(resp.quenching(T_CSI)) * 1e3
    g = GammaPE()

    def pdf(x: float, E: float) -> float:
        k = 1.0 + g.b * E
        return float(stats.gamma.pdf(x, k, scale=Y * E / k))

    pdfs = [lambda x, E=E: pdf(x, E) for E in E_keV]
    _assert_close(resp.matrix(T_CSI), _quad_matrix(resp, pdfs))


@pytest.mark.parametrize("sigmas", [(0.0, 0.58, 0.0), (0.4, 0.3, 0.05), (1.5, 0.0, 0.0)])
def test_gaussian_against_quad(backend: str, sigmas: tuple[float, float, float]) -> None:
    res = GaussianEnergy(*sigmas)
    eff = TabulatedEfficiency.coherent_ar_2020()
    edges = np.arange(0.0, 45.0, 5.0)
    resp = Response(LinearQF.coherent_ar_2020(), res, eff, edges)
    T = np.array([1e-3, 5e-3, 0.02, 0.05, 0.1])  # MeV
    mu = resp.mean(T)
    s0, s1, s2 = sigmas
    pdfs = [lambda x, m=m: _gauss_pdf(x, m, math.sqrt(s0**2 + s1**2 * m + s2**2 * m**2))
            for m in mu]
    _assert_close(resp.matrix(T), _quad_matrix(resp, pdfs))


def test_gaussian_below_zero_and_logistic_efficiency(backend: str) -> None:
    # edges below 0 (noise); a smooth efficiency on its curvature grid
    eff = LogisticEfficiency(1.0, 2.0, 1.0)
    resp = Response(ConstantQuenching(0.2), GaussianEnergy(0.3, 0.1), eff,
                    np.linspace(-1.0, 4.0, 11))
    T = np.array([0.0, 1e-3, 5e-3, 0.01])
    mu = resp.mean(T)
    sig = np.sqrt(0.3**2 + 0.1**2 * mu)
    pdfs = [lambda x, m=m, s=s: _gauss_pdf(x, m, s) for m, s in zip(mu, sig)]
    _assert_close(resp.matrix(T), _quad_matrix(resp, pdfs))


# ---- Poisson and no smearing ------------------------------------------------------------

@pytest.mark.parametrize("Y", [13.348, 2.0])
def test_poisson_against_direct_sums(backend: str, Y: float) -> None:
    eff = LogisticEfficiency.coherent_csi_2017()
    edges = np.array([0.0, 3.5, 5.0, 12.0, 20.5, 40.0, 60.0])
    resp = Response(ConstantQuenching(0.0878), PoissonPE(Y), eff, edges)
    T = np.array([0.0, 1e-3, 5e-3, 0.01, 0.02, 0.04])
    mu = resp.mean(T)
    R = resp.matrix(T)
    # the direct sum, at 30 digits: sum over integers n in [x_b, x_{b+1}) of
    # eps(n) mu^n e^-mu / n!
    mp.mp.dps = 30
    for j, m in enumerate(mu):
        for b in range(edges.size - 1):
            n_lo, n_hi = math.ceil(edges[b]), math.ceil(edges[b + 1])
            terms = [mp.mpf(m) ** n * mp.exp(-mp.mpf(m)) / mp.factorial(n)
                     for n in range(n_lo, n_hi)]
            ref = mp.fsum(mp.mpf(float(eff(n))) * t for n, t in zip(range(n_lo, n_hi), terms))
            if ref < TAIL:
                assert R[b, j] < 1e-150
            else:
                # a term is exp(y) with y = -(deviance + Stirling's error) rounded to a
                # few ulp: relative error ~ |y| eps = |ln P(n)| eps (csrc/coh_resp.c)
                log_p = max(abs(float(mp.log(t))) for t in terms if t > 0)
                assert abs(R[b, j] - float(ref)) <= 8 * EPS * (1 + log_p) * float(ref), (b, m)


def test_poisson_terms_are_accurate_for_large_means(backend: str) -> None:
    # unit bins, eps = 1: R[n, j] = Poisson(n; mu_j), against mpmath
    edges = np.arange(0.0, 3001.0)
    resp = Response(ConstantQuenching(1.0), PoissonPE(1.0), None, edges)
    T = np.array([0.5, 30.0, 1000.0, 2500.0]) * 1e-3  # E_ee = 0.5 ... 2500 keV
    mu = resp.mean(T)
    R = resp.matrix(T)
    for j, m in enumerate(mu):
        for n in (0, 1, int(m), int(m) + 7, int(m + 5 * math.sqrt(m)), 2999):
            ref = mp.exp(n * mp.log(mp.mpf(m)) - mp.mpf(m) - mp.loggamma(n + 1))
            if ref < TAIL:
                continue
            if backend == "compiled":
                # as above: exp of a rounded argument y = ln P(n)
                scale = 1 + abs(float(mp.log(ref)))
            else:
                # scipy.stats.poisson.pmf: exp(n ln mu - ln n! - mu), each term rounded
                scale = 1 + n * abs(math.log(m)) + math.lgamma(n + 1) + m
            assert abs(R[n, j] - float(ref)) <= 8 * EPS * scale * float(ref)


def test_no_smearing_is_the_efficiency_at_the_mean(backend: str) -> None:
    eff = TabulatedEfficiency.coherent_ar_2020()
    edges = np.array([0.0, 5.0, 10.0, 30.0, 40.0])
    resp = Response(LinearQF.coherent_ar_2020(), NoSmearing(), eff, edges)
    T = np.array([0.0, 0.01, 0.05, 0.1, 0.5])
    mu = resp.mean(T)
    R = resp.matrix(T)
    for j, m in enumerate(mu):
        want = np.zeros(edges.size - 1)
        if edges[0] <= m < edges[-1]:
            want[np.searchsorted(edges, m, side="right") - 1] = float(eff(m))
        np.testing.assert_allclose(R[:, j], want, rtol=4 * EPS, atol=0)
    # a light yield makes the observable PE
    pe = Response(ConstantQuenching(0.1), NoSmearing(), None, [0.0, 10.0, 20.0],
                  light_yield_pe_per_keV=10.0)
    assert pe.observable == "PE"
    np.testing.assert_array_equal(pe.matrix([5e-3, 0.015, 0.03]),
                                  [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def test_degenerate_widths_are_point_masses(backend: str) -> None:
    # gamma of mean 0, Gaussian with sigma = 0: all of it at mu (bins are [lo, hi))
    eff = TabulatedEfficiency([0.0, 10.0], [0.5, 1.0])
    g = Response(ConstantQuenching(0.5), GammaPE(), eff, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(g.matrix([0.0]), [[0.5], [0.0]])
    n = Response(ConstantQuenching(0.5), GaussianEnergy(0.0, 0.0, 0.0), eff, [0.0, 1.0, 2.0])
    np.testing.assert_allclose(n.matrix([0.0, 2e-3, 4e-3]),
                               [[0.5, 0.0, 0.0], [0.0, 0.55, 0.0]], rtol=4 * EPS)


# ---- normalisation ---------------------------------------------------------------------

@pytest.mark.parametrize("model", ["gamma", "gauss", "poisson"])
def test_columns_sum_to_one_over_the_support(backend: str, model: str) -> None:
    T = np.linspace(0.0, 0.1, 21)
    q = ConstantQuenching(0.1)
    if model == "gamma":
        resp = Response(q, GammaPE(), None, np.linspace(0.0, 600.0, 31))
    elif model == "gauss":
        resp = Response(q, GaussianEnergy(0.5, 0.6, 0.02), None, np.linspace(-30.0, 60.0, 46))
    else:
        resp = Response(q, PoissonPE(13.348), None, np.linspace(0.0, 600.0, 31))
    R = resp.matrix(T)
    np.testing.assert_allclose(R.sum(axis=0), 1.0, rtol=0, atol=NORM_ATOL)
    assert np.all(R >= 0.0)


def test_efficiency_scales_a_bin_that_holds_everything(backend: str) -> None:
    # a constant efficiency 0.37 and one bin over the whole support: R = 0.37
    eff = TabulatedEfficiency([0.0, 1.0], [0.37, 0.37])
    resp = Response(ConstantQuenching(0.1), GammaPE(), eff, [0.0, 1e4])
    np.testing.assert_allclose(resp.matrix([1e-3, 0.01, 0.1]), 0.37, rtol=0, atol=NORM_ATOL)


def test_efficiency_grid_follows_the_efficiency() -> None:
    # the logistic grid is within its tolerance of the curve, holds the edges, the kink
    # where the clipping starts and, for Poisson, every integer
    tol = 1e-6
    resp = _csi_2021(tolerance=tol)
    eff = resp.efficiency
    gx, geps = resp.grid()
    assert np.all(np.isin(CSI_EDGES, gx)) and gx[0] == 0.0 and gx[-1] == 60.0
    x = np.linspace(0.0, 60.0, 200001)
    lin = _reference._eps_at(gx, geps, x)
    assert np.max(np.abs(lin - eff(x))) <= tol
    # steps of at most max_step where eps varies; the clipped stretch (eps = 0 below
    # the kink at 7.07 PE) needs no nodes
    varies = (geps[:-1] > 0.0) | (geps[1:] > 0.0)
    assert np.all(np.diff(gx)[varies] <= 0.25 + 1e-12)
    kink = resp.efficiency._kinks()[0]
    assert kink == pytest.approx(7.068, abs=1e-3) and kink in gx
    poisson = Response(ConstantQuenching(0.0878), PoissonPE(13.348),
                       LogisticEfficiency.coherent_csi_2017(), [0.0, 7.5, 60.0])
    px, peps = poisson.grid()
    assert np.all(np.isin(np.arange(61.0), px))
    # the jump at 5 PE: 0 just below, the curve from 5 on (right-continuous)
    i = np.flatnonzero(px == 5.0)
    assert i.size == 2 and peps[i[0]] == 0.0 and peps[i[1]] == pytest.approx(
        float(LogisticEfficiency.coherent_csi_2017()(5.0)), rel=1e-15)
    # a table is its own grid
    ar = Response(LinearQF.coherent_ar_2020(), GaussianEnergy.coherent_ar_2020(),
                  TabulatedEfficiency.coherent_ar_2020(), [0.0, 10.0, 20.0])
    ax, _ = ar.grid()
    table = np.array(ar.efficiency.x)
    np.testing.assert_array_equal(ax, np.union1d([0.0, 10.0, 20.0],
                                                 table[(table > 0) & (table < 20)]))


def test_smooth_efficiency_error_is_bounded_by_the_tolerance(backend: str) -> None:
    # R with the true logistic efficiency (quad) differs from R with its grid by at most
    # tolerance x (the probability in the bin)
    tol = 1e-5
    resp = _csi_2021(tolerance=tol)
    eff = resp.efficiency
    E_keV = np.asarray(resp.quenching(T_CSI[:3])) * 1e3
    g = GammaPE()
    R = resp.matrix(T_CSI[:3])
    for j, E in enumerate(E_keV):
        for b in range(CSI_EDGES.size - 1):
            lo, hi = CSI_EDGES[b], CSI_EDGES[b + 1]
            true = integrate.quad(lambda x, E=E: float(eff(x)) * _gamma_pdf(x, E, g.a, g.b),
                                  lo, hi, epsabs=1e-14, epsrel=1e-12, limit=200,
                                  points=[7.07, 10.86])[0]
            mass = integrate.quad(lambda x, E=E: _gamma_pdf(x, E, g.a, g.b), lo, hi,
                                  epsabs=1e-14, epsrel=1e-12)[0]
            assert abs(R[b, j] - true) <= tol * mass + 1e-13


# ---- compiled vs twin, threads -----------------------------------------------------------

MODELS = [
    _records.ResolutionParams(_records.RES_NONE),
    _records.ResolutionParams(_records.RES_POISSON),
    _records.ResolutionParams(_records.RES_GAMMA, 0.716),
    _records.ResolutionParams(_records.RES_GAMMA, 0.0),
    _records.ResolutionParams(_records.RES_GAUSS, 0.5, 0.58, 0.01),
    _records.ResolutionParams(_records.RES_GAUSS, 0.0, 1.2, 0.0),
]


@st.composite
def _problems(draw: Any) -> tuple[Any, ...]:
    res = draw(st.sampled_from(MODELS))
    n_edges = draw(st.integers(2, 12))
    lo = draw(st.floats(-20.0, 20.0))
    widths = draw(st.lists(st.floats(0.05, 30.0), min_size=n_edges - 1,
                           max_size=n_edges - 1))
    edges = lo + np.concatenate([[0.0], np.cumsum(widths)])
    inner = draw(st.lists(st.floats(0.0, 1.0), max_size=40))
    gx = np.union1d(edges, edges[0] + np.array(inner) * (edges[-1] - edges[0]))
    gx[-1] = edges[-1]
    geps = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=gx.size, max_size=gx.size)))
    mu = np.array(draw(st.lists(st.floats(0.0, 200.0), min_size=1, max_size=20)))
    return res, mu, gx, geps, edges


@settings(max_examples=150, deadline=None)
@given(_problems())
def test_compiled_against_twin(problem: tuple[Any, ...]) -> None:
    if not _backend.compiled_available():
        pytest.skip("compiled extension not built")
    res, mu, gx, geps, edges = problem
    n = mu.size * (edges.size - 1)
    got, want = np.empty(n), np.empty(n)
    _backend._compiled.response_matrix(mu, res, gx, geps, edges, got)  # type: ignore[union-attr]
    _reference.response_matrix(mu, res, gx, geps, edges, want)
    # the same integrals through different special functions (own C vs scipy): a few
    # ulp of each CDF per piece, times the pieces of a bin, on top of scipy's gammainc
    # accuracy in the tails (tests/test_gammainc.py); and a rising eps on a piece of
    # width w takes the difference of the centred moment H (size <= sigma) over w, so
    # each piece carries up to ~eps sigma / w of rounding (csrc/coh_resp.c)
    tol = 1e-10 * np.abs(want) + 1e-13 + _moment_rounding(res, mu, gx, geps, edges)
    bad = np.abs(got - want) > tol
    assert not bad.any(), (got[bad], want[bad], tol[bad])


def _moment_rounding(res: Any, mu: Any, gx: Any, geps: Any, edges: Any) -> Any:
    """Per (node, bin): 64 eps sum over the bin's pieces of |e1 - e0| min(sigma / w, 1e4).
    Pieces narrower than 1e-3 of the density's length scale go through Gauss-Legendre
    in both implementations (no difference of H): sigma / w stays below ~1e3 on the
    others."""
    mu = np.asarray(mu, dtype=np.float64)
    if res.model == _records.RES_GAMMA:
        sigma = mu / np.sqrt(1.0 + res.p1 * mu)
    elif res.model == _records.RES_GAUSS:
        sigma = np.sqrt(res.p1**2 + res.p2**2 * mu + res.p3**2 * mu**2)
    else:
        sigma = np.zeros_like(mu)
    w = np.diff(gx)
    with np.errstate(divide="ignore", over="ignore"):
        ratio = np.minimum(sigma[:, None] / w[None, :], 1e4)  # (nodes, pieces)
    ratio = np.where(w[None, :] > 0, ratio, 0.0)
    rise = np.abs(np.diff(geps))[None, :] * ratio
    b = np.clip(np.searchsorted(edges, gx[:-1], side="right") - 1, 0, edges.size - 2)
    per_bin = np.stack([np.bincount(b, weights=r, minlength=edges.size - 1) for r in rise])
    return (64 * np.finfo(float).eps * per_bin).ravel()


def test_narrow_rising_piece_against_mpmath() -> None:
    """A rising eps on a piece narrow against x (the case that found the twin's
    cancellation in the moment about zero): both backends against mpmath."""
    res = _records.ResolutionParams(_records.RES_GAMMA, 0.716)
    mu = np.array([16.0])
    edges = np.array([0.0, 1.0, 17.125, 17.1796875, 18.1796875])
    geps = np.array([0.0, 0.0, 0.0, 1.0, 0.0])
    k = 1 + mp.mpf("0.716") * 16  # mpf at the default precision: exact enough for k
    theta = 16 / k

    def pdf(x: Any) -> Any:
        return x ** (k - 1) * mp.exp(-x / theta) / (mp.gamma(k) * theta**k)

    with mp.workdps(40):
        x0, x1 = mp.mpf("17.125"), mp.mpf("17.1796875")
        true = float(mp.quad(lambda x: (x - x0) / (x1 - x0) * pdf(x), [x0, x1]))
    for backend in ("compiled", "numpy"):
        if backend == "compiled" and not _backend.compiled_available():
            continue
        out = np.empty(4)
        impl = _backend._compiled if backend == "compiled" else _reference
        impl.response_matrix(mu, res, edges, geps, edges, out)  # type: ignore[union-attr]
        assert out[2] == pytest.approx(true, rel=1e-10 if backend == "numpy" else 1e-11)


def test_threads_do_not_change_bits() -> None:
    if not _backend.compiled_available():
        pytest.skip("compiled extension not built")
    rng = np.random.default_rng(7)
    mu = rng.uniform(0.0, 100.0, 400)
    resp = _csi_2021()
    gx, geps = resp.grid()
    edges = resp.edges_array
    for res in MODELS:
        outs = []
        for nt in (1, 2, 7):
            out = np.empty(mu.size * (edges.size - 1))
            _backend._compiled.response_matrix(mu, res, gx, geps, edges, out,  # type: ignore[union-attr]
                                               n_threads=nt)
            outs.append(out)
        np.testing.assert_array_equal(outs[1], outs[0])
        np.testing.assert_array_equal(outs[2], outs[0])
    # and through the public API
    T = np.linspace(1e-3, 0.045, 300)
    np.testing.assert_array_equal(resp.matrix(T, n_threads=2), resp.matrix(T))


def test_observe_is_the_matrix_product(backend: str) -> None:
    resp = _csi_2021()
    w = np.linspace(1.0, 2.0, T_CSI.size)
    np.testing.assert_allclose(resp.observe(T_CSI, w), resp.matrix(T_CSI) @ w, rtol=1e-15)
    W = np.stack([w, 2 * w], axis=1)
    assert resp.observe(T_CSI, W).shape == (CSI_EDGES.size - 1, 2)
    with pytest.raises(ValueError, match="weights"):
        resp.observe(T_CSI, w[:-1])


# ---- the release models ------------------------------------------------------------------

def test_csi_2021_files_are_read(releases: Any) -> None:
    q = PolynomialQuenching.coherent_csi_2021()
    assert q.nominal.coefficients == (0.0554628, 4.30681, -111.707, 840.384)
    assert q.syst0_plus.coefficients == (0.0613632, 3.51547, -85.5548, 595.562)
    assert q.syst0_minus.coefficients == (0.0495624, 5.09815, -137.858, 1085.2)
    assert q.syst1_plus.coefficients == (0.055413, 3.93597, -93.1045, 630.092)
    assert q.syst1_minus.coefficients == (0.0555126, 4.67765, -130.309, 1050.68)
    e = LogisticEfficiency.coherent_csi_2021()
    assert (e.nominal.a, e.nominal.b, e.nominal.c, e.nominal.d) == (
        1.32045, 0.285979, 10.8646, -0.333322)
    assert (e.plus_1sigma.a, e.plus_1sigma.c) == (1.3439, 9.84596)
    assert (e.minus_1sigma.a, e.minus_1sigma.c) == (1.297, 11.8832)
    # the set the file labels "+1 sigma" a second time is the -1 sigma curve: below the
    # nominal wherever the nominal is not clipped to 0, and the +1 sigma set above
    x = np.linspace(0.0, 200.0, 4001)
    nom, plus, minus = (np.asarray(v(x)) for v in e)
    assert np.all(minus <= nom) and np.all(nom <= plus)
    assert np.all(minus[nom > 0] < nom[nom > 0])
    # the folder argument reads another copy
    same = PolynomialQuenching.coherent_csi_2021(releases / "coherent_csi_2021")
    assert same == q


def test_csi_2021_quenching_is_increasing_but_its_qf_is_not() -> None:
    # what the docstring says: no turnover of T_ee, a QF maximum at 28 keVnr and a
    # minimum at 60 keVnr, and the fit refused above 0.06 MeV
    T = np.linspace(1e-6, 0.06, 60001)
    for model in PolynomialQuenching.coherent_csi_2021():
        assert model.turnover_MeV == math.inf
        E = np.asarray(model(T))
        assert np.all(np.diff(E) > 0.0)
    nominal = PolynomialQuenching.coherent_csi_2021().nominal
    qf = np.asarray(nominal(T)) / T
    inner = (T > 0.01) & (T < 0.05)
    assert T[inner][np.argmax(qf[inner])] == pytest.approx(0.0283, abs=5e-4)
    assert T[np.argmin(qf[T > 0.04]) + np.argmax(T > 0.04)] == pytest.approx(0.0603, abs=5e-4)
    with pytest.raises(ValueError, match=r"beyond the model's valid range 0 <= T_nr <= 0\.06"):
        nominal(0.07)


def test_malformed_coefficient_files_name_file_and_line(tmp_path: Any, releases: Any) -> None:
    folder = tmp_path / "coherent_csi_2021"
    folder.mkdir()
    text = (releases / "coherent_csi_2021" / "scintRespCoefficients.txt").read_text()
    (folder / "scintRespCoefficients.txt").write_text(text.replace("4.30681", "4.3o681"))
    with pytest.raises(ValueError, match=r"scintRespCoefficients\.txt line 7: expected 4"):
        PolynomialQuenching.coherent_csi_2021(folder)
    lines = (releases / "coherent_csi_2021" / "effCoefficients.txt").read_text().splitlines()
    (folder / "effCoefficients.txt").write_text("\n".join(lines[:-2]) + "\n")
    with pytest.raises(ValueError, match=r"effCoefficients\.txt: expected 3 rows of 4"):
        LogisticEfficiency.coherent_csi_2021(folder)
    (folder / "effCoefficients.txt").write_text("\n".join(lines) + "\n1 2 3\n")
    with pytest.raises(ValueError, match=r"effCoefficients\.txt line 13: expected 4"):
        LogisticEfficiency.coherent_csi_2021(folder)
    with pytest.raises(ValueError, match="missing file"):
        LogisticEfficiency.coherent_csi_2021(tmp_path)


def test_release_presets_match_the_readers(releases: Any) -> None:
    from coherency.data import coherent_ar_2020, coherent_csi_2017

    q = LinearQF.coherent_ar_2020()
    assert (q.a, q.b_per_keV) == coherent_ar_2020.AR_2020_QF
    assert PoissonPE.coherent_csi_2017().light_yield_pe_per_keV == \
        coherent_csi_2017.CSI_2017_LIGHT_YIELD_PE_PER_KEVEE
    x = np.linspace(0.0, 60.0, 601)
    np.testing.assert_allclose(LogisticEfficiency.coherent_csi_2017()(x),
                               coherent_csi_2017.csi_2017_efficiency(x), rtol=1e-15, atol=0)
    table = np.loadtxt(releases / "coherent_ar_2020" / "CENNS10AnlAEfficiency.txt")
    e = TabulatedEfficiency.coherent_ar_2020()
    np.testing.assert_array_equal(e.x, table[:, 0])
    np.testing.assert_array_equal(e.efficiency, table[:, 2])
    # the CsI 2021 gamma model's light yield
    assert GammaPE().light_yield_pe_per_keV == pytest.approx(13.35, abs=0.01)


# ---- bad input -------------------------------------------------------------------------

def test_bad_efficiency_values() -> None:
    with pytest.raises(ValueError, match=r"efficiency must be in \[0, 1\]; got 1\.2"):
        TabulatedEfficiency([0.0, 1.0], [0.5, 1.2])
    with pytest.raises(ValueError, match=r"^efficiency must not be NaN"):
        TabulatedEfficiency([0.0, 1.0], [0.5, math.nan])
    with pytest.raises(ValueError, match=r"left must be in \[0, 1\]"):
        TabulatedEfficiency([0.0, 1.0], [0.5, 0.6], left=-0.1)
    with pytest.raises(ValueError, match=r"^x must be strictly increasing"):
        TabulatedEfficiency([0.0, 0.0], [0.5, 0.6])
    resp = Response(0.1, GammaPE(), lambda x: 1.5 * np.ones_like(x), [0.0, 10.0])
    with pytest.raises(ValueError, match=r"efficiency must be in \[0, 1\]; got 1\.5 at x"):
        resp.matrix([0.01])
    nan = Response(0.1, GammaPE(), lambda x: np.full_like(x, math.nan), [0.0, 10.0])
    with pytest.raises(ValueError, match=r"efficiency must not be NaN"):
        nan.matrix([0.01])


def test_non_increasing_quenching() -> None:
    q = PolynomialQuenching((0.1, -1.0))
    assert q.turnover_MeV == pytest.approx(0.05, rel=1e-15)
    with pytest.raises(ValueError, match=r"PolynomialQuenching\(0\.1, -1\): T_ee is not "
                                         r"increasing above T_nr = 0\.05 MeV"):
        Response(q, GammaPE(), None, [0.0, 10.0]).matrix([0.01, 0.06])
    with pytest.raises(ValueError, match=r"turns over"):
        PolynomialQuenching((-0.1, 1.0))(1e-3)
    with pytest.raises(ValueError, match=r"LinearQF\(0\.2, -0\.001\): T_ee is not increasing "
                                         r"above T_nr = 0\.1 MeV"):
        LinearQF(0.2, -0.001)(0.2)
    wavy = Response(lambda t: 0.1 * np.asarray(t) * (1.1 + np.sin(60.0 * np.asarray(t))),
                    GammaPE(), None, [0.0, 10.0])
    with pytest.raises(ValueError, match=r"quenching must be strictly increasing: .* turns "
                                         r"over between"):
        wavy.matrix(np.linspace(0.0, 0.1, 11))
    with pytest.raises(ValueError, match=r"^E_ee_MeV must be strictly increasing"):
        from coherency.detector import TabulatedQuenching

        TabulatedQuenching([0.0, 0.01, 0.02], [0.0, 0.002, 0.002])


@pytest.mark.parametrize(("make", "match"), [
    (lambda: PoissonPE(-1.0), r"^light_yield_pe_per_keV must be > 0"),
    (lambda: PoissonPE(math.nan), r"^light_yield_pe_per_keV must not be NaN"),
    (lambda: GammaPE(a=0.0), r"^a must be > 0"),
    (lambda: GammaPE(b=-1.0), r"^b must be >= 0"),
    (lambda: GaussianEnergy(sigma1=math.nan), r"^sigma1 must not be NaN"),
    (lambda: GaussianEnergy(-0.1), r"^sigma0_keV must be >= 0"),
    (lambda: ConstantQuenching(1.5), r"^qf must be <= 1"),
    (lambda: ConstantQuenching(0.0), r"^qf must be > 0"),
    (lambda: LinearQF(0.0, 1e-3), r"^a must be > 0"),
    (lambda: PolynomialQuenching(()), r"coefficients must be a non-empty"),
    (lambda: PolynomialQuenching((0.1, math.inf)), r"^coefficients must be finite"),
    (lambda: LogisticEfficiency(1.0, math.nan, 1.0), r"^b must not be NaN"),
    (lambda: Response(0.1, GammaPE(), None, [0.0, 5.0, 3.0]),
     r"^edges must be strictly increasing; got 3\.0 after 5\.0 at index 2"),
    (lambda: Response(0.1, GammaPE(), None, [0.0, math.nan]), r"^edges must not be NaN"),
    (lambda: Response(0.1, GammaPE(), None, [1.0]), r"^edges must be 1-D with at least two"),
    (lambda: Response(0.1, GammaPE(), None, [0.0, 1.0], light_yield_pe_per_keV=-2.0),
     r"^light_yield_pe_per_keV must be > 0"),
    (lambda: Response(0.1, GaussianEnergy(1.0), None, [0.0, 1.0], light_yield_pe_per_keV=2.0),
     r"^light_yield_pe_per_keV must be None"),
    (lambda: Response(0.1, GammaPE(), None, [0.0, 1.0], tolerance=0.0),
     r"^tolerance must be > 0"),
    (lambda: Response(2.0, GammaPE(), None, [0.0, 1.0]), r"^qf must be <= 1"),
])
def test_bad_parameters(make: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_kinds() -> None:
    with pytest.raises(TypeError, match="resolution must be a resolution model"):
        Response(0.1, "gamma", None, [0.0, 1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="efficiency must be a callable"):
        Response(0.1, GammaPE(), 0.5, [0.0, 1.0])
    with pytest.raises(TypeError, match="quenching must be a callable"):
        Response("csi", GammaPE(), None, [0.0, 1.0])


@pytest.mark.parametrize(("T", "match"), [
    ([0.01, math.nan], r"^T_nr_MeV must not be NaN; got nan at index 1"),
    ([-0.01], r"^T_nr_MeV must be >= 0 MeV"),
    ([[0.01]], r"^T_nr_MeV must be 1-D"),
    ([math.inf], r"^T_nr_MeV must be finite"),
])
def test_bad_energies(backend: str, T: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Response(0.1, GammaPE(), None, [0.0, 10.0]).matrix(T)


def test_means_beyond_the_kernel_range(backend: str) -> None:
    huge = Response(1.0, PoissonPE(1e6), None, [0.0, 10.0])
    with pytest.raises(ValueError, match=r"mean observable must be at most 1e\+08 PE "
                                         r"\(Poisson\); got 200000000.0 PE at T_nr_MeV index 1"):
        huge.matrix([0.0, 0.2])
    with pytest.raises(ValueError, match="threads"):
        huge.matrix([0.0], n_threads=0)


@pytest.mark.parametrize("kernels", ["compiled", "numpy"])
def test_kernel_statuses(kernels: str) -> None:
    if kernels == "compiled" and not _backend.compiled_available():
        pytest.skip("compiled extension not built")
    kern: Any = _backend._compiled if kernels == "compiled" else _reference
    edges = np.array([0.0, 1.0, 2.0])
    gx = np.array([0.0, 0.5, 1.0, 2.0])
    geps = np.ones(4)
    gamma = _records.ResolutionParams(_records.RES_GAMMA, 0.5)

    def run(mu: Any = (1.0,), res: Any = gamma, x: Any = gx, e: Any = geps,
            ed: Any = edges) -> None:
        mu = np.asarray(mu, dtype=np.float64)
        out = np.empty(mu.size * max(len(ed) - 1, 0))
        kern.response_matrix(mu, res, np.asarray(x, dtype=np.float64),
                             np.asarray(e, dtype=np.float64), np.asarray(ed, dtype=np.float64),
                             out)

    run()
    grid = r"efficiency grid does not match the bin edges \(status -6\)"
    for bad in [dict(x=[0.0, 0.5, 2.0], e=np.ones(3)),          # edge 1.0 not a node
                dict(x=[0.0, 1.0, 0.5, 2.0]),                     # unsorted
                dict(x=[-1.0, 0.0, 1.0, 2.0]),                    # starts below edges[0]
                dict(e=[1.0, 1.2, 1.0, 1.0]),                     # eps > 1
                dict(e=[1.0, math.nan, 1.0, 1.0]),
                dict(ed=[0.0, 2.0, 1.0], x=[0.0, 2.0, 1.0, 1.0]),  # edges not increasing
                dict(ed=[0.0], x=[0.0, 0.0], e=[1.0, 1.0])]:        # one edge
        with pytest.raises(RuntimeError, match=grid):
            run(**bad)  # type: ignore[arg-type]
    arg = r"argument outside the documented domain \(status -2\)"
    for bad in [dict(mu=[1.0, -1.0]), dict(mu=[math.nan]), dict(mu=[math.inf]),
                dict(res=_records.ResolutionParams(_records.RES_GAMMA, -1.0)),
                dict(res=_records.ResolutionParams(_records.RES_GAUSS, 1.0, math.nan)),
                dict(res=_records.ResolutionParams(_records.RES_POISSON), mu=[2e8]),
                dict(mu=[1e9])]:                                    # gamma shape > 1e8
        with pytest.raises(RuntimeError, match=arg):
            run(**bad)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match=r"unknown resolution model id \(status -5\)"):
        run(mu=[], res=_records.ResolutionParams(-1))
    with pytest.raises(ValueError, match="grid_x and grid_eps must have the same length"):
        run(e=np.ones(3))
    with pytest.raises(ValueError, match=r"out must hold"):
        kern.response_matrix(np.ones(2), gamma, gx, geps, edges, np.empty(3))


# ---- the quenching and resolution models on their own -----------------------------------

def test_quenching_models_and_their_inverses() -> None:
    from coherency.detector import TabulatedQuenching

    T = np.array([0.0, 1e-3, 0.01, 0.05])
    np.testing.assert_array_equal(ConstantQuenching(0.25)(T), 0.25 * T)
    assert ConstantQuenching(0.25).T_nr(0.0025) == pytest.approx(0.01, rel=1e-15)
    ar = LinearQF.coherent_ar_2020()
    np.testing.assert_allclose(ar(T), (0.246 + 0.00078 * T * 1e3) * T, rtol=1e-15)
    for t in T[1:]:
        assert ar.T_nr(float(ar(t))) == pytest.approx(t, rel=1e-14)
    # b < 0: the generic inversion, inside the range up to the turnover
    falling = LinearQF(0.3, -1e-3)
    assert falling.turnover_MeV == pytest.approx(0.15, rel=1e-15)
    assert falling.T_nr(float(falling(0.1))) == pytest.approx(0.1, rel=1e-12)
    with pytest.raises(ValueError, match="beyond the model's range"):
        falling.T_nr(1.0)
    # the polynomial and its inverse
    csi = PolynomialQuenching.coherent_csi_2021().nominal
    assert csi.T_nr(float(csi(0.02))) == pytest.approx(0.02, rel=1e-12)
    # a table: through its nodes, strictly increasing between them (PCHIP), (0, 0)
    # put in front, refused beyond its last node
    tab = TabulatedQuenching([0.005, 0.01, 0.03, 0.06], [3e-4, 8e-4, 2.5e-3, 6e-3])
    assert tab.T_nr_MeV[0] == 0.0 and tab.E_ee_MeV[0] == 0.0
    np.testing.assert_allclose(tab([0.005, 0.01, 0.03, 0.06]), [3e-4, 8e-4, 2.5e-3, 6e-3],
                               rtol=1e-15)
    fine = np.asarray(tab(np.linspace(0.0, 0.06, 6001)))
    assert np.all(np.diff(fine) > 0.0)
    with pytest.raises(ValueError, match=r"T_nr_MeV = 0\.07 MeV \(index 0\) is beyond"):
        tab(0.07)
    with pytest.raises(ValueError, match=r"E_ee_MeV\[0\] must be > 0"):
        TabulatedQuenching([0.01, 0.02], [0.0, 1e-3])
    with pytest.raises(ValueError, match=r"same length"):
        TabulatedQuenching([0.0, 0.01, 0.02], [0.0, 1e-3])
    assert tab == TabulatedQuenching([0.0, 0.005, 0.01, 0.03, 0.06],
                                     [0.0, 3e-4, 8e-4, 2.5e-3, 6e-3])


def test_resolution_presets() -> None:
    g = GaussianEnergy.from_noise_and_fano(0.2, fano=0.11, pair_energy_eV=2.96)
    assert g.sigma0_keV == pytest.approx(0.2 / (2 * math.sqrt(2 * math.log(2))), rel=1e-15)
    assert g.sigma1**2 == pytest.approx(0.11 * 2.96e-3, rel=1e-14)
    assert GaussianEnergy.coherent_ar_2020().sigma1 == 0.58
    assert PoissonPE.coherent_csi_2017().light_yield_pe_per_keV == 13.348
    # the gamma model's kernel parameter: b / Y per PE, with its own or a given Y
    assert GammaPE().kernel_params().p1 == pytest.approx(0.0749 * 9.56, rel=1e-15)
    assert GammaPE().kernel_params(12.0).p1 == pytest.approx(9.56 / 12.0, rel=1e-15)
    assert _csi_2021(light_yield_pe_per_keV=12.0).light_yield == 12.0
    keV = Response(0.1, GaussianEnergy(1.0), None, [0.0, 1.0])
    assert keV.observable == "keVee" and keV.light_yield is None
    np.testing.assert_allclose(keV.mean([0.01]), [1.0], rtol=1e-15)


@pytest.mark.parametrize("x1", [1e-300, 2.22507386e-309, 1e-320, 5e-324])
def test_gamma_response_with_a_subnormal_piece(backend: str, x1: float) -> None:
    """A piece of the efficiency grid of subnormal width at 0 (scipy's gammainc is 0
    there, so the twin takes the series): the exponential density (Gamma, k = 1) over
    [0, 1] with eps rising to 1 at x1 and falling to 0 at 0.5 gives
    int_0^0.5 (1 - 2x) e^-x dx, computed with mpmath."""
    res = _records.ResolutionParams(_records.RES_GAMMA, 0.0)
    gx = np.array([0.0, x1, 0.5, 1.0])
    geps = np.array([0.0, 1.0, 0.0, 0.0])
    out = np.empty(1)
    _backend.kernels().response_matrix(np.array([1.0]), res, gx, geps, np.array([0.0, 1.0]),
                                       out)
    want = float(mp.quad(lambda x: (1 - 2 * x) * mp.exp(-x), [0, 0.5]))
    assert out[0] == pytest.approx(want, rel=1e-13)
