"""Core-collapse supernova burst: the time-integrated fluence of pinched Fermi–Dirac
spectra (docs/physics.md §5)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import special

from .. import _validation
from .._typing import FloatArray
from ..constants import KILOPARSEC_CM, MEV_TO_ERG
from ._base import Source, check_flavours, check_positive, sphere_area_cm2

__all__ = ["Supernova"]

_SN_FLAVOURS = ("nue", "nuebar", "nux")


@dataclass(frozen=True)
class Supernova(Source):
    """Core-collapse supernova burst: time-integrated pinched Fermi–Dirac spectra.

    Parameters
    ----------
    luminosity_erg : float or mapping, erg
        Total energy emitted per flavour (the "nux" entry is *per* heavy flavour:
        ν_μ, ν̄_μ, ν_τ, ν̄_τ each). Default 5e52 erg each (3e53 erg in total).
    mean_energy_MeV : mapping, MeV
        ⟨E⟩ per flavour; default νe 12, ν̄e 15, νx 18 MeV.
    pinching : float or mapping
        α ≥ 0 (α = 2 is a Fermi–Dirac-like shape; default 3).
    distance_kpc : float, kpc
        Default 10.

    Notes
    -----
    f(E) = (α+1)^(α+1)/Γ(α+1) · E^α/⟨E⟩^(α+1) · exp[−(α+1)E/⟨E⟩] (Keil, Raffelt & Janka,
    ApJ 590 (2003) 971); fluence per flavour = E_tot/⟨E⟩/(4π d²) × f(E), ×4 for νx.
    Defaults are the representative values of, e.g., Scholberg, Annu. Rev. Nucl. Part.
    Sci. 62 (2012) 81. **This is a fluence** (ν cm⁻² MeV⁻¹, ``total_flux`` in ν cm⁻²):
    use ``time_s = 1`` in rate calculations to obtain counts. The continuum extends to
    infinity; it is truncated at ``E_cut_MeV`` (default 150 MeV, where the default
    spectra have fallen by > 1e-14 relative to their peak) and normalised on
    [0, E_cut_MeV] analytically.

    Examples
    --------
    >>> import math
    >>> from coherency.constants import KILOPARSEC_CM, MEV_TO_ERG
    >>> sn = Supernova(flavours=("nue",))
    >>> expected = 5e52 / (12.0 * MEV_TO_ERG) / (4 * math.pi * (10 * KILOPARSEC_CM) ** 2)
    >>> round(sn.total_flux / expected, 9)
    1.0
    """

    luminosity_erg: float | Mapping[str, float] | tuple[tuple[str, float], ...] = 5e52
    mean_energy_MeV: Mapping[str, float] | tuple[tuple[str, float], ...] | None = None
    pinching: float | Mapping[str, float] | tuple[tuple[str, float], ...] = 3.0
    distance_kpc: float = 10.0
    flavours: tuple[str, ...] = _SN_FLAVOURS
    E_cut_MeV: float = 150.0

    def __post_init__(self) -> None:
        def per_flavour(value: Any, name: str, default: dict[str, float] | None,
                        **kw: Any) -> tuple[tuple[str, float], ...]:
            if value is None:
                value = default
            if isinstance(value, (Mapping, tuple, list)) and not isinstance(value, str):
                d = dict(value)
                bad = [k for k in d if k not in _SN_FLAVOURS]
                if bad:
                    raise ValueError(f"{name} keys must be among {_SN_FLAVOURS}; got {bad[0]!r}")
                missing = [k for k in _SN_FLAVOURS if k not in d]
                if missing:
                    raise ValueError(f"{name} must give every flavour {_SN_FLAVOURS}; "
                                     f"missing {missing[0]!r}")
            else:
                d = {k: value for k in _SN_FLAVOURS}
            return tuple((k, _validation.as_float(d[k], f"{name}[{k!r}]", **kw))
                         for k in _SN_FLAVOURS)

        object.__setattr__(self, "luminosity_erg", per_flavour(
            self.luminosity_erg, "luminosity_erg", None, min_value=0.0, unit="erg"))
        object.__setattr__(self, "mean_energy_MeV", per_flavour(
            self.mean_energy_MeV, "mean_energy_MeV", {"nue": 12.0, "nuebar": 15.0, "nux": 18.0},
            min_value=0.0, exclusive_min=True, unit="MeV"))
        object.__setattr__(self, "pinching", per_flavour(
            self.pinching, "pinching", None, min_value=0.0))
        object.__setattr__(self, "distance_kpc",
                           check_positive(self.distance_kpc, "distance_kpc", "kpc"))
        object.__setattr__(self, "E_cut_MeV",
                           check_positive(self.E_cut_MeV, "E_cut_MeV", "MeV"))
        object.__setattr__(self, "flavours", check_flavours(self.flavours, _SN_FLAVOURS))

    def _params(self) -> list[tuple[float, float, float]]:
        """(number fluence cm^-2, <E>, alpha) for each selected flavour."""
        lum = dict(self.luminosity_erg)  # type: ignore[arg-type]
        mean = dict(self.mean_energy_MeV)  # type: ignore[arg-type]
        alpha = dict(self.pinching)  # type: ignore[arg-type]
        area = sphere_area_cm2(self.distance_kpc * KILOPARSEC_CM)
        out = []
        for f in self.flavours:
            mult = 4.0 if f == "nux" else 1.0
            number = mult * lum[f] / (mean[f] * MEV_TO_ERG)
            out.append((number / area, mean[f], alpha[f]))
        return out

    def _continuum(self, E: FloatArray) -> FloatArray:
        out = np.zeros_like(E)
        inside = E <= self.E_cut_MeV
        e = E[inside]
        for fluence, mean, a in self._params():
            log_f = ((a + 1.0) * math.log(a + 1.0) - special.gammaln(a + 1.0)
                     - (a + 1.0) * math.log(mean) - (a + 1.0) * e / mean)
            with np.errstate(divide="ignore"):
                powe = np.where(e > 0.0, a * np.log(np.where(e > 0, e, 1.0)),
                                0.0 if a == 0.0 else -np.inf)
            out[inside] += fluence * np.exp(log_f + powe)
        return out

    def continuum_flux_integral(self) -> float:
        # ∫_0^Ec f dE = P(α+1, (α+1) Ec/<E>) (regularised lower incomplete gamma)
        return float(sum(fl * special.gammainc(a + 1.0, (a + 1.0) * self.E_cut_MeV / m)
                         for fl, m, a in self._params()))

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return (0.0, self.E_cut_MeV)

    @property
    def is_fluence(self) -> bool:
        return True

    def flavour_components(self) -> tuple[tuple[str, Source, float], ...]:
        """nu_e and anti-nu_e on their own; the ``"nux"`` fluence (four heavy flavours
        with one spectrum) as nu_mu, anti-nu_mu, nu_tau, anti-nu_tau, a quarter each."""
        out: list[tuple[str, Source, float]] = []
        for f in self.flavours:
            part = replace(self, flavours=(f,))
            if f == "nux":
                out += [(g, part, 0.25) for g in ("numu", "numubar", "nutau", "nutaubar")]
            else:
                out.append((f, part, 1.0))
        return tuple(out)

    @property
    def name(self) -> str:
        return f"supernova at {self.distance_kpc:g} kpc (fluence)"
