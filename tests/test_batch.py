"""Batch API: every point equals the scalar public API; thread-count independence;
bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import coherency as coh
from coherency import _flux_moments, _quadrature, _validation, batch, sources
from coherency._records import FormFactorPair, FormFactorParams
from coherency.form_factors import resolve

# The batch API integrates in the other order (q outside, E inside) on its own grid;
# both orders converge to ~1e-13 on these cases (measured worst 3e-13 over every
# source kind, three form-factor models and thresholds up to 15 keV; see the
# module notes of coherency.batch), so the two agree to 1e-12.
RTOL = 1e-12

# a per-second flux (the preset with its live time), so run times apply
DAR = sources.PionDAR.coherent_csi_2017(exposure_time_s=308.1 * 86400.0)
REACTOR = sources.Reactor(power_GW=2.9, distance_m=28.0)


def _scalar_sigma(src, target, scale=1.0, s2=None, T=0.0, ff="helm"):
    """Scalar API at one batch point: radius_fm = scale * R0 per nucleus."""
    tgt = coh.target(target) if isinstance(target, str) else target
    eps = None if s2 is None else 1.0 - 4.0 * s2
    total = 0.0
    for nuc, frac in tgt.components:
        ffs = batch.scaled_form_factors(resolve(ff), nuc.A, scale)
        total += frac * coh.flux_averaged_sigma(src, nuc, T_min=T, form_factor=ffs, epsilon=eps)
    return total


@pytest.mark.parametrize("target", ["CsI", "Ar40", "Ge"])
def test_radius_threshold_grid_matches_scalar(backend: str, target: str) -> None:
    scale = np.array([0.7, 1.0, 1.35])[:, None]
    T = np.array([0.0, 2e-3, 1.5e-2])[None, :]
    got = coh.batch_flux_averaged_sigma(DAR, target, radius_scale=scale, T_min=T)
    assert got.shape == (3, 3)
    for i in range(3):
        for j in range(3):
            want = _scalar_sigma(DAR, target, scale[i, 0], T=T[0, j])
            assert got[i, j] == pytest.approx(want, rel=RTOL, abs=0)


def test_sin2_theta_w_matches_scalar(backend: str) -> None:
    s2 = np.linspace(0.2, 0.26, 4)
    got = coh.batch_flux_averaged_sigma(DAR, "CsI", sin2_theta_w=s2, T_min=5e-3)
    for g, x in zip(got, s2):
        want = coh.flux_averaged_sigma(DAR, "CsI", T_min=5e-3, epsilon=1.0 - 4.0 * x)
        assert g == pytest.approx(want, rel=RTOL, abs=0)


def test_scalar_default_is_float_and_equals_api(backend: str) -> None:
    got = coh.batch_flux_averaged_sigma(DAR, "CsI")
    assert isinstance(got, float)
    assert got == pytest.approx(coh.flux_averaged_sigma(DAR, "CsI"), rel=RTOL, abs=0)


def test_neutron_skin_and_other_models(backend: str) -> None:
    xe = coh.nucleus("Xe132")
    skin = coh.form_factors.NuclearFormFactors.with_neutron_skin(
        coh.form_factors.Helm(), xe.A, 0.3)
    for ff in (skin, "klein-nystrand", "symmetrized-fermi"):
        got = coh.batch_flux_averaged_sigma(REACTOR, xe, radius_scale=[0.8, 1.2],
                                            sin2_theta_w=0.22, form_factor=ff)
        for g, sc in zip(got, (0.8, 1.2)):
            ffs = batch.scaled_form_factors(resolve(ff), xe.A, sc)
            want = coh.flux_averaged_sigma(REACTOR, xe, form_factor=ffs, epsilon=1 - 4 * 0.22)
            assert g == pytest.approx(want, rel=RTOL, abs=0)


def test_alpha_is_gamma_qm_weighted(backend: str) -> None:
    ar = coh.nucleus("Ar40")
    alpha = np.array([0.0, 0.3, 1.0])
    got = coh.batch_flux_averaged_sigma(DAR, ar, alpha=alpha, T_min=1e-3)
    unity = coh.flux_averaged_sigma(DAR, ar, T_min=1e-3, form_factor="unity")
    coherent = coh.gamma_qm(1.0, ar)
    for g, a in zip(got, alpha):
        assert g == pytest.approx(unity * coh.gamma_qm(a, ar) / coherent, rel=RTOL, abs=0)


def test_event_counts(backend: str) -> None:
    tgt = coh.target("CsI")
    T_lo, T_hi = 5e-3, 2e-2
    got = coh.batch_event_counts(DAR, tgt, 14.6, 3.0e7, T_min=[T_lo, 0.0], T_max=T_hi)
    # exact identity with the folded cross sections of the scalar API
    per_kg = dict((n, k) for n, k in tgt.component_nuclei_per_kg())
    want = [14.6 * 3.0e7 * sum(
        per_kg[n] * DAR.total_flux * (coh.flux_averaged_sigma(DAR, n, T_min=lo)
                                      - coh.flux_averaged_sigma(DAR, n, T_min=T_hi))
        for n, _ in tgt.components) for lo in (T_lo, 0.0)]
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=0)
    # event_rate integrates dN/dT instead (another quadrature): to the rate accuracy of 1e-8
    rate = coh.event_rate(DAR, tgt, 14.6, 3.0e7, T_min=T_lo, T_max=T_hi)
    assert got[0] == pytest.approx(rate, rel=1e-8)


def test_thread_count_independent() -> None:
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    scale = np.linspace(0.8, 1.2, 37)
    T = np.linspace(0.0, 1e-2, 3)[:, None]
    ref = coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=scale, T_min=T)
    for nt in (2, 3, 8):
        got = coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=scale, T_min=T,
                                            n_threads=nt)
        assert np.array_equal(got, ref)


def test_compiled_equals_twin() -> None:
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    kw = dict(radius_scale=[0.9, 1.1], T_min=[[0.0], [4e-3]])
    with coh.use_backend("compiled"):
        a = coh.batch_flux_averaged_sigma(REACTOR, "Ge", **kw)
    with coh.use_backend("numpy"):
        b = coh.batch_flux_averaged_sigma(REACTOR, "Ge", **kw)
    # same nodes; libmvec vs scipy Bessel functions differ by a few ulp per node
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        (dict(radius_scale=-1.0), ValueError, "radius_scale"),
        (dict(alpha=1.5), ValueError, "alpha"),
        (dict(sin2_theta_w=1.5), ValueError, "sin2_theta_w"),
        (dict(T_min=[-1.0]), ValueError, "T_min"),
        (dict(alpha=0.5, radius_scale=1.1), ValueError, "radius_scale"),
        (dict(radius_scale=[1.0, 1.1], T_min=[0.0, 1e-3, 2e-3]), ValueError, "broadcast"),
        (dict(n_threads=0), ValueError, "n_threads"),
        (dict(n_threads=1.5), TypeError, "n_threads"),
        (dict(form_factor=lambda q: np.ones_like(q)), TypeError, "callable"),
    ],
)
def test_bad_input(kwargs, err, match: str) -> None:
    with pytest.raises(err, match=match):
        coh.batch_flux_averaged_sigma(DAR, "CsI", **kwargs)


def test_empty_and_out_of_reach(backend: str) -> None:
    assert coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=[]).shape == (0,)
    got = coh.batch_flux_averaged_sigma(DAR, "CsI", T_min=[0.0, 1.0])
    assert got[1] == 0.0 and got[0] > 0.0


def test_bad_window() -> None:
    with pytest.raises(ValueError, match="T_max"):
        coh.batch_event_counts(DAR, "CsI", 1.0, 1.0, T_min=0.02, T_max=0.01)


def test_rate_kernels_compiled_equal_twin() -> None:
    """folded_sigma, cheb_moments and dn_dq2 (the kernels under the rates) against
    their twins; the moments on real source models, at breakpoints, below and above
    them, on 1 and 3 threads."""
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    from coherency import _kernels, _reference
    from coherency.cross_sections import GL_W, GL_X, kernel_spec

    rng = np.random.default_rng(3)
    xe = coh.nucleus("Xe132")
    for src in (DAR, sources.Reactor(power_GW=2.9, distance_m=28.0), sources.Solar()):
        model = _flux_moments.cheb_model(src)["kernel"]
        bps, tail0 = model.bps, model.below0
        x = np.concatenate([rng.uniform(0.0, 1.2 * bps[-1], 3000), bps, [0.0, 2 * bps[-1]]])
        out = {}
        for name, kern, nt in (("c1", _kernels, 1), ("c3", _kernels, 3), ("twin", _reference, 1)):
            F0, F2, redo = np.empty(x.size), np.empty(x.size), np.empty(x.size, dtype=np.uint8)
            kern.cheb_moments(model, x, F0, F2, redo, nt)
            out[name] = (F0, F2, redo)
        for got, want in zip(out["c1"], out["c3"]):
            assert np.array_equal(got, want)  # thread count changes no bit
        np.testing.assert_array_equal(out["c1"][2], out["twin"][2])
        for got, want in zip(out["c1"][:2], out["twin"][:2]):
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14 * float(np.max(want)))
        assert np.all(out["c1"][0][x >= bps[-1]] == 0.0)
        assert np.all(out["c1"][0][x < bps[0]] == tail0)

        # dn_dq2: the fused recoil-spectrum pass, with lines, clipping and accumulation
        lines = np.array([(e, f, f / e**2) for e, f in src.lines]).reshape(-1, 3).T.copy()
        T = np.concatenate([rng.uniform(0.0, 0.05, 2000), [0.0, 1.0]])
        for ff in ("helm", "symmetrized-fermi"):
            spec = kernel_spec(xe, resolve(ff), 0.0457)
            args = (model, *lines, spec, T, 2.0 * xe.mass, 0.03, 1.7)
            res = {}
            for name, kern, nt in (("c1", _kernels, 1), ("c3", _kernels, 3),
                                   ("twin", _reference, 1)):
                acc = np.full(T.size, 2.0)
                redo = np.empty(T.size, dtype=np.uint8)
                kern.dn_dq2(*args, acc, redo, True, nt)
                res[name] = (acc, redo)
            assert np.array_equal(res["c1"][0], res["c3"][0])
            np.testing.assert_array_equal(res["c1"][1], res["twin"][1])
            np.testing.assert_allclose(res["c1"][0], res["twin"][0], rtol=1e-13)
            # the same numbers as the numpy pipeline of the rates; nothing added where
            # the kernel asks for a redo
            got, redo = res["c1"][0], res["c1"][1].astype(bool)
            want = 2.0 + 1.7 * coh.rates._dN_dq2_numpy(
                src, 2.0 * xe.mass * np.minimum(T, 0.03), xe, resolve(ff), 0.0457)
            np.testing.assert_allclose(got[~redo], want[~redo], rtol=1e-13)
            assert np.all(got[redo] == 2.0) and redo.sum() < T.size // 10
    a = np.empty(1)
    one = np.empty(1, dtype=np.uint8)
    for kern in (_kernels, _reference):
        with pytest.raises(ValueError, match="same length"):
            kern.cheb_moments(model, x[:2], a, a, one)
        with pytest.raises(ValueError, match="every piece"):
            kern.cheb_moments(dataclasses.replace(model, n_coef=7), x[:1], a, a, one)
    # value checks live in coherency._validation, for both backends
    with pytest.raises(ValueError, match="every piece"):
        _validation.check_flux_model(dataclasses.replace(model, n_coef=7))
    with pytest.raises(ValueError, match="bps must be increasing"):
        _validation.check_flux_model(dataclasses.replace(model, bps=model.bps[::-1].copy()))
    with pytest.raises(ValueError, match="v must be >= 0"):
        _validation.as_float_array(np.array([-1.0]), "v", min_value=0.0)

    E = np.linspace(0.5, 120.0, 77)
    w = rng.uniform(0.0, 1.0, E.size)
    for ff in ("helm", "symmetrized-fermi"):
        ffs = resolve(ff)
        spec = kernel_spec(xe, ffs, 0.0457)
        panel = coh.cross_sections._panel_dq(ffs, xe.A)
        for q2_min in (0.0, 400.0):
            got = _kernels.folded_sigma(E, w, q2_min, spec, panel, GL_X, GL_W)
            want = _reference.folded_sigma(E, w, q2_min, spec, panel, GL_X, GL_W)
            assert got == pytest.approx(want, rel=1e-13)


SOURCE_KINDS = {
    "DAR": DAR,
    "reactor": REACTOR,
    "8B": sources.Solar(("8B",)),
    "solar lines": sources.Solar(("7Be", "pep", "pp")),
    "atmospheric": sources.Atmospheric(),
    "supernova": sources.Supernova(),
    "table": sources.Tabulated(np.linspace(1.0, 60.0, 40),
                               np.exp(-np.linspace(1.0, 60.0, 40) / 15)),
    "cubic": sources.Tabulated(np.linspace(1.0, 60.0, 12), np.exp(-np.linspace(1.0, 60.0, 12) / 15),
                               kind="cubic"),
    "line": sources.Monochromatic(30.0, 1e7),
}


@pytest.fixture
def fine_energy_rule(monkeypatch: pytest.MonkeyPatch):
    """The scalar API with a 96-node energy rule per interval (twice the default): the
    reference for the batch. The default 48 nodes leave up to 1e-9 on a lone pp
    spectrum (its beta+ end point is not a power law) and 2e-10 in the hep tail."""
    x, w = np.polynomial.legendre.leggauss(96)
    monkeypatch.setattr(_quadrature, "E_GL_X", x)
    monkeypatch.setattr(_quadrature, "E_GL_W", w)
    coh.clear_caches()
    yield
    monkeypatch.undo()
    coh.clear_caches()


@pytest.mark.filterwarnings("ignore::coherency.KinematicReachWarning")  # zeros on purpose
@pytest.mark.parametrize("name", sorted(SOURCE_KINDS))
def test_every_source_kind_matches_scalar(name: str, fine_energy_rule: None) -> None:
    """q-outer (batch) and E-outer (scalar API) orders agree for every kind of source:
    continua with end points, lines, tables, a fluence, decades-wide spectra."""
    src = SOURCE_KINDS[name]
    scale = np.array([0.8, 1.25])[:, None]
    T = np.array([0.0, 1e-4, 2e-3])[None, :]
    for target in ("CsI", "Ar40"):
        got = coh.batch_flux_averaged_sigma(src, target, radius_scale=scale, T_min=T)
        for i in range(2):
            for j in range(3):
                want = _scalar_sigma(src, target, scale[i, 0], T=T[0, j])
                if want == 0.0:
                    assert got[i, j] == 0.0
                else:
                    assert got[i, j] == pytest.approx(want, rel=RTOL, abs=0)


def test_deep_tail_more_accurate_than_scalar_rule() -> None:
    """Solar hep tail on Ar above 15 keV (3e-8 of the total) and a lone pp spectrum:
    the batch agrees with the 96-node rule to 1e-12 (the default 48-node scalar rule is
    7e-11 and 1e-9 off there)."""

    cases = [(sources.Solar(), 0.015), (sources.Solar(("pp",)), 0.0)]
    ar = coh.nucleus("Ar40")
    got = [coh.batch_flux_averaged_sigma(src, ar, T_min=T) for src, T in cases]
    saved = _quadrature.E_GL_X, _quadrature.E_GL_W
    _quadrature.E_GL_X, _quadrature.E_GL_W = np.polynomial.legendre.leggauss(96)
    coh.clear_caches()
    try:
        fine = [coh.flux_averaged_sigma(src, ar, T_min=T) for src, T in cases]
    finally:
        _quadrature.E_GL_X, _quadrature.E_GL_W = saved
        coh.clear_caches()
    for g, f in zip(got, fine):
        assert g == pytest.approx(f, rel=1e-12, abs=0)


def test_threshold_scan_thread_independent_and_twin() -> None:
    """Many thresholds at a few radii: the partial panels, batched four at a time in C."""
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    scale = np.repeat([0.9, 1.0, 1.1], 700)
    T = np.tile(np.linspace(0.0, 0.03, 700), 3)
    with coh.use_backend("compiled"):
        ref = coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=scale, T_min=T)
        for nt in (2, 3):
            got = coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=scale, T_min=T,
                                                n_threads=nt)
            assert np.array_equal(got, ref)
    with coh.use_backend("numpy"):
        twin = coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=scale, T_min=T)
    np.testing.assert_allclose(ref, twin, rtol=1e-13, atol=0)
    assert np.all(np.diff(ref[:700]) <= 0)  # counts fall with the threshold
    for i in (0, 351, 699, 1400, 2099):
        assert ref[i] == pytest.approx(_scalar_sigma(DAR, "CsI", scale[i], T=T[i]),
                                       rel=RTOL, abs=0)


def _grid_args():
    from coherency.batch import _qgrid

    xe = coh.nucleus("Xe132")
    g = _qgrid(DAR, float(xe.mass), 5.0, 40.0)
    return xe, g, g.gl_x, g.gl_w


def test_qgrid_kernel_compiled_equals_twin() -> None:
    """The kernel on its own: thresholds below, on and between edges and above the
    top, runs of equal lengths, unequal proton/neutron models."""
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    from coherency import _kernels, _reference

    xe, g, gl_x, gl_w = _grid_args()
    e = g.edges
    q_lo = np.array([0.0, e[0], e[1], 0.5 * (e[1] + e[2]), e[-1], e[-1] + 1.0,
                     np.nextafter(e[-1], 0.0), 20.0, 21.0, 22.0, 23.0, 24.0])
    p1z = np.repeat([0.02, 0.025, 0.03], 4)
    p1n = p1z * 1.05
    helm, fermi = FormFactorParams(1, 0.0, 0.0046), FormFactorParams(3, 0.0, 0.003)
    for ff in (FormFactorPair(float(xe.mass), helm, helm),
               FormFactorPair(float(xe.mass), helm, fermi)):
        a = np.empty(3 * q_lo.size)
        b = np.empty(3 * q_lo.size)
        _kernels.qgrid_moments(g, ff, p1z, p1n, q_lo, a)
        _reference.qgrid_moments(g, ff, p1z, p1n, q_lo, b)
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-300)
        m = a.reshape(-1, 3)
        assert np.all(m[4:6] == 0.0)  # at or above the top: nothing left
        assert np.all(m[6] > 0) and np.all(m[6] < 1e-6 * m[7])
        # below the grid's first edge counts from that edge
        assert np.array_equal(m[0], m[1])


@pytest.mark.parametrize("impl", ["compiled", "numpy"])
def test_qgrid_kernel_rejects_bad_input(impl: str) -> None:
    if impl == "compiled" and not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    from coherency import _kernels, _reference

    kern = _kernels if impl == "compiled" else _reference
    xe, g, gl_x, gl_w = _grid_args()
    helm = FormFactorParams(1, 0.0, 0.0046)
    ff = FormFactorPair(float(xe.mass), helm, helm)
    one = np.array([0.02])
    args = [g, ff, one, one, np.array([1.0]), np.empty(3)]
    kern.qgrid_moments(*args)
    for k, bad, err, match in [
        (0, dataclasses.replace(g, node_q=g.node_q[:-1].copy()), ValueError, "node_q"),
        (0, dataclasses.replace(g, cheb=g.cheb[:-1].copy()), ValueError, "cheb"),
        (0, dataclasses.replace(g, gl_x=np.empty(0), gl_w=np.empty(0)), RuntimeError,
         "quadrature rule"),
        (2, np.array([-1.0]), RuntimeError, "domain"),
        (3, np.array([0.02, 0.02]), ValueError, "p1n"),
        (1, FormFactorPair(1.0, FormFactorParams(9, 0.0, 0.0), helm), RuntimeError, "model"),
        (5, np.empty(4), ValueError, "out"),
    ]:
        call = list(args)
        call[k] = bad
        with pytest.raises(err, match=match):
            kern.qgrid_moments(*call)
    # value checks live in coherency._validation, for both backends
    with pytest.raises(ValueError, match="edges"):
        _validation.check_qgrid(dataclasses.replace(g, edges=g.edges[::-1].copy()))
    with pytest.raises(ValueError, match="node_q"):
        _validation.check_qgrid(dataclasses.replace(g, node_q=g.node_q[:-1].copy()))
    with pytest.raises(ValueError, match="q_lo"):
        _validation.as_float_array(np.array([np.nan]), "q_lo", min_value=0.0)


def test_batch_combine_kernel_compiled_equals_twin() -> None:
    """The parameter-axis kernel on every path: rows per point or one row, s2 and alpha
    absent, one value or one per point; and its formula, Q_W^2 = (epsilon Z - N)^2 and
    Gamma_QM(alpha) of Sharma & Wong Eq. 3, rebuilt from the moments of one nucleus."""
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    from coherency import _kernels, _reference

    rng = np.random.default_rng(7)
    n = 257
    coef = rng.uniform(0.5, 2.0, 5 * 5)
    none = np.empty(0)
    rows = rng.integers(0, 5, n)
    s2s = (none, np.array([0.23]), rng.uniform(0.2, 0.26, n))
    alphas = (none, np.array([0.4]), rng.uniform(0.0, 1.0, n))
    for which in (np.empty(0, dtype=np.int64), rows):
        for s2 in s2s:
            for alpha in alphas:
                args = (coef, which, s2, 0.0457, alpha)
                a = np.full(n, 0.5)
                b = np.full(n, 0.5)
                _kernels.batch_combine(*args, a, True, 2)
                _reference.batch_combine(*args, b)
                np.testing.assert_allclose(a, b, rtol=1e-15, atol=0)
                _kernels.batch_combine(*args, a, False, 2)  # overwrite: no 0.5 left
                _reference.batch_combine(*args, b, add=False)
                np.testing.assert_allclose(a, b, rtol=1e-15, atol=0)
                np.testing.assert_allclose(a + 0.5, np.full(n, 0.5) + b, rtol=1e-15)
    # one nucleus (Z, N) with moments m_zz, m_zn, m_nn
    Z, N, (mzz, mzn, mnn) = 55.0, 78.0, (1.3, 0.9, 0.7)
    row = np.array([Z * Z * mzz, 2 * Z * N * mzn, N * N * mnn, Z * mzz, N * mnn])
    s2 = rng.uniform(0.2, 0.26, n)
    alpha = rng.uniform(0.0, 1.0, n)
    eps = 1.0 - 4.0 * s2
    for kern in (_kernels, _reference):
        out = np.zeros(n)
        kern.batch_combine(row, none.astype(np.int64), s2, 0.0457, none, out)
        want = (eps * Z) ** 2 * mzz - 2 * eps * Z * N * mzn + N * N * mnn
        np.testing.assert_allclose(out, want, rtol=1e-14)
        out = np.zeros(n)
        kern.batch_combine(row, none.astype(np.int64), s2, 0.0457, alpha, out)
        want = alpha * want + (1 - alpha) * (eps * eps * Z * mzz + N * mnn)
        np.testing.assert_allclose(out, want, rtol=1e-14)
    for kern in (_kernels, _reference):
        with pytest.raises(RuntimeError, match="which"):  # out of bounds: refused in C
            kern.batch_combine(coef, np.array([5]), none, 0.0457, none, np.zeros(1))
    with pytest.raises(ValueError, match=r"which must be in \[0, 5\); got 5 at index 0"):
        _validation.check_rows(np.array([5]), 5)
        with pytest.raises(ValueError, match="alpha"):
            kern.batch_combine(coef, rows[:2], none, 0.0457, np.ones(3), np.zeros(2))
        with pytest.raises(ValueError, match="coef"):
            kern.batch_combine(coef[:7], none.astype(np.int64), none, 0.0457, none,
                               np.zeros(2))


def test_moments_to_coef_kernel_compiled_equals_twin() -> None:
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    from coherency import _kernels, _reference

    rng = np.random.default_rng(11)
    for n_rows in (1, 7, 5000):
        m = rng.uniform(0.1, 2.0, 3 * n_rows)
        factors = rng.uniform(-3.0, 3.0, 5)
        start = rng.normal(size=5 * n_rows)
        for add in (False, True):
            got = {}
            for name, kern, nt in (("c1", _kernels, 1), ("c2", _kernels, 2),
                                   ("twin", _reference, 1)):
                coef = start.copy()
                kern.moments_to_coef(m, factors, coef, add, nt)
                got[name] = coef
            assert np.array_equal(got["c1"], got["c2"])
            assert np.array_equal(got["c1"], got["twin"])  # one product (and sum) each
            rows = m.reshape(-1, 3)
            want = rows[:, [0, 1, 2, 0, 2]] * factors + (start.reshape(-1, 5) if add else 0.0)
            np.testing.assert_allclose(got["c1"].reshape(-1, 5), want, rtol=1e-15)
    for kern in (_kernels, _reference):
        with pytest.raises(ValueError, match="rows of 3"):
            kern.moments_to_coef(np.ones(4), np.ones(5), np.empty(5))
        with pytest.raises(ValueError, match="factors"):
            kern.moments_to_coef(np.ones(3), np.ones(4), np.empty(5))
        with pytest.raises(ValueError, match="coef"):
            kern.moments_to_coef(np.ones(6), np.ones(5), np.empty(5))


def test_scan_order_does_not_matter() -> None:
    """An increasing scan (each point its own row), the same scan reversed and shuffled
    (rows found by np.unique) give the same numbers, bit for bit."""
    scale = np.linspace(0.8, 1.2, 301)
    T = np.linspace(0.0, 0.02, 301)
    perm = np.random.default_rng(5).permutation(scale.size)
    for kw in ({"radius_scale": scale}, {"T_min": T}):
        (key, values), = kw.items()
        up = coh.batch_flux_averaged_sigma(DAR, "CsI", **kw)
        down = coh.batch_flux_averaged_sigma(DAR, "CsI", **{key: values[::-1]})
        mixed = coh.batch_flux_averaged_sigma(DAR, "CsI", **{key: values[perm]})
        assert np.array_equal(up, down[::-1])
        assert np.array_equal(up[perm], mixed)
    # a grid in order (rows lexicographically increasing), transposed, and shuffled
    s2, T2 = np.meshgrid(np.linspace(0.8, 1.2, 17), np.linspace(0.0, 0.01, 13), indexing="ij")
    grid = coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=s2, T_min=T2)
    tr = coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=s2.T, T_min=T2.T)
    perm = np.random.default_rng(6).permutation(s2.size)
    mixed = coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=s2.reshape(-1)[perm],
                                          T_min=T2.reshape(-1)[perm])
    assert np.array_equal(grid, tr.T)
    assert np.array_equal(grid.reshape(-1)[perm], mixed)


def test_source_with_nan_flux_is_refused() -> None:
    """A user source whose flux is NaN somewhere: a clear error, not NaN counts or an
    endless refinement of the q grid."""
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class Broken(sources.Tabulated):
        def _continuum(self, E):
            out = super()._continuum(E)
            return np.where(E > 20.0, np.nan, out)

    src = Broken(np.linspace(1.0, 40.0, 5), np.ones(5))
    with pytest.raises(ValueError, match="not finite"):
        coh.batch_flux_averaged_sigma(src, "Ar40", radius_scale=[0.9, 1.1])


def _long_table(n: int) -> sources.Tabulated:
    E = np.linspace(0.0, 10.0, n)
    return sources.Tabulated(E, np.asarray(REACTOR.flux(E)))


def test_long_linear_table_grid_does_not_grow_with_the_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A 6001-knot reactor table: the q grid is cut at the table's ends only (the
    refinement resolves the knots inside), so it has tens of panels instead of one per
    knot, and gives the values of the grid cut at every knot to 1e-13."""
    src = _long_table(6001)
    mass = coh.nucleus("Ge74").mass
    assert batch._qgrid(src, mass, 0.0, 1.0).edges.size - 1 < 200
    every_knot = batch._qgrid_build(src, mass, 0.0, 1.0, [float(e) for e in src.breakpoints])
    assert every_knot is not None and every_knot.edges.size - 1 >= 6000
    scale = np.array([0.9, 1.0, 1.1])
    got = coh.batch_flux_averaged_sigma(src, "Ge", radius_scale=scale, T_min=1e-4)
    monkeypatch.setattr(batch, "linear_table", lambda source: None)  # cut at every knot
    coh.clear_caches()
    want = coh.batch_flux_averaged_sigma(src, "Ge", radius_scale=scale, T_min=1e-4)
    monkeypatch.undo()
    coh.clear_caches()
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


def test_coarse_table_grid_is_cut_at_every_knot() -> None:
    """A 21-knot table has kinks the refinement would resolve with more panels than
    the table has knots: its grid is cut at every knot image instead."""
    src = _long_table(21)
    mass = coh.nucleus("Ar40").mass
    assert batch._qgrid_build(src, mass, 0.0, 0.0, [0.0, 10.0], budget=21) is None
    grid = batch._qgrid(src, mass, 0.0, 0.0)
    q_knots = np.sqrt(coh.q2_max(np.linspace(0.5, 10.0, 20), mass))
    assert np.all(np.min(np.abs(grid.edges[:, None] - q_knots[None, :]), axis=0)
                  <= 1e-12 * q_knots)  # every knot image is a panel edge
