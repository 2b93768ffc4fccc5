"""The detector response of an experiment as a matrix from true recoil energy to
observed bins (docs/physics.md §11).

A nuclear recoil of true energy T (MeV) becomes an electron-equivalent energy E_ee =
Q(T) (quenching, Eq. 11.1), a mean observable mu = Y E_ee[keV] photoelectrons or
E_ee[keV] keVee (Eq. 11.2), an observable x distributed as P(x | mu) (resolution,
Eq. 11.3), seen with efficiency eps(x) (Eq. 11.4) in bins [x_b, x_{b+1}). For a
quadrature rule (T_j, w_j) in true recoil energy,

    counts[b] = sum_j R[b, j] w_j dN/dT(T_j),
    R[b, j] = int_{x_b}^{x_{b+1}} eps(x) P(x | mu(T_j)) dx

(Eq. 11.5, 11.6). :class:`Response` holds the chain; :meth:`Response.matrix` computes
R with the compiled kernel ``response_matrix`` (or its numpy twin).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _backend, _records, _validation
from .._records import ResolutionParams
from .._typing import FloatArray
from .quenching import ConstantQuenching
from .resolution import ResolutionModel

__all__ = ["Response"]

#: Most integers a Poisson response adds to its efficiency grid (one node per
#: possible photoelectron count in the observed range).
MAX_POISSON_NODES = 10_000_000


def _merge_nodes(x: FloatArray, eps: FloatArray, extra: FloatArray,
                 extra_eps: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The grid (x, eps) with the points ``extra`` (not already nodes) inserted."""
    new = ~np.isin(extra, x)
    xs = np.concatenate([x, extra[new]])
    es = np.concatenate([eps, extra_eps[new]])
    order = np.argsort(xs, kind="stable")  # repeated nodes (jumps) keep their order
    return np.ascontiguousarray(xs[order]), np.ascontiguousarray(es[order])


