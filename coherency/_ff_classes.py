"""The form-factor models (docs/physics.md §3): the :class:`FormFactor` base, the
unit form factor, Helm (Eqs. (3.1), (3.2)), Klein-Nystrand (Eq. (3.3)), the
symmetrized Fermi form factor (Eq. (3.4)) and models sized by a measured rms radius
(§3.2, Eq. (3.8)).

Each model is a frozen dataclass of lengths in fm, with its kernel id from the registry
(:mod:`coherency._ff_models`); F(q) runs in the compiled kernels (q in MeV, lengths
converted with hbar c). Part of :mod:`coherency.form_factors`, which re-exports every
public name.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from . import _backend, _ff_models, _validation
from ._records import FormFactorParams
from ._typing import FloatOrArray
from .constants import HBARC_MEV_FM
from .targets import Nucleus


def _mass_number(A: Any) -> float:
    """A mass number (> 0) from a number or a :class:`~coherency.targets.Nucleus`."""
    if isinstance(A, Nucleus):
        return float(A.A)
    return _validation.as_float(A, "A", min_value=0.0, exclusive_min=True)


SizeLike = float | Nucleus
"""What sets a model's size: a mass number A, or a nucleus (Z and A; the models
with measured radii need it)."""


class FormFactor(ABC):
    """A nuclear form factor model F(q; A), normalised to F(0) = 1."""

    model_id: ClassVar[int]
    name: ClassVar[str]

    @abstractmethod
    def lengths_fm(self, A: SizeLike) -> tuple[float, float]:
        """The model's two lengths (fm) for mass number ``A``."""

    @abstractmethod
    def rms_radius_fm(self, A: SizeLike) -> float:
        """Root-mean-square radius (fm) of the density behind F."""

    @abstractmethod
    def with_rms_radius(self, r_rms_fm: float) -> FormFactor:
        """Same model with its size fixed so that the rms radius is ``r_rms_fm``."""

    def kernel_params(self, A: SizeLike) -> FormFactorParams:
        """(model id, p1, p2) with lengths in MeV^-1, as the kernels take them."""
        p1, p2 = self.lengths_fm(A)
        return FormFactorParams(self.model_id, p1 / HBARC_MEV_FM, p2 / HBARC_MEV_FM)

    def panel_dq(self, A: SizeLike) -> float:
        """Momentum span (MeV) of one oscillation of F^2: pi hbar c / radius."""
        p1 = self.lengths_fm(A)[0]
        return math.pi * HBARC_MEV_FM / p1 if p1 > 0 else 0.0

    def __call__(self, q: npt.ArrayLike, A: SizeLike, n_threads: int = 1) -> FloatOrArray:
        """F(q) for mass number ``A``; q in MeV (>= 0); ``n_threads``: threads of the
        compiled loop, an int in [1, 1024], of which at most the CPUs available to the
        process are used (``coherency.config()["cpus_available"]``); small inputs run on
        one thread; the result does not depend on it."""
        nt = _validation.check_threads(n_threads)
        qf = _validation.plain_float(q)
        af = _validation.plain_float(A)
        if af is None:  # A as a 0-d array: the same number as a float
            af = _validation.size1_float(A)
        if qf is not None and af is not None and qf >= 0.0 and af > 0.0:
            # Scalar fast path: the arithmetic of kernel_params, the same C routine on
            # one point.
            p1, p2 = self.lengths_fm(af)
            return float(_backend.kernels().form_factor_scalar(
                qf, self.model_id, p1 / HBARC_MEV_FM, p2 / HBARC_MEV_FM))
        if af is not None and af > 0.0 and type(q) is np.ndarray:
            # a small float64 array (<= SMALL_MAX elements): one compiled call
            p1, p2 = self.lengths_fm(af)
            small = _backend.kernels().small_form_factor(q, self.model_id, p1 / HBARC_MEV_FM,
                                                         p2 / HBARC_MEV_FM)
            if small is not None:
                return small
        if not isinstance(A, Nucleus):
            A = _mass_number(A)
        arr = _validation.as_float_array(q, "q", min_value=0.0, unit="MeV", n_threads=nt)
        ff = self.kernel_params(A)
        out = np.empty(arr.size)
        _backend.kernels().form_factor(_validation.flat(arr), ff.model, ff.p1, ff.p2, out, nt)
        return _validation.restore_shape(out, arr.shape)


@dataclass(frozen=True)
class Unity(FormFactor):
    """F = 1: complete coherency (Sharma & Wong Table 1)."""

    model_id: ClassVar[int] = _ff_models.UNITY.id
    name: ClassVar[str] = _ff_models.UNITY.name

    def lengths_fm(self, A: SizeLike) -> tuple[float, float]:
        return 0.0, 0.0

    def rms_radius_fm(self, A: SizeLike) -> float:
        return 0.0

    def with_rms_radius(self, r_rms_fm: float) -> FormFactor:
        raise ValueError("the unit form factor has no radius to set")


