"""Reading element, isotope and formula names: pure string and ``periodictable`` work.

:mod:`coherency.targets` builds :class:`~coherency.targets.Nucleus` and
:class:`~coherency.targets.Target` objects from what these functions find.
"""

from __future__ import annotations

import re

import periodictable

__all__ = ["ELEMENTS", "SYMBOLS", "Z_MAX", "isotope_candidates", "key", "natural_abundances",
           "parse_formula", "parse_isotope", "reads_as_isotope"]

# Heaviest element carried by periodictable (oganesson).
Z_MAX = max(el.number for el in periodictable.elements)
# Elements by lower-case symbol (Z >= 1; periodictable's "n" is the free neutron).
ELEMENTS = {el.symbol.lower(): el for el in periodictable.elements if el.number >= 1}
SYMBOLS = tuple(el.symbol for el in periodictable.elements if el.number >= 1)


def key(name: str) -> str:
    """``name`` without blanks, underscores and hyphens, lower case: a look-up key."""
    return re.sub(r"[\s_\-]", "", name).lower()


def isotope_candidates(symbol: str | None = None) -> list[str]:
    """Isotope names of one element, or of every natural isotope (for close matches)."""
    if symbol is not None:
        el = ELEMENTS[symbol.lower()]
        return [f"{el.symbol}{a}" for a in el.isotopes]
    return [
        f"{el.symbol}{a}"
        for el in ELEMENTS.values()
        for a in el.isotopes
        if el[a].abundance > 0
    ]


def parse_isotope(text: str) -> tuple[str, int] | None:
    """(symbol, A) from "Xe132", "132Xe", "Xe-132" (any case), else None."""
    s = re.sub(r"\s", "", text)
    m = re.fullmatch(r"([A-Za-z]{1,3})-?(\d{1,3})", s)
    if m:
        return m.group(1), int(m.group(2))
    m = re.fullmatch(r"(\d{1,3})-?([A-Za-z]{1,3})", s)
    if m:
        return m.group(2), int(m.group(1))
    return None


def reads_as_isotope(text: str) -> bool:
    """True for "132Xe", "Xe-132", and "Xe132" whose number can be a mass number
    (>= Z); "I2" or "O2" (number < Z) read as formulas."""
    s = re.sub(r"\s", "", text)
    if re.fullmatch(r"\d{1,3}-?[A-Za-z]{1,3}|[A-Za-z]{1,3}-\d{1,3}", s):
        return True
    parsed = parse_isotope(s)
    if parsed is None or parsed[0].lower() not in ELEMENTS:
        return False
    return parsed[1] >= ELEMENTS[parsed[0].lower()].number


def natural_abundances(symbol: str) -> list[tuple[int, int, float]]:
    """(Z, N, number fraction) of each natural isotope of an element (fractions sum
    to 1)."""
    el = ELEMENTS[symbol.lower()]
    abundant = [(a, float(el[a].abundance)) for a in el.isotopes if el[a].abundance > 0]
    if not abundant:
        raise ValueError(
            f"name: {el.symbol} has no natural isotopic abundance in the table; "
            f"name an isotope instead, e.g. '{el.symbol}{el.isotopes[0]}'"
        )
    total = sum(w for _, w in abundant)
    return [(el.number, a - el.number, w / total) for a, w in abundant]


def parse_formula(text: str) -> list[tuple[str, int]] | None:
    """[(symbol, count), ...] of a case-sensitive formula like "CaWO4", else None."""
    if not re.fullmatch(r"(?:[A-Z][a-z]?\d*)+", text):
        return None
    counts: dict[str, int] = {}
    for symbol, count in re.findall(r"([A-Z][a-z]?)(\d*)", text):
        if symbol.lower() not in ELEMENTS or ELEMENTS[symbol.lower()].symbol != symbol:
            return None
        n = int(count) if count else 1
        if n < 1:
            raise ValueError(f"name: formula {text!r} has a zero count for {symbol}")
        counts[symbol] = counts.get(symbol, 0) + n
    return list(counts.items())
