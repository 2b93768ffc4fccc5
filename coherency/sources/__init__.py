"""Neutrino sources: flux densities, discrete lines and their support (docs/physics.md §5).

One module per source kind, each a frozen dataclass deriving from :class:`Source`:

=====================  ================================================================
:mod:`.pion_dar`       :class:`PionDAR`, stopped-pion decay at rest (SNS, COHERENT)
:mod:`.reactor`        :class:`Reactor`, fission fragments and ²³⁸U capture
:mod:`.solar`          :class:`Solar`, pp chain and CNO (B16-GS98)
:mod:`.atmospheric`    :class:`Atmospheric`, FLUKA below 1 GeV
:mod:`.supernova`      :class:`Supernova`, a burst's fluence
:mod:`.monochromatic`  :class:`Monochromatic`, one line
:mod:`.tabulated`      :class:`Tabulated`, a table of your own
:mod:`.timing`         :class:`GaussianPulse`, :class:`BinnedTiming`: arrival times
=====================  ================================================================

``_base`` holds :class:`SourceLike` (the members the rate engine reads, with their
units), :class:`Source` (the base class) and :class:`SourceSum` (``a + b``); ``_beta``
the allowed β-spectrum shapes; ``_registry`` the short names of the CLI
(:func:`by_name`). A new source kind is a new module here: derive from :class:`Source`,
implement ``_continuum``, ``continuum_flux_integral`` and ``breakpoints``, and add it
to the registry if the CLI should know it.

Continuum fluxes are densities in ν cm⁻² s⁻¹ MeV⁻¹ (for a fluence such as
:class:`Supernova`: ν cm⁻² MeV⁻¹); discrete lines are listed separately in ``lines``
as ``(E_MeV, flux ν cm⁻² s⁻¹)`` and are never represented as narrow peaks.
``breakpoints`` lists every energy where the continuum is not analytic, so that a
Gauss–Legendre rule on each interval converges spectrally.

Examples
--------
>>> from coherency import sources
>>> dar = sources.PionDAR.coherent_csi_2017()
>>> round(dar.lines[0][0], 3)          # prompt nu_mu line, MeV
29.792
>>> round(dar.E_max, 2)                # m_mu / 2
52.83
>>> src = sources.Monochromatic(10.0, 1e5) + sources.Monochromatic(20.0, 2e5)
>>> src.total_flux
300000.0
"""

from __future__ import annotations

from ._base import Source, SourceLike, SourceSum
from ._registry import by_name, source_names
from .atmospheric import Atmospheric
from .monochromatic import Monochromatic
from .pion_dar import PionDAR
from .reactor import Reactor
from .solar import Solar, b8_shape, beta_plus_shape
from .supernova import Supernova
from .tabulated import Tabulated
from .timing import BinnedTiming, GaussianPulse

__all__ = [
    "Atmospheric",
    "BinnedTiming",
    "GaussianPulse",
    "Monochromatic",
    "PionDAR",
    "Reactor",
    "Solar",
    "Source",
    "SourceLike",
    "SourceSum",
    "Supernova",
    "Tabulated",
    "b8_shape",
    "beta_plus_shape",
    "by_name",
    "source_names",
]
