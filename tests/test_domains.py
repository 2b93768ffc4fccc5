"""The documented domains of the arguments (docs/physics.md §12) and what the package
does at and beyond their ends: work and memory bounded before any work starts,
finite numbers or a ValueError naming the argument and the limit everywhere, rates
right up to the largest neutrino energy, batch values independent of chunking."""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import pytest

import coherency as coh
from coherency import _validation, scan, sources
from coherency.analysis import BinCounts, Measurement
from coherency.analysis.projection_presets import reactor_alpha_band
from coherency.detector import Lindhard, lindhard_qf
from coherency.form_factors import Helm, KleinNystrand, SymmetrizedFermi

DAR = sources.PionDAR.coherent_csi_2017()
E_MAX = _validation.E_NU_MAX_MEV


# ----------------------------------------------------------------------------------
# Work and memory bounded before the work starts
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda s: coh.batch_flux_averaged_sigma(s, "Ar"),
    lambda s: coh.batch_event_counts(s, "Ar", 1.0, 1.0),
    lambda s: coh.flux_averaged_sigma(s, "Ar"),
    lambda s: coh.event_rate(s, "Ar", 1.0, 1.0),
    lambda s: coh.recoil_spectrum(s, "Ar", 1e-3),
    lambda s: coh.q2_fwhm(s, "Ar"),
], ids=["batch_sigma", "batch_counts", "sigma", "event_rate", "recoil_spectrum", "q2_fwhm"])
@pytest.mark.parametrize("energy", [E_MAX * (1 + 1e-15), 3e4, 1e12, 1e20, 1e300])
def test_source_energy_beyond_the_domain(call, energy: float) -> None:
    # 1e20 MeV used to grow the batch's memory until the OOM killer; 1e12 gave NaN
    src = sources.Monochromatic(energy, 1.0)
    with pytest.raises(ValueError, match=r"^source: .* neutrino energies must be <= 10000 MeV"):
        call(src)
    both = sources.Tabulated([1.0, 2.0], [1.0, 1.0]) + src
    with pytest.raises(ValueError, match=r"^source: .*<= 10000 MeV"):
        call(both)


@pytest.mark.parametrize("scale", [10.0 * (1 + 1e-15), 1e6, 1e10, 1e300])
def test_radius_scale_beyond_the_domain(scale: float) -> None:
    # 1e6 took 68 s, 1e10 did not finish in 900 s
    for f in (lambda **k: coh.batch_flux_averaged_sigma(DAR, "CsI", **k),
              lambda **k: coh.batch_event_counts(DAR, "CsI", 14.6, 1.0, **k)):
        with pytest.raises(ValueError, match=r"^radius_scale must be <= 10; got"):
            f(radius_scale=scale)
        with pytest.raises(ValueError, match=r"^radius_scale must be <= 10; got .* at index 1"):
            f(radius_scale=[1.0, scale])
    assert coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=10.0) > 0.0


@pytest.mark.parametrize("n_grid, exc, match", [
    (10**12, ValueError, r"^n_grid must be in \[3, 1000000\]; got 1000000000000$"),
    (0, ValueError, r"^n_grid must be in \[3, 1000000\]; got 0$"),
    (2, ValueError, r"^n_grid must be in \[3, 1000000\]; got 2$"),
    (-5, ValueError, r"^n_grid must be in \[3, 1000000\]; got -5$"),
    (4000.0, TypeError, r"^n_grid must be an int in \[3, 1000000\]; got 4000\.0$"),
    (True, TypeError, r"^n_grid must be an int"),
])
def test_q2_fwhm_grid_size(n_grid, exc: type, match: str) -> None:
    # 10**12 asked for 7 TiB; 0 gave "attempt to get argmax of an empty sequence"
    with pytest.raises(exc, match=match):
        coh.q2_fwhm(DAR, "CsI", n_grid=n_grid)
    lo, hi = coh.q2_fwhm(DAR, "CsI", n_grid=3)
    assert 0.0 <= lo < hi


