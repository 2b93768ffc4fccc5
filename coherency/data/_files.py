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
