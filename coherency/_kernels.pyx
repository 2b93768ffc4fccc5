# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False, embedsignature=True
"""Compiled kernels of coherency: thin nogil loops over the C99 code in csrc/.

Kernels take validated, float64, C-contiguous 1-D arrays and write into ``out``.
They neither broadcast nor check values: the callers do that once for both backends
(coherency._validation). The wrappers here refuse only what would read or write out
of bounds (inconsistent lengths). Lengths are in MeV^-1 (fm / hbar c). Nuclei, form
factors, flux models and q grids arrive as the records of coherency._records, read by
field name. Every C entry point returns a status of csrc/coh_status.h, raised as a
RuntimeError with the message of coherency._status. The declarations of csrc/ are in
_kernels.pxd (Cython reads it as this module's own .pxd). The numpy/scipy twin with
the same names and signatures is coherency._reference; coherency._kernel_api
describes both for type checkers.

Threads. ``n_threads`` is a count the caller has already validated and capped
(coherency._validation.check_threads: an int in [1, 1024], then at most the CPUs
available to the process, coherency._config.available_cpus()). Every loop runs
through one dispatcher (_run) over coh_pool_run (csrc/coh_pool.c): a pool of POSIX
threads of the package's own, created on first use and parked on condition variables
between jobs, safe across fork(); chunks are handed out one at a time, the calling
thread works too, and a job that finds the pool busy (another Python thread's) runs
serially. Work estimated below PARALLEL_MIN_NS runs serially (waking threads costs
more). Chunk boundaries are fixed by the data and every sum is added in chunk order,
so results are bitwise the same for any ``n_threads``. Builds without pthreads
(Windows: ``build_info()["threads"] == "serial"``) run every loop on the calling
thread. The GIL is released inside every loop longer than NOGIL_MIN_NS. Ctrl-C: the
calling thread checks for signals between its chunks, every ~25 ms, and the kernel
stops and raises KeyboardInterrupt.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.exc cimport PyErr_Occurred
from cpython.object cimport PyObject_GenericSetAttr
from libc.float cimport DBL_MAX
from libc.math cimport sqrt
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset

from coherency import _status

cdef extern from "Python.h":
    # The raw C function: -1 with the handler's exception (KeyboardInterrupt) set.
    int _py_check_signals "PyErr_CheckSignals"() noexcept

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

# Elements per chunk. Fixed (multiples of the 8 AVX-512 lanes), so the split of the
# vectorised loops, and with it every bit of a result, is the same for any thread
# count; each keeps a chunk well under a few milliseconds.
cdef enum:
    FF_CHUNK = 4096      # form factors, dsigma/dq2, batch rows
    SPEC_CHUNK = 1024    # flux moments and dN/dq2 (~100 ns a point; 512-point blocks)
    XS_CHUNK = 64        # energies per chunk of sigma_total (16 q nodes per panel each)
    QG_CHUNK = 256       # parameter points per chunk of qgrid_moments
    CHECK_CHUNK = 32768  # elements per chunk of all_within
    CHECK_PARALLEL_MIN = 262144   # all_within runs serially below 2^18 elements
    GAMMA_CHUNK = 1024   # (a, x) pairs per chunk of gammainc_pq (~150 ns each)
    RESP_CHUNK = 8192    # grid pieces per chunk of response_matrix (whole nodes)

# Estimated serial cost (ns) per element of each loop, measured on x86-64 with
# AVX-512 (benchmarks/bench_threads.py): only its order of magnitude matters.
cdef double COST_FF = 4.0            # j1 2.4, Helm 3.3, Klein-Nystrand 3.0, Fermi 5.7
cdef double COST_DSIGMA = 30.0
cdef double COST_SIGMA = 300.0       # per energy: one or a few panels of 16 nodes
cdef double COST_FOLDED = 100.0      # per energy of the rule
cdef double COST_QGRID = 300.0       # per point: a partial panel, or the full panels
cdef double COST_CHEB = 90.0
cdef double COST_DN_DQ2 = 90.0
cdef double COST_ROWS = 1.5          # batch_combine, moments_to_coef
cdef double COST_CHECK = 0.2
cdef double COST_GAMMA = 150.0       # one incomplete gamma (40-100 terms)
cdef double COST_RESP = 90.0         # per node and grid piece: one CDF (measured 80-95 ns)

# Work (estimated serial ns) below which a loop runs on one thread: waking a parked
# thread and handing out chunks costs ~15 us, so two threads pay off from ~20 us of
# work and reach 1.4-1.6x at 100 us (1.9x from ~300 us; bench_threads.py).
cdef double PARALLEL_MIN_NS = 100000.0
# Work below which the GIL is kept: releasing it costs more than the loop.
cdef double NOGIL_MIN_NS = 20000.0
# Chunks of COH_RATE_CHUNK energies per task of folded_sigma (each chunk still has
# its own partial sum: the grouping does not change the bits).
cdef enum:
    FOLD_GROUP = 16


# --------------------------------------------------------------------------------
# One dispatcher for every loop
# --------------------------------------------------------------------------------

cdef int _signals(void *arg) noexcept nogil:
    """Interrupt check of coh_pool_run: run pending signal handlers (main thread)."""
    with gil:
        return _py_check_signals() != 0


cdef int _fail(int status, str where) except -1:
    if status == COH_EINTERRUPTED and PyErr_Occurred() != NULL:
        return -1  # the signal handler's exception (KeyboardInterrupt) propagates
    if status == COH_EINTERRUPTED:
        raise KeyboardInterrupt
    _status.raise_status(status, where)
    return -1


cdef inline int _nt(int n_threads, double work_ns) noexcept:
    """The threads a loop of this much work uses: 1 below PARALLEL_MIN_NS."""
    if work_ns < PARALLEL_MIN_NS or n_threads < 1:
        return 1
    return n_threads if n_threads < COH_POOL_MAX_THREADS else COH_POOL_MAX_THREADS


cdef int _run(coh_task_t task, void *ctx, Py_ssize_t n_chunks, int nt, double work_ns,
              str where) except -1:
    """Run task on chunks 0 .. n_chunks - 1 on nt threads (see _nt), without the GIL
    unless the work is tiny; raise the status of a failing chunk, or the
    KeyboardInterrupt of a signal that arrived meanwhile."""
    cdef int status
    if n_chunks <= 0:
        return 0
    if work_ns < NOGIL_MIN_NS:
        status = coh_pool_run(task, ctx, n_chunks, 1, _signals, NULL)
    else:
        with nogil:
            status = coh_pool_run(task, ctx, n_chunks, nt, _signals, NULL)
    if status != COH_OK:
        return _fail(status, where)
    return 0


cdef inline Py_ssize_t _n_chunks(Py_ssize_t n, Py_ssize_t size) noexcept nogil:
    return (n + size - 1) // size


cdef inline Py_ssize_t _end(Py_ssize_t chunk, Py_ssize_t size, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t hi = (chunk + 1) * size
    return hi if hi < n else n


# --------------------------------------------------------------------------------
# Records -> C structs
# --------------------------------------------------------------------------------

cdef coh_ff_t _ff(object params) except *:
    """A FormFactorParams record as coh_ff_t."""
    cdef coh_ff_t ff
    memset(&ff, 0, sizeof(ff))
    ff.model = params.model
    ff.p1 = params.p1
    ff.p2 = params.p2
    return ff


cdef int _nucleus(object spec, coh_nucleus_t *nuc) except -1:
    """A NucleusSpec record as coh_nucleus_t. Its fields are read by name once; the
    struct's bytes are then kept in spec.packed (the record's cache slot)."""
    cdef object packed = spec.packed
    if type(packed) is bytes and PyBytes_GET_SIZE(packed) == sizeof(coh_nucleus_t):
        memcpy(nuc, PyBytes_AS_STRING(packed), sizeof(coh_nucleus_t))
        return 0
    memset(nuc, 0, sizeof(coh_nucleus_t))
    nuc.mass = spec.mass
    nuc.prefactor = spec.prefactor
    nuc.wz = spec.wz
    nuc.wn = spec.wn
    nuc.ffz = _ff(spec.ffz)
    nuc.ffn = _ff(spec.ffn)
    PyObject_GenericSetAttr(spec, "packed",
                            PyBytes_FromStringAndSize(<char *>nuc, sizeof(coh_nucleus_t)))
    return 0


cdef int _pair(object pair, coh_ffpair_t *out) except -1:
    """A FormFactorPair record as coh_ffpair_t."""
    memset(out, 0, sizeof(coh_ffpair_t))
    out.mass = pair.mass
    out.ffz = _ff(pair.ffz)
    out.ffn = _ff(pair.ffn)
    return 0


cdef int _rule(const double[::1] gl_x, const double[::1] gl_w, str where) except -1:
    if gl_x.shape[0] == 0 or gl_x.shape[0] != gl_w.shape[0]:
        _status.raise_status(COH_EBADRULE, where)
    return 0


cdef int _same_length(Py_ssize_t a, Py_ssize_t b, str names) except -1:
    if a != b:
        raise ValueError(f"{names} must have the same length; got {a} and {b}")
    return 0


# --------------------------------------------------------------------------------
# Build information
# --------------------------------------------------------------------------------

def build_info():
    """How the extension was built: ``{"threads": "pthreads" | "serial", "simd": str,
    "compile_flags": str, "compiler": str}``.

    ``threads`` says whether ``n_threads`` can run loops in parallel (the package's
    pthread pool, csrc/coh_pool.c; "serial" where there are no pthreads, e.g.
    Windows); ``simd`` names the Helm loop picked for this CPU at load time
    (coh_simd_info in csrc/coh_ff.c); ``compile_flags`` are the flags setup.py passed
    (COH_BUILD_FLAGS).
    """
    return {
        "threads": "pthreads" if coh_pool_threaded() else "serial",
        "simd": coh_simd_info().decode("ascii"),
        "compile_flags": COH_BUILD_FLAGS.decode("utf-8", "replace"),
        "compiler": COH_COMPILER.decode("utf-8", "replace"),
    }


def simd_info():
    """The Helm loop picked for this CPU at load time (coh_simd_info)."""
    return coh_simd_info().decode("ascii")


def _pool_workers():
    """Worker threads of the pool alive in this process (tests)."""
    return coh_pool_workers()


# --------------------------------------------------------------------------------
# Form factors
# --------------------------------------------------------------------------------

cdef struct ArrayCtx:
    const double *x
    double *out
    Py_ssize_t n
    double a
    double b
    coh_ff_t ff


cdef int _j1_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef ArrayCtx *ctx = <ArrayCtx *>p
    return coh_spherical_j1(ctx.x, ctx.out, c * FF_CHUNK, _end(c, FF_CHUNK, ctx.n))


cdef int _helm_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef ArrayCtx *ctx = <ArrayCtx *>p
    return coh_helm(ctx.x, ctx.a, ctx.b, ctx.out, c * FF_CHUNK, _end(c, FF_CHUNK, ctx.n))


cdef int _ff_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef ArrayCtx *ctx = <ArrayCtx *>p
    return coh_form_factor(&ctx.ff, ctx.x, ctx.out, c * FF_CHUNK, _end(c, FF_CHUNK, ctx.n))


cdef int _array_ctx(ArrayCtx *ctx, const double[::1] x, double[::1] out, str names) except -1:
    _same_length(x.shape[0], out.shape[0], names)
    memset(ctx, 0, sizeof(ArrayCtx))
    ctx.n = x.shape[0]
    if ctx.n:
        ctx.x = &x[0]
        ctx.out = &out[0]
    return 0


def spherical_j1(const double[::1] x, double[::1] out, int n_threads=1):
    """out[i] = j1(x[i])."""
    cdef ArrayCtx ctx
    _array_ctx(&ctx, x, out, "x and out")
    cdef double work = COST_FF * ctx.n
    _run(_j1_task, &ctx, _n_chunks(ctx.n, FF_CHUNK), _nt(n_threads, work), work,
         "coh_spherical_j1")


def helm(const double[::1] q, double r0, double s, double[::1] out, int n_threads=1):
    """Helm form factor (Sharma & Wong (arXiv:2010.06810) Eq. 7); q in MeV, r0 and s
    in MeV^-1."""
    cdef ArrayCtx ctx
    _array_ctx(&ctx, q, out, "q and out")
    ctx.a = r0
    ctx.b = s
    if not (r0 >= 0.0 and s >= 0.0):
        _status.raise_status(COH_EBADARG, "coh_helm")
    cdef double work = COST_FF * ctx.n
    _run(_helm_task, &ctx, _n_chunks(ctx.n, FF_CHUNK), _nt(n_threads, work), work,
         "coh_helm")


def form_factor(const double[::1] q, int model, double p1, double p2, double[::1] out,
                int n_threads=1):
    """Form factor of model id ``model`` (coherency._ff_models) with lengths p1, p2 in
    MeV^-1; q in MeV."""
    cdef ArrayCtx ctx
    cdef double dummy = 0.0
    cdef int status
    _array_ctx(&ctx, q, out, "q and out")
    ctx.ff.model = model
    ctx.ff.p1 = p1
    ctx.ff.p2 = p2
    if ctx.n == 0:  # the model is checked even without points
        status = coh_form_factor(&ctx.ff, &dummy, &dummy, 0, 0)
        if status != COH_OK:
            _fail(status, "coh_form_factor")
        return
    cdef double work = COST_FF * ctx.n
    _run(_ff_task, &ctx, _n_chunks(ctx.n, FF_CHUNK), _nt(n_threads, work), work,
         "coh_form_factor")


# --------------------------------------------------------------------------------
# Cross sections
# --------------------------------------------------------------------------------

cdef struct XsecCtx:
    coh_nucleus_t nuc
    const double *a        # q2 or E
    const double *b        # E or q2_min
    double *out
    Py_ssize_t n
    double panel_dq
    const double *gl_x
    const double *gl_w
    Py_ssize_t n_gl


cdef int _dsigma_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef XsecCtx *ctx = <XsecCtx *>p
    return coh_dsigma_dq2(&ctx.nuc, ctx.a, ctx.b, ctx.out, c * FF_CHUNK,
                          _end(c, FF_CHUNK, ctx.n))


cdef int _sigma_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef XsecCtx *ctx = <XsecCtx *>p
    return coh_sigma_total(&ctx.nuc, ctx.a, ctx.b, ctx.panel_dq, ctx.gl_x, ctx.gl_w,
                           ctx.n_gl, ctx.out, c * XS_CHUNK, _end(c, XS_CHUNK, ctx.n))


def dsigma_dq2(const double[::1] q2, const double[::1] E, spec, double[::1] out,
               int n_threads=1):
    """dsigma/dq2 (Sharma & Wong (arXiv:2010.06810) Eq. 1) at pairs (q2[i], E[i]); 0
    outside kinematics. ``spec``: a NucleusSpec."""
    cdef XsecCtx ctx
    cdef double dummy = 0.0
    cdef int status
    _same_length(q2.shape[0], E.shape[0], "q2 and E")
    _same_length(q2.shape[0], out.shape[0], "q2 and out")
    _nucleus(spec, &ctx.nuc)
    ctx.n = q2.shape[0]
    if ctx.n == 0:  # the nucleus is checked even without points
        status = coh_dsigma_dq2(&ctx.nuc, &dummy, &dummy, &dummy, 0, 0)
        if status != COH_OK:
            _fail(status, "coh_dsigma_dq2")
        return
    ctx.a = &q2[0]
    ctx.b = &E[0]
    ctx.out = &out[0]
    cdef double work = COST_DSIGMA * ctx.n
    _run(_dsigma_task, &ctx, _n_chunks(ctx.n, FF_CHUNK), _nt(n_threads, work), work,
         "coh_dsigma_dq2")


def sigma_total(const double[::1] E, const double[::1] q2_min, spec,
                double panel_dq, const double[::1] gl_x, const double[::1] gl_w,
                double[::1] out, int n_threads=1):
    """sigma(E) integrated over q2 from q2_min[i] to q2_max(E[i]); ``spec``: a
    NucleusSpec; the Gauss-Legendre rule (gl_x, gl_w) on panels of at most panel_dq
    MeV in q."""
    cdef XsecCtx ctx
    cdef double dummy = 0.0
    cdef int status
    _same_length(E.shape[0], q2_min.shape[0], "E and q2_min")
    _same_length(E.shape[0], out.shape[0], "E and out")
    _nucleus(spec, &ctx.nuc)
    _rule(gl_x, gl_w, "coh_sigma_total")
    ctx.n = E.shape[0]
    ctx.panel_dq = panel_dq
    ctx.gl_x = &gl_x[0]
    ctx.gl_w = &gl_w[0]
    ctx.n_gl = gl_x.shape[0]
    if ctx.n == 0:
        status = coh_sigma_total(&ctx.nuc, &dummy, &dummy, panel_dq, ctx.gl_x, ctx.gl_w,
                                 ctx.n_gl, &dummy, 0, 0)
        if status != COH_OK:
            _fail(status, "coh_sigma_total")
        return
    ctx.a = &E[0]
    ctx.b = &q2_min[0]
    ctx.out = &out[0]
    cdef double work = COST_SIGMA * ctx.n
    _run(_sigma_task, &ctx, _n_chunks(ctx.n, XS_CHUNK), _nt(n_threads, work), work,
         "coh_sigma_total")


# --------------------------------------------------------------------------------
# Flux-folded cross sections (rates)
# --------------------------------------------------------------------------------

cdef struct FoldedCtx:
    coh_ffpair_t pair
    const double *E
    const double *w
    Py_ssize_t n
    double q2_min
    double panel_dq
    const double *gl_x
    const double *gl_w
    Py_ssize_t n_gl
    double *part
    Py_ssize_t n_chunks


cdef int _folded_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef FoldedCtx *ctx = <FoldedCtx *>p
    return coh_folded_moments(&ctx.pair, ctx.E, ctx.w, ctx.n, ctx.q2_min, ctx.panel_dq,
                              ctx.gl_x, ctx.gl_w, ctx.n_gl, ctx.part, c * FOLD_GROUP,
                              _end(c, FOLD_GROUP, ctx.n_chunks))


def folded_sigma(const double[::1] E, const double[::1] w, double q2_min, spec,
                 double panel_dq, const double[::1] gl_x, const double[::1] gl_w,
                 int n_threads=1):
    """sum_i w[i] sigma(E[i]; q2_min): a cross section folded with an energy rule
    (weights carry the flux), one nucleus (``spec``, a NucleusSpec); same q rule as
    :func:`sigma_total`. The moments of chunks of COH_RATE_CHUNK energies, added in
    chunk order (csrc/coh_rate.h); E[i] with q2_max <= q2_min add 0."""
    cdef FoldedCtx ctx
    cdef coh_nucleus_t nuc
    cdef double result = 0.0
    cdef double zero[3]
    cdef Py_ssize_t n_chunks
    cdef double *part
    cdef int status
    if w.shape[0] != E.shape[0]:
        raise ValueError(f"w must have the length of E ({E.shape[0]}); got {w.shape[0]}")
    _nucleus(spec, &nuc)
    _rule(gl_x, gl_w, "coh_folded_moments")
    memset(&ctx, 0, sizeof(ctx))
    ctx.pair.mass = nuc.mass
    ctx.pair.ffz = nuc.ffz
    ctx.pair.ffn = nuc.ffn
    ctx.n = E.shape[0]
    ctx.q2_min = q2_min
    ctx.panel_dq = panel_dq
    ctx.gl_x = &gl_x[0]
    ctx.gl_w = &gl_w[0]
    ctx.n_gl = gl_x.shape[0]
    if ctx.n == 0:  # the nucleus is checked even without energies
        status = coh_folded_moments(&ctx.pair, zero, zero, 0, q2_min, panel_dq, ctx.gl_x,
                                    ctx.gl_w, ctx.n_gl, zero, 0, 0)
        if status != COH_OK:
            _fail(status, "coh_folded_moments")
        return 0.0
    ctx.E = &E[0]
    ctx.w = &w[0]
    n_chunks = (ctx.n + COH_RATE_CHUNK - 1) // COH_RATE_CHUNK
    part = <double *>malloc(3 * n_chunks * sizeof(double))
    if part == NULL:
        raise MemoryError("folded_sigma: no memory for the chunk sums")
    ctx.part = part
    ctx.n_chunks = n_chunks
    cdef double work = COST_FOLDED * ctx.n
    try:
        _run(_folded_task, &ctx, _n_chunks(n_chunks, FOLD_GROUP), _nt(n_threads, work), work,
             "coh_folded_moments")
        coh_folded_sigma(&nuc, part, &result, 0, n_chunks)
    finally:
        free(part)
    return result


cdef struct QgridCtx:
    coh_qgrid_t grid
    coh_ffpair_t pair
    const double *p1z
    const double *p1n
    const double *q_lo
    double *out
    Py_ssize_t n
    double *work
    Py_ssize_t stride


cdef int _qgrid_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef QgridCtx *ctx = <QgridCtx *>p
    return coh_qgrid_moments(&ctx.grid, &ctx.pair, ctx.p1z, ctx.p1n, ctx.q_lo,
                             ctx.work + ctx.stride * worker, ctx.out, c * QG_CHUNK,
                             _end(c, QG_CHUNK, ctx.n))


def qgrid_moments(grid, pair, const double[::1] p1z, const double[::1] p1n,
                  const double[::1] q_lo, double[::1] out, int n_threads=1):
    """Folded moments (m_zz, m_zn, m_nn) at many parameter points, one nucleus, from
    G(q) tabulated on panels (q-outer order; csrc/coh_rate.h, coh_qgrid_t).

    ``grid`` is a QGrid (edges, nodes, Chebyshev rows, rule), ``pair`` a
    FormFactorPair (mass, models, second lengths). Point i has first lengths
    ``p1z[i]``, ``p1n[i]`` (MeV^-1) and threshold ``q_lo[i]`` >= 0 (MeV). Writes
    ``out[3i:3i+3]``. Consecutive points with equal lengths share the full panels.
    """
    cdef QgridCtx ctx
    cdef const double[::1] edges = grid.edges
    cdef const double[::1] node_q = grid.node_q
    cdef const double[::1] node_w = grid.node_w
    cdef const double[::1] cheb = grid.cheb
    cdef const double[::1] gl_x = grid.gl_x
    cdef const double[::1] gl_w = grid.gl_w
    cdef Py_ssize_t n_panels = edges.shape[0] - 1
    cdef Py_ssize_t n_gl = gl_x.shape[0]
    cdef Py_ssize_t n = q_lo.shape[0]
    cdef double dummy = 0.0
    cdef int nt
    if n_gl == 0 or n_gl != gl_w.shape[0] or n_gl > COH_QGRID_MAX_GL:
        _status.raise_status(COH_EBADRULE, "coh_qgrid_moments")
    if n_panels < 0:
        raise ValueError("edges must have at least one entry")
    if node_q.shape[0] != n_panels * n_gl or node_w.shape[0] != n_panels * n_gl:
        raise ValueError(f"node_q and node_w must hold {n_gl} entries per panel")
    if n_panels > 0 and (cheb.shape[0] == 0 or cheb.shape[0] % n_panels != 0):
        raise ValueError("cheb must hold one equal row per panel")
    if p1z.shape[0] != n:
        raise ValueError(f"p1z must have one entry per point ({n})")
    if p1n.shape[0] != n:
        raise ValueError(f"p1n must have one entry per point ({n})")
    if out.shape[0] != 3 * n:
        raise ValueError(f"out must have 3 * {n} entries")
    memset(&ctx, 0, sizeof(ctx))
    _pair(pair, &ctx.pair)
    if n == 0:
        return
    ctx.grid.n_panels = n_panels
    ctx.grid.edges = &edges[0]
    ctx.grid.n_gl = n_gl
    ctx.grid.node_q = &node_q[0] if n_panels > 0 else &dummy
    ctx.grid.node_w = &node_w[0] if n_panels > 0 else &dummy
    ctx.grid.n_cheb = cheb.shape[0] // n_panels if n_panels > 0 else 1
    ctx.grid.cheb = &cheb[0] if n_panels > 0 else &dummy
    ctx.grid.gl_x = &gl_x[0]
    ctx.grid.gl_w = &gl_w[0]
    ctx.p1z = &p1z[0]
    ctx.p1n = &p1n[0]
    ctx.q_lo = &q_lo[0]
    ctx.out = &out[0]
    ctx.n = n
    cdef double work = COST_QGRID * n
    nt = _nt(n_threads, work)
    # per-thread workspaces a whole number of cache lines apart (8 doubles = 64
    # bytes, plus one line): threads writing neighbouring sums would share a line
    ctx.stride = (3 * (n_panels + 1) + 7) // 8 * 8 + 8
    ctx.work = <double *>malloc(ctx.stride * nt * sizeof(double))
    if ctx.work == NULL:
        raise MemoryError("qgrid_moments: no memory for the workspace")
    try:
        _run(_qgrid_task, &ctx, _n_chunks(n, QG_CHUNK), nt, work, "coh_qgrid_moments")
    finally:
        free(ctx.work)


cdef struct RowsCtx:
    const double *m
    const double *factors
    double *coef
    int add
    Py_ssize_t n
    Py_ssize_t n_rows
    const long long *which
    const double *s2
    Py_ssize_t n_s2
    double eps_default
    const double *alpha
    Py_ssize_t n_alpha


cdef int _to_coef_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef RowsCtx *ctx = <RowsCtx *>p
    return coh_moments_to_coef(ctx.m, ctx.factors, ctx.coef, ctx.add, c * FF_CHUNK,
                               _end(c, FF_CHUNK, ctx.n))


cdef int _combine_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef RowsCtx *ctx = <RowsCtx *>p
    return coh_batch_combine(ctx.factors, ctx.n_rows, ctx.which, ctx.s2, ctx.n_s2,
                             ctx.eps_default, ctx.alpha, ctx.n_alpha, ctx.add, ctx.coef,
                             c * FF_CHUNK, _end(c, FF_CHUNK, ctx.n))


def moments_to_coef(const double[::1] m, const double[::1] factors, double[::1] coef,
                    bint add=False, int n_threads=1):
    """coef[5i + j] (+)= m[3i + (0, 1, 2, 0, 2)[j]] factors[j]: the rows of
    batch_combine from the q moments of one nucleus (csrc/coh_rate.h)."""
    cdef RowsCtx ctx
    cdef Py_ssize_t n = m.shape[0] // 3
    if m.shape[0] % 3 != 0:
        raise ValueError("m must hold rows of 3 moments")
    if factors.shape[0] != 5:
        raise ValueError("factors must have 5 entries")
    if coef.shape[0] != 5 * n:
        raise ValueError(f"coef must have 5 entries per row of m ({5 * n})")
    if n == 0:
        return
    memset(&ctx, 0, sizeof(ctx))
    ctx.m = &m[0]
    ctx.factors = &factors[0]
    ctx.coef = &coef[0]
    ctx.add = add
    ctx.n = n
    cdef double work = COST_ROWS * n
    _run(_to_coef_task, &ctx, _n_chunks(n, FF_CHUNK), _nt(n_threads, work), work,
         "coh_moments_to_coef")


def batch_combine(const double[::1] coef, const long long[::1] which, const double[::1] s2,
                  double eps_default, const double[::1] alpha, double[::1] acc,
                  bint add=True, int n_threads=1):
    """acc[i] (+)= Gamma-weighted integral of row which[i] at epsilon_i, alpha_i for
    every point (add: accumulate, else overwrite): the parameter axis of the batch API
    (csrc/coh_rate.h, coh_batch_combine). ``coef`` holds rows of 5 coefficients;
    ``which`` a row per point (empty: row 0 for all; a row out of range is a
    RuntimeError); ``s2`` and ``alpha`` are empty (absent), one value, or one per
    point."""
    cdef RowsCtx ctx
    cdef Py_ssize_t n = acc.shape[0]
    cdef double dummy = 0.0
    if coef.shape[0] % 5 != 0 or coef.shape[0] == 0:
        raise ValueError("coef must hold rows of 5 coefficients (at least one)")
    if which.shape[0] != 0 and which.shape[0] != n:
        raise ValueError(f"which must be empty or have one entry per point ({n})")
    if s2.shape[0] != 0 and s2.shape[0] != 1 and s2.shape[0] != n:
        raise ValueError(f"s2 must be empty, one value or one per point ({n})")
    if alpha.shape[0] != 0 and alpha.shape[0] != 1 and alpha.shape[0] != n:
        raise ValueError(f"alpha must be empty, one value or one per point ({n})")
    if n == 0:
        return
    memset(&ctx, 0, sizeof(ctx))
    ctx.factors = &coef[0]
    ctx.n_rows = coef.shape[0] // 5
    ctx.which = &which[0] if which.shape[0] else NULL
    ctx.s2 = &s2[0] if s2.shape[0] else &dummy
    ctx.n_s2 = s2.shape[0]
    ctx.eps_default = eps_default
    ctx.alpha = &alpha[0] if alpha.shape[0] else &dummy
    ctx.n_alpha = alpha.shape[0]
    ctx.add = add
    ctx.coef = &acc[0]
    ctx.n = n
    cdef double work = COST_ROWS * n
    _run(_combine_task, &ctx, _n_chunks(n, FF_CHUNK), _nt(n_threads, work), work,
         "coh_batch_combine (which)")


# --------------------------------------------------------------------------------
# Recoil spectra: flux moments and dN/dq2
# --------------------------------------------------------------------------------

cdef int _chebmodel(object model, coh_chebmodel_t *m) except -1:
    """Fill m from a FluxModel record, after the length checks that keep the kernel
    in bounds. The pointers stay valid while the record's arrays live (the caller
    holds the record)."""
    cdef const double[::1] bps = model.bps
    cdef const double[::1] keys = model.keys
    cdef const double[::1] t0 = model.t0
    cdef const double[::1] t1 = model.t1
    cdef Py_ssize_t n_coef = model.n_coef
    cdef const double[::1] coef0 = model.coef0
    cdef const double[::1] coef2 = model.coef2
    cdef const double[::1] a1_0 = model.a1_0
    cdef const double[::1] a1_2 = model.a1_2
    cdef const double[::1] above0 = model.above0
    cdef const double[::1] above2 = model.above2
    cdef const unsigned char[::1] converged = model.converged
    cdef Py_ssize_t n_keys = keys.shape[0]
    if bps.shape[0] < 2 or n_keys < 1 or n_coef < 1:
        raise ValueError("the model needs >= 2 breakpoints, >= 1 piece and n_coef >= 1")
    if (t0.shape[0] != n_keys or t1.shape[0] != n_keys or a1_0.shape[0] != n_keys
            or a1_2.shape[0] != n_keys or above0.shape[0] != n_keys
            or above2.shape[0] != n_keys or converged.shape[0] != n_keys
            or coef0.shape[0] != n_keys * n_coef or coef2.shape[0] != n_keys * n_coef):
        raise ValueError(f"every piece needs t0, t1, a1, above, converged and n_coef = "
                         f"{n_coef} coefficients ({n_keys} pieces)")
    m.n_bps = bps.shape[0]
    m.bps = &bps[0]
    m.below0 = model.below0
    m.below2 = model.below2
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
    m.cancel = model.cancel
    return 0


cdef struct ChebCtx:
    coh_chebmodel_t m
    const double *x
    double *F0
    double *F2
    unsigned char *redo
    Py_ssize_t n
    const double *line_E
    const double *line_F0
    const double *line_F2
    Py_ssize_t n_lines
    coh_nucleus_t nuc
    double scale
    double cap
    double weight
    int add


cdef int _cheb_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef ChebCtx *ctx = <ChebCtx *>p
    return coh_cheb_moments(&ctx.m, ctx.x, ctx.F0, ctx.F2, ctx.redo, c * SPEC_CHUNK,
                            _end(c, SPEC_CHUNK, ctx.n))


cdef int _dn_dq2_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef ChebCtx *ctx = <ChebCtx *>p
    return coh_dn_dq2(&ctx.m, ctx.line_E, ctx.line_F0, ctx.line_F2, ctx.n_lines, &ctx.nuc,
                      ctx.x, ctx.scale, ctx.cap, ctx.weight, ctx.add, ctx.F0, ctx.redo,
                      c * SPEC_CHUNK, _end(c, SPEC_CHUNK, ctx.n))


def cheb_moments(model, const double[::1] x, double[::1] F0, double[::1] F2,
                 unsigned char[::1] redo, int n_threads=1):
    """Continuum flux moments F0, F2 at x from a source's piecewise Chebyshev model
    (``model``: a FluxModel; csrc/coh_rate.h, coh_chebmodel_t); redo[i] = 1 where the
    caller must recompute directly (cancellation, or a piece that did not
    converge)."""
    cdef ChebCtx ctx
    cdef Py_ssize_t n = x.shape[0]
    memset(&ctx, 0, sizeof(ctx))
    _chebmodel(model, &ctx.m)
    if F0.shape[0] != n or F2.shape[0] != n or redo.shape[0] != n:
        raise ValueError("x, F0, F2 and redo must have the same length")
    if n == 0:
        return
    ctx.x = &x[0]
    ctx.F0 = &F0[0]
    ctx.F2 = &F2[0]
    ctx.redo = &redo[0]
    ctx.n = n
    cdef double work = COST_CHEB * n
    _run(_cheb_task, &ctx, _n_chunks(n, SPEC_CHUNK), _nt(n_threads, work), work,
         "coh_cheb_moments")


def dn_dq2(model, const double[::1] line_E, const double[::1] line_F0,
           const double[::1] line_F2, spec, const double[::1] v, double scale,
           double cap, double weight, double[::1] out, unsigned char[::1] redo,
           bint add=False, int n_threads=1):
    """out[i] (+)= weight x integral Phi dsigma/dq2 dE at q2 = scale min(v[i], cap) (v,
    scale, cap >= 0), one nucleus (``spec``, a NucleusSpec): the continuum moments from
    ``model`` (a FluxModel, as in cheb_moments) plus the lines (energies, F0 and F2
    contributions). Where redo[i] = 1 (as in cheb_moments) nothing is added: the caller
    adds its own value (csrc/coh_rate.h, coh_dn_dq2)."""
    cdef ChebCtx ctx
    cdef Py_ssize_t n = v.shape[0]
    cdef Py_ssize_t n_lines = line_E.shape[0]
    cdef double dummy = 0.0
    cdef int status
    memset(&ctx, 0, sizeof(ctx))
    _nucleus(spec, &ctx.nuc)
    _chebmodel(model, &ctx.m)
    if line_F0.shape[0] != n_lines or line_F2.shape[0] != n_lines:
        raise ValueError("line_E, line_F0 and line_F2 must have the same length")
    if out.shape[0] != n or redo.shape[0] != n:
        raise ValueError("v, out and redo must have the same length")
    if n == 0:
        status = coh_dn_dq2(&ctx.m, &dummy, &dummy, &dummy, 0, &ctx.nuc, &dummy, scale,
                            cap, weight, add, &dummy, NULL, 0, 0)
        if status != COH_OK:
            _fail(status, "coh_dn_dq2")
        return
    ctx.line_E = &line_E[0] if n_lines else &dummy
    ctx.line_F0 = &line_F0[0] if n_lines else &dummy
    ctx.line_F2 = &line_F2[0] if n_lines else &dummy
    ctx.n_lines = n_lines
    ctx.x = &v[0]
    ctx.scale = scale
    ctx.cap = cap
    ctx.weight = weight
    ctx.add = add
    ctx.F0 = &out[0]
    ctx.redo = &redo[0]
    ctx.n = n
    cdef double work = COST_DN_DQ2 * n
    _run(_dn_dq2_task, &ctx, _n_chunks(n, SPEC_CHUNK), _nt(n_threads, work), work,
         "coh_dn_dq2")


# --------------------------------------------------------------------------------
# Detector response: the incomplete gamma function and the response matrix
# --------------------------------------------------------------------------------

cdef struct GammaCtx:
    const double *a
    const double *x
    double *P
    double *Q
    Py_ssize_t n


cdef int _gammainc_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef GammaCtx *ctx = <GammaCtx *>p
    return coh_gammainc_pq(ctx.a, ctx.x, ctx.P, ctx.Q, c * GAMMA_CHUNK,
                           _end(c, GAMMA_CHUNK, ctx.n))


def gammainc_pq(const double[::1] a, const double[::1] x, double[::1] P, double[::1] Q,
                int n_threads=1):
    """P[i] = P(a[i], x[i]) and Q[i] = Q(a[i], x[i]) = 1 - P[i], the regularised lower
    and upper incomplete gamma functions (csrc/coh_resp.h), for 0 < a <= 1e8 and
    x >= 0 (x = inf allowed); anything else is COH_EBADARG."""
    cdef GammaCtx ctx
    cdef Py_ssize_t n = a.shape[0]
    _same_length(n, x.shape[0], "a and x")
    _same_length(n, P.shape[0], "a and P")
    _same_length(n, Q.shape[0], "a and Q")
    if n == 0:
        return
    ctx.a = &a[0]
    ctx.x = &x[0]
    ctx.P = &P[0]
    ctx.Q = &Q[0]
    ctx.n = n
    cdef double work = COST_GAMMA * n
    _run(_gammainc_task, &ctx, _n_chunks(n, GAMMA_CHUNK), _nt(n_threads, work), work,
         "coh_gammainc_pq")


cdef struct RespCtx:
    coh_resolution_t res
    const double *mu
    const double *gx
    const double *geps
    Py_ssize_t n_grid
    const double *edges
    Py_ssize_t n_edges
    double *out
    Py_ssize_t n
    Py_ssize_t per_chunk


cdef int _response_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef RespCtx *ctx = <RespCtx *>p
    return coh_response(&ctx.res, ctx.mu, ctx.gx, ctx.geps, ctx.n_grid, ctx.edges,
                        ctx.n_edges, ctx.out, c * ctx.per_chunk,
                        _end(c, ctx.per_chunk, ctx.n))


def response_matrix(const double[::1] mu, res, const double[::1] grid_x,
                    const double[::1] grid_eps, const double[::1] edges, double[::1] out,
                    int n_threads=1):
    """The detector response matrix, transposed: out[j (len(edges) - 1) + b] = R[b, j],
    the integral over observed bin [edges[b], edges[b+1]) of eps(x) P(x | mu[j])
    (docs/physics.md Eq. 11.5) with eps piecewise linear on (grid_x, grid_eps) and the
    resolution model ``res`` (a ResolutionParams); csrc/coh_resp.h gives the
    conventions. Each node's row is computed on its own: the bits do not depend on
    n_threads."""
    cdef RespCtx ctx
    cdef double dummy = 0.0
    cdef int status
    cdef Py_ssize_t n = mu.shape[0]
    cdef Py_ssize_t n_bins = edges.shape[0] - 1 if edges.shape[0] > 1 else 0
    _same_length(grid_x.shape[0], grid_eps.shape[0], "grid_x and grid_eps")
    if out.shape[0] != n * n_bins:
        raise ValueError(f"out must hold len(mu) x (len(edges) - 1) = {n * n_bins} "
                         f"values; got {out.shape[0]}")
    memset(&ctx, 0, sizeof(ctx))
    ctx.res.model = res.model
    ctx.res.p1 = res.p1
    ctx.res.p2 = res.p2
    ctx.res.p3 = res.p3
    ctx.n_grid = grid_x.shape[0]
    ctx.gx = &grid_x[0] if ctx.n_grid else &dummy
    ctx.geps = &grid_eps[0] if ctx.n_grid else &dummy
    ctx.n_edges = edges.shape[0]
    ctx.edges = &edges[0] if ctx.n_edges else &dummy
    if n == 0 or n_bins == 0:  # the model and the grid are checked even without rows
        status = coh_response(&ctx.res, &dummy, ctx.gx, ctx.geps, ctx.n_grid, ctx.edges,
                              ctx.n_edges, &dummy, 0, 0)
        if status != COH_OK:
            _fail(status, "coh_response")
        return
    ctx.mu = &mu[0]
    ctx.out = &out[0]
    ctx.n = n
    # steps per node: the grid pieces, and for Poisson up to ~80 sqrt(mu) + 300 terms
    # (csrc/coh_resp.c: 40 standard deviations below the mean to underflow above it)
    cdef double steps = <double>(ctx.n_grid + ctx.n_edges)
    cdef double mu_max = 0.0
    cdef Py_ssize_t j
    if ctx.res.model == COH_RES_POISSON:
        for j in range(n):
            if mu[j] > mu_max:  # NaN and negative means fail in the kernel
                mu_max = mu[j]
        if mu_max > 1e8:
            mu_max = 1e8
        steps += 80.0 * sqrt(mu_max) + 300.0
    # whole nodes per chunk, ~RESP_CHUNK steps: a millisecond or two of work
    ctx.per_chunk = <Py_ssize_t>(RESP_CHUNK / steps)
    if ctx.per_chunk < 1:
        ctx.per_chunk = 1
    cdef double work = COST_RESP * n * steps
    _run(_response_task, &ctx, _n_chunks(n, ctx.per_chunk), _nt(n_threads, work), work,
         "coh_response")


# --------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------

cdef struct CheckCtx:
    const double *x
    Py_ssize_t n
    double lo
    double hi
    int lo_open


cdef int _within_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef CheckCtx *ctx = <CheckCtx *>p
    return coh_all_within(ctx.x, ctx.lo, ctx.hi, ctx.lo_open, c * CHECK_CHUNK,
                          _end(c, CHECK_CHUNK, ctx.n))


def all_within(const double[::1] x, double lo, double hi, bint lo_open=False,
               int n_threads=1):
    """True if every x lies in [lo, hi] ((lo, hi] when lo_open); NaN lies outside.
    The argument checks' one pass (csrc/coh_check.h), on n_threads threads."""
    cdef CheckCtx ctx
    cdef int status
    ctx.n = x.shape[0]
    if ctx.n == 0:
        return True
    ctx.x = &x[0]
    ctx.lo = lo
    ctx.hi = hi
    ctx.lo_open = lo_open
    cdef double work = COST_CHECK * ctx.n
    # memory-bound: a second thread pays for its wake-up only on large arrays
    cdef int nt = _nt(n_threads, work) if ctx.n >= CHECK_PARALLEL_MIN else 1
    if work < NOGIL_MIN_NS:
        status = coh_pool_run(_within_task, &ctx, _n_chunks(ctx.n, CHECK_CHUNK), 1,
                              _signals, NULL)
    else:
        with nogil:
            status = coh_pool_run(_within_task, &ctx, _n_chunks(ctx.n, CHECK_CHUNK), nt,
                                  _signals, NULL)
    if status == COH_EBADARG:
        return False
    if status != COH_OK:
        _fail(status, "coh_all_within")
    return True


