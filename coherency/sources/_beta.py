"""Allowed β-decay neutrino spectra: the shapes behind the solar β⁺ components
(:mod:`.solar`) and the ²³⁸U-capture ν̄ of reactors (:mod:`.reactor`).

dN/dE_ν ∝ E_ν² p_e W_e F(Z, W_e) with W_e = Q − E_ν + m_e the electron (positron)
total energy, p_e its momentum and F the relativistic Fermi function; energies and
momenta in MeV. Each ``*_norm`` is the integral over (0, Q), so that shape / norm
integrates to one.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, special

from .._cache import memoize
from .._typing import FloatArray
from ..constants import ELECTRON_MASS_MEV, FINE_STRUCTURE, HBARC_MEV_FM


def fermi_function_positron(Z: int, W: FloatArray, A: int) -> FloatArray:
    """Relativistic Fermi function for β⁺ (charge −Z seen by the positron).

    F = 2(1+γ) (2pR)^(2γ−2) e^(πη) |Γ(γ+iη)|² / Γ(2γ+1)², η = −αZW/p,
    γ = √(1 − α²Z²), R = 1.2 A^(1/3) fm; W, p in MeV (total energy, momentum).
    """
    me = ELECTRON_MASS_MEV
    p = np.sqrt(np.maximum(W * W - me * me, 1e-300))
    eta = -FINE_STRUCTURE * Z * W / p
    gamma = math.sqrt(1.0 - (FINE_STRUCTURE * Z) ** 2)
    radius = 1.2 * A ** (1.0 / 3.0) / HBARC_MEV_FM  # MeV^-1
    lg = special.loggamma(gamma + 1j * eta).real
    return (2.0 * (1.0 + gamma) * (2.0 * p * radius) ** (2.0 * gamma - 2.0)
            * np.exp(math.pi * eta + 2.0 * lg) / special.gamma(2.0 * gamma + 1.0) ** 2)


def beta_plus_unnormalised(E: FloatArray, Q: float, Z: int, A: int) -> FloatArray:
    """E_ν² p_e W_e F(−Z, W_e) with W_e = Q − E_ν + m_e; zero outside (0, Q)."""
    out = np.zeros_like(E)
    inside = (E > 0.0) & (E < Q)
    e = E[inside]
    W = Q - e + ELECTRON_MASS_MEV
    p = np.sqrt(W * W - ELECTRON_MASS_MEV**2)
    out[inside] = e * e * p * W * fermi_function_positron(Z, W, A)
    return out


@memoize("beta+ normalisations", per_backend=False)
def beta_plus_norm(Q: float, Z: int, A: int) -> float:
    """∫_0^Q of :func:`beta_plus_unnormalised`."""
    return integrate.quad(lambda e: float(beta_plus_unnormalised(np.array([e]), Q, Z, A)[0]),
                          0.0, Q, epsabs=0.0, epsrel=1e-13, limit=400)[0]


def beta_minus_unnormalised(E: FloatArray, Q: float, Z: int, A: int) -> FloatArray:
    """E_ν² p_e W_e F(+Z, W_e) (β⁻, daughter charge Z); zero outside (0, Q)."""
    out = np.zeros_like(E)
    inside = (E > 0.0) & (E < Q)
    e = E[inside]
    W = Q - e + ELECTRON_MASS_MEV
    p = np.sqrt(W * W - ELECTRON_MASS_MEV**2)
    # the electron sees +Z: the positron formula with the charge reversed
    out[inside] = e * e * p * W * fermi_function_positron(-Z, W, A)
    return out


@memoize("beta- normalisations", per_backend=False)
def beta_minus_norm(Q: float, Z: int, A: int) -> float:
    """∫_0^Q of :func:`beta_minus_unnormalised`."""
    return integrate.quad(lambda e: float(beta_minus_unnormalised(np.array([e]), Q, Z, A)[0]),
                          0.0, Q, epsabs=0.0, epsrel=1e-13, limit=400)[0]
