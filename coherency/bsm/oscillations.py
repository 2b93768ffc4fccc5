"""Oscillations between source and detector (docs/physics.md Eqs. 13.8, 13.9).

CEvNS in the Standard Model is flavour-blind at tree level: oscillations among the
active flavours change nothing there, but they decide which flavours arrive, which
matters for flavour-dependent couplings and models (NSI, charge radii, L_mu - L_tau).
Disappearance into a sterile state removes neutrinos from every neutral-current rate.

* :class:`SterileOscillation`: 3+1 disappearance of the active flavours,
  P = 1 - sin^2 2theta sin^2(1.267 dm^2[eV^2] L[m] / E[MeV]), averaged over the
  extent of source and detector so that fast oscillations do not alias;
* :class:`SolarMSW`: the electron-neutrino survival probability of the large-mixing-
  angle MSW solution for solar neutrinos (adiabatic, production density a parameter),
  the rest arriving as nu_mu and nu_tau;
* :class:`Oscillated`: a source seen through an oscillation, with the flavour parts
  that arrive; it is a :class:`~coherency.sources.Source` like any other.

Examples
--------
>>> import coherency as coh
>>> from coherency import bsm
>>> sun = bsm.Oscillated(coh.sources.Solar(), bsm.SolarMSW())
>>> [f for f, _, _ in sun.flavour_components()]
['nue', 'numu', 'nutau']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _validation
from .._typing import FloatArray
from ..constants import AVOGADRO_PER_MOL, FERMI_CONSTANT_PER_GEV2, HBARC_MEV_FM
from ..couplings import NEUTRINO_NAMES, flavour_of
from ..sources._base import Source

__all__ = ["Oscillated", "SolarMSW", "SterileOscillation"]

#: 1.267 = Delta m^2 [eV^2] L [m] / (4 E [MeV]) in units of hbar c: the phase
#: Delta m^2 L / 4E = 1.26693 Delta m^2[eV^2] L[m] / E[MeV].
PHASE_PER_EV2_M_PER_MEV = 1e-12 / (4.0 * HBARC_MEV_FM * 1e-15)
#: Largest Delta m^2 accepted (eV^2) and the largest extent (m).
DM2_MAX_EV2 = 1e6
LENGTH_MAX_M = 1e13


def _sin2_of_phase_averaged(phase: FloatArray, spread_phase: FloatArray) -> FloatArray:
    """<sin^2(k L)> for L uniform over [L0 - w/2, L0 + w/2]: 1/2 - cos(2 k L0) sinc(k w)/2
    with phase = k L0 and spread_phase = k w (sinc x = sin x / x)."""
    x = spread_phase
    small = np.abs(x) < 1e-4
    xs = np.where(small, 1.0, x)
    sinc = np.where(small, 1.0 - x * x / 6.0, np.sin(xs) / xs)
    return 0.5 - 0.5 * np.cos(2.0 * phase) * sinc


@dataclass(frozen=True)
class SterileOscillation:
    """3+1 disappearance of active neutrinos into a sterile state (docs/physics.md Eq. 13.8).

    Parameters
    ----------
    dm2_eV2 : float, eV^2
        Delta m^2_41 in [0, 1e6] eV^2.
    sin2_2theta : float
        The disappearance amplitude sin^2 2theta_aa in [0, 1] (the same for the
        flavours listed).
    flavours : tuple of str
        The flavours that disappear (default all three; e.g. ``("e",)`` for nu_e
        disappearance only).

    Notes
    -----
    P_aa(E, L) = 1 - sin^2 2theta sin^2(1.267 dm^2 L / E) with dm^2 in eV^2, L in m, E in
    MeV; a neutral-current rate counts what stays active, P_aa (the two-flavour
    approximation of an active-sterile disappearance, as in the reactor and
    decay-at-rest analyses, e.g. C. Giunti and T. Lasserre, Ann. Rev. Nucl. Part. Sci.
    69 (2019) 163).
    """

    dm2_eV2: float
    sin2_2theta: float
    flavours: tuple[str, ...] = ("e", "mu", "tau")

    def __post_init__(self) -> None:
        object.__setattr__(self, "dm2_eV2", _validation.as_float(
            self.dm2_eV2, "dm2_eV2", min_value=0.0, max_value=DM2_MAX_EV2, unit="eV^2"))
        object.__setattr__(self, "sin2_2theta", _validation.as_float(
            self.sin2_2theta, "sin2_2theta", min_value=0.0, max_value=1.0))
        flv = self.flavours if isinstance(self.flavours, tuple) else (self.flavours,)
        object.__setattr__(self, "flavours",
                           tuple(dict.fromkeys(flavour_of(f, "flavours") for f in flv)))

    def probabilities(self, flavour: str, E: FloatArray, distance_m: float,
                      spread_m: float) -> dict[str, FloatArray]:
        """What a neutrino of ``flavour`` born at energies E arrives as: here only
        itself, with P_aa (averaged over the extent ``spread_m``)."""
        a = flavour_of(flavour)
        if a not in self.flavours:
            return {a: np.ones_like(E)}
        k = PHASE_PER_EV2_M_PER_MEV * self.dm2_eV2 / E
        return {a: 1.0 - self.sin2_2theta * _sin2_of_phase_averaged(k * distance_m,
                                                                    k * spread_m)}


@dataclass(frozen=True)
class SolarMSW:
    """Large-mixing-angle MSW survival of solar electron neutrinos (Eq. 13.9).

    Parameters
    ----------
    sin2_theta12, sin2_theta13, sin2_theta23 : float
        Mixing angles, each in [0, 1]; defaults NuFIT 5.2 (I. Esteban et al., JHEP 09
        (2020) 178, arXiv:2007.14792; www.nu-fit.org, normal ordering): 0.303, 0.02203,
        0.572.
    dm2_21_eV2 : float, eV^2
        Delta m^2_21 in (0, 1e6]; default 7.41e-5 eV^2 (NuFIT 5.2).
    n_e_per_cm3_NA : float
        Electron density where the neutrinos are produced, in units of Avogadro's
        number per cm^3, >= 0; default 100, near the centre of the Sun where the 8B
        neutrinos are produced (standard solar model, J. N. Bahcall, A. M. Serenelli
        and S. Basu, ApJ 621 (2005) L85).

    Notes
    -----
    Adiabatic propagation, averaged over the Earth-Sun distance and without the
    Earth's matter (day-time): P_ee = cos^4 theta13 P_2 + sin^4 theta13,
    P_2 = 1/2 + 1/2 cos 2theta12 cos 2theta12^m, cos 2theta12^m =
    (cos 2theta12 - beta)/sqrt((cos 2theta12 - beta)^2 + sin^2 2theta12), beta =
    2 sqrt(2) G_F n_e E cos^2 theta13 / dm^2_21 (S. P. Mikheyev and A. Yu. Smirnov,
    Sov. J. Nucl. Phys. 42 (1985) 913; L. Wolfenstein, PRD 17 (1978) 2369; the
    form of the PDG review "Neutrino masses, mixing and oscillations"). The rest,
    1 - P_ee, arrives as nu_mu and nu_tau in the ratio cos^2 theta23 : sin^2 theta23.
    P_ee ~ 0.55 below 1 MeV (vacuum-like) and ~0.32 at 10 MeV.
    """

    sin2_theta12: float = 0.303
    sin2_theta13: float = 0.02203
    sin2_theta23: float = 0.572
    dm2_21_eV2: float = 7.41e-5
    n_e_per_cm3_NA: float = 100.0

    def __post_init__(self) -> None:
        for name in ("sin2_theta12", "sin2_theta13", "sin2_theta23"):
            object.__setattr__(self, name, _validation.as_float(
                getattr(self, name), name, min_value=0.0, max_value=1.0))
        object.__setattr__(self, "dm2_21_eV2", _validation.as_float(
            self.dm2_21_eV2, "dm2_21_eV2", min_value=0.0, max_value=DM2_MAX_EV2,
            exclusive_min=True, unit="eV^2"))
        object.__setattr__(self, "n_e_per_cm3_NA", _validation.as_float(
            self.n_e_per_cm3_NA, "n_e_per_cm3_NA", min_value=0.0, max_value=1e6))

    def p_ee(self, E: Any) -> Any:
        """P_ee at neutrino energies E (MeV, > 0)."""
        E = np.asarray(E, dtype=np.float64)
        c13 = 1.0 - self.sin2_theta13
        c2 = 1.0 - 2.0 * self.sin2_theta12
        s2_2 = 4.0 * self.sin2_theta12 * (1.0 - self.sin2_theta12)
        # 2 sqrt(2) G_F n_e E / dm^2: G_F (hbar c)^3 in eV cm^3 (G_F in eV^-2, hbar c in
        # eV cm), n_e in cm^-3, E in eV
        gf_ev_cm3 = FERMI_CONSTANT_PER_GEV2 * 1e-18 * (HBARC_MEV_FM * 1e-7) ** 3
        n_e = self.n_e_per_cm3_NA * AVOGADRO_PER_MOL
        beta = 2.0 * math.sqrt(2.0) * gf_ev_cm3 * n_e * (E * 1e6) * c13 / self.dm2_21_eV2
        cos_m = (c2 - beta) / np.sqrt((c2 - beta) ** 2 + s2_2)
        p2 = 0.5 + 0.5 * c2 * cos_m
        return c13 * c13 * p2 + self.sin2_theta13**2

    def probabilities(self, flavour: str, E: FloatArray, distance_m: float,
                      spread_m: float) -> dict[str, FloatArray]:
        """What a nu_e born at energies E arrives as (other flavours: themselves)."""
        a = flavour_of(flavour)
        if a != "e":
            return {a: np.ones_like(E)}
        pee = np.asarray(self.p_ee(E), dtype=np.float64)
        rest = 1.0 - pee
        return {"e": pee, "mu": rest * (1.0 - self.sin2_theta23),
                "tau": rest * self.sin2_theta23}


def _anti(name: str) -> bool:
    return NEUTRINO_NAMES.get(name.strip().lower().replace("_", ""), "").endswith("bar")


@dataclass(frozen=True)
class _Arriving(Source):
    """One flavour part of a source as it arrives: born as ``born`` (a part of definite
    flavour), seen as ``flavour`` with the oscillation's probability."""

    part: Any
    born: str
    flavour: str
    oscillation: Any
    distance_m: float
    spread_m: float

    def _p(self, E: FloatArray) -> FloatArray:
        E = np.asarray(E, dtype=np.float64)
        out = np.zeros_like(E)
        pos = E > 0
        probs = self.oscillation.probabilities(self.born, E[pos], self.distance_m,
                                               self.spread_m)
        out[pos] = probs.get(flavour_of(self.flavour), 0.0)
        return out

    def _continuum(self, E: FloatArray) -> FloatArray:
        return np.asarray(self.part.flux(E), dtype=np.float64) * self._p(E)

    def continuum_flux_integral(self) -> float:
        """The rate engine's energy rule (48 Gauss-Legendre nodes per smooth interval,
        docs/physics.md §6.4) over the arriving flux."""
        from .._quadrature import energy_rule

        _, w = energy_rule(self, 0.0)
        return float(np.sum(w))

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return tuple(self.part.breakpoints)

    @property
    def lines(self) -> tuple[tuple[float, float], ...]:
        return tuple((e, f * float(self._p(np.array([e]))[0])) for e, f in self.part.lines)

    @property
    def is_fluence(self) -> bool:
        return bool(getattr(self.part, "is_fluence", False))

    @property
    def name(self) -> str:
        return f"{getattr(self.part, 'name', 'source')} as {self.flavour}"


