/* Detector response: see coh_resp.h and docs/physics.md section 11.
 *
 * The special functions are written here from their mathematics:
 *
 * - t(a, x) = x^a e^-x / Gamma(a + 1), the common prefactor of P, Q and the Poisson
 *   probabilities. For a >= STIRLING_A_MIN it is exp(-stirlerr(a) - bd0(a, x)) /
 *   sqrt(2 pi a) with Stirling's error stirlerr(a) = ln Gamma(a + 1) - [(a + 1/2) ln a
 *   - a + ln sqrt(2 pi)] from its asymptotic series and the deviance bd0(a, x) =
 *   a ln(a/x) + x - a >= 0 from a series in v = (a - x)/(a + x) when x is near a:
 *   nothing of size a is subtracted, so t keeps its relative accuracy for large a
 *   (C. Loader, "Fast and accurate computation of binomial probabilities", 2000,
 *   describes the same split). Below, x^a e^-x / Gamma(a + 1) directly.
 * - P(a, x) = t(a, x) sum_{n>=0} x^n / ((a+1)...(a+n)) for x < a + 1 (DLMF section 8.7),
 *   stopped when the geometric bound on the tail is below half an ulp of the sum.
 * - Q(a, x) = a t(a, x) / (x + 1 - a - 1(1 - a)/(x + 3 - a - 2(2 - a)/(x + 5 - a -
 *   ...))) for x >= a + 1 (Legendre's continued fraction, DLMF section 8.9, in its even
 *   contraction), evaluated forward by the modified Lentz method.
 */
#include <float.h>
#include <math.h>
#include "coh_resp.h"

#define SQRT_2PI 2.50662827463100050242
#define INV_SQRT_2PI 0.39894228040143267794
#define SQRT1_2 0.70710678118654752440
/* Stirling's series for stirlerr(a) from here on: its first omitted term,
 * 3617/(122400 a^15), is 7e-20 at a = 15, 1e-17 of stirlerr(15). */
#define STIRLING_A_MIN 15.0
/* Most terms of the series or continued fraction: both need ~9 sqrt(a) near x = a,
 * 9e4 at COH_GAMMA_MAX_A. */
#define GAMMA_MAXIT 200000
/* Lentz's guard against a zero denominator. */
#define LENTZ_TINY 1e-300
/* A piece of the efficiency narrower than this fraction of the length over which the
 * density changes integrates by Gauss-Legendre on the density instead of through CDF
 * differences: those lose eps / (p w) relative (two CDF values of order 1 for an
 * integral p w), and the slope term multiplies the loss by |e1 - e0| / (p w^2 rate).
 * At the switch the CDF route is still good to ~eps |e1 - e0| / NARROW_PIECE absolute
 * (2e-13) and the 3-point rule to (NARROW_PIECE)^6 / 1e6 relative. */
#define NARROW_PIECE 1e-3
/* The Poisson sum starts this many standard deviations below the mean: P(n) <=
 * exp(-(mu - n)^2 / (2 mu)) there, below exp(-800), which is 0 in double. */
#define POISSON_LOWER_SIGMAS 40.0

/* Stirling's error ln Gamma(a + 1) - [(a + 1/2) ln a - a + ln sqrt(2 pi)] for a >=
 * STIRLING_A_MIN: sum_n B_2n / (2n (2n - 1) a^(2n-1)), n = 1..7. */
static double stirlerr(double a)
{
    double r = 1.0 / a;
    double r2 = r * r;
    return r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 * (1.0 / 1680.0
               - r2 * (1.0 / 1188.0 - r2 * (691.0 / 360360.0 - r2 / 156.0))))));
}

/* The deviance a ln(a/x) + x - a >= 0 for a, x > 0, finite. Near x = a, with v = (a - x)
 * / (a + x): a ln(a/x) = 2a (v + v^3/3 + v^5/5 + ...) and 2 a v - (a - x) = (a - x) v,
 * so every term is positive. */
