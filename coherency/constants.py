"""Physical constants and unit conversions used by coherency.

Everything inside the package is in natural units: MeV for energies, momenta and
masses, fm for nuclear lengths. Each constant cites its source. This module is the
only place where these numbers are typed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

# Fermi constant, PDG 2024 (G_F/(hbar c)^3 = 1.1663788(6)e-5 GeV^-2).
FERMI_CONSTANT_PER_GEV2 = 1.1663788e-5
FERMI_CONSTANT_PER_MEV2 = FERMI_CONSTANT_PER_GEV2 * 1e-6

# hbar c, CODATA 2018 (exact in the 2019 SI): 197.3269804 MeV fm.
HBARC_MEV_FM = 197.3269804
# (hbar c)^2 in MeV^2 cm^2, PDG 2024 "Physical constants": 0.3893793721 GeV^2 mbarn.
HBARC2_MEV2_CM2 = 3.893793721e-22

# Atomic mass unit, CODATA 2018: 931.49410242 MeV.
ATOMIC_MASS_UNIT_MEV = 931.49410242
# Electron mass, CODATA 2018: 0.51099895000 MeV.
ELECTRON_MASS_MEV = 0.51099895
# Muon mass, PDG 2024: 105.6583755 MeV.
MUON_MASS_MEV = 105.6583755
# Charged pion mass, PDG 2024: 139.57039 MeV.
PION_MASS_MEV = 139.57039
# Proton mass, CODATA 2018: 938.27208816 MeV.
PROTON_MASS_MEV = 938.27208816
# Neutron mass, CODATA 2018: 939.56542052 MeV.
NEUTRON_MASS_MEV = 939.56542052
# Quark masses, PDG 2024 (Review of Particle Physics, "Quark masses"): u, d, s in the
# MS-bar scheme at 2 GeV; c and b at their own scale, m_q(m_q); t from direct
# measurements. MeV.
QUARK_MASSES_MEV: Mapping[str, float] = MappingProxyType(
    {"u": 2.16, "d": 4.70, "s": 93.5, "c": 1273.0, "b": 4183.0, "t": 172570.0})
# Scalar matrix elements of the light quarks in the proton and the neutron,
# f_Tq^N = <N| m_q qbar q |N>/m_N: J. Ellis, K. A. Olive and C. Savage, Phys. Rev. D 77
# (2008) 065026 (arXiv:0801.3656), for Sigma_piN = 64 MeV: f_Tu^p = 0.020(4),
# f_Td^p = 0.026(5), f_Tu^n = 0.014(3), f_Td^n = 0.036(8), f_Ts^p = f_Ts^n = 0.118(62).
# The heavy quarks couple through the gluons, f_TG^N = 1 - sum of the three.
NUCLEON_SCALAR_FTQ: Mapping[str, Mapping[str, float]] = MappingProxyType({
    "p": MappingProxyType({"u": 0.020, "d": 0.026, "s": 0.118}),
    "n": MappingProxyType({"u": 0.014, "d": 0.036, "s": 0.118}),
})
# Tau mass, PDG 2024: 1776.93 MeV.
TAU_MASS_MEV = 1776.93
# Fine-structure constant at zero momentum, CODATA 2018: 7.2973525693e-3.
FINE_STRUCTURE = 7.2973525693e-3
# Avogadro constant, exact in the 2019 SI.
AVOGADRO_PER_MOL = 6.02214076e23

# Weak mixing angle at low energy, MS-bar scheme (PDG 2024 electroweak review,
# sin^2 theta_W(0) = 0.23857(5)).
SIN2_THETA_W = 0.23857
# The same in the MS-bar scheme at the Z pole (PDG 2024 electroweak review, 0.23129(4)).
SIN2_THETA_W_MZ = 0.23129
# epsilon = 1 - 4 sin^2 theta_W, the proton weak charge per proton (docs/physics.md §2).
EPSILON_DEFAULT = 1.0 - 4.0 * SIN2_THETA_W
# The value used by Sharma & Wong (ICHEP2020, arXiv:2010.06810, below their Eq. 2).
EPSILON_SHARMA_WONG = 0.045

# Prefactor of Eq. 1 in cm^2/MeV^2: (1/2) G_F^2/(4 pi) (hbar c)^2.
DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 = (
    0.5 * FERMI_CONSTANT_PER_MEV2**2 / (4.0 * math.pi) * HBARC2_MEV2_CM2
)

# Unit conversions (to MeV, the package's base unit, or to SI helpers).
KEV = 1e-3
GEV = 1e3
SECONDS_PER_DAY = 86400.0
DAYS_PER_YEAR = 365.25  # Julian year
SECONDS_PER_YEAR = DAYS_PER_YEAR * SECONDS_PER_DAY
PARSEC_M = 3.0856775814913673e16  # IAU 2015 Resolution B2
KILOPARSEC_CM = PARSEC_M * 1e3 * 1e2
MEV_TO_ERG = 1.602176634e-6  # e = 1.602176634e-19 C, exact in the 2019 SI
MEV_TO_JOULE = MEV_TO_ERG * 1e-7

__all__ = [name for name in dir() if name.isupper()]

_DEPRECATED = {"EPSILON_SEED": "EPSILON_SHARMA_WONG"}


def __getattr__(name: str) -> float:
    # Old names kept working, with a DeprecationWarning naming the new one.
    if name in _DEPRECATED:
        import warnings

        new = _DEPRECATED[name]
        warnings.warn(f"coherency.constants.{name} is deprecated; use {new}",
                      DeprecationWarning, stacklevel=2)
        return float(globals()[new])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
