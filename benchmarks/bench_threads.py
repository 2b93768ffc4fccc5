"""Thread scaling of the package's pool: n_threads = 1 vs 2, idle and with a busy core.

Cases (public functions, compiled backend):
  helm 1e6           -- helm_form_factor on 1e6 momenta;
  sigma_total 1e5    -- sigma_total(E, "Ar40") on 1e5 energies;
  reactor 1e4 / 1e5  -- recoil_spectrum(Reactor(2.9 GW, 28 m), "Ge", T) on 1e4 and 1e5
                        recoil energies;
  batch sin2 1e4     -- batch_flux_averaged_sigma(PionDAR, "CsI", sin2_theta_w=...) on 1e4
                        points (one q integral, then ~1 ns a point: stays serial);
  batch radius 1e4   -- the same with radius_scale (one partial q integral a point).
Conditions:
  idle  -- nothing else started by the benchmark;
  busy  -- a process spinning in a pure Python loop pinned to the last CPU of this
           process's affinity mask, while the benchmark may run on all of them
           (os.sched_setaffinity): what a second job on a shared machine does.
Every case checks that n_threads = 2 gives the same bits as 1; no time is asserted.
Each case records the load average at its start (extra_info["loadavg"]) and, on
Linux, the CPUs that other processes used while it ran (extra_info["other_cpus"]:
0 on a quiet machine, about 1 with the spinner): on a shared machine, keep the runs
where that is what the condition says.

On a shared machine the load changes between the one-thread and the two-thread case
of a group; ``test_paired`` therefore also times n_threads = 1 and 2 alternately,
call after call, and records the median of the per-pair ratios time(1)/time(2) in
extra_info["speedup_paired"] (with its quartiles): the speed-up under the same load.

Run (ratios per group, n_threads=2 over n_threads=1, with summarize.py):
    pytest benchmarks/bench_threads.py -p no:cacheprovider --benchmark-group-by=group \\
        --benchmark-json=threads.json
    python benchmarks/summarize.py threads.json
"""

from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import coherency as coh

THREADS = [1, 2]
CONDITIONS = ["idle", "busy"]

SPIN = "import os, sys\nos.sched_setaffinity(0, {int(sys.argv[1])})\nwhile True:\n    pass\n"


def _cases() -> dict[str, tuple[int, Callable[[int], Any]]]:
    rng = np.random.default_rng(4)
    q = rng.uniform(0.0, 400.0, 1_000_000)
    E = rng.uniform(1.0, 55.0, 100_000)
    reactor = coh.sources.Reactor(power_GW=2.9, distance_m=28.0)
    T4 = np.linspace(1e-5, 2e-3, 10_000)
    T5 = np.linspace(1e-5, 2e-3, 100_000)
    dar = coh.sources.PionDAR.coherent_csi_2017()
    s2 = np.linspace(0.20, 0.26, 10_000)
    scale = np.linspace(0.8, 1.2, 10_000)
    return {
        "helm 1e6": (q.size, lambda nt: coh.helm_form_factor(q, 132, n_threads=nt)),
        "sigma_total 1e5": (E.size, lambda nt: coh.sigma_total(E, "Ar40", n_threads=nt)),
        "reactor spectrum 1e4": (T4.size, lambda nt: coh.recoil_spectrum(
            reactor, "Ge", T4, n_threads=nt)),
        "reactor spectrum 1e5": (T5.size, lambda nt: coh.recoil_spectrum(
            reactor, "Ge", T5, n_threads=nt)),
        "batch sin2 1e4": (s2.size, lambda nt: coh.batch_flux_averaged_sigma(
            dar, "CsI", sin2_theta_w=s2, n_threads=nt)),
        "batch radius 1e4": (scale.size, lambda nt: coh.batch_flux_averaged_sigma(
            dar, "CsI", radius_scale=scale, n_threads=nt)),
    }


CASES = _cases()
_ONE_THREAD: dict[tuple[str, str], np.ndarray] = {}


def _busy_seconds() -> tuple[float, float, float]:
    """(CPU seconds of the whole machine, of this process, wall clock) (Linux)."""
    try:
        with open("/proc/stat") as fh:
            fields = [float(v) for v in fh.readline().split()[1:]]
    except OSError:
        return math.nan, math.nan, time.perf_counter()
    busy = sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0.0)  # not idle, iowait
    own = resource.getrusage(resource.RUSAGE_SELF)
    return (busy / os.sysconf("SC_CLK_TCK"), own.ru_utime + own.ru_stime,
            time.perf_counter())


@pytest.fixture(scope="module", params=CONDITIONS)
def condition(request: pytest.FixtureRequest) -> Iterator[str]:
    """idle, or busy: a spinning process pinned to the last CPU of the mask."""
    if request.param == "idle":
        yield "idle"
        return
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no os.sched_setaffinity on this platform")
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        pytest.skip("one CPU: no second core to load")
    os.sched_setaffinity(0, set(cpus))
    spinner = subprocess.Popen([sys.executable, "-c", SPIN, str(cpus[-1])])
    time.sleep(0.5)  # let the scheduler settle
    try:
        yield "busy"
    finally:
        spinner.kill()
        spinner.wait()


@pytest.mark.parametrize("nt", THREADS, ids=lambda t: f"n_threads={t}")
@pytest.mark.parametrize("name", list(CASES))
def test_thread_scaling(benchmark: Any, condition: str, name: str, nt: int) -> None:
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    n, fn = CASES[name]
    benchmark.group = f"threads {name} [{condition}]"
    benchmark.extra_info["n"] = n
    benchmark.extra_info["impl"] = f"n_threads={nt}"
    benchmark.extra_info["loadavg"] = os.getloadavg()
    before = _busy_seconds()
    with coh.use_backend("compiled"):
        out = np.asarray(benchmark(fn, nt))
    after = _busy_seconds()
    benchmark.extra_info["other_cpus"] = round(
        ((after[0] - before[0]) - (after[1] - before[1])) / (after[2] - before[2]), 2)
    if nt == 1:
        _ONE_THREAD[name, condition] = out
    elif (name, condition) in _ONE_THREAD:
        # the thread count changes no bit
        np.testing.assert_array_equal(out, _ONE_THREAD[name, condition])


PAIRS = 25


@pytest.mark.parametrize("name", list(CASES))
def test_paired(benchmark: Any, condition: str, name: str) -> None:
    """n_threads = 1 and 2 alternately: the median ratio of neighbouring calls."""
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    n, fn = CASES[name]
    benchmark.group = f"threads paired {name} [{condition}]"
    benchmark.extra_info["n"] = n
    benchmark.extra_info["impl"] = "paired n_threads=1/2"
    benchmark.extra_info["loadavg"] = os.getloadavg()
    before = _busy_seconds()
    ratios = []
    with coh.use_backend("compiled"):
        fn(1), fn(2)  # warm caches and the pool
        for i in range(PAIRS):
            times = {}
            for nt in ((1, 2) if i % 2 == 0 else (2, 1)):
                start = time.perf_counter()
                fn(nt)
                times[nt] = time.perf_counter() - start
            ratios.append(times[1] / times[2])
        benchmark.pedantic(fn, args=(2,), rounds=3, iterations=1)
    after = _busy_seconds()
    benchmark.extra_info["other_cpus"] = round(
        ((after[0] - before[0]) - (after[1] - before[1])) / (after[2] - before[2]), 2)
    q1, median, q3 = np.percentile(ratios, [25, 50, 75])
    benchmark.extra_info["speedup_paired"] = [round(float(v), 3) for v in (q1, median, q3)]