# ---------------------------------------------------------------------------------
# Scalar entry points: one point in, a Python float out, no arrays. They are the
# public layer's fast path for plain-float arguments. Each calls the same C entry
# point as its array kernel on [0, 1) of stack doubles, so a scalar call returns bit
# for bit what a one-element array call returns. Twins of the same names live in
# coherency._reference.
# ---------------------------------------------------------------------------------

def spherical_j1_scalar(double x):
    """j1(x) at one point."""
    cdef double out = 0.0
    coh_spherical_j1(&x, &out, 0, 1)
    return out


def helm_scalar(double q, double r0, double s):
    """Helm form factor at one q (MeV); r0 and s in MeV^-1."""
    cdef double out = 0.0
    cdef int status = coh_helm(&q, r0, s, &out, 0, 1)
    if status != COH_OK:
        _fail(status, "coh_helm")
    return out


def form_factor_scalar(double q, int model, double p1, double p2):
    """Form factor of model id ``model`` at one q (MeV); p1, p2 in MeV^-1."""
    cdef double out = 0.0
    cdef coh_ff_t ff
    ff.model = model
    ff.p1 = p1
    ff.p2 = p2
    cdef int status = coh_form_factor(&ff, &q, &out, 0, 1)
    if status != COH_OK:
        _fail(status, "coh_form_factor")
    return out


