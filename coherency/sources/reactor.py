"""Reactor ν̄_e: fission fragments (Huber–Mueller above 2 MeV, Vogel–Engel below) and
²³⁸U neutron capture (docs/physics.md §5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import integrate

from .. import _validation
from .._cache import memoize
from .._typing import FloatArray, FloatOrArray
from ..constants import MEV_TO_JOULE
from ._base import Source, check_positive, sphere_area_cm2
from ._beta import beta_minus_norm, beta_minus_unnormalised

__all__ = ["REACTOR_TAILS", "Reactor"]

_ISOTOPES = ("U235", "U238", "Pu239", "Pu241")
# ln S_k(E) = sum_i a_i E^i, nu per fission per MeV, 2-8 MeV.
# Huber, PRC 84 (2011) 024617, Table III (U235, Pu239, Pu241);
# Mueller et al., PRC 83 (2011) 054615, Table VI (U238). Numbers as in docs/physics.md §5.
_HUBER_MUELLER = {
    "U235": (4.367, -4.577, 2.100, -0.5294, 0.06186, -0.002777),
    "U238": (0.4833, 0.1927, -0.1283, -0.006762, 0.002233, -0.0001536),
    "Pu239": (4.757, -5.392, 2.563, -0.6596, 0.07820, -0.003536),
    "Pu241": (2.990, -2.882, 1.278, -0.3343, 0.03905, -0.001754),
}
# Low-energy extension, ln S = a0 + a1 E + a2 E^2: Vogel & Engel, PRD 39 (1989) 3378,
# Table I (the quadratic fits). Rescaled per isotope to join Huber/Mueller continuously
# at 2 MeV (the jump they remove is 0.4-10 %).
_VOGEL_ENGEL = {
    "U235": (0.870, -0.160, -0.0910),
    "U238": (0.976, -0.162, -0.0790),
    "Pu239": (0.896, -0.239, -0.0981),
    "Pu241": (0.793, -0.080, -0.1085),
}
# Energy released per fission (MeV): Ma et al., PRC 88 (2013) 014605 (docs/physics.md §5).
_ENERGY_PER_FISSION_MEV = {"U235": 202.36, "U238": 205.99, "Pu239": 211.12, "Pu241": 214.26}
_DEFAULT_FISSION_FRACTIONS = {"U235": 0.58, "U238": 0.07, "Pu239": 0.30, "Pu241": 0.05}
_REACTOR_JOIN_MEV = 2.0
_REACTOR_FIT_END_MEV = 8.0
#: Treatments of the spectrum above the fits' 8 MeV end (docs/physics.md §5):
#: "exponential", the fits continued exponentially from their value at 8 MeV with
#: their mean logarithmic slope over 7-8 MeV (the default; an assumed +-50 % on the
#: tail, the spread of the summation-method and Daya Bay unfolded spectra above
#: 8 MeV); "polynomial", the exp-polynomial fits extrapolated as they are; "none", no
#: neutrinos above 8 MeV.
REACTOR_TAILS = ("exponential", "polynomial", "none")
# Neutron capture on 238U: 238U(n,g)239U -> 239Np -> 239Pu, one anti-nu_e per beta decay,
# two per capture. Captures per fission in a power reactor ~0.6 (Kopeikin, Mikaelyan &
# Sinev, Phys. At. Nucl. 67 (2004) 1892; the same 0.6 enters the TEXONO KSNL flux,
# Wong et al., PRD 75 (2007) 012001). Q values (MeV) = atomic-mass differences
# (AME2020, Wang et al., Chin. Phys. C 45 (2021) 030003): 239U -> 239Np 1.2617,
# 239Np -> 239Pu 0.7227 (half-lives 23.45 min and 2.356 d: in equilibrium during
# operation). Entries: (Q MeV, daughter Z, A).
_U238_CAPTURE_BETAS = {"U239": (1.2617, 93, 239), "Np239": (0.7227, 94, 239)}
_DEFAULT_U238_CAPTURES_PER_FISSION = 0.6


def _poly(coeffs: tuple[float, ...], E: FloatArray) -> FloatArray:
    return np.asarray(np.polynomial.polynomial.polyval(E, coeffs), dtype=np.float64)


@dataclass(frozen=True)
class Reactor(Source):
    """Reactor ν̄_e from fission fragments (docs/physics.md §5).

    Parameters
    ----------
    power_GW : float, GW
        Thermal power (> 0).
    distance_m : float, m
        Distance to the core (> 0).
    fission_fractions : mapping, optional
        Fractions of fissions from U235, U238, Pu239, Pu241 (>= 0, summing to 1 within
        1e-6); default 0.58/0.07/0.30/0.05.
    E_high : float, MeV
        Upper end of the spectrum, 8 <= E_high <= 12 (default 10).
    tail : {"exponential", "polynomial", "none"}
        The spectrum above the fits' 8 MeV end (:data:`REACTOR_TAILS`): by default
        S_k(8 MeV) exp[-lambda_k (E - 8 MeV)] with lambda_k the fit's mean logarithmic
        slope over 7-8 MeV (:meth:`tail_slope`, 1.5-2.3 MeV^-1; the value is continuous
        at 8 MeV); "polynomial" the fits themselves extrapolated; "none" a cut at 8 MeV.
    u238_capture_per_fission : float
        Neutron captures on ²³⁸U per fission (>= 0, default 0.6; 0 switches the
        component off). Each capture gives two ν̄_e, from ²³⁹U (Q = 1.2617 MeV) and
        ²³⁹Np (Q = 0.7227 MeV) β⁻ decays.

    Notes
    -----
    S_k(E) = exp(Σ a_i Eⁱ) per fission per MeV: Huber (U235, Pu239, Pu241) and Mueller
    (U238) on 2–8 MeV. Below 2 MeV: the Vogel–Engel shapes exp(a0 + a1 E + a2 E²),
    each multiplied by the constant that makes S_k continuous at 2 MeV (the slope is not
    continuous: 2 MeV is a breakpoint). Above 8 MeV, where no fit was made, ``tail``
    decides (docs/physics.md Eq. (5.2a)); the default exponential continuation gives
    ≈ 6.7e-4 ν̄/fission beyond 8 MeV (a continuation, not a measurement: take ±50 %;
    the Daya Bay unfolded spectrum and summation calculations give 3-5e-4). Fissions
    per second = P / Σ f_k E_k; flux = that × Σ f_k S_k / (4π L²).

    Neutron capture on ²³⁸U (on by default, 0.6 captures per fission, Kopeikin et al.
    2004) adds 2 × 0.6 = 1.2 ν̄ per fission below 1.27 MeV: allowed β⁻ spectra
    E² p W F(Z, W), W = Q − E + m_e, of the ground-state transitions ²³⁹U → ²³⁹Np and
    ²³⁹Np → ²³⁹Pu (the decays mostly feed excited states, so the true spectra are
    softer; the count is exact). These ν̄ give nuclear recoils below 50 eV in Ge and do
    not change CEvNS rates above realistic thresholds, but they are part of the total
    flux. With the defaults a reactor gives 5.52 (fragments) + 1.2 = 6.72 ν̄ per
    fission, 7 % below the ≈ 7.2 often quoted: the Vogel–Engel fits extrapolated below
    2 MeV give fewer fragment ν̄ than summation calculations (≈ 6 per fission).

    Examples
    --------
    >>> r = Reactor(power_GW=2.9, distance_m=28.0)
    >>> r.breakpoints
    (0.0, 0.7227, 1.2617, 2.0, 8.0, 10.0)
    >>> round(r.nu_per_fission(), 2), round(r.nu_per_fission(include_capture=False), 2)
    (6.72, 5.52)
    """

    power_GW: float
    distance_m: float
    fission_fractions: tuple[tuple[str, float], ...] | Mapping[str, float] | None = None
    E_high: float = 10.0
    u238_capture_per_fission: float = _DEFAULT_U238_CAPTURES_PER_FISSION
    tail: str = "exponential"

    def __post_init__(self) -> None:
        object.__setattr__(self, "power_GW", check_positive(self.power_GW, "power_GW", "GW"))
        object.__setattr__(self, "u238_capture_per_fission", _validation.as_float(
            self.u238_capture_per_fission, "u238_capture_per_fission", min_value=0.0,
            max_value=2.0, unit="captures per fission"))
        object.__setattr__(self, "distance_m",
                           check_positive(self.distance_m, "distance_m", "m"))
        object.__setattr__(self, "E_high",
                           _validation.as_float(self.E_high, "E_high", min_value=8.0,
                                                max_value=12.0, unit="MeV"))
        _validation.check_choice(self.tail, "tail", REACTOR_TAILS)
        ff = self.fission_fractions
        if ff is None:
            ff = _DEFAULT_FISSION_FRACTIONS
        ff = dict(ff)
        unknown = [k for k in ff if k not in _ISOTOPES]
        if unknown:
            raise ValueError(f"fission_fractions keys must be among {_ISOTOPES}; got "
                             f"{unknown[0]!r}")
        values = {k: _validation.as_float(ff.get(k, 0.0), f"fission_fractions[{k!r}]",
                                          min_value=0.0, max_value=1.0)
                  for k in _ISOTOPES}
        total = sum(values.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"fission_fractions must sum to 1; got {total!r}")
        object.__setattr__(self, "fission_fractions", tuple(values.items()))

    @property
    def fractions(self) -> dict[str, float]:
        """Fission fractions as a dict."""
        return dict(self.fission_fractions)  # type: ignore[arg-type]

    @staticmethod
    @memoize("reactor low-energy joins", per_backend=False)
    def _ve_scale(iso: str) -> float:
        e = np.array([_REACTOR_JOIN_MEV])
        return float(np.exp(_poly(_HUBER_MUELLER[iso], e) - _poly(_VOGEL_ENGEL[iso], e))[0])

    @staticmethod
    def tail_slope(isotope: str) -> float:
        """lambda_k = [ln S_k(7 MeV) - ln S_k(8 MeV)] / 1 MeV (MeV^-1): the exponential
        tail's slope, the fit's mean logarithmic slope over its last MeV (the slope at
        the very end of a polynomial fit is its least constrained number)."""
        _validation.check_choice(isotope, "isotope", _ISOTOPES)
        e = np.array([_REACTOR_FIT_END_MEV - 1.0, _REACTOR_FIT_END_MEV])
        ln_s = _poly(_HUBER_MUELLER[isotope], e)
        return float(ln_s[0] - ln_s[1])

    @classmethod
    def isotope_spectrum(cls, isotope: str, E: npt.ArrayLike,
                         E_high: float = 10.0, tail: str = "exponential") -> FloatOrArray:
        """ν̄ per fission per MeV of one isotope (with both extensions).

        Examples
        --------
        >>> below, at = Reactor.isotope_spectrum("U235", [2.0 - 1e-12, 2.0])
        >>> bool(abs(below / at - 1.0) < 1e-9)      # continuous at the 2 MeV junction
        True
        """
        _validation.check_choice(isotope, "isotope", _ISOTOPES)
        _validation.check_choice(tail, "tail", REACTOR_TAILS)
        arr = _validation.as_float_array(E, "E", min_value=0.0, unit="MeV")
        e = _validation.flat(arr)
        low = e < _REACTOR_JOIN_MEV
        end = E_high if tail == "polynomial" else _REACTOR_FIT_END_MEV
        fit = (e >= _REACTOR_JOIN_MEV) & (e <= end)
        out = np.zeros_like(e)
        out[low] = cls._ve_scale(isotope) * np.exp(_poly(_VOGEL_ENGEL[isotope], e[low]))
        out[fit] = np.exp(_poly(_HUBER_MUELLER[isotope], e[fit]))
        if tail == "exponential":
            above = (e > _REACTOR_FIT_END_MEV) & (e <= E_high)
            s8 = float(np.exp(_poly(_HUBER_MUELLER[isotope], np.array([end])))[0])
            out[above] = s8 * np.exp(-cls.tail_slope(isotope) * (e[above] - end))
        return _validation.restore_shape(out, arr.shape)

    @property
    def mean_energy_per_fission_MeV(self) -> float:
        """Σ f_k E_k (MeV)."""
        return float(sum(f * _ENERGY_PER_FISSION_MEV[k] for k, f in self.fractions.items()))

    @property
    def fissions_per_s(self) -> float:
        """Thermal power / mean energy per fission."""
        return self.power_GW * 1e9 / (self.mean_energy_per_fission_MeV * MEV_TO_JOULE)

    @staticmethod
    def capture_spectrum(E: npt.ArrayLike) -> FloatOrArray:
        """ν̄ per ²³⁸U capture per MeV: ²³⁹U + ²³⁹Np allowed β⁻ shapes (integral 2).

        Examples
        --------
        >>> from scipy.integrate import quad
        >>> round(quad(Reactor.capture_spectrum, 0.0, 1.2617, points=[0.7227])[0], 9)
        2.0
        """
        arr = _validation.as_float_array(E, "E", min_value=0.0, unit="MeV")
        e = _validation.flat(arr)
        out = np.zeros_like(e)
        for Q, Z, A in _U238_CAPTURE_BETAS.values():
            out += beta_minus_unnormalised(e, Q, Z, A) / beta_minus_norm(Q, Z, A)
        return _validation.restore_shape(out, arr.shape)

    def _per_fission(self, E: FloatArray, include_capture: bool = True) -> FloatArray:
        out = np.zeros_like(E)
        for k, f in self.fractions.items():
            if f > 0.0:
                out += f * np.asarray(self.isotope_spectrum(k, E, self.E_high, self.tail))
        if include_capture and self.u238_capture_per_fission > 0.0:
            out += self.u238_capture_per_fission * np.asarray(self.capture_spectrum(E))
        return out

    def nu_per_fission(self, include_capture: bool = True) -> float:
        """ν̄ per fission integrated over [0, E_high].

        Parameters
        ----------
        include_capture : bool
            Include the 2 × ``u238_capture_per_fission`` ν̄ from ²³⁸U neutron capture
            (default); ``False`` gives the fission fragments alone.
        """
        bp = self.breakpoints
        return float(sum(
            integrate.quad(lambda e: float(self._per_fission(np.array([e]),
                                                             include_capture)[0]),
                           lo, hi, epsabs=0.0, epsrel=1e-12)[0]
            for lo, hi in zip(bp[:-1], bp[1:])))

    def _continuum(self, E: FloatArray) -> FloatArray:
        scale = self.fissions_per_s / sphere_area_cm2(self.distance_m * 100.0)
        return scale * self._per_fission(E)

    def continuum_flux_integral(self) -> float:
        area = sphere_area_cm2(self.distance_m * 100.0)
        return self.fissions_per_s / area * self.nu_per_fission()

    @property
    def breakpoints(self) -> tuple[float, ...]:
        ends: tuple[float, ...] = ()
        if self.u238_capture_per_fission > 0.0:
            ends = tuple(sorted(q for q, _, _ in _U238_CAPTURE_BETAS.values()))
        top = (self.E_high,) if self.tail != "none" else ()
        return (0.0, *ends, _REACTOR_JOIN_MEV, _REACTOR_FIT_END_MEV, *top)

    def flavour_components(self) -> tuple[tuple[str, Source, float], ...]:
        """Electron antineutrinos only (fission fragments and 238U capture)."""
        return (("nuebar", self, 1.0),)

    @property
    def name(self) -> str:
        return f"reactor {self.power_GW:g} GW at {self.distance_m:g} m"
