"""The ``coherency`` command (also ``python -m coherency``).

Subcommands: ``report`` (the main job: tables and figures of Sharma & Wong
(arXiv:2010.06810) from the packaged defaults), ``xsec``, ``rate``, ``alpha``,
``targets``, ``sources``. Each has ``--help``; all but ``report`` print human-readable
text by default and JSON with ``--json``. User errors (bad arguments, unknown names,
values out of range) exit with status 2 and one line on stderr (with ``--json`` also
``{"error": message, "argument": name or null}`` on stdout); files that cannot be
written (``report --out`` in a read-only or missing place, a full disk, stdout on
/dev/full) exit with status 1 and one line; Ctrl-C (SIGINT) exits with status 130
and one line, whenever it arrives after the command has started. Only bugs show a
traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import numpy as np

from . import _ff_models
from .constants import SECONDS_PER_DAY, SECONDS_PER_YEAR

EXIT_USAGE = 2
EXIT_IO = 1
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A user error the CLI reports in one line with exit status 2."""


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


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> int:
    if getattr(args, "json", False):
        print(json.dumps(payload, indent=2, default=_json_default))
    else:
        print(text)
    return 0


# --- report ------------------------------------------------------------------------
def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    show_progress = not args.quiet and sys.stderr.isatty()
    try:
        write_report(args.out, epsilon=args.epsilon, figures=not args.no_figures,
                     progress=show_progress, summary=None if args.quiet else print)
    except OSError as exc:
        if exc.filename is None and exc.errno == 28:  # the summary on a full stdout
            raise
        raise OSError(exc.errno, f"cannot write the report into {args.out!r}: "
                                 f"{exc.strerror or exc}") from None
    return 0


# --- xsec --------------------------------------------------------------------------
def _cmd_xsec(args: argparse.Namespace) -> int:
    import coherency as coh

    E = np.asarray(args.energy, dtype=np.float64)
    ff = "unity" if args.alpha is not None else args.form_factor
    common = dict(epsilon=args.epsilon)
    if args.q2 is not None:
        q2 = np.asarray(args.q2, dtype=np.float64)
        if args.alpha is not None:
            val = coh.dsigma_dq2(q2[None, :], E[:, None], args.target, alpha=args.alpha, **common)
        else:
            val = coh.dsigma_dq2(q2[None, :], E[:, None], args.target, form_factor=ff, **common)
        what, unit, grid_name, grid = "dsigma/dq2", "cm^2/MeV^2", "q2_MeV2", q2
    elif args.recoil is not None:
        T = np.asarray(args.recoil, dtype=np.float64) * 1e-3
        if args.alpha is not None:
            val = coh.dsigma_dT(T[None, :], E[:, None], args.target, alpha=args.alpha, **common)
        else:
            val = coh.dsigma_dT(T[None, :], E[:, None], args.target, form_factor=ff, **common)
        what, unit, grid_name, grid = "dsigma/dT", "cm^2/MeV", "T_keV", T * 1e3
    else:
        if args.alpha is not None:
            raise UsageError("--alpha applies to --q2 or --recoil (dsigma), not to sigma_total")
        val = coh.sigma_total(E, args.target, T_min=args.T_min * 1e-3, form_factor=ff, **common)
        payload = {"quantity": "sigma_total", "unit": "cm^2", "target": args.target,
                   "form_factor": ff, "T_min_keV": args.T_min,
                   "E_MeV": E, "sigma_cm2": np.atleast_1d(val)}
        lines = [f"sigma_total on {args.target} (form factor {ff}, T_min = {args.T_min:g} keV)",
                 f"{'E [MeV]':>12s}  {'sigma [cm^2]':>14s}"]
        lines += [f"{e:12.6g}  {s:14.6e}" for e, s in zip(E, np.atleast_1d(val))]
        return _emit(args, payload, "\n".join(lines))
    val = np.asarray(val)
    payload = {"quantity": what, "unit": unit, "target": args.target,
               "form_factor": ff, "alpha": args.alpha, "E_MeV": E, grid_name: grid,
               "values": val}
    header = f"{what} [{unit}] on {args.target} " + (
        f"(alpha = {args.alpha:g})" if args.alpha is not None else f"(form factor {ff})")
    lines = [header, f"{'E [MeV]':>12s}  {grid_name:>12s}  {what + ' [' + unit + ']':>24s}"]
    for i, e in enumerate(E):
        for j, g in enumerate(grid):
            lines.append(f"{e:12.6g}  {g:12.6g}  {val[i, j]:24.6e}")
    return _emit(args, payload, "\n".join(lines))


# --- rate ---------------------------------------------------------------------------
_TIME_UNITS = {"s": 1.0, "day": SECONDS_PER_DAY, "yr": SECONDS_PER_YEAR}


