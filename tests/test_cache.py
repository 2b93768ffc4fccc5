"""The package's caches: coherency.clear_caches() empties every one of them, and
results never depend on what is cached (public names only)."""

from __future__ import annotations

import numpy as np
import pytest

import coherency as coh
from coherency import experiments, nuclear_radii, projections, sources


def _use_every_cache() -> list[float]:
    """Calls that fill each cache of the package (the test fails when a cache is added
    that nothing here reaches: extend the list)."""
    dar = sources.PionDAR.coherent_csi_2017()
    table = sources.Tabulated(np.linspace(1.0, 8.0, 50), np.exp(-np.linspace(1.0, 8.0, 50)))
    out = [
        coh.event_rate(table, "Ge", 1.0, 1.0, T_min=1e-4),
        float(np.sum(coh.recoil_spectrum(table, "Ge", [1e-4, 1e-3]))),
        coh.flux_averaged_sigma(dar, "CsI"),
        coh.flux_averaged_sigma(dar, "CsI", couplings="pdg"),
        float(np.sum(coh.recoil_spectrum(dar, "Ar", [1e-3, 2e-2]))),
        float(np.sum(coh.batch_flux_averaged_sigma(dar, "CsI", radius_scale=[1.0, 1.1]))),
        coh.dsigma_dq2(100.0, 30.0, "Ar40"),
        coh.helm_form_factor(0.1, 132),
        coh.q2_max(30.0, "Ar40"),
        coh.alpha_from_xi(0.5, "Xe132"),
        coh.event_rate(sources.Reactor(3.6, 20.7), "Ge", 1.0, 1.0, T_min=1e-4),
        coh.flux_averaged_sigma(sources.Solar(), "Xe", T_min=1e-3),
        coh.flux_averaged_sigma(sources.Atmospheric(), "Ar", T_min=1e-2),
        nuclear_radii.charge_radius_fm("Cs133"),
        float(len(projections.default_experiments())),
        experiments.load("coherent-ar-2020").predicted_counts(),
    ]
    return out


def test_clear_caches_empties_every_cache() -> None:
    first = _use_every_cache()
    filled = coh.cache_info()
    assert filled and all(n > 0 for n in filled.values()), {
        k: v for k, v in filled.items() if v == 0}
    coh.clear_caches()
    assert set(coh.cache_info().values()) == {0}
    # the same numbers, bit for bit, from cold caches
    assert _use_every_cache() == first


def test_cache_keys_carry_the_backend() -> None:
    # Values computed by the kernels are cached per backend: a numpy-backend call does
    # not feed a later compiled call, whatever ran first.
    dar = sources.PionDAR.coherent_csi_2017()
    coh.clear_caches()
    with coh.use_backend("numpy"):
        a = coh.batch_flux_averaged_sigma(dar, "CsI", radius_scale=np.linspace(0.9, 1.1, 50))
    n_numpy = coh.cache_info()["batch q grids"]
    try:
        compiled = coh.use_backend("compiled")
        compiled.__enter__()
    except ImportError:
        pytest.skip("compiled extension not built")
    try:
        b = coh.batch_flux_averaged_sigma(dar, "CsI", radius_scale=np.linspace(0.9, 1.1, 50))
        assert coh.cache_info()["batch q grids"] == 2 * n_numpy
        coh.clear_caches()
        c = coh.batch_flux_averaged_sigma(dar, "CsI", radius_scale=np.linspace(0.9, 1.1, 50))
    finally:
        compiled.__exit__(None, None, None)
    np.testing.assert_array_equal(b, c)
    np.testing.assert_allclose(a, c, rtol=1e-13)