def dsigma_dq2_scalar(double q2, double E, spec):
    """dsigma/dq2 (Sharma & Wong (arXiv:2010.06810) Eq. 1) at one (q2, E); 0 outside
    kinematics. ``spec``: a NucleusSpec."""
    cdef double out = 0.0
    cdef coh_nucleus_t nuc
    _nucleus(spec, &nuc)
    cdef int status = coh_dsigma_dq2(&nuc, &q2, &E, &out, 0, 1)
    if status != COH_OK:
        _fail(status, "coh_dsigma_dq2")
    return out


# The last quadrature rule seen by sigma_total_scalar: taking a buffer costs more
# than a 16-node integral, and callers pass the same module-level rule every time.
cdef object _rule_x_obj = None
cdef object _rule_w_obj = None
cdef const double[::1] _rule_x
cdef const double[::1] _rule_w


def sigma_total_scalar(double E, double q2_min, spec, double panel_dq,
                       object gl_x, object gl_w):
    """sigma(E) integrated over q2 from q2_min to q2_max(E), at one E; ``spec``: a
    NucleusSpec."""
    global _rule_x_obj, _rule_w_obj, _rule_x, _rule_w
    cdef double out = 0.0
    cdef int status
    cdef coh_nucleus_t nuc
    cdef const double[::1] x
    cdef const double[::1] w
    _nucleus(spec, &nuc)
    if gl_x is _rule_x_obj and gl_w is _rule_w_obj:
        x = _rule_x
        w = _rule_w
    else:
        x = gl_x
        w = gl_w
        _rule(x, w, "coh_sigma_total")
        _rule_x, _rule_w = x, w
        _rule_x_obj, _rule_w_obj = gl_x, gl_w
    with nogil:
        status = coh_sigma_total(&nuc, &E, &q2_min, panel_dq, &x[0], &w[0], x.shape[0],
                                 &out, 0, 1)
    if status != COH_OK:
        _fail(status, "coh_sigma_total")
    return out