def _check_length(value: float | None, name: str, *, positive: bool = False,
                  optional: bool = False, signed: bool = False) -> None:
    """A length parameter in [0, LENGTH_MAX_FM] fm ([-100, 100] fm when ``signed``)."""
    if value is not None or not optional:
        _validation.check_length(value, name, positive=positive, signed=signed)


def _derived_length(value: float, what: str, A: float, params: str) -> float:
    """The first length a model derives for mass number A, in (0, LENGTH_MAX_FM] fm."""
    if not value <= _validation.LENGTH_MAX_FM:
        raise ValueError(f"{what} = {value:g} fm for A = {A:g} must be <= "
                         f"{_validation.LENGTH_MAX_FM:g} fm (LENGTH_MAX_FM); {params}")
    return value


@dataclass(frozen=True)
class Helm(FormFactor):
    """Helm form factor, Sharma & Wong Eq. 7: F = 3 j1(q R0)/(q R0) exp(-q^2 s^2 / 2).

    R0^2 = c^2 + (7/3) pi^2 a^2 - 5 s^2 with c = r_coeff_fm A^(1/3) + r_offset_fm.
    The defaults are Sharma & Wong's (s = 0.5 fm, R = 1.2 A^(1/3) fm, a = 0, so
    R0^2 = R^2 - 5 s^2); :meth:`lewin_smith` gives the dark-matter convention
    (Lewin & Smith, Astropart. Phys. 6 (1996) 87). ``radius_fm`` fixes R0 directly.
    """

    r_coeff_fm: float = 1.2
    s_fm: float = 0.5
    r_offset_fm: float = 0.0
    a_fm: float = 0.0
    radius_fm: float | None = None

    model_id: ClassVar[int] = _ff_models.HELM.id
    name: ClassVar[str] = _ff_models.HELM.name

    def __post_init__(self) -> None:
        _check_length(self.r_coeff_fm, "r_coeff_fm")
        _check_length(self.s_fm, "s_fm")
        _check_length(self.a_fm, "a_fm")
        _check_length(self.radius_fm, "radius_fm", optional=True)
        _check_length(self.r_offset_fm, "r_offset_fm", signed=True)

    @classmethod
    def lewin_smith(cls) -> Helm:
        """s = 0.9 fm, a = 0.52 fm, c = 1.23 A^(1/3) - 0.60 fm (Lewin & Smith 1996)."""
        return cls(r_coeff_fm=1.23, s_fm=0.9, r_offset_fm=-0.60, a_fm=0.52)

    def lengths_fm(self, A: SizeLike) -> tuple[float, float]:
        if self.radius_fm is not None:
            return self.radius_fm, self.s_fm
        A = _mass_number(A)
        c = self.r_coeff_fm * A ** (1.0 / 3.0) + self.r_offset_fm
        # products, not **: float ** raises OverflowError where * gives inf
        r0_sq = (c * c + (7.0 / 3.0) * math.pi**2 * self.a_fm * self.a_fm
                 - 5.0 * self.s_fm * self.s_fm)
        if not math.isfinite(r0_sq):
            raise ValueError(
                f"Helm radius R0^2 = {r0_sq:g} fm^2 must be finite for A = {A:g}; lengths "
                f"r_coeff_fm = {self.r_coeff_fm:g}, s_fm = {self.s_fm:g}, a_fm = {self.a_fm:g} fm "
                "are too large"
            )
        if r0_sq < 0.0:
            raise ValueError(
                f"Helm radius R0^2 = {r0_sq:.4g} fm^2 < 0 for A = {A:g}: R0^2 = c^2 + "
                f"(7/3) pi^2 a_fm^2 - 5 s_fm^2 with c = r_coeff_fm A^(1/3) + r_offset_fm "
                f"= {c:.4g} fm (r_coeff_fm = {self.r_coeff_fm:g}, r_offset_fm = "
                f"{self.r_offset_fm:g}), a_fm = {self.a_fm:g}, s_fm = {self.s_fm:g}: c "
                f"is too small for the skin thickness s_fm"
            )
        return _derived_length(math.sqrt(r0_sq), "Helm radius R0", A,
                               f"r_coeff_fm = {self.r_coeff_fm:g}"), self.s_fm

    def rms_radius_fm(self, A: SizeLike) -> float:
        r0, s = self.lengths_fm(A)
        return math.sqrt(0.6 * r0 * r0 + 3.0 * s * s)

    def with_rms_radius(self, r_rms_fm: float) -> Helm:
        r = _validation.check_length(r_rms_fm, "r_rms_fm")
        r0_sq = (r * r - 3.0 * self.s_fm**2) / 0.6
        if r0_sq < 0:
            raise ValueError(f"r_rms_fm must be >= sqrt(3) s = {math.sqrt(3) * self.s_fm:g} fm")
        return replace(self, radius_fm=math.sqrt(r0_sq))


