"""The package's thread pool (csrc/coh_pool.c) seen from Python.

* n_threads: ints in [1, 1024] (Python or numpy), else a clear error; the count used
  is at most the CPUs available to the process (affinity mask, cgroup quota);
* any thread count, far above the number of cores, gives the bits of one thread;
* fork: a process that ran threaded kernels forks (multiprocessing's "fork" pool,
  ProcessPoolExecutor, a fork while another thread is inside a threaded kernel) and
  the children run threaded kernels to the end, with the parent's bits;
* Python threads calling threaded kernels at once all finish, with serial bits;
* Ctrl-C during a long threaded (or serial) kernel raises KeyboardInterrupt within a
  second.
Children run in subprocesses with a timeout, so a regression fails instead of hanging.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

import coherency as coh
from coherency import _backend, _config, _validation

needs_compiled = pytest.mark.skipif(not _backend.compiled_available(),
                                    reason="compiled extension not built")
CPUS = _config.available_cpus()


# ---------------------------------------------------------------------------------
# thread counts
# ---------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 1024, np.int64(2), np.uint64(5), np.int8(1)])
def test_valid_thread_counts_are_capped_to_the_cpus(n: object) -> None:
    got = _validation.check_threads(n)
    assert type(got) is int
    assert got == min(int(n), CPUS)  # type: ignore[call-overload]


@pytest.mark.parametrize("bad", [0, -1, 1025, 65536, 40000, 10**400, -(10**400),
                                 np.uint64(2**64 - 1), np.int64(-3), np.int64(2**40)])
def test_thread_counts_out_of_range(bad: object) -> None:
    with pytest.raises(ValueError, match=r"n_threads must be in \[1, 1024\]; got "):
        _validation.check_threads(bad)
    with pytest.raises(ValueError, match=r"n_threads must be in \[1, 1024\]"):
        coh.helm_form_factor([1.0, 2.0], 40, n_threads=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [True, False, 1.0, 2.5, "2", None, np.float64(2.0),
                                 np.bool_(True), [2]])
def test_thread_counts_of_the_wrong_type(bad: object) -> None:
    with pytest.raises(TypeError, match=r"n_threads must be an int in \[1, 1024\]"):
        _validation.check_threads(bad)


def test_available_cpus() -> None:
    assert 1 <= CPUS <= (os.cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        assert CPUS <= len(os.sched_getaffinity(0))
    assert coh.config()["cpus_available"] == CPUS


@pytest.mark.parametrize("files, want", [
    ({"cpu.max": "200000 100000\n"}, 2),
    ({"cpu.max": "150000 100000\n"}, 2),      # 1.5 CPUs: rounded up
    ({"cpu.max": "50000 100000\n"}, 1),
    ({"cpu.max": "max 100000\n"}, None),      # no quota
    ({"cpu.max": "garbage\n"}, None),
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),
    ({"cpu,cpuacct/cpu.cfs_quota_us": "100000\n",
      "cpu,cpuacct/cpu.cfs_period_us": "100000\n"}, 1),
    ({}, None),
])
def test_cgroup_cpu_quota(tmp_path: Path, files: dict[str, str], want: int | None) -> None:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert _config._cgroup_cpu_limit(tmp_path) == want


# ---------------------------------------------------------------------------------
# many threads, same bits (kernels directly: the public layer caps the count)
# ---------------------------------------------------------------------------------

@needs_compiled
@pytest.mark.parametrize("nt", [2, 3, 7, 64, 1024])
def test_kernels_oversubscribed_give_serial_bits(nt: int) -> None:
    from coherency import _kernels
    from coherency.cross_sections import GL_W, GL_X, _panel_dq, kernel_spec
    from coherency.form_factors import resolve

    rng = np.random.default_rng(nt)
    q = rng.uniform(0.0, 400.0, 300_001)
    xe = coh.nucleus("Xe132")
    ffs = resolve("symmetrized-fermi")
    spec = kernel_spec(xe, ffs, 0.0457)
    E = rng.uniform(1.0, 150.0, 5_001)
    panel = _panel_dq(ffs, xe.A)
    q2 = q[:5_001] ** 2 / 50.0

    def helm(k: int) -> np.ndarray:
        out = np.empty(q.size)
        _kernels.helm(q, 0.025, 0.004, out, k)
        return out

    def fermi(k: int) -> np.ndarray:
        out = np.empty(q.size)
        _kernels.form_factor(q, 3, 0.025, 0.003, out, k)
        return out

    def dsigma(k: int) -> np.ndarray:
        out = np.empty(E.size)
        _kernels.dsigma_dq2(q2, E, spec, out, k)
        return out

    def sigma(k: int) -> np.ndarray:
        out = np.empty(E.size)
        _kernels.sigma_total(E, np.zeros(E.size), spec, panel, GL_X, GL_W, out, k)
        return out

    runs = {
        "helm": helm,
        "form_factor": fermi,
        "dsigma_dq2": dsigma,
        "sigma_total": sigma,
        "folded_sigma": lambda k: _kernels.folded_sigma(E, np.sqrt(E), 100.0, spec, panel,
                                                        GL_X, GL_W, k),
        "all_within": lambda k: (_kernels.all_within(q, 0.0, 400.0, False, k),
                                 _kernels.all_within(q, 0.0, 399.0, False, k)),
    }
    for name, run in runs.items():
        ref = run(1)
        got = run(nt)
        assert np.array_equal(np.asarray(got), np.asarray(ref)), name
    # the batch and spectrum kernels, through their public callers with the pool
    # forced to nt threads: the public layer would cap the count to the CPUs
    dar = coh.sources.PionDAR.coherent_csi_2017()
    scale = np.linspace(0.8, 1.2, 3_001)
    T = np.linspace(0.0, 0.05, 40_001)
    cap = _validation._CPUS
    with coh.use_backend("compiled"):
        ref_b = coh.batch_flux_averaged_sigma(dar, "CsI", radius_scale=scale)
        ref_s = coh.recoil_spectrum(coh.sources.Solar(), "Xe", T * 0.02)
        try:
            _validation._CPUS = nt
            got_b = coh.batch_flux_averaged_sigma(dar, "CsI", radius_scale=scale, n_threads=nt)
            got_s = coh.recoil_spectrum(coh.sources.Solar(), "Xe", T * 0.02, n_threads=nt)
        finally:
            _validation._CPUS = cap
    assert np.array_equal(got_b, ref_b)
    assert np.array_equal(got_s, ref_s)


# ---------------------------------------------------------------------------------
# subprocesses: fork, Ctrl-C
# ---------------------------------------------------------------------------------

# children run the compiled backend whatever COHERENCY_BACKEND says here
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "COHERENCY_BACKEND"}


def _sigint_default() -> None:
    """In the child before exec: SIGINT back to its default action, so the child
    Python installs its KeyboardInterrupt handler even when this test process was
    started with SIGINT ignored (a background job of a non-interactive shell)."""
    import signal as _signal

    _signal.signal(_signal.SIGINT, _signal.SIG_DFL)


def _run(script: str, *args: str, timeout: float = 240.0) -> subprocess.CompletedProcess[str]:
    """Run a child Python; a hang past ``timeout`` kills it and fails the test."""
    try:
        return subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args],
                              capture_output=True, text=True, timeout=timeout,
                              cwd=tempfile.gettempdir(), env=CHILD_ENV,
                              preexec_fn=_sigint_default)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"child did not finish within {timeout} s (deadlock?): "
                    f"{exc.stdout!r} {exc.stderr!r}")


FORK_SCRIPT = """
    import concurrent.futures, multiprocessing, os, sys, threading
    import numpy as np
    import coherency as coh
    from coherency import _kernels

    q = np.linspace(0.0, 400.0, 400_001)
    E = np.linspace(1.0, 100.0, 20_001)
    threaded = _kernels.build_info()["threads"] == "pthreads"  # else a serial build

    def work(seed):
        # the pool of this process: none yet in a fresh child of a fork
        before = _kernels._pool_workers()
        out = np.empty(q.size)
        _kernels.helm(q, 0.025, 0.004 + 1e-4 * seed, out, 2)
        s = coh.sigma_total(E, "Xe132", n_threads=2)
        return before, _kernels._pool_workers(), float(out.sum()), float(s.sum())

    def expected(seed):
        out = np.empty(q.size)
        _kernels.helm(q, 0.025, 0.004 + 1e-4 * seed, out, 1)
        return float(out.sum()), float(coh.sigma_total(E, "Xe132").sum())

    if __name__ == "__main__":
        work(0)  # the parent's pool exists, its workers are parked
        assert (_kernels._pool_workers() >= 1) == threaded
        want = [expected(s) for s in range(6)]
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(2, maxtasksperchild=1) as pool:  # every task in a fresh child
            got = pool.map_async(work, range(6)).get(timeout=120)
        for (before, after, a, b), w in zip(got, want):
            assert before == 0, before         # workers forgotten in the child
            assert (after >= 1) == threaded, after  # and re-created there
            assert (a, b) == w
        with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
            got = list(ex.map(work, range(6), timeout=120))
        assert [(a, b) for _, _, a, b in got] == want
        # a fork while another thread is inside a threaded kernel (the pool is busy)
        stop = threading.Event()
        def busy():
            while not stop.is_set():
                work(1)
        t = threading.Thread(target=busy)
        t.start()
        try:
            for _ in range(5):
                pid = os.fork()
                if pid == 0:
                    ok = work(2)[2:] == want[2]
                    os._exit(0 if ok else 3)
                _, status = os.waitpid(pid, 0)
                assert os.waitstatus_to_exitcode(status) == 0, status
        finally:
            stop.set()
            t.join()
        print("fork ok")
