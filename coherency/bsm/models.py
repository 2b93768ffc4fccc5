"""Models beyond the Standard Model: small frozen objects the cross sections take.

Each model changes the CEvNS cross section of each neutrino flavour
(docs/physics.md §13). In the normalisation of the PDG couplings, where the Standard
Model's coherent charge is Q = Z g_V^p F_Z + N g_V^n F_N and
dsigma/dT = (G_F^2 M / pi) (1 - M T/2E^2) Q^2, a vector model shifts the couplings,

    g_V^p -> g_V^p + delta_p(q),   g_V^n -> g_V^n + delta_n(q),

flavour by flavour, and may add incoherent pieces (off-diagonal NSI, a scalar
mediator, a magnetic moment). Signs: a new vector exchange whose couplings to the
neutrino and to the nucleon have the same sign raises Q, which is negative in the
Standard Model (Q ~ -N/2), and so interferes destructively.

=====================  =============================================================
:class:`NSI`            eps^{qV}_{ab}, q = u, d: delta_p = 2 eps^u + eps^d,
                        delta_n = eps^u + 2 eps^d (Barranco et al. 2005)
:class:`VectorMediator` delta = Q'/(sqrt(2) G_F (q^2 + m^2)) per nucleon; universal,
                        B-L, L_mu - L_tau (Cerdeno et al., arXiv:1604.01025)
:class:`ScalarMediator` dsigma/dT = Q_S^2 M^2 T F^2 / [4 pi E^2 (2MT + m^2)^2]
:class:`MagneticMoment` dsigma/dT = (pi alpha^2 mu^2/m_e^2)(1/T - 1/E + T/4E^2) Z^2 F_Z^2
:class:`Millicharge`    delta_p = (2 sqrt(2) pi alpha / G_F) q_nu / q^2
:class:`ChargeRadius`   delta_p = -(sqrt(2) pi alpha / 3 G_F) <r^2>
=====================  =============================================================

Several models act together when given as a tuple (``model=(NSI(...), MagneticMoment(...))``):
their shifts add, their incoherent pieces add (at most one scalar mediator and one
magnetic moment).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _validation
from .._records import BSM_MAX_TERMS, BSM_NEW, BSM_SM, BSMSpec
from ..constants import (
    DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2,
    ELECTRON_MASS_MEV,
    FERMI_CONSTANT_PER_MEV2,
    FINE_STRUCTURE,
    HBARC2_MEV2_CM2,
    MUON_MASS_MEV,
    TAU_MASS_MEV,
)
from ..couplings import FLAVOURS, flavour_of
from ._quarks import _quark_charges, _quark_couplings

__all__ = [
    "COUPLING_MAX",
    "ChargeRadius",
    "MEDIATOR_MASS_MAX_MEV",
    "MagneticMoment",
    "Millicharge",
    "Model",
    "NSI",
    "ScalarMediator",
    "VECTOR_CHARGES",
    "VectorMediator",
    "as_models",
]

#: Largest mediator mass accepted, MeV (1 TeV: far above every momentum transfer).
MEDIATOR_MASS_MAX_MEV = 1e6
#: Largest abs(coupling) of a mediator (products g_nu g_q, gauge couplings).
COUPLING_MAX = 4.0 * math.pi
#: Largest abs(eps) of an NSI coupling.
NSI_MAX = 100.0
#: Largest abs(mu_nu) in Bohr magnetons, abs(q_nu) in units of e, abs(<r^2>) in cm^2.
MAGNETIC_MOMENT_MAX = 1.0
MILLICHARGE_MAX = 1.0
CHARGE_RADIUS_MAX_CM2 = 1e-20

#: Charges of a vector mediator (:class:`VectorMediator`).
VECTOR_CHARGES: tuple[str, ...] = ("universal", "B-L", "Lmu-Ltau")

_QUARKS = ("u", "d")
# 1/(sqrt(2) G_F) in MeV^2: a vector exchange of couplings g_nu g_q at momentum q shifts
# the quark's eps^V by g_nu g_q/(sqrt(2) G_F (q^2 + m^2)) (docs/physics.md Eq. 13.3).
_INV_SQRT2_GF = 1.0 / (math.sqrt(2.0) * FERMI_CONSTANT_PER_MEV2)
# Millicharge and charge radius (docs/physics.md Eq. 13.6): delta_p = C q_nu/q^2 with
# C = 2 sqrt(2) pi alpha/G_F (MeV^2), and delta_p = -(C/6) <r^2>.
_EM_C = 2.0 * math.sqrt(2.0) * math.pi * FINE_STRUCTURE / FERMI_CONSTANT_PER_MEV2
# L_mu - L_tau: the loop-induced coupling of the Z' to the proton per g'^2,
# (alpha/3 pi) [ln(m_tau^2/m_mu^2) + 3 (Pi_mu(q) - Pi_tau(q))] (Eq. 13.4).
_LMU_LTAU_LOG = math.log(TAU_MASS_MEV**2 / MUON_MASS_MEV**2)
# Universal scalar mediator: Q_S = g_nu g_q (14 A + 1.1 Z) (arXiv:1604.01025), i.e.
# charges 15.1 per proton and 14 per neutron.
SCALAR_UNIVERSAL = (15.1, 14.0)
def _coupling(value: Any, name: str, bound: float) -> float:
    return _validation.as_float(value, name, min_value=-bound, max_value=bound)


def _mass(value: Any, name: str = "mass_MeV") -> float:
    return _validation.as_float(value, name, min_value=0.0, max_value=MEDIATOR_MASS_MAX_MEV,
                                unit="MeV")


def _per_flavour(value: Any, name: str, bound: float) -> tuple[tuple[str, float], ...]:
    """A number for every flavour, or a mapping flavour -> number (others 0), as
    ((flavour, value), ...) in FLAVOURS order."""
    if isinstance(value, Mapping):
        out = dict.fromkeys(FLAVOURS, 0.0)
        for key, v in value.items():
            flv = flavour_of(key, f"{name} key")
            out[flv] = _coupling(v, f"{name}[{key!r}]", bound)
        return tuple(out.items())
    v = _coupling(value, name, bound)
    return tuple((f, v) for f in FLAVOURS)


def _flavour_entries(value: Any, name: str, bound: float
                     ) -> tuple[tuple[tuple[str, float], ...],
                                tuple[tuple[tuple[str, str], float], ...]]:
    """(diagonal, transitions) of an electromagnetic property: a number for every
    flavour, a mapping flavour -> number, or a mapping whose keys may also be pairs of
    flavours (a, b): the diagonal entry where a == b, a transition (flavour-changing)
    entry where a != b, one value per unordered pair (give either order). Diagonal as
    :func:`_per_flavour`; transitions (((a, b), value), ...) with a before b in
    FLAVOURS order, the non-zero ones."""
    if not isinstance(value, Mapping) or not any(isinstance(k, tuple) for k in value):
        return _per_flavour(value, name, bound), ()
    diag = dict.fromkeys(FLAVOURS, 0.0)
    seen: dict[tuple[str, str], float] = {}
    for key, v in value.items():
        if isinstance(key, tuple):
            if len(key) != 2:
                raise ValueError(f"{name}: keys are flavours or pairs of flavours such as "
                                 f"('e', 'mu'); got {key!r}")
            a, b = sorted((flavour_of(k, f"{name} key") for k in key), key=FLAVOURS.index)
        else:
            a = b = flavour_of(key, f"{name} key")
        x = _coupling(v, f"{name}[{key!r}]", bound)
        if (a, b) in seen and seen[(a, b)] != x:
            raise ValueError(f"{name}: ({a!r}, {b!r}) is given twice with different values "
                             f"({seen[(a, b)]!r} and {x!r})")
        seen[(a, b)] = x
        if a == b:
            diag[a] = x
    trans = tuple(sorted(((k, v) for k, v in seen.items() if k[0] != k[1] and v != 0.0),
                         key=lambda kv: (FLAVOURS.index(kv[0][0]), FLAVOURS.index(kv[0][1]))))
    return tuple(diag.items()), trans


@dataclass(frozen=True)
class _Shift:
    """What one model does to one flavour, in the PDG normalisation (module notes):
    terms (delta_p coefficient, delta_n coefficient, m^2 of a propagator or -1, lepton
    mass of a vacuum polarisation or 0), incoherent off-diagonal couplings (b_p, b_n),
    a scalar mediator (Q_S per proton and per neutron, m^2) and a magnetic moment."""

    terms: tuple[tuple[float, float, float, float], ...] = ()
    incoherent: tuple[tuple[float, float], ...] = ()
    scalar: tuple[float, float, float] | None = None
    magnetic: float = 0.0


class Model:
    """Base of the models: ``shift(flavour)`` says what the model does to a flavour;
    ``flavour_dependent`` whether that differs between flavours; ``massless``
    whether it has a 1/q^2 or 1/T piece (then thresholds must be > 0)."""

    def shift(self, flavour: str) -> _Shift:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def flavour_dependent(self) -> bool:
        return len({self.shift(f) for f in FLAVOURS}) > 1

    @property
    def is_null(self) -> bool:
        """True when the model changes nothing (all parameters zero)."""
        return all(self.shift(f) == _Shift() for f in FLAVOURS)


def _nsi_table(value: Any, name: str) -> tuple[tuple[tuple[str, str], float], ...]:
    """A mapping (alpha, beta) -> eps, made symmetric (eps_ab = eps_ba, real), as a
    sorted tuple of the non-zero entries with alpha <= beta in FLAVOURS order."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping (flavour, flavour) -> eps; got "
                        f"{_validation._short(value)}")
    out: dict[tuple[str, str], float] = {}
    for key, v in value.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"{name}: keys are pairs of flavours such as ('e', 'mu'); got "
                             f"{key!r}")
        a, b = (flavour_of(k, f"{name} key") for k in key)
        a, b = sorted((a, b), key=FLAVOURS.index)
        eps = _coupling(v, f"{name}[{key!r}]", NSI_MAX)
        if (a, b) in out and out[(a, b)] != eps:
            raise ValueError(f"{name}: ({a!r}, {b!r}) and ({b!r}, {a!r}) differ "
                             f"({out[(a, b)]!r} and {eps!r}); real NSI couplings are "
                             f"symmetric")
        out[(a, b)] = eps
    return tuple(sorted(((k, v) for k, v in out.items() if v != 0.0),
                        key=lambda kv: (FLAVOURS.index(kv[0][0]), FLAVOURS.index(kv[0][1]))))


