"""Fits of the COHERENT data releases against the published results.

References (the targets):
- CsI[Na] full data set: D. Akimov et al. (COHERENT), PRL 129 (2022) 081801,
  arXiv:2110.07730: 306 +- 20 fitted CEvNS events; flux-averaged cross section
  (165 +30 -25) x 1e-40 cm^2; no-CEvNS rejected at 11.6 sigma.
- CENNS-10 argon, analysis A: D. Akimov et al. (COHERENT), PRL 126 (2021) 012002,
  arXiv:2003.10630, and its release arXiv:2006.12659 (LArParametersAnlA.yaml):
  159 +- 43 fitted CEvNS events; (2.2 +- 0.7) x 1e-39 cm^2; "greater than 3 sigma".
"""

from __future__ import annotations

import numpy as np
import pytest

from coherency import experiments
from coherency.inference import csi_2021_likelihood, fit, fit_parameters


@pytest.fixture(scope="module")
def csi() -> object:
    return experiments.load("coherent-csi-2021").fit()


@pytest.fixture(scope="module")
def ar() -> object:
    return experiments.load("coherent-ar-2020").fit()


def test_csi_2021_reproduces_the_prl(csi) -> None:  # type: ignore[no-untyped-def]
    assert csi.valid, csi.messages
    # 306 +- 20 events: within 5 %
    assert csi.signal_events == pytest.approx(306.0, rel=0.05)
    # (165 +30 -25) x 1e-40 cm^2: within 10 %, and errors within 20 % of the PRL's
    assert csi.flux_averaged_sigma == pytest.approx(165e-40, rel=0.10)
    lo, hi = csi.flux_averaged_sigma_error
    assert lo == pytest.approx(25e-40, rel=0.2) and hi == pytest.approx(30e-40, rel=0.2)
    # no CEvNS rejected at 11.6 sigma: at least 10 sigma here
    assert csi.significance >= 10.0
    assert set(csi.values) >= {"signal_events", "mu", "brn", "nin", "qf0", "qf1", "eff"}
    # the fitted neutron backgrounds stay near their constraints (18.4 +- 4.6, 5.6 +- 2)
    assert abs(csi.values["brn"] - 18.4) < 2 * 4.6 and abs(csi.values["nin"] - 5.6) < 2 * 2.0


def test_csi_2021_error_is_bounded_by_the_poisson_information_of_the_release(csi) -> None:  # type: ignore[no-untyped-def]
    """The PRL's +-20 events is below what the released events can give: with every
    background fixed at its best fit, the Cramer-Rao bound of the CEvNS count in fine
    bins (2 PE x 62.5 ns below 1 us) is about 29 events."""
    vals = csi.events_fit.values
    pe = np.arange(0.0, 62.0, 2.0)
    t = np.r_[np.arange(0.0, 1.0, 0.0625), np.arange(1.0, 6.01, 0.25)]
    lk = csi_2021_likelihood(pe_edges=pe, time_edges_us=t)
    mu = lk.expected(vals)["C"]
    s = lk.info["signal"](vals)
    s = s / s.sum()
    info = float(np.sum(np.divide(s * s, mu, out=np.zeros_like(mu), where=mu > 0)))
    bound = 1.0 / np.sqrt(info)
    assert 25.0 < bound < 35.0
    lo, hi = csi.signal_events_error
    assert 0.5 * (lo + hi) >= 0.95 * bound
    assert 20.0 < 0.9 * bound   # the published error is out of reach of these data


def test_ar_2020_reproduces_analysis_a(ar) -> None:  # type: ignore[no-untyped-def]
    assert ar.valid, ar.messages
    # 159 +- 43 events: within 10 %, errors within 10 %
    assert ar.signal_events == pytest.approx(159.0, rel=0.10)
    lo, hi = ar.signal_events_error
    assert lo == pytest.approx(43.0, rel=0.10) and hi == pytest.approx(43.0, rel=0.10)
    # (2.2 +- 0.7) x 1e-39 cm^2
    assert ar.flux_averaged_sigma == pytest.approx(2.2e-39, abs=0.7e-39)
    # "greater than 3 sigma"
    assert 3.0 < ar.significance < 5.0


