"""Weak couplings (coherency.couplings, docs/physics.md §9)."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

from coherency import couplings as cp
from coherency.constants import FINE_STRUCTURE, SIN2_THETA_W


def _vp_mpmath(x: float) -> float:
    """Pi(x) - Pi(0) = -2 int_0^1 z(1-z) ln(1 + x z(1-z)) dz at 40 digits: the integral
    form, independent of the closed form and of the series the module sums."""
    with mp.workdps(40):
        f = lambda z: z * (1 - z) * mp.log1p(x * z * (1 - z))  # noqa: E731
        return float(-2 * mp.quad(f, [0, 0.5, 1]))


@pytest.mark.parametrize("x", [1e-12, 1e-6, 1e-3, 0.1, 0.5, 0.999, 1.0, 1.001, 2.0, 10.0,
                               1e3, 1e6, 1e10])
def test_vacuum_polarization_against_integral(x: float) -> None:
    m = 0.511
    q = m * math.sqrt(x)
    got = cp.vacuum_polarization(q, m)
    want = _vp_mpmath(x)
    # both branches (series below x = 1, closed form above) to a few ulp of the result
    assert got == pytest.approx(want, rel=2e-14, abs=0)


def test_vacuum_polarization_limits() -> None:
    assert cp.vacuum_polarization(0.0, 1.0) == 0.0
    assert math.copysign(1.0, cp.vacuum_polarization(0.0, 1.0)) == 1.0
    # Q >> m: (1/3) ln(m^2/Q^2) + 5/9, up to O(m^2/Q^2)
    q, m = 1e4, 1.0
    assert cp.vacuum_polarization(q, m) == pytest.approx(
        math.log(m * m / (q * q)) / 3 + 5 / 9, abs=1e-7)
    arr = cp.vacuum_polarization(np.array([[0.0, 1.0], [2.0, 3.0]]), 1.0)
    assert arr.shape == (2, 2) and np.all(np.diff(arr.ravel()) < 0)


def test_tree_scheme_is_sharma_wong_epsilon() -> None:
    for f in cp.FLAVOURS:
        c = cp.couplings(f)
        assert c.epsilon == pytest.approx(1 - 4 * SIN2_THETA_W, rel=1e-15)
        assert c.norm == 1.0 and not c.runs
        assert c.weak_charge(55, 78) == pytest.approx(78 - c.epsilon * 55, rel=1e-15)
    c = cp.couplings("mu", sin2_theta_w=0.25)
    assert c.g_p == 0.0 and c.epsilon == 0.0


def test_pdg_scheme_values() -> None:
    # PDG / Erler & Su (Prog. Part. Nucl. Phys. 71 (2013) 119): g_V^n = -0.5117,
    # g_V^p(nu_mu) = 0.0298; nu_e and nu_tau by their charge-radius terms.
    g = {f: cp.couplings(f, "pdg").g_p for f in cp.FLAVOURS}
    assert g["mu"] == pytest.approx(0.0298, abs=1e-12)
    assert g["e"] == pytest.approx(0.0381, abs=1e-4)
    assert g["tau"] == pytest.approx(0.0254, abs=1e-4)
    assert all(cp.couplings(f, "pdg").g_n == -0.5117 for f in cp.FLAVOURS)
    # antineutrinos: the same vector couplings
    assert cp.couplings("numubar", "pdg") == cp.couplings("mu", "pdg")


def test_tomalak_running() -> None:
    e = cp.couplings("e", "tomalak")
    assert e.g_p_at(0.0) == cp.couplings("e", "pdg").g_p
    # The flavour differences at q = 0 are the log of the lepton masses (the charge
    # radii): g_p(e) - g_p(mu) = (alpha / 3 pi) ln(m_mu^2 / m_e^2) to 1 %.
    diff = cp.couplings("e", "pdg").g_p - cp.couplings("mu", "pdg").g_p
    assert diff == pytest.approx(FINE_STRUCTURE / (3 * math.pi) * math.log(
        (105.6583755 / 0.51099895) ** 2), rel=0.01)
    # nu_e loses the electron-loop enhancement at q >> m_e: about -0.005 at 30 MeV
    assert float(e.g_p_at(30.0)) - e.g_p == pytest.approx(-0.0048, abs=3e-4)
    # nu_mu barely runs below m_mu
    mu = cp.couplings("mu", "tomalak")
    assert abs(float(mu.g_p_at(30.0)) - mu.g_p) < 3e-4
    q = np.linspace(0, 100, 11)
    assert np.all(np.diff(e.g_p_at(q)) < 0)


@pytest.mark.parametrize("bad", ["x", "electron", "nu_x", ""])
def test_bad_flavour(bad: str) -> None:
    with pytest.raises(ValueError, match="flavour"):
        cp.couplings(bad)


def test_bad_input() -> None:
    with pytest.raises(TypeError, match="flavour"):
        cp.couplings(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scheme"):
        cp.couplings("e", "loop")
    with pytest.raises(ValueError, match="sin2_theta_w"):
        cp.couplings("e", "tree", sin2_theta_w=1.5)
    with pytest.raises(ValueError, match="sin2_theta_w"):
        cp.couplings("e", "pdg", sin2_theta_w=0.23)
    with pytest.raises(ValueError, match="q"):
        cp.vacuum_polarization(-1.0, 1.0)
    with pytest.raises(ValueError, match="lepton_mass_MeV"):
        cp.vacuum_polarization(1.0, 0.0)
    assert cp.flavour_of("ν_e") == "e"
