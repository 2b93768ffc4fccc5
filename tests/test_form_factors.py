"""Form factors and j1: mpmath references, limits, compiled vs twin, bad input."""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import coherency as coh
from coherency import _backend, _reference, form_factors
from coherency.constants import HBARC_MEV_FM

EPS = np.finfo(float).eps
TABLE = json.loads((Path(__file__).parent / "data" / "mpmath_form_factors.json").read_text())
# The accuracy target: 1e-14 relative wherever |F| > 1e-3.
REL_TARGET = 1e-14
F_FLOOR = 1e-3


def test_table_matches_constants() -> None:
    assert float(TABLE["hbarc_mev_fm"]) == HBARC_MEV_FM
    assert TABLE["dps"] >= 30


@pytest.mark.parametrize("row", TABLE["j1"], ids=lambda r: f"x={r[0]}")
def test_j1_against_mpmath(backend: str, row: list) -> None:
    x, j1_ref, sphere_ref = float(row[0]), float(row[1]), float(row[2])
    got = coh.spherical_j1(x)
    assert isinstance(got, float)
    if abs(sphere_ref) > F_FLOOR:
        assert abs(got - j1_ref) <= REL_TARGET * abs(j1_ref)
    else:
        # Near a zero of j1 only an absolute statement makes sense: the terms
        # sin x / x^2 and cos x / x are each rounded to half an ulp.
        scale = abs(math.sin(x)) / x**2 + abs(math.cos(x)) / abs(x)
        assert abs(got - j1_ref) <= 4 * EPS * scale


@pytest.mark.parametrize("row", TABLE["j1"], ids=lambda r: f"x={r[0]}")
def test_hard_sphere_kernel_against_mpmath(backend: str, row: list) -> None:
    # Helm with s = 0 and R0 = 1 MeV^-1 is exactly 3 j1(x)/x at x = q: this checks
    # the kernel at exact double arguments, series and closed form alike.
    x, sphere_ref = abs(float(row[0])), float(row[2])
    out = np.empty(1)
    _backend.kernels().helm(np.array([x]), 1.0, 0.0, out)
    if abs(sphere_ref) > F_FLOOR:
        assert abs(out[0] - sphere_ref) <= REL_TARGET * abs(sphere_ref)
    else:
        assert abs(out[0] - sphere_ref) <= 8 * EPS * 3 / x**2


def _helm_condition(q: float, A: int, s: float, rc: float) -> float:
    """|d ln F / d ln x|: how much a relative error in q R0 is amplified."""
    mp.mp.dps = 30
    r0 = mp.sqrt((rc * mp.cbrt(A)) ** 2 - 5 * mp.mpf(s) ** 2) / mp.mpf(HBARC_MEV_FM)

    def f(t: mp.mpf) -> mp.mpf:
        x = t * r0
        return 3 * (mp.sin(x) - x * mp.cos(x)) / x**3 if x != 0 else mp.mpf(1)

    val = f(mp.mpf(q))
    return float(abs(q * mp.diff(f, mp.mpf(q)) / val)) if q > 0 else 0.0


@pytest.mark.parametrize("row", TABLE["helm"], ids=lambda r: f"q={r[0]},A={r[1]},s={r[2]}")
def test_helm_against_mpmath(backend: str, row: list) -> None:
    q, A, s, rc, ref = float(row[0]), row[1], row[2], row[3], float(row[4])
    got = coh.helm_form_factor(q, A, s_fm=s, r_coeff_fm=rc)
    assert isinstance(got, float)
    assert abs(got) <= 1.0
    if abs(ref) > F_FLOOR:
        # The kernel meets 1e-14; on top, the lengths R0/hbar c and s/hbar c are
        # rounded to doubles (<= 2 ulp with the product q R0), which an
        # ill-conditioned point (near a zero of F) amplifies by its condition number.
        kappa = _helm_condition(q, A, s, rc)
        assert abs(got - ref) <= (REL_TARGET + 2 * EPS * kappa) * abs(ref)
    else:
        assert abs(got - ref) <= 1e-14


@pytest.mark.parametrize("row", TABLE["other"], ids=lambda r: f"{r[0]}-q={r[1]}")
def test_other_models_against_mpmath(backend: str, row: list) -> None:
    name, q, p1, p2, ref = row[0], float(row[1]), row[2], row[3], float(row[4])
    if name == "klein-nystrand":
        model: form_factors.FormFactor = coh.KleinNystrand(radius_fm=p1, a_fm=p2)
    else:
        model = coh.SymmetrizedFermi(radius_fm=p1, a_fm=p2)
    got = model(q, 100)
    assert abs(got) <= 1.0
    # These go through one extra rounding (the length in MeV^-1) and, for the
    # symmetrized Fermi, sinh/coth: allow 1e-14 relative plus a few ulp.
    assert abs(got - ref) <= REL_TARGET * abs(ref) + 8 * EPS


