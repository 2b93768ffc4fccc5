/* Form factors: see coh_ff.h. References: Helm, Phys. Rev. 104 (1956) 1466;
 * Lewin & Smith, Astropart. Phys. 6 (1996) 87; Klein & Nystrand, PRC 60 (1999)
 * 014903; symmetrized Fermi: Sprung & Martorell, J. Phys. A 30 (1997) 6525. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "coh_ff.h"
#include "coh_simd.h"

/* Vector math on x86-64 Linux with gcc: glibc's libmvec (glibc >= 2.22) has SIMD
 * sin/cos/exp (_ZGVdN4v_sin, _ZGVeN8v_sin, ...), but <math.h> declares them
 * SIMD-callable only under -ffast-math. We declare them ourselves and compile the
 * form-factor loops for three ISA levels (COH_CLONES, coh_simd.h). Elsewhere:
 * scalar libm. */
#ifdef COH_HAVE_MVEC
/* Aliases under the libm names: as plain "sin"/"cos" gcc would fuse the pair into
 * __builtin_cexpi, which has no vector version. */
double coh_vsin(double) __asm__("sin") __attribute__((const, nothrow, simd("notinbranch")));
double coh_vcos(double) __asm__("cos") __attribute__((const, nothrow, simd("notinbranch")));
double coh_vexp(double) __asm__("exp") __attribute__((const, nothrow, simd("notinbranch")));
#else
#define coh_vsin sin
#define coh_vcos cos
#define coh_vexp exp
#endif

/* Exact select of a or b on their bit patterns: a ternary would be turned into a
 * branch around the calls, which stops the vectoriser. */
static inline double select_bits(int cond, double a, double b)
{
    uint64_t ua, ub, r;
    double d;
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    uint64_t mask = (uint64_t)0 - (uint64_t)(cond != 0);
    r = (ua & mask) | (ub & ~mask);
    memcpy(&d, &r, sizeof d);
    return d;
}

/* 3 j1(x)/x = sum_k (-1)^k 3 x^(2k) / (2^k k! (2k+3)!!)  (docs/physics.md section 3).
 * Below x = 1 the terms through k = 9 leave a truncation error under 3e-20;
 * above it the closed form (sin x - x cos x) 3/x^3 loses at most a factor ~3 to
 * cancellation (~4e-16 relative at x = 1). */
static const double SPHERE_SERIES[10] = {
    1.0,
    -1.0 / 10.0,
    1.0 / 280.0,
    -1.0 / 15120.0,
    1.0 / 1330560.0,
    -1.0 / 172972800.0,
    1.0 / 31135104000.0,
    -1.0 / 7410154752000.0,
    1.0 / 2252687044608000.0,
    -1.0 / 851515702861824000.0,
};

/* Above this x, |3 j1(x)/x| < 1e-199 and is returned as 0 (no inf * 0 = NaN when q R
 * overflows for huge q or R). */
#define COH_SPHERE_ZERO_X 1e100

static inline double sphere_series(double x2)
{
    /* Horner, written out so that loops calling it stay free of control flow. */
    const double *c = SPHERE_SERIES;
    return c[0] + x2 * (c[1] + x2 * (c[2] + x2 * (c[3] + x2 * (c[4] + x2 * (c[5]
           + x2 * (c[6] + x2 * (c[7] + x2 * (c[8] + x2 * c[9]))))))));
}

double coh_sphere_ff(double x)
{
    double ax = fabs(x);
    if (ax < COH_J1_SERIES_MAX) {
        return sphere_series(ax * ax);
    }
    if (ax > COH_SPHERE_ZERO_X) {
        return 0.0;  /* |3 j1(x)/x| <= 3 (1 + x)/x^3 < 1e-199; x^3 or sin(inf) would give NaN */
    }
    return 3.0 * (sin(ax) - ax * cos(ax)) / (ax * ax * ax);
}

double coh_j1(double x)
{
    double ax = fabs(x);
    if (ax < COH_J1_SERIES_MAX) {
        return x * sphere_series(ax * ax) / 3.0;
    }
    return (sin(x) / x - cos(x)) / x;
}

/* Coefficients printed by mpmath (2^(2n) B_2n/(2n)!, 21 digits).
 * y coth(y) - 1 = sum_{n>=1} 2^(2n) B_2n y^(2n) / (2n)!. For y < 0.5 eleven terms
 * leave < 1e-18 relative; above, the closed form loses at most ~14x to cancellation. */
static const double YCOTH_SERIES[11] = {
    3.33333333333333333333e-1,
    -2.22222222222222222222e-2,
    2.11640211640211640212e-3,
    -2.11640211640211640212e-4,
    2.13777991555769333547e-5,
    -2.16440428080639720851e-6,
    2.19259478518737777997e-7,
    -2.22146087899796790761e-8,
    2.25078465168089928542e-9,
    -2.28051512045921828659e-10,
    2.31064325990026240965e-11,
};

