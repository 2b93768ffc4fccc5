"""Small arrays in coherency.coherence (Sharma & Wong Eqs. 2-6, docs/physics.md §2):
float64 arrays of up to SMALL_MAX values, 0-d arrays and numpy float scalars take the
compiled small path (``small_coherence``); its results are the array path's bit for
bit, in the array path's shapes, with the array path's errors; and they agree with
the formulas evaluated exactly in rational arithmetic."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import _backend, _validation
from coherency.targets import Nucleus

SMALL = _validation.SMALL_MAX
EPS = np.finfo(float).eps
SIZES = [1, 2, SMALL - 1, SMALL, SMALL + 1]
XE = coh.nucleus("Xe132")
EPSILON = 0.045

# name -> (function of one array argument, (lo, hi) of its values)
ONE: dict[str, tuple[Callable[[Any], Any], tuple[float, float]]] = {
    "gamma_qm": (lambda a: coh.gamma_qm(a, "Xe132"), (0.0, 1.0)),
    "gamma_data": (lambda x: coh.gamma_data(x, "Ar40", epsilon=EPSILON), (-1.0, 2.0)),
    "xi_from_alpha": (lambda a: coh.xi_from_alpha(a, XE), (0.0, 1.0)),
    "alpha_from_xi": (lambda x: coh.alpha_from_xi(x, "Ge74"), (-1.0, 2.0)),
    "alpha_from_xi clip": (lambda x: coh.alpha_from_xi(x, "Xe132", clip=True), (-1.0, 2.0)),
    "phi_from_alpha": (coh.phi_from_alpha, (0.0, 1.0)),
    "alpha_from_phi": (coh.alpha_from_phi, (0.0, math.pi / 2)),
    # the second argument fixed: the first of the pair as the array
    "gamma_np FZ": (lambda f: coh.gamma_np(f, 0.7, "Xe132", epsilon=EPSILON), (-1.0, 1.0)),
    "gamma_np FN": (lambda f: coh.gamma_np(-0.2, f, "Ar40"), (-1.0, 1.0)),
    "alpha_from_form_factors": (lambda f: coh.alpha_from_form_factors(f, 0.9, "Xe132"),
                                (-1.0, 1.0)),
    "alpha_from_form_factors noclip": (
        lambda f: coh.alpha_from_form_factors(0.8, f, "Ar40", clip=False), (-1.0, 1.0)),
}
# functions of two array arguments
TWO: dict[str, Callable[[Any, Any], Any]] = {
    "gamma_np": lambda fz, fn: coh.gamma_np(fz, fn, "Xe132"),
    "alpha_from_form_factors": lambda fz, fn: coh.alpha_from_form_factors(fz, fn, XE),
    "alpha_from_form_factors noclip": lambda fz, fn: coh.alpha_from_form_factors(
        fz, fn, "Ge74", epsilon=EPSILON, clip=False),
}


def _values(lo: float, hi: float, n: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed + n).uniform(lo, hi, n)
    x[0] = lo  # the ends of the domain belong to it
    if n > 1:
        x[-1] = hi
    return x


def _strided(x: np.ndarray) -> np.ndarray:
    """The same values in a non-contiguous view: the array path, at any size."""
    return np.repeat(x, 2)[::2]


def _bits(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float64).view(np.int64)


def _assert_same_bits(got: Any, want: Any) -> None:
    assert isinstance(got, np.ndarray) and got.shape == np.shape(want)
    np.testing.assert_array_equal(_bits(got), _bits(want))


@pytest.mark.parametrize("name", list(ONE))
@pytest.mark.parametrize("n", SIZES)
def test_small_path_equals_array_path(backend: str, name: str, n: int) -> None:
    fn, (lo, hi) = ONE[name]
    x = _values(lo, hi, n)
    got = fn(x)
    _assert_same_bits(got, fn(_strided(x)))
    # the array path on a longer array: the same values at the same places
    _assert_same_bits(got, fn(np.concatenate([x, x, x]))[:n])
    # shapes: 2-d small arrays keep their shape; 0-d arrays and numpy scalars give floats
    _assert_same_bits(fn(x.reshape(1, n)), got.reshape(1, n))
    for scalar in (np.array(x[-1]), np.float64(x[-1])):
        one = fn(scalar)
        assert type(one) is float
        assert _bits(one) == _bits(fn(float(x[-1]))) == _bits(got[-1])


@pytest.mark.parametrize("name", list(ONE))
def test_small_path_is_taken(backend: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fn, (lo, hi) = ONE[name]
    fn(_values(lo, hi, 3))  # warm the per-nucleus caches

    def no_arrays(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the small path must not take the array path")

    monkeypatch.setattr(_validation, "as_float_array", no_arrays)
    monkeypatch.setattr(_validation, "broadcast", no_arrays)
    for n in (1, SMALL):
        assert fn(_values(lo, hi, n)).shape == (n,)
    assert type(fn(np.asarray(lo))) is float


@pytest.mark.parametrize("name", list(TWO))
@pytest.mark.parametrize("n", SIZES)
def test_small_pairs_broadcast_as_the_array_path(backend: str, name: str, n: int) -> None:
    fn = TWO[name]
    fz, fn_ = _values(-1.0, 1.0, n, seed=1), _values(-1.0, 1.0, n, seed=2)[::-1].copy()
    got = fn(fz, fn_)
    _assert_same_bits(got, fn(_strided(fz), _strided(fn_)))
    _assert_same_bits(got, fn(np.tile(fz, 3), np.tile(fn_, 3))[:n])
    # mixed scalars and arrays: Python floats and ints, numpy scalars, 0-d and
    # one-element arrays broadcast against the array
    for scalar in (0.25, 1, np.float64(0.25), np.array(0.25), np.array([0.25])):
        as_float = float(np.asarray(scalar).reshape(-1)[0])
        want_right = fn(_strided(fz), as_float)
        want_left = fn(as_float, _strided(fn_))
        _assert_same_bits(fn(fz, scalar), want_right)
        _assert_same_bits(fn(scalar, fn_), want_left)
    # equal 2-d shapes, and shapes that broadcast to a larger one (the array path)
    _assert_same_bits(fn(fz.reshape(n, 1), fn_.reshape(n, 1)), got.reshape(n, 1))
    outer = fn(fz.reshape(n, 1), fn_[:1].reshape(1, 1, 1))
    assert outer.shape == (1, n, 1)
    _assert_same_bits(outer.reshape(-1), fn(_strided(fz), float(fn_[0])))
    if n > 1:
        grid = fn(fz.reshape(n, 1), fn_)
        assert grid.shape == (n, n)
        _assert_same_bits(grid[1], fn(_strided(np.full(n, fz[1])), _strided(fn_)))
    # two 0-d arrays, two numpy scalars: floats
    for a, b in ((np.array(fz[0]), np.array(fn_[0])), (np.float64(fz[0]), np.float64(fn_[0]))):
        both = fn(a, b)
        assert type(both) is float and _bits(both) == _bits(fn(float(fz[0]), float(fn_[0])))


def test_backends_agree_bit_for_bit() -> None:
    if not _backend.compiled_available():
        pytest.skip("compiled extension not built")
    x = _values(0.0, 1.0, SMALL)
    for fn, arg in [(f, _values(lo, hi, SMALL)) for f, (lo, hi) in ONE.values()] + [
            (lambda f: TWO["alpha_from_form_factors"](f, x[::-1].copy()), x)]:
        with coh.use_backend("compiled"):
            compiled = fn(arg)
        with coh.use_backend("numpy"):
            twin = fn(arg)
        _assert_same_bits(compiled, twin)


def _exact(kind: str, x: float, y: float, nuc: Nucleus, eps: float) -> float:
    """Sharma & Wong Eqs. 2-5 in exact rational arithmetic (from the float inputs)."""
    e, Z, N = Fraction(eps), Fraction(nuc.Z), Fraction(nuc.N)
    coherent, decoherent = (e * Z - N) ** 2, e * e * Z + N
    xi_dec = decoherent / coherent
    X, Y = Fraction(x), Fraction(y)
    if kind == "gamma_np":
        return float((e * Z * X - N * Y) ** 2)
    if kind == "alpha_ff":
        return float(((e * Z * X - N * Y) ** 2 / coherent - xi_dec) / (1 - xi_dec))
    if kind == "gamma_qm":
        return float(coherent * X + decoherent * (1 - X))
    if kind == "gamma_data":
        return float(coherent * X)
    if kind == "xi":
        return float(X + (1 - X) * xi_dec)
    return float((X - xi_dec) / (1 - xi_dec))  # alpha from xi


def test_small_path_against_exact_arithmetic(backend: str) -> None:
    nuc = coh.nucleus("Ar40")
    a = _values(0.0, 1.0, SMALL, seed=3)
    f = _values(-1.0, 1.0, SMALL, seed=4)
    g = _values(-1.0, 1.0, SMALL, seed=5)
    calls = {
        "gamma_np": (coh.gamma_np(f, g, nuc, EPSILON), f, g),
        "alpha_ff": (coh.alpha_from_form_factors(f, g, nuc, EPSILON, clip=False), f, g),
        "gamma_qm": (coh.gamma_qm(a, nuc, EPSILON), a, a),
        "gamma_data": (coh.gamma_data(f, nuc, EPSILON), f, f),
        "xi": (coh.xi_from_alpha(a, nuc, EPSILON), a, a),
        "alpha_xi": (coh.alpha_from_xi(f, nuc, EPSILON), f, f),
    }
    for kind, (got, x, y) in calls.items():
        want = np.array([_exact(kind, xv, yv, nuc, EPSILON) for xv, yv in zip(x, y)])
        # a few roundings of O(1) terms, each within EPS of the exact value's scale;
        # alpha divides by 1 - xi_dec (0.99 for Ar40) and subtracts xi_dec = 0.01
        scale = np.maximum(np.abs(want), 1.0 if kind in ("alpha_ff", "alpha_xi") else 0.0)
        np.testing.assert_array_less(np.abs(got - want), 8 * EPS * scale + 1e-300, err_msg=kind)
    # phi and alpha: arccos and cos against exact angles (Sharma & Wong Table 1)
    phi = coh.phi_from_alpha(np.array([1.0, 0.5, 0.0]))
    np.testing.assert_allclose(phi, [0.0, math.pi / 3, math.pi / 2], rtol=2 * EPS, atol=0)
    alpha = coh.alpha_from_phi(np.array([0.0, math.pi / 3, math.pi / 4]))
    np.testing.assert_allclose(alpha, [1.0, 0.5, math.sqrt(0.5)], rtol=2 * EPS, atol=0)


def test_clip_keeps_the_array_path_signed_zero(backend: str) -> None:
    # xi_dec > 1 (eps Z - N small): 1 - xi_dec < 0, so alpha at xi = xi_dec is -0.0
    deuteron = Nucleus(Z=1, N=1)
    xi_dec = coh.xi_decoherent(deuteron, 0.9)
    assert xi_dec > 1.0
    x = np.array([xi_dec, 0.0, 2.0 * xi_dec])
    for clip in (False, True):
        got = coh.alpha_from_xi(x, deuteron, 0.9, clip=clip)
        _assert_same_bits(got, coh.alpha_from_xi(_strided(x), deuteron, 0.9, clip=clip))
        assert math.copysign(1.0, got[0]) == -1.0


def test_results_beyond_the_float_range_take_the_array_path(backend: str) -> None:
    big = np.array([0.5, 1e308])
    with pytest.warns(RuntimeWarning, match="overflow"):
        got = coh.gamma_data(big, "Xe132")
    with pytest.warns(RuntimeWarning, match="overflow"):
        want = coh.gamma_data(_strided(big), "Xe132")
    _assert_same_bits(got, want)


BAD: dict[str, Callable[[Callable[[Any], Any]], Any]] = {
    "alpha>1": lambda w: coh.xi_from_alpha(w([0.5, 1.5]), "Xe132"),
    "alpha nan": lambda w: coh.gamma_qm(w([math.nan]), "Ar40"),
    "alpha<0": lambda w: coh.phi_from_alpha(w([0.2, -0.1])),
    "phi>pi/2": lambda w: coh.alpha_from_phi(w([2.0])),
    "xi inf": lambda w: coh.alpha_from_xi(w([1.0, math.inf]), "Xe132"),
    "xi nan": lambda w: coh.gamma_data(w([math.nan]), "Ar40"),
    "FZ>1": lambda w: coh.gamma_np(w([1.2]), 1.0, "Ar40"),
    "FN<-1": lambda w: coh.alpha_from_form_factors(0.5, w([0.0, -1.5]), "Ar40"),
    "FN bad scalar": lambda w: coh.gamma_np(w([0.5]), 2.0, "Ar40"),
    "shapes": lambda w: coh.gamma_np(w([0.5, 0.6]), w([0.1, 0.2, 0.3]), "Ar40"),
    "mixture": lambda w: coh.xi_from_alpha(w([0.5]), "Xe"),
    "eps": lambda w: coh.gamma_data(w([0.5]), "Ar40", epsilon=3.0),
    "xi undefined": lambda w: coh.xi_from_alpha(w([0.5]), Nucleus(Z=1, N=1), epsilon=1.0),
    "alpha undefined": lambda w: coh.alpha_from_form_factors(
        w([0.5]), 0.5, Nucleus(Z=1, N=1), epsilon=1.0),
    "strings": lambda w: coh.gamma_qm(np.array(["a"]), "Ar40"),
    "float32 alpha>1": lambda w: coh.gamma_qm(w([1.5]).astype(np.float32), "Ar40"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_errors_unchanged(backend: str, case: str) -> None:
    call = BAD[case]
    with pytest.raises((ValueError, TypeError)) as small:
        call(lambda v: np.array(v, dtype=np.float64))
    with pytest.raises((ValueError, TypeError)) as array_path:
        call(lambda v: _strided(np.array(v, dtype=np.float64)))
    assert type(small.value) is type(array_path.value)
    assert str(small.value) == str(array_path.value)


def test_twin_refuses_the_same_inputs() -> None:
    from coherency import _reference

    modules: list[Any] = [_reference]
    if _backend.compiled_available():
        from coherency import _kernels

        modules.append(_kernels)
    good = (np.array([0.5]), np.full(SMALL, 0.5), np.full((2, 3), 0.5), np.array(0.5),
            np.float64(0.5), 0.5)
    bad = (np.full(SMALL + 1, 0.5), np.array([0.5], dtype=np.float32), [0.5], 1,
           np.array([np.nan]), np.array([1.5]), _strided(np.full(3, 0.5)), np.ones(0),
           np.array([0.5], dtype=">f8"), np.ma.masked_array([0.5]), np.array([1]))
    for module in modules:
        for x in good:
            assert module.small_coherence(2, x, None, 1.0, 2.0, 0.0, 0.0, False) is not None
        for x in bad:
            assert module.small_coherence(2, x, None, 1.0, 2.0, 0.0, 0.0, False) is None
        # pairs: one shape, or one of size 1 with no more dimensions than the other
        pair = np.full((2, 3), 0.5)
        for y in (pair, 0.5, np.array(0.5), np.array([0.5]), np.full((1, 1), 0.5)):
            assert module.small_coherence(0, pair, y, 1.0, 2.0, 0.0, 0.0, False).shape == (2, 3)
        for y in (np.full(2, 0.5), np.full((1, 1, 1), 0.5), np.full(3, 2.0), None):
            assert module.small_coherence(0, pair, y, 1.0, 2.0, 0.0, 0.0, False) is None
        assert module.small_coherence(8, np.array([0.5]), None, 0.0, 0.0, 0.0, 0.0,
                                      False) is None


@pytest.mark.parametrize("name", ["phi_from_alpha", "alpha_from_phi"])
def test_numpy_loops_give_the_array_path_bits(backend: str, name: str) -> None:
    """arccos and cos: the small path calls numpy's own float64 loop (numpy's arccos
    differs from libm's acos in the last bit for about one value in ten on SIMD
    builds), so 20 000 values in every small size give the array path's bits."""
    if backend == "compiled":
        from coherency import _kernels

        assert _kernels._numpy_loops_found()
    fn, (lo, hi) = ONE[name]
    x = np.random.default_rng(11).uniform(lo, hi, 20_000)
    want = fn(x)  # one array call
    i = n = 0
    while i < 16_000:  # chunks of 1, 2, ..., SMALL values, over and over
        n = n % SMALL + 1
        chunk = x[i:i + n]
        np.testing.assert_array_equal(_bits(fn(chunk)), _bits(want[i:i + n]))
        i += n
    got = np.array([fn(v) for v in x[i:i + 2000]])  # Python floats
    np.testing.assert_array_equal(_bits(got), _bits(want[i:i + 2000]))
    got = np.array([fn(np.array(v)) for v in x[i:i + 2000]])  # 0-d arrays
    np.testing.assert_array_equal(_bits(got), _bits(want[i:i + 2000]))
