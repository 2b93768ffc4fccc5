"""Nuclear radii (coherency.nuclear_radii, docs/physics.md §3.2)."""

from __future__ import annotations

import math

import pytest

import coherency as coh
from coherency import nuclear_radii as nr
from coherency.targets import NAMED_TARGETS

# Angeli & Marinova, At. Data Nucl. Data Tables 99 (2013) 69, Table: rms charge radii.
PUBLISHED = {"Ar40": 3.4274, "Cs133": 4.8041, "I127": 4.7500, "Xe132": 4.7859,
             "Ge74": 4.0742, "Na23": 2.9936, "F19": 2.8976, "C12": 2.4702,
             "Ca40": 3.4776, "W184": 5.3658, "O16": 2.6991, "Si28": 3.1224,
             "Al27": 3.0610}


@pytest.mark.parametrize(("name", "r"), sorted(PUBLISHED.items()))
def test_charge_radius_table(name: str, r: float) -> None:
    assert nr.charge_radius_fm(name) == r
    assert 0 < nr.charge_radius_error_fm(name) < 0.01


def test_every_isotope_of_the_named_targets_has_a_radius() -> None:
    for name in NAMED_TARGETS:
        for nuc, _ in coh.target(name).components:
            if name == "CsI-as-Xe":
                continue  # a fictitious Z = 54, A = 132 nucleus: Xe132 itself
            assert 1.5 < nr.charge_radius_fm(nuc) < 6.0, nuc


def test_point_proton_radius() -> None:
    # R_p^2 = R_ch^2 - r_p^2 - (N/Z) <r_n^2> - 3/(4 M_p^2), written out here
    nuc = coh.nucleus("Cs133")
    df = 0.75 * (197.3269804 / 938.27208816) ** 2
    want = math.sqrt(4.8041**2 - 0.84075**2 + (78 / 55) * 0.1155 - df)
    assert nr.proton_radius_fm(nuc) == pytest.approx(want, rel=1e-14)
    assert nr.proton_radius_fm("Ar40") < nr.charge_radius_fm("Ar40")


def test_neutron_skin_systematics() -> None:
    # Trzcinska et al., PRL 87 (2001) 082501: 1.01 (N - Z)/A - 0.04 fm
    assert nr.neutron_skin_fm("Cs133") == pytest.approx(1.01 * 23 / 133 - 0.04, rel=1e-14)
    assert nr.neutron_skin_fm("Ar40") == pytest.approx(1.01 * 4 / 40 - 0.04, rel=1e-14)
    # N = Z: a small negative skin (Coulomb pushes protons out)
    assert nr.neutron_skin_fm("Ca40") == pytest.approx(-0.04)
    r = nr.neutron_radius_fm("Cs133")
    assert r == pytest.approx(nr.proton_radius_fm("Cs133") + nr.neutron_skin_fm("Cs133"))
    assert nr.neutron_radius_fm("Cs133", skin_fm=0.0) == nr.proton_radius_fm("Cs133")


def test_missing_isotopes() -> None:
    # S33 lies between tabulated S32 and S34: linear in A, with a wider error
    r32, r34 = nr.charge_radius_fm("S32"), nr.charge_radius_fm("S34")
    assert nr.charge_radius_fm("S33") == pytest.approx(0.5 * (r32 + r34), rel=1e-14)
    assert nr.charge_radius_error_fm("S33") > nr.charge_radius_error_fm("S32")
    # V50: only V51 measured; scaled like A^(1/3)
    assert nr.charge_radius_fm("V50") == pytest.approx(
        nr.charge_radius_fm("V51") * (50 / 51) ** (1 / 3), rel=1e-14)
    with pytest.raises(ValueError, match="no measured charge radius"):
        nr.charge_radius_fm("Pa231")


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="skin_fm"):
        nr.neutron_radius_fm("Ar40", skin_fm=5.0)
    with pytest.raises((TypeError, ValueError)):
        nr.charge_radius_fm(3.5)
    with pytest.raises(ValueError):
        nr.charge_radius_fm("Qq12")