/* Coefficients printed by mpmath (40 digits, rounded to 21).
 * y/sinh(y) = sum_{n>=0} c_n y^(2n); for y < 0.5 eleven terms leave < 6e-18
 * relative. */
static const double YSINH_SERIES[11] = {
    1.0,
    -1.66666666666666666667e-1,
    1.94444444444444444444e-2,
    -2.05026455026455026455e-3,
    2.09986772486772486772e-4,
    -2.13360456416011971568e-5,
    2.16334744277865970988e-6,
    -2.19232713445676408639e-7,
    2.22139308539204145595e-8,
    -2.25076747955678672973e-9,
    2.28051077072182117046e-10,
};

static inline double horner11(const double *c, double y2)
{
    /* written out so that loops calling it stay free of control flow */
    return c[0] + y2 * (c[1] + y2 * (c[2] + y2 * (c[3] + y2 * (c[4] + y2 * (c[5]
           + y2 * (c[6] + y2 * (c[7] + y2 * (c[8] + y2 * (c[9] + y2 * c[10])))))))));
}

/* Symmetrized Fermi: F = 3/(x (x^2 + y^2)) * y/sinh(y) * [y coth(y) sin x - x cos x],
 * x = q c, y = pi q a, for q >= 0. Written as [(y coth y - 1) sin x + (sin x - x cos x)],
 * a sum of two terms computed without cancellation, so F(0) = 1 to rounding.
 * Branch-free, so that the array loop vectorises (libmvec sin, cos, exp): below
 * y = 0.5, y/sinh y and y coth y - 1 come from their series; above, from e = exp(-y),
 *   y/sinh y = 2 y e / (1 - e^2),   y coth y - 1 = y (1 + e^2)/(1 - e^2) - 1
 * (1 - e^2 >= 0.63 there: no cancellation; the last subtraction loses at most ~14x,
 * at y = 0.5). sin x - x cos x is x^3 (3 j1(x)/x)/3, from its series below x = 1.
 * Exact selects keep one of each pair (the other may be 0/0 or inf). */
static inline double symm_fermi(double q, double c, double a)
{
    double x = q * c;
    double y = COH_PI * q * a;
    double x2 = x * x;
    double y2 = y * y;
    double r2 = x2 + y2;
    double e = coh_vexp(-y);
    double e2 = e * e;
    double den = 1.0 - e2;
    int small_y = y < 0.5;
    double yshy = select_bits(small_y, horner11(YSINH_SERIES, y2), 2.0 * y * e / den);
    double ycm1 = select_bits(small_y, y2 * horner11(YCOTH_SERIES, y2),
                              y * (1.0 + e2) / den - 1.0);
    double sx = coh_vsin(x);
    double t = select_bits(x < COH_J1_SERIES_MAX, x * x2 * sphere_series(x2) / 3.0,
                           sx - x * coh_vcos(x));
    double f = 3.0 * yshy * (ycm1 * sx + t) / (x * r2);
    /* Moment expansion 1 - q^2 <r^2>/6 with <r^2> = 3/5 c^2 + 7/5 pi^2 a^2 where
     * r2 < 1e-10: the q^4 term is < 1e-20 there, and x (x^2 + y^2) would underflow. */
    f = select_bits(r2 < 1e-10, 1.0 - (3.0 * x2 + 7.0 * y2) / 30.0, f);
    /* |F| <= 3 (y/sinh y) (y + x)/(x r2) < 1e-199: zero, where the terms above
     * would overflow (x^3, r2) into inf * 0 = NaN. */
    return select_bits((y > 700.0) | (x > 1e100), 0.0, f);
}

static double helm(double q, double r0, double s)
{
    double qs = q * s;
    return coh_sphere_ff(q * r0) * exp(-0.5 * qs * qs);
}

double coh_ff_eval(const coh_ff_t *ff, double q)
{
    switch (ff->model) {
    case COH_FF_UNITY:
        return 1.0;
    case COH_FF_HELM:
        return helm(q, ff->p1, ff->p2);
    case COH_FF_KLEIN_NYSTRAND: {
        double qa = q * ff->p2;
        return coh_sphere_ff(q * ff->p1) / (1.0 + qa * qa);
    }
    case COH_FF_SYMM_FERMI:
        return symm_fermi(q, ff->p1, ff->p2);
    default:
        return NAN;
    }
}

