"""Reader of the COHERENT CsI[Na] 2021 data release: unbinned events and the neutron
background PDFs (docs/physics.md §14).

COHERENT, D. Akimov et al., PRL 129 (2022) 081801, arXiv:2110.07730, and its data
release, shipped in ``coherency/data/releases/coherent_csi_2021/``:

``dataBeamOnC.txt``, ``dataBeamOnAC.txt``
    One selected event per line, ``PE  t_rec[us]``: the beam-on coincidence window
    (C, neutrinos and everything else) and the anticoincidence window (AC, the same
    length before the beam trigger: steady-state background only).
``brnPE.txt``, ``ninPE.txt``
    The PE spectra of beam-related neutrons (BRN) and neutrino-induced neutrons (NIN):
    ``PE bin centre, value`` in 1-PE bins; each sums to 1 over 0-60 PE and already
    contains the PE efficiency.
``brnTrec.txt``, ``ninTrec.txt``
    Their reconstructed-time distributions in 0.01-us bins, unnormalised and without
    the timing efficiency.

The BRN and NIN PDFs are given as separate PE and time projections: their 2-D PDF
is the product (what the release offers; correlations are not given).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _validation
from .._typing import FloatArray
from ._files import read_numbers, release_folder

__all__ = [
    "CsI2021Release",
    "bin_events",
    "integrate_binned",
    "read_csi_2021",
]

_EVENT_FILES = {"coincidence": "dataBeamOnC.txt", "anticoincidence": "dataBeamOnAC.txt"}
_PDF_FILES = {"brn_pe": "brnPE.txt", "nin_pe": "ninPE.txt",
              "brn_time": "brnTrec.txt", "nin_time": "ninTrec.txt"}


@dataclass(frozen=True)
class CsI2021Release:
    """The CsI 2021 release read into arrays.

    Attributes
    ----------
    events : dict of str to ndarray, shape (n, 2)
        ``"coincidence"`` and ``"anticoincidence"``: (PE, t_rec in us) per event.
    pdfs : dict of str to ndarray, shape (n, 2)
        ``"brn_pe"``, ``"nin_pe"`` (PE bin centre, value; 1-PE bins) and
        ``"brn_time"``, ``"nin_time"`` (t bin centre in us, value; 0.01-us bins).
    directory : str
        The folder read.
    """

    events: dict[str, FloatArray]
    pdfs: dict[str, FloatArray]
    directory: str

    def pdf_edges(self, key: str) -> FloatArray:
        """Bin edges of a released PDF, from its (uniformly spaced) bin centres."""
        c = self.pdfs[key][:, 0]
        half = 0.5 * (c[1] - c[0])
        return np.r_[c - half, c[-1] + half]


def _uniform_centres(c: FloatArray, fname: str) -> None:
    if c.size < 2:
        raise ValueError(f"{fname}: needs at least two bins; got {c.size}")
    step = np.diff(c)
    if not np.all(step > 0) or not np.allclose(step, step[0], rtol=1e-6, atol=1e-9):
        raise ValueError(f"{fname}: bin centres must be increasing and evenly spaced; "
                         f"got spacings from {step.min():g} to {step.max():g}")


def read_csi_2021(directory: str | Path | None = None) -> CsI2021Release:
    """Read the COHERENT CsI 2021 release folder (module docstring); default: the copy
    shipped in the package.

    Raises
    ------
    ValueError
        Missing folder or file; a row without exactly two finite numbers; an event with
        a negative PE or time; a PDF with a negative value, a zero sum, or bin centres
        that are not evenly spaced. Messages name the file (and the line).

    Examples
    --------
    >>> rel = read_csi_2021()
    >>> rel.events["coincidence"].shape[1], len(rel.pdfs)
    (2, 4)
    """
    folder = release_folder(directory, "coherent_csi_2021")
    events = {key: read_numbers(folder / fname, 2, nonnegative_columns=(0, 1))
              for key, fname in _EVENT_FILES.items()}
    pdfs: dict[str, FloatArray] = {}
    for key, fname in _PDF_FILES.items():
        d = read_numbers(folder / fname, 2, nonnegative_columns=(1,))
        _uniform_centres(d[:, 0], fname)
        if not d[:, 1].sum() > 0:
            raise ValueError(f"{fname}: the PDF sums to {d[:, 1].sum()!r}; it must be > 0")
        pdfs[key] = d
    return CsI2021Release(events=events, pdfs=pdfs, directory=str(folder))


def _edges(values: Any, name: str) -> FloatArray:
    e = _validation.as_float_array(values, name)
    if e.ndim != 1 or e.size < 2:
        raise ValueError(f"{name} must be 1-D with at least two edges; got shape {e.shape}")
    _validation.check_increasing(e, name)
    return np.asarray(e, dtype=np.float64)


def bin_events(events: npt.ArrayLike, pe_edges: npt.ArrayLike,
               time_edges_us: npt.ArrayLike) -> FloatArray:
    """Counts of an unbinned (PE, t_rec us) event list in PE x time bins.

    Bins are half-open, [lo, hi), like the observed bins of the presets; events
    outside the edges are not counted.

    Parameters
    ----------
    events : array_like, shape (n, 2)
        PE and reconstructed time (us) per event.
    pe_edges, time_edges_us : array_like
        Strictly increasing edges (PE; us).

    Returns
    -------
    ndarray, shape (len(pe_edges) - 1, len(time_edges_us) - 1)

    Examples
    --------
    >>> bin_events([[9.5, 0.1], [12.0, 0.3], [70.0, 0.1]], [8, 12, 16], [0, 0.25, 0.5])
    array([[1., 0.],
           [0., 1.]])
    """
    ev = _validation.as_float_array(events, "events")
    if ev.ndim != 2 or ev.shape[1] != 2:
        raise ValueError(f"events must have shape (n, 2) (PE, time); got {ev.shape}")
    pe, t = _edges(pe_edges, "pe_edges"), _edges(time_edges_us, "time_edges_us")
    i = np.searchsorted(pe, ev[:, 0], side="right") - 1
    j = np.searchsorted(t, ev[:, 1], side="right") - 1
    inside = (i >= 0) & (i < pe.size - 1) & (j >= 0) & (j < t.size - 1)
    out = np.zeros((pe.size - 1, t.size - 1))
    np.add.at(out, (i[inside], j[inside]), 1.0)
    return out


def integrate_binned(source_edges: npt.ArrayLike, values: npt.ArrayLike,
                     edges: npt.ArrayLike,
                     weight: Callable[[FloatArray, FloatArray], FloatArray] | None = None,
                     ) -> FloatArray:
    """A histogram (contents ``values`` in bins ``source_edges``) integrated over the
    bins ``edges``, each source bin taken as uniform inside, optionally weighted by a
    function of the observable (docs/physics.md Eq. (14.7)).

    Parameters
    ----------
    source_edges : array_like
        Edges of the histogram, strictly increasing (len(values) + 1).
    values : array_like
        Contents of its bins (>= 0).
    edges : array_like
        The target bins.
    weight : callable, optional
        ``weight(a, b)``: the mean of a weight w(x) over each interval [a, b] (arrays;
        e.g. a timing efficiency averaged over the interval); None: w = 1.

    Returns
    -------
    ndarray
        sum over source bins of value x overlap/width x mean weight on the overlap.

    Examples
    --------
    >>> integrate_binned([0, 1, 2], [4.0, 2.0], [0.5, 1.5, 2.0])
    array([3., 1.])
    """
    src = _edges(source_edges, "source_edges")
    val = _validation.as_float_array(values, "values", min_value=0.0)
    if val.shape != (src.size - 1,):
        raise ValueError(f"values must have {src.size - 1} entries (one per source bin); "
                         f"got shape {val.shape}")
    tgt = _edges(edges, "edges")
    lo, hi = src[:-1], src[1:]
    out = np.zeros(tgt.size - 1)
    for k, (a, b) in enumerate(zip(tgt[:-1], tgt[1:])):
        ov_lo, ov_hi = np.maximum(lo, a), np.minimum(hi, b)
        keep = ov_hi > ov_lo
        if not keep.any():
            continue
        frac = (ov_hi[keep] - ov_lo[keep]) / (hi[keep] - lo[keep])
        w = 1.0 if weight is None else np.asarray(weight(ov_lo[keep], ov_hi[keep]))
        out[k] = float(np.sum(val[keep] * frac * w))
    return out