@dataclass(frozen=True)
class KleinNystrand(FormFactor):
    """Klein-Nystrand: hard sphere of radius R_A = r_coeff_fm A^(1/3) folded with a
    Yukawa of range a: F = 3 j1(q R_A)/(q R_A) / (1 + q^2 a^2)
    (Klein & Nystrand, PRC 60 (1999) 014903; a = 0.7 fm)."""

    r_coeff_fm: float = 1.2
    a_fm: float = 0.7
    radius_fm: float | None = None

    model_id: ClassVar[int] = _ff_models.KLEIN_NYSTRAND.id
    name: ClassVar[str] = _ff_models.KLEIN_NYSTRAND.name

    def __post_init__(self) -> None:
        _check_length(self.r_coeff_fm, "r_coeff_fm")
        _check_length(self.a_fm, "a_fm")
        _check_length(self.radius_fm, "radius_fm", optional=True)

    def lengths_fm(self, A: SizeLike) -> tuple[float, float]:
        if self.radius_fm is not None:
            return self.radius_fm, self.a_fm
        A = _mass_number(A)
        r = _derived_length(self.r_coeff_fm * A ** (1.0 / 3.0), "Klein-Nystrand radius R_A",
                            A, f"r_coeff_fm = {self.r_coeff_fm:g}")
        return r, self.a_fm

    def rms_radius_fm(self, A: SizeLike) -> float:
        r, a = self.lengths_fm(A)
        return math.sqrt(0.6 * r * r + 6.0 * a * a)

    def with_rms_radius(self, r_rms_fm: float) -> KleinNystrand:
        r = _validation.check_length(r_rms_fm, "r_rms_fm")
        ra_sq = (r * r - 6.0 * self.a_fm**2) / 0.6
        if ra_sq < 0:
            raise ValueError(f"r_rms_fm must be >= sqrt(6) a = {math.sqrt(6) * self.a_fm:g} fm")
        return replace(self, radius_fm=math.sqrt(ra_sq))


@dataclass(frozen=True)
class SymmetrizedFermi(FormFactor):
    """Symmetrized Fermi density, half-density radius c = r_coeff_fm A^(1/3) +
    r_offset_fm and diffuseness a (defaults: Lewin-Smith's c and a = 0.52 fm).

    F = 3/(qc[(qc)^2 + (pi q a)^2]) [pi q a / sinh(pi q a)]
        [pi q a coth(pi q a) sin(qc) - qc cos(qc)]
    (Sprung & Martorell, J. Phys. A 30 (1997) 6525), computed without cancellation.
    """

    r_coeff_fm: float = 1.23
    r_offset_fm: float = -0.60
    a_fm: float = 0.52
    radius_fm: float | None = None

    model_id: ClassVar[int] = _ff_models.SYMMETRIZED_FERMI.id
    name: ClassVar[str] = _ff_models.SYMMETRIZED_FERMI.name

    def __post_init__(self) -> None:
        _check_length(self.r_coeff_fm, "r_coeff_fm")
        _check_length(self.a_fm, "a_fm")
        _check_length(self.radius_fm, "radius_fm", positive=True, optional=True)
        _check_length(self.r_offset_fm, "r_offset_fm", signed=True)

    def lengths_fm(self, A: SizeLike) -> tuple[float, float]:
        if self.radius_fm is not None:
            return self.radius_fm, self.a_fm
        A = _mass_number(A)
        c = self.r_coeff_fm * A ** (1.0 / 3.0) + self.r_offset_fm
        if c <= 0:
            raise ValueError(f"symmetrized Fermi radius c = {c:g} fm <= 0 for A = {A:g} "
                             f"(c = r_coeff_fm A^(1/3) + r_offset_fm; r_coeff_fm = "
                             f"{self.r_coeff_fm:g}, r_offset_fm = {self.r_offset_fm:g})")
        return _derived_length(c, "symmetrized Fermi radius c", A,
                               f"r_coeff_fm = {self.r_coeff_fm:g}"), self.a_fm

    def rms_radius_fm(self, A: SizeLike) -> float:
        c, a = self.lengths_fm(A)
        return math.sqrt(0.6 * c * c + 1.4 * math.pi**2 * a * a)

    def with_rms_radius(self, r_rms_fm: float) -> SymmetrizedFermi:
        r = _validation.check_length(r_rms_fm, "r_rms_fm")
        c_sq = (r * r - 1.4 * math.pi**2 * self.a_fm**2) / 0.6
        if c_sq <= 0:
            raise ValueError("r_rms_fm is too small for the diffuseness a_fm")
        return replace(self, radius_fm=math.sqrt(c_sq))


