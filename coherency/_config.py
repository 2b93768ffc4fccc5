"""Build and run-time configuration: :func:`show_config` and :func:`config`.

What a bug report needs: the package version, the backend in force, whether the
compiled extension imported (and why not), which Helm loop the CPU runs (the SIMD
clone picked at load time by csrc/coh_ff.c), how loops use threads (the package's
pthread pool, or serial), the CPUs available to the process (the cap on
``n_threads``, :func:`available_cpus`), the compiler and the flags the extension was
built with (recorded at build time by setup.py as the macro ``COH_BUILD_FLAGS``), and
the versions of Python and of the dependencies.
"""

from __future__ import annotations

import functools
import importlib.metadata
import math
import os
import platform
import sys
from pathlib import Path
from typing import Any

from . import _backend
from ._version import __version__

_DEPENDENCIES = ("numpy", "scipy", "periodictable")
_UNKNOWN = "unknown"


def _dependency_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cgroup_cpu_limit(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """The CPU quota of the process's cgroup in whole CPUs (rounded up), or None.

    cgroup v2: ``<root>/cpu.max`` holds ``"<quota> <period>"`` or ``"max <period>"``;
    cgroup v1: ``<root>/cpu/cpu.cfs_quota_us`` (-1: no limit) over
    ``cpu.cfs_period_us`` (also under ``cpu,cpuacct/``)."""
    def read(path: Path) -> str | None:
        try:
            return path.read_text().strip()
        except (OSError, ValueError):
            return None

    text = read(root / "cpu.max")
    quota: float | None = None
    period: float | None = None
    try:
        if text is not None:
            fields = text.split()
            if len(fields) == 2 and fields[0] != "max":
                quota, period = float(fields[0]), float(fields[1])
        else:
            for sub in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
                q = read(root / sub / "cpu.cfs_quota_us")
                t = read(root / sub / "cpu.cfs_period_us")
                if q is not None and t is not None:
                    quota, period = float(q), float(t)
                    break
    except ValueError:
        return None
    if quota is None or period is None or not (quota > 0 and period > 0):
        return None
    return max(1, math.ceil(quota / period))


@functools.cache
def available_cpus() -> int:
    """CPUs this process may use: the cap on every ``n_threads``.

    The size of the process's affinity mask (``os.sched_getaffinity(0)``;
    ``os.cpu_count()`` where there is no such call), further limited by a cgroup CPU
    quota when one is set (cgroup v2 ``/sys/fs/cgroup/cpu.max``, v1
    ``cpu.cfs_quota_us / cpu.cfs_period_us``, rounded up); at least 1. Computed once,
    on first use, and shown by :func:`show_config` as ``cpus_available``.

    Examples
    --------
    >>> import coherency
    >>> coherency.config()["cpus_available"] >= 1
    True
    """
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS, Windows
        n = os.cpu_count() or 1
    limit = _cgroup_cpu_limit()
    if limit is not None:
        n = min(n, limit)
    return max(1, n)


def _extension_info() -> dict[str, Any]:
    """What the compiled module says about its own build; empty without it."""
    module = _backend._compiled
    if module is None:
        return {}
    info: dict[str, Any] = {"path": getattr(module, "__file__", _UNKNOWN)}
    # build_info() (threads, SIMD, ...) where the extension has it; otherwise the
    # narrower simd_info() and the compile-time strings.
    build_info = getattr(module, "build_info", None)
    if callable(build_info):
        info.update(build_info())
    simd_info = getattr(module, "simd_info", None)
    if "simd" not in info and callable(simd_info):
        info["simd"] = simd_info()
    for key, attr in (("compiler", "_COMPILER"), ("compile_flags", "_COMPILE_FLAGS")):
        if key not in info and isinstance(getattr(module, attr, None), str):
            info[key] = getattr(module, attr)
    return info


def config() -> dict[str, Any]:
    """Configuration of this installation as a plain dict.

    Returns
    -------
    dict
        Keys ``version``, ``backend`` (``"compiled"`` or ``"numpy"``, the one in
        force in this context), ``compiled_available`` (bool),
        ``compiled_import_error`` (str or None), ``extension_path``, ``simd``,
        ``threads`` (``"pthreads"``: loops with ``n_threads`` > 1 run on the
        package's thread pool; ``"serial"``: a build without threads; ``"unknown"``
        when the extension does not say), ``cpus_available`` (the cap on
        ``n_threads``, :func:`available_cpus`),
        ``compiler``, ``compile_flags`` (the extension's own flags, set in setup.py,
        plus any ``CFLAGS`` of the build; the extension's values or ``None`` without
        it), ``python``, ``platform`` and one key per dependency (``numpy``,
        ``scipy``, ``periodictable``) with its installed version.

    Examples
    --------
    >>> import coherency
    >>> cfg = coherency.config()
    >>> cfg["version"] == coherency.__version__
    True
    >>> cfg["backend"] in ("compiled", "numpy")
    True
    """
    ext = _extension_info()
    error = _backend._import_error
    out: dict[str, Any] = {
        "version": __version__,
        "backend": _backend.get_backend(),
        "compiled_available": _backend.compiled_available(),
        "compiled_import_error": None if error is None else str(error),
        "extension_path": ext.get("path"),
        "simd": ext.get("simd"),
        "threads": ext.get("threads", _UNKNOWN) if ext else None,
        "cpus_available": available_cpus(),
        "compiler": ext.get("compiler", _UNKNOWN) if ext else None,
        "compile_flags": ext.get("compile_flags", _UNKNOWN) if ext else None,
        "python": sys.version.split()[0] + f" ({platform.python_implementation()})",
        "platform": f"{platform.system()} {platform.machine()}",
    }
    # Anything else build_info() reports (e.g. thread counts) is kept as is.
    for key, value in ext.items():
        if key not in ("path", "simd", "threads", "compiler", "compile_flags"):
            out.setdefault(key, value)
    for name in _DEPENDENCIES:
        out[name] = _dependency_version(name)
    return out


def show_config(as_dict: bool = False) -> dict[str, Any] | None:
    """Print the configuration of this installation (see :func:`config`).

    Parameters
    ----------
    as_dict : bool, optional
        Return the dict instead of printing it.

    Returns
    -------
    dict or None
        The :func:`config` dict when ``as_dict`` is true, else None.

    Raises
    ------
    TypeError
        ``as_dict`` is not a bool.

    Examples
    --------
    >>> import coherency
    >>> coherency.show_config()  # doctest: +ELLIPSIS
    coherency ...
    >>> coherency.show_config(as_dict=True)["version"] == coherency.__version__
    True
    """
    from . import _validation  # (it imports this module)

    _validation.check_flag(as_dict, "as_dict")
    cfg = config()
    if as_dict:
        return cfg
    width = max(len(key) for key in cfg)
    lines = [f"coherency {cfg['version']}"]
    for key, value in cfg.items():
        if key == "version":
            continue
        lines.append(f"  {key:<{width}} : {value}")
    print("\n".join(lines))
    return None
