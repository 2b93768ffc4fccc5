"""Nuclei and targets: isotope masses, natural mixes, compounds, names, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from coherency.constants import (
    ATOMIC_MASS_UNIT_MEV,
    AVOGADRO_PER_MOL,
    ELECTRON_MASS_MEV,
)
from coherency.targets import (
    NAMED_TARGETS,
    Nucleus,
    Target,
    as_nucleus,
    as_target,
    nucleus,
    target,
)

EPS = np.finfo(float).eps
# Number fractions are sums/ratios of a handful of table abundances: each rounding
# costs <= 1/2 ulp, so sums over <= 14 components stay within 16 ulp of exact.
FRACTION_SUM_ULPS = 16


# --- Nucleus -----------------------------------------------------------------------------


def test_xe132_mass_matches_literature(backend: str) -> None:
    # Atomic mass of 132Xe: 131.9041535(10) u (AME2003, G. Audi, A. H. Wapstra and
    # C. Thibault, Nucl. Phys. A 729 (2003) 337). Nuclear mass = atomic mass x u
    # - Z m_e (docs/physics.md §4). Later evaluations moved it by ~1e-8 relative.
    expected = 131.9041535 * ATOMIC_MASS_UNIT_MEV - 54 * ELECTRON_MASS_MEV
    xe = Nucleus(Z=54, N=78)
    assert xe.mass == pytest.approx(expected, rel=1e-6)
    assert nucleus("Xe132").mass == xe.mass


def test_neutron_mass_from_table(backend: str) -> None:
    # The free neutron (Z = 0, N = 1) checks the u conversion: CODATA 2018
    # m_n = 939.56542052(54) MeV; the table's 1.00866491606 u differs by < 1e-9.
    assert Nucleus(Z=0, N=1).mass == pytest.approx(939.56542052, rel=1e-8)


@pytest.mark.parametrize("name", ["Xe132", "132Xe", "Xe-132", "xe132", "XE132", "132-xe",
                                  " Xe 132 "])
def test_isotope_name_variants(name: str) -> None:
    n = nucleus(name)
    assert (n.Z, n.N, n.A) == (54, 78, 132)
    assert n.name == "Xe132"
    assert n.symbol == "Xe"
    assert Nucleus.from_name(name) == n


def test_nucleus_properties() -> None:
    ar = nucleus("Ar40")
    assert (ar.Z, ar.N, ar.A, ar.symbol, ar.name) == (18, 22, 40, "Ar", "Ar40")
    # Atomic mass back in u: adding the electrons to M restores the table mass.
    assert ar.atomic_mass_u == pytest.approx(
        (ar.mass + 18 * ELECTRON_MASS_MEV) / ATOMIC_MASS_UNIT_MEV, rel=2 * EPS
    )
    assert 39.9 < ar.atomic_mass_u < 40.0


def test_nucleus_is_frozen() -> None:
    n = Nucleus(Z=32, N=42)
    with pytest.raises(dataclasses.FrozenInstanceError):
        n.Z = 33  # type: ignore[misc]


def test_explicit_mass_is_kept_and_checked() -> None:
    assert Nucleus(Z=54, N=78, mass=1.0e5).mass == 1.0e5
    # Not in the isotope table: an explicit mass is required.
    with pytest.raises(ValueError, match="mass"):
        Nucleus(Z=54, N=300)
    assert Nucleus(Z=54, N=300, mass=3.3e5).A == 354
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="mass"):
            Nucleus(Z=54, N=78, mass=bad)
    with pytest.raises(TypeError, match="mass"):
        Nucleus(Z=54, N=78, mass="heavy")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "exc", "field"),
    [
        ({"Z": 54, "N": -1}, ValueError, "N"),
        ({"Z": -1, "N": 10}, ValueError, "Z"),
        ({"Z": 0, "N": 0}, ValueError, "A"),
        ({"Z": 54.0, "N": 78}, TypeError, "Z"),
        ({"Z": 54, "N": 78.5}, TypeError, "N"),
        ({"Z": True, "N": 1}, TypeError, "Z"),
        ({"Z": "54", "N": 78}, TypeError, "Z"),
        ({"Z": 200, "N": 300}, ValueError, "Z"),
    ],
)
def test_nucleus_bad_input(kwargs: dict, exc: type, field: str) -> None:
    with pytest.raises(exc, match=rf"^{field}\b|\b{field} ="):
        Nucleus(**kwargs)


def test_numpy_integers_accepted() -> None:
    n = Nucleus(Z=np.int32(18), N=np.int64(22))
    assert type(n.Z) is int and n.name == "Ar40"


def test_unknown_isotope_lists_close_matches() -> None:
    with pytest.raises(ValueError, match=r"name.*Xe132"):
        nucleus("Xe312")
    with pytest.raises(ValueError, match="name"):
        nucleus("Qq132")
    with pytest.raises(TypeError, match="name"):
        nucleus(132)  # type: ignore[arg-type]


# --- natural isotope mixes ---------------------------------------------------------------


def test_natural_germanium(backend: str) -> None:
    ge = target("Ge")
    assert len(ge.components) == 5
    assert sorted(n.A for n, _ in ge.components) == [70, 72, 73, 74, 76]
    assert abs(ge.fractions.sum() - 1.0) <= FRACTION_SUM_ULPS * EPS
    # Standard atomic weight of Ge: 72.630(8) (CIAAW; J. Meija et al., Pure Appl.
    # Chem. 88 (2016) 265). The mean atomic mass of the mix must fall inside it.
    assert ge.mean_atomic_mass_u == pytest.approx(72.630, abs=0.008)
    assert ge.molar_mass_g_per_mol == ge.mean_atomic_mass_u
    # Isotopic composition: 70Ge 0.2052(19), 72Ge 0.2745(15), 73Ge 0.0776(8),
    # 74Ge 0.3652(12), 76Ge 0.0775(12) (CIAAW; J. Meija et al., Pure Appl. Chem. 88
    # (2016) 293). Compare within the quoted uncertainties.
    literature = {70: (0.2052, 0.0019), 72: (0.2745, 0.0015), 73: (0.0776, 0.0008),
                  74: (0.3652, 0.0012), 76: (0.0775, 0.0012)}
    for n, f in ge.components:
        value, sigma = literature[n.A]
        assert abs(f - value) <= sigma
    mean_A = float(np.sum(ge.A * ge.fractions))
    assert mean_A == pytest.approx(sum(a * v for a, (v, _) in literature.items()), abs=0.01)


def test_natural_xenon_and_argon(backend: str) -> None:
    xe = target("Xe")
    assert len(xe.components) == 9
    # Standard atomic weight of Xe: 131.293(6) (CIAAW 2016, as above).
    assert xe.mean_atomic_mass_u == pytest.approx(131.293, abs=0.006)
    ar = target("Ar")
    assert sorted(n.A for n in ar.nuclei) == [36, 38, 40]
    # Atmospheric argon is 99.60% 40Ar (CIAAW 2016 isotopic compositions).
    assert {n.A: f for n, f in ar.components}[40] == pytest.approx(0.9960, abs=1e-3)


def test_element_without_natural_abundance() -> None:
    with pytest.raises(ValueError, match="name.*Tc"):
        target("Tc")


# --- compounds ---------------------------------------------------------------------------


def test_csi_molar_mass(backend: str) -> None:
    # Literature: M(CsI) = 132.90545196(6) + 126.90447(3) = 259.80992 g/mol from the
    # standard atomic weights (CIAAW 2021, https://www.ciaaw.org). The isotope masses
    # of 133Cs and 127I agree with them well inside the 3e-5 uncertainty of I.
    csi = target("CsI")
    assert csi.molar_mass_g_per_mol == pytest.approx(259.80992, abs=1e-4)
    assert csi.atoms_per_formula_unit == 2
    assert [(n.name, f) for n, f in csi.components] == [("Cs133", 0.5), ("I127", 0.5)]
    # Two nuclei per formula unit, N_A formula units per molar mass (in g).
    expected = 2 * AVOGADRO_PER_MOL * 1000.0 / csi.molar_mass_g_per_mol
    assert csi.nuclei_per_kg == pytest.approx(expected, rel=4 * EPS)
    per_kg = csi.component_nuclei_per_kg()
    assert [n.name for n, _ in per_kg] == ["Cs133", "I127"]
    assert per_kg[0][1] == per_kg[1][1] == pytest.approx(expected / 2, rel=4 * EPS)


@pytest.mark.parametrize(
    ("name", "atoms", "element_fractions"),
    [
        ("C3F8", 11, {"C": 3 / 11, "F": 8 / 11}),
        ("CaWO4", 6, {"Ca": 1 / 6, "W": 1 / 6, "O": 4 / 6}),
        ("Al2O3", 5, {"Al": 2 / 5, "O": 3 / 5}),
        ("NaI", 2, {"Na": 1 / 2, "I": 1 / 2}),
    ],
)
def test_compound_stoichiometry(backend: str, name: str, atoms: int,
                                element_fractions: dict[str, float]) -> None:
    t = target(name)
    assert t.atoms_per_formula_unit == atoms
    by_element: dict[str, float] = {}
    for n, f in t.components:
        by_element[n.symbol] = by_element.get(n.symbol, 0.0) + f
    assert by_element.keys() == element_fractions.keys()
    for symbol, frac in element_fractions.items():
        assert by_element[symbol] == pytest.approx(frac, abs=FRACTION_SUM_ULPS * EPS)
    # Molar mass of a formula unit = sum of the elements' mean atomic masses.
    molar = sum(
        count * target(symbol).mean_atomic_mass_u
        for symbol, count in ((s, round(f * atoms)) for s, f in element_fractions.items())
    )
    assert t.molar_mass_g_per_mol == pytest.approx(molar, rel=FRACTION_SUM_ULPS * EPS)
    total = sum(v for _, v in t.component_nuclei_per_kg())
    assert total == pytest.approx(t.nuclei_per_kg, rel=FRACTION_SUM_ULPS * EPS)


def test_generic_formula_parsing() -> None:
    gagg = target("Gd3Al2Ga3O12")
    assert gagg.atoms_per_formula_unit == 20
    # Repeated elements are merged: CH3CH3 is C2H6.
    assert target("CH3CH3").molar_mass_g_per_mol == pytest.approx(
        target("C2H6").molar_mass_g_per_mol, rel=4 * EPS)
    # A number smaller than Z is a count, not a mass number: I2 is molecular iodine.
    i2 = target("I2")
    assert i2.atoms_per_formula_unit == 2 and [n.name for n in i2.nuclei] == ["I127"]
    # A number >= Z is a mass number: H2 is deuterium, C12 is carbon-12.
    assert [n.name for n in target("H2").nuclei] == ["H2"]
    assert [n.name for n in target("C12").nuclei] == ["C12"]


# --- named targets and look-up -----------------------------------------------------------


@pytest.mark.parametrize("name", NAMED_TARGETS)
def test_named_targets_build(backend: str, name: str) -> None:
    t = target(name)
    assert t.name == name
    assert abs(t.fractions.sum() - 1.0) <= FRACTION_SUM_ULPS * EPS
    assert np.all(t.fractions > 0)
    assert np.all(t.Z + t.N == t.A) and np.all(t.masses > 0)
    # Case-insensitive, and the classmethod agrees.
    assert target(name.lower()) == t == Target.from_name(name.upper())
    assert t.nuclei_per_kg > 1e24


def test_csi_as_xe() -> None:
    # Sharma & Wong Section 2: "CsI is approximated as Xe (Z=54)", A = 132.
    t = target("CsI-as-Xe")
    assert len(t.components) == 1
    n = t.components[0][0]
    assert (n.Z, n.N, n.A) == (54, 78, 132)
    assert target("csi_as_xe") == t
    assert as_nucleus("CsI-as-Xe") == nucleus("Xe132")


def test_unknown_target_lists_close_matches() -> None:
    with pytest.raises(ValueError, match=r"name.*CsI"):
        target("CsJ")
    with pytest.raises(ValueError, match=r"name.*Xe"):
        target("xenon")
    with pytest.raises(ValueError, match="name"):
        target("   ")
    with pytest.raises(TypeError, match="name"):
        target(None)  # type: ignore[arg-type]


def test_as_target() -> None:
    xe = nucleus("Xe132")
    single = as_target(xe)
    assert single.components == ((xe, 1.0),) and single.name == "Xe132"
    assert as_target(single) is single
    assert as_target("NaI") == target("NaI")
    with pytest.raises(TypeError, match="target"):
        as_target(3.0)  # type: ignore[arg-type]


def test_as_nucleus() -> None:
    xe = nucleus("Xe132")
    assert as_nucleus(xe) is xe
    assert as_nucleus("Xe132") == xe
    assert as_nucleus(as_target(xe)) == xe
    assert as_nucleus("I") == nucleus("I127")  # monoisotopic element
    with pytest.raises(ValueError, match="nucleus.*9 components"):
        as_nucleus("Xe")
    with pytest.raises(ValueError, match="nucleus"):
        as_nucleus(target("CsI"))
    with pytest.raises(ValueError, match="nucleus"):
        as_nucleus("Unobtainium")
    with pytest.raises(TypeError, match="nucleus"):
        as_nucleus(54)  # type: ignore[arg-type]


# --- Target validation -------------------------------------------------------------------


def test_target_from_components() -> None:
    t = Target("mix", [("Xe132", 0.25), (nucleus("Xe129"), 0.75)])
    assert isinstance(t.components, tuple)
    assert [n.name for n in t.nuclei] == ["Xe132", "Xe129"]
    # Within the documented 1e-6 tolerance the fractions are rescaled to sum to 1.
    near = Target("near", [("Ar40", 0.5), ("Ar36", 0.5 + 5e-7)])
    assert abs(near.fractions.sum() - 1.0) <= 2 * EPS


@pytest.mark.parametrize(
    ("components", "exc", "pattern"),
    [
        ([("Ar40", 0.5), ("Ar36", 0.4)], ValueError, "sum to 1"),
        ([("Ar40", 1.0), ("Ar36", 0.0)], ValueError, "fraction"),
        ([("Ar40", 1.5)], ValueError, "fraction"),
        ([("Ar40", float("nan"))], ValueError, "fraction"),
        ([("Ar40", 0.5), ("Ar40", 0.5)], ValueError, "more than once"),
        ([], ValueError, "components"),
        ([("Ar40",)], TypeError, "components"),
        (5, TypeError, "components"),
        ([("Xe", 1.0)], ValueError, "nucleus"),
    ],
)
def test_target_bad_components(components: object, exc: type, pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        Target("bad", components)  # type: ignore[arg-type]


def test_target_bad_atoms_per_formula_unit() -> None:
    with pytest.raises(ValueError, match="atoms_per_formula_unit"):
        Target("bad", [("Ar40", 1.0)], atoms_per_formula_unit=0)
    with pytest.raises(TypeError, match="atoms_per_formula_unit"):
        Target("bad", [("Ar40", 1.0)], atoms_per_formula_unit=1.5)  # type: ignore[arg-type]


def test_target_is_frozen() -> None:
    t = target("Ge")
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.name = "Si"  # type: ignore[misc]
