/* Fuzz driver for the C kernels in csrc/ (issue 9).
 *
 * Calls every exported coh_* array function (and the scalar helpers behind them,
 * and the folded-moment and Chebyshev routines of coh_rate.c)
 * with random lengths (0, 1 and up to FUZZ_MAX_N), random and extreme doubles (NaN,
 * +-inf, denormals, +-huge, negative, zero), bad form-factor model ids and bad
 * quadrature rules. Every array lives in its own heap block of exactly the size the
 * kernel may touch, so AddressSanitizer reports any read or write past the end;
 * UndefinedBehaviorSanitizer reports overflowing casts and other UB. Build and run
 * with tools/fuzz_kernels.sh.
 *
 * Checked besides memory safety: a kernel returns 0 or a documented negative status
 * (and rejects an empty quadrature rule); |j1| <= 0.5 and |F| <= 1 for finite q >= 0;
 * with a valid nucleus (what the Python layer hands over), finite q2 >= 0 and finite
 * E > 0, dsigma/dq2 is finite and >= 0 and sigma_total is finite.
 *
 * Usage: fuzz_kernels [iterations] [seed]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coh_ff.h"
#include "coh_xsec.h"
#include "coh_rate.h"

#define FUZZ_MAX_N 64
/* Panel count the fuzzer lets coh_sigma_total run: (q_hi - q_lo)/panel_dq is the
 * number of panels, so an absurd panel_dq would only measure the CPU's speed. */
