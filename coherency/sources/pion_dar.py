"""Stopped-pion decay at rest (π⁺ → μ⁺ ν_μ, μ⁺ → e⁺ ν_e ν̄_μ): spallation sources such as
the SNS (docs/physics.md §5)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .._typing import FloatArray
from ..constants import MEV_TO_JOULE, MUON_MASS_MEV, PION_MASS_MEV
from ._base import Source, check_flavours, check_positive, sphere_area_cm2

__all__ = ["DELAYED_ENDPOINT_MEV", "PROMPT_ENERGY_MEV", "PionDAR"]

#: Energy of the prompt ν_μ line, (m_π² − m_μ²)/(2 m_π): two-body decay at rest, MeV.
PROMPT_ENERGY_MEV = (PION_MASS_MEV**2 - MUON_MASS_MEV**2) / (2.0 * PION_MASS_MEV)
#: End point of the delayed ν_e and ν̄_μ spectra, m_μ/2 (muon decay at rest), MeV.
DELAYED_ENDPOINT_MEV = 0.5 * MUON_MASS_MEV

_DAR_FLAVOURS = ("numu", "nue", "numubar")


@dataclass(frozen=True)
class PionDAR(Source):
    """Stopped-pion (π⁺ → μ⁺ ν_μ, μ⁺ → e⁺ ν_e ν̄_μ) decay-at-rest source (docs/physics.md §5).

    Parameters
    ----------
    n_pot : float
        Protons on target delivered during the exposure (> 0).
    exposure_time_s : float or None, s
        Live time over which ``n_pot`` is delivered (> 0): the source is then a steady
        flux, the exposure average ``r · n_pot / (4π L²) / exposure_time_s`` per flavour
        in ν cm⁻² s⁻¹, and counts of the exposure need ``time_s = exposure_time_s``.
        ``None``: the source is the exposure's **fluence** (``is_fluence`` is True;
        ``flux`` in ν cm⁻² MeV⁻¹), and counts of the exposure need ``time_s = 1``.
    distance_m : float, m
        Source–detector distance L (> 0).
    nu_per_proton : float
        Neutrinos per flavour per proton, r (> 0).
    flavours : tuple of {"numu", "nue", "numubar"}
        Components to include: prompt ν_μ line, delayed ν_e and ν̄_μ continua.

    Notes
    -----
    Prompt line at (m_π² − m_μ²)/(2 m_π) = 29.792 MeV; delayed ν_e density
    192 E²/m_μ³ (½ − E/m_μ) and ν̄_μ 64 E²/m_μ³ (¾ − E/m_μ) on [0, m_μ/2], each
    integrating to one.

    **Fluence or flux.** The presets :meth:`coherent_csi_2017` and
    :meth:`coherent_ar_2020` are, by default, the *fluence* of the whole published
    exposure (``exposure_time_s=None``, ``is_fluence`` True), like :class:`Supernova`:
    ``event_rate(src, ..., time_s=1.0)`` gives the counts of that exposure. Passing the
    run time as ``time_s`` would count the exposure that many times over; give the
    preset the live time instead (``coherent_csi_2017(exposure_time_s=...)``), or use
    :meth:`from_beam_power`, to get a steady per-second flux for which ``time_s`` is a
    real duration. ``fluence_per_flavour`` is the same either way.

    Examples
    --------
    >>> src = PionDAR.coherent_csi_2017()
    >>> src.is_fluence, f"{src.fluence_per_flavour:.3e}"   # r N_POT / (4 pi L^2), cm^-2
    (True, '3.008e+14')
    >>> nue = PionDAR.coherent_csi_2017(flavours=("nue",))
    >>> nue.lines, round(nue.continuum_flux_integral() / src.fluence_per_flavour, 12)
    ((), 1.0)
    >>> steady = PionDAR.coherent_csi_2017(exposure_time_s=3.0e7)   # a live time, s
    >>> steady.is_fluence, f"{steady.flux_per_flavour:.3e}"         # cm^-2 s^-1
    (False, '1.003e+07')
    """

    n_pot: float
    exposure_time_s: float | None
    distance_m: float
    nu_per_proton: float = 0.08
    flavours: tuple[str, ...] = _DAR_FLAVOURS
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_pot", check_positive(self.n_pot, "n_pot", "protons"))
        if self.exposure_time_s is not None:
            object.__setattr__(self, "exposure_time_s", check_positive(
                self.exposure_time_s, "exposure_time_s", "s"))
        object.__setattr__(self, "distance_m",
                           check_positive(self.distance_m, "distance_m", "m"))
        object.__setattr__(self, "nu_per_proton",
                           check_positive(self.nu_per_proton, "nu_per_proton",
                                           "per flavour per proton"))
        object.__setattr__(self, "flavours", check_flavours(self.flavours, _DAR_FLAVOURS))

    # presets ---------------------------------------------------------------
    @classmethod
    def coherent_csi_2017(cls, flavours: tuple[str, ...] = _DAR_FLAVOURS,
                          exposure_time_s: float | None = None) -> PionDAR:
        """COHERENT CsI[Na] 2017 exposure: 1.76e23 POT (7.48 GWh), r = 0.08, L = 19.3 m.

        COHERENT, Science 357 (2017) 1123, arXiv:1708.01294 (POT and GWh); r and L from
        the data release arXiv:1804.09459. A fluence (counts with ``time_s = 1``)
        unless ``exposure_time_s`` (the live time, s) is given.
        """
        return cls(n_pot=1.76e23, exposure_time_s=exposure_time_s, distance_m=19.3,
                   nu_per_proton=0.08, flavours=flavours, label="COHERENT CsI 2017")

    @classmethod
    def coherent_ar_2020(cls, flavours: tuple[str, ...] = _DAR_FLAVOURS,
                         exposure_time_s: float | None = None) -> PionDAR:
        """COHERENT CENNS-10 argon exposure: 13.8e22 POT (6.12 GWh), r = 0.09, L = 27.5 m.

        COHERENT, PRL 126 (2021) 012002, arXiv:2003.10630; data release
        LArParametersAnlA.yaml (Zenodo 10.5281/zenodo.3903810). A fluence (counts with
        ``time_s = 1``) unless ``exposure_time_s`` (the live time, s) is given.
        """
        return cls(n_pot=13.8e22, exposure_time_s=exposure_time_s, distance_m=27.5,
                   nu_per_proton=0.09, flavours=flavours, label="COHERENT Ar 2020")

    @classmethod
    def from_beam_power(cls, power_MW: float, time_s: float, distance_m: float, *,
                        proton_energy_GeV: float = 1.0, nu_per_proton: float = 0.08,
                        flavours: tuple[str, ...] = _DAR_FLAVOURS) -> PionDAR:
        """Source from beam power: ``n_pot = power × time / proton energy``.

        Parameters
        ----------
        power_MW : float, MW
        time_s : float, s
            Becomes ``exposure_time_s``: the flux is then a real per-second flux.
        distance_m : float, m
        proton_energy_GeV : float, GeV
            Kinetic energy per proton (SNS: about 1 GeV).

        Examples
        --------
        >>> s = PionDAR.from_beam_power(1.4, 3600.0, 20.0)
        >>> f"{s.n_pot:.3e}"
        '3.146e+19'
        """
        p = check_positive(power_MW, "power_MW", "MW")
        t = check_positive(time_s, "time_s", "s")
        ep = check_positive(proton_energy_GeV, "proton_energy_GeV", "GeV")
        n_pot = p * 1e6 * t / (ep * 1e3 * MEV_TO_JOULE)
        return cls(n_pot=n_pot, exposure_time_s=t, distance_m=distance_m,
                   nu_per_proton=nu_per_proton, flavours=flavours)

    # physics ---------------------------------------------------------------
    @property
    def fluence_per_flavour(self) -> float:
        """r · N_POT / (4π L²): neutrinos per cm² per flavour over the exposure."""
        return self.nu_per_proton * self.n_pot / sphere_area_cm2(self.distance_m * 100.0)

    @property
    def flux_per_flavour(self) -> float:
        """Exposure-averaged flux per flavour, ν cm⁻² s⁻¹ (ν cm⁻² for a fluence)."""
        if self.exposure_time_s is None:
            return self.fluence_per_flavour
        return self.fluence_per_flavour / self.exposure_time_s

    @property
    def is_fluence(self) -> bool:
        """True when built without ``exposure_time_s`` (the presets' default)."""
        return self.exposure_time_s is None

    @property
    def counts_time_s(self) -> float:
        """The ``time_s`` that gives the counts of the whole exposure in rates.

        1 for a fluence, ``exposure_time_s`` for a steady flux.
        """
        return 1.0 if self.exposure_time_s is None else float(self.exposure_time_s)

    @staticmethod
    def prompt_energy() -> float:
        """(m_π² − m_μ²)/(2 m_π) in MeV (:data:`PROMPT_ENERGY_MEV`)."""
        return PROMPT_ENERGY_MEV

    def _continuum(self, E: FloatArray) -> FloatArray:
        m = MUON_MASS_MEV
        inside = E <= DELAYED_ENDPOINT_MEV
        out = np.zeros_like(E)
        e = E[inside]
        if "nue" in self.flavours:
            out[inside] += 192.0 * e**2 / m**3 * (0.5 - e / m)
        if "numubar" in self.flavours:
            out[inside] += 64.0 * e**2 / m**3 * (0.75 - e / m)
        return out * self.flux_per_flavour

    def continuum_flux_integral(self) -> float:
        n = sum(f in self.flavours for f in ("nue", "numubar"))
        return float(n * self.flux_per_flavour)  # each shape integrates to exactly 1

    @property
    def breakpoints(self) -> tuple[float, ...]:
        if any(f in self.flavours for f in ("nue", "numubar")):
            return (0.0, DELAYED_ENDPOINT_MEV)
        return ()

    @property
    def lines(self) -> tuple[tuple[float, float], ...]:
        if "numu" in self.flavours:
            return ((self.prompt_energy(), self.flux_per_flavour),)
        return ()

    def flavour_components(self) -> tuple[tuple[str, Source, float], ...]:
        """Prompt nu_mu, delayed nu_e and anti-nu_mu, each a source of its own."""
        return tuple((f, replace(self, flavours=(f,)), 1.0) for f in self.flavours)

    @property
    def name(self) -> str:
        base = f"pion DAR {self.label}".strip() + (" (fluence)" if self.is_fluence else "")
        return base if self.flavours == _DAR_FLAVOURS else f"{base} [{', '.join(self.flavours)}]"
