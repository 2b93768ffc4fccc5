"""coherency.sources.SourceLike: the members the rate engine reads from a source.

Every shipped source kind satisfies the protocol (structurally, with the units its
docstrings state), and an object that does not derive from Source but has the same
members gives the same rates.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import _quadrature, sources
from coherency.sources import SourceLike

SHIPPED = [
    sources.PionDAR.coherent_csi_2017(),
    sources.PionDAR.coherent_ar_2020(exposure_time_s=3.0e7),
    sources.Reactor(power_GW=2.9, distance_m=28.0),
    sources.Solar(),
    sources.Atmospheric(),
    sources.Supernova(),
    sources.Monochromatic(30.0, 2.0e7),
    sources.Tabulated([1.0, 2.0, 4.0], [1.0, 3.0, 0.5]),
    sources.Monochromatic(10.0, 1e5) + sources.Tabulated([1.0, 2.0], [1.0, 1.0]),
]

PROTOCOL_MEMBERS = {"name", "is_fluence", "lines", "breakpoints", "E_max", "total_flux",
                    "flux"}


def test_protocol_lists_what_the_engine_reads() -> None:
    members = {n for n in vars(SourceLike) if not n.startswith("_")}
    assert members == PROTOCOL_MEMBERS
    for name in PROTOCOL_MEMBERS:  # each documented, with its unit where it has one
        doc = inspect.getdoc(getattr(SourceLike, name)) or ""
        assert doc, name
    for name in ("lines", "breakpoints", "E_max", "total_flux", "flux"):
        assert "MeV" in (inspect.getdoc(getattr(SourceLike, name)) or "") or \
            "cm⁻²" in (inspect.getdoc(getattr(SourceLike, name)) or ""), name


def test_every_source_kind_is_shipped_here() -> None:
    kinds = {type(s) for s in SHIPPED}
    exported = {getattr(sources, n) for n in sources.__all__}
    concrete = {k for k in exported if inspect.isclass(k) and issubclass(k, sources.Source)
                and not inspect.isabstract(k)}
    assert concrete <= kinds, concrete - kinds


@pytest.mark.parametrize("src", SHIPPED, ids=lambda s: type(s).__name__)
def test_shipped_sources_satisfy_the_protocol(src: Any) -> None:
    assert isinstance(src, SourceLike)
    assert isinstance(src.name, str) and src.name
    assert isinstance(src.is_fluence, bool)
    bp = np.asarray(src.breakpoints, dtype=np.float64)
    assert np.all(np.diff(bp) > 0) and np.all(bp >= 0)
    for energy, line_flux in src.lines:
        assert energy > 0 and line_flux > 0
    ends = list(bp[-1:]) + [e for e, _ in src.lines]
    assert src.E_max == max(ends)
    assert src.total_flux > 0
    E = np.linspace(0.0, 1.5 * src.E_max, 7).reshape(7, 1)
    value = np.asarray(src.flux(E))
    assert value.shape == E.shape and np.all(value >= 0)
    if bp.size:
        outside = (E < bp[0]) | (E > bp[-1])
        assert np.all(value[outside] == 0)


@pytest.mark.parametrize("name", sources.source_names())
def test_registry_builds_protocol_sources(name: str) -> None:
    assert isinstance(sources.by_name(name), SourceLike)


def test_engine_checks_a_subset_of_the_protocol() -> None:
    # _quadrature.check_source names the members it insists on; all are protocol members
    text = inspect.getsource(_quadrature.check_source)
    for attr in ("flux", "lines", "breakpoints", "total_flux"):
        assert f'"{attr}"' in text and attr in PROTOCOL_MEMBERS


class _DuckSource:
    """A flat continuum on [10, 20] MeV plus a 30 MeV line, without deriving from Source."""

    name = "duck"
    is_fluence = False
    lines = ((30.0, 1.0e7),)
    breakpoints = (10.0, 20.0)
    E_max = 30.0
    total_flux = 1.0e7 + 1.0e6 * 10.0

    def flux(self, E: Any) -> Any:
        e = np.asarray(E, dtype=np.float64)
        return np.where((e >= 10.0) & (e <= 20.0), 1.0e6, 0.0)


def test_an_object_with_the_members_works_in_the_engine() -> None:
    duck = _DuckSource()
    assert isinstance(duck, SourceLike) and not isinstance(duck, sources.Source)
    same = sources.Monochromatic(30.0, 1.0e7) + sources.Tabulated([10.0, 20.0], [1e6, 1e6])
    assert same.total_flux == duck.total_flux
    for tgt in ("Ar40", "CsI"):
        assert coh.flux_averaged_sigma(duck, tgt, T_min=1e-3) == pytest.approx(
            coh.flux_averaged_sigma(same, tgt, T_min=1e-3), rel=1e-14)
        assert coh.event_rate(duck, tgt, 1.0, 1.0, T_min=1e-3) == pytest.approx(
            coh.event_rate(same, tgt, 1.0, 1.0, T_min=1e-3), rel=1e-10)
    T = np.geomspace(1e-5, 1e-2, 9)
    np.testing.assert_allclose(coh.recoil_spectrum(duck, "Ge", T),
                               coh.recoil_spectrum(same, "Ge", T), rtol=1e-10)


def test_E_lowest_and_the_deprecated_E_min() -> None:
    solar = sources.Solar(components=("7Be", "8B"))
    assert solar.E_lowest == 0.0
    assert sources.Monochromatic(5.0).E_lowest == 5.0
    with pytest.warns(DeprecationWarning, match="E_lowest"):
        old = solar.E_min
    assert old == solar.E_lowest
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert coh.E_min(1e-3, "Ar40") > 0  # the kinematic E_min is not deprecated


def test_breakpoints_of_any_form_are_read_as_numbers() -> None:
    """The energy check reads a table's breakpoints in one array operation and
    anything else one by one: a list of numpy scalars or ints works, a value that is
    not a number is a TypeError, a negative or NaN one a ValueError naming it."""

    class Duck(_DuckSource):
        pass

    want = coh.flux_averaged_sigma(_DuckSource(), "Ar40")
    for breaks in ([10, 20], (np.float64(10.0), np.int64(20))):
        duck = Duck()
        duck.breakpoints = breaks  # type: ignore[assignment]
        assert coh.flux_averaged_sigma(duck, "Ar40") == want
    for bad, err, match in (((10.0, None), TypeError, "None"),
                            (((10.0, 20.0), (30.0, 40.0)), TypeError, "tuple"),
                            ((10.0, -1.0), ValueError, "-1.0"),
                            ((10.0, float("nan")), ValueError, "nan")):
        duck = Duck()
        duck.breakpoints = bad  # type: ignore[assignment]
        with pytest.raises(err, match=match):
            coh.flux_averaged_sigma(duck, "Ar40")
