"""Type stub of the compiled module ``coherency._kernels`` (built from _kernels.pyx).

Kernels take validated, float64, C-contiguous 1-D arrays and write into ``out``;
lengths are in MeV^-1. ``spec`` describes one nucleus:
``(mass, prefactor, wz, wn, model_z, pz1, pz2, model_n, pn1, pn2)``.
tests/test_packaging.py checks this file against the compiled module and the twin.
"""

import numpy as np
import numpy.typing as npt

def spherical_j1(x: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> None: ...
def helm(
    q: npt.NDArray[np.float64], r0: float, s: float, out: npt.NDArray[np.float64]
) -> None: ...
def form_factor(
    q: npt.NDArray[np.float64],
    model: int,
    p1: float,
    p2: float,
    out: npt.NDArray[np.float64],
) -> None: ...
def dsigma_dq2(
    q2: npt.NDArray[np.float64],
    E: npt.NDArray[np.float64],
    spec: tuple[float, ...],
    out: npt.NDArray[np.float64],
) -> None: ...
def sigma_total(
    E: npt.NDArray[np.float64],
    q2_min: npt.NDArray[np.float64],
    spec: tuple[float, ...],
    panel_dq: float,
    gl_x: npt.NDArray[np.float64],
    gl_w: npt.NDArray[np.float64],
    out: npt.NDArray[np.float64],
) -> None: ...

# Scalar entry points (issue 7 fast path): one point in, a float out; each equals
# its array kernel on a one-element array bit for bit.
def spherical_j1_scalar(x: float) -> float: ...
def helm_scalar(q: float, r0: float, s: float) -> float: ...
def form_factor_scalar(q: float, model: int, p1: float, p2: float) -> float: ...
def dsigma_dq2_scalar(q2: float, E: float, spec: tuple[float, ...]) -> float: ...
def sigma_total_scalar(
    E: float,
    q2_min: float,
    spec: tuple[float, ...],
    panel_dq: float,
    gl_x: npt.NDArray[np.float64],
    gl_w: npt.NDArray[np.float64],
) -> float: ...

# Build introspection (coherency.show_config).
_COMPILE_FLAGS: str
_COMPILER: str

def simd_info() -> str: ...
