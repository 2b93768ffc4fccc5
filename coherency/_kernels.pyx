# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False, embedsignature=True
"""Compiled kernels of coherency: thin nogil loops over the C99 code in csrc/.

Kernels take validated, float64, C-contiguous 1-D arrays and write into ``out``.
They neither broadcast nor check ranges: the public layer does that once for both
backends. Lengths are in MeV^-1 (fm / hbar c). ``spec`` describes one nucleus:
``(mass, prefactor, wz, wn, model_z, pz1, pz2, model_n, pn1, pn2)``.
The numpy/scipy twin with the same names and signatures is coherency._reference.

``n_threads`` (default 1) runs a loop on that many OpenMP threads when the module
was built with OpenMP (see :func:`build_info`). Work is cut into chunks whose
boundaries do not depend on the thread count, and every sum is taken in a fixed
order, so results are bitwise the same for any ``n_threads``. The GIL is released
inside every loop.
"""

from cpython.exc cimport PyErr_CheckSignals
from cython.parallel cimport prange, threadid
from libc.math cimport isfinite
from libc.stdlib cimport free, malloc

cdef extern from "coh_ff.h":
    ctypedef struct coh_ff_t:
        int model
        double p1
        double p2
    int coh_spherical_j1_array(const double *x, double *out, Py_ssize_t n) nogil
    int coh_helm_array(const double *q, double *out, Py_ssize_t n, double r0, double s) nogil
    int coh_form_factor_array(const double *q, double *out, Py_ssize_t n,
                              const coh_ff_t *ff) nogil
    int coh_ff_check(const coh_ff_t *ff) nogil

cdef extern from "coh_ff.h":
    const char *coh_simd_info() nogil

cdef extern from *:
    """
    #ifndef COH_BUILD_FLAGS
    #define COH_BUILD_FLAGS ""
    #endif
    #define COH_STR_(x) #x
    #define COH_STR(x) COH_STR_(x)
    #if defined(__clang__)
    #define COH_COMPILER "clang " __clang_version__
    #elif defined(__GNUC__)
    #define COH_COMPILER "gcc " __VERSION__
    #elif defined(_MSC_FULL_VER)
    #define COH_COMPILER "msvc " COH_STR(_MSC_FULL_VER)
    #else
    #define COH_COMPILER "unknown"
    #endif
    """
    const char *COH_BUILD_FLAGS
    const char *COH_COMPILER

cdef extern from "coh_xsec.h":
    ctypedef struct coh_nucleus_t:
        double mass
        double prefactor
        double wz
        double wn
        coh_ff_t ffz
        coh_ff_t ffn
    int coh_nucleus_check(const coh_nucleus_t *nuc) nogil
    int coh_dsigma_dq2_array(const coh_nucleus_t *nuc, const double *q2, const double *E,
                             double *out, Py_ssize_t n) nogil
    int coh_sigma_total_array(const coh_nucleus_t *nuc, const double *E,
                              const double *q2_min, double *out, Py_ssize_t n,
                              double panel_dq, const double *gl_x, const double *gl_w,
                              Py_ssize_t n_gl) nogil

cdef extern from "coh_rate.h":
    ctypedef struct coh_ffpair_t:
        double mass
        coh_ff_t ffz
        coh_ff_t ffn
    int coh_ffpair_same(const coh_ffpair_t *pair) nogil
    int coh_ffpair_check(const coh_ffpair_t *pair) nogil
    Py_ssize_t coh_rate_n_chunks(Py_ssize_t n) nogil
    void coh_moments_range(const coh_ffpair_t *pair, const double *E, const double *w,
                           Py_ssize_t i0, Py_ssize_t i1, double q2_min, double panel_dq,
                           const double *gl_x, const double *gl_w, Py_ssize_t n_gl,
                           double *out3) nogil
    void coh_moments_rule(const coh_ffpair_t *pair, const double *E, const double *w,
                          Py_ssize_t n, double q2_min, double panel_dq,
                          const double *gl_x, const double *gl_w, Py_ssize_t n_gl,
                          double *out3) nogil
    double coh_moments_combine(const double *m3, int same, double prefactor, double wz,
                               double wn) nogil
    int coh_openmp_enabled() nogil
    ctypedef struct coh_chebmodel_t:
        Py_ssize_t n_bps
        const double *bps
        double below0
        double below2
        Py_ssize_t n_keys
        const double *keys
        const double *t0
        const double *t1
        Py_ssize_t n_coef
        const double *coef0
        const double *coef2
        const double *a1_0
        const double *a1_2
        const double *above0
        const double *above2
        const unsigned char *converged
        double cancel
    void coh_cheb_moments(const coh_chebmodel_t *m, const double *x, double *F0, double *F2,
                          unsigned char *redo, Py_ssize_t i0, Py_ssize_t i1) nogil
    void coh_dn_dq2(const coh_chebmodel_t *m, const double *line_E, const double *line_F0,
                    const double *line_F2, Py_ssize_t n_lines, const coh_nucleus_t *nuc,
                    const double *v, double scale, double cap, double weight, int add,
                    double *out, unsigned char *redo, Py_ssize_t i0, Py_ssize_t i1) nogil
    int COH_RATE_CHUNK
    ctypedef struct coh_qgrid_t:
        Py_ssize_t n_panels
        const double *edges
        Py_ssize_t n_gl
        const double *node_q
        const double *node_w
        Py_ssize_t n_cheb
        const double *cheb
        const double *gl_x
        const double *gl_w
    void coh_qgrid_moments(const coh_qgrid_t *grid, const coh_ffpair_t *pair,
                           const double *p1z, const double *p1n, const double *q_lo,
                           Py_ssize_t i0, Py_ssize_t i1, double *work, double *out) nogil
    int COH_QGRID_MAX_GL
    void coh_moments_to_coef(const double *m, const double *factors, double *coef, int add,
                             Py_ssize_t i0, Py_ssize_t i1) nogil
    void coh_batch_combine(const double *coef, const long long *which, const double *s2,
                           Py_ssize_t n_s2, double eps_default, const double *alpha,
                           Py_ssize_t n_alpha, int add, double *acc, Py_ssize_t i0,
                           Py_ssize_t i1) nogil

