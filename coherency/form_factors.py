"""Nuclear form factors F(q): Helm (Sharma & Wong Eq. 7, Lewin-Smith variant),
Klein-Nystrand, symmetrized Fermi, and user callables.

``q`` is the three-momentum transfer in MeV (q^2 = 2 M T), any finite q >= 0; lengths
are in fm and converted with hbar c. F(0) = 1 exactly and 0 <= |F| <= 1 for every
model here. Domain of the lengths (docs/physics.md §12): every length parameter in
[0, 100] fm (``LENGTH_MAX_FM``; offsets and skins in [-100, 100] fm), and the first
length a model derives for a nucleus (R0, R_A, c) at most 100 fm; a ``ValueError``
names the parameter otherwise.
Separate proton and neutron form factors (a neutron skin) are described by
:class:`NuclearFormFactors`.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from . import _backend, _ff_models, _validation
from ._cache import BoundedDict
from ._records import FormFactorParams
from ._typing import FloatOrArray
from .constants import HBARC_MEV_FM
from .targets import Nucleus


def spherical_j1(x: npt.ArrayLike) -> FloatOrArray:
    """Spherical Bessel function of the first kind of order 1.

    Parameters
    ----------
    x : array_like
        Real argument (any sign; j1 is odd).

    Returns
    -------
    float or ndarray
        j1(x) = sin x / x^2 - cos x / x, with the shape of ``x``.

    Notes
    -----
    Below ``|x| = 1`` a ten-term series of 3 j1(x)/x (docs/physics.md §3)
    replaces the closed form, which cancels catastrophically for small x.

    Examples
    --------
    >>> spherical_j1(0.0)
    0.0
    >>> abs(spherical_j1(1e-8) - 1e-8 / 3) < 1e-30
    True
    """
    if type(x) is np.ndarray:
        small = _backend.kernels().small_spherical_j1(x)  # <= SMALL_MAX values: one call
        if small is not None:
            return small
    else:
        xf = _validation.plain_float(x)
        if xf is not None:  # scalar fast path: no array machinery
            return float(_backend.kernels().spherical_j1_scalar(xf))
    arr = _validation.as_float_array(x, "x")
    out = np.empty(arr.size)
    _backend.kernels().spherical_j1(_validation.flat(arr), out)
    return _validation.restore_shape(out, arr.shape)


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


@dataclass(frozen=True)
class CallableFormFactor:
    """Wraps a user function ``F(q)`` (q in MeV, vectorised over numpy arrays)."""

    func: Callable[[npt.NDArray[np.float64]], Any]
    name: str = "callable"

    def __call__(self, q: npt.ArrayLike, A: SizeLike | None = None) -> npt.NDArray[np.float64]:
        arr = np.asarray(q, dtype=np.float64)
        val = np.asarray(self.func(arr), dtype=np.float64)
        if val.shape != arr.shape:
            val = np.broadcast_to(val, arr.shape).copy()
        if not np.all(np.isfinite(val)):
            raise ValueError(f"form factor {self.name} returned a non-finite value")
        return val


@dataclass(frozen=True)
class ScaledFormFactor:
    """A form factor times a function of q: F(q) x factor(q). Carries the momentum
    dependence of a coupling into Gamma (the proton's g_V^p(q) of the ``"tomalak"``
    couplings, docs/physics.md Eq. (9.3)); evaluated in numpy, not in the kernels."""

    base: FormFactor | CallableFormFactor | ScaledFormFactor
    factor: Callable[[npt.NDArray[np.float64]], Any]
    name: str = "scaled"

    def __call__(self, q: npt.ArrayLike, A: SizeLike | None = None) -> npt.NDArray[np.float64]:
        arr = np.asarray(q, dtype=np.float64)
        base = np.asarray(self.base(arr, A), dtype=np.float64)  # type: ignore[arg-type]
        return base * np.asarray(self.factor(arr), dtype=np.float64)

    def panel_dq(self, A: SizeLike) -> float:
        return self.base.panel_dq(A) if isinstance(self.base, FormFactor) else 0.0


AnyFormFactor = FormFactor | CallableFormFactor | ScaledFormFactor


@dataclass(frozen=True)
class _ProtonRunning:
    """g_V^p(q)/g_V^p(0) of momentum-dependent couplings (a hashable callable)."""

    couplings: Any

    def __call__(self, q: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        c = self.couplings
        return np.asarray(c.g_p_at(q), dtype=np.float64) / c.g_p


def with_couplings(ffs: NuclearFormFactors, couplings: Any) -> NuclearFormFactors:
    """The form factors seen by Gamma with ``couplings``: unchanged unless g_V^p runs
    with q (``"tomalak"``), then F_Z(q) g_V^p(q)/g_V^p(0) (docs/physics.md Eq. (9.3))."""
    if couplings is None or not couplings.runs:
        return ffs
    return NuclearFormFactors(
        ScaledFormFactor(ffs.proton, _ProtonRunning(couplings), name="running g_V^p"),
        ffs.neutron)


@dataclass(frozen=True)
class NuclearFormFactors:
    """Proton and neutron form factors, F_Z and F_N (Sharma & Wong Eq. 2).

    Use :meth:`with_neutron_skin` for a neutron distribution larger than the
    proton one by ``skin_fm`` in rms radius.
    """

    proton: AnyFormFactor
    neutron: AnyFormFactor

    @classmethod
    def with_neutron_skin(
        cls, model: FormFactor, A: float, skin_fm: float
    ) -> NuclearFormFactors:
        """F_Z = ``model``; F_N = same model with rms radius larger by ``skin_fm``."""
        r_p = model.rms_radius_fm(_mass_number(A))
        skin = _validation.check_length(skin_fm, "skin_fm", signed=True)
        return cls(model, model.with_rms_radius(r_p + skin))

    @classmethod
    def measured(cls, model: str = "helm", skin_fm: float | None = None,
                 shape_fm: float | None = None) -> NuclearFormFactors:
        """F_Z from the measured charge radius, F_N from it plus a neutron skin, both
        of shape ``model`` (:class:`MeasuredRadius`): the package's realistic nuclear
        form factors (docs/physics.md §3.2).

        >>> ffs = NuclearFormFactors.measured()
        >>> ffs.proton != ffs.neutron
        True
        """
        return cls(MeasuredRadius(model, "proton", shape_fm=shape_fm),
                   MeasuredRadius(model, "neutron", skin_fm, shape_fm))

    @property
    def compiled(self) -> bool:
        return isinstance(self.proton, FormFactor) and isinstance(self.neutron, FormFactor)


def _named() -> dict[str, Callable[[], FormFactor]]:
    """Name -> constructor for every name of the registry (coherency._ff_models): the
    model class of each id, its aliases, and its presets (classmethods)."""
    classes: dict[int, type[FormFactor]] = {
        cls.model_id: cls for cls in (Unity, Helm, KleinNystrand, SymmetrizedFermi)}
    named: dict[str, Callable[[], FormFactor]] = {}
    for model in _ff_models.MODELS:
        cls = classes.get(model.id)
        if cls is None:
            raise ImportError(f"form-factor model {model.name!r} (id {model.id}) of "
                              "coherency._ff_models has no FormFactor class in _named()")
        for name in (model.name, *model.aliases):
            named[name] = cls
        for name, method in model.presets:
            named[name] = getattr(cls, method)
    return named


_NAMED = _named()

#: Names of proton/neutron pairs with measured radii (:meth:`NuclearFormFactors.measured`)
#: -> their model.
PAIR_NAMES: dict[str, str] = {f"{m}-measured": m for m in _MEASURED_MODELS}

FormFactorSpec = (str | None | FormFactor | CallableFormFactor | NuclearFormFactors
                  | Callable[..., Any] | tuple)


def form_factor_model(spec: str | FormFactor) -> FormFactor:
    """A form-factor model from its name (``helm``, ``lewin-smith``,
    ``klein-nystrand``, ``symmetrized-fermi``, ``unity``) or a model instance."""
    if isinstance(spec, FormFactor):
        return spec
    if isinstance(spec, str):
        key = spec.strip().lower().replace("_", "-").replace(" ", "-")
        if key in _NAMED:
            return _NAMED[key]()
        import difflib

        known = sorted([*_NAMED, *PAIR_NAMES])
        close = difflib.get_close_matches(key, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"form_factor: unknown model {spec!r}; known: {known}{hint}")
    raise TypeError(f"form_factor must be a name or a FormFactor; got {type(spec).__name__}")


def resolve(spec: FormFactorSpec) -> NuclearFormFactors:
    """Turn any accepted ``form_factor=`` argument into proton/neutron form factors.

    Accepted: None or a name (same model for protons and neutrons), a FormFactor,
    a callable F(q) with q in MeV, a (F_Z, F_N) pair of any of these, or a
    NuclearFormFactors.
    """
    if isinstance(spec, NuclearFormFactors):
        return spec
    if spec is None:
        spec = "helm"
    if isinstance(spec, str):
        key = spec.strip().lower().replace("_", "-").replace(" ", "-")
        if key in PAIR_NAMES:
            return NuclearFormFactors.measured(PAIR_NAMES[key])
    if isinstance(spec, tuple):
        if len(spec) != 2:
            raise ValueError("form_factor given as a tuple must be (F_Z, F_N)")
        return NuclearFormFactors(_single(spec[0]), _single(spec[1]))
    single = _single(spec)
    return NuclearFormFactors(single, single)


def _single(spec: Any) -> AnyFormFactor:
    if isinstance(spec, (FormFactor, CallableFormFactor)):
        return spec
    if isinstance(spec, str) or spec is None:
        return form_factor_model(spec or "helm")
    if callable(spec):
        return CallableFormFactor(spec, getattr(spec, "__name__", "callable"))
    raise TypeError(
        "form_factor must be a model name, a FormFactor, a callable F(q) or a "
        f"(F_Z, F_N) pair; got {type(spec).__name__}"
    )


# (A, s_fm, r_coeff_fm) -> (R0, s) in MeV^-1 for the scalar fast path of
# helm_form_factor, filled by the same Helm.lengths_fm as the array path.
_HELM_LENGTHS: BoundedDict[tuple[float, float, float], tuple[float, float]] = BoundedDict(
    "Helm lengths", maxsize=1024)


def _helm_scalar(q: Any, A: Any, s_fm: Any, r_coeff_fm: Any) -> float | None:
    """helm_form_factor for plain finite floats/ints in range, else None.

    Bit for bit the array path's value: the same R0 (from Helm.lengths_fm) and the
    same C routine on one point. Anything unusual returns None, so the array path
    runs and raises its usual errors.
    """
    qf = _validation.plain_float(q)
    if qf is None or not qf >= 0.0:
        return None
    lengths = _helm_lengths(A, s_fm, r_coeff_fm)
    if lengths is None:
        return None
    return float(_backend.kernels().helm_scalar(qf, lengths[0], lengths[1]))


def _helm_lengths(A: Any, s_fm: Any, r_coeff_fm: Any) -> tuple[float, float] | None:
    """(R0, s) in MeV^-1 of helm_form_factor for plain floats/ints in range (cached),
    else None."""
    af = _validation.plain_float(A)
    sf = _validation.plain_float(s_fm)
    rf = _validation.plain_float(r_coeff_fm)
    if af is None or sf is None or rf is None:
        return None
    top = _validation.LENGTH_MAX_FM
    if not (af > 0.0 and 0.0 <= sf <= top and 0.0 <= rf <= top):
        return None
    key = (af, sf, rf)
    lengths = _HELM_LENGTHS.get(key)
    if lengths is None:
        r0_fm, _ = Helm(r_coeff_fm=rf, s_fm=sf).lengths_fm(af)  # may raise R0^2 < 0
        lengths = (r0_fm / HBARC_MEV_FM, sf / HBARC_MEV_FM)
        _HELM_LENGTHS[key] = lengths
    return lengths


def helm_form_factor(
    q: npt.ArrayLike, A: npt.ArrayLike, s_fm: float = 0.5, r_coeff_fm: float = 1.2,
    n_threads: int = 1,
) -> FloatOrArray:
    """Helm nuclear form factor, Sharma & Wong Eq. 7.

    Parameters
    ----------
    q : array_like, MeV
        Three-momentum transfer, q >= 0 (q^2 = 2 M T).
    A : array_like
        Mass number (> 0); broadcasts against ``q``.
    s_fm : float, fm
        Surface thickness s in [0, 100] fm (seed: 0.5 fm).
    r_coeff_fm : float, fm
        R = r_coeff_fm * A^(1/3) (seed: 1.2 fm), in [0, 100] fm; R0^2 = R^2 - 5 s^2
        must lie in [0, (100 fm)^2] (``LENGTH_MAX_FM``).
    n_threads : int
        Threads of the compiled loop: an int in [1, 1024], of which at most the CPUs
        available to the process are used (``coherency.config()["cpus_available"]``);
        small inputs run on one thread; the result does not depend on it.

    Returns
    -------
    float or ndarray
        F(q) in [-1, 1] (abs(F) <= 1, F(0) = 1 exactly), broadcast shape of q and A.

    Raises
    ------
    ValueError
        q < 0, A <= 0, NaN or infinite input, a length outside [0, 100] fm, or
        R0^2 < 0 (the message names r_coeff_fm and s_fm).
    TypeError
        Non-numeric input.

    Notes
    -----
    F(q) = [3 j1(q R0)/(q R0)] exp(-q^2 s^2 / 2), q in fm^-1 = q[MeV]/hbar c
    (Sharma & Wong Eq. 7, docs/physics.md §3). Below q R0 = 1 the series of 3 j1(x)/x
    is used, so there is no cancellation and no NaN at q = 0.

    References
    ----------
    R. H. Helm, Phys. Rev. 104 (1956) 1466; V. Sharma, H. T. Wong, ICHEP2020.

    Examples
    --------
    >>> helm_form_factor(0.0, 132)
    1.0
    >>> 0.0 < helm_form_factor(50.0, 132) < 1.0
    True
    """
    nt = _validation.check_threads(n_threads)
    fast = _helm_scalar(q, A, s_fm, r_coeff_fm)
    if fast is not None:
        return fast
    lengths = _helm_lengths(A, s_fm, r_coeff_fm) if type(q) is np.ndarray else None
    if lengths is not None:  # a small float64 array (<= SMALL_MAX elements): one call
        small = _backend.kernels().small_form_factor(q, _ff_models.HELM.id, *lengths)
        if small is not None:
            return small
    qa = _validation.as_float_array(q, "q", min_value=0.0, unit="MeV", n_threads=nt)
    s = _validation.check_length(s_fm, "s_fm")
    rc = _validation.check_length(r_coeff_fm, "r_coeff_fm")
    model = Helm(r_coeff_fm=rc, s_fm=s)
    kern = _backend.kernels()
    if _validation.ndim(A, "A") == 0:
        a_value = _mass_number(A)
        r0_fm, _ = model.lengths_fm(a_value)
        out = np.empty(qa.size)
        kern.helm(_validation.flat(qa), r0_fm / HBARC_MEV_FM, s / HBARC_MEV_FM, out, nt)
        return _validation.restore_shape(out, qa.shape)
    aa = _validation.as_float_array(A, "A", min_value=0.0, exclusive_min=True)
    qb, ab = _validation.broadcast(("q", qa), ("A", aa))
    qf = qb.reshape(-1)
    af = ab.reshape(-1)
    out = np.empty(qf.size)
    for a_value in np.unique(aa):
        r0_fm, _ = model.lengths_fm(float(a_value))
        sel = af == a_value
        part = np.empty(int(sel.sum()))
        kern.helm(np.ascontiguousarray(qf[sel]), r0_fm / HBARC_MEV_FM, s / HBARC_MEV_FM, part,
                  nt)
        out[sel] = part
    return _validation.restore_shape(out, qb.shape)
