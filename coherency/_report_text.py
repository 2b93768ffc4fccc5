"""Text of the ``coherency report``: the Markdown page and the terminal summary,
formatted from the JSON-ready dict of :func:`coherency.report.build_report`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["render_markdown", "summary_text"]


def _fmt(x: Any, spec: str = ".4g") -> str:
    if x is None:
        return "–"
    return format(float(x), spec)


def render_markdown(report: dict[str, Any], figures: dict[str, str] | None = None) -> str:
    """The report as Markdown (tables; figures linked if given)."""
    meta = report["meta"]
    out = [
        "# coherency report",
        "",
        f"coherency {meta['coherency_version']}, backend `{meta['backend']}`, "
        f"ε = 1 − 4 sin²θ_W = {meta['epsilon']:.5g}. Units: {meta['units']}.",
        "",
        "## Table 1: complete coherency and decoherency (Sharma & Wong Table 1)",
        "",
        "| nucleus | R (fm) | (π/R)² (MeV²) | Γ coherent (εZ−N)² | Γ decoherent ε²Z+N "
        "| ξ decoherent |",
        "|---|---|---|---|---|---|",
    ]
    for _label, t in report["table1"].items():
        out.append(f"| {t['nucleus']} | {t['radius_fm']:.3f} | {t['q2_scale']:.4g} | "
                   f"{t['coherent']['gamma_np']:.5g} | {t['decoherent']['gamma_np']:.5g} | "
                   f"{t['decoherent']['xi']:.4g} |")
    out += ["", "At complete coherency F_Z = F_N = 1, α = 1, φ = 0, ξ = 1; at complete "
            "decoherency α = 0, φ = π/2.", "",
            "## q² reach per source and target", "",
            "| source | target | E_max (MeV) | q²_max (MeV²) | FWHM q², no threshold | "
            "threshold (keVnr) | FWHM q², above threshold |",
            "|---|---|---|---|---|---|---|"]
    for r in report["q2_ranges"]:
        f0 = r["q2_fwhm_MeV2"]
        ft = r["q2_fwhm_threshold_MeV2"]
        ftxt = "no recoils above threshold" if ft is None else f"{ft[0]:.4g} – {ft[1]:.4g}"
        out.append(f"| {r['source_label']} | {r['target']} | {r['E_max_MeV']:.4g} | "
                   f"{r['q2_max_MeV2']:.4g} | {f0[0]:.3g} – {f0[1]:.4g} | "
                   f"{r['threshold_keVnr']:g} | {ftxt} |")
    out += ["", "FWHM: the q² interval where dN/dq² ∝ ∫Φ dσ/dq² dE exceeds half its maximum "
            "(docs/physics.md §6; Helm form factor).", "",
            "## Flux-averaged cross sections and expected counts", "",
            "| experiment | target | exposure | threshold (keVnr) | ⟨σ⟩ (cm²) | "
            "⟨σ⟩ above threshold (cm²) | counts, Helm | counts, F = 1 | observed | published |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for e in report["experiments"]:
        pub = "; ".join(f"{k}: {v}" for k, v in e.get("published", {}).items()) or "–"
        out.append(f"| {e['name']} | {e['target']} | {e['exposure']} | "
                   f"{_fmt(e['threshold_keVnr'], '.3g')} | {_fmt(e['sigma_avg_cm2'])} | "
                   f"{_fmt(e['sigma_avg_threshold_cm2'])} | {_fmt(e['counts_helm'], '.4g')} | "
                   f"{_fmt(e['counts_coherent'], '.4g')} | "
                   f"{_fmt(e.get('counts_observed'), '.4g')} | {pub} |")
    out += ["", "Notes: " + " ".join(f"*{e['name']}*: {e['note']}." for e in report["experiments"]),
            "", "## α(q²) from COHERENT data (Sharma & Wong Section 2)", ""]
    for c in report["alpha_constraints"]:
        e1, e0 = c["exclude_complete_coherency"], c["exclude_complete_decoherency"]
        out += [f"### {c['label']}", "",
                f"Statistical model: {c['statistical_model']}.", "",
                f"- complete coherency (α = 1) excluded with p = {e1['p_value']:.3g} at "
                f"q² = {e1['q2_MeV2']:.4g} MeV²; there, at 90 % CL, α < "
                f"{_fmt(e1['alpha_upper_90'], '.2f')} "
                f"(φ > {_fmt(e1['phi_lower_90_half_pi'], '.2f')} π/2)",
                f"- complete decoherency (α = 0) excluded with p = {e0['p_value']:.3g} at "
                f"q² = {e0['q2_MeV2']:.4g} MeV²; there, at 90 % CL, α > "
                f"{_fmt(e0['alpha_lower_90'], '.2f')} "
                f"(φ < {_fmt(e0['phi_upper_90_half_pi'], '.2f')} π/2)",
                "", "| q² (MeV²) | ξ | σ_ξ | α̂ | σ_α | α 1σ allowed |", "|---|---|---|---|---|---|"]
        for b in c["bins"]:
            out.append(f"| {b['q2_MeV2']:.4g} | {b['xi']:.3f} | {b['xi_err']:.3f} | "
                       f"{_fmt(b['alpha'], '.3f')} | {_fmt(b['alpha_err'], '.3f')} | "
                       f"{_fmt(b['alpha_lo_1sigma'], '.2f')} – "
                       f"{_fmt(b['alpha_hi_1sigma'], '.2f')} |")
        out.append("")
    out += ["Sharma & Wong: CsI excludes α = 1 with p = 0.023 at q² = 3.5e3 MeV² and α = 0 with "
            "p = 0.013 at 2.6e3 MeV²; 90 % CL α < 0.73 and α > 0.37. See "
            "docs/coherency_from_data.md for why ours differ.", ""]
    rp = report["reactor_panel"]
    out += [f"Reactor on {rp['nucleus']}: FWHM q² above threshold = "
            f"{rp['q2_fwhm'][0]:.4g} – {rp['q2_fwhm'][1]:.4g} MeV².", ""]
    if report.get("projections"):
        out += ["## Projected α-sensitivity (median expected; coherency.projections)", "",
                "| experiment | exposure | q² bin (MeV²) | counts F = 1 | counts Helm | "
                "background | α expected | σ_α | 90 % CL α > | 90 % CL α < | "
                "Z(α = 1) | Z(α = 0) |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for p in report["projections"]:
            for i in range(len(p["q2"])):
                out.append(
                    f"| {p['name']} | {p['exposure']:g} {p['exposure_unit']} | "
                    f"{p['q2_lo'][i]:.4g} – {p['q2_hi'][i]:.4g} | {p['n_coherent'][i]:.4g} | "
                    f"{p['n_helm'][i]:.4g} | {p['n_background'][i]:.4g} | "
                    f"{p['alpha_expected'][i]:.3f} | {_fmt(p['sigma_alpha'][i], '.3f')} | "
                    f"{_fmt(p['alpha_lower'][i], '.3f')} | {_fmt(p['alpha_upper'][i], '.3f')} | "
                    f"{_fmt(p['z_alpha1'][i], '.2f')} | {_fmt(p['z_alpha0'][i], '.2f')} |")
        out += ["", "Z: median expected significance (Gaussian σ) of excluding the "
                "hypothesis; – means beyond double precision. Assumptions: "
                + " ".join(f"*{p['name']}*: {p['assumptions']}." for p in report["projections"]),
                "See docs/projections.md for Sharma & Wong's claims side by side.", ""]
    if figures:
        out += ["## Figures", ""]
        for caption, path in figures.items():
            out += [f"![{caption}]({path})", "", f"*{caption}*", ""]
    return "\n".join(out)


def summary_text(report: dict[str, Any], out: Path | None = None) -> str:
    """A few lines for the terminal."""
    lines = [f"coherency {report['meta']['coherency_version']} report "
             f"(backend {report['meta']['backend']}, eps = {report['meta']['epsilon']:.5g})"]
    for e in report["experiments"]:
        lines.append(f"  {e['name']:<34s} <sigma> = {_fmt(e['sigma_avg_cm2'], '.3e')} cm^2, "
                     f"counts (Helm) = {_fmt(e['counts_helm'], '.4g')} [{e['exposure']}]")
    for c in report["alpha_constraints"]:
        e1, e0 = c["exclude_complete_coherency"], c["exclude_complete_decoherency"]
        lines.append(f"  {c['label']:<34s} alpha=1 p = {e1['p_value']:.3g} "
                     f"(q2 = {e1['q2_MeV2']:.3g}), alpha=0 p = {e0['p_value']:.3g} "
                     f"(q2 = {e0['q2_MeV2']:.3g})")
    if out is not None:
        lines.append(f"  written to {out}/ (report.md, report.json, figures)")
    return "\n".join(lines)
