/* Runtime dispatch of hot loops to the best vector unit (internal header).
 *
 * On x86-64 Linux with gcc and glibc, COH_CLONES compiles a function for three ISA
 * levels (AVX-512, AVX2+FMA, baseline) and picks one at load time (target_clones /
 * ifunc), so the shipped build needs neither -march=native nor -ffast-math.
 * Elsewhere (clang, MSVC, aarch64, musl, or -DCOH_NO_SIMD, which forces it) it is
 * empty and the baseline code runs. COH_HAVE_MVEC says the first case holds (glibc's
 * libmvec then provides vector sin/cos/exp, see coh_ff.c). */
#ifndef COH_SIMD_H
#define COH_SIMD_H

#include <stdlib.h> /* defines __GLIBC__ on glibc (via features.h), tested below */

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) \
    && defined(__GLIBC__) && !defined(COH_NO_SIMD)
#define COH_HAVE_MVEC 1
#define COH_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define COH_CLONES
#endif

#endif
