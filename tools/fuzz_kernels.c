/* Fuzz driver for the C kernels in csrc/.
 *
 * Calls every entry point of csrc/ (coh_xxx(..., i0, i1), the scalar helpers behind
 * them, the folded-moment, Chebyshev, q-grid and batch routines of coh_rate.c, the
 * argument check) on random ranges [i0, i1) of random lengths (0, 1 and up to
 * FUZZ_MAX_N), with random and extreme doubles (NaN, +-inf, denormals, +-huge,
 * negative, zero), bad form-factor model ids (around COH_FF_COUNT of coh_status.h),
 * bad quadrature rules and out-of-range row indices; the incomplete gamma function
 * and the response matrix (coh_resp.c) on valid and broken grids, models and means;
 * the change a model of coherency.bsm brings (coh_bsm.c: dsigma/dq2, sigma(E) on its
 * doubling panels, the folded parts, the three stages of a grid of points);
 * and the thread pool
 * (coh_pool.c) with random chunk and thread counts, failing chunks and interrupts.
 * Every array lives in its own heap block of exactly the size the kernel may touch,
 * so AddressSanitizer reports any read or write past the end;
 * UndefinedBehaviorSanitizer reports overflowing casts and other UB. Build and run
 * with tools/fuzz_kernels.sh.
 *
 * Checked besides memory safety: a kernel returns 0 or a documented negative status
 * (and rejects an empty quadrature rule); |j1| <= 0.5 and |F| <= 1 for finite q >= 0;
 * with a valid nucleus (what the Python layer hands over), finite q2 >= 0 and finite
 * E > 0, dsigma/dq2 is finite and >= 0 and sigma_total is finite; 0 <= P, Q <= 1 with
 * P + Q = 1; with a valid grid, model and means every response entry lies in [0, 1]
 * and every row sums to at most 1; the pool runs every
 * chunk exactly once, reports the lowest failing chunk's status and stops on an
 * interrupt.
 *
 * Usage: fuzz_kernels [iterations] [seed]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coh_bsm.h"
#include "coh_check.h"
#include "coh_ff.h"
#include "coh_pool.h"
#include "coh_rate.h"
#include "coh_resp.h"
#include "coh_status.h"
#include "coh_xsec.h"

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
    static const int models[] = {-2147483647 - 1, -1, 0, COH_FF_COUNT - 1, COH_FF_COUNT,
                                 COH_FF_COUNT + 1, 99, 2147483647};
    if ((next_u64() & 3) == 0) {
        return models[next_u64() % (sizeof models / sizeof models[0])];
    }
    return (int)(next_u64() % COH_FF_COUNT);
}

/* A random range [*i0, *i1) inside [0, n) (often the whole of it). */
static void any_range(ptrdiff_t n, ptrdiff_t *i0, ptrdiff_t *i1)
{
    if (n == 0 || (next_u64() & 1)) {
        *i0 = 0;
        *i1 = n;
        return;
    }
    ptrdiff_t a = (ptrdiff_t)(next_u64() % (uint64_t)(n + 1));
    ptrdiff_t b = (ptrdiff_t)(next_u64() % (uint64_t)(n + 1));
    *i0 = a < b ? a : b;
    *i1 = a < b ? b : a;
}