cdef extern from "coh_check.h":
    int coh_all_within(const double *x, Py_ssize_t n, double lo, double hi,
                       int lo_open) nogil

# Elements per work chunk of the array loops. Fixed (a multiple of the 8 AVX-512
# lanes), so the split of the vectorised loops, and with it every bit of the result,
# is the same for any thread count.
cdef enum:
    FF_CHUNK = 4096
    XS_CHUNK = 64
    QG_CHUNK = 256  # parameter points per chunk of qgrid_moments
    SIGNAL_EVERY = 16  # chunks between checks for Ctrl-C in long serial loops

_STATUS = {
    -1: "unknown form-factor model id",
    -2: "argument outside the documented domain",
    -3: "empty or malformed quadrature rule",
}


cdef inline void _raise(int status, str where) except *:
    raise RuntimeError(f"{where}: {_STATUS.get(status, status)} (status {status})")


cdef coh_nucleus_t _nucleus(tuple spec) except *:
    cdef coh_nucleus_t nuc
    if len(spec) != 10:
        raise ValueError("spec must have 10 entries")
    nuc.mass = spec[0]
    nuc.prefactor = spec[1]
    nuc.wz = spec[2]
    nuc.wn = spec[3]
    nuc.ffz.model = spec[4]
    nuc.ffz.p1 = spec[5]
    nuc.ffz.p2 = spec[6]
    nuc.ffn.model = spec[7]
    nuc.ffn.p1 = spec[8]
    nuc.ffn.p2 = spec[9]
    return nuc


cdef int _threads(object n_threads) except -1:
    """Validate n_threads (an int >= 1)."""
    if isinstance(n_threads, bool) or not isinstance(n_threads, int):
        raise TypeError(f"n_threads must be an int >= 1; got {n_threads!r}")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1; got {n_threads!r}")
    return <int>min(n_threads, 1 << 16)


cdef inline Py_ssize_t _n_chunks(Py_ssize_t n, Py_ssize_t size) noexcept nogil:
    return (n + size - 1) // size


def build_info():
    """How the extension was built: ``{"openmp": bool, "simd": str, "compile_flags": str,
    "compiler": str}``.

    ``openmp`` says whether ``n_threads`` can run loops in parallel; ``simd`` names
    the Helm loop picked for this CPU at load time (coh_simd_info in csrc/coh_ff.c);
    ``compile_flags`` are the flags setup.py passed (COH_BUILD_FLAGS).
    """
    return {
        "openmp": bool(coh_openmp_enabled()),
        "simd": coh_simd_info().decode("ascii"),
        "compile_flags": COH_BUILD_FLAGS.decode("utf-8", "replace"),
        "compiler": COH_COMPILER.decode("utf-8", "replace"),
    }


def simd_info():
    """The Helm loop picked for this CPU at load time (coh_simd_info)."""
    return coh_simd_info().decode("ascii")


def spherical_j1(const double[::1] x, double[::1] out, n_threads=1):
    """out[i] = j1(x[i])."""
    cdef int nt = _threads(n_threads)
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t c, lo
    if n == 0:
        return
    with nogil:
        if nt == 1:
            for c in range(_n_chunks(n, FF_CHUNK)):
                lo = c * FF_CHUNK
                coh_spherical_j1_array(&x[lo], &out[lo], min(FF_CHUNK, n - lo))
        else:
            for c in prange(_n_chunks(n, FF_CHUNK), schedule="static", num_threads=nt):
                lo = c * FF_CHUNK
                coh_spherical_j1_array(&x[lo], &out[lo], min(FF_CHUNK, n - lo))