static double bd0(double a, double x)
{
    double d = a - x;
    if (fabs(d) < 0.1 * (a + x)) {
        double v = d / (a + x);
        double v2 = v * v;
        double sum = d * v;
        double term = 2.0 * a * v;
        for (int j = 1; j < 100; ++j) {
            term *= v2;
            double next = sum + term / (double)(2 * j + 1);
            if (next == sum) {
                break;
            }
            sum = next;
        }
        return sum;
    }
    return a * log(a / x) + x - a;
}

/* What prefactor needs of a alone: stirlerr(a) for a >= STIRLING_A_MIN, else
 * Gamma(a + 1), in [0.88, 1.4e12] (tgamma, unlike lgamma, writes no global (signgam):
 * safe on the pool's threads). */
static double shape_constant(double a)
{
    return a >= STIRLING_A_MIN ? stirlerr(a) : tgamma(a + 1.0);
}

/* x^a e^-x / Gamma(a + 1) for a >= 0 and 0 < x < inf; g = shape_constant(a). */
static double prefactor(double a, double x, double g)
{
    if (a >= STIRLING_A_MIN) {
        return exp(-g - bd0(a, x)) / (SQRT_2PI * sqrt(a));
    }
    if (x < 700.0) {
        return pow(x, a) * exp(-x) / g;  /* exp(-x) > 1e-305: a normal number */
    }
    return exp(a * log(x) - x - log(g));
}

/* P(a, x), Q(a, x) and t = x^a e^-x / Gamma(a + 1) for 0 < a <= COH_GAMMA_MAX_A,
 * x >= 0 (x may be +inf); g = shape_constant(a). */
static void gamma_pq(double a, double x, double g, double *P, double *Q, double *t)
{
    if (x <= 0.0) {
        *P = 0.0;
        *Q = 1.0;
        *t = 0.0;
        return;
    }
    if (x == INFINITY) {
        *P = 1.0;
        *Q = 0.0;
        *t = 0.0;
        return;
    }
    double pre = prefactor(a, x, g);
    *t = pre;
    if (x < a + 1.0) {
        if (pre == 0.0) {  /* P < t (a + 1)/(a + 1 - x) underflows too */
            *P = 0.0;
            *Q = 1.0;
            return;
        }
        /* terms x^n / ((a+1)...(a+n)) decrease with ratio r_n = x/(a+n) < 1; the tail
         * after term n is below term_n r/(1 - r), r = x/(a + n + 1) */
        double sum = 1.0;
        double term = 1.0;
        for (int n = 1; n < GAMMA_MAXIT; ++n) {
            double an = a + (double)n;
            term *= x / an;
            sum += term;
            if (term * x <= 0.5 * DBL_EPSILON * sum * (an + 1.0 - x)) {
                break;
            }
        }
        double p = pre * sum;
        *P = p < 1.0 ? p : 1.0;
        *Q = 1.0 - *P;
        return;
    }
    if (pre == 0.0) {  /* Q = a t h with the continued fraction h < 1/(x + 1 - a) */
        *P = 1.0;
        *Q = 0.0;
        return;
    }
    /* modified Lentz: h = 1/(b0 - a1/(b1 - a2/(b2 - ...))), b_i = x + 2i + 1 - a,
     * a_i = i (i - a); b0 >= 2 here */
    double b = x + 1.0 - a;
    double c = 1.0 / LENTZ_TINY;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < GAMMA_MAXIT; ++i) {
        double an = -(double)i * ((double)i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < LENTZ_TINY) {
            d = LENTZ_TINY;
        }
        c = b + an / c;
        if (fabs(c) < LENTZ_TINY) {
            c = LENTZ_TINY;
        }
        d = 1.0 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) <= DBL_EPSILON) {
            break;
        }
    }
    double q = a * pre * h;
    *Q = q < 1.0 ? q : 1.0;
    *P = 1.0 - *Q;
}

static int bad_shape(double a)
{
    return !(a > 0.0 && a <= COH_GAMMA_MAX_A);
}

int coh_gammainc_pq(const double *a, const double *x, double *P, double *Q,
                    ptrdiff_t i0, ptrdiff_t i1)
{
    for (ptrdiff_t i = i0; i < i1; ++i) {
        double ai = a[i];
        double xi = x[i];
        if (bad_shape(ai) || !(xi >= 0.0)) {
            return COH_EBADARG;
        }
        double t;
        gamma_pq(ai, xi, shape_constant(ai), &P[i], &Q[i], &t);
    }
    return COH_OK;
}

