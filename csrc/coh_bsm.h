/* Physics beyond the Standard Model: the change of the CEvNS cross section that a model
 * of coherency.bsm brings, for one neutrino flavour and one nucleus (docs/physics.md
 * section 13).
 *
 * At momentum transfer q (q2 = q^2, MeV^2) the vector amplitude is
 *   a(q) = wz F_Z - wn F_N + sum over the terms of kind COH_BSM_SM of t(q)
 * (the Standard Model, 2 (Z g_V^p F_Z + N g_V^n F_N), with the running of g_V^p when
 * the couplings have one), and the model shifts it by
 *   d(q) = sum over the terms of kind COH_BSM_NEW of t(q),
 *   t(q) = (cz F_Z + cn F_N) x [Pi(q2, lep) - Pi(0, lep) if lep > 0, else 1]
 *                            x [1/(q2 + m2) if m2 >= 0, else 1],
 * Pi the one-loop vacuum polarisation of a lepton of mass lep (docs/physics.md Eq. 9.3).
 * Off-diagonal couplings add izz F_Z^2 + 2 izn F_Z F_N + inn F_N^2 incoherently; a scalar
 * mediator adds S = (sz F_Z + sn F_N)^2 q2/(q2 + ms2)^2, a magnetic moment F_Z^2. The
 * change of dsigma/dq2 at neutrino energy E is then
 *   pv (1 - q2/4E^2) [2 a d + d^2 + inc] + ps S/E^2
 *     + pm F_Z^2 [1/q2 - 1/(2 M E) + q2/(16 M^2 E^2)],
 * zero outside 0 < q2 <= q2_max(E). Folded with a flux, integral Phi(E) E^-k dE over
 * E >= E_min(q) being F_k (k = 0, 1, 2), the change of dN/dq2 is lin + quad with
 *   lin  = pv 2 a d K,                       K = max(F0 - q2 F2/4, 0),
 *   quad = pv (d^2 + inc) K + ps S F2 + pm F_Z^2 [F0/q2 - F1/(2M) + q2 F2/(16 M^2)]:
 * lin is linear in the model's couplings, quad quadratic, so a scan over a coupling
 * needs the two sums once. With no terms, no incoherent part and ps = pm = 0 every
 * result is exactly 0. Plain C99, no Python; entry points work on [i0, i1) and return
 * COH_OK or a negative status of coh_status.h.
 */
#ifndef COH_BSM_H
#define COH_BSM_H

#include <stddef.h>
#include "coh_ff.h"
#include "coh_status.h"

#define COH_BSM_TERM_SIZE 5   /* doubles per term: cz, cn, m2, lep, kind */
#define COH_BSM_SM 0.0        /* kind of a Standard-Model term (added to a) */
#define COH_BSM_NEW 1.0       /* kind of a term of the model (added to d) */
#define COH_BSM_MAX_TERMS 64  /* terms per model */
#define COH_BSM_BLOCK 256     /* q nodes per vectorised form-factor call */
#define COH_BSM_MAX_ROWS 4096 /* weight rows of a grid (coh_bsm_grid_t) */

/* One model, flavour and nucleus (coherency._records.BSMSpec). */
typedef struct {
    double mass;          /* nuclear mass M, MeV */
    coh_ff_t ffz;         /* proton form factor */
    coh_ff_t ffn;         /* neutron form factor */
    double pv;            /* prefactor of the vector part, cm^2/MeV^2 */
    double wz;            /* Standard-Model amplitude wz F_Z - wn F_N */
    double wn;
    ptrdiff_t n_terms;    /* len(terms) / COH_BSM_TERM_SIZE (derived) */
    const double *terms;  /* COH_BSM_TERM_SIZE doubles per term */
    double izz;           /* incoherent vector part */
    double izn;
    double inn;
    double ps;            /* scalar mediator: prefactor, cm^2 */
    double sz;            /* scalar charges on F_Z and F_N */
    double sn;
    double ms2;           /* scalar mediator mass squared, MeV^2 */
    double pm;            /* magnetic moment: prefactor, cm^2 (Z^2 included) */
} coh_bsm_t;

/* ---- entry points ---- */

/* Change of dsigma/dq2 (cm^2/MeV^2) at pairs (q2[i], E[i]); 0 outside
 * 0 < q2 <= q2_max(E). COH_EBADMODEL / COH_EBADARG when coh_bsm_check refuses m. */
int coh_bsm_dsigma_dq2(const coh_bsm_t *m, const double *q2, const double *E,
                       double *out, ptrdiff_t i0, ptrdiff_t i1);

/* Change of sigma(E[i]) above q2_min[i] (cm^2): the q integral of coh_bsm_dsigma_dq2
 * (dq2 = 2 q dq) with the Gauss-Legendre rule (gl_x, gl_w; n_gl >= 1, else
 * COH_EBADRULE) on panels that double in width from q_lo = sqrt(q2_min) (from
 * coh_bsm_floor when q_lo = 0, after one panel [0, floor]) and are no wider than
 * panel_dq MeV. More than 2^20 panels give out[i] = NaN and COH_EBADARG. */
int coh_bsm_sigma(const coh_bsm_t *m, const double *E, const double *q2_min,
                  double panel_dq, const double *gl_x, const double *gl_w,
                  ptrdiff_t n_gl, double *out, ptrdiff_t i0, ptrdiff_t i1);

/* The folded change at q2[i] > 0 with the flux moments F0[i], F1[i], F2[i]:
 * lin[i] and quad[i] of the header notes (cm^2/MeV^2 x flux). */
int coh_bsm_parts(const coh_bsm_t *m, const double *q2, const double *F0,
                  const double *F1, const double *F2, double *lin, double *quad,
                  ptrdiff_t i0, ptrdiff_t i1);