@pytest.mark.parametrize(
    "model", [coh.Helm(), coh.Helm.lewin_smith(), coh.KleinNystrand(), coh.SymmetrizedFermi()]
)
def test_limits_and_bounds(backend: str, model: form_factors.FormFactor) -> None:
    for A in (4, 40, 132, 208):
        assert model(0.0, A) == 1.0
        q = np.concatenate([[0.0, 1e-300, 1e-12, 1e-6], np.linspace(0, 2000, 4001)])
        F = model(q, A)
        assert np.all(np.isfinite(F))
        assert np.all(np.abs(F) <= 1.0)
        # Small-q expansion F = 1 - q^2 <r^2>/6 + O(q^4): checks the rms radii too.
        # At 1 - F = 1e-6 the q^4 term is ~1e-6 relative and rounding of 1 - F
        # ~2e-10, so 1e-5 tests the q^2 coefficient to five digits.
        r2 = (model.rms_radius_fm(A) / HBARC_MEV_FM) ** 2
        qs = math.sqrt(6e-6 / r2)
        assert abs((1 - model(qs, A)) / (qs**2 * r2 / 6) - 1) < 1e-5


def test_helm_zero_and_tiny_q_exact(backend: str) -> None:
    assert coh.helm_form_factor(0.0, 132) == 1.0
    tiny = coh.helm_form_factor(np.array([1e-300, 1e-150, 1e-20, 1e-9]), 132)
    assert np.all(tiny <= 1.0) and np.all(tiny > 1 - 1e-15)


def test_helm_broadcasting(backend: str) -> None:
    q = np.linspace(0, 300, 7)[:, None]
    A = np.array([40.0, 73.0, 132.0])
    F = coh.helm_form_factor(q, A)
    assert F.shape == (7, 3)
    for j, a in enumerate(A):
        np.testing.assert_array_equal(F[:, j], coh.helm_form_factor(q[:, 0], a))
    assert isinstance(coh.helm_form_factor(10, 40), float)
    assert coh.helm_form_factor([], 40).shape == (0,)


def test_helm_matches_model_class(backend: str) -> None:
    q = np.linspace(0, 500, 101)
    np.testing.assert_array_equal(coh.helm_form_factor(q, 132), coh.Helm()(q, 132))
    ls = coh.Helm.lewin_smith()
    r0, s = ls.lengths_fm(132)
    c = 1.23 * 132 ** (1 / 3) - 0.60
    assert r0 == pytest.approx(math.sqrt(c * c + 7 / 3 * math.pi**2 * 0.52**2 - 5 * 0.81))
    assert s == 0.9


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: coh.helm_form_factor(-1.0, 40), r"q must be >= 0 MeV; got -1.0"),
        (lambda: coh.helm_form_factor([1.0, -3.0], 40), r"q must be >= 0 MeV; got -3.0 at index 1"),
        (lambda: coh.helm_form_factor(float("nan"), 40), r"q must not be NaN"),
        (lambda: coh.helm_form_factor(float("inf"), 40), r"q must be finite"),
        (lambda: coh.helm_form_factor(1.0, -40), r"A must be > 0"),
        (lambda: coh.helm_form_factor(1.0, 0), r"A must be > 0"),
        (lambda: coh.helm_form_factor(1.0, 40, s_fm=-0.1), r"s_fm must be >= 0 fm"),
        (lambda: coh.helm_form_factor(1.0, 1, s_fm=3.0), r"R0\^2 .* < 0"),
        (lambda: coh.helm_form_factor(np.ones(3), np.ones(4) * 40),
         r"do not broadcast.*q \(3,\).*A \(4,\)"),
        (lambda: coh.spherical_j1(float("nan")), r"x must not be NaN"),
    ],
)
def test_bad_input_value_error(backend: str, call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: coh.helm_form_factor("ten", 40), "q must be a real number"),
        (lambda: coh.helm_form_factor(None, 40), "q must be a real number"),
        (lambda: coh.helm_form_factor(1.0, "Xe"), "A must be a real number"),
        (lambda: coh.helm_form_factor(np.array([1 + 1j]), 40), "q must be real numbers"),
        (lambda: coh.spherical_j1(["a"]), "x must be real numbers"),
    ],
)
def test_bad_input_type_error(backend: str, call, match: str) -> None:
    with pytest.raises(TypeError, match=match):
        call()


