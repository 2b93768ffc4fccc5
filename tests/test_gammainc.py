"""The regularised incomplete gamma functions P(a, x), Q(a, x) of the response kernel
(csrc/coh_resp.c) against 30-digit mpmath references, both backends; limits; bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coherency import _backend, _reference

EPS = np.finfo(np.float64).eps
TABLE = json.loads((Path(__file__).parent / "data" / "mpmath_gammainc.json").read_text())
# Below this a reference is 0 in double (or subnormal): only "tiny" can be checked.
UNDERFLOW = 1e-300
# A relative change eps of a or x moves f = min(P, Q) by (kx + ka) eps (the condition
# numbers stored with each row): no double-precision evaluation does better. The C
# code stays within 2.2 of that bound at every row (exp of a large argument, the
# deviance bd0, the series sum: a few roundings each): 4 allows for other libms.
COMPILED_COND_FACTOR = 4.0
# The accuracy asked of the kernel where P or Q is not small (f > 1e-3) for a up to
# 5000: 1e-14 relative (measured: 2.5e-15).
BULK_RTOL = 1e-14
BULK_FLOOR = 1e-3
# scipy.special.gammainc / gammaincc (Cephes igam, with Temme's expansion for large a)
# are good to ~30-70 (kx + ka + 1) eps (measured against mpmath: 33 at a = 0.5, x = 1;
# 68 for Q at a = 0.50390625, x = 1.00390625, where the compiled kernel is within 2):
# the twin is checked against 128, the compiled kernel against COMPILED_COND_FACTOR.
TWIN_COND_FACTOR = 128.0


def _evaluate(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    P, Q = np.empty_like(a), np.empty_like(a)
    _backend.kernels().gammainc_pq(a, x, P, Q)
    return P, Q


def test_table_is_30_digits() -> None:
    assert TABLE["dps"] >= 30 and len(TABLE["rows"]) > 200
    assert max(r[0] for r in TABLE["rows"]) >= 2000


@pytest.mark.parametrize("row", TABLE["rows"], ids=lambda r: f"a={r[0]:g},x={r[1]:g}")
def test_against_mpmath(backend: str, row: list) -> None:
    a, x, P_ref, Q_ref, kx, ka = row
    P, Q = _evaluate(np.array([a]), np.array([x]))
    factor = COMPILED_COND_FACTOR if backend == "compiled" else TWIN_COND_FACTOR
    for got, ref_s in ((P[0], P_ref), (Q[0], Q_ref)):
        ref = mp.mpf(ref_s)
        assert 0.0 <= got <= 1.0
        if ref < UNDERFLOW:
            assert got <= UNDERFLOW
            continue
        err = float(abs(mp.mpf(got) - ref) / ref)
        assert err <= factor * EPS * (1.0 + kx + ka), (got, ref_s)
        if backend == "compiled" and ref > BULK_FLOOR:
            assert err <= BULK_RTOL


def test_limits(backend: str) -> None:
    a = np.array([0.5, 1.0, 40.0, 2000.0, 3.0, 3.0, 1e8])
    x = np.array([0.0, 0.0, 0.0, 0.0, math.inf, 1e300, 1e-300])
    P, Q = _evaluate(a, x)
    np.testing.assert_array_equal(P, [0, 0, 0, 0, 1, 1, 0])
    np.testing.assert_array_equal(Q, [1, 1, 1, 1, 0, 0, 1])


def test_exponential_and_erfc_cases(backend: str) -> None:
    # P(1, x) = 1 - e^-x, Q(1, x) = e^-x; P(1/2, x) = erf(sqrt x)
    x = np.array([1e-10, 0.3, 1.0, 2.0, 7.5, 30.0, 600.0])
    P, Q = _evaluate(np.ones_like(x), x)
    np.testing.assert_allclose(P, -np.expm1(-x), rtol=8 * EPS)
    # kx = x for Q = e^-x: the condition bound of the table test
    factor = COMPILED_COND_FACTOR if backend == "compiled" else TWIN_COND_FACTOR
    assert np.all(np.abs(Q - np.exp(-x)) <= factor * EPS * (1 + x) * np.exp(-x))
    P, Q = _evaluate(np.full_like(x, 0.5), x)
    erf = np.array([math.erf(math.sqrt(v)) for v in x])
    np.testing.assert_allclose(P, erf, rtol=16 * EPS)


def _condition(a: float, x: float, lower: bool) -> float:
    """1 + kx + ka of P (lower) or Q at (a, x), from mpmath (as the table's)."""
    with mp.workdps(30):
        am, xm = mp.mpf(a), mp.mpf(x)

        def f(s: mp.mpf) -> mp.mpf:
            return (mp.gammainc(s, 0, xm, regularized=True) if lower
                    else mp.gammainc(s, xm, mp.inf, regularized=True))

        value = f(am)
        if x == 0.0 or value == 0:
            return 1.0
        density = mp.exp((am - 1) * mp.log(xm) - xm - mp.loggamma(am))
        return float(1 + abs(xm * density / value) + abs(am * mp.diff(f, am) / value))


@settings(max_examples=100, deadline=None)
@given(st.floats(0.5, 3000.0), st.floats(0.0, 4.0), st.floats(-1.0, 1.0))
@example(0.50390625, 1.0, 0.5)  # the twin's (scipy's) worst case found so far
def test_compiled_against_twin(a: float, ratio: float, shift: float) -> None:
    if not _backend.compiled_available():
        pytest.skip("compiled extension not built")
    x = max(0.0, a * ratio + shift)
    got = np.empty(2)
    want = np.empty(2)
    _backend._compiled.gammainc_pq(np.array([a]), np.array([x]), got[:1], got[1:])  # type: ignore[union-attr]
    _reference.gammainc_pq(np.array([a]), np.array([x]), want[:1], want[1:])
    # each within its accuracy of the truth (the bounds above), so within their sum of
    # each other; both sum to 1
    for g, w, lower in ((got[0], want[0], True), (got[1], want[1], False)):
        if w < UNDERFLOW:
            assert g < 1e-290
            continue
        bound = (COMPILED_COND_FACTOR + TWIN_COND_FACTOR) * EPS * _condition(a, x, lower)
        assert abs(g - w) <= bound * w
    assert abs(got.sum() - 1.0) <= 2 * EPS


def test_threads_do_not_change_bits() -> None:
    if not _backend.compiled_available():
        pytest.skip("compiled extension not built")
    rng = np.random.default_rng(3)
    a = rng.uniform(0.1, 500.0, 20000)
    x = a * rng.uniform(0.0, 3.0, a.size)
    results = []
    for nt in (1, 2, 7):
        P, Q = np.empty_like(a), np.empty_like(a)
        _backend._compiled.gammainc_pq(a, x, P, Q, n_threads=nt)  # type: ignore[union-attr]
        results.append((P, Q))
    for P, Q in results[1:]:
        np.testing.assert_array_equal(P, results[0][0])
        np.testing.assert_array_equal(Q, results[0][1])


@pytest.mark.parametrize(("a", "x"), [(0.0, 1.0), (-1.0, 1.0), (math.nan, 1.0), (1.0, -1.0),
                                      (1.0, math.nan), (2e8, 1.0), (math.inf, 1.0)])
def test_bad_arguments_are_refused(backend: str, a: float, x: float) -> None:
    with pytest.raises(RuntimeError, match=r"argument outside the documented domain"):
        _evaluate(np.array([a]), np.array([x]))


def test_length_mismatch(backend: str) -> None:
    with pytest.raises(ValueError, match="a and x must have the same length"):
        _backend.kernels().gammainc_pq(np.ones(2), np.ones(3), np.empty(2), np.empty(2))
    with pytest.raises(ValueError, match="a and Q must have the same length"):
        _backend.kernels().gammainc_pq(np.ones(2), np.ones(2), np.empty(2), np.empty(1))