# --------------------------------------------------------------------------------
# Physics beyond the Standard Model (csrc/coh_bsm.h)
# --------------------------------------------------------------------------------

cdef enum:
    BSM_CHUNK = 1024       # points per chunk of bsm_dsigma_dq2 and bsm_parts
    BSM_SIGMA_CHUNK = 16   # energies per chunk of bsm_sigma (tens of panels each)

cdef double COST_BSM_POINT = 40.0    # one point: form factors, terms, parts
cdef double COST_BSM_SIGMA = 8000.0  # one energy: ~10 panels of 16 nodes


cdef struct BsmCtx:
    coh_bsm_t m
    const double *a
    const double *b
    const double *F0
    const double *F1
    const double *F2
    double *out
    double *out2
    Py_ssize_t n
    double panel_dq
    const double *gl_x
    const double *gl_w
    Py_ssize_t n_gl


cdef int _bsm(object spec, coh_bsm_t *m) except -1:
    """A BSMSpec record as coh_bsm_t; the pointer into spec.terms stays valid while
    the caller holds the record."""
    cdef const double[::1] terms = spec.terms
    cdef Py_ssize_t n = terms.shape[0]
    if n % COH_BSM_TERM_SIZE != 0 or n // COH_BSM_TERM_SIZE > COH_BSM_MAX_TERMS:
        raise ValueError(f"terms must hold {COH_BSM_TERM_SIZE} doubles per term and at "
                         f"most {COH_BSM_MAX_TERMS} terms; got {n} doubles")
    memset(m, 0, sizeof(coh_bsm_t))
    m.mass = spec.mass
    m.ffz = _ff(spec.ffz)
    m.ffn = _ff(spec.ffn)
    m.pv = spec.pv
    m.wz = spec.wz
    m.wn = spec.wn
    m.n_terms = n // COH_BSM_TERM_SIZE
    m.terms = &terms[0] if n else NULL
    m.izz = spec.izz
    m.izn = spec.izn
    m.inn = spec.inn
    m.ps = spec.ps
    m.sz = spec.sz
    m.sn = spec.sn
    m.ms2 = spec.ms2
    m.pm = spec.pm
    return 0


