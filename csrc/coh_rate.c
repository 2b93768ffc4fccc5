/* Flux-folded cross sections: see coh_rate.h and docs/physics.md section 6. */
#include <math.h>
#include "coh_rate.h"
#include "coh_xsec.h"
#include "coh_simd.h"

int coh_ffpair_same(const coh_ffpair_t *pair)
{
    return pair->ffz.model == pair->ffn.model && pair->ffz.p1 == pair->ffn.p1
           && pair->ffz.p2 == pair->ffn.p2;
}

int coh_ffpair_check(const coh_ffpair_t *pair)
{
    int status = coh_ff_check(&pair->ffz);
    if (status == COH_OK) {
        status = coh_ff_check(&pair->ffn);
    }
    if (status == COH_OK && !(pair->mass > 0.0)) {
        status = COH_EBADARG;
    }
    return status;
}

/* Form factors of the pair on n nodes (fn untouched when same). */
static void eval_block(const coh_ffpair_t *pair, int same, const double *q, ptrdiff_t n,
                       double *fz, double *fn)
{
    /* checked parameters: the status is COH_OK */
    coh_form_factor(&pair->ffz, q, fz, 0, n);
    if (!same) {
        coh_form_factor(&pair->ffn, q, fn, 0, n);
    }
}

/* acc[0..2] += sums over n nodes of wt F_z F_z, wt F_z F_n, wt F_n F_n (only the first
 * when same). Four interleaved partial sums (node k goes to sum k mod 4), added in a
 * fixed order at the end: independent of threads, and not one long dependency chain. */
static void sum_block(int same, const double *wt, const double *fz, const double *fn,
                      ptrdiff_t n, double *acc)
{
    double s[3][4] = {{0.0}};
    ptrdiff_t k = 0;
    if (same) {
        for (; k + 4 <= n; k += 4) {
            for (int j = 0; j < 4; ++j) {
                s[0][j] += wt[k + j] * fz[k + j] * fz[k + j];
            }
        }
        for (int j = 0; j < 4 && k < n; ++k, ++j) {
            s[0][j] += wt[k] * fz[k] * fz[k];
        }
    } else {
        for (; k + 4 <= n; k += 4) {
            for (int j = 0; j < 4; ++j) {
                double a = wt[k + j] * fz[k + j];
                double b = wt[k + j] * fn[k + j];
                s[0][j] += a * fz[k + j];
                s[1][j] += a * fn[k + j];
                s[2][j] += b * fn[k + j];
            }
        }
        for (int j = 0; j < 4 && k < n; ++k, ++j) {
            double a = wt[k] * fz[k];
            double b = wt[k] * fn[k];
            s[0][j] += a * fz[k];
            s[1][j] += a * fn[k];
            s[2][j] += b * fn[k];
        }
    }
    for (int m = 0; m < 3; ++m) {
        acc[m] += (s[m][0] + s[m][1]) + (s[m][2] + s[m][3]);
    }
}

/* Evaluate the form factors on a block of nodes and add the weighted products. */
static void flush_block(const coh_ffpair_t *pair, int same, const double *q,
                        const double *wt, ptrdiff_t n, double *acc)
{
    double fz[COH_RATE_BLOCK];
    double fn[COH_RATE_BLOCK];
    eval_block(pair, same, q, n, fz, fn);
    sum_block(same, wt, fz, same ? fz : fn, n, acc);
}

/* Moments (out3[0..2] = m_zz, m_zn, m_nn) of energies [i0, i1) of the rule, summed
 * from zero in node order (checked arguments). */