@dataclass(frozen=True, init=False)
class NSI(Model):
    """Non-standard vector interactions with u and d quarks (docs/physics.md Eq. 13.1).

    Parameters
    ----------
    eps_uV, eps_dV : mapping of (flavour, flavour) to float, optional
        eps^{uV}_{ab} and eps^{dV}_{ab} for flavours "e", "mu", "tau" (or "nue", ...),
        real and symmetric (eps_ab = eps_ba: give either order), abs(eps) <= 100; absent
        entries are 0.

    Notes
    -----
    For a neutrino of flavour a the coherent charge becomes
    [Z (g_V^p + 2 eps^u_aa + eps^d_aa) F_Z + N (g_V^n + eps^u_aa + 2 eps^d_aa) F_N]^2
    + sum_{b != a} [Z (2 eps^u_ab + eps^d_ab) F_Z + N (eps^u_ab + 2 eps^d_ab) F_N]^2, in the
    convention L = -2 sqrt(2) G_F eps^{qV}_{ab} (nubar_a gamma^mu P_L nu_b)(qbar gamma_mu q)/2
    of J. Barranco, O. G. Miranda and T. I. Rashba, JHEP 12 (2005) 021
    (hep-ph/0508299), as in COHERENT's analyses (the proton and neutron form factors
    kept apart).

    Examples
    --------
    >>> nsi = NSI(eps_uV={("e", "e"): 0.1}, eps_dV={("e", "mu"): 0.05})
    >>> nsi.flavour_dependent
    True
    """

    eps_uV: tuple[tuple[tuple[str, str], float], ...] = field(default=())
    eps_dV: tuple[tuple[tuple[str, str], float], ...] = field(default=())

    def __init__(self, eps_uV: Any = None, eps_dV: Any = None) -> None:
        object.__setattr__(self, "eps_uV", _nsi_table(eps_uV, "eps_uV"))
        object.__setattr__(self, "eps_dV", _nsi_table(eps_dV, "eps_dV"))

    def eps(self, quark: str, a: str, b: str) -> float:
        """eps^{qV}_{ab} (0 when absent); quark "u" or "d"."""
        if quark not in _QUARKS:
            raise ValueError(f"quark must be one of {_QUARKS}; got {quark!r}")
        a, b = sorted((flavour_of(a, "a"), flavour_of(b, "b")), key=FLAVOURS.index)
        table = dict(self.eps_uV if quark == "u" else self.eps_dV)
        return table.get((a, b), 0.0)

    def shift(self, flavour: str) -> _Shift:
        a = flavour_of(flavour)
        terms = []
        u, d = self.eps("u", a, a), self.eps("d", a, a)
        if u != 0.0 or d != 0.0:
            terms.append((2.0 * u + d, u + 2.0 * d, -1.0, 0.0))
        inc = []
        for b in FLAVOURS:
            if b == a:
                continue
            u, d = self.eps("u", a, b), self.eps("d", a, b)
            if u != 0.0 or d != 0.0:
                inc.append((2.0 * u + d, u + 2.0 * d))
        return _Shift(tuple(terms), tuple(inc))


