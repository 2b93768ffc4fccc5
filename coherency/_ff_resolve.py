"""What a ``form_factor=`` argument means: proton and neutron form factors
(:class:`NuclearFormFactors`, F_Z and F_N of docs/physics.md §2, Sharma & Wong Eq. 2),
user callables, the momentum-dependent proton coupling carried into F_Z
(docs/physics.md Eq. (9.3)), and the names of the models, read from the registry
:mod:`coherency._ff_models` (:func:`form_factor_model`, :func:`resolve`).

Part of :mod:`coherency.form_factors`, which re-exports every public name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _ff_models, _validation
from ._ff_classes import (
    _MEASURED_MODELS,
    MODEL_CLASSES,
    FormFactor,
    MeasuredRadius,
    SizeLike,
    _mass_number,
)


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
    model class of each id (``MODEL_CLASSES``), its aliases, and its presets
    (classmethods)."""
    classes: dict[int, type[FormFactor]] = {cls.model_id: cls for cls in MODEL_CLASSES}
    named: dict[str, Callable[[], FormFactor]] = {}
    for model in _ff_models.MODELS:
        cls = classes.get(model.id)
        if cls is None:
            raise ImportError(f"form-factor model {model.name!r} (id {model.id}) of "
                              "coherency._ff_models has no FormFactor class in "
                              "coherency._ff_classes.MODEL_CLASSES")
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