static void moments_range(const coh_ffpair_t *pair, const double *E, const double *w,
                          ptrdiff_t i0, ptrdiff_t i1, double q2_min, double panel_dq,
                          const double *gl_x, const double *gl_w, ptrdiff_t n_gl,
                          double *out3)
{
    double q[COH_RATE_BLOCK];
    double wt[COH_RATE_BLOCK];
    double acc[3] = {0.0, 0.0, 0.0};
    int same = coh_ffpair_same(pair);
    ptrdiff_t fill = 0;
    double q_lo = sqrt(q2_min > 0.0 ? q2_min : 0.0);
    for (ptrdiff_t i = i0; i < i1; ++i) {
        double energy = E[i];
        double q2_max = coh_q2_max(energy, pair->mass);
        if (!(q2_min < q2_max) || !(w[i] != 0.0)) {
            continue;
        }
        double q_hi = sqrt(q2_max);
        ptrdiff_t n_panels = 1;
        if (panel_dq > 0.0) {
            double ratio = ceil((q_hi - q_lo) / panel_dq);
            if (!(ratio <= 1048576.0)) {
                /* > 2^20 panels (COH_MAX_PANELS of coh_xsec.c): NaN moments, not an
                 * endless nogil loop or an overflowing cast (found by tools/fuzz_kernels) */
                acc[0] = acc[1] = acc[2] = NAN;
                break;
            }
            n_panels = ratio > 1.0 ? (ptrdiff_t)ratio : 1;
        }
        double width = (q_hi - q_lo) / (double)n_panels;
        double half = 0.5 * width;
        /* 1/(2E), not 1/(4E^2): finite whenever q2_max > 0 (4E^2 may be subnormal) */
        double inv_2e = 1.0 / (2.0 * energy);
        double wh = w[i] * half;
        for (ptrdiff_t p = 0; p < n_panels; ++p) {
            double mid = q_lo + (p + 0.5) * width;
            ptrdiff_t k0 = 0;
            while (k0 < n_gl) {
                if (fill == COH_RATE_BLOCK) {
                    flush_block(pair, same, q, wt, fill, acc);
                    fill = 0;
                }
                ptrdiff_t room = COH_RATE_BLOCK - fill;
                ptrdiff_t k1 = n_gl - k0 < room ? n_gl : k0 + room;
                double *restrict qb = q + fill - k0;
                double *restrict wb = wt + fill - k0;
                for (ptrdiff_t k = k0; k < k1; ++k) {
                    double qk = mid + half * gl_x[k];
                    qb[k] = qk;
                    double r = qk * inv_2e;
                    wb[k] = wh * gl_w[k] * 2.0 * qk * (1.0 - r * r);
                }
                fill += k1 - k0;
                k0 = k1;
            }
        }
    }
    if (fill > 0) {
        flush_block(pair, same, q, wt, fill, acc);
    }
    if (same) {
        acc[1] = acc[0];
        acc[2] = acc[0];
    }
    out3[0] = acc[0];
    out3[1] = acc[1];
    out3[2] = acc[2];
}

int coh_folded_moments(const coh_ffpair_t *pair, const double *E, const double *w,
                       ptrdiff_t n, double q2_min, double panel_dq, const double *gl_x,
                       const double *gl_w, ptrdiff_t n_gl, double *part, ptrdiff_t c0,
                       ptrdiff_t c1)
{
    int status = coh_ffpair_check(pair);
    if (status != COH_OK) {
        return status;
    }
    if (n_gl < 1) {
        return COH_EBADRULE;
    }
    for (ptrdiff_t c = c0; c < c1; ++c) {
        ptrdiff_t i0 = c * COH_RATE_CHUNK;
        ptrdiff_t i1 = i0 + COH_RATE_CHUNK < n ? i0 + COH_RATE_CHUNK : n;
        moments_range(pair, E, w, i0, i1, q2_min, panel_dq, gl_x, gl_w, n_gl, part + 3 * c);
    }
    return COH_OK;
}

int coh_folded_sigma(const coh_nucleus_t *nuc, const double *part, double *out,
                     ptrdiff_t c0, ptrdiff_t c1)
{
    double m3[3] = {0.0, 0.0, 0.0};
    for (ptrdiff_t c = c0; c < c1; ++c) {
        m3[0] += part[3 * c];
        m3[1] += part[3 * c + 1];
        m3[2] += part[3 * c + 2];
    }
    int same = nuc->ffz.model == nuc->ffn.model && nuc->ffz.p1 == nuc->ffn.p1
               && nuc->ffz.p2 == nuc->ffn.p2;
    if (same) {
        double d = nuc->wz - nuc->wn;
        *out = nuc->prefactor * (d * d * m3[0]);
    } else {
        *out = nuc->prefactor * (nuc->wz * nuc->wz * m3[0] - 2.0 * nuc->wz * nuc->wn * m3[1]
                                 + nuc->wn * nuc->wn * m3[2]);
    }
    return COH_OK;
}

