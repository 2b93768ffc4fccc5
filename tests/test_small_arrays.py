"""Small arrays (up to SMALL_MAX = 16 float64 values): the compiled small-array path
gives the array path's values and shapes, the same errors, and the twin agrees."""

from __future__ import annotations

import numpy as np
import pytest

import coherency as coh
from coherency import _validation

SMALL = _validation.SMALL_MAX
# non-vectorised kernels (cross sections, kinematics): the small path and the scalar
# path are the same C arithmetic point by point: equal bits. Form factors run their
# SIMD loops on the whole array, as the array path does: equal to the scalar path to
# a few ulp (the vector and scalar sin/cos/exp of libmvec and libm differ there).
FF_RTOL = 8 * np.finfo(float).eps

CASES = {
    "sigma_total": (lambda x: coh.sigma_total(x, "CsI"), (5.0, 50.0)),
    "sigma_total T_min": (lambda x: coh.sigma_total(30.0, "Xe", T_min=x), (0.0, 0.02)),
    "dsigma_dT": (lambda x: coh.dsigma_dT(x, 30.0, "Ar40"), (0.0, 0.03)),
    "dsigma_dT E": (lambda x: coh.dsigma_dT(1e-3, x, "Ge"), (5.0, 50.0)),
    "dsigma_dq2": (lambda x: coh.dsigma_dq2(x, 30.0, "CsI"), (0.0, 3000.0)),
    "E_min": (lambda x: coh.E_min(x, "Ar40"), (0.0, 0.05)),
    "T_max": (lambda x: coh.T_max(x, 37000.0), (0.0, 60.0)),
    "q2_max": (lambda x: coh.q2_max(x, "Xe132"), (0.0, 60.0)),
    "q2_min": (lambda x: coh.q2_min(x, "Ar40"), (0.0, 0.05)),
}
FF_CASES = {
    "helm_form_factor": (lambda x: coh.helm_form_factor(x, 132), (0.0, 300.0)),
    "Helm": (lambda x: coh.Helm()(x, 132), (0.0, 300.0)),
    "KleinNystrand": (lambda x: coh.KleinNystrand()(x, 40), (0.0, 300.0)),
    "SymmetrizedFermi": (lambda x: coh.SymmetrizedFermi()(x, 127), (0.0, 300.0)),
    "spherical_j1": (lambda x: coh.spherical_j1(x), (-30.0, 30.0)),
}


def _values(lo: float, hi: float, n: int) -> np.ndarray:
    return np.random.default_rng(n).uniform(lo, hi, n)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("n", [1, 5, SMALL])
def test_small_path_equals_scalar_path(backend: str, name: str, n: int) -> None:
    fn, (lo, hi) = CASES[name]
    x = _values(lo, hi, n)
    got = fn(x)
    want = np.array([fn(float(v)) for v in x])
    assert isinstance(got, np.ndarray) and got.shape == (n,)
    if backend == "compiled":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)
    # shapes: 0-d gives a float, 2-d keeps its shape; strided and non-native input
    # take the array path, with the same values
    assert fn(np.array(x[0])) == want[0] and type(fn(np.array(x[0]))) is float
    np.testing.assert_array_equal(fn(x.reshape(1, n)), want.reshape(1, n))
    np.testing.assert_allclose(fn(np.repeat(x, 2)[::2]), want, rtol=1e-13, atol=0)
    np.testing.assert_allclose(fn(x.astype(">f8")), want, rtol=1e-13, atol=0)


@pytest.mark.parametrize("name", list(FF_CASES))
@pytest.mark.parametrize("n", [1, 7, SMALL])
def test_small_form_factors(backend: str, name: str, n: int) -> None:
    fn, (lo, hi) = FF_CASES[name]
    x = _values(lo, hi, n)
    got = fn(x)
    assert isinstance(got, np.ndarray) and got.shape == (n,)
    np.testing.assert_allclose(got, [fn(float(v)) for v in x], rtol=FF_RTOL, atol=1e-16)
    if backend == "compiled":
        # the kernel on the whole array, as the array path: the first 16 values of a
        # 17-point array (the array path) are the same bits
        longer = fn(np.append(x, [1.0] * (SMALL + 1 - n)))
        if n == SMALL:
            np.testing.assert_array_equal(got, longer[:SMALL])
        assert fn(np.array([x[0]]))[0] == fn(float(x[0]))  # one point: the scalar path
    assert type(fn(np.array(x[0]))) is float


