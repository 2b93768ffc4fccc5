"""Bin-wise ξ(q²) tables: the CSV format of ``coherency/data/*_xi.csv`` (columns and
provenance lines), and the recipe that remakes the shipped tables from the public
releases (:func:`write_shipped_tables`, with the readers of
:mod:`coherency.data.coherent_csi_2017` and :mod:`coherency.data.coherent_ar_2020`).
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._typing import FloatArray
from ._files import folder

__all__ = ["SHIPPED", "XiTable", "derive_shipped", "read_table", "write_shipped_tables",
           "write_table"]


@dataclass(frozen=True)
class XiTable:
    """A derived bin-wise ξ table: columns (name → array) and provenance lines."""

    columns: dict[str, FloatArray]
    provenance: tuple[str, ...]

    def __getitem__(self, key: str) -> FloatArray:
        return self.columns[key]

    def meta(self) -> dict[str, str]:
        """The ``key: value`` provenance lines as a dict (``target``, ``epsilon``, ...)."""
        out = {}
        for line in self.provenance:
            key, sep, value = line.partition(":")
            if sep:
                out[key.strip()] = value.strip()
        return out

    def measurement(self, epsilon: float | None = None, counts: bool = True,
                    label: str = "") -> Any:
        """The :class:`~coherency.analysis.Measurement` of this table.

        ``epsilon``: 1 − 4 sin²θ_W of ξ_dec, default the table's own (its ``epsilon:``
        line); ``counts``: attach the on/background counts (the Poisson model), which
        a table of background-subtracted data (Ar 2020) must not do."""
        from ..analysis import BinCounts, Measurement

        meta = self.meta()
        eps = float(meta["epsilon"]) if epsilon is None else epsilon
        c = self.columns
        bins = BinCounts(c["on"], c["background"], c["background_ratio"],
                         c["predicted"]) if counts else None
        return Measurement(q2=c["q2"], xi=c["xi"], xi_err=c["xi_err"], nucleus=meta["target"],
                           epsilon=eps, counts=bins, q2_lo=c["q2_lo"], q2_hi=c["q2_hi"],
                           label=label)


def write_table(table: XiTable, path: str | Path) -> None:
    """Write ``table`` as CSV with its provenance as leading ``#`` lines."""
    path = Path(path)
    names = list(table.columns)
    with path.open("w", newline="") as fh:
        for line in table.provenance:
            fh.write(f"# {line}\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(names)
        for row in zip(*(table.columns[n] for n in names)):
            writer.writerow([repr(float(v)) for v in row])


def read_table(text: str) -> XiTable:
    """Parse what :func:`write_table` wrote (text of the file)."""
    prov: list[str] = []
    lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            prov.append(line[1:].strip())
        elif line.strip():
            lines.append(line)
    reader = csv.reader(lines)
    names = next(reader, None)
    if not names:
        raise ValueError("text: no column-name line (an empty or truncated table)")
    rows = []
    for i, r in enumerate(reader, 1):
        if len(r) != len(names):
            raise ValueError(f"text: data row {i} has {len(r)} values, the header "
                             f"{len(names)} columns ({', '.join(names)}); got {r!r}")
        try:
            vals = [float(v) for v in r]
        except ValueError:
            raise ValueError(f"text: data row {i} must hold numbers; got {r!r}") from None
        if not all(math.isfinite(v) for v in vals):
            raise ValueError(f"text: data row {i} must hold finite numbers; got {r!r}")
        rows.append(vals)
    if not rows:
        raise ValueError(f"text: no data rows under the columns {', '.join(names)}")
    arr = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(names))
    return XiTable({n: arr[:, i].copy() for i, n in enumerate(names)}, tuple(prov))


def row_percentile(W: FloatArray, x: FloatArray, p: float) -> FloatArray:
    """Per row of non-negative weights W over increasing nodes x, the x below which a
    fraction p of the row's weight lies (linear between the cumulative sums at the
    nodes); NaN for a row without weight. The q^2 range an observed bin samples."""
    cum = np.cumsum(W, axis=1)
    out = np.full(W.shape[0], np.nan)
    for b in np.flatnonzero(cum[:, -1] > 0):
        out[b] = float(np.interp(p, cum[b] / cum[b, -1], x))
    return out


def provenance(source: str, files: Sequence[str], choices: str) -> tuple[str, ...]:
    """The ``#`` header lines of a derived table."""
    return (
        f"Derived from the public release {source}",
        "files: " + ", ".join(files),
        "script: coherency.data.xi_tables.write_shipped_tables (rerun it on the release)",
        f"date: {_dt.date.today().isoformat()}",
        f"choices: {choices}",
        "xi = observed/predicted at complete coherency (F = 1); xi_err statistical only",
    )


SHIPPED: dict[str, tuple[str, dict[str, Any]]] = {
    "coherent_csi_2017_xi.csv": ("coherent_csi_2017", dict(target_kind="xe")),
    "coherent_csi_2017_cs_i_xi.csv": ("coherent_csi_2017", dict(target_kind="cs_i")),
    "coherent_ar_2020_xi.csv": ("coherent_ar_2020", {}),
}


def derive_shipped(data_dir: str | Path | None, filename: str) -> XiTable:
    """Re-derive one shipped table from the releases under ``data_dir`` (the folder
    holding ``coherent_csi_2017/`` and ``coherent_ar_2020/``; ``None``: the copies
    shipped in the package, :func:`coherency.data.release_dir`), with the shipped
    choices (the defaults of :func:`~coherency.data.coherent_csi_2017.derive_csi_2017`
    and :func:`~coherency.data.coherent_ar_2020.derive_ar_2020`)."""
    from . import release_dir
    from .coherent_ar_2020 import derive_ar_2020
    from .coherent_csi_2017 import derive_csi_2017

    if filename not in SHIPPED:
        raise ValueError(f"filename must be one of {sorted(SHIPPED)}; got {filename!r}")
    release, kwargs = SHIPPED[filename]
    root = release_dir() if data_dir is None else folder(data_dir, "data_dir")
    path = root / release
    if release == "coherent_ar_2020":
        return derive_ar_2020(path, **kwargs)
    return derive_csi_2017(path, **kwargs)


def write_shipped_tables(data_dir: str | Path | None = None,
                         out_dir: str | Path | None = None) -> None:
    """Remake ``coherency/data/*_xi.csv`` (or write them to ``out_dir``) from the releases
    under ``data_dir`` (default: the shipped copies)."""
    out = Path(__file__).parent if out_dir is None else folder(out_dir, "out_dir")
    for fname in SHIPPED:
        write_table(derive_shipped(data_dir, fname), out / fname)