def _cmd_rate(args: argparse.Namespace) -> int:
    import coherency as coh

    from .sources import by_name

    src = by_name(args.source)
    time_s = args.time * _TIME_UNITS[args.time_unit]
    quenching: Any = None
    scale = args.scale
    if scale == "ee":
        if args.qf is None:
            from .detector import Lindhard

            tgt = coh.as_target(args.target)
            if len(tgt.components) == 1 or len({n.Z for n, _ in tgt.components}) == 1:
                Z = tgt.components[0][0].Z
                A = sum(n.A * f for n, f in tgt.components)
                quenching = Lindhard(Z, A)
            else:
                raise UsageError("--scale ee on a compound needs --qf (a constant quenching "
                                 "factor in (0, 1))")
        else:
            quenching = args.qf
    T_min = args.threshold * 1e-3
    T_max = None if args.T_max is None else args.T_max * 1e-3
    counts = coh.event_rate(src, args.target, args.mass, time_s, T_min=T_min, T_max=T_max,
                            quenching=quenching, energy_scale=scale,
                            form_factor=args.form_factor, epsilon=args.epsilon)
    sigma = coh.flux_averaged_sigma(src, args.target, form_factor=args.form_factor,
                                    epsilon=args.epsilon)
    q2max = coh.max_q2(src, args.target)
    payload = {
        "source": args.source, "target": args.target, "mass_kg": args.mass,
        "time_s": time_s, "threshold_keV": args.threshold, "energy_scale": scale,
        "form_factor": args.form_factor, "counts": counts,
        "sigma_avg_cm2": sigma, "total_flux_cm2_s": float(src.total_flux),
        "q2_max_MeV2": q2max,
    }
    lines = [
        f"{src.name} on {args.target}: {args.mass:g} kg x {args.time:g} {args.time_unit}, "
        f"threshold {args.threshold:g} keV{scale} (form factor {args.form_factor})",
        f"  expected events        {counts:.6g}",
        f"  <sigma> (no threshold) {sigma:.6e} cm^2",
        f"  total flux             {float(src.total_flux):.6e} nu/cm^2/s",
        f"  max q^2                {q2max:.6g} MeV^2",
    ]
    if args.fwhm:
        T_nr = T_min
        if scale == "ee":
            from .detector import nr_from_ee_MeV

            T_nr = nr_from_ee_MeV(T_min, quenching)
        lo, hi = coh.q2_fwhm(src, args.target, T_min=T_nr, form_factor=args.form_factor,
                             epsilon=args.epsilon)
        payload["q2_fwhm_MeV2"] = [lo, hi]
        lines.append(f"  FWHM q^2 range         {lo:.6g} - {hi:.6g} MeV^2")
    return _emit(args, payload, "\n".join(lines))


# --- alpha --------------------------------------------------------------------------
def _cmd_alpha(args: argparse.Namespace) -> int:
    from .analysis import Measurement

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
        f"  p(alpha = 1, complete coherency)   = {p1:.4g}",
        f"  p(alpha = 0, complete decoherency) = {p0:.4g}",
    ]
    return _emit(args, payload, "\n".join(lines))


# --- targets / sources ------------------------------------------------------------
def _cmd_targets(args: argparse.Namespace) -> int:
    from .targets import NAMED_TARGETS, as_target

    names = args.names or list(NAMED_TARGETS)
    rows = []
    for name in names:
        tgt = as_target(name)
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

    names = args.names or list(source_names())
    rows = []
    for name in names:
        src = by_name(name)
        rows.append({"name": name, "description": src.name,
                     "E_max_MeV": float(src.E_max), "total_flux_cm2_s": float(src.total_flux),
                     "lines_MeV": [float(e) for e, _ in src.lines]})
    lines = [f"{'name':<16s} {'E_max [MeV]':>12s} {'flux [/cm2/s]':>14s}  description"]
    for r in rows:
        lines.append(f"{r['name']:<16s} {r['E_max_MeV']:12.5g} {r['total_flux_cm2_s']:14.5e}  "
                     f"{r['description']}")
    return _emit(args, {"sources": rows}, "\n".join(lines))


# --- parser -------------------------------------------------------------------------
_FORM_FACTORS = _ff_models.names()  # every name the registry knows