@dataclass(frozen=True)
class VectorMediator(Model):
    """A light vector boson Z' of mass ``mass_MeV`` (docs/physics.md Eq. 13.3, 13.4).

    Parameters
    ----------
    mass_MeV : float, MeV
        Mass m in [0, 1e6] MeV (0: a massless mediator; thresholds must then be > 0).
    coupling : float
        ``"universal"``: the product g_nu g_q of the couplings to left-handed neutrinos
        and to quarks (the same for u and d and every flavour), as ``gsq`` of
        Cerdeno et al.; ``"B-L"`` and ``"Lmu-Ltau"``: the gauge coupling g'. abs(coupling)
        <= 4 pi.
    charges : {"universal", "B-L", "Lmu-Ltau"}

    Notes
    -----
    A Z' coupling g_nu to nubar gamma^mu P_L nu and g_q to qbar gamma^mu q adds
    g_nu g_q / [sqrt(2) G_F (q^2 + m^2)] to eps^{qV}_{aa}: in Q_W = N - eps Z units,
    Q_W -> Q_W - (sqrt(2)/G_F) Q'/(q^2 + m^2) with Q' = 3 A g_nu g_q for universal
    couplings (D. G. Cerdeno et al., JHEP 05 (2016) 118, arXiv:1604.01025; g_nu g_q > 0
    interferes destructively). B-L: charges -1 (leptons) and 1/3 (quarks),
    Q' = -A g'^2. L_mu - L_tau: no tree coupling to quarks; the muon and tau loops mix
    the Z' with the photon, so it couples to protons with
    e eps(q) = g' (alpha/3 pi) [ln(m_tau^2/m_mu^2) + 3 (Pi_mu(q^2) - Pi_tau(q^2))]
    (Pi - Pi(0) of docs/physics.md Eq. 9.3), to nu_mu with +g' and to nu_tau with -g':
    delta_p = +- g'^2 (alpha/3 pi)[...]/[sqrt(2) G_F (q^2 + m^2)] for nu_mu and nu_tau,
    0 for nu_e (destructive for nu_mu).

    Examples
    --------
    >>> VectorMediator(10.0, 1e-9).flavour_dependent
    False
    >>> VectorMediator(10.0, 1e-4, charges="Lmu-Ltau").flavour_dependent
    True
    """

    mass_MeV: float
    coupling: float
    charges: str = "universal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mass_MeV", _mass(self.mass_MeV))
        object.__setattr__(self, "coupling", _coupling(self.coupling, "coupling", COUPLING_MAX))
        _validation.check_choice(self.charges, "charges", VECTOR_CHARGES)

    def scan_factor(self, coupling: Any) -> Any:
        """The factor lambda that multiplies the shift at ``coupling``: the coupling
        itself (universal) or its square (gauge models)."""
        return coupling if self.charges == "universal" else coupling * coupling

    def shift(self, flavour: str) -> _Shift:
        flv = flavour_of(flavour)
        g, m2 = self.coupling, self.mass_MeV**2
        if g == 0.0:
            return _Shift()
        if self.charges == "universal":
            c = 3.0 * g * _INV_SQRT2_GF
            return _Shift(((c, c, m2, 0.0),))
        if self.charges == "B-L":
            c = -g * g * _INV_SQRT2_GF
            return _Shift(((c, c, m2, 0.0),))
        sign = {"e": 0.0, "mu": 1.0, "tau": -1.0}[flv]
        if sign == 0.0:
            return _Shift()
        c = sign * g * g * FINE_STRUCTURE / (3.0 * math.pi) * _INV_SQRT2_GF
        return _Shift(((c * _LMU_LTAU_LOG, 0.0, m2, 0.0),
                       (3.0 * c, 0.0, m2, MUON_MASS_MEV),
                       (-3.0 * c, 0.0, m2, TAU_MASS_MEV)))


