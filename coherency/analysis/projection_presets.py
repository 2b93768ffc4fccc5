"""The projection presets of Sharma & Wong's claims (Section 2), with their cited inputs:
a CONUS+-like reactor Ge experiment, solar ⁸B and atmospheric ν on xenon; the
projections of the report (:func:`default_projections`) and the α band of Fig. 2
(:func:`reactor_alpha_band`). Built on :mod:`coherency.analysis.projections`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .. import _validation
from .._cache import memoize
from .._typing import FloatArray
from ..constants import DAYS_PER_YEAR
from ..experiments import conus_plus
from ..sources import Atmospheric, Reactor, Solar
from .measurement import alpha_theory, gaussian_quantile
from .projections import GE_LINDHARD_K, Experiment, Projection

__all__ = [
    "ATMOSPHERIC_FLUX_UNC",
    "ATMOSPHERIC_HIGH_Q2_BIN",
    "B8_FLUX_UNC",
    "CONUS_PLUS_DISTANCE_M",
    "CONUS_PLUS_MASS_KG",
    "CONUS_PLUS_OFF_ON_RATIO",
    "CONUS_PLUS_POWER_GW",
    "CONUS_PLUS_THRESHOLD_KEVEE",
    "DEFAULT_EXPOSURES",
    "GE_BACKGROUND_PER_KG_DAY_KEV",
    "REACTOR_FLUX_UNC",
    "AlphaBand",
    "alpha_band",
    "atmospheric_xenon",
    "default_experiments",
    "default_projections",
    "reactor_alpha_band",
    "reactor_germanium",
    "solar_xenon",
]

# --- cited inputs of the presets -----------------------------------------------------
# CONUS+ at Leibstadt (coherency.experiments.conus_plus, cited there): 2.83 kg of Ge,
# 20.7 m from a 3.6 GW core, threshold 160-180 eVee, run 1: 327 kg d on, 60 kg d off.
CONUS_PLUS_MASS_KG = conus_plus.MASS_KG
CONUS_PLUS_DISTANCE_M = conus_plus.DISTANCE_M
CONUS_PLUS_POWER_GW = conus_plus.POWER_GW
CONUS_PLUS_THRESHOLD_KEVEE = conus_plus.THRESHOLD_KEVEE
CONUS_PLUS_OFF_ON_RATIO = conus_plus.OFF_ON_RATIO
# Background: ~10 counts per kg per day below 1 keVee in the CONUS shield (Bonet et al.,
# "Full background decomposition of the CONUS experiment", EPJC 83 (2023) 195,
# arXiv:2112.09585); taken here as a flat 10 counts/(kg d keVee), an assumption.
GE_BACKGROUND_PER_KG_DAY_KEV = 10.0
# Reactor flux normalisation: Daya Bay's measured IBD yield (5.92 +- 0.14)e-43 cm^2 per
# fission, 2.4 % (An et al., PRL 116 (2016) 061801, arXiv:1508.04233).
REACTOR_FLUX_UNC = 0.024
# 8B flux: B16-GS98 standard solar model, 5.46e6 cm^-2 s^-1 (1 +- 0.12) (Vinyoles et
# al., ApJ 835 (2017) 202).
B8_FLUX_UNC = 0.12
# Atmospheric flux below ~1 GeV: 20 % (10.5 +- 2.1 cm^-2 s^-1 as used by Billard,
# Strigari, Figueroa-Feliciano, PRD 89 (2014) 023524, after the FLUKA and Honda
# calculations).
ATMOSPHERIC_FLUX_UNC = 0.20


def reactor_germanium(*, bins: Any = "fwhm", flux_unc: float = REACTOR_FLUX_UNC,
                      background_per_kg_day_keV: float = GE_BACKGROUND_PER_KG_DAY_KEV,
                      background_control_ratio: float | None = CONUS_PLUS_OFF_ON_RATIO,
                      background_unc: float = 0.0,
                      threshold_keVee: float = CONUS_PLUS_THRESHOLD_KEVEE,
                      lindhard_k: float = GE_LINDHARD_K,
                      epsilon: float | None = None) -> Experiment:
    """CONUS+-like reactor experiment: natural Ge, 3.6 GW at 20.7 m, threshold
    0.17 keVee with Lindhard k = 0.16, flat background 10 counts/(kg d keVee) measured
    in reactor-off periods of 0.18 times the on exposure, flux normalisation 2.4 %
    (sources in the module constants). Exposure in kg·yr (CONUS+: 2.83 kg)."""
    flux_unc, background_per_kg_day_keV, background_unc = _nonnegative(
        flux_unc=flux_unc, background_per_kg_day_keV=background_per_kg_day_keV,
        background_unc=background_unc)
    threshold_keVee = _threshold_keV(threshold_keVee, "threshold_keVee")
    lindhard_k = _validation.as_float(lindhard_k, "lindhard_k", min_value=0.0,
                                      exclusive_min=True)
    return Experiment(
        name="reactor Ge (CONUS+-like)",
        source=Reactor(power_GW=CONUS_PLUS_POWER_GW, distance_m=CONUS_PLUS_DISTANCE_M),
        target="Ge", threshold=threshold_keVee * 1e-3, energy_scale="ee",
        lindhard_k=lindhard_k, bins=bins, flux_unc=flux_unc,
        background_per_kg_day_keV=background_per_kg_day_keV,
        background_unc=background_unc, background_control_ratio=background_control_ratio,
        exposure_unit="kg yr", epsilon=epsilon,
        assumptions=(f"Reactor {CONUS_PLUS_POWER_GW:g} GW at {CONUS_PLUS_DISTANCE_M:g} m "
                     f"(fission fragments, Huber-Mueller + "
                     f"Vogel-Engel), natural Ge, threshold {threshold_keVee:g} keVee, "
                     f"Lindhard k = {lindhard_k:g}, 100 % efficiency above threshold, no "
                     f"resolution; background {background_per_kg_day_keV:g} "
                     f"/(kg d keVee) flat, off/on exposure {background_control_ratio}, "
                     f"flux normalisation {100 * flux_unc:g} %"),
    )


def _nonnegative(**values: Any) -> list[float]:
    """Checked scalars >= 0 (uncertainties, background rates), in keyword order: before
    any arithmetic on them (a huge int would overflow there)."""
    return [_validation.as_float(v, name, min_value=0.0) for name, v in values.items()]


def _threshold_keV(value: Any, name: str) -> float:
    """A threshold in keV, in [0, 1e7] keV (``T_RECOIL_MAX_MEV``)."""
    return _validation.as_float(value, name, min_value=0.0,
                                max_value=1e3 * _validation.T_RECOIL_MAX_MEV, unit="keV")


def _xenon_background(per_t_yr_keV: float) -> tuple[float, str]:
    """A flat background given per tonne, year and keVnr: the rate per kg, day and keV
    of :class:`Experiment`, and the label of the preset's name."""
    rate = per_t_yr_keV / (1000.0 * DAYS_PER_YEAR)
    label = "background-free" if rate == 0 else f"background {per_t_yr_keV:g}/(t yr keVnr)"
    return rate, label