def test_projection_bins_bounded() -> None:
    with pytest.raises(ValueError, match=r"^n_bins must be in \[1, 1000\]; got 1000000000"):
        reactor_alpha_band(n_bins=10**9)


# ----------------------------------------------------------------------------------
# Rates right wherever they are allowed: event_rate = <sigma> x N up to E_NU_MAX
# ----------------------------------------------------------------------------------
# Both sides integrate the same double integral in two orders (event_rate: T outside,
# <sigma>: E outside, q panels); 48-node rules on panels of one oscillation of F^2
# agree to ~2e-15 (measured, both backends, four models, Ar/CsI/Xe, 30 MeV-1e4 MeV);
# 2e-14 (~100 eps) leaves room for the sums' rounding over a few hundred panels.
# (Before the q panels the recoil rule missed 5e-13 of the events at 1e4 MeV.)
RATE_RTOL = 2e-14


@pytest.mark.parametrize("energy", [30.0, 300.0, 3e3, E_MAX])
@pytest.mark.parametrize("target", ["Ar", "CsI"])
@pytest.mark.parametrize("ff", ["helm", "klein-nystrand", "symmetrized-fermi", "unity"])
def test_event_rate_equals_sigma_times_nuclei_up_to_the_limit(energy: float, target: str,
                                                              ff: str, backend: str) -> None:
    # event_rate lost events above a few GeV (0.981 of <sigma> N at 3e4 MeV, 0.025 at
    # 1e5): its recoil rule did not resolve the form factor when T_max >> 1/(M R^2)
    src = sources.Monochromatic(energy, 1e7)
    per_kg = coh.as_target(target).nuclei_per_kg
    for T_min in (0.0, 1e-3):
        want = coh.flux_averaged_sigma(src, target, T_min=T_min, form_factor=ff) * 1e7 * per_kg
        got = coh.event_rate(src, target, 1.0, 1.0, T_min=T_min, form_factor=ff)
        assert got == pytest.approx(want, rel=RATE_RTOL, abs=0.0)
        batch = coh.batch_event_counts(src, target, 1.0, 1.0, T_min=T_min, form_factor=ff)
        assert batch == pytest.approx(want, rel=RATE_RTOL, abs=0.0)


@pytest.mark.parametrize("power", [0.0, 2.0])
def test_event_rate_equals_sigma_times_nuclei_for_a_continuum(power: float,
                                                              backend: str) -> None:
    # a continuum E^-power from 5 GeV to E_NU_MAX_MEV on the nine isotopes of xenon
    E = np.geomspace(5e3, E_MAX, 60)
    src = sources.Tabulated(E, 1e6 / E**power)
    per_kg = coh.as_target("Xe").nuclei_per_kg
    for T_min in (0.0, 1e-3):
        want = coh.flux_averaged_sigma(src, "Xe", T_min=T_min) * src.total_flux * per_kg
        got = coh.event_rate(src, "Xe", 1.0, 1.0, T_min=T_min)
        assert got == pytest.approx(want, rel=RATE_RTOL, abs=0.0)


# ----------------------------------------------------------------------------------
# Finite numbers or a ValueError naming the argument and the limit
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("E", [1e4 * (1 + 1e-15), 1e20, 1e200, 1e308])
def test_cross_sections_refuse_energies_beyond_the_domain(E: float, backend: str) -> None:
    # sigma_total(1e308) was 0.0 (q2_max overflowed), 1e20 a RuntimeError of the kernel
    for call in (lambda e: coh.sigma_total(e, "Ar40"), lambda e: coh.dsigma_dq2(1.0, e, "Ar40"),
                 lambda e: coh.dsigma_dT(1e-3, e, "Ar40")):
        with pytest.raises(ValueError, match=r"^E must be <= 10000 MeV; got"):
            call(E)
    assert math.isfinite(coh.sigma_total(E_MAX, "Ar40"))


