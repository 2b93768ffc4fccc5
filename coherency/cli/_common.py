"""Shared pieces of the command line: exit codes, errors, argument types, names.

Part of :mod:`coherency.cli` (its docstring describes the command line)."""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import numpy as np

from .._units import Parsed, parse, parse_recoil

EXIT_USAGE = 2
EXIT_IO = 1
EXIT_ZERO_RESULT = 3
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A user error the CLI reports in one line with exit status 2; ``argument`` names
    the command-line argument at fault (for ``--json``)."""

    def __init__(self, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line (no usage dump) and exit with status 2
    (with ``--json`` on the command line, also a JSON error object on stdout)."""

    json_errors = False

    def error(self, message: str) -> NoReturn:
        if _Parser.json_errors:
            match = re.match(r"argument ([^:]+):", message)
            _print_json_error(message, match.group(1).split("/")[0] if match else None)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _print_json_error(message: str, argument: str | None) -> None:
    print(json.dumps({"error": message, "argument": argument}), flush=True)


def _argument_of(message: str) -> str | None:
    """The argument a library error names: its messages start with "<name> must",
    "<name>:" or "<name> = " (coherency._validation)."""
    match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(?: must\b|:| = )", message)
    return match.group(1) if match else None


# --- argument types ---------------------------------------------------------------
def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _positive(text: str) -> float:
    value = _finite(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def _nonnegative(text: str) -> float:
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _unit_interval(text: str) -> float:
    value = _finite(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {text!r}")
    return value


def _epsilon_arg(text: str) -> float:
    from .._validation import check_epsilon

    try:
        return check_epsilon(_finite(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{exc} (epsilon = 1 - 4 sin^2(theta_W), in [-3, 1])") from None


def _quantity(kind: str, positive: bool = True) -> Callable[[str], Parsed]:
    """An argparse type: a number with a unit of ``kind`` (coherency._units)."""

    def convert(text: str) -> Parsed:
        try:
            q = parse(text, kind)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if positive and not q.value > 0:
            raise argparse.ArgumentTypeError(f"expected a value > 0, got {text!r}")
        if not positive and q.value < 0:
            raise argparse.ArgumentTypeError(f"expected a value >= 0, got {text!r}")
        return q

    convert.__name__ = kind
    return convert


def _recoil(text: str) -> tuple[Parsed, str | None]:
    """An argparse type: a recoil energy, optionally with its scale (``0.3keVee``)."""
    try:
        q, scale = parse_recoil(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{exc} (recoil energies: e.g. 0.3keVee, 5keVnr, 300eVee)") from None
    if q.value < 0:
        raise argparse.ArgumentTypeError(f"expected an energy >= 0, got {text!r}")
    return q, scale


def _fuel(text: str) -> dict[str, float]:
    """``U235=0.58,U238=0.07,Pu239=0.30,Pu241=0.05`` -> dict (the Reactor checks the
    isotopes and the sum)."""
    out: dict[str, float] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(
                f"expected ISOTOPE=FRACTION,... such as 'U235=0.58,U238=0.07,Pu239=0.30,"
                f"Pu241=0.05'; got {text!r}")
        out[key.strip()] = _finite(value)
    return out


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _json_safe(obj.tolist())
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def _collect_notes(args: argparse.Namespace) -> list[str]:
    """The package's warnings caught so far (coherency.CoherencyWarning), as notes."""
    from .._backend import CoherencyWarning

    notes: list[str] = getattr(args, "_notes", [])
    for w in getattr(args, "_caught", ()):
        if issubclass(w.category, CoherencyWarning) and str(w.message) not in notes:
            notes.append(str(w.message))
    return notes


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> int:
    notes = _collect_notes(args)
    if getattr(args, "json", False):
        if notes:
            payload = {**payload, "notes": notes}
        print(json.dumps(_json_safe(payload), indent=2, default=_json_default,
                         allow_nan=False))
    else:
        print(text)
    return 0


def _assumptions_text(assumptions: list[str]) -> list[str]:
    return ["assumptions:"] + [f"  - {a}" for a in assumptions] if assumptions else []


# --- names: sources, targets, form factors ----------------------------------------
def _suggest(name: str, known: Sequence[str]) -> str:
    """Close matches of a mistyped name, those sharing its first letter first."""
    low = {k.lower(): k for k in known}
    key = name.strip().lower()
    close = difflib.get_close_matches(key, list(low), n=8, cutoff=0.4)
    same = [c for c in close if c[:1] == key[:1]]
    ranked = (same + [c for c in close if c not in same])[:4]
    return f"; did you mean {', '.join(low[c] for c in ranked)}?" if ranked else ""


def _target(name: str, argument: str = "target") -> Any:
    from ..targets import NAMED_TARGETS, as_target

    try:
        return as_target(name)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        if not msg.startswith("name:"):
            raise UsageError(f"{argument} {name!r}: {msg}", argument) from None
        import periodictable

        symbols = [el.symbol for el in periodictable.elements if el.number > 0]
        known = list(dict.fromkeys([*NAMED_TARGETS, *symbols]))
        raise UsageError(
            f"unknown target {name!r}{_suggest(name, known)} (a named target such as "
            f"CsI, an element such as Ge, an isotope such as Xe132 or a formula such as "
            f"NaI; 'coherency targets' lists the named ones)", argument) from None


def _source_name(name: str) -> str:
    from ..sources import source_names

    lookup = {k.lower(): k for k in source_names()}
    key = lookup.get(name.strip().lower())
    if key is None:
        raise UsageError(f"unknown source {name!r}{_suggest(name, source_names())} "
                         f"('coherency sources' lists them)", "source")
    return key
