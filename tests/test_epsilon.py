"""One rule for epsilon = 1 - 4 sin^2 theta_W: every public function that takes it
accepts and refuses the same values (coherency._validation.check_epsilon).

The table below names each such function with a cheap call; a walk over the public
modules checks that none is missing, so a new function with an ``epsilon`` argument
must be added here (and must use check_epsilon).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import _validation, cli, coherent_release, data, plotting, projections, report
from coherency.analysis import (
    Measurement,
    alpha_theory,
    coherent_rate_weights,
    compound_xi_decoherent,
)
from coherency.constants import EPSILON_DEFAULT, EPSILON_SHARMA_WONG

# Values every function accepts: the ends of [-3, 1] (sin^2 theta_W = 1 and 0), values
# inside, Sharma & Wong's 0.045 and None (the default).
ACCEPTED = [None, -3.0, -1.5, 0.0, EPSILON_SHARMA_WONG, 1.0]
# (value, exception, message) every function refuses, whatever its other arguments.
REFUSED = [
    (-3.0000001, ValueError, r"^epsilon must be >= -3; got -3\.0000001"),
    (1.5, ValueError, r"^epsilon must be <= 1; got 1\.5"),
    (math.nan, ValueError, r"^epsilon must not be NaN"),
    (math.inf, ValueError, r"^epsilon must be finite"),
    ("0.1", TypeError, r"^epsilon must be a real number"),
    (np.array([0.1, 0.2]), ValueError, r"^epsilon must be a scalar"),
]

AR = "Ar40"
LINE = coh.sources.Monochromatic(30.0, 1.0e7)


@functools.cache
def _csi_inputs() -> tuple[Any, Any]:
    release = coherent_release.read_csi_2017(coh.data.release_dir("coherent_csi_2017"))
    return release, coherent_release.csi_2017_signal(release)


def _csi_predicted(e: Any) -> Any:
    release, signal = _csi_inputs()
    return coherent_release.csi_2017_predicted(release, signal, 0.0878, epsilon=e)


# (function or class, call with epsilon = e, cheap): cheap calls run with every value
# of ACCEPTED; the others (seconds each) with the two ends of the range only.
CASES: list[tuple[Any, Callable[[Any], Any], bool]] = [
    (coh.couplings.coupling_terms, lambda e: coh.couplings.coupling_terms(LINE, None, e), True),
    (coh.couplings.for_flavour, lambda e: coh.couplings.for_flavour(None, None, e), True),
    (coh.gamma_np, lambda e: coh.gamma_np(1.0, 0.9, AR, epsilon=e), True),
    (coh.gamma_qm, lambda e: coh.gamma_qm(0.5, AR, epsilon=e), True),
    (coh.gamma_data, lambda e: coh.gamma_data(0.5, AR, epsilon=e), True),
    (coh.xi_decoherent, lambda e: coh.xi_decoherent(AR, epsilon=e), True),
    (coh.xi_from_alpha, lambda e: coh.xi_from_alpha(0.5, AR, epsilon=e), True),
    (coh.alpha_from_xi, lambda e: coh.alpha_from_xi(0.5, AR, epsilon=e), True),
    (coh.alpha_from_form_factors,
     lambda e: coh.alpha_from_form_factors(0.9, 0.9, AR, epsilon=e), True),
    (coh.coherency_limits, lambda e: coh.coherency_limits(AR, epsilon=e), True),
    (coh.figure1_data, lambda e: coh.figure1_data(epsilon=e), True),
    (coh.dsigma_dq2, lambda e: coh.dsigma_dq2(100.0, 30.0, AR, epsilon=e), True),
    (coh.dsigma_dT, lambda e: coh.dsigma_dT(1e-3, 30.0, AR, epsilon=e), True),
    (coh.sigma_total, lambda e: coh.sigma_total(30.0, AR, epsilon=e), True),
    (coh.flux_averaged_sigma, lambda e: coh.flux_averaged_sigma(LINE, AR, epsilon=e), True),
    (coh.recoil_spectrum, lambda e: coh.recoil_spectrum(LINE, AR, 1e-3, epsilon=e), True),
    (coh.q2_spectrum, lambda e: coh.q2_spectrum(LINE, AR, 100.0, epsilon=e), True),
    (coh.event_rate, lambda e: coh.event_rate(LINE, AR, 1.0, 1.0, epsilon=e), True),
    (coh.q2_fwhm, lambda e: coh.q2_fwhm(LINE, AR, epsilon=e, n_grid=50), True),
    (Measurement, lambda e: Measurement([1e3], [0.5], [0.1], AR, epsilon=e), True),
    (compound_xi_decoherent, lambda e: compound_xi_decoherent(coh.target("CsI"), e), True),
    (coherent_rate_weights, lambda e: coherent_rate_weights(coh.target("CsI"), e), True),
    (alpha_theory, lambda e: alpha_theory(100.0, AR, epsilon=e), True),
    (data.load, lambda e: data.load("coherent_ar", epsilon=e), True),
    (projections.Experiment,
     lambda e: projections.Experiment("line", LINE, AR, 1e-3, epsilon=e), True),
    (projections.reactor_germanium, lambda e: projections.reactor_germanium(epsilon=e), True),
    (projections.solar_xenon, lambda e: projections.solar_xenon(epsilon=e), True),
    (projections.atmospheric_xenon, lambda e: projections.atmospheric_xenon(epsilon=e), True),
    (coherent_release.csi_2017_predicted, _csi_predicted, False),
    (coherent_release.derive_csi_2017,
     lambda e: coherent_release.derive_csi_2017(
         coh.data.release_dir("coherent_csi_2017"), epsilon=e), False),
    (coh.data.coherent_csi_2017.csi_2017_predicted_detector,
     lambda e: coh.data.coherent_csi_2017.csi_2017_predicted_detector(
         _csi_inputs()[1], 0.0878, epsilon=e), False),
    (coh.data.coherent_ar_2020.ar_2020_predicted_detector,
     lambda e: coh.data.coherent_ar_2020.ar_2020_predicted_detector(
         np.arange(0.0, 130.0, 10.0), epsilon=e), False),
    (coh.data.xi_tables.XiTable.measurement,
     lambda e: data.table("coherent_ar").measurement(e, counts=False), True),
    (coh.experiments.Experiment.predicted_spectrum,
     lambda e: coh.experiments.load("coherent-ar-2020").predicted_spectrum(
         couplings=None, epsilon=e), False),
    (coh.experiments.Experiment.recoil_weights,
     lambda e: coh.experiments.load("coherent-ar-2020").recoil_weights(
         couplings=None, epsilon=e), False),
    (coherent_release.derive_ar_2020,
     lambda e: coherent_release.derive_ar_2020(
         coh.data.release_dir("coherent_ar_2020"), epsilon=e), False),
    (plotting.figure1, lambda e: plotting.figure1(epsilon=e), False),
    (plotting.figure2, lambda e: plotting.figure2(epsilon=e), False),
    # the whole report takes a minute: refusals only (checked before any work)
    (report.build_report, lambda e: report.build_report(epsilon=e), None),
    (report.write_report,
     lambda e: report.write_report(Path("unused-report"), epsilon=e, figures=False), None),
]

PUBLIC_MODULES = [
    "coherency", "coherency.analysis", "coherency.analysis.measurement",
    "coherency.analysis.projection_presets", "coherency.analysis.projections",
    "coherency.batch", "coherency.coherence", "coherency.coherent_release",
    "coherency.couplings", "coherency.cross_sections", "coherency.data",
    "coherency.data.coherent_ar_2020", "coherency.data.coherent_csi_2017",
    "coherency.data.xi_tables", "coherency.detector", "coherency.detector.quenching",
    "coherency.experiments", "coherency.experiments.conus_plus", "coherency.form_factors",
    "coherency.kinematics", "coherency.plotting", "coherency.projections", "coherency.rates",
    "coherency.report", "coherency.scan", "coherency.sources", "coherency.targets",
]


# Take epsilon but are not argument checks: a result record (holds the checked value)
# and the kernels' input builders (called with an already checked float).
NOT_CHECKS = {id(coh.coherence.CoherencyLimits), id(coh.cross_sections.kernel_spec),
              id(coh.cross_sections.unity_spec), id(coh.couplings.CouplingTerm)}


def _takes_epsilon(obj: Any) -> bool:
    try:
        return "epsilon" in inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return False


def _public_callables_with_epsilon() -> dict[int, str]:
    found: dict[int, str] = {}
    for name in PUBLIC_MODULES:
        mod = importlib.import_module(name)
        for attr in getattr(mod, "__all__", [a for a in dir(mod) if not a.startswith("_")]):
            obj = getattr(mod, attr)
            if inspect.ismodule(obj):
                continue
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and _takes_epsilon(obj):
                found[id(obj)] = f"{name}.{attr}"
            if inspect.isclass(obj):
                for meth_name, meth in vars(obj).items():
                    if meth_name.startswith("_"):
                        continue
                    func = getattr(meth, "__func__", meth)
                    if inspect.isfunction(func) and _takes_epsilon(func):
                        found[id(getattr(obj, meth_name))] = f"{name}.{attr}.{meth_name}"
    return found


def test_every_public_epsilon_argument_is_in_the_table() -> None:
    covered = {id(obj) for obj, _, _ in CASES} | NOT_CHECKS
    missing = sorted(n for i, n in _public_callables_with_epsilon().items() if i not in covered)
    assert not missing, f"add these to CASES in {__name__}: {missing}"


def _ids(cases: list[tuple[Any, Any, Any]]) -> list[str]:
    return [getattr(obj, "__qualname__", repr(obj)) for obj, _, _ in cases]


@pytest.mark.parametrize(("value", "exc", "match"), REFUSED,
                         ids=["below", "above", "nan", "inf", "str", "array"])
@pytest.mark.parametrize(("obj", "call", "cheap"), CASES, ids=_ids(CASES))
def test_refused_everywhere(obj: Any, call: Callable[[Any], Any], cheap: bool | None,
                            value: Any, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        call(value)


ACCEPT_CASES = [c for c in CASES if c[2] is not None]


@pytest.mark.parametrize(("obj", "call", "cheap"), ACCEPT_CASES, ids=_ids(ACCEPT_CASES))
def test_accepted_everywhere(obj: Any, call: Callable[[Any], Any], cheap: bool) -> None:
    for value in ACCEPTED if cheap else [-3.0, 1.0]:
        call(value)  # no exception


def test_check_epsilon_range_and_default() -> None:
    assert _validation.check_epsilon(None) == EPSILON_DEFAULT
    assert _validation.EPSILON_RANGE == (-3.0, 1.0)
    # the range is the image of 0 <= sin^2 theta_W <= 1
    assert _validation.check_epsilon(1.0 - 4.0 * 1.0) == -3.0
    assert _validation.check_epsilon(1.0 - 4.0 * 0.0) == 1.0
    assert _validation.check_epsilon(np.float64(0.5)) == 0.5
    with pytest.raises(ValueError, match=r"^sw must be <= 1"):
        _validation.check_epsilon(2.0, "sw")


@pytest.mark.parametrize("value", ["-3", "1", "0.045"])
def test_cli_accepts_the_same_range(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["alpha", "--xi", "0.5", "--xi-err", "0.1", "--q2", "100", "--epsilon", value]
    assert cli.main(args) == 0


@pytest.mark.parametrize("value", ["-3.5", "1.5", "nan"])
def test_cli_refuses_the_same_values(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["alpha", "--xi", "0.5", "--xi-err", "0.1", "--q2", "100", "--epsilon", value]
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code == cli.EXIT_USAGE
    assert "epsilon" in capsys.readouterr().err


def test_singular_points_are_refused_where_they_divide() -> None:
    # eps Z = N: xi undefined (deuteron, epsilon = 1), refused by the functions that
    # divide by (eps Z - N)^2, accepted by those that do not
    deuteron = coh.Nucleus(Z=1, N=1)
    assert coh.gamma_qm(0.5, deuteron, epsilon=1.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"^nucleus: eps Z - N = 0"):
        coh.xi_decoherent(deuteron, epsilon=1.0)
