"""Reading the folders and text files of the public data releases."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from .._typing import FloatArray


def release_folder(directory: Any, release: str, name: str = "directory") -> Path:
    """``directory`` as an existing folder; ``None`` gives the shipped copy of
    ``release`` (:func:`coherency.data.release_dir`)."""
    if directory is None:
        from . import release_dir

        directory = release_dir(release)
    return folder(directory, name)


def folder(directory: Any, name: str = "directory") -> Path:
    """``directory`` as a Path, checked to be an existing folder."""
    if not isinstance(directory, (str, Path)):
        raise TypeError(f"{name} must be a path; got {type(directory).__name__}")
    path = Path(directory)
    if not path.is_dir():
        raise ValueError(f"{name}: no such folder {str(path)!r}")
    return path


def read_numbers(path: Path, ncols: int) -> FloatArray:
    """Comma- or blank-separated numbers, '#' comments and text header lines skipped."""
    rows: list[list[float]] = []
    if not path.is_file():
        raise ValueError(f"{path.name}: missing file in the release folder {str(path.parent)!r}")
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p for p in line.replace(",", " ").split() if p]
        try:
            vals = [float(p) for p in parts]
        except ValueError:
            if rows:  # text after the data started: a corrupt row, not a title
                raise ValueError(
                    f"{path.name} line {lineno}: expected {ncols} numbers; got {line!r}"
                ) from None
            continue   # column-title line
        if len(vals) < ncols:
            raise ValueError(f"{path.name}: expected {ncols} columns; got {line!r}")
        if not all(math.isfinite(v) for v in vals[:ncols]):
            raise ValueError(f"{path.name} line {lineno}: values must be finite; got {line!r}")
        rows.append(vals[:ncols])
    if not rows:
        raise ValueError(f"{path.name}: no numeric rows")
    return np.asarray(rows, dtype=np.float64)


def read_coefficient_sets(path: Path, ncols: int, nrows: int,
                          what: str) -> list[tuple[str, tuple[float, ...], int]]:
    """Rows of ``ncols`` numbers, each under a ``#`` comment naming it, as
    ``(label, numbers, line number)``: the coefficient files of a release (e.g. COHERENT
    CsI 2021 ``scintRespCoefficients.txt``, ``effCoefficients.txt``). The label is the
    last comment line above the row. Exactly ``nrows`` rows (``what`` describes them in
    the error); a ``ValueError`` names the file and the line of anything else.
    """
    if not path.is_file():
        raise ValueError(f"{path.name}: missing file in the release folder {str(path.parent)!r}")
    rows: list[tuple[str, tuple[float, ...], int]] = []
    label = ""
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            label = line.lstrip("#").strip()
            continue
        parts = line.split("#", 1)[0].replace(",", " ").split()
        try:
            vals = tuple(float(p) for p in parts)
        except ValueError:
            vals = ()
        if len(vals) != ncols or not all(math.isfinite(v) for v in vals):
            raise ValueError(f"{path.name} line {lineno}: expected {ncols} finite numbers; "
                             f"got {line!r}")
        rows.append((label, vals, lineno))
    if len(rows) != nrows:
        raise ValueError(f"{path.name}: expected {nrows} rows of {ncols} numbers ({what}); "
                         f"got {len(rows)}")
    return rows