/* ---- grids of points: coherency.bsm.batch ----
 *
 * At a fixed mediator mass the change of a rate is a polynomial of degree two in the
 * model's linear parameters lambda_k (k < K; docs/physics.md Eq. 13.10):
 *   N(lambda, m) = sum_k lambda_k (L_k(m) + sum_l lambda_l Q_kl(m)).
 * A grid is K unit models (each with its lambda_k = 1) and pieces, one per flavour part
 * of the source and nucleus of the target, each with its q nodes, flux moments and
 * n_rows rows of weights (one row for a count, one per observed bin for a spectrum).
 * Three stages: coh_bsm_grid_nodes evaluates what does not depend on the mass at each
 * node of each record (chunks of records), coh_bsm_grid_fold sums the parts over the
 * nodes for every mass and row (chunks of masses), coh_bsm_grid_combine evaluates the
 * polynomial at every point (chunks of points). */

#define COH_BSM_LANES 8       /* partial sums of one weighted sum, added pairwise */
#define COH_BSM_MAX_UNITS 64  /* linear parameters of a grid */
#define COH_BSM_NODE_SIZE 7   /* doubles per node and record of coh_bsm_grid_nodes */

/* One flavour part on one nucleus (coherency._records.BSMPiece). */
typedef struct {
    ptrdiff_t n_specs;       /* len(specs) = K (K + 1)/2 (derived) */
    const coh_bsm_t *specs;  /* the K unit models, then each pair (k, l), k < l, in order */
    ptrdiff_t n_nodes;       /* len(q2) (derived) */
    const double *q2;        /* nodes, MeV^2 (> 0) */
    const double *F0;        /* flux moments at the nodes */
    const double *F1;
    const double *F2;
    const double *W;         /* n_rows x n_nodes weights (>= 0) */
} coh_bsm_piece_t;

/* A grid's model and pieces (coherency._records.BSMGrid). */
typedef struct {
    ptrdiff_t n_units;               /* K, 1 <= K <= COH_BSM_MAX_UNITS */
    ptrdiff_t n_rows;                /* rows of weights, 1 <= n_rows <= COH_BSM_MAX_ROWS */
    ptrdiff_t n_pieces;              /* len(pieces) (derived) */
    const coh_bsm_piece_t *pieces;
} coh_bsm_grid_t;

/* Stage 1: the per-node quantities of records i0 .. i1 - 1 (the records of the pieces
 * in order, each piece's specs in order) into work, COH_BSM_NODE_SIZE x n_nodes
 * doubles per record, the records one after the other. With override set the mediator
 * masses of the records are left for stage 2 to replace; else the records' own
 * masses are used. COH_EBADARG for counts outside their ranges; the statuses of
 * coh_bsm_check for the records. */
int coh_bsm_grid_nodes(const coh_bsm_grid_t *g, int override, double *work,
                       ptrdiff_t i0, ptrdiff_t i1);

/* Stage 2: the coefficients of the grid g (work from stage 1) for the masses k in
 * [i0, i1) of m2 (MeV^2; the mediator mass squared of every COH_BSM_NEW term with
 * m2 >= 0, and ms2, replaced by m2[k]; stage 1 with override set), or, with m2 NULL and n_masses = 1,
 * for the records' own masses (stage 1 without override):
 *   L[(u n_masses + k) n_rows + r] = sum over pieces p of scale[p] x (the weighted
 *     sum over p's nodes of lin of unit model u with row r of p's weights),
 *   Q[((u K + v) n_masses + k) n_rows + r] the same of quad, u = v for the unit
 *     models and Q_uv = Q_vu = (quad of the pair record - quad of u - quad of v)/2.
 * Each weighted sum runs over blocks of COH_BSM_BLOCK nodes in order, each block in
 * COH_BSM_LANES partial sums (node j to sum j mod COH_BSM_LANES) added pairwise and
 * times scale[p] added to the coefficient, so a mass's coefficients depend on its own
 * mass only. COH_EBADARG for counts outside their ranges. */
int coh_bsm_grid_fold(const coh_bsm_grid_t *g, const double *work, const double *scale,
                      const double *m2, ptrdiff_t n_masses, double *L, double *Q,
                      ptrdiff_t i0, ptrdiff_t i1);

/* Stage 3: the grid's values at points p in [i0, i1): out[r n_points + p] =
 * sum_u lambda_u (L[u, k, r] + sum_v lambda_v Q[u, v, k, r]), lambda_u =
 * lambdas[u n_points + p], k = mass_index[p] (0 when mass_index is NULL), L and Q
 * laid out as by coh_bsm_grid_fold. COH_EBADARG for a mass index outside
 * [0, n_masses) or counts outside their ranges. */
int coh_bsm_grid_combine(ptrdiff_t n_units, ptrdiff_t n_masses, ptrdiff_t n_rows,
                         const double *L, const double *Q, const double *lambdas,
                         const long long *mass_index, ptrdiff_t n_points, double *out,
                         ptrdiff_t i0, ptrdiff_t i1);

/* ---- helpers ---- */

/* Pi(q2, lep) - Pi(0, lep), q2 >= 0, lep > 0 (docs/physics.md Eq. 9.3). */
double coh_vacuum_polarization(double q2, double lep);
/* Smallest momentum scale of the model's terms (sqrt(m2) > 0, lep > 0, sqrt(ms2) > 0
 * of a scalar) over 8, or 0 without one: where coh_bsm_sigma starts doubling from 0. */
double coh_bsm_floor(const coh_bsm_t *m);
/* COH_OK for known form-factor models with valid lengths, mass > 0 and at most
 * COH_BSM_MAX_TERMS terms. */
int coh_bsm_check(const coh_bsm_t *m);

#endif