def test_recoil_and_q2_beyond_the_domain() -> None:
    with pytest.raises(ValueError, match=r"^T must be <= 10000 MeV; got 1e\+300"):
        coh.dsigma_dT(1e300, 30.0, "Ar40")
    with pytest.raises(ValueError, match=r"^q2 must be <= 4e\+08 MeV\^2; got 1e\+300"):
        coh.dsigma_dq2(1e300, 30.0, "Ar40")
    for name, kwargs in (("T_min", {"T_min": 2e4}), ("T_max", {"T_max": 2e4})):
        with pytest.raises(ValueError, match=rf"^{name} must be <= 10000 MeV"):
            coh.event_rate(DAR, "CsI", 1.0, 1.0, **kwargs)
        with pytest.raises(ValueError, match=rf"^{name} must be <= 10000 MeV"):
            coh.batch_event_counts(DAR, "CsI", 1.0, 1.0, **kwargs)


@pytest.mark.parametrize("make, match", [
    (lambda: KleinNystrand(r_coeff_fm=1e308), r"^r_coeff_fm must be <= 100 fm; got 1e\+308"),
    (lambda: KleinNystrand(a_fm=1e308), r"^a_fm must be <= 100 fm"),
    (lambda: SymmetrizedFermi(a_fm=1e300), r"^a_fm must be <= 100 fm"),
    (lambda: SymmetrizedFermi(r_coeff_fm=1e300), r"^r_coeff_fm must be <= 100 fm"),
    (lambda: SymmetrizedFermi(radius_fm=1e308), r"^radius_fm must be <= 100 fm"),
    (lambda: SymmetrizedFermi(r_offset_fm=-1e300), r"^r_offset_fm must be >= -100 fm"),
    (lambda: Helm(radius_fm=1e308), r"^radius_fm must be <= 100 fm"),
    (lambda: Helm(s_fm=1e200, radius_fm=1.0), r"^s_fm must be <= 100 fm"),
    (lambda: Helm().with_rms_radius(1e300), r"^r_rms_fm must be <= 100 fm"),
    # lengths in range whose derived radius is not: named with A and the limit
    (lambda: KleinNystrand(r_coeff_fm=50.0)(1.0, 40),
     r"^Klein-Nystrand radius R_A = 170\.998 fm for A = 40 must be <= 100 fm"),
    (lambda: Helm()(1.0, 1e30), r"^Helm radius R0 = 1.2e\+10 fm for A = 1e\+30 must be <= 100"),
    (lambda: coh.helm_form_factor(1.0, 1e300), r"^Helm radius R0 = 1.2e\+100 fm for A = 1e\+300"),
])
def test_form_factor_lengths_beyond_the_domain(make, match: str) -> None:
    # these gave NaN (F(0) of KleinNystrand(r_coeff_fm=1e308)) or 0.0 silently
    with pytest.raises(ValueError, match=match):
        make()


def test_helm_r_coeff_zero_names_r_coeff() -> None:
    with pytest.raises(ValueError, match=r"r_coeff_fm = 0,.*c is too small"):
        coh.helm_form_factor(1.0, 132, r_coeff_fm=0)


