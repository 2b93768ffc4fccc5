"""Quenching models T_nr (MeV) -> T_ee (MeV) of docs/physics.md Eq. (11.1): constant,
polynomial (COHERENT CsI 2021), linear QF (COHERENT Ar 2020) and tabulated.

Public through :mod:`coherency.detector.quenching` (and :mod:`coherency.detector`); this
module holds their code so that each file stays one topic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .. import _validation
from .._typing import FloatArray, FloatOrArray
from .quenching import nr_from_ee_MeV

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
