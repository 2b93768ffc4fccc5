/* Nuclear form factors and the spherical Bessel function j1.
 *
 * Plain C99, no Python. Lengths are in MeV^-1 (a radius in fm divided by hbar c),
 * momenta in MeV, so every argument of a trigonometric function is q * length.
 * Every array function returns 0 on success or a negative COH_E* status.
 */
#ifndef COH_FF_H
#define COH_FF_H

#include <stddef.h>

#define COH_OK 0
#define COH_EBADMODEL (-1)  /* unknown form-factor model id */
#define COH_EBADARG (-2)    /* argument outside the documented domain */

/* Form-factor models; parameters p1, p2 are lengths in MeV^-1. */
#define COH_FF_UNITY 0      /* F = 1 (complete coherency) */
#define COH_FF_HELM 1       /* p1 = R0, p2 = s: 3 j1(qR0)/(qR0) exp(-q^2 s^2/2) */
#define COH_FF_KLEIN_NYSTRAND 2  /* p1 = R_A, p2 = a: 3 j1(qR_A)/(qR_A) / (1 + q^2 a^2) */
#define COH_FF_SYMM_FERMI 3  /* p1 = c, p2 = a: symmetrized Fermi, exact closed form */

/* The small-argument switch of the j1 series (see coh_ff.c). */
#define COH_J1_SERIES_MAX 1.0

#define COH_PI 3.14159265358979323846

typedef struct {
    int model;
    double p1;
    double p2;
} coh_ff_t;

/* 3 j1(x)/x, the hard-sphere form factor; 1 at x = 0, even in x. */
double coh_sphere_ff(double x);
/* j1(x) for any real x (odd). */
double coh_j1(double x);
/* F(q) for one model; q in MeV, q >= 0. */
double coh_ff_eval(const coh_ff_t *ff, double q);
int coh_ff_check(const coh_ff_t *ff);

int coh_spherical_j1_array(const double *x, double *out, ptrdiff_t n);
int coh_helm_array(const double *q, double *out, ptrdiff_t n, double r0, double s);
int coh_form_factor_array(const double *q, double *out, ptrdiff_t n, const coh_ff_t *ff);

/* Which Helm loop the CPU runs: a short human-readable description. */
const char *coh_simd_info(void);

#endif
