"""n_threads: results bitwise independent of the thread count, validation, and the GIL
released inside the compiled loops (Python threads run meanwhile)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import coherency as coh
from coherency import _backend, sources

THREADS = (2, 3, 7)
DAR = sources.PionDAR.coherent_csi_2017()
REACTOR = sources.Reactor(power_GW=2.9, distance_m=28.0)
SOLAR = sources.Solar()  # lines and a beta+ end point: the redo path of the moments

needs_compiled = pytest.mark.skipif(not _backend.compiled_available(),
                                    reason="compiled extension not built")


def _calls():
    rng = np.random.default_rng(7)
    q = rng.uniform(0.0, 400.0, 50_001)  # not a multiple of any chunk size
    E = rng.uniform(1.0, 60.0, 3001)
    T = rng.uniform(0.0, 0.05, 3001)
    return {
        "helm_form_factor": lambda nt: coh.helm_form_factor(q, 132, n_threads=nt),
        "klein_nystrand": lambda nt: coh.KleinNystrand()(q, 40, n_threads=nt),
        "symmetrized_fermi": lambda nt: coh.SymmetrizedFermi()(q, 127, n_threads=nt),
        "dsigma_dq2": lambda nt: coh.dsigma_dq2(q[:3001] ** 2 / 100, E, "CsI", n_threads=nt),
        "dsigma_dT": lambda nt: coh.dsigma_dT(T * 0.01, E, "Ge", n_threads=nt),
        "sigma_total": lambda nt: coh.sigma_total(E, "Xe132", T_min=T * 0.01, n_threads=nt),
        "flux_averaged_sigma": lambda nt: coh.flux_averaged_sigma(DAR, "CsI", T_min=2e-3,
                                                                  n_threads=nt),
        "flux_averaged_sigma_reactor": lambda nt: coh.flux_averaged_sigma(
            REACTOR, "Ge", form_factor="symmetrized-fermi", n_threads=nt),
        "recoil_spectrum": lambda nt: coh.recoil_spectrum(DAR, "CsI", T * 0.5, n_threads=nt),
        "q2_spectrum": lambda nt: coh.q2_spectrum(DAR, "Ar40", T * 2000, n_threads=nt),
        # several chunks of the fused spectrum pass (dn_dq2) and of the argument check
        "recoil_spectrum_large": lambda nt: coh.recoil_spectrum(
            SOLAR, "Xe", np.linspace(0.0, 1e-3, 70_001), n_threads=nt),
        "batch_large": lambda nt: coh.batch_flux_averaged_sigma(
            DAR, "CsI", radius_scale=np.linspace(0.8, 1.2, 9_001), n_threads=nt),
        "event_rate": lambda nt: coh.event_rate(REACTOR, "Ge", 1.0, 86400.0, T_min=1e-4,
                                                n_threads=nt),
        "batch": lambda nt: coh.batch_flux_averaged_sigma(
            DAR, "CsI", radius_scale=np.linspace(0.8, 1.2, 11), T_min=[[0.0], [5e-3]],
            n_threads=nt),
        "batch_single_point": lambda nt: coh.batch_event_counts(
            REACTOR, "Ge", 1.0, 1.0, radius_scale=1.1, n_threads=nt),
    }


@pytest.mark.parametrize("name", list(_calls()))
def test_bitwise_independent_of_thread_count(backend: str, name: str) -> None:
    call = _calls()[name]
    ref = np.asarray(call(1))
    for nt in THREADS:
        got = np.asarray(call(nt))
        assert got.shape == ref.shape
        assert np.array_equal(got, ref), f"{name}: n_threads={nt} differs from 1"


@needs_compiled
def test_kernels_bitwise_independent_of_thread_count() -> None:
    from coherency import _kernels

    x = np.linspace(-50.0, 50.0, 40_003)
    ref = np.empty(x.size)
    _kernels.spherical_j1(x, ref, 1)
    for nt in THREADS:
        out = np.empty(x.size)
        _kernels.spherical_j1(x, out, nt)
        assert np.array_equal(out, ref)


@pytest.mark.parametrize(
    "call",
    [
        lambda nt: coh.helm_form_factor(1.0, 40, n_threads=nt),
        lambda nt: coh.helm_form_factor([1.0, 2.0], 40, n_threads=nt),
        lambda nt: coh.Helm()(1.0, 40, n_threads=nt),
        lambda nt: coh.dsigma_dq2(1.0, 10.0, "Ar40", n_threads=nt),
        lambda nt: coh.dsigma_dT([1e-3], 10.0, "Ar40", n_threads=nt),
        lambda nt: coh.sigma_total(10.0, "Ar40", n_threads=nt),
        lambda nt: coh.flux_averaged_sigma(DAR, "Ar40", n_threads=nt),
        lambda nt: coh.recoil_spectrum(DAR, "Ar40", [1e-3], n_threads=nt),
        lambda nt: coh.q2_spectrum(DAR, "Ar40", [10.0], n_threads=nt),
        lambda nt: coh.event_rate(DAR, "Ar40", 1.0, 1.0, n_threads=nt),
        lambda nt: coh.batch_flux_averaged_sigma(DAR, "Ar40", n_threads=nt),
    ],
)
@pytest.mark.parametrize("bad, err", [(0, ValueError), (-2, ValueError), (1.5, TypeError),
                                      (True, TypeError), ("2", TypeError), (None, TypeError)])
def test_bad_n_threads(backend: str, call, bad, err) -> None:
    with pytest.raises(err, match="n_threads"):
        call(bad)


def test_numpy_integer_thread_count_accepted(backend: str) -> None:
    a = coh.helm_form_factor([1.0, 2.0], 40, n_threads=np.int64(2))
    assert np.array_equal(a, coh.helm_form_factor([1.0, 2.0], 40))


@needs_compiled
def test_build_info() -> None:
    from coherency import _kernels, _reference

    info = _kernels.build_info()
    assert info["threads"] in ("pthreads", "serial")
    assert isinstance(info["simd"], str) and info["simd"]
    assert _reference.build_info()["threads"] == "serial"


@needs_compiled
def test_gil_released_during_kernel() -> None:
    """While a long kernel runs in a worker thread, the main thread keeps running: the
    longest pause between its loop iterations stays far below the kernel's duration
    (a kernel holding the GIL would block it for the whole call)."""
    from coherency import _kernels
    from coherency.cross_sections import GL_W, GL_X, kernel_spec
    from coherency.form_factors import resolve

    xe = coh.nucleus("Xe132")
    spec = kernel_spec(xe, resolve("helm"), 0.0457)
    E = np.linspace(100.0, 400.0, 20_000)  # several panels each: ~0.1-1 s in C
    q2_min = np.zeros(E.size)
    out = np.empty(E.size)
    t0 = time.perf_counter()
    _kernels.sigma_total(E[:2000], q2_min[:2000], spec, 30.0, GL_X, GL_W, out[:2000])
    duration = 10 * (time.perf_counter() - t0)  # estimate for the full call

    worker = threading.Thread(
        target=_kernels.sigma_total, args=(E, q2_min, spec, 30.0, GL_X, GL_W, out))
    gaps = []
    worker.start()
    last = time.perf_counter()
    while worker.is_alive():
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    worker.join()
    assert len(gaps) > 100
    assert max(gaps) < 0.5 * duration


@needs_compiled
def test_python_threads_give_same_results() -> None:
    from concurrent.futures import ThreadPoolExecutor

    q = np.linspace(0.0, 300.0, 200_000)
    ref = coh.helm_form_factor(q, 132)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: coh.helm_form_factor(q, 132, n_threads=2), range(8)))
    for r in results:
        assert np.array_equal(r, ref)
