"""Text of the ``coherency report``: the Markdown page and the terminal summary,
formatted from the JSON-ready dict of :func:`coherency.report.build_report`, and the
words that go with a p-value (:func:`verdict`), shared with the command line."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

__all__ = ["json_float", "render_markdown", "sidak_global_p", "summary_text", "verdict"]

#: Size of a test: "excluded" is said of p < 0.05 only (95 % CL).
EXCLUSION_SIZE = 0.05


def json_float(x: Any) -> float | None:
    """JSON-safe float (None for non-finite)."""
    v = float(x)
    return v if math.isfinite(v) else None


def sidak_global_p(p_local: float, n: int) -> float:
    """Global p-value of the smallest of ``n`` independent local p-values (Šidák):
    1 - (1 - p)^n, the chance that at least one of n bins deviates as much.

    >>> round(sidak_global_p(0.01, 12), 4)
    0.1136
    """
    if not 0.0 <= p_local <= 1.0:
        raise ValueError(f"p_local must be in [0, 1]; got {p_local!r}")
    if n < 1:
        raise ValueError(f"n must be >= 1; got {n!r}")
    if p_local >= 1.0:
        return 1.0
    return float(-math.expm1(n * math.log1p(-p_local)))


def verdict(p_local: float, p_global: float, n: int, hypothesis: str) -> str:
    """Words that follow the numbers: "excluded" only for a global p below 0.05; a local
    p below 0.05 that does not survive the look-elsewhere correction is named so.

    >>> verdict(0.02, 0.22, 12, "α = 1")
    'α = 1 not excluded: local p = 0.02 in the most deviant of 12 bins, global p = 0.22'
    """
    cl = f"{100 * (1 - EXCLUSION_SIZE):g} % CL"
    if n == 1:
        if p_local < EXCLUSION_SIZE:
            return f"{hypothesis} excluded at {cl} (p = {p_local:.3g})"
        return f"{hypothesis} not excluded (p = {p_local:.3g})"
    if p_global < EXCLUSION_SIZE:
        return (f"{hypothesis} excluded at {cl}: global p = {p_global:.3g} (local p = "
                f"{p_local:.3g} in the most deviant of {n} bins)")
    return (f"{hypothesis} not excluded: local p = {p_local:.3g} in the most deviant of "
            f"{n} bins, global p = {p_global:.3g}")


def _fmt(x: Any, spec: str = ".4g") -> str:
    if x is None:
        return "–"
    return format(float(x), spec)


def _pm(p: dict[str, Any], scale: float = 1.0, spec: str = ".4g") -> str:
    """A published number with its errors: '173 ± 48' or '165 −25/+30'."""
    v, lo, hi = p["value"] / scale, p["err_lo"] / scale, p["err_hi"] / scale
    if lo == hi:
        return f"{v:{spec}} ± {lo:.3g}"
    return f"{v:{spec}} −{lo:.3g}/+{hi:.3g}"


_LONG_FLOAT = re.compile(r"\d+\.\d{6,}")


def _tidy(text: str) -> str:
    """Numbers in free text with at most 4 significant digits (no 0.1834862385321101)."""
    return _LONG_FLOAT.sub(lambda m: f"{float(m.group(0)):.4g}", text)


def render_markdown(report: dict[str, Any], figures: dict[str, str] | None = None) -> str:
    """The report as Markdown (tables; figures linked if given)."""
    meta = report["meta"]
    out = [
        "# coherency report",
        "",
        f"coherency {meta['coherency_version']}, backend `{meta['backend']}`, "
        f"ε = 1 − 4 sin²θ_W = {meta['epsilon']:.5g} (the experiment presets use their own "
        f"flavour-dependent couplings). Units: {meta['units']}.",
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
            "| source | target | E_max (MeV) | q²_max (MeV²) | FWHM q², no threshold (MeV²) | "
            "threshold (keVnr) | FWHM q², above threshold (MeV²) |",
            "|---|---|---|---|---|---|---|"]
    for r in report["q2_ranges"]:
        f0 = r["q2_fwhm_MeV2"]
        ft = r["q2_fwhm_threshold_MeV2"]
        ftxt = "no recoils above threshold" if ft is None else f"{ft[0]:.4g} – {ft[1]:.4g}"
        out.append(f"| {r['source_label']} | {r['target']} | {r['E_max_MeV']:.4g} | "
                   f"{r['q2_max_MeV2']:.4g} | {f0[0]:.3g} – {f0[1]:.4g} | "
                   f"{r['threshold_keVnr']:.3g} | {ftxt} |")
    out += ["", "FWHM: the q² interval where dN/dq² ∝ ∫Φ dσ/dq² dE exceeds half its maximum "
            "(docs/physics.md §6; Sharma & Wong's Helm form factor). The reactor threshold is "
            "that of the reactor projection (170 eVee in natural Ge, Lindhard k = 0.16).", ""]
    out += _presets_section(report["presets"])
    out += _other_detectors_section(report["other_detectors"])
    out += _alpha_section(report["alpha_constraints"], report["reactor_panel"])
    out += _alpha_likelihood_section(report.get("alpha_likelihood", []),
                                     report["meta"].get("alpha_likelihood"))
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
        seen: dict[str, str] = {}
        for p in report["projections"]:
            seen.setdefault(p["name"], _tidy(p["assumptions"]))
        out += ["", "Z: median expected significance (Gaussian σ) of excluding the "
                "hypothesis; – means beyond double precision; an experiment with several q² "
                "bins has one row per bin. Assumptions:", ""]
        out += [f"- *{name}*: {text}." for name, text in seen.items()]
        out += ["", "See docs/projections.md for Sharma & Wong's claims side by side.", ""]
    if figures:
        out += ["## Figures", ""]
        for caption, path in figures.items():
            out += [f"![{caption}]({path})", "", f"*{caption}*", ""]
    return "\n".join(out)


def _presets_section(presets: list[dict[str, Any]]) -> list[str]:
    out = ["## Experiment presets: predicted counts beside the published numbers", "",
           "Each row is one named configuration (coherency.experiments), with the "
           "publication's exposure, detector response and region of interest; form factors "
           "from measured radii (helm-measured) and PDG couplings.", "",
           "| preset | configuration | predicted (ours) | predicted (published) | "
           "difference | ⟨σ⟩ ours (10⁻⁴⁰ cm²) | ⟨σ⟩ published (10⁻⁴⁰ cm²) | "
           "other published numbers |",
           "|---|---|---|---|---|---|---|---|"]
    for r in presets:
        pub = r["published"]
        pred = pub.get("predicted_counts")
        diff = "–"
        if pred is not None:
            diff = (f"{r['predicted_counts_difference_percent']:+.1f} % "
                    f"({r['predicted_counts_difference_sigma']:+.2f} σ)")
        sig = pub.get("flux_averaged_sigma")
        others = "; ".join(f"{k.replace('_', ' ')}: {_pm(v, 1e-40 if v['unit'] == 'cm^2' else 1)}"
                           + (" ×10⁻⁴⁰ cm²" if v["unit"] == "cm^2" else f" {v['unit']}")
                           for k, v in pub.items()
                           if k not in ("predicted_counts", "flux_averaged_sigma"))
        out.append(f"| `{r['name']}` | {r['title']} | {r['counts']:.4g} | "
                   f"{_pm(pred) if pred else '–'} | {diff} | {r['sigma_avg_cm2'] / 1e-40:.4g} | "
                   f"{_pm(sig, 1e-40) if sig else '–'} | {others or '–'} |")
    refs = sorted({v["reference"] for r in presets for v in r["published"].values()})
    out += ["", "Differences in units of the published error on the side of ours. "
            "References: " + "; ".join(refs) + ". Inputs and their sources: "
            "docs/experiments.md and `coherency experiment NAME`.", ""]
    return out


def _other_detectors_section(rows: list[dict[str, Any]]) -> list[str]:
    out = ["## Other detectors: flux-averaged cross sections and expected counts", "",
           "| configuration | target | exposure | threshold (keVnr) | ⟨σ⟩ (cm²) | "
           "⟨σ⟩ above threshold (cm²) | counts, Helm | counts, F = 1 |",
           "|---|---|---|---|---|---|---|---|"]
    for e in rows:
        out.append(f"| {e['name']} | {e['target']} | {e['exposure']} | "
                   f"{_fmt(e['threshold_keVnr'], '.3g')} | {_fmt(e['sigma_avg_cm2'])} | "
                   f"{_fmt(e['sigma_avg_threshold_cm2'])} | {_fmt(e['counts_helm'], '.4g')} | "
                   f"{_fmt(e['counts_coherent'], '.4g')} |")
    out += ["", "Notes: " + " ".join(f"*{e['name']}*: {e['note']}." for e in rows), ""]
    return out


def _alpha_section(constraints: list[dict[str, Any]], rp: dict[str, Any]) -> list[str]:
    out = ["## α(q²) from COHERENT data (Sharma & Wong Section 2)", "",
           "Bin-wise ξ(q²) = measured / predicted at complete coherency from the shipped "
           "tables (docs/coherency_from_data.md). A local p-value is that of one bin; the "
           "global p-value corrects the most deviant bin for the number of bins looked at "
           "(Šidák: 1 − (1 − p)ⁿ). \"Excluded\" is said at global p < 0.05 only.", ""]
    for c in constraints:
        inp = c["inputs"]
        h1, h0 = c["complete_coherency"], c["complete_decoherency"]
        out += [f"### {c['label']}", "",
                f"Statistical model: {c['statistical_model']}. Counts behind ξ: "
                f"{_fmt(inp['counts_coherent'], '.4g')} predicted at F = 1, "
                f"{_fmt(inp['counts_helm'], '.4g')} with Helm, "
                f"{_fmt(inp['counts_observed'], '.4g')} observed after background "
                f"subtraction ({inp['note']}).", "",
                f"- {h1['verdict']}, at q² = {h1['q2_MeV2']:.4g} MeV²; in that bin the "
                f"90 % CL upper bound is α < {_fmt(h1['alpha_upper_90_in_bin'], '.2f')} "
                f"(φ > {_fmt(h1['phi_lower_90_half_pi_in_bin'], '.2f')} π/2)",
                f"- {h0['verdict']}, at q² = {h0['q2_MeV2']:.4g} MeV²; in that bin the "
                f"90 % CL lower bound is α > {_fmt(h0['alpha_lower_90_in_bin'], '.2f')} "
                f"(φ < {_fmt(h0['phi_upper_90_half_pi_in_bin'], '.2f')} π/2)",
                "", "| q² (MeV²) | ξ | σ_ξ | α̂ | σ_α | α 1σ allowed |", "|---|---|---|---|---|---|"]
        for b in c["bins"]:
            out.append(f"| {b['q2_MeV2']:.4g} | {b['xi']:.3f} | {b['xi_err']:.3f} | "
                       f"{_fmt(b['alpha'], '.3f')} | {_fmt(b['alpha_err'], '.3f')} | "
                       f"{_fmt(b['alpha_lo_1sigma'], '.2f')} – "
                       f"{_fmt(b['alpha_hi_1sigma'], '.2f')} |")
        out.append("")
    out += ["Sharma & Wong quote for CsI local p-values of 0.023 for α = 1 (q² = 3.5e3 MeV²) "
            "and 0.013 for α = 0 (2.6e3 MeV²), with 90 % CL α < 0.73 and α > 0.37 in those "
            "bins; docs/coherency_from_data.md says why ours differ.", ""]
    out += [f"{rp['source']}, natural Ge above {rp['threshold_keVnr']:.3g} keVnr: FWHM of "
            f"dN/dq² = {rp['q2_fwhm'][0]:.4g} – {rp['q2_fwhm'][1]:.4g} MeV² (clipped at the "
            f"threshold; the q² bin of the reactor projection below and of Fig. 2c).", ""]
    return out


def _alpha_likelihood_section(fits: list[dict[str, Any]], skipped: str | None
                              ) -> list[str]:
    out = ["## α(q²) from the full likelihood: COHERENT CsI 2021 and Ar 2020", ""]
    if not fits:
        return out + [f"Not computed: {skipped or 'no fits'}.", ""]
    out += ["The coherency analysis redone with each release's binned Poisson likelihood "
            "(docs/fits.md, docs/physics.md §14): the signal of the recoils whose true q² "
            "falls in bin k is the complete-coherency prediction times ξ_k; all ξ_k are "
            "fitted at once with the flux, detector and background nuisances profiled. "
            "ξ_dec and ξ_SM are the bin's values at complete decoherency and with the "
            "Standard-Model form factors; α = (ξ − ξ_dec)/(1 − ξ_dec) (Sharma & Wong "
            "Eq. 2.5), its intervals clipped to [0, 1]. p-values are one-sided "
            "likelihood ratios, local per bin, and global for the most deviant bin "
            "(pseudo-experiments of the correlated ξ estimates). The Standard Model itself "
            "predicts α below 1 at large q² (column α_SM: the nuclear form factors), so an "
            "exclusion of α = 1 there is the form-factor suppression seen in the data.", ""]
    for f in fits:
        h1, h0 = f["complete_coherency"], f["complete_decoherency"]
        out += [f"### {f['label']}", "",
                f"- {h1['verdict']}, in the bin q² = {h1['q2_MeV2'][0]:.0f} – "
                f"{h1['q2_MeV2'][1]:.0f} MeV²",
                f"- {h0['verdict']}, in the bin q² = {h0['q2_MeV2'][0]:.0f} – "
                f"{h0['q2_MeV2'][1]:.0f} MeV²", ""]
        if not f["valid"]:
            out += [f"**The fit is not valid**: {'; '.join(f['messages'])}.", ""]
        out += ["| q² bin (MeV²) | ⟨q²⟩ (MeV²) | ξ (68 %) | ξ_dec | ξ_SM | α̂ | α 68 % | "
                "α_SM | α 90 % CL: lower – upper bound | p(α = 1) | p(α = 0) |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        for b in f["bins"]:
            lo, hi = b["xi_interval"]
            a_lo, a_hi = b["alpha_interval"]
            out.append(
                f"| {b['q2_lo']:.0f} – {b['q2_hi']:.0f} | {b['q2_mean']:.0f} | "
                f"{b['xi']:.2f} [{lo:.2f}, {hi:.2f}] | {b['xi_dec']:.3f} | "
                f"{b['xi_sm']:.2f} | {b['alpha']:.2f} | {a_lo:.2f} – {a_hi:.2f} | "
                f"{b['alpha_sm']:.2f} | {b['alpha_lower_90']:.2f} – "
                f"{b['alpha_upper_90']:.2f} | {b['p_coherent']:.2g} | "
                f"{b['p_decoherent']:.2g} |")
        out.append("")
    return out


def summary_text(report: dict[str, Any], out: Path | None = None,
                 files: list[str] | None = None) -> str:
    """A few lines for the terminal (``files``: the names written into ``out``)."""
    lines = [f"coherency {report['meta']['coherency_version']} report "
             f"(backend {report['meta']['backend']}, eps = {report['meta']['epsilon']:.5g})"]
    for r in report["presets"]:
        pred = r["published"].get("predicted_counts")
        pub = f", published {_pm(pred)}" if pred else ""
        lines.append(f"  {r['name']:<20s} predicted {r['counts']:.4g} events{pub}; "
                     f"<sigma> = {r['sigma_avg_cm2']:.3e} cm^2")
    for e in report["other_detectors"]:
        lines.append(f"  {e['name']:<42s} counts (Helm) = {_fmt(e['counts_helm'], '.4g')}")
    for c in report["alpha_constraints"]:
        h1, h0 = c["complete_coherency"], c["complete_decoherency"]
        lines.append(f"  {c['label']}: alpha=1 p local {h1['p_local']:.3g} / global "
                     f"{h1['p_global']:.3g}; alpha=0 p local {h0['p_local']:.3g} / global "
                     f"{h0['p_global']:.3g}")
    for f in report.get("alpha_likelihood", []):
        h1, h0 = f["complete_coherency"], f["complete_decoherency"]
        lines.append(f"  {f['label']} (likelihood): alpha=1 p local {h1['p_local']:.3g} / "
                     f"global {h1['p_global']:.3g}; alpha=0 p local {h0['p_local']:.3g} / "
                     f"global {h0['p_global']:.3g}")
    if out is not None:
        names = ", ".join(files) if files else "report.md, report.json"
        lines.append(f"  written to {out}/ ({names})")
    return "\n".join(lines)
