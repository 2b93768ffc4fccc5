/* Physics beyond the Standard Model: see coh_bsm.h and docs/physics.md section 13. */
#include <math.h>
#include "coh_bsm.h"
#include "coh_simd.h"
#include "coh_xsec.h"

/* Most panels one coh_bsm_sigma(E) may take (as COH_MAX_PANELS of coh_xsec.c). */
#define COH_BSM_MAX_PANELS 1048576.0
/* Terms of the series of Pi(x) - Pi(0), x = q2/lep^2 <= 1: they fall like (x/4)^k. */
#define COH_VP_TERMS 40

double coh_vacuum_polarization(double q2, double lep)
{
    double x = q2 / (lep * lep);
    if (!(x > 0.0)) {
        return 0.0;
    }
    if (x <= 1.0) {
        /* -2 int_0^1 z(1-z) ln(1 + x z(1-z)) dz = sum_k c_k x^k, c_1 = -1/15,
         * c_{k+1}/c_k = -k (k+2) / (2 (k+1) (2k+5)): the terms fall at least like
         * (x/4)^k; summed until they no longer change the sum */
        double t = -x / 15.0;
        double acc = t;
        for (int k = 1; k < COH_VP_TERMS; ++k) {
            t *= -x * (double)(k * (k + 2)) / (2.0 * (double)((k + 1) * (2 * k + 5)));
            double next = acc + t;
            if (next == acc) {
                break;
            }
            acc = next;
        }
        return acc;
    }
    /* 5/9 - r/3 + (1 - r/2)/3 a ln[(a-1)/(a+1)], r = 4/x, a = sqrt(1 + r) */
    double r = 4.0 / x;
    double a = sqrt(1.0 + r);
    double am1 = r / (a + 1.0);
    return 5.0 / 9.0 - r / 3.0 + (1.0 - 0.5 * r) / 3.0 * a * log(am1 / (a + 1.0));
}

int coh_bsm_check(const coh_bsm_t *m)
{
    int status = coh_ff_check(&m->ffz);
    if (status == COH_OK) {
        status = coh_ff_check(&m->ffn);
    }
    if (status == COH_OK && !(m->mass > 0.0)) {
        status = COH_EBADARG;
    }
    if (status == COH_OK && (m->n_terms < 0 || m->n_terms > COH_BSM_MAX_TERMS
                             || (m->n_terms > 0 && m->terms == NULL))) {
        status = COH_EBADARG;
    }
    return status;
}

double coh_bsm_floor(const coh_bsm_t *m)
{
    double s = INFINITY;
    for (ptrdiff_t t = 0; t < m->n_terms; ++t) {
        const double *term = m->terms + COH_BSM_TERM_SIZE * t;
        if (term[2] > 0.0 && sqrt(term[2]) < s) {
            s = sqrt(term[2]);
        }
        if (term[3] > 0.0 && term[3] < s) {
            s = term[3];
        }
    }
    if ((m->sz != 0.0 || m->sn != 0.0) && m->ms2 > 0.0 && sqrt(m->ms2) < s) {
        s = sqrt(m->ms2);
    }
    return s < INFINITY ? 0.125 * s : 0.0;
}

/* What a point needs, apart from the kinematic factors: the amplitudes a and d, the
 * incoherent vector part, the scalar S and the magnetic F_Z^2. */
typedef struct {
    double a, d, inc, s, mag;
} point_t;

/* The shape of one term at q2 (its coefficients apart). */
static double term_shape(const double *term, double q2, double m2)
{
    double h = term[3] > 0.0 ? coh_vacuum_polarization(q2, term[3]) : 1.0;
    return m2 >= 0.0 ? h / (q2 + m2) : h;
}

/* The point at q2 with form factors fz, fn; mediator masses of the new terms and of
 * the scalar replaced by m2 when override is set. */
