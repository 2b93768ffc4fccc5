/* Flux-folded cross sections: the double integral of a rate in one C call.
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
 * + wn^2 m_nn), and for F_Z = F_N = F simply prefactor (wz - wn)^2 m.
 *
 * Summation order is fixed: the rule is cut into chunks of COH_RATE_CHUNK energies,
 * each chunk summed from zero, the chunk sums added in order. Threads (in the
 * caller) may compute chunks in any order; the result does not depend on it.
 * Form factors are evaluated in blocks of COH_RATE_BLOCK nodes through the
 * vectorised array loops of coh_ff.c. Plain C99, no Python, no allocation.
 */
#ifndef COH_RATE_H
#define COH_RATE_H

#include <stddef.h>
#include "coh_ff.h"

#define COH_RATE_CHUNK 8     /* energies per partial sum */
#define COH_RATE_BLOCK 256   /* q nodes per vectorised form-factor call */

typedef struct {
    double mass;   /* nuclear mass, MeV */
    coh_ff_t ffz;  /* proton form factor */
    coh_ff_t ffn;  /* neutron form factor */
} coh_ffpair_t;

/* 1 when F_Z and F_N are the same function (one moment suffices). */
int coh_ffpair_same(const coh_ffpair_t *pair);
int coh_ffpair_check(const coh_ffpair_t *pair);

/* Number of chunks of a rule with n energies. */
ptrdiff_t coh_rate_n_chunks(ptrdiff_t n);

/* Moments (out3[0..2] = m_zz, m_zn, m_nn) of energies [i0, i1) of the rule, summed
 * from zero in node order. Arguments are not checked (see coh_ffpair_check). */
void coh_moments_range(const coh_ffpair_t *pair, const double *E, const double *w,
                       ptrdiff_t i0, ptrdiff_t i1, double q2_min, double panel_dq,
                       const double *gl_x, const double *gl_w, ptrdiff_t n_gl,
                       double *out3);

/* Moments of a whole rule: chunk sums added in order (the serial reference of
 * what threaded callers do). */
void coh_moments_rule(const coh_ffpair_t *pair, const double *E, const double *w,
                      ptrdiff_t n, double q2_min, double panel_dq,
                      const double *gl_x, const double *gl_w, ptrdiff_t n_gl,
                      double *out3);

/* prefactor * (wz^2 m_zz - 2 wz wn m_zn + wn^2 m_nn), or (wz - wn)^2 m when same. */
double coh_moments_combine(const double *m3, int same, double prefactor, double wz,
                           double wn);

/* Chebyshev series with per-point coefficient rows (Clenshaw):
 * out[i] = sum_{j < n_coef} coef[row[i] * n_coef + j] T_j(y[i]), |y| <= 1.
 * Rows are not checked (the caller validates them). */
void coh_cheb_eval(const double *coef, ptrdiff_t n_coef, const long long *row,
                   const double *y, double *out, ptrdiff_t n);

/* 1 if the library was compiled with OpenMP, else 0. */
int coh_openmp_enabled(void);

#endif
