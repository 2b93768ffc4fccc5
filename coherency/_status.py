"""Status codes of the kernels: the one table both backends raise from.

The C entry points (csrc/) return ``COH_OK`` (0) or a negative code defined in
csrc/coh_status.h; the compiled wrappers (``_kernels.pyx``) and the numpy twin
(``_reference.py``) turn a code into a ``RuntimeError`` with :func:`raise_status`,
so both backends give the same message. tests/test_kernel_convention.py checks that
this table and the header hold exactly the same codes, names and messages.
"""

from __future__ import annotations

from typing import NoReturn

OK = 0
BAD_MODEL = -1
BAD_ARG = -2
BAD_RULE = -3
INTERRUPTED = -4
BAD_RESOLUTION = -5
BAD_GRID = -6

# code -> (macro in csrc/coh_status.h, message)
STATUS: dict[int, tuple[str, str]] = {
    OK: ("COH_OK", "success"),
    BAD_MODEL: ("COH_EBADMODEL", "unknown form-factor model id"),
    BAD_ARG: ("COH_EBADARG", "argument outside the documented domain"),
    BAD_RULE: ("COH_EBADRULE", "empty or malformed quadrature rule"),
    INTERRUPTED: ("COH_EINTERRUPTED", "interrupted by a signal (Ctrl-C)"),
    BAD_RESOLUTION: ("COH_EBADRES", "unknown resolution model id"),
    BAD_GRID: ("COH_EBADGRID", "efficiency grid does not match the bin edges"),
}


def message(status: int, where: str) -> str:
    """``"<where>: <meaning> (status <code>)"``; unknown codes are shown as numbers."""
    meaning = STATUS[status][1] if status in STATUS else "unknown status"
    return f"{where}: {meaning} (status {status})"


def raise_status(status: int, where: str) -> NoReturn:
    """Raise the ``RuntimeError`` of a nonzero kernel status."""
    raise RuntimeError(message(status, where))
