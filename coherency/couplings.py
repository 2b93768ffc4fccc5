"""Weak vector couplings of neutrinos to protons and neutrons (docs/physics.md §9).

The many-body term of the cross section is written with the vector couplings of the
neutrino to the proton and the neutron, g_V^p and g_V^n:

    Gamma = 4 [Z g_V^p F_Z(q) + N g_V^n F_N(q)]^2 = (2 g_V^n)^2 [eps_eff Z F_Z - N F_N]^2,
    eps_eff = -g_V^p / g_V^n,

so that at tree level (g_V^p = 1/2 - 2 sin^2 theta_W, g_V^n = -1/2) eps_eff is the
epsilon = 1 - 4 sin^2 theta_W of Sharma & Wong (arXiv:2010.06810) and the norm
(2 g_V^n)^2 is 1. Three schemes:

``"tree"``
    Tree level, flavour-blind: g_V^p = 1/2 - 2 sin^2 theta_W (default sin^2 theta_W =
    0.23857, the low-energy MS-bar value), g_V^n = -1/2. What the functions of Sharma &
    Wong's coherency analysis use, through their ``epsilon=``.
``"pdg"``
    Radiatively corrected couplings at zero momentum transfer (PDG electroweak review;
    J. Erler and S. Su, Prog. Part. Nucl. Phys. 71 (2013) 119): g_V^n = -0.5117 and a
    flavour-dependent g_V^p = 0.01836 + delta_l, where delta_l carries the neutrino
    charge radius of flavour l (0.0196964, 0.0114381, 0.00706633 for e, mu, tau):
    g_V^p = 0.0381 (nu_e), 0.0298 (nu_mu), 0.0254 (nu_tau). Vector couplings are the
    same for a neutrino and its antineutrino.
``"tomalak"``
    The ``"pdg"`` couplings with the momentum dependence of the lepton loops of
    O. Tomalak, P. Machado, V. Pandey and R. Plestid, JHEP 02 (2021) 097
    (arXiv:2011.05960): g_V^p(q) = g_V^p(0) + (alpha/pi) sum_f (delta_lf - 1/2 +
    2 s^2) [Pi(q^2, m_f) - Pi(0, m_f)] over the charged leptons f = e, mu, tau, with
    the one-loop vacuum polarisation Pi of :func:`vacuum_polarization`. The electron
    loop moves g_V^p(nu_e) from 0.0381 at q = 0 to about 0.033 at q = 30 MeV.

Flavours are ``"e"``, ``"mu"``, ``"tau"``; the names ``"nue"``, ``"numu"``,
``"nutau"`` and their ``"...bar"`` antineutrinos are accepted too.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _validation
from ._typing import FloatOrArray
from .constants import (
    ELECTRON_MASS_MEV,
    FINE_STRUCTURE,
    MUON_MASS_MEV,
    SIN2_THETA_W,
    SIN2_THETA_W_MZ,
    TAU_MASS_MEV,
)

__all__ = [
    "FLAVOURS",
    "CouplingTerm",
    "coupling_terms",
    "NEUTRINO_NAMES",
    "SCHEMES",
    "Couplings",
    "couplings",
    "flavour_of",
    "vacuum_polarization",
]

#: Lepton flavours of neutrinos.
FLAVOURS: tuple[str, ...] = ("e", "mu", "tau")
#: Coupling schemes.
SCHEMES: tuple[str, ...] = ("tree", "pdg", "tomalak")

#: Neutrino names and what they mean: (lepton flavour, antineutrino?).
_NEUTRINO_NAMES = {
    "e": ("e", False), "mu": ("mu", False), "tau": ("tau", False),
    "nue": ("e", False), "numu": ("mu", False), "nutau": ("tau", False),
    "nuebar": ("e", True), "numubar": ("mu", True), "nutaubar": ("tau", True),
}

# PDG electroweak review (Erler & Su, Prog. Part. Nucl. Phys. 71 (2013) 119): the
# radiatively corrected vector couplings of nu_mu, g_V^p = 0.0298 and g_V^n = -0.5117,
# and the charge-radius contributions to g_V^p of each flavour; 0.01836 is g_V^p
# without the nu_mu charge-radius term (0.0298 - 0.0114381).
PDG_G_V_N = -0.5117
PDG_G_V_P_UNIVERSAL = 0.0298 - 0.0114381
PDG_CHARGE_RADIUS_TERM = {"e": 0.0196964, "mu": 0.0114381, "tau": 0.00706633}

_LEPTON_MASS_MEV = {"e": ELECTRON_MASS_MEV, "mu": MUON_MASS_MEV, "tau": TAU_MASS_MEV}


#: The canonical neutrino name of each accepted name (``"e"`` -> ``"nue"``).
NEUTRINO_NAMES: dict[str, str] = {
    key: ("nu" + flv + ("bar" if anti else "")) for key, (flv, anti) in _NEUTRINO_NAMES.items()
}


def flavour_of(name: Any, argname: str = "flavour") -> str:
    """The lepton flavour (``"e"``, ``"mu"`` or ``"tau"``) of a neutrino name.

    Raises
    ------
    TypeError
        ``name`` is not a string.
    ValueError
        Unknown name (close matches are listed).
    """
    if not isinstance(name, str):
        raise TypeError(f"{argname} must be a neutrino flavour name (str); got "
                        f"{type(name).__name__}")
    key = name.strip().lower().replace("_", "").replace("ν", "nu")
    if key not in _NEUTRINO_NAMES:
        close = difflib.get_close_matches(key, list(_NEUTRINO_NAMES), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"{argname} must be one of {sorted(_NEUTRINO_NAMES)}; got "
                         f"{name!r}{hint}")
    return _NEUTRINO_NAMES[key][0]


# Series of Pi(x) - Pi(0) in x = Q^2/m^2, from Pi(x) - Pi(0) = -2 int_0^1 z(1-z)
# ln(1 + x z(1-z)) dz: c_k = -2 (-1)^(k+1) ((k+1)!)^2 / (k (2k+3)!), k >= 1; it
# converges for x < 4 (terms fall like (x/4)^k).
_VP_SERIES_MAX = 1.0
_VP_TERMS = 40
_VP_COEF = np.array([
    -2.0 * (-1.0) ** (k + 1) * math.factorial(k + 1) ** 2 / (k * math.factorial(2 * k + 3))
    for k in range(1, _VP_TERMS + 1)
])


def vacuum_polarization(q: npt.ArrayLike, lepton_mass_MeV: float) -> FloatOrArray:
    """One-loop vacuum polarisation of a lepton loop, Pi(q^2, m) - Pi(0, m).

    Parameters
    ----------
    q : array_like, MeV
        Momentum transfer (space-like, Q^2 = q^2 > 0), >= 0.
    lepton_mass_MeV : float, MeV
        Mass m of the lepton in the loop, > 0.

    Returns
    -------
    float or ndarray
        Pi(Q^2) - Pi(0) = 5/9 - 4m^2/(3Q^2) + (1/3)(1 - 2m^2/Q^2) a ln[(a-1)/(a+1)],
        a = sqrt(1 + 4m^2/Q^2): 0 at q = 0, -Q^2/(15 m^2) for Q << m and
        (1/3) ln(m^2/Q^2) + 5/9 for Q >> m. Independent of the renormalisation scale.

    Notes
    -----
    docs/physics.md Eq. (9.3). Below Q^2 = m^2 the closed form cancels; there the
    series of -2 int_0^1 z(1-z) ln(1 + z(1-z) Q^2/m^2) dz is summed instead.

    Examples
    --------
    >>> vacuum_polarization(0.0, 0.511)
    0.0
    >>> abs(vacuum_polarization(1e-3, 1.0) / (-1e-6 / 15) - 1) < 1e-6
    True
    """
    qa = _validation.as_float_array(q, "q", min_value=0.0, unit="MeV")
    m = _validation.as_float(lepton_mass_MeV, "lepton_mass_MeV", min_value=0.0,
                             exclusive_min=True, unit="MeV")
    x = (_validation.flat(qa) / m) ** 2
    out = np.empty(x.shape)
    small = x <= _VP_SERIES_MAX
    xs = x[small]
    acc = np.zeros(xs.shape)
    for c in _VP_COEF[::-1]:  # Horner in x, constant term 0
        acc = (acc + c) * xs
    out[small] = acc + 0.0  # -0.0 at q = 0 from the Horner products
    xl = x[~small]
    if xl.size:
        r = 4.0 / xl
        a = np.sqrt(1.0 + r)
        am1 = r / (a + 1.0)  # a - 1 without cancellation
        out[~small] = (5.0 / 9.0 - r / 3.0
                       + (1.0 - 0.5 * r) / 3.0 * a * np.log(am1 / (a + 1.0)))
    return _validation.restore_shape(out, qa.shape)


@dataclass(frozen=True)
class Couplings:
    """Weak vector couplings of one neutrino flavour to the proton and the neutron.

    Attributes
    ----------
    scheme : str
        ``"tree"``, ``"pdg"`` or ``"tomalak"``.
    flavour : str
        ``"e"``, ``"mu"`` or ``"tau"``.
    g_p, g_n : float
        g_V^p and g_V^n at zero momentum transfer.
    running : tuple of (coefficient, lepton mass MeV)
        Momentum dependence of g_V^p: g_V^p(q) = g_p + sum c [Pi(q^2, m) - Pi(0, m)]
        (empty: no running).
    """

    scheme: str
    flavour: str
    g_p: float
    g_n: float
    running: tuple[tuple[float, float], ...] = ()

    @property
    def epsilon(self) -> float:
        """eps_eff = -g_V^p/g_V^n: the epsilon of Sharma & Wong's Gamma for these
        couplings (1 - 4 sin^2 theta_W at tree level), docs/physics.md Eq. (9.2)."""
        return -self.g_p / self.g_n

    @property
    def norm(self) -> float:
        """(2 g_V^n)^2: the factor between 4 (Z g_V^p F_Z + N g_V^n F_N)^2 and
        [eps_eff Z F_Z - N F_N]^2 (1 at tree level)."""
        return 4.0 * self.g_n * self.g_n

    @property
    def runs(self) -> bool:
        """True when g_V^p depends on the momentum transfer."""
        return bool(self.running)

    def g_p_at(self, q: npt.ArrayLike) -> FloatOrArray:
        """g_V^p at momentum transfer ``q`` (MeV, >= 0)."""
        qa = _validation.as_float_array(q, "q", min_value=0.0, unit="MeV")
        flat = _validation.flat(qa)
        out = np.full(flat.shape, self.g_p)
        for c, m in self.running:
            out += c * np.asarray(vacuum_polarization(flat, m))
        return _validation.restore_shape(out, qa.shape)

    def weak_charge(self, Z: int, N: int) -> float:
        """Q_W = -2 (Z g_V^p + N g_V^n) at q = 0 (N - eps Z at tree level)."""
        return -2.0 * (Z * self.g_p + N * self.g_n)


def couplings(flavour: str = "mu", scheme: str = "tree",
              sin2_theta_w: float | None = None) -> Couplings:
    """Vector couplings of a neutrino of one flavour in a coupling scheme.

    Parameters
    ----------
    flavour : str
        ``"e"``, ``"mu"``, ``"tau"`` (or ``"nue"``, ``"numubar"``, ...): vector
        couplings are the same for a neutrino and its antineutrino.
    scheme : {"tree", "pdg", "tomalak"}
        See the module notes.
    sin2_theta_w : float, optional
        Weak mixing angle of the ``"tree"`` scheme, in [0, 1]; default 0.23857 (the
        low-energy MS-bar value). The other schemes carry their own value.

    Returns
    -------
    Couplings

    Raises
    ------
    ValueError
        Unknown flavour or scheme, ``sin2_theta_w`` outside [0, 1] or given with a
        scheme that does not take it.

    Examples
    --------
    >>> couplings("mu").epsilon == 1 - 4 * 0.23857
    True
    >>> round(couplings("e", "pdg").g_p, 4), round(couplings("mu", "pdg").g_p, 4)
    (0.0381, 0.0298)
    """
    flv = flavour_of(flavour)
    sch = _validation.check_choice(scheme, "scheme", SCHEMES)
    if sch == "tree":
        s2 = SIN2_THETA_W if sin2_theta_w is None else _validation.as_float(
            sin2_theta_w, "sin2_theta_w", min_value=0.0, max_value=1.0)
        return Couplings("tree", flv, 0.5 - 2.0 * s2, -0.5)
    if sin2_theta_w is not None:
        raise ValueError(f"sin2_theta_w: the {sch!r} scheme carries its own radiatively "
                         f"corrected couplings; sin2_theta_w applies to scheme='tree' only")
    g_p = PDG_G_V_P_UNIVERSAL + PDG_CHARGE_RADIUS_TERM[flv]
    if sch == "pdg":
        return Couplings("pdg", flv, g_p, PDG_G_V_N)
    # Tomalak et al.: (alpha/pi)(delta_lf - 1/2 + 2 s^2) per charged-lepton loop f,
    # s^2 the MS-bar value at the Z pole (the scale of their matching).
    alpha_pi = FINE_STRUCTURE / math.pi
    running = tuple(
        (alpha_pi * ((1.0 if f == flv else 0.0) - 0.5 + 2.0 * SIN2_THETA_W_MZ),
         _LEPTON_MASS_MEV[f])
        for f in FLAVOURS
    )
    return Couplings("tomalak", flv, g_p, PDG_G_V_N, running)


_couplings_of = couplings  # the helpers below take an argument named ``couplings``


@dataclass(frozen=True)
class CouplingTerm:
    """One flavour part of a rate: its source, the weight of its flux, the epsilon of
    Gamma (eps_eff, docs/physics.md Eq. (9.2)), the norm (2 g_V^n)^2 multiplying the
    cross section, and its couplings (None at tree level with a given epsilon)."""

    source: Any
    weight: float
    epsilon: float
    norm: float
    couplings: Couplings | None


def check_scheme(couplings: Any, epsilon: Any) -> str | None:
    """The scheme name of a ``couplings=`` argument (None: tree level with
    ``epsilon``); ``epsilon`` and a scheme other than ``"tree"`` exclude each other."""
    if couplings is None:
        return None
    scheme = _validation.check_choice(couplings, "couplings", SCHEMES)
    if epsilon is not None and scheme != "tree":
        raise ValueError(f"epsilon: the {scheme!r} couplings fix epsilon flavour by flavour; "
                         f"give epsilon only with couplings=None or 'tree'")
    return scheme


def coupling_terms(source: Any, couplings: Any, epsilon: Any) -> tuple[CouplingTerm, ...]:
    """The parts of ``source`` with their couplings (docs/physics.md Eq. (9.4)).

    ``couplings`` None or ``"tree"``: one part, the whole source, with ``epsilon``
    (default 1 - 4 sin^2 theta_W); ``"pdg"``/``"tomalak"``: one part per flavour
    component of the source (:meth:`~coherency.sources.Source.flavour_components`).
    """
    scheme = check_scheme(couplings, epsilon)
    if scheme in (None, "tree"):
        eps = _validation.check_epsilon(epsilon)
        return (CouplingTerm(source, 1.0, eps, 1.0, None),)
    parts = getattr(source, "flavour_components", None)
    if parts is None:
        raise ValueError(f"couplings: {getattr(source, 'name', source)!r} has no "
                         f"flavour_components(); flavour-dependent couplings need them")
    out = []
    for flavour, part, weight in parts():
        c = _couplings_of(flavour, scheme)
        out.append(CouplingTerm(part, float(weight), c.epsilon, c.norm, c))
    return tuple(out)


def for_flavour(couplings: Any, flavour: Any, epsilon: Any) -> tuple[float, float,
                                                                    Couplings | None]:
    """(eps_eff, norm, couplings) of one flavour for the cross-section functions."""
    scheme = check_scheme(couplings, epsilon)
    if scheme in (None, "tree"):
        if flavour is not None:
            flavour_of(flavour)  # checked even where it changes nothing
        return _validation.check_epsilon(epsilon), 1.0, None
    if flavour is None:
        raise ValueError(f"flavour: the {scheme!r} couplings depend on the neutrino "
                         f"flavour; give flavour='e', 'mu' or 'tau' (or 'nue', ...)")
    c = _couplings_of(flavour, scheme)
    return c.epsilon, c.norm, c
