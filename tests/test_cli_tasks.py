"""The command line's everyday tasks: rates with units and exposures, spectra as files,
alpha from the packaged data, experiment presets. Every number is compared with the
Python API it claims to come from."""

from __future__ import annotations

import io
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import coherency as coh
from coherency import _units, cli, experiments
from coherency.constants import SECONDS_PER_DAY, SECONDS_PER_YEAR
from coherency.detector import Lindhard, lindhard_k, nr_from_ee_MeV
from coherency.sources import PionDAR, Reactor, Solar, by_name


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def _ge_lindhard(k: float | None = None) -> Lindhard:
    tgt = coh.as_target("Ge")
    A = sum(n.A * f for n, f in tgt.components)
    return Lindhard(32, A, k=lindhard_k(32, A) if k is None else k)


# ---------------------------------------------------------------------------------
# units
# ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "kind", "value"), [
    ("0.3keV", "energy", 0.3), ("300 eV", "energy", 0.3), ("0.002MeV", "energy", 2.0),
    ("2.9GW", "power", 2.9), ("2900 MW", "power", 2.9), ("20.7m", "length", 20.7),
    ("1tonne*yr", "exposure", 1000.0), ("2.83kg*327day", "exposure", 2.83 * 327 / 365.25),
    ("14.6 kg", "mass", 14.6), ("308.1 day", "time", 308.1 / 365.25),
    ("3.198e23", "count", 3.198e23),
])
def test_units_parse_to_the_default_unit(text: str, kind: str, value: float) -> None:
    q = _units.parse(text, kind)
    assert q.value == pytest.approx(value, rel=1e-12) and q.explicit == (kind != "count")


def test_units_bare_numbers_and_wrong_dimensions() -> None:
    q = _units.parse("2.9", "power")
    assert q.value == 2.9 and not q.explicit and "no unit given" in q.describe()
    with pytest.raises(ValueError, match="expected a power.*is a length"):
        _units.parse("3m", "power")
    with pytest.raises(ValueError, match="cannot read"):
        _units.parse("three GW", "power")
    with pytest.raises(ValueError, match="finite"):
        _units.parse("inf", "energy")
    q, scale = _units.parse_recoil("170eVee")
    assert q.value == pytest.approx(0.17, rel=1e-14) and scale == "ee"
    assert _units.parse_recoil("5keVnr")[1] == "nr"
    assert _units.parse_recoil("5 keV")[1] is None


