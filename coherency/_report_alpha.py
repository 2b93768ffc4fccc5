"""The α(q²) sections of the ``coherency report`` as data: bin-wise from the shipped ξ
tables of COHERENT CsI 2017 and Ar 2020 (:mod:`coherency.analysis`, docs/physics.md
§2) and from the full likelihood of COHERENT CsI 2021 and Ar 2020
(:func:`coherency.inference.coherency_fit`, docs/physics.md §14)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._report_text import json_float as _f
from ._report_text import sidak_global_p, verdict

__all__ = ["LIKELIHOOD_ALPHA", "alpha_constraints", "alpha_likelihood", "coherent_counts"]


def coherent_counts(name: str, dataset: str, epsilon: float | None) -> dict[str, Any]:
    """The counts behind a shipped xi table (the α analysis's inputs): its F = 1
    prediction, that rescaled bin by bin to Helm, and the background-subtracted data."""
    from . import data
    from .rates import event_rate, flux_averaged_sigma
    from .sources import PionDAR

    tab = data.table(dataset)
    meas = data.load(dataset)
    preset = PionDAR.coherent_csi_2017 if "csi" in dataset else PionDAR.coherent_ar_2020
    src = preset()
    nuc = meas.nucleus
    lo, hi = tab["t_nr_lo_kev"] * 1e-3, tab["t_nr_hi_kev"] * 1e-3
    ratio = np.empty(lo.size)
    for i, (a, b) in enumerate(zip(lo, hi)):
        helm = event_rate(src, nuc, 1.0, 1.0, T_min=a, T_max=b, epsilon=epsilon)
        unity = event_rate(src, nuc, 1.0, 1.0, T_min=a, T_max=b, form_factor="unity",
                           epsilon=epsilon)
        ratio[i] = helm / unity if unity > 0 else 0.0
    predicted = tab["predicted"]
    observed = tab["on"] - tab["background_ratio"] * tab["background"]
    return {
        "name": name,
        "dataset": dataset,
        "target": nuc.name,
        "source": "PionDAR." + preset.__name__ + "()",
        "threshold_keVnr": float(tab["t_nr_lo_kev"][0]),
        "sigma_avg_cm2": _f(flux_averaged_sigma(src, nuc, epsilon=epsilon)),
        "sigma_avg_threshold_cm2": _f(flux_averaged_sigma(src, nuc, T_min=float(lo[0]),
                                                          epsilon=epsilon)),
        "counts_coherent": _f(np.sum(predicted)),
        "counts_helm": _f(np.sum(predicted * ratio)),
        "counts_observed": _f(np.sum(observed)),
        "exposure": "the data set's exposure (shipped table)",
        "note": "the bins and F = 1 prediction of the shipped xi table (coherency.data; its "
                "header lists the release files and the detector response used); Helm: "
                "that prediction times the Helm/F = 1 ratio of each bin (tree level)",
    }


def alpha_constraints(dataset: str, label: str, inputs: dict[str, Any]) -> dict[str, Any]:
    from . import data

    m = data.load(dataset)
    iv = m.alpha_interval(0.6827)
    up = m.alpha_bound(0.9, "upper")
    lo = m.alpha_bound(0.9, "lower")
    n = len(m)

    def hypothesis(alpha: float, name: str) -> dict[str, Any]:
        ex = m.strongest_exclusion(alpha)
        p_global = sidak_global_p(ex.p_value, n)
        out = {"alpha": alpha, "q2_MeV2": ex.q2, "bin": ex.index, "p_local": ex.p_value,
               "p_global": p_global, "n_bins": n,
               "verdict": verdict(ex.p_value, p_global, n, name)}
        if alpha == 1.0:
            out["alpha_upper_90_in_bin"] = _f(up.alpha[ex.index])
            out["phi_lower_90_half_pi_in_bin"] = _f(up.phi_half_pi[ex.index])
        else:
            out["alpha_lower_90_in_bin"] = _f(lo.alpha[ex.index])
            out["phi_upper_90_half_pi_in_bin"] = _f(lo.phi_half_pi[ex.index])
        return out

    return {
        "dataset": dataset,
        "label": label,
        "nucleus": m.nucleus.name,
        "statistical_model": "Gaussian in xi per bin; one-sided p-values; local = per bin, "
                             "global = Sidak-corrected for the number of bins",
        "bins": [
            {"q2_MeV2": _f(m.q2[i]), "xi": _f(m.xi[i]), "xi_err": _f(m.xi_err[i]),
             "alpha": _f(m.alpha[i]), "alpha_err": _f(m.alpha_err[i]),
             "alpha_lo_1sigma": _f(iv.lo[i]), "alpha_hi_1sigma": _f(iv.hi[i])}
            for i in range(n)
        ],
        "complete_coherency": hypothesis(1.0, "complete coherency (α = 1)"),
        "complete_decoherency": hypothesis(0.0, "complete decoherency (α = 0)"),
        "inputs": inputs,
    }


#: The presets whose alpha(q^2) the report fits with the full likelihood, and their
#: labels: xi per q^2 bin with every nuisance profiled (:func:`coherency.inference.
#: coherency_fit`, docs/physics.md Eqs. (14.12), (14.13), docs/fits.md).
LIKELIHOOD_ALPHA: dict[str, str] = {
    "coherent-csi-2021": "COHERENT CsI 2021",
    "coherent-ar-2020": "COHERENT Ar 2020 (analysis A)",
}


def alpha_likelihood(name: str, label: str) -> dict[str, Any]:
    """alpha(q^2) of the preset ``name`` from its likelihood (JSON-ready). The presets
    carry their own couplings: the result does not depend on the report's epsilon."""
    from . import experiments
    from .inference import coherency_fit

    res = coherency_fit(experiments.load(name))
    out = res.to_dict()
    n = len(res.bins)
    for key, p_loc, p_glob, hyp, field_ in (
            ("complete_coherency", res.p_min_coherent, res.global_p_coherent,
             "complete coherency (α = 1)", "p_coherent"),
            ("complete_decoherency", res.p_min_decoherent, res.global_p_decoherent,
             "complete decoherency (α = 0)", "p_decoherent")):
        p_bins = [float(getattr(b, field_)) for b in res.bins]
        k = p_bins.index(min(p_bins))
        out[key] = {"p_local": p_loc, "p_global": p_glob, "bin": k,
                    "q2_MeV2": [res.bins[k].q2_lo, res.bins[k].q2_hi],
                    "verdict": verdict(p_loc, p_glob, n, hyp)}
    out["label"] = label
    out["statistical_model"] = (
        "binned Poisson likelihood of the release, xi free per bin of true q^2, every "
        "nuisance profiled; intervals from MINOS (68 %, and 80 % two-sided for the 90 % "
        "one-sided bounds); one-sided local p-values from the likelihood ratio; global "
        f"p-values from {res.n_toys} pseudo-experiments of the correlated xi estimates")
    return out