def test_exposures_and_huge_fluxes(backend: str) -> None:
    for kwargs, name in (({"mass_kg": 1e308}, "mass_kg"), ({"time_s": 1e300}, "time_s")):
        call = {"mass_kg": 1.0, "time_s": 1.0, **kwargs}
        # NaN or -inf before
        with pytest.raises(ValueError, match=rf"^{name} must be <= 1e\+12"):
            coh.batch_event_counts(DAR, "CsI", call["mass_kg"], call["time_s"])
        with pytest.raises(ValueError, match=rf"^{name} must be <= 1e\+12"):
            coh.event_rate(DAR, "CsI", call["mass_kg"], call["time_s"])
    # arguments inside their domains whose product leaves the float range
    bright = sources.Monochromatic(30.0, 1e300)
    for call in (lambda: coh.event_rate(bright, "CsI", 1e12, 1e12),
                 lambda: coh.batch_event_counts(bright, "CsI", 1e12, 1e12),
                 lambda: coh.batch_event_counts(bright, "CsI", 1e12, 1e12,
                                                radius_scale=[1.0, 1.1], T_min=[0.0, 1e-3]),
                 lambda: coh.batch_event_counts(bright, "CsI", 1e12, 1e12, T_max=[1e-2, 2e-2]),
                 lambda: coh.q2_spectrum(sources.Monochromatic(30.0, 1e308), "CsI",
                                         [1.0, 2.0], 1e12, 1e12),
                 lambda: coh.recoil_spectrum(bright, "CsI", 1e-3, 1e12, 1e12)):
        with pytest.raises(ValueError, match=r"is not finite \(it exceeds the float range\)"):
            call()
    assert math.isfinite(coh.event_rate(bright, "CsI", 1.0, 1.0))


def test_kinematics_without_overflow() -> None:
    # q2_max(30, 1e308) was inf: 4 E^2 M overflowed before the division
    assert coh.q2_max(30, 1e308) == pytest.approx(3600.0, rel=1e-15)
    assert coh.q2_max(np.array([30.0]), 1e308)[0] == pytest.approx(3600.0, rel=1e-15)
    # E_min = [T + sqrt(T (T + 2M))]/2 with T + 2M beyond the float range: inf before
    assert coh.E_min(1e-3, 1.7e308) == pytest.approx(
        0.5e-3 + 0.5 * math.sqrt(2.0 * 1e-3) * math.sqrt(1.7e308), rel=1e-15, abs=0.0)
    for call, name in ((lambda: coh.q2_min(1.0, 1e308), "q2_min"),
                       (lambda: coh.q2_max(1e200, 1e200), "q2_max"),
                       (lambda: coh.q2_max(np.array([1.0, 1e200]), 1e200), "q2_max")):
        with pytest.raises(ValueError, match=rf"^{name} exceeds the float range"):
            call()


def test_lindhard_quenching_stays_finite() -> None:
    # lindhard_qf(1e308, ...) was NaN (inf/inf)
    with pytest.raises(ValueError, match=r"^T_nr_keV must be <= 1e\+07 keV; got 1e\+308"):
        lindhard_qf(1e308, 32, 72.6)
    assert lindhard_qf(1e7, 32, 72.6) < 1.0
    assert lindhard_qf(1.0, 32, k=1e308) == 1.0
    with pytest.raises(ValueError, match=r"^T_nr_MeV must be <= 10000 MeV"):
        Lindhard(32, 72.6)(1e300)


def test_measurement_of_hydrogen_and_reversed_edges() -> None:
    # alpha was -inf for 1H (xi_dec = 1); reversed edges were accepted
    with pytest.raises(ValueError, match=r"^nucleus: xi_dec = .* = 1 for H1"):
        Measurement([100.0], [0.9], [0.1], "H1")
    with pytest.raises(ValueError, match=r"^q2_hi must be >= q2_lo; got q2_hi = 100\.0 MeV\^2 "
                                         r"< q2_lo = 200\.0 MeV\^2 at index 1"):
        Measurement([100.0, 150.0], [0.9, 0.9], [0.1, 0.1], "Xe132", q2_lo=[50.0, 200.0],
                    q2_hi=[150.0, 100.0])


def test_poisson_counts_bounded_and_accurate() -> None:
    # counts of 1e308 gave NaN p-values and a brentq error
    with pytest.raises(ValueError, match=r"^on must be <= 1e\+15; got 1e\+308"):
        BinCounts([1e308], [1.0], [1.0], [10.0])
    with pytest.raises(ValueError, match=r"^predicted must be <= 1e\+15"):
        BinCounts([1.0], [1.0], [1.0], [1e300])