def helm(const double[::1] q, double r0, double s, double[::1] out, n_threads=1):
    """Helm form factor (seed Eq. 7); q in MeV, r0 and s in MeV^-1."""
    cdef int nt = _threads(n_threads)
    cdef Py_ssize_t n = q.shape[0]
    cdef Py_ssize_t c, lo
    if not (r0 >= 0.0 and s >= 0.0):
        _raise(-2, "coh_helm_array")
    if n == 0:
        return
    with nogil:
        if nt == 1:
            for c in range(_n_chunks(n, FF_CHUNK)):
                lo = c * FF_CHUNK
                coh_helm_array(&q[lo], &out[lo], min(FF_CHUNK, n - lo), r0, s)
        else:
            for c in prange(_n_chunks(n, FF_CHUNK), schedule="static", num_threads=nt):
                lo = c * FF_CHUNK
                coh_helm_array(&q[lo], &out[lo], min(FF_CHUNK, n - lo), r0, s)


def form_factor(const double[::1] q, int model, double p1, double p2, double[::1] out,
                n_threads=1):
    """Form factor of model id ``model`` (0 unity, 1 Helm, 2 Klein-Nystrand,
    3 symmetrized Fermi) with lengths p1, p2 in MeV^-1; q in MeV."""
    cdef int nt = _threads(n_threads)
    cdef int status
    cdef coh_ff_t ff
    cdef Py_ssize_t n = q.shape[0]
    cdef Py_ssize_t c, lo
    ff.model = model
    ff.p1 = p1
    ff.p2 = p2
    status = coh_ff_check(&ff)
    if status != 0:
        _raise(status, "coh_form_factor_array")
    if n == 0:
        return
    with nogil:
        if nt == 1:
            for c in range(_n_chunks(n, FF_CHUNK)):
                lo = c * FF_CHUNK
                coh_form_factor_array(&q[lo], &out[lo], min(FF_CHUNK, n - lo), &ff)
        else:
            for c in prange(_n_chunks(n, FF_CHUNK), schedule="static", num_threads=nt):
                lo = c * FF_CHUNK
                coh_form_factor_array(&q[lo], &out[lo], min(FF_CHUNK, n - lo), &ff)


def dsigma_dq2(const double[::1] q2, const double[::1] E, tuple spec, double[::1] out,
               n_threads=1):
    """dsigma/dq2 (seed Eq. 1) at pairs (q2[i], E[i]); 0 outside kinematics."""
    cdef int nt = _threads(n_threads)
    cdef coh_nucleus_t nuc = _nucleus(spec)
    cdef int status = coh_nucleus_check(&nuc)
    cdef Py_ssize_t n = q2.shape[0]
    cdef Py_ssize_t c, lo
    if status != 0:
        _raise(status, "coh_dsigma_dq2_array")
    if n == 0:
        return
    with nogil:
        if nt == 1:
            coh_dsigma_dq2_array(&nuc, &q2[0], &E[0], &out[0], n)
        else:
            for c in prange(_n_chunks(n, FF_CHUNK), schedule="static", num_threads=nt):
                lo = c * FF_CHUNK
                coh_dsigma_dq2_array(&nuc, &q2[lo], &E[lo], &out[lo], min(FF_CHUNK, n - lo))


def sigma_total(const double[::1] E, const double[::1] q2_min, tuple spec,
                double panel_dq, const double[::1] gl_x, const double[::1] gl_w,
                double[::1] out, n_threads=1):
    """sigma(E) integrated over q2 from q2_min[i] to q2_max(E[i])."""
    cdef int nt = _threads(n_threads)
    cdef coh_nucleus_t nuc = _nucleus(spec)
    cdef int status = coh_nucleus_check(&nuc)
    cdef Py_ssize_t n = E.shape[0]
    cdef Py_ssize_t c, lo
    if status != 0:
        _raise(status, "coh_sigma_total_array")
    if gl_x.shape[0] == 0 or gl_x.shape[0] != gl_w.shape[0]:
        _raise(-3, "coh_sigma_total_array")
    cdef int bad = 0
    if n == 0:
        return
    with nogil:
        if nt == 1:
            for c in range(_n_chunks(n, XS_CHUNK)):
                lo = c * XS_CHUNK
                bad += coh_sigma_total_array(&nuc, &E[lo], &q2_min[lo], &out[lo],
                                             min(XS_CHUNK, n - lo), panel_dq, &gl_x[0],
                                             &gl_w[0], gl_x.shape[0]) != 0
                if c % SIGNAL_EVERY == SIGNAL_EVERY - 1:
                    # Ctrl-C: a KeyboardInterrupt within ~1 ms, not after the whole array
                    with gil:
                        PyErr_CheckSignals()
        else:
            for c in prange(_n_chunks(n, XS_CHUNK), schedule="static", num_threads=nt):
                lo = c * XS_CHUNK
                bad += coh_sigma_total_array(&nuc, &E[lo], &q2_min[lo], &out[lo],
                                             min(XS_CHUNK, n - lo), panel_dq, &gl_x[0],
                                             &gl_w[0], gl_x.shape[0]) != 0
    if bad:  # more than 2^20 q panels for some E (csrc/coh_xsec.c)
        _raise(-2, "coh_sigma_total_array")