cdef int _bsm_checked(coh_bsm_t *m, str where) except -1:
    """The model's checks (coh_bsm_check, through an entry point on no points)."""
    cdef double dummy = 0.0
    cdef int status = coh_bsm_parts(m, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy,
                                    0, 0)
    if status != COH_OK:
        _fail(status, where)
    return 0


cdef int _bsm_dsigma_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef BsmCtx *ctx = <BsmCtx *>p
    return coh_bsm_dsigma_dq2(&ctx.m, ctx.a, ctx.b, ctx.out, c * BSM_CHUNK,
                              _end(c, BSM_CHUNK, ctx.n))


cdef int _bsm_sigma_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef BsmCtx *ctx = <BsmCtx *>p
    return coh_bsm_sigma(&ctx.m, ctx.a, ctx.b, ctx.panel_dq, ctx.gl_x, ctx.gl_w, ctx.n_gl,
                         ctx.out, c * BSM_SIGMA_CHUNK, _end(c, BSM_SIGMA_CHUNK, ctx.n))


cdef int _bsm_parts_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef BsmCtx *ctx = <BsmCtx *>p
    return coh_bsm_parts(&ctx.m, ctx.a, ctx.F0, ctx.F1, ctx.F2, ctx.out, ctx.out2,
                         c * BSM_CHUNK, _end(c, BSM_CHUNK, ctx.n))


def bsm_dsigma_dq2(const double[::1] q2, const double[::1] E, spec, double[::1] out,
                   int n_threads=1):
    """Change of dsigma/dq2 (cm^2/MeV^2) that the model ``spec`` (a BSMSpec) brings, at
    pairs (q2[i], E[i]); 0 outside 0 < q2 <= q2_max(E) (csrc/coh_bsm.h)."""
    cdef BsmCtx ctx
    memset(&ctx, 0, sizeof(ctx))
    _same_length(q2.shape[0], E.shape[0], "q2 and E")
    _same_length(q2.shape[0], out.shape[0], "q2 and out")
    _bsm(spec, &ctx.m)
    _bsm_checked(&ctx.m, "coh_bsm_dsigma_dq2")
    ctx.n = q2.shape[0]
    if ctx.n == 0:
        return
    ctx.a = &q2[0]
    ctx.b = &E[0]
    ctx.out = &out[0]
    cdef double work = COST_BSM_POINT * ctx.n
    _run(_bsm_dsigma_task, &ctx, _n_chunks(ctx.n, BSM_CHUNK), _nt(n_threads, work), work,
         "coh_bsm_dsigma_dq2")