@dataclass(frozen=True)
class ScalarMediator(Model):
    """A light scalar of mass ``mass_MeV``, added incoherently (docs/physics.md Eq. 13.5).

    Parameters
    ----------
    mass_MeV : float, MeV
        Mass m_S in [0, 1e6] MeV (0: thresholds must be > 0).
    coupling : float
        g_nu g_q, the product of the couplings to neutrinos and to quarks (with
        quark couplings given in ``charges``: g_nu times a common scale of them);
        abs(coupling) <= 4 pi.
    charges : "universal", (float, float) or mapping quark -> float
        Scalar charge per proton and per neutron: Q_S = coupling (c_p Z F_Z + c_n N F_N).
        ``"universal"``: equal couplings to all quarks, Q_S = g_nu g_q (14 A + 1.1 Z)
        (c_p = 15.1, c_n = 14) as quoted by arXiv:1604.01025 and arXiv:1701.07443.
        A mapping {"u": g_u, "d": g_d, ...} (quarks u, d, s, c, b, t; others 0,
        each within 1e3): the charges of :func:`scalar_nucleon_charges` (Eq. 13.5b),
        the heavy quarks through the gluons.

    Notes
    -----
    dsigma/dT = Q_S^2 M^2 T F^2 / [4 pi E^2 (2 M T + m_S^2)^2]: no interference with the
    Standard Model (it flips the neutrino's helicity); the same for every flavour.

    Examples
    --------
    >>> s = ScalarMediator(5.0, 1e-6, charges={"u": 1.0, "d": 1.0})
    >>> s.charges[:2]
    (('u', 1.0), ('d', 1.0))
    >>> cp, cn = s.nucleon_charges()
    >>> bool(cp > cn)
    True
    """

    mass_MeV: float
    coupling: float
    charges: Any = "universal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mass_MeV", _mass(self.mass_MeV))
        object.__setattr__(self, "coupling", _coupling(self.coupling, "coupling", COUPLING_MAX))
        charges = self.charges
        if isinstance(charges, tuple) and charges and all(
                isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], str)
                for c in charges):
            charges = dict(charges)  # the stored form of quark couplings
        if isinstance(charges, str):
            _validation.check_choice(charges, "charges", ("universal",))
        elif isinstance(charges, Mapping):
            # stored as ((quark, g_q), ...) for all six quarks: hashable, one form
            object.__setattr__(self, "charges",
                               tuple(_quark_couplings(charges, "charges").items()))
        else:
            try:
                cp, cn = charges
            except (TypeError, ValueError):
                raise ValueError(f"charges must be 'universal', (c_p, c_n) or a mapping "
                                 f"quark -> coupling; got {charges!r}") from None
            object.__setattr__(self, "charges", (
                _coupling(cp, "charges[0]", 1e3), _coupling(cn, "charges[1]", 1e3)))

    def scan_factor(self, coupling: Any) -> Any:
        return coupling

    def nucleon_charges(self) -> tuple[float, float]:
        """(c_p, c_n), the scalar charges per proton and per neutron."""
        if self.charges == "universal":
            return SCALAR_UNIVERSAL
        if isinstance(self.charges[0], tuple):
            return _quark_charges(self.charges)
        return self.charges  # type: ignore[no-any-return]

    def shift(self, flavour: str) -> _Shift:
        flavour_of(flavour)
        if self.coupling == 0.0:
            return _Shift()
        cp, cn = self.nucleon_charges()
        return _Shift(scalar=(self.coupling * cp, self.coupling * cn, self.mass_MeV**2))


