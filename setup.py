"""Build the compiled kernels; everything else lives in pyproject.toml."""

import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

from Cython.Build import cythonize
from setuptools import Extension, setup

if sys.platform == "win32":
    extra_compile_args = ["/O2"]
else:
    # No -march=native and no -ffast-math in shipped builds (STYLE.md 2). We never
    # read errno, so -fno-math-errno is safe: it lets gcc fuse sin/cos into sincos
    # and inline sqrt, with IEEE semantics (NaN, rounding) unchanged.
    extra_compile_args = ["-O3", "-std=c99", "-fno-math-errno"]



def _openmp_flags() -> list[str]:
    """["-fopenmp"] when the C compiler builds and links an OpenMP program, else []:
    the kernels then build serially (e.g. Apple clang without libomp).
    COHERENCY_NO_OPENMP=1 forces a serial build."""
    if sys.platform == "win32" or os.environ.get("COHERENCY_NO_OPENMP", "") == "1":
        return []
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    src = "#include <omp.h>\nint main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }\n"
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, "omp_check.c")
        with open(path, "w") as fh:
            fh.write(src)
        cmd = [*cc.split(), "-fopenmp", path, "-o", os.path.join(tmp, "omp_check")]
        ok = subprocess.run(cmd, capture_output=True).returncode == 0
    except OSError:
        ok = False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ["-fopenmp"] if ok else []


openmp = _openmp_flags()
extra_compile_args += openmp

extensions = [
    Extension(
        "coherency._kernels",
        ["coherency/_kernels.pyx", *sorted(glob.glob(os.path.join("csrc", "*.c")))],
        include_dirs=["csrc"],
        # libm's linker script pulls in libmvec (vector sin/cos/exp) on glibc.
        libraries=[] if sys.platform == "win32" else ["m"],
        extra_compile_args=extra_compile_args,
        # Recorded for coherency.show_config(): a C string literal read in _kernels.pyx.
        define_macros=[
            ("COH_BUILD_FLAGS", '"%s"' % " ".join([*extra_compile_args, os.environ.get("CFLAGS", "")])
             .strip().replace("\\", "/").replace('"', "'")),
            # MSVC's C mode knows C99 restrict only as __restrict.
            *([("restrict", "__restrict")] if sys.platform == "win32" else []),
        ],
        extra_link_args=openmp,
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