def _z_reference(n: float, m: float, tau: float, pred: float, xd: float, a0: float) -> float:
    """The signed root of -2 ln lambda of Measurement's Poisson model at 60 digits."""
    mpmath.mp.dps = 60
    n, m, tau, pred, xd, a0 = (mpmath.mpf(v) for v in (n, m, tau, pred, xd, a0))
    s0 = pred * (a0 + (1 - a0) * xd)
    bq = (1 + tau) * s0 - n - m
    b = (-bq + mpmath.sqrt(bq * bq + 4 * (1 + tau) * m * s0)) / (2 * (1 + tau))

    def nll(mu_on: mpmath.mpf, mu_off: mpmath.mpf) -> mpmath.mpf:
        return mu_on - n * mpmath.log(mu_on) + mu_off - m * mpmath.log(mu_off)

    q = 2 * (nll(s0 + b, tau * b) - nll(n, m))
    a_hat = ((n - m / tau) / pred - xd) / (1 - xd)
    return float(mpmath.sign(a_hat - a0) * mpmath.sqrt(max(q, 0)))


@pytest.mark.parametrize("n", [1e3, 1e9, 1e12, 1e15])
def test_poisson_z_to_1e8_up_to_count_max(n: float) -> None:
    # the difference of two log-likelihoods of size n ln n cost z ~0.1 at 1e12 counts
    # and 0.4 at 1e15; the deviance form keeps ~sqrt(n) eps
    c = BinCounts([n], [n / 2], [1.0], [n / 2])
    m = Measurement([1e3], [1.0], [0.1], "Xe132", counts=c)
    xd = float(m.xi_dec[0])
    for d in (1e-1, 1e-3, 1e-5):
        a0 = 1.0 - d * min(1.0, 10.0 / math.sqrt(n))
        got = float(m.z_score(a0, method="poisson")[0])
        assert got == pytest.approx(_z_reference(n, n / 2, 1.0, n / 2, xd, a0), abs=1e-8)


# ----------------------------------------------------------------------------------
# Messages and acceptance
# ----------------------------------------------------------------------------------
def test_quenching_factor_in_unit_interval() -> None:
    # 2.0 was accepted
    for qf in (2.0, 1.0 + 1e-15):
        with pytest.raises(ValueError, match=r"^quenching must be <= 1; got"):
            coh.event_rate(DAR, "CsI", 1.0, 1.0, T_min=1e-3, energy_scale="ee", quenching=qf)
        with pytest.raises(ValueError, match=r"^quenching must be <= 1; got"):
            coh.detector.nr_from_ee_MeV(1e-3, qf)
    assert coh.event_rate(DAR, "CsI", 1.0, 1.0, T_min=1e-3, energy_scale="ee",
                          quenching=1.0) == coh.event_rate(DAR, "CsI", 1.0, 1.0, T_min=1e-3)


@pytest.mark.parametrize("model, match", [
    (lambda t: np.full(np.shape(t), np.nan), r"^quenching: the model returned nan at T_nr"),
    (lambda t: -0.1 * np.asarray(t), r"^quenching: the model returned -"),
    (lambda t: 0.1 * np.asarray(t) + 1e-3, r"^quenching: the model gives 0\.001 MeV at T_nr = 0"),
])
def test_bad_quenching_models_are_named(model, match: str) -> None:
    # an offset gave brentq's "f(a) and f(b) must have different signs"; a negative
    # model gave 0 events silently
    with pytest.raises(ValueError, match=match):
        coh.event_rate(DAR, "CsI", 1.0, 1.0, T_min=1e-4, energy_scale="ee", quenching=model)