double coh_poisson_pmf(double n, double mu)
{
    if (mu == 0.0) {
        return n == 0.0 ? 1.0 : 0.0;
    }
    if (n == 0.0) {
        return exp(-mu);
    }
    return prefactor(n, mu, shape_constant(n));
}

/* ---- checks ---- */

static int finite_nonneg(double v)
{
    return v >= 0.0 && v <= DBL_MAX;
}

int coh_resolution_check(const coh_resolution_t *res)
{
    switch (res->model) {
    case COH_RES_NONE:
    case COH_RES_POISSON:
        return COH_OK;
    case COH_RES_GAMMA:
        return finite_nonneg(res->p1) ? COH_OK : COH_EBADARG;
    case COH_RES_GAUSS:
        return finite_nonneg(res->p1) && finite_nonneg(res->p2) && finite_nonneg(res->p3)
                   ? COH_OK : COH_EBADARG;
    default:
        return COH_EBADRES;
    }
}

int coh_response_grid_check(const double *gx, const double *geps, ptrdiff_t n_grid,
                            const double *edges, ptrdiff_t n_edges)
{
    if (n_grid < 2 || n_edges < 2) {
        return COH_EBADGRID;
    }
    for (ptrdiff_t b = 0; b < n_edges; ++b) {
        if (!(fabs(edges[b]) <= DBL_MAX) || (b > 0 && !(edges[b] > edges[b - 1]))) {
            return COH_EBADGRID;
        }
    }
    if (gx[0] != edges[0] || gx[n_grid - 1] != edges[n_edges - 1]) {
        return COH_EBADGRID;
    }
    ptrdiff_t b = 1;  /* the next edge to find among the nodes */
    for (ptrdiff_t k = 0; k < n_grid; ++k) {
        if (!(geps[k] >= 0.0 && geps[k] <= 1.0) || !(fabs(gx[k]) <= DBL_MAX)
            || (k > 0 && !(gx[k] >= gx[k - 1]))) {
            return COH_EBADGRID;
        }
        if (b < n_edges && gx[k] > edges[b]) {
            return COH_EBADGRID;  /* edge b lies strictly between two nodes */
        }
        if (b < n_edges && gx[k] == edges[b]) {
            ++b;
        }
    }
    return b == n_edges ? COH_OK : COH_EBADGRID;
}

/* ---- the rows ---- */

/* eps at x (right-continuous piecewise linear), from node k on (gx[k] <= x); returns
 * the node index of x for the next, larger x. */
static double eps_at(const double *gx, const double *geps, ptrdiff_t n_grid, double x,
                     ptrdiff_t *k)
{
    ptrdiff_t j = *k;
    while (j + 1 < n_grid && gx[j + 1] <= x) {
        ++j;
    }
    *k = j;
    if (j + 1 >= n_grid) {
        return geps[n_grid - 1];
    }
    double w = gx[j + 1] - gx[j];  /* > 0: gx[j] <= x < gx[j + 1] */
    return geps[j] + (geps[j + 1] - geps[j]) * ((x - gx[j]) / w);
}