def bsm_sigma(const double[::1] E, const double[::1] q2_min, spec, double panel_dq,
              const double[::1] gl_x, const double[::1] gl_w, double[::1] out,
              int n_threads=1):
    """Change of sigma(E[i]) above q2_min[i] (cm^2) that the model ``spec`` (a BSMSpec)
    brings: the Gauss-Legendre rule (gl_x, gl_w) on panels doubling from sqrt(q2_min),
    no wider than panel_dq MeV (csrc/coh_bsm.h)."""
    cdef BsmCtx ctx
    memset(&ctx, 0, sizeof(ctx))
    _same_length(E.shape[0], q2_min.shape[0], "E and q2_min")
    _same_length(E.shape[0], out.shape[0], "E and out")
    _bsm(spec, &ctx.m)
    _bsm_checked(&ctx.m, "coh_bsm_sigma")
    _rule(gl_x, gl_w, "coh_bsm_sigma")
    ctx.n = E.shape[0]
    if ctx.n == 0:
        return
    ctx.a = &E[0]
    ctx.b = &q2_min[0]
    ctx.out = &out[0]
    ctx.panel_dq = panel_dq
    ctx.gl_x = &gl_x[0]
    ctx.gl_w = &gl_w[0]
    ctx.n_gl = gl_x.shape[0]
    cdef double work = COST_BSM_SIGMA * ctx.n
    _run(_bsm_sigma_task, &ctx, _n_chunks(ctx.n, BSM_SIGMA_CHUNK), _nt(n_threads, work),
         work, "coh_bsm_sigma")


def bsm_parts(spec, const double[::1] q2, const double[::1] F0, const double[::1] F1,
              const double[::1] F2, double[::1] lin, double[::1] quad, int n_threads=1):
    """The flux-folded change of dN/dq2 at q2[i] > 0 with the flux moments F0, F1, F2
    (integral_{E_min} Phi E^-k dE): its part linear in the model's couplings, lin[i],
    and its quadratic part, quad[i] (csrc/coh_bsm.h)."""
    cdef BsmCtx ctx
    cdef Py_ssize_t n = q2.shape[0]
    memset(&ctx, 0, sizeof(ctx))
    if (F0.shape[0] != n or F1.shape[0] != n or F2.shape[0] != n or lin.shape[0] != n
            or quad.shape[0] != n):
        raise ValueError("q2, F0, F1, F2, lin and quad must have the same length")
    _bsm(spec, &ctx.m)
    _bsm_checked(&ctx.m, "coh_bsm_parts")
    if n == 0:
        return
    ctx.n = n
    ctx.a = &q2[0]
    ctx.F0 = &F0[0]
    ctx.F1 = &F1[0]
    ctx.F2 = &F2[0]
    ctx.out = &lin[0]
    ctx.out2 = &quad[0]
    cdef double work = COST_BSM_POINT * n
    _run(_bsm_parts_task, &ctx, _n_chunks(n, BSM_CHUNK), _nt(n_threads, work), work,
         "coh_bsm_parts")


cdef enum:
    BSM_GRID_MASS_CHUNK = 4      # masses per chunk of the fold of bsm_grid
    BSM_GRID_POINT_CHUNK = 4096  # points per chunk of the combination of bsm_grid

cdef double COST_BSM_GRID_NODE = 60.0  # one node of one record (form factors, terms)
cdef double COST_BSM_GRID_PAIR = 2.0   # one (node, mass) pair of one record, per row
cdef double COST_BSM_GRID_POINT = 1.0  # one point and row, per product


cdef struct BsmGridCtx:
    coh_bsm_grid_t g
    int override
    double *work
    Py_ssize_t n_records
    const double *scale
    const double *m2
    Py_ssize_t n_masses
    double *L
    double *Q
    const double *lambdas
    const long long *mass_index
    Py_ssize_t n_points
    double *out


cdef int _bsm_grid_nodes_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef BsmGridCtx *ctx = <BsmGridCtx *>p
    return coh_bsm_grid_nodes(&ctx.g, ctx.override, ctx.work, c, c + 1)


cdef int _bsm_grid_fold_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef BsmGridCtx *ctx = <BsmGridCtx *>p
    return coh_bsm_grid_fold(&ctx.g, ctx.work, ctx.scale, ctx.m2, ctx.n_masses, ctx.L, ctx.Q,
                             c * BSM_GRID_MASS_CHUNK,
                             _end(c, BSM_GRID_MASS_CHUNK, ctx.n_masses))


cdef int _bsm_grid_combine_task(void *p, Py_ssize_t c, int worker) noexcept nogil:
    cdef BsmGridCtx *ctx = <BsmGridCtx *>p
    return coh_bsm_grid_combine(ctx.g.n_units, ctx.n_masses, ctx.g.n_rows, ctx.L, ctx.Q,
                                ctx.lambdas, ctx.mass_index, ctx.n_points, ctx.out,
                                c * BSM_GRID_POINT_CHUNK,
                                _end(c, BSM_GRID_POINT_CHUNK, ctx.n_points))


def bsm_grid(grid, const double[::1] scale, const double[::1] m2,
             const double[::1] lambdas, const long long[::1] mass_index, double[::1] out,
             int n_threads=1):
    """Values of a grid of model points (csrc/coh_bsm.h: coh_bsm_grid_nodes,
    coh_bsm_grid_fold, coh_bsm_grid_combine): ``grid`` a BSMGrid of K unit models, n_rows rows and its
    pieces; ``scale`` one factor per piece; ``m2`` the distinct mediator masses
    squared (MeV^2; empty: the records' own masses); ``lambdas`` the K linear
    parameters of every point (K rows of n_points, flat); ``mass_index`` per point its
    mass in m2 (empty: the first). Writes out[r n_points + p] = sum_k lambda_k (L_k +
    sum_l lambda_l Q_kl) at the point's mass, L and Q the weighted sums of each piece's
    parts times its scale."""
    cdef BsmGridCtx ctx
    cdef Py_ssize_t K = grid.n_units
    cdef Py_ssize_t R = grid.n_rows
    cdef tuple pieces = tuple(grid.pieces)
    cdef Py_ssize_t n_pieces = len(pieces)
    cdef Py_ssize_t p, c, n_specs = 0, nodes, total_nodes = 0
    cdef const double[::1] arr
    cdef coh_bsm_piece_t *pc = NULL
    cdef coh_bsm_t *specs = NULL
    cdef coh_bsm_t *at
    cdef double work
    memset(&ctx, 0, sizeof(ctx))
    if K < 1 or K > COH_BSM_MAX_UNITS:
        raise ValueError(f"n_units must be in [1, {COH_BSM_MAX_UNITS}]; got {K}")
    if R < 1 or R > COH_BSM_MAX_ROWS:
        raise ValueError(f"n_rows must be in [1, {COH_BSM_MAX_ROWS}]; got {R}")
    if scale.shape[0] != n_pieces:
        raise ValueError(f"scale must have one entry per piece ({n_pieces})")
    if lambdas.shape[0] % K != 0:
        raise ValueError(f"lambdas must hold {K} rows of one value per point")
    ctx.n_points = lambdas.shape[0] // K
    ctx.n_masses = m2.shape[0] if m2.shape[0] else 1
    if mass_index.shape[0] != 0 and mass_index.shape[0] != ctx.n_points:
        raise ValueError(f"mass_index must be empty or have one entry per point "
                         f"({ctx.n_points})")
    if out.shape[0] != R * ctx.n_points:
        raise ValueError(f"out must have n_rows x {ctx.n_points} entries")
    for p in range(n_pieces):
        n_specs += len(pieces[p].specs)
    pc = <coh_bsm_piece_t *>malloc((n_pieces if n_pieces else 1) * sizeof(coh_bsm_piece_t))
    specs = <coh_bsm_t *>malloc((n_specs if n_specs else 1) * sizeof(coh_bsm_t))
    ctx.L = <double *>malloc(K * ctx.n_masses * R * sizeof(double))
    ctx.Q = <double *>malloc(K * K * ctx.n_masses * R * sizeof(double))
    try:
        if pc == NULL or specs == NULL or ctx.L == NULL or ctx.Q == NULL:
            raise MemoryError("bsm_grid: no memory for the coefficients")
        at = specs
        for p in range(n_pieces):
            piece = pieces[p]
            pc[p].n_specs = len(piece.specs)
            pc[p].specs = at
            for spec in piece.specs:
                _bsm(spec, at)
                at += 1
            arr = piece.q2
            nodes = arr.shape[0]
            pc[p].n_nodes = nodes
            total_nodes += nodes * pc[p].n_specs
            pc[p].q2 = &arr[0] if nodes else NULL
            for name in ("F0", "F1", "F2"):
                arr = getattr(piece, name)
                if arr.shape[0] != nodes:
                    raise ValueError(f"q2 and {name} of piece {p} must have the same length")
                if name == "F0":
                    pc[p].F0 = &arr[0] if nodes else NULL
                elif name == "F1":
                    pc[p].F1 = &arr[0] if nodes else NULL
                else:
                    pc[p].F2 = &arr[0] if nodes else NULL
            arr = piece.W
            if arr.shape[0] != R * nodes:
                raise ValueError(f"W of piece {p} must hold n_rows x len(q2) weights")
            pc[p].W = &arr[0] if nodes else NULL
        ctx.g.n_units = K
        ctx.g.n_rows = R
        ctx.g.n_pieces = n_pieces
        ctx.g.pieces = pc
        ctx.scale = &scale[0] if n_pieces else NULL
        ctx.m2 = &m2[0] if m2.shape[0] else NULL
        ctx.lambdas = &lambdas[0] if ctx.n_points else NULL
        ctx.mass_index = &mass_index[0] if mass_index.shape[0] else NULL
        ctx.out = &out[0] if ctx.n_points else NULL
        # the records' checks (through stage 1 on no records)
        c = coh_bsm_grid_nodes(&ctx.g, 0, NULL, 0, 0)
        if c != COH_OK:
            _fail(c, "coh_bsm_grid_nodes")
        ctx.override = m2.shape[0] != 0
        ctx.n_records = n_specs
        ctx.work = <double *>malloc((COH_BSM_NODE_SIZE * total_nodes + 1) * sizeof(double))
        if ctx.work == NULL:
            raise MemoryError("bsm_grid: no memory for the node workspace")
        work = COST_BSM_GRID_NODE * total_nodes
        _run(_bsm_grid_nodes_task, &ctx, n_specs, _nt(n_threads, work), work,
             "coh_bsm_grid_nodes")
        work = total_nodes * COST_BSM_GRID_PAIR * R * ctx.n_masses
        _run(_bsm_grid_fold_task, &ctx, _n_chunks(ctx.n_masses, BSM_GRID_MASS_CHUNK),
             _nt(n_threads, work), work, "coh_bsm_grid_fold")
        work = COST_BSM_GRID_POINT * ctx.n_points * R * K * (K + 1)
        _run(_bsm_grid_combine_task, &ctx, _n_chunks(ctx.n_points, BSM_GRID_POINT_CHUNK),
             _nt(n_threads, work), work, "coh_bsm_grid_combine")
    finally:
        free(pc)
        free(specs)
        free(ctx.L)
        free(ctx.Q)
        free(ctx.work)


