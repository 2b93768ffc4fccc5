"""Nuclear radii: measured charge radii, point-proton radii and neutron skins
(docs/physics.md §3.2).

* Charge radii: the rms nuclear charge radii of I. Angeli and K. P. Marinova, At. Data
  Nucl. Data Tables 99 (2013) 69 (shipped as ``coherency/data/charge_radii.csv``).
  Isotopes missing from that table (of the naturally abundant ones: S33, V50, Ta180)
  take the linear interpolation in A between the tabulated isotopes of the same
  element, or the nearest one scaled like A^(1/3) when it has isotopes on one side
  only; the uncertainty then includes the size of that step.
* Point-proton radius: the charge radius without the nucleons' own sizes and the
  Darwin-Foldy term, R_p^2 = R_ch^2 - r_p^2 - (N/Z) <r_n^2> - 3/(4 M_p^2) (e.g.
  Ong, Berengut and Flambaum, PRC 82 (2010) 014320), with the proton charge radius
  r_p = 0.84075 fm and the neutron's <r_n^2> = -0.1155 fm^2 (PDG 2024).
* Neutron radius: the point-proton radius plus a neutron skin. By default the skin is
  the systematics of antiprotonic atoms, Delta r_np = (1.01 +- 0.15) (N - Z)/A
  + (-0.04 +- 0.03) fm (A. Trzcinska et al., PRL 87 (2001) 082501), which gives
  0.13 fm for Cs133 and I127 and 0.06 fm for Ar40.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from . import _validation
from ._cache import memoize
from .constants import HBARC_MEV_FM, PROTON_MASS_MEV
from .targets import Nucleus, as_nucleus

__all__ = [
    "NEUTRON_CHARGE_RADIUS_SQ_FM2",
    "PROTON_CHARGE_RADIUS_FM",
    "SKIN_INTERCEPT_FM",
    "SKIN_SLOPE_FM",
    "charge_radius_error_fm",
    "charge_radius_fm",
    "neutron_radius_fm",
    "neutron_skin_fm",
    "proton_radius_fm",
]

#: Proton rms charge radius, fm (PDG 2024: 0.84075(64) fm).
PROTON_CHARGE_RADIUS_FM = 0.84075
#: Neutron mean-square charge radius, fm^2 (PDG 2024: -0.1155(17) fm^2).
NEUTRON_CHARGE_RADIUS_SQ_FM2 = -0.1155
#: Neutron-skin systematics of Trzcinska et al. (2001): slope and intercept, fm.
SKIN_SLOPE_FM = 1.01
SKIN_INTERCEPT_FM = -0.04


@memoize("charge-radius table", per_backend=False)
def _table() -> dict[tuple[int, int], tuple[float, float]]:
    text = resources.files("coherency.data").joinpath("charge_radii.csv").read_text(
        encoding="utf-8")
    out: dict[tuple[int, int], tuple[float, float]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("Z,"):
            continue
        z, _n, a, _sym, r, dr = line.split(",")
        out[(int(z), int(a))] = (float(r), float(dr))
    return out


def _nucleus(nucleus: Any) -> Nucleus:
    return as_nucleus(nucleus)


def _lookup(nuc: Nucleus) -> tuple[float, float]:
    Z, A = int(nuc.Z), int(round(nuc.A))
    tab = _table()
    if (Z, A) in tab:
        return tab[(Z, A)]
    same = sorted(a for (z, a) in tab if z == Z)
    lower = [a for a in same if a < A]
    upper = [a for a in same if a > A]
    if lower and upper:
        a0, a1 = lower[-1], upper[0]
        (r0, e0), (r1, e1) = tab[(Z, a0)], tab[(Z, a1)]
        t = (A - a0) / (a1 - a0)
        return r0 + t * (r1 - r0), max(e0, e1) + abs(r1 - r0)
    if same:  # one side only: the nearest isotope scaled like A^(1/3)
        a0 = min(same, key=lambda a: abs(a - A))
        r0, e0 = tab[(Z, a0)]
        r = r0 * (A / a0) ** (1.0 / 3.0)
        return r, e0 + abs(r - r0)
    raise ValueError(
        f"nucleus: no measured charge radius for Z = {Z}, A = {A} in Angeli & Marinova "
        f"(2013){'; tabulated A for this element: ' + str(same) if same else ''}; give "
        f"the radius explicitly (e.g. a form factor with rms_radius_fm=...)")


def charge_radius_fm(nucleus: Any) -> float:
    """Measured rms nuclear charge radius, fm (Angeli & Marinova 2013).

    Parameters
    ----------
    nucleus : Nucleus or str
        An isotope (``"Ar40"``, ``coh.nucleus("Cs133")``).

    Raises
    ------
    ValueError
        No measured radius for this element.

    Examples
    --------
    >>> charge_radius_fm("Ar40"), charge_radius_fm("Cs133")
    (3.4274, 4.8041)
    """
    return _lookup(_nucleus(nucleus))[0]


def charge_radius_error_fm(nucleus: Any) -> float:
    """Uncertainty of :func:`charge_radius_fm`, fm (for interpolated isotopes, the
    larger neighbour's uncertainty plus the difference of the neighbours)."""
    return _lookup(_nucleus(nucleus))[1]


def proton_radius_fm(nucleus: Any) -> float:
    """Point-proton rms radius, fm: docs/physics.md Eq. (3.6),
    R_p^2 = R_ch^2 - r_p^2 - (N/Z) <r_n^2> - 3/(4 M_p^2).

    Examples
    --------
    >>> round(proton_radius_fm("Ar40"), 3), round(proton_radius_fm("Cs133"), 3)
    (3.339, 4.744)
    """
    nuc = _nucleus(nucleus)
    r_ch = charge_radius_fm(nuc)
    darwin_foldy = 0.75 * (HBARC_MEV_FM / PROTON_MASS_MEV) ** 2
    r2 = (r_ch * r_ch - PROTON_CHARGE_RADIUS_FM**2
          - (nuc.N / nuc.Z) * NEUTRON_CHARGE_RADIUS_SQ_FM2 - darwin_foldy)
    return float(r2**0.5)


def neutron_skin_fm(nucleus: Any) -> float:
    """Neutron skin R_n - R_p, fm, from the systematics of Trzcinska et al. (2001):
    1.01 (N - Z)/A - 0.04 fm (docs/physics.md Eq. (3.7)).

    Examples
    --------
    >>> round(neutron_skin_fm("Cs133"), 4)
    0.1347
    """
    nuc = _nucleus(nucleus)
    return SKIN_SLOPE_FM * (nuc.N - nuc.Z) / nuc.A + SKIN_INTERCEPT_FM


def neutron_radius_fm(nucleus: Any, skin_fm: float | None = None) -> float:
    """Point-neutron rms radius, fm: the point-proton radius plus a skin.

    Parameters
    ----------
    nucleus : Nucleus or str
    skin_fm : float, fm, optional
        R_n - R_p, in [-1, 3] fm; default :func:`neutron_skin_fm`.
    """
    nuc = _nucleus(nucleus)
    skin = neutron_skin_fm(nuc) if skin_fm is None else _validation.as_float(
        skin_fm, "skin_fm", min_value=-1.0, max_value=3.0, unit="fm")
    return proton_radius_fm(nuc) + skin