int coh_ff_check(const coh_ff_t *ff)
{
    if (ff->model < 0 || ff->model >= COH_FF_COUNT) {
        return COH_EBADMODEL;
    }
    if (!(ff->p1 >= 0.0) || !(ff->p2 >= 0.0)) {
        return COH_EBADARG;
    }
    if (ff->model == COH_FF_SYMM_FERMI && !(ff->p1 > 0.0)) {
        return COH_EBADARG;
    }
    return COH_OK;
}

/* 3 j1(x)/x for x >= 0 without control flow (inlined into the vector loops): both the
 * series and the closed form are computed and one is kept by an exact select; the
 * closed form's 0/0 at x = 0 is discarded, and x overflowing to inf gives 0. */
static inline double sphere_select(double x)
{
    double x2 = x * x;
    double series = sphere_series(x2);
    double closed = 3.0 * (coh_vsin(x) - x * coh_vcos(x)) / (x * x2);
    double f = select_bits(x < COH_J1_SERIES_MAX, series, closed);
    return select_bits(x > COH_SPHERE_ZERO_X, 0.0, f);
}

/* Branch-free j1 loop (same formulas as coh_j1, a select instead of the branch). */
COH_CLONES
static void j1_loop(const double *restrict x, double *restrict out, ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; ++i) {
        double xi = x[i];
        double ax = fabs(xi);
        double series = xi * sphere_series(ax * ax) / 3.0;
        double closed = (coh_vsin(xi) / xi - coh_vcos(xi)) / xi;
        out[i] = select_bits(ax < COH_J1_SERIES_MAX, series, closed);
    }
}

int coh_spherical_j1(const double *x, double *out, ptrdiff_t i0, ptrdiff_t i1)
{
    if (i1 > i0) {
        j1_loop(x + i0, out + i0, i1 - i0);
    }
    return COH_OK;
}

/* Branch-free Klein-Nystrand loop for q >= 0: 3 j1(qR)/(qR) / (1 + (q a)^2). */
COH_CLONES
static void kn_loop(const double *restrict q, double *restrict out, ptrdiff_t n,
                    double r, double a)
{
    for (ptrdiff_t i = 0; i < n; ++i) {
        double qa = q[i] * a;
        out[i] = sphere_select(q[i] * r) / (1.0 + qa * qa);
    }
}

/* Symmetrized Fermi loop for q >= 0 (symm_fermi is branch-free). */
COH_CLONES
static void sf_loop(const double *restrict q, double *restrict out, ptrdiff_t n,
                    double c, double a)
{
    for (ptrdiff_t i = 0; i < n; ++i) {
        out[i] = symm_fermi(q[i], c, a);
    }
}

/* Branch-free Helm loop for q >= 0 (the vectoriser needs a select, not a branch):
 * both the series and the closed form are computed and one is kept; the closed
 * form's 0/0 at x = 0 is discarded by the select. */
COH_CLONES
static void helm_loop(const double *restrict q, double *restrict out, ptrdiff_t n,
                      double r0, double s)
{
    for (ptrdiff_t i = 0; i < n; ++i) {
        double qs = q[i] * s;
        out[i] = sphere_select(q[i] * r0) * coh_vexp(-0.5 * qs * qs);
    }
}

int coh_helm(const double *q, double r0, double s, double *out, ptrdiff_t i0,
             ptrdiff_t i1)
{
    if (!(r0 >= 0.0) || !(s >= 0.0)) {
        return COH_EBADARG;
    }
    if (i1 > i0) {
        helm_loop(q + i0, out + i0, i1 - i0, r0, s);
    }
    return COH_OK;
}

const char *coh_simd_info(void)
{
#ifdef COH_HAVE_MVEC
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        return "x86-64-v4 (AVX-512, libmvec)";
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return "x86-64-v3 (AVX2, libmvec)";
    }
    return "x86-64 baseline (scalar libm)";
#else
    return "scalar libm";
#endif
}

int coh_form_factor(const coh_ff_t *ff, const double *q, double *out, ptrdiff_t i0,
                    ptrdiff_t i1)
{
    int status = coh_ff_check(ff);
    if (status != COH_OK) {
        return status;
    }
    if (!(i1 > i0)) {
        return COH_OK;
    }
    q += i0;
    out += i0;
    ptrdiff_t n = i1 - i0;
    switch (ff->model) {
    case COH_FF_HELM:
        helm_loop(q, out, n, ff->p1, ff->p2);
        break;
    case COH_FF_KLEIN_NYSTRAND:
        kn_loop(q, out, n, ff->p1, ff->p2);
        break;
    case COH_FF_SYMM_FERMI:
        sf_loop(q, out, n, ff->p1, ff->p2);
        break;
    default:
        for (ptrdiff_t i = 0; i < n; ++i) {
            out[i] = coh_ff_eval(ff, q[i]);
        }
    }
    return COH_OK;
}
