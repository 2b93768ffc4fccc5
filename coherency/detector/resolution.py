"""Detector resolution: the distribution P(x | mu) of the observable x around its mean.

docs/physics.md Eq. (11.3). A nuclear recoil of electron-equivalent energy E_ee gives a
mean observable mu = Y E_ee[keV] photoelectrons (light yield Y, PE per keVee) or mu =
E_ee[keV] keVee (Eq. 11.2); the resolution model spreads it. Each model is a small
frozen dataclass that :class:`coherency.detector.Response` turns into the record of the
compiled response kernel (:meth:`kernel_params`, parameters in units of x):

======================  ========  ===============================================
model                   x         P(x | mu)
======================  ========  ===============================================
:class:`PoissonPE`      PE        Poisson(n; mu), mu = Y E_ee (integer n)
:class:`GammaPE`        PE        gamma of mean mu and shape 1 + b E_ee
:class:`GaussianEnergy` keVee     Gaussian, sigma^2 = s0^2 + s1^2 E + s2^2 E^2
:class:`NoSmearing`     either    x = mu exactly
======================  ========  ===============================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from .. import _records, _validation
from .._records import ResolutionParams

__all__ = ["GammaPE", "GaussianEnergy", "NoSmearing", "PoissonPE", "ResolutionModel"]

#: FWHM / sigma of a Gaussian, 2 sqrt(2 ln 2) = 2.3548...
FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))


@runtime_checkable
class ResolutionModel(Protocol):
    """What :class:`coherency.detector.Response` reads from a resolution model.

    ``observable`` is ``"PE"``, ``"keVee"`` or ``"any"`` (:class:`NoSmearing`, whose x
    is in PE when the response has a light yield); ``light_yield_pe_per_keV`` is the
    model's own light yield (None for energy observables); :meth:`kernel_params` the
    record of the response kernel, for the light yield in use.
    """

    observable: ClassVar[str]

    @property
    def light_yield_pe_per_keV(self) -> float | None:
        """The light yield the model implies (PE per keVee), or None."""

    def kernel_params(self, light_yield_pe_per_keV: float | None = None) -> ResolutionParams:
        """The model as a :class:`coherency._records.ResolutionParams` in units of x,
        with the light yield ``light_yield_pe_per_keV`` (PE observables)."""


@dataclass(frozen=True)
class PoissonPE:
    """Integer photoelectron counts, Poisson of mean mu = Y E_ee[keV]
    (docs/physics.md Eq. 11.3).

    Parameters
    ----------
    light_yield_pe_per_keV : float
        Y, photoelectrons per keVee, > 0 (COHERENT CsI 2017: 13.348).

    Raises
    ------
    ValueError
        Y <= 0 or not finite.

    Examples
    --------
    >>> PoissonPE(13.348).kernel_params()
    ResolutionParams(model=1, p1=0.0, p2=0.0, p3=0.0)
    """

    light_yield_pe_per_keV: float
    observable: ClassVar[str] = "PE"

    def __post_init__(self) -> None:
        _validation.as_float(self.light_yield_pe_per_keV, "light_yield_pe_per_keV",
                             min_value=0.0, exclusive_min=True, unit="PE/keVee")

    @classmethod
    def coherent_csi_2017(cls) -> PoissonPE:
        """COHERENT CsI[Na] 2017: 13.348 PE per keVee (Akimov et al., Science 357
        (2017) 1123, data release arXiv:1804.09459)."""
        return cls(13.348)

    def kernel_params(self, light_yield_pe_per_keV: float | None = None) -> ResolutionParams:
        return ResolutionParams(_records.RES_POISSON)


@dataclass(frozen=True)
class GammaPE:
    """The COHERENT CsI 2021 gamma model of the photoelectron signal
    (docs/physics.md Eq. 11.3).

    P(x) = [a'(1+b')]^(1+b') / Gamma(1+b') x^b' exp(-a'(1+b') x) with a' = a/E_ee[keV]
    and b' = b E_ee[keV]: a gamma distribution of shape k = 1 + b' and scale
    theta = 1/(a'(1+b')), mean 1/a' = E_ee/a (13.35 PE per keVee for a = 0.0749).

    Parameters
    ----------
    a : float, keVee per PE
        > 0; its inverse is the light yield Y = 1/a.
    b : float, per keVee
        >= 0; the shape grows as 1 + b E_ee (b = 0: an exponential).

    Notes
    -----
    In terms of the mean mu = Y E_ee (PE) the shape is k = 1 + (b/Y) mu and the scale
    mu/k: the kernel's parameter is b/Y per PE. A response with a light yield of its
    own (a light-yield systematic) keeps k = 1 + b E_ee and moves the mean to Y E_ee.

    References
    ----------
    COHERENT, D. Akimov et al., PRL 129 (2022) 081801, arXiv:2110.07730, and its data
    release.

    Examples
    --------
    >>> g = GammaPE()
    >>> round(g.light_yield_pe_per_keV, 2)
    13.35
    >>> round(g.kernel_params().p1, 6)            # b / Y = a b, per PE
    0.716044
    """

    a: float = 0.0749
    b: float = 9.56
    observable: ClassVar[str] = "PE"

    def __post_init__(self) -> None:
        _validation.as_float(self.a, "a", min_value=0.0, exclusive_min=True, unit="keVee/PE")
        _validation.as_float(self.b, "b", min_value=0.0, unit="keVee^-1")

    @property
    def light_yield_pe_per_keV(self) -> float:
        return 1.0 / float(self.a)

    def kernel_params(self, light_yield_pe_per_keV: float | None = None) -> ResolutionParams:
        y = self.light_yield_pe_per_keV if light_yield_pe_per_keV is None else float(
            light_yield_pe_per_keV)
        return ResolutionParams(_records.RES_GAMMA, float(self.b) / y)


@dataclass(frozen=True)
class GaussianEnergy:
    """A Gaussian in electron-equivalent energy (x in keVee) with
    sigma^2 = sigma0^2 + sigma1^2 E + sigma2^2 E^2, E in keVee (docs/physics.md Eq. 11.3).

    Parameters
    ----------
    sigma0_keV : float, keVee
        Constant (noise) term, >= 0.
    sigma1 : float, keVee^(1/2)
        Statistical term: sigma/E = sigma1/sqrt(E), >= 0.
    sigma2 : float
        Constant relative term, >= 0.

    Notes
    -----
    COHERENT CENNS-10 Ar 2020: sigma/E = 0.58/sqrt(E[keV]), so sigma1 = 0.58
    (:meth:`coherent_ar_2020`). A germanium diode: sigma0 = FWHM_noise/2.355 and
    sigma1^2 = F eps with the Fano factor F and the pair energy eps in keV
    (:meth:`from_noise_and_fano`). The distribution extends below x = 0 (noise).

    Examples
    --------
    >>> GaussianEnergy.coherent_ar_2020()
    GaussianEnergy(sigma0_keV=0.0, sigma1=0.58, sigma2=0.0)
    >>> g = GaussianEnergy.from_noise_and_fano(0.2355, fano=0.11, pair_energy_eV=2.96)
    >>> round(g.sigma0_keV, 4), round(g.sigma1 ** 2 * 1e3, 4)   # keV; F eps in eV
    (0.1, 0.3256)
    """

    sigma0_keV: float = 0.0
    sigma1: float = 0.0
    sigma2: float = 0.0
    observable: ClassVar[str] = "keVee"

    def __post_init__(self) -> None:
        _validation.as_float(self.sigma0_keV, "sigma0_keV", min_value=0.0, unit="keVee")
        _validation.as_float(self.sigma1, "sigma1", min_value=0.0, unit="keVee^(1/2)")
        _validation.as_float(self.sigma2, "sigma2", min_value=0.0)

    @property
    def light_yield_pe_per_keV(self) -> None:
        """None: the observable is an energy."""
        return None

    @classmethod
    def coherent_ar_2020(cls) -> GaussianEnergy:
        """COHERENT CENNS-10 Ar 2020: sigma/E = 0.58/sqrt(E[keVee]) (Akimov et al.,
        PRL 126 (2021) 012002, arXiv:2003.10630)."""
        return cls(sigma1=0.58)

    @classmethod
    def from_noise_and_fano(cls, noise_fwhm_keV: float, fano: float,
                            pair_energy_eV: float) -> GaussianEnergy:
        """A semiconductor diode: sigma0 = noise FWHM / (2 sqrt(2 ln 2)) and
        sigma1^2 = F eps (germanium: F ~ 0.1-0.13, eps = 2.96 eV at 77 K).

        Parameters
        ----------
        noise_fwhm_keV : float, keVee
            FWHM of the electronic noise (pulser), >= 0.
        fano : float
            Fano factor, >= 0.
        pair_energy_eV : float, eV
            Mean energy per electron-hole pair, > 0.
        """
        fwhm = _validation.as_float(noise_fwhm_keV, "noise_fwhm_keV", min_value=0.0,
                                    unit="keVee")
        f = _validation.as_float(fano, "fano", min_value=0.0)
        eps = _validation.as_float(pair_energy_eV, "pair_energy_eV", min_value=0.0,
                                   exclusive_min=True, unit="eV")
        return cls(sigma0_keV=fwhm / FWHM_PER_SIGMA, sigma1=math.sqrt(f * eps * 1e-3))

    def kernel_params(self, light_yield_pe_per_keV: float | None = None) -> ResolutionParams:
        return ResolutionParams(_records.RES_GAUSS, float(self.sigma0_keV),
                                float(self.sigma1), float(self.sigma2))


@dataclass(frozen=True)
class NoSmearing:
    """No smearing: x = mu exactly (docs/physics.md Eq. 11.3). The observable is in PE
    when the response has a light yield, in keVee otherwise.

    Examples
    --------
    >>> NoSmearing().kernel_params()
    ResolutionParams(model=0, p1=0.0, p2=0.0, p3=0.0)
    """

    observable: ClassVar[str] = "any"

    @property
    def light_yield_pe_per_keV(self) -> None:
        """None: the light yield, if any, is the response's."""
        return None

    def kernel_params(self, light_yield_pe_per_keV: float | None = None) -> ResolutionParams:
        return ResolutionParams(_records.RES_NONE)