# ---------------------------------------------------------------------------------
# Small arrays: the public layer's path for float64 arrays of up to SMALL_MAX
# elements. Each takes the caller's arguments as they are and returns None unless they
# are such arrays (C-contiguous, aligned, native float64) with every value in range,
# so that the array path runs and raises its errors; otherwise it calls the same C
# entry points as the array kernels, on the whole array at once (form factors) or
# point by point (cross sections, which have no vectorised loop), so the bits are the
# array path's. No numpy reductions, broadcasting or intermediate arrays: the inputs
# are read in place through numpy's C API, and the output is one new array (none for a
# 0-d result, which is a float).
# ---------------------------------------------------------------------------------

import numpy as _np

cimport numpy as cnp

cnp.import_array()

cdef enum:
    SMALL_MAX = 16       # coherency._validation.SMALL_MAX
    SMALL_NUCLEI = 16    # nuclei of a cross-section plan


cdef const double *_small_data(object x, Py_ssize_t *n) noexcept:
    """The values of x when it is an ndarray (not a subclass) of native, aligned,
    C-contiguous float64 with 1 to SMALL_MAX elements, with n set to their number;
    NULL otherwise. The pointer stays valid while the caller holds x (an array that
    other code references cannot be resized)."""
    cdef cnp.ndarray a
    cdef Py_ssize_t size
    if not cnp.PyArray_CheckExact(x):
        return NULL
    a = <cnp.ndarray>x
    if (cnp.PyArray_TYPE(a) != cnp.NPY_DOUBLE or not cnp.PyArray_ISNOTSWAPPED(a)
            or not cnp.PyArray_IS_C_CONTIGUOUS(a) or not cnp.PyArray_ISALIGNED(a)):
        return NULL
    size = cnp.PyArray_SIZE(a)
    if size < 1 or size > SMALL_MAX:
        return NULL
    n[0] = size
    return <const double *>cnp.PyArray_DATA(a)


cdef inline int _small_ndim(object x) noexcept:
    """Dimensions of an ndarray that _small_data accepted."""
    return cnp.PyArray_NDIM(<cnp.ndarray>x)


cdef object _small_new(object like, double **out, double *scalar):
    """The output of a small-array call in the shape of ``like`` (an ndarray that
    _small_data accepted, or None for a float result): a new C-contiguous float64
    array with ``out`` set to its values, or, for a 0-d shape, None with ``out`` set to
    ``scalar`` (the result is then that float: _small_result)."""
    cdef cnp.ndarray a
    if like is None or _small_ndim(like) == 0:
        out[0] = scalar
        return None
    a = <cnp.ndarray>like
    result = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(a), cnp.PyArray_DIMS(a), cnp.NPY_DOUBLE, 0)
    out[0] = <double *>cnp.PyArray_DATA(<cnp.ndarray>result)
    return result


cdef inline object _small_result(object array, double scalar):
    """What a small-array call returns: the array of _small_new, or the float."""
    return scalar if array is None else array


cdef bint _same_shape(object a, object b) noexcept:
    """Whether two ndarrays that _small_data accepted have one shape."""
    cdef int k, nd = _small_ndim(a)
    cdef cnp.npy_intp *da
    cdef cnp.npy_intp *db
    if _small_ndim(b) != nd:
        return False
    da = cnp.PyArray_DIMS(<cnp.ndarray>a)
    db = cnp.PyArray_DIMS(<cnp.ndarray>b)
    for k in range(nd):
        if da[k] != db[k]:
            return False
    return True


cdef inline bint _within(const double *x, Py_ssize_t n, Py_ssize_t step, double lo,
                         double hi, bint lo_open) noexcept:
    """Every x[i step] in [lo, hi] ((lo, hi] when lo_open); NaN fails."""
    cdef Py_ssize_t i
    cdef double v
    for i in range(n):
        v = x[i * step]
        if not (v <= hi and (v > lo if lo_open else v >= lo)):
            return False
    return True


def small_form_factor(object q, int model, double p1, double p2):
    """F(q) of model id ``model`` (lengths p1, p2 in MeV^-1) when q is a small float64
    array of finite values >= 0 (SMALL_MAX elements at most), in q's shape (a float
    for 0-d); None for any other q."""
    cdef coh_ff_t ff
    cdef int status
    cdef Py_ssize_t n = 0
    cdef const double *pq = _small_data(q, &n)
    cdef double *po
    cdef double scalar = 0.0
    if pq == NULL or not _within(pq, n, 1, 0.0, DBL_MAX, False):
        return None
    out = _small_new(q, &po, &scalar)
    ff.model = model
    ff.p1 = p1
    ff.p2 = p2
    status = coh_form_factor(&ff, pq, po, 0, n)
    if status != COH_OK:
        _fail(status, "coh_form_factor")
    return _small_result(out, scalar)


def small_spherical_j1(object x):
    """j1(x) when x is a small float64 array of finite values (SMALL_MAX elements at
    most), in x's shape (a float for 0-d); None for any other x."""
    cdef Py_ssize_t n = 0
    cdef const double *px = _small_data(x, &n)
    cdef double *po
    cdef double scalar = 0.0
    if px == NULL or not _within(px, n, 1, -DBL_MAX, DBL_MAX, False):
        return None
    out = _small_new(x, &po, &scalar)
    coh_spherical_j1(px, po, 0, n)
    return _small_result(out, scalar)


def small_cross_section(int kind, object x, object y, tuple plan, double x_max,
                        double y_max, object gl_x, object gl_w):
    """A cross section averaged over the nuclei of ``plan`` (tuples (number fraction,
    mass MeV, NucleusSpec, panel width MeV), as the public scalar path's) at small
    arrays: kind 0, dsigma/dq2 at (q2 = x, E = y); 1, dsigma/dT at (T = x, E = y); 2,
    sigma(E = x, T_min = y). x and y: two small float64 arrays of one shape, or one
    and a float (SMALL_MAX elements at most); E in (0, its max], the others in
    [0, x_max or y_max]. Returns the values in that shape (a float for 0-d), or None
    for anything else. Each point is summed over the nuclei in plan order, as the
    scalar path and the array path do."""
    global _rule_x_obj, _rule_w_obj, _rule_x, _rule_w
    cdef int status = COH_OK, k
    cdef double xv = 0.0, yv = 0.0, total, value, q2, fraction[SMALL_NUCLEI]
    cdef double mass[SMALL_NUCLEI]
    cdef double panel[SMALL_NUCLEI]
    cdef double scalar = 0.0
    cdef coh_nucleus_t nuc[SMALL_NUCLEI]
    cdef const double *px
    cdef const double *py
    cdef double *po
    cdef Py_ssize_t n = 0, nx = 0, ny = 0, i, sx = 1, sy = 1, n_nuc = len(plan)
    cdef const double[::1] rx
    cdef const double[::1] rw
    cdef object like
    if kind < 0 or kind > 2 or n_nuc < 1 or n_nuc > SMALL_NUCLEI:
        return None
    px = _small_data(x, &n)
    py = _small_data(y, &ny)
    if px != NULL and py != NULL:
        if not _same_shape(x, y):
            return None
        like = x
    elif px != NULL and type(y) is float:
        yv = y
        py, sy, like = &yv, 0, x
    elif py != NULL and type(x) is float:
        xv = x
        px, sx, n, like = &xv, 0, ny, y
    else:
        return None
    if not (_within(px, n, sx, 0.0, x_max, kind == 2)
            and _within(py, n, sy, 0.0, y_max, kind != 2)):
        return None
    for k in range(n_nuc):
        fraction[k], mass[k], spec, panel[k] = plan[k]
        _nucleus(spec, &nuc[k])
    if kind == 2:
        if gl_x is _rule_x_obj and gl_w is _rule_w_obj:
            rx, rw = _rule_x, _rule_w
        else:
            rx, rw = gl_x, gl_w
            _rule(rx, rw, "coh_sigma_total")
            _rule_x, _rule_w = rx, rw
            _rule_x_obj, _rule_w_obj = gl_x, gl_w
    # Python code ran above (the plan, the rule): take the arrays' pointers again
    if sx == 1:
        px = _small_data(x, &nx)
    if sy == 1:
        py = _small_data(y, &ny)
    if px == NULL or py == NULL or (sx == 1 and nx != n) or (sy == 1 and ny != n):
        return None
    out = _small_new(like, &po, &scalar)
    for i in range(n):
        total = 0.0
        for k in range(n_nuc):
            if kind == 0:
                status = coh_dsigma_dq2(&nuc[k], &px[i * sx], &py[i * sy], &value, 0, 1)
                total += fraction[k] * value
            elif kind == 1:
                q2 = 2.0 * mass[k] * px[i * sx]
                status = coh_dsigma_dq2(&nuc[k], &q2, &py[i * sy], &value, 0, 1)
                total += fraction[k] * (2.0 * mass[k] * value)
            else:
                q2 = 2.0 * mass[k] * py[i * sy]
                status = coh_sigma_total(&nuc[k], &px[i * sx], &q2, panel[k], &rx[0],
                                         &rw[0], rx.shape[0], &value, 0, 1)
                total += fraction[k] * value
            if status != COH_OK:
                _fail(status, "coh_sigma_total" if kind == 2 else "coh_dsigma_dq2")
        po[i] = total
    return _small_result(out, scalar)