cdef void _moments_threaded(const coh_ffpair_t *pair, const double *E, const double *w,
                            Py_ssize_t n, double q2_min, double panel_dq,
                            const double *gl_x, const double *gl_w, Py_ssize_t n_gl,
                            double *part, int nt, double *out3) noexcept nogil:
    """coh_moments_rule with its chunks spread over nt threads; part holds
    3 * coh_rate_n_chunks(n) doubles. Same bits as the serial coh_moments_rule."""
    cdef Py_ssize_t n_chunks = coh_rate_n_chunks(n)
    cdef Py_ssize_t c, lo, hi
    for c in prange(n_chunks, schedule="static", num_threads=nt):
        lo = c * COH_RATE_CHUNK
        hi = min(lo + COH_RATE_CHUNK, n)
        coh_moments_range(pair, E, w, lo, hi, q2_min, panel_dq, gl_x, gl_w, n_gl,
                          &part[3 * c])
    out3[0] = 0.0
    out3[1] = 0.0
    out3[2] = 0.0
    for c in range(n_chunks):
        out3[0] += part[3 * c]
        out3[1] += part[3 * c + 1]
        out3[2] += part[3 * c + 2]


def folded_sigma(const double[::1] E, const double[::1] w, double q2_min, tuple spec,
                 double panel_dq, const double[::1] gl_x, const double[::1] gl_w,
                 n_threads=1):
    """sum_i w[i] sigma(E[i]; q2_min): a cross section folded with an energy rule
    (weights carry the flux), one nucleus; same q rule as :func:`sigma_total`.
    Computed from the moments of csrc/coh_rate.h; E[i] with q2_max <= q2_min add 0."""
    cdef int nt = _threads(n_threads)
    cdef coh_nucleus_t nuc = _nucleus(spec)
    cdef coh_ffpair_t pair
    cdef double m3[3]
    cdef double result
    cdef int status, same
    cdef Py_ssize_t n = E.shape[0]
    cdef double[::1] part
    pair.mass = nuc.mass
    pair.ffz = nuc.ffz
    pair.ffn = nuc.ffn
    status = coh_ffpair_check(&pair)
    if status != 0:
        _raise(status, "folded_sigma")
    if gl_x.shape[0] == 0 or gl_x.shape[0] != gl_w.shape[0]:
        _raise(-3, "folded_sigma")
    if w.shape[0] != n:
        raise ValueError(f"w must have the length of E ({n}); got {w.shape[0]}")
    if n == 0:
        return 0.0
    same = coh_ffpair_same(&pair)
    # threads only pay off with a few chunks each (same bits either way)
    if nt == 1 or coh_rate_n_chunks(n) < 4 * nt:
        with nogil:
            coh_moments_rule(&pair, &E[0], &w[0], n, q2_min, panel_dq, &gl_x[0], &gl_w[0],
                             gl_x.shape[0], m3)
    else:
        part = _empty(3 * coh_rate_n_chunks(n))
        with nogil:
            _moments_threaded(&pair, &E[0], &w[0], n, q2_min, panel_dq, &gl_x[0], &gl_w[0],
                              gl_x.shape[0], &part[0], nt, m3)
    return coh_moments_combine(m3, same, nuc.prefactor, nuc.wz, nuc.wn)


def _empty(Py_ssize_t n):
    from array import array
    return array("d", bytes(8 * n))