@dataclass(frozen=True, init=False)
class MagneticMoment(Model):
    """Neutrino magnetic moment, added incoherently (docs/physics.md Eq. 13.7).

    Parameters
    ----------
    mu_nu_bohr : float or mapping
        The magnetic moment in Bohr magnetons, abs(mu) <= 1: for every flavour, per
        flavour ({"e": ...}; absent flavours 0), or with pairs of flavours as keys
        ({("e", "mu"): ...}) for transition moments mu_ab, a != b (one value per pair,
        either order), beside diagonal ones ({("e", "e"): ...} or {"e": ...}).

    Attributes
    ----------
    mu_nu_bohr : tuple of (flavour, float)
        The effective moment of each flavour, mu_a = sqrt(sum_b mu_ab^2) (the diagonal
        moment itself when there are no transitions); it must be <= 1.
    transition_bohr : tuple of ((flavour, flavour), float)
        The transition moments given (a before b).

    Notes
    -----
    dsigma/dT = (pi alpha^2 mu^2 / m_e^2)(1/T - 1/E + T/(4 E^2)) Z^2 F_Z^2 (P. Vogel and
    J. Engel, PRD 39 (1989) 3378; as in arXiv:1604.01025). The 1/T growth makes every
    integral depend on the threshold: thresholds must be > 0. The final neutrino is not
    observed, so a nu_a scatters with mu_a^2 = sum_b abs(mu_ab)^2 (C. Giunti and A.
    Studenikin, Rev. Mod. Phys. 87 (2015) 531, arXiv:1403.6344, at a baseline short
    against oscillations); only mu_a^2 enters (docs/physics.md Eq. 13.7).

    Examples
    --------
    >>> m = MagneticMoment({("e", "mu"): 3e-10, "e": 4e-10})
    >>> dict(m.mu_nu_bohr)["e"], dict(m.mu_nu_bohr)["mu"], dict(m.mu_nu_bohr)["tau"]
    (5e-10, 3e-10, 0.0)
    """

    mu_nu_bohr: tuple[tuple[str, float], ...]
    transition_bohr: tuple[tuple[tuple[str, str], float], ...] = field(default=())

    def __init__(self, mu_nu_bohr: Any) -> None:
        diag, trans = _flavour_entries(mu_nu_bohr, "mu_nu_bohr", MAGNETIC_MOMENT_MAX)
        if trans:
            square = {f: v * v for f, v in diag}
            for (a, b), v in trans:
                square[a] += v * v
                square[b] += v * v
            effective = []
            for f in FLAVOURS:
                mu = math.sqrt(square[f])
                if not mu <= MAGNETIC_MOMENT_MAX:
                    raise ValueError(f"mu_nu_bohr: the effective moment of nu_{f}, "
                                     f"sqrt(sum_b mu_{f}b^2) = {mu!r}, must be <= "
                                     f"{MAGNETIC_MOMENT_MAX}")
                effective.append((f, mu))
            diag = tuple(effective)
        object.__setattr__(self, "mu_nu_bohr", diag)
        object.__setattr__(self, "transition_bohr", trans)

    def scan_factor(self, value: Any) -> Any:
        return value

    def shift(self, flavour: str) -> _Shift:
        mu = dict(self.mu_nu_bohr)[flavour_of(flavour)]
        return _Shift(magnetic=mu) if mu != 0.0 else _Shift()


