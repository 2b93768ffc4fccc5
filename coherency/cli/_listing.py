"""The ``targets`` and ``sources`` commands.

Part of :mod:`coherency.cli` (its docstring describes the command line)."""

from __future__ import annotations

import argparse

from ._common import _emit, _source_name, _target


# --- targets / sources ------------------------------------------------------------
def _cmd_targets(args: argparse.Namespace) -> int:
    from ..targets import NAMED_TARGETS

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
    from ..sources import by_name, source_names

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