def qgrid_moments(const double[::1] edges, const double[::1] node_q, const double[::1] node_w,
                  const double[::1] cheb, const double[::1] gl_x, const double[::1] gl_w,
                  const double[::1] p1z, const double[::1] p1n, const double[::1] q_lo,
                  tuple ff, double[::1] out, n_threads=1):
    """Folded moments (m_zz, m_zn, m_nn) at many parameter points, one nucleus, from
    G(q) tabulated on panels (q-outer order; csrc/coh_rate.h, coh_qgrid_t).

    ``edges`` (n_panels + 1, MeV) bound the panels; ``node_q``, ``node_w`` hold
    ``len(gl_x)`` nodes and weights per panel, ``cheb`` the Chebyshev series of h per
    panel (equal rows). Point i has first lengths ``p1z[i]``, ``p1n[i]`` (MeV^-1) and
    threshold ``q_lo[i]`` (MeV); ``ff = (mass, model_z, p2z, model_n, p2n)``. Writes
    ``out[3i:3i+3]``. Consecutive points with equal lengths share the full panels.
    """
    cdef int nt = _threads(n_threads)
    cdef Py_ssize_t n_points = q_lo.shape[0]
    cdef Py_ssize_t n_panels = edges.shape[0] - 1
    cdef Py_ssize_t n_gl = gl_x.shape[0]
    cdef Py_ssize_t i, c, lo, n_chunks, stride
    cdef coh_ffpair_t pair
    cdef coh_qgrid_t grid
    cdef double *work = NULL
    cdef double dummy = 0.0
    cdef int status
    if len(ff) != 5:
        raise ValueError("ff must be (mass, model_z, p2z, model_n, p2n)")
    if n_gl == 0 or n_gl != gl_w.shape[0] or n_gl > COH_QGRID_MAX_GL:
        _raise(-3, "qgrid_moments")
    if n_panels < 0:
        raise ValueError("edges must have at least one entry")
    for i in range(n_panels):
        if not (edges[i] <= edges[i + 1]) or not (edges[i] >= 0.0) or not isfinite(edges[i + 1]):
            raise ValueError("edges must be finite, >= 0 and increasing")
    if node_q.shape[0] != n_panels * n_gl or node_w.shape[0] != n_panels * n_gl:
        raise ValueError(f"node_q and node_w must hold {n_gl} entries per panel")
    if n_panels > 0 and (cheb.shape[0] == 0 or cheb.shape[0] % n_panels != 0):
        raise ValueError("cheb must hold one equal row per panel")
    # (no loop over a tuple of memoryviews: that makes Python objects of them)
    if p1z.shape[0] != n_points:
        raise ValueError(f"p1z must have one entry per point ({n_points})")
    if p1n.shape[0] != n_points:
        raise ValueError(f"p1n must have one entry per point ({n_points})")
    if out.shape[0] != 3 * n_points:
        raise ValueError(f"out must have 3 * {n_points} entries")
    pair.mass = ff[0]
    pair.ffz.model = ff[1]
    pair.ffz.p2 = ff[2]
    pair.ffn.model = ff[3]
    pair.ffn.p2 = ff[4]
    for i in range(n_points):
        pair.ffz.p1 = p1z[i]
        pair.ffn.p1 = p1n[i]
        status = coh_ffpair_check(&pair)
        if status != 0:
            _raise(status, "qgrid_moments")
        if not (q_lo[i] >= 0.0):
            raise ValueError(f"q_lo must be >= 0; got {q_lo[i]!r} at index {i}")
    if n_points == 0:
        return
    grid.n_panels = n_panels
    grid.edges = &edges[0]
    grid.n_gl = n_gl
    grid.node_q = &node_q[0] if n_panels > 0 else &dummy
    grid.node_w = &node_w[0] if n_panels > 0 else &dummy
    grid.n_cheb = cheb.shape[0] // n_panels if n_panels > 0 else 1
    grid.cheb = &cheb[0] if n_panels > 0 else &dummy
    grid.gl_x = &gl_x[0]
    grid.gl_w = &gl_w[0]
    n_chunks = _n_chunks(n_points, QG_CHUNK)
    # per-thread workspaces a whole number of cache lines apart (8 doubles = 64
    # bytes, plus one line): threads writing neighbouring sums would share a line
    stride = (3 * (n_panels + 1) + 7) // 8 * 8 + 8
    work = <double *>malloc(stride * (nt if nt > 1 else 1) * sizeof(double))
    if work == NULL:
        raise MemoryError("qgrid_moments: no memory for the workspace")
    try:
        _qgrid_run(&grid, &pair, &p1z[0], &p1n[0], &q_lo[0], n_points, n_chunks, nt, stride,
                   work, &out[0])
    finally:
        free(work)


cdef int _qgrid_run(const coh_qgrid_t *grid, const coh_ffpair_t *pair, const double *p1z,
                    const double *p1n, const double *q_lo, Py_ssize_t n_points,
                    Py_ssize_t n_chunks, int nt, Py_ssize_t stride, double *work,
                    double *out) except -1:
    """The chunks of qgrid_moments, on nt threads (workspaces stride doubles apart)."""
    cdef Py_ssize_t c, lo
    with nogil:
        if nt == 1 or n_chunks == 1:
            for c in range(n_chunks):
                lo = c * QG_CHUNK
                coh_qgrid_moments(grid, pair, p1z, p1n, q_lo, lo,
                                  min(lo + QG_CHUNK, n_points), work, out)
                if c % SIGNAL_EVERY == SIGNAL_EVERY - 1:
                    with gil:
                        PyErr_CheckSignals()
        else:
            for c in prange(n_chunks, schedule="static", num_threads=nt):
                lo = c * QG_CHUNK
                coh_qgrid_moments(grid, pair, p1z, p1n, q_lo, lo,
                                  min(lo + QG_CHUNK, n_points), &work[stride * threadid()],
                                  out)
    return 0


