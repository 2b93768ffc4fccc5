"""The ``coherency`` command end to end: files written, JSON equal to the API, and
exit status 2 with one line on stderr for every kind of user error."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import coherency as coh
from coherency import cli, report
from coherency.analysis import Measurement
from coherency.coherence import coherency_limits
from coherency.rates import event_rate, flux_averaged_sigma, q2_fwhm
from coherency.sources import PionDAR, by_name


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "coherency-report"
    assert cli.main(["report", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def report_json(report_dir: Path) -> dict:
    return json.loads((report_dir / "report.json").read_text(encoding="utf-8"))


def test_report_writes_every_file(report_dir: Path) -> None:
    names = {p.name for p in report_dir.iterdir()}
    assert {"report.md", "report.json", *report.FIGURE_FILES.values()} <= names
    for fig in report.FIGURE_FILES.values():
        data = (report_dir / fig).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    for heading in ("Table 1", "q² reach", "expected counts", "α(q²) from COHERENT",
                    "Projected α-sensitivity"):
        assert heading in md
    for fig in report.FIGURE_FILES.values():
        assert f"]({fig})" in md


def test_report_table1_equals_api(report_json: dict) -> None:
    eps = report_json["meta"]["epsilon"]
    assert eps == coh.constants.EPSILON_DEFAULT
    for label, name in report.TABLE1_NUCLEI.items():
        want = coherency_limits(name, epsilon=eps).as_dict()
        got = report_json["table1"][label]
        assert got["coherent"]["gamma_np"] == want["coherent"]["gamma_np"]
        assert got["decoherent"]["xi"] == want["decoherent"]["xi"]
        assert got["q2_scale"] == want["q2_scale"]


def test_report_q2_ranges_equal_api(report_json: dict) -> None:
    rows = report_json["q2_ranges"]
    assert len(rows) == len(report.Q2_SOURCES) * len(report.TABLE1_NUCLEI)
    row = next(r for r in rows if r["source"] == "solar-8B" and r["target"] == "Xe132")
    src = by_name("solar-8B")
    assert row["q2_max_MeV2"] == coh.q2_max(src.E_max, "Xe132")
    assert row["q2_fwhm_threshold_MeV2"] == list(q2_fwhm(src, "Xe132", T_min=1e-3))
    for r in rows:
        lo, hi = r["q2_fwhm_MeV2"]
        assert 0.0 <= lo < hi <= r["q2_max_MeV2"]


def test_report_presets_equal_api(report_json: dict) -> None:
    from coherency import experiments

    rows = {r["name"]: r for r in report_json["presets"]}
    assert list(rows) == list(experiments.names())
    for name, row in rows.items():
        exp = experiments.load(name)
        assert row["counts"] == exp.predicted_counts()
        assert row["sigma_avg_cm2"] == exp.flux_averaged_sigma()
        # published numbers are numbers with their errors, not text
        for key, pub in exp.published.items():
            assert row["published"][key] == pub.as_dict()
            assert isinstance(row["published"][key]["value"], float)
        pred = exp.published["predicted_counts"]
        assert row["predicted_counts_difference_percent"] == pytest.approx(
            100 * (row["counts"] / pred.value - 1), rel=1e-12)
    # one reactor configuration: CONUS+ with its published exposure
    assert rows["conus-plus-2025"]["title"].count("327 kg d") == 1


def test_report_other_detectors_equal_api(report_json: dict) -> None:
    got = {e["name"]: e for e in report_json["other_detectors"]}
    assert [e.name for e in report.EXPERIMENTS] == list(got)
    for exp in report.EXPERIMENTS:
        src = by_name(exp.source)
        assert got[exp.name]["counts_helm"] == event_rate(src, exp.target, exp.mass_kg,
                                                         exp.time_s, T_min=exp.T_min)
        assert "reactor" not in exp.name


def test_report_alpha_inputs_equal_api(report_json: dict) -> None:
    csi = report_json["alpha_constraints"][0]["inputs"]
    assert csi["sigma_avg_cm2"] == flux_averaged_sigma(PionDAR.coherent_csi_2017(), "Xe132")
    tab = coh.data.table("coherent_csi")
    assert csi["counts_coherent"] == pytest.approx(float(np.sum(tab["predicted"])), rel=1e-14)
    # the Helm prediction is suppressed, but by less than the F^2 at the top bin
    assert 0.3 < csi["counts_helm"] / csi["counts_coherent"] < 1.0


def test_report_one_reactor_range(report_json: dict) -> None:
    """The q² range of the reactor in the text, Fig. 2(c) and the projection is one."""
    from coherency.projections import reactor_germanium

    rp = report_json["reactor_panel"]
    proj = next(p for p in report_json["projections"] if p["name"].startswith("reactor"))
    assert rp["q2_fwhm"] == pytest.approx([proj["q2_lo"][0], proj["q2_hi"][0]], rel=1e-12)
    thr = reactor_germanium().threshold_nr * 1e3
    reactor_rows = [r for r in report_json["q2_ranges"] if r["source"] == "reactor"]
    assert all(r["threshold_keVnr"] == pytest.approx(thr, rel=1e-14) for r in reactor_rows)
    assert all(r["source_label"] == report.REACTOR_LABEL for r in reactor_rows)


def test_report_alpha_constraints_equal_api(report_json: dict) -> None:
    for c, name in zip(report_json["alpha_constraints"], ("coherent_csi", "coherent_ar")):
        m = coh.data.load(name)
        assert isinstance(m, Measurement)
        ex = m.strongest_exclusion(1.0)
        h1 = c["complete_coherency"]
        assert h1["p_local"] == ex.p_value and h1["q2_MeV2"] == ex.q2
        n = len(m)
        assert h1["p_global"] == pytest.approx(1 - (1 - ex.p_value) ** n, rel=1e-12)
        assert len(c["bins"]) == n
        np.testing.assert_array_equal([b["alpha"] for b in c["bins"]], m.alpha)


def test_report_alpha_likelihood_equals_api(report_json: dict) -> None:
    from coherency.inference import coherency_fit

    rows = report_json["alpha_likelihood"]
    assert [r["experiment"] for r in rows] == list(report.LIKELIHOOD_ALPHA)
    for row in rows:
        res = coherency_fit(coh.experiments.load(row["experiment"]))
        assert row["valid"] and res.valid
        assert len(row["bins"]) == len(res.bins) >= 5
        for got, b in zip(row["bins"], res.bins):
            assert got["xi"] == pytest.approx(b.xi, rel=1e-9, abs=1e-9)
            assert got["xi_interval"] == pytest.approx(list(b.xi_interval), abs=1e-9)
            assert got["p_coherent"] == pytest.approx(b.p_coherent, rel=1e-6, abs=1e-12)
            # alpha from xi as Sharma & Wong define it, the bounds ordered
            assert got["alpha"] == pytest.approx(
                (got["xi"] - got["xi_dec"]) / (1 - got["xi_dec"]), rel=1e-12, abs=1e-15)
            assert 0 <= got["alpha_lower_90"] <= got["alpha_upper_90"] <= 1
            assert got["q2_lo"] <= got["q2_mean"] <= got["q2_hi"]
        h1 = row["complete_coherency"]
        assert h1["p_local"] == pytest.approx(res.p_min_coherent, rel=1e-6, abs=1e-12)
        assert h1["p_global"] == res.global_p_coherent  # same toys, same seed
        assert h1["p_local"] == min(b["p_coherent"] for b in row["bins"])
        assert h1["p_local"] <= h1["p_global"] <= 1


def test_report_alpha_likelihood_physics(report_json: dict) -> None:
    """CsI 2021 sees the form-factor suppression the Standard Model predicts at high q^2
    (complete coherency excluded globally in a bin whose alpha_SM is well below 1);
    argon excludes neither hypothesis (docs/fits.md)."""
    csi, ar = report_json["alpha_likelihood"]
    h1 = csi["complete_coherency"]
    assert h1["p_global"] < 0.01
    assert csi["bins"][h1["bin"]]["alpha_sm"] < 0.5
    assert ar["complete_coherency"]["p_global"] > 0.05
    assert ar["complete_decoherency"]["p_global"] > 0.05
    # alpha_SM falls with q^2 in both (the form factors)
    for row in (csi, ar):
        a_sm = [b["alpha_sm"] for b in row["bins"]]
        assert all(x > y for x, y in zip(a_sm, a_sm[1:]))


def test_report_wording_follows_the_numbers(report_json: dict, report_dir: Path) -> None:
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    for c in report_json["alpha_constraints"] + report_json["alpha_likelihood"]:
        for key in ("complete_coherency", "complete_decoherency"):
            h = c[key]
            excluded = h["p_global"] < 0.05
            assert ("not excluded" not in h["verdict"]) == excluded, h["verdict"]
            assert "global p" in h["verdict"] and "local p" in h["verdict"]
            assert h["verdict"] in md
    # no long unrounded numbers in the text
    assert not re.search(r"\d\.\d{9,}", md)
    assert " +- " not in md  # errors as ±


def test_report_epsilon_and_no_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "report", "--out", str(tmp_path / "r"), "--epsilon", "0.045",
                         "--no-figures", "--no-fits")
    assert code == 0 and err == ""
    assert "coherent-csi-2021" in out and "alpha=1 p local" in out
    assert "report.json" in out and ".png" not in out  # no figures announced
    assert "(likelihood)" not in out  # --no-fits
    data = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert data["meta"]["epsilon"] == 0.045
    assert data["alpha_likelihood"] == [] and "not computed" in data["meta"]["alpha_likelihood"]
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "## α(q²) from the full likelihood" in md and "Not computed" in md
    xe = data["table1"]["Xe"]
    assert xe["coherent"]["gamma_np"] == pytest.approx((0.045 * 54 - 78) ** 2, rel=1e-14)
    assert not any(p.suffix == ".png" for p in (tmp_path / "r").iterdir())


def test_xsec_json_equals_api(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "xsec", "Ar40", "10", "30", "--json")
    assert code == 0
    d = json.loads(out)
    np.testing.assert_array_equal(d["sigma_cm2"], coh.sigma_total([10.0, 30.0], "Ar40"))
    code, out, _ = run(capsys, "xsec", "CsI", "30", "--q2", "0", "100", "--json")
    d = json.loads(out)
    np.testing.assert_array_equal(d["values"], coh.dsigma_dq2([[0.0, 100.0]], [[30.0]], "CsI"))
    code, out, _ = run(capsys, "xsec", "Xe", "30", "--recoil", "1", "10", "--alpha", "0.5",
                       "--json")
    d = json.loads(out)
    want = coh.dsigma_dT([[1e-3, 10e-3]], [[30.0]], "Xe", alpha=0.5)
    np.testing.assert_allclose(d["values"], want, rtol=1e-15)


def test_xsec_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "xsec", "Ge", "5")
    assert code == 0
    assert "sigma_total on Ge" in out
    assert f"{float(coh.sigma_total(5.0, 'Ge')):14.6e}".strip() in out


def test_rate_json_equals_api(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rate", "reactor", "Ge", "--mass", "2", "--time", "10",
                       "--time-unit", "day", "--threshold", "0.3", "--fwhm", "--json")
    assert code == 0
    d = json.loads(out)
    src = by_name("reactor")
    assert d["counts"] == event_rate(src, "Ge", 2.0, 10 * 86400.0, T_min=0.3e-3)
    assert d["q2_fwhm_MeV2"] == list(q2_fwhm(src, "Ge", T_min=0.3e-3))
    assert d["sigma_avg_cm2"] == flux_averaged_sigma(src, "Ge")


def test_rate_ee_uses_lindhard(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rate", "reactor", "Ge", "--threshold", "0.2", "--scale", "ee",
                       "--json")
    assert code == 0
    d = json.loads(out)
    from coherency.detector import Lindhard

    tgt = coh.as_target("Ge")
    q = Lindhard(32, sum(n.A * f for n, f in tgt.components))
    want = event_rate(by_name("reactor"), "Ge", 1.0, 365.25 * 86400.0, T_min=0.2e-3,
                      quenching=q, energy_scale="ee")
    assert d["counts"] == want
    nr = event_rate(by_name("reactor"), "Ge", 1.0, 365.25 * 86400.0, T_min=0.2e-3)
    assert d["counts"] < nr  # 0.2 keVee is a higher nuclear-recoil threshold


def test_alpha_json_equals_api(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "alpha", "--xi", "0.18", "--xi-err", "0.29", "--q2", "3790",
                       "--json")
    assert code == 0
    d = json.loads(out)
    m = Measurement([3790.0], [0.18], [0.29], "Xe132")
    assert d["alpha"] == float(m.alpha[0])
    assert d["p_value_alpha1"] == float(m.p_value(1.0)[0])
    assert d["alpha_upper_bound"] == float(m.alpha_bound(0.9, "upper").alpha[0])
    assert 0.0 <= d["alpha_interval"][0] <= d["alpha_interval"][1] <= 1.0


def test_targets_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "targets", "CsI", "--json")
    assert code == 0
    d = json.loads(out)["targets"][0]
    assert d["molar_mass_g_mol"] == pytest.approx(259.8099, abs=1e-3)
    assert {c["nucleus"] for c in d["components"]} == {"Cs133", "I127"}
    code, out, _ = run(capsys, "targets")
    assert code == 0 and "CsI-as-Xe" in out
    code, out, _ = run(capsys, "sources", "--json")
    assert code == 0
    rows = json.loads(out)["sources"]
    assert {r["name"] for r in rows} == set(coh.sources.source_names())
    b8 = next(r for r in rows if r["name"] == "solar-8B")
    assert b8["total_flux_cm2_s"] == pytest.approx(5.46e6, rel=1e-12)
    for r in rows:
        assert math.isfinite(r["total"]) and r["total"] > 0, r["name"]
        # a fluence is never listed as a flux per second
        src = by_name(r["name"])
        if getattr(src, "is_fluence", False):
            assert r["total_flux_cm2_s"] is None and r["total_fluence_cm2"] == r["total"]
            assert "fluence" in r["total_unit"]
        else:
            assert r["total_flux_cm2_s"] == r["total"] and r["total_unit"] == "nu/cm^2/s"


BAD = [
    (["xsec", "Ar40", "-5"], "energy"),
    (["xsec", "Ar40", "nan"], "energy"),
    (["xsec", "Ar40", "ten"], "energy"),
    (["xsec", "Foo", "10"], "unknown target 'Foo'"),
    (["xsec", "Ar", "10", "--alpha", "2", "--q2", "1"], "alpha"),
    (["xsec", "Ar", "10", "--alpha", "0.5"], "--alpha"),
    (["xsec", "Ar", "10", "--q2", "1", "--recoil", "1"], "not allowed with"),
    (["xsec", "Ar", "10", "--form-factor", "gauss"], "invalid choice"),
    (["rate", "nosuch", "Ge"], "unknown source 'nosuch'"),
    (["rate", "reactor", "Ge", "--mass", "0"], "--mass"),
    (["rate", "reactor", "Ge", "--time", "-1"], "--time"),
    (["rate", "reactor", "Ge", "--threshold", "inf"], "--threshold"),
    (["rate", "coherent-csi", "CsI", "--scale", "ee"], "--qf"),
    (["rate", "reactor", "Ge", "--scale", "ee", "--qf", "1.5"], "--qf"),
    (["alpha", "--xi", "0.5", "--xi-err", "0", "--q2", "100"], "--xi-err"),
    (["alpha", "--xi", "0.5", "--xi-err", "0.1"], "--q2"),
    (["alpha", "--xi", "0.5", "--xi-err", "0.1", "--q2", "100", "--cl", "1"], "--cl"),
    (["alpha", "--xi", "0.5", "--xi-err", "0.1", "--q2", "100", "--target", "Zz"], "Zz"),
    (["targets", "Qq12"], "Qq12"),
    (["sources", "sun"], "unknown source"),
    (["report", "--epsilon", "3"], "epsilon"),
    (["nosuchcommand"], "invalid choice"),
]


@pytest.mark.parametrize(("argv", "fragment"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_exits_2_with_one_line(argv: list[str], fragment: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert fragment in lines[0]
    assert "Traceback" not in err


def test_report_out_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    code, _, err = run(capsys, "report", "--out", str(f), "--quiet", "--no-figures")
    assert code == 2 and "out_dir" in err


def _command() -> list[str]:
    exe = shutil.which("coherency")
    return [exe] if exe else [sys.executable, "-m", "coherency"]


def test_console_script_help_and_exit_status(tmp_path: Path) -> None:
    # run from outside the checkout: the installed command and package must work
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    for argv in ([], ["--help"], ["report", "--help"], ["xsec", "--help"], ["rate", "--help"],
                 ["alpha", "--help"], ["targets", "--help"], ["sources", "--help"]):
        res = subprocess.run(_command() + argv, capture_output=True, text=True, env=env,
                             timeout=120)
        assert res.returncode == 0, (argv, res.stderr)
        assert "usage:" in res.stdout
    res = subprocess.run([sys.executable, "-m", "coherency", "xsec", "Ar", "-1"],
                         capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


def test_report_projections_equal_api(report_json: dict) -> None:
    from coherency.projections import default_projections

    got = report_json["projections"]
    want = default_projections()
    assert [p["name"] for p in got] == [p.name for p in want]
    for g, w in zip(got, want):
        assert g["sigma_alpha"] == w.sigma_alpha.tolist()
        assert g["n_helm"] == w.n_helm.tolist()
        assert g["exposure"] == w.exposure
    band = report_json["reactor_panel"]["band"]
    assert all(0.0 <= lo <= hi <= 1.0 for lo, hi in zip(band["alpha_lo"], band["alpha_hi"]))
    # strict JSON: no Infinity/NaN tokens
    json.dumps(report_json, allow_nan=False)


# ----------------------------------------------------------------------------------
# Errors as JSON, files that cannot be written, SIGINT, a full stdout
# ----------------------------------------------------------------------------------
JSON_BAD = [
    (["xsec", "Ar", "1e20", "--json"], "E", r"^E must be <= 10000 MeV"),
    (["rate", "reactor", "Ge", "--mass", "0", "--json"], "--mass", r"^argument --mass:"),
    (["rate", "reactor", "Ge", "--threshold", "2e7", "--json"], "T_min",
     r"^T_min must be <= 10000 MeV"),
    (["xsec", "Foo", "10", "--json"], "target", r"^unknown target 'Foo'"),
    (["rate", "reactor", "Ge", "--pot", "1e23", "--json"], "--pot", r"--pot does not apply"),
    (["rate", "reactor", "Ge", "--power", "3m", "--json"], "--power", r"a power"),
]


@pytest.mark.parametrize(("argv", "argument", "match"), JSON_BAD,
                         ids=[" ".join(a) for a, _, _ in JSON_BAD])
def test_json_errors_are_a_json_object_on_stdout(argv: list[str], argument: str | None,
                                                 match: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    payload = json.loads(out)
    assert set(payload) == {"error", "argument"}
    assert re.search(match, payload["error"]) and payload["argument"] == argument
    assert payload["error"] in err and len(err.strip().splitlines()) == 1


def test_report_out_empty_string_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "report", "--out", "", "--quiet", "--no-figures")
    assert code == 2 and "out_dir must name a folder" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["proc", "under-a-file", "read-only"])
def test_report_out_unwritable_is_one_line_status_1(where: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    if where == "proc":
        out = Path("/proc/coherency-report")
        if not Path("/proc/self").exists():
            pytest.skip("no /proc")
    elif where == "under-a-file":
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "deeper" / "report"
    else:
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        out = ro / "report"
    code, out_text, err = run(capsys, "report", "--out", str(out), "--quiet", "--no-figures")
    assert code in (1, 2) and out_text == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "coherency report: error:" in err
    if where == "read-only":
        assert not any(p.name != "." for p in (tmp_path / "ro").iterdir())


def test_report_is_never_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a failure after the first file: no report folder, no staging folder left
    def fail(*args: object, **kwargs: object) -> str:
        raise OSError(28, "No space left on device")

    from coherency import _report_files

    monkeypatch.setattr(_report_files, "render_markdown", fail)
    out = tmp_path / "r"
    with pytest.raises(OSError):
        report.write_report(out, figures=False, fits=False)
    assert list(tmp_path.iterdir()) == []
    # into an existing folder: its other files stay, the report files appear whole
    monkeypatch.undo()
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    paths = report.write_report(out, figures=False, fits=False)
    assert {p.name for p in out.iterdir()} == {"notes.txt", "report.json", "report.md"}
    assert paths["report_json"] == out / "report.json"
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


def _sigint_default() -> None:
    """In the child before exec: SIGINT back to its default action, so the child
    Python installs its KeyboardInterrupt handler even when this test process was
    started with SIGINT ignored (a background job of a non-interactive shell)."""
    import signal as _signal

    _signal.signal(_signal.SIGINT, _signal.SIG_DFL)


def _python_cli(*argv: str, slow_write: bool = False) -> list[str]:
    """The command in a child that says "ready" on stderr once the package is imported
    (and, with ``slow_write``, "writing" once report.json is written, then waits)."""
    code = "import sys, time, coherency.cli as c, coherency._report_files as w\n"
    if slow_write:
        code += ("def slow(*a, **k):\n"
                 "    sys.stderr.write('writing\\n'); sys.stderr.flush(); time.sleep(60)\n"
                 "w.render_markdown = slow\n")
    code += ("sys.stderr.write('ready\\n'); sys.stderr.flush()\n"
             f"sys.exit(c.main({list(argv)!r}))\n")
    return [sys.executable, "-c", code]


@pytest.mark.parametrize("when", ["computing", "writing"])
def test_sigint_exits_130_without_traceback_or_partial_report(when: str,
                                                              tmp_path: Path) -> None:
    import signal
    import time

    out = tmp_path / "r"
    proc = subprocess.Popen(_python_cli("report", "--out", str(out), "--quiet", "--no-fits",
                                        slow_write=when == "writing"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path,  # not the source tree: the installed package
                            preexec_fn=_sigint_default)
    assert proc.stderr is not None
    assert proc.stderr.readline() == "ready\n"
    if when == "writing":
        assert proc.stderr.readline() == "writing\n"  # report.json and figures written
    else:
        time.sleep(0.3)
    os.kill(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == ["coherency report: interrupted"]
    # no half-written report folder, no staging folder
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("argv", [["sources"], ["sources", "--json"], ["targets", "CsI"],
                                  ["xsec", "Ar", "30", "--json"]])
def test_stdout_on_dev_full_is_one_line_status_1(argv: list[str]) -> None:
    with open("/dev/full", "w") as full:
        res = subprocess.run(_command() + argv, stdout=full, stderr=subprocess.PIPE,
                             text=True, timeout=120)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and "Exception ignored" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0]


def test_report_flags_are_booleans(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="fits must be True or False; got str"):
        report.build_report(fits="no")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="figures must be True or False; got int"):
        report.write_report(tmp_path / "r", figures=0)  # type: ignore[arg-type]
    assert not (tmp_path / "r").exists()
