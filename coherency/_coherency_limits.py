"""Complete coherency and complete decoherency of a nucleus: the columns of Sharma &
Wong's Table 1 (arXiv:2010.06810; docs/physics.md §2), from the functions of
:mod:`coherency.coherence`, which re-exports them."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from ._charges import charges as _charges
from .coherence import gamma_np, gamma_qm, phi_from_alpha, xi_from_alpha
from .constants import HBARC_MEV_FM
from .form_factors import Helm
from .targets import Nucleus, NucleusLike

__all__ = ["CoherencyLimit", "CoherencyLimits", "coherency_limits"]


@dataclass(frozen=True)
class CoherencyLimit:
    """One column of Sharma & Wong Table 1 (complete coherency or complete decoherency).

    Attributes
    ----------
    q2 : float, MeV^2
        0 at complete coherency (q^2 -> 0); (pi/R)^2 at complete decoherency,
        which holds for q^2 >~ this scale.
    FZ, FN : float or None
        Form factors: 1 at complete coherency; None (Table 1's "-") at
        decoherency, which no single value of F_Z, F_N describes.
    gamma_np : float
        Gamma_NP = Gamma_QM = Gamma_DATA at this limit.
    phi : float, radians
    alpha : float
    xi : float
    """

    q2: float
    FZ: float | None
    FN: float | None
    gamma_np: float
    phi: float
    alpha: float
    xi: float


@dataclass(frozen=True)
class CoherencyLimits:
    """Sharma & Wong Table 1 for one nucleus; see :func:`coherency_limits`."""

    nucleus: Nucleus
    epsilon: float
    radius_fm: float
    q2_scale: float
    coherent: CoherencyLimit
    decoherent: CoherencyLimit

    def as_dict(self) -> dict[str, Any]:
        """Plain nested dict (nucleus as its name)."""
        out = asdict(self)
        out["nucleus"] = self.nucleus.name
        return out


def coherency_limits(nucleus: NucleusLike, epsilon: float | None = None) -> CoherencyLimits:
    """Sharma & Wong Table 1: limits of complete coherency and decoherency for a nucleus.

    Parameters
    ----------
    nucleus : Nucleus, isotope name or single-component Target
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default ``constants.EPSILON_DEFAULT``.

    Returns
    -------
    CoherencyLimits
        ``.coherent`` and ``.decoherent`` columns (q^2, F_Z, F_N, Gamma_NP, phi,
        alpha, xi), ``.radius_fm`` R = 1.2 A^(1/3) fm and ``.q2_scale`` = (pi/R)^2
        in MeV^2 (with hbar c), the onset of complete decoherency.

    Raises
    ------
    ValueError
        eps Z - N = 0; epsilon out of range; not a single nucleus.

    Notes
    -----
    Sharma & Wong Table 1. Complete coherency: q^2 -> 0, F_Z = F_N = 1, phi = 0, alpha = 1,
    xi = 1, Gamma = (eps Z - N)^2. Complete decoherency: q^2 >~ (pi/R)^2,
    phi = pi/2, alpha = 0, xi = xi_dec, Gamma = eps^2 Z + N, which follows from
    Eq. 6 (Gamma_NP = Gamma_QM at alpha = 0), not from Eq. 2 alone. R uses the
    Helm radius coefficient of Sharma & Wong (Eq. 7, R = 1.2 A^(1/3) fm).

    Examples
    --------
    >>> lim = coherency_limits("Xe132", epsilon=0.045)
    >>> lim.coherent.gamma_np == (0.045 * 54 - 78) ** 2
    True
    >>> lim.decoherent.alpha, lim.decoherent.phi == math.pi / 2
    (0.0, True)
    """
    ch = _charges(nucleus, epsilon)
    radius_fm = Helm().r_coeff_fm * ch.nucleus.A ** (1.0 / 3.0)
    q2_scale = (math.pi * HBARC_MEV_FM / radius_fm) ** 2
    coherent = CoherencyLimit(
        q2=0.0,
        FZ=1.0,
        FN=1.0,
        gamma_np=float(gamma_np(1.0, 1.0, ch.nucleus, ch.epsilon)),
        phi=float(phi_from_alpha(1.0)),
        alpha=1.0,
        xi=float(xi_from_alpha(1.0, ch.nucleus, ch.epsilon)),
    )
    decoherent = CoherencyLimit(
        q2=q2_scale,
        FZ=None,
        FN=None,
        gamma_np=float(gamma_qm(0.0, ch.nucleus, ch.epsilon)),
        phi=float(phi_from_alpha(0.0)),
        alpha=0.0,
        xi=ch.xi_decoherent(),
    )
    return CoherencyLimits(ch.nucleus, ch.epsilon, radius_fm, q2_scale, coherent, decoherent)