def test_small_arrays_pair_shapes(backend: str) -> None:
    T = np.array([[1e-3, 2e-3], [3e-3, 4e-3]])
    E = np.array([[20.0, 30.0], [40.0, 50.0]])
    got = coh.dsigma_dT(T, E, "Ar40")
    assert got.shape == (2, 2)
    assert got[1, 0] == pytest.approx(coh.dsigma_dT(3e-3, 40.0, "Ar40"), rel=1e-14)
    # shapes that broadcast but differ take the array path, with its broadcasting
    row = coh.dsigma_dT(T[0], E[:, :1], "Ar40")
    assert row.shape == (2, 2)
    assert row[1, 0] == pytest.approx(coh.dsigma_dT(1e-3, 40.0, "Ar40"), rel=1e-14)
    assert coh.sigma_total(np.array([30.0, 40.0]), "Ar40",
                           T_min=np.array([0.0, 1e-3]))[1] == pytest.approx(
        coh.sigma_total(40.0, "Ar40", T_min=1e-3), rel=1e-14)


@pytest.mark.parametrize("call, match", [
    (lambda: coh.sigma_total(np.array([np.nan]), "Ar40"), "E must not be NaN"),
    (lambda: coh.sigma_total(np.array([0.0]), "Ar40"), "E must be > 0"),
    (lambda: coh.sigma_total(np.array([30.0]), "Ar40", T_min=np.array([-1.0])), "T_min"),
    (lambda: coh.dsigma_dT(np.array([1e-3, np.inf]), 30.0, "Ar40"), "T must be finite"),
    (lambda: coh.dsigma_dq2(np.ones(2), np.array([1.0, 2.0, 3.0]), "Ar40"), "broadcast"),
    (lambda: coh.helm_form_factor(np.array([-1.0]), 132), "q must be >= 0"),
    (lambda: coh.Helm()(np.array([np.nan]), 40), "q must not be NaN"),
    (lambda: coh.spherical_j1(np.array([np.inf])), "x must be finite"),
    (lambda: coh.E_min(np.array([-1.0]), "Ar40"), "T must be >= 0"),
    (lambda: coh.q2_max(np.array([1e300]), 1e300), "q2_max exceeds the float range"),
])
def test_small_arrays_raise_the_array_path_errors(backend: str, call, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=match):
        call()


def test_small_path_twin_refuses_the_same_inputs() -> None:
    from coherency import _reference

    for x in (np.array([1.0]), np.ones(SMALL), np.ones((2, 3)), np.array(2.0)):
        assert _reference.small_spherical_j1(x) is not None
    for x in (np.ones(SMALL + 1), np.array([1.0], dtype=np.float32), [1.0], 1.0,
              np.array([np.nan]), np.repeat(np.ones(3), 2)[::2], np.ones(0)):
        assert _reference.small_spherical_j1(x) is None
        if coh._backend.compiled_available():
            from coherency import _kernels

            assert _kernels.small_spherical_j1(x) is None


# A parameter beside the array argument (a mass number, a mass) given as a 0-d or
# one-element array: the same values and shapes as with a float, errors as before.
SIZE1_PARAMS = {
    "helm_form_factor A": (lambda x, p: coh.helm_form_factor(x, p), 132.0, (0.0, 300.0)),
    "q2_max M": (coh.q2_max, 37000.0, (0.0, 60.0)),
    "T_max M": (coh.T_max, 37000.0, (0.0, 60.0)),
    "E_min M": (coh.E_min, 37000.0, (0.0, 0.05)),
}


