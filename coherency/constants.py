"""Physical constants and unit conversions used by coherency.

Everything inside the package is in natural units: MeV for energies, momenta and
masses, fm for nuclear lengths. Each constant cites its source. This module is the
only place where these numbers are typed.
"""

from __future__ import annotations

import math

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
