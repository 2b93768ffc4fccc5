"""Build the compiled kernels; everything else lives in pyproject.toml."""

import glob
import os
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

if sys.platform == "win32":
    extra_compile_args = ["/O2"]
else:
    # -O3 only: no -march=native and no -ffast-math in shipped builds (STYLE.md 2).
    extra_compile_args = ["-O3", "-std=c99"]

extensions = [
    Extension(
        "coherency._kernels",
        ["coherency/_kernels.pyx", *sorted(glob.glob(os.path.join("csrc", "*.c")))],
        include_dirs=["csrc"],
        extra_compile_args=extra_compile_args,
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