@pytest.mark.parametrize("name", list(SIZE1_PARAMS))
def test_size1_parameters(backend: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fn, p, (lo, hi) = SIZE1_PARAMS[name]
    x = _values(lo, hi, 4)
    want = fn(x, p)
    for param in (np.asarray(p), np.array([p]), np.float64(p), np.array([int(p)])):
        got = fn(x, param)
        assert got.shape == (4,)
        np.testing.assert_array_equal(got, want)
        assert fn(x[:1], param).shape == (1,)
    # 0-d and scalar arguments with a 0-d parameter: a float, the scalar path's bits
    # (form factors: the scalar and the SIMD array loop agree to a few ulp)
    assert fn(float(x[1]), np.asarray(p)) == fn(float(x[1]), p)
    assert fn(float(x[1]), p) == pytest.approx(want[1], rel=FF_RTOL, abs=0)
    assert type(fn(np.asarray(x[1]), np.asarray(p))) is float
    # a one-element parameter with more dimensions than x sets the shape
    assert fn(x, np.array([[p]])).shape == (1, 4)
    assert fn(float(x[1]), np.array([p])).shape == (1,)
    # bad values raise as with a float
    for bad in (np.asarray(-1.0), np.array([np.nan]), np.array([np.inf])):
        with pytest.raises(ValueError):
            fn(x, bad)
    # the small path takes them without numpy's array machinery
    fn(x, p)
    monkeypatch.setattr(_validation, "as_float_array", _no_arrays)
    monkeypatch.setattr(_validation, "broadcast", _no_arrays)
    np.testing.assert_array_equal(fn(x, np.array([p])), want)
    assert fn(float(x[1]), np.asarray(p)) == fn(float(x[1]), p)


def _no_arrays(*args: object, **kwargs: object) -> None:
    raise AssertionError("the small path must not take the array path")


def test_form_factor_models_take_a_0d_mass_number(backend: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    q = _values(0.0, 300.0, 3)
    for model in (coh.Helm(), coh.KleinNystrand(), coh.SymmetrizedFermi()):
        want = model(q, 132)
        np.testing.assert_array_equal(model(q, np.asarray(132.0)), want)
        assert model(float(q[0]), np.asarray(132)) == model(float(q[0]), 132)
        # A is a scalar of the model: a one-element array is refused as before
        with pytest.raises(ValueError, match="A must be a scalar"):
            model(q, np.array([132.0]))
        with monkeypatch.context() as m:
            m.setattr(_validation, "as_float_array", _no_arrays)
            np.testing.assert_array_equal(model(q, np.asarray(132.0)), want)


@pytest.mark.parametrize("name", ["dsigma_dq2", "dsigma_dT", "sigma_total"])
def test_cross_sections_take_numpy_numbers_beside_a_small_array(
        backend: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second argument as a numpy scalar, a 0-d or a one-element array beside a
    small array: the small path, with the values and shape of a float there."""
    calls = {
        "dsigma_dq2": (lambda x, y: coh.dsigma_dq2(x, y, "Xe132"), (0.0, 3000.0), 30.0),
        "dsigma_dT": (lambda x, y: coh.dsigma_dT(x, y, "Ar40"), (0.0, 0.03), 30.0),
        "sigma_total": (lambda x, y: coh.sigma_total(x, "Ar40", y), (5.0, 50.0), 1e-3),
    }
    fn, (lo, hi), y = calls[name]
    x = _values(lo, hi, 3)
    want = fn(x, y)
    fn(x, np.float64(y))  # warm the caches
    monkeypatch.setattr(_validation, "as_float_array", _no_arrays)
    for other in (np.float64(y), np.asarray(y), np.array([y])):
        got = fn(x, other)
        assert got.shape == (3,)
        np.testing.assert_array_equal(got, want)
    monkeypatch.undo()
    # a one-element array with more dimensions than x sets the shape (array path)
    np.testing.assert_array_equal(fn(x, np.array([[y]])), want.reshape(1, 3))
