"""Elastic kinematics (docs/physics.md §1): identities, limits, broadcasting, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coherency.constants import MUON_MASS_MEV, PION_MASS_MEV
from coherency.kinematics import E_min, T_max, q2_max, q2_min
from coherency.targets import as_nucleus, nucleus, target

EPS = np.finfo(float).eps
# T_max takes 4 roundings (E*E, 2E is exact, M+2E, product, quotient) and E_min 4
# (T+2M, product, sqrt, sum; halving is exact), each <= 1/2 ulp; E_min is at most
# linearly sensitive to T, so a round trip stays within ~4.5 ulp: allow 8.
ROUND_TRIP_ULPS = 8
# q2_max and 2 M T_max are the same product in a different order: a few ulp.
IDENTITY_ULPS = 4

NUCLEI = ["Ar40", "Ge74", "Xe132", "Na23", "F19", "H1", "W184"]

hyp = settings(max_examples=150, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])


@hyp
@given(E=st.floats(1e-3, 1e3), name=st.sampled_from(NUCLEI))
def test_E_min_inverts_T_max(backend: str, E: float, name: str) -> None:
    T = T_max(E, name)
    assert abs(E_min(T, name) - E) <= ROUND_TRIP_ULPS * EPS * E


@hyp
@given(E=st.floats(1e-3, 1e3), M=st.floats(1.0, 3e5))
def test_q2_max_is_2M_T_max(backend: str, E: float, M: float) -> None:
    assert q2_max(E, M) == pytest.approx(2 * M * T_max(E, M), rel=IDENTITY_ULPS * EPS)
    # q2_min at T_max is the same quantity (q^2 = 2 M T).
    assert q2_min(T_max(E, M), M) == pytest.approx(q2_max(E, M), rel=IDENTITY_ULPS * EPS)


@hyp
@given(E=st.floats(1e-3, 1e3), M=st.floats(1.0, 3e5))
def test_T_max_is_backscatter(backend: str, E: float, M: float) -> None:
    # Independent check from energy-momentum conservation: at backscatter the
    # neutrino leaves with E' = E - T and the nucleus carries p = E + E', with
    # p^2 = T^2 + 2 M T. No cancellation on either side (T < E).
    T = T_max(E, M)
    assert math.sqrt(T * T + 2 * M * T) == pytest.approx(2 * E - T,
                                                         rel=ROUND_TRIP_ULPS * EPS)


def test_heavy_nucleus_limit(backend: str) -> None:
    # M -> infinity: q2_max -> 4 E^2 and T_max -> 0 (Sharma & Wong, text below Eq. 1).
    assert q2_max(10.0, 1e30) == 400.0
    assert T_max(10.0, 1e30) == pytest.approx(2 * 100.0 / 1e30, rel=2 * EPS)


def test_zero_energy(backend: str) -> None:
    assert T_max(0.0, 1000.0) == 0.0
    assert q2_max(0.0, 1000.0) == 0.0
    assert q2_min(0.0, 1000.0) == 0.0
    assert E_min(0.0, 1000.0) == 0.0


def test_published_q2_max(backend: str) -> None:
    # docs/physics.md §5 ("Maximum q^2 for E_max"), quoted to 3 significant figures:
    # reactor 8 MeV 256 MeV^2, hep 1.41e3, DAR prompt 3.55e3, DAR delayed 1.12e4.
    # Heavy-nucleus values (Xe, M >> E) must round to them.
    xe = nucleus("Xe132")
    prompt = (PION_MASS_MEV**2 - MUON_MASS_MEV**2) / (2 * PION_MASS_MEV)
    cases = [(8.0, 256.0), (18.765, 1.41e3), (prompt, 3.55e3), (MUON_MASS_MEV / 2, 1.12e4)]
    for E, quoted in cases:
        got = q2_max(E, xe)
        assert float(f"{got:.3g}") == quoted


def test_mass_argument_kinds(backend: str) -> None:
    xe = nucleus("Xe132")
    ref = T_max(30.0, xe.mass)
    assert T_max(30.0, xe) == ref
    assert T_max(30.0, "Xe132") == ref
    assert T_max(30.0, target("CsI-as-Xe")) == ref
    assert T_max(30.0, as_nucleus("CsI-as-Xe")) == ref
    with pytest.raises(ValueError, match="mass.*components"):
        T_max(30.0, target("CsI"))
    with pytest.raises(ValueError, match="mass"):
        T_max(30.0, "Unobtainium")


def test_broadcasting_and_scalar_type(backend: str) -> None:
    E = np.array([[5.0], [10.0], [50.0]])
    M = np.array([3.7e4, 1.2e5])
    for f in (q2_max, T_max, q2_min, E_min):
        out = f(E, M)
        assert isinstance(out, np.ndarray) and out.shape == (3, 2)
        # Element-wise agreement with the scalar call.
        assert out[2, 1] == f(50.0, 1.2e5)
        assert type(f(5.0, 3.7e4)) is float
    assert q2_max([], 1e4).shape == (0,)
    with pytest.raises(ValueError, match="broadcast"):
        q2_max(np.ones(3), np.ones(2) * 1e4)


@pytest.mark.parametrize(
    ("func", "arg"), [(q2_max, "E"), (T_max, "E"), (q2_min, "T_min"), (E_min, "T")]
)
def test_bad_energy(backend: str, func, arg: str) -> None:
    with pytest.raises(ValueError, match=rf"^{arg} must be >= 0 MeV; got -1.0"):
        func(-1.0, 1e4)
    with pytest.raises(ValueError, match=rf"^{arg} must not be NaN.*index 1"):
        func([1.0, float("nan")], 1e4)
    with pytest.raises(ValueError, match=rf"^{arg} must be finite"):
        func(float("inf"), 1e4)
    with pytest.raises(TypeError, match=rf"^{arg}"):
        func("ten", 1e4)


@pytest.mark.parametrize("func", [q2_max, T_max, q2_min, E_min])
def test_bad_mass(backend: str, func) -> None:
    with pytest.raises(ValueError, match=r"^mass must be > 0 MeV"):
        func(1.0, 0.0)
    with pytest.raises(ValueError, match=r"^mass must be > 0 MeV"):
        func(1.0, -5.0)
    with pytest.raises(ValueError, match=r"^mass must not be NaN"):
        func(1.0, float("nan"))
    with pytest.raises(TypeError, match=r"^mass"):
        func(1.0, None)
