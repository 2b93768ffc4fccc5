/* Flux-folded cross sections: the double integral of a rate in C.
 *
 * For one nucleus, an energy rule (E_i, w_i) that already carries the flux
 * (sum_i w_i g(E_i) ~ integral Phi(E) g(E) dE, lines included as nodes) and a
 * threshold q2_min, the folded moments are
 *
 *   m_ab = sum_i w_i  integral_{q2_min}^{q2_max(E_i)} (1 - q^2/4E_i^2) F_a(q) F_b(q) dq^2
 *
 * for a, b in {Z, N}: integrated in q (dq^2 = 2 q dq) with the Gauss-Legendre rule
 * (gl_x, gl_w) on panels no wider than panel_dq MeV, the same rule as
 * coh_sigma_total. Then integral Phi sigma dE = prefactor (wz^2 m_zz - 2 wz wn m_zn
 * + wn^2 m_nn), and for F_Z = F_N = F simply prefactor (wz - wn)^2 m
 * (docs/physics.md section 6).
 *
 * Summation order is fixed: the rule is cut into chunks of COH_RATE_CHUNK energies,
 * each chunk summed from zero (coh_folded_moments), the chunk sums added in order
 * (coh_folded_sigma). Chunks may be computed in any order, on any thread; the result
 * does not depend on it. Form factors are evaluated in blocks of COH_RATE_BLOCK nodes
 * through the vectorised array loops of coh_ff.c. Plain C99, no Python, no
 * allocation. Entry points work on [i0, i1) (points, or chunks where so stated) and
 * return COH_OK or a negative status (coh_status.h).
 */
#ifndef COH_RATE_H
#define COH_RATE_H

#include <stddef.h>
#include "coh_ff.h"
#include "coh_status.h"
#include "coh_xsec.h"

#define COH_RATE_CHUNK 8     /* energies per partial sum */
#define COH_RATE_BLOCK 256   /* q nodes per vectorised form-factor call */

/* Mass and form factors of one nucleus (coherency._records.FormFactorPair). */
typedef struct {
    double mass;   /* nuclear mass, MeV */
    coh_ff_t ffz;  /* proton form factor */
    coh_ff_t ffn;  /* neutron form factor */
} coh_ffpair_t;

/* Number of chunks of a rule with n energies. */
#define COH_RATE_N_CHUNKS(n) ((n) > 0 ? ((n) + COH_RATE_CHUNK - 1) / COH_RATE_CHUNK : 0)

/* Chunks [c0, c1) of the rule (E, w) of n energies: part[3c .. 3c+2] = (m_zz, m_zn,
 * m_nn) of energies [c COH_RATE_CHUNK, min(n, (c + 1) COH_RATE_CHUNK)), summed from zero
 * in node order. COH_EBADMODEL / COH_EBADARG when coh_ffpair_check refuses pair,
 * COH_EBADRULE for n_gl < 1. More than 2^20 q panels for one energy give NaN moments. */
int coh_folded_moments(const coh_ffpair_t *pair, const double *E, const double *w,
                       ptrdiff_t n, double q2_min, double panel_dq, const double *gl_x,
                       const double *gl_w, ptrdiff_t n_gl, double *part, ptrdiff_t c0,
                       ptrdiff_t c1);

/* *out = the folded cross section of the chunk moments part[3c ..] for c in [c0, c1),
 * added in chunk order: prefactor (wz^2 m_zz - 2 wz wn m_zn + wn^2 m_nn), or
 * prefactor (wz - wn)^2 m_zz when F_Z and F_N are the same function. */
int coh_folded_sigma(const coh_nucleus_t *nuc, const double *part, double *out,
                     ptrdiff_t c0, ptrdiff_t c1);

