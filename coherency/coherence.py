"""The many-body term Gamma(q^2) and the degree of coherency (Sharma & Wong Eqs. 2-6, Table 1).

Three descriptions of Gamma in Sharma & Wong Eq. 1 (docs/physics.md §2):

* nuclear physics, Eq. 2: Gamma_NP = [eps Z F_Z - N F_N]^2 (Sharma & Wong's Eq. 2 lacks
  the square; Table 1, Eq. 5 and Eq. 6 have it);
* quantum-mechanical coherency, Eq. 3:
  Gamma_QM = (eps Z - N)^2 alpha + (eps^2 Z + N)(1 - alpha), alpha = cos(phi) in [0, 1];
* data, Eq. 4: Gamma_DATA = (eps Z - N)^2 xi, xi the cross section relative to
  complete coherency.

They are linked by Eq. 5, xi = alpha + (1 - alpha) xi_dec with
xi_dec = (eps^2 Z + N)/(eps Z - N)^2, and by Eq. 6, Gamma_NP = Gamma_QM.

``nucleus`` arguments take anything :func:`coherency.targets.as_nucleus` accepts
(a Nucleus, an isotope name such as ``"Xe132"``, ``"CsI-as-Xe"``, a single-component
Target). ``epsilon = 1 - 4 sin^2 theta_W`` defaults to
:data:`coherency.constants.EPSILON_DEFAULT`; pass
:data:`coherency.constants.EPSILON_SHARMA_WONG` (0.045) to reproduce Sharma & Wong's numbers.
All functions broadcast like ufuncs and return a float for scalar input. The numbers of
Fig. 1 (:func:`figure1_data`) live with the report's figures, in ``coherency._figures``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _backend, _validation
from ._charges import charges as _charges
from ._charges import xi_constants as _xi_constants
from ._typing import FloatOrArray
from .constants import HBARC_MEV_FM
from .form_factors import Helm
from .targets import Nucleus, NucleusLike

__all__ = [
    "FIGURE1_NUCLEI",  # noqa: F822 (module __getattr__ below)
    "FIGURE1_SOURCES_MEV",  # noqa: F822
    "CoherencyLimit",
    "CoherencyLimits",
    "alpha_from_form_factors",
    "alpha_from_phi",
    "alpha_from_xi",
    "coherency_limits",
    "figure1_data",  # noqa: F822
    "gamma_data",
    "gamma_np",
    "gamma_qm",
    "phi_from_alpha",
    "xi_decoherent",
    "xi_from_alpha",
]


# numpy's ufuncs, called on a float by the scalar fast paths so that they give the
# array path's values bit for bit (math.acos/math.cos may differ by an ulp from
# numpy's SIMD loops).
_np_arccos = np.arccos
_np_cos = np.cos

# Kinds of the small-array entry point ``small_coherence`` of the kernel modules: float64
# arrays of up to ``_validation.SMALL_MAX`` elements (and numpy float scalars) take it,
# with the array path's arithmetic, so the same bits; anything else, and any value out
# of range, takes the array path and its errors.
_SMALL_GAMMA_NP = 0
_SMALL_ALPHA_FF = 1
_SMALL_GAMMA_QM = 2
_SMALL_GAMMA_DATA = 3
_SMALL_XI_FROM_ALPHA = 4
_SMALL_ALPHA_FROM_XI = 5
_SMALL_PHI_FROM_ALPHA = 6
_SMALL_ALPHA_FROM_PHI = 7


def _alpha(alpha: Any) -> npt.NDArray[np.float64]:
    return _validation.as_float_array(alpha, "alpha", min_value=0.0, max_value=1.0)


def _form_factor(F: Any, name: str) -> npt.NDArray[np.float64]:
    return _validation.as_float_array(F, name, min_value=-1.0, max_value=1.0)


def _out(values: npt.NDArray[np.float64], shape: tuple[int, ...]) -> FloatOrArray:
    if shape == ():
        return float(values)
    if (type(values) is np.ndarray and values.dtype == np.float64
            and values.flags.c_contiguous):  # a fresh result of the arithmetic
        return values.reshape(shape)
    return _validation.restore_shape(np.ascontiguousarray(values, dtype=np.float64)
                                     .reshape(-1), shape)


def gamma_np(
    FZ: npt.ArrayLike, FN: npt.ArrayLike, nucleus: NucleusLike, epsilon: float | None = None
) -> FloatOrArray:
    """Many-body term from nuclear form factors, Sharma & Wong Eq. 2 (with its square).

    Parameters
    ----------
    FZ, FN : array_like
        Proton and neutron form factors F_Z(q^2), F_N(q^2), each in [-1, 1]
        (Helm-type form factors change sign past their zeros); they broadcast.
    nucleus : Nucleus, isotope name or single-component Target
        Supplies Z and N.
    epsilon : float, optional
        1 - 4 sin^2 theta_W in [-3, 1]; default ``constants.EPSILON_DEFAULT``.

    Returns
    -------
    float or ndarray
        Gamma_NP = [eps Z F_Z - N F_N]^2 (dimensionless), broadcast shape.

    Raises
    ------
    ValueError
        FZ or FN outside [-1, 1] or NaN; epsilon out of range; a nucleus that is
        not a single nucleus.
    TypeError
        Non-numeric form factors, or an unsupported ``nucleus``.

    Notes
    -----
    Sharma & Wong Eq. 2. Sharma & Wong prints it without the square; Table 1, Eq. 5 and Eq. 6
    carry it, and F = 1 must give (eps Z - N)^2 (docs/physics.md §2).

    Examples
    --------
    >>> gamma_np(1.0, 1.0, "Xe132", epsilon=0.045) == (0.045 * 54 - 78) ** 2
    True
    """
    ch = _charges(nucleus, epsilon)
    fzf = _validation.plain_float_in(FZ, -1.0, 1.0)
    fnf = _validation.plain_float_in(FN, -1.0, 1.0)
    if fzf is not None and fnf is not None:  # scalar fast path, same arithmetic
        amplitude = ch.epsilon * ch.Z * fzf - ch.N * fnf
        return amplitude * amplitude
    small = _backend.kernels().small_coherence(
        _SMALL_GAMMA_NP, FZ if fzf is None else fzf, FN if fnf is None else fnf,
        ch.epsilon * ch.Z, ch.N, 0.0, 0.0, False)
    if small is not None:  # small float64 arrays: one compiled call
        return small
    fz, fn = _validation.broadcast(("FZ", _form_factor(FZ, "FZ")),
                                   ("FN", _form_factor(FN, "FN")))
    return _out((ch.epsilon * ch.Z * fz - ch.N * fn) ** 2, fz.shape)


def gamma_qm(
    alpha: npt.ArrayLike, nucleus: NucleusLike, epsilon: float | None = None
) -> FloatOrArray:
    """Many-body term from the degree of coherency, Sharma & Wong Eq. 3.

    Parameters
    ----------
    alpha : array_like
        Degree of coherency alpha = cos(phi), in [0, 1].
    nucleus : Nucleus, isotope name or single-component Target
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default ``constants.EPSILON_DEFAULT``.

    Returns
    -------
    float or ndarray
        Gamma_QM = (eps Z - N)^2 alpha + (eps^2 Z + N)(1 - alpha), shape of alpha.

    Raises
    ------
    ValueError
        alpha outside [0, 1] or NaN; epsilon out of range; not a single nucleus.

    Notes
    -----
    Sharma & Wong Eq. 3; alpha = 1 gives complete coherency, (eps Z - N)^2, and alpha = 0
    complete decoherency, eps^2 Z + N (Sharma & Wong Table 1).

    Examples
    --------
    >>> gamma_qm(0.0, "Ar40", epsilon=0.045) == 0.045**2 * 18 + 22
    True
    """
    ch = _charges(nucleus, epsilon)
    af = _validation.plain_float_in(alpha, 0.0, 1.0)
    if af is not None:  # scalar fast path, same arithmetic
        return ch.coherent * af + ch.decoherent * (1.0 - af)
    small = _backend.kernels().small_coherence(_SMALL_GAMMA_QM, alpha, None, ch.coherent,
                                               ch.decoherent, 0.0, 0.0, False)
    if small is not None:  # small float64 arrays: one compiled call
        return small
    a = _alpha(alpha)
    return _out(ch.coherent * a + ch.decoherent * (1.0 - a), a.shape)


def gamma_data(
    xi: npt.ArrayLike, nucleus: NucleusLike, epsilon: float | None = None
) -> FloatOrArray:
    """Many-body term from the measured suppression xi, Sharma & Wong Eq. 4.

    Parameters
    ----------
    xi : array_like
        Cross section relative to complete coherency. Any finite value: a measured
        xi may fluctuate below 0 or above 1.
    nucleus : Nucleus, isotope name or single-component Target
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default ``constants.EPSILON_DEFAULT``.

    Returns
    -------
    float or ndarray
        Gamma_DATA = (eps Z - N)^2 xi, shape of xi.

    Raises
    ------
    ValueError
        NaN or infinite xi; epsilon out of range; not a single nucleus.

    Notes
    -----
    Sharma & Wong Eq. 4.

    Examples
    --------
    >>> gamma_data(1.0, "Ge74") == gamma_np(1.0, 1.0, "Ge74")
    True
    """
    ch = _charges(nucleus, epsilon)
    xf = _validation.plain_float(xi)
    if xf is not None:  # scalar fast path
        return ch.coherent * xf
    small = _backend.kernels().small_coherence(_SMALL_GAMMA_DATA, xi, None, ch.coherent,
                                               0.0, 0.0, 0.0, False)
    if small is not None:  # small float64 arrays: one compiled call
        return small
    x = _validation.as_float_array(xi, "xi")
    return _out(ch.coherent * x, x.shape)


def xi_decoherent(nucleus: NucleusLike, epsilon: float | None = None) -> float:
    """xi at complete decoherency, xi_dec = (eps^2 Z + N)/(eps Z - N)^2.

    Parameters
    ----------
    nucleus : Nucleus, isotope name or single-component Target
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default ``constants.EPSILON_DEFAULT``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        eps Z - N = 0 (xi undefined); epsilon out of range; not a single nucleus.

    Notes
    -----
    Sharma & Wong Eq. 5 at alpha = 0 and Table 1 (III).

    Examples
    --------
    >>> 0.0 < xi_decoherent("Xe132") < 0.02
    True
    """
    return _charges(nucleus, epsilon).xi_decoherent()


def xi_from_alpha(
    alpha: npt.ArrayLike, nucleus: NucleusLike, epsilon: float | None = None
) -> FloatOrArray:
    """Cross-section suppression from the degree of coherency, Sharma & Wong Eq. 5 (left).

    Parameters
    ----------
    alpha : array_like
        Degree of coherency in [0, 1].
    nucleus : Nucleus, isotope name or single-component Target
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default ``constants.EPSILON_DEFAULT``.

    Returns
    -------
    float or ndarray
        xi = alpha + (1 - alpha) xi_dec, shape of alpha.

    Raises
    ------
    ValueError
        alpha outside [0, 1] or NaN; eps Z - N = 0; not a single nucleus.

    Notes
    -----
    Sharma & Wong Eq. 5. Then Gamma_DATA(xi) = Gamma_QM(alpha) (Eq. 6).

    Examples
    --------
    >>> xi_from_alpha(1.0, "Xe132")
    1.0
    >>> xi_from_alpha(0.0, "Xe132") == xi_decoherent("Xe132")
    True
    """
    af = _validation.plain_float_in(alpha, 0.0, 1.0)
    const = _xi_constants(nucleus, epsilon)
    if const is not None:
        if af is not None:  # scalar fast path, same arithmetic
            return af + (1.0 - af) * const[2]
        small = _backend.kernels().small_coherence(_SMALL_XI_FROM_ALPHA, alpha, None,
                                                   const[2], 0.0, 0.0, 0.0, False)
        if small is not None:  # small float64 arrays: one compiled call
            return small
    ch = _charges(nucleus, epsilon)
    xi_dec = ch.xi_decoherent()
    a = _alpha(alpha)
    return _out(a + (1.0 - a) * xi_dec, a.shape)


def alpha_from_xi(
    xi: npt.ArrayLike,
    nucleus: NucleusLike,
    epsilon: float | None = None,
    clip: bool = False,
) -> FloatOrArray:
    """Degree of coherency from the measured suppression xi, Sharma & Wong Eq. 5 inverted.

    Parameters
    ----------
    xi : array_like
        Cross section relative to complete coherency; any finite value.
    nucleus : Nucleus, isotope name or single-component Target
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default ``constants.EPSILON_DEFAULT``.
    clip : bool
        Clip the result to the physical domain [0, 1]. Default False.

    Returns
    -------
    float or ndarray
        alpha = (xi - xi_dec)/(1 - xi_dec), shape of xi.

    Raises
    ------
    ValueError
        NaN or infinite xi; xi_dec = 1 (xi cannot tell alpha); not a single
        nucleus.

    Notes
    -----
    Sharma & Wong Eq. 5 solved for alpha; data-driven, no nuclear physics. The map is
    linear, so a measured xi below xi_dec gives alpha < 0 and xi > 1 gives
    alpha > 1: outside the physical domain alpha = cos(phi) in [0, 1] but kept
    by default, since a fluctuation is information (docs/physics.md §7). With
    ``clip=True`` the result is clipped to [0, 1].

    Examples
    --------
    >>> alpha_from_xi(1.0, "Xe132")
    1.0
    >>> alpha_from_xi(0.0, "Xe132") < 0.0
    True
    >>> alpha_from_xi(0.0, "Xe132", clip=True)
    0.0
    """
    xf = _validation.plain_float(xi)
    const = _xi_constants(nucleus, epsilon)
    if const is not None:
        if xf is not None:  # scalar fast path; min/max clip = np.clip for finite values
            value = (xf - const[2]) / const[3]
            return min(max(value, 0.0), 1.0) if clip else value
        small = _backend.kernels().small_coherence(_SMALL_ALPHA_FROM_XI, xi, None, const[2],
                                                   const[3], 0.0, 0.0, clip)
        if small is not None:  # small float64 arrays: one compiled call
            return small
    ch = _charges(nucleus, epsilon)
    denominator = ch.alpha_denominator()
    xi_dec = ch.xi_decoherent()
    x = _validation.as_float_array(xi, "xi")
    a = (x - xi_dec) / denominator
    if clip:
        a = np.clip(a, 0.0, 1.0)
    return _out(a, x.shape)


def phi_from_alpha(alpha: npt.ArrayLike) -> FloatOrArray:
    """Misalignment phase angle from the degree of coherency, phi = arccos(alpha).

    Parameters
    ----------
    alpha : array_like
        Degree of coherency in [0, 1].

    Returns
    -------
    float or ndarray, radians
        phi in [0, pi/2], shape of alpha.

    Raises
    ------
    ValueError
        alpha outside [0, 1] or NaN.

    Notes
    -----
    Sharma & Wong Eq. 3: alpha = cos(phi); Table 1 (II): phi = 0 at complete coherency,
    pi/2 at complete decoherency.

    Examples
    --------
    >>> phi_from_alpha(1.0)
    0.0
    >>> phi_from_alpha(0.0) == math.pi / 2
    True
    """
    af = _validation.plain_float_in(alpha, 0.0, 1.0)
    if af is not None:  # scalar fast path: numpy's own arccos on a numpy scalar
        return float(_np_arccos(af))
    small = _backend.kernels().small_coherence(_SMALL_PHI_FROM_ALPHA, alpha, None, 0.0, 0.0,
                                               0.0, 0.0, False)
    if small is not None:  # small float64 arrays: numpy's arccos after one compiled check
        return small
    a = _alpha(alpha)
    return _out(np.arccos(a), a.shape)


def alpha_from_phi(phi: npt.ArrayLike) -> FloatOrArray:
    """Degree of coherency from the misalignment phase angle, alpha = cos(phi).

    Parameters
    ----------
    phi : array_like, radians
        Phase angle in [0, pi/2].

    Returns
    -------
    float or ndarray
        alpha in [0, 1], shape of phi. cos(pi/2) in floating point is 6e-17,
        not 0.

    Raises
    ------
    ValueError
        phi outside [0, pi/2] or NaN.

    Notes
    -----
    Sharma & Wong Eq. 3.

    Examples
    --------
    >>> alpha_from_phi(0.0)
    1.0
    >>> alpha_from_phi(math.pi / 2) < 1e-16
    True
    """
    pf = _validation.plain_float(phi)
    if pf is not None and 0.0 <= pf <= math.pi / 2:  # scalar fast path (numpy's cos)
        return float(_np_cos(pf))
    small = _backend.kernels().small_coherence(_SMALL_ALPHA_FROM_PHI, phi, None, 0.0, 0.0,
                                               0.0, 0.0, False)
    if small is not None:  # small float64 arrays: numpy's cos after one compiled check
        return small
    p = _validation.as_float_array(phi, "phi", min_value=0.0, max_value=math.pi / 2,
                                   unit="rad")
    return _out(np.cos(p), p.shape)


def alpha_from_form_factors(
    FZ: npt.ArrayLike,
    FN: npt.ArrayLike,
    nucleus: NucleusLike,
    epsilon: float | None = None,
    clip: bool = True,
) -> FloatOrArray:
    """Degree of coherency implied by nuclear form factors, Sharma & Wong Eqs. 5 and 6.

    Parameters
    ----------
    FZ, FN : array_like
        Proton and neutron form factors, each in [-1, 1]; they broadcast.
    nucleus : Nucleus, isotope name or single-component Target
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default ``constants.EPSILON_DEFAULT``.
    clip : bool
        Clip alpha to [0, 1]. **Default True**: where the form factors make
        xi < xi_dec (near a zero of F) the linear relation gives alpha < 0, outside
        the physical domain alpha = cos(phi) in [0, 1]; such values become 0.

    Returns
    -------
    float or ndarray
        alpha, broadcast shape of FZ and FN.

    Raises
    ------
    ValueError
        FZ or FN outside [-1, 1] or NaN; xi_dec = 1; not a single nucleus.

    Notes
    -----
    xi = [eps Z F_Z - N F_N]^2/(eps Z - N)^2 (Sharma & Wong Eq. 5, right), then
    alpha = (xi - xi_dec)/(1 - xi_dec) (Eq. 5 left, i.e. Eq. 6 solved for alpha).
    With F_Z = F_N = F (Sharma & Wong Eq. 7 choice), xi = F^2.

    Examples
    --------
    >>> alpha_from_form_factors(1.0, 1.0, "Ar40")
    1.0
    >>> alpha_from_form_factors(0.0, 0.0, "Ar40")
    0.0
    """
    fzf = _validation.plain_float_in(FZ, -1.0, 1.0)
    fnf = _validation.plain_float_in(FN, -1.0, 1.0)
    const = _xi_constants(nucleus, epsilon)
    if const is not None:
        eps_z, n, xi_dec, denominator, coherent = const
        if fzf is not None and fnf is not None:  # scalar fast path, same arithmetic
            amplitude = eps_z * fzf - n * fnf
            value = (amplitude * amplitude / coherent - xi_dec) / denominator
            return min(max(value, 0.0), 1.0) if clip else value
        small = _backend.kernels().small_coherence(
            _SMALL_ALPHA_FF, FZ if fzf is None else fzf, FN if fnf is None else fnf, eps_z, n,
            coherent, xi_dec, clip)
        if small is not None:  # small float64 arrays: one compiled call
            return small
    ch = _charges(nucleus, epsilon)
    denominator = ch.alpha_denominator()
    xi_dec = ch.xi_decoherent()
    fz, fn = _validation.broadcast(("FZ", _form_factor(FZ, "FZ")),
                                   ("FN", _form_factor(FN, "FN")))
    xi = (ch.epsilon * ch.Z * fz - ch.N * fn) ** 2 / ch.coherent
    a = (xi - xi_dec) / denominator
    if clip:
        a = np.clip(a, 0.0, 1.0)
    return _out(a, fz.shape)


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


def __getattr__(name: str) -> Any:
    # figure1_data moved to coherency._figures: the former names give the same objects
    if name in ("figure1_data", "FIGURE1_NUCLEI", "FIGURE1_SOURCES_MEV"):
        from . import _figures
        return getattr(_figures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