/* Index of the last a[j] <= v in a[0 .. n-1] (increasing), or -1: numpy's
 * searchsorted(a, v, side="right") - 1. */
static ptrdiff_t last_at_or_below(const double *a, ptrdiff_t n, double v)
{
    ptrdiff_t lo = 0, hi = n;  /* answer + 1 in [lo, hi] */
    while (lo < hi) {
        ptrdiff_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

/* Where x falls in the model: -1 below the first breakpoint, 1 at or above the
 * last, else 0 with its piece *p and series variable *y (numpy's arithmetic of the
 * twin, step for step). */
static int cheb_locate(const coh_chebmodel_t *m, double x, ptrdiff_t *p, double *y)
{
    ptrdiff_t k = last_at_or_below(m->bps, m->n_bps, x);
    *p = 0;
    *y = 0.0;
    if (k < 0)
        return -1;
    if (k >= m->n_bps - 1)
        return 1;
    double a = m->bps[k], b = m->bps[k + 1];
    double u = (b - x) / (b - a);
    u = u < 0.0 ? 0.0 : (u > 1.0 ? 1.0 : u);
    double t = 1.0 - sqrt(u);
    ptrdiff_t q = last_at_or_below(m->keys, m->n_keys, (double)k + t);
    q = q < 0 ? 0 : (q > m->n_keys - 1 ? m->n_keys - 1 : q);
    double t0 = m->t0[q], t1 = m->t1[q];
    double v = (2.0 * t - (t0 + t1)) / (t1 - t0);
    *y = v < -1.0 ? -1.0 : (v > 1.0 ? 1.0 : v);
    *p = q;
    return 0;
}

static void cheb_finish(const coh_chebmodel_t *m, int where, ptrdiff_t p, double s0,
                        double s2, double *F0, double *F2, unsigned char *redo)
{
    if (where != 0) {
        *F0 = where < 0 ? m->below0 : 0.0;
        *F2 = where < 0 ? m->below2 : 0.0;
        *redo = 0;
        return;
    }
    double in0 = m->a1_0[p] - s0;
    double in2 = m->a1_2[p] - s2;
    *F0 = m->above0[p] + in0;
    *F2 = m->above2[p] + in2;
    *redo = (unsigned char)(!m->converged[p] || fabs(in0) < m->cancel * fabs(m->a1_0[p])
                            || fabs(in2) < m->cancel * fabs(m->a1_2[p]));
}

/* One point: both recurrences interleaved (the same operations as a lone one). */
static void cheb_point(const coh_chebmodel_t *m, double x, double *F0, double *F2,
                       unsigned char *redo)
{
    const ptrdiff_t nc = m->n_coef;
    ptrdiff_t p;
    double y;
    int w = cheb_locate(m, x, &p, &y);
    const double *c0 = m->coef0 + p * nc, *c2 = m->coef2 + p * nc;
    double y2 = 2.0 * y;
    double s01 = 0.0, s02 = 0.0, s21 = 0.0, s22 = 0.0;
    for (ptrdiff_t j = nc - 1; j > 0; --j) {
        double n0 = c0[j] + y2 * s01 - s02;
        double n2 = c2[j] + y2 * s21 - s22;
        s02 = s01; s01 = n0;
        s22 = s21; s21 = n2;
    }
    cheb_finish(m, w, p, c0[0] + y * s01 - s02, c2[0] + y * s21 - s22, F0, F2, redo);
}

int coh_cheb_moments(const coh_chebmodel_t *m, const double *x, double *F0, double *F2,
                     unsigned char *redo, ptrdiff_t i0, ptrdiff_t i1)
{
    const ptrdiff_t nc = m->n_coef;
    ptrdiff_t i = i0;
    /* Two points at a time: four independent Clenshaw recurrences (F0 and F2 of
     * each) in one loop, so their latencies overlap. Each recurrence does exactly
     * the operations of a lone one, so the bits do not depend on the pairing. */
    for (; i + 1 < i1; i += 2) {
        ptrdiff_t pa, pb;
        double ya, yb;
        int wa = cheb_locate(m, x[i], &pa, &ya);
        int wb = cheb_locate(m, x[i + 1], &pb, &yb);
        const double *a0 = m->coef0 + pa * nc, *a2 = m->coef2 + pa * nc;
        const double *b0 = m->coef0 + pb * nc, *b2 = m->coef2 + pb * nc;
        double ya2 = 2.0 * ya, yb2 = 2.0 * yb;
        double a01 = 0.0, a02 = 0.0, a21 = 0.0, a22 = 0.0;
        double b01 = 0.0, b02 = 0.0, b21 = 0.0, b22 = 0.0;
        for (ptrdiff_t j = nc - 1; j > 0; --j) {
            double na0 = a0[j] + ya2 * a01 - a02;
            double na2 = a2[j] + ya2 * a21 - a22;
            double nb0 = b0[j] + yb2 * b01 - b02;
            double nb2 = b2[j] + yb2 * b21 - b22;
            a02 = a01; a01 = na0;
            a22 = a21; a21 = na2;
            b02 = b01; b01 = nb0;
            b22 = b21; b21 = nb2;
        }
        cheb_finish(m, wa, pa, a0[0] + ya * a01 - a02, a2[0] + ya * a21 - a22,
                    &F0[i], &F2[i], &redo[i]);
        cheb_finish(m, wb, pb, b0[0] + yb * b01 - b02, b2[0] + yb * b21 - b22,
                    &F0[i + 1], &F2[i + 1], &redo[i + 1]);
    }
    for (; i < i1; ++i) {
        cheb_point(m, x[i], &F0[i], &F2[i], &redo[i]);
    }
    return COH_OK;
}

/* Points per block of coh_dn_dq2: its buffers (6 of them) live on the stack. */
#define COH_DNDQ2_BLOCK 512

int coh_dn_dq2(const coh_chebmodel_t *m, const double *line_E, const double *line_F0,
               const double *line_F2, ptrdiff_t n_lines, const coh_nucleus_t *nuc,
               const double *v, double scale, double cap, double weight, int add,
               double *out, unsigned char *redo, ptrdiff_t i0, ptrdiff_t i1)
{
    int status = coh_nucleus_check(nuc);
    if (status != COH_OK) {
        return status;
    }
    double q2[COH_DNDQ2_BLOCK], q[COH_DNDQ2_BLOCK], fz[COH_DNDQ2_BLOCK];
    double fn[COH_DNDQ2_BLOCK], x[COH_DNDQ2_BLOCK], F0[COH_DNDQ2_BLOCK];
    double F2[COH_DNDQ2_BLOCK];
    const double mass = nuc->mass;
    const double two_m = 2.0 * mass;
    const int same = nuc->ffn.model == nuc->ffz.model && nuc->ffn.p1 == nuc->ffz.p1
                     && nuc->ffn.p2 == nuc->ffz.p2;
    for (ptrdiff_t b = i0; b < i1; b += COH_DNDQ2_BLOCK) {
        ptrdiff_t nb = i1 - b < COH_DNDQ2_BLOCK ? i1 - b : COH_DNDQ2_BLOCK;
        for (ptrdiff_t j = 0; j < nb; ++j) {
            double vj = v[b + j];
            q2[j] = scale * (vj < cap ? vj : cap);
            double T = q2[j] / two_m;
            q[j] = sqrt(q2[j]);
            x[j] = 0.5 * (T + sqrt(T) * sqrt(T + 2.0 * mass));  /* E_min(T) */
        }
        /* the vectorised form-factor loops (checked parameters: status is OK) */
        coh_form_factor(&nuc->ffz, q, fz, 0, nb);
        if (!same)
            coh_form_factor(&nuc->ffn, q, fn, 0, nb);
        coh_cheb_moments(m, x, F0, F2, redo + b, 0, nb);
        for (ptrdiff_t j = 0; j < nb; ++j) {
            double f0 = F0[j], f2 = F2[j];
            for (ptrdiff_t l = 0; l < n_lines; ++l) {
                if (x[j] <= line_E[l]) {
                    f0 += line_F0[l];
                    f2 += line_F2[l];
                }
            }
            double amp = nuc->wz * fz[j] - nuc->wn * (same ? fz[j] : fn[j]);
            double k = f0 - 0.25 * q2[j] * f2;
            double val = redo[b + j] ? 0.0
                         : weight * (nuc->prefactor * (amp * amp) * (k > 0.0 ? k : 0.0));
            out[b + j] = add ? out[b + j] + val : val;
        }
    }
    return COH_OK;
}

/* ---- q-outer folding ---------------------------------------------------------- */

/* out[k] = sum_j c[j] T_j(y[k]) for n <= COH_QGRID_BATCH * COH_QGRID_MAX_GL points
 * (Clenshaw). The
 * node loop is independent and vectorises; the recurrence runs over the
 * coefficients. Compiled per ISA level (COH_CLONES); with -std=c99 gcc contracts
 * no multiply-add into an FMA, so every level gives the same bits. */
COH_CLONES
static void cheb_nodes(const double *c, ptrdiff_t n_coef, const double *y, double *out,
                       ptrdiff_t n)
{
    double y2[COH_QGRID_BATCH * COH_QGRID_MAX_GL];
    double b1[COH_QGRID_BATCH * COH_QGRID_MAX_GL];
    double b2[COH_QGRID_BATCH * COH_QGRID_MAX_GL];
    for (ptrdiff_t k = 0; k < n; ++k) {
        y2[k] = 2.0 * y[k];
        b1[k] = 0.0;
        b2[k] = 0.0;
    }
    for (ptrdiff_t j = n_coef - 1; j > 0; --j) {
        double cj = c[j];
        for (ptrdiff_t k = 0; k < n; ++k) {
            double b0 = cj + y2[k] * b1[k] - b2[k];
            b2[k] = b1[k];
            b1[k] = b0;
        }
    }
    for (ptrdiff_t k = 0; k < n; ++k) {
        out[k] = c[0] + y[k] * b1[k] - b2[k];
    }
}

/* Full-panel sums of one pair of form factors, then suffix sums:
 * suffix[3p + m] = sum over panels p' >= p, suffix[3 n_panels + m] = 0. Panels are
 * evaluated in blocks of whole panels (one vectorised form-factor call per block). */
static void qgrid_panels(const coh_qgrid_t *g, const coh_ffpair_t *pair, int same,
                         double *suffix)
{
    double fz[COH_RATE_BLOCK];
    double fn[COH_RATE_BLOCK];
    ptrdiff_t n_gl = g->n_gl;
    ptrdiff_t n_panels = g->n_panels;
    ptrdiff_t per = COH_RATE_BLOCK / n_gl;
    for (ptrdiff_t p0 = 0; p0 < n_panels; p0 += per) {
        ptrdiff_t p1 = p0 + per < n_panels ? p0 + per : n_panels;
        eval_block(pair, same, g->node_q + p0 * n_gl, (p1 - p0) * n_gl, fz, fn);
        for (ptrdiff_t p = p0; p < p1; ++p) {
            double *acc = suffix + 3 * p;
            ptrdiff_t off = (p - p0) * n_gl;
            acc[0] = acc[1] = acc[2] = 0.0;
            sum_block(same, g->node_w + p * n_gl, fz + off, (same ? fz : fn) + off, n_gl,
                      acc);
        }
    }
    suffix[3 * n_panels] = suffix[3 * n_panels + 1] = suffix[3 * n_panels + 2] = 0.0;
    for (ptrdiff_t p = n_panels - 1; p >= 0; --p) {
        for (int m = 0; m < 3; ++m) {
            suffix[3 * p + m] += suffix[3 * (p + 1) + m];
        }
    }
}

/* The panel holding q: edges[p] <= q < edges[p + 1] (0 for q below edges[0]), or -1
 * when q >= edges[n_panels] (nothing left to integrate). */
static ptrdiff_t qgrid_locate(const coh_qgrid_t *g, double q)
{
    const double *edges = g->edges;
    ptrdiff_t lo = 0;
    ptrdiff_t hi = g->n_panels;
    if (hi == 0 || !(q < edges[hi])) {
        return -1;
    }
    while (hi - lo > 1) { /* edges[lo] <= q < edges[hi] once q > edges[0] */
        ptrdiff_t mid = lo + (hi - lo) / 2;
        if (edges[mid] <= q) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static void put3(double *out3, const double *acc, int same)
{
    out3[0] = acc[0];
    out3[1] = same ? acc[0] : acc[1];
    out3[2] = same ? acc[0] : acc[2];
}

/* m points whose thresholds q_lo[0..m) lie inside panel p (not on its lower edge),
 * same form factors: each gets the partial panel [q_lo, b], integrated with the
 * n_gl-point rule in t and h from the panel's series, plus the panels above. The m
 * points' nodes go through Clenshaw and the form factors together (independent
 * lanes), but each point's sum only runs over its own nodes. */
static void qgrid_partial(const coh_qgrid_t *g, const coh_ffpair_t *pair, int same,
                          const double *suffix, ptrdiff_t p, const double *q_lo,
                          ptrdiff_t m, double *out)
{
    double q[COH_QGRID_BATCH * COH_QGRID_MAX_GL];
    double y[COH_QGRID_BATCH * COH_QGRID_MAX_GL];
    double wt[COH_QGRID_BATCH * COH_QGRID_MAX_GL];
    double fz[COH_QGRID_BATCH * COH_QGRID_MAX_GL];
    double fn[COH_QGRID_BATCH * COH_QGRID_MAX_GL];
    double half[COH_QGRID_BATCH];
    ptrdiff_t n_gl = g->n_gl;
    double a = g->edges[p];
    double b = g->edges[p + 1];
    for (ptrdiff_t i = 0; i < m; ++i) {
        double t_lo = 1.0 - sqrt((b - q_lo[i]) / (b - a));
        half[i] = 0.5 * (1.0 - t_lo);
        for (ptrdiff_t k = 0; k < n_gl; ++k) {
            double t = t_lo + half[i] * (g->gl_x[k] + 1.0);
            double s = 1.0 - t;
            q[i * n_gl + k] = b - (b - a) * s * s;
            y[i * n_gl + k] = 2.0 * t - 1.0;
        }
    }
    cheb_nodes(g->cheb + p * g->n_cheb, g->n_cheb, y, wt, m * n_gl);
    eval_block(pair, same, q, m * n_gl, fz, fn);
    for (ptrdiff_t i = 0; i < m; ++i) {
        double acc[3] = {0.0, 0.0, 0.0};
        double *w = wt + i * n_gl;
        for (ptrdiff_t k = 0; k < n_gl; ++k) {
            w[k] *= half[i] * g->gl_w[k];
        }
        sum_block(same, w, fz + i * n_gl, (same ? fz : fn) + i * n_gl, n_gl, acc);
        for (int c = 0; c < 3; ++c) {
            acc[c] += suffix[3 * (p + 1) + c];
        }
        put3(out + 3 * i, acc, same);
    }
}

int coh_qgrid_moments(const coh_qgrid_t *grid, const coh_ffpair_t *pair,
                      const double *p1z, const double *p1n, const double *q_lo,
                      double *work, double *out, ptrdiff_t i0, ptrdiff_t i1)
{
    static const double zero[3] = {0.0, 0.0, 0.0};
    if (grid->n_gl < 1 || grid->n_gl > COH_QGRID_MAX_GL) {
        return COH_EBADRULE;
    }
    coh_ffpair_t cur = *pair;
    int same = 0;
    ptrdiff_t i = i0;
    while (i < i1) {
        if (i == i0 || p1z[i] != cur.ffz.p1 || p1n[i] != cur.ffn.p1) {
            cur.ffz.p1 = p1z[i];
            cur.ffn.p1 = p1n[i];
            int status = coh_ffpair_check(&cur);
            if (status != COH_OK) {
                return status;
            }
            same = coh_ffpair_same(&cur);
            qgrid_panels(grid, &cur, same, work);
        }
        ptrdiff_t p = qgrid_locate(grid, q_lo[i]);
        if (p < 0) {
            put3(out + 3 * i, zero, same);
            ++i;
        } else if (!(q_lo[i] > grid->edges[p])) {
            put3(out + 3 * i, work + 3 * p, same);
            ++i;
        } else {
            /* batch the following points of this panel and these form factors */
            ptrdiff_t m = 1;
            while (m < COH_QGRID_BATCH && i + m < i1 && p1z[i + m] == cur.ffz.p1
                   && p1n[i + m] == cur.ffn.p1 && q_lo[i + m] > grid->edges[p]
                   && q_lo[i + m] < grid->edges[p + 1]) {
                ++m;
            }
            qgrid_partial(grid, &cur, same, work, p, q_lo + i, m, out + 3 * i);
            i += m;
        }
    }
    return COH_OK;
}

int coh_batch_combine(const double *coef, ptrdiff_t n_rows, const long long *which,
                      const double *s2, ptrdiff_t n_s2, double eps_default,
                      const double *alpha, ptrdiff_t n_alpha, int add, double *acc,
                      ptrdiff_t i0, ptrdiff_t i1)
{
    if (n_rows < 1) {
        return COH_EBADARG;
    }
    if (which != NULL) {
        for (ptrdiff_t i = i0; i < i1; ++i) {
            if (which[i] < 0 || which[i] >= n_rows) {
                return COH_EBADARG;
            }
        }
    }
    /* add is loop-invariant: gcc -O3 unswitches the loops on it */
    /* the two scans a fit runs most, without per-point branches (they vectorise);
     * the same operations as the general loop below, so the same bits */
    if (which == NULL && n_alpha == 0 && n_s2 > 1) {
        double c0 = coef[0], c1 = coef[1], c2 = coef[2];
        for (ptrdiff_t i = i0; i < i1; ++i) {
            double eps = 1.0 - 4.0 * s2[i];
            double g = (c0 * eps - c1) * eps + c2;
            acc[i] = add ? acc[i] + g : g;
        }
        return COH_OK;
    }
    if (which == NULL && n_alpha > 1 && n_s2 <= 1) {
        double eps = n_s2 == 0 ? eps_default : 1.0 - 4.0 * s2[0];
        double coherent = (coef[0] * eps - coef[1]) * eps + coef[2];
        double decoherent = coef[3] * eps * eps + coef[4];
        for (ptrdiff_t i = i0; i < i1; ++i) {
            double a = alpha[i];
            double g = coherent * a + decoherent * (1.0 - a);
            acc[i] = add ? acc[i] + g : g;
        }
        return COH_OK;
    }
    for (ptrdiff_t i = i0; i < i1; ++i) {
        const double *c = coef + 5 * (which != NULL ? which[i] : 0);
        double eps = n_s2 == 0 ? eps_default : 1.0 - 4.0 * s2[n_s2 == 1 ? 0 : i];
        double g = (c[0] * eps - c[1]) * eps + c[2];
        if (n_alpha > 0) {
            double a = alpha[n_alpha == 1 ? 0 : i];
            g = g * a + (c[3] * eps * eps + c[4]) * (1.0 - a);
        }
        acc[i] = add ? acc[i] + g : g;
    }
    return COH_OK;
}

int coh_moments_to_coef(const double *m, const double *factors, double *coef, int add,
                        ptrdiff_t i0, ptrdiff_t i1)
{
    static const int col[5] = {0, 1, 2, 0, 2};  /* the moment of each coefficient */
    for (ptrdiff_t i = i0; i < i1; ++i) {
        for (int j = 0; j < 5; ++j) {
            double t = m[3 * i + col[j]] * factors[j];
            coef[5 * i + j] = add ? coef[5 * i + j] + t : t;
        }
    }
    return COH_OK;
}
