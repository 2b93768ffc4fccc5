"""Physical constants pinned to the literal values of their sources.

A typo in a constant (G_F, hbar c, a mass) would move every result by a fixed factor
that internal-consistency tests cannot see; these literals are typed here a second
time from the cited tables, so such a typo fails.
"""

from __future__ import annotations

import math
import warnings

import pytest

from coherency import constants as c

# (name, literal value, source). Exact equality: the module must carry these digits.
PINNED = [
    # PDG 2024, "Physical constants": G_F/(hbar c)^3 = 1.1663788(6)e-5 GeV^-2
    ("FERMI_CONSTANT_PER_GEV2", 1.1663788e-5),
    # CODATA 2018 (exact in the 2019 SI): hbar c = 197.3269804 MeV fm
    ("HBARC_MEV_FM", 197.3269804),
    # PDG 2024: (hbar c)^2 = 0.3893793721 GeV^2 mbarn = 3.893793721e-22 MeV^2 cm^2
    ("HBARC2_MEV2_CM2", 3.893793721e-22),
    # CODATA 2018: u c^2 = 931.49410242 MeV
    ("ATOMIC_MASS_UNIT_MEV", 931.49410242),
    # CODATA 2018: m_e c^2 = 0.51099895000 MeV
    ("ELECTRON_MASS_MEV", 0.51099895),
    # PDG 2024: m_mu = 105.6583755 MeV, m_pi+- = 139.57039 MeV
    ("MUON_MASS_MEV", 105.6583755),
    ("PION_MASS_MEV", 139.57039),
    # PDG 2024: m_tau = 1776.93 MeV; CODATA 2018: alpha = 7.2973525693e-3
    ("TAU_MASS_MEV", 1776.93),
    # CODATA 2018: m_p c^2 = 938.27208816 MeV
    ("PROTON_MASS_MEV", 938.27208816),
    ("FINE_STRUCTURE", 7.2973525693e-3),
    # 2019 SI, exact
    ("AVOGADRO_PER_MOL", 6.02214076e23),
    ("MEV_TO_ERG", 1.602176634e-6),
    # PDG 2024 electroweak review: sin^2 theta_W(0), MS-bar = 0.23857(5)
    ("SIN2_THETA_W", 0.23857),
    # PDG 2024 electroweak review: sin^2 theta_W(M_Z), MS-bar = 0.23129(4)
    ("SIN2_THETA_W_MZ", 0.23129),
    # Sharma & Wong (arXiv:2010.06810), below their Eq. 2
    ("EPSILON_SHARMA_WONG", 0.045),
    # IAU 2015 Resolution B2: 1 pc = 3.0856775814913673e16 m
    ("PARSEC_M", 3.0856775814913673e16),
    # Julian year
    ("SECONDS_PER_YEAR", 31557600.0),
]


@pytest.mark.parametrize(("name", "value"), PINNED)
def test_constant_has_its_literal_value(name: str, value: float) -> None:
    assert getattr(c, name) == value


def test_derived_constants() -> None:
    assert c.FERMI_CONSTANT_PER_MEV2 == pytest.approx(1.1663788e-11, rel=1e-15)
    assert c.EPSILON_DEFAULT == pytest.approx(1 - 4 * 0.23857, rel=1e-15)
    # (1/2) G_F^2 / (4 pi) in cm^2/MeV^2, computed here from the literals
    want = 0.5 * (1.1663788e-11) ** 2 / (4 * math.pi) * 3.893793721e-22
    assert c.DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 == pytest.approx(want, rel=1e-15)
    assert c.KILOPARSEC_CM == pytest.approx(3.0856775814913673e21, rel=1e-15)


def test_deprecated_alias_warns_and_matches() -> None:
    with pytest.warns(DeprecationWarning, match="EPSILON_SHARMA_WONG"):
        old = c.EPSILON_SEED
    assert old == c.EPSILON_SHARMA_WONG
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="NOT_A_CONSTANT"):
            c.NOT_A_CONSTANT  # noqa: B018
