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


def read_text(path: Path) -> str:
    """A release file's text, UTF-8 (``ValueError`` naming the file and the line of the
    first byte that is not)."""
    if not path.is_file():
        raise ValueError(f"{path.name}: missing file in the release folder {str(path.parent)!r}")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ValueError(f"{path.name} line {line}: not UTF-8 text (byte "
                         f"0x{raw[exc.start]:02x} at offset {exc.start})") from None


def _all_numbers(parts: list[str]) -> bool:
    try:
        [float(p) for p in parts]
    except ValueError:
        return False
    return True


def read_numbers(path: Path, ncols: int, *, title_lines: int = 0,
                 integer_columns: tuple[int, ...] = (),
                 nonnegative_columns: tuple[int, ...] = ()) -> FloatArray:
    """Rows of exactly ``ncols`` comma- or blank-separated finite numbers.

    '#' comments and blank lines are skipped; the first ``title_lines`` other lines
    are column titles (the files that have one say so: a corrupt first data row is
    then an error, not a title). Values of ``integer_columns`` must be whole numbers
    >= 0 (counts), those of ``nonnegative_columns`` >= 0. Every error names the file
    and the line.
    """
    rows: list[list[float]] = []
    titles = 0
    for lineno, line in enumerate(read_text(path).splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{path.name} line {lineno}"
        parts = [p for p in line.replace(",", " ").split() if p]
        if titles < title_lines:
            titles += 1
            if _all_numbers(parts):  # the title is missing: this is a data row
                raise ValueError(f"{where}: expected the line of column titles; got numbers "
                                 f"{line!r}")
            continue
        try:
            vals = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"{where}: expected {ncols} numbers; got {line!r}") from None
        if len(vals) != ncols:
            raise ValueError(f"{where}: expected {ncols} columns; got {len(vals)} in {line!r}")
        if not all(math.isfinite(v) for v in vals):
            raise ValueError(f"{where}: values must be finite; got {line!r}")
        for k in integer_columns:
            if not (vals[k] >= 0 and vals[k] == math.floor(vals[k])):
                raise ValueError(f"{where}: column {k + 1} holds counts, whole numbers >= 0; "
                                 f"got {parts[k]!r}")
        for k in nonnegative_columns:
            if not vals[k] >= 0:
                raise ValueError(f"{where}: column {k + 1} must be >= 0; got {parts[k]!r}")
        rows.append(vals)
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
