/* Nuclear form factors and the spherical Bessel function j1.
 *
 * Plain C99, no Python. Lengths are in MeV^-1 (a radius in fm divided by hbar c),
 * momenta in MeV, so every argument of a trigonometric function is q * length. Model
 * ids and status codes are in coh_status.h. Entry points (called by
 * coherency/_kernels.pyx) fill out[i] for i in [i0, i1) and return COH_OK or a
 * negative status; the rest are helpers for the other C files.
 */
#ifndef COH_FF_H
#define COH_FF_H

#include <stddef.h>
#include "coh_status.h"

/* The small-argument switch of the j1 series (see coh_ff.c). */
#define COH_J1_SERIES_MAX 1.0

#define COH_PI 3.14159265358979323846

/* One form factor: model id (COH_FF_*) and its two lengths, MeV^-1. */
typedef struct {
    int model;
    double p1;
    double p2;
} coh_ff_t;

/* ---- entry points ---- */

/* out[i] = j1(x[i]). */
int coh_spherical_j1(const double *x, double *out, ptrdiff_t i0, ptrdiff_t i1);
/* Helm form factor at q[i] >= 0 (Sharma & Wong (arXiv:2010.06810) Eq. 7); r0, s >= 0
 * (else COH_EBADARG). */
int coh_helm(const double *q, double r0, double s, double *out, ptrdiff_t i0,
             ptrdiff_t i1);
/* F(q[i]) of one model, q[i] >= 0; COH_EBADMODEL or COH_EBADARG when coh_ff_check
 * refuses ff. */
int coh_form_factor(const coh_ff_t *ff, const double *q, double *out, ptrdiff_t i0,
                    ptrdiff_t i1);

/* ---- helpers ---- */

/* 3 j1(x)/x, the hard-sphere form factor; 1 at x = 0, even in x. */
double coh_sphere_ff(double x);
/* j1(x) for any real x (odd). */
double coh_j1(double x);
/* F(q) for one checked model; q in MeV, q >= 0. */
double coh_ff_eval(const coh_ff_t *ff, double q);
/* COH_OK when ff is a known model (id below COH_FF_COUNT) with lengths >= 0 (c > 0
 * for the symmetrized Fermi), else COH_EBADMODEL or COH_EBADARG. */
int coh_ff_check(const coh_ff_t *ff);

/* Which Helm loop the CPU runs: a short human-readable description. */
const char *coh_simd_info(void);

#endif