/* The piecewise Chebyshev model of a source's flux moments (coherency.rates,
 * _cheb_model; coherency._records.FluxModel): F0(x) = int_x Phi dE and F2(x) = int_x Phi/E^2 dE of the continuum.
 * Breakpoints bps[0 .. n_bps-1] (increasing); on interval k, E = b - (b - a)(1 - t)^2,
 * and t in [0, 1] is cut into pieces p (sorted keys[p] = k + t0[p], t in [t0, t1])
 * each with the antiderivative series coef0/coef2 (rows of n_coef) of the moments'
 * integrands in y = (2t - t0 - t1)/(t1 - t0), their full integrals a1_0/a1_2, the
 * moments above the piece above0/above2, and converged[p]. */
typedef struct {
    ptrdiff_t n_bps;      /* len(bps) (derived) */
    const double *bps;
    double below0;        /* F0 below bps[0] */
    double below2;        /* F2 below bps[0] */
    ptrdiff_t n_keys;     /* len(keys) (derived) */
    const double *keys;
    const double *t0;
    const double *t1;
    ptrdiff_t n_coef;     /* coefficients per piece */
    const double *coef0;  /* n_keys rows of n_coef */
    const double *coef2;
    const double *a1_0;
    const double *a1_2;
    const double *above0;
    const double *above2;
    const unsigned char *converged;
    double cancel;        /* redo when a1 - S(y) < cancel |a1| */
} coh_chebmodel_t;

/* F0[i], F2[i] of the continuum at x[i], i in [i0, i1): below0/below2 under bps[0],
 * 0 at and above the last breakpoint, else above[p] + (a1[p] - S_p(y)) (Clenshaw);
 * redo[i] = 1 where that is not to be trusted (the piece did not converge, or the
 * difference cancels), else 0: the caller recomputes those points directly.
 * x must not be NaN (the caller validates it). */
int coh_cheb_moments(const coh_chebmodel_t *m, const double *x, double *F0, double *F2,
                     unsigned char *redo, ptrdiff_t i0, ptrdiff_t i1);

/* The recoil spectrum's integrand, per target nucleus and unit exposure, at
 * q2 = scale min(v[i], cap):
 *   dN/dq2 = integral Phi dsigma/dq2 dE
 *          = prefactor Gamma(q) max(F0(x) - q2/4 F2(x), 0),  x = E_min(q2 / 2M),
 * F0, F2 the model's continuum moments plus the lines (energies line_E, their F0
 * and F2 contributions) with E_min <= line energy. out[i] = weight dN/dq2, or
 * out[i] += it (add); where redo[i] = 1 (as in coh_cheb_moments) nothing is added
 * and the caller adds its own value. COH_EBADMODEL / COH_EBADARG when
 * coh_nucleus_check refuses nuc. */
int coh_dn_dq2(const coh_chebmodel_t *m, const double *line_E, const double *line_F0,
               const double *line_F2, ptrdiff_t n_lines, const coh_nucleus_t *nuc,
               const double *v, double scale, double cap, double weight, int add,
               double *out, unsigned char *redo, ptrdiff_t i0, ptrdiff_t i1);

/* ---- q-outer folding (the batch API) -------------------------------------------
 *
 * With the order of the double integral swapped (docs/physics.md section 6), the moments
 * at a threshold q_lo are one integral in q,
 *
 *   m_ab(q_lo) = integral_{q_lo}^{q_top} F_a(q) F_b(q) G(q) dq,
 *   G(q) = 2 q [F0(x) - q^2/4 F2(x)],  x = E_min(q),  F_k(x) = int_x Phi E^-k dE,
 *
 * and G does not depend on the form factor. The caller tabulates G once on a grid of
 * panels [edges[p], edges[p+1]] (cut at the images of the source's breakpoints and
 * lines, no wider than the form factor's oscillation, refined until G is resolved):
 * on panel p, q(t) = b - (b - a)(1 - t)^2 for t in [0, 1], and
 *   node_q, node_w: n_gl Gauss-Legendre nodes per panel and weights w_k h(t_k)/2,
 *   cheb: n_cheb Chebyshev coefficients of h(y) = G(q(t)) dq/dt, y = 2t - 1,
 * h being used only on the partial panel that holds q_lo. A point then costs the
 * form factors at the nodes above q_lo; points with the same lengths (consecutive in
 * the input) share the full-panel sums. Sums run in a fixed order per point. */
