"""coherency.detector: one Lindhard formula, one inversion T_ee -> T_nr."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coherency import coherent_release, detector, projections
from coherency.detector import quenching

# brentq stops at a relative 1e-13 of the root; the round trip T_nr -> T_ee -> T_nr
# adds a few ulps of the model on top
INVERSION_RTOL = 1e-12


def test_lindhard_keV_and_MeV_are_one_formula() -> None:
    T_keV = np.geomspace(1e-3, 100.0, 50)
    for Z, A, k in ((32, 72.63, None), (32, 72.63, 0.162), (54, 131.3, None)):
        keV = quenching.lindhard_qf(T_keV, Z, A, k)
        MeV = quenching.lindhard_qf_MeV(T_keV * 1e-3, Z, A, k)
        np.testing.assert_allclose(MeV, keV, rtol=1e-15)
        np.testing.assert_array_equal(quenching.Lindhard(Z, A, k).qf_MeV(T_keV * 1e-3), MeV)
    # the projections' name is the MeV form with Ge's rounded k
    T = np.array([1e-4, 1e-3, 1e-2])
    np.testing.assert_array_equal(projections.lindhard_quenching(T, 32),
                                  quenching.lindhard_qf_MeV(T, 32, k=0.16))


def test_lindhard_needs_A_or_k() -> None:
    with pytest.raises(ValueError, match=r"needs the mass number A"):
        quenching.lindhard_qf_MeV(1e-3, 32)
    with pytest.raises(ValueError, match=r"^T_nr_MeV must be >= 0 MeV"):
        quenching.lindhard_qf_MeV(-1e-3, 32, k=0.16)


def test_old_names_are_the_new_objects() -> None:
    assert detector.nr_from_ee is quenching.nr_from_ee_MeV
    assert detector.Lindhard is quenching.Lindhard
    assert detector.lindhard_qf is quenching.lindhard_qf


@pytest.mark.parametrize("T_nr", [1e-6, 1e-4, 3e-3, 0.05])
def test_inversion_round_trip(T_nr: float) -> None:
    q = quenching.Lindhard(32, 72.63, k=0.162)
    back = quenching.nr_from_ee_MeV(float(q(T_nr)), q)
    assert back == pytest.approx(T_nr, rel=INVERSION_RTOL)


def test_inversion_constant_factor_zero_and_clip() -> None:
    assert quenching.nr_from_ee_MeV(0.1, 0.25) == pytest.approx(0.4, rel=1e-15)
    assert quenching.nr_from_ee_MeV(0.0, quenching.Lindhard(32, 72.63)) == 0.0
    q = quenching.Lindhard(32, 72.63)
    top = 2e-3
    # a threshold beyond the end point of interest: the end point itself
    assert quenching.nr_from_ee_MeV(float(q(2 * top)), q, T_nr_max_MeV=top) == top
    assert quenching.nr_from_ee_MeV(1.0, 0.5, T_nr_max_MeV=top) == top
    inside = quenching.nr_from_ee_MeV(float(q(top / 2)), q, T_nr_max_MeV=top)
    assert inside == pytest.approx(top / 2, rel=INVERSION_RTOL)


@pytest.mark.parametrize(
    ("T_ee", "model", "exc", "match"),
    [
        (-1e-3, 0.2, ValueError, r"^T_ee must be >= 0 MeV; got -0\.001"),
        (math.nan, 0.2, ValueError, r"^T_ee must not be NaN"),
        (1e-3, 0.0, ValueError, r"^quenching must be > 0"),
        (1e-3, lambda t: math.nan, ValueError, r"^quenching: the model returned nan at T_nr"),
        (1e-3, lambda t: min(t, 1e-4), ValueError, r"^T_ee = 0\.001 MeV is beyond the "
                                                   r"quenching model's range"),
    ],
)
def test_inversion_errors(T_ee: float, model: object, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        quenching.nr_from_ee_MeV(T_ee, model)  # type: ignore[arg-type]


def test_release_quenching_fit_uses_the_same_inversion(releases) -> None:
    fit = coherent_release.fit_quenching(coherent_release.read_csi_2017(
        releases / "coherent_csi_2017"))
    t_nr = np.array([5.0, 12.0, 30.0])
    back = np.asarray(fit.t_nr_kev(fit.t_ee_kev(t_nr)))
    np.testing.assert_allclose(back, t_nr, rtol=INVERSION_RTOL)
    assert fit.t_nr_kev(0.0) == 0.0
