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
import os
import signal
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from .. import _ff_models
from .._units import parse
from ._analysis import _ALPHA_DATA, _cmd_alpha, _cmd_experiment
from ._common import (
    EXIT_INTERRUPTED,
    EXIT_IO,
    EXIT_USAGE,
    EXIT_ZERO_RESULT,
    UsageError,
    _argument_of,
    _collect_notes,
    _epsilon_arg,
    _finite,
    _fuel,
    _nonnegative,
    _Parser,
    _positive,
    _print_json_error,
    _quantity,
    _recoil,
    _unit_interval,
)
from ._listing import _cmd_sources, _cmd_targets
from ._rate import _cmd_rate, _cmd_spectrum
from ._simple import _cmd_report, _cmd_xsec
from ._sources import _TIME_UNITS

__all__ = ["EXIT_INTERRUPTED", "EXIT_IO", "EXIT_USAGE", "EXIT_ZERO_RESULT", "UsageError",
           "main"]

# --- parser -------------------------------------------------------------------------
#: Every form-factor model the registry knows (coherency._ff_models).
_FORM_FACTORS = _ff_models.names()


def _form_factor_names() -> tuple[str, ...]:
    """The registry's models and the proton/neutron pairs with measured radii."""
    from ..form_factors import PAIR_NAMES

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
    from .._version import __version__

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
    p.add_argument("--no-fits", action="store_true",
                   help="skip alpha(q^2) of CsI 2021 and Ar 2020 from the full likelihood "
                        "(about 20 s)")
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
    from .._backend import CoherencyWarning

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
