"""Experiment presets (coherency.experiments) against the experiments' published
predictions, and their machinery against independent computations."""

from __future__ import annotations

import numpy as np
import pytest

import coherency as coh
from coherency import experiments, sources
from coherency.detector import GammaPE, PolynomialQuenching, Response
from coherency.experiments import Experiment

# Published Standard-Model predictions and the tolerance the presets must meet:
# 3 % for COHERENT (its inputs are public), 10 % for CONUS+ (per-detector thresholds
# and noise are not).
TARGETS = {
    # Akimov et al. (COHERENT), Science 357 (2017) 1123: 173 +- 48
    "coherent-csi-2017": (173.0, 0.03),
    # Akimov et al. (COHERENT), PRL 129 (2022) 081801: 341 +- 11 (th) +- 42 (ex)
    "coherent-csi-2021": (341.0, 0.03),
    # Akimov et al. (COHERENT), PRL 126 (2021) 012002 (analysis A): 128 +- 17
    "coherent-ar-2020": (128.0, 0.03),
    # Ackermann et al. (CONUS+), arXiv:2501.05206: 347 +- 59
    "conus-plus-2025": (347.0, 0.10),
}


def test_names_and_load() -> None:
    assert experiments.names() == tuple(sorted(TARGETS))
    for name in experiments.names():
        exp = experiments.load(name)
        assert isinstance(exp, Experiment) and exp.name == name
        assert exp.inputs and "predicted_counts" in exp.published
    assert experiments.load("COHERENT_CsI_2021").name == "coherent-csi-2021"
    with pytest.raises(ValueError, match="coherent-csi-2021"):
        experiments.load("coherent-csi-2012")
    with pytest.raises(TypeError, match="name"):
        experiments.load(2021)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_predicted_counts_match_the_publication(name: str) -> None:
    published, tolerance = TARGETS[name]
    exp = experiments.load(name)
    assert exp.published["predicted_counts"].value == published
    got = exp.predicted_counts()
    assert abs(got / published - 1) < tolerance, got


def test_csi_2021_flux_averaged_sigma() -> None:
    # PRL 129 (2022) 081801: SM <sigma> = (189 +- 6)e-40 cm^2, within 2 %
    sigma = experiments.load("coherent-csi-2021").flux_averaged_sigma()
    assert abs(sigma / 189e-40 - 1) < 0.02
    # the radiative corrections are what bring it there: tree level is 2 % lower
    tree = experiments.load("coherent-csi-2021").flux_averaged_sigma(couplings=None)
    assert tree < sigma


def test_prediction_is_the_sum_of_its_parts() -> None:
    exp = experiments.load("coherent-csi-2021")
    spec = exp.predicted_spectrum()
    assert spec.shape == (9, 11) and np.all(spec >= 0)
    parts = exp.predicted_spectrum(by_flavour=True)
    assert set(parts) == {"numu", "nue", "numubar"}
    np.testing.assert_allclose(sum(parts.values()), spec, rtol=1e-14)
    # prompt nu_mu arrive early: most of them before 1 us
    numu = parts["numu"].sum(axis=0)
    assert numu[:8].sum() > 0.9 * numu.sum()
    assert experiments.load("coherent-csi-2021").predicted_counts(n_threads=2) == (
        exp.predicted_counts())


def test_energy_spectrum_against_direct_integration() -> None:
    # Without timing and with no smearing, a one-bin response counts the events with
    # T above threshold: event_rate does the same with its own quadrature.
    src = sources.PionDAR.coherent_csi_2017()
    thr_keVee, qf = 3.0, 0.1
    resp = Response(qf, coh.detector.NoSmearing(), None, edges=(thr_keVee, 1e4))
    exp = Experiment(name="test", title="test", source=src, target="CsI", mass_kg=14.6,
                     time_s=1.0, response=resp, couplings=None, form_factor="helm",
                     T_lo_MeV=1e-5)
    want = coh.event_rate(src, "CsI", 14.6, 1.0, T_min=thr_keVee * 1e-3 / qf)
    assert exp.predicted_counts() == pytest.approx(want, rel=1e-6)


def test_bad_input() -> None:
    src = sources.PionDAR.coherent_csi_2017()
    resp = Response(0.08, GammaPE(), None, edges=(0.0, 10.0))
    base = dict(name="x", title="x", source=src, target="CsI", mass_kg=1.0, time_s=1.0,
                response=resp)
    with pytest.raises(ValueError, match="time_edges_us"):
        Experiment(**base, timing=sources.GaussianPulse(), time_edges_us=(1.0, 0.5))
    with pytest.raises(ValueError, match="timing"):
        Experiment(**base, time_edges_us=(0.0, 1.0))
    with pytest.raises(ValueError, match="mass_kg"):
        Experiment(**{**base, "mass_kg": -1.0})
    with pytest.raises(ValueError, match="efficiency"):
        Experiment(**base, timing=sources.GaussianPulse(), time_edges_us=(0.0, 1.0),
                   timing_efficiency=lambda t: 2.0 * np.ones_like(t)).predicted_counts()
    with pytest.raises(ValueError, match="true_efficiency"):
        Experiment(**base, true_efficiency=lambda T: -np.ones_like(T)).predicted_counts()
    with pytest.raises(TypeError, match="true_efficiency"):
        Experiment(**base, true_efficiency=0.5)  # type: ignore[arg-type]
    # a quenching model that turns over is refused where it turns
    bad = PolynomialQuenching((0.1, -10.0))
    with pytest.raises(ValueError, match="turn"):
        Response(bad, GammaPE(), None, edges=(0.0, 10.0)).matrix([0.001, 0.01])