def small_kinematics(int kind, object x, double mass, double x_max):
    """Elastic kinematics (docs/physics.md section 1) at a small float64 array x of
    values in [0, x_max) for a nuclear mass M (MeV): kind 0, E_min(T) =
    [T + sqrt(T (T + 2M))]/2; 1, T_max(E) = 2E^2/(M + 2E); 2, q2_max(E) =
    4E^2 M/(M + 2E); 3, q2_min(T) = 2 M T; with the arithmetic of
    coherency.kinematics' scalar path. In x's shape (a float for 0-d); None for any
    other x, or when a value is not finite (the public function then raises)."""
    cdef Py_ssize_t i, n = 0
    cdef const double *px
    cdef double *po
    cdef double v, e, scalar = 0.0
    if kind < 0 or kind > 3:
        return None
    px = _small_data(x, &n)
    if px == NULL:
        return None
    for i in range(n):
        if not (px[i] >= 0.0 and px[i] < x_max):
            return None
    out = _small_new(x, &po, &scalar)
    for i in range(n):
        e = px[i]
        if kind == 0:
            v = 0.5 * (e + sqrt(e * (e + 2.0 * mass)))
        elif kind == 1:
            v = 2.0 * e * e / (mass + 2.0 * e)
        elif kind == 2:
            v = 4.0 * e * e * mass / (mass + 2.0 * e)
        else:
            v = 2.0 * mass * e
        if not v <= DBL_MAX:
            return None
        po[i] = v
    return _small_result(out, scalar)


cdef object _float64 = _np.float64
cdef object _arccos = _np.arccos
cdef object _cos = _np.cos


cdef int _float64_loop(object ufunc, cnp.PyUFuncGenericFunction *loop,
                       void **data) except -1:
    """numpy's own float64 -> float64 inner loop of a one-input ufunc (the function the
    ufunc machinery calls for a float64 array), or 0 when the ufunc has none."""
    cdef cnp.ufunc u = <cnp.ufunc?>ufunc
    cdef int i
    if u.nin != 1 or u.nout != 1 or u.functions == NULL:
        return 0
    for i in range(u.ntypes):
        if u.types[2 * i] == cnp.NPY_DOUBLE and u.types[2 * i + 1] == cnp.NPY_DOUBLE:
            loop[0] = u.functions[i]
            data[0] = u.data[i] if u.data != NULL else NULL
            return loop[0] != NULL
    return 0


cdef cnp.PyUFuncGenericFunction _arccos_loop = NULL
cdef cnp.PyUFuncGenericFunction _cos_loop = NULL
cdef void *_arccos_data = NULL
cdef void *_cos_data = NULL
if not _float64_loop(_arccos, &_arccos_loop, &_arccos_data):
    _arccos_loop = NULL
if not _float64_loop(_cos, &_cos_loop, &_cos_data):
    _cos_loop = NULL


def _numpy_loops_found():
    """Whether small_coherence calls numpy's float64 arccos and cos loops directly
    (True on every numpy this package supports; otherwise it calls the ufuncs)."""
    return _arccos_loop != NULL and _cos_loop != NULL


cdef enum:
    # kinds of small_coherence (coherency.coherence._SMALL_*)
    COHERENCE_GAMMA_NP = 0
    COHERENCE_ALPHA_FF = 1
    COHERENCE_GAMMA_QM = 2
    COHERENCE_GAMMA_DATA = 3
    COHERENCE_XI_FROM_ALPHA = 4
    COHERENCE_ALPHA_FROM_XI = 5
    COHERENCE_PHI_FROM_ALPHA = 6
    COHERENCE_ALPHA_FROM_PHI = 7

cdef double _HALF_PI = 1.5707963267948966  # math.pi / 2, the bound of alpha_from_phi


cdef int _small_operand(object x, const double **p, double *scalar, Py_ssize_t *n,
                        Py_ssize_t *step) noexcept:
    """2 when x is a small float64 array (as _small_data; n set to its size), 1 for a
    Python float or numpy.float64 scalar (read into ``scalar``, step 0), 0 otherwise."""
    p[0] = _small_data(x, n)
    if p[0] != NULL:
        step[0] = 1
        return 2
    if type(x) is float or type(x) is _float64:
        scalar[0] = (<double>x)
        p[0] = scalar
        step[0] = 0
        return 1
    return 0


def small_coherence(int kind, object x, object y, double c0, double c1, double c2,
                    double c3, bint clip):
    """The formulas of coherency.coherence (Sharma & Wong Eqs. 2-6, docs/physics.md
    section 2) at small float64 arrays, with the array path's arithmetic operation by
    operation (IEEE, so the same bits):

    kind 0, Gamma_NP = (c0 x - c1 y)^2 (x = F_Z, y = F_N in [-1, 1]);
    1, alpha = ((c0 x - c1 y)^2 / c2 - c3) / (1 - c3) with c2 = (eps Z - N)^2,
    c3 = xi_dec (x, y as kind 0);
    2, Gamma_QM = c0 x + c1 (1 - x) (x = alpha in [0, 1]);
    3, Gamma_DATA = c0 x (x = xi, finite);
    4, xi = x + (1 - x) c0 (x = alpha in [0, 1]; c0 = xi_dec);
    5, alpha = (x - c0) / c1 (x = xi, finite; c0 = xi_dec, c1 = 1 - xi_dec);
    6, phi = arccos(x) (x = alpha in [0, 1]); 7, alpha = cos(x) (x = phi in
    [0, pi/2]): numpy's own float64 arccos and cos loops, which the array path runs.

    With ``clip`` (kinds 1 and 5) the result is clipped to [0, 1] as numpy.clip does.
    x (and y for kinds 0 and 1): small float64 arrays (SMALL_MAX elements at most) or
    float scalars, of one shape or one of them of size 1 and no more dimensions than
    the other. Returns the values in that shape (a float for 0-d), or None for
    anything else, for a value out of range, or where a result is not finite: the
    array path then runs, with its errors and warnings."""
    cdef int hx = 0, hy = 0
    cdef const double *px = NULL
    cdef const double *py = NULL
    cdef double *po
    cdef double xs = 0.0, ys = 0.0, lo, hi, v, a, scalar = 0.0, denominator = 1.0 - c3
    cdef Py_ssize_t n = 1, ny = 1, i, sx = 0, sy = 0
    cdef object like = None
    cdef bint two = kind == COHERENCE_GAMMA_NP or kind == COHERENCE_ALPHA_FF
    cdef char *args[2]
    cdef cnp.npy_intp dims[1]
    cdef cnp.npy_intp steps[2]
    cdef cnp.PyUFuncGenericFunction loop
    if kind < 0 or kind > COHERENCE_ALPHA_FROM_PHI:
        return None
    hx = _small_operand(x, &px, &xs, &n, &sx)
    if not hx:
        return None
    if hx == 2:
        like = x
    if two:
        hy = _small_operand(y, &py, &ys, &ny, &sy)
        if not hy:
            return None
        if hy == 2:
            if hx != 2 or _same_shape(x, y):
                n, like = ny, y
            elif n == 1 and _small_ndim(x) <= _small_ndim(y):  # x of size 1 broadcasts
                sx = 0
                n, like = ny, y
            elif ny == 1 and _small_ndim(y) <= _small_ndim(x):  # y of size 1
                sy = 0
            else:
                return None
    if two:
        lo, hi = -1.0, 1.0
    elif kind == COHERENCE_GAMMA_DATA or kind == COHERENCE_ALPHA_FROM_XI:
        lo, hi = -DBL_MAX, DBL_MAX
    elif kind == COHERENCE_ALPHA_FROM_PHI:
        lo, hi = 0.0, _HALF_PI
    else:
        lo, hi = 0.0, 1.0
    if not _within(px, n, sx, lo, hi, False):
        return None
    if two and not _within(py, n, sy, lo, hi, False):
        return None
    if kind == COHERENCE_PHI_FROM_ALPHA or kind == COHERENCE_ALPHA_FROM_PHI:
        loop = _arccos_loop if kind == COHERENCE_PHI_FROM_ALPHA else _cos_loop
        if loop == NULL:  # numpy's ufunc itself, on the checked input
            out = (_arccos if kind == COHERENCE_PHI_FROM_ALPHA else _cos)(x)
            return float(out) if like is None or _small_ndim(like) == 0 else out
        out = _small_new(like, &po, &scalar)
        # numpy's inner loop, called as the ufunc machinery calls it on an array
        args[0] = <char *>px
        args[1] = <char *>po
        dims[0] = n
        steps[0] = 8 * sx
        steps[1] = 8
        loop(args, dims, steps,
             _arccos_data if kind == COHERENCE_PHI_FROM_ALPHA else _cos_data)
        return _small_result(out, scalar)
    out = _small_new(like, &po, &scalar)
    for i in range(n):
        if kind == COHERENCE_GAMMA_NP:
            a = c0 * px[i * sx] - c1 * py[i * sy]
            v = a * a
        elif kind == COHERENCE_ALPHA_FF:
            a = c0 * px[i * sx] - c1 * py[i * sy]
            v = (a * a / c2 - c3) / denominator
        elif kind == COHERENCE_GAMMA_QM:
            v = c0 * px[i * sx] + c1 * (1.0 - px[i * sx])
        elif kind == COHERENCE_GAMMA_DATA:
            v = c0 * px[i * sx]
        elif kind == COHERENCE_XI_FROM_ALPHA:
            v = px[i * sx] + (1.0 - px[i * sx]) * c0
        else:
            v = (px[i * sx] - c0) / c1
        if not (v <= DBL_MAX and v >= -DBL_MAX):
            return None
        if clip:  # numpy.clip: -0.0 stays -0.0
            v = 0.0 if v < 0.0 else (1.0 if v > 1.0 else v)
        po[i] = v
    return _small_result(out, scalar)