@dataclass(frozen=True, init=False)
class Millicharge(Model):
    """Neutrino electric charge q_nu (units of e), a shift of g_V^p (Eq. 13.6).

    Parameters
    ----------
    q_e : float or mapping of flavour to float
        q_nu for every flavour or per flavour (absent flavours 0), abs(q_nu) <= 1.

    Notes
    -----
    delta_p = (2 sqrt(2) pi alpha / G_F) q_nu / q^2 (photon exchange; q_nu > 0
    interferes destructively), as in M. Cadeddu et al., PRD 102 (2020) 015030
    (arXiv:2005.01645), q^2 = 2 M T the squared momentum transfer. Thresholds must
    be > 0.
    """

    q_e: tuple[tuple[str, float], ...]

    def __init__(self, q_e: Any) -> None:
        object.__setattr__(self, "q_e", _per_flavour(q_e, "q_e", MILLICHARGE_MAX))

    def scan_factor(self, value: Any) -> Any:
        return value

    def shift(self, flavour: str) -> _Shift:
        q = dict(self.q_e)[flavour_of(flavour)]
        return _Shift(((_EM_C * q, 0.0, 0.0, 0.0),)) if q != 0.0 else _Shift()


@dataclass(frozen=True, init=False)
class ChargeRadius(Model):
    """Neutrino charge radius <r^2> (cm^2), a shift of g_V^p (Eq. 13.6).

    Parameters
    ----------
    r2_cm2 : float or mapping
        <r^2_{nu_a}> in cm^2 for every flavour, per flavour ({"e": ...}; absent
        flavours 0), or with pairs of flavours as keys ({("e", "mu"): ...}) for
        transition radii <r^2_{ab}>, a != b (one value per pair, either order), beside
        diagonal ones; each abs(<r^2>) <= 1e-20 cm^2.

    Notes
    -----
    delta_p = -(sqrt(2) pi alpha / 3 G_F) <r^2>, the convention of J. Bernabeu et al.
    and of M. Cadeddu et al., PRD 98 (2018) 113010 (arXiv:1810.05606), where the
    Standard-Model radii are negative (<r^2_{nu_e}> = -0.83e-32 cm^2) and give the
    flavour-dependent part of the ``"pdg"`` couplings' g_V^p. The radius given here is
    added to whatever the couplings already hold (with ``couplings="pdg"``, the
    Standard-Model radius): pass the non-standard part. A transition radius changes
    the flavour, so it does not interfere: a nu_a gains the incoherent
    sum_{b != a} [Z delta_p(<r^2_ab>) F_Z]^2 (Cadeddu et al., arXiv:1810.05606;
    docs/physics.md Eq. 13.6b).
    """

    r2_cm2: tuple[tuple[str, float], ...]
    transition_r2_cm2: tuple[tuple[tuple[str, str], float], ...] = field(default=())

    def __init__(self, r2_cm2: Any) -> None:
        diag, trans = _flavour_entries(r2_cm2, "r2_cm2", CHARGE_RADIUS_MAX_CM2)
        object.__setattr__(self, "r2_cm2", diag)
        object.__setattr__(self, "transition_r2_cm2", trans)

    def scan_factor(self, value: Any) -> Any:
        return value

    def shift(self, flavour: str) -> _Shift:
        a = flavour_of(flavour)
        r2 = dict(self.r2_cm2)[a]
        terms = (((-_EM_C / 6.0 * (r2 / HBARC2_MEV2_CM2), 0.0, -1.0, 0.0),)
                 if r2 != 0.0 else ())
        incoherent = tuple((-_EM_C / 6.0 * (v / HBARC2_MEV2_CM2), 0.0)
                           for pair, v in self.transition_r2_cm2 if a in pair)
        return _Shift(terms, incoherent)


