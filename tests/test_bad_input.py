"""Bad input to every public function: each class of bad value gives a
ValueError/TypeError whose message names the argument, the allowed range with its
unit and the offending value; valid-but-degenerate input gives documented zeros.

Decisions recorded here (and asserted below):

* Empty arrays are valid for every array argument: the result is an empty float64
  array of the broadcast shape. Scalar-only arguments (``s_fm``, ``epsilon``,
  ``mass_kg``, thresholds of the rate functions) reject them ("must be a scalar").
* Non-contiguous, big-endian, integer, bool and float32 arrays are converted to
  native float64 first: the result equals that of a contiguous float64 copy of the
  same values, bit for bit.
* Kinematically closed regions (q^2 > q2_max(E), T > T_max, a threshold no neutrino
  of the source reaches) give exactly 0, not an error; ``q2_fwhm`` alone raises
  there (a width of nothing is undefined).

CLI bad-input tests live with the CLI (the lead's tests/test_cli.py).
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import coherent_release, data, sources
from coherency.form_factors import Helm, KleinNystrand, SymmetrizedFermi

XE = coh.nucleus("Xe132")
DAR = sources.PionDAR(n_pot=1e23, exposure_time_s=3e7, distance_m=20.0)
MONO = sources.Monochromatic(30.0, 1e7)


# ----------------------------------------------------------------------------------
# One row per numeric argument of a public function:
#   (id, call(value) -> result, argument name, domain, unit text in the message)
# domain: "real" (any finite), ">=0", ">0", "[0,1]"; unit "" when dimensionless.
# ----------------------------------------------------------------------------------
Arg = tuple[str, Callable[[Any], Any], str, str, str]

ARRAY_ARGS: list[Arg] = [
    ("spherical_j1.x", lambda v: coh.spherical_j1(v), "x", "real", ""),
    ("helm_form_factor.q", lambda v: coh.helm_form_factor(v, 132), "q", ">=0", "MeV"),
    ("helm_form_factor.A", lambda v: coh.helm_form_factor(1.0, v), "A", ">0", ""),
    ("Helm.q", lambda v: Helm()(v, 132), "q", ">=0", "MeV"),
    ("KleinNystrand.q", lambda v: KleinNystrand()(v, 132), "q", ">=0", "MeV"),
    ("SymmetrizedFermi.q", lambda v: SymmetrizedFermi()(v, 132), "q", ">=0", "MeV"),
    ("q2_max.E", lambda v: coh.q2_max(v, XE.mass), "E", ">=0", "MeV"),
    ("q2_max.mass", lambda v: coh.q2_max(10.0, v), "mass", ">0", "MeV"),
    ("T_max.E", lambda v: coh.T_max(v, XE), "E", ">=0", "MeV"),
    ("q2_min.T_min", lambda v: coh.q2_min(v, XE), "T_min", ">=0", "MeV"),
    ("E_min.T", lambda v: coh.E_min(v, XE), "T", ">=0", "MeV"),
    ("dsigma_dq2.q2", lambda v: coh.dsigma_dq2(v, 10.0, XE), "q2", ">=0", "MeV^2"),
    ("dsigma_dq2.E", lambda v: coh.dsigma_dq2(1.0, v, XE), "E", ">0", "MeV"),
    ("dsigma_dq2.alpha", lambda v: coh.dsigma_dq2(1.0, 10.0, XE, alpha=v), "alpha", "[0,1]", ""),
    ("dsigma_dT.T", lambda v: coh.dsigma_dT(v, 10.0, XE), "T", ">=0", "MeV"),
    ("dsigma_dT.E", lambda v: coh.dsigma_dT(1e-3, v, XE), "E", ">0", "MeV"),
    ("sigma_total.E", lambda v: coh.sigma_total(v, "CsI"), "E", ">0", "MeV"),
    ("sigma_total.T_min", lambda v: coh.sigma_total(10.0, "CsI", T_min=v), "T_min", ">=0", "MeV"),
    ("sigma_total.alpha", lambda v: coh.sigma_total(10.0, XE, alpha=v), "alpha", "[0,1]", ""),
    ("gamma_qm.alpha", lambda v: coh.gamma_qm(v, XE), "alpha", "[0,1]", ""),
    ("gamma_data.xi", lambda v: coh.gamma_data(v, XE), "xi", "real", ""),
    ("xi_from_alpha.alpha", lambda v: coh.xi_from_alpha(v, XE), "alpha", "[0,1]", ""),
    ("alpha_from_xi.xi", lambda v: coh.alpha_from_xi(v, XE), "xi", "real", ""),
    ("phi_from_alpha.alpha", lambda v: coh.phi_from_alpha(v), "alpha", "[0,1]", ""),
    ("alpha_from_phi.phi", lambda v: coh.alpha_from_phi(v), "phi", ">=0", "rad"),
    ("recoil_spectrum.T", lambda v: coh.recoil_spectrum(DAR, "CsI", v), "T", ">=0", "MeV"),
    ("q2_spectrum.q2", lambda v: coh.q2_spectrum(DAR, "CsI", v), "q2", ">=0", "MeV^2"),
    ("alpha_theory.q2", lambda v: coh.alpha_theory(v, XE), "q2", ">=0", "MeV^2"),
    ("PionDAR.flux", lambda v: DAR.flux(v), "E", ">=0", "MeV"),
    ("Reactor.flux", lambda v: sources.Reactor(1.0, 20.0).flux(v), "E", ">=0", "MeV"),
    ("Solar.flux", lambda v: sources.Solar().flux(v), "E", ">=0", "MeV"),
    ("Atmospheric.flux", lambda v: sources.Atmospheric().flux(v), "E", ">=0", "MeV"),
    ("Supernova.flux", lambda v: sources.Supernova().flux(v), "E", ">=0", "MeV"),
    ("Tabulated.flux", lambda v: sources.Tabulated([1.0, 2.0], [1.0, 1.0]).flux(v), "E", ">=0",
     "MeV"),
    ("Measurement.xi", lambda v: coh.Measurement([1.0, 2.0], v, [0.1, 0.1], XE), "xi", "real", ""),
    ("Measurement.xi_err", lambda v: coh.Measurement([1.0, 2.0], [0.5, 0.5], v, XE), "xi_err",
     ">0", ""),
]

SCALAR_ARGS: list[Arg] = [
    ("helm_form_factor.s_fm", lambda v: coh.helm_form_factor(1.0, 132, s_fm=v), "s_fm", ">=0",
     "fm"),
    ("helm_form_factor.r_coeff_fm", lambda v: coh.helm_form_factor(1.0, 132, r_coeff_fm=v),
     "r_coeff_fm", ">=0", "fm"),
    ("Helm.s_fm", lambda v: Helm(s_fm=v), "s_fm", ">=0", "fm"),
    ("KleinNystrand.a_fm", lambda v: KleinNystrand(a_fm=v), "a_fm", ">=0", "fm"),
    ("dsigma_dq2.epsilon", lambda v: coh.dsigma_dq2(1.0, 10.0, XE, epsilon=v), "epsilon",
     "[-1,1]", ""),
    ("xi_decoherent.epsilon", lambda v: coh.xi_decoherent(XE, epsilon=v), "epsilon", "[-1,1]", ""),
    ("flux_averaged_sigma.T_min", lambda v: coh.flux_averaged_sigma(DAR, "CsI", T_min=v), "T_min",
     ">=0", "MeV"),
    ("event_rate.mass_kg", lambda v: coh.event_rate(DAR, "CsI", v, 1.0), "mass_kg", ">=0", "kg"),
    ("event_rate.time_s", lambda v: coh.event_rate(DAR, "CsI", 1.0, v), "time_s", ">=0", "s"),
    ("event_rate.T_min", lambda v: coh.event_rate(DAR, "CsI", 1.0, 1.0, T_min=v), "T_min", ">=0",
     "MeV"),
    ("event_rate.T_max", lambda v: coh.event_rate(DAR, "CsI", 1.0, 1.0, T_max=v), "T_max", ">=0",
     "MeV"),
    ("recoil_spectrum.mass_kg", lambda v: coh.recoil_spectrum(DAR, "CsI", 1e-3, mass_kg=v),
     "mass_kg", ">=0", "kg"),
    ("q2_fwhm.T_min", lambda v: coh.q2_fwhm(DAR, "CsI", T_min=v), "T_min", ">=0", "MeV"),
    ("PionDAR.n_pot", lambda v: sources.PionDAR(n_pot=v, exposure_time_s=1.0, distance_m=20.0),
     "n_pot", ">0", "protons"),
    ("PionDAR.distance_m", lambda v: sources.PionDAR(1e20, 1.0, distance_m=v), "distance_m", ">0",
     "m"),
    ("Reactor.power_GW", lambda v: sources.Reactor(power_GW=v, distance_m=20.0), "power_GW", ">0",
     "GW"),
    ("Reactor.distance_m", lambda v: sources.Reactor(1.0, distance_m=v), "distance_m", ">0", "m"),
    ("Supernova.distance_kpc", lambda v: sources.Supernova(distance_kpc=v), "distance_kpc", ">0",
     "kpc"),
    ("Monochromatic.energy", lambda v: sources.Monochromatic(v), "energy", ">0", "MeV"),
    ("Monochromatic.line_flux", lambda v: sources.Monochromatic(10.0, line_flux=v), "line_flux",
     ">0", "cm^-2 s^-1"),
]

ALL_ARGS = ARRAY_ARGS + SCALAR_ARGS


def _ids(rows: list[Arg]) -> list[str]:
    return [r[0] for r in rows]


@pytest.mark.parametrize("row", ALL_ARGS, ids=_ids(ALL_ARGS))
def test_nan_names_argument(row: Arg) -> None:
    _, call, name, _, _ = row
    with pytest.raises(ValueError, match=rf"^{re.escape(name)} must not be NaN; got nan$"):
        call(math.nan)


@pytest.mark.parametrize("row", ARRAY_ARGS, ids=_ids(ARRAY_ARGS))
def test_nan_in_array_gives_index(row: Arg) -> None:
    _, call, name, domain, _ = row
    good = 0.5 if domain in (">0", "[0,1]") else 0.0
    msg = rf"^{re.escape(name)} must not be NaN; got nan at index 2$"
    with pytest.raises(ValueError, match=msg):
        call(np.array([good, good, np.nan, good]))


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("row", ALL_ARGS, ids=_ids(ALL_ARGS))
def test_infinity_names_argument(row: Arg, sign: float) -> None:
    _, call, name, _, _ = row
    with pytest.raises(ValueError, match=rf"^{re.escape(name)} must be finite; got -?inf$"):
        call(sign * math.inf)


@pytest.mark.parametrize("row", ALL_ARGS, ids=_ids(ALL_ARGS))
def test_int_beyond_the_float_range_names_argument(row: Arg) -> None:
    # 10**400 raised numpy's OverflowError ("int too large to convert to float")
    _, call, name, _, _ = row
    for value, sign in ((10**400, ""), (-(10**400), r" \(negative\)")):
        with pytest.raises(ValueError, match=rf"^{re.escape(name)} must be finite; got an int "
                                             rf"of about 401 digits{sign}, beyond the float"):
            call(value)


@pytest.mark.parametrize("row", ARRAY_ARGS, ids=_ids(ARRAY_ARGS))
def test_int_beyond_the_float_range_in_a_list_gives_index(row: Arg) -> None:
    _, call, name, domain, _ = row
    good = 0.5 if domain in (">0", "[0,1]") else 0.0
    with pytest.raises(ValueError, match=rf"^{re.escape(name)} must be finite; got an int of "
                                         rf"about 401 digits at index 1"):
        call([good, 10**400])


def _range_message(name: str, domain: str, unit: str, value: str) -> str:
    u = f" {unit}" if unit else ""
    if domain == ">=0" or domain == "[0,1]":
        rng = f">= 0{u}"
    elif domain == ">0":
        rng = f"> 0{u}"
    else:  # [-1,1]
        rng = f">= -1{u}"
    return rf"^{re.escape(name)} must be {re.escape(rng)}; got {re.escape(value)}"


NEGATIVE_FORBIDDEN = [r for r in ALL_ARGS if r[3] in (">=0", ">0", "[0,1]")]


@pytest.mark.parametrize("row", NEGATIVE_FORBIDDEN, ids=_ids(NEGATIVE_FORBIDDEN))
def test_negative_gives_range_unit_and_value(row: Arg) -> None:
    _, call, name, domain, unit = row
    with pytest.raises(ValueError, match=_range_message(name, domain, unit, "-2.5")):
        call(-2.5)


ZERO_FORBIDDEN = [r for r in ALL_ARGS if r[3] == ">0"]


@pytest.mark.parametrize("row", ZERO_FORBIDDEN, ids=_ids(ZERO_FORBIDDEN))
def test_zero_where_positive_required(row: Arg) -> None:
    _, call, name, domain, unit = row
    with pytest.raises(ValueError, match=_range_message(name, domain, unit, "0.0")):
        call(0.0)


BOUNDED_ABOVE = [r for r in ALL_ARGS if r[3] in ("[0,1]", "[-1,1]")]


@pytest.mark.parametrize("row", BOUNDED_ABOVE, ids=_ids(BOUNDED_ABOVE))
def test_above_upper_bound(row: Arg) -> None:
    _, call, name, _, _ = row
    with pytest.raises(ValueError, match=rf"^{re.escape(name)} must be <= 1; got 1\.5"):
        call(1.5)


class _Opaque:
    def __repr__(self) -> str:
        return "<opaque thing>"


WRONG_TYPES = {
    "str": ("3.0", r"'3\.0'"),
    "bytes": (b"3", r"b'3'"),
    "None": (None, "None"),
    "object": (_Opaque(), "<opaque thing>"),
    "complex": (1 + 2j, r"\(1\+2j\)"),
    "complex-array": (np.array([1.0 + 0j, 2.0]), r"complex128"),
    "dict": ({"E": 1.0}, r"\{'E': 1\.0\}"),
}

# Arguments where None means "the default" (so None is not a wrong type there).
NONE_IS_DEFAULT = {"dsigma_dq2.alpha", "sigma_total.alpha", "dsigma_dq2.epsilon",
                   "xi_decoherent.epsilon", "event_rate.T_max"}


@pytest.mark.parametrize("kind", list(WRONG_TYPES))
@pytest.mark.parametrize("row", ALL_ARGS, ids=_ids(ALL_ARGS))
def test_wrong_type_is_type_error_naming_argument_and_value(row: Arg, kind: str) -> None:
    rid, call, name, _, _ = row
    value, shown = WRONG_TYPES[kind]
    if kind == "None" and rid in NONE_IS_DEFAULT:
        call(value)  # the default, no error
        return
    if kind == "str" and rid == "q2_max.mass":
        with pytest.raises(ValueError, match=r"unknown target '3.0'"):  # a name there
            call(value)
        return
    with pytest.raises(TypeError, match=rf"^{re.escape(name)} must be (a )?real.*{shown}"):
        call(value)


@pytest.mark.parametrize("row", ARRAY_ARGS, ids=_ids(ARRAY_ARGS))
def test_ragged_sequence_names_argument(row: Arg) -> None:
    _, call, name, _, _ = row
    with pytest.raises(ValueError,
                       match=rf"^{re.escape(name)} must be a rectangular array of numbers; "
                             r"got \[\[1\.0, 2\.0\], \[3\.0\]\]"):
        call([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("row", SCALAR_ARGS, ids=_ids(SCALAR_ARGS))
def test_array_for_scalar_argument(row: Arg) -> None:
    _, call, name, _, _ = row
    for bad, shape in ((np.array([0.5, 0.6]), r"\(2,\)"), (np.empty(0), r"\(0,\)")):
        with pytest.raises(ValueError, match=rf"^{re.escape(name)} must be a scalar; got an array "
                                             rf"of shape {shape}"):
            call(bad)


# ----------------------------------------------------------------------------------
# Empty arrays, shapes, memory layouts and dtypes
# ----------------------------------------------------------------------------------
# Array arguments of functions that return one array of the broadcast shape.
SHAPED: list[tuple[str, Callable[[Any], Any], float, float]] = [
    # (id, call, low, high): valid values are drawn from [low, high]
    ("spherical_j1", lambda v: coh.spherical_j1(v), -50.0, 50.0),
    ("helm_form_factor.q", lambda v: coh.helm_form_factor(v, 132), 0.0, 300.0),
    ("helm_form_factor.A", lambda v: coh.helm_form_factor(40.0, v), 4.0, 250.0),
    ("KleinNystrand", lambda v: KleinNystrand()(v, 74), 0.0, 300.0),
    ("SymmetrizedFermi", lambda v: SymmetrizedFermi()(v, 74), 0.0, 300.0),
    ("q2_max", lambda v: coh.q2_max(v, XE), 0.0, 100.0),
    ("T_max", lambda v: coh.T_max(v, XE), 0.0, 100.0),
    ("q2_min", lambda v: coh.q2_min(v, XE), 0.0, 0.1),
    ("E_min", lambda v: coh.E_min(v, XE), 0.0, 0.1),
    ("dsigma_dq2.q2", lambda v: coh.dsigma_dq2(v, 30.0, "CsI"), 0.0, 4000.0),
    ("dsigma_dq2.E", lambda v: coh.dsigma_dq2(100.0, v, "CsI"), 1.0, 60.0),
    ("dsigma_dT", lambda v: coh.dsigma_dT(v, 30.0, "Ar40"), 0.0, 0.05),
    ("sigma_total.E", lambda v: coh.sigma_total(v, "Ge"), 1.0, 60.0),
    ("sigma_total.T_min", lambda v: coh.sigma_total(40.0, "Ge", T_min=v), 0.0, 0.02),
    ("sigma_total.alpha", lambda v: coh.sigma_total(40.0, XE, alpha=v), 0.0, 1.0),
    ("gamma_qm", lambda v: coh.gamma_qm(v, XE), 0.0, 1.0),
    ("gamma_data", lambda v: coh.gamma_data(v, XE), -0.5, 1.5),
    ("xi_from_alpha", lambda v: coh.xi_from_alpha(v, XE), 0.0, 1.0),
    ("alpha_from_xi", lambda v: coh.alpha_from_xi(v, XE), -0.5, 1.5),
    ("phi_from_alpha", lambda v: coh.phi_from_alpha(v), 0.0, 1.0),
    ("alpha_from_phi", lambda v: coh.alpha_from_phi(v), 0.0, 1.5),
    ("gamma_np", lambda v: coh.gamma_np(v, 0.9, XE), -0.2, 1.0),
    ("alpha_from_form_factors", lambda v: coh.alpha_from_form_factors(v, 0.9, XE), -0.2, 1.0),
    ("recoil_spectrum", lambda v: coh.recoil_spectrum(DAR, "CsI", v), 0.0, 0.03),
    ("q2_spectrum", lambda v: coh.q2_spectrum(DAR, "CsI", v), 0.0, 8000.0),
    ("PionDAR.flux", lambda v: DAR.flux(v), 0.0, 60.0),
    ("Reactor.flux", lambda v: sources.Reactor(1.0, 20.0).flux(v), 0.0, 12.0),
    ("Solar.flux", lambda v: sources.Solar().flux(v), 0.0, 20.0),
    ("Supernova.flux", lambda v: sources.Supernova().flux(v), 0.0, 100.0),
]


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0)])
@pytest.mark.parametrize("row", SHAPED, ids=[r[0] for r in SHAPED])
def test_empty_array_gives_empty_float_array(row: tuple, shape: tuple[int, ...],
                                             backend: str) -> None:
    _, call, _, _ = row
    out = call(np.empty(shape))
    assert isinstance(out, np.ndarray)
    assert out.shape == shape and out.dtype == np.float64


def test_empty_arrays_elsewhere() -> None:
    three = coh.alpha_theory(np.empty((0, 2)), XE)
    assert all(a.shape == (0, 2) for a in three)
    m = coh.Measurement(q2=[], xi=[], xi_err=[], nucleus=XE)
    assert len(m) == 0
    assert coh.dsigma_dq2(np.empty(0), np.empty((4, 0)), XE).shape == (4, 0)


def _values(low: float, high: float, shape: tuple[int, ...], seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, size=shape)


@pytest.mark.parametrize("row", SHAPED, ids=[r[0] for r in SHAPED])
def test_layouts_and_byte_order_give_identical_results(row: tuple, backend: str) -> None:
    _, call, low, high = row
    base = _values(low, high, (6, 8))
    expected = call(np.ascontiguousarray(base))
    strided = np.asfortranarray(base)                      # Fortran order
    assert np.array_equal(call(strided), expected)
    big = np.empty((12, 8))[::2]                           # every other row
    big[...] = base
    assert not big.flags.c_contiguous
    assert np.array_equal(call(big), expected)
    swapped = base.astype(base.dtype.newbyteorder(">"))    # big-endian
    assert np.array_equal(call(swapped), expected)
    rev = base[::-1, ::-1]                                 # negative strides
    assert np.array_equal(call(rev), expected[::-1, ::-1])
    col = np.ascontiguousarray(base.T).T                   # transposed view
    assert np.array_equal(call(col), expected)


@pytest.mark.parametrize("row", SHAPED, ids=[r[0] for r in SHAPED])
def test_integer_bool_and_float32_equal_float64_of_same_values(row: tuple, backend: str) -> None:
    _, call, low, high = row
    ints = np.unique(np.round(_values(max(low, 0.0), max(high, 1.0), (7,), seed=3)))
    ints = ints[(ints >= low) & (ints <= high)]
    if ints.size:
        for dtype in (np.int8, np.int32, np.int64, np.uint16):
            if ints.max() <= np.iinfo(dtype).max:
                assert np.array_equal(call(ints.astype(dtype)), call(ints.astype(np.float64)))
        assert np.array_equal(call([int(v) for v in ints]), call(ints.astype(np.float64)))
    f32 = _values(low, high, (9,), seed=5).astype(np.float32)
    assert np.array_equal(call(f32), call(f32.astype(np.float64)))
    if low <= 0.0 <= 1.0 <= high:
        flags = np.array([True, False, True])
        assert np.array_equal(call(flags), call(flags.astype(np.float64)))


def test_scalar_kinds_give_python_float() -> None:
    for x in (3, 3.0, np.float32(3.0), np.int64(3), np.float64(3.0), np.array(3.0)):
        out = coh.helm_form_factor(x, 132)
        assert type(out) is float
        assert out == coh.helm_form_factor(3.0, 132)


# ----------------------------------------------------------------------------------
# Shapes that do not broadcast
# ----------------------------------------------------------------------------------
BROADCAST_CASES = [
    ("helm_form_factor", lambda a, b: coh.helm_form_factor(a, b + 10.0), "q", "A"),
    ("q2_max", lambda a, b: coh.q2_max(a, b + 1e3), "E", "mass"),
    ("dsigma_dq2", lambda a, b: coh.dsigma_dq2(a, b + 1.0, XE), "q2", "E"),
    ("dsigma_dT", lambda a, b: coh.dsigma_dT(a, b + 1.0, XE), "T", "E"),
    ("sigma_total", lambda a, b: coh.sigma_total(a + 1.0, XE, T_min=b), "E", "T_min"),
    ("gamma_np", lambda a, b: coh.gamma_np(a, b, XE), "FZ", "FN"),
    ("alpha_from_form_factors", lambda a, b: coh.alpha_from_form_factors(a, b, XE), "FZ", "FN"),
]


def test_measurement_arrays_must_match() -> None:
    with pytest.raises(ValueError, match=r"do not broadcast.*q2 \(3,\).*xi \(4,\)"):
        coh.Measurement(np.ones(3), np.zeros(4), np.full(3, 0.1), XE)
    with pytest.raises(ValueError, match=r"q2, xi and xi_err must be 1-D .*got \(3, 4\)"):
        coh.Measurement(np.ones((3, 4)), np.zeros((3, 4)), np.full((3, 4), 0.1), XE)


@pytest.mark.parametrize("case", BROADCAST_CASES, ids=[c[0] for c in BROADCAST_CASES])
def test_shapes_that_do_not_broadcast(case: tuple) -> None:
    _, call, first, second = case
    a, b = np.zeros(3), np.zeros(4)
    with pytest.raises(ValueError, match=rf"do not broadcast.*{first} \(3,\).*{second} \(4,\)"):
        call(a, b)
    # broadcasting shapes work and give the broadcast shape
    out = call(np.zeros((3, 1)) + 0.1, np.zeros((1, 4)) + 0.2)
    assert np.shape(out) == (3, 4)


def test_dsigma_alpha_must_broadcast_too() -> None:
    with pytest.raises(ValueError, match=r"do not broadcast.*alpha \(5,\)"):
        coh.dsigma_dq2(np.ones(3), 10.0, XE, alpha=np.full(5, 0.5))


# ----------------------------------------------------------------------------------
# Names: unknown targets, isotopes, sources, form factors, data sets; Z > A
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: coh.nucleus("Xe999"), r"unknown isotope 'Xe999'.*close matches: Xe"),
        (lambda: coh.nucleus("Qq12"), r"unknown isotope 'Qq12'"),
        (lambda: coh.target("Xenonn"), r"unknown target 'Xenonn'"),
        (lambda: coh.sigma_total(10.0, "Germanium-77x"), r"unknown target"),
        (lambda: coh.dsigma_dq2(1.0, 10.0, XE, form_factor="helmm"),
         r"form_factor: unknown model 'helmm'.*did you mean helm"),
        (lambda: sources.by_name("reactr"), r"unknown source 'reactr'"),
        (lambda: data.load("coherent_cs"), r"unknown data set 'coherent_cs'.*did you mean"),
        (lambda: sources.Solar(components=("pp", "9Li")),
         r"components: unknown solar component '9Li'"),
        (lambda: sources.Atmospheric(flavours=("nutau",)), r"flavours must be one of .*'nutau'"),
        (lambda: sources.PionDAR(1e20, 1.0, 20.0, flavours=("nux",)), r"flavours .*'nux'"),
        (lambda: sources.Reactor(1.0, 20.0, fission_fractions={"U235": 0.5, "Th232": 0.5}),
         r"fission_fractions keys .*'Th232'"),
        (lambda: sources.Tabulated([1.0, 2.0], [1.0, 1.0], kind="spline"), r"kind must be one of"),
        (lambda: coh.event_rate(DAR, "CsI", 1.0, 1.0, energy_scale="keV"),
         r"energy_scale must be one of \('nr', 'ee'\); got 'keV'"),
        (lambda: coh.use_backend("fortran").__enter__(), r"backend must be one of"),
    ],
)
def test_unknown_names(call: Callable[[], Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("bad", [None, 3.0, np.array([1.0]), object(), ["Xe132"]])
def test_target_of_wrong_type(bad: Any) -> None:
    msg = r"target must be a Target, a Nucleus or a name string; got"
    with pytest.raises(TypeError, match=msg):
        coh.sigma_total(10.0, bad)
    with pytest.raises(TypeError):
        coh.flux_averaged_sigma(DAR, bad)


@pytest.mark.parametrize("bad", [None, 3.0, "PionDAR", object()])
def test_source_of_wrong_type(bad: Any) -> None:
    with pytest.raises(TypeError, match=r"source must be a coherency.sources.Source"):
        coh.flux_averaged_sigma(bad, "CsI")
    with pytest.raises(TypeError, match=r"source must be"):
        coh.recoil_spectrum(bad, "CsI", 1e-3)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"Z": 10, "N": -1}, ValueError, r"N must be >= 0; got -1"),   # Z > A = Z + N
        ({"Z": -1, "N": 10}, ValueError, r"Z must be >= 0; got -1"),
        ({"Z": 0, "N": 0}, ValueError, r"A = Z \+ N must be >= 1; got Z=0, N=0"),
        ({"Z": 10.5, "N": 10}, TypeError, r"Z must be an integer; got 10.5"),
        ({"Z": "54", "N": 78}, TypeError, r"Z must be an integer"),
        ({"Z": 54, "N": 78, "mass": -5.0}, ValueError, r"mass must be > 0 MeV; got -5.0"),
        ({"Z": 54, "N": 78, "mass": math.nan}, ValueError, r"mass must not be NaN"),
    ],
)
def test_nucleus_bad_numbers(kwargs: dict, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        coh.Nucleus(**kwargs)


def test_source_sum_and_tabulated_shapes() -> None:
    with pytest.raises(ValueError, match=r"components must contain at least one source"):
        sources.SourceSum(())
    with pytest.raises(TypeError, match=r"components must be Source objects; got 1"):
        sources.SourceSum((1,))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"E must be strictly increasing; got .*2\.0.* at index 1"):
        sources.Tabulated([3.0, 2.0, 1.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"E must have at least 2 points"):
        sources.Tabulated([1.0], [1.0])
    with pytest.raises(ValueError, match=r"E and flux must be 1-D of equal length"):
        sources.Tabulated([1.0, 2.0, 3.0], [1.0, 1.0])
    msg = r"flux must be >= 0 cm\^-2 s\^-1 MeV\^-1; got -1.0 at index 1"
    with pytest.raises(ValueError, match=msg):
        sources.Tabulated([1.0, 2.0], [1.0, -1.0])
    zero = sources.Tabulated([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"total_flux must be > 0; got 0.0"):
        coh.flux_averaged_sigma(zero, "CsI")


# ----------------------------------------------------------------------------------
# Valid but degenerate: closed kinematics gives zeros
# ----------------------------------------------------------------------------------
def test_closed_kinematics_gives_zeros(backend: str) -> None:
    E = np.array([1.0, 10.0, 50.0])
    q2max = coh.q2_max(E, XE)
    assert np.all(coh.dsigma_dq2(q2max * 1.0001, E, XE) == 0.0)
    assert np.all(coh.dsigma_dT(coh.T_max(E, XE) * 1.0001, E, XE) == 0.0)
    assert np.all(coh.sigma_total(E, XE, T_min=coh.T_max(E, XE) * 1.0001) == 0.0)
    # mixed: open and closed points in one array
    T = np.array([0.0, 1e-3, 1.0])
    out = coh.sigma_total(30.0, XE, T_min=T)
    assert out[0] > out[1] > 0.0 and out[2] == 0.0


def test_threshold_no_neutrino_reaches_gives_zero() -> None:
    # the lighter iodine recoils further than caesium
    T_top = max(float(coh.T_max(DAR.E_max, name)) for name in ("Cs133", "I127"))
    for T_min in (1.01 * T_top, 1.0, 1e4):  # up to T_RECOIL_MAX_MEV
        # zero, with a warning that says why (coherency.KinematicReachWarning)
        with pytest.warns(coh.KinematicReachWarning, match="flux_averaged_sigma"):
            assert coh.flux_averaged_sigma(DAR, "CsI", T_min=T_min) == 0.0
        with pytest.warns(coh.KinematicReachWarning, match="event_rate"):
            assert coh.event_rate(DAR, "CsI", 1.0, 1.0, T_min=T_min) == 0.0
    assert np.all(coh.recoil_spectrum(DAR, "CsI", [T_top * 1.5, 1.0, 1e4]) == 0.0)
    assert np.all(coh.q2_spectrum(DAR, "CsI", [1e7, 4e8]) == 0.0)  # up to Q2_MAX_MEV2
    msg = r"T_min = 1 MeV is above every recoil this source can give"
    with pytest.raises(ValueError, match=msg):
        coh.q2_fwhm(DAR, "CsI", T_min=1.0)


def test_event_rate_window_order() -> None:
    with pytest.raises(ValueError, match=r"T_max must be >= T_min = 0.01 MeV; got 0.001"):
        coh.event_rate(DAR, "CsI", 1.0, 1.0, T_min=0.01, T_max=0.001)
    with pytest.raises(ValueError, match=r"energy_scale='ee' needs quenching"):
        coh.event_rate(DAR, "CsI", 1.0, 1.0, energy_scale="ee")


def test_bad_efficiency_callable() -> None:
    with pytest.raises(ValueError, match=r"efficiency must return values in \[0, 1\]"):
        coh.event_rate(DAR, "CsI", 1.0, 1.0, efficiency=lambda t: 2.0 + 0 * t)
    with pytest.raises(ValueError, match=r"efficiency must return values in \[0, 1\]"):
        coh.event_rate(DAR, "CsI", 1.0, 1.0, efficiency=lambda t: np.nan * t)


def test_callable_form_factor_returning_nan() -> None:
    with pytest.raises(ValueError, match=r"form factor bad returned a non-finite value"):
        def bad(q: np.ndarray) -> np.ndarray:
            return np.full_like(q, np.nan)
        coh.sigma_total(30.0, XE, form_factor=bad)


# ----------------------------------------------------------------------------------
# Extreme but valid floats: no NaN, no inf, no overflow (regression tests)
# ----------------------------------------------------------------------------------
def test_subnormal_and_tiny_energies(backend: str) -> None:
    # q2 = 0: dsigma/dq2 = prefactor Gamma(0) for every E > 0 (was NaN below E ~ 1e-162)
    E = np.array([5e-324, 1e-300, 1e-170, 1e-160, 1.0, 10.0])
    out = coh.dsigma_dq2(0.0, E, XE)
    assert np.all(out == out[-1]) and out[-1] > 0
    # 4 E^2 subnormal: was -inf in the kernel's kinematic factor
    s = coh.sigma_total(np.array([1e-160, 1e-155, 1e-150]), XE, T_min=1e-320)
    assert np.all(np.isfinite(s)) and np.all(s >= 0.0)
    # a subnormal threshold is a zero threshold to double precision
    ref = coh.flux_averaged_sigma(DAR, "CsI", T_min=0.0)
    assert coh.flux_averaged_sigma(DAR, "CsI", T_min=5e-324) == pytest.approx(ref, rel=1e-12)
    rate = coh.event_rate(DAR, "CsI", 1.0, 1.0)
    assert coh.event_rate(DAR, "CsI", 1.0, 1.0, T_min=5e-324) == pytest.approx(rate, rel=1e-9)
    assert coh.event_rate(DAR, "CsI", 1.0, 1.0, T_max=5e-324) == pytest.approx(0.0, abs=1e-300)


def test_huge_arguments_stay_finite(backend: str) -> None:
    M = XE.mass
    for E in (1e150, 1e200, 1e300):
        # T_max -> E and q2_max -> 2 M E for E >> M, E_min -> T for T >> M
        assert coh.T_max(E, M) == pytest.approx(E, rel=1e-12)
        assert coh.E_min(E, M) == pytest.approx(E, rel=1e-12)
        assert coh.T_max(np.array([E, 10.0]), M)[0] == pytest.approx(E, rel=1e-12)
    assert coh.q2_max(1e300, M) == pytest.approx(2.0 * M * 1e300, rel=1e-12)
    assert coh.q2_max(np.array([1e300]), M)[0] == coh.q2_max(1e300, M)
    for q in (1e100, 1e200, 1e300, 1.7e308):
        for ff in (Helm(), KleinNystrand(), SymmetrizedFermi(), Helm(s_fm=0.0)):
            # |3 j1(x)/x| <= 3 (1 + x)/x^3: 0 to within 1e-190 (exactly 0 once qR > 1e100)
            for value in (ff(q, 132), ff(np.array([q, 0.0]), 132)[0]):
                assert abs(value) <= 1e-190
        assert Helm(s_fm=0.0)(1e300, 132) == 0.0
        assert abs(coh.spherical_j1(q)) <= 1.0 / q * 1.0000001
    # the spectra's domain ends at T_RECOIL_MAX_MEV and Q2_MAX_MEV2 (docs/physics.md §12)
    assert coh.recoil_spectrum(DAR, "CsI", 1e4) == 0.0
    assert coh.q2_spectrum(DAR, "CsI", 4e8) == 0.0
    with pytest.raises(ValueError, match=r"^T must be <= 10000 MeV; got 1e\+300"):
        coh.recoil_spectrum(DAR, "CsI", 1e300)
    with pytest.raises(ValueError, match=r"^q2 must be <= 4e\+08 MeV\^2; got 1e\+300"):
        coh.q2_spectrum(DAR, "CsI", 1e300)


@pytest.mark.parametrize("kwargs, match", [
    ({"s_fm": 1e300}, r"^s_fm must be <= 100 fm; got 1e\+300"),
    ({"r_coeff_fm": 1e300}, r"^r_coeff_fm must be <= 100 fm; got 1e\+300"),
    ({"r_coeff_fm": 0.0}, r"Helm radius R0\^2 = -1.25 fm\^2 < 0 for A = 132.*r_coeff_fm = 0,.*"
                          r"c is too small for the skin thickness s_fm"),
])
def test_helm_lengths_out_of_range(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        coh.helm_form_factor(1.0, 132, **kwargs)


def test_absurd_energy_in_sigma_total_is_an_error_not_a_hang(backend: str) -> None:
    # E_NU_MAX_MEV = 1e4 MeV: a few hundred q panels per energy at most; above it a
    # ValueError naming E and the limit (it was a RuntimeError of the kernel naming
    # neither, and 0.0 for 1e308, where q2_max overflowed)
    assert coh.sigma_total(1e4, XE) > 0.0
    for E in (1e4 * (1 + 2e-16), 1e20, 1e200, 1e308):
        with pytest.raises(ValueError, match=r"^E must be <= 10000 MeV; got"):
            coh.sigma_total(E, XE)
        with pytest.raises(ValueError, match=r"^E must be <= 10000 MeV; got"):
            coh.sigma_total(np.array([30.0, E]), XE)


# ----------------------------------------------------------------------------------
# Malformed data files
# ----------------------------------------------------------------------------------
def _good_table_text() -> str:
    return (
        "# provenance line\n# epsilon: 0.045\n"
        "q2,xi,xi_err\n"
        "100.0,0.9,0.1\n"
        "200.0,0.8,0.2\n"
    )


@pytest.mark.parametrize(
    "text, match",
    [
        ("", r"no column-name line"),
        ("# only comments\n# epsilon: 0.045\n", r"no column-name line"),
        ("q2,xi,xi_err\n", r"no data rows under the columns q2, xi, xi_err"),
        ("q2,xi,xi_err\n100.0,0.9\n", r"data row 1 has 2 values, the header 3 columns"),
        ("q2,xi,xi_err\n100.0,0.9,0.1,7\n", r"data row 1 has 4 values"),
        ("q2,xi,xi_err\n100.0,0.9,0.1\n200.0,abc,0.1\n",
         r"data row 2 must hold numbers; got .*'abc'"),
        ("q2,xi,xi_err\n100.0,nan,0.1\n", r"data row 1 must hold finite numbers"),
        ("q2,xi,xi_err\n100.0,inf,0.1\n", r"data row 1 must hold finite numbers"),
    ],
)
def test_read_table_malformed(text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        coherent_release.read_table(text)


def test_read_table_truncated_mid_row() -> None:
    text = _good_table_text()
    ok = coherent_release.read_table(text)
    assert ok.columns["xi"].tolist() == [0.9, 0.8]
    with pytest.raises(ValueError, match=r"data row 2 has 2 values"):
        coherent_release.read_table(text[: text.rindex(",")])


@pytest.mark.parametrize("name", sorted(data.DATASETS))
def test_shipped_tables_parse_and_are_finite(name: str) -> None:
    tab = data.table(name)
    for col in tab.columns.values():
        assert col.size > 0 and np.all(np.isfinite(col))


@pytest.mark.parametrize(
    "corrupt, match",
    [
        (lambda s: "", r"no numeric rows"),
        (lambda s: s[: len(s) // 3].rsplit("\n", 1)[0] + "\n1 2\n", r"expected 3 columns"),
        (lambda s: s + "\n7 0.5 banana\n", r"line \d+: expected 3 numbers; got '7 0.5 banana'"),
        (lambda s: s + "\n7 0.5 nan\n", r"line \d+: values must be finite"),
        (lambda s: s.replace("\n", "\n 12 ", 1), r"(do not form a PE x time grid|expected)"),
    ],
    ids=["empty", "truncated", "non-numeric-row", "nan-row", "shifted"],
)
def test_release_folder_malformed_file(releases, tmp_path, corrupt, match) -> None:
    src = releases / "coherent_csi_2017"
    dst = tmp_path / "release"
    shutil.copytree(src, dst)
    target = dst / "data_anticoincidence_beamOn.txt"
    target.write_text(corrupt(target.read_text()))
    with pytest.raises(ValueError, match=rf"data_anticoincidence_beamOn.txt.*{match}|{match}"):
        coherent_release.read_csi_2017(dst)


def test_release_folder_missing_file(releases, tmp_path) -> None:
    dst = tmp_path / "release"
    shutil.copytree(releases / "coherent_csi_2017", dst)
    (dst / "qfData_tunl.txt").unlink()
    with pytest.raises(ValueError, match=r"qfData_tunl.txt: missing file in the release folder"):
        coherent_release.read_csi_2017(dst)
    with pytest.raises(ValueError, match=r"directory: no such folder"):
        coherent_release.derive_csi_2017(tmp_path / "nowhere")


# ----------------------------------------------------------------------------------
# The argument checks' one pass (all_within, csrc/coh_check.c): compiled = twin =
# the definition, on values at the bounds, NaN, infinities and bad values past the
# first block of the scan.
# ----------------------------------------------------------------------------------
def _within_by_definition(x: np.ndarray, lo: float, hi: float, lo_open: bool) -> bool:
    return all((v > lo if lo_open else v >= lo) and v <= hi for v in x.tolist())


def test_all_within_kernel_compiled_equals_twin_and_definition() -> None:
    if not coh._backend.compiled_available():
        pytest.skip("compiled extension not built")
    from coherency import _kernels, _reference

    tiny = 5e-324
    values = [0.0, -0.0, tiny, -tiny, 1.0, 1.0 + 2e-16, 0.5, math.nan, math.inf, -math.inf,
              1.7976931348623157e308, -1.7976931348623157e308]
    bounds = [(0.0, 1.0), (-1.7976931348623157e308, 1.7976931348623157e308),
              (-math.inf, math.inf), (0.5, 0.5)]
    n_seen = 0
    for n in (1, 7, 1024, 1025, 5000):
        for pos in sorted({0, n // 2, n - 1}):
            for v in values:
                x = np.full(n, 0.5)
                x[pos] = v
                for lo, hi in bounds:
                    for lo_open in (False, True):
                        want = _within_by_definition(x, lo, hi, lo_open)
                        assert _kernels.all_within(x, lo, hi, lo_open) is want, (n, pos, v, lo, hi)
                        assert _reference.all_within(x, lo, hi, lo_open) is want
                        n_seen += 1
    assert n_seen > 1000
    assert _kernels.all_within(np.empty(0), 0.0, 1.0) is True
    big = np.full(200_000, 0.25)  # the paths that release the GIL, on 1 to 3 threads
    for nt in (1, 2, 3):
        assert _kernels.all_within(big, 0.0, 1.0, False, nt) is True
        for pos in (0, 4095, 4096, 100_000, 199_999):  # chunk edges and ends
            bad = big.copy()
            bad[pos] = math.nan
            assert _kernels.all_within(bad, 0.0, 1.0, False, nt) is False
            bad[pos] = 0.0
            assert _kernels.all_within(bad, 0.0, 1.0, True, nt) is False
            assert _reference.all_within(bad, 0.0, 1.0, True, nt) is False


@pytest.mark.parametrize("bad, message", [
    (math.nan, "must not be NaN; got nan at index 5000"),
    (math.inf, "must be finite; got inf at index 5000"),
    (-1.0, "must be >= 0 MeV; got -1.0 at index 5000"),
])
def test_bad_value_deep_in_a_large_array(bad: float, message: str, backend: str) -> None:
    q = np.linspace(0.0, 100.0, 10_000)
    q[5000] = bad
    with pytest.raises(ValueError, match=rf"^q {re.escape(message)}$"):
        coh.helm_form_factor(q, 132)
