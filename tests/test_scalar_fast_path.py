"""Scalar fast path: plain Python float/int arguments skip the array
machinery. Results must equal the array path bit for bit on both backends, the
fast path must really be taken, and bad scalars must raise the very same errors.

numpy's real scalars (``np.float64`` as an array's elements are, the integer types)
take the fast path too, with the float64 the array path would see; the array path is
reached with 0-d and one-element arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import _charges, _ff_helm, _validation, cross_sections, kinematics

RNG = np.random.default_rng(20261124)

# Built once: constructing a model validates its fields through the array helpers.
HELM, HELM_LS = coh.Helm(), coh.Helm.lewin_smith()
KN, SF, UNITY = coh.KleinNystrand(), coh.SymmetrizedFermi(), coh.Unity()
XE, AR = coh.nucleus("Xe132"), coh.nucleus("Ar40")
DEUTERON = coh.Nucleus(Z=1, N=1)
SKIN = coh.NuclearFormFactors.with_neutron_skin(HELM, 132, 0.2)


def _uniform(lo: float, hi: float, n: int = 40) -> list[float]:
    return [float(v) for v in RNG.uniform(lo, hi, n)]


# name -> (function of positional scalars, list of scalar argument tuples).
# Each tuple holds the numeric arguments; the rest is fixed in the lambda.
CASES: dict[str, tuple[Callable[..., Any], list[tuple[float, ...]]]] = {
    "spherical_j1": (coh.spherical_j1, [(x,) for x in [0.0, 1e-300, 0.5, 0.999, 1.0, 1.5,
                                                       -2.0, 37.0, *_uniform(-50, 50)]]),
    "helm_form_factor": (lambda q, A: coh.helm_form_factor(q, A),
                         [(q, A) for q, A in zip([0.0, 1e-9, 10.0, *_uniform(0, 400)],
                                                 [132, 40.0, 1, *_uniform(1, 240)])]),
    "helm_form_factor_params": (lambda q, A, s: coh.helm_form_factor(q, A, s_fm=s,
                                                                     r_coeff_fm=1.1),
                                [(q, 132.0, s) for q, s in zip(_uniform(0, 300),
                                                               _uniform(0, 1.5))]),
    "Helm": (lambda q, A: HELM(q, A), [(q, 73.0) for q in [0.0, *_uniform(0, 400)]]),
    "Helm_lewin_smith": (lambda q, A: HELM_LS(q, A),
                         [(q, 132) for q in _uniform(0, 400)]),
    "KleinNystrand": (lambda q, A: KN(q, A),
                      [(q, 127) for q in [0.0, *_uniform(0, 400)]]),
    "SymmetrizedFermi": (lambda q, A: SF(q, A),
                         [(q, 40) for q in [0.0, 1e-12, *_uniform(0, 400)]]),
    "Unity": (lambda q, A: UNITY(q, A), [(q, 40) for q in _uniform(0, 400, 5)]),
    "dsigma_dq2": (lambda q2, E: coh.dsigma_dq2(q2, E, "Ar40"),
                   [(q2, E) for q2, E in zip([0.0, 1e5, *_uniform(0, 1e4)],
                                             [10.0, 10.0, *_uniform(1, 60)])]),
    "dsigma_dq2_CsI_KN": (lambda q2, E: coh.dsigma_dq2(q2, E, "CsI",
                                                      form_factor="klein-nystrand"),
                          [(q2, E) for q2, E in zip(_uniform(0, 1e4), _uniform(1, 60))]),
    "dsigma_dq2_skin_eps": (
        lambda q2, E: coh.dsigma_dq2(
            q2, E, XE, form_factor=SKIN, epsilon=0.045),
        [(q2, E) for q2, E in zip(_uniform(0, 1e4), _uniform(1, 60))]),
    "dsigma_dT": (lambda T, E: coh.dsigma_dT(T, E, "Ge"),
                  [(T, E) for T, E in zip(_uniform(0, 0.05), _uniform(1, 60))]),
    "sigma_total": (lambda E, T: coh.sigma_total(E, "CsI", T),
                    [(E, T) for E, T in zip([30.0, 5.0, *_uniform(0.5, 60, 15)],
                                            [0.0, 1.0, *_uniform(0, 0.02, 15)])]),
    "sigma_total_SF": (lambda E: coh.sigma_total(E, "Ar40", form_factor="symmetrized-fermi"),
                       [(E,) for E in _uniform(0.5, 300, 10)]),
    "xi_from_alpha": (lambda a: coh.xi_from_alpha(a, "Xe132"),
                      [(a,) for a in [0.0, 1.0, 1, 0, *_uniform(0, 1)]]),
    "alpha_from_xi": (lambda x: coh.alpha_from_xi(x, "Xe132"),
                      [(x,) for x in [-0.3, 0.0, 1.0, 2.5, *_uniform(-1, 2)]]),
    "alpha_from_xi_clip": (lambda x: coh.alpha_from_xi(x, "Ar40", clip=True),
                           [(x,) for x in [-0.3, 0.0, 1.0, 2.5, *_uniform(-1, 2)]]),
    "phi_from_alpha": (coh.phi_from_alpha, [(a,) for a in [0.0, 1.0, *_uniform(0, 1)]]),
    "alpha_from_phi": (coh.alpha_from_phi,
                       [(p,) for p in [0.0, math.pi / 2, *_uniform(0, math.pi / 2)]]),
    "gamma_np": (lambda fz, fn: coh.gamma_np(fz, fn, "Xe132", epsilon=0.045),
                 [(fz, fn) for fz, fn in zip([1.0, -1.0, *_uniform(-1, 1)],
                                             [1.0, 0.5, *_uniform(-1, 1)])]),
    "gamma_qm": (lambda a: coh.gamma_qm(a, "Ge74"), [(a,) for a in _uniform(0, 1)]),
    "gamma_data": (lambda x: coh.gamma_data(x, AR),
                   [(x,) for x in _uniform(-1, 2)]),
    "alpha_from_form_factors": (lambda fz, fn: coh.alpha_from_form_factors(fz, fn, "Xe132"),
                                [(fz, fn) for fz, fn in zip(_uniform(-1, 1), _uniform(-1, 1))]),
    "alpha_from_form_factors_noclip": (
        lambda fz, fn: coh.alpha_from_form_factors(fz, fn, "Ar40", clip=False),
        [(fz, fn) for fz, fn in zip(_uniform(-1, 1), _uniform(-1, 1))]),
    "q2_max": (lambda E: coh.q2_max(E, "Ar40"), [(E,) for E in [0.0, 0, *_uniform(0, 300)]]),
    "q2_max_mass": (lambda E, M: coh.q2_max(E, M),
                    [(E, M) for E, M in zip(_uniform(0, 300), _uniform(1, 2e5))]),
    "T_max": (lambda E: coh.T_max(E, XE), [(E,) for E in _uniform(0, 300)]),
    "q2_min": (lambda T: coh.q2_min(T, "CsI-as-Xe"), [(T,) for T in _uniform(0, 0.1)]),
    "E_min": (lambda T, M: coh.E_min(T, M),
              [(T, M) for T, M in zip(_uniform(0, 0.1), _uniform(1, 2e5))]),
}


def _as_array_path(value: Any, kind: str) -> Any:
    """The same number in a form that takes the array path."""
    if kind == "0-d":
        return np.asarray(value)
    return np.asarray([value])  # "1-element"


@pytest.mark.parametrize("name", sorted(CASES))
def test_scalar_equals_array_path(backend: str, name: str) -> None:
    func, arg_list = CASES[name]
    for args in arg_list:
        fast = func(*args)
        assert type(fast) is float, (name, args)
        for kind in ("0-d", "1-element"):
            # A one-element array only for the first argument (form-factor objects
            # take a scalar A); 0-d arrays for every argument.
            slow = func(*(_as_array_path(a, kind) if i == 0 or kind != "1-element" else a
                          for i, a in enumerate(args)))
            slow_value = float(slow) if kind != "1-element" else float(np.asarray(slow)[0])
            # Bit for bit: same C routine (or the same IEEE arithmetic) on both paths.
            assert fast == slow_value or (math.isnan(fast) and math.isnan(slow_value)), (
                name, args, kind, fast, slow_value)


def _no_arrays(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the scalar fast path must not build arrays")


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_path_is_taken(backend: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    func, arg_list = CASES[name]
    # Warm the per-target/per-model caches (they are built by the array helpers).
    func(*arg_list[0])
    monkeypatch.setattr(_validation, "as_float_array", _no_arrays)
    monkeypatch.setattr(_validation, "broadcast", _no_arrays)
    for args in arg_list:
        assert type(func(*args)) is float
        # numpy scalars, as iterating over an array gives them, take it too
        numpy_args = tuple(np.float64(a) if isinstance(a, float)
                           else np.int64(a) if type(a) is int else a for a in args)
        assert type(func(*numpy_args)) is float
        assert func(*numpy_args) == func(*args) or math.isnan(func(*args))


def test_ints_take_fast_path_and_equal_int64() -> None:
    assert coh.helm_form_factor(0, 132) == 1.0
    assert coh.helm_form_factor(30, 132) == coh.helm_form_factor(np.int64(30), np.int64(132))
    assert coh.q2_max(30, 37000) == coh.q2_max(np.int64(30), np.int64(37000))
    # Ints beyond int64 are not fast-pathed: they take the array path as floats, and
    # ints beyond the float range are a ValueError naming the argument.
    assert coh.helm_form_factor(2**70, 132) == coh.helm_form_factor(float(2**70), 132)
    with pytest.raises(ValueError, match="^q must be finite; got an int of about 401 digits"):
        coh.helm_form_factor(10**400, 132)
    assert _validation.plain_float(True) is None
    # numpy's real scalars are the float64 the array path would see; numpy bools,
    # complex scalars, 0-d arrays and non-finite values are not plain
    assert _validation.plain_float(np.float64(1.5)) == 1.5
    assert type(_validation.plain_float(np.float32(0.1))) is float
    assert _validation.plain_float(np.float32(0.1)) == float(np.asarray(np.float32(0.1),
                                                                        dtype=np.float64))
    assert _validation.plain_float(np.int64(-7)) == -7.0
    assert _validation.plain_float(np.uint64(2**64 - 1)) == float(2**64 - 1)
    for not_plain in (np.bool_(True), np.complex128(1.0), np.array(1.0), np.float64("nan"),
                      np.float32("inf"), np.longdouble(1.0)):
        assert _validation.plain_float(not_plain) is None
    assert _validation.plain_float(float("inf")) is None
    assert _validation.plain_float(float("nan")) is None
    assert _validation.plain_float(-(2**63)) == -(2.0**63)
    assert _validation.plain_float(2**63) is None


# name -> (call with a bad plain float, same call with the bad value as a 0-d array)
BAD: dict[str, Callable[[Callable[[float], Any]], Any]] = {
    "q<0": lambda w: coh.helm_form_factor(w(-3.0), 132),
    "q nan": lambda w: coh.helm_form_factor(w(math.nan), 132),
    "q inf": lambda w: coh.helm_form_factor(w(math.inf), 132),
    "A<=0": lambda w: coh.helm_form_factor(10.0, w(0.0)),
    "s<0": lambda w: coh.helm_form_factor(10.0, 132, s_fm=w(-0.1)),
    "R0^2<0": lambda w: coh.helm_form_factor(10.0, w(1.0), s_fm=2.0),
    "j1 nan": lambda w: coh.spherical_j1(w(math.nan)),
    "Helm q<0": lambda w: coh.Helm()(w(-1.0), 132),
    "KN A<0": lambda w: coh.KleinNystrand()(1.0, w(-5.0)),
    "dsigma q2<0": lambda w: coh.dsigma_dq2(w(-1.0), 10.0, "Ar40"),
    "dsigma E=0": lambda w: coh.dsigma_dq2(1.0, w(0.0), "Ar40"),
    "dsigma bad target": lambda w: coh.dsigma_dq2(w(1.0), 10.0, "Argonn"),
    "dsigma bad eps": lambda w: coh.dsigma_dq2(w(1.0), 10.0, "Ar40", epsilon=7.0),
    "dsigma bad ff": lambda w: coh.dsigma_dq2(w(1.0), 10.0, "Ar40", form_factor="helmm"),
    "dsigma_dT T<0": lambda w: coh.dsigma_dT(w(-1e-3), 10.0, "Ar40"),
    "sigma E<0": lambda w: coh.sigma_total(w(-1.0), "CsI"),
    "sigma T_min nan": lambda w: coh.sigma_total(10.0, "CsI", w(math.nan)),
    "xi alpha>1": lambda w: coh.xi_from_alpha(w(1.5), "Xe132"),
    "xi nucleus mix": lambda w: coh.xi_from_alpha(w(0.5), "Xe"),
    # eps Z - N = 0 (deuteron with epsilon = 1): xi undefined.
    "xi_dec undefined": lambda w: coh.xi_from_alpha(w(0.5), DEUTERON, epsilon=1.0),
    "alpha_from_xi undefined": lambda w: coh.alpha_from_xi(w(0.5), DEUTERON, epsilon=1.0),
    "aff undefined": lambda w: coh.alpha_from_form_factors(w(0.5), 0.5, DEUTERON, epsilon=1.0),
    "alpha_from_xi inf": lambda w: coh.alpha_from_xi(w(math.inf), "Xe132"),
    "phi alpha<0": lambda w: coh.phi_from_alpha(w(-0.1)),
    "alpha_from_phi phi>pi/2": lambda w: coh.alpha_from_phi(w(2.0)),
    "gamma_np FZ>1": lambda w: coh.gamma_np(w(1.2), 1.0, "Ar40"),
    "gamma_qm alpha nan": lambda w: coh.gamma_qm(w(math.nan), "Ar40"),
    "gamma_data eps": lambda w: coh.gamma_data(w(0.5), "Ar40", epsilon=3.0),
    "aff FN<-1": lambda w: coh.alpha_from_form_factors(0.5, w(-1.5), "Ar40"),
    "q2_max E<0": lambda w: coh.q2_max(w(-1.0), "Ar40"),
    "q2_max mass<=0": lambda w: coh.q2_max(10.0, w(0.0)),
    "q2_max mix": lambda w: coh.q2_max(w(10.0), "CsI"),
    "E_min T inf": lambda w: coh.E_min(w(math.inf), 1000.0),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_errors_unchanged(backend: str, case: str) -> None:
    call = BAD[case]
    with pytest.raises((ValueError, TypeError)) as fast:
        call(float)
    with pytest.raises((ValueError, TypeError)) as slow:
        call(np.asarray)
    assert type(fast.value) is type(slow.value)
    assert str(fast.value) == str(slow.value)


def test_caches_do_not_confuse_arguments() -> None:
    # Same numbers, different targets/models/epsilons: distinct cache entries.
    a = coh.dsigma_dq2(100.0, 30.0, "Ar40")
    b = coh.dsigma_dq2(100.0, 30.0, "Ar40", epsilon=0.045)
    c = coh.dsigma_dq2(100.0, 30.0, "Ar40", form_factor="klein-nystrand")
    d = coh.dsigma_dq2(100.0, 30.0, "Xe132")
    assert len({a, b, c, d}) == 4
    assert b == float(coh.dsigma_dq2(np.float64(100.0), 30.0, "Ar40", epsilon=0.045))
    # A user callable form factor has no compiled fast path but still works.
    f = coh.dsigma_dq2(100.0, 30.0, "Ar40", form_factor=lambda q: np.exp(-q / 500.0))
    assert type(f) is float and 0.0 < f < coh.dsigma_dq2(100.0, 30.0, "Ar40", "unity")
    # alpha mode is not fast-pathed and keeps its meaning.
    assert coh.dsigma_dq2(0.0, 30.0, "Ar40", alpha=1.0) == pytest.approx(
        coh.dsigma_dq2(0.0, 30.0, "Ar40", "unity"), rel=1e-15)
    # Bounded caches.
    for i in range(300):
        coh.q2_max(1.0, 1000.0 + i)
        coh.helm_form_factor(1.0, 1.0 + i)
    for cache in (_ff_helm._HELM_LENGTHS, cross_sections._PLANS, _charges.CHARGES,
                  _charges.XI_CONSTANTS, kinematics._MASSES):
        assert len(cache) <= cache.maxsize
