"""The ``coherency`` command (also ``python -m coherency``).

Subcommands: ``report`` (the main job: tables and figures of Sharma & Wong
(arXiv:2010.06810) and the experiment presets), ``rate`` (expected events, ⟨σ⟩ and q²
reach of a source on a target for an exposure), ``spectrum`` (dN/dT, dN/dq² or an
experiment's counts per observed bin, as CSV, NPZ or JSON), ``alpha`` (the degree of
coherency from the COHERENT data or from one ξ ± σ), ``experiment`` (a preset's
prediction beside the published numbers), ``xsec``, ``targets``, ``sources``. Each has
``--help``; all but ``report`` print a plain table by default and JSON with ``--json``.

Quantities take explicit units, parsed by pint (:mod:`coherency._units`):
``--threshold 0.3keVee``, ``--threshold 5keVnr``, ``--power 2.9GW``,
``--exposure 1tonne*yr``. A bare number is read in the option's default unit, and
the command says so among its printed assumptions.

Exit status: 0 ok; 1 a file or stream that cannot be written (``--out`` in a
read-only or missing place, a full disk, stdout on /dev/full); 2 a user error (bad
arguments, unknown names, values out of range: one line on stderr, and with ``--json``
also ``{"error": message, "argument": name or null}`` on stdout); 3 with ``--strict``,
a result that is zero because the threshold lies above the kinematic reach; 130
Ctrl-C (SIGINT), whenever it arrives after the command has started. Only bugs show a
traceback. Warnings of the package (:class:`coherency.CoherencyWarning`) are printed
as ``note:`` lines on stderr and listed under ``"notes"`` in JSON.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import os
import re
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from . import _ff_models
from ._units import Parsed, parse, parse_recoil
from .constants import SECONDS_PER_DAY, SECONDS_PER_YEAR

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
    from ._validation import check_epsilon

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
    from ._backend import CoherencyWarning

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
    from .targets import NAMED_TARGETS, as_target

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
    from .sources import source_names

    lookup = {k.lower(): k for k in source_names()}
    key = lookup.get(name.strip().lower())
    if key is None:
        raise UsageError(f"unknown source {name!r}{_suggest(name, source_names())} "
                         f"('coherency sources' lists them)", "source")
    return key


# --- report -------------------------------------------------------------------------
def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    show_progress = not (args.quiet or args.no_progress) and sys.stderr.isatty()
    try:
        write_report(args.out, epsilon=args.epsilon, figures=not args.no_figures,
                     progress=show_progress, summary=None if args.quiet else print)
    except OSError as exc:
        if exc.filename is None and exc.errno == 28:  # the summary on a full stdout
            raise
        raise OSError(exc.errno, f"cannot write the report into {args.out!r}: "
                                 f"{exc.strerror or exc}") from None
    return 0


# --- xsec ---------------------------------------------------------------------------
def _cmd_xsec(args: argparse.Namespace) -> int:
    import coherency as coh

    if args.alpha is not None and args.form_factor is not None:
        raise UsageError("--alpha replaces the form factor by Gamma_QM(alpha): give "
                         "--alpha or --form-factor, not both", "--form-factor")
    _target(args.target)
    E = np.asarray(args.energy, dtype=np.float64)
    ff = "unity" if args.alpha is not None else (args.form_factor or "helm")
    common = dict(epsilon=args.epsilon)
    if args.q2 is not None:
        q2 = np.asarray(args.q2, dtype=np.float64)
        if args.alpha is not None:
            val = coh.dsigma_dq2(q2[None, :], E[:, None], args.target, alpha=args.alpha, **common)
        else:
            val = coh.dsigma_dq2(q2[None, :], E[:, None], args.target, form_factor=ff, **common)
        what, unit, grid_name, grid = "dsigma/dq2", "cm^2/MeV^2", "q2_MeV2", q2
    elif args.recoil is not None:
        T = np.asarray([q.value for q in args.recoil], dtype=np.float64) * 1e-3
        if args.alpha is not None:
            val = coh.dsigma_dT(T[None, :], E[:, None], args.target, alpha=args.alpha, **common)
        else:
            val = coh.dsigma_dT(T[None, :], E[:, None], args.target, form_factor=ff, **common)
        what, unit, grid_name, grid = "dsigma/dT", "cm^2/MeV", "T_keVnr", T * 1e3
    else:
        if args.alpha is not None:
            raise UsageError("--alpha applies to --q2 or --recoil (dsigma), not to "
                             "sigma_total", "--alpha")
        T_min = args.T_min.value if args.T_min is not None else 0.0
        val = coh.sigma_total(E, args.target, T_min=T_min * 1e-3, form_factor=ff, **common)
        payload = {"quantity": "sigma_total", "unit": "cm^2", "target": args.target,
                   "form_factor": ff, "T_min_keVnr": T_min,
                   "E_MeV": E, "sigma_cm2": np.atleast_1d(val)}
        lines = [f"# sigma_total on {args.target} (form factor {ff}, T_min = {T_min:g} keVnr)",
                 f"# {'E [MeV]':>10s}  {'sigma [cm^2]':>14s}"]
        lines += [f"{e:12.6g}  {s:14.6e}" for e, s in zip(E, np.atleast_1d(val))]
        return _emit(args, payload, "\n".join(lines))
    val = np.asarray(val)
    payload = {"quantity": what, "unit": unit, "target": args.target,
               "form_factor": ff, "alpha": args.alpha, "E_MeV": E, grid_name: grid,
               "values": val}
    header = f"# {what} [{unit}] on {args.target} " + (
        f"(alpha = {args.alpha:g}, Gamma_QM)" if args.alpha is not None
        else f"(form factor {ff})")
    lines = [header, f"# {'E [MeV]':>10s}  {grid_name:>12s}  {what + ' [' + unit + ']':>24s}"]
    for i, e in enumerate(E):
        for j, g in enumerate(grid):
            lines.append(f"{e:12.6g}  {g:12.6g}  {val[i, j]:24.6e}")
    return _emit(args, payload, "\n".join(lines))


# --- sources and exposures for rate / spectrum ------------------------------------
#: DAR source names -> the experiment preset whose detector mass is the source's
#: published exposure.
_DAR_PRESETS = {"dar": "coherent-csi-2017", "pion-dar": "coherent-csi-2017",
                "coherent-csi": "coherent-csi-2017", "coherent-ar": "coherent-ar-2020",
                "dar-prompt": "coherent-csi-2017", "dar-delayed": "coherent-csi-2017"}
_PROTON_ENERGY_GEV = 1.0  # SNS proton kinetic energy, about 1 GeV

_SOURCE_OPTIONS = {  # option -> the source kinds it configures
    "power": ("reactor",), "fuel": ("reactor",), "tail": ("reactor",),
    "pot": ("dar",), "nu_per_proton": ("dar",), "beam_power": ("dar",),
    "components": ("solar",), "distance": ("reactor", "dar", "supernova"),
}


def _kind(name: str) -> str:
    if name in ("reactor", "ksnl"):
        return "reactor"
    if name in _DAR_PRESETS:
        return "dar"
    if name.startswith("solar"):
        return "solar"
    return name  # atmospheric, supernova


class _Setup:
    """A source with its exposure, as the user configured it: ``source``, ``mass_kg``,
    ``time_s`` (for event_rate), the ``exposure`` text, and the ``assumptions``."""

    def __init__(self) -> None:
        self.source: Any = None
        self.mass_kg = 1.0
        self.time_s = SECONDS_PER_YEAR
        self.exposure = ""
        self.exposure_kg_yr: float | None = None
        self.assumptions: list[str] = []


def _check_source_options(args: argparse.Namespace, kind: str, name: str) -> None:
    for opt, kinds in _SOURCE_OPTIONS.items():
        if getattr(args, opt, None) is not None and kind not in kinds:
            flag = "--" + opt.replace("_", "-")
            raise UsageError(f"{flag} does not apply to source {name!r} (it configures "
                             f"{' and '.join(k if k != 'dar' else 'pion-DAR' for k in kinds)}"
                             f" sources)", flag)
    if kind == "solar" and args.components is not None and name != "solar":
        raise UsageError(f"--components applies to 'solar'; {name!r} is one component "
                         f"already", "--components")


def _build_setup(args: argparse.Namespace) -> _Setup:
    from .sources import PionDAR, Reactor, Solar, Supernova, by_name

    name = _source_name(args.source)
    kind = _kind(name)
    _check_source_options(args, kind, name)
    st = _Setup()
    src: Any = by_name(name)
    if kind == "reactor":
        power = args.power.value if args.power else src.power_GW
        dist = args.distance.value if args.distance else src.distance_m
        fuel = args.fuel if args.fuel is not None else src.fractions
        tail = args.tail or src.tail
        src = Reactor(power_GW=power, distance_m=dist, fission_fractions=fuel, tail=tail)
        st.assumptions.append(
            f"reactor: {power:g} GW thermal at {dist:g} m; fission fractions "
            + ", ".join(f"{k} {v:g}" for k, v in src.fractions.items())
            + f"; spectrum Huber-Mueller (Vogel-Engel below 2 MeV), tail above 8 MeV: "
              f"{tail}; 238U captures {src.u238_capture_per_fission:g} per fission")
    elif kind == "dar":
        from . import experiments

        preset = experiments.load(_DAR_PRESETS[name])
        dist = args.distance.value if args.distance else src.distance_m
        r = args.nu_per_proton if args.nu_per_proton is not None else src.nu_per_proton
        src = PionDAR(n_pot=src.n_pot, exposure_time_s=None, distance_m=dist,
                      nu_per_proton=r, flavours=src.flavours, label=src.label)
        st.assumptions.append(
            f"pion decay at rest: {dist:g} m, {r:g} neutrinos per flavour per proton, "
            f"flavours {', '.join(src.flavours)}")
        st.source = src
        _dar_exposure(args, st, preset)
        return st
    elif kind == "solar":
        if args.components is not None:
            comps = tuple(c.strip() for c in args.components.split(",") if c.strip())
            src = Solar(components=comps)
        st.assumptions.append(f"solar neutrinos (B16-GS98 fluxes, no oscillation): "
                              f"{', '.join(src.components)}")
    elif kind == "supernova":
        if args.distance is not None:
            d = args.distance
            kpc = d.value / 3.0856775814913673e19 if d.explicit else d.value
            src = Supernova(distance_kpc=kpc)
        st.assumptions.append(f"supernova burst at {src.distance_kpc:g} kpc "
                              f"(fluence of the whole burst)")
    else:
        st.assumptions.append(f"{src.name}")
    st.source = src
    if getattr(src, "is_fluence", False):
        _fluence_exposure(args, st)
    else:
        _steady_exposure(args, st)
    return st


_TIME_UNITS = {"s": 1.0, "day": SECONDS_PER_DAY, "yr": SECONDS_PER_YEAR}


def _mass_and_time(args: argparse.Namespace) -> tuple[Parsed | None, Parsed | None]:
    """--mass and --time (with the legacy --time-unit for bare numbers)."""
    time = args.time
    if time is not None and not time.explicit and args.time_unit != "yr":
        factor = _TIME_UNITS[args.time_unit] / SECONDS_PER_YEAR
        time = Parsed(time.value * factor, "yr", f"{time.text} {args.time_unit}", True)
    return args.mass, time


def _steady_exposure(args: argparse.Namespace, st: _Setup) -> None:
    mass, time = _mass_and_time(args)
    if args.exposure is not None:
        if mass is not None or time is not None:
            raise UsageError("give --exposure or --mass/--time, not both", "--exposure")
        if args.exposure.dim == "mass":
            raise UsageError(f"{st.source.name} is a steady flux: --exposure needs a mass "
                             f"times a time, such as 1tonne*yr or 2.83kg*327day; got "
                             f"{args.exposure.text!r}", "--exposure")
        st.mass_kg, st.time_s = args.exposure.value, SECONDS_PER_YEAR
        st.exposure_kg_yr = args.exposure.value
        st.exposure = (f"{args.exposure.value:.6g} kg·yr "
                       f"(= {args.exposure.value * 365.25:.6g} kg·d)")
        st.assumptions.append(f"exposure {args.exposure.describe()} (1 yr = 365.25 d)")
        return
    st.mass_kg = mass.value if mass is not None else 1.0
    years = time.value if time is not None else 1.0
    st.time_s = years * SECONDS_PER_YEAR
    st.exposure_kg_yr = st.mass_kg * years
    st.exposure = f"{st.mass_kg:g} kg × {_years_text(years)}"
    st.assumptions.append(
        f"exposure {st.exposure}"
        + ("" if mass is not None and time is not None else
           " (defaults: 1 kg, 1 yr; set --exposure, e.g. 1tonne*yr)"))


def _years_text(years: float) -> str:
    days = years * 365.25
    return f"{years:g} yr" if years >= 1 or days < 1 else f"{days:g} d"


def _fluence_exposure(args: argparse.Namespace, st: _Setup) -> None:
    """A burst (supernova): the fluence holds the time; the exposure is a mass."""
    mass, time = _mass_and_time(args)
    if time is not None or (args.exposure is not None and args.exposure.dim != "mass"):
        raise UsageError(f"{st.source.name} is the fluence of one burst (no time axis): "
                         f"give a mass (--mass 1tonne or --exposure 1tonne), not a time",
                         "--exposure" if time is None else "--time")
    m = args.exposure if args.exposure is not None else mass
    st.mass_kg = m.value if m is not None else 1.0
    st.time_s = 1.0
    st.exposure = f"{st.mass_kg:g} kg, the whole burst"
    st.assumptions.append(f"exposure {st.exposure}"
                          + ("" if m is not None else " (default mass 1 kg)"))


def _dar_exposure(args: argparse.Namespace, st: _Setup, preset: Any) -> None:
    """A pulsed source: the exposure is counted in protons on target. Default: the
    published one (the preset's POT and detector mass)."""
    from .sources import PionDAR

    src = st.source
    mass, time = _mass_and_time(args)
    if args.exposure is not None and (mass is not None or time is not None):
        raise UsageError("give --exposure or --mass/--time, not both", "--exposure")
    timed = time is not None or (args.exposure is not None and args.exposure.dim != "mass")
    if timed:
        if args.pot is not None:
            raise UsageError("a pulsed source's exposure is --pot (protons on target) or a "
                             "time at --beam-power, not both", "--pot")
        if args.beam_power is None:
            raise UsageError(
                f"{args.source!r} is a pulsed source: its exposure is counted in protons on "
                f"target. Give --beam-power with a time (e.g. --beam-power 1.4MW "
                f"--exposure 10kg*yr), or --pot (e.g. --pot 3.2e23) with a mass, or "
                f"nothing for the published exposure", "--beam-power")
        if args.exposure is not None:
            kg_yr = args.exposure.value
        else:
            kg_yr = (mass.value if mass is not None else 1.0) * time.value  # type: ignore[union-attr]
        n_pot = args.beam_power.value * 1e6 * SECONDS_PER_YEAR / (
            _PROTON_ENERGY_GEV * 1e9 * 1.602176634e-19)
        st.source = PionDAR(n_pot=n_pot, exposure_time_s=None, distance_m=src.distance_m,
                            nu_per_proton=src.nu_per_proton, flavours=src.flavours,
                            label=f"{args.beam_power.value:g} MW beam")
        st.mass_kg, st.time_s = kg_yr, 1.0
        st.exposure_kg_yr = kg_yr
        st.exposure = f"{kg_yr:g} kg·yr at {args.beam_power.value:g} MW"
        st.assumptions.append(
            f"exposure {kg_yr:g} kg·yr at a beam power of {args.beam_power.describe()}, "
            f"{_PROTON_ENERGY_GEV:g} GeV per proton: {n_pot:.4g} protons on target per "
            f"year (1 yr = 365.25 d of beam)")
        return
    if args.beam_power is not None:
        raise UsageError("--beam-power needs a time (e.g. --exposure 10kg*yr)", "--beam-power")
    m = args.exposure if args.exposure is not None else mass
    n_pot = args.pot.value if args.pot is not None else src.n_pot
    st.source = PionDAR(n_pot=n_pot, exposure_time_s=None, distance_m=src.distance_m,
                        nu_per_proton=src.nu_per_proton, flavours=src.flavours,
                        label=src.label)
    st.mass_kg = m.value if m is not None else preset.mass_kg
    st.time_s = 1.0
    st.exposure = f"{st.mass_kg:g} kg, {n_pot:.4g} protons on target"
    origin = []
    if args.pot is None:
        origin.append(f"POT of {preset.title}")
    if m is None:
        origin.append(f"the detector mass of {preset.name}")
    st.assumptions.append(f"exposure {st.exposure}"
                          + (f" (published: {'; '.join(origin)})" if origin else ""))


# --- thresholds and quenching -----------------------------------------------------
class _Window:
    """The recoil window: scale, thresholds (MeV on that scale) and the quenching model,
    with both scales for printing."""

    def __init__(self) -> None:
        self.scale = "nr"
        self.T_min = 0.0
        self.T_max: float | None = None
        self.quenching: Any = None
        self.quenching_text = "none"
        self.T_min_nr = 0.0
        self.T_min_ee: float | None = None
        self.assumptions: list[str] = []


def _quenching_for(args: argparse.Namespace, tgt: Any, needed: bool) -> tuple[Any, str]:
    from .detector import Lindhard, lindhard_k

    if args.qf is not None and args.k is not None:
        raise UsageError("give --qf (a constant quenching factor) or --k (Lindhard), not "
                         "both", "--qf")
    if args.qf is not None:
        return args.qf, f"constant quenching factor {args.qf:g}"
    single = len({n.Z for n, _ in tgt.components}) == 1
    if not single:
        if needed or args.k is not None:
            raise UsageError("an electron-equivalent energy on a compound needs --qf (a "
                             "constant quenching factor in (0, 1)); Lindhard's model is "
                             "for one element", "--qf")
        return None, "none"
    if args.k is None and not needed:
        return None, "none"
    Z = tgt.components[0][0].Z
    A = sum(n.A * f for n, f in tgt.components)
    k = args.k if args.k is not None else lindhard_k(Z, A)
    origin = "" if args.k is not None else " (Lindhard's 0.133 Z^(2/3) A^(-1/2); set --k)"
    return Lindhard(Z, A, k=k), f"Lindhard, Z = {Z}, A = {A:.4g}, k = {k:.4g}{origin}"


def _window(args: argparse.Namespace, tgt: Any, T_reach_MeV: float) -> _Window:
    from .detector import nr_from_ee_MeV

    w = _Window()
    scales = {s for _, s in (args.threshold or (None, None),
                             args.T_max or (None, None)) if s is not None}
    if len(scales) > 1:
        raise UsageError("--threshold and --T-max must be on the same scale (both keVnr "
                         "or both keVee)", "--T-max")
    suffix = scales.pop() if scales else None
    if args.scale is not None and suffix is not None and args.scale != suffix:
        raise UsageError(f"--scale {args.scale} contradicts the unit keV{suffix}",
                         "--scale")
    w.scale = suffix or args.scale or "nr"
    w.quenching, w.quenching_text = _quenching_for(args, tgt, needed=w.scale == "ee")
    thr = args.threshold[0] if args.threshold else None
    w.T_min = (thr.value if thr else 0.0) * 1e-3
    w.T_max = args.T_max[0].value * 1e-3 if args.T_max else None
    if thr is not None and suffix is None:
        w.assumptions.append(f"threshold {thr.text!r} read as keV{w.scale}"
                             + ("" if args.scale else " (no scale given: keVnr; write "
                                "e.g. 0.3keVee or 5keVnr)"))
    if w.scale == "ee":
        w.T_min_ee = w.T_min
        w.T_min_nr = nr_from_ee_MeV(w.T_min, w.quenching, T_reach_MeV) if w.T_min > 0 else 0.0
    else:
        w.T_min_nr = w.T_min
        if w.quenching is not None and w.T_min > 0:
            w.T_min_ee = float(np.asarray(
                w.quenching(np.array([w.T_min])) if callable(w.quenching)
                else w.quenching * w.T_min).reshape(-1)[0])
    w.assumptions.append(f"quenching: {w.quenching_text}")
    if w.T_min == 0.0:
        w.T_min_ee = 0.0
        thr_text = "no threshold (0 keVnr = 0 keVee)"
    else:
        ee = "? keVee (no quenching model; add --k or --qf)" if w.T_min_ee is None else \
            f"{w.T_min_ee * 1e3:.4g} keVee"
        thr_text = f"threshold {w.T_min_nr * 1e3:.4g} keVnr = {ee}"
    w.assumptions.append(thr_text
                         + (f", window up to {w.T_max * 1e3:g} keV{w.scale}"
                            if w.T_max is not None else ""))
    return w


def _physics_assumptions(args: argparse.Namespace) -> list[str]:
    from .constants import EPSILON_DEFAULT

    ff = args.form_factor
    cp = args.couplings
    eps = args.epsilon if args.epsilon is not None else EPSILON_DEFAULT
    cp_text = (f"couplings {cp} (flavour dependent, radiatively corrected)"
               if cp in ("pdg", "tomalak") else
               f"couplings at tree level, epsilon = 1 - 4 sin^2(theta_W) = {eps:g}")
    return [f"form factor {ff}", cp_text, "detection efficiency 1 above threshold"]


# --- rate ---------------------------------------------------------------------------
def _cmd_rate(args: argparse.Namespace) -> int:
    import coherency as coh

    tgt = _target(args.target)
    st = _build_setup(args)
    src = st.source
    reach = max(float(coh.T_max(float(src.E_max), float(n.mass))) for n, _ in tgt.components)
    win = _window(args, tgt, reach)
    kw = dict(form_factor=args.form_factor, epsilon=args.epsilon, couplings=args.couplings)
    counts = coh.event_rate(src, tgt, st.mass_kg, st.time_s, T_min=win.T_min, T_max=win.T_max,
                            quenching=win.quenching if win.scale == "ee" else None,
                            energy_scale=win.scale, **kw)
    sigma = coh.flux_averaged_sigma(src, tgt, **kw)
    sigma_thr = coh.flux_averaged_sigma(src, tgt, T_min=min(win.T_min_nr, 1e4), **kw)
    q2max = coh.max_q2(src, tgt)
    fluence = bool(getattr(src, "is_fluence", False))
    flux_unit = "nu/cm^2 (fluence of the exposure)" if fluence else "nu/cm^2/s"
    zero = counts == 0.0 and win.T_min_nr >= reach
    assumptions = st.assumptions + win.assumptions + _physics_assumptions(args)
    payload: dict[str, Any] = {
        "source": args.source, "source_description": src.name, "target": args.target,
        "exposure": st.exposure, "mass_kg": st.mass_kg, "time_s": st.time_s,
        "exposure_kg_yr": st.exposure_kg_yr,
        "threshold_keVnr": win.T_min_nr * 1e3,
        "threshold_keVee": None if win.T_min_ee is None else win.T_min_ee * 1e3,
        "T_max_window_keV": None if win.T_max is None else win.T_max * 1e3,
        "energy_scale": win.scale, "quenching": win.quenching_text,
        "form_factor": args.form_factor, "couplings": args.couplings or "tree",
        "counts": counts, "sigma_avg_cm2": sigma, "sigma_avg_above_threshold_cm2": sigma_thr,
        "total_flux": float(src.total_flux), "total_flux_unit": flux_unit,
        "total_flux_cm2_s": None if fluence else float(src.total_flux),
        "q2_max_MeV2": q2max, "T_reach_keVnr": reach * 1e3,
        "assumptions": assumptions,
    }
    lines = [
        f"{src.name} on {args.target}, exposure {st.exposure}",
        f"  expected events                 {counts:.6g}",
        f"  <sigma> (no threshold)          {sigma:.6e} cm^2",
        f"  <sigma> above threshold         {sigma_thr:.6e} cm^2",
        f"  total {'fluence' if fluence else 'flux   '}                   "
        f"{float(src.total_flux):.6e} {flux_unit}",
        f"  largest recoil (E_max)          {reach * 1e3:.6g} keVnr",
        f"  max q^2                         {q2max:.6g} MeV^2",
    ]
    if args.fwhm:
        lo, hi = coh.q2_fwhm(src, tgt, T_min=win.T_min_nr, form_factor=args.form_factor,
                             epsilon=args.epsilon, couplings=args.couplings)
        payload["q2_fwhm_MeV2"] = [lo, hi]
        lines.append(f"  FWHM of dN/dq^2                 {lo:.6g} - {hi:.6g} MeV^2")
    lines += _assumptions_text(assumptions)
    _emit(args, payload, "\n".join(lines))
    return EXIT_ZERO_RESULT if zero and args.strict else 0


# --- spectrum -----------------------------------------------------------------------
def _write_table(args: argparse.Namespace, columns: dict[str, np.ndarray],
                 header: list[str], meta: dict[str, Any]) -> int:
    """CSV (commented header, np.loadtxt(..., delimiter=",") reads it), NPZ or JSON,
    into --out or on stdout."""
    fmt = args.format
    out = args.out
    if fmt is None:
        suffix = Path(out).suffix.lower() if out else ""
        fmt = {".npz": "npz", ".json": "json", ".csv": "csv", ".txt": "csv",
               "": "csv"}.get(suffix)
        if fmt is None:
            raise UsageError(f"--out {out!r}: unknown format {suffix!r}; use .csv, .npz or "
                             f".json (or --format)", "--out")
    if args.json:
        fmt = "json"
    names = list(columns)
    if fmt == "npz":
        if not out:
            raise UsageError("--format npz needs --out FILE.npz", "--out")
        arrays: dict[str, Any] = {**columns, "metadata": json.dumps(_json_safe(meta))}
        np.savez(out, **arrays)
        print(f"wrote {out} ({len(names)} arrays: {', '.join(names)}; metadata in "
              f"'metadata' as JSON)", file=sys.stderr)
        return 0
    if fmt == "json":
        notes = _collect_notes(args)
        text = json.dumps(_json_safe({**meta, "columns": names, **columns,
                                      **({"notes": notes} if notes else {})}),
                          indent=2, default=_json_default, allow_nan=False)
    else:
        body = np.column_stack([columns[n] for n in names])
        lines = [f"# {h}" for h in header] + ["# " + ",".join(names)]
        lines += [",".join(repr(float(v)) for v in row) for row in body]  # round-trip
        text = "\n".join(lines)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {out} ({fmt}: {', '.join(names)})", file=sys.stderr)
    else:
        print(text)
    return 0


def _cmd_spectrum(args: argparse.Namespace) -> int:
    from . import experiments

    key = args.source.strip().lower()
    if key in experiments.names():
        if args.target is not None:
            raise UsageError(f"{key!r} is an experiment preset (its target is "
                             f"{experiments.load(key).target.name}): give no target",
                             "target")
        return _experiment_spectrum(args, experiments.load(key))
    if args.target is None:
        raise UsageError("give a source and a target (e.g. 'coherency spectrum reactor Ge')"
                         " or an experiment preset (" + ", ".join(experiments.names()) + ")",
                         "target")
    import coherency as coh

    args.form_factor = args.form_factor or "helm"
    if not 2 <= args.points <= 100_000:
        raise UsageError(f"--points must be in [2, 100000]; got {args.points}", "--points")
    tgt = _target(args.target)
    st = _build_setup(args)
    src = st.source
    kw = dict(form_factor=args.form_factor, epsilon=args.epsilon, couplings=args.couplings)
    reach = max(float(coh.T_max(float(src.E_max), float(n.mass))) for n, _ in tgt.components)
    lo_kev = args.T_min.value if args.T_min is not None else 0.0
    hi_kev = args.T_max.value if args.T_max is not None else reach * 1e3
    for opt, q in (("--T-min", args.T_min), ("--T-max", args.T_max)):
        if q is not None and q.text.strip().lower().endswith("ee"):
            raise UsageError(f"{opt}: spectra are in nuclear-recoil energy (keVnr)", opt)
    if not hi_kev > lo_kev:
        raise UsageError(f"the recoil range {lo_kev:g}-{hi_kev:g} keVnr is empty (the "
                         f"largest recoil is {reach * 1e3:.4g} keVnr)", "--T-max")
    n = args.points
    if args.log:
        start = lo_kev if lo_kev > 0 else hi_kev * 1e-4
        T_kev = np.geomspace(start, hi_kev, n)
    else:
        T_kev = np.linspace(lo_kev, hi_kev, n)
    M_mean = sum(float(nu.mass) * f for nu, f in tgt.components)
    assumptions = st.assumptions + _physics_assumptions(args)[:2]
    meta = {"source": args.source, "source_description": src.name, "target": args.target,
            "exposure": st.exposure, "mass_kg": st.mass_kg, "time_s": st.time_s,
            "form_factor": args.form_factor, "couplings": args.couplings or "tree",
            "assumptions": assumptions}
    if args.variable == "q2":
        q2 = 2.0 * M_mean * T_kev * 1e-3
        dn = np.asarray(coh.q2_spectrum(src, tgt, q2, st.mass_kg, st.time_s, **kw))
        columns = {"q2_MeV2": q2, "dN_dq2_per_MeV2": dn}
        what = "dN/dq^2 (events per MeV^2)"
    else:
        dn = np.asarray(coh.recoil_spectrum(src, tgt, T_kev * 1e-3, st.mass_kg, st.time_s,
                                            **kw)) * 1e-3
        columns = {"T_keVnr": T_kev, "dN_dT_per_keVnr": dn}
        what = "dN/dT (events per keVnr, nuclear-recoil energy T)"
    header = [f"coherency spectrum: {what}",
              f"{src.name} on {args.target}, exposure {st.exposure}"]
    header += [f"assumption: {a}" for a in assumptions]
    meta["quantity"] = what
    return _write_table(args, columns, header, meta)


def _experiment_spectrum(args: argparse.Namespace, exp: Any) -> int:
    if args.epsilon is not None:
        raise UsageError("--epsilon does not apply to a preset (use --couplings tree for "
                         "tree level)", "--epsilon")
    for opt in ("power", "distance", "fuel", "tail", "pot", "nu_per_proton", "beam_power",
                "components", "exposure", "mass", "time", "T_min", "T_max"):
        if getattr(args, opt, None) is not None:
            flag = "--" + opt.replace("_", "-")
            raise UsageError(f"{flag} does not apply to an experiment preset (its inputs "
                             f"are the published ones)", flag)
    if args.variable != "T" or args.log:
        raise UsageError("an experiment's spectrum is per observed bin: --variable and "
                         "--log do not apply", "--variable")
    kw = _preset_overrides(args)
    spec = np.asarray(exp.predicted_spectrum(**kw), dtype=np.float64)
    unit = exp.response.observable
    e = np.asarray(exp.response.edges, dtype=np.float64)
    t = np.asarray(exp.time_edges_us if exp.time_edges_us is not None else (np.nan, np.nan))
    ne, nt = spec.shape
    ii, jj = np.meshgrid(np.arange(ne), np.arange(nt), indexing="ij")
    columns = {f"{unit}_lo": e[ii.ravel()], f"{unit}_hi": e[ii.ravel() + 1],
               "t_lo_us": t[jj.ravel()], "t_hi_us": t[jj.ravel() + 1],
               "counts": spec.ravel()}
    meta = {"experiment": exp.name, "title": exp.title, "observable_unit": unit,
            "form_factor": kw.get("form_factor") or exp.form_factor,
            "couplings": kw.get("couplings", exp.couplings) or "tree",
            "total_counts": float(spec.sum()), "inputs": dict(exp.inputs)}
    header = [f"coherency spectrum: predicted CEvNS counts per observed bin of {exp.name}",
              exp.title, f"observable in {unit}; arrival time in us (nan: a steady source)",
              f"total {spec.sum():.6g} events"]
    header += [f"input: {k}: {v}" for k, v in exp.inputs.items()]
    return _write_table(args, columns, header, meta)


def _preset_overrides(args: argparse.Namespace) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if getattr(args, "form_factor", None) not in (None, "preset"):
        kw["form_factor"] = args.form_factor
    if getattr(args, "couplings", None) not in (None, "preset"):
        kw["couplings"] = None if args.couplings == "tree" else args.couplings
    return kw


# --- experiment ---------------------------------------------------------------------
def _published_dict(pub: Any) -> dict[str, Any]:
    return pub.as_dict()


def _fmt_pub(p: dict[str, Any]) -> str:
    v, lo, hi, unit = p["value"], p["err_lo"], p["err_hi"], p["unit"]
    err = f"± {lo:.3g}" if lo == hi else f"-{lo:.3g}/+{hi:.3g}"
    return f"{v:.4g} {err} {unit}"


def _cmd_experiment(args: argparse.Namespace) -> int:
    from . import experiments

    if args.name is None:
        rows = [{"name": n, "title": experiments.load(n).title} for n in experiments.names()]
        text = "\n".join(f"{r['name']:<20s} {r['title']}" for r in rows)
        return _emit(args, {"experiments": rows}, text)
    if args.fit:
        _fit_hook(args.name)
    exp = experiments.load(args.name)
    kw = _preset_overrides(args)
    spec = np.asarray(exp.predicted_spectrum(**kw), dtype=np.float64)
    ours = {"predicted_counts": float(spec.sum()),
            "flux_averaged_sigma": exp.flux_averaged_sigma(**kw)}
    units = {"predicted_counts": "events", "flux_averaged_sigma": "cm^2"}
    comparison = []
    for key, pub in exp.published.items():
        p = _published_dict(pub)
        row: dict[str, Any] = {"quantity": key, "published": p}
        if key in ours:
            value = ours[key]
            err = p["err_hi"] if value > p["value"] else p["err_lo"]
            row.update({"ours": value, "unit": units[key],
                        "difference_percent": 100.0 * (value / p["value"] - 1.0),
                        "difference_sigma": (value - p["value"]) / err if err > 0 else None})
        comparison.append(row)
    unit = exp.response.observable
    edges = list(exp.response.edges)
    per_bin = spec.sum(axis=1)
    ff = kw.get("form_factor", exp.form_factor)
    cp = kw.get("couplings", exp.couplings) if "couplings" in kw else exp.couplings
    payload = {
        "experiment": exp.name, "title": exp.title, "target": exp.target.name,
        "mass_kg": exp.mass_kg, "source": exp.source.name,
        "form_factor": ff if isinstance(ff, str) else repr(ff), "couplings": cp or "tree",
        "predicted_counts": ours["predicted_counts"],
        "flux_averaged_sigma_cm2": ours["flux_averaged_sigma"],
        "comparison": comparison,
        "observable_unit": unit, "observable_edges": edges, "counts_per_energy_bin": per_bin,
        "time_edges_us": exp.time_edges_us, "counts_per_bin": spec,
        "inputs": dict(exp.inputs),
    }
    lines = [f"{exp.name}: {exp.title}",
             f"  target {exp.target.name}, {exp.mass_kg:g} kg; source {exp.source.name}",
             f"  form factor {ff}, couplings {cp or 'tree'}", "",
             f"  {'quantity':<30s} {'published':>28s} {'ours':>12s} {'difference':>18s}"]
    for row in comparison:
        pub_text = _fmt_pub(row["published"])
        if "ours" in row:
            ours_txt = f"{row['ours']:.4g}"
            ds = row["difference_sigma"]
            diff = f"{row['difference_percent']:+.1f} %" + (
                f" ({ds:+.2f} σ)" if ds is not None else "")
        else:
            ours_txt, diff = "–", "(not a prediction)"
        lines.append(f"  {row['quantity']:<30s} {pub_text:>28s} {ours_txt:>12s} {diff:>18s}")
    lines += ["", f"  predicted counts per observed bin ({unit}), summed over arrival time:"]
    lines += [f"    {edges[i]:g}-{edges[i + 1]:g} {unit}: {c:.4g}" for i, c in enumerate(per_bin)]
    lines += ["", "inputs:"] + [f"  - {k}: {v}" for k, v in exp.inputs.items()]
    lines += [f"references: {sorted({p.reference for p in exp.published.values()})[0]}"]
    if args.fit:
        payload["fit"], fit_lines = _fit_payload(exp)
        lines += fit_lines
    return _emit(args, payload, "\n".join(lines))


#: The presets whose data releases coherency.inference fits.
_FITTABLE = ("coherent-csi-2021", "coherent-ar-2020")


def _fit_hook(name: str) -> None:
    """Refuse ``--fit`` for a data set without a likelihood: the fits of
    :mod:`coherency.inference` are those of the CsI 2021 and Ar 2020 releases."""
    if name not in _FITTABLE:
        raise UsageError(f"--fit: coherency.inference fits the data releases of "
                         f"{' and '.join(_FITTABLE)}; {name!r} has no likelihood (without "
                         f"--fit the command prints its prediction or bin-wise analysis)",
                         "--fit")


def _fit_payload(exp: Any) -> tuple[dict[str, Any], list[str]]:
    """The measurement of CEvNS in the preset's data release (Experiment.fit)."""
    res = exp.fit()
    return res.as_dict(), ["", "fit to the data release (coherency.inference, "
                           "nuisance parameters profiled):", res.summary()]


def _bins_json(cf: Any) -> list[dict[str, Any]]:
    return [{"q2_lo": b.q2_lo, "q2_hi": b.q2_hi, "xi": b.xi,
             "xi_interval": list(b.xi_interval), "alpha": b.alpha,
             "alpha_interval": list(b.alpha_interval), "alpha_sm": b.alpha_sm,
             "p_local_alpha1": b.p_coherent, "p_local_alpha0": b.p_decoherent}
            for b in cf.bins]


# --- alpha --------------------------------------------------------------------------
_ALPHA_DATA = {"coherent-csi-2017": "coherent_csi", "coherent-csi-2017-cs-i": "coherent_csi_cs_i",
               "coherent-ar-2020": "coherent_ar", "coherent-csi-2021": None}


def _measurement_payload(m: Any, cl: float, label: str) -> tuple[dict[str, Any], list[str]]:
    iv = m.alpha_interval(0.6827)
    up = m.alpha_bound(cl, "upper")
    lo = m.alpha_bound(cl, "lower")
    p1, p0 = m.p_value(1.0), m.p_value(0.0)
    n = len(m)
    ex1, ex0 = m.strongest_exclusion(1.0), m.strongest_exclusion(0.0)
    from ._report_text import sidak_global_p, verdict

    g1, g0 = sidak_global_p(ex1.p_value, n), sidak_global_p(ex0.p_value, n)
    bins = []
    for i in range(n):
        bins.append({
            "q2_MeV2": m.q2[i],
            "q2_lo_MeV2": None if m.q2_lo is None else m.q2_lo[i],
            "q2_hi_MeV2": None if m.q2_hi is None else m.q2_hi[i],
            "xi": m.xi[i], "xi_err": m.xi_err[i], "alpha": m.alpha[i],
            "alpha_err": m.alpha_err[i],
            "alpha_1sigma": [iv.lo[i], iv.hi[i]], "interval_empty": bool(iv.empty[i]),
            f"alpha_upper_{round(100 * cl)}": up.alpha[i],
            f"alpha_lower_{round(100 * cl)}": lo.alpha[i],
            "p_local_alpha1": p1[i], "p_local_alpha0": p0[i]})
    v1 = verdict(ex1.p_value, g1, n, "complete coherency (alpha = 1)")
    v0 = verdict(ex0.p_value, g0, n, "complete decoherency (alpha = 0)")
    payload = {
        "data": label, "nucleus": getattr(m.nucleus, "name", str(m.nucleus)),
        "statistical_model": "Gaussian in xi per bin; one-sided p-values; local = per bin, "
                             "global = Sidak-corrected over the bins (independent bins)",
        "cl": cl, "bins": bins,
        "alpha1": {"q2_MeV2": ex1.q2, "p_local": ex1.p_value, "p_global": g1, "verdict": v1},
        "alpha0": {"q2_MeV2": ex0.q2, "p_local": ex0.p_value, "p_global": g0, "verdict": v0},
    }
    c = round(100 * cl)
    lines = [f"{'q2 [MeV^2]':>12s} {'xi':>7s} {'s_xi':>6s} {'alpha':>7s} {'s_alpha':>7s} "
             f"{'alpha 1-sigma':>14s} {f'alpha<({c}%)':>11s} {f'alpha>({c}%)':>11s} "
             f"{'p(a=1)':>8s} {'p(a=0)':>8s}"]
    for b in bins:
        a1 = b["alpha_1sigma"]
        lines.append(f"{b['q2_MeV2']:12.5g} {b['xi']:7.3f} {b['xi_err']:6.3f} "
                     f"{b['alpha']:7.3f} {b['alpha_err']:7.3f} "
                     f"{a1[0]:6.2f} - {a1[1]:5.2f} "
                     f"{b[f'alpha_upper_{c}']:11.3f} {b[f'alpha_lower_{c}']:11.3f} "
                     f"{b['p_local_alpha1']:8.3g} {b['p_local_alpha0']:8.3g}")
    lines += ["", f"  {v1} at q^2 = {ex1.q2:.4g} MeV^2",
              f"  {v0} at q^2 = {ex0.q2:.4g} MeV^2"]
    return payload, lines


def _csi_2021_measurement() -> tuple[Any, list[str]]:
    """What exists for CsI 2021 without a likelihood fit: one q^2 bin from the published
    flux-averaged cross section, measured over Standard-Model prediction at complete
    coherency (F = 1), at the q^2 of the accepted events."""
    from . import experiments
    from .analysis import Measurement
    from .rates import recoil_spectrum

    exp = experiments.load("coherent-csi-2021")
    meas = exp.published["measured_flux_averaged_sigma"]
    sigma_f1 = exp.flux_averaged_sigma(form_factor="unity")
    xi = meas.value / sigma_f1
    xi_err = 0.5 * (meas.err_lo + meas.err_hi) / sigma_f1
    T, w = exp.recoil_nodes()
    R = exp.response_matrix()
    dn = np.asarray(recoil_spectrum(exp.source, exp.target, T, exp.mass_kg, exp.time_s,
                                    form_factor=exp.form_factor, couplings=exp.couplings))
    accepted = R.sum(axis=0) * w * dn
    M = sum(float(n.mass) * f for n, f in exp.target.components)
    q2 = 2.0 * M * T
    cdf = np.cumsum(accepted) / accepted.sum()
    q2_mean = float(np.sum(accepted * q2) / accepted.sum())
    q2_lo, q2_hi = (float(np.interp(p, cdf, q2)) for p in (0.16, 0.84))
    m = Measurement(np.array([q2_mean]), np.array([xi]), np.array([xi_err]), "CsI",
                    q2_lo=np.array([q2_lo]), q2_hi=np.array([q2_hi]),
                    label="coherent-csi-2021, one bin from the published <sigma>")
    notes = [
        f"one q^2 bin: xi = <sigma>_measured / <sigma>_(F=1) = "
        f"{meas.value:.3g} (-{meas.err_lo:.2g}/+{meas.err_hi:.2g}) / {sigma_f1:.4g} cm^2 "
        f"(published measurement; ours at F = 1 with the preset's couplings); the mean "
        f"error is used (Gaussian in xi)",
        f"q^2 = mean over the preset's accepted events (16-84 % range {q2_lo:.4g}-"
        f"{q2_hi:.4g} MeV^2), CsI as Cs133 + I127",
        "bin-wise xi(q^2) of CsI 2021 needs the likelihood fit of the full data set "
        "(coherency.inference); this version has none",
    ]
    return m, notes


def _cmd_alpha(args: argparse.Namespace) -> int:
    if args.data is not None:
        given = [o for o in ("xi", "xi_err", "q2") if getattr(args, o) is not None]
        if given:
            raise UsageError(f"--data takes its bins from the data set: drop "
                             f"--{given[0].replace('_', '-')}", "--data")
        key = args.data.strip().lower()
        if key not in _ALPHA_DATA:
            raise UsageError(f"unknown data set {args.data!r}{_suggest(key, list(_ALPHA_DATA))}"
                             f" (known: {', '.join(_ALPHA_DATA)})", "--data")
        if args.fit:
            _fit_hook(key)
            from . import experiments
            from .inference import coherency_fit

            cf = coherency_fit(experiments.load(key))
            fit_payload = {
                "data": key, "method": "binned Poisson likelihood of the data release, "
                "xi per q^2 bin with every nuisance parameter profiled (coherency.inference)",
                "bins": _bins_json(cf),
                "p_min_local_alpha1": cf.p_min_coherent,
                "p_global_alpha1": cf.global_p_coherent,
                "p_min_local_alpha0": cf.p_min_decoherent,
                "p_global_alpha0": cf.global_p_decoherent,
                "n_toys": cf.n_toys, "valid": cf.valid, "messages": list(cf.messages)}
            return _emit(args, fit_payload, cf.table())
        notes: list[str] = []
        dataset = _ALPHA_DATA[key]
        if dataset is None:
            m, notes = _csi_2021_measurement()
        else:
            from . import data

            m = data.load(dataset, epsilon=args.epsilon)
            notes = [f"bins and xi from the shipped table {dataset} "
                     f"(coherency.data; docs/coherency_from_data.md)"]
        payload, lines = _measurement_payload(m, args.cl, key)
        payload["notes_on_data"] = notes
        head = [f"alpha(q^2) from {key} on {payload['nucleus']} (Gaussian in xi; "
                f"p-values one-sided, local per bin)"]
        return _emit(args, payload, "\n".join(head + lines + _assumptions_text(notes)))
    missing = [o for o in ("xi", "xi_err", "q2") if getattr(args, o) is None]
    if missing:
        raise UsageError(f"give --data NAME, or --xi, --xi-err and --q2 (missing "
                         f"--{missing[0].replace('_', '-')})", f"--{missing[0]}")
    if not args.xi_err > 0:
        raise UsageError(f"--xi-err must be > 0; got {args.xi_err:g}", "--xi-err")
    if not args.q2 > 0:
        raise UsageError(f"--q2 must be > 0 MeV^2; got {args.q2:g}", "--q2")
    from .analysis import Measurement

    _target(args.target)
    m = Measurement(np.array([args.q2]), np.array([args.xi]), np.array([args.xi_err]),
                    args.target, epsilon=args.epsilon)
    iv = m.alpha_interval(args.cl)
    ph = m.phi_interval(args.cl)
    up = m.alpha_bound(args.cl, "upper")
    lo = m.alpha_bound(args.cl, "lower")
    p1 = float(m.p_value(1.0)[0])
    p0 = float(m.p_value(0.0)[0])
    payload = {
        "target": args.target, "q2_MeV2": args.q2, "xi": args.xi, "xi_err": args.xi_err,
        "cl": args.cl, "alpha": float(m.alpha[0]), "alpha_err": float(m.alpha_err[0]),
        "alpha_interval": [float(iv.lo[0]), float(iv.hi[0])],
        "interval_empty": bool(iv.empty[0]),
        "phi_interval_half_pi": [float(ph.lo_half_pi[0]), float(ph.hi_half_pi[0])],
        "alpha_upper_bound": float(up.alpha[0]), "alpha_lower_bound": float(lo.alpha[0]),
        "p_value_alpha1": p1, "p_value_alpha0": p0,
        "xi_decoherent": float(m.xi_dec[0]) if m.xi_dec is not None else None,
    }
    lines = [
        f"xi = {args.xi:g} +- {args.xi_err:g} at q^2 = {args.q2:g} MeV^2 on {args.target}",
        f"  alpha = {m.alpha[0]:.4f} +- {m.alpha_err[0]:.4f} (Gaussian in xi)",
        f"  {100 * args.cl:g} % CL interval: {iv.lo[0]:.4f} <= alpha <= {iv.hi[0]:.4f}"
        + ("  (no physical alpha allowed)" if iv.empty[0] else ""),
        f"  phi in [{ph.lo_half_pi[0]:.4f}, {ph.hi_half_pi[0]:.4f}] x pi/2",
        f"  one-sided {100 * args.cl:g} % bounds: alpha < {up.alpha[0]:.4f}, "
        f"alpha > {lo.alpha[0]:.4f}",
        f"  p(alpha = 1, complete coherency)   = {p1:.4g}"
        + ("  (excluded at 95 % CL)" if p1 < 0.05 else "  (not excluded)"),
        f"  p(alpha = 0, complete decoherency) = {p0:.4g}"
        + ("  (excluded at 95 % CL)" if p0 < 0.05 else "  (not excluded)"),
    ]
    return _emit(args, payload, "\n".join(lines))


# --- targets / sources ------------------------------------------------------------
def _cmd_targets(args: argparse.Namespace) -> int:
    from .targets import NAMED_TARGETS

    names = args.names or list(NAMED_TARGETS)
    rows = []
    for name in names:
        tgt = _target(name, "names")
        rows.append({
            "name": name,
            "molar_mass_g_mol": float(tgt.molar_mass_g_per_mol),
            "nuclei_per_kg": float(tgt.nuclei_per_kg),
            "components": [{"nucleus": n.name, "Z": n.Z, "N": n.N, "A": n.A,
                            "mass_MeV": n.mass, "fraction": f} for n, f in tgt.components],
        })
    lines = []
    for r in rows:
        lines.append(f"{r['name']:<10s} M = {r['molar_mass_g_mol']:.4f} g/mol, "
                     f"{r['nuclei_per_kg']:.4e} nuclei/kg, {len(r['components'])} nuclei")
        if args.names:
            for c in r["components"]:
                lines.append(f"    {c['nucleus']:<8s} Z={c['Z']:<3d} N={c['N']:<3d} "
                             f"M = {c['mass_MeV']:.3f} MeV  fraction {c['fraction']:.6f}")
    if not args.names:
        lines.append("Any element (natural isotope mix), isotope (e.g. Xe132) or formula "
                     "(e.g. CsI) is accepted; 'coherency targets NAME' shows its nuclei.")
    return _emit(args, {"targets": rows}, "\n".join(lines))


def _cmd_sources(args: argparse.Namespace) -> int:
    from .sources import by_name, source_names

    names = [_source_name(n) for n in args.names] if args.names else list(source_names())
    rows = []
    for name in names:
        src = by_name(name)
        fluence = bool(getattr(src, "is_fluence", False))
        total = float(src.total_flux)
        rows.append({"name": name, "description": src.name,
                     "E_max_MeV": float(src.E_max),
                     "total": total,
                     "total_unit": "nu/cm^2 (fluence)" if fluence else "nu/cm^2/s",
                     "total_flux_cm2_s": None if fluence else total,
                     "total_fluence_cm2": total if fluence else None,
                     "is_fluence": fluence,
                     "lines_MeV": [float(e) for e, _ in src.lines]})
    lines = [f"{'name':<14s} {'E_max [MeV]':>12s} {'flux or fluence':>14s} "
             f"{'unit':<18s} description"]
    for r in rows:
        lines.append(f"{r['name']:<14s} {r['E_max_MeV']:12.5g} {r['total']:14.5e} "
                     f"{r['total_unit']:<18s} {r['description']}")
    lines.append("A fluence is the whole exposure (or burst): 'coherency rate' counts it "
                 "once; a flux is per second of exposure.")
    return _emit(args, {"sources": rows}, "\n".join(lines))


# --- parser -------------------------------------------------------------------------
#: Every form-factor model the registry knows (coherency._ff_models).
_FORM_FACTORS = _ff_models.names()


def _form_factor_names() -> tuple[str, ...]:
    """The registry's models and the proton/neutron pairs with measured radii."""
    from .form_factors import PAIR_NAMES

    return (*_FORM_FACTORS, *PAIR_NAMES)


@dataclass(frozen=True)
class _Exposure:
    """A parsed --exposure: ``value`` in kg·yr (``dim`` "mass*time") or kg ("mass")."""

    value: float
    unit: str
    text: str
    dim: str

    def describe(self) -> str:
        return f"{self.value:g} {self.unit}"


def _exposure_arg(text: str) -> _Exposure:
    """argparse type of --exposure: a mass times a time, or a mass alone (for sources
    whose exposure is a fluence)."""
    for kind, dim in (("exposure", "mass*time"), ("mass", "mass")):
        try:
            q = parse(text, kind)
        except ValueError:
            continue
        if not q.explicit:
            raise argparse.ArgumentTypeError(
                f"expected a mass times a time such as '1tonne*yr' or '14.6kg*308day' (or a "
                f"mass such as '14.6kg' for a pulsed source or a burst); got {text!r} "
                f"without a unit")
        if not q.value > 0:
            raise argparse.ArgumentTypeError(f"expected an exposure > 0, got {text!r}")
        return _Exposure(q.value, q.unit, q.text, dim)
    raise argparse.ArgumentTypeError(
        f"expected a mass times a time such as '1tonne*yr' (or a mass such as '14.6kg'); "
        f"cannot read {text!r} as either")


def _add_source_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("exposure (a steady source: mass x time; a pulsed source: "
                             "protons on target; a burst: mass)")
    g.add_argument("--exposure", type=_exposure_arg, default=None,
                   help="mass x time, e.g. 1tonne*yr, 2.83kg*327day (pulsed sources: a "
                        "mass, e.g. 14.6kg, for the published protons on target)")
    g.add_argument("--mass", type=_quantity("mass"), default=None,
                   help="detector mass (default 1 kg; pulsed presets: the published "
                        "detector's), e.g. 14.6kg, 1tonne; a bare number is kg")
    g.add_argument("--time", type=_quantity("time"), default=None,
                   help="exposure time (default 1 yr), e.g. 308.1day, 2yr; a bare number "
                        "is in --time-unit")
    g.add_argument("--time-unit", choices=tuple(_TIME_UNITS), default="yr",
                   help="unit of a bare --time number (default yr)")
    s = p.add_argument_group("source configuration (each applies to its kind of source)")
    s.add_argument("--power", type=_quantity("power"), default=None,
                   help="reactor thermal power, e.g. 2.9GW (a bare number is GW)")
    s.add_argument("--distance", type=_quantity("length"), default=None,
                   help="distance to the source, e.g. 20.7m, 10kpc (a bare number is m)")
    s.add_argument("--fuel", type=_fuel, default=None,
                   help="reactor fission fractions, e.g. U235=0.58,U238=0.07,Pu239=0.30,"
                        "Pu241=0.05 (must sum to 1)")
    s.add_argument("--tail", choices=("exponential", "polynomial", "none"), default=None,
                   help="reactor spectrum above 8 MeV (default exponential)")
    s.add_argument("--pot", type=_quantity("count"), default=None,
                   help="pion-DAR exposure in protons on target, e.g. 3.198e23")
    s.add_argument("--nu-per-proton", dest="nu_per_proton", type=_positive, default=None,
                   help="pion-DAR neutrinos per flavour per proton (default the preset's)")
    s.add_argument("--beam-power", dest="beam_power", type=_quantity("beam_power"),
                   default=None, help="pion-DAR beam power with a time exposure, e.g. 1.4MW "
                                      "(1 GeV protons)")
    s.add_argument("--components", default=None,
                   help="solar components, e.g. 8B,hep (of pp, pep, hep, 7Be, 8B, 13N, 15O, "
                        "17F)")


def _add_physics_options(p: argparse.ArgumentParser, preset: bool = False,
                         form_factor: str | None = "helm") -> None:
    names = _form_factor_names()
    if preset:
        p.add_argument("--form-factor", choices=names, default=None,
                       help="override the preset's form factor (default helm-measured)")
        p.add_argument("--couplings", choices=("tree", "pdg", "tomalak"), default=None,
                       help="override the preset's couplings (default pdg)")
        return
    p.add_argument("--form-factor", choices=names, default=form_factor,
                   help="nuclear form factor (default helm: Sharma & Wong's Helm; "
                        "helm-measured: measured radii with a neutron skin; for an "
                        "experiment preset, the preset's)")
    p.add_argument("--couplings", choices=("tree", "pdg", "tomalak"), default=None,
                   help="weak couplings (default tree level with --epsilon; pdg: "
                        "radiatively corrected, flavour dependent)")
    p.add_argument("--epsilon", type=_epsilon_arg, default=None,
                   help="1 - 4 sin^2 theta_W in [-3, 1] for tree-level couplings "
                        "(default 0.04572; Sharma & Wong: 0.045)")


def build_parser() -> argparse.ArgumentParser:
    from ._version import __version__

    parser = _Parser(
        prog="coherency",
        description="Coherent elastic neutrino-nucleus scattering and its coherency. "
                    "Start with 'coherency report'. Quantities take units: 0.3keVee, "
                    "5keVnr, 2.9GW, 20m, 1tonne*yr.",
        epilog="exit status: 0 ok, 1 output not writable, 2 usage error, 3 zero result "
               "with --strict, 130 interrupted",
    )
    parser.add_argument("--version", action="version", version=f"coherency {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def json_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = sub.add_parser("report",
                       help="tables, numbers and figures of Sharma & Wong and the presets",
                       description="Write report.md, report.json and the figures (PNG) "
                                   "into a folder, and print a summary.")
    p.add_argument("--out", default="coherency-report",
                   help="output folder (default ./coherency-report)")
    p.add_argument("--epsilon", type=_epsilon_arg, default=None,
                   help="1 - 4 sin^2 theta_W in [-3, 1] (default 0.04572; Sharma & Wong: "
                        "0.045)")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is off anyway when stderr is not a terminal)")
    p.add_argument("--quiet", action="store_true", help="no summary, no progress bar")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "rate", help="expected events, <sigma> and q^2 reach of a source on a target",
        description="Expected CEvNS events above a threshold for an exposure, with <sigma> "
                    "and the q^2 reach; every assumption is printed. Examples: "
                    "'coherency rate reactor Ge --power 3.6GW --distance 20.7m "
                    "--exposure 2.83kg*327day --threshold 0.17keVee --k 0.162'; "
                    "'coherency rate dar CsI' (the published COHERENT 2017 exposure).")
    p.add_argument("source", help="source name (see 'coherency sources')")
    p.add_argument("target", help="target: element (Ge), isotope (Xe132) or formula (CsI)")
    _add_source_options(p)
    w = p.add_argument_group("recoil window and quenching")
    w.add_argument("--threshold", type=_recoil, default=None,
                   help="recoil threshold, e.g. 0.3keVee or 5keVnr (a bare number is keV on "
                        "--scale; default 0)")
    w.add_argument("--T-max", dest="T_max", type=_recoil, default=None,
                   help="upper end of the window, e.g. 2keVee (default: no upper end)")
    w.add_argument("--scale", choices=("nr", "ee"), default=None,
                   help="scale of bare-number thresholds: nr (nuclear recoil, default) or "
                        "ee (electron equivalent)")
    w.add_argument("--qf", type=_unit_interval, default=None,
                   help="constant quenching factor in (0, 1) (keVee <-> keVnr)")
    w.add_argument("--k", type=_positive, default=None,
                   help="Lindhard k (default 0.133 Z^(2/3) A^(-1/2); Ge: 0.157; "
                        "CONUS+ uses 0.162)")
    _add_physics_options(p)
    p.add_argument("--fwhm", action="store_true", help="also the FWHM q^2 range of dN/dq^2")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 3 when the result is zero because the threshold "
                        "lies above the kinematic reach")
    json_flag(p)
    p.set_defaults(func=_cmd_rate)

    p = sub.add_parser(
        "spectrum", help="dN/dT, dN/dq^2 or an experiment's counts per bin (CSV/NPZ/JSON)",
        description="A recoil spectrum dN/dT (events per keVnr) or dN/dq^2 (events per "
                    "MeV^2) of a source on a target for an exposure, or the predicted "
                    "counts per observed bin of an experiment preset "
                    "('coherency spectrum coherent-csi-2021'). CSV on stdout by default "
                    "(# header lines; numpy.loadtxt(f, delimiter=',') reads it); "
                    "--out FILE.csv/.npz/.json writes a file.")
    p.add_argument("source", help="source name, or an experiment preset "
                                  "(see 'coherency experiment')")
    p.add_argument("target", nargs="?", default=None,
                   help="target (omit for an experiment preset)")
    _add_source_options(p)
    p.add_argument("--variable", choices=("T", "q2"), default="T",
                   help="T: dN/dT per keVnr (default); q2: dN/dq^2 per MeV^2")
    p.add_argument("--T-min", dest="T_min", type=_quantity("energy", positive=False),
                   default=None, help="lowest recoil of the grid, keVnr (default 0)")
    p.add_argument("--T-max", dest="T_max", type=_quantity("energy"), default=None,
                   help="highest recoil of the grid, keVnr (default: the kinematic reach)")
    p.add_argument("--points", type=int, default=200, help="grid points (default 200)")
    p.add_argument("--log", action="store_true", help="logarithmic grid")
    _add_physics_options(p, form_factor=None)
    p.add_argument("--out", default=None, help="output file (.csv, .npz, .json); default "
                                               "stdout")
    p.add_argument("--format", choices=("csv", "npz", "json"), default=None,
                   help="output format (default: from --out's suffix, else csv)")
    json_flag(p)
    p.set_defaults(func=_cmd_spectrum)

    p = sub.add_parser(
        "alpha", help="degree of coherency alpha(q^2) from COHERENT data or one xi +- sigma",
        description="With --data: alpha per q^2 bin from the packaged COHERENT data, the "
                    "local and global p-values of complete coherency and decoherency and "
                    "the bounds. Without: alpha, its interval, phi, one-sided bounds and "
                    "p-values from one measured xi +- sigma at q^2 (Gaussian in xi).")
    p.add_argument("--data", default=None,
                   help="data set: " + ", ".join(_ALPHA_DATA))
    p.add_argument("--fit", action="store_true",
                   help="alpha from a likelihood fit of the data set (coherency.inference)")
    p.add_argument("--xi", type=_finite, default=None,
                   help="measured/predicted cross section at complete coherency")
    p.add_argument("--xi-err", dest="xi_err", type=_finite, default=None,
                   help="1 sigma uncertainty of xi (> 0)")
    p.add_argument("--q2", type=_finite, default=None, help="q^2 of the bin, MeV^2 (> 0)")
    p.add_argument("--target", default="Xe132", help="nucleus (default Xe132: CsI as Xe)")
    p.add_argument("--cl", type=_unit_interval, default=0.9,
                   help="confidence level of the bounds, in (0, 1) (default 0.9)")
    p.add_argument("--epsilon", type=_epsilon_arg, default=None,
                   help="1 - 4 sin^2 theta_W in [-3, 1] (default: the data set's, else "
                        "0.04572)")
    json_flag(p)
    p.set_defaults(func=_cmd_alpha)

    p = sub.add_parser(
        "experiment", help="an experiment preset's prediction beside the published numbers",
        description="Predicted CEvNS counts (per observed bin and in total) and <sigma> of "
                    "an experiment preset beside its published numbers, with every input "
                    "and its reference. Without NAME: the list of presets.")
    p.add_argument("name", nargs="?", default=None, help="preset name")
    _add_physics_options(p, preset=True)
    p.add_argument("--fit", action="store_true",
                   help="fit the preset to its data (coherency.inference)")
    json_flag(p)
    p.set_defaults(func=_cmd_experiment)

    p = sub.add_parser("xsec", help="cross sections: sigma(E), dsigma/dq2 or dsigma/dT",
                       description="sigma_total(E) by default; with --q2, dsigma/dq2; with "
                                   "--recoil, dsigma/dT. Neutrino energies in MeV, cross "
                                   "sections in cm^2; # header lines (numpy.loadtxt reads "
                                   "the table).")
    p.add_argument("target", help="target: element (Ar), isotope (Xe132) or formula (CsI)")
    p.add_argument("energy", type=_positive, nargs="+", help="neutrino energies, MeV (> 0)")
    grid = p.add_mutually_exclusive_group()
    grid.add_argument("--q2", type=_nonnegative, nargs="+", help="q^2 values, MeV^2 (>= 0)")
    grid.add_argument("--recoil", type=_quantity("energy", positive=False), nargs="+",
                      help="nuclear recoil energies T, e.g. 1keV 10keV (a bare number is keV)")
    p.add_argument("--T-min", dest="T_min", type=_quantity("energy", positive=False),
                   default=None, help="recoil threshold for sigma_total (default 0; a bare "
                                      "number is keVnr)")
    p.add_argument("--form-factor", choices=_form_factor_names(), default=None,
                   help="nuclear form factor (default helm)")
    p.add_argument("--alpha", type=_finite, default=None,
                   help="use Gamma_QM with this degree of coherency in [0, 1] instead of a "
                        "form factor")
    p.add_argument("--epsilon", type=_epsilon_arg, default=None,
                   help="1 - 4 sin^2 theta_W in [-3, 1] (default 0.04572)")
    json_flag(p)
    p.set_defaults(func=_cmd_xsec)

    p = sub.add_parser("targets", help="named targets, or the nuclei of given targets")
    p.add_argument("names", nargs="*", help="targets to show (default: the named ones)")
    json_flag(p)
    p.set_defaults(func=_cmd_targets)

    p = sub.add_parser("sources", help="neutrino sources by name")
    p.add_argument("names", nargs="*", help="sources to show (default: all)")
    json_flag(p)
    p.set_defaults(func=_cmd_sources)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 a file or stream that cannot be
    written, 2 user error, 3 a zero result with --strict, 130 interrupted by SIGINT)."""
    words = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in words
    try:
        if signal.getsignal(signal.SIGINT) is signal.SIG_DFL:  # Ctrl-C: KeyboardInterrupt
            signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread: signals are not ours to set
        pass
    try:
        return _main(words, as_json)
    except KeyboardInterrupt:
        print("coherency: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(words: list[str], as_json: bool) -> int:
    from ._backend import CoherencyWarning

    parser = build_parser()
    _Parser.json_errors = as_json
    try:
        args = parser.parse_args(words)
    finally:
        _Parser.json_errors = False
    if getattr(args, "func", None) is None:
        parser.print_help()
        return _flushed("coherency")
    prog = f"coherency {args.command}"
    args._notes = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CoherencyWarning)
            args._caught = caught
            status = int(args.func(args))
        for w in caught:
            if not issubclass(w.category, CoherencyWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        for note in _collect_notes(args):
            print(f"{prog}: note: {note}", file=sys.stderr)
    except (UsageError, ValueError, TypeError, ImportError) as exc:
        text = str(exc).strip()
        msg = text.splitlines()[0] if text else type(exc).__name__
        if as_json and not isinstance(exc, ImportError):
            argument = exc.argument if isinstance(exc, UsageError) else _argument_of(msg)
            _print_json_error(msg, argument)
        print(f"{prog}: error: {msg}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        return _io_error(prog, exc, as_json)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    flushed = _flushed(prog)
    return flushed if flushed else status


def _io_error(prog: str, exc: OSError, as_json: bool) -> int:
    """A file or stream that cannot be written: one line, status 1."""
    msg = f"{exc.strerror or exc}" + (f": {exc.filename!r}" if exc.filename else "")
    if not msg.startswith("cannot "):
        msg = f"cannot write the output: {msg}"
    if as_json:
        try:
            _print_json_error(msg, None)
        except OSError:
            pass
    print(f"{prog}: error: {msg}", file=sys.stderr)
    _silence_stdout()
    return EXIT_IO


def _flushed(prog: str) -> int:
    """Flush stdout now, so that a full disk or a closed pipe is an error message
    (status 1) rather than a traceback at interpreter exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        _silence_stdout()
        return EXIT_IO
    except OSError as exc:
        print(f"{prog}: error: cannot write the output: {exc.strerror or exc}",
              file=sys.stderr)
        _silence_stdout()
        return EXIT_IO
    return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