def as_models(model: Any) -> tuple[Model, ...]:
    """``model=`` as a tuple of models (a model, or a tuple or list of models).

    Raises
    ------
    TypeError
        Something that is not a model of :mod:`coherency.bsm`.
    ValueError
        An empty tuple, or more than one scalar mediator or magnetic moment.
    """
    items = tuple(model) if isinstance(model, (tuple, list)) else (model,)
    if not items:
        raise ValueError("model must be a model of coherency.bsm or a non-empty tuple of them")
    for m in items:
        if not isinstance(m, Model):
            raise TypeError(f"model must be a model of coherency.bsm (NSI, VectorMediator, "
                            f"ScalarMediator, MagneticMoment, Millicharge, ChargeRadius) "
                            f"or a tuple of them; got {_validation._short(m)}")
    for kind in (ScalarMediator, MagneticMoment):
        if sum(isinstance(m, kind) for m in items) > 1:
            raise ValueError(f"model: at most one {kind.__name__} at a time")
    return items


@functools.lru_cache(maxsize=4096)
def combined_shift(models: tuple[Model, ...], flavour: str) -> _Shift:
    """The shifts of several models for one flavour, together (models are frozen:
    cached)."""
    terms: list[tuple[float, float, float, float]] = []
    inc: list[tuple[float, float]] = []
    scalar = None
    magnetic = 0.0
    for m in models:
        s = m.shift(flavour)
        terms += s.terms
        inc += s.incoherent
        scalar = s.scalar if s.scalar is not None else scalar
        magnetic = s.magnetic if s.magnetic != 0.0 else magnetic
    return _Shift(tuple(terms), tuple(inc), scalar, magnetic)


