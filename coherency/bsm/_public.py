"""The ``model=`` path of the public cross sections and rates (docs/physics.md §13).

Each function computes the Standard Model through the public function itself
(``model=None``) and adds the change the model brings (:mod:`coherency.bsm._engine`),
so a model with all its parameters zero returns the Standard Model's bits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _backend, _validation
from .._quadrature import check_source, total_flux
from .._typing import FloatOrArray
from ..couplings import flavour_of
from ..cross_sections import GL_W, GL_X
from ..form_factors import resolve
from ..kinematics import E_min_flat, T_max_of
from ..targets import as_target
from . import _engine
from .models import flavour_dependent


def _flavour(flavour: Any, couplings: Any, models: tuple[Any, ...]) -> str | None:
    """The flavour of a one-energy function: required when the couplings or the model
    depend on it."""
    if flavour is not None:
        return flavour_of(flavour)
    if flavour_dependent(models):
        raise ValueError("flavour: the model depends on the neutrino flavour; give "
                         "flavour='e', 'mu' or 'tau' (or 'nue', 'numubar', ...)")
    return None


def _no_alpha(alpha: Any) -> None:
    if alpha is not None:
        raise ValueError("alpha: Gamma_QM(alpha) (Sharma & Wong Eq. 3) is a Standard-Model "
                         "many-body term; give either alpha or model")


def _add(base: FloatOrArray, delta: np.ndarray, shape: tuple[int, ...]) -> FloatOrArray:
    if isinstance(base, float) and not shape:
        return base + float(delta[0])
    return np.asarray(base, dtype=np.float64) + delta.reshape(shape)


def dsigma(x: Any, E: Any, nucleus: Any, form_factor: Any, alpha: Any, epsilon: Any,
           n_threads: int, couplings: Any, flavour: Any, model: Any,
           recoil: bool) -> FloatOrArray:
    """dsigma/dT (recoil) or dsigma/dq2 with a model."""
    from ..cross_sections import dsigma_dq2, dsigma_dT

    models = _engine.check_model(model)
    _no_alpha(alpha)
    flv = _flavour(flavour, couplings, models)
    sm = dsigma_dT if recoil else dsigma_dq2
    base = sm(x, E, nucleus, form_factor, None, epsilon, n_threads, couplings, flavour)
    nt = _validation.check_threads(n_threads)
    name = "T" if recoil else "q2"
    xa = (_validation.check_recoil_energy(x, name, n_threads=nt) if recoil
          else _validation.check_q2(x, name, n_threads=nt))
    Ea = _validation.check_neutrino_energy(E, "E", n_threads=nt)
    xb, Eb = _validation.broadcast((name, xa), ("E", Ea))
    xf, Ef = (np.ascontiguousarray(a.reshape(-1)) for a in (xb, Eb))
    if xf.size:
        _engine.check_threshold(models, float(np.min(xf)), name)
    tgt, ffs = as_target(nucleus), resolve(form_factor)
    delta = np.zeros(xf.size)
    kern = _backend.kernels()
    for nuc, fraction in tgt.components:
        rec = _engine.nucleus_spec(models, _engine.flavour_for(flv), nuc, ffs, couplings,
                                   epsilon)
        out = np.empty(xf.size)
        with np.errstate(over="ignore"):
            q2 = 2.0 * nuc.mass * xf if recoil else xf
        kern.bsm_dsigma_dq2(np.ascontiguousarray(q2), Ef, rec, out, nt)
        delta += fraction * ((2.0 * nuc.mass) * out if recoil else out)
    return _add(base, delta, xb.shape)


def sigma_total(E: Any, target: Any, T_min: Any, form_factor: Any, alpha: Any,
                epsilon: Any, n_threads: int, couplings: Any, flavour: Any,
                model: Any) -> FloatOrArray:
    """sigma(E; T_min) with a model."""
    from ..cross_sections import sigma_total as sm

    models = _engine.check_model(model)
    _no_alpha(alpha)
    flv = _flavour(flavour, couplings, models)
    base = sm(E, target, T_min, form_factor, None, epsilon, n_threads, couplings, flavour)
    nt = _validation.check_threads(n_threads)
    Ea = _validation.check_neutrino_energy(E, "E", n_threads=nt)
    Ta = _validation.check_recoil_energy(T_min, "T_min", n_threads=nt)
    Eb, Tb = _validation.broadcast(("E", Ea), ("T_min", Ta))
    Ef, Tf = (np.ascontiguousarray(a.reshape(-1)) for a in (Eb, Tb))
    if Tf.size:
        _engine.check_threshold(models, float(np.min(Tf)), "T_min")
    tgt, ffs = as_target(target), resolve(form_factor)
    delta = np.zeros(Ef.size)
    kern = _backend.kernels()
    for nuc, fraction in tgt.components:
        rec = _engine.nucleus_spec(models, _engine.flavour_for(flv), nuc, ffs, couplings,
                                   epsilon)
        out = np.empty(Ef.size)
        with np.errstate(over="ignore"):
            q2_min = np.ascontiguousarray(2.0 * nuc.mass * Tf)
        kern.bsm_sigma(Ef, q2_min, rec, _engine.panel_width(ffs, nuc), GL_X, GL_W, out, nt)
        delta += fraction * out
    return _add(base, delta, Eb.shape)


def flux_averaged_sigma(source: Any, target: Any, T_min: float, form_factor: Any,
                        epsilon: Any, n_threads: int, couplings: Any, model: Any) -> float:
    from ..rates import flux_averaged_sigma as sm

    models = _engine.check_model(model)
    base = sm(source, target, T_min, form_factor, epsilon, n_threads, couplings)
    source = check_source(source)
    T = _validation.check_recoil_scalar(T_min, "T_min")
    _engine.check_threshold(models, T, "T_min")
    nt = _validation.check_threads(n_threads)
    tgt, ffs = as_target(target), resolve(form_factor)
    acc = 0.0
    for flavour, part, weight in _engine.flavour_parts(source, couplings, models):
        for nuc, fraction in tgt.components:
            acc += fraction * weight * _engine.folded_change(
                models, flavour, part, nuc, ffs, couplings, epsilon,
                math.sqrt(2.0 * nuc.mass * T), math.inf, None, nt)
    value = base + acc / total_flux(source)
    _validation.check_finite_result(value, "flux_averaged_sigma", "the model's couplings "
                                    "give cross sections beyond the float range")
    return value


def spectrum(source: Any, target: Any, x: Any, mass_kg: Any, time_s: Any, form_factor: Any,
             epsilon: Any, n_threads: int, couplings: Any, model: Any,
             recoil: bool) -> FloatOrArray:
    """dN/dT (recoil) or dN/dq2 with a model."""
    from ..rates import _exposure, q2_spectrum, recoil_spectrum

    models = _engine.check_model(model)
    sm = recoil_spectrum if recoil else q2_spectrum
    base = sm(source, target, x, mass_kg, time_s, form_factor, epsilon, n_threads, couplings)
    source = check_source(source)
    nt = _validation.check_threads(n_threads)
    name = "T" if recoil else "q2"
    xa = (_validation.check_recoil_energy(x, name, n_threads=nt) if recoil
          else _validation.check_q2(x, name, n_threads=nt))
    flat = np.ascontiguousarray(_validation.flat(xa))
    if flat.size:
        _engine.check_threshold(models, float(np.min(flat)), name)
    tgt, ffs = as_target(target), resolve(form_factor)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    delta = np.zeros(flat.size)
    for flavour, part, weight in _engine.flavour_parts(source, couplings, models):
        E_top = float(part.E_max)
        for nuc, per_kg in tgt.component_nuclei_per_kg():
            mass = float(nuc.mass)
            rec = _engine.nucleus_spec(models, _engine.flavour_for(flavour), nuc, ffs,
                                       couplings, epsilon)
            # above the reach nothing: clip there (no overflow for a huge T)
            if recoil:
                T = np.minimum(flat, 2.0 * T_max_of(E_top, mass))
                q2 = 2.0 * mass * T
            else:
                q2 = np.minimum(flat, 4.0 * mass * T_max_of(E_top, mass))
                T = q2 / (2.0 * mass)
            F0, F1, F2 = _engine.moments(part, E_min_flat(T, mass), rec.pm != 0.0, nt)
            lin, quad = _engine.parts(rec, q2, F0, F1, F2, nt)
            scale = weight * per_kg * m * t * (2.0 * mass if recoil else 1.0)
            delta += scale * (lin + quad)
    out = np.asarray(base, dtype=np.float64).reshape(-1) + delta
    _validation.check_finite_result(out, "recoil_spectrum" if recoil else "q2_spectrum",
                                    "reduce mass_kg x time_s, the source's flux or the "
                                    "model's couplings")
    return _validation.restore_shape(out, xa.shape)


def event_rate(source: Any, target: Any, mass_kg: float, time_s: float, T_min: float,
               T_max: float | None, efficiency: Callable[[np.ndarray], Any] | None,
               quenching: Any, energy_scale: str, form_factor: Any, epsilon: Any,
               n_threads: int, couplings: Any, model: Any) -> float:
    from ..detector.quenching import nr_from_ee_MeV
    from ..rates import _apply_response, _exposure
    from ..rates import event_rate as sm

    models = _engine.check_model(model)
    base = sm(source, target, mass_kg, time_s, T_min, T_max, efficiency, quenching,
              energy_scale, form_factor, epsilon, n_threads, couplings)
    source = check_source(source)
    nt = _validation.check_threads(n_threads)
    tgt, ffs = as_target(target), resolve(form_factor)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    scale = _validation.check_choice(energy_scale, "energy_scale", ("nr", "ee"))
    lo = _validation.check_recoil_scalar(T_min, "T_min")
    hi = None if T_max is None else _validation.check_recoil_scalar(T_max, "T_max")
    _engine.check_threshold(models, lo, "T_min")
    q_resp = quenching if scale == "ee" else None

    def eff(T: np.ndarray) -> np.ndarray:
        return np.asarray(_apply_response(T, efficiency, q_resp), dtype=np.float64)

    parts = _engine.flavour_parts(source, couplings, models)
    E_top = float(source.E_max)
    total = 0.0
    for nuc, per_kg in tgt.component_nuclei_per_kg():
        T_top = T_max_of(E_top, float(nuc.mass))
        a, b = lo, (T_top if hi is None else min(hi, T_top))
        if scale == "ee":
            a = nr_from_ee_MeV(lo, quenching, T_top)
            b = T_top if hi is None else nr_from_ee_MeV(hi, quenching, T_top)
        if not b > a:
            continue
        q_lo, q_hi = math.sqrt(2.0 * nuc.mass * a), math.sqrt(2.0 * nuc.mass * b)
        for flavour, part, weight in parts:
            total += per_kg * weight * _engine.folded_change(
                models, flavour, part, nuc, ffs, couplings, epsilon, q_lo, q_hi,
                None if efficiency is None else eff, nt)
    counts = base + total * m * t
    _validation.check_finite_result(counts, "event_rate", "reduce mass_kg x time_s, the "
                                    "source's flux or the model's couplings")
    return counts

