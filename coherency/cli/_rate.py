"""The ``rate`` and ``spectrum`` commands.

Part of :mod:`coherency.cli` (its docstring describes the command line)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ._common import (
    EXIT_ZERO_RESULT,
    UsageError,
    _assumptions_text,
    _collect_notes,
    _emit,
    _json_default,
    _json_safe,
    _target,
)
from ._sources import _build_setup, _physics_assumptions, _window


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
    from .. import experiments

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
