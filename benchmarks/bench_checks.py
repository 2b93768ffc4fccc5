"""Argument checks: the one-pass ``all_within`` kernel (csrc/coh_check.c) against the
twin's two numpy reductions (min, max), through ``as_float_array``, the check every
public array argument goes through, and against the plain numpy checks analysis code
writes (``np.isfinite(x).all()`` and a range test).

Groups: ``check q >= 0`` at 1e3, 1e4 and 1e6 points.
Run: pytest benchmarks/bench_checks.py --benchmark-group-by=group
Every case checks that a bad value is still caught; no time is asserted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import _validation

SIZES = [1_000, 10_000, 1_000_000]


def _numpy_checks(x: np.ndarray) -> bool:
    return bool(np.isfinite(x).all() and (x >= 0.0).all())


@pytest.mark.parametrize("n", SIZES, ids=lambda n: f"n={n:.0e}")
@pytest.mark.parametrize("impl", ["compiled", "numpy", "numpy masks"])
def test_check_nonnegative(benchmark: Any, impl: str, n: int) -> None:
    q = np.random.default_rng(3).uniform(0.0, 400.0, n)
    benchmark.group = f"check q >= 0 n={n:.0e}"
    benchmark.extra_info["n"] = n
    benchmark.extra_info["impl"] = impl
    if impl == "numpy masks":  # what analysis code writes
        assert benchmark(lambda: _numpy_checks(q))
        return
    with coh.use_backend(impl):
        out = benchmark(lambda: _validation.as_float_array(q, "q", min_value=0.0, unit="MeV"))
        assert out is q or np.array_equal(out, q)
        bad = q.copy()
        bad[-1] = -1.0
        with pytest.raises(ValueError, match=f"at index {n - 1}"):
            _validation.as_float_array(bad, "q", min_value=0.0, unit="MeV")
