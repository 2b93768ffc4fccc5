"""Nuclei and detector targets: isotopes, natural isotope mixes and compounds.

A :class:`Nucleus` is one isotope (Z protons, N neutrons) with its nuclear mass in
MeV. A :class:`Target` is a material: a list of nuclei with their number fractions
(fractions of all nuclei, i.e. atoms, in the material) plus what event rates need,
the molar mass of one formula unit and the number of nuclei per kg.

Isotope masses and natural abundances come from the ``periodictable`` package
(atomic masses from the Atomic Mass Evaluation, abundances from IUPAC/CIAAW); no
table is typed here. The nuclear mass is the atomic mass minus Z electron masses,
with the electrons' binding energy neglected (docs/physics.md §4).

Names
-----
``target(name)`` understands, case-insensitively where unambiguous:

* the named targets of :data:`NAMED_TARGETS` (``"Ar"``, ``"Ge"``, ``"Xe"``,
  ``"CsI"``, ``"C3F8"``, ..., and ``"CsI-as-Xe"``, Sharma & Wong's approximation of CsI
  as a single Z = 54, A = 132 nucleus);
* an isotope, ``"Xe132"``, ``"132Xe"``, ``"Xe-132"`` or ``"xe132"``: a pure isotope.
  A symbol followed by a number n >= Z is read as an isotope (so ``"C12"`` is
  carbon-12 and ``"H2"`` is deuterium; write ``"C"`` for natural carbon, and an
  unknown isotope such as ``"Xe312"`` is an error); with n < Z it is a formula
  (``"I2"``, ``"O2"``);
* an element symbol: the natural isotope mix;
* a chemical formula of element symbols with integer counts (``"NaI"``,
  ``"Gd3Ga5O12"``), case-sensitive, each element with its natural isotope mix.
"""

from __future__ import annotations

import difflib
import numbers
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import periodictable

from . import _validation
from ._cache import memoize
from ._isotope_names import ELEMENTS as _ELEMENTS
from ._isotope_names import SYMBOLS as _SYMBOLS
from ._isotope_names import Z_MAX as _Z_MAX
from ._isotope_names import isotope_candidates as _isotope_candidates
from ._isotope_names import key as _key
from ._isotope_names import natural_abundances, parse_formula, parse_isotope, reads_as_isotope
from .constants import ATOMIC_MASS_UNIT_MEV, AVOGADRO_PER_MOL, ELECTRON_MASS_MEV

__all__ = [
    "NAMED_TARGETS",
    "Nucleus",
    "Target",
    "as_nucleus",
    "as_target",
    "nucleus",
    "target",
]

# Number fractions given by a user may carry rounding: sums within this distance of
# 1 are rescaled to 1, anything further is an error.
_FRACTION_SUM_TOLERANCE = 1e-6

# Sharma & Wong (Sharma & Wong, ICHEP2020, Section 2) treats CsI (Z = 55, 53) as xenon
# with Z = 54, A = 132.
_CSI_AS_XE = "CsI-as-Xe"

#: Canonical names of the named targets (``target(name)`` also takes any
#: element, isotope or formula).
NAMED_TARGETS: tuple[str, ...] = (
    "Ar",
    "Ge",
    "Xe",
    "Cs",
    "I",
    "Na",
    "Si",
    "F",
    "CsI",
    "NaI",
    "C3F8",
    "CaWO4",
    "Al2O3",
    _CSI_AS_XE,
)


_NAMED_BY_KEY = {_key(n): n for n in NAMED_TARGETS}


def _check_count(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r} ({type(value).__name__})")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return value