def moments_to_coef(const double[::1] m, const double[::1] factors, double[::1] coef,
                    bint add=False, n_threads=1):
    """coef[5i + j] (+)= m[3i + (0, 1, 2, 0, 2)[j]] factors[j]: the rows of
    batch_combine from the q moments of one nucleus (csrc/coh_rate.h)."""
    cdef int nt = _threads(n_threads)
    cdef Py_ssize_t n = m.shape[0] // 3
    cdef Py_ssize_t c, lo
    if m.shape[0] % 3 != 0:
        raise ValueError("m must hold rows of 3 moments")
    if factors.shape[0] != 5:
        raise ValueError("factors must have 5 entries")
    if coef.shape[0] != 5 * n:
        raise ValueError(f"coef must have 5 entries per row of m ({5 * n})")
    if n == 0:
        return
    with nogil:
        if nt == 1 or n < QG_CHUNK:
            coh_moments_to_coef(&m[0], &factors[0], &coef[0], add, 0, n)
        else:
            for c in prange(_n_chunks(n, FF_CHUNK), schedule="static", num_threads=nt):
                lo = c * FF_CHUNK
                coh_moments_to_coef(&m[0], &factors[0], &coef[0], add, lo,
                                    min(lo + FF_CHUNK, n))


def batch_combine(const double[::1] coef, const long long[::1] which, const double[::1] s2,
                  double eps_default, const double[::1] alpha, double[::1] acc,
                  bint add=True, n_threads=1):
    """acc[i] (+)= Gamma-weighted integral of row which[i] at epsilon_i, alpha_i for
    every point (add: accumulate, else overwrite): the parameter axis of the batch API (csrc/coh_rate.h,
    coh_batch_combine). ``coef`` holds rows of 5 coefficients; ``which`` a row per
    point (empty: row 0 for all); ``s2`` and ``alpha`` are empty (absent), one value,
    or one per point."""
    cdef int nt = _threads(n_threads)
    cdef Py_ssize_t n = acc.shape[0]
    cdef Py_ssize_t n_rows = coef.shape[0] // 5
    cdef Py_ssize_t i, c, lo
    cdef const long long *pw = NULL
    cdef double dummy = 0.0
    cdef const double *ps2 = &dummy
    cdef const double *pal = &dummy
    if coef.shape[0] % 5 != 0 or n_rows == 0:
        raise ValueError("coef must hold rows of 5 coefficients (at least one)")
    if which.shape[0] not in (0, n):
        raise ValueError(f"which must be empty or have one entry per point ({n})")
    if s2.shape[0] != 0 and s2.shape[0] != 1 and s2.shape[0] != n:
        raise ValueError(f"s2 must be empty, one value or one per point ({n})")
    if alpha.shape[0] != 0 and alpha.shape[0] != 1 and alpha.shape[0] != n:
        raise ValueError(f"alpha must be empty, one value or one per point ({n})")
    for i in range(which.shape[0]):
        if not 0 <= which[i] < n_rows:
            raise ValueError(f"which must be in [0, {n_rows}); got {which[i]} at index {i}")
    if n == 0:
        return
    if which.shape[0]:
        pw = &which[0]
    if s2.shape[0]:
        ps2 = &s2[0]
    if alpha.shape[0]:
        pal = &alpha[0]
    with nogil:
        if nt == 1:
            coh_batch_combine(&coef[0], pw, ps2, s2.shape[0], eps_default, pal,
                              alpha.shape[0], add, &acc[0], 0, n)
        else:
            for c in prange(_n_chunks(n, FF_CHUNK), schedule="static", num_threads=nt):
                lo = c * FF_CHUNK
                coh_batch_combine(&coef[0], pw, ps2, s2.shape[0], eps_default, pal,
                                  alpha.shape[0], add, &acc[0], lo, min(lo + FF_CHUNK, n))


