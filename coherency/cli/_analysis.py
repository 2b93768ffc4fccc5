"""The ``experiment`` and ``alpha`` commands.

Part of :mod:`coherency.cli` (its docstring describes the command line)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ._common import UsageError, _assumptions_text, _emit, _suggest, _target
from ._rate import _preset_overrides


# --- experiment ---------------------------------------------------------------------
def _published_dict(pub: Any) -> dict[str, Any]:
    return pub.as_dict()


def _fmt_pub(p: dict[str, Any]) -> str:
    v, lo, hi, unit = p["value"], p["err_lo"], p["err_hi"], p["unit"]
    err = f"± {lo:.3g}" if lo == hi else f"-{lo:.3g}/+{hi:.3g}"
    return f"{v:.4g} {err} {unit}"


def _cmd_experiment(args: argparse.Namespace) -> int:
    from .. import experiments

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
    from .._report_text import sidak_global_p, verdict

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
    from .. import experiments
    from ..analysis import Measurement
    from ..rates import recoil_spectrum

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
            from .. import experiments
            from ..inference import coherency_fit

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
            from .. import data

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
    from ..analysis import Measurement

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