@pytest.mark.parametrize("efficiency, exc, match", [
    (lambda t: [0.5, 0.5], ValueError,
     r"^efficiency must return one value per recoil energy \(shape \(\d+,\)\) or a scalar; "
     r"got shape \(2,\)"),
    (0.5, TypeError, r"^efficiency must be a callable of the recoil energy"),
    (lambda t: "high", TypeError, r"^efficiency must return real numbers; got 'high'"),
    (lambda t: 1.5 + 0 * t, ValueError, r"^efficiency must return values in \[0, 1\]; got 1\.5"),
])
def test_bad_efficiency_is_named(efficiency, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        coh.event_rate(DAR, "CsI", 1.0, 1.0, efficiency=efficiency)
    assert coh.event_rate(DAR, "CsI", 1.0, 1.0, efficiency=lambda t: 0.5) == pytest.approx(
        0.5 * coh.event_rate(DAR, "CsI", 1.0, 1.0), rel=1e-15, abs=0.0)


@pytest.mark.parametrize("call, name", [
    (lambda x: coh.sigma_total(x, "Ar40"), "E"),
    (lambda x: coh.helm_form_factor(x, 132), "q"),
    (lambda x: coh.q2_max(x, 37000.0), "E"),
    (lambda x: coh.recoil_spectrum(DAR, "CsI", x), "T"),
    (lambda x: coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=x), "radius_scale"),
])
def test_masked_arrays_are_refused(call, name: str) -> None:
    # the mask was dropped silently: the hidden values were used
    masked = np.ma.masked_array([0.5, -1.0], mask=[False, True])
    with pytest.raises(TypeError, match=rf"^{name}: masked arrays are not accepted"):
        call(masked)


# ----------------------------------------------------------------------------------
# Batch values do not depend on the chunking of a scan
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("func", ["sigma", "counts"])
def test_batch_values_independent_of_chunk_size(func: str, backend: str) -> None:
    # the q grid followed the largest radius scale and the lowest threshold of the
    # batch: values differed by up to 3e-15 between chunk sizes
    rng = np.random.default_rng(7)
    scale = rng.uniform(0.5, 2.0, 40)
    T = rng.uniform(0.0, 0.02, 40)

    def f(radius_scale: np.ndarray, T_min: np.ndarray) -> np.ndarray:
        if func == "sigma":
            return np.asarray(coh.batch_flux_averaged_sigma(DAR, "CsI", radius_scale=radius_scale,
                                                            T_min=T_min))
        return np.asarray(coh.batch_event_counts(DAR, "CsI", 14.6, 1.0,
                                                 radius_scale=radius_scale, T_min=T_min))

    whole = f(scale, T)
    for chunk in (1, 3, 16, 39):
        assert np.array_equal(scan.grid(f, radius_scale=scale, T_min=T, chunk_size=chunk), whole)
    assert all(f(scale[i:i + 1], T[i:i + 1])[0] == whole[i] for i in (0, 17, 39))


# ----------------------------------------------------------------------------------
# The table of docs/physics.md is the code's
# ----------------------------------------------------------------------------------
def test_domain_table_matches_the_constants() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "physics.md").read_text(encoding="utf-8")
    section = doc[doc.index("## 12. Domains of the arguments"):]
    for name in ("E_NU_MAX_MEV", "T_RECOIL_MAX_MEV", "Q2_MAX_MEV2", "LENGTH_MAX_FM",
                 "RADIUS_SCALE_MAX", "MASS_KG_MAX", "TIME_S_MAX", "COUNT_MAX",
                 "N_GRID_RANGE", "N_BINS_RANGE"):
        assert re.search(rf"`{name}`", section), name
    assert _validation.E_NU_MAX_MEV == 1e4 and _validation.LENGTH_MAX_FM == 100.0
    assert _validation.Q2_MAX_MEV2 == 4e8 and _validation.RADIUS_SCALE_MAX == 10.0


