"""Threads, memory and Ctrl-C.

* 8 Python threads calling kernels and public functions at once (each with its own
  backend: the choice is a context variable) give results bit-identical to serial
  calls, also while the module caches (scalar plans, Helm lengths, masses, charges,
  rate rules) are being filled and evicted concurrently. The caches are plain dicts
  with a size bound (get / clear / set are atomic under the GIL, a lost entry is only
  recomputed) and functools.lru_cache (thread-safe); cached arrays are read-only.
* 1e6 repeated public calls grow the resident set by less than 1 MB.
* A long computation in the compiled kernel is interrupted by SIGINT within a second.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import _backend, _quadrature, cross_sections, form_factors, sources

N_THREADS = 8
BACKENDS = ["compiled", "numpy"] if _backend.compiled_available() else ["numpy"]
if os.environ.get("COHERENCY_BACKEND", "").strip().lower() == "numpy":
    BACKENDS = ["numpy"]


def _tasks() -> dict[str, Callable[[], Any]]:
    rng = np.random.default_rng(7)
    q = rng.uniform(0.0, 300.0, 5000)
    E = rng.uniform(1.0, 60.0, 300)
    xi = rng.uniform(0.0, 1.0, 200)
    dar = sources.PionDAR(n_pot=1e22, exposure_time_s=1e7, distance_m=20.0)
    reactor = sources.Reactor(1.0, 20.0)
    m = coh.data.load("coherent_csi")
    return {
        "j1": lambda: coh.spherical_j1(q - 150.0),
        "helm": lambda: coh.helm_form_factor(q, 132),
        "helm-scalar": lambda: [coh.helm_form_factor(float(x), a) for x, a in
                                zip(q[:50], range(20, 70))],
        "helm-A-array": lambda: coh.helm_form_factor(q[:400], np.arange(1, 401) % 200 + 20),
        "fermi": lambda: form_factors.SymmetrizedFermi()(q, 74),
        "dsigma": lambda: coh.dsigma_dq2(q[:300], E, "CsI"),
        "dsigma-scalar": lambda: [coh.dsigma_dT(1e-3, float(e), t) for e in E[:20]
                                  for t in ("Ar40", "Ge", "Xe132", "CsI", "NaI")],
        "sigma": lambda: coh.sigma_total(E, "Ge", T_min=1e-3),
        "sigma-scalar": lambda: [coh.sigma_total(float(e), "Xe132", epsilon=eps) for e in E[:10]
                                 for eps in (0.04, 0.045, 0.05)],
        "kinematics": lambda: (coh.q2_max(E, "Ar40"), coh.E_min(E * 1e-4, "Xe132"),
                               [coh.T_max(float(e), n) for e in E[:20] for n in ("Ar40", "Na23")]),
        "coherence": lambda: (coh.alpha_from_xi(xi, "Xe132"), coh.phi_from_alpha(xi),
                              [coh.xi_from_alpha(float(a), "Cs133") for a in xi[:20]]),
        "flux-avg": lambda: [coh.flux_averaged_sigma(dar, t, T_min=T)
                             for t in ("CsI", "Ar40") for T in (0.0, 5e-3, 1e-2)],
        "rate": lambda: coh.event_rate(dar, "CsI", 14.6, 1.0, T_min=5e-3, T_max=3e-2),
        "reactor": lambda: coh.recoil_spectrum(reactor, "Ge", np.linspace(1e-4, 2e-3, 30)),
        "measurement": lambda: (m.alpha_interval(0.9), m.p_value(1.0)),
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if hasattr(a, "__dataclass_fields__"):
        return _same(vars(a), vars(b))
    return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))


def _clear_caches() -> None:
    coh.clear_caches()


# Tasks that take the twin seconds (adaptive quad per energy): compiled backend only.
HEAVY = {"sigma", "sigma-scalar", "flux-avg", "rate", "reactor"}


def test_threads_give_serial_results() -> None:
    tasks = _tasks()
    serial: dict[tuple[str, str], Any] = {}
    for b in BACKENDS:
        with coh.use_backend(b):
            for name, fn in tasks.items():
                if b == "compiled" or name not in HEAVY:
                    serial[b, name] = fn()
    _clear_caches()
    barrier = threading.Barrier(N_THREADS)
    jobs = list(serial) * 2

    def worker(seed: int) -> list[str]:
        order = jobs[:]
        random.Random(seed).shuffle(order)
        barrier.wait()
        bad = []
        for b, name in order:
            with coh.use_backend(b):  # per thread: a context variable
                assert coh.get_backend() == b
                if not _same(tasks[name](), serial[b, name]):
                    bad.append(f"{b}:{name}")
        return bad

    with ThreadPoolExecutor(N_THREADS) as pool:
        results = list(pool.map(worker, range(N_THREADS)))
    assert results == [[]] * N_THREADS


def test_kernels_called_from_threads_directly() -> None:
    """The kernels themselves (both modules) on shared read-only inputs, private out."""
    kerns = [_backend._reference] + ([_backend._compiled] if _backend._compiled else [])
    rng = np.random.default_rng(3)
    q = rng.uniform(0.0, 400.0, 20000)
    spec = cross_sections.kernel_spec(coh.nucleus("Xe132"), form_factors.resolve("helm"), 0.045)
    E = rng.uniform(1.0, 50.0, 64)
    q2min = np.zeros(64)

    def run(k: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b, c = np.empty(q.size), np.empty(q.size), np.empty(E.size)
        k.helm(q, 0.02, 0.0025, a)
        k.form_factor(q, 3, 0.02, 0.003, b)
        k.sigma_total(E, q2min, spec, 50.0, cross_sections.GL_X, cross_sections.GL_W, c)
        return a, b, c

    for k in kerns:
        ref = run(k)
        with ThreadPoolExecutor(N_THREADS) as pool:
            outs = list(pool.map(lambda _, k=k: run(k), range(2 * N_THREADS)))
        assert all(_same(o, ref) for o in outs)


def test_cached_rule_arrays_are_read_only() -> None:
    dar = sources.PionDAR(n_pot=1e22, exposure_time_s=1e7, distance_m=20.0)
    E, w = _quadrature.rule(dar, 0.0)
    assert not E.flags.writeable and not w.flags.writeable


# ----------------------------------------------------------------------------------
# memory
# ----------------------------------------------------------------------------------
MEMORY_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import numpy as np
    import coherency as coh

    backend = sys.argv[1]
    n_calls = int(sys.argv[2])
    page = os.sysconf("SC_PAGE_SIZE")

    def rss() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * page

    arr = np.linspace(0.0, 100.0, 16)
    dar = coh.sources.PionDAR(n_pot=1e22, exposure_time_s=1e7, distance_m=20.0)

    def bad() -> None:
        try:
            coh.helm_form_factor(-1.0, 132)
        except ValueError:
            pass

    calls = {
        "helm-scalar": (lambda: coh.helm_form_factor(30.0, 132), 1.0),
        "helm-array": (lambda: coh.helm_form_factor(arr, 132), 0.02),
        "sigma-scalar": (lambda: coh.sigma_total(30.0, "CsI"), 0.05),
        "dsigma-array": (lambda: coh.dsigma_dq2(arr, 30.0, "Xe132"), 0.02),
        "alpha-from-xi": (lambda: coh.alpha_from_xi(0.5, "Xe132"), 0.2),
        "error-path": (bad, 0.02),
        "flux-avg": (lambda: coh.flux_averaged_sigma(dar, "CsI", T_min=1e-3), 0.002),
    }
    with coh.use_backend(backend):
        for name, (fn, share) in calls.items():
            n = max(int(n_calls * share), 200)
            for _ in range(max(n // 10, 100)):      # warm-up: caches, allocator pools
                fn()
            before = rss()
            for _ in range(n):
                fn()
            grown = rss() - before
            print(name, n, grown, flush=True)
    """
)


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_repeated_calls_do_not_grow_rss(backend_name: str) -> None:
    n_calls = 1_000_000 if backend_name == "compiled" else 10_000  # the twin is ~30x slower
    # cwd outside the checkout: "-c" puts the cwd first on sys.path, and the source
    # tree of a clean clone has no built extension (the installed package must load)
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, backend_name, str(n_calls)],
                         capture_output=True, text=True, timeout=300, cwd=tempfile.gettempdir())
    assert out.returncode == 0, out.stderr
    lines = [line.split() for line in out.stdout.splitlines()]
    assert len(lines) == 7, out.stdout
    assert int(lines[0][1]) == n_calls  # helm-scalar: 1e6 calls on the compiled backend
    for name, n, grown in lines:
        assert int(grown) < 1_000_000, f"{name}: RSS grew by {int(grown)} bytes over {n} calls"