def build_parser() -> argparse.ArgumentParser:
    from ._version import __version__

    parser = _Parser(
        prog="coherency",
        description="Coherent elastic neutrino-nucleus scattering and its coherency. "
                    "Start with 'coherency report'.",
    )
    parser.add_argument("--version", action="version", version=f"coherency {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def json_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print JSON instead of text")

    def eps_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--epsilon", type=_epsilon_arg, default=None,
                       help="1 - 4 sin^2(theta_W) in [-3, 1] (default 0.04572; "
                            "Sharma & Wong: 0.045)")

    p = sub.add_parser("report",
                       help="tables, numbers and figures of Sharma & Wong (arXiv:2010.06810)",
                       description="Write report.md, report.json and the figures (PNG) "
                                   "into a folder, and print a summary.")
    p.add_argument("--out", default="coherency-report",
                   help="output folder (default ./coherency-report)")
    eps_flag(p)
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--quiet", action="store_true", help="no summary, no progress bar")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("xsec", help="cross sections: sigma(E), dsigma/dq2 or dsigma/dT",
                       description="sigma_total(E) by default; with --q2, dsigma/dq2; with "
                                   "--recoil, dsigma/dT. Energies in MeV, cross sections in cm^2.")
    p.add_argument("target", help="target: element (Ar), isotope (Xe132) or formula (CsI)")
    p.add_argument("energy", type=_positive, nargs="+", help="neutrino energies, MeV (> 0)")
    grid = p.add_mutually_exclusive_group()
    grid.add_argument("--q2", type=_nonnegative, nargs="+", help="q^2 values, MeV^2 (>= 0)")
    grid.add_argument("--recoil", type=_nonnegative, nargs="+",
                      help="nuclear recoil energies T, keV (>= 0)")
    p.add_argument("--T-min", dest="T_min", type=_nonnegative, default=0.0,
                   help="recoil threshold for sigma_total, keV (default 0)")
    p.add_argument("--form-factor", choices=_FORM_FACTORS, default="helm",
                   help="nuclear form factor (default helm)")
    p.add_argument("--alpha", type=_finite, default=None,
                   help="use Gamma_QM with this degree of coherency in [0, 1] instead of a "
                        "form factor")
    eps_flag(p)
    json_flag(p)
    p.set_defaults(func=_cmd_xsec)

    p = sub.add_parser("rate",
                       help="expected events, <sigma> and q^2 reach of a source on a target",
                       description="Counts above a threshold for a detector mass and time.")
    p.add_argument("source", help="source name (see 'coherency sources')")
    p.add_argument("target", help="target: element, isotope or formula")
    p.add_argument("--mass", type=_positive, default=1.0, help="detector mass, kg (default 1)")
    p.add_argument("--time", type=_positive, default=1.0, help="exposure time (default 1)")
    p.add_argument("--time-unit", choices=tuple(_TIME_UNITS), default="yr",
                   help="unit of --time (default yr; COHERENT presets carry their whole "
                        "exposure per 's')")
    p.add_argument("--threshold", type=_nonnegative, default=0.0,
                   help="recoil threshold, keV on --scale (default 0)")
    p.add_argument("--T-max", dest="T_max", type=_positive, default=None,
                   help="upper end of the recoil window, keV on --scale")
    p.add_argument("--scale", choices=("nr", "ee"), default="nr",
                   help="energy scale of the threshold: nuclear recoil (nr) or electron "
                        "equivalent (ee, Lindhard quenching unless --qf)")
    p.add_argument("--qf", type=_unit_interval, default=None,
                   help="constant quenching factor in (0, 1) for --scale ee")
    p.add_argument("--form-factor", choices=_FORM_FACTORS, default="helm")
    p.add_argument("--fwhm", action="store_true", help="also the FWHM q^2 range of dN/dq^2")
    eps_flag(p)
    json_flag(p)
    p.set_defaults(func=_cmd_rate)

    p = sub.add_parser("alpha", help="degree of coherency from a measured xi +- sigma at q^2",
                       description="alpha, its interval, phi, one-sided bounds and the "
                                   "p-values of complete coherency/decoherency (Gaussian in xi).")
    p.add_argument("--xi", type=_finite, required=True,
                   help="measured/predicted cross section at complete coherency")
    p.add_argument("--xi-err", dest="xi_err", type=_positive, required=True,
                   help="1 sigma uncertainty of xi (> 0)")
    p.add_argument("--q2", type=_positive, required=True, help="q^2 of the bin, MeV^2 (> 0)")
    p.add_argument("--target", default="Xe132", help="nucleus (default Xe132: CsI as Xe)")
    p.add_argument("--cl", type=_unit_interval, default=0.9,
                   help="confidence level in (0, 1) (default 0.9)")
    eps_flag(p)
    json_flag(p)
    p.set_defaults(func=_cmd_alpha)

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
    written, 2 user error, 130 interrupted by SIGINT)."""
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
    try:
        status = int(args.func(args))
    except (UsageError, ValueError, TypeError, ImportError) as exc:
        text = str(exc).strip()
        msg = text.splitlines()[0] if text else type(exc).__name__
        if as_json and not isinstance(exc, ImportError):
            _print_json_error(msg, None if isinstance(exc, UsageError) else _argument_of(msg))
        print(f"{prog}: error: {msg}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        return _io_error(prog, exc, as_json)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return _flushed(prog) if status == 0 else status


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
