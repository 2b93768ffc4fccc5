#!/usr/bin/env bash
# Fuzz the C kernels (csrc/*.c) under AddressSanitizer + UndefinedBehaviorSanitizer.
#
#   tools/fuzz_kernels.sh [iterations=100000] [seed=0x1234]
#   FUZZ_VALGRIND=1 tools/fuzz_kernels.sh 20000    # also run a plain build under valgrind
#   FUZZ_TSAN=1 tools/fuzz_kernels.sh 20000        # also ThreadSanitizer (the thread pool;
#                                                  # scalar path: TSan and ifunc clash)
#   FUZZ_PYTHON=1 tools/fuzz_kernels.sh            # also the public API on an ASan-built
#                                                  # extension (copy of HEAD in a temp dir)
#
# Builds tools/fuzz_kernels.c together with csrc/*.c into a temporary directory
# (nothing is written into the source tree) with the shipped optimisation level and
# the SIMD clones, so the code under test is the code that ships; exits non-zero on
# any sanitizer report, leak or failed check.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
iters="${1:-100000}"
seed="${2:-0x1234}"
cc="${CC:-gcc}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

common=(-std=c99 -O2 -g -fno-omit-frame-pointer -fno-math-errno -pthread -I"$root/csrc"
        "$here/fuzz_kernels.c" "$root"/csrc/*.c -lm)
"$cc" -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all \
    "${common[@]}" -o "$tmp/fuzz_asan"
echo "built with $("$cc" --version | head -1): -fsanitize=address,undefined,float-cast-overflow"
ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$tmp/fuzz_asan" "$iters" "$seed"

if [[ "${FUZZ_VALGRIND:-0}" == "1" ]] && command -v valgrind >/dev/null; then
    "$cc" "${common[@]}" -o "$tmp/fuzz_plain"
    # the pool's worker threads live until exit: their thread blocks are "possibly lost"
    cat > "$tmp/pool.supp" <<'SUPP'
{
   coh_pool_workers_live_until_exit
   Memcheck:Leak
   match-leak-kinds: possible
   ...
   fun:pthread_create*
   ...
   fun:coh_pool_run
}
SUPP
    valgrind --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=all -q \
        --suppressions="$tmp/pool.supp" \
        "$tmp/fuzz_plain" "$(( iters / 10 > 0 ? iters / 10 : 1 ))" "$seed"
    echo "valgrind: clean"
fi

if [[ "${FUZZ_TSAN:-0}" == "1" ]]; then
    "$cc" -fsanitize=thread -DCOH_NO_SIMD "${common[@]}" -o "$tmp/fuzz_tsan"
    TSAN_OPTIONS="halt_on_error=1" "$tmp/fuzz_tsan" "$iters" "$seed"
    echo "ThreadSanitizer: clean"
fi

if [[ "${FUZZ_PYTHON:-0}" == "1" ]]; then
    # git archive: the committed tree, built outside the working copy
    git -C "$root" archive HEAD | tar -x -C "$tmp" --one-top-level=pkg
    (cd "$tmp/pkg" && CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -g" \
        LDFLAGS="-fsanitize=address,undefined" python setup.py build_ext --inplace -q) >/dev/null
    (cd "$tmp" && ASAN_OPTIONS="detect_leaks=0:halt_on_error=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        LD_PRELOAD="$("$cc" -print-file-name=libasan.so) $("$cc" -print-file-name=libubsan.so)" \
        python "$here/fuzz_kernels.py" "$tmp/pkg" "$(( iters / 5 > 0 ? iters / 5 : 1 ))")
fi