#define FUZZ_MAX_PANELS 4096.0

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t next_u64(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(void) { return (double)(next_u64() >> 11) * 0x1.0p-53; }

static const double EXTREMES[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, -1e-300, 4.9406564584124654e-324,
    2.2250738585072014e-308, 1e-160, 1e-154, 1e150, 1e154, 1e300, -1e300,
    1.7976931348623157e308, -1.7976931348623157e308, INFINITY, -INFINITY, NAN,
    0.999999999999, 1.000000000001, 3.0, 30.0, 52.8, 300.0, 1e3, 1e5, 1.2e5, 2.5e5,
};
#define N_EXTREMES (sizeof EXTREMES / sizeof EXTREMES[0])

/* A random double: a third extreme, a third "physical" (0..1e3 on a log scale),
 * a third random bit pattern (every class of double, NaN payloads included). */
static double any_double(void)
{
    uint64_t r = next_u64() % 3;
    if (r == 0) {
        return EXTREMES[next_u64() % N_EXTREMES];
    }
    if (r == 1) {
        double x = pow(10.0, -6.0 + 9.0 * uniform());
        return (next_u64() & 7) == 0 ? -x : x;
    }
    uint64_t bits = next_u64();
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* A "valid" double for arguments the Python layer checks: finite, >= 0. */
static double valid_double(void)
{
    return (next_u64() & 3) == 0 ? 0.0 : pow(10.0, -8.0 + 11.0 * uniform());
}

static ptrdiff_t any_length(void)
{
    uint64_t r = next_u64() % 8;
    if (r == 0) {
        return 0;
    }
    if (r == 1) {
        return 1;
    }
    return (ptrdiff_t)(next_u64() % (FUZZ_MAX_N + 1));
}

/* Exactly-sized heap block (malloc(0) may return NULL or a unique pointer; the
 * kernels must not dereference it when n == 0, and ASan reports it if they do). */
static double *alloc_doubles(ptrdiff_t n)
{
    double *p = malloc((size_t)n * sizeof *p);
    if (n > 0 && p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static double *random_array(ptrdiff_t n, int valid)
{
    double *p = alloc_doubles(n);
    for (ptrdiff_t i = 0; i < n; ++i) {
        p[i] = valid ? valid_double() : any_double();
    }
    return p;
}

static unsigned long n_fail = 0;

static void fail(const char *what, ptrdiff_t i, double a, double b)
{
    if (n_fail < 20) {
        fprintf(stderr, "FAIL %s at %td (%.17g, %.17g)\n", what, i, a, b);
    }
    n_fail++;
}

static int any_model(void)
{
    static const int models[] = {-2147483647 - 1, -1, 0, 1, 2, 3, 4, 99, 2147483647};
    if ((next_u64() & 3) == 0) {
        return models[next_u64() % (sizeof models / sizeof models[0])];
    }
    return (int)(next_u64() % 4);
}

static coh_ff_t any_ff(int valid)
{
    coh_ff_t ff;
    ff.model = valid ? (int)(next_u64() % 4) : any_model();
    /* lengths in MeV^-1: a nucleus is 1..10 fm, i.e. 0.005..0.05 MeV^-1 */
    ff.p1 = valid ? 0.005 + 0.05 * uniform() : any_double();
    ff.p2 = valid ? 0.005 * uniform() : any_double();
    return ff;
}

static coh_nucleus_t any_nucleus(int valid)
{
    coh_nucleus_t nuc;
    nuc.mass = valid ? 1e3 + 2.5e5 * uniform() : any_double();
    nuc.prefactor = valid ? 1e-44 : any_double();
    nuc.wz = valid ? 0.05 * 100.0 * uniform() : any_double();
    nuc.wn = valid ? 150.0 * uniform() : any_double();
    nuc.ffz = any_ff(valid);
    nuc.ffn = (next_u64() & 1) ? nuc.ffz : any_ff(valid);
    return nuc;
}

static int status_ok(int status)
{
    return status == COH_OK || status == COH_EBADMODEL || status == COH_EBADARG
           || status == COH_EBADRULE;
}

static void fuzz_ff(void)
{
    ptrdiff_t n = any_length();
    double *x = random_array(n, 0);
    double *out = alloc_doubles(n);
    int st = coh_spherical_j1_array(x, out, n);
    if (st != COH_OK) {
        fail("coh_spherical_j1_array status", 0, st, 0);
    }
    for (ptrdiff_t i = 0; i < n; ++i) {
        if (isfinite(x[i]) && !(fabs(out[i]) <= 0.5)) {  /* |j1| < 0.44 */
            fail("j1 out of range", i, x[i], out[i]);
        }
    }
    free(x);

    double *q = random_array(n, (next_u64() & 1) == 0);
    double r0 = (next_u64() & 1) ? any_double() : 0.03 * uniform();
    double s = (next_u64() & 1) ? any_double() : 0.005 * uniform();
    st = coh_helm_array(q, out, n, r0, s);
    if (!status_ok(st)) {
        fail("coh_helm_array status", 0, st, 0);
    }
    if (st == COH_OK && isfinite(r0) && isfinite(s)) {
        for (ptrdiff_t i = 0; i < n; ++i) {
            if (isfinite(q[i]) && q[i] >= 0.0 && !(fabs(out[i]) <= 1.0)) {
                fail("helm |F| > 1", i, q[i], out[i]);
            }
        }
    }

    int valid = (next_u64() & 1) == 0;
    coh_ff_t ff = any_ff(valid);
    st = coh_form_factor_array(q, out, n, &ff);
    if (!status_ok(st)) {
        fail("coh_form_factor_array status", 0, st, 0);
    }
    if (valid && st != COH_OK) {
        fail("coh_form_factor_array rejected a valid model", 0, ff.model, ff.p1);
    }
    if (st == COH_OK && valid) {
        for (ptrdiff_t i = 0; i < n; ++i) {
            if (isfinite(q[i]) && q[i] >= 0.0 && !(fabs(out[i]) <= 1.0 + 1e-12)) {
                fail("form factor |F| > 1", i, q[i], out[i]);
            }
        }
    }
    /* scalar entry points with anything */
    (void)coh_sphere_ff(any_double());
    (void)coh_j1(any_double());
    if (coh_ff_check(&ff) == COH_OK) {
        (void)coh_ff_eval(&ff, any_double());
    }
    free(q);
    free(out);
}

static void fuzz_xsec(void)
{
    ptrdiff_t n = any_length();
    int valid = (next_u64() & 1) == 0;
    coh_nucleus_t nuc = any_nucleus(valid);
    double *q2 = random_array(n, valid);
    double *E = random_array(n, valid);
    double *out = alloc_doubles(n);
    if (valid) {
        for (ptrdiff_t i = 0; i < n; ++i) {
            E[i] += (next_u64() & 15) == 0 ? 1e-160 : 1e-300;  /* E > 0, sometimes tiny */
        }
    }
    int st = coh_dsigma_dq2_array(&nuc, q2, E, out, n);
    if (!status_ok(st)) {
        fail("coh_dsigma_dq2_array status", 0, st, 0);
    }
    if (valid) {
        if (st != COH_OK) {
            fail("coh_dsigma_dq2_array rejected a valid nucleus", 0, st, nuc.mass);
        }
        for (ptrdiff_t i = 0; i < n && st == COH_OK; ++i) {
            if (!(out[i] >= 0.0) || !isfinite(out[i])) {
                fail("dsigma_dq2 not finite and >= 0", i, q2[i], E[i]);
            }
        }
    }

    /* quadrature rule: sometimes empty, sometimes with junk nodes */
    ptrdiff_t n_gl = (next_u64() & 7) == 0 ? (ptrdiff_t)(next_u64() % 2) : 1 + (ptrdiff_t)(next_u64() % 20);
    double *gl_x = alloc_doubles(n_gl);
    double *gl_w = alloc_doubles(n_gl);
    int good_rule = (next_u64() & 3) != 0;
    for (ptrdiff_t k = 0; k < n_gl; ++k) {
        gl_x[k] = good_rule ? 2.0 * uniform() - 1.0 : any_double();
        gl_w[k] = good_rule ? 2.0 / (double)n_gl : any_double();
    }
    double *q2min = random_array(n, valid);
    double panel_dq = (next_u64() & 1) ? 0.0 : (valid ? 1.0 + 100.0 * uniform() : any_double());
    /* keep the panel count bounded (see FUZZ_MAX_PANELS): q_hi <= 2E */
    for (ptrdiff_t i = 0; i < n; ++i) {
        if (panel_dq > 0.0 && isfinite(E[i]) && fabs(E[i]) * 2.0 / panel_dq > FUZZ_MAX_PANELS) {
            E[i] = copysign(0.5 * panel_dq * FUZZ_MAX_PANELS * uniform(), E[i]);
        }
    }
    st = coh_sigma_total_array(&nuc, E, q2min, out, n, panel_dq, gl_x, gl_w, n_gl);
    if (!status_ok(st)) {
        fail("coh_sigma_total_array status", 0, st, 0);
    }
    if (n_gl < 1 && st == COH_OK) {
        fail("coh_sigma_total_array accepted an empty rule", 0, (double)n_gl, 0);
    }
    if (valid && good_rule && n_gl >= 1) {
        for (ptrdiff_t i = 0; i < n && st == COH_OK; ++i) {
            if (!isfinite(out[i])) {
                fail("sigma_total not finite", i, E[i], q2min[i]);
            }
        }
    }
    /* scalar helpers */
    (void)coh_q2_max(any_double(), any_double());
    if (coh_nucleus_check(&nuc) == COH_OK) {
        (void)coh_gamma(&nuc, any_double());
        (void)coh_dsigma_dq2(&nuc, any_double(), any_double());
    }
    free(q2);
    free(E);
    free(out);
    free(gl_x);
    free(gl_w);
    free(q2min);
}

static void fuzz_rate(void)
{
    /* folded moments over an energy rule (csrc/coh_rate.c): arguments are checked
     * by coh_ffpair_check, as the Cython layer does before calling */
    ptrdiff_t n = any_length();
    int valid = (next_u64() & 1) == 0;
    coh_nucleus_t nuc = any_nucleus(valid);
    coh_ffpair_t pair;
    pair.mass = nuc.mass;
    pair.ffz = nuc.ffz;
    pair.ffn = nuc.ffn;
    double *E = random_array(n, valid);
    double *w = random_array(n, valid);
    ptrdiff_t n_gl = 1 + (ptrdiff_t)(next_u64() % 20);
    double *gl_x = alloc_doubles(n_gl);
    double *gl_w = alloc_doubles(n_gl);
    for (ptrdiff_t k = 0; k < n_gl; ++k) {
        gl_x[k] = 2.0 * uniform() - 1.0;
        gl_w[k] = 2.0 / (double)n_gl;
    }
    double panel_dq = (next_u64() & 1) ? 0.0 : 1.0 + 100.0 * uniform();
    for (ptrdiff_t i = 0; i < n; ++i) {
        if (!isfinite(E[i]) || !(E[i] > 0.0) || (panel_dq > 0.0 && E[i] > 0.5 * panel_dq * FUZZ_MAX_PANELS)) {
            E[i] = valid ? 1e-3 + 300.0 * uniform() : E[i];
        }
        if (valid && (next_u64() & 15) == 0) {
            E[i] = 1e-160;  /* 4 E^2 subnormal: the kinematic factor must stay finite */
        }
    }
    double q2_min = valid ? valid_double() : any_double();
    double out3[3];
    /* Arguments unchecked by design: keep to what the Python layer can pass (a
     * nuclear mass, finite q2_min >= 0); the values themselves are random. */
    if (coh_ffpair_check(&pair) == COH_OK && pair.mass < 1e7 && isfinite(q2_min)
        && q2_min >= 0.0) {
        int ok_E = 1;
        for (ptrdiff_t i = 0; i < n; ++i) {
            ok_E &= isfinite(E[i]) && E[i] > 0.0 && (panel_dq == 0.0 || E[i] < 0.5 * panel_dq * FUZZ_MAX_PANELS);
        }
        if (ok_E) {
            ptrdiff_t i0 = n > 0 ? (ptrdiff_t)(next_u64() % (uint64_t)n) : 0;
            coh_moments_range(&pair, E, w, i0, n, q2_min, panel_dq, gl_x, gl_w, n_gl, out3);
            coh_moments_rule(&pair, E, w, n, q2_min, panel_dq, gl_x, gl_w, n_gl, out3);
            double c = coh_moments_combine(out3, coh_ffpair_same(&pair), 1.0, nuc.wz, nuc.wn);
            if (valid && !isfinite(c)) {
                fail("folded moments not finite", n, q2_min, c);
            }
        }
    }
    (void)coh_rate_n_chunks(n);

    /* Chebyshev (Clenshaw) rows: arguments as the Cython wrapper checks them
     * (n_coef >= 1, coef holding whole rows, every row index in range), any y */
    ptrdiff_t n_coef = 1 + (ptrdiff_t)(next_u64() % 24);
    ptrdiff_t n_rows = 1 + (ptrdiff_t)(next_u64() % 5);
    double *coef = random_array(n_rows * n_coef, 0);
    long long *row = malloc((size_t)(n > 0 ? n : 1) * sizeof *row);
    double *y = random_array(n, 0);
    double *cheb = alloc_doubles(n);
    for (ptrdiff_t i = 0; i < n; ++i) {
        row[i] = (long long)(next_u64() % (uint64_t)n_rows);
    }
    coh_cheb_eval(coef, n_coef, row, y, cheb, n);
    free(coef);
    free(row);
    free(y);
    free(cheb);
    free(E);
    free(w);
    free(gl_x);
    free(gl_w);
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? atol(argv[1]) : 100000;
    if (argc > 2) {
        rng_state = strtoull(argv[2], NULL, 0);
    }
    printf("coh kernels fuzz: %ld iterations, seed %s, SIMD: %s\n", iterations,
           argc > 2 ? argv[2] : "default", coh_simd_info());
    for (long it = 0; it < iterations; ++it) {
        fuzz_ff();
        fuzz_xsec();
        fuzz_rate();
    }
    printf("done: %lu check failures\n", n_fail);
    return n_fail == 0 ? 0 : 1;
}
