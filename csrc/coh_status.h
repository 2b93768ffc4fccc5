/* Status codes, form-factor and resolution model ids shared by every C entry point.
 *
 * Plain C99, no Python. Every entry point (what coherency/_kernels.pyx calls) returns
 * COH_OK or one of the negative codes below; the comment after each code is the
 * message the Python layer shows. coherency/_status.py mirrors the codes,
 * coherency/_ff_models.py the form-factor ids and coherency/_records.py the
 * resolution ids: tests/test_kernel_convention.py parses this file and checks them.
 */
#ifndef COH_STATUS_H
#define COH_STATUS_H

/* ---- status codes (0 or negative; at least COH_STATUS_MIN) ---- */
#define COH_OK 0                /* success */
#define COH_EBADMODEL (-1)      /* unknown form-factor model id */
#define COH_EBADARG (-2)        /* argument outside the documented domain */
#define COH_EBADRULE (-3)       /* empty or malformed quadrature rule */
#define COH_EINTERRUPTED (-4)   /* interrupted by a signal (Ctrl-C) */
#define COH_EBADRES (-5)        /* unknown resolution model id */
#define COH_EBADGRID (-6)       /* efficiency grid does not match the bin edges */
#define COH_STATUS_MIN (-15)    /* lowest code an entry point may return (coh_pool.c) */

/* ---- form-factor models: ids 0 .. COH_FF_COUNT - 1 ----
 * Parameters p1, p2 are lengths in MeV^-1 (a radius in fm divided by hbar c). */
#define COH_FF_UNITY 0           /* F = 1 (complete coherency) */
#define COH_FF_HELM 1            /* p1 = R0, p2 = s: 3 j1(qR0)/(qR0) exp(-q^2 s^2/2) */
#define COH_FF_KLEIN_NYSTRAND 2  /* p1 = R_A, p2 = a: 3 j1(qR_A)/(qR_A) / (1 + q^2 a^2) */
#define COH_FF_SYMM_FERMI 3      /* p1 = c > 0, p2 = a: symmetrized Fermi, closed form */
#define COH_FF_COUNT 4           /* number of models */

/* ---- resolution models of the response matrix: ids 0 .. COH_RES_COUNT - 1 ----
 * P(x | mu) for a mean observable mu (docs/physics.md Eq. 11.3); parameters p1, p2,
 * p3 in units of the observable x (coh_resp.h). */
#define COH_RES_NONE 0           /* x = mu exactly */
#define COH_RES_POISSON 1        /* integer x, Poisson of mean mu */
#define COH_RES_GAMMA 2          /* p1 = beta: gamma of mean mu and shape 1 + beta mu */
#define COH_RES_GAUSS 3          /* p1, p2, p3 = s0, s1, s2: sigma^2 = s0^2 + s1^2 mu + s2^2 mu^2 */
#define COH_RES_COUNT 4          /* number of models */

#endif
