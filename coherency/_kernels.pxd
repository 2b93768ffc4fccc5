# The C99 layer of coherency (csrc/), one extern block per header: the entry points
# _kernels.pyx calls, the structs they take and the constants it needs. Every entry
# point returns COH_OK (0) or a negative status of coh_status.h and works on
# [i0, i1); ptrdiff_t is Py_ssize_t here.

cdef extern from "coh_status.h":
    int COH_OK
    int COH_EBADMODEL
    int COH_EBADARG
    int COH_EBADRULE
    int COH_EINTERRUPTED
    int COH_EBADRES
    int COH_EBADGRID
    int COH_FF_COUNT
    int COH_RES_COUNT
    int COH_RES_POISSON

cdef extern from "coh_pool.h":
    ctypedef int (*coh_task_t)(void *ctx, Py_ssize_t chunk, int worker) noexcept nogil
    ctypedef int (*coh_check_t)(void *arg) noexcept nogil
    int COH_POOL_MAX_THREADS
    int coh_pool_run(coh_task_t task, void *ctx, Py_ssize_t n_chunks, int n_threads,
                     coh_check_t check, void *check_arg) nogil
    int coh_pool_threaded() nogil
    int coh_pool_workers() nogil

cdef extern from "coh_ff.h":
    ctypedef struct coh_ff_t:
        int model
        double p1
        double p2
    int coh_spherical_j1(const double *x, double *out, Py_ssize_t i0, Py_ssize_t i1) nogil
    int coh_helm(const double *q, double r0, double s, double *out, Py_ssize_t i0,
                 Py_ssize_t i1) nogil
    int coh_form_factor(const coh_ff_t *ff, const double *q, double *out, Py_ssize_t i0,
                        Py_ssize_t i1) nogil
    const char *coh_simd_info() nogil

cdef extern from "coh_xsec.h":
    ctypedef struct coh_nucleus_t:
        double mass
        double prefactor
        double wz
        double wn
        coh_ff_t ffz
        coh_ff_t ffn
    int coh_dsigma_dq2(const coh_nucleus_t *nuc, const double *q2, const double *E,
                       double *out, Py_ssize_t i0, Py_ssize_t i1) nogil
    int coh_sigma_total(const coh_nucleus_t *nuc, const double *E, const double *q2_min,
                        double panel_dq, const double *gl_x, const double *gl_w,
                        Py_ssize_t n_gl, double *out, Py_ssize_t i0, Py_ssize_t i1) nogil

cdef extern from "coh_rate.h":
    int COH_RATE_CHUNK
    int COH_QGRID_MAX_GL
    ctypedef struct coh_ffpair_t:
        double mass
        coh_ff_t ffz
        coh_ff_t ffn
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
    int coh_folded_moments(const coh_ffpair_t *pair, const double *E, const double *w,
                           Py_ssize_t n, double q2_min, double panel_dq,
                           const double *gl_x, const double *gl_w, Py_ssize_t n_gl,
                           double *part, Py_ssize_t c0, Py_ssize_t c1) nogil
    int coh_folded_sigma(const coh_nucleus_t *nuc, const double *part, double *out,
                         Py_ssize_t c0, Py_ssize_t c1) nogil
    int coh_cheb_moments(const coh_chebmodel_t *m, const double *x, double *F0,
                         double *F2, unsigned char *redo, Py_ssize_t i0,
                         Py_ssize_t i1) nogil
    int coh_dn_dq2(const coh_chebmodel_t *m, const double *line_E, const double *line_F0,
                   const double *line_F2, Py_ssize_t n_lines, const coh_nucleus_t *nuc,
                   const double *v, double scale, double cap, double weight, int add,
                   double *out, unsigned char *redo, Py_ssize_t i0, Py_ssize_t i1) nogil
    int coh_qgrid_moments(const coh_qgrid_t *grid, const coh_ffpair_t *pair,
                          const double *p1z, const double *p1n, const double *q_lo,
                          double *work, double *out, Py_ssize_t i0, Py_ssize_t i1) nogil
    int coh_batch_combine(const double *coef, Py_ssize_t n_rows, const long long *which,
                          const double *s2, Py_ssize_t n_s2, double eps_default,
                          const double *alpha, Py_ssize_t n_alpha, int add, double *acc,
                          Py_ssize_t i0, Py_ssize_t i1) nogil
    int coh_moments_to_coef(const double *m, const double *factors, double *coef, int add,
                            Py_ssize_t i0, Py_ssize_t i1) nogil

cdef extern from "coh_check.h":
    int coh_all_within(const double *x, double lo, double hi, int lo_open, Py_ssize_t i0,
                       Py_ssize_t i1) nogil

cdef extern from "coh_resp.h":
    ctypedef struct coh_resolution_t:
        int model
        double p1
        double p2
        double p3
    int coh_gammainc_pq(const double *a, const double *x, double *P, double *Q,
                        Py_ssize_t i0, Py_ssize_t i1) nogil
    int coh_response(const coh_resolution_t *res, const double *mu, const double *gx,
                     const double *geps, Py_ssize_t n_grid, const double *edges,
                     Py_ssize_t n_edges, double *out, Py_ssize_t i0, Py_ssize_t i1) nogil

cdef extern from "coh_bsm.h":
    ctypedef struct coh_bsm_t:
        double mass
        coh_ff_t ffz
        coh_ff_t ffn
        double pv
        double wz
        double wn
        Py_ssize_t n_terms
        const double *terms
        double izz
        double izn
        double inn
        double ps
        double sz
        double sn
        double ms2
        double pm
    int COH_BSM_TERM_SIZE
    int COH_BSM_MAX_TERMS
    int coh_bsm_dsigma_dq2(const coh_bsm_t *m, const double *q2, const double *E,
                           double *out, Py_ssize_t i0, Py_ssize_t i1) nogil
    int coh_bsm_sigma(const coh_bsm_t *m, const double *E, const double *q2_min,
                      double panel_dq, const double *gl_x, const double *gl_w,
                      Py_ssize_t n_gl, double *out, Py_ssize_t i0, Py_ssize_t i1) nogil
    int coh_bsm_parts(const coh_bsm_t *m, const double *q2, const double *F0,
                      const double *F1, const double *F2, double *lin, double *quad,
                      Py_ssize_t i0, Py_ssize_t i1) nogil
    ctypedef struct coh_bsm_piece_t:
        Py_ssize_t n_specs
        const coh_bsm_t *specs
        Py_ssize_t n_nodes
        const double *q2
        const double *F0
        const double *F1
        const double *F2
        const double *W
    ctypedef struct coh_bsm_grid_t:
        Py_ssize_t n_units
        Py_ssize_t n_rows
        Py_ssize_t n_pieces
        const coh_bsm_piece_t *pieces
    int COH_BSM_MAX_UNITS
    int COH_BSM_MAX_ROWS
    int COH_BSM_NODE_SIZE
    int coh_bsm_grid_nodes(const coh_bsm_grid_t *g, int override, double *work,
                           Py_ssize_t i0, Py_ssize_t i1) nogil
    int coh_bsm_grid_fold(const coh_bsm_grid_t *g, const double *work, const double *scale,
                          const double *m2, Py_ssize_t n_masses, double *L, double *Q,
                          Py_ssize_t i0, Py_ssize_t i1) nogil
    int coh_bsm_grid_combine(Py_ssize_t n_units, Py_ssize_t n_masses, Py_ssize_t n_rows,
                             const double *L, const double *Q, const double *lambdas,
                             const long long *mass_index, Py_ssize_t n_points,
                             double *out, Py_ssize_t i0, Py_ssize_t i1) nogil
