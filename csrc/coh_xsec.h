/* Cross sections of coherent elastic neutrino-nucleus scattering (Sharma & Wong
 * (arXiv:2010.06810) Eq. 1; docs/physics.md section 1).
 *
 * dsigma/dq2 = prefactor * (1 - q2/(4 E^2)) * Gamma(q2),
 * Gamma = (wz F_Z(q) - wn F_N(q))^2 with wz = eps Z, wn = N (Gamma_NP, Eq. 2).
 * Energies and masses in MeV, q2 in MeV^2; the prefactor carries the units of
 * the result (cm^2/MeV^2 from the Python layer). Plain C99, no Python. Entry points
 * fill out[i] for i in [i0, i1) and return COH_OK or a negative status.
 */
#ifndef COH_XSEC_H
#define COH_XSEC_H

#include <stddef.h>
#include "coh_ff.h"
#include "coh_status.h"

/* One target nucleus (coherency._records.NucleusSpec). */
typedef struct {
    double mass;       /* nuclear mass, MeV */
    double prefactor;  /* (1/2) G_F^2/(4 pi) in the caller's units */
    double wz;         /* eps * Z */
    double wn;         /* N */
    coh_ff_t ffz;      /* proton form factor */
    coh_ff_t ffn;      /* neutron form factor */
} coh_nucleus_t;

/* ---- entry points ---- */

/* dsigma/dq2 at pairs (q2[i], E[i]); 0 outside 0 <= q2 <= q2_max(E). COH_EBADMODEL or
 * COH_EBADARG when coh_nucleus_check refuses nuc. */
int coh_dsigma_dq2(const coh_nucleus_t *nuc, const double *q2, const double *E,
                   double *out, ptrdiff_t i0, ptrdiff_t i1);
/* sigma(E[i]) = int_{q2_min[i]}^{q2_max} dsigma/dq2 dq2, integrated in q = sqrt(q2)
 * (dq2 = 2 q dq) with a Gauss-Legendre rule (nodes gl_x in [-1, 1], weights gl_w,
 * n_gl >= 1 of them, else COH_EBADRULE) on panels no wider than panel_dq MeV
 * (panel_dq <= 0: one panel). An E[i] that is NaN or would need more than 2^20 panels
 * gives out[i] = NaN and COH_EBADARG (after the whole range is done). */
int coh_sigma_total(const coh_nucleus_t *nuc, const double *E, const double *q2_min,
                    double panel_dq, const double *gl_x, const double *gl_w,
                    ptrdiff_t n_gl, double *out, ptrdiff_t i0, ptrdiff_t i1);

/* ---- helpers ---- */

/* q2_max = 4 E^2 M / (M + 2E) */
double coh_q2_max(double E, double mass);
/* COH_OK for known models with valid lengths and mass > 0. */
int coh_nucleus_check(const coh_nucleus_t *nuc);

#endif