@dataclass(frozen=True)
class Nucleus:
    """One nucleus (isotope): Z protons, N neutrons and its mass.

    Parameters
    ----------
    Z : int
        Number of protons, 0 <= Z <= 118.
    N : int
        Number of neutrons, N >= 0; A = Z + N >= 1.
    mass : float, MeV, optional
        Nuclear mass. By default the isotope's atomic mass from ``periodictable``
        times the atomic mass unit, minus Z electron masses (docs/physics.md §4).

    Raises
    ------
    TypeError
        Z or N is not an integer, or mass is not a number.
    ValueError
        Z < 0, N < 0, A < 1, Z > 118, mass <= 0, or no mass given for an isotope
        that is not in the table (pass ``mass=`` in MeV for such a nucleus).

    Notes
    -----
    M = m_atom(Z, A) u - Z m_e: the electrons' binding energy (< 1 MeV even for
    uranium, < 1e-5 relative) is neglected.

    Examples
    --------
    >>> xe = Nucleus(Z=54, N=78)
    >>> xe.name, xe.A
    ('Xe132', 132)
    >>> 122_000 < xe.mass < 123_000
    True
    """

    Z: int
    N: int
    # None at construction means "from the isotope table"; __post_init__ always
    # stores a float, so readers see a float.
    mass: float = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        Z = _check_count(self.Z, "Z", 0)
        N = _check_count(self.N, "N", 0)
        if Z + N < 1:
            raise ValueError(f"A = Z + N must be >= 1; got Z={Z}, N={N}")
        if Z > _Z_MAX:
            raise ValueError(f"Z must be <= {_Z_MAX} (heaviest known element); got {Z}")
        object.__setattr__(self, "Z", Z)
        object.__setattr__(self, "N", N)
        if self.mass is None:
            mass = self._table_atomic_mass_u() * ATOMIC_MASS_UNIT_MEV - Z * ELECTRON_MASS_MEV
        else:
            mass = _validation.as_float(self.mass, "mass", min_value=0.0,
                                        exclusive_min=True, unit="MeV")
        object.__setattr__(self, "mass", float(mass))

    def _table_atomic_mass_u(self) -> float:
        element = periodictable.elements[self.Z]
        try:
            return float(element[self.A].mass)
        except KeyError:
            known = list(element.isotopes)
            raise ValueError(
                f"mass: {self.name} (Z={self.Z}, N={self.N}) is not in the periodictable "
                f"isotope table (known A for {element.symbol}: {known[0]}-{known[-1]}); "
                "pass mass= in MeV explicitly"
            ) from None

    @classmethod
    def from_name(cls, name: str) -> Nucleus:
        """The nucleus of an isotope name such as ``"Xe132"``; see :func:`nucleus`."""
        return nucleus(name)

    @property
    def A(self) -> int:
        """Mass number A = Z + N."""
        return self.Z + self.N

    @property
    def symbol(self) -> str:
        """Element symbol, e.g. ``"Xe"`` (``"n"`` for the free neutron)."""
        return str(periodictable.elements[self.Z].symbol)

    @property
    def name(self) -> str:
        """Isotope name, symbol then mass number, e.g. ``"Xe132"``."""
        return f"{self.symbol}{self.A}"

    @property
    def atomic_mass_u(self) -> float:
        """Mass of the neutral atom in u: (M + Z m_e)/u (electron binding neglected)."""
        return (self.mass + self.Z * ELECTRON_MASS_MEV) / ATOMIC_MASS_UNIT_MEV


def _lookup_isotope(text: str) -> Nucleus | None:
    parsed = parse_isotope(text)
    if parsed is None:
        return None
    symbol, A = parsed
    el = _ELEMENTS.get(symbol.lower())
    if el is None or A not in el.isotopes or A < el.number:
        return None
    return Nucleus(Z=el.number, N=A - el.number)


