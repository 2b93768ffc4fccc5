"""The package layout: every public name of the former flat modules still imports from
its old path and is the very object of its new home; release readers default to the
shipped releases; the packages for what comes next say what belongs in them."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import coherency
from coherency import data

# Old module -> {public name (as of the flat layout) -> module that defines it now}.
MOVED: dict[str, dict[str, str]] = {
    "coherency.sources": {
        "Atmospheric": "coherency.sources.atmospheric",
        "Monochromatic": "coherency.sources.monochromatic",
        "PionDAR": "coherency.sources.pion_dar",
        "Reactor": "coherency.sources.reactor",
        "Solar": "coherency.sources.solar",
        "b8_shape": "coherency.sources.solar",
        "beta_plus_shape": "coherency.sources.solar",
        "Source": "coherency.sources._base",
        "SourceSum": "coherency.sources._base",
        "Supernova": "coherency.sources.supernova",
        "Tabulated": "coherency.sources.tabulated",
        "by_name": "coherency.sources._registry",
        "source_names": "coherency.sources._registry",
    },
    "coherency.analysis": {
        name: "coherency.analysis.measurement"
        for name in ("AlphaBound", "AlphaInterval", "BinCounts", "Exclusion", "Measurement",
                     "PhiInterval", "alpha_theory", "compound_xi_decoherent",
                     "gaussian_quantile")
    },
    "coherency.projections": {
        **{name: "coherency.analysis.projections"
           for name in ("Experiment", "Projection", "ProjectionScan", "scan_exposure",
                        "lindhard_quenching", "FWHM_GRID", "GE_LINDHARD_K",
                        "SECONDS_PER_YEAR")},
        **{name: "coherency.analysis.projection_presets"
           for name in ("ATMOSPHERIC_FLUX_UNC", "ATMOSPHERIC_HIGH_Q2_BIN", "AlphaBand",
                        "B8_FLUX_UNC", "CONUS_PLUS_DISTANCE_M", "CONUS_PLUS_MASS_KG",
                        "CONUS_PLUS_OFF_ON_RATIO", "CONUS_PLUS_POWER_GW",
                        "CONUS_PLUS_THRESHOLD_KEVEE", "DEFAULT_EXPOSURES",
                        "GE_BACKGROUND_PER_KG_DAY_KEV", "REACTOR_FLUX_UNC", "alpha_band",
                        "atmospheric_xenon", "default_experiments", "default_projections",
                        "reactor_alpha_band", "reactor_germanium", "solar_xenon")},
    },
    "coherency.coherent_release": {
        **{name: "coherency.data.coherent_ar_2020"
           for name in ("AR_2020_BRN_REL_UNC", "AR_2020_MASS_KG", "AR_2020_QF",
                        "derive_ar_2020")},
        **{name: "coherency.data.coherent_csi_2017"
           for name in ("CSI_2017_EFFICIENCY", "CSI_2017_EFFICIENCY_MIN_PE",
                        "CSI_2017_FLAT_QF", "CSI_2017_LIGHT_YIELD_PE_PER_KEVEE",
                        "CSI_2017_LIVE_DAYS_OFF", "CSI_2017_LIVE_DAYS_ON",
                        "CSI_2017_MASS_KG", "CsIRelease", "CsISignal", "QuenchingFit",
                        "csi_2017_efficiency", "csi_2017_predicted", "csi_2017_signal",
                        "derive_csi_2017", "fit_quenching", "read_csi_2017")},
        **{name: "coherency.data.xi_tables"
           for name in ("SHIPPED", "XiTable", "derive_shipped", "read_table",
                        "write_shipped_tables", "write_table")},
    },
    "coherency.detector": {
        name: "coherency.detector.quenching"
        for name in ("Lindhard", "lindhard_k", "lindhard_qf", "nr_from_ee")
    },
    "coherency.coherence": {
        **{name: "coherency._figures"
           for name in ("FIGURE1_NUCLEI", "FIGURE1_SOURCES_MEV", "figure1_data")},
        **{name: "coherency.coherence"
           for name in ("CoherencyLimit", "CoherencyLimits", "alpha_from_form_factors",
                        "alpha_from_phi", "alpha_from_xi", "coherency_limits",
                        "gamma_data", "gamma_np", "gamma_qm", "phi_from_alpha",
                        "xi_decoherent", "xi_from_alpha")},
    },
    "coherency.report": {
        **{name: "coherency.report"
           for name in ("EXPERIMENTS", "N_STEPS", "Progress", "Q2_SOURCES",
                        "Q2_THRESHOLDS_KEVNR", "build_report", "write_report")},
        "FIGURE_FILES": "coherency._report_files",
        "TABLE1_NUCLEI": "coherency._figures",  # the same nuclei as Fig. 1
        "SECONDS_PER_YEAR": "coherency.constants",
        "render_markdown": "coherency._report_text",
        "summary_text": "coherency._report_text",
    },
}

NEW_NAME = {("coherency.report", "TABLE1_NUCLEI"): "FIGURE1_NUCLEI"}

ROWS = [(old, name, new) for old, names in MOVED.items() for name, new in names.items()]


@pytest.mark.parametrize(("old", "name", "new"), ROWS, ids=[f"{o}.{n}" for o, n, _ in ROWS])
def test_old_path_gives_the_object_of_the_new_home(old: str, name: str, new: str) -> None:
    obj = getattr(importlib.import_module(old), name)
    assert obj is getattr(importlib.import_module(new), NEW_NAME.get((old, name), name))
    if callable(obj) and hasattr(obj, "__module__"):
        assert obj.__module__ == new


def test_from_import_of_old_paths() -> None:
    from coherency.analysis import Measurement
    from coherency.coherence import figure1_data
    from coherency.coherent_release import read_csi_2017
    from coherency.detector import nr_from_ee
    from coherency.projections import reactor_germanium
    from coherency.sources import PionDAR

    assert coherency.figure1_data is figure1_data
    assert coherency.Measurement is Measurement
    assert coherency.sources.PionDAR is PionDAR
    assert callable(read_csi_2017) and callable(nr_from_ee) and callable(reactor_germanium)


def test_top_level_names_unchanged() -> None:
    old = ["batch", "batch_event_counts", "batch_flux_averaged_sigma", "CoherencyWarning",
           "E_min", "Helm", "KleinNystrand", "NuclearFormFactors", "Nucleus",
           "SymmetrizedFermi", "T_max", "Target", "Unity", "__version__",
           "alpha_from_form_factors", "alpha_from_phi", "alpha_from_xi", "as_nucleus",
           "as_target", "coherency_limits", "config", "dsigma_dT", "dsigma_dq2",
           "event_rate", "figure1_data", "flux_averaged_sigma", "gamma_data", "gamma_np",
           "gamma_qm", "get_backend", "helm_form_factor", "max_q2", "nucleus",
           "phi_from_alpha", "q2_fwhm", "q2_max", "q2_min", "q2_spectrum",
           "recoil_spectrum", "scan", "set_backend", "show_config", "sigma_total",
           "spherical_j1", "target", "use_backend", "xi_decoherent", "xi_from_alpha",
           "sources", "Measurement", "alpha_theory", "analysis", "data", "projections"]
    missing = [n for n in old if n not in coherency.__all__ or not hasattr(coherency, n)]
    assert not missing


def test_report_experiment_is_deprecated_alias_of_counts_setup() -> None:
    from coherency import projections, report

    with pytest.warns(DeprecationWarning, match="CountsSetup"):
        old = report.Experiment
    assert old is report.CountsSetup
    assert report.CountsSetup is not projections.Experiment
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(report.EXPERIMENTS[0], report.CountsSetup)


def test_conus_plus_inputs_live_in_one_place() -> None:
    from coherency import experiments, projections, report
    from coherency.experiments import conus_plus

    exp = experiments.load("conus-plus-2025")
    assert exp.mass_kg == conus_plus.MASS_KG == projections.CONUS_PLUS_MASS_KG
    assert exp.source.power_GW == conus_plus.POWER_GW
    assert report._source("reactor") == exp.source
    preset = projections.reactor_germanium()
    assert preset.source.power_GW == conus_plus.POWER_GW
    assert preset.source.distance_m == conus_plus.DISTANCE_M
    assert preset.lindhard_k == conus_plus.LINDHARD_K == projections.GE_LINDHARD_K
    assert preset.background_control_ratio == conus_plus.OFF_ON_RATIO


def test_seconds_per_year_is_one_constant() -> None:
    from coherency import cli, constants, projections, report

    assert projections.SECONDS_PER_YEAR is report.SECONDS_PER_YEAR
    assert cli._TIME_UNITS["yr"] == constants.SECONDS_PER_YEAR == 365.25 * 86400.0


def test_release_readers_default_to_the_shipped_copy() -> None:
    from coherency import coherent_release as cr

    shipped = cr.read_csi_2017()
    explicit = cr.read_csi_2017(data.release_dir("coherent_csi_2017"))
    assert shipped.directory == explicit.directory
    np.testing.assert_array_equal(shipped.counts["coincidence_on"],
                                  explicit.counts["coincidence_on"])
    a, b = cr.derive_ar_2020(), cr.derive_ar_2020(data.release_dir("coherent_ar_2020"))
    for key in a.columns:
        np.testing.assert_array_equal(a[key], b[key])
    fname = "coherent_ar_2020_xi.csv"
    np.testing.assert_array_equal(cr.derive_shipped(None, fname)["xi"],
                                  cr.derive_shipped(data.release_dir(), fname)["xi"])


@pytest.mark.parametrize("name", ["experiments", "inference", "bsm", "detector"])
def test_packages_for_what_comes_next_say_what_belongs_there(name: str) -> None:
    mod = importlib.import_module(f"coherency.{name}")
    assert mod.__doc__ and "here" in mod.__doc__.lower()
