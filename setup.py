"""Build the compiled kernels; everything else lives in pyproject.toml."""

import glob
import os
import sys

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

if sys.platform == "win32":
    # No pthreads: csrc/coh_pool.c runs every loop on the calling thread.
    extra_compile_args = ["/O2"]
    extra_link_args = []
    threads = [("COH_NO_THREADS", "1")]
else:
    # No -march=native and no -ffast-math in shipped builds (STYLE.md 2). We never
    # read errno, so -fno-math-errno is safe: it lets gcc fuse sin/cos into sincos
    # and inline sqrt, with IEEE semantics (NaN, rounding) unchanged. -pthread: the
    # package's thread pool (csrc/coh_pool.c).
    extra_compile_args = ["-O3", "-std=c99", "-fno-math-errno", "-pthread"]
    extra_link_args = ["-pthread"]
    threads = []

extensions = [
    Extension(
        "coherency._kernels",
        ["coherency/_kernels.pyx", *sorted(glob.glob(os.path.join("csrc", "*.c")))],
        # numpy's C API: the small-array entry points read and make arrays directly
        # and call numpy's own float64 arccos/cos loops (coherency/_kernels.pyx).
        include_dirs=["csrc", numpy.get_include()],
        # libm's linker script pulls in libmvec (vector sin/cos/exp) on glibc.
        libraries=[] if sys.platform == "win32" else ["m"],
        extra_compile_args=extra_compile_args,
        # Recorded for coherency.show_config(): a C string literal read in _kernels.pyx.
        define_macros=[
            ("COH_BUILD_FLAGS", '"{}"'.format(
                " ".join([*extra_compile_args, os.environ.get("CFLAGS", "")])
                .strip().replace("\\", "/").replace('"', "'"))),
            # MSVC's C mode knows C99 restrict only as __restrict.
            *([("restrict", "__restrict")] if sys.platform == "win32" else []),
            *threads,
            ("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"),
        ],
        extra_link_args=extra_link_args,
    )
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": "3",
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
            "embedsignature": True,
        },
    )
)
