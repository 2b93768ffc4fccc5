"""Calls that change one parameter at a time (what fits do) take cached parts of the
work: their values are those of a cold call, bit for bit, and nothing mutable is
cached."""

from __future__ import annotations

import numpy as np
import pytest

import coherency as coh
from coherency import sources


class ScaledReactor:
    """A user source that is not a frozen dataclass: its flux may change between calls."""

    def __init__(self) -> None:
        self.inner = sources.Reactor(power_GW=2.9, distance_m=28.0)
        self.scale = 1.0
        self.name = "scaled reactor"
        self.is_fluence = False
        self.lines = ()
        self.breakpoints = self.inner.breakpoints

    def flux(self, E):  # type: ignore[no-untyped-def]
        return self.scale * np.asarray(self.inner.flux(E))

    @property
    def total_flux(self) -> float:
        return self.scale * self.inner.total_flux

    @property
    def E_max(self) -> float:
        return self.inner.E_max


def test_parameter_sweeps_equal_cold_calls(backend: str) -> None:
    dar = sources.PionDAR.coherent_csi_2017()
    T = np.linspace(1e-3, 3e-2, 40)
    sweeps = [
        lambda x: coh.flux_averaged_sigma(dar, "CsI", epsilon=x),
        lambda x: coh.flux_averaged_sigma(dar, "CsI", T_min=5e-3,
                                          form_factor=coh.Helm(r_coeff_fm=1.2 * (1 + x))),
        lambda x: coh.recoil_spectrum(dar, "CsI", T, form_factor=coh.Helm(r_coeff_fm=1.2 + x)),
        lambda x: coh.event_rate(dar, "Ar40", 1.0, 1.0, T_min=5e-3, epsilon=x),
    ]
    for sweep in sweeps:
        warm = [np.asarray(sweep(x)) for x in (0.02, 0.03, 0.04, 0.03)]
        np.testing.assert_array_equal(warm[1], warm[3])  # a repeated point
        coh.clear_caches()
        for x, value in zip((0.02, 0.03, 0.04), warm):
            np.testing.assert_array_equal(np.asarray(sweep(x)), value)
            coh.clear_caches()
    # epsilon enters as (eps Z - N)^2 per nucleus: a check of the cached spec's epsilon
    ar = coh.nucleus("Ar40")
    unit = sources.Monochromatic(30.0, 1.0)
    ratio = (coh.flux_averaged_sigma(unit, ar, form_factor="unity", epsilon=0.3)
             / coh.flux_averaged_sigma(unit, ar, form_factor="unity", epsilon=-0.2))
    assert ratio == pytest.approx(((0.3 * 18 - 22) / (-0.2 * 18 - 22)) ** 2, rel=1e-12)


def test_mutable_sources_are_not_cached(backend: str) -> None:
    src = ScaledReactor()
    T = np.array([1e-4, 5e-4, 1e-3])
    first = (coh.flux_averaged_sigma(src, "Ge", T_min=1e-4) * src.total_flux,
             coh.recoil_spectrum(src, "Ge", T),
             coh.event_rate(src, "Ge", 1.0, 1.0, T_min=1e-4))
    src.scale = 3.0
    again = (coh.flux_averaged_sigma(src, "Ge", T_min=1e-4) * src.total_flux,
             coh.recoil_spectrum(src, "Ge", T),
             coh.event_rate(src, "Ge", 1.0, 1.0, T_min=1e-4))
    for a, b in zip(first, again):
        np.testing.assert_allclose(b, 3.0 * np.asarray(a), rtol=1e-12, atol=0)


def test_results_are_cached_per_backend() -> None:
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    dar = sources.PionDAR.coherent_csi_2017()
    coh.clear_caches()
    with coh.use_backend("numpy"):
        twin = coh.flux_averaged_sigma(dar, "CsI", epsilon=0.05)
    with coh.use_backend("compiled"):
        compiled = coh.flux_averaged_sigma(dar, "CsI", epsilon=0.05)
        coh.clear_caches()
        assert coh.flux_averaged_sigma(dar, "CsI", epsilon=0.05) == compiled
    assert twin == pytest.approx(compiled, rel=1e-12)