def solar_xenon(*, bins: Any = "fwhm", threshold_keVnr: float = 1.0,
                flux_unc: float = B8_FLUX_UNC, background_per_t_yr_keV: float = 0.0,
                background_unc: float = 0.1, epsilon: float | None = None) -> Experiment:
    """Solar ⁸B (B16-GS98) on natural xenon, threshold 1 keVnr, flux normalisation
    12 %; background flat in keVnr, given per tonne per year per keV (default none),
    known to ``background_unc``. Exposure in t·yr."""
    flux_unc, background_per_t_yr_keV, background_unc = _nonnegative(
        flux_unc=flux_unc, background_per_t_yr_keV=background_per_t_yr_keV,
        background_unc=background_unc)
    threshold_keVnr = _threshold_keV(threshold_keVnr, "threshold_keVnr")
    rate, label = _xenon_background(background_per_t_yr_keV)
    return Experiment(
        name=f"solar 8B on Xe ({label})", source=Solar(components=("8B",)), target="Xe",
        threshold=threshold_keVnr * 1e-3, energy_scale="nr", bins=bins,
        flux_unc=flux_unc, background_per_kg_day_keV=rate,
        background_unc=background_unc if rate > 0 else 0.0, exposure_unit="t yr",
        epsilon=epsilon,
        assumptions=(f"8B B16-GS98 flux, natural Xe, threshold {threshold_keVnr:g} keVnr, "
                     f"100 % efficiency, flux normalisation {100 * flux_unc:g} %, {label}"),
    )


def atmospheric_xenon(*, bins: Any = "fwhm", threshold_keVnr: float = 5.0,
                      flux_unc: float = ATMOSPHERIC_FLUX_UNC,
                      background_per_t_yr_keV: float = 0.0, background_unc: float = 0.1,
                      epsilon: float | None = None) -> Experiment:
    """Atmospheric ν (FLUKA, all flavours) on natural xenon, threshold 5 keVnr, flux
    normalisation 20 %, background-free by default. Exposure in t·yr."""
    flux_unc, background_per_t_yr_keV, background_unc = _nonnegative(
        flux_unc=flux_unc, background_per_t_yr_keV=background_per_t_yr_keV,
        background_unc=background_unc)
    threshold_keVnr = _threshold_keV(threshold_keVnr, "threshold_keVnr")
    rate, label = _xenon_background(background_per_t_yr_keV)
    return Experiment(
        name=f"atmospheric nu on Xe ({label})", source=Atmospheric(), target="Xe",
        threshold=threshold_keVnr * 1e-3, energy_scale="nr", bins=bins,
        flux_unc=flux_unc, background_per_kg_day_keV=rate,
        background_unc=background_unc if rate > 0 else 0.0, exposure_unit="t yr",
        epsilon=epsilon,
        assumptions=(f"FLUKA low-energy atmospheric flux (13-982 MeV), natural Xe, "
                     f"threshold {threshold_keVnr:g} keVnr, 100 % efficiency, flux "
                     f"normalisation {100 * flux_unc:g} %, {label}"),
    )


