"""Experiment presets: everything needed to predict one experiment's data.

A preset joins a neutrino source with its timing (beam pulse, decay times, reactor
on/off periods), a target, an exposure (mass, live time, protons on target), a detector
response (quenching, resolution, efficiency: :mod:`coherency.detector`) and the
experiment's published numbers (predicted and observed counts, cross sections, with
their references), so that predicted counts and spectra can be held against the paper
and handed to a fit (:mod:`coherency.inference`). Every number carries its citation,
as in :mod:`coherency.constants`.

Here today: :mod:`.conus_plus`, the CONUS+ run-1 inputs that the reactor projection
(:func:`coherency.projections.reactor_germanium`) and the report's counts table share.
To come: one module per experiment and data set (COHERENT CsI 2017 and 2021, Ar 2020,
CONUS+, ...) with a registry, ``load(name)`` and ``names()``, built on the release
readers of :mod:`coherency.data`.
"""

from __future__ import annotations

from . import conus_plus

__all__ = ["conus_plus"]