# ---------------------------------------------------------------------------------
# rate
# ---------------------------------------------------------------------------------
def test_rate_exposure_with_units_equals_api(capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json(capsys, "rate", "solar-8B", "Xe", "--exposure", "1tonne*yr",
                 "--threshold", "1keVnr")
    want = coh.event_rate(Solar(components=("8B",)), "Xe", 1000.0, SECONDS_PER_YEAR,
                          T_min=1e-3)
    assert d["counts"] == pytest.approx(want, rel=1e-13, abs=0)
    assert d["exposure_kg_yr"] == 1000.0
    # the same exposure as --mass and --time in other units
    d2 = run_json(capsys, "rate", "solar-8B", "Xe", "--mass", "1000kg", "--time", "365.25day",
                  "--threshold", "1keVnr")
    assert d2["counts"] == pytest.approx(want, rel=1e-13, abs=0)


def test_rate_configurable_reactor_equals_api(capsys: pytest.CaptureFixture[str]) -> None:
    fuel = {"U235": 0.6, "U238": 0.08, "Pu239": 0.27, "Pu241": 0.05}
    d = run_json(capsys, "rate", "reactor", "Ge", "--power", "3.6GW", "--distance", "20.7m",
                 "--fuel", ",".join(f"{k}={v}" for k, v in fuel.items()), "--tail", "none",
                 "--exposure", "2.83kg*327day", "--threshold", "0.17keVee", "--k", "0.162")
    src = Reactor(power_GW=3.6, distance_m=20.7, fission_fractions=fuel, tail="none")
    want = coh.event_rate(src, "Ge", 2.83 * 327 / 365.25, SECONDS_PER_YEAR, T_min=0.17e-3,
                          quenching=_ge_lindhard(0.162), energy_scale="ee")
    assert d["counts"] == pytest.approx(want, rel=1e-12, abs=0)
    # the threshold on both scales, and the model that converts them, are printed
    assert d["threshold_keVee"] == pytest.approx(0.17, rel=1e-12)
    assert d["threshold_keVnr"] == pytest.approx(
        nr_from_ee_MeV(0.17e-3, _ge_lindhard(0.162)) * 1e3, rel=1e-9)
    assert "k = 0.162" in d["quenching"]
    assert any("fission fractions U235 0.6" in a for a in d["assumptions"])
    assert any("tail above 8 MeV: none" in a for a in d["assumptions"])


def test_rate_lindhard_k_moves_the_answer_and_is_printed(
        capsys: pytest.CaptureFixture[str]) -> None:
    a = run_json(capsys, "rate", "reactor", "Ge", "--threshold", "0.2keVee")
    b = run_json(capsys, "rate", "reactor", "Ge", "--threshold", "0.2keVee", "--k", "0.2")
    assert f"k = {lindhard_k(32, _ge_lindhard().A):.4g}" in a["quenching"]
    assert "k = 0.2" in b["quenching"]
    assert b["counts"] > a["counts"]  # more light per recoil: a lower keVnr threshold
    assert b["threshold_keVnr"] < a["threshold_keVnr"]
    code, out, _ = run(capsys, "rate", "reactor", "Ge", "--threshold", "0.2keVee", "--k", "0.2")
    assert code == 0 and "keVnr = 0.2 keVee" in out and "k = 0.2" in out


def test_rate_bare_threshold_says_how_it_was_read(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rate", "reactor", "Ge", "--threshold", "0.3")
    assert code == 0 and "'0.3' read as keVnr" in out
    d = run_json(capsys, "rate", "reactor", "Ge", "--threshold", "0.3")
    assert d["counts"] == coh.event_rate(by_name("reactor"), "Ge", 1.0, SECONDS_PER_YEAR,
                                         T_min=0.3e-3)


def test_rate_pulsed_source_uses_its_published_exposure(
        capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json(capsys, "rate", "dar", "CsI")
    preset = experiments.load("coherent-csi-2017")
    want = coh.event_rate(PionDAR.coherent_csi_2017(), "CsI", preset.mass_kg, 1.0)
    assert d["counts"] == pytest.approx(want, rel=1e-13, abs=0)
    assert d["sigma_avg_cm2"] == coh.flux_averaged_sigma(PionDAR.coherent_csi_2017(), "CsI")
    assert d["total_flux_cm2_s"] is None and "fluence" in d["total_flux_unit"]
    assert any("published" in a for a in d["assumptions"])
    # another mass, another number of protons on target
    d = run_json(capsys, "rate", "coherent-ar", "Ar", "--mass", "1tonne", "--pot", "1e23")
    src = PionDAR(n_pot=1e23, exposure_time_s=None, distance_m=27.5, nu_per_proton=0.09)
    assert d["counts"] == pytest.approx(coh.event_rate(src, "Ar", 1000.0, 1.0), rel=1e-13,
                                        abs=0)


def test_rate_pulsed_source_with_a_time_needs_a_beam_power(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rate", "dar", "CsI", "--exposure", "10kg*yr")
    assert code == 2 and "--beam-power" in err and "protons on target" in err
    d = run_json(capsys, "rate", "dar", "CsI", "--exposure", "10kg*yr", "--beam-power", "1.4MW")
    n_pot = 1.4e6 * SECONDS_PER_YEAR / (1e9 * 1.602176634e-19)  # 1 GeV protons
    src = PionDAR(n_pot=n_pot, exposure_time_s=None, distance_m=19.3, nu_per_proton=0.08)
    assert d["counts"] == pytest.approx(coh.event_rate(src, "CsI", 10.0, 1.0), rel=1e-12,
                                        abs=0)


@pytest.mark.parametrize(("argv", "fragment"), [
    (["rate", "supernova", "Ar", "--time", "1yr"], "burst"),
    (["rate", "reactor", "Ge", "--exposure", "1kg"], "mass times a time"),
    (["rate", "reactor", "Ge", "--exposure", "1kg*yr", "--mass", "2kg"], "not both"),
    (["rate", "reactor", "Ge", "--pot", "1e23"], "--pot does not apply"),
    (["rate", "solar", "Xe", "--power", "3GW"], "--power does not apply"),
    (["rate", "solar-8B", "Xe", "--components", "hep"], "one component"),
    (["rate", "reactor", "Ge", "--qf", "0.2", "--k", "0.16"], "not both"),
    (["rate", "reactor", "CsI", "--threshold", "1keVee"], "--qf"),
    (["rate", "reactor", "Ge", "--threshold", "1keVee", "--T-max", "3keVnr"], "same scale"),
    (["rate", "reactor", "Ge", "--threshold", "1keVee", "--scale", "nr"], "contradicts"),
    (["rate", "reactor", "Ge", "--power", "3m"], "a power"),
    (["rate", "reactor", "Ge", "--fuel", "U235:1"], "ISOTOPE=FRACTION"),
    (["rate", "reactor", "Ge", "--fuel", "U235=0.5"], "sum to 1"),
    (["rate", "sun", "Ge"], "unknown source 'sun'"),
    (["xsec", "Ge", "10", "--recoil", "1", "--alpha", "0.5", "--form-factor", "unity"],
     "not both"),
])
def test_rate_refuses_what_it_cannot_honour(argv: list[str], fragment: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and fragment in err, err
    assert "error: name:" not in err  # no internal argument names


def test_unknown_names_suggest_the_likely_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "xsec", "Gx", "10")
    assert code == 2 and "Ge" in err.split("did you mean")[1].split("?")[0]
    code, _, err = run(capsys, "rate", "reactr", "Ge")
    assert code == 2 and "did you mean reactor" in err


def test_zero_above_kinematic_reach_is_said_and_strict_fails(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rate", "reactor", "Ge", "--threshold", "50keVnr")
    assert code == 0 and "note:" in err and "largest recoil" in err
    code, _, err = run(capsys, "rate", "reactor", "Ge", "--threshold", "50keVnr", "--strict")
    assert code == cli.EXIT_ZERO_RESULT == 3
    code, out, _ = run(capsys, "rate", "reactor", "Ge", "--threshold", "50keVnr", "--json")
    d = json.loads(out)
    assert d["counts"] == 0.0 and any("T_max" in n for n in d["notes"])
    # below the reach: no note, status 0 even with --strict
    code, _, err = run(capsys, "rate", "reactor", "Ge", "--threshold", "1keVnr", "--strict")
    assert code == 0 and "note:" not in err


# ---------------------------------------------------------------------------------
# spectrum
# ---------------------------------------------------------------------------------
def test_spectrum_csv_reads_with_loadtxt_and_equals_api(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "spectrum", "reactor", "Ge", "--points", "7",
                       "--exposure", "2kg*yr")
    assert code == 0 and out.startswith("# ")
    table = np.loadtxt(io.StringIO(out), delimiter=",")
    assert table.shape == (7, 2)
    T_keV = table[:, 0]
    want = np.asarray(coh.recoil_spectrum(by_name("reactor"), "Ge", T_keV * 1e-3, 2.0,
                                          SECONDS_PER_YEAR)) * 1e-3
    np.testing.assert_array_equal(table[:, 1], want)  # printed to round-trip
    assert T_keV[-1] == pytest.approx(float(coh.T_max(10.0, "Ge70")) * 1e3, rel=1e-9)
    assert "# T_keVnr,dN_dT_per_keVnr" in out


def test_spectrum_q2_npz_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.npz"
    code, _, err = run(capsys, "spectrum", "solar-8B", "Xe132", "--variable", "q2",
                       "--points", "5", "--T-min", "0.5keV", "--out", str(out))
    assert code == 0 and "wrote" in err
    with np.load(out) as f:
        q2, dn, meta = f["q2_MeV2"], f["dN_dq2_per_MeV2"], json.loads(str(f["metadata"]))
    want = coh.q2_spectrum(by_name("solar-8B"), "Xe132", q2, 1.0, SECONDS_PER_YEAR)
    np.testing.assert_array_equal(dn, want)
    assert meta["target"] == "Xe132" and meta["form_factor"] == "helm"
    assert q2[0] == pytest.approx(2 * coh.as_nucleus("Xe132").mass * 0.5e-3, rel=1e-14)
    jpath = tmp_path / "s.json"
    code, _, _ = run(capsys, "spectrum", "solar-8B", "Xe132", "--points", "3", "--out",
                     str(jpath))
    d = json.loads(jpath.read_text())
    assert d["columns"] == ["T_keVnr", "dN_dT_per_keVnr"] and len(d["T_keVnr"]) == 3


def test_spectrum_of_an_experiment_is_per_observed_bin(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "spectrum", "coherent-csi-2021")
    assert code == 0
    table = np.loadtxt(io.StringIO(out), delimiter=",")
    exp = experiments.load("coherent-csi-2021")
    spec = exp.predicted_spectrum()
    assert table.shape == (spec.size, 5)
    np.testing.assert_allclose(table[:, 4], spec.ravel(), rtol=1e-13, atol=0)
    assert set(table[:, 0]) | set(table[:, 1]) == set(exp.response.edges)
    code, _, err = run(capsys, "spectrum", "coherent-csi-2021", "CsI")
    assert code == 2 and "give no target" in err
    code, _, err = run(capsys, "spectrum", "conus-plus-2025", "--power", "3GW")
    assert code == 2 and "published" in err


# ---------------------------------------------------------------------------------
# experiment
# ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", experiments.names())
def test_experiment_prediction_beside_published_numbers(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json(capsys, "experiment", name)
    exp = experiments.load(name)
    assert d["predicted_counts"] == pytest.approx(exp.predicted_counts(), rel=1e-12)
    rows = {r["quantity"]: r for r in d["comparison"]}
    pub = rows["predicted_counts"]["published"]
    assert pub["value"] == exp.published["predicted_counts"].value  # numbers, not text
    assert isinstance(pub["err_lo"], float) and pub["err_lo"] > 0
    assert rows["predicted_counts"]["difference_percent"] == pytest.approx(
        100 * (d["predicted_counts"] / pub["value"] - 1), rel=1e-12)
    assert sum(d["counts_per_energy_bin"]) == pytest.approx(d["predicted_counts"], rel=1e-12)


def test_experiment_list_overrides_and_fit_hook(capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json(capsys, "experiment")
    assert [r["name"] for r in d["experiments"]] == list(experiments.names())
    d = run_json(capsys, "experiment", "coherent-ar-2020", "--couplings", "tree")
    want = experiments.load("coherent-ar-2020").predicted_counts(couplings=None)
    assert d["predicted_counts"] == pytest.approx(want, rel=1e-12)
    code, _, err = run(capsys, "experiment", "coherent-csi-2017", "--fit")
    assert code == 2 and "coherency.inference" in err
    d = run_json(capsys, "experiment", "coherent-ar-2020", "--fit")
    want = experiments.load("coherent-ar-2020").fit()
    assert d["fit"]["signal_events"] == pytest.approx(want.signal_events, rel=1e-9)
    assert d["fit"]["valid"] is True
    code, _, err = run(capsys, "experiment", "coherent-csi-2022")
    assert code == 2 and "coherent-csi-2021" in err


# ---------------------------------------------------------------------------------
# alpha from the packaged data
# ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "dataset"), [("coherent-csi-2017", "coherent_csi"),
                                               ("coherent-ar-2020", "coherent_ar")])
def test_alpha_from_data_equals_api(data: str, dataset: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json(capsys, "alpha", "--data", data)
    m = coh.data.load(dataset)
    np.testing.assert_array_equal([b["alpha"] for b in d["bins"]], m.alpha)
    np.testing.assert_array_equal([b["p_local_alpha1"] for b in d["bins"]], m.p_value(1.0))
    ex = m.strongest_exclusion(1.0)
    n = len(m)
    assert d["alpha1"]["p_local"] == ex.p_value
    # the global p-value of the smallest of n independent local ones
    assert d["alpha1"]["p_global"] == pytest.approx(1 - (1 - ex.p_value) ** n, rel=1e-12)
    for key in ("alpha1", "alpha0"):
        verdict, pg = d[key]["verdict"], d[key]["p_global"]
        assert ("not excluded" in verdict) == (pg >= 0.05), verdict
        assert "global p" in verdict


def test_alpha_csi_2021_from_the_published_cross_section(
        capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json(capsys, "alpha", "--data", "coherent-csi-2021")
    exp = experiments.load("coherent-csi-2021")
    meas = exp.published["measured_flux_averaged_sigma"]
    (b,) = d["bins"]
    assert b["xi"] == pytest.approx(meas.value / exp.flux_averaged_sigma(form_factor="unity"),
                                    rel=1e-12)
    assert b["q2_lo_MeV2"] < b["q2_MeV2"] < b["q2_hi_MeV2"]
    assert any("coherency.inference" in n for n in d["notes_on_data"])


def test_alpha_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "alpha", "--data", "coherent-ar-2020", "--xi", "0.5")
    assert code == 2 and "--xi" in err
    code, _, err = run(capsys, "alpha", "--data", "coherent-ar-2021")
    assert code == 2 and "coherent-ar-2020" in err
    code, _, err = run(capsys, "alpha", "--data", "coherent-csi-2017", "--fit")
    assert code == 2 and "coherency.inference" in err


def test_xsec_table_reads_with_loadtxt(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "xsec", "Xe", "30", "--recoil", "1keV", "10")
    assert code == 0
    table = np.loadtxt(io.StringIO(out))
    want = coh.dsigma_dT([[1e-3, 10e-3]], [[30.0]], "Xe")
    np.testing.assert_allclose(table[:, 2], np.ravel(want), rtol=1e-6)
    code, out, _ = run(capsys, "xsec", "Ge", "5", "10")
    assert np.loadtxt(io.StringIO(out)).shape == (2, 2)


def test_warnings_of_the_package_are_notes_not_tracebacks(
        capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, _, err = run(capsys, "rate", "reactor", "Xe", "--threshold", "1MeV")
    assert code == 0 and "note: event_rate" in err and "Traceback" not in err
    assert math.isfinite(SECONDS_PER_DAY)