#: The class of each model of the registry (coherency._ff_models), read by the names
#: ``form_factor=`` accepts; importing coherency fails when a registered model has none.
MODEL_CLASSES: tuple[type[FormFactor], ...] = (Unity, Helm, KleinNystrand, SymmetrizedFermi)


_MEASURED_MODELS = {
    # model name -> (class, name of its shape length, default shape length in fm)
    "helm": (Helm, "s_fm", 0.9),
    "klein-nystrand": (KleinNystrand, "a_fm", 0.7),
    "symmetrized-fermi": (SymmetrizedFermi, "a_fm", 0.52),
}


@dataclass(frozen=True)
class MeasuredRadius(FormFactor):
    """A form-factor model sized, nucleus by nucleus, by a measured rms radius
    (docs/physics.md §3.2, Eq. (3.8)).

    Parameters
    ----------
    model : {"helm", "klein-nystrand", "symmetrized-fermi"}
        The shape of the density.
    nucleon : {"proton", "neutron"}
        ``"proton"``: the point-proton rms radius of the measured charge radius
        (Angeli & Marinova 2013, :func:`coherency.nuclear_radii.proton_radius_fm`);
        ``"neutron"``: that plus a neutron skin.
    skin_fm : float, fm, optional
        R_n - R_p for ``nucleon="neutron"``; default the systematics of Trzcinska et
        al. (2001), :func:`coherency.nuclear_radii.neutron_skin_fm`.
    shape_fm : float, fm, optional
        The model's second length: Helm's surface thickness s (default 0.9 fm, as
        Lewin & Smith), Klein-Nystrand's Yukawa range a (0.7 fm), the symmetrized
        Fermi diffuseness a (0.52 fm).

    Needs a :class:`~coherency.targets.Nucleus` (Z and A), not only a mass number.

    Examples
    --------
    >>> from coherency import nucleus
    >>> ff = MeasuredRadius("helm", "neutron")
    >>> cs = nucleus("Cs133")
    >>> round(ff.rms_radius_fm(cs) - MeasuredRadius("helm").rms_radius_fm(cs), 4)
    0.1347
    """

    model: str = "helm"
    nucleon: str = "proton"
    skin_fm: float | None = None
    shape_fm: float | None = None

    name: ClassVar[str] = "measured-radius"

    def __post_init__(self) -> None:
        _validation.check_choice(self.model, "model", tuple(_MEASURED_MODELS))
        _validation.check_choice(self.nucleon, "nucleon", ("proton", "neutron"))
        if self.skin_fm is not None:
            if self.nucleon != "neutron":
                raise ValueError("skin_fm applies to nucleon='neutron' only")
            object.__setattr__(self, "skin_fm", _validation.as_float(
                self.skin_fm, "skin_fm", min_value=-1.0, max_value=3.0, unit="fm"))
        if self.shape_fm is not None:
            object.__setattr__(self, "shape_fm", _validation.as_float(
                self.shape_fm, "shape_fm", min_value=0.0, max_value=10.0, unit="fm"))

    @property
    def base(self) -> FormFactor:
        """The model with its shape length, before its size is set."""
        cls, shape_name, default = _MEASURED_MODELS[self.model]
        shape = default if self.shape_fm is None else self.shape_fm
        return cls(**{shape_name: shape})

    @property  # type: ignore[misc]
    def model_id(self) -> int:  # type: ignore[override]
        return self.base.model_id

    def _nucleus(self, A: SizeLike) -> Nucleus:
        if not isinstance(A, Nucleus):
            raise ValueError(
                f"a form factor with measured radii needs the nucleus (Z and A), not only "
                f"A = {A!r}; pass a coherency.Nucleus")
        return A

    def rms_radius_fm(self, A: SizeLike) -> float:
        from . import nuclear_radii

        nuc = self._nucleus(A)
        if self.nucleon == "proton":
            return nuclear_radii.proton_radius_fm(nuc)
        return nuclear_radii.neutron_radius_fm(nuc, self.skin_fm)

    def lengths_fm(self, A: SizeLike) -> tuple[float, float]:
        return self.base.with_rms_radius(self.rms_radius_fm(A)).lengths_fm(A)

    def with_rms_radius(self, r_rms_fm: float) -> FormFactor:
        return self.base.with_rms_radius(r_rms_fm)
