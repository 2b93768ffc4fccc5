"""Typed records the kernels take, one per C struct of csrc/.

Kernels of both backends read these by field name. Each record has the fields of its
C struct, in the same order, minus the counts the kernel derives from array lengths
(marked ``(derived)`` in the header); tests/test_kernel_convention.py parses the
headers and checks that.

=================  =====================  ================
record             C struct               header
=================  =====================  ================
FormFactorParams   coh_ff_t               csrc/coh_ff.h
NucleusSpec        coh_nucleus_t          csrc/coh_xsec.h
FormFactorPair     coh_ffpair_t           csrc/coh_rate.h
FluxModel          coh_chebmodel_t        csrc/coh_rate.h
QGrid              coh_qgrid_t            csrc/coh_rate.h
ResolutionParams   coh_resolution_t       csrc/coh_resp.h
BSMSpec            coh_bsm_t              csrc/coh_bsm.h
BSMPiece           coh_bsm_piece_t        csrc/coh_bsm.h
BSMGrid            coh_bsm_grid_t         csrc/coh_bsm.h
=================  =====================  ================

Lengths are in MeV^-1 (fm / hbar c), masses and momenta in MeV. The ids of the
resolution models (``RES_*``) mirror the ``COH_RES_*`` macros of csrc/coh_status.h.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class FormFactorParams(NamedTuple):
    """One form factor: model id (``coherency._ff_models``) and its two lengths."""

    model: int
    p1: float
    p2: float


@dataclass(frozen=True, slots=True)
class NucleusSpec:
    """One target nucleus of dsigma/dq2 = prefactor (1 - q^2/4E^2) (wz F_Z - wn F_N)^2.

    ``packed`` is a cache of the compiled backend: the bytes of the C struct, filled on
    first use (the scalar fast path would otherwise read ten fields per call). It takes
    no part in equality, hashing or ``repr``; the numpy twin never reads it.
    """

    mass: float
    """Nuclear mass, MeV (> 0)."""
    prefactor: float
    """(1/2) G_F^2 / (4 pi) in the units of the result (cm^2/MeV^2)."""
    wz: float
    """epsilon Z."""
    wn: float
    """N."""
    ffz: FormFactorParams
    """Proton form factor."""
    ffn: FormFactorParams
    """Neutron form factor."""
    packed: bytes | None = field(default=None, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class FormFactorPair:
    """Mass (MeV) and proton and neutron form factors of one nucleus.

    ``qgrid_moments`` replaces the first lengths (``p1``) point by point and reads
    only the models and second lengths here.
    """

    mass: float
    ffz: FormFactorParams
    ffn: FormFactorParams


@dataclass(frozen=True, slots=True, eq=False)
class FluxModel:
    """Piecewise Chebyshev model of a source's flux moments F0(x) = int_x Phi dE and
    F2(x) = int_x Phi/E^2 dE (coherency.rates builds it; csrc/coh_rate.h describes the
    arrays). Breakpoints ``bps`` (increasing); pieces ``p`` with sorted keys, ``t0``,
    ``t1``, ``n_coef`` antiderivative coefficients each in ``coef0``/``coef2`` (flat,
    row per piece), full integrals ``a1_0``/``a1_2``, moments above each piece
    ``above0``/``above2`` and ``converged`` (uint8)."""

    bps: FloatArray
    below0: float
    below2: float
    keys: FloatArray
    t0: FloatArray
    t1: FloatArray
    n_coef: int
    coef0: FloatArray
    coef2: FloatArray
    a1_0: FloatArray
    a1_2: FloatArray
    above0: FloatArray
    above2: FloatArray
    converged: npt.NDArray[np.uint8]
    cancel: float


@dataclass(frozen=True, slots=True, eq=False)
class QGrid:
    """G(q) of the batch API tabulated on panels (csrc/coh_rate.h, coh_qgrid_t):
    ``edges`` (n_panels + 1 increasing momenta, MeV), ``len(gl_x)`` nodes ``node_q``
    and weights ``node_w`` per panel, the Chebyshev series ``cheb`` of h per panel
    (equal rows) and the Gauss-Legendre rule ``gl_x``, ``gl_w`` on [-1, 1]."""

    edges: FloatArray
    node_q: FloatArray
    node_w: FloatArray
    cheb: FloatArray
    gl_x: FloatArray
    gl_w: FloatArray


# Resolution models of the response matrix (COH_RES_* of csrc/coh_status.h; the
# convention test compares them): P(x | mu) for a mean observable mu, docs/physics.md
# Eq. (11.3).
RES_NONE = 0
"""x = mu exactly."""
RES_POISSON = 1
"""Integer x, Poisson of mean mu."""
RES_GAMMA = 2
"""Gamma of mean mu and shape 1 + p1 mu (p1 per unit of x)."""
RES_GAUSS = 3
"""Gaussian of mean mu, sigma^2 = p1^2 + p2^2 mu + p3^2 mu^2."""
RES_COUNT = 4
"""Number of resolution models: valid ids are 0 .. RES_COUNT - 1."""
RESOLUTION_MODELS: dict[str, int] = {
    "COH_RES_NONE": RES_NONE,
    "COH_RES_POISSON": RES_POISSON,
    "COH_RES_GAMMA": RES_GAMMA,
    "COH_RES_GAUSS": RES_GAUSS,
}
"""Macro name in csrc/coh_status.h -> id."""


class ResolutionParams(NamedTuple):
    """One resolution model of the response kernel: id ``RES_*`` and its three
    parameters in units of the observable x (csrc/coh_resp.h, coh_resolution_t)."""

    model: int
    p1: float = 0.0
    p2: float = 0.0
    p3: float = 0.0


BSM_TERM_SIZE = 5
"""Doubles per term of ``BSMSpec.terms`` (COH_BSM_TERM_SIZE of csrc/coh_bsm.h)."""
BSM_SM = 0.0
"""Kind of a Standard-Model term (the running of g_V^p), added to the amplitude a."""
BSM_NEW = 1.0
"""Kind of a term of the model, added to the shift d."""
BSM_MAX_TERMS = 64
"""Most terms of one BSMSpec (COH_BSM_MAX_TERMS)."""
BSM_MAX_UNITS = 64
"""Most linear parameters of one BSMGrid (COH_BSM_MAX_UNITS)."""
BSM_MAX_ROWS = 4096
"""Most rows of weights of one BSMGrid (COH_BSM_MAX_ROWS)."""


@dataclass(frozen=True, slots=True, eq=False)
class BSMSpec:
    """One model of :mod:`coherency.bsm` for one neutrino flavour and one nucleus, as the
    kernels take it (csrc/coh_bsm.h, coh_bsm_t; docs/physics.md §13).

    The vector amplitude is a = wz F_Z - wn F_N + (terms of kind BSM_SM), its shift
    d = (terms of kind BSM_NEW); a term (cz, cn, m2, lep, kind) is
    (cz F_Z + cn F_N) x [Pi(q^2, lep) - Pi(0, lep) if lep > 0] x [1/(q^2 + m2) if
    m2 >= 0]. The change of dsigma/dq2 is pv (1 - q^2/4E^2)(2 a d + d^2 + inc)
    + ps S/E^2 + pm F_Z^2 (1/q^2 - 1/(2ME) + q^2/(16 M^2 E^2)), with
    inc = izz F_Z^2 + 2 izn F_Z F_N + inn F_N^2 and S = (sz F_Z + sn F_N)^2 q^2/(q^2 + ms2)^2.
    """

    mass: float
    """Nuclear mass M, MeV (> 0)."""
    ffz: FormFactorParams
    """Proton form factor."""
    ffn: FormFactorParams
    """Neutron form factor."""
    pv: float
    """Prefactor of the vector part, cm^2/MeV^2: (1/2) G_F^2/(4 pi) (hbar c)^2."""
    wz: float
    """Standard-Model amplitude: 2 Z g_V^p (eps Z at tree level)."""
    wn: float
    """Standard-Model amplitude: -2 N g_V^n (N at tree level)."""
    terms: FloatArray
    """BSM_TERM_SIZE doubles per term, at most BSM_MAX_TERMS terms (C-contiguous)."""
    izz: float
    """Incoherent vector part (off-diagonal couplings), on F_Z^2."""
    izn: float
    """... on 2 F_Z F_N."""
    inn: float
    """... on F_N^2."""
    ps: float
    """Scalar mediator: (hbar c)^2/(16 pi), cm^2 (0 without one)."""
    sz: float
    """Scalar charge on F_Z (coupling x nucleon charge x Z)."""
    sn: float
    """Scalar charge on F_N."""
    ms2: float
    """Scalar mediator mass squared, MeV^2."""
    pm: float
    """Magnetic moment: pi alpha^2 mu^2 Z^2/m_e^2 (hbar c)^2, cm^2 (0 without one)."""


@dataclass(frozen=True, slots=True, eq=False)
class BSMPiece:
    """One flavour part of a source on one nucleus of a grid of model points
    (csrc/coh_bsm.h, coh_bsm_piece_t): the records of the grid's unit models and of each
    pair of them, its q nodes with the flux moments there and its rows of weights."""

    specs: tuple[BSMSpec, ...]
    """The K unit models (lambda_k = 1), then each pair (k, l), k < l, in the order
    (0, 1), (0, 2), ..., (1, 2), ...: K (K + 1)/2 records."""
    q2: FloatArray
    """Nodes q^2, MeV^2 (> 0)."""
    F0: FloatArray
    """Flux moments integral_{E_min(q)} Phi E^-k dE at the nodes, k = 0, 1, 2."""
    F1: FloatArray
    F2: FloatArray
    W: FloatArray
    """n_rows rows of len(q2) weights (>= 0), flat: the q rule, and a detector's
    response for a spectrum."""


@dataclass(frozen=True, slots=True, eq=False)
class BSMGrid:
    """A grid of model points as the kernels take it (csrc/coh_bsm.h, coh_bsm_grid_t):
    ``n_units`` linear parameters, ``n_rows`` rows of weights per piece, the pieces."""

    n_units: int
    """K, the linear parameters lambda_k of the model (1 .. 64)."""
    n_rows: int
    """Rows of weights of every piece (1 .. 4096): one value per row and point."""
    pieces: tuple[BSMPiece, ...]
