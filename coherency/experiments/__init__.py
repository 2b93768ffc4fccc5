"""Experiment presets: everything needed to predict one experiment's data.

A preset (:class:`Experiment`) joins a neutrino source with its exposure and timing
(the proton pulse and the decay times of a spallation source), a target and its mass,
a detector response (quenching, resolution, efficiency: :mod:`coherency.detector`),
the observed bins, and the experiment's published numbers with their references, so
that predicted counts and spectra can be held against the paper
(:meth:`Experiment.comparison`) and handed to a fit (:mod:`coherency.inference`).
Every input carries its citation in the preset's module and in ``Experiment.inputs``.

=====================  ================================================================
``coherent-csi-2017``  COHERENT CsI[Na] 2017 (Science 357 (2017) 1123)
``coherent-csi-2021``  COHERENT CsI[Na] full data set (PRL 129 (2022) 081801)
``coherent-ar-2020``   COHERENT CENNS-10 argon, analysis A (PRL 126 (2021) 012002)
``conus-plus-2025``    CONUS+ run 1 (arXiv:2501.05206)
=====================  ================================================================

Predictions use nuclear form factors from measured charge radii with a neutron skin
(``form_factor="helm-measured"``, docs/physics.md §3.2) and radiatively corrected,
flavour-dependent couplings (``couplings="pdg"``, §9); both can be overridden per call.

Examples
--------
>>> from coherency import experiments
>>> experiments.names()
('coherent-ar-2020', 'coherent-csi-2017', 'coherent-csi-2021', 'conus-plus-2025')
>>> exp = experiments.load("coherent-csi-2021")
>>> exp.predicted_spectrum().shape          # 9 PE bins x 11 arrival-time bins
(9, 11)
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from . import coherent_ar_2020, coherent_csi_2017, coherent_csi_2021, conus_plus
from ._base import Experiment, Published

__all__ = ["Experiment", "Published", "conus_plus", "load", "names"]

_PRESETS: dict[str, Callable[[], Experiment]] = {
    "coherent-csi-2017": coherent_csi_2017.preset,
    "coherent-csi-2021": coherent_csi_2021.preset,
    "coherent-ar-2020": coherent_ar_2020.preset,
    "conus-plus-2025": conus_plus.preset,
}


def names() -> tuple[str, ...]:
    """Names of every preset, sorted."""
    return tuple(sorted(_PRESETS))


def load(name: str) -> Experiment:
    """The preset ``name`` (see :func:`names`).

    Raises
    ------
    TypeError
        ``name`` is not a string.
    ValueError
        Unknown name (close matches are listed).
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a preset name (str); got {type(name).__name__}")
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key not in _PRESETS:
        close = difflib.get_close_matches(key, list(_PRESETS), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"name: unknown experiment {name!r}; known: {list(names())}{hint}")
    return _PRESETS[key]()
