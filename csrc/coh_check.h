/* Argument checks of the public API, one pass over an array (internal header).
 * Plain C99, no Python. */
#ifndef COH_CHECK_H
#define COH_CHECK_H

#include <stddef.h>
#include "coh_status.h"

/* COH_OK if every x[i], i in [i0, i1), lies in [lo, hi] ((lo, hi] when lo_open), else
 * COH_EBADARG; NaN lies outside. The caller finds the offending index (only on
 * failure). */
int coh_all_within(const double *x, double lo, double hi, int lo_open, ptrdiff_t i0,
                   ptrdiff_t i1);

#endif
