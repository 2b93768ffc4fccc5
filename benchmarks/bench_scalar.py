"""Cost of one public call with plain float arguments (target <= 1.5 us), and of the
same call on small arrays (target: within 2x of the scalar call).

For each function six variants in one group:
  fast     -- Python floats, compiled backend: the scalar fast path;
  array1   -- the first argument as a one-element float64 array (the others plain),
              compiled backend: the small-array path (up to SMALL_MAX = 16 values);
  array16  -- the first argument as a 16-element array: the small-array path, and its
              time per point (ns/point) against the scalar call;
  npscalar -- every argument as a numpy scalar (numpy.float64, numpy.int64: what
              indexing or iterating over an array gives), compiled backend;
  numpy0d  -- every argument as a numpy 0-d array, compiled backend;
  twin     -- Python floats on the numpy/scipy backend.
Run: pytest benchmarks/bench_scalar.py --benchmark-group-by=group
Each case checks that the variants agree (fast, array1 and numpy0d exactly); no
time is asserted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import coherency as coh

HELM, KN, SF = coh.Helm(), coh.KleinNystrand(), coh.SymmetrizedFermi()

# name -> (function, plain-float arguments)
CALLS: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
    "spherical_j1(x)": (coh.spherical_j1, (1.5,)),
    "helm_form_factor(q, A)": (coh.helm_form_factor, (50.0, 132)),
    "Helm()(q, A)": (HELM, (50.0, 132.0)),
    "KleinNystrand()(q, A)": (KN, (50.0, 132.0)),
    "SymmetrizedFermi()(q, A)": (SF, (50.0, 132.0)),
    "dsigma_dq2(q2, E, 'Ar40')": (lambda q2, E: coh.dsigma_dq2(q2, E, "Ar40"), (100.0, 30.0)),
    "dsigma_dT(T, E, 'Ar40')": (lambda T, E: coh.dsigma_dT(T, E, "Ar40"), (1e-3, 30.0)),
    "sigma_total(E, 'Ar40')": (lambda E: coh.sigma_total(E, "Ar40"), (30.0,)),
    "sigma_total(E, 'CsI')": (lambda E: coh.sigma_total(E, "CsI"), (30.0,)),
    "xi_from_alpha(a, 'Xe132')": (lambda a: coh.xi_from_alpha(a, "Xe132"), (0.5,)),
    "alpha_from_xi(xi, 'Xe132')": (lambda x: coh.alpha_from_xi(x, "Xe132"), (0.5,)),
    "phi_from_alpha(a)": (coh.phi_from_alpha, (0.5,)),
    "alpha_from_phi(phi)": (coh.alpha_from_phi, (0.5,)),
    "gamma_np(FZ, FN, 'Xe132')": (lambda fz, fn: coh.gamma_np(fz, fn, "Xe132"), (0.9, 0.8)),
    "gamma_qm(a, 'Xe132')": (lambda a: coh.gamma_qm(a, "Xe132"), (0.5,)),
    "gamma_data(xi, 'Xe132')": (lambda x: coh.gamma_data(x, "Xe132"), (0.5,)),
    "alpha_from_form_factors(FZ, FN, 'Xe132')": (
        lambda fz, fn: coh.alpha_from_form_factors(fz, fn, "Xe132"), (0.9, 0.9)),
    "q2_max(E, 'Ar40')": (lambda E: coh.q2_max(E, "Ar40"), (30.0,)),
    "q2_max(E, M)": (coh.q2_max, (30.0, 37000.0)),
    "T_max(E, 'Ar40')": (lambda E: coh.T_max(E, "Ar40"), (30.0,)),
    "E_min(T, 'Ar40')": (lambda T: coh.E_min(T, "Ar40"), (1e-3,)),
}


@pytest.mark.parametrize("variant", ["fast", "array1", "array16", "npscalar", "numpy0d",
                                     "twin"])
@pytest.mark.parametrize("name", list(CALLS))
def test_scalar_call(benchmark: Any, name: str, variant: str) -> None:
    func, args = CALLS[name]
    benchmark.group = f"scalar {name}"
    benchmark.extra_info["n"] = 16 if variant == "array16" else 1
    benchmark.extra_info["impl"] = variant
    if variant == "twin":
        with coh.use_backend("numpy"):
            out = benchmark(func, *args)
    else:
        if variant == "fast":
            call_args = args
        elif variant == "numpy0d":
            call_args = tuple(np.asarray(a) for a in args)
        elif variant == "npscalar":
            call_args = tuple(np.float64(a) if isinstance(a, float) else np.int64(a)
                              for a in args)
        else:
            size = 16 if variant == "array16" else 1
            call_args = (np.full(size, float(args[0])), *args[1:])
        with coh.use_backend("compiled"):
            out = benchmark(func, *call_args)
    with coh.use_backend("compiled"):
        fast = func(*args)
    assert type(fast) is float
    if variant in ("numpy0d", "npscalar", "array1"):
        assert np.all(out == fast)  # same bits on the fast and the array paths
    elif variant == "array16":
        np.testing.assert_allclose(out, fast, rtol=1e-14, atol=0)
    else:
        # The twin is an independent implementation: equal to rounding.
        assert out == pytest.approx(fast, rel=1e-12, abs=1e-300)


def test_numpy_0d_reference(benchmark: Any) -> None:
    """What a bare numpy ufunc costs on a 0-d array (the floor of any array path)."""
    a = np.asarray(0.5)
    benchmark.group = "scalar numpy ufunc floor"
    benchmark.extra_info["n"] = 1
    benchmark.extra_info["impl"] = "numpy-cos-0d"
    assert benchmark(np.cos, a) == np.cos(0.5)
