"""Packaged data: the public releases the package reads, and tables derived from them.

The public data releases (COHERENT CsI 2017, CsI 2021, Ar 2020; solar and atmospheric
neutrino tables) ship unchanged under ``coherency/data/releases/`` (see the README
there for each source, reference and terms); :func:`release_dir` finds them, or a
copy of your own named by the environment variable ``COHERENCY_DATA_DIR``.

``load(name)`` returns a :class:`coherency.analysis.Measurement` read from the CSV
tables of bin-wise ξ(q²) derived from the releases (package data, read with
``importlib.resources``). Each table carries a ``#`` header naming
the release files, the script and the choices made;
rerun :func:`coherency.data.xi_tables.write_shipped_tables` on your own download to
remake them. See README.md in this folder.

Readers of the releases, one module each: :mod:`.coherent_csi_2017`,
:mod:`.coherent_ar_2020`; :mod:`.xi_tables` the table format. Every function that
takes a release folder defaults to the shipped copy.

Names
-----
``"coherent_csi"``       COHERENT CsI[Na] 2017, CsI treated as Xe132 (Sharma & Wong's choice)
``"coherent_csi_cs_i"``  the same data, CsI as Cs133 + I127 (q² with the rate-weighted
                         mean mass, ξ_dec rate-weighted over the two nuclei)
``"coherent_ar"``        COHERENT CENNS-10 Ar 2020, analysis A
"""

from __future__ import annotations

import difflib
import os
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["DATASETS", "RELEASES", "load", "release_dir", "table"]

#: The shipped public releases, one folder each (see releases/README.md).
RELEASES: tuple[str, ...] = (
    "coherent_csi_2017", "coherent_csi_2021", "coherent_ar_2020", "solar", "atmospheric",
)

DATA_DIR_ENV = "COHERENCY_DATA_DIR"


def release_dir(name: str | None = None) -> Path:
    """Folder of a shipped public data release (or the folder holding them all).

    Parameters
    ----------
    name : str, optional
        One of :data:`RELEASES`; ``None`` gives the folder that holds them.

    Returns
    -------
    pathlib.Path
        ``$COHERENCY_DATA_DIR/<name>`` when that environment variable is set (a folder
        of your own with the same layout), else the copy inside the installed package.

    Raises
    ------
    TypeError
        ``name`` is not a string.
    ValueError
        ``name`` is not a known release (close matches are listed).
    FileNotFoundError
        ``COHERENCY_DATA_DIR`` is set but the folder does not exist.

    Examples
    --------
    >>> (release_dir("coherent_csi_2021") / "dataBeamOnC.txt").is_file()
    True
    """
    if name is not None:
        if not isinstance(name, str):
            raise TypeError(f"name must be a release name (str); got {type(name).__name__}")
        if name not in RELEASES:
            close = difflib.get_close_matches(name, RELEASES, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"name: unknown data release {name!r}; known: {list(RELEASES)}{hint}")
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if env:
        root = Path(env).expanduser()
        if not root.is_dir():
            raise FileNotFoundError(f"{DATA_DIR_ENV}={env!r} is not a folder")
    else:
        root = Path(str(resources.files(__name__).joinpath("releases")))
    return root if name is None else root / name

DATASETS: dict[str, str] = {
    "coherent_csi": "coherent_csi_2017_xi.csv",
    "coherent_csi_cs_i": "coherent_csi_2017_cs_i_xi.csv",
    "coherent_ar": "coherent_ar_2020_xi.csv",
}


def _check_name(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name must be a data-set name (str); got {type(name).__name__}")
    if name not in DATASETS:
        close = difflib.get_close_matches(name, list(DATASETS), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"name: unknown data set {name!r}; known: {sorted(DATASETS)}{hint}")
    return name


def table(name: str) -> Any:
    """The shipped table of data set ``name`` as a
    :class:`coherency.data.xi_tables.XiTable` (columns and provenance lines)."""
    from .xi_tables import read_table

    fname = DATASETS[_check_name(name)]
    text = resources.files(__name__).joinpath(fname).read_text(encoding="utf-8")
    return read_table(text)


def load(name: str, epsilon: float | None = None) -> Any:
    """A :class:`~coherency.analysis.Measurement` of a packaged data set.

    Parameters
    ----------
    name : str
        ``"coherent_csi"``, ``"coherent_csi_cs_i"`` or ``"coherent_ar"``.
    epsilon : float, optional
        1 − 4 sin²θ_W for ξ_dec; default: the value the table was derived with
        (its header line ``epsilon:``).

    Raises
    ------
    TypeError
        ``name`` is not a string.
    ValueError
        Unknown name (close matches are listed).

    Examples
    --------
    >>> m = load("coherent_csi")
    >>> m.nucleus.name, len(m) > 3
    ('Xe132', True)
    """
    # The Ar release gives SS-subtracted data, not raw counts: no Poisson model there.
    return table(name).measurement(epsilon, counts=name != "coherent_ar", label=name)