static point_t point_at(const coh_bsm_t *m, double q2, double fz, double fn,
                        int override, double m2)
{
    point_t p;
    p.a = m->wz * fz - m->wn * fn;
    p.d = 0.0;
    for (ptrdiff_t t = 0; t < m->n_terms; ++t) {
        const double *term = m->terms + COH_BSM_TERM_SIZE * t;
        int is_new = term[4] != COH_BSM_SM;
        double mt = (override && is_new && term[2] >= 0.0) ? m2 : term[2];
        double v = (term[0] * fz + term[1] * fn) * term_shape(term, q2, mt);
        if (is_new) {
            p.d += v;
        } else {
            p.a += v;
        }
    }
    p.inc = m->izz * fz * fz + 2.0 * m->izn * fz * fn + m->inn * fn * fn;
    p.s = 0.0;
    if (m->sz != 0.0 || m->sn != 0.0) {
        double ms2 = override ? m2 : m->ms2;
        double amp = m->sz * fz + m->sn * fn;
        double den = q2 + ms2;
        p.s = amp * amp * q2 / (den * den);
    }
    p.mag = m->pm != 0.0 ? fz * fz : 0.0;
    return p;
}

/* Form factors at q = sqrt(q2) for n <= COH_BSM_BLOCK points (fn = fz when the same). */
static void form_factors(const coh_bsm_t *m, const double *q2, ptrdiff_t n, double *fz,
                         double *fn)
{
    double q[COH_BSM_BLOCK];
    for (ptrdiff_t j = 0; j < n; ++j) {
        q[j] = sqrt(q2[j] > 0.0 ? q2[j] : 0.0);
    }
    coh_form_factor(&m->ffz, q, fz, 0, n);  /* checked: the status is COH_OK */
    int same = m->ffz.model == m->ffn.model && m->ffz.p1 == m->ffn.p1
               && m->ffz.p2 == m->ffn.p2;
    if (same) {
        for (ptrdiff_t j = 0; j < n; ++j) {
            fn[j] = fz[j];
        }
    } else {
        coh_form_factor(&m->ffn, q, fn, 0, n);
    }
}

/* The change of dsigma/dq2 at (q2, E) for a point p (q2 inside the kinematics). */
static double dsigma_of(const coh_bsm_t *m, const point_t *p, double q2, double E)
{
    double kin = 1.0 - q2 / (4.0 * E * E);
    double out = m->pv * kin * (p->d * (2.0 * p->a + p->d) + p->inc);
    if (p->s != 0.0) {
        out += m->ps * p->s / (E * E);
    }
    if (p->mag != 0.0) {
        double M = m->mass;
        out += m->pm * p->mag * (1.0 / q2 - 1.0 / (2.0 * M * E)
                                 + q2 / (16.0 * M * M * E * E));
    }
    return out;
}

int coh_bsm_dsigma_dq2(const coh_bsm_t *m, const double *q2, const double *E,
                       double *out, ptrdiff_t i0, ptrdiff_t i1)
{
    int status = coh_bsm_check(m);
    if (status != COH_OK) {
        return status;
    }
    double fz[COH_BSM_BLOCK], fn[COH_BSM_BLOCK];
    for (ptrdiff_t b = i0; b < i1; b += COH_BSM_BLOCK) {
        ptrdiff_t nb = i1 - b < COH_BSM_BLOCK ? i1 - b : COH_BSM_BLOCK;
        form_factors(m, q2 + b, nb, fz, fn);
        for (ptrdiff_t j = 0; j < nb; ++j) {
            double x = q2[b + j], e = E[b + j];
            if (!(x > 0.0) || x > coh_q2_max(e, m->mass)) {
                out[b + j] = 0.0;
                continue;
            }
            point_t p = point_at(m, x, fz[j], fn[j], 0, 0.0);
            out[b + j] = dsigma_of(m, &p, x, e);
        }
    }
    return COH_OK;
}

