/* Argument checks of the public API, one pass over an array (internal header).
 * Plain C99, no Python. */
#ifndef COH_CHECK_H
#define COH_CHECK_H

#include <stddef.h>

/* 1 if every x[i] lies in [lo, hi] ((lo, hi] when lo_open), else 0; NaN lies
 * outside. The caller finds the offending index (only on failure). */
int coh_all_within(const double *x, ptrdiff_t n, double lo, double hi, int lo_open);

#endif
