/* Cross sections of coherent elastic neutrino-nucleus scattering (seed Eq. 1).
 *
 * dsigma/dq2 = prefactor * (1 - q2/(4 E^2)) * Gamma(q2),
 * Gamma = (wz F_Z(q) - wn F_N(q))^2 with wz = eps Z, wn = N (Gamma_NP, Eq. 2).
 * Energies and masses in MeV, q2 in MeV^2; the prefactor carries the units of
 * the result (cm^2/MeV^2 from the Python layer). Plain C99, no Python.
 */
#ifndef COH_XSEC_H
#define COH_XSEC_H

#include <stddef.h>
#include "coh_ff.h"

typedef struct {
    double mass;       /* nuclear mass, MeV */
    double prefactor;  /* (1/2) G_F^2/(4 pi) in the caller's units */
    double wz;         /* eps * Z */
    double wn;         /* N */
    coh_ff_t ffz;      /* proton form factor */
    coh_ff_t ffn;      /* neutron form factor */
} coh_nucleus_t;

#define COH_EBADRULE (-3)  /* empty or malformed quadrature rule */

/* q2_max = 4 E^2 M / (M + 2E) */
double coh_q2_max(double E, double mass);
/* Gamma_NP at momentum q (MeV). */
double coh_gamma(const coh_nucleus_t *nuc, double q);
/* dsigma/dq2 at one point; 0 outside 0 <= q2 <= q2_max(E). */
double coh_dsigma_dq2(const coh_nucleus_t *nuc, double q2, double E);
/* sigma(E) = int_{q2_min}^{q2_max} dsigma/dq2 dq2, integrated in q = sqrt(q2)
 * (dq2 = 2 q dq) with a Gauss-Legendre rule (nodes gl_x in [-1, 1], weights gl_w)
 * on panels no wider than panel_dq MeV (panel_dq <= 0: one panel). */
double coh_sigma_total(const coh_nucleus_t *nuc, double E, double q2_min,
                       double panel_dq, const double *gl_x, const double *gl_w,
                       ptrdiff_t n_gl);

int coh_nucleus_check(const coh_nucleus_t *nuc);
int coh_dsigma_dq2_array(const coh_nucleus_t *nuc, const double *q2, const double *E,
                         double *out, ptrdiff_t n);
int coh_sigma_total_array(const coh_nucleus_t *nuc, const double *E, const double *q2_min,
                          double *out, ptrdiff_t n, double panel_dq,
                          const double *gl_x, const double *gl_w, ptrdiff_t n_gl);

#endif
