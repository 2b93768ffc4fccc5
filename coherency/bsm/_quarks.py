"""Scalar charges of the nucleons from a scalar mediator's couplings to the quarks
(docs/physics.md Eq. 13.5b): the light quarks through their scalar matrix elements
f_Tq, the heavy ones through the gluons. Used by :class:`coherency.bsm.ScalarMediator`."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from .. import _validation
from ..constants import (
    NEUTRON_MASS_MEV,
    NUCLEON_SCALAR_FTQ,
    PROTON_MASS_MEV,
    QUARK_MASSES_MEV,
)

__all__ = ["SCALAR_QUARKS", "scalar_nucleon_charges"]

# Quarks a scalar mediator couples to (docs/physics.md Eq. 13.5b): the light ones
# through f_Tq, the heavy ones through the gluons.
SCALAR_QUARKS: tuple[str, ...] = ("u", "d", "s", "c", "b", "t")
_LIGHT_QUARKS = ("u", "d", "s")
_HEAVY_QUARKS = ("c", "b", "t")


@functools.lru_cache(maxsize=256)
def _quark_charges(pairs: tuple[tuple[str, float], ...]) -> tuple[float, float]:
    return scalar_nucleon_charges(dict(pairs))


def scalar_nucleon_charges(quark_couplings: Mapping[str, float]) -> tuple[float, float]:
    """Scalar charges of the proton and the neutron from couplings to the quarks.

    Parameters
    ----------
    quark_couplings : mapping quark -> float
        g_q for any of ``"u", "d", "s", "c", "b", "t"`` (the others 0), each within
        1e3 in absolute value.

    Returns
    -------
    (float, float)
        (Q_S^p, Q_S^n) per unit coupling (docs/physics.md Eq. 13.5b):
        Q_S^N = sum over u, d, s of g_q (m_N/m_q) f_Tq^N + (2/27) f_TG^N sum over
        c, b, t of g_q m_N/m_q, f_TG^N = 1 - f_Tu^N - f_Td^N - f_Ts^N, with the f_Tq
        of J. Ellis, K. A. Olive and C. Savage, PRD 77 (2008) 065026
        (arXiv:0801.3656) and the quark masses of PDG 2024
        (:data:`coherency.constants.NUCLEON_SCALAR_FTQ`, ``QUARK_MASSES_MEV``).

    Raises
    ------
    ValueError
        A quark name not in u, d, s, c, b, t, or a coupling outside the range.

    Examples
    --------
    Equal couplings to every quark give about 15 per proton and 14.6 per neutron,
    near the Q_S = 14 A + 1.1 Z quoted by Cerdeno et al. (arXiv:1604.01025):

    >>> cp, cn = scalar_nucleon_charges(dict.fromkeys("udscbt", 1.0))
    >>> bool(abs(cp - 15.1) < 0.2 and abs(cn - 14.0) < 0.7)
    True
    """
    if not isinstance(quark_couplings, Mapping):
        raise TypeError(f"quark_couplings must be a mapping quark -> coupling; got "
                        f"{_validation._short(quark_couplings)}")
    g = _quark_couplings(quark_couplings, "quark_couplings")
    out = []
    for nucleon, m_n in (("p", PROTON_MASS_MEV), ("n", NEUTRON_MASS_MEV)):
        f = NUCLEON_SCALAR_FTQ[nucleon]
        light = sum(g[q] * m_n / QUARK_MASSES_MEV[q] * f[q] for q in _LIGHT_QUARKS)
        f_tg = 1.0 - sum(f[q] for q in _LIGHT_QUARKS)
        heavy = sum(g[q] * m_n / QUARK_MASSES_MEV[q] for q in _HEAVY_QUARKS)
        out.append(light + 2.0 / 27.0 * f_tg * heavy)
    return out[0], out[1]


def _quark_couplings(value: Mapping[Any, Any], name: str) -> dict[str, float]:
    """{quark: g_q} for all six quarks (0 where not given), checked."""
    g = dict.fromkeys(SCALAR_QUARKS, 0.0)
    for key, v in value.items():
        if key not in g:
            raise ValueError(f"{name}: unknown quark {key!r}; the quarks are "
                             f"{', '.join(SCALAR_QUARKS)}")
        g[key] = _validation.as_float(v, f"{name}[{key!r}]", min_value=-1e3, max_value=1e3)
    return g