def nucleus(name: str) -> Nucleus:
    """The nucleus of an isotope name.

    Parameters
    ----------
    name : str
        ``"Xe132"``, ``"132Xe"``, ``"Xe-132"``, ``"xe132"`` (any case, optional
        hyphen or spaces).

    Returns
    -------
    Nucleus
        With its mass from the isotope table (docs/physics.md §4).

    Raises
    ------
    TypeError
        ``name`` is not a string.
    ValueError
        Unknown element or isotope; the message lists close matches.

    Examples
    --------
    >>> nucleus("132Xe") == nucleus("Xe-132") == Nucleus(54, 78)
    True
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be an isotope name such as 'Xe132'; got {name!r}")
    found = _lookup_isotope(name)
    if found is not None:
        return found
    parsed = parse_isotope(name)
    if parsed is not None and parsed[0].lower() in _ELEMENTS:
        candidates = _isotope_candidates(parsed[0])
        query = f"{_ELEMENTS[parsed[0].lower()].symbol}{parsed[1]}"
    else:
        candidates = _isotope_candidates()
        query = re.sub(r"[\s\-]", "", name)
    close = difflib.get_close_matches(query, candidates, n=5, cutoff=0.6)
    hint = f"; close matches: {', '.join(close)}" if close else ""
    raise ValueError(
        f"name: unknown isotope {name!r}; expected e.g. 'Xe132', '132Xe' or 'Xe-132'{hint}"
    )


def _as_fraction(value: Any, index: int) -> float:
    return _validation.as_float(
        value, f"components[{index}] number_fraction", min_value=0.0, exclusive_min=True,
        max_value=1.0,
    )


@dataclass(frozen=True)
class Target:
    """A target material: nuclei with their number fractions.

    Parameters
    ----------
    name : str
        Label, e.g. ``"CsI"``.
    components : sequence of (Nucleus, float)
        Each nucleus (a :class:`Nucleus` or an isotope name) with its number
        fraction among all nuclei (atoms) of the material, in (0, 1]. The fractions
        must sum to 1; sums within 1e-6 of 1 are rescaled to exactly 1. Stored as a
        tuple of pairs.
    atoms_per_formula_unit : int
        Atoms in one formula unit (CsI: 2, C3F8: 11, a pure element: 1).

    Raises
    ------
    TypeError
        A component is not a (nucleus, fraction) pair, or a count is not an integer.
    ValueError
        No components, a repeated nucleus, a fraction outside (0, 1], or fractions
        not summing to 1.

    Notes
    -----
    Molar mass of a formula unit: n_atoms * sum_i f_i m_atom,i (atomic masses in u,
    numerically g/mol: the molar mass constant is 1 g/mol to 4e-10, CODATA 2018).
    Nuclei per kg: 1000 N_A / sum_i f_i m_atom,i; component i has f_i of them
    (docs/physics.md §6).

    Examples
    --------
    >>> csi = Target.from_name("CsI")
    >>> [(n.name, f) for n, f in csi.components]
    [('Cs133', 0.5), ('I127', 0.5)]
    >>> csi.atoms_per_formula_unit
    2
    """

    name: str
    components: tuple[tuple[Nucleus, float], ...]
    atoms_per_formula_unit: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise TypeError(f"name must be a non-empty string; got {self.name!r}")
        _check_count(self.atoms_per_formula_unit, "atoms_per_formula_unit", 1)
        try:
            pairs = list(self.components)
        except TypeError:
            raise TypeError(
                "components must be a sequence of (Nucleus, number_fraction) pairs; "
                f"got {type(self.components).__name__}"
            ) from None
        if not pairs:
            raise ValueError("components must hold at least one (Nucleus, fraction) pair")
        checked: list[tuple[Nucleus, float]] = []
        for i, pair in enumerate(pairs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(
                    f"components[{i}] must be a (Nucleus, number_fraction) pair; got {pair!r}"
                )
            checked.append((as_nucleus(pair[0]), _as_fraction(pair[1], i)))
        names = [n.name for n, _ in checked]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"components: nucleus {repeated[0]} appears more than once")
        total = sum(f for _, f in checked)
        if abs(total - 1.0) > _FRACTION_SUM_TOLERANCE:
            raise ValueError(
                f"components: number fractions must sum to 1; got {total!r}"
            )
        object.__setattr__(
            self, "components", tuple((n, f / total) for n, f in checked)
        )
        object.__setattr__(self, "atoms_per_formula_unit", int(self.atoms_per_formula_unit))

    @classmethod
    def from_name(cls, name: str) -> Target:
        """A named target, element, isotope or formula; see :func:`target`."""
        return target(name)

    # Plain arrays for kernels and rate code -------------------------------------
    @property
    def Z(self) -> npt.NDArray[np.int64]:
        """Proton numbers of the components."""
        return np.array([n.Z for n, _ in self.components], dtype=np.int64)

    @property
    def N(self) -> npt.NDArray[np.int64]:
        """Neutron numbers of the components."""
        return np.array([n.N for n, _ in self.components], dtype=np.int64)

    @property
    def A(self) -> npt.NDArray[np.int64]:
        """Mass numbers of the components."""
        return np.array([n.A for n, _ in self.components], dtype=np.int64)

    @property
    def masses(self) -> npt.NDArray[np.float64]:
        """Nuclear masses of the components, MeV."""
        return np.array([n.mass for n, _ in self.components], dtype=np.float64)

    @property
    def fractions(self) -> npt.NDArray[np.float64]:
        """Number fractions of the components (sum to 1)."""
        return np.array([f for _, f in self.components], dtype=np.float64)

    @property
    def nuclei(self) -> tuple[Nucleus, ...]:
        """The component nuclei."""
        return tuple(n for n, _ in self.components)

    # What rates need --------------------------------------------------------------
    @property
    def mean_atomic_mass_u(self) -> float:
        """Number-weighted mean atomic mass of one atom, u (= g/mol)."""
        return float(sum(f * n.atomic_mass_u for n, f in self.components))

    @property
    def molar_mass_g_per_mol(self) -> float:
        """Molar mass of one formula unit, g/mol (CsI: Cs + I)."""
        return self.atoms_per_formula_unit * self.mean_atomic_mass_u

    @property
    def nuclei_per_kg(self) -> float:
        """Total number of nuclei (all components) in 1 kg of the material."""
        return 1000.0 * AVOGADRO_PER_MOL / self.mean_atomic_mass_u

    def component_nuclei_per_kg(self) -> list[tuple[Nucleus, float]]:
        """Each component nucleus with its number of nuclei per kg of material.

        Examples
        --------
        >>> t = target("NaI")
        >>> total = sum(n for _, n in t.component_nuclei_per_kg())
        >>> abs(total / t.nuclei_per_kg - 1) < 1e-15
        True
        """
        per_kg = self.nuclei_per_kg
        return [(n, f * per_kg) for n, f in self.components]


NucleusLike = Nucleus | Target | str
TargetLike = Target | Nucleus | str


def _natural_components(symbol: str) -> list[tuple[Nucleus, float]]:
    return [(Nucleus(Z=Z, N=N), f) for Z, N, f in natural_abundances(symbol)]


def _compound(name: str, formula: list[tuple[str, int]]) -> Target:
    n_atoms = sum(c for _, c in formula)
    components = [
        (nuc, count * frac / n_atoms)
        for symbol, count in formula
        for nuc, frac in _natural_components(symbol)
    ]
    return Target(name=name, components=tuple(components), atoms_per_formula_unit=n_atoms)


def _single(nuc: Nucleus, name: str | None = None) -> Target:
    return Target(name=name or nuc.name, components=((nuc, 1.0),))


@memoize("targets by name", per_backend=False)
def _target_from_string(name: str) -> Target:
    text = name.strip()
    canonical = _NAMED_BY_KEY.get(_key(text))
    if canonical == _CSI_AS_XE:
        # Sharma & Wong Section 2: CsI (Z = 55, 53) approximated by one Z = 54, A = 132
        # nucleus. Its nuclei per kg follow the Xe-132 atomic mass (131.9 u), 1.5%
        # above the mean atomic mass of real CsI (129.9 u).
        return _single(Nucleus(Z=54, N=78), _CSI_AS_XE)
    if canonical is not None:
        text = canonical
    elif reads_as_isotope(text):
        return _single(nucleus(text))
    formula = parse_formula(text)
    if formula is None and text.lower() in _ELEMENTS:
        formula = [(_ELEMENTS[text.lower()].symbol, 1)]
    if formula is not None:
        if len(formula) == 1 and formula[0][1] == 1:
            return Target(name=formula[0][0], components=tuple(_natural_components(text)))
        return _compound(text, formula)
    candidates = list(NAMED_TARGETS) + list(_SYMBOLS)
    by_lower = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(text.lower(), list(by_lower), n=5, cutoff=0.5)
    hint = f"; close matches: {', '.join(by_lower[c] for c in close)}" if close else ""
    raise ValueError(
        f"name: unknown target {name!r}; expected a named target {NAMED_TARGETS}, an "
        f"element, an isotope such as 'Xe132' or a formula such as 'NaI'{hint}"
    )


def target(name: str) -> Target:
    """A target from its name.

    Parameters
    ----------
    name : str
        A named target (:data:`NAMED_TARGETS`, case-insensitive), an isotope
        (``"Xe132"``: pure isotope), an element symbol (natural isotope mix) or a
        formula (``"CaWO4"``; case-sensitive, elements with natural isotope mixes).

    Returns
    -------
    Target

    Raises
    ------
    TypeError
        ``name`` is not a string.
    ValueError
        Unknown name (the message lists close matches), or an element without a
        natural isotopic abundance.

    Notes
    -----
    Natural abundances and isotope masses come from ``periodictable``.
    ``"CsI-as-Xe"`` is Sharma & Wong's approximation (Sharma & Wong, ICHEP2020,
    Section 2): a single Z = 54, N = 78 (A = 132) nucleus standing for CsI.

    Examples
    --------
    >>> ge = target("ge")
    >>> len(ge.components), abs(sum(f for _, f in ge.components) - 1) < 1e-15
    (5, True)
    >>> [n.name for n, _ in target("CsI-as-Xe").components]
    ['Xe132']
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string; got {name!r} ({type(name).__name__})")
    if not name.strip():
        raise ValueError("name must be a non-empty target name")
    return _target_from_string(name)


