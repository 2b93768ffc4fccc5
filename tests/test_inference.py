"""The likelihood layer (coherency.inference): Poisson deviance, template morphing,
fits and profiles against analytic results and scipy; the fast signal model against
the experiment presets; the release readers against malformed files."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from coherency import experiments
from coherency.data import release_dir
from coherency.data.coherent_ar_2020 import read_ar_2020
from coherency.data.coherent_csi_2021 import bin_events, integrate_binned, read_csi_2021
from coherency.experiments.coherent_csi_2021 import timing_efficiency, timing_efficiency_mean
from coherency.form_factors import Helm, MeasuredRadius
from coherency.inference import (
    BinnedLikelihood,
    CEvNSSignal,
    FitError,
    Parameter,
    ShapeVariant,
    fit,
    morph,
    poisson_deviance,
    profile,
    profile_on_off,
)
from coherency.rates import recoil_spectrum

# ---- Poisson deviance and constraints -----------------------------------------------


def test_deviance_is_the_poisson_log_likelihood_ratio() -> None:
    rng = np.random.default_rng(1)
    n = rng.poisson(5.0, 200).astype(float)
    mu = rng.uniform(0.1, 20.0, 200)
    ref = -2.0 * np.sum(stats.poisson.logpmf(n, mu) - stats.poisson.logpmf(n, n))
    # a sum of 200 terms of size ~10: rounding of a few ulp each
    assert poisson_deviance(n, mu) == pytest.approx(ref, rel=1e-12)
    assert poisson_deviance(n, n) == 0.0
    # mu <= 0 where events are seen: a large finite penalty, not nan or inf
    assert np.isfinite(poisson_deviance([3.0], [0.0])) and poisson_deviance([3.0], [0.0]) > 1e3


def test_parameter_and_likelihood_validation() -> None:
    with pytest.raises(ValueError, match="identifier"):
        Parameter("bad name", 1.0)
    with pytest.raises(ValueError, match="limits"):
        Parameter("a", 1.0, (2.0, 0.0))
    with pytest.raises(ValueError, match="within its limits"):
        Parameter("a", 5.0, (0.0, 1.0))
    with pytest.raises(ValueError, match="sigma"):
        Parameter("a", 1.0, sigma=0.0)
    p = [Parameter("s", 1.0, (0.0, 10.0))]

    def model(v, obs):  # type: ignore[no-untyped-def]
        return {"on": np.array([v["s"]])}

    with pytest.raises(ValueError, match="duplicate"):
        BinnedLikelihood((*p, *p), {"on": [1.0]}, model)
    with pytest.raises(ValueError, match="poi"):
        BinnedLikelihood(p, {"on": [1.0]}, model, poi="mu")
    with pytest.raises(ValueError, match="observed"):
        BinnedLikelihood(p, {"on": [-1.0]}, model)
    lk = BinnedLikelihood(p, {"on": [1.0, 2.0]}, model)
    with pytest.raises(ValueError, match="shape"):
        lk.nll({"s": 1.0})
    lk_nan = BinnedLikelihood(p, {"on": [1.0]}, lambda v, o: {"on": np.array([np.nan])})
    with pytest.raises(ValueError, match="non-finite"):
        lk_nan.nll({"s": 1.0})
    with pytest.raises(ValueError, match="unknown parameter"):
        lk.fixed(mu=1.0)


# ---- template morphing --------------------------------------------------------------


def test_morph_passes_through_the_templates_and_extrapolates_linearly() -> None:
    nom, plus, minus = np.array([10.0, 4.0]), np.array([13.0, 3.0]), np.array([8.0, 6.0])
    np.testing.assert_allclose(morph(nom, plus, minus, 1.0), plus, rtol=0, atol=1e-14)
    np.testing.assert_allclose(morph(nom, plus, minus, -1.0), minus, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(morph(nom, plus, minus, 0.0), nom)
    # beyond +-1: the straight line of the nearer variant, continuous at 1
    np.testing.assert_allclose(morph(nom, plus, minus, 2.5), nom + 2.5 * (plus - nom))
    np.testing.assert_allclose(morph(nom, plus, minus, -3.0), nom + 3.0 * (minus - nom))
    # derivative continuous at theta = 0 (the parabola's slope (h+ - h-)/2 from both sides)
    eps = 1e-7
    slope = (morph(nom, plus, minus, eps) - morph(nom, plus, minus, -eps)) / (2 * eps)
    np.testing.assert_allclose(slope, (plus - minus) / 2, rtol=1e-6)
    # a one-sided variant is mirrored: linear through nominal
    np.testing.assert_allclose(morph(nom, plus, None, -0.4), nom - 0.4 * (plus - nom))
    with pytest.raises(ValueError, match="plus"):
        ShapeVariant(nom, plus[:1])


# ---- fits and profiles --------------------------------------------------------------


def _counting(n: float, b: float) -> BinnedLikelihood:
    return BinnedLikelihood([Parameter("s", 1.0, (0.0, 1e3))], {"on": [n]},
                            lambda v, obs: {"on": np.array([v["s"] + b])}, poi="s")


def test_fit_of_a_counting_experiment_against_its_analytic_answer() -> None:
    n, b = 25.0, 7.0
    r = fit(_counting(n, b), minos="poi")
    assert r.valid and r.values["s"] == pytest.approx(n - b, abs=1e-4)
    # HESSE: Var(s) = n at the minimum (d2/ds2 of -ln L = n/(s+b)^2 = 1/n)
    assert r.errors["s"] == pytest.approx(np.sqrt(n), rel=1e-3)

    def rise(s: float) -> float:
        return poisson_deviance([n], [s + b]) - 1.0

    lo = optimize.brentq(rise, 0.0, n - b)
    hi = optimize.brentq(rise, n - b, 10 * n)
    assert r.interval("s") == pytest.approx((lo, hi), abs=2e-3)


def test_profile_rises_from_zero_and_crosses_one_at_the_minos_errors() -> None:
    lk = BinnedLikelihood(
        [Parameter("s", 5.0, (0.0, 100.0)), Parameter("b", 10.0, (0.0, 100.0), sigma=2.0)],
        {"on": [30.0]}, lambda v, obs: {"on": np.array([v["s"] + v["b"]])}, poi="s")
    r = fit(lk, minos="s")
    lo, hi = r.interval("s")
    delta = profile(lk, "s", [r.values["s"], lo, hi], best=r)
    np.testing.assert_allclose(delta, [0.0, 1.0, 1.0], atol=2e-3)
    grid = np.linspace(5.0, 40.0, 8)
    d = profile(lk, "s", grid)
    assert np.all(d >= 0.0) and np.all(np.isfinite(d))


def test_a_fit_that_does_not_converge_is_flagged_or_raises() -> None:
    lk = _counting(25.0, 7.0)
    r = fit(lk, max_calls=3)
    assert not r.valid and any("MIGRAD" in m for m in r.messages)
    with pytest.raises(FitError, match="MIGRAD"):
        fit(lk, max_calls=3, raise_on_failure=True)
    with pytest.raises(ValueError, match="max_calls"):
        fit(lk, max_calls=0)
    # a parameter ending at its limit is reported
    r0 = fit(_counting(3.0, 7.0))
    assert r0.values["s"] == pytest.approx(0.0, abs=1e-6)
    assert any("at a limit" in m for m in r0.messages)


def test_on_off_profile_matches_a_numerical_minimisation() -> None:
    rng = np.random.default_rng(7)
    rows, bins = 6, 11
    base = rng.uniform(0.0, 5.0, (rows, bins))
    template = rng.uniform(0.01, 1.0, (rows, bins))
    template /= template.sum(axis=1, keepdims=True)
    n_on = rng.poisson(base + 40.0 * template).astype(float)
    n_off = rng.poisson(40.0, rows).astype(float)
    n_off[0] = 0.0  # a row without control events
    theta = profile_on_off(base, template, n_on, n_off, np.ones(rows))
    for r in range(rows):
        def f(t: float, r: int = r) -> float:
            mu = base[r] + t * template[r]
            return float(np.sum(mu - n_on[r] * np.log(mu)) + t
                         - (n_off[r] * np.log(t) if n_off[r] > 0 else 0.0))
        ref = optimize.minimize_scalar(f, bounds=(1e-12, 1e3), method="bounded",
                                       options={"xatol": 1e-10})
        assert theta[r] == pytest.approx(ref.x, rel=1e-6, abs=1e-6)


# ---- the signal model against the presets ---------------------------------------------


@pytest.mark.parametrize("name", ["coherent-csi-2021", "coherent-ar-2020", "coherent-csi-2017"])
def test_signal_at_default_parameters_is_the_preset_prediction(backend: str, name: str) -> None:
    exp = experiments.load(name)
    sig = CEvNSSignal(exp)
    # the same nodes, response and time fractions: a sum of the same terms regrouped
    np.testing.assert_allclose(sig({}), exp.predicted_spectrum(), rtol=1e-12, atol=1e-13)


def test_signal_parameters_against_direct_predictions() -> None:
    exp = experiments.load("coherent-csi-2021")
    sig = CEvNSSignal(exp, time_offset_us=0.5, q2_edges=[0.0, 3e3, 2e5])
    # arrival-time shift: the preset with the proton pulse moved (quadrature of the
    # time fractions to ~1e-7)
    shifted = dataclasses.replace(exp, timing=dataclasses.replace(
        exp.timing, mean_us=exp.timing.mean_us + 0.12))
    np.testing.assert_allclose(sig({"t_offset_us": 0.12}), shifted.predicted_spectrum(),
                               rtol=1e-6, atol=1e-6)
    # neutron radius: the preset with a Helm neutron form factor of that rms radius
    ff = (MeasuredRadius("helm", "proton"), Helm(s_fm=0.9).with_rms_radius(5.3))
    np.testing.assert_allclose(sig({"rn_fm": 5.3}), exp.predicted_spectrum(form_factor=ff),
                               rtol=1e-12)
    # xi = 1 in bins covering every recoil: complete coherency, F = 1
    np.testing.assert_allclose(sig({"xi_0": 1.0, "xi_1": 1.0}),
                               exp.predicted_spectrum(form_factor="unity"), rtol=1e-12)
    coherent, decoherent, sm = sig.q2_templates()
    np.testing.assert_allclose(coherent.sum(axis=0), exp.predicted_spectrum(
        form_factor="unity"), rtol=1e-12)
    np.testing.assert_allclose(sm.sum(axis=0), exp.predicted_spectrum(), rtol=1e-12)
    assert np.all(decoherent.sum(axis=(1, 2)) < 0.1 * coherent.sum(axis=(1, 2)))


def test_weak_mixing_angle_against_tree_level_rates() -> None:
    exp = dataclasses.replace(experiments.load("coherent-ar-2020"), couplings="tree")
    sig = CEvNSSignal(exp)
    s2 = 0.25
    T, w = exp.recoil_nodes()
    R = exp.response_matrix()
    ref = np.zeros(sig.shape)
    for flavour, part, weight in exp.source.flavour_components():
        dn = recoil_spectrum(part, exp.target, T, exp.mass_kg, exp.time_s,
                             form_factor=exp.form_factor, epsilon=1.0 - 4.0 * s2)
        ref += np.outer(R @ (w * weight * dn), exp.time_fractions(flavour))
    np.testing.assert_allclose(sig({"sin2_theta_w": s2}), ref, rtol=1e-12)


def test_decoherent_over_coherent_is_xi_dec() -> None:
    from coherency.coherence import xi_decoherent
    from coherency.targets import nucleus

    exp = dataclasses.replace(experiments.load("coherent-ar-2020"), couplings="tree",
                              target="Ar40")
    sig = CEvNSSignal(exp, q2_edges=[0.0, 2e3, 5e3, 4e4])
    A, D, _ = sig.q2_templates()
    ratio = D.sum(axis=(1, 2)) / A.sum(axis=(1, 2))
    np.testing.assert_allclose(ratio, xi_decoherent(nucleus("Ar40")), rtol=1e-12)


# ---- readers and binning ---------------------------------------------------------------


def test_timing_efficiency_mean_against_quad() -> None:
    for a, b in [(0.0, 0.125), (0.5, 0.625), (0.4, 6.0), (2.0, 4.0)]:
        ref = integrate.quad(lambda t: float(timing_efficiency(np.array(t))), a, b,
                             points=[0.52], epsabs=0, epsrel=1e-13)[0] / (b - a)
        got = timing_efficiency_mean(np.array([a]), np.array([b]))[0]
        assert got == pytest.approx(ref, rel=1e-12)


def test_binning_of_the_event_lists() -> None:
    rel = read_csi_2021()
    ev = rel.events["coincidence"]
    # the paper's region of interest: 1578 events in the coincidence window (counted
    # from the release's event list in 0-60 PE, 0-6 us)
    roi = (ev[:, 0] < 60.0) & (ev[:, 1] < 6.0)
    h = bin_events(ev, [0.0, 8, 12, 16, 20, 24, 32, 40, 50, 60], np.linspace(0.0, 6.0, 13))
    assert h.sum() == roi.sum()
    # half-open bins: an event on an edge belongs to the bin above
    np.testing.assert_array_equal(bin_events([[8.0, 0.0]], [0, 8, 16], [0, 1]), [[0], [1]])
    with pytest.raises(ValueError, match="events"):
        bin_events(np.zeros((3, 3)), [0, 1], [0, 1])
    with pytest.raises(ValueError, match="pe_edges"):
        bin_events(np.zeros((1, 2)), [1, 0], [0, 1])


def test_integrate_binned_against_a_linear_density() -> None:
    src = np.linspace(0.0, 10.0, 11)
    vals = np.ones(10)
    out = integrate_binned(src, vals, [0.25, 3.5, 10.0], weight=lambda a, b: 0.5 * (a + b))
    # weight w(x) = x on a uniform density of 1 per unit: integral of x
    np.testing.assert_allclose(out, [(3.5**2 - 0.25**2) / 2, (100 - 3.5**2) / 2])


def _copy_release(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copytree(release_dir(name), dst)
    return dst


def test_malformed_csi_2021_release(tmp_path: Path) -> None:
    d = _copy_release(tmp_path, "coherent_csi_2021")
    text = (d / "dataBeamOnC.txt").read_text().splitlines()
    text[5] = "12.5 not-a-number"
    (d / "dataBeamOnC.txt").write_text("\n".join(text) + "\n")
    with pytest.raises(ValueError, match=r"dataBeamOnC.txt line 6"):
        read_csi_2021(d)
    d2 = _copy_release(tmp_path / "b", "coherent_csi_2021")
    lines = (d2 / "brnPE.txt").read_text().splitlines()
    lines[20] = lines[20].split()[0] + " -0.5"
    (d2 / "brnPE.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"brnPE.txt line 21"):
        read_csi_2021(d2)


def test_malformed_ar_2020_release(tmp_path: Path) -> None:
    d = _copy_release(tmp_path, "coherent_ar_2020")
    lines = (d / "datanobkgsub.txt").read_text().splitlines()
    lines[3] = " ".join(lines[3].split()[:3]) + " 2.5"
    (d / "datanobkgsub.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"datanobkgsub.txt line 4.*counts"):
        read_ar_2020(d)
    d2 = _copy_release(tmp_path / "b", "coherent_ar_2020")
    lines = (d2 / "brnpdf.txt").read_text().splitlines()
    lines[10] = lines[9]  # a bin twice, another missing
    (d2 / "brnpdf.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="brnpdf.txt.*twice"):
        read_ar_2020(d2)


# ---- the hook for models beyond the Standard Model ------------------------------------


class _ProtonShift:
    """A test model: a constant shift of g_V^p for every flavour (as a vector NSI with
    up and down quarks in the ratio that leaves g_V^n alone)."""

    parameters = (Parameter("eps_p", 0.0, (-0.5, 0.5), doc="shift of g_V^p"),)

    def shift(self, values, flavour, q):  # type: ignore[no-untyped-def]
        return values.get("eps_p", 0.0), 0.0


def test_coupling_model_hook_enters_the_signal_and_the_fit() -> None:
    exp = experiments.load("coherent-csi-2021")
    sig = CEvNSSignal(exp, coupling_model=_ProtonShift())
    np.testing.assert_allclose(sig({"eps_p": 0.0}), exp.predicted_spectrum(), rtol=1e-12)
    # g_p + eps is sin^2 theta_W lowered by eps/2 (g_p = 1/2 - 2 s^2 + radiative terms)
    plain = CEvNSSignal(exp)
    np.testing.assert_allclose(sig({"eps_p": 0.01}), plain({"sin2_theta_w": 0.23857 - 0.005}),
                               rtol=1e-12)
    # the model's parameter fitted like any physics parameter: the same data give
    # eps_p = 2 (0.23857 - sin^2 theta_W) of the weak-mixing-angle fit
    res = exp.fit(physics=("eps_p",), coupling_model=_ProtonShift())
    s2 = exp.fit(physics=("sin2_theta_w",))
    assert res.valid and s2.valid
    assert res.values["eps_p"] == pytest.approx(2 * (0.23857 - s2.values["sin2_theta_w"]),
                                                abs=2e-4)
    lo, hi = res.intervals["eps_p"]
    assert lo < res.values["eps_p"] < hi


def test_spectrum_model_through_the_rates() -> None:
    """A model of coherency.bsm given as spectrum_model reaches the prediction through
    the rates at the recoil nodes: the signal at nominal nuisances is the preset's
    predicted_spectrum(model=...) with the same model, and zero couplings give the
    Standard Model."""
    from coherency import bsm

    class MuonNSI:
        parameters = (Parameter("eps_uu", 0.0, (-1.0, 1.0)),)

        def build(self, values):  # type: ignore[no-untyped-def]
            return bsm.NSI(eps_uV={("mu", "mu"): values.get("eps_uu", 0.0)})

    exp = experiments.load("coherent-csi-2021")
    sig = CEvNSSignal(exp, spectrum_model=MuonNSI())
    assert sig._model_route == "rates"
    want = exp.predicted_spectrum(model=bsm.NSI(eps_uV={("mu", "mu"): 0.05}))
    np.testing.assert_allclose(sig({"eps_uu": 0.05}).sum(axis=1), want.sum(axis=1),
                               rtol=1e-9)
    assert float(sig({"eps_uu": 0.05}).sum()) != pytest.approx(float(sig({}).sum()),
                                                               rel=1e-3)
    np.testing.assert_allclose(sig({"eps_uu": 0.0}), CEvNSSignal(exp)({}), rtol=1e-12)


def test_spectrum_model_through_the_experiment_prediction(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A model= object reaches the prediction through the experiment's
    predicted_spectrum when the rates do not take model= (a model the rates do not
    know); the detector and timing nuisances still act on it."""
    from coherency import rates
    from coherency.experiments import Experiment

    real = rates.recoil_spectrum

    def rates_without_model(source, target, T, *args, **kwargs):  # type: ignore[no-untyped-def]
        return real(source, target, T, *args, **kwargs)  # no model= in the signature

    monkeypatch.setattr(rates, "recoil_spectrum", rates_without_model)

    class Scaled(Experiment):
        def predicted_spectrum(self, *, model=None, **kw):  # type: ignore[no-untyped-def, override]
            s = super().predicted_spectrum(**kw)
            return s if model is None else s * (1.0 + model)

    class Model:
        parameters = (Parameter("g", 0.0, (-1.0, 1.0)),)

        def build(self, values):  # type: ignore[no-untyped-def]
            return values.get("g", 0.0)

    exp = experiments.load("coherent-csi-2021")
    scaled = Scaled(**{f.name: getattr(exp, f.name) for f in dataclasses.fields(exp)
                       if f.init})
    sig = CEvNSSignal(scaled, spectrum_model=Model(), time_offset_us=0.5)
    assert sig._model_route == "experiment"
    plain = CEvNSSignal(exp, time_offset_us=0.5)
    np.testing.assert_allclose(sig({"g": 0.2}), 1.2 * plain({}), rtol=1e-12)
    v = {"g": 0.2, "t_offset_us": 0.1}
    np.testing.assert_allclose(sig(v), 1.2 * plain(v), rtol=1e-12)

    class NoModel(Experiment):
        def predicted_spectrum(self, **kw):  # type: ignore[no-untyped-def, override]
            return super().predicted_spectrum(**kw)

    neither = NoModel(**{f.name: getattr(exp, f.name) for f in dataclasses.fields(exp)
                         if f.init})
    with pytest.raises(ValueError, match="model="):
        CEvNSSignal(neither, spectrum_model=Model())