#: q² range (MeV²) of the atmospheric high-q² bin: recoils 30-100 keVnr on Xe
#: (q² = 2 M T with M ≈ 122.3 GeV), where the Helm expectation is α < 0.2.
ATMOSPHERIC_HIGH_Q2_BIN = (7.34e3, 2.45e4)

#: Default exposures of :func:`default_projections` (see docs/projections.md).
DEFAULT_EXPOSURES = {"reactor": 10.0, "solar": 10.0, "atmospheric": 100.0}


@memoize("default projections", per_backend=False)
def default_experiments() -> tuple[Experiment, ...]:
    """The five experiments of :func:`default_projections` (built once; their rates
    are cached on first use)."""
    return (
        reactor_germanium(),
        solar_xenon(),
        solar_xenon(background_per_t_yr_keV=30.0),
        atmospheric_xenon(),
        atmospheric_xenon(bins=(ATMOSPHERIC_HIGH_Q2_BIN,)),
    )


def default_projections(method: str | None = None, cl: float = 0.9) -> list[Projection]:
    """The projections of the report: reactor Ge (10 kg·yr), solar ⁸B on Xe
    background-free and with 30 counts/(t yr keVnr) (10 t·yr), atmospheric ν on Xe in
    the FWHM bin and in a 30–100 keVnr bin (100 t·yr). ``method`` None uses Gaussian
    for the first three and Poisson for the atmospheric ones (a few events).

    Examples
    --------
    >>> [p.name.split(" ")[0] for p in default_projections()]
    ['reactor', 'solar', 'solar', 'atmospheric', 'atmospheric']
    """
    out = []
    for exp in default_experiments():
        kind = exp.name.split(" ")[0]
        m = method or ("poisson" if kind == "atmospheric" else "gaussian")
        out.append(exp.project(DEFAULT_EXPOSURES[kind], method=m, cl=cl))
    return out


# ------------------------------------------------------------------ α band vs q²

@dataclass(frozen=True)
class AlphaBand:
    """Projected allowed α band vs q² (for a figure): per bin the q² range and mean,
    the expected α (Helm), the allowed interval [alpha_lo, alpha_hi] at ``cl``
    (two-sided, clipped to [0, 1]) and the theory band (Helm ±10 %)."""

    name: str
    exposure: float
    exposure_unit: str
    cl: float
    q2: FloatArray
    q2_lo: FloatArray
    q2_hi: FloatArray
    alpha_expected: FloatArray
    alpha_lo: FloatArray
    alpha_hi: FloatArray
    theory: FloatArray
    theory_lo: FloatArray
    theory_hi: FloatArray

    def to_dict(self) -> dict[str, Any]:
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                for k, v in asdict(self).items()}


def alpha_band(experiment: Experiment, exposure: float, cl: float = 0.6827) -> AlphaBand:
    """Allowed α band per q² bin of ``experiment`` at ``exposure`` (Gaussian model):
    α̂ ± z σ_α with z = Φ⁻¹((1 + cl)/2), clipped to [0, 1]."""
    p = experiment.project(exposure, method="gaussian", cl=0.9)
    z = gaussian_quantile(cl, two_sided=True)
    lo = np.clip(p.alpha_expected - z * p.sigma_alpha, 0.0, 1.0)
    hi = np.clip(p.alpha_expected + z * p.sigma_alpha, 0.0, 1.0)
    th = [np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in
          alpha_theory(p.q2, experiment.target_.components[0][0], epsilon=experiment.epsilon)]
    return AlphaBand(name=experiment.name, exposure=p.exposure,
                     exposure_unit=p.exposure_unit, cl=float(cl), q2=p.q2,
                     q2_lo=p.q2_lo, q2_hi=p.q2_hi, alpha_expected=p.alpha_expected,
                     alpha_lo=lo, alpha_hi=hi, theory=th[0], theory_lo=th[1],
                     theory_hi=th[2])


def reactor_alpha_band(exposure: float = DEFAULT_EXPOSURES["reactor"], n_bins: int = 6,
                       cl: float = 0.6827, **kwargs: Any) -> AlphaBand:
    """Fig. 2 (reactor inset): the projected α band of :func:`reactor_germanium` in
    ``n_bins`` equal-width q² bins from threshold to 90 % of the kinematic end point
    (beyond that the few events give no constraint). ``kwargs`` go to
    :func:`reactor_germanium`.

    Examples
    --------
    >>> b = reactor_alpha_band(n_bins=3)
    >>> bool(np.all(b.alpha_lo <= b.alpha_expected) and np.all(b.alpha_expected <= b.alpha_hi))
    True
    """
    n = _validation.check_int(n_bins, "n_bins", *_validation.N_BINS_RANGE)
    base = reactor_germanium(**kwargs)
    T0, T1 = base.threshold_nr, 0.9 * base.T_end_point
    M = base.mean_mass
    edges = np.linspace(2 * M * T0, 2 * M * T1, n + 1)
    exp = reactor_germanium(bins=tuple(zip(edges[:-1], edges[1:])), **kwargs)
    return alpha_band(exp, exposure, cl=cl)