cdef int _chebmodel(tuple model, coh_chebmodel_t *m) except -1:
    """Fill m from a model tuple (bps, below0, below2, keys, t0, t1, n_coef, coef0,
    coef2, a1_0, a1_2, above0, above2, converged, cancel), checked. The pointers stay
    valid while the tuple's arrays live (the caller holds the tuple)."""
    if len(model) != 15:
        raise ValueError("model must be (bps, below0, below2, keys, t0, t1, n_coef, coef0, "
                         "coef2, a1_0, a1_2, above0, above2, converged, cancel)")
    cdef const double[::1] bps = model[0]
    cdef const double[::1] keys = model[3]
    cdef const double[::1] t0 = model[4]
    cdef const double[::1] t1 = model[5]
    cdef Py_ssize_t n_coef = model[6]
    cdef const double[::1] coef0 = model[7]
    cdef const double[::1] coef2 = model[8]
    cdef const double[::1] a1_0 = model[9]
    cdef const double[::1] a1_2 = model[10]
    cdef const double[::1] above0 = model[11]
    cdef const double[::1] above2 = model[12]
    cdef const unsigned char[::1] converged = model[13]
    cdef Py_ssize_t n_keys = keys.shape[0]
    cdef Py_ssize_t i
    if bps.shape[0] < 2 or n_keys < 1 or n_coef < 1:
        raise ValueError("the model needs >= 2 breakpoints, >= 1 piece and n_coef >= 1")
    for i in range(bps.shape[0] - 1):
        if not bps[i] <= bps[i + 1]:
            raise ValueError("bps must be increasing")
    if (t0.shape[0] != n_keys or t1.shape[0] != n_keys or a1_0.shape[0] != n_keys
            or a1_2.shape[0] != n_keys or above0.shape[0] != n_keys
            or above2.shape[0] != n_keys or converged.shape[0] != n_keys
            or coef0.shape[0] != n_keys * n_coef or coef2.shape[0] != n_keys * n_coef):
        raise ValueError(f"every piece needs t0, t1, a1, above, converged and n_coef = "
                         f"{n_coef} coefficients ({n_keys} pieces)")
    m.n_bps = bps.shape[0]
    m.bps = &bps[0]
    m.below0 = model[1]
    m.below2 = model[2]
    m.n_keys = n_keys
    m.keys = &keys[0]
    m.t0 = &t0[0]
    m.t1 = &t1[0]
    m.n_coef = n_coef
    m.coef0 = &coef0[0]
    m.coef2 = &coef2[0]
    m.a1_0 = &a1_0[0]
    m.a1_2 = &a1_2[0]
    m.above0 = &above0[0]
    m.above2 = &above2[0]
    m.converged = &converged[0]
    m.cancel = model[14]
    return 0


def cheb_moments(tuple model, const double[::1] x, double[::1] F0, double[::1] F2,
                 unsigned char[::1] redo, n_threads=1):
    """Continuum flux moments F0, F2 at x from a source's piecewise Chebyshev model
    (csrc/coh_rate.h, coh_chebmodel_t; ``model`` as rates._cheb_model's "kernel"
    tuple); redo[i] = 1 where the caller must recompute directly (cancellation, or a
    piece that did not converge)."""
    cdef int nt = _threads(n_threads)
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t c, lo
    cdef coh_chebmodel_t m
    _chebmodel(model, &m)
    if F0.shape[0] != n or F2.shape[0] != n or redo.shape[0] != n:
        raise ValueError("x, F0, F2 and redo must have the same length")
    if n == 0:
        return
    with nogil:
        if nt == 1:
            coh_cheb_moments(&m, &x[0], &F0[0], &F2[0], &redo[0], 0, n)
        else:
            for c in prange(_n_chunks(n, FF_CHUNK), schedule="static", num_threads=nt):
                lo = c * FF_CHUNK
                coh_cheb_moments(&m, &x[0], &F0[0], &F2[0], &redo[0], lo,
                                 min(lo + FF_CHUNK, n))


def dn_dq2(tuple model, const double[::1] line_E, const double[::1] line_F0,
           const double[::1] line_F2, tuple spec, const double[::1] v, double scale,
           double cap, double weight, double[::1] out, unsigned char[::1] redo,
           bint add=False, n_threads=1):
    """out[i] (+)= weight x integral Phi dsigma/dq2 dE at q2 = scale min(v[i], cap), one
    nucleus (``spec`` as in dsigma_dq2): the continuum moments from ``model`` (as in
    cheb_moments) plus the lines (energies, F0 and F2 contributions). Where redo[i] = 1
    (as in cheb_moments) nothing is added: the caller adds its own value
    (csrc/coh_rate.h, coh_dn_dq2)."""
    cdef int nt = _threads(n_threads)
    cdef Py_ssize_t n = v.shape[0]
    cdef Py_ssize_t n_lines = line_E.shape[0]
    cdef Py_ssize_t c, lo, i
    cdef coh_chebmodel_t m
    cdef coh_nucleus_t nuc = _nucleus(spec)
    cdef int status = coh_nucleus_check(&nuc)
    cdef double dummy = 0.0
    cdef const double *pE = &dummy
    cdef const double *pF0 = &dummy
    cdef const double *pF2 = &dummy
    if status != 0:
        _raise(status, "dn_dq2")
    _chebmodel(model, &m)
    if line_F0.shape[0] != n_lines or line_F2.shape[0] != n_lines:
        raise ValueError("line_E, line_F0 and line_F2 must have the same length")
    if out.shape[0] != n or redo.shape[0] != n:
        raise ValueError("v, out and redo must have the same length")
    if not (scale >= 0.0 and cap >= 0.0):
        raise ValueError(f"scale and cap must be >= 0; got {scale!r}, {cap!r}")
    for i in range(n):
        if not v[i] >= 0.0:
            raise ValueError(f"v must be >= 0; got {v[i]!r} at index {i}")
    if n == 0:
        return
    if n_lines:
        pE = &line_E[0]
        pF0 = &line_F0[0]
        pF2 = &line_F2[0]
    with nogil:
        if nt == 1:
            coh_dn_dq2(&m, pE, pF0, pF2, n_lines, &nuc, &v[0], scale, cap, weight, add,
                       &out[0], &redo[0], 0, n)
        else:
            for c in prange(_n_chunks(n, FF_CHUNK), schedule="static", num_threads=nt):
                lo = c * FF_CHUNK
                coh_dn_dq2(&m, pE, pF0, pF2, n_lines, &nuc, &v[0], scale, cap, weight, add,
                           &out[0], &redo[0], lo, min(lo + FF_CHUNK, n))