/* The first index i with v[i] > x in the increasing v[0 .. n-1] (n if none). */
static ptrdiff_t upper_bound(const double *v, ptrdiff_t n, double x)
{
    ptrdiff_t lo = 0;
    ptrdiff_t hi = n;
    while (lo < hi) {
        ptrdiff_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* A point mass at m: eps(m) into the bin that holds m. */
static void row_delta(double m, const double *gx, const double *geps, ptrdiff_t n_grid,
                      const double *edges, ptrdiff_t n_bins, double *row)
{
    if (!(m >= edges[0] && m < edges[n_bins])) {
        return;
    }
    ptrdiff_t b = upper_bound(edges, n_bins + 1, m) - 1;
    ptrdiff_t k = upper_bound(gx, n_grid, m) - 1;
    row[b] = eps_at(gx, geps, n_grid, m, &k);
}

/* Poisson: sum over the integers n in [edges[0], edges[n_bins]) from POISSON_LOWER_SIGMAS
 * standard deviations below m up to where P(n) underflows above m. */
static void row_poisson(double m, const double *gx, const double *geps, ptrdiff_t n_grid,
                        const double *edges, ptrdiff_t n_bins, double *row)
{
    double n = ceil(edges[0]);
    double start = floor(m - POISSON_LOWER_SIGMAS * sqrt(m)) - 1.0;
    if (n < start) {
        n = start;
    }
    if (n < 0.0) {
        n = 0.0;
    }
    double end = edges[n_bins];
    if (!(n < end)) {
        return;
    }
    ptrdiff_t b = upper_bound(edges, n_bins + 1, n) - 1;
    ptrdiff_t k = upper_bound(gx, n_grid, n) - 1;
    for (; n < end; n += 1.0) {
        double p = coh_poisson_pmf(n, m);
        if (p == 0.0 && n > m) {
            break;  /* P decreases above the mean: every later term is 0 too */
        }
        while (b + 1 < n_bins && n >= edges[b + 1]) {
            ++b;
        }
        row[b] += eps_at(gx, geps, n_grid, n, &k) * p;
    }
}

/* F, 1 - F and H at x for the gamma (shape k, scale theta, mean m) or the Gaussian
 * (mean m, width sigma): see coh_resp.h. */
typedef struct {
    int gamma;
    double m;
    double k;
    double theta;
    double g;      /* shape_constant(k) */
    double sigma;
} dist_t;

static void dist_at(const dist_t *dist, double x, double *F, double *Fc, double *H)
{
    if (dist->gamma) {
        double t;
        gamma_pq(dist->k, x / dist->theta, dist->g, F, Fc, &t);
        *H = dist->m * t;
        return;
    }
    double z = (x - dist->m) / dist->sigma;
    if (z < 0.0) {
        *F = 0.5 * erfc(-z * SQRT1_2);
        *Fc = 1.0 - *F;
    } else {
        *Fc = 0.5 * erfc(z * SQRT1_2);
        *F = 1.0 - *Fc;
    }
    *H = fabs(z) < 1e150 ? dist->sigma * INV_SQRT_2PI * exp(-0.5 * z * z) : 0.0;
}

/* max(|(ln p)'|, |(ln p)''|^(1/2)) at x (x > 0 for the gamma): the inverse of the length
 * over which the density changes. */
static double density_rate(const dist_t *dist, double x)
{
    double slope, curvature;
    if (dist->gamma) {
        double km1 = dist->k - 1.0;
        slope = fabs(km1 / x - 1.0 / dist->theta);
        curvature = sqrt(km1) / x;
    } else {
        slope = fabs(x - dist->m) / dist->sigma / dist->sigma;
        curvature = 1.0 / dist->sigma;
    }
    return slope > curvature ? slope : curvature;
}

/* The density p(x) (x > 0 for the gamma: p = k t(k, x/theta) / x). */
static double density(const dist_t *dist, double x)
{
    if (dist->gamma) {
        return dist->k / x * prefactor(dist->k, x / dist->theta, dist->g);
    }
    double z = (x - dist->m) / dist->sigma;
    return INV_SQRT_2PI / dist->sigma * exp(-0.5 * z * z);
}

/* integral_{x0}^{x0+w} eps(x) p(x) dx, eps linear from e0 to e1, by 3-point
 * Gauss-Legendre, for a piece narrow against the density (w density_rate <=
 * NARROW_PIECE): relative error below (w rate)^6 / 1e6, far under the rounding of the
 * CDF route there. */
static double piece_gauss(const dist_t *dist, double x0, double w, double e0, double e1)
{
    static const double tau[3] = {0.11270166537925831148, 0.5, 0.88729833462074168852};
    static const double weight[3] = {5.0 / 18.0, 8.0 / 18.0, 5.0 / 18.0};
    double sum = 0.0;
    for (int i = 0; i < 3; ++i) {  /* nodes x0 + w (1 -+ sqrt(3/5))/2 and the middle */
        sum += weight[i] * (e0 + (e1 - e0) * tau[i]) * density(dist, x0 + w * tau[i]);
    }
    return w * sum;
}

static void row_continuous(const dist_t *dist, const double *gx, const double *geps,
                           ptrdiff_t n_grid, const double *edges, ptrdiff_t n_bins,
                           double *row)
{
    double F0, Fc0, H0;
    dist_at(dist, gx[0], &F0, &Fc0, &H0);
    ptrdiff_t b = 0;
    for (ptrdiff_t k = 0; k + 1 < n_grid; ++k) {
        double x0 = gx[k];
        double x1 = gx[k + 1];
        if (!(x1 > x0)) {
            continue;  /* a jump of eps: no width */
        }
        while (b + 1 < n_bins && x0 >= edges[b + 1]) {
            ++b;
        }
        double F1, Fc1, H1;
        dist_at(dist, x1, &F1, &Fc1, &H1);
        double w = x1 - x0;
        double e0 = geps[k];
        double e1 = geps[k + 1];
        double piece;
        if ((!dist->gamma || x0 > 0.0)
            && w * density_rate(dist, x0 + 0.5 * w) <= NARROW_PIECE) {
            piece = piece_gauss(dist, x0, w, e0, e1);
        } else {
            /* the difference of the two small ones: no cancellation in either tail */
            double dF = Fc0 < 0.5 ? Fc0 - Fc1 : F1 - F0;
            piece = e0 * dF;
            if (e1 != e0 && (dF != 0.0 || H1 != H0)) {
                piece += (e1 - e0) * (((dist->m - x0) * dF - (H1 - H0)) / w);
            }
        }
        row[b] += piece;
        if (Fc1 == 0.0 && H1 == 0.0) {
            break;  /* nothing above x1 */
        }
        F0 = F1;
        Fc0 = Fc1;
        H0 = H1;
    }
}

int coh_response(const coh_resolution_t *res, const double *mu, const double *gx,
                 const double *geps, ptrdiff_t n_grid, const double *edges,
                 ptrdiff_t n_edges, double *out, ptrdiff_t i0, ptrdiff_t i1)
{
    int status = coh_resolution_check(res);
    if (status != COH_OK) {
        return status;
    }
    status = coh_response_grid_check(gx, geps, n_grid, edges, n_edges);
    if (status != COH_OK) {
        return status;
    }
    ptrdiff_t n_bins = n_edges - 1;
    for (ptrdiff_t j = i0; j < i1; ++j) {
        double m = mu[j];
        double *row = out + j * n_bins;
        if (!finite_nonneg(m)) {
            return COH_EBADARG;
        }
        for (ptrdiff_t b = 0; b < n_bins; ++b) {
            row[b] = 0.0;
        }
        dist_t dist = {0, m, 0.0, 0.0, 0.0, 0.0};
        switch (res->model) {
        case COH_RES_POISSON:
            if (m > COH_POISSON_MAX_MEAN) {
                return COH_EBADARG;
            }
            row_poisson(m, gx, geps, n_grid, edges, n_bins, row);
            continue;
        case COH_RES_GAMMA:
            dist.gamma = 1;
            dist.k = 1.0 + res->p1 * m;
            if (bad_shape(dist.k)) {
                return COH_EBADARG;
            }
            dist.theta = m / dist.k;
            dist.g = shape_constant(dist.k);
            if (dist.theta > 0.0) {
                row_continuous(&dist, gx, geps, n_grid, edges, n_bins, row);
                continue;
            }
            break;
        case COH_RES_GAUSS: {
            double s1 = res->p2 * sqrt(m);
            double s2 = res->p3 * m;
            dist.sigma = sqrt(res->p1 * res->p1 + s1 * s1 + s2 * s2);
            if (!(dist.sigma <= DBL_MAX)) {
                return COH_EBADARG;
            }
            if (dist.sigma > 0.0) {
                row_continuous(&dist, gx, geps, n_grid, edges, n_bins, row);
                continue;
            }
            break;
        }
        default:
            break;
        }
        row_delta(m, gx, geps, n_grid, edges, n_bins, row);
    }
    return COH_OK;
}
