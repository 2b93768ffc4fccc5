"""Nuclear-recoil quenching: models T_nr → T_ee and the inversion T_ee → T_nr.

A detector sees the electron-equivalent energy T_ee = QF(T_nr) T_nr of a nuclear
recoil of energy T_nr (docs/physics.md Eq. 11.1). This module is the one place for
quenching models and for turning an electron-equivalent energy (a threshold, a bin
edge) back into a nuclear-recoil energy. Units are in the names: ``_keV`` or ``_MeV``
suffixes on functions, ``T_nr_MeV``-style parameters.

Models, each a frozen dataclass callable T_nr (MeV, array) -> T_ee (MeV), increasing:
:class:`ConstantQuenching`, :class:`Lindhard`, :class:`PolynomialQuenching` (COHERENT
CsI 2021), :class:`LinearQF` (COHERENT Ar 2020) and :class:`TabulatedQuenching`. A model
asked about energies where it is not strictly increasing (or beyond its stated range)
raises a ``ValueError`` that names the model and the energy where it turns over.

Lindhard's model (J. Lindhard et al., Mat. Fys. Medd. Dan. Vid. Selsk. 33 (1963) 10),
in the usual parametrisation (e.g. Lewin & Smith, Astropart. Phys. 6 (1996) 87,
Eq. 7.1 ff.):

    eps = 11.5 T_nr[keV] Z^(-7/3),  g(eps) = 3 eps^0.15 + 0.7 eps^0.6 + eps,
    QF = k g / (1 + k g),           k = 0.133 Z^(2/3) A^(-1/2) by default.

For germanium the default k is 0.157; reactor experiments quote 0.16-0.2 (CONUS:
k = 0.162 +- 0.004, Bonet et al., EPJC 84 (2024) 139). :class:`Lindhard` is the
callable T_nr (MeV) -> T_ee (MeV) that :func:`coherency.event_rate` takes as
``quenching``; :func:`nr_from_ee_MeV` inverts any such callable (or a constant
quenching factor).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .. import _validation
from .._typing import FloatArray, FloatOrArray

__all__ = [
    "ConstantQuenching",
    "Lindhard",
    "LinearQF",
    "PolynomialQuenching",
    "QuenchingVariants",
    "TabulatedQuenching",
    "invert_increasing",
    "lindhard_k",
    "lindhard_qf",
    "lindhard_qf_MeV",
    "nr_from_ee",
    "nr_from_ee_MeV",
]

#: A quenching model: T_nr (MeV) -> T_ee (MeV), increasing; or a constant factor.
Quenching = Callable[[Any], Any] | float


def lindhard_k(Z: int, A: float) -> float:
    """Lindhard's k = 0.133 Z^(2/3) A^(-1/2) (dimensionless).

    >>> round(lindhard_k(32, 72.63), 3)
    0.157
    """
    Zf = _validation.as_float(Z, "Z", min_value=1.0)
    Af = _validation.as_float(A, "A", min_value=Zf)
    return float(0.133 * Zf ** (2.0 / 3.0) / np.sqrt(Af))


def _lindhard_k_or_default(Z: Any, A: Any, k: Any, caller: str) -> float:
    if k is not None:
        return _validation.as_float(k, "k", min_value=0.0, exclusive_min=True)
    if A is None:
        raise ValueError(f"{caller} needs the mass number A (for the default k) or k")
    return lindhard_k(Z, A)


def _lindhard(T_keV: npt.NDArray[np.float64], Z: float, k: float) -> npt.NDArray[np.float64]:
    """QF at nuclear-recoil energies T_keV (validated, keV): the one Lindhard formula."""
    eps = 11.5 * T_keV * Z ** (-7.0 / 3.0)
    g = 3.0 * eps**0.15 + 0.7 * eps**0.6 + eps
    kg = k * g
    with np.errstate(invalid="ignore"):  # k g = inf (a huge k): QF = 1, not inf/inf
        return np.asarray(np.where(kg < np.inf, kg / (1.0 + kg), 1.0), dtype=np.float64)


def lindhard_qf(T_nr_keV: npt.ArrayLike, Z: int, A: float | None = None,
                k: float | None = None) -> FloatOrArray:
    """Lindhard quenching factor QF = T_ee / T_nr at nuclear-recoil energy T_nr_keV.

    Parameters
    ----------
    T_nr_keV : array_like, keV
        Nuclear-recoil energy in [0, 1e7] keV (``T_RECOIL_MAX_MEV``; QF(0) = 0 by
        continuity).
    Z : int
        Atomic number of the target.
    A : float, optional
        Mass number (may be a mean); needed only for the default k.
    k : float, optional
        Lindhard k (> 0); default :func:`lindhard_k` (Z, A).

    Returns
    -------
    float or ndarray, dimensionless, in [0, 1)

    Raises
    ------
    ValueError
        Neither A nor k given; T_nr_keV < 0 or not finite; k <= 0.

    See Also
    --------
    lindhard_qf_MeV : the same with the energy in MeV.

    Examples
    --------
    >>> round(float(lindhard_qf(1.0, 32, k=0.162)), 4)
    0.1755
    """
    T = _validation.as_float_array(T_nr_keV, "T_nr_keV", min_value=0.0,
                                   max_value=1e3 * _validation.T_RECOIL_MAX_MEV, unit="keV")
    Zf = _validation.as_float(Z, "Z", min_value=1.0)
    kk = _lindhard_k_or_default(Z, A, k, "lindhard_qf")
    return _validation.restore_shape(_lindhard(T, Zf, kk).reshape(-1), T.shape)


def lindhard_qf_MeV(T_nr_MeV: npt.ArrayLike, Z: int, A: float | None = None,
                    k: float | None = None, *, name: str = "T_nr_MeV") -> FloatOrArray:
    """:func:`lindhard_qf` with the nuclear-recoil energy in MeV (the package's unit).

    ``name`` is the argument name used in error messages.

    Examples
    --------
    >>> lindhard_qf_MeV(1e-3, 32, k=0.162) == lindhard_qf(1.0, 32, k=0.162)
    True
    """
    T = _validation.check_recoil_energy(T_nr_MeV, name)
    Zf = _validation.as_float(Z, "Z", min_value=1.0)
    kk = _lindhard_k_or_default(Z, A, k, "lindhard_qf_MeV")
    return _validation.restore_shape(_lindhard(T * 1e3, Zf, kk).reshape(-1), T.shape)


def invert_increasing(f: Callable[[float], float], y: float, *,
                      x_max: float | None = None, name: str = "T_ee",
                      unit: str = "MeV") -> float:
    """The x >= 0 with f(x) = y, for f increasing with f(0) = 0 (a quenched energy).

    Brackets the root on [0, x_hi], x_hi = y doubled until f(x_hi) >= y (f(x) = QF x
    with QF <= 1 needs no doubling), then refines it with Brent's method to a relative
    1e-13. Unit-free: x and y in whatever unit f uses (``unit`` only labels errors).

    Parameters
    ----------
    f : callable float -> float
    y : float
        Target value, >= 0 (checked by the caller).
    x_max : float, optional
        Search no further: if f(x_max) < y, return x_max (the energy lies beyond the
        range of interest, e.g. above a kinematic end point).
    name : str
        Name of ``y`` in error messages.

    Raises
    ------
    ValueError
        f returns a non-finite or negative value, or f(0) > y (the message starts
        with "quenching:"); or, without ``x_max``, f stays below y up to x = 2^60 y
        (the model's range ends first).
    """
    from scipy import optimize

    if y == 0.0:
        return 0.0

    def g(x: float) -> float:
        value = float(f(x))
        if not (math.isfinite(value) and value >= 0.0):
            raise ValueError(f"quenching: the model returned {value!r} at T_nr = {x!r} {unit} "
                             f"(solving for {name} = {y!r} {unit}); it must return finite "
                             "values >= 0")
        return value - y

    if g(0.0) > 0.0:
        raise ValueError(f"quenching: the model gives {f(0.0)!r} {unit} at T_nr = 0, above "
                         f"{name} = {y!r} {unit}; a quenching model must increase from 0")

    if x_max is not None:
        if g(x_max) < 0.0:
            return float(x_max)
        hi = x_max
    else:
        hi = y
        for _ in range(61):
            if g(hi) >= 0.0:
                break
            hi *= 2.0
        else:
            raise ValueError(f"{name} = {y!r} {unit} is beyond the quenching model's range "
                             f"(it stays below that up to {hi:g} {unit})")
    return float(optimize.brentq(g, 0.0, hi, xtol=1e-300, rtol=1e-13))


def nr_from_ee_MeV(T_ee_MeV: float, quenching: Quenching,
                   T_nr_max_MeV: float | None = None) -> float:
    """Nuclear-recoil energy (MeV) whose electron-equivalent energy is ``T_ee_MeV``.

    Parameters
    ----------
    T_ee_MeV : float, MeV
        Electron-equivalent energy, >= 0.
    quenching : callable or float
        T_nr (MeV) -> T_ee (MeV), increasing with quenching(0) = 0 (e.g.
        :class:`Lindhard`), or a constant quenching factor in (0, 1].
    T_nr_max_MeV : float, optional, MeV
        Largest nuclear-recoil energy of interest (e.g. the kinematic end point): the
        result is clipped there.

    Returns
    -------
    float, MeV

    Raises
    ------
    ValueError
        T_ee_MeV < 0 or not finite; a constant factor outside (0, 1]; a model that
        returns non-finite or negative values, does not start from 0, or never reaches
        T_ee_MeV.

    Examples
    --------
    >>> q = Lindhard(32, 72.63, k=0.162)
    >>> t = nr_from_ee_MeV(0.17e-3, q)
    >>> abs(float(q(t)) / 0.17e-3 - 1) < 1e-12
    True
    >>> nr_from_ee_MeV(0.1, 0.25), nr_from_ee_MeV(0.1, 0.25, T_nr_max_MeV=0.3)
    (0.4, 0.3)
    """
    e = _validation.as_float(T_ee_MeV, "T_ee", min_value=0.0, unit="MeV")
    top = None if T_nr_max_MeV is None else _validation.as_float(
        T_nr_max_MeV, "T_nr_max_MeV", min_value=0.0, unit="MeV")
    if not callable(quenching):
        qf = _validation.check_quenching_factor(quenching, "quenching")
        return e / qf if top is None else min(e / qf, top)
    model = quenching
    return invert_increasing(lambda t: float(np.asarray(model(t)).reshape(-1)[0]), e,
                             x_max=top, name="T_ee", unit="MeV")


#: The former name of :func:`nr_from_ee_MeV`.
nr_from_ee = nr_from_ee_MeV


@dataclass(frozen=True)
class Lindhard:
    """Lindhard quenching as a callable T_nr (MeV) -> T_ee (MeV).

    Parameters
    ----------
    Z, A : int, float
        Target nucleus.
    k : float, optional
        Default 0.133 Z^(2/3) A^(-1/2).

    Examples
    --------
    >>> q = Lindhard(32, 72.63, k=0.162)
    >>> round(float(q(1e-3)) * 1e6, 1)   # eVee for a 1 keVnr recoil
    175.5
    """

    Z: int
    A: float
    k: float | None = None

    def __post_init__(self) -> None:
        lindhard_k(self.Z, self.A)  # validates Z and A
        if self.k is not None:
            _validation.as_float(self.k, "k", min_value=0.0, exclusive_min=True)

    def qf(self, T_nr_keV: npt.ArrayLike) -> FloatOrArray:
        """Quenching factor at T_nr (keV)."""
        return lindhard_qf(T_nr_keV, self.Z, self.A, self.k)

    def qf_MeV(self, T_nr_MeV: npt.ArrayLike) -> FloatOrArray:
        """Quenching factor at T_nr (MeV)."""
        return lindhard_qf_MeV(T_nr_MeV, self.Z, self.A, self.k)

    def T_nr(self, T_ee_MeV: float) -> float:
        """Nuclear-recoil energy (MeV) that gives T_ee_MeV (inverse of the call)."""
        return nr_from_ee_MeV(T_ee_MeV, self)

    def __call__(self, T_nr_MeV: npt.ArrayLike) -> FloatOrArray:
        T = _validation.check_recoil_energy(T_nr_MeV, "T_nr_MeV")
        out = np.asarray(self.qf(T * 1e3), dtype=np.float64) * T
        return _validation.restore_shape(out.reshape(-1), T.shape)


# ---------------------------------------------------------------------------------
# Models T_nr (MeV) -> T_ee (MeV): docs/physics.md Eq. (11.1)
# ---------------------------------------------------------------------------------


def _fmt(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:g}" for v in values)


class _IncreasingModel:
    """The call of every model below: check T_nr, check the model is strictly increasing
    up to the largest T_nr asked about (and within its stated range), evaluate."""

    def _energy_MeV(self, T: FloatArray) -> FloatArray:
        raise NotImplementedError

    @property
    def name(self) -> str:
        """The model as its constructor call with short numbers (for messages)."""
        raise NotImplementedError

    @property
    def turnover_MeV(self) -> float:
        """The nuclear-recoil energy (MeV) above which T_ee stops increasing; inf if
        it never does."""
        return math.inf

    @property
    def T_max_MeV_valid(self) -> float:
        """Largest nuclear-recoil energy (MeV) the model answers for: its turnover, or a
        smaller stated range of validity."""
        return self.turnover_MeV

    def _check_domain(self, T: FloatArray) -> None:
        if T.size == 0:
            return
        top = float(T.max())
        limit = self.T_max_MeV_valid
        if top <= limit:
            return
        i = int(np.argmax(T))
        turn = self.turnover_MeV
        if turn <= limit:
            raise ValueError(
                f"{self.name}: T_ee is not increasing above T_nr = {turn:.6g} MeV, where "
                f"it turns over; asked at T_nr_MeV = {top!r} MeV (index {i}). Valid range: "
                f"0 <= T_nr <= {turn:.6g} MeV")
        raise ValueError(
            f"{self.name}: T_nr_MeV = {top!r} MeV (index {i}) is beyond the model's "
            f"valid range 0 <= T_nr <= {limit:.6g} MeV")

    def __call__(self, T_nr_MeV: npt.ArrayLike) -> FloatOrArray:
        T = _validation.as_float_array(T_nr_MeV, "T_nr_MeV", min_value=0.0, unit="MeV")
        flat = T.reshape(-1)
        self._check_domain(flat)
        return _validation.restore_shape(self._energy_MeV(flat), T.shape)

    def T_nr(self, T_ee_MeV: float) -> float:
        """Nuclear-recoil energy (MeV) that gives T_ee_MeV (inverse of the call)."""
        top = self.T_max_MeV_valid
        e = _validation.as_float(T_ee_MeV, "T_ee", min_value=0.0, unit="MeV")
        if math.isfinite(top):
            reach = float(np.asarray(self(top)))
            if e > reach:
                raise ValueError(f"{self.name}: T_ee = {e!r} MeV is beyond the model's "
                                 f"range (T_ee <= {reach:.6g} MeV at T_nr = {top:.6g} MeV)")
        return nr_from_ee_MeV(e, self, None if math.isinf(top) else top)


@dataclass(frozen=True)
class ConstantQuenching(_IncreasingModel):
    """A constant quenching factor: T_ee = qf T_nr (docs/physics.md Eq. 11.1).

    Parameters
    ----------
    qf : float
        Quenching factor, 0 < qf <= 1 (COHERENT CsI 2017: 0.0878).

    Raises
    ------
    ValueError
        qf outside (0, 1] or not finite.

    Examples
    --------
    >>> q = ConstantQuenching(0.25)
    >>> float(q(0.02)), q.T_nr(0.005)
    (0.005, 0.02)
    """

    qf: float

    def __post_init__(self) -> None:
        _validation.as_float(self.qf, "qf", min_value=0.0, max_value=1.0,
                             exclusive_min=True)

    @property
    def name(self) -> str:
        return f"ConstantQuenching({self.qf:g})"

    def _energy_MeV(self, T: FloatArray) -> FloatArray:
        return np.asarray(float(self.qf) * T, dtype=np.float64)

    def T_nr(self, T_ee_MeV: float) -> float:
        e = _validation.as_float(T_ee_MeV, "T_ee", min_value=0.0, unit="MeV")
        return e / float(self.qf)


class QuenchingVariants(NamedTuple):
    """A quenching model and its systematic variations (e.g.
    :meth:`PolynomialQuenching.coherent_csi_2021`)."""

    nominal: PolynomialQuenching
    syst0_plus: PolynomialQuenching
    """Systematic direction 0 at +1 sigma."""
    syst0_minus: PolynomialQuenching
    """Systematic direction 0 at -1 sigma."""
    syst1_plus: PolynomialQuenching
    """Systematic direction 1 at +1 sigma."""
    syst1_minus: PolynomialQuenching
    """Systematic direction 1 at -1 sigma."""


#: Largest nuclear recoil (MeV) of the COHERENT CsI 2021 polynomial: the measurements
#: it fits span 3-60 keVnr (COHERENT, JINST 17 (2022) P10034, arXiv:2111.02477).
CSI_2021_QUENCHING_T_MAX_MEV = 0.06


@dataclass(frozen=True)
class PolynomialQuenching(_IncreasingModel):
    """A polynomial without constant term: T_ee[MeV] = sum_{i>=1} c_i T_nr[MeV]^i
    (docs/physics.md Eq. 11.1).

    Parameters
    ----------
    coefficients : sequence of float
        c_1, c_2, ... (c_i in MeV^(1-i)); at least one, finite.
    T_max_MeV : float, optional
        Largest T_nr the fit answers for (its range of validity), > 0; default: up to
        where the polynomial turns over (:attr:`turnover_MeV`).

    Raises
    ------
    ValueError
        No coefficients, one not finite, T_max_MeV <= 0; on a call, T_nr above the
        turnover or above T_max_MeV.

    Notes
    -----
    The model answers for 0 <= T_nr <= min(turnover, T_max_MeV), where the turnover is
    the smallest T > 0 at which dT_ee/dT_nr = sum_i i c_i T^(i-1) changes sign to
    negative (0 if it starts negative).

    COHERENT CsI 2021 (:meth:`coherent_csi_2021`): c = (0.0554628, 4.30681, -111.707,
    840.384) and two systematic directions at +-1 sigma. None of these five polynomials
    turns over: dT_ee/dT_nr has no positive root (its minimum, 0.068 for the nominal
    set, lies at T_nr ~ 0.05 MeV). The quenching factor T_ee/T_nr, though, has a
    maximum at 28 keVnr and a minimum at 60 keVnr and grows without bound beyond (21 %
    at 100 keVnr, against ~6-9 % measured): the fit holds only over the 3-60 keVnr of
    the measurements it fits, so these models refuse T_nr above
    ``CSI_2021_QUENCHING_T_MAX_MEV`` = 0.06 MeV. Neutrinos from pion decay at rest
    (<= 52.8 MeV) give CsI recoils below 0.045 MeV.

    References
    ----------
    COHERENT, D. Akimov et al., PRL 129 (2022) 081801, arXiv:2110.07730, and its data
    release (``scintRespCoefficients.txt``); COHERENT, JINST 17 (2022) P10034,
    arXiv:2111.02477.

    Examples
    --------
    >>> q = PolynomialQuenching((0.1, -1.0))      # T_ee = 0.1 T - T^2: turns over at 0.05
    >>> q.turnover_MeV
    0.05
    >>> round(float(q(0.04)), 6)
    0.0024
    >>> q(0.06)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: PolynomialQuenching(0.1, -1): T_ee is not increasing above T_nr = 0.05 MeV, ...
    """

    coefficients: tuple[float, ...]
    T_max_MeV: float | None = None
    _turnover: float = field(default=math.inf, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        c = _validation.as_float_array(self.coefficients, "coefficients")
        if c.ndim != 1 or c.size == 0:
            raise ValueError(f"coefficients must be a non-empty sequence c_1, c_2, ...; "
                             f"got {self.coefficients!r}")
        object.__setattr__(self, "coefficients", tuple(float(v) for v in c))
        if self.T_max_MeV is not None:
            object.__setattr__(self, "T_max_MeV", _validation.as_float(
                self.T_max_MeV, "T_max_MeV", min_value=0.0, exclusive_min=True, unit="MeV"))
        object.__setattr__(self, "_turnover", _polynomial_turnover(c))

    @property
    def name(self) -> str:
        return f"PolynomialQuenching({_fmt(self.coefficients)})"

    @property
    def turnover_MeV(self) -> float:
        return self._turnover

    @property
    def T_max_MeV_valid(self) -> float:
        top = math.inf if self.T_max_MeV is None else float(self.T_max_MeV)
        return min(top, self._turnover)

    def _energy_MeV(self, T: FloatArray) -> FloatArray:
        # Horner's scheme on c_1 + c_2 T + ..., times T
        acc = np.zeros_like(T)
        for c in reversed(self.coefficients):
            acc = acc * T + c
        return np.asarray(acc * T, dtype=np.float64)

    @classmethod
    def coherent_csi_2021(cls, directory: str | Path | None = None) -> QuenchingVariants:
        """The COHERENT CsI 2021 scintillation response: nominal and the two systematic
        directions at +-1 sigma, read from the release's ``scintRespCoefficients.txt``
        (``directory``: the release folder, default the shipped copy), each valid up to
        ``CSI_2021_QUENCHING_T_MAX_MEV``.

        Raises
        ------
        ValueError
            The file is missing or malformed (the message names the file and line).

        Examples
        --------
        >>> v = PolynomialQuenching.coherent_csi_2021()
        >>> v.nominal.coefficients
        (0.0554628, 4.30681, -111.707, 840.384)
        """
        from ..data._files import read_coefficient_sets, release_folder

        path = release_folder(directory, "coherent_csi_2021") / "scintRespCoefficients.txt"
        rows = read_coefficient_sets(
            path, 4, 5, "nominal, then systematic models 0 and 1 at +1 and -1 sigma")
        models = [cls(vals, T_max_MeV=CSI_2021_QUENCHING_T_MAX_MEV) for _, vals, _ in rows]
        return QuenchingVariants(*models)


def _polynomial_turnover(c: FloatArray) -> float:
    """The smallest T > 0 where d/dT sum_i c_i T^i changes sign to negative (0 if it
    starts negative; inf if never)."""
    d = np.array([(i + 1) * ci for i, ci in enumerate(c)], dtype=np.float64)
    nonzero = np.flatnonzero(d)
    if nonzero.size == 0 or d[nonzero[0]] < 0.0:
        return 0.0  # constant, or decreasing from T = 0 on
    d = d[: nonzero[-1] + 1]
    if d.size == 1:
        return math.inf
    roots = np.polynomial.polynomial.polyroots(d)
    real = np.sort(np.real(roots[(np.abs(roots.imag) <= 1e-12 * np.abs(roots))
                                 & (roots.real > 0.0)]))
    for i, r in enumerate(real):
        after = 0.5 * (r + real[i + 1]) if i + 1 < real.size else 2.0 * r
        if np.polynomial.polynomial.polyval(after, d) < 0.0:
            return float(r)
    return math.inf


@dataclass(frozen=True)
class LinearQF(_IncreasingModel):
    """A quenching factor linear in the recoil energy: T_ee = (a + b T_nr[keV]) T_nr
    (docs/physics.md Eq. 11.1).

    Parameters
    ----------
    a : float
        QF at T_nr = 0, 0 < a <= 1.
    b_per_keV : float, keV^-1
        Slope; finite. With b < 0 the model turns over at T_nr = -a/(2b) keV.

    Notes
    -----
    COHERENT CENNS-10 Ar 2020 (:meth:`coherent_ar_2020`): a = 0.246, b = 0.00078 per
    keVnr, a linear fit to the measurements up to 125 keVnr (``LArParametersAnlA.yaml``,
    arXiv:2003.10630).

    Examples
    --------
    >>> q = LinearQF.coherent_ar_2020()
    >>> round(float(q(0.02)) * 1e3, 4)          # keVee of a 20 keVnr recoil
    5.232
    >>> abs(q.T_nr(float(q(0.02))) - 0.02) < 1e-15
    True
    """

    a: float
    b_per_keV: float

    def __post_init__(self) -> None:
        _validation.as_float(self.a, "a", min_value=0.0, max_value=1.0, exclusive_min=True)
        _validation.as_float(self.b_per_keV, "b_per_keV", unit="keV^-1")

    @classmethod
    def coherent_ar_2020(cls) -> LinearQF:
        """COHERENT CENNS-10 Ar 2020, analysis A: a = 0.246, b = 0.00078 keVnr^-1
        (``LArParametersAnlA.yaml`` of the release)."""
        return cls(0.246, 0.00078)

    @property
    def name(self) -> str:
        return f"LinearQF({self.a:g}, {self.b_per_keV:g})"

    @property
    def turnover_MeV(self) -> float:
        b = float(self.b_per_keV)
        return math.inf if b >= 0.0 else -float(self.a) / (2.0 * b) * 1e-3

    def _energy_MeV(self, T: FloatArray) -> FloatArray:
        return np.asarray((float(self.a) + float(self.b_per_keV) * (T * 1e3)) * T,
                          dtype=np.float64)

    def T_nr(self, T_ee_MeV: float) -> float:
        """Nuclear-recoil energy (MeV) that gives T_ee_MeV, in closed form."""
        a, b = float(self.a), float(self.b_per_keV)
        if b >= 0.0:
            e_keV = _validation.as_float(T_ee_MeV, "T_ee", min_value=0.0, unit="MeV") * 1e3
            if b == 0.0:
                return e_keV / a * 1e-3
            # the root of b T^2 + a T - e = 0 without cancellation: 2e/(a + sqrt(a^2 + 4be))
            return 2.0 * e_keV / (a + math.sqrt(a * a + 4.0 * b * e_keV)) * 1e-3
        return super().T_nr(T_ee_MeV)


@dataclass(frozen=True, eq=False)
class TabulatedQuenching(_IncreasingModel):
    """T_ee from a table, interpolated monotonically (docs/physics.md Eq. 11.1): PCHIP,
    Fritsch & Carlson, SIAM Journal on Numerical Analysis 17 (1980) 238.

    Parameters
    ----------
    T_nr_MeV, E_ee_MeV : array_like, MeV
        At least two points; T_nr_MeV >= 0 and E_ee_MeV >= 0, both strictly
        increasing. A table that starts above T_nr = 0 gets the point (0, 0) in front
        (so E_ee_MeV[0] must then be > 0).

    Raises
    ------
    ValueError
        Lengths differ, fewer than two points, a value is negative or not finite, or
        either column is not strictly increasing (the message names the index); on a
        call, T_nr beyond the table.

    Examples
    --------
    >>> q = TabulatedQuenching([0.0, 0.01, 0.03], [0.0, 0.0008, 0.0025])
    >>> float(q(0.01))
    0.0008
    >>> q(0.04)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: TabulatedQuenching(3 points up to 0.03 MeV): T_nr_MeV = 0.04 MeV (index 0) ...
    """

    T_nr_MeV: tuple[float, ...]
    E_ee_MeV: tuple[float, ...]
    _spline: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from scipy.interpolate import PchipInterpolator

        T = _validation.as_float_array(self.T_nr_MeV, "T_nr_MeV", min_value=0.0, unit="MeV")
        E = _validation.as_float_array(self.E_ee_MeV, "E_ee_MeV", min_value=0.0, unit="MeV")
        if T.ndim != 1 or E.ndim != 1 or T.size != E.size or T.size < 2:
            raise ValueError(f"T_nr_MeV and E_ee_MeV must be 1-D of the same length >= 2; "
                             f"got shapes {T.shape} and {E.shape}")
        _validation.check_increasing(T, "T_nr_MeV")
        _validation.check_increasing(E, "E_ee_MeV")
        if T[0] > 0.0:
            if not E[0] > 0.0:
                raise ValueError(f"E_ee_MeV[0] must be > 0 when the table starts above "
                                 f"T_nr = 0 (at {T[0]!r} MeV); got {E[0]!r}")
            T = np.concatenate([[0.0], T])
            E = np.concatenate([[0.0], E])
        object.__setattr__(self, "T_nr_MeV", tuple(float(v) for v in T))
        object.__setattr__(self, "E_ee_MeV", tuple(float(v) for v in E))
        object.__setattr__(self, "_spline", PchipInterpolator(T, E, extrapolate=False))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TabulatedQuenching):
            return NotImplemented
        return (self.T_nr_MeV, self.E_ee_MeV) == (other.T_nr_MeV, other.E_ee_MeV)

    def __hash__(self) -> int:
        return hash((self.T_nr_MeV, self.E_ee_MeV))

    @property
    def name(self) -> str:
        return f"TabulatedQuenching({len(self.T_nr_MeV)} points up to {self.T_nr_MeV[-1]:g} MeV)"

    @property
    def T_max_MeV_valid(self) -> float:
        return self.T_nr_MeV[-1]

    def _energy_MeV(self, T: FloatArray) -> FloatArray:
        return np.asarray(self._spline(T), dtype=np.float64)
