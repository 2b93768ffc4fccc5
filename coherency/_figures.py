"""The numbers behind the report's figures (Sharma & Wong Fig. 1), shared by
:mod:`coherency.report` and :mod:`coherency.plotting`.

:func:`figure1_data` is also importable as ``coherency.figure1_data`` and
``coherency.coherence.figure1_data``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from . import _validation
from .coherence import alpha_from_form_factors, gamma_qm, xi_decoherent, xi_from_alpha
from .form_factors import helm_form_factor
from .kinematics import q2_max
from .sources.pion_dar import DELAYED_ENDPOINT_MEV, PROMPT_ENERGY_MEV
from .targets import NucleusLike, as_nucleus

__all__ = ["FIGURE1_NUCLEI", "FIGURE1_SOURCES_MEV", "figure1_data"]

# Sharma & Wong Fig. 1 and Section 2: Ar, Ge, Xe with Z = 18, 32, 54. Sharma & Wong gives no A;
# each label takes its element's most abundant isotope (periodictable abundances):
# Ar40 (99.6%), Ge74 (36.5%), Xe132 (26.9%), the last also being Sharma & Wong's
# "CsI as Xe" (Z = 54, A = 132).
FIGURE1_NUCLEI: dict[str, str] = {"Ar": "Ar40", "Ge": "Ge74", "Xe": "Xe132"}

# Endpoint energies (MeV) of the sources whose q^2_max contours Sharma & Wong Fig. 1 marks.
FIGURE1_SOURCES_MEV: dict[str, float] = {
    # Reactor antineutrino spectra are tabulated up to ~8 MeV (Huber, PRC 84 (2011)
    # 024617; Mueller et al., PRC 83 (2011) 054615); docs/physics.md §5.
    "reactor": 8.0,
    # Solar 8B and hep spectrum endpoints as listed in docs/physics.md §5 (shapes
    # from J. N. Bahcall, "Neutrino Astrophysics", CUP 1989; fluxes B16-GS98,
    # Vinyoles et al., ApJ 835 (2017) 202).
    "solar-8B": 16.34,
    "solar-hep": 18.765,
    # Pion decay at rest: prompt nu_mu line (m_pi^2 - m_mu^2)/(2 m_pi) and the
    # delayed nu_e / anti-nu_mu endpoint m_mu/2 (coherency.sources.pion_dar).
    "DAR-prompt": PROMPT_ENERGY_MEV,
    "DAR-delayed": DELAYED_ENDPOINT_MEV,
}


def figure1_data(
    alpha: npt.ArrayLike | None = None,
    *,
    epsilon: float | None = None,
    nuclei: dict[str, NucleusLike] | None = None,
    sources: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The numbers behind Sharma & Wong Fig. 1: xi(alpha) and Gamma_NP(alpha) per nucleus,
    with the q^2_max contours of the neutrino sources.

    Parameters
    ----------
    alpha : array_like, optional
        Grid of alpha in [0, 1]; default 101 points from 0 to 1.
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default ``constants.EPSILON_DEFAULT``. Pass
        ``constants.EPSILON_SHARMA_WONG`` (0.045) for Sharma & Wong's figure.
    nuclei : dict of label -> nucleus, optional
        Default :data:`FIGURE1_NUCLEI`: Ar40, Ge74, Xe132 (the most abundant
        isotope of each of Sharma & Wong's Z = 18, 32, 54; Xe132 is also Sharma & Wong's
        CsI-as-Xe).
    sources : dict of label -> E_max (MeV), optional
        Default :data:`FIGURE1_SOURCES_MEV`: reactor 8 MeV, solar 8B 16.34 MeV,
        hep 18.765 MeV, DAR prompt 29.792 MeV, DAR delayed m_mu/2 = 52.83 MeV.

    Returns
    -------
    dict
        ``"alpha"`` (n,), ``"epsilon"``, ``"sources"`` (tuple of labels),
        ``"E_max"`` (k,) MeV, and ``"nuclei"``: label -> dict with ``"Z"``,
        ``"N"``, ``"A"``, ``"mass"`` (MeV), ``"xi_decoherent"``, ``"xi"`` (n,) and
        ``"gamma_np"`` (n,) along the alpha grid, and, per source (k,):
        ``"q2_max"`` (MeV^2), ``"form_factor"`` (Helm F at q = sqrt(q2_max)),
        ``"alpha_at_q2_max"`` (clipped to [0, 1]), ``"xi_at_q2_max"`` and
        ``"gamma_at_q2_max"`` (the contour's point on the curves).

    Raises
    ------
    ValueError
        alpha outside [0, 1], a bad nucleus, or E_max < 0.

    Notes
    -----
    Sharma & Wong Fig. 1. Left: xi(alpha) from Eq. 5; right: Gamma_NP(alpha) = Gamma_QM(alpha)
    (Eqs. 3 and 6). The contours use q^2_max = 4 E^2 M/(M + 2E) (Sharma & Wong, text below
    Eq. 1) and the Helm form factor with Sharma & Wong's parameters (Eq. 7, s = 0.5 fm,
    R = 1.2 A^(1/3) fm, F_Z = F_N = F_A so xi = F_A^2); alpha there follows from
    Eq. 5 and is clipped to [0, 1] (:func:`alpha_from_form_factors`).

    Examples
    --------
    >>> d = figure1_data()
    >>> sorted(d["nuclei"])
    ['Ar', 'Ge', 'Xe']
    >>> bool(d["nuclei"]["Xe"]["xi"][-1] == 1.0)
    True
    """
    a = _validation.as_float_array(np.linspace(0.0, 1.0, 101) if alpha is None else alpha,
                                   "alpha", min_value=0.0, max_value=1.0)
    eps = _validation.check_epsilon(epsilon)
    chosen = FIGURE1_NUCLEI if nuclei is None else nuclei
    src = FIGURE1_SOURCES_MEV if sources is None else sources
    labels = tuple(src)
    e_max = _validation.as_float_array([src[k] for k in labels], "sources E_max",
                                       min_value=0.0, unit="MeV")
    per_nucleus: dict[str, dict[str, Any]] = {}
    for label, spec in chosen.items():
        nuc = as_nucleus(spec)
        q2 = np.asarray(q2_max(e_max, nuc), dtype=np.float64)
        form = np.asarray(helm_form_factor(np.sqrt(q2), nuc.A), dtype=np.float64)
        alpha_at = np.asarray(alpha_from_form_factors(form, form, nuc, eps),
                              dtype=np.float64)
        per_nucleus[label] = {
            "Z": nuc.Z,
            "N": nuc.N,
            "A": nuc.A,
            "mass": nuc.mass,
            "xi_decoherent": xi_decoherent(nuc, eps),
            "xi": np.asarray(xi_from_alpha(a, nuc, eps), dtype=np.float64),
            "gamma_np": np.asarray(gamma_qm(a, nuc, eps), dtype=np.float64),
            "q2_max": q2,
            "form_factor": form,
            "alpha_at_q2_max": alpha_at,
            "xi_at_q2_max": np.asarray(xi_from_alpha(alpha_at, nuc, eps), dtype=np.float64),
            "gamma_at_q2_max": np.asarray(gamma_qm(alpha_at, nuc, eps), dtype=np.float64),
        }
    return {
        "alpha": np.array(a, dtype=np.float64, ndmin=1),
        "epsilon": eps,
        "sources": labels,
        "E_max": e_max,
        "nuclei": per_nucleus,
    }