/* The change of sigma(E) above q_lo (checked model); NaN for too many panels. */
static double sigma_at(const coh_bsm_t *m, double E, double q2_min, double floor_q,
                       double panel_dq, const double *gl_x, const double *gl_w,
                       ptrdiff_t n_gl)
{
    double q2_max = coh_q2_max(E, m->mass);
    if (!(q2_min < q2_max)) {
        return 0.0;
    }
    double q_lo = sqrt(q2_min > 0.0 ? q2_min : 0.0);
    double q_hi = sqrt(q2_max);
    double total = 0.0;
    double panels = 0.0;
    double a = q_lo;
    /* from 0: one panel to the floor, then doubling; without a floor, one piece */
    double next = q_lo > 0.0 ? 2.0 * q_lo : (floor_q > 0.0 ? floor_q : q_hi);
    while (a < q_hi) {
        double b = next < q_hi ? next : q_hi;
        double n = 1.0;
        if (panel_dq > 0.0) {
            n = ceil((b - a) / panel_dq);
            n = n > 1.0 ? n : 1.0;
        }
        panels += n;
        if (!(panels <= COH_BSM_MAX_PANELS)) {
            return NAN;
        }
        ptrdiff_t np = (ptrdiff_t)n;
        for (ptrdiff_t k = 0; k < np; ++k) {
            double lo = a + (b - a) * (double)k / n;
            double hi = k + 1 == np ? b : a + (b - a) * (double)(k + 1) / n;
            double half = 0.5 * (hi - lo), mid = 0.5 * (hi + lo);
            double panel = 0.0;
            for (ptrdiff_t g = 0; g < n_gl; ++g) {
                double q = mid + half * gl_x[g];
                double x = q * q;
                double fz = coh_ff_eval(&m->ffz, q);
                double fn = (m->ffz.model == m->ffn.model && m->ffz.p1 == m->ffn.p1
                      && m->ffz.p2 == m->ffn.p2) ? fz : coh_ff_eval(&m->ffn, q);
                point_t p = point_at(m, x, fz, fn, 0, 0.0);
                panel += gl_w[g] * 2.0 * q * dsigma_of(m, &p, x, E);
            }
            total += half * panel;
        }
        a = b;
        next = 2.0 * b;
    }
    return total;
}

int coh_bsm_sigma(const coh_bsm_t *m, const double *E, const double *q2_min,
                  double panel_dq, const double *gl_x, const double *gl_w,
                  ptrdiff_t n_gl, double *out, ptrdiff_t i0, ptrdiff_t i1)
{
    int status = coh_bsm_check(m);
    if (status != COH_OK) {
        return status;
    }
    if (n_gl < 1) {
        return COH_EBADRULE;
    }
    double floor_q = coh_bsm_floor(m);
    for (ptrdiff_t i = i0; i < i1; ++i) {
        out[i] = sigma_at(m, E[i], q2_min[i], floor_q, panel_dq, gl_x, gl_w, n_gl);
        if (out[i] != out[i]) {
            status = COH_EBADARG;  /* NaN input or more than 2^20 panels */
        }
    }
    return status;
}

/* lin and quad of one point with (weighted) moments f0, f1, f2. */
static void parts_of(const coh_bsm_t *m, const point_t *p, double q2, double f0,
                     double f1, double f2, double *lin, double *quad)
{
    double k = f0 - 0.25 * q2 * f2;
    k = k > 0.0 ? k : 0.0;
    double wk = m->pv * k;
    double l = wk * (2.0 * p->a * p->d);
    double qd = wk * (p->d * p->d + p->inc);
    if (p->s != 0.0) {
        qd += m->ps * p->s * f2;
    }
    if (p->mag != 0.0) {
        double M = m->mass;
        qd += m->pm * p->mag * (f0 / q2 - f1 / (2.0 * M) + q2 * f2 / (16.0 * M * M));
    }
    *lin = l;
    *quad = qd;
}

int coh_bsm_parts(const coh_bsm_t *m, const double *q2, const double *F0,
                  const double *F1, const double *F2, double *lin, double *quad,
                  ptrdiff_t i0, ptrdiff_t i1)
{
    int status = coh_bsm_check(m);
    if (status != COH_OK) {
        return status;
    }
    double fz[COH_BSM_BLOCK], fn[COH_BSM_BLOCK];
    for (ptrdiff_t b = i0; b < i1; b += COH_BSM_BLOCK) {
        ptrdiff_t nb = i1 - b < COH_BSM_BLOCK ? i1 - b : COH_BSM_BLOCK;
        form_factors(m, q2 + b, nb, fz, fn);
        for (ptrdiff_t j = 0; j < nb; ++j) {
            ptrdiff_t i = b + j;
            point_t p = point_at(m, q2[i], fz[j], fn[j], 0, 0.0);
            parts_of(m, &p, q2[i], F0[i], F1[i], F2[i], &lin[i], &quad[i]);
        }
    }
    return COH_OK;
}

/* ---- grids of points ---- */

/* sum_j w[j] x[j] over n <= COH_BSM_BLOCK nodes: node j to partial sum j mod
 * COH_BSM_LANES, the partial sums added pairwise (the same order on every ISA). */
