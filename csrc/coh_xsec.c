/* Cross sections: see coh_xsec.h and docs/physics.md section 1. */
#include <math.h>
#include "coh_xsec.h"

/* Most panels one sigma(E) may take: 2^20 panels of 16 nodes (~0.1 s). Beyond it
 * (E above ~4e7 MeV for a 6 fm nucleus) the loop would run for minutes without
 * a way to interrupt it, and the double -> ptrdiff_t cast could overflow. */
#define COH_MAX_PANELS 1048576.0

double coh_q2_max(double E, double mass)
{
    return 4.0 * E * E * mass / (mass + 2.0 * E);
}

/* Gamma_NP at momentum q (MeV). */
static double gamma_np(const coh_nucleus_t *nuc, double q)
{
    double fz = coh_ff_eval(&nuc->ffz, q);
    double fn;
    if (nuc->ffn.model == nuc->ffz.model && nuc->ffn.p1 == nuc->ffz.p1
        && nuc->ffn.p2 == nuc->ffz.p2) {
        fn = fz;
    } else {
        fn = coh_ff_eval(&nuc->ffn, q);
    }
    double amp = nuc->wz * fz - nuc->wn * fn;
    return amp * amp;
}

/* dsigma/dq2 at one point; 0 outside 0 <= q2 <= q2_max(E). */
static double dsigma_dq2_at(const coh_nucleus_t *nuc, double q2, double E)
{
    if (!(q2 >= 0.0) || q2 > coh_q2_max(E, nuc->mass)) {
        return 0.0;
    }
    /* q2 = 0 gives exactly 1 (also when 4 E^2 underflows to 0 for E < 1e-162). */
    double kin = q2 > 0.0 ? 1.0 - q2 / (4.0 * E * E) : 1.0;
    return nuc->prefactor * kin * gamma_np(nuc, sqrt(q2));
}

/* sigma(E) with the rule of coh_sigma_total; NaN for more than COH_MAX_PANELS panels. */
static double sigma_at(const coh_nucleus_t *nuc, double E, double q2_min, double panel_dq,
                       const double *gl_x, const double *gl_w, ptrdiff_t n_gl)
{
    double q2_max = coh_q2_max(E, nuc->mass);
    if (!(q2_min < q2_max)) {
        return 0.0;
    }
    double q_lo = sqrt(q2_min > 0.0 ? q2_min : 0.0);
    double q_hi = sqrt(q2_max);
    ptrdiff_t n_panels = 1;
    if (panel_dq > 0.0) {
        double ratio = ceil((q_hi - q_lo) / panel_dq);
        if (!(ratio <= COH_MAX_PANELS)) {
            return NAN;  /* coh_sigma_total reports COH_EBADARG */
        }
        n_panels = ratio > 1.0 ? (ptrdiff_t)ratio : 1;
    }
    double width = (q_hi - q_lo) / (double)n_panels;
    /* 1/(2E), not 1/(4E^2): finite whenever q2_max > 0 (4E^2 may be subnormal). */
    double inv_2e = 1.0 / (2.0 * E);
    double total = 0.0;
    for (ptrdiff_t p = 0; p < n_panels; ++p) {
        double half = 0.5 * width;
        double mid = q_lo + (p + 0.5) * width;
        double panel = 0.0;
        for (ptrdiff_t k = 0; k < n_gl; ++k) {
            double q = mid + half * gl_x[k];
            double r = q * inv_2e;
            panel += gl_w[k] * 2.0 * q * (1.0 - r * r) * gamma_np(nuc, q);
        }
        total += half * panel;
    }
    return nuc->prefactor * total;
}

int coh_nucleus_check(const coh_nucleus_t *nuc)
{
    int status = coh_ff_check(&nuc->ffz);
    if (status == COH_OK) {
        status = coh_ff_check(&nuc->ffn);
    }
    if (status == COH_OK && !(nuc->mass > 0.0)) {
        status = COH_EBADARG;
    }
    return status;
}

int coh_dsigma_dq2(const coh_nucleus_t *nuc, const double *q2, const double *E,
                   double *out, ptrdiff_t i0, ptrdiff_t i1)
{
    int status = coh_nucleus_check(nuc);
    if (status != COH_OK) {
        return status;
    }
    for (ptrdiff_t i = i0; i < i1; ++i) {
        out[i] = dsigma_dq2_at(nuc, q2[i], E[i]);
    }
    return COH_OK;
}

int coh_sigma_total(const coh_nucleus_t *nuc, const double *E, const double *q2_min,
                    double panel_dq, const double *gl_x, const double *gl_w,
                    ptrdiff_t n_gl, double *out, ptrdiff_t i0, ptrdiff_t i1)
{
    int status = coh_nucleus_check(nuc);
    if (status != COH_OK) {
        return status;
    }
    if (n_gl < 1) {
        return COH_EBADRULE;
    }
    for (ptrdiff_t i = i0; i < i1; ++i) {
        out[i] = sigma_at(nuc, E[i], q2_min[i], panel_dq, gl_x, gl_w, n_gl);
        if (out[i] != out[i]) {
            status = COH_EBADARG;  /* NaN input or more than COH_MAX_PANELS panels */
        }
    }
    return status;
}