# ----------------------------------------------------------------------------------
# Ctrl-C
# ----------------------------------------------------------------------------------
def _sigint_default() -> None:
    """In the child before exec: SIGINT back to its default action, so the child
    Python installs its KeyboardInterrupt handler even when this test process was
    started with SIGINT ignored (a background job of a non-interactive shell)."""
    import signal as _signal

    _signal.signal(_signal.SIGINT, _signal.SIG_DFL)


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    import coherency as coh

    backend, what = sys.argv[1], sys.argv[2]
    dar = coh.sources.PionDAR(n_pot=1e22, exposure_time_s=1e7, distance_m=20.0)
    E = np.linspace(1.0, 300.0, 20_000_000 if backend == "compiled" else 200_000)
    with coh.use_backend(backend):
        coh.sigma_total(E[:10], "Xe132")
        print("ready", flush=True)
        t0 = time.perf_counter()
        if what == "sigma":
            coh.sigma_total(E, "Xe132")       # one kernel call of many seconds
        else:
            for T in np.linspace(0.0, 0.02, 100_000):  # a threshold scan
                coh.event_rate(dar, "CsI", 14.6, 1.0, T_min=float(T))
        print("finished after %.2f s: not interrupted" % (time.perf_counter() - t0), flush=True)
    """
)


@pytest.mark.parametrize("what", ["sigma", "rate-scan"])
@pytest.mark.parametrize("backend_name", BACKENDS)
def test_ctrl_c_interrupts_long_computation(backend_name: str, what: str) -> None:
    with subprocess.Popen([sys.executable, "-c", CTRL_C_SCRIPT, backend_name, what],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=tempfile.gettempdir(), preexec_fn=_sigint_default) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "ready":
                proc.kill()
                raise AssertionError(f"child did not start: {line!r} {proc.communicate()[1]}")
            time.sleep(0.5)
            sent = time.perf_counter()
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
            waited = time.perf_counter() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert "KeyboardInterrupt" in err, err
    assert proc.returncode != 0
    # well under a second on an idle machine (~1 ms of kernel work between checks);
    # without the checks the computation runs to its end (~15 s for the compiled
    # sigma_total). The bound only separates the two, with room for a 2-core machine
    # whose cores are both busy with other work.
    assert waited < 3.0, f"SIGINT took {waited:.2f} s to interrupt"
