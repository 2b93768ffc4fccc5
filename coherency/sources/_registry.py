"""Sources by short name: the name → preset table of the CLI (``coherency sources``,
``coherency rate SOURCE ...``)."""

from __future__ import annotations

import difflib
import functools
from typing import Any

from ._base import Source
from .atmospheric import Atmospheric
from .pion_dar import PionDAR
from .reactor import Reactor
from .solar import SOLAR_COMPONENTS, Solar
from .supernova import Supernova

__all__ = ["by_name", "source_names"]


def _make_registry() -> dict[str, Any]:
    reg: dict[str, Any] = {
        "reactor": lambda: Reactor(power_GW=3.0, distance_m=20.0),
        "ksnl": lambda: Reactor(power_GW=2.9, distance_m=28.0),
        "dar": PionDAR.coherent_csi_2017,
        "pion-dar": PionDAR.coherent_csi_2017,
        "coherent-csi": PionDAR.coherent_csi_2017,
        "coherent-ar": PionDAR.coherent_ar_2020,
        "dar-prompt": lambda: PionDAR.coherent_csi_2017(flavours=("numu",)),
        "dar-delayed": lambda: PionDAR.coherent_csi_2017(flavours=("nue", "numubar")),
        "solar": Solar,
        "atmospheric": Atmospheric,
        "supernova": Supernova,
    }
    for comp in SOLAR_COMPONENTS:
        reg[f"solar-{comp}"] = functools.partial(Solar, components=(comp,))
    return reg


_REGISTRY: dict[str, Any] = _make_registry()


def source_names() -> tuple[str, ...]:
    """Names accepted by :func:`by_name`."""
    return tuple(_REGISTRY)


def by_name(name: str) -> Source:
    """Build a default source from a short name (for the CLI).

    Names: "reactor" (3 GW at 20 m), "ksnl" (2.9 GW, 28 m), "dar"/"pion-dar"/
    "coherent-csi", "coherent-ar", "dar-prompt", "dar-delayed", "solar", "solar-8B",
    "solar-hep", ... , "atmospheric", "supernova". Case-insensitive.

    Raises
    ------
    ValueError
        Unknown name; the message lists close matches.

    Examples
    --------
    >>> by_name("solar-8B").name
    'solar 8B'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string; got {name!r}")
    lookup = {k.lower(): k for k in _REGISTRY}
    key = lookup.get(name.strip().lower())
    if key is None:
        close = difflib.get_close_matches(name.strip().lower(), list(lookup), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(lookup[c]) for c in close)}?" if close else ""
        raise ValueError(f"name: unknown source {name!r}{hint} Known: "
                         f"{', '.join(_REGISTRY)}")
    return _REGISTRY[key]()
