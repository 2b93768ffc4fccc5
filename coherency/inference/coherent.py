"""Likelihoods of the COHERENT data releases (docs/physics.md §14).

:func:`csi_2021_likelihood`
    COHERENT CsI[Na] full data set (D. Akimov et al., PRL 129 (2022) 081801,
    arXiv:2110.07730): the unbinned beam-on coincidence (C) and anticoincidence (AC)
    events of the release binned in PE x reconstructed time (the PRL's 9 x 11 bins by
    default), CEvNS from the preset, beam-related (BRN) and neutrino-induced (NIN)
    neutrons from the released PE and time PDFs, the steady-state (SS) background
    measured by the AC data.
:func:`ar_2020_likelihood`
    COHERENT CENNS-10 argon, analysis A (D. Akimov et al., PRL 126 (2021) 012002,
    arXiv:2003.10630; release arXiv:2006.12659): the 3-D (energy x F90 x time) data of
    the release, CEvNS from the preset (F90 from the released CEvNS PDF) or the
    released CEvNS PDF, prompt and delayed BRN and SS from the released PDFs, with
    every released shape variant.

Both return a :class:`~coherency.inference.BinnedLikelihood` whose signal
normalisation is either the number of CEvNS events (``normalisation="events"``:
parameter ``signal_events``, the signal shape alone moved by the detector nuisances)
or a strength relative to the Standard-Model prediction (``"strength"``: ``mu`` times
the flux nuisance ``flux`` times the prediction, whose normalisation moves with the
detector nuisances too); the measured flux-averaged cross section is ``mu`` times the
Standard-Model one. Physics parameters (``physics=``: ``"sin2_theta_w"``, ``"rn"``,
``"rn_each"``, ``"xi"``) are fitted with ``mu`` fixed at 1.

The choices these builders make where the releases are silent, with the inputs they
take from secondary sources, are listed in docs/physics.md §14.2 and docs/fits.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import _validation
from .._typing import FloatArray
from .likelihood import BinnedLikelihood, Parameter
from .signal import CEvNSSignal, CouplingModel, SpectrumModel, names_for, physics_parameter

__all__ = [
    "AR_2020_PRIORS",
    "CSI_2021_PRIORS",
    "ar_2020_likelihood",
    "csi_2021_likelihood",
    "profile_on_off",
]

#: Constraints of the CsI 2021 likelihood (value, 1-sigma width). BRN and NIN: events
#: in the region of interest (0-60 PE, 0-6 us) as used in the COHERENT analysis
#: (PRL 129 (2022) 081801; the numbers are those of independent re-analyses of the
#: release, the release itself does not state them). Flux: 10 % on the neutrinos per
#: proton. Timing: the shift of the CEvNS arrival times (us), as the +-200 ns on the
#: SNS proton-pulse timing of the COHERENT Ar 2020 release (``LArParametersAnlA.yaml``):
#: the CsI release gives none.
CSI_2021_PRIORS: dict[str, tuple[float, float]] = {
    "brn": (18.4, 4.6),
    "nin": (5.6, 2.0),
    "flux": (1.0, 0.10),
    "t_offset_us": (0.0, 0.2),
}

#: Constraints of the Ar 2020 likelihood that the release's parameter file does not
#: hold as single numbers: the quenching factor's a (0.246 +- 0.006) and the mean of
#: the proton pulse (440 +- 200 ns) of ``LArParametersAnlA.yaml``. The flux (0.09 +-
#: 0.009 neutrinos per proton) and the background predictions are read from the file.
AR_2020_PRIORS: dict[str, tuple[float, float]] = {
    "qf_a": (0.246, 0.006),
    "t_offset_us": (0.0, 0.2),
}

_NORMALISATIONS = ("events", "strength")


# ---- the steady-state background profiled analytically ------------------------------

def profile_on_off(base: FloatArray, template: FloatArray, n_on: FloatArray,
                   n_off: FloatArray, off_sum: FloatArray) -> FloatArray:
    """Maximum-likelihood amplitudes theta_r >= 0 of a background measured in a
    control region, row by row (docs/physics.md Eq. (14.6)).

    Row r of the signal region expects base[r] + theta_r template[r] and holds n_on[r];
    the control region expects theta_r off_sum[r] events in all and holds n_off[r]
    (the sum of its bins: the control region's own shape does not move theta_r).
    theta_r minimises

        sum_c [base + theta m - n ln(base + theta m)] + theta S - A ln theta,

    convex in theta; the root of its derivative is found by Newton's method, for every
    row at once.

    Parameters
    ----------
    base, template, n_on : ndarray, shape (rows, bins)
    n_off, off_sum : ndarray, shape (rows,)

    Returns
    -------
    ndarray, shape (rows,)

    Examples
    --------
    No signal-region events above the base, ten control events: theta = 10 / 2.

    >>> profile_on_off(np.array([[0.0, 0.0]]), np.array([[0.5, 0.5]]),
    ...                np.array([[0.0, 0.0]]), np.array([10.0]), np.array([1.0]))
    array([5.])
    """
    base = np.asarray(base, dtype=np.float64)
    m = np.asarray(template, dtype=np.float64)
    n = np.asarray(n_on, dtype=np.float64)
    A = np.asarray(n_off, dtype=np.float64)
    S = np.asarray(off_sum, dtype=np.float64) + m.sum(axis=1)
    top = (n.sum(axis=1) + A) / S + 1.0
    # start: the answer when the signal region's shape matches the template
    theta = np.clip((n.sum(axis=1) - base.sum(axis=1) + A) / S, 1e-3 * top, top)
    # theta = 0 where the derivative at 0+ is >= 0 (possible only without control events)
    at_zero = np.zeros(A.shape, dtype=bool)
    if np.any(A == 0.0):
        ratio0 = np.divide(n, base, out=np.full(n.shape, np.inf), where=base > 0.0)
        g0 = S - np.sum(np.where((n > 0.0) & (m > 0.0), m * ratio0, 0.0), axis=1)
        at_zero = (A == 0.0) & (g0 >= 0.0)
        theta = np.where(at_zero, 1.0, theta)
    # g(theta) = dF/dtheta is increasing and concave: a Newton step from the left of
    # the root stays left and converges monotonically; one from the right lands left
    # of it (kept > 0: g -> -inf at 0+ when A > 0)
    mm = m * m
    for _ in range(100):
        mu = base + theta[:, None] * m
        pos = mu > 0.0  # a bin with no template and no base holds no information
        r = np.divide(n, mu, out=np.zeros(n.shape), where=pos)
        g = S - np.sum(m * r, axis=1) - A / theta
        h = np.sum(mm * np.divide(r, mu, out=np.zeros(n.shape), where=pos), axis=1) + A / (
            theta * theta)
        new = theta - g / h
        new = np.where(new > 0.0, new, 0.1 * theta)
        change = np.abs(new - theta)
        theta = new
        if np.all((change <= 1e-13 * theta) | at_zero):
            break
    return np.where(at_zero, 0.0, theta)


# ---- helpers ------------------------------------------------------------------------

def _check_priors(priors: Mapping[str, Any], known: Mapping[str, Any]
                  ) -> dict[str, tuple[float, float]]:
    """The constraints with ``priors`` merged in: each a (centre, width > 0) pair of
    finite numbers, and a known name."""
    out = dict(known)
    for name, pair in (priors or {}).items():
        if name not in known:
            raise ValueError(f"priors: unknown entry {name!r}; known: {sorted(known)}")
        try:
            c, w = pair
        except (TypeError, ValueError):
            raise ValueError(f"priors[{name!r}] must be a (centre, width) pair; got "
                             f"{pair!r}") from None
        c = _validation.as_float(c, f"priors[{name!r}] centre")
        w = _validation.as_float(w, f"priors[{name!r}] width", min_value=0.0,
                                 exclusive_min=True)
        out[name] = (c, w)
    return out


def _background_limits(centre: float, sigma: float) -> tuple[float, float]:
    """Limits of a constrained background count: +-8 sigma around its constraint.
    Counts below 0 are allowed (the total expectation of the bins stays positive; the
    deviance floors it, Eq. (14.1)): a hard limit at 0 for a count whose constraint
    reaches it (33 +- 33 delayed BRN) stalls MIGRAD at the limit."""
    return (centre - 8.0 * sigma, centre + 8.0 * sigma)


def _check_normalisation(normalisation: str, physics: Sequence[str]) -> str:
    _validation.check_choice(normalisation, "normalisation", _NORMALISATIONS)
    if physics and normalisation == "events":
        return "strength"
    return normalisation


def _signal_parameters(signal: CEvNSSignal, normalisation: str, physics: Sequence[str],
                       flux: tuple[float, float], predicted: float,
                       priors: Mapping[str, tuple[float, float]]) -> list[Parameter]:
    params: list[Parameter] = []
    if normalisation == "events":
        params.append(Parameter("signal_events", predicted, (0.0, 20.0 * predicted + 100.0),
                                unit="events", doc="CEvNS events in the observed bins"))
    else:
        params.append(Parameter("mu", 1.0, (0.0, 20.0), fixed=bool(physics),
                                doc="signal strength: <sigma> / <sigma>_SM"))
        params.append(Parameter("flux", flux[0], (max(0.0, flux[0] - 6 * flux[1]),
                                                  flux[0] + 6 * flux[1]),
                                sigma=flux[1], doc="neutrino flux / nominal"))
    model_params = {p.name for p in signal.parameters()}
    for name in names_for(signal, physics):
        if name not in model_params:  # a model's own parameters come with it below
            params.append(physics_parameter(signal, name))
    params.extend(signal.parameters())
    if signal.time_offset_us is not None:
        s = priors["t_offset_us"][1]
        params.append(Parameter("t_offset_us", 0.0, (-signal.time_offset_us,
                                                     signal.time_offset_us),
                                sigma=s, unit="us", doc="arrival-time shift of the signal"))
    return params


def _signal_counts(signal: CEvNSSignal, normalisation: str,
                   values: Mapping[str, float]) -> FloatArray:
    s = signal(values)
    if normalisation == "events":
        total = float(s.sum())
        return s * (values["signal_events"] / total) if total > 0 else s * 0.0
    return s * (values["mu"] * values["flux"])


def _poi(normalisation: str, physics: Sequence[str], signal: CEvNSSignal) -> str:
    if physics:
        return names_for(signal, physics)[0]
    return "signal_events" if normalisation == "events" else "mu"


def _replace_bins(experiment: Any, energy_edges: Any, time_edges_us: Any) -> Any:
    if energy_edges is None and time_edges_us is None:
        return experiment
    changes: dict[str, Any] = {}
    if energy_edges is not None:
        changes["response"] = dataclasses.replace(experiment.response,
                                                  edges=tuple(np.asarray(energy_edges,
                                                                         dtype=float)))
    if time_edges_us is not None:
        changes["time_edges_us"] = tuple(np.asarray(time_edges_us, dtype=float))
    return dataclasses.replace(experiment, **changes)


# ---- COHERENT CsI 2021 --------------------------------------------------------------

def _mean_timing_efficiency(a: FloatArray, b: FloatArray) -> FloatArray:
    from ..experiments.coherent_csi_2021 import timing_efficiency_mean

    return np.asarray(timing_efficiency_mean(a, b), dtype=np.float64)


def _product_pdf(release: Any, key: str, pe_edges: FloatArray, t_edges: FloatArray
                 ) -> FloatArray:
    """PE x time PDF of a released neutron background in the given bins: the product of
    its projections, the time one weighted by the timing efficiency (Eq. (14.7))."""
    from ..data.coherent_csi_2021 import integrate_binned

    pe = integrate_binned(release.pdf_edges(f"{key}_pe"), release.pdfs[f"{key}_pe"][:, 1],
                          pe_edges)
    t = integrate_binned(release.pdf_edges(f"{key}_time"), release.pdfs[f"{key}_time"][:, 1],
                         t_edges, weight=_mean_timing_efficiency)
    return np.outer(pe, t)


def csi_2021_likelihood(
    experiment: Any = None,
    *,
    pe_edges: Any = None,
    time_edges_us: Any = None,
    normalisation: str = "events",
    physics: Sequence[str] = (),
    q2_edges: Any = None,
    steady_state: str = "ac-shape",
    priors: Mapping[str, tuple[float, float]] | None = None,
    systematics: bool = True,
    release_directory: Any = None,
    coupling_model: CouplingModel | None = None,
    spectrum_model: SpectrumModel | None = None,
) -> BinnedLikelihood:
    """The COHERENT CsI 2021 likelihood (module notes; docs/physics.md §14.2).

    Parameters
    ----------
    experiment : Experiment, optional
        The ``coherent-csi-2021`` preset (default: loaded); its bins, form factor and
        couplings make the signal.
    pe_edges, time_edges_us : array_like, optional
        Other observed bins (PE; us) for the events and every template; default the
        PRL's 9 x 11 (``coherency.experiments.coherent_csi_2021.PE_EDGES``,
        ``TIME_EDGES_US``).
    normalisation : {"events", "strength"}
        The signal's normalisation parameter (module notes).
    physics : sequence of str
        Physics parameters to free: ``"sin2_theta_w"``, ``"rn"`` (one neutron radius
        for Cs and I), ``"rn_each"`` (``rn_Cs_fm``, ``rn_I_fm``), ``"xi"`` (one per q^2
        bin of ``q2_edges``), or their full names.
    q2_edges : array_like, optional
        q^2 bins (MeV^2) of the coherency analysis (needed with ``"xi"``).
    steady_state : {"ac-shape", "ac-per-bin"}
        ``"ac-shape"``: the SS PE distribution is the AC events', its time
        distribution the timing efficiency's, and one amplitude is measured by the AC
        total (the COHERENT analysis's treatment, as far as the public sources tell);
        ``"ac-per-bin"``: a free SS amplitude per PE bin, each measured by the AC
        events of that bin (the AC PE shape's statistical fluctuations propagated:
        more conservative). Amplitudes are profiled analytically (Eq. (14.6)).
    priors : mapping, optional
        Override entries of :data:`CSI_2021_PRIORS`.
    systematics : bool
        Include the quenching (two directions), efficiency and timing nuisances.
    release_directory : path, optional
        A copy of the release (default: the shipped one).
    coupling_model, spectrum_model
        Physics beyond the Standard Model (:class:`~coherency.inference.CEvNSSignal`).

    Returns
    -------
    BinnedLikelihood
        Channels ``"C"`` and ``"AC"`` (PE x time); parameters: the normalisation
        (``signal_events`` or ``mu``, ``flux``), physics, ``qf0``, ``qf1``, ``eff``,
        ``t_offset_us``, ``brn``, ``nin`` (events in 0-60 PE, 0-6 us).
    """
    from ..data.coherent_csi_2021 import bin_events, read_csi_2021
    from ..detector import LogisticEfficiency, PolynomialQuenching
    from ..experiments import load
    from ..experiments.coherent_csi_2021 import PE_EDGES, TIME_EDGES_US

    pr = _check_priors(priors or {}, CSI_2021_PRIORS)
    physics = tuple(physics)
    normalisation = _check_normalisation(normalisation, physics)
    steady_state = _validation.check_choice(steady_state, "steady_state",
                                            ("ac-shape", "ac-per-bin"))
    exp = load("coherent-csi-2021") if experiment is None else experiment
    exp = _replace_bins(exp, pe_edges, time_edges_us)
    pe = np.asarray(exp.response.edges, dtype=np.float64)
    te = np.asarray(exp.time_edges_us, dtype=np.float64)
    release = read_csi_2021(release_directory)
    variants: dict[str, tuple[Any, Any]] = {}
    if systematics:
        qv = PolynomialQuenching.coherent_csi_2021(release_directory)
        ev = LogisticEfficiency.coherent_csi_2021(release_directory)
        r = exp.response
        variants = {
            "qf0": (dataclasses.replace(r, quenching=qv.syst0_plus),
                    dataclasses.replace(r, quenching=qv.syst0_minus)),
            "qf1": (dataclasses.replace(r, quenching=qv.syst1_plus),
                    dataclasses.replace(r, quenching=qv.syst1_minus)),
            "eff": (dataclasses.replace(r, efficiency=ev.plus_1sigma),
                    dataclasses.replace(r, efficiency=ev.minus_1sigma)),
        }
    t_sigma = pr["t_offset_us"][1]
    signal = CEvNSSignal(exp, variants=variants,
                         time_offset_us=5.0 * t_sigma if systematics and t_sigma > 0 else None,
                         q2_edges=q2_edges, coupling_model=coupling_model,
                         spectrum_model=spectrum_model)
    # neutron backgrounds: templates per event in the paper's region of interest
    roi_pe, roi_t = np.asarray(PE_EDGES), np.asarray(TIME_EDGES_US)
    shapes = {}
    for key in ("brn", "nin"):
        roi = _product_pdf(release, key, roi_pe[[0, -1]], roi_t[[0, -1]]).sum()
        shapes[key] = _product_pdf(release, key, pe, te) / roi
    # steady state: spread over time as the timing efficiency
    u = _mean_timing_efficiency(te[:-1], te[1:]) * np.diff(te)
    u = u / u.sum()
    on = bin_events(release.events["coincidence"], pe, te)
    off = bin_events(release.events["anticoincidence"], pe, te)
    if steady_state == "ac-per-bin":
        template = np.broadcast_to(u, on.shape).copy()
        off_sum = np.ones(on.shape[0])
    else:
        pe_shape = off.sum(axis=1)
        if not pe_shape.sum() > 0:
            raise ValueError("steady_state='ac-shape': no AC events in the bins")
        template = np.outer(pe_shape / pe_shape.sum(), u).reshape(1, -1)
        off_sum = np.ones(1)
    predicted = float(signal({}).sum())

    def model(values: Mapping[str, float], observed: Mapping[str, FloatArray]
              ) -> dict[str, FloatArray]:
        base = (_signal_counts(signal, normalisation, values)
                + values["brn"] * shapes["brn"] + values["nin"] * shapes["nin"])
        n_on, n_off = observed["C"], observed["AC"]
        if steady_state == "ac-per-bin":
            theta = profile_on_off(base, template, n_on, n_off.sum(axis=1), off_sum)
            ss = theta[:, None] * template
        else:
            theta = profile_on_off(base.reshape(1, -1), template, n_on.reshape(1, -1),
                                   np.array([n_off.sum()]), off_sum)
            ss = (theta[0] * template).reshape(base.shape)
        return {"C": base + ss, "AC": ss}

    params = _signal_parameters(signal, normalisation, physics, pr["flux"], predicted, pr)
    params.append(Parameter("brn", pr["brn"][0], _background_limits(*pr["brn"]),
                            sigma=pr["brn"][1], unit="events",
                            doc="beam-related neutrons, 0-60 PE x 0-6 us"))
    params.append(Parameter("nin", pr["nin"][0], _background_limits(*pr["nin"]),
                            sigma=pr["nin"][1], unit="events",
                            doc="neutrino-induced neutrons, 0-60 PE x 0-6 us"))
    return BinnedLikelihood(tuple(params), {"C": on, "AC": off}, model, name=exp.name,
                            poi=_poi(normalisation, physics, signal),
                            info={"signal": signal, "predicted_events": predicted,
                                  "experiment": exp})


# ---- COHERENT Ar 2020 ---------------------------------------------------------------

def _conditional_f90(pdf: FloatArray, fallback: FloatArray) -> FloatArray:
    """P(F90 | energy bin) from a 3-D PDF, shape (energy, F90); energy bins where the
    PDF is empty take ``fallback``'s distribution."""
    ef = pdf.sum(axis=2)
    fb = fallback.sum(axis=2)
    tot = ef.sum(axis=1, keepdims=True)
    fb_tot = fb.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        cond = np.where(tot > 0, ef / tot, np.where(fb_tot > 0, fb / fb_tot,
                                                    1.0 / ef.shape[1]))
    return np.asarray(cond, dtype=np.float64)


def ar_2020_likelihood(
    experiment: Any = None,
    *,
    signal_source: str | None = None,
    normalisation: str = "events",
    physics: Sequence[str] = (),
    q2_edges: Any = None,
    priors: Mapping[str, tuple[float, float]] | None = None,
    systematics: bool = True,
    release_directory: Any = None,
    coupling_model: CouplingModel | None = None,
    spectrum_model: SpectrumModel | None = None,
) -> BinnedLikelihood:
    """The COHERENT CENNS-10 Ar 2020 (analysis A) likelihood (module notes;
    docs/physics.md §14.3).

    Parameters
    ----------
    experiment : Experiment, optional
        The ``coherent-ar-2020`` preset (default: loaded).
    signal_source : {None, "preset", "release"}
        ``"preset"``: CEvNS from the preset (energy x time) times the released CEvNS
        PDF's F90 distribution per energy bin, with the quenching (``qf``), F90
        (``cevns_f90``) and timing (``t_offset_us``) nuisances. ``"release"``: the
        released CEvNS PDF itself with its F90 and timing-mean variants
        (``cevns_f90``, ``cevns_timing``); that PDF is a product of an energy and a
        time distribution, while the preset's prompt neutrinos give softer recoils
        than the delayed ones (docs/fits.md). None (default): ``"release"`` for the
        event count and cross section (the published analysis), ``"preset"`` when
        physics parameters are fitted (they need it).
    normalisation, physics, q2_edges, priors, systematics, release_directory,
    coupling_model, spectrum_model
        As in :func:`csi_2021_likelihood` (``priors`` overrides
        :data:`AR_2020_PRIORS`).

    Notes
    -----
    The morphed templates are not clipped at 0 bin by bin (a clip would put kinks in
    -2 ln L where MIGRAD needs smooth second derivatives): a variant far in its tail
    can make a component negative in a bin; the total expectation there stays
    positive through the steady-state background, or is floored (Eq. (14.1)).

    Returns
    -------
    BinnedLikelihood
        Channel ``"data"`` (12 energy x 8 F90 x 10 time bins); parameters: the
        normalisation, physics, the signal nuisances, ``brn`` (prompt BRN events,
        497 +- 160), ``brn_energy``, ``brn_timing_mean``, ``brn_timing_width``,
        ``delayed_brn`` (33 +- 33), ``ss`` (3154 +- 25).
    """
    from ..data.coherent_ar_2020 import read_ar_2020
    from ..detector import LinearQF
    from ..experiments import load

    pr = _check_priors(priors or {}, AR_2020_PRIORS)
    physics = tuple(physics)
    normalisation = _check_normalisation(normalisation, physics)
    if signal_source is None:
        signal_source = "preset" if physics else "release"
    signal_source = _validation.check_choice(signal_source, "signal_source",
                                             ("preset", "release"))
    if physics and signal_source != "preset":
        raise ValueError("signal_source: physics parameters need signal_source='preset'")
    rel = read_ar_2020(release_directory)
    arr = rel.arrays
    P = rel.parameters
    exp = load("coherent-ar-2020") if experiment is None else experiment
    if (tuple(np.asarray(exp.response.edges)) != tuple(rel.energy_edges_kevee)
            or not np.allclose(np.asarray(exp.time_edges_us, dtype=np.float64),
                               rel.time_edges_us)):
        raise ValueError("experiment: its energy and time bins must be the release's "
                         "(10-keVee bins from 0 to 120 keVee, 0.5-us bins from -0.1 us)")
    nu = P["neutrinosPerProton"]
    flux = (1.0, nu[1] / nu[0])
    params: list[Parameter] = []
    brn_nom = arr["brn"]

    def unit(a: FloatArray) -> FloatArray:
        return a / a.sum()

    from .interpolation import ShapeVariant

    brn_variants: dict[str, ShapeVariant] = {}
    if systematics:
        plus_mean = arr["brn_timing_mean_plus"] * (brn_nom.sum()
                                                   / arr["brn_timing_mean_plus"].sum())
        brn_variants = {
            "brn_energy": ShapeVariant(unit(brn_nom), unit(arr["brn_energy_plus"]),
                                       unit(arr["brn_energy_minus"])),
            "brn_timing_mean": ShapeVariant(unit(brn_nom), unit(plus_mean),
                                            unit(arr["brn_timing_mean_minus"])),
            "brn_timing_width": ShapeVariant(unit(brn_nom), unit(arr["brn_timing_width"])),
        }
    ss_shape = unit(arr["ss"])
    dbrn_shape = unit(arr["delayed_brn"])
    brn_shape = unit(brn_nom)

    signal: CEvNSSignal | None = None
    if signal_source == "preset":
        variants: dict[str, tuple[Any, Any]] = {}
        a0, sa = pr["qf_a"]
        q = exp.response.quenching
        if systematics:
            b = float(getattr(q, "b_per_keV", 0.00078))
            variants["qf"] = (dataclasses.replace(exp.response, quenching=LinearQF(a0 + sa, b)),
                              dataclasses.replace(exp.response, quenching=LinearQF(a0 - sa, b)))
        t_sigma = pr["t_offset_us"][1]
        signal = CEvNSSignal(exp, variants=variants,
                             time_offset_us=(5.0 * t_sigma if systematics and t_sigma > 0
                                             else None),
                             q2_edges=q2_edges, coupling_model=coupling_model,
                             spectrum_model=spectrum_model)
        f90 = _conditional_f90(arr["cevns"], brn_nom)
        f90_var = None
        if systematics:
            f90_var = ShapeVariant(f90, _conditional_f90(arr["cevns_f90_plus"], brn_nom),
                                   _conditional_f90(arr["cevns_f90_minus"], brn_nom))
        predicted = float(signal({}).sum())
        params = _signal_parameters(signal, normalisation, physics, flux, predicted, pr)
        if systematics:
            params.append(Parameter("cevns_f90", 0.0, (-5.0, 5.0), sigma=1.0,
                                    doc="CEvNS F90 distribution, released +-1 sigma"))

        def cevns(values: Mapping[str, float]) -> FloatArray:
            s = _signal_counts(signal, normalisation, values)  # type: ignore[arg-type]
            cond = f90
            if f90_var is not None and values.get("cevns_f90", 0.0) != 0.0:
                cond = f90 + f90_var.delta(values["cevns_f90"])
            return s[:, None, :] * cond[:, :, None]
    else:
        cev = arr["cevns"]
        pred_norm = P["cevnsPredictionNormalization"][0]
        cev_variants: dict[str, ShapeVariant] = {}
        if systematics:
            cev_variants = {
                "cevns_f90": ShapeVariant(unit(cev), unit(arr["cevns_f90_plus"]),
                                          unit(arr["cevns_f90_minus"])),
                "cevns_timing": ShapeVariant(unit(cev), unit(arr["cevns_timing_mean"])),
            }
        cev_shape = unit(cev)
        if normalisation == "events":
            params.append(Parameter("signal_events", pred_norm, (0.0, 20 * pred_norm + 100),
                                    unit="events", doc="CEvNS events in the observed bins"))
        else:
            params.append(Parameter("mu", 1.0, (0.0, 20.0),
                                    doc="signal strength relative to the release's 128"))
            params.append(Parameter("flux", 1.0, (0.4, 1.6), sigma=flux[1],
                                    doc="neutrino flux / nominal"))
        for name in cev_variants:
            params.append(Parameter(name, 0.0, (-5.0, 5.0), sigma=1.0,
                                    doc="released CEvNS shape variant"))

        def cevns(values: Mapping[str, float]) -> FloatArray:
            shape = cev_shape.copy()
            for name, var in cev_variants.items():
                t = values.get(name, 0.0)
                if t != 0.0:
                    shape = shape + var.delta(t)
            shape = shape / shape.sum()
            n = (values["signal_events"] if normalisation == "events"
                 else values["mu"] * values["flux"] * pred_norm)
            return n * shape

    def bkg_prior(key: str) -> tuple[float, float]:
        return P[key]

    brn_p = bkg_prior("promptBeamRelatedNeutronPredictionNormalization")
    dbrn_p = bkg_prior("delayedBeamRelatedNeutronPredictionNormalization")
    ss_p = bkg_prior("ssBackgroundPredictionNormalization")
    params.append(Parameter("brn", brn_p[0], _background_limits(*brn_p), sigma=brn_p[1],
                            unit="events", doc="prompt beam-related neutrons"))
    for name in brn_variants:
        params.append(Parameter(name, 0.0, (-5.0, 5.0), sigma=1.0,
                                doc="released BRN shape variant"))
    params.append(Parameter("delayed_brn", dbrn_p[0], _background_limits(*dbrn_p),
                            sigma=dbrn_p[1], unit="events", doc="delayed beam-related neutrons"))
    params.append(Parameter("ss", ss_p[0], _background_limits(*ss_p),
                            sigma=ss_p[1], unit="events", doc="steady-state background"))

    def model(values: Mapping[str, float], observed: Mapping[str, FloatArray]
              ) -> dict[str, FloatArray]:
        b = brn_shape
        for name, var in brn_variants.items():
            t = values.get(name, 0.0)
            if t != 0.0:
                b = b + var.delta(t)
        b = b / b.sum()
        mu = (cevns(values) + values["brn"] * b + values["delayed_brn"] * dbrn_shape
              + values["ss"] * ss_shape)
        return {"data": mu}

    poi = ("signal_events" if normalisation == "events" else "mu") if not physics else None
    if physics:
        assert signal is not None
        poi = names_for(signal, physics)[0]
    predicted_events = (float(signal({}).sum()) if signal is not None
                        else P["cevnsPredictionNormalization"][0])
    return BinnedLikelihood(tuple(params), {"data": arr["data"]}, model, name=exp.name,
                            poi=poi, info={"signal": signal, "experiment": exp,
                                           "predicted_events": predicted_events,
                                           "release": rel})
