"""Linear tables (``Tabulated(kind="linear")``): closed-form flux moments, the product
rule and the E-outer event rate, against scipy.quad of the piecewise-linear flux."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from scipy import integrate

import coherency as coh
from coherency import _backend, _flux_moments, _quadrature, sources
from coherency.targets import nucleus

# Each reference below is adaptive quadrature at epsrel 1e-12 on every knot interval;
# the closed forms and the product rule are exact up to rounding, which grows with the
# number of knots (~n eps): 1e-11 holds with a margin for 301 knots.
RTOL = 1e-11


def _table(n: int, lo: float = 0.2, hi: float = 10.0, seed: int = 7) -> sources.Tabulated:
    """A reactor-like table with a rough, random structure between its knots."""
    rng = np.random.default_rng(seed)
    E = np.linspace(lo, hi, n)
    return sources.Tabulated(E, np.exp(-E / 2.0) * (1.0 + 0.5 * rng.random(n)))


def _phi(src: sources.Tabulated):  # type: ignore[no-untyped-def]
    E, f = np.array(src.E), np.array(src.flux_values)
    return lambda e: float(np.interp(e, E, f, left=0.0, right=0.0))


def _quad_pieces(fn, lo: float, src: sources.Tabulated, cuts=()) -> float:  # type: ignore[no-untyped-def]
    """int_lo^top fn dE by scipy.quad on each knot interval (and at ``cuts``)."""
    pts = sorted({lo, *(e for e in (*src.E, *cuts) if e > lo)})
    return sum(integrate.quad(fn, a, b, epsabs=0, epsrel=1e-12)[0]
               for a, b in zip(pts[:-1], pts[1:]))


@pytest.mark.parametrize("lo", [0.0, 0.2])
def test_flux_moments_closed_form(lo: float) -> None:
    src = _table(41, lo=lo)
    phi = _phi(src)
    x = np.array([1e-3, 0.1, 0.2, 0.20001, 1.37, 5.0, 9.999999, 10.0, 12.0])
    F0, F2 = _flux_moments.flux_moments(src, x)
    for xi, f0, f2 in zip(x, F0, F2):
        start = max(xi, src.E[0])
        want0 = _quad_pieces(phi, start, src)
        want2 = _quad_pieces(lambda e: phi(e) / e**2, start, src)
        assert f0 == pytest.approx(want0, rel=RTOL, abs=0)
        assert f2 == pytest.approx(want2, rel=RTOL, abs=0)
    # at x = 0: F0 is the total; F2 diverges for a table from E = 0 with flux there
    F0, F2 = _flux_moments.flux_moments(src, np.array([0.0, src.E[0]]))
    assert F0[0] == pytest.approx(src.continuum_flux_integral(), rel=1e-14)
    assert F2[0] == (np.inf if lo == 0.0 else F2[1])
    # and the spectrum at T = 0 is finite (q^2 F2 -> 0), just above its value at 1e-9 MeV
    dn = coh.recoil_spectrum(src, "Ge72", [0.0, 1e-9])
    assert np.all(np.isfinite(dn)) and dn[0] > dn[1] > 0.0


def test_product_rule_is_exact_for_polynomials_and_does_not_grow() -> None:
    for n in (3, 301, 6001):
        src = _table(n)
        E, w = _quadrature.table_rule(src, 1.3, (4.0,))
        # panels [1.3, 4] and [4, 10] (a factor < 4 each): TABLE_ORDER nodes per panel,
        # whatever the number of knots
        assert E.size == 2 * _quadrature.TABLE_ORDER
        phi = _phi(src)
        for g in (lambda e: e**5 - 3.0 * e, np.sin, lambda e: 1.0 / e**2):
            want = _quad_pieces(lambda e, g=g, phi=phi: phi(e) * g(e), 1.3, src, (4.0,))
            # 6001 random knots: rounding ~ n eps
            assert np.dot(w, g(E)) == pytest.approx(want, rel=RTOL if n < 1000 else 1e-10)


def _event_rate_quad(src, target: str, a: float, b: float | None = None,  # type: ignore[no-untyped-def]
                     efficiency=None) -> float:
    """Events per kg and second: int Phi(E) int_a^min(b, T_max(E)) dsigma/dT eff dT dE,
    nested scipy.quad (sigma_total for the inner integral without efficiency), with
    the compiled cross sections where they are built (the twin's take seconds)."""
    with coh.use_backend("compiled" if _backend.compiled_available() else "numpy"):
        return _event_rate_quad_on(src, target, a, b, efficiency)


@functools.lru_cache
def _reference_rate(n: int, target: str, a: float, b: float | None) -> float:
    return _event_rate_quad(_table(n), target, a, b)


def _event_rate_quad_on(src, target: str, a: float, b: float | None,  # type: ignore[no-untyped-def]
                        efficiency) -> float:
    phi = _phi(src)
    total = 0.0
    for nuc, per_kg in coh.target(target).component_nuclei_per_kg():
        M = nuc.mass

        def inner(e: float, nuc=nuc, M=M) -> float:  # type: ignore[no-untyped-def]
            top = coh.T_max(e, M) if b is None else min(b, coh.T_max(e, M))
            if top <= a:
                return 0.0
            if efficiency is None:
                upper = coh.sigma_total(e, nuc, T_min=b) if b is not None else 0.0
                return coh.sigma_total(e, nuc, T_min=a) - upper
            return integrate.quad(lambda T: coh.dsigma_dT(T, e, nuc) * efficiency(T),
                                  a, top, epsabs=0, epsrel=1e-12)[0]

        cuts = [coh.E_min(b, M)] if b is not None else []
        lo = coh.E_min(a, M) if a > 0 else 0.0
        total += per_kg * _quad_pieces(lambda e, inner=inner: phi(e) * inner(e), lo, src, cuts)
    return total


@pytest.mark.parametrize("target", ["Ar40", "Ge"])
@pytest.mark.parametrize("window", [(1e-4, None), (0.0, None), (2e-4, 1e-3)])
def test_event_rate_vs_quad(backend: str, target: str, window: tuple) -> None:
    n = 301 if target == "Ar40" else 31
    a, b = window
    got = coh.event_rate(_table(n), target, 2.0, 3.0, T_min=a, T_max=b)
    assert got == pytest.approx(6.0 * _reference_rate(n, target, a, b), rel=RTOL, abs=0)


def test_event_rate_with_efficiency_and_quenching(backend: str) -> None:
    src = _table(20)
    qf = 0.2

    def eff(T_ee):  # type: ignore[no-untyped-def]
        return 1.0 - np.exp(-np.asarray(T_ee) / 1e-4)

    got = coh.event_rate(src, "Ge", 1.0, 1.0, T_min=qf * 1e-4, T_max=qf * 2e-3,
                         efficiency=eff, quenching=qf, energy_scale="ee")
    want = _event_rate_quad(src, "Ge", 1e-4, 2e-3, lambda T: eff(qf * T))
    assert got == pytest.approx(want, rel=RTOL, abs=0)


def test_sums_with_tables_and_flavours(backend: str) -> None:
    table = _table(101, hi=8.0)
    reactor = sources.Reactor(power_GW=2.9, distance_m=28.0)
    args = ("Ge", 1.0, 1.0)
    both = coh.event_rate(table + reactor, *args, T_min=1e-4)
    assert both == pytest.approx(coh.event_rate(table, *args, T_min=1e-4)
                                 + coh.event_rate(reactor, *args, T_min=1e-4), rel=1e-13)
    # the spectrum integrates to the rate (T outside, a panel per knot image)
    ge = nucleus("Ge72")
    T_top = coh.T_max(8.0, ge.mass)
    kinks = sorted(coh.T_max(e, ge.mass) for e in table.E if 1e-4 < coh.T_max(e, ge.mass) < T_top)
    want = sum(integrate.quad(lambda T: float(coh.recoil_spectrum(table, ge, T)), x0, x1,
                              epsabs=0, epsrel=1e-12)[0]
               for x0, x1 in zip([1e-4, *kinks], [*kinks, T_top]))
    assert coh.event_rate(table, ge, 1.0, 1.0, T_min=1e-4) == pytest.approx(want, rel=1e-10)
    # flavour-dependent couplings: the table's one flavour part
    nue = sources.Tabulated(table.E, table.flux_values, flavour="nuebar")
    pdg = coh.event_rate(nue, *args, T_min=1e-4, couplings="pdg")
    assert pdg == pytest.approx(coh.event_rate(nue + reactor, *args, T_min=1e-4,
                                               couplings="pdg")
                                - coh.event_rate(reactor, *args, T_min=1e-4, couplings="pdg"),
                                rel=1e-12)


def test_flux_averaged_sigma_large_table() -> None:
    src = _table(3001, hi=50.0)
    phi = _phi(src)
    xe = nucleus("Xe132")
    T_min = 5e-3
    got = coh.flux_averaged_sigma(src, xe, T_min=T_min)
    E_thr = coh.E_min(T_min, xe.mass)
    with coh.use_backend("compiled" if _backend.compiled_available() else "numpy"):
        want = _quad_pieces(lambda e: phi(e) * coh.sigma_total(e, xe, T_min=T_min), E_thr,
                            src)
    assert got == pytest.approx(want / src.total_flux, rel=1e-10, abs=0)


def test_subclass_with_its_own_flux_is_not_a_table() -> None:
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class Bumped(sources.Tabulated):
        def _continuum(self, E):  # type: ignore[no-untyped-def]
            return super()._continuum(E) * (1.0 + 0.5 * np.sin(E))

    src = Bumped(np.linspace(1.0, 20.0, 5), np.ones(5))
    assert _quadrature.linear_table(src) is None
    assert _quadrature.linear_table(sources.Tabulated([0.0, 1.0, 2.0, 3.0],
                                                      [0.0, 1.0, 1.0, 0.0], kind="cubic")) is None
    phi = lambda e: float(src.flux(e))  # noqa: E731
    got = coh.flux_averaged_sigma(src, "Ar40")
    want = _quad_pieces(lambda e: phi(e) * coh.sigma_total(e, "Ar40"), 1.0, src)
    assert got == pytest.approx(want / src.total_flux, rel=1e-8)
