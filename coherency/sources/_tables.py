"""Reading the coefficient tables the sources are built from (``coherency/data/*.csv``,
derived from the public releases in ``coherency/data/releases/`` by
``tools/derive_spectra.py``; see ``coherency/data/README.md``)."""

from __future__ import annotations

import csv
from importlib import resources


def read_named_csv(filename: str) -> list[list[str]]:
    """Rows (as strings) of a shipped coefficient table: ``#`` comment lines and the
    column-header line dropped."""
    text = resources.files("coherency.data").joinpath(filename).read_text(encoding="utf-8")
    rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    return rows[1:]  # drop the column header
