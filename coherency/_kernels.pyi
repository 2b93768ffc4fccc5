"""Type stub of the compiled module ``coherency._kernels`` (built from _kernels.pyx).

Kernels take validated, float64, C-contiguous 1-D arrays and write into ``out``;
lengths are in MeV^-1. ``spec`` is a NucleusSpec, ``model`` a FluxModel, ``grid`` a
QGrid, ``pair`` a FormFactorPair and ``res`` a ResolutionParams (coherency._records).
``n_threads`` is a thread count the caller validated and capped
(coherency._validation.check_threads: at most 1024 and at most the CPUs available to
the process); loops run on the package's
pthread pool when ``build_info()["threads"] == "pthreads"``, serially otherwise (and
below a minimum of work); results do not depend on it.
tests/test_packaging.py checks this file against the compiled module and the twin;
mypy checks it against coherency._kernel_api.KernelModule.
"""

from typing import Any

import numpy as np
import numpy.typing as npt

from coherency._records import (
    BSMGrid,
    BSMSpec,
    FluxModel,
    FormFactorPair,
    NucleusSpec,
    QGrid,
    ResolutionParams,
)

# Array kernels: write into ``out``.
def spherical_j1(
    x: npt.NDArray[np.float64], out: npt.NDArray[np.float64], n_threads: int = 1
) -> None: ...
def helm(
    q: npt.NDArray[np.float64],
    r0: float,
    s: float,
    out: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...
def form_factor(
    q: npt.NDArray[np.float64],
    model: int,
    p1: float,
    p2: float,
    out: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...
def dsigma_dq2(
    q2: npt.NDArray[np.float64],
    E: npt.NDArray[np.float64],
    spec: NucleusSpec,
    out: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...
def sigma_total(
    E: npt.NDArray[np.float64],
    q2_min: npt.NDArray[np.float64],
    spec: NucleusSpec,
    panel_dq: float,
    gl_x: npt.NDArray[np.float64],
    gl_w: npt.NDArray[np.float64],
    out: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...

# Flux-folded kernels (rates): a sum over the source's quadrature nodes.
def folded_sigma(
    E: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    q2_min: float,
    spec: NucleusSpec,
    panel_dq: float,
    gl_x: npt.NDArray[np.float64],
    gl_w: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> float: ...
def qgrid_moments(
    grid: QGrid,
    pair: FormFactorPair,
    p1z: npt.NDArray[np.float64],
    p1n: npt.NDArray[np.float64],
    q_lo: npt.NDArray[np.float64],
    out: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...
def moments_to_coef(
    m: npt.NDArray[np.float64],
    factors: npt.NDArray[np.float64],
    coef: npt.NDArray[np.float64],
    add: bool = False,
    n_threads: int = 1,
) -> None: ...
def batch_combine(
    coef: npt.NDArray[np.float64],
    which: npt.NDArray[np.int64],
    s2: npt.NDArray[np.float64],
    eps_default: float,
    alpha: npt.NDArray[np.float64],
    acc: npt.NDArray[np.float64],
    add: bool = True,
    n_threads: int = 1,
) -> None: ...
def cheb_moments(
    model: FluxModel,
    x: npt.NDArray[np.float64],
    F0: npt.NDArray[np.float64],
    F2: npt.NDArray[np.float64],
    redo: npt.NDArray[np.uint8],
    n_threads: int = 1,
) -> None: ...
def dn_dq2(
    model: FluxModel,
    line_E: npt.NDArray[np.float64],
    line_F0: npt.NDArray[np.float64],
    line_F2: npt.NDArray[np.float64],
    spec: NucleusSpec,
    v: npt.NDArray[np.float64],
    scale: float,
    cap: float,
    weight: float,
    out: npt.NDArray[np.float64],
    redo: npt.NDArray[np.uint8],
    add: bool = False,
    n_threads: int = 1,
) -> None: ...

# Detector response (csrc/coh_resp.h): the incomplete gamma function and the response
# matrix R^T (one row per true-recoil node).
def gammainc_pq(
    a: npt.NDArray[np.float64],
    x: npt.NDArray[np.float64],
    P: npt.NDArray[np.float64],
    Q: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...
def response_matrix(
    mu: npt.NDArray[np.float64],
    res: ResolutionParams,
    grid_x: npt.NDArray[np.float64],
    grid_eps: npt.NDArray[np.float64],
    edges: npt.NDArray[np.float64],
    out: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...

# The argument checks' one pass (coherency._validation).
def all_within(
    x: npt.NDArray[np.float64], lo: float, hi: float, lo_open: bool = False,
    n_threads: int = 1,
) -> bool: ...

# Scalar entry points (the public layer's fast path): one point in, a float out; each
# equals its array kernel on a one-element array bit for bit.
def spherical_j1_scalar(x: float) -> float: ...
def helm_scalar(q: float, r0: float, s: float) -> float: ...
def form_factor_scalar(q: float, model: int, p1: float, p2: float) -> float: ...
def dsigma_dq2_scalar(q2: float, E: float, spec: NucleusSpec) -> float: ...
def sigma_total_scalar(
    E: float,
    q2_min: float,
    spec: NucleusSpec,
    panel_dq: float,
    gl_x: npt.NDArray[np.float64],
    gl_w: npt.NDArray[np.float64],
) -> float: ...

# Small arrays (the public layer's path for float64 arrays of up to 16 elements): the
# result in the input's shape, or None when the arguments are not such arrays in range.
def small_form_factor(
    q: Any, model: int, p1: float, p2: float
) -> npt.NDArray[np.float64] | float | None: ...
def small_spherical_j1(x: Any) -> npt.NDArray[np.float64] | float | None: ...
def small_cross_section(
    kind: int,
    x: Any,
    y: Any,
    plan: tuple[Any, ...],
    x_max: float,
    y_max: float,
    gl_x: npt.NDArray[np.float64],
    gl_w: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64] | float | None: ...

def small_kinematics(
    kind: int, x: Any, mass: float, x_max: float
) -> npt.NDArray[np.float64] | float | None: ...
def small_coherence(
    kind: int, x: Any, y: Any, c0: float, c1: float, c2: float, c3: float, clip: bool
) -> npt.NDArray[np.float64] | float | None: ...

# Build introspection (coherency.show_config).
def build_info() -> dict[str, Any]: ...
def simd_info() -> str: ...
def _pool_workers() -> int: ...

# Physics beyond the Standard Model (csrc/coh_bsm.h): ``spec`` is a BSMSpec, the
# ``grid`` of bsm_grid a BSMGrid.
def bsm_dsigma_dq2(
    q2: npt.NDArray[np.float64],
    E: npt.NDArray[np.float64],
    spec: BSMSpec,
    out: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...
def bsm_sigma(
    E: npt.NDArray[np.float64],
    q2_min: npt.NDArray[np.float64],
    spec: BSMSpec,
    panel_dq: float,
    gl_x: npt.NDArray[np.float64],
    gl_w: npt.NDArray[np.float64],
    out: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...
def bsm_parts(
    spec: BSMSpec,
    q2: npt.NDArray[np.float64],
    F0: npt.NDArray[np.float64],
    F1: npt.NDArray[np.float64],
    F2: npt.NDArray[np.float64],
    lin: npt.NDArray[np.float64],
    quad: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...
def bsm_grid(
    grid: BSMGrid,
    scale: npt.NDArray[np.float64],
    m2: npt.NDArray[np.float64],
    lambdas: npt.NDArray[np.float64],
    mass_index: npt.NDArray[np.int64],
    out: npt.NDArray[np.float64],
    n_threads: int = 1,
) -> None: ...
