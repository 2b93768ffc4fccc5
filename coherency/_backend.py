"""Choice of the kernel backend: the compiled extension or the numpy/scipy twin.

``COHERENCY_BACKEND`` (``auto`` | ``compiled`` | ``numpy``) sets the default;
:func:`use_backend` switches it for a block of code (per thread and per asyncio
task, through a context variable). When the extension is missing, ``auto`` falls
back to the twin and warns once, unless ``COHERENCY_REQUIRE_COMPILED=1``, in which
case importing coherency fails: a fallback must never hide a broken build.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import os
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from . import _reference
from ._kernel_api import KernelModule

_CHOICES = ("auto", "compiled", "numpy")


class CoherencyWarning(UserWarning):
    """Valid but approximate results, or a degraded configuration."""


_compiled: KernelModule | None
_import_error: ImportError | None = None
try:
    # import_module keeps the real reason (e.g. "No module named ...", an undefined
    # symbol); "from . import _kernels" would report a bogus circular import.
    _compiled = cast(KernelModule, importlib.import_module(f"{__package__}._kernels"))
except ImportError as exc:  # pragma: no cover - exercised only without a build
    _compiled = None
    _import_error = exc

if _compiled is None and os.environ.get("COHERENCY_REQUIRE_COMPILED", "") == "1":
    raise ImportError(
        "COHERENCY_REQUIRE_COMPILED=1 but coherency._kernels is not built "
        f"({_import_error}); reinstall with a C compiler: pip install ."
    )


def _check_choice(name: str) -> str:
    if not isinstance(name, str) or name not in _CHOICES:
        raise ValueError(f"backend must be one of {_CHOICES}; got {name!r}")
    return name


_env_choice = os.environ.get("COHERENCY_BACKEND", "auto").strip().lower() or "auto"
_check_choice(_env_choice)
_active: contextvars.ContextVar[str] = contextvars.ContextVar(
    "coherency_backend", default=_env_choice)
_warned = False


def compiled_available() -> bool:
    """True when the compiled extension ``coherency._kernels`` imported."""
    return _compiled is not None


def kernels() -> KernelModule:
    """The kernel module in force: ``coherency._kernels`` or ``coherency._reference``
    (both implement :class:`coherency._kernel_api.KernelModule`)."""
    global _warned
    name = _active.get()
    if name == "numpy":
        return _reference
    if _compiled is None:
        if name == "compiled":
            raise ImportError(
                "coherency._kernels is not built; pip install . (needs a C compiler)"
            )
        if not _warned:
            _warned = True
            warnings.warn(
                "coherency._kernels is not built: using the slower numpy/scipy backend",
                CoherencyWarning,
                stacklevel=3,
            )
        return _reference
    return _compiled


def get_backend() -> str:
    """Name of the backend in force: ``"compiled"`` or ``"numpy"``."""
    name = _active.get()
    if name == "numpy" or (name == "auto" and _compiled is None):
        return "numpy"
    return "compiled"


def set_backend(name: str) -> None:
    """Set the backend for the current context (``auto``, ``compiled`` or ``numpy``)."""
    _active.set(_check_choice(name))


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[str]:
    """Context manager selecting a backend: ``with use_backend("numpy"): ...``.

    Raises
    ------
    ValueError
        ``name`` is not ``"auto"``, ``"compiled"`` or ``"numpy"``.
    ImportError
        ``"compiled"`` was asked for and the extension is not built.
    """
    _check_choice(name)
    if name == "compiled" and _compiled is None:
        raise ImportError("coherency._kernels is not built; pip install . (needs a C compiler)")
    token = _active.set(name)
    try:
        yield get_backend()
    finally:
        _active.reset(token)


if TYPE_CHECKING:
    # mypy checks that both backends implement the kernel interface: the twin's
    # annotations and the compiled module's stub (_kernels.pyi).
    from . import _kernels

    _twin_api: KernelModule = _reference
    _compiled_api: KernelModule = _kernels
