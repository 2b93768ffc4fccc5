"""The registry of form-factor models: one row per model the kernels evaluate.

This is the one Python place that lists the models. Each row gives the model id (the
``COH_FF_*`` macro of csrc/coh_status.h; tests/test_kernel_convention.py checks that
the ids and ``COH_FF_COUNT`` match the header), the canonical name and every other name
``form_factor=`` accepts. ``coherency.form_factors`` builds its name lookup from it, the
CLI its ``--form-factor`` choices, the numpy twin its model check, and
tests/data/make_mpmath_tables.py its reference rows. To add a model, follow
CONTRIBUTING.md ("Adding a form factor").
"""

from __future__ import annotations

from typing import NamedTuple


class FormFactorModel(NamedTuple):
    """One form-factor model of the kernels."""

    id: int
    """Model id: ``COH_FF_*`` in csrc/coh_status.h, 0 .. COUNT - 1 in row order."""
    name: str
    """Canonical name (``form_factor="helm"``, the CLI, the mpmath tables)."""
    c_macro: str
    """Name of the id's macro in csrc/coh_status.h."""
    p1: str
    """Meaning of the first length p1 (MeV^-1 in the kernels)."""
    p2: str
    """Meaning of the second length p2."""
    aliases: tuple[str, ...] = ()
    """Other names of the model with its default parameters."""
    presets: tuple[tuple[str, str], ...] = ()
    """(name, classmethod of the model class): named parametrisations."""


UNITY = FormFactorModel(0, "unity", "COH_FF_UNITY", "unused", "unused", aliases=("none",))
HELM = FormFactorModel(
    1, "helm", "COH_FF_HELM", "R0, the box radius", "s, the surface thickness",
    presets=(("lewin-smith", "lewin_smith"), ("helm-lewin-smith", "lewin_smith")),
)
KLEIN_NYSTRAND = FormFactorModel(
    2, "klein-nystrand", "COH_FF_KLEIN_NYSTRAND", "R_A, the hard-sphere radius",
    "a, the Yukawa range",
)
SYMMETRIZED_FERMI = FormFactorModel(
    3, "symmetrized-fermi", "COH_FF_SYMM_FERMI", "c, the half-density radius (> 0)",
    "a, the diffuseness",
)

MODELS: tuple[FormFactorModel, ...] = (UNITY, HELM, KLEIN_NYSTRAND, SYMMETRIZED_FERMI)
"""Every model, in id order (``MODELS[i].id == i``)."""

COUNT = len(MODELS)
"""Number of models: ``COH_FF_COUNT``; valid ids are 0 .. COUNT - 1."""


def by_name(name: str) -> FormFactorModel:
    """The model whose canonical name is ``name`` (``KeyError`` otherwise)."""
    for model in MODELS:
        if model.name == name:
            return model
    raise KeyError(name)


def names() -> tuple[str, ...]:
    """Every name ``form_factor=`` accepts (canonical names, aliases, presets), sorted."""
    out = set()
    for model in MODELS:
        out.add(model.name)
        out.update(model.aliases)
        out.update(name for name, _ in model.presets)
    return tuple(sorted(out))