@functools.lru_cache(maxsize=4096)
def flavour_dependent(models: tuple[Model, ...]) -> bool:
    """Whether any of the models acts differently on different flavours (cached)."""
    return len({combined_shift(models, f) for f in FLAVOURS}) > 1


def needs_threshold(shift: _Shift) -> bool:
    """Whether the shift diverges at q = 0 (a massless propagator, a magnetic moment)."""
    return (shift.magnetic != 0.0 or any(t[2] == 0.0 for t in shift.terms)
            or (shift.scalar is not None and shift.scalar[2] == 0.0))


def spec(shift: _Shift, mass: float, Z: int, N: int, ffz: Any, ffn: Any, wz: float,
         wn: float, running: tuple[tuple[float, float], ...] = ()) -> BSMSpec:
    """The kernel record of a shift on one nucleus (docs/physics.md Eq. 13.2): the
    true amplitude a = 2 (Z g_V^p F_Z + N g_V^n F_N) = wz F_Z - wn F_N (+ the running
    of g_V^p, coefficients c per lepton mass), shifted by d = 2 (Z delta_p F_Z +
    N delta_n F_N)."""
    rows = [(2.0 * Z * c, 0.0, -1.0, lep, BSM_SM) for c, lep in running]
    rows += [(2.0 * Z * dp, 2.0 * N * dn, m2, lep, BSM_NEW)
             for dp, dn, m2, lep in shift.terms if dp != 0.0 or dn != 0.0]
    if len(rows) > BSM_MAX_TERMS:
        raise ValueError(f"model: at most {BSM_MAX_TERMS} terms per flavour; got {len(rows)}")
    izz = sum(4.0 * Z * Z * bp * bp for bp, _ in shift.incoherent)
    izn = sum(4.0 * Z * N * bp * bn for bp, bn in shift.incoherent)
    inn = sum(4.0 * N * N * bn * bn for _, bn in shift.incoherent)
    ps = sz = sn = ms2 = 0.0
    if shift.scalar is not None:
        gp, gn, ms2 = shift.scalar
        ps, sz, sn = HBARC2_MEV2_CM2 / (16.0 * math.pi), gp * Z, gn * N
    pm = 0.0
    if shift.magnetic != 0.0:
        pm = (math.pi * FINE_STRUCTURE**2 * shift.magnetic**2 * Z * Z / ELECTRON_MASS_MEV**2
              * HBARC2_MEV2_CM2)
    terms = np.ascontiguousarray(np.array(rows, dtype=np.float64).reshape(-1))
    terms.setflags(write=False)
    return BSMSpec(mass=float(mass), ffz=ffz, ffn=ffn, pv=DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2,
                   wz=float(wz), wn=float(wn), terms=terms, izz=izz, izn=izn, inn=inn,
                   ps=ps, sz=sz, sn=sn, ms2=float(ms2), pm=pm)