def test_ar_2020_preset_signal_differs_by_its_energy_time_correlation() -> None:
    """The released CEvNS PDF is a product of an energy and a time distribution; the
    preset's prompt neutrinos give softer recoils than the delayed ones. With the
    preset's signal factorised the same way the fit returns to the release's count."""
    from coherency.inference import ar_2020_likelihood

    lk = ar_2020_likelihood(signal_source="preset", systematics=False)
    rel = fit(ar_2020_likelihood(signal_source="release", systematics=False))
    pre = fit(lk)
    assert pre.valid and rel.valid
    assert pre.values["signal_events"] < rel.values["signal_events"] - 10.0
    sig = lk.info["signal"]({})
    corr = sig - np.outer(sig.sum(axis=1), sig.sum(axis=0)) / sig.sum()
    assert np.abs(corr).max() > 0.05 * sig.max()


def test_profile_of_the_signal_crosses_one_at_the_minos_errors(ar) -> None:  # type: ignore[no-untyped-def]
    exp = experiments.load("coherent-ar-2020")
    lo, hi = ar.signal_events_error
    v = ar.signal_events
    d = exp.profile("signal_events", [v - lo, v, v + hi])
    np.testing.assert_allclose(d, [1.0, 0.0, 1.0], atol=0.02)


def test_weak_mixing_angle_from_csi_2021() -> None:
    """sin^2 theta_W from the CsI data with the neutron radii at their default: the
    PRL's abstract quotes 0.220 +0.028 -0.026; the fit must land within those errors
    with an interval of similar width."""
    res = experiments.load("coherent-csi-2021").fit(physics=("sin2_theta_w",))
    assert res.valid, res.messages
    lo, hi = res.intervals["sin2_theta_w"]
    val = res.values["sin2_theta_w"]
    assert lo < val < hi
    assert hi - lo == pytest.approx(0.054, rel=0.3)
    assert abs(val - 0.220) < 0.026


def test_fit_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="no likelihood"):
        experiments.load("conus-plus-2025").fit()
    exp = experiments.load("coherent-csi-2021")
    with pytest.raises(ValueError, match="steady_state"):
        exp.likelihood(steady_state="beam-off")
    with pytest.raises(ValueError, match="normalisation"):
        exp.likelihood(normalisation="counts")
    with pytest.raises(ValueError, match="no element 'Xe'"):
        fit_parameters(exp, ("rn_Xe_fm",))
    with pytest.raises(ValueError, match="unknown physics parameter"):
        fit_parameters(exp, ("g_prime",))
    with pytest.raises(ValueError, match="signal_source"):
        experiments.load("coherent-ar-2020").likelihood(signal_source="release",
                                                       physics=("sin2_theta_w",))


def test_arguments_outside_their_domain() -> None:
    exp = experiments.load("coherent-ar-2020")
    with pytest.raises(ValueError, match="grid"):
        exp.profile("signal_events", [-5.0, 10.0])
    csi = experiments.load("coherent-csi-2021")
    with pytest.raises(ValueError, match=r"priors\['brn'\] width must be > 0"):
        csi.likelihood(priors={"brn": (18.4, 0.0)})
    with pytest.raises(ValueError, match="priors: unknown entry 'ss'"):
        csi.likelihood(priors={"ss": (1.0, 0.1)})
    with pytest.raises(ValueError, match="unknown parameter"):
        exp.profile("not_a_parameter", [1.0])


def test_ar_2020_shape_variants_reproduce_the_released_f90_envelope() -> None:
    """systerrors1dpsd.txt is the release's +-1 sigma envelope of CEvNS + BRN per F90
    bin. The 3-D fit uses the shape variants it summarises (using both would count them
    twice): moved one at a time by +-1 sigma around the best fit and added in
    quadrature, they must give the released envelope (0.88-1.37) to 0.05."""
    from coherency.inference import ar_2020_likelihood

    lk = ar_2020_likelihood(signal_source="release")
    rel = lk.info["release"]
    best = fit(lk).values
    ss_shape = rel.arrays["ss"] / rel.arrays["ss"].sum()

    def f90(vals: dict) -> np.ndarray:  # type: ignore[type-arg]
        mu = lk.expected(vals)["data"] - vals["ss"] * ss_shape
        return mu.sum(axis=(0, 2))

    nom = f90(best)
    up2 = np.zeros_like(nom)
    down2 = np.zeros_like(nom)
    for name in ("cevns_f90", "cevns_timing", "brn_energy", "brn_timing_mean",
                 "brn_timing_width"):
        for step in (1.0, -1.0):
            d = f90({**best, name: best[name] + step}) / nom - 1.0
            up2 += np.maximum(d, 0.0) ** 2
            down2 += np.minimum(d, 0.0) ** 2
    released = rel.systerrors["f90"]
    np.testing.assert_allclose(1.0 - np.sqrt(down2), released[:, 1], atol=0.05)
    np.testing.assert_allclose(1.0 + np.sqrt(up2), released[:, 2], atol=0.05)