# ----------------------------------------------------------------------------------
# Every numeric argument of every public function and method: 10**400 is a
# ValueError naming the argument (it was numpy's OverflowError for 85 of them)
# ----------------------------------------------------------------------------------
_FILL = {"source": DAR, "target": "Ar40", "nucleus": "Ar40", "E": 30.0, "q2": 100.0,
         "T": 1e-3, "mass_kg": 1.0, "time_s": 1.0, "A": 40, "Z": 18, "q": 10.0, "x": 1.0,
         "xi": [0.9], "xi_err": [0.1], "alpha": 0.5, "phi": 0.5, "mass": 37000.0,
         "T_min": 0.0, "T_nr_keV": 1.0, "T_nr_MeV": 1e-3, "T_ee_MeV": 1e-3,
         "quenching": 0.2, "F_Z": 0.9, "F_N": 0.9, "exposure": 1.0, "r_rms_fm": 4.0,
         "energy": 30.0, "n_pot": 1e20, "exposure_time_s": 1.0, "distance_m": 20.0,
         "power_GW": 1.0, "cl": 0.9, "qf": 0.2, "a": 0.1, "b": 0.5, "c": 10.0,
         "b_per_keV": 1e-3, "light_yield_pe_per_keV": 13.35}
# the name a message uses where it differs from the parameter's
_ALIASES = {"T_ee_MeV": "T_ee"}


def _numeric_calls():
    import importlib
    import inspect
    import pkgutil

    from coherency.analysis.projection_presets import reactor_germanium

    mods = [coh] + [importlib.import_module(m.name)
                    for m in pkgutil.walk_packages(coh.__path__, prefix="coherency.")
                    if not m.name.split(".")[-1].startswith("_")
                    and m.name not in ("coherency.cli", "coherency.plotting")]
    callables = {}
    for mod in mods:
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name, None)
            if callable(obj):
                callables.setdefault(id(obj), (f"{mod.__name__}.{name}", obj))
    instances = {"Measurement": Measurement([1e3], [0.9], [0.1], "Xe132",
                                            counts=BinCounts([10.0], [5.0], [1.0], [8.0])),
                 "Helm": Helm(), "KleinNystrand": KleinNystrand(),
                 "SymmetrizedFermi": SymmetrizedFermi(), "Lindhard": Lindhard(32, 72.6),
                 "Experiment": reactor_germanium(), "PionDAR": DAR,
                 "Reactor": sources.Reactor(1.0, 20.0), "Supernova": sources.Supernova()}
    for label, inst in instances.items():
        for name in dir(inst):
            if name.startswith("_") and name != "__call__":
                continue
            obj = getattr(inst, name, None)
            if callable(obj) and not isinstance(obj, type):
                callables.setdefault(id(obj), (f"{label}.{name}", obj))
    out = []
    for label, obj in callables.values():
        try:
            params = [p for p in inspect.signature(obj).parameters.values()
                      if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        except (TypeError, ValueError):
            continue
        if any(p.default is p.empty and p.name not in _FILL for p in params):
            continue
        base = {p.name: _FILL[p.name] for p in params if p.default is p.empty}
        for p in params:
            numeric = isinstance(_FILL.get(p.name), (int, float, list)) or type(p.default) in (
                int, float)
            if numeric and p.name != "n_threads":
                out.append((label, obj, base, p.name))
    return out


def test_huge_int_anywhere_is_a_value_error_naming_the_argument() -> None:
    import warnings

    with warnings.catch_warnings():  # dir() reads deprecated properties (Source.E_min)
        warnings.simplefilter("ignore", DeprecationWarning)
        calls = _numeric_calls()
    assert len(calls) >= 85
    failures = []
    for label, obj, base, name in calls:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                obj(**{**base, name: 10**400})
                failures.append(f"{label}({name}=10**400): accepted")
            except ValueError as exc:
                if not str(exc).startswith(_ALIASES.get(name, name)):
                    failures.append(f"{label}({name}=10**400): {exc}")
            except TypeError as exc:  # arguments that take names or objects, not numbers
                if "int" not in str(exc) or "OverflowError" in repr(exc):
                    failures.append(f"{label}({name}=10**400): {exc!r}")
            except Exception as exc:
                failures.append(f"{label}({name}=10**400): {exc!r}")
    assert not failures, "\n".join(failures)
