/* Detector response: the matrix from true-recoil nodes to observed bins, and the
 * regularised incomplete gamma function it needs (docs/physics.md section 11).
 *
 * For a node j with mean observable mu_j (photoelectrons or keVee: the unit of the
 * observable x) and observed bins [edges[b], edges[b+1]),
 *
 *   R[b, j] = integral_{edges[b]}^{edges[b+1]} eps(x) P(x | mu_j) dx      (Eq. 11.5)
 *
 * with eps piecewise linear on the grid (gx[k], geps[k]) and P one of the resolution
 * models COH_RES_* of coh_status.h (Eq. 11.3). Each linear piece integrates exactly
 * through the distribution's CDF F and first moment:
 *
 *   integral_{x0}^{x1} (e0 + s (x - x0)) p(x) dx = e0 dF + s [(mu - x0) dF - dH]
 *
 * with H = mu x^k e^-x / Gamma(k + 1) at x/theta for the gamma distribution (shape k,
 * scale theta, mean mu = k theta) and H = sigma phi((x - mu)/sigma) for the Gaussian;
 * a piece narrower than 1e-3 of the length over which the density changes integrates
 * by 3-point Gauss-Legendre on the density instead (CDF differences lose eps/(p w)
 * there; the rule is exact to rounding). Poisson: R[b, j] = sum of eps(n) P(n | mu_j) over the integers n in the bin. A
 * degenerate distribution (no smearing, sigma = 0, or the gamma of mean 0) is a point
 * mass at mu: R[b, j] = eps(mu) in the bin that holds mu.
 *
 * Conventions: bins are half-open [edges[b], edges[b+1]); eps is right-continuous (a
 * jump of the efficiency is a repeated grid abscissa: the first copy carries the left
 * limit, the last the value from there on); every bin edge is a grid node and the grid
 * spans exactly [edges[0], edges[n_edges - 1]] (coh_response refuses anything else
 * with COH_EBADGRID).
 *
 * The kernel works on nodes: out holds R transposed, row j (n_edges - 1 values) for
 * node j, and coh_response fills the rows of nodes [i0, i1), each summed from zero in
 * grid order, so the result does not depend on how nodes are split between threads.
 * Plain C99, no Python, no allocation.
 */
#ifndef COH_RESP_H
#define COH_RESP_H

#include <stddef.h>
#include "coh_status.h"

/* Largest shape a of the incomplete gamma (and of the gamma resolution model): the
 * series and continued fraction take O(sqrt(a)) terms, ~1e5 at the limit. */
#define COH_GAMMA_MAX_A 1e8
/* Largest Poisson mean: the sum runs over O(sqrt(mu)) integers around mu. */
#define COH_POISSON_MAX_MEAN 1e8

/* A resolution model (coherency._records.ResolutionParams): id COH_RES_* and its
 * parameters in units of the observable (see coh_status.h). */
typedef struct {
    int model;
    double p1;
    double p2;
    double p3;
} coh_resolution_t;

/* ---- entry points ---- */

/* P[i] = P(a[i], x[i]) and Q[i] = Q(a[i], x[i]) = 1 - P[i], the regularised lower
 * and upper incomplete gamma functions, for 0 < a[i] <= COH_GAMMA_MAX_A and
 * 0 <= x[i] <= +inf (else COH_EBADARG). The smaller of P and Q is computed directly
 * (series for P when x < a + 1, continued fraction for Q otherwise), the other as its
 * complement. */
int coh_gammainc_pq(const double *a, const double *x, double *P, double *Q,
                    ptrdiff_t i0, ptrdiff_t i1);

/* Rows i in [i0, i1) of R^T: out[i (n_edges - 1) + b] = R[b, i] for the mean mu[i]
 * (finite, >= 0; at most COH_POISSON_MAX_MEAN for Poisson; gamma shape at most
 * COH_GAMMA_MAX_A; else COH_EBADARG). COH_EBADRES for an unknown model id, COH_EBADARG
 * for parameters that are negative or not finite, COH_EBADGRID when the grid breaks
 * the conventions above (n_grid >= 2 finite nondecreasing abscissae from edges[0] to
 * edges[n_edges - 1] holding every edge, geps in [0, 1], n_edges >= 2 increasing
 * finite edges). */
int coh_response(const coh_resolution_t *res, const double *mu, const double *gx,
                 const double *geps, ptrdiff_t n_grid, const double *edges,
                 ptrdiff_t n_edges, double *out, ptrdiff_t i0, ptrdiff_t i1);

/* ---- helpers ---- */

/* COH_OK, COH_EBADRES or COH_EBADARG for a resolution model (as coh_response). */
int coh_resolution_check(const coh_resolution_t *res);
/* COH_OK or COH_EBADGRID for an efficiency grid and bin edges (as coh_response). */
int coh_response_grid_check(const double *gx, const double *geps, ptrdiff_t n_grid,
                            const double *edges, ptrdiff_t n_edges);
/* The Poisson probability mu^n e^-mu / n! for an integer n >= 0 and mu >= 0. */
double coh_poisson_pmf(double n, double mu);

#endif
