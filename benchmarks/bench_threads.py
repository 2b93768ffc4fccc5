"""Thread scaling: n_threads=1 vs 2 on large inputs (target: two threads >= 1.8x one).
The rate integrals' thread scaling is in bench_rates.py.

Uses the public function's ``n_threads`` where it has one, else the compiled
kernel's (the public layer adds only validation); a case whose function has no
``n_threads`` yet is skipped with the reason. Every case checks that the result
does not depend on the thread count (bit for bit); no time is asserted.
Run: pytest benchmarks/bench_threads.py --benchmark-group-by=group
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import _backend, cross_sections
from coherency.form_factors import resolve

THREADS = [1, 2]
N_FF = 1_000_000
N_SIGMA = 100_000
A = 132.0

if not _backend.compiled_available():  # pragma: no cover
    pytest.skip("compiled extension not built", allow_module_level=True)

from coherency import _kernels


def _has_threads(fn: Callable[..., Any]) -> bool:
    try:
        return "n_threads" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _openmp() -> bool:
    info = getattr(_kernels, "build_info", None)
    return bool(info()["openmp"]) if info is not None else False


def _helm_case(nt: int) -> tuple[str, Callable[[], Any]]:
    rng = np.random.default_rng(4)
    q = rng.uniform(0.0, 400.0, N_FF)
    if _has_threads(coh.helm_form_factor):
        return "public", lambda: coh.helm_form_factor(q, A, n_threads=nt)
    _, r0, s = coh.Helm().kernel_params(A)
    out = np.empty(N_FF)

    def run() -> np.ndarray:
        _kernels.helm(q, r0, s, out, n_threads=nt)
        return out.copy()
    return "kernel", run


def _kn_case(nt: int) -> tuple[str, Callable[[], Any]]:
    rng = np.random.default_rng(5)
    q = rng.uniform(0.0, 400.0, N_FF)
    model = coh.KleinNystrand()
    if _has_threads(model.__call__):
        return "public", lambda: model(q, A, n_threads=nt)
    mid, p1, p2 = model.kernel_params(A)
    out = np.empty(N_FF)

    def run() -> np.ndarray:
        _kernels.form_factor(q, mid, p1, p2, out, n_threads=nt)
        return out.copy()
    return "kernel", run


def _dsigma_case(nt: int) -> tuple[str, Callable[[], Any]]:
    rng = np.random.default_rng(6)
    E = rng.uniform(5.0, 55.0, N_FF)
    q2 = rng.uniform(0.0, 1.0, N_FF) * 4 * E**2
    ar = coh.nucleus("Ar40")
    if _has_threads(coh.dsigma_dq2):
        return "public", lambda: coh.dsigma_dq2(q2, E, ar, n_threads=nt)
    spec = cross_sections.kernel_spec(ar, resolve("helm"), 0.04572)
    out = np.empty(N_FF)

    def run() -> np.ndarray:
        _kernels.dsigma_dq2(q2, E, spec, out, n_threads=nt)
        return out.copy()
    return "kernel", run


def _sigma_case(nt: int) -> tuple[str, Callable[[], Any]]:
    rng = np.random.default_rng(7)
    E = rng.uniform(1.0, 55.0, N_SIGMA)
    ar = coh.nucleus("Ar40")
    if _has_threads(coh.sigma_total):
        return "public", lambda: coh.sigma_total(E, ar, n_threads=nt)
    ffs = resolve("helm")
    spec = cross_sections.kernel_spec(ar, ffs, 0.04572)
    panel = cross_sections._panel_dq(ffs, ar.A)
    q2_min = np.zeros(N_SIGMA)
    out = np.empty(N_SIGMA)

    def run() -> np.ndarray:
        _kernels.sigma_total(E, q2_min, spec, panel, cross_sections.GL_X, cross_sections.GL_W,
                             out, n_threads=nt)
        return out.copy()
    return "kernel", run


CASES: dict[str, tuple[int, Callable[[int], tuple[str, Callable[[], Any]]]]] = {
    "helm": (N_FF, _helm_case),
    "form_factor KN": (N_FF, _kn_case),
    "dsigma_dq2": (N_FF, _dsigma_case),
    "sigma_total": (N_SIGMA, _sigma_case),
}
_ONE_THREAD: dict[str, np.ndarray] = {}


@pytest.mark.parametrize("nt", THREADS, ids=lambda t: f"n_threads={t}")
@pytest.mark.parametrize("name", list(CASES))
def test_thread_scaling(benchmark: Any, name: str, nt: int) -> None:
    if not _openmp():
        pytest.skip("the extension was built without OpenMP: n_threads runs serially")
    if (os.cpu_count() or 1) < 2 and nt > 1:
        pytest.skip("one CPU: nothing to scale onto")
    n, make = CASES[name]
    try:
        level, run = make(nt)
        # The kernel may not take n_threads yet (another engineer's work in progress).
        run()
    except TypeError as exc:
        if "n_threads" in str(exc):
            pytest.skip(f"{name}: no n_threads yet ({exc})")
        raise
    benchmark.group = f"threads {name} n={n:.0e}"
    benchmark.extra_info["n"] = n
    benchmark.extra_info["impl"] = f"n_threads={nt}"
    benchmark.extra_info["level"] = level
    out = np.array(benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1))
    if nt == 1:
        _ONE_THREAD[name] = out
    elif name in _ONE_THREAD:
        np.testing.assert_array_equal(out, _ONE_THREAD[name])  # thread count changes no bit
