"""The kernel interface both backends implement, for type checkers.

``coherency._backend.kernels()`` returns either the compiled module
(``coherency._kernels``, described by ``_kernels.pyi``) or the numpy/scipy twin
(``coherency._reference``); both are typed as :class:`KernelModule`, so mypy follows
every kernel call of the physics modules. mypy checks that both modules implement
the protocol (the assignments at the end of ``_backend.py``), and
tests/test_packaging.py that the two export the same names with the same signatures.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ._records import (
    BSMGrid,
    BSMSpec,
    FluxModel,
    FormFactorPair,
    NucleusSpec,
    QGrid,
    ResolutionParams,
)

FloatArray = npt.NDArray[np.float64]
UInt8Array = npt.NDArray[np.uint8]


class KernelModule(Protocol):
    """Signatures of every kernel (see coherency._kernels for what they compute)."""

    # form factors
    def spherical_j1(self, x: FloatArray, out: FloatArray, n_threads: int = 1) -> None: ...
    def helm(self, q: FloatArray, r0: float, s: float, out: FloatArray,
             n_threads: int = 1) -> None: ...
    def form_factor(self, q: FloatArray, model: int, p1: float, p2: float, out: FloatArray,
                    n_threads: int = 1) -> None: ...

    # cross sections
    def dsigma_dq2(self, q2: FloatArray, E: FloatArray, spec: NucleusSpec, out: FloatArray,
                   n_threads: int = 1) -> None: ...
    def sigma_total(self, E: FloatArray, q2_min: FloatArray, spec: NucleusSpec,
                    panel_dq: float, gl_x: FloatArray, gl_w: FloatArray, out: FloatArray,
                    n_threads: int = 1) -> None: ...

    # rates and the batch API
    def folded_sigma(self, E: FloatArray, w: FloatArray, q2_min: float, spec: NucleusSpec,
                     panel_dq: float, gl_x: FloatArray, gl_w: FloatArray,
                     n_threads: int = 1) -> float: ...
    def qgrid_moments(self, grid: QGrid, pair: FormFactorPair, p1z: FloatArray,
                      p1n: FloatArray, q_lo: FloatArray, out: FloatArray,
                      n_threads: int = 1) -> None: ...
    def moments_to_coef(self, m: FloatArray, factors: FloatArray, coef: FloatArray,
                        add: bool = False, n_threads: int = 1) -> None: ...
    def batch_combine(self, coef: FloatArray, which: npt.NDArray[np.int64], s2: FloatArray,
                      eps_default: float, alpha: FloatArray, acc: FloatArray,
                      add: bool = True, n_threads: int = 1) -> None: ...
    def cheb_moments(self, model: FluxModel, x: FloatArray, F0: FloatArray, F2: FloatArray,
                     redo: UInt8Array, n_threads: int = 1) -> None: ...
    def dn_dq2(self, model: FluxModel, line_E: FloatArray, line_F0: FloatArray,
               line_F2: FloatArray, spec: NucleusSpec, v: FloatArray, scale: float,
               cap: float, weight: float, out: FloatArray, redo: UInt8Array,
               add: bool = False, n_threads: int = 1) -> None: ...

    # detector response
    def gammainc_pq(self, a: FloatArray, x: FloatArray, P: FloatArray, Q: FloatArray,
                    n_threads: int = 1) -> None: ...
    def response_matrix(self, mu: FloatArray, res: ResolutionParams, grid_x: FloatArray,
                        grid_eps: FloatArray, edges: FloatArray, out: FloatArray,
                        n_threads: int = 1) -> None: ...

    # physics beyond the Standard Model
    def bsm_dsigma_dq2(self, q2: FloatArray, E: FloatArray, spec: BSMSpec, out: FloatArray,
                       n_threads: int = 1) -> None: ...
    def bsm_sigma(self, E: FloatArray, q2_min: FloatArray, spec: BSMSpec, panel_dq: float,
                  gl_x: FloatArray, gl_w: FloatArray, out: FloatArray,
                  n_threads: int = 1) -> None: ...
    def bsm_parts(self, spec: BSMSpec, q2: FloatArray, F0: FloatArray, F1: FloatArray,
                  F2: FloatArray, lin: FloatArray, quad: FloatArray,
                  n_threads: int = 1) -> None: ...
    def bsm_grid(self, grid: BSMGrid, scale: FloatArray, m2: FloatArray, lambdas: FloatArray,
                 mass_index: npt.NDArray[np.int64], out: FloatArray,
                 n_threads: int = 1) -> None: ...

    # argument checks
    def all_within(self, x: FloatArray, lo: float, hi: float, lo_open: bool = False,
                   n_threads: int = 1) -> bool: ...

    # scalar entry points (the public fast path)
    def spherical_j1_scalar(self, x: float) -> float: ...
    def helm_scalar(self, q: float, r0: float, s: float) -> float: ...
    def form_factor_scalar(self, q: float, model: int, p1: float, p2: float) -> float: ...
    def dsigma_dq2_scalar(self, q2: float, E: float, spec: NucleusSpec) -> float: ...
    def sigma_total_scalar(self, E: float, q2_min: float, spec: NucleusSpec,
                           panel_dq: float, gl_x: FloatArray, gl_w: FloatArray) -> float: ...

    # small arrays (the public layer's path for float64 arrays of up to 16 elements)
    def small_form_factor(self, q: Any, model: int, p1: float, p2: float
                          ) -> FloatArray | float | None: ...
    def small_spherical_j1(self, x: Any) -> FloatArray | float | None: ...
    def small_cross_section(self, kind: int, x: Any, y: Any, plan: tuple[Any, ...],
                            x_max: float, y_max: float, gl_x: FloatArray, gl_w: FloatArray
                            ) -> FloatArray | float | None: ...
    def small_kinematics(self, kind: int, x: Any, mass: float, x_max: float
                         ) -> FloatArray | float | None: ...
    def small_coherence(self, kind: int, x: Any, y: Any, c0: float, c1: float, c2: float,
                        c3: float, clip: bool) -> FloatArray | float | None: ...

    # build information
    def build_info(self) -> dict[str, Any]: ...
    def simd_info(self) -> str: ...
