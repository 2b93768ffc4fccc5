"""The ``report`` and ``xsec`` commands.

Part of :mod:`coherency.cli` (its docstring describes the command line)."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from ._common import UsageError, _emit, _target


# --- report -------------------------------------------------------------------------
def _cmd_report(args: argparse.Namespace) -> int:
    from ..report import write_report

    show_progress = not (args.quiet or args.no_progress) and sys.stderr.isatty()
    try:
        write_report(args.out, epsilon=args.epsilon, figures=not args.no_figures,
                     progress=show_progress, summary=None if args.quiet else print,
                     fits=not args.no_fits)
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
