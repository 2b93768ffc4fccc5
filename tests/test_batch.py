"""Batch API: every point equals the scalar public API; thread-count independence;
bad input."""

from __future__ import annotations

import numpy as np
import pytest

import coherency as coh
from coherency import batch, sources
from coherency.form_factors import resolve

# Same energy rule, panels and nodes as the scalar API; only the association of a
# few products differs, so agreement is to rounding (issue 7: 1e-12 relative).
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
    # event_rate integrates dN/dT instead (another quadrature): issue 4's 1e-8
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
        (dict(sin2_theta_w=0.7), ValueError, "sin2_theta_w"),
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
    """folded_sigma and cheb_eval (the kernels under the rates) against their twins."""
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    from coherency import _kernels, _reference
    from coherency.cross_sections import GL_W, GL_X, kernel_spec

    rng = np.random.default_rng(3)
    coef = rng.normal(size=5 * 9)
    row = rng.integers(0, 5, 1000)
    y = rng.uniform(-1.0, 1.0, 1000)
    a, b = np.empty(1000), np.empty(1000)
    _kernels.cheb_eval(coef, 9, row, y, a)
    _reference.cheb_eval(coef, 9, row, y, b)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)
    with pytest.raises(ValueError, match="row"):
        _kernels.cheb_eval(coef, 9, np.array([5]), y[:1], a[:1])

    xe = coh.nucleus("Xe132")
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