static inline double lane_dot(const double *restrict w, const double *restrict x,
                              ptrdiff_t n)
{
    double s[COH_BSM_LANES] = {0.0};
    ptrdiff_t j = 0;
    for (; j + COH_BSM_LANES <= n; j += COH_BSM_LANES) {
        for (int l = 0; l < COH_BSM_LANES; ++l) {
            s[l] += w[j + l] * x[j + l];
        }
    }
    for (int l = 0; j + l < n; ++l) {
        s[l] += w[j + l] * x[j + l];
    }
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* Per node of a record, what the sums need apart from the mass (COH_BSM_NODE_SIZE
 * arrays of the record's nodes, in this order): the amplitude a, the part d0 of d
 * without the replaced propagators, the numerator p of those (d = d0 + p/(q2 + m2)),
 * the incoherent part, the flux factor wk of the vector parts, the scalar numerator
 * sn (its part of quad is sn/(q2 + m2)^2) and the part qc of quad that does not depend
 * on the mass (the magnetic moment; the scalar with its own mass). */
enum { NODE_A, NODE_D0, NODE_P, NODE_INC, NODE_WK, NODE_SN, NODE_QC };

static void grid_nodes(const coh_bsm_t *m, const coh_bsm_piece_t *pc, int override,
                       double *work)
{
    const ptrdiff_t n = pc->n_nodes;
    double *A = work + NODE_A * n, *D0 = work + NODE_D0 * n, *P = work + NODE_P * n;
    double *INC = work + NODE_INC * n, *WK = work + NODE_WK * n, *SN = work + NODE_SN * n;
    double *QC = work + NODE_QC * n;
    double fz[COH_BSM_BLOCK], fn[COH_BSM_BLOCK];
    const int scalar = m->sz != 0.0 || m->sn != 0.0;
    const double M = m->mass;
    for (ptrdiff_t b = 0; b < n; b += COH_BSM_BLOCK) {
        ptrdiff_t nb = n - b < COH_BSM_BLOCK ? n - b : COH_BSM_BLOCK;
        form_factors(m, pc->q2 + b, nb, fz, fn);
        for (ptrdiff_t j = 0; j < nb; ++j) {
            ptrdiff_t i = b + j;
            double x = pc->q2[i];
            double a = m->wz * fz[j] - m->wn * fn[j], d0 = 0.0, p = 0.0;
            for (ptrdiff_t t = 0; t < m->n_terms; ++t) {
                const double *term = m->terms + COH_BSM_TERM_SIZE * t;
                double c = term[0] * fz[j] + term[1] * fn[j];
                if (term[4] == COH_BSM_SM) {
                    a += c * term_shape(term, x, term[2]);
                } else if (override && term[2] >= 0.0) {
                    p += c * (term[3] > 0.0 ? coh_vacuum_polarization(x, term[3]) : 1.0);
                } else {
                    d0 += c * term_shape(term, x, term[2]);
                }
            }
            A[i] = a;
            D0[i] = d0;
            P[i] = p;
            INC[i] = m->izz * fz[j] * fz[j] + 2.0 * m->izn * fz[j] * fn[j]
                     + m->inn * fn[j] * fn[j];
            double kk = pc->F0[i] - 0.25 * x * pc->F2[i];
            WK[i] = m->pv * (kk > 0.0 ? kk : 0.0);
            double amp = m->sz * fz[j] + m->sn * fn[j];
            double ws = scalar ? m->ps * pc->F2[i] : 0.0;
            double qc = m->pm != 0.0
                        ? m->pm * fz[j] * fz[j] * (pc->F0[i] / x - pc->F1[i] / (2.0 * M)
                                                   + x * pc->F2[i] / (16.0 * M * M))
                        : 0.0;
            SN[i] = 0.0;
            if (scalar && override) {
                SN[i] = ws * (amp * amp * x);
            } else if (scalar) {
                double den = x + m->ms2;
                qc += ws * (amp * amp * x / (den * den));
            }
            QC[i] = qc;
        }
    }
}

/* Add scale x the weighted sums over nodes [b, b + nb) of a record (its node arrays
 * in work, n_nodes long) at mass squared mk to dl[r] (when not NULL) and dq[r],
 * r < n_rows (rows of W, n_nodes apart). */
COH_CLONES
static void grid_block_sums(const double *restrict work, const double *restrict q2,
                            ptrdiff_t n_nodes, ptrdiff_t b, ptrdiff_t nb, double mk,
                            const double *restrict W, ptrdiff_t n_rows, double scale,
                            double *restrict dl, double *restrict dq)
{
    const double *A = work + NODE_A * n_nodes + b, *D0 = work + NODE_D0 * n_nodes + b;
    const double *P = work + NODE_P * n_nodes + b, *INC = work + NODE_INC * n_nodes + b;
    const double *WK = work + NODE_WK * n_nodes + b, *SN = work + NODE_SN * n_nodes + b;
    const double *QC = work + NODE_QC * n_nodes + b;
    double lin[COH_BSM_BLOCK], quad[COH_BSM_BLOCK];
    for (ptrdiff_t j = 0; j < nb; ++j) {
        double inv = 1.0 / (q2[b + j] + mk);
        double d = D0[j] + P[j] * inv;
        lin[j] = WK[j] * (2.0 * A[j] * d);
        quad[j] = WK[j] * (d * d + INC[j]) + SN[j] * inv * inv + QC[j];
    }
    for (ptrdiff_t r = 0; r < n_rows; ++r) {
        const double *w = W + r * n_nodes + b;
        dq[r] += scale * lane_dot(w, quad, nb);
        if (dl != NULL) {
            dl[r] += scale * lane_dot(w, lin, nb);
        }
    }
}

static int grid_check(const coh_bsm_grid_t *g)
{
    ptrdiff_t K = g->n_units;
    if (K < 1 || K > COH_BSM_MAX_UNITS || g->n_rows < 1 || g->n_rows > COH_BSM_MAX_ROWS
        || g->n_pieces < 0 || (g->n_pieces > 0 && g->pieces == NULL)) {
        return COH_EBADARG;
    }
    for (ptrdiff_t p = 0; p < g->n_pieces; ++p) {
        const coh_bsm_piece_t *pc = g->pieces + p;
        if (pc->n_specs != K * (K + 1) / 2 || pc->specs == NULL || pc->n_nodes < 0) {
            return COH_EBADARG;
        }
        for (ptrdiff_t c = 0; c < pc->n_specs; ++c) {
            int status = coh_bsm_check(pc->specs + c);
            if (status != COH_OK) {
                return status;
            }
        }
    }
    return COH_OK;
}

int coh_bsm_grid_nodes(const coh_bsm_grid_t *g, int override, double *work,
                       ptrdiff_t i0, ptrdiff_t i1)
{
    int status = grid_check(g);
    if (status != COH_OK) {
        return status;
    }
    ptrdiff_t index = 0;  /* of the record, over the pieces */
    for (ptrdiff_t p = 0; p < g->n_pieces && index < i1; ++p) {
        const coh_bsm_piece_t *pc = g->pieces + p;
        for (ptrdiff_t c = 0; c < pc->n_specs; ++c, ++index) {
            if (index >= i0 && index < i1) {
                grid_nodes(pc->specs + c, pc, override, work);
            }
            work += COH_BSM_NODE_SIZE * pc->n_nodes;
        }
    }
    return COH_OK;
}

int coh_bsm_grid_fold(const coh_bsm_grid_t *g, const double *work, const double *scale,
                      const double *m2, ptrdiff_t n_masses, double *L, double *Q,
                      ptrdiff_t i0, ptrdiff_t i1)
{
    int status = grid_check(g);
    if (status != COH_OK) {
        return status;
    }
    if (n_masses < 1 || (m2 == NULL && n_masses != 1)) {
        return COH_EBADARG;
    }
    const ptrdiff_t K = g->n_units, R = g->n_rows;
    const ptrdiff_t stride = n_masses * R;  /* from one unit (pair) to the next */
    for (ptrdiff_t u = 0; u < K; ++u) {
        for (ptrdiff_t k = i0; k < i1; ++k) {
            for (ptrdiff_t r = 0; r < R; ++r) {
                L[u * stride + k * R + r] = 0.0;
                for (ptrdiff_t v = 0; v < K; ++v) {
                    Q[(u * K + v) * stride + k * R + r] = 0.0;
                }
            }
        }
    }
    for (ptrdiff_t p = 0; p < g->n_pieces; ++p) {
        const coh_bsm_piece_t *pc = g->pieces + p;
        const ptrdiff_t n = pc->n_nodes;
        /* the records in order: units (u, u), then pairs (u, v), u < v; the pairs'
         * sums go to Q[u, v] first, the cross terms taken out below */
        ptrdiff_t u = 0, v = 0;
        for (ptrdiff_t c = 0; c < pc->n_specs; ++c, work += COH_BSM_NODE_SIZE * n) {
            if (c < K) {
                u = v = c;
            } else if (c == K) {
                u = 0;
                v = 1;
            } else if (++v == K) {
                ++u;
                v = u + 1;
            }
            for (ptrdiff_t b = 0; b < n; b += COH_BSM_BLOCK) {
                ptrdiff_t nb = n - b < COH_BSM_BLOCK ? n - b : COH_BSM_BLOCK;
                for (ptrdiff_t k = i0; k < i1; ++k) {
                    double *dl = u == v ? L + u * stride + k * R : NULL;
                    double *dq = Q + (u * K + v) * stride + k * R;
                    grid_block_sums(work, pc->q2, n, b, nb, m2 != NULL ? m2[k] : 1.0,
                                    pc->W, R, scale[p], dl, dq);
                }
            }
        }
    }
    for (ptrdiff_t u = 0; u < K; ++u) {
        for (ptrdiff_t v = u + 1; v < K; ++v) {
            for (ptrdiff_t k = i0; k < i1; ++k) {
                for (ptrdiff_t r = 0; r < R; ++r) {
                    ptrdiff_t at = k * R + r;
                    double both = Q[(u * K + v) * stride + at];
                    double cross = 0.5 * (both - Q[(u * K + u) * stride + at]
                                          - Q[(v * K + v) * stride + at]);
                    Q[(u * K + v) * stride + at] = cross;
                    Q[(v * K + u) * stride + at] = cross;
                }
            }
        }
    }
    return COH_OK;
}

/* One unit model, one row: lambda (L + lambda Q) at each point; a mass index outside
 * [0, n_masses) reads mass 0 and makes the result nonzero (the loop has no exit, so
 * that it runs on vectors). */
COH_CLONES
static int combine_one(const double *restrict L, const double *restrict Q,
                       const double *restrict lam, const long long *restrict idx,
                       ptrdiff_t n_masses, double *restrict out, ptrdiff_t i0, ptrdiff_t i1)
{
    int bad = 0;
    if (idx == NULL) {
        for (ptrdiff_t p = i0; p < i1; ++p) {
            out[p] = lam[p] * (L[0] + lam[p] * Q[0]);
        }
        return 0;
    }
    for (ptrdiff_t p = i0; p < i1; ++p) {
        long long k = idx[p];
        int outside = (k < 0) | (k >= n_masses);
        bad |= outside;
        k = outside ? 0 : k;
        out[p] = lam[p] * (L[k] + lam[p] * Q[k]);
    }
    return bad;
}

int coh_bsm_grid_combine(ptrdiff_t n_units, ptrdiff_t n_masses, ptrdiff_t n_rows,
                         const double *L, const double *Q, const double *lambdas,
                         const long long *mass_index, ptrdiff_t n_points, double *out,
                         ptrdiff_t i0, ptrdiff_t i1)
{
    const ptrdiff_t K = n_units, R = n_rows;
    if (K < 1 || K > COH_BSM_MAX_UNITS || R < 1 || R > COH_BSM_MAX_ROWS || n_masses < 1
        || n_points < 0) {
        return COH_EBADARG;
    }
    if (K == 1 && R == 1) {
        return combine_one(L, Q, lambdas, mass_index, n_masses, out, i0, i1) ? COH_EBADARG
                                                                              : COH_OK;
    }
    if (mass_index != NULL) {
        for (ptrdiff_t p = i0; p < i1; ++p) {
            if (mass_index[p] < 0 || mass_index[p] >= n_masses) {
                return COH_EBADARG;
            }
        }
    }
    const ptrdiff_t stride = n_masses * R;
    for (ptrdiff_t p = i0; p < i1; ++p) {
        ptrdiff_t k = mass_index != NULL ? (ptrdiff_t)mass_index[p] : 0;
        for (ptrdiff_t r = 0; r < R; ++r) {
            ptrdiff_t at = k * R + r;
            double value = 0.0;
            for (ptrdiff_t u = 0; u < K; ++u) {
                double acc = L[u * stride + at];
                for (ptrdiff_t v = 0; v < K; ++v) {
                    acc += lambdas[v * n_points + p] * Q[(u * K + v) * stride + at];
                }
                value += lambdas[u * n_points + p] * acc;
            }
            out[r * n_points + p] = value;
        }
    }
    return COH_OK;
}