"""


@needs_compiled
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_fork_children_run_threaded_kernels() -> None:
    proc = _run(FORK_SCRIPT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("fork ok"), proc.stdout + proc.stderr


@needs_compiled
def test_python_threads_share_the_pool() -> None:
    """Eight Python threads call threaded kernels at once: a caller that finds the
    pool busy runs its job on its own thread; every result has the serial bits."""
    q = np.linspace(0.0, 300.0, 500_000)
    E = np.linspace(1.0, 80.0, 4_000)
    with coh.use_backend("compiled"):
        ref = (coh.helm_form_factor(q, 132), coh.sigma_total(E, "CsI"))
    results: list[bool] = []

    def worker() -> None:
        with coh.use_backend("compiled"):  # a new thread starts with the default backend
            for _ in range(4):
                a = coh.helm_form_factor(q, 132, n_threads=2)
                b = coh.sigma_total(E, "CsI", n_threads=2)
                results.append(np.array_equal(a, ref[0]) and np.array_equal(b, ref[1]))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    assert results == [True] * 32


CTRL_C_SCRIPT = """
    import signal, sys, threading, time
    import numpy as np
    import coherency as coh

    what, nt = sys.argv[1], int(sys.argv[2])
    E = np.linspace(1.0, 300.0, 2_000_000)
    T = np.linspace(0.0, 1e-3, 2_000_000)
    scale = np.linspace(0.5, 1.5, 3_000_000)
    dar = coh.sources.PionDAR.coherent_csi_2017()
    solar = coh.sources.Solar()
    def call(what, k):  # the call on every k-th point
        return {
            "sigma_total": lambda: coh.sigma_total(E[::k], "Xe132", n_threads=nt),
            "recoil_spectrum": lambda: coh.recoil_spectrum(solar, "Xe", T[::k],
                                                           n_threads=nt),
            "batch": lambda: coh.batch_flux_averaged_sigma(dar, "CsI",
                                                           radius_scale=scale[::k],
                                                           n_threads=nt),
        }[what]
    # caches and pool warm, outside the timed call
    call(what, 200_000)()
    # the length of the whole call, from a tenth of it
    t0 = time.perf_counter()
    call(what, 10)()
    full = 10.0 * (time.perf_counter() - t0)
    calls = {what: call(what, 1)}
    sent = []
    main = threading.main_thread().ident

    def interrupt():
        sent.append(time.perf_counter())
        signal.pthread_kill(main, signal.SIGINT)

    timer = threading.Timer(0.3, interrupt)
    t0 = time.perf_counter()
    timer.start()
    try:
        calls[what]()
    except KeyboardInterrupt:
        now = time.perf_counter()
        print(f"interrupted {now - sent[0]:.3f} s after the signal, "
              f"{now - t0:.3f} s into the call, whole call ~{full:.3f} s")
    else:
        print(f"finished after {time.perf_counter() - t0:.3f} s: not interrupted")
    timer.join()
"""


@needs_compiled
@pytest.mark.parametrize("nt", [1, 2])
@pytest.mark.parametrize("what", ["sigma_total", "recoil_spectrum", "batch"])
def test_ctrl_c_stops_a_long_kernel(what: str, nt: int) -> None:
    """A SIGINT 0.3 s into a call of seconds: KeyboardInterrupt from inside the
    kernel (the calling thread checks for signals between chunks), soon after."""
    proc = _run(CTRL_C_SCRIPT, what, str(nt))
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip().splitlines()[-1]
    assert line.startswith("interrupted"), line
    waited, full = float(line.split()[1]), float(line.split()[-2].lstrip("~"))
    # ~25 ms between checks on an idle machine; a call without checks runs to its end,
    # full - 0.3 s after the signal. Relative to the call's own measured length, the
    # bound holds on a busy machine too.
    assert full > 1.0, f"the call is too short to tell: {line}"
    assert waited < 0.4 * full, line