def as_target(x: TargetLike) -> Target:
    """A :class:`Target` from a Target, a Nucleus (single-component target) or a name.

    Raises
    ------
    TypeError
        ``x`` is none of these.
    ValueError
        Unknown name (see :func:`target`).

    Examples
    --------
    >>> as_target(Nucleus(18, 22)).name
    'Ar40'
    """
    if isinstance(x, Target):
        return x
    if isinstance(x, Nucleus):
        return _single(x)
    if isinstance(x, str):
        return target(x)
    raise TypeError(
        f"target must be a Target, a Nucleus or a name string; got {type(x).__name__} "
        f"{_validation._short(x)}"
    )


def as_nucleus(x: NucleusLike, name: str = "nucleus") -> Nucleus:
    """A :class:`Nucleus` from a Nucleus, an isotope name or a single-component target.

    Parameters
    ----------
    x : Nucleus, Target or str
        A nucleus; an isotope name (``"Xe132"``); or a Target (or target name such
        as ``"CsI-as-Xe"`` or the monoisotopic ``"I"``) with exactly one component.
    name : str
        Argument name used in error messages.

    Raises
    ------
    TypeError
        ``x`` is none of these.
    ValueError
        Unknown name, or a target with several components (e.g. natural ``"Xe"``).

    Examples
    --------
    >>> as_nucleus("CsI-as-Xe") == as_nucleus("Xe132")
    True
    """
    if isinstance(x, Nucleus):
        return x
    if isinstance(x, str):
        found = _lookup_isotope(x)
        if found is not None:
            return found
        try:
            x = target(x)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    if isinstance(x, Target):
        if len(x.components) != 1:
            names = ", ".join(n.name for n, _ in x.components[:3])
            raise ValueError(
                f"{name}: target {x.name!r} has {len(x.components)} components "
                f"({names}, ...); a single nucleus is needed here: name an isotope "
                "such as 'Xe132', or use a single-component target"
            )
        return x.components[0][0]
    raise TypeError(
        f"{name} must be a Nucleus, an isotope name such as 'Xe132' or a "
        f"single-component Target; got {type(x).__name__}"
    )