def test_unknown_form_factor_name() -> None:
    with pytest.raises(ValueError, match="did you mean helm"):
        form_factors.form_factor_model("hlem")


# --- compiled vs twin on random inputs (STYLE.md 7.3) ---------------------------------

needs_compiled = pytest.mark.skipif(
    not _backend.compiled_available(), reason="compiled extension not built"
)
finite_q = hnp.arrays(
    np.float64,
    hnp.array_shapes(max_dims=1, max_side=200),
    elements=st.floats(0.0, 3000.0, allow_nan=False),
)


@needs_compiled
@settings(max_examples=60, deadline=None)
@given(q=finite_q, A=st.integers(4, 260))
def test_helm_compiled_vs_twin(q: np.ndarray, A: int) -> None:
    with coh.use_backend("compiled"):
        fc = coh.helm_form_factor(q, A)
    with coh.use_backend("numpy"):
        fn = coh.helm_form_factor(q, A)
    # Both are accurate to ~1e-15 relative where |F| is not tiny; near zeros of F
    # compare absolutely (each side rounds sin, cos and the product q R0).
    np.testing.assert_allclose(fc, fn, rtol=1e-13, atol=1e-15)


@needs_compiled
@settings(max_examples=60, deadline=None)
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(max_dims=1, max_side=200),
                 elements=st.floats(-200.0, 200.0, allow_nan=False))
)
def test_j1_compiled_vs_twin(x: np.ndarray) -> None:
    with coh.use_backend("compiled"):
        jc = coh.spherical_j1(x)
    with coh.use_backend("numpy"):
        jn = coh.spherical_j1(x)
    np.testing.assert_allclose(jc, jn, rtol=1e-13, atol=1e-16)


@needs_compiled
@settings(max_examples=40, deadline=None)
@given(q=finite_q, A=st.integers(4, 260),
       which=st.sampled_from(["klein-nystrand", "symmetrized-fermi", "lewin-smith"]))
def test_models_compiled_vs_twin(q: np.ndarray, A: int, which: str) -> None:
    model = form_factors.form_factor_model(which)
    with coh.use_backend("compiled"):
        fc = model(q, A)
    with coh.use_backend("numpy"):
        fn = model(q, A)
    np.testing.assert_allclose(fc, fn, rtol=1e-12, atol=1e-15)


# --- the two backends expose the same kernels -------------------------------------------

@needs_compiled
def test_kernel_signatures_match() -> None:
    from coherency import _kernels

    compiled = {n for n in dir(_kernels)
                if not n.startswith("_") and callable(getattr(_kernels, n))}
    for name in compiled:
        ref = getattr(_reference, name)
        got = inspect.signature(getattr(_kernels, name))
        want = inspect.signature(ref)
        assert list(got.parameters) == list(want.parameters), name


def test_backend_switching() -> None:
    start = coh.get_backend()
    with coh.use_backend("numpy") as name:
        assert name == "numpy" and coh.get_backend() == "numpy"
        assert _backend.kernels() is _reference
    assert coh.get_backend() == start
    with pytest.raises(ValueError, match="backend must be one of"):
        with coh.use_backend("fortran"):
            pass


def test_symmetrized_fermi_across_its_formula_switches(backend: str) -> None:
    """The branch-free loop (csrc/coh_ff.c) switches from series to closed forms at
    y = pi q a = 0.5 (y/sinh y, y coth y - 1) and at x = q c = 1 (sin x - x cos x):
    dense points on both sides of each, against mpmath on the kernel's own lengths."""
    model = coh.SymmetrizedFermi()
    _, c, a = model.kernel_params(132)  # MeV^-1
    q_y = 0.5 / (math.pi * a)
    q_x = 1.0 / c
    q = np.concatenate([q_y * (1 + np.linspace(-1e-3, 1e-3, 101)),
                        q_x * (1 + np.linspace(-1e-3, 1e-3, 101)),
                        np.nextafter(q_y, [0.0, 1e3]), np.nextafter(q_x, [0.0, 1e3])])
    got = model(q, 132)
    mp.mp.dps = 40
    for qi, fi in zip(q.tolist(), got.tolist()):
        x = mp.mpf(qi) * mp.mpf(c)
        y = mp.pi * mp.mpf(qi) * mp.mpf(a)
        ref = float(3 / (x * (x**2 + y**2)) * (y / mp.sinh(y))
                    * (y * mp.coth(y) * mp.sin(x) - x * mp.cos(x)))
        assert abs(fi - ref) <= REL_TARGET * abs(ref) + 8 * EPS, qi
