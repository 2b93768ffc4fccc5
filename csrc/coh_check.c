/* Range checks for argument validation: one branch-free pass that vectorises,
 * instead of numpy's separate min and max reductions (two passes over memory). */
#include "coh_check.h"
#include "coh_simd.h"

/* Blocks of this many elements between early exits: long enough to vectorise,
 * short enough that a bad value near the start stops the scan soon. */
#define COH_CHECK_BLOCK 1024

static COH_CLONES int all_within(const double *x, ptrdiff_t n, double lo, double hi,
                                  int lo_open)
{
    for (ptrdiff_t b = 0; b < n; b += COH_CHECK_BLOCK) {
        ptrdiff_t e = n - b < COH_CHECK_BLOCK ? n : b + COH_CHECK_BLOCK;
        long long bad = 0;  /* 64 bits, as the double lanes: the loop vectorises */
        if (lo_open) {
            for (ptrdiff_t i = b; i < e; ++i)
                bad |= (x[i] <= lo) | (x[i] > hi) | (x[i] != x[i]);
        } else {
            for (ptrdiff_t i = b; i < e; ++i)
                bad |= (x[i] < lo) | (x[i] > hi) | (x[i] != x[i]);
        }
        if (bad)
            return 0;
    }
    return 1;
}

int coh_all_within(const double *x, double lo, double hi, int lo_open, ptrdiff_t i0,
                   ptrdiff_t i1)
{
    if (!(i1 > i0)) {
        return COH_OK;
    }
    return all_within(x + i0, i1 - i0, lo, hi, lo_open) ? COH_OK : COH_EBADARG;
}
