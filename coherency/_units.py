"""Quantities with explicit units for the command line, parsed by pint.

``coherency rate reactor Ge --threshold 0.3keVee --exposure 1tonne*yr --power 2.9GW``:
each option value is a number with a unit (or a bare number, read in the option's
default unit, which the command then prints among its assumptions). pint parses the
string (``"1 tonne * yr"``, ``"14.6 kg * 308.1 day"``, ``"2.9GW"``), checks its
dimension and converts it; the package itself keeps MeV, kg, s and m internally.

Why pint and not hepunits: hepunits gives MeV-based constants (``5 * keV``), which
suits code but has no parser of text, so a command line would need a parser of its
own (or ``eval``); pint parses text without ``eval``, knows prefixes, products and
powers (``tonne*yr``, ``kg*day``, ``MW``) and reports a wrong dimension by name.

Recoil energies carry their scale as a suffix: ``keVnr`` (nuclear recoil) or
``keVee`` (electron equivalent, the energy a detector sees after quenching); pint
parses the energy and the suffix is kept apart (:func:`parse_recoil`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["KINDS", "Parsed", "parse", "parse_recoil", "registry"]

# kind -> (default unit, pint dimensionality, what the unit is called, an example)
KINDS: dict[str, tuple[str, str, str, str]] = {
    "energy": ("keV", "[mass] * [length] ** 2 / [time] ** 2", "an energy", "0.3keV"),
    "power": ("GW", "[mass] * [length] ** 2 / [time] ** 3", "a power", "2.9GW"),
    "beam_power": ("MW", "[mass] * [length] ** 2 / [time] ** 3", "a power", "1.4MW"),
    "length": ("m", "[length]", "a length", "20m"),
    "distance_kpc": ("kpc", "[length]", "a length", "10kpc"),
    "mass": ("kg", "[mass]", "a mass", "14.6kg"),
    "time": ("yr", "[time]", "a time", "308.1day"),
    "exposure": ("kg*yr", "[mass] * [time]", "a mass times a time", "1tonne*yr"),
    "count": ("", "", "a number", "3.2e23"),
}

_REGISTRY: Any = None


def registry() -> Any:
    """The pint UnitRegistry (built once, on first use: it takes ~0.5 s)."""
    global _REGISTRY
    if _REGISTRY is None:
        try:
            import pint
        except ImportError as exc:  # pragma: no cover - pint is a dependency
            raise ImportError("units on the command line need pint: pip install pint") from exc
        _REGISTRY = pint.UnitRegistry()
    return _REGISTRY


@dataclass(frozen=True)
class Parsed:
    """A parsed option value: ``value`` in ``unit`` (the kind's default unit), the
    ``text`` typed, and whether that text named a unit (``explicit``)."""

    value: float
    unit: str
    text: str
    explicit: bool

    def describe(self) -> str:
        """How the value was read, e.g. ``'0.3 keV'`` or ``'0.3 keV (no unit given)'``."""
        shown = f"{self.value:g} {self.unit}".strip()
        return shown if self.explicit else f"{shown} (no unit given: read as {self.unit})"


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def parse(text: str, kind: str) -> Parsed:
    """Parse ``text`` as a quantity of ``kind`` (a key of :data:`KINDS`) and return it
    in that kind's default unit.

    A bare number is read in the default unit. Raises ValueError (naming what was
    expected, with an example) for text pint cannot read, a wrong dimension, or a
    value that is not finite.

    Examples
    --------
    >>> parse("1tonne*yr", "exposure").value
    1000.0
    >>> parse("2.9", "power").describe()
    '2.9 GW (no unit given: read as GW)'
    """
    unit, dim, what, example = KINDS[kind]
    s = text.strip()
    if not s:
        raise ValueError(f"expected {what} such as {example!r}; got an empty string")
    if _NUMBER.match(s):
        value = float(s)
        explicit = False
    else:
        if kind == "count":
            raise ValueError(f"expected a plain number such as {example!r}; got {text!r}")
        ureg = registry()
        try:
            q = ureg.Quantity(s)
        except Exception:  # pint raises several kinds for text it cannot read
            raise ValueError(f"expected {what} such as {example!r}; cannot read {text!r}"
                             ) from None
        if isinstance(q, (int, float)) or q.dimensionless:
            value = float(getattr(q, "magnitude", q))
            explicit = False
        else:
            if q.dimensionality != ureg.Quantity(1, unit).dimensionality:
                raise ValueError(f"expected {what} such as {example!r}; {text!r} is "
                                 f"{_dimension_name(q)}")
            value = float(q.to(unit).magnitude)
            explicit = True
    if not math.isfinite(value):
        raise ValueError(f"expected a finite {what[3:] if what.startswith('an ') else what}"
                         f" such as {example!r}; got {text!r}")
    return Parsed(value, unit.replace("*", "·"), text, explicit)


def _dimension_name(q: Any) -> str:
    dim = str(q.dimensionality)
    for kind_unit, kind_dim, what, _ in KINDS.values():
        if kind_dim and registry().Quantity(1, kind_unit).dimensionality == q.dimensionality:
            return what
    return f"of dimension {dim}"


_SCALE = re.compile(r"^(.*eV)\s*(ee|nr)$", re.IGNORECASE)


def parse_recoil(text: str) -> tuple[Parsed, str | None]:
    """A recoil energy with an optional scale suffix: ``'0.3keVee'`` -> (0.3 keV, "ee"),
    ``'5keVnr'`` -> (5 keV, "nr"), ``'5keV'`` or ``'5'`` -> (5 keV, None).

    Examples
    --------
    >>> q, scale = parse_recoil("170eVee")
    >>> round(q.value, 12), scale
    (0.17, 'ee')
    """
    s = text.strip()
    m = _SCALE.match(s)
    scale = None
    if m:
        s, scale = m.group(1), m.group(2).lower()
    q = parse(s, "energy")
    return Parsed(q.value, q.unit, text, q.explicit), scale