@dataclass(frozen=True)
class Oscillated(Source):
    """A source seen at a distance through an oscillation.

    Parameters
    ----------
    source : coherency.sources.Source
        A source that states its flavours (:meth:`~coherency.sources.Source.flavour_components`).
    oscillation : SterileOscillation or SolarMSW
    distance_m : float, m, optional
        Baseline L (> 0); default the source's ``distance_m`` (required by
        :class:`SterileOscillation`, ignored by :class:`SolarMSW`).
    spread_m : float, m
        Full extent of source and detector along the baseline (>= 0): the phase is
        averaged over L uniform in [L - spread/2, L + spread/2].

    Its flux is the sum of what arrives; :meth:`flavour_components` gives the arriving
    flavour parts (a nu_e born in the Sun arrives partly as nu_mu and nu_tau;
    antineutrinos stay antineutrinos).
    """

    source: Any
    oscillation: Any
    distance_m: float | None = None
    spread_m: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.oscillation, (SterileOscillation, SolarMSW)):
            raise TypeError(f"oscillation must be a SterileOscillation or SolarMSW; got "
                            f"{_validation._short(self.oscillation)}")
        L = self.distance_m
        if L is None:
            L = getattr(self.source, "distance_m", None)
        if L is None and isinstance(self.oscillation, SterileOscillation):
            raise ValueError("distance_m: the source has no distance_m; give the baseline")
        object.__setattr__(self, "distance_m", None if L is None else _validation.as_float(
            L, "distance_m", min_value=0.0, max_value=LENGTH_MAX_M, exclusive_min=True,
            unit="m"))
        object.__setattr__(self, "spread_m", _validation.as_float(
            self.spread_m, "spread_m", min_value=0.0, max_value=LENGTH_MAX_M, unit="m"))
        self.flavour_components()  # the source must state its flavours

    def flavour_components(self) -> tuple[tuple[str, Source, float], ...]:
        out = []
        L = self.distance_m or 0.0
        for name, part, weight in self.source.flavour_components():
            born = flavour_of(name)
            probe = self.oscillation.probabilities(born, np.array([1.0]), L, self.spread_m)
            for arrive in probe:
                label = "nu" + arrive + ("bar" if _anti(name) else "")
                out.append((label, _Arriving(part, born, label, self.oscillation, L,
                                             self.spread_m), float(weight)))
        return tuple(out)

    def _continuum(self, E: FloatArray) -> FloatArray:
        return sum((w * np.asarray(p.flux(E), dtype=np.float64)
                    for _, p, w in self.flavour_components()), np.zeros(np.shape(E)))

    def continuum_flux_integral(self) -> float:
        return float(sum(w * p.continuum_flux_integral()
                         for _, p, w in self.flavour_components()))

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return tuple(self.source.breakpoints)

    @property
    def lines(self) -> tuple[tuple[float, float], ...]:
        merged: dict[float, float] = {}
        for _, p, w in self.flavour_components():
            for e, f in p.lines:
                merged[e] = merged.get(e, 0.0) + w * f
        return tuple(sorted(merged.items()))

    @property
    def is_fluence(self) -> bool:
        return bool(getattr(self.source, "is_fluence", False))

    @property
    def name(self) -> str:
        return f"{getattr(self.source, 'name', 'source')}, oscillated"