#define COH_QGRID_MAX_GL 64
#define COH_QGRID_BATCH 4    /* partial panels evaluated together */

typedef struct {
    ptrdiff_t n_panels;    /* len(edges) - 1 (derived) */
    const double *edges;   /* n_panels + 1 increasing momenta, MeV */
    ptrdiff_t n_gl;        /* len(gl_x), nodes per panel, <= COH_QGRID_MAX_GL (derived) */
    const double *node_q;  /* n_panels * n_gl, MeV */
    const double *node_w;  /* n_panels * n_gl */
    ptrdiff_t n_cheb;      /* len(cheb) / n_panels (derived) */
    const double *cheb;    /* n_panels * n_cheb */
    const double *gl_x;    /* the n_gl-point rule on [-1, 1] for partial panels */
    const double *gl_w;
} coh_qgrid_t;

/* Moments out[3i..3i+2] of points [i0, i1): point i has first lengths p1z[i], p1n[i]
 * (MeV^-1; pair supplies mass, models, second lengths; its p1 are not read) and
 * threshold q_lo[i] >= 0 (MeV). work holds 3 * (n_panels + 1) doubles. COH_EBADRULE
 * unless 1 <= n_gl <= COH_QGRID_MAX_GL; COH_EBADMODEL / COH_EBADARG when
 * coh_ffpair_check refuses a point's pair (the points before it are done). */
int coh_qgrid_moments(const coh_qgrid_t *grid, const coh_ffpair_t *pair,
                      const double *p1z, const double *p1n, const double *q_lo,
                      double *work, double *out, ptrdiff_t i0, ptrdiff_t i1);

/* The parameter axis of the batch API: for points i in [i0, i1), with c the row
 * coef[5 which[i] .. 5 which[i] + 4] (row 0 if which is NULL; which[i] must lie in
 * [0, n_rows), else COH_EBADARG) and
 * epsilon = 1 - 4 s2[i] (n_s2 == 0: eps_default; n_s2 == 1: s2[0] for all),
 *   coherent   = c0 epsilon^2 - c1 epsilon + c2
 *   decoherent = c3 epsilon^2 + c4
 *   g = coherent                                     (n_alpha == 0)
 *   g = coherent alpha + decoherent (1 - alpha)  (Sharma & Wong (arXiv:2010.06810) Eq. 3)
 * and acc[i] += g (add) or acc[i] = g (add == 0).
 * A row sums w Z^2 m_zz, 2 w Z N m_zn, w N^2 m_nn, w Z m_zz, w N m_nn over the
 * target's nuclei (weights w; m the q moments), so coherent is the Q_W^2-weighted
 * integral (Q_W = epsilon Z - N) and decoherent the epsilon^2 Z + N one.
 * n_s2 and n_alpha are 0 (absent), 1 (broadcast) or the number of points. */
int coh_batch_combine(const double *coef, ptrdiff_t n_rows, const long long *which,
                      const double *s2, ptrdiff_t n_s2, double eps_default,
                      const double *alpha, ptrdiff_t n_alpha, int add, double *acc,
                      ptrdiff_t i0, ptrdiff_t i1);

/* Rows of coh_batch_combine from the q moments of one nucleus, rows [i0, i1):
 * coef[5i + j] (+)= m[3i + c_j] factors[j] with c = (0, 1, 2, 0, 2), i.e. factors
 * (w Z^2, 2 w Z N, w N^2, w Z, w N) on (m_zz, m_zn, m_nn, m_zz, m_nn); add: accumulate
 * (the next nucleus), else overwrite. */
int coh_moments_to_coef(const double *m, const double *factors, double *coef, int add,
                        ptrdiff_t i0, ptrdiff_t i1);

/* ---- helpers ---- */

/* 1 when F_Z and F_N are the same function (one moment suffices). */
int coh_ffpair_same(const coh_ffpair_t *pair);
/* COH_OK for known models with valid lengths and mass > 0. */
int coh_ffpair_check(const coh_ffpair_t *pair);

#endif
