"""Print the numbers of docs/fits.md: the fits of the COHERENT releases beside the
published results, the inputs that move them, and alpha(q^2) with the full likelihood.

Run from the repository root (about a minute on one core):

    python tools/make_fits_tables.py
"""

from __future__ import annotations

import time

import numpy as np

from coherency import data, experiments
from coherency.inference import coherency_fit, fit, fit_experiment
from coherency.inference.coherency_fit import measurement_global_p


def fmt_events(r: object) -> str:
    lo, hi = r.signal_events_error  # type: ignore[attr-defined]
    return f"{r.signal_events:.1f} −{lo:.1f} +{hi:.1f}"  # type: ignore[attr-defined]


def fmt_sigma(r: object, scale: float = 1e-40) -> str:
    lo, hi = r.flux_averaged_sigma_error  # type: ignore[attr-defined]
    v = r.flux_averaged_sigma  # type: ignore[attr-defined]
    return f"{v / scale:.1f} −{lo / scale:.1f} +{hi / scale:.1f}"


def main() -> None:
    t0 = time.time()
    csi = experiments.load("coherent-csi-2021")
    ar = experiments.load("coherent-ar-2020")
    r_csi = csi.fit()
    r_ar = ar.fit()
    print("## main")
    print(r_csi.summary())
    print(r_ar.summary())
    for name, exp in (("csi", csi), ("ar", ar)):
        for phys in (("sin2_theta_w",), ("rn",), ("rn_each",)):
            if name == "ar" and phys == ("rn_each",):
                continue
            res = exp.fit(physics=phys)
            print(name, phys, {k: round(res.values[k], 4) for k in res.parameters},
                  {k: tuple(round(x, 4) for x in v) for k, v in res.intervals.items()},
                  res.valid)
    print("## variants CsI")
    pe = np.arange(0.0, 62.0, 2.0)
    t = np.r_[np.arange(0.0, 1.0, 0.0625), np.arange(1.0, 6.01, 0.25)]
    variants = {
        "default": {},
        "steady_state ac-per-bin": {"steady_state": "ac-per-bin"},
        "timing prior 0.05 us": {"priors": {"t_offset_us": (0.0, 0.05)}},
        "no detector systematics": {"systematics": False},
        "BRN, NIN priors doubled": {"priors": {"brn": (18.4, 9.2), "nin": (5.6, 4.0)}},
        "2-PE x 62.5-ns bins": {"pe_edges": pe, "time_edges_us": t},
    }
    for label, opts in variants.items():
        r = fit_experiment(csi, **opts)
        print(f"| {label} | {fmt_events(r)} | {fmt_sigma(r)} | {r.significance:.2f} | "
              f"{r.values.get('t_offset_us', float('nan')):.3f} |")
    print("## variants Ar")
    for label, opts in {"default (released CEvNS PDF)": {},
                        "preset signal": {"signal_source": "preset"},
                        "no shape systematics": {"systematics": False},
                        "preset signal, no systematics": {"signal_source": "preset",
                                                          "systematics": False}}.items():
        r = fit_experiment(ar, **opts)
        print(f"| {label} | {fmt_events(r)} | {fmt_sigma(r, 1e-39)} | {r.significance:.2f} |")
    lk = ar.likelihood(signal_source="release", systematics=False)
    rr = fit(lk)
    print("Ar release no-syst backgrounds", {k: round(v, 1) for k, v in rr.values.items()})
    print("## coherency")
    for exp in (csi, ar):
        res = coherency_fit(exp)
        print(exp.name)
        print(res.table())
    m = data.load("coherent_csi")
    for a in (1.0, 0.0):
        print("CsI 2017 measurement alpha =", a, measurement_global_p(m, a))
    print(f"done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