@dataclass(frozen=True, eq=False)
class Response:
    """Quenching, light yield, resolution, efficiency and observed bins of a detector:
    the response matrix from true-recoil nodes to observed bins (docs/physics.md
    Eq. 11.5).

    Parameters
    ----------
    quenching : callable or float
        T_nr (MeV) -> E_ee (MeV), strictly increasing (a model of
        :mod:`coherency.detector.quenching`, any such callable), or a constant
        quenching factor in (0, 1].
    resolution : ResolutionModel
        :class:`~coherency.detector.PoissonPE`, :class:`~coherency.detector.GammaPE`,
        :class:`~coherency.detector.GaussianEnergy` or
        :class:`~coherency.detector.NoSmearing`.
    efficiency : callable or None
        eps(x) in [0, 1] with x in the unit of the observable; None: eps = 1. Models
        of :mod:`coherency.detector.efficiency` give their own grid; any other
        callable is sampled every ``max_step``.
    edges : array_like
        Observed bin edges, strictly increasing, in PE or keVee (the observable's
        unit); bins are [edges[b], edges[b+1]).
    light_yield_pe_per_keV : float, optional
        Y (PE per keVee), > 0. None: the resolution model's own (PoissonPE's Y,
        GammaPE's 1/a); a value replaces it (a light-yield variation). With
        :class:`~coherency.detector.NoSmearing` it makes the observable PE. Not allowed
        with an energy observable (:class:`~coherency.detector.GaussianEnergy`).
    tolerance : float
        Largest deviation of the piecewise-linear efficiency from eps (absolute), for
        the models that place their grid by curvature; > 0. Default 1e-5, a thousandth
        of the +-1 sigma band of the COHERENT CsI 2021 efficiency (~1e-2); the grid
        grows as tolerance^(-1/2).
    max_step : float
        Largest spacing of the efficiency grid, in units of x; > 0. Default 0.25.

    Raises
    ------
    TypeError
        A component of the wrong kind.
    ValueError
        Edges not strictly increasing or not finite, fewer than two; a light yield
        <= 0 or given for an energy observable; efficiency values outside [0, 1].

    Notes
    -----
    The efficiency grid holds the bin edges, the efficiency's own nodes (its table,
    its kinks and jumps, steps from its curvature) and, for Poisson statistics, every
    integer in the observed range (so eps(n) is exact there). Each linear piece of it
    integrates exactly through the distribution's CDF and first moment (see
    docs/physics.md §11 and csrc/coh_resp.h). The kernel computes one column of R
    (one true-recoil node) at a time; results are the same for any ``n_threads``.

    Examples
    --------
    >>> from coherency.detector import (GammaPE, LogisticEfficiency, PolynomialQuenching,
    ...                                 Response)
    >>> import numpy as np
    >>> csi = Response(PolynomialQuenching.coherent_csi_2021().nominal, GammaPE(),
    ...                LogisticEfficiency.coherent_csi_2021().nominal,
    ...                edges=np.linspace(0.0, 60.0, 10))
    >>> csi.observable, round(csi.light_yield, 2)
    ('PE', 13.35)
    >>> R = csi.matrix(np.linspace(1e-3, 0.04, 5))
    >>> R.shape, bool(np.all(R.sum(axis=0) <= 1.0))
    ((9, 5), True)
    >>> flat = Response(0.1, GammaPE(), None, edges=[0.0, 1e4])   # eps = 1, all of x > 0
    >>> bool(np.allclose(flat.matrix([0.01, 0.02]), 1.0, rtol=0, atol=1e-13))
    True
    """

    quenching: Any
    resolution: ResolutionModel
    efficiency: Any
    edges: tuple[float, ...]
    light_yield_pe_per_keV: float | None = None
    tolerance: float = 1e-5
    max_step: float = 0.25
    _grid: tuple[FloatArray, FloatArray] | None = field(
        default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        q = self.quenching
        if not callable(q):
            if isinstance(q, (str, bytes)) or q is None:
                raise TypeError(f"quenching must be a callable T_nr (MeV) -> E_ee (MeV) or "
                                f"a quenching factor; got {q!r}")
            object.__setattr__(self, "quenching", ConstantQuenching(q))
        if not isinstance(self.resolution, ResolutionModel):
            raise TypeError(f"resolution must be a resolution model (PoissonPE, GammaPE, "
                            f"GaussianEnergy, NoSmearing); got {self.resolution!r}")
        if self.efficiency is not None and not callable(self.efficiency):
            raise TypeError(f"efficiency must be a callable x -> [0, 1] or None; got "
                            f"{self.efficiency!r}")
        e = _validation.as_float_array(self.edges, "edges")
        if e.ndim != 1 or e.size < 2:
            raise ValueError(f"edges must be 1-D with at least two entries; got shape {e.shape}")
        _validation.check_increasing(e, "edges")
        object.__setattr__(self, "edges", tuple(float(v) for v in e))
        if self.light_yield_pe_per_keV is not None:
            y = _validation.as_float(self.light_yield_pe_per_keV, "light_yield_pe_per_keV",
                                     min_value=0.0, exclusive_min=True, unit="PE/keVee")
            if self.resolution.observable == "keVee":
                raise ValueError(f"light_yield_pe_per_keV must be None: "
                                 f"{type(self.resolution).__name__} smears an energy "
                                 f"observable (keVee); got {y!r}")
            object.__setattr__(self, "light_yield_pe_per_keV", y)
        for name in ("tolerance", "max_step"):
            object.__setattr__(self, name, _validation.as_float(
                getattr(self, name), name, min_value=0.0, exclusive_min=True))

    # ---- what the chain is ----------------------------------------------------------

    @property
    def light_yield(self) -> float | None:
        """The light yield in use (PE per keVee), None for an energy observable."""
        if self.light_yield_pe_per_keV is not None:
            return self.light_yield_pe_per_keV
        return self.resolution.light_yield_pe_per_keV

    @property
    def observable(self) -> str:
        """``"PE"`` (photoelectrons) or ``"keVee"``: the unit of x, the edges and the
        efficiency's argument."""
        return "keVee" if self.light_yield is None else "PE"

    @property
    def kernel_params(self) -> ResolutionParams:
        """The resolution model as the kernel's record (parameters in units of x)."""
        return self.resolution.kernel_params(self.light_yield)

    @property
    def edges_array(self) -> FloatArray:
        """The bin edges as an array."""
        return np.asarray(self.edges, dtype=np.float64)

    def mean(self, T_nr_MeV: npt.ArrayLike) -> FloatArray:
        """Mean observable mu(T) = Y Q(T)[keV] (PE) or Q(T)[keV] (keVee) at 1-D recoil
        energies T_nr_MeV (docs/physics.md Eq. 11.2).

        Raises
        ------
        ValueError
            T_nr_MeV negative, not finite or not 1-D; a quenching that returns values
            that are negative or not finite, or that is not strictly increasing
            across the energies given (the message names where it turns over).
        """
        T = _validation.as_float_array(T_nr_MeV, "T_nr_MeV", min_value=0.0, unit="MeV")
        if T.ndim != 1:
            raise ValueError(f"T_nr_MeV must be 1-D (one entry per node); got shape {T.shape}")
        E = np.asarray(self.quenching(T), dtype=np.float64).reshape(-1)
        if E.shape != T.shape:
            raise ValueError(f"quenching returned {E.size} values for {T.size} energies")
        _validation.as_float_array(E, "quenching(T_nr_MeV)", min_value=0.0, unit="MeV")
        order = np.argsort(T, kind="stable")
        Ts, Es = T[order], E[order]
        distinct = np.diff(Ts) > 0.0
        bad = distinct & ~(np.diff(Es) > 0.0)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"quenching must be strictly increasing: E_ee({float(Ts[i])!r} MeV) = "
                f"{float(Es[i])!r} MeV >= E_ee({float(Ts[i + 1])!r} MeV) = "
                f"{float(Es[i + 1])!r} MeV; it turns over "
                f"between T_nr = {Ts[i]:.6g} and {Ts[i + 1]:.6g} MeV")
        mu = E * 1e3
        y = self.light_yield
        return mu * y if y is not None else mu

    # ---- the efficiency grid --------------------------------------------------------

    def grid(self) -> tuple[FloatArray, FloatArray]:
        """The efficiency grid (x, eps) the kernel integrates over: nondecreasing x
        from edges[0] to edges[-1] holding every edge (a repeated x is a jump: the
        first copy carries the left limit), eps in [0, 1]. Computed once."""
        if self._grid is None:
            object.__setattr__(self, "_grid", self._make_grid())
        assert self._grid is not None
        return self._grid

    def _make_grid(self) -> tuple[FloatArray, FloatArray]:
        edges = self.edges_array
        lo, hi = float(edges[0]), float(edges[-1])
        eff = self.efficiency
        extra = edges
        if self.resolution.kernel_params().model == _records.RES_POISSON:
            first, last = max(math.ceil(lo), 0), math.floor(hi)
            if last - first + 1 > MAX_POISSON_NODES:
                raise ValueError(f"edges span {last - first + 1} photoelectron counts; a "
                                 f"Poisson response takes at most {MAX_POISSON_NODES}")
            if last >= first:
                ints = np.arange(first, last + 1, dtype=np.float64)
                extra = np.union1d(extra, ints[ints <= hi])
        if eff is None:
            x, eps = np.array([lo, hi]), np.ones(2)
        elif hasattr(eff, "sample"):
            x, eps = eff.sample(lo, hi, self.tolerance, self.max_step)
            x = np.asarray(x, dtype=np.float64)
            eps = np.asarray(eps, dtype=np.float64)
        else:
            n = max(1, math.ceil((hi - lo) / self.max_step))
            x = np.linspace(lo, hi, n + 1)
            eps = self._efficiency_values(x)
        _validation.check_unit_interval(eps, "efficiency", x)
        extra_eps = np.ones(extra.size) if eff is None else self._efficiency_values(extra)
        _validation.check_unit_interval(extra_eps, "efficiency", extra)
        x, eps = _merge_nodes(x, eps, extra, extra_eps)
        if not (x[0] == lo and x[-1] == hi):
            raise ValueError(f"the efficiency's grid must span the edges [{lo!r}, {hi!r}]; "
                             f"got [{float(x[0])!r}, {float(x[-1])!r}]")
        _validation.check_increasing(x, "efficiency grid", strict=False)
        return x, eps

    def _efficiency_values(self, x: FloatArray) -> FloatArray:
        vals = np.asarray(self.efficiency(x), dtype=np.float64).reshape(-1)
        if vals.shape != x.shape:
            raise ValueError(f"efficiency returned {vals.size} values for {x.size} points")
        if np.isnan(vals).any():
            i = int(np.argmax(np.isnan(vals)))
            raise ValueError(f"efficiency must not be NaN; got nan at x = {float(x[i])!r}")
        return vals

    # ---- the matrix -----------------------------------------------------------------

    def matrix(self, T_nr_MeV: npt.ArrayLike, n_threads: int = 1) -> FloatArray:
        """The response matrix R[b, j] (docs/physics.md Eq. 11.5) at true-recoil nodes.

        Parameters
        ----------
        T_nr_MeV : array_like, MeV
            True nuclear-recoil energies of the nodes, 1-D, >= 0.
        n_threads : int
            Threads of the compiled kernel; the result does not depend on it.

        Returns
        -------
        ndarray, shape (n_bins, n_nodes)
            The probability that a recoil at node j is seen, and seen in bin b.

        Raises
        ------
        ValueError
            Bad energies (see :meth:`mean`); a mean beyond a model's range (a Poisson
            mean or a gamma shape above 1e8).
        """
        nt = _validation.check_threads(n_threads)
        mu = self.mean(T_nr_MeV)
        params = self.kernel_params
        _validation.check_response_means(mu, params, self.observable)
        gx, geps = self.grid()
        edges = self.edges_array
        n_bins = edges.size - 1
        out = np.empty(mu.size * n_bins)
        _backend.kernels().response_matrix(mu, params, gx, geps, edges, out, nt)
        return np.ascontiguousarray(out.reshape(mu.size, n_bins).T)

    def observe(self, T_nr_MeV: npt.ArrayLike, weights: npt.ArrayLike,
                n_threads: int = 1) -> FloatArray:
        """Counts per observed bin, R @ weights (docs/physics.md Eq. 11.6).

        Parameters
        ----------
        T_nr_MeV : array_like, MeV
            Nodes, as in :meth:`matrix`.
        weights : array_like
            w_j dN/dT(T_j), one per node (or one row per node: shape (n_nodes, k)).

        Returns
        -------
        ndarray, shape (n_bins,) or (n_bins, k)
        """
        w = _validation.as_float_array(weights, "weights")
        T = np.asarray(T_nr_MeV)
        if w.ndim not in (1, 2) or w.shape[0] != np.size(T):
            raise ValueError(f"weights must have one entry (or row) per node ({np.size(T)}); "
                             f"got shape {w.shape}")
        return np.asarray(self.matrix(T_nr_MeV, n_threads) @ w, dtype=np.float64)