def test_steady_state_time_shape_is_the_timing_efficiency() -> None:
    """The AC window holds steady-state events only: their arrival times must follow
    the timing efficiency (the likelihood's steady-state time shape). 3595 AC events of
    60-250 PE (outside the CEvNS region) in 0.5-us bins: a Poisson goodness of fit."""
    rel = read_csi_2021()
    t = np.linspace(0.0, 6.0, 13)
    h = bin_events(rel.events["anticoincidence"], [60.0, 250.0], t)[0]
    u = timing_efficiency_mean(t[:-1], t[1:])
    mu = h.sum() * u / u.sum()
    assert stats.chi2.sf(poisson_deviance(h, mu), h.size - 1) > 0.01
    # and a flat shape is not as good: the efficiency's 24 % fall over 6 us is seen
    flat = np.full(h.size, h.sum() / h.size)
    assert poisson_deviance(h, flat) > poisson_deviance(h, mu) + 4.0


def test_morph_is_smooth_where_the_pieces_join() -> None:
    """First and second derivatives continuous at |theta| = 1 (finite differences on
    both sides agree): MIGRAD's convergence test needs smooth second derivatives."""
    nom, plus, minus = np.array([10.0]), np.array([13.0]), np.array([8.5])
    h = 1e-4

    def d1(t: float) -> float:
        return float((morph(nom, plus, minus, t + h) - morph(nom, plus, minus, t - h))[0]
                     / (2 * h))

    def d2(t: float) -> float:
        return float((morph(nom, plus, minus, t + h) - 2 * morph(nom, plus, minus, t)
                      + morph(nom, plus, minus, t - h))[0] / h**2)

    for edge in (1.0, -1.0):
        assert d1(edge - 10 * h) == pytest.approx(d1(edge + 10 * h), abs=1e-2)
        assert abs(d2(edge - 10 * h) - d2(edge + 10 * h)) < 0.05
