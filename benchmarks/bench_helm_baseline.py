"""Helm form factor against a plain libmvec loop compiled here with the same flags.

The baseline is the closed form F = 3 (sin x - x cos x)/x^3 exp(-q^2 s^2/2), x = q R0,
in one C loop: no series below x = 1 (so it loses digits there and gives NaN at
q = 0), no selects, nothing else. It is built by this file at collection time with
the compiler and the flags of the installed extension
(``coherency._kernels.build_info()``, without -march and without -ffast-math) and the
same vector declarations and function clones as csrc/coh_ff.c (libmvec's sin, cos, exp
for AVX-512, AVX2 and baseline x86-64, picked at load time), then called through
ctypes (~1 us a call, nothing at 1e6 points). Cases on 1e6 momenta uniform in
[0, 400] MeV, A = 132, one thread:

  plain libmvec loop      -- the baseline;
  coh_helm kernel         -- coherency._kernels.helm into a preallocated array;
  helm_form_factor        -- the public function (argument check, output array).

Ratios to read: each over the plain loop, in the same run; ``test_interleaved`` also
calls the three in turn, ROUNDS times, and records the ratios of their minima in
extra_info["ratio_to_plain"] (the same load for all three). Skipped where the
extension does not use libmvec (``simd_info()`` without "libmvec": clang, musl,
aarch64, -DCOH_NO_SIMD) or no C compiler runs. Each case checks its answer against
the kernel (1e-5 relative where x > 1: the plain loop's cancellation); no time is
asserted. Run:
    pytest benchmarks/bench_helm_baseline.py -p no:cacheprovider --benchmark-group-by=group
"""

from __future__ import annotations

import ctypes
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import coherency as coh

PLAIN_C = r"""
#include <math.h>
#include <stddef.h>
double plain_sin(double) __asm__("sin") __attribute__((const, nothrow, simd("notinbranch")));
double plain_cos(double) __asm__("cos") __attribute__((const, nothrow, simd("notinbranch")));
double plain_exp(double) __asm__("exp") __attribute__((const, nothrow, simd("notinbranch")));

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void plain_helm(const double *restrict q, double *restrict out, ptrdiff_t n, double r0,
                double s)
{
    for (ptrdiff_t i = 0; i < n; ++i) {
        double x = q[i] * r0, qs = q[i] * s;
        out[i] = 3.0 * (plain_sin(x) - x * plain_cos(x)) / (x * x * x)
                 * plain_exp(-0.5 * qs * qs);
    }
}
"""

N = 1_000_000
Q = np.random.default_rng(4).uniform(0.0, 400.0, N)
PARAMS = coh.Helm().kernel_params(132.0)


def _build() -> Any:
    """The plain loop as a ctypes function, or the reason it cannot be built."""
    try:
        from coherency import _kernels
    except ImportError:
        return "compiled extension not built"
    if "libmvec" not in _kernels.simd_info() or not sys.platform.startswith("linux"):
        return f"the extension does not use libmvec here ({_kernels.simd_info()})"
    info = _kernels.build_info()
    cc = shutil.which("gcc") if info["compiler"].startswith("gcc") else None
    if cc is None:
        return f"no compiler like the extension's ({info['compiler']})"
    tmp = Path(tempfile.mkdtemp(prefix="coh-plain-helm-"))
    (tmp / "plain.c").write_text(PLAIN_C)
    lib = tmp / "libplain.so"
    cmd = [cc, *shlex.split(info["compile_flags"]), "-fPIC", "-shared", str(tmp / "plain.c"),
           "-o", str(lib), "-lm"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return f"{' '.join(cmd)} failed: {done.stderr.strip()[:200]}"
    fn = ctypes.CDLL(str(lib)).plain_helm
    shutil.rmtree(tmp)  # the loaded library stays mapped
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_double,
                   ctypes.c_double]
    fn.restype = None
    return fn


PLAIN = _build()


@pytest.mark.parametrize("impl", ["plain libmvec loop", "coh_helm kernel", "helm_form_factor"])
def test_helm_vs_plain_loop(benchmark: Any, impl: str) -> None:
    if isinstance(PLAIN, str):
        pytest.skip(PLAIN)
    from coherency import _kernels

    benchmark.group = "helm 1e6 vs a plain libmvec loop"
    benchmark.extra_info["impl"] = impl
    benchmark.extra_info["n"] = N
    out = np.empty(N)
    if impl == "plain libmvec loop":
        def run() -> np.ndarray:
            PLAIN(Q.ctypes.data, out.ctypes.data, N, PARAMS.p1, PARAMS.p2)
            return out
    elif impl == "coh_helm kernel":
        def run() -> np.ndarray:
            _kernels.helm(Q, PARAMS.p1, PARAMS.p2, out, 1)
            return out
    else:
        def run() -> np.ndarray:
            return np.asarray(coh.helm_form_factor(Q, 132))
    got = benchmark(run)
    want = np.empty(N)
    _kernels.helm(Q, PARAMS.p1, PARAMS.p2, want, 1)
    closed = Q * PARAMS.p1 > 1.0  # where the plain closed form keeps its digits
    np.testing.assert_allclose(got[closed], want[closed], rtol=1e-5, atol=1e-12)


ROUNDS = 60


def test_interleaved(benchmark: Any) -> None:
    """The three in turn, ROUNDS times: minima under the same load."""
    if isinstance(PLAIN, str):
        pytest.skip(PLAIN)
    import time

    from coherency import _kernels

    out = np.empty(N)
    calls = {
        "plain libmvec loop": lambda: PLAIN(Q.ctypes.data, out.ctypes.data, N, PARAMS.p1,
                                            PARAMS.p2),
        "coh_helm kernel": lambda: _kernels.helm(Q, PARAMS.p1, PARAMS.p2, out, 1),
        "helm_form_factor": lambda: coh.helm_form_factor(Q, 132),
    }
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(ROUNDS):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            best[name] = min(best[name], time.perf_counter() - start)
    benchmark.group = "helm 1e6 vs a plain libmvec loop, interleaved"
    benchmark.extra_info["impl"] = "interleaved"
    benchmark.extra_info["n"] = N
    benchmark.extra_info["ns_per_point"] = {k: round(v / N * 1e9, 3) for k, v in best.items()}
    benchmark.extra_info["ratio_to_plain"] = {
        k: round(v / best["plain libmvec loop"], 3) for k, v in best.items()}
    benchmark.pedantic(calls["helm_form_factor"], rounds=3, iterations=1)