def all_within(const double[::1] x, double lo, double hi, bint lo_open=False,
               n_threads=1):
    """True if every x lies in [lo, hi] ((lo, hi] when lo_open); NaN lies outside.
    The argument checks' one pass (csrc/coh_check.h), on n_threads threads."""
    cdef int nt = _threads(n_threads)
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t c, start
    cdef int ok
    cdef int bad = 0
    if n == 0:
        return True
    if n < 65536:  # releasing the GIL costs more than the scan
        return coh_all_within(&x[0], n, lo, hi, lo_open) != 0
    with nogil:
        if nt == 1:
            ok = coh_all_within(&x[0], n, lo, hi, lo_open)
        else:
            for c in prange(_n_chunks(n, FF_CHUNK), schedule="static", num_threads=nt):
                start = c * FF_CHUNK
                bad += coh_all_within(&x[start], min(FF_CHUNK, n - start), lo, hi,
                                      lo_open) == 0
            ok = bad == 0
    return ok != 0


# ---------------------------------------------------------------------------------
# Scalar entry points: one point in, a Python float out, no arrays. They are the
# public layer's fast path for plain-float arguments (issue 7). Each calls the same
# C array routine as its array kernel with n = 1 on stack doubles, so a scalar call
# returns bit for bit what a one-element array call returns. Twins of the same
# names live in coherency._reference.
# ---------------------------------------------------------------------------------

def spherical_j1_scalar(double x):
    """j1(x) at one point."""
    cdef double out = 0.0
    coh_spherical_j1_array(&x, &out, 1)
    return out


def helm_scalar(double q, double r0, double s):
    """Helm form factor at one q (MeV); r0 and s in MeV^-1."""
    cdef double out = 0.0
    cdef int status = coh_helm_array(&q, &out, 1, r0, s)
    if status != 0:
        _raise(status, "coh_helm_array")
    return out


def form_factor_scalar(double q, int model, double p1, double p2):
    """Form factor of model id ``model`` at one q (MeV); p1, p2 in MeV^-1."""
    cdef double out = 0.0
    cdef coh_ff_t ff
    ff.model = model
    ff.p1 = p1
    ff.p2 = p2
    cdef int status = coh_form_factor_array(&q, &out, 1, &ff)
    if status != 0:
        _raise(status, "coh_form_factor_array")
    return out


def dsigma_dq2_scalar(double q2, double E, tuple spec):
    """dsigma/dq2 (seed Eq. 1) at one (q2, E); 0 outside kinematics."""
    cdef double out = 0.0
    cdef coh_nucleus_t nuc = _nucleus(spec)
    cdef int status = coh_dsigma_dq2_array(&nuc, &q2, &E, &out, 1)
    if status != 0:
        _raise(status, "coh_dsigma_dq2_array")
    return out


# The last quadrature rule seen by sigma_total_scalar: taking a buffer costs more
# than a 16-node integral, and callers pass the same module-level rule every time.
cdef object _rule_x_obj = None
cdef object _rule_w_obj = None
cdef const double[::1] _rule_x
cdef const double[::1] _rule_w


def sigma_total_scalar(double E, double q2_min, tuple spec, double panel_dq,
                       object gl_x, object gl_w):
    """sigma(E) integrated over q2 from q2_min to q2_max(E), at one E."""
    global _rule_x_obj, _rule_w_obj, _rule_x, _rule_w
    cdef double out = 0.0
    cdef int status
    cdef coh_nucleus_t nuc = _nucleus(spec)
    cdef const double[::1] x
    cdef const double[::1] w
    if gl_x is _rule_x_obj and gl_w is _rule_w_obj:
        x = _rule_x
        w = _rule_w
    else:
        x = gl_x
        w = gl_w
        if x.shape[0] == 0 or x.shape[0] != w.shape[0]:
            _raise(-3, "coh_sigma_total_array")
        _rule_x, _rule_w = x, w
        _rule_x_obj, _rule_w_obj = gl_x, gl_w
    with nogil:
        status = coh_sigma_total_array(&nuc, &E, &q2_min, &out, 1, panel_dq,
                                       &x[0], &w[0], x.shape[0])
    if status != 0:
        _raise(status, "coh_sigma_total_array")
    return out
