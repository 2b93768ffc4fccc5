/* Flux-folded cross sections: see coh_rate.h and PHYSICS.md section 6. */
#include <math.h>
#include "coh_rate.h"
#include "coh_xsec.h"

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

ptrdiff_t coh_rate_n_chunks(ptrdiff_t n)
{
    return n > 0 ? (n + COH_RATE_CHUNK - 1) / COH_RATE_CHUNK : 0;
}

/* Evaluate the form factors on a block of nodes and add the weighted products.
 * Four interleaved partial sums (node k goes to sum k mod 4), added in a fixed order
 * at the end: independent of threads, and not one long dependency chain. */
static void flush_block(const coh_ffpair_t *pair, int same, const double *q,
                        const double *wt, ptrdiff_t n, double *acc)
{
    double fz[COH_RATE_BLOCK];
    double fn[COH_RATE_BLOCK];
    double s[3][4] = {{0.0}};
    ptrdiff_t k = 0;
    coh_form_factor_array(q, fz, n, &pair->ffz);
    if (same) {
        for (; k + 4 <= n; k += 4) {
            for (int j = 0; j < 4; ++j) {
                s[0][j] += wt[k + j] * fz[k + j] * fz[k + j];
            }
        }
        for (int j = 0; k < n; ++k, ++j) {
            s[0][j] += wt[k] * fz[k] * fz[k];
        }
    } else {
        coh_form_factor_array(q, fn, n, &pair->ffn);
        for (; k + 4 <= n; k += 4) {
            for (int j = 0; j < 4; ++j) {
                double a = wt[k + j] * fz[k + j];
                double b = wt[k + j] * fn[k + j];
                s[0][j] += a * fz[k + j];
                s[1][j] += a * fn[k + j];
                s[2][j] += b * fn[k + j];
            }
        }
        for (int j = 0; k < n; ++k, ++j) {
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

void coh_moments_range(const coh_ffpair_t *pair, const double *E, const double *w,
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

void coh_moments_rule(const coh_ffpair_t *pair, const double *E, const double *w,
                      ptrdiff_t n, double q2_min, double panel_dq,
                      const double *gl_x, const double *gl_w, ptrdiff_t n_gl,
                      double *out3)
{
    double part[3];
    out3[0] = out3[1] = out3[2] = 0.0;
    for (ptrdiff_t c = 0; c < coh_rate_n_chunks(n); ++c) {
        ptrdiff_t i0 = c * COH_RATE_CHUNK;
        ptrdiff_t i1 = i0 + COH_RATE_CHUNK < n ? i0 + COH_RATE_CHUNK : n;
        coh_moments_range(pair, E, w, i0, i1, q2_min, panel_dq, gl_x, gl_w, n_gl, part);
        out3[0] += part[0];
        out3[1] += part[1];
        out3[2] += part[2];
    }
}

double coh_moments_combine(const double *m3, int same, double prefactor, double wz,
                           double wn)
{
    if (same) {
        double d = wz - wn;
        return prefactor * (d * d * m3[0]);
    }
    return prefactor * (wz * wz * m3[0] - 2.0 * wz * wn * m3[1] + wn * wn * m3[2]);
}

void coh_cheb_eval(const double *coef, ptrdiff_t n_coef, const long long *row,
                   const double *y, double *out, ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; ++i) {
        const double *c = coef + row[i] * n_coef;
        double yi = y[i];
        double y2 = 2.0 * yi;
        double b1 = 0.0;
        double b2 = 0.0;
        for (ptrdiff_t j = n_coef - 1; j > 0; --j) {
            double b0 = c[j] + y2 * b1 - b2;
            b2 = b1;
            b1 = b0;
        }
        out[i] = c[0] + yi * b1 - b2;
    }
}

int coh_openmp_enabled(void)
{
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}