static coh_ff_t any_ff(int valid)
{
    coh_ff_t ff;
    ff.model = valid ? (int)(next_u64() % COH_FF_COUNT) : any_model();
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
    ptrdiff_t i0, i1;
    any_range(n, &i0, &i1);
    double *x = random_array(n, 0);
    double *out = alloc_doubles(n);
    int st = coh_spherical_j1(x, out, i0, i1);
    if (st != COH_OK) {
        fail("coh_spherical_j1 status", 0, st, 0);
    }
    for (ptrdiff_t i = i0; i < i1; ++i) {
        if (isfinite(x[i]) && !(fabs(out[i]) <= 0.5)) {  /* |j1| < 0.44 */
            fail("j1 out of range", i, x[i], out[i]);
        }
    }
    free(x);

    double *q = random_array(n, (next_u64() & 1) == 0);
    double r0 = (next_u64() & 1) ? any_double() : 0.03 * uniform();
    double s = (next_u64() & 1) ? any_double() : 0.005 * uniform();
    st = coh_helm(q, r0, s, out, i0, i1);
    if (!status_ok(st)) {
        fail("coh_helm status", 0, st, 0);
    }
    if (st == COH_OK && isfinite(r0) && isfinite(s)) {
        for (ptrdiff_t i = i0; i < i1; ++i) {
            if (isfinite(q[i]) && q[i] >= 0.0 && !(fabs(out[i]) <= 1.0)) {
                fail("helm |F| > 1", i, q[i], out[i]);
            }
        }
    }

    int valid = (next_u64() & 1) == 0;
    coh_ff_t ff = any_ff(valid);
    st = coh_form_factor(&ff, q, out, i0, i1);
    if (!status_ok(st)) {
        fail("coh_form_factor status", 0, st, 0);
    }
    if (valid && st != COH_OK) {
        fail("coh_form_factor rejected a valid model", 0, ff.model, ff.p1);
    }
    if (st == COH_OK && valid) {
        for (ptrdiff_t i = i0; i < i1; ++i) {
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
    ptrdiff_t i0, i1;
    any_range(n, &i0, &i1);
    int st = coh_dsigma_dq2(&nuc, q2, E, out, i0, i1);
    if (!status_ok(st)) {
        fail("coh_dsigma_dq2 status", 0, st, 0);
    }
    if (valid) {
        if (st != COH_OK) {
            fail("coh_dsigma_dq2 rejected a valid nucleus", 0, st, nuc.mass);
        }
        for (ptrdiff_t i = i0; i < i1 && st == COH_OK; ++i) {
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
    st = coh_sigma_total(&nuc, E, q2min, panel_dq, gl_x, gl_w, n_gl, out, i0, i1);
    if (!status_ok(st)) {
        fail("coh_sigma_total status", 0, st, 0);
    }
    if (n_gl < 1 && st == COH_OK) {
        fail("coh_sigma_total accepted an empty rule", 0, (double)n_gl, 0);
    }
    if (valid && good_rule && n_gl >= 1) {
        for (ptrdiff_t i = i0; i < i1 && st == COH_OK; ++i) {
            if (!isfinite(out[i])) {
                fail("sigma_total not finite", i, E[i], q2min[i]);
            }
        }
    }
    /* scalar helpers */
    (void)coh_q2_max(any_double(), any_double());
    (void)coh_nucleus_check(&nuc);
    free(q2);
    free(E);
    free(out);
    free(gl_x);
    free(gl_w);
    free(q2min);
}

static void fuzz_rate(void)
{
    /* folded moments over an energy rule (csrc/coh_rate.c), chunk by chunk */
    ptrdiff_t n = any_length();
    int valid = (next_u64() & 1) == 0;
    coh_nucleus_t nuc = any_nucleus(valid);
    coh_ffpair_t pair;
    pair.mass = nuc.mass;
    pair.ffz = nuc.ffz;
    pair.ffn = nuc.ffn;
    double *E = random_array(n, valid);
    double *w = random_array(n, valid);
    ptrdiff_t n_gl = (next_u64() & 7) == 0 ? 0 : 1 + (ptrdiff_t)(next_u64() % 20);
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
    ptrdiff_t n_chunks = COH_RATE_N_CHUNKS(n);
    double *part = alloc_doubles(3 * n_chunks);
    /* Energies unchecked by design: keep to what the Python layer can pass (a
     * nuclear mass, finite q2_min >= 0, E bounded by the panel count); the values
     * themselves are random. */
    int ok_E = pair.mass < 1e7 && isfinite(q2_min) && q2_min >= 0.0;
    for (ptrdiff_t i = 0; i < n; ++i) {
        ok_E &= isfinite(E[i]) && E[i] > 0.0 && (panel_dq == 0.0 || E[i] < 0.5 * panel_dq * FUZZ_MAX_PANELS);
    }
    if (ok_E) {
        int st = coh_folded_moments(&pair, E, w, n, q2_min, panel_dq, gl_x, gl_w, n_gl, part, 0,
                                    n_chunks);
        if (!status_ok(st) || (n_gl < 1 && st == COH_OK && n_chunks > 0)) {
            fail("coh_folded_moments status", n, st, (double)n_gl);
        }
        if (st == COH_OK) {
            double sigma = 0.0;
            st = coh_folded_sigma(&nuc, part, &sigma, 0, n_chunks);
            if (st != COH_OK || (valid && !isfinite(sigma))) {
                fail("folded sigma not finite", n, q2_min, sigma);
            }
        }
    }
    free(part);
    free(E);
    free(w);
    free(gl_x);
    free(gl_w);
}

/* A consistent random flux model (as the Python layer builds and checks one:
 * increasing breakpoints and keys, every piece with its arrays). */
typedef struct {
    coh_chebmodel_t m;
    double *bps, *keys, *t0, *t1, *coef0, *coef2, *a1_0, *a1_2, *above0, *above2;
    unsigned char *converged;
} fuzz_model_t;

static void model_make(fuzz_model_t *f)
{
    coh_chebmodel_t *m = &f->m;
    m->n_bps = 2 + (ptrdiff_t)(next_u64() % 4);
    m->n_keys = 1 + (ptrdiff_t)(next_u64() % 6);
    m->n_coef = 1 + (ptrdiff_t)(next_u64() % 12);
    f->bps = alloc_doubles(m->n_bps);
    double e = 0.0;
    for (ptrdiff_t k = 0; k < m->n_bps; ++k) {
        e += (next_u64() & 3) == 0 ? 0.0 : 50.0 * uniform();  /* repeats allowed */
        f->bps[k] = e;
    }
    f->keys = alloc_doubles(m->n_keys);
    f->t0 = alloc_doubles(m->n_keys);
    f->t1 = alloc_doubles(m->n_keys);
    double key = 0.0;
    for (ptrdiff_t p = 0; p < m->n_keys; ++p) {
        key += uniform();
        f->keys[p] = key;
        f->t0[p] = uniform() * 0.5;
        f->t1[p] = (next_u64() & 7) == 0 ? f->t0[p] : f->t0[p] + 0.5 * uniform();  /* t1 == t0: 0/0 */
    }
    f->coef0 = random_array(m->n_keys * m->n_coef, 0);
    f->coef2 = random_array(m->n_keys * m->n_coef, 0);
    f->a1_0 = random_array(m->n_keys, 0);
    f->a1_2 = random_array(m->n_keys, 0);
    f->above0 = random_array(m->n_keys, 0);
    f->above2 = random_array(m->n_keys, 0);
    f->converged = malloc((size_t)m->n_keys);
    for (ptrdiff_t p = 0; p < m->n_keys; ++p) {
        f->converged[p] = (unsigned char)(next_u64() & 1);
    }
    m->bps = f->bps;
    m->below0 = any_double();
    m->below2 = any_double();
    m->keys = f->keys;
    m->t0 = f->t0;
    m->t1 = f->t1;
    m->coef0 = f->coef0;
    m->coef2 = f->coef2;
    m->a1_0 = f->a1_0;
    m->a1_2 = f->a1_2;
    m->above0 = f->above0;
    m->above2 = f->above2;
    m->converged = f->converged;
    m->cancel = 1e-4;
}

static void model_free(fuzz_model_t *f)
{
    free(f->bps);
    free(f->keys);
    free(f->t0);
    free(f->t1);
    free(f->coef0);
    free(f->coef2);
    free(f->a1_0);
    free(f->a1_2);
    free(f->above0);
    free(f->above2);
    free(f->converged);
}

static void fuzz_spectrum(void)
{
    /* flux moments and dN/dq2 on a random model, any x (NaN excluded: validated) */
    fuzz_model_t f;
    model_make(&f);
    ptrdiff_t n = any_length();
    ptrdiff_t i0, i1;
    any_range(n, &i0, &i1);
    double *x = random_array(n, 0);
    for (ptrdiff_t i = 0; i < n; ++i) {
        if (x[i] != x[i]) {
            x[i] = 0.0;
        }
    }
    double *F0 = alloc_doubles(n);
    double *F2 = alloc_doubles(n);
    unsigned char *redo = malloc((size_t)(n > 0 ? n : 1));
    int st = coh_cheb_moments(&f.m, x, F0, F2, redo, i0, i1);
    if (st != COH_OK) {
        fail("coh_cheb_moments status", 0, st, 0);
    }
    ptrdiff_t n_lines = (ptrdiff_t)(next_u64() % 4);
    double *line_E = random_array(n_lines, 1);
    double *line_F0 = random_array(n_lines, 0);
    double *line_F2 = random_array(n_lines, 0);
    int valid = (next_u64() & 1) == 0;
    coh_nucleus_t nuc = any_nucleus(valid);
    double *v = random_array(n, 1);  /* validated: >= 0 */
    st = coh_dn_dq2(&f.m, line_E, line_F0, line_F2, n_lines, &nuc, v, valid_double(),
                    valid_double(), 1.0, (int)(next_u64() & 1), F0, redo, i0, i1);
    if (!status_ok(st) || (valid && st != COH_OK)) {
        fail("coh_dn_dq2 status", 0, st, 0);
    }
    free(x);
    free(F0);
    free(F2);
    free(redo);
    free(line_E);
    free(line_F0);
    free(line_F2);
    free(v);
    model_free(&f);
}

static void fuzz_batch(void)
{
    /* the q grid: random panels and rules (n_gl past COH_QGRID_MAX_GL is refused) */
    coh_qgrid_t g;
    g.n_panels = (ptrdiff_t)(next_u64() % 6);
    g.n_gl = (next_u64() & 7) == 0 ? (ptrdiff_t)(next_u64() % 80) : 1 + (ptrdiff_t)(next_u64() % 20);
    g.n_cheb = 1 + (ptrdiff_t)(next_u64() % 10);
    double *edges = alloc_doubles(g.n_panels + 1);
    double e = valid_double();
    for (ptrdiff_t k = 0; k <= g.n_panels; ++k) {
        edges[k] = e;
        e += (next_u64() & 3) == 0 ? 0.0 : 100.0 * uniform();
    }
    double *node_q = random_array(g.n_panels * g.n_gl, 1);
    double *node_w = random_array(g.n_panels * g.n_gl, 0);
    double *cheb = random_array(g.n_panels * g.n_cheb, 0);
    double *gl_x = alloc_doubles(g.n_gl);
    double *gl_w = alloc_doubles(g.n_gl);
    for (ptrdiff_t k = 0; k < g.n_gl; ++k) {
        gl_x[k] = 2.0 * uniform() - 1.0;
        gl_w[k] = uniform();
    }
    g.edges = edges;
    g.node_q = node_q;
    g.node_w = node_w;
    g.cheb = cheb;
    g.gl_x = gl_x;
    g.gl_w = gl_w;
    int valid = (next_u64() & 1) == 0;
    coh_nucleus_t nuc = any_nucleus(valid);
    coh_ffpair_t pair;
    pair.mass = nuc.mass;
    pair.ffz = nuc.ffz;
    pair.ffn = nuc.ffn;
    ptrdiff_t n = any_length();
    ptrdiff_t i0, i1;
    any_range(n, &i0, &i1);
    double *p1z = random_array(n, valid);
    double *p1n = random_array(n, valid);
    double *q_lo = random_array(n, 1);  /* validated: finite, >= 0 */
    double *work = alloc_doubles(3 * (g.n_panels + 1));
    double *out = alloc_doubles(3 * n);
    int st = coh_qgrid_moments(&g, &pair, p1z, p1n, q_lo, work, out, i0, i1);
    if (!status_ok(st)) {
        fail("coh_qgrid_moments status", 0, st, 0);
    }
    if ((g.n_gl < 1 || g.n_gl > COH_QGRID_MAX_GL) && st != COH_EBADRULE && i1 > i0) {
        fail("coh_qgrid_moments accepted a bad rule", 0, (double)g.n_gl, st);
    }
    free(edges);
    free(node_q);
    free(node_w);
    free(cheb);
    free(gl_x);
    free(gl_w);
    free(p1z);
    free(p1n);
    free(q_lo);
    free(work);
    free(out);

    /* parameter axis: rows of 5, row indices sometimes out of range */
    ptrdiff_t n_rows = (ptrdiff_t)(next_u64() % 4);
    n = any_length();
    any_range(n, &i0, &i1);
    double *coef = random_array(5 * n_rows, 0);
    long long *which = malloc((size_t)(n > 0 ? n : 1) * sizeof *which);
    int bad_rows = 0;
    for (ptrdiff_t i = 0; i < n; ++i) {
        which[i] = (next_u64() & 15) == 0 ? (long long)(next_u64() % 7) - 3
                                           : (n_rows > 0 ? (long long)(next_u64() % (uint64_t)n_rows) : 0);
        bad_rows |= i >= i0 && i < i1 && (which[i] < 0 || which[i] >= n_rows);
    }
    ptrdiff_t n_s2 = (ptrdiff_t)(next_u64() % 2) * (next_u64() & 1 ? 1 : n);
    ptrdiff_t n_alpha = (ptrdiff_t)(next_u64() % 2) * (next_u64() & 1 ? 1 : n);
    double *s2 = random_array(n_s2 > 0 ? n_s2 : 1, 0);
    double *alpha = random_array(n_alpha > 0 ? n_alpha : 1, 0);
    double *acc = random_array(n, 0);
    int use_rows = (next_u64() & 1) == 0;
    st = coh_batch_combine(coef, n_rows, use_rows ? which : NULL, s2, n_s2, 0.0457, alpha,
                           n_alpha, (int)(next_u64() & 1), acc, i0, i1);
    if (!status_ok(st) || (st == COH_OK && (n_rows < 1 || (use_rows && bad_rows)))) {
        fail("coh_batch_combine accepted a row out of range", 0, st, (double)n_rows);
    }
    double *m = random_array(3 * n, 0);
    double *factors = random_array(5, 0);
    double *rows = alloc_doubles(5 * n);
    st = coh_moments_to_coef(m, factors, rows, 0, i0, i1);
    if (st != COH_OK) {
        fail("coh_moments_to_coef status", 0, st, 0);
    }
    /* the argument check */
    st = coh_all_within(m, 0.0, 1.0, (int)(next_u64() & 1), i0, i1);
    if (st != COH_OK && st != COH_EBADARG) {
        fail("coh_all_within status", 0, st, 0);
    }
    free(coef);
    free(which);
    free(s2);
    free(alpha);
    free(acc);
    free(m);
    free(factors);
    free(rows);
}

/* ---- the pool: every chunk once, lowest failure, interrupts ---- */

static void fuzz_bsm(void)
{
    int valid = (next_u64() & 1) == 0;
    coh_nucleus_t nuc = any_nucleus(valid);
    coh_bsm_t m;
    memset(&m, 0, sizeof(m));
    m.mass = nuc.mass;
    m.ffz = nuc.ffz;
    m.ffn = nuc.ffn;
    m.pv = valid ? 1e-44 : any_double();
    m.wz = nuc.wz;
    m.wn = nuc.wn;
    ptrdiff_t n_terms = (ptrdiff_t)(next_u64() % 4);
    double *terms = alloc_doubles(COH_BSM_TERM_SIZE * n_terms);
    for (ptrdiff_t t = 0; t < n_terms; ++t) {
        double *row = terms + COH_BSM_TERM_SIZE * t;
        row[0] = valid ? 1e3 * (uniform() - 0.5) : any_double();
        row[1] = valid ? 1e3 * (uniform() - 0.5) : any_double();
        row[2] = valid ? ((next_u64() & 1) ? -1.0 : 1e4 * uniform()) : any_double();
        row[3] = valid ? ((next_u64() & 1) ? 0.0 : 0.5 + 2e3 * uniform()) : any_double();
        row[4] = (next_u64() & 1) ? 1.0 : 0.0;
    }
    m.n_terms = (next_u64() % 8 == 0) ? COH_BSM_MAX_TERMS + 1 : n_terms;
    m.terms = m.n_terms > n_terms ? NULL : terms;
    m.izz = valid ? uniform() : any_double();
    m.izn = valid ? uniform() : any_double();
    m.inn = valid ? uniform() : any_double();
    m.ps = valid ? 1e-23 : any_double();
    m.sz = valid ? uniform() : any_double();
    m.sn = valid ? uniform() : any_double();
    m.ms2 = valid ? 100.0 * uniform() : any_double();
    m.pm = valid ? 1e-40 : any_double();
    ptrdiff_t n = any_length();
    ptrdiff_t i0, i1;
    any_range(n, &i0, &i1);
    double *q2 = random_array(n, valid);
    double *E = random_array(n, valid);
    double *F0 = random_array(n, valid);
    double *F1 = random_array(n, valid);
    double *F2 = random_array(n, valid);
    double *out = alloc_doubles(n);
    double *out2 = alloc_doubles(n);
    int st = coh_bsm_dsigma_dq2(&m, q2, E, out, i0, i1);
    if (!status_ok(st)) {
        fail("coh_bsm_dsigma_dq2 status", 0, st, 0);
    }
    st = coh_bsm_parts(&m, q2, F0, F1, F2, out, out2, i0, i1);
    if (!status_ok(st)) {
        fail("coh_bsm_parts status", 0, st, 0);
    }
    double gl_x[3] = {-0.7745966692414834, 0.0, 0.7745966692414834};
    double gl_w[3] = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};
    for (ptrdiff_t i = 0; i < n; ++i) {  /* energies the panels can afford */
        E[i] = valid ? 1.0 + 60.0 * uniform() : E[i];
        if (!(fabs(E[i]) < 1e4)) {
            E[i] = 30.0;
        }
    }
    st = coh_bsm_sigma(&m, E, q2, valid ? 0.0 : 20.0 * uniform(), gl_x, gl_w,
                       (next_u64() % 4 == 0) ? 0 : 3, out, i0, i1);
    if (!status_ok(st)) {
        fail("coh_bsm_sigma status", 0, st, 0);
    }
    if (st == COH_OK && valid) {
        for (ptrdiff_t i = i0; i < i1; ++i) {
            if (!isfinite(out[i])) {
                fail("coh_bsm_sigma not finite", i, E[i], out[i]);
            }
        }
    }
    /* a grid of one or two unit models (the model above, its pair with itself), one
     * piece on these nodes, random rows, masses and points */
    ptrdiff_t K = 1 + (ptrdiff_t)(next_u64() % 2);
    coh_bsm_t specs[3] = {m, m, m};
    ptrdiff_t n_w = (ptrdiff_t)(next_u64() % 3);
    double *W = random_array(n * (n_w > 0 ? n_w : 1), 1);
    coh_bsm_piece_t piece = {K * (K + 1) / 2, specs, n, q2, F0, F1, F2, W};
    coh_bsm_grid_t grid = {K, n_w, (next_u64() % 8 == 0) ? 0 : 1, &piece};
    if (next_u64() % 8 == 0) {
        piece.n_specs = K + 2;  /* not K (K + 1)/2 */
    }
    ptrdiff_t n_m = 1 + (ptrdiff_t)(next_u64() % 5);
    double *m2 = random_array(n_m, valid);
    for (ptrdiff_t k = 0; valid && k < n_m; ++k) {
        m2[k] = fabs(m2[k]);
    }
    int override = (next_u64() & 1) != 0;
    double *work = alloc_doubles(COH_BSM_NODE_SIZE * n * 3 + 1);
    double scale = valid ? uniform() : any_double();
    double *L = alloc_doubles(K * n_m * (n_w > 0 ? n_w : 1));
    double *Q = alloc_doubles(K * K * n_m * (n_w > 0 ? n_w : 1));
    ptrdiff_t r0, r1, m0, m1;
    any_range(grid.n_pieces > 0 ? piece.n_specs : 0, &r0, &r1);
    st = coh_bsm_grid_nodes(&grid, override, work, r0, r1);
    if (!status_ok(st)) {
        fail("coh_bsm_grid_nodes status", 0, st, 0);
    }
    if (n_w == 0 && st == COH_OK) {
        fail("coh_bsm_grid_nodes took no weight rows", 0, n_w, 0);
    }
    if (st == COH_OK) {
        /* stage 2 reads every record's nodes: fill them all */
        (void)coh_bsm_grid_nodes(&grid, override, work, 0, piece.n_specs);
        any_range(n_m, &m0, &m1);
        st = coh_bsm_grid_fold(&grid, work, &scale, override ? m2 : NULL,
                               override ? n_m : 1, L, Q, m0, override ? m1 : (m1 > 1 ? 1 : m1));
        if (!status_ok(st)) {
            fail("coh_bsm_grid_fold status", 0, st, 0);
        }
    }
    ptrdiff_t n_p = any_length();
    double *lam = random_array(K * n_p, valid);
    long long *idx = malloc(sizeof(long long) * (size_t)(n_p > 0 ? n_p : 1));
    for (ptrdiff_t p = 0; p < n_p; ++p) {
        idx[p] = (long long)(next_u64() % (uint64_t)(n_m + (valid ? 0 : 2))) - (valid ? 0 : 1);
    }
    double *vals = alloc_doubles(n_p * (n_w > 0 ? n_w : 1));
    any_range(n_p, &r0, &r1);
    for (ptrdiff_t i = 0; i < K * n_m * (n_w > 0 ? n_w : 1); ++i) {
        L[i] = valid ? uniform() : any_double();
    }
    for (ptrdiff_t i = 0; i < K * K * n_m * (n_w > 0 ? n_w : 1); ++i) {
        Q[i] = valid ? uniform() : any_double();
    }
    st = coh_bsm_grid_combine(K, n_m, n_w, L, Q, lam, (next_u64() & 1) ? idx : NULL, n_p,
                              vals, r0, r1);
    if (!status_ok(st)) {
        fail("coh_bsm_grid_combine status", 0, st, 0);
    }
    free(W);
    free(m2);
    free(work);
    free(L);
    free(Q);
    free(lam);
    free(idx);
    free(vals);
    (void)coh_vacuum_polarization(any_double(), any_double());
    free(q2);
    free(E);
    free(F0);
    free(F1);
    free(F2);
    free(out);
    free(out2);
    free(terms);
}

static void fuzz_response(void)
{
    /* the incomplete gamma function */
    ptrdiff_t n = any_length();
    ptrdiff_t i0, i1;
    any_range(n, &i0, &i1);
    int valid = (next_u64() & 1) == 0;
    double *a = alloc_doubles(n);
    double *x = alloc_doubles(n);
    for (ptrdiff_t i = 0; i < n; ++i) {
        a[i] = valid ? 1e-3 + 3e3 * uniform() : any_double();
        x[i] = valid ? a[i] * 3.0 * uniform() : any_double();
    }
    double *P = alloc_doubles(n);
    double *Q = alloc_doubles(n);
    int st = coh_gammainc_pq(a, x, P, Q, i0, i1);
    if (st != COH_OK && st != COH_EBADARG) {
        fail("coh_gammainc_pq status", 0, st, 0);
    }
    if (valid && st != COH_OK) {
        fail("coh_gammainc_pq refused valid input", 0, st, 0);
    }
    if (st == COH_OK) {
        for (ptrdiff_t i = i0; i < i1; ++i) {
            if (!(P[i] >= 0.0 && P[i] <= 1.0 && Q[i] >= 0.0 && Q[i] <= 1.0)
                || !(fabs(P[i] + Q[i] - 1.0) <= 1e-12)) {
                fail("incomplete gamma outside [0, 1] or P + Q != 1", i, P[i], Q[i]);
            }
        }
    }
    free(a);
    free(x);
    free(P);
    free(Q);

    /* the response matrix: edges, a grid holding them (repeated nodes too), eps */
    valid = (next_u64() & 1) == 0;
    ptrdiff_t n_edges = (ptrdiff_t)(next_u64() % 8) + (valid ? 2 : 0);
    ptrdiff_t n_inner = (ptrdiff_t)(next_u64() % 24);
    ptrdiff_t n_grid = n_edges + n_inner;
    double *edges = alloc_doubles(n_edges);
    double lo = valid ? -20.0 + 40.0 * uniform() : any_double();
    for (ptrdiff_t b = 0; b < n_edges; ++b) {
        double step = valid ? 0.05 + 30.0 * uniform() : any_double();
        edges[b] = b == 0 ? lo : edges[b - 1] + step;
    }
    double *gx = alloc_doubles(n_grid);
    double *geps = alloc_doubles(n_grid);
    for (ptrdiff_t k = 0; k < n_edges; ++k) {
        gx[k] = edges[k];
    }
    for (ptrdiff_t k = n_edges; k < n_grid; ++k) {
        gx[k] = (valid && n_edges > 1)
                    ? edges[0] + (edges[n_edges - 1] - edges[0])
                                     * (double)(next_u64() % 64) / 64.0
                    : any_double();
    }
    if (valid) {  /* insertion sort: the grid is nondecreasing */
        for (ptrdiff_t k = 1; k < n_grid; ++k) {
            double v = gx[k];
            ptrdiff_t j = k;
            while (j > 0 && gx[j - 1] > v) {
                gx[j] = gx[j - 1];
                --j;
            }
            gx[j] = v;
        }
    }
    for (ptrdiff_t k = 0; k < n_grid; ++k) {
        geps[k] = valid ? uniform() : any_double();
    }
    coh_resolution_t res;
    static const int ids[] = {-1, COH_RES_COUNT, COH_RES_COUNT + 1, 2147483647};
    res.model = (valid || (next_u64() & 1)) ? (int)(next_u64() % COH_RES_COUNT)
                                            : ids[next_u64() % 4];
    res.p1 = valid ? 2.0 * uniform() : any_double();
    res.p2 = valid ? 2.0 * uniform() : any_double();
    res.p3 = valid ? 0.1 * uniform() : any_double();
    ptrdiff_t n_nodes = any_length();
    ptrdiff_t n_bins = n_edges > 1 ? n_edges - 1 : 0;
    double *mu = alloc_doubles(n_nodes);
    for (ptrdiff_t j = 0; j < n_nodes; ++j) {
        mu[j] = valid ? 300.0 * uniform() * uniform() : any_double();
    }
    double *out = alloc_doubles(n_nodes * n_bins);
    any_range(n_nodes, &i0, &i1);
    st = coh_response(&res, mu, gx, geps, n_grid, edges, n_edges, out, i0, i1);
    if (st != COH_OK && st != COH_EBADARG && st != COH_EBADRES && st != COH_EBADGRID) {
        fail("coh_response status", 0, st, 0);
    }
    if (valid && st != COH_OK) {
        fail("coh_response refused valid input", 0, st, res.model);
    }
    if (valid && st == COH_OK) {
        for (ptrdiff_t j = i0; j < i1; ++j) {
            double sum = 0.0;
            for (ptrdiff_t b = 0; b < n_bins; ++b) {
                double r = out[j * n_bins + b];
                if (!(r >= -1e-15 && r <= 1.0 + 1e-12)) {
                    fail("response entry outside [0, 1]", j, r, mu[j]);
                }
                sum += r;
            }
            if (!(sum <= 1.0 + 1e-9)) {
                fail("response row sums above 1", j, sum, mu[j]);
            }
        }
    }
    (void)coh_poisson_pmf((double)(next_u64() % 1000), valid ? 1e3 * uniform() : fabs(any_double()));
    free(edges);
    free(gx);
    free(geps);
    free(mu);
    free(out);
}

typedef struct {
    int *hits;           /* per chunk */
    ptrdiff_t fail_at;   /* chunks >= fail_at with (chunk % 3 == 0) fail */
    int n_threads;
    int bad_worker;
} pool_ctx_t;

static int pool_task(void *p, ptrdiff_t chunk, int worker)
{
    pool_ctx_t *ctx = p;
    __atomic_fetch_add(&ctx->hits[chunk], 1, __ATOMIC_RELAXED);
    if (worker < 0 || worker >= ctx->n_threads) {
        ctx->bad_worker = 1;
    }
    if (chunk >= ctx->fail_at && chunk % 3 == 0) {
        return chunk % 2 ? COH_EBADARG : COH_EBADMODEL;
    }
    return COH_OK;
}

static int stop_now(void *arg)
{
    (void)arg;
    return 1;
}

static void fuzz_pool(void)
{
    ptrdiff_t n_chunks = (ptrdiff_t)(next_u64() % 200);
    int n_threads = 1 + (int)(next_u64() % 6);
    pool_ctx_t ctx;
    ctx.hits = calloc((size_t)(n_chunks > 0 ? n_chunks : 1), sizeof *ctx.hits);
    ctx.fail_at = (next_u64() & 1) ? n_chunks : (ptrdiff_t)(next_u64() % (uint64_t)(n_chunks + 1));
    ctx.n_threads = n_threads;
    ctx.bad_worker = 0;
    int st = coh_pool_run(pool_task, &ctx, n_chunks, n_threads, NULL, NULL);
    ptrdiff_t first = ctx.fail_at;
    while (first < n_chunks && first % 3 != 0) {
        ++first;
    }
    int want = first < n_chunks ? (first % 2 ? COH_EBADARG : COH_EBADMODEL) : COH_OK;
    if (st != want) {
        fail("coh_pool_run: not the lowest failing chunk's status", first, st, want);
    }
    for (ptrdiff_t c = 0; c < n_chunks; ++c) {
        if (ctx.hits[c] > 1 || (c <= first && ctx.hits[c] != 1)) {
            fail("coh_pool_run: chunk not run exactly once", c, ctx.hits[c], n_threads);
        }
    }
    if (ctx.bad_worker) {
        fail("coh_pool_run: worker index out of range", 0, n_threads, 0);
    }
    /* an interrupt: a check that always fires stops the job after the first check */
    free(ctx.hits);
    n_chunks = 1 + (ptrdiff_t)(next_u64() % 50);
    ctx.hits = calloc((size_t)n_chunks, sizeof *ctx.hits);
    ctx.fail_at = n_chunks;
    st = coh_pool_run(pool_task, &ctx, n_chunks, n_threads, stop_now, NULL);
    if (st != COH_OK && st != COH_EINTERRUPTED) {
        fail("coh_pool_run: interrupt status", 0, st, 0);
    }
    free(ctx.hits);
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
        fuzz_spectrum();
        fuzz_batch();
        fuzz_response();
        fuzz_bsm();
        if (it % 16 == 0) {
            fuzz_pool();
        }
    }
    printf("done: %lu check failures\n", n_fail);
    return n_fail == 0 ? 0 : 1;
}
