"""The engine of the models: kernel records, flavour parts, the q rule of the rates.

The public functions (:func:`coherency.dsigma_dT`, :func:`coherency.event_rate`, ...)
compute the Standard Model as they always do and add the change a model brings,
computed here with the kernels of csrc/coh_bsm.c (docs/physics.md §13). A model with
all its parameters zero changes nothing: its change is exactly 0, so the result is
the Standard Model's bit for bit.

Rates are folded with q outside and E inside (docs/physics.md §6.4): at fixed q the E
integral is analytic in the flux moments F_k(x) = integral_x Phi E^-k dE
(x = E_min(q)), so a rate is one integral in q. Its rule (:func:`q_rule`) has panels
cut at the images of the source's breakpoints and lines, no wider than one
oscillation of F^2, and doubling in width from the lower end (from the model's
smallest mass scale over 8 when the lower end is 0), so that propagators
1/(q^2 + m^2) of any mass and the 1/q^2 of a magnetic moment or a millicharge are
integrated to ~1e-13.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _backend, _validation
from .._cache import memoize
from .._flux_moments import flux_moments
from .._records import BSMSpec
from ..couplings import check_scheme, flavour_of
from ..couplings import couplings as couplings_of
from ..cross_sections import GL_W, GL_X, _panel_dq
from ..form_factors import FormFactor, NuclearFormFactors
from ..kinematics import E_min_flat, q2_max_of
from ..sources._base import Source
from ..targets import Nucleus
from .models import (
    Model,
    _Shift,
    as_models,
    combined_shift,
    flavour_dependent,
    needs_threshold,
    spec,
)

FloatArray = np.ndarray


# ---- kernel records -------------------------------------------------------------

def sm_amplitude(flavour: str, couplings: Any, epsilon: Any, Z: int, N: int
                 ) -> tuple[float, float, tuple[tuple[float, float], ...]]:
    """(wz, wn, running) of the Standard-Model amplitude a = 2 (Z g_V^p F_Z + N g_V^n F_N)
    = wz F_Z - wn F_N (+ the running of g_V^p), docs/physics.md Eq. (9.1)."""
    scheme = check_scheme(couplings, epsilon)
    if scheme in (None, "tree"):
        eps = _validation.check_epsilon(epsilon)
        return eps * Z, float(N), ()
    c = couplings_of(flavour, scheme)
    return 2.0 * Z * c.g_p, -2.0 * N * c.g_n, c.running


@memoize("bsm kernel records", per_backend=False)
def nucleus_spec(models: tuple[Model, ...], flavour: str, nuc: Nucleus,
                 ffs: NuclearFormFactors, couplings: Any, epsilon: Any) -> BSMSpec:
    """The kernel record of ``models`` for one flavour on one nucleus."""
    if not (isinstance(ffs.proton, FormFactor) and isinstance(ffs.neutron, FormFactor)):
        raise TypeError("model: the models need model form factors (names or FormFactor "
                        "instances), not Python callables")
    wz, wn, running = sm_amplitude(flavour, couplings, epsilon, nuc.Z, nuc.N)
    return spec(combined_shift(models, flavour), float(nuc.mass), nuc.Z, nuc.N,
                ffs.proton.kernel_params(nuc), ffs.neutron.kernel_params(nuc), wz, wn,
                running)


def check_model(model: Any) -> tuple[Model, ...]:
    """``model=`` as a tuple of models (:func:`coherency.bsm.models.as_models`)."""
    return as_models(model)


def shifts(models: tuple[Model, ...]) -> list[_Shift]:
    return [combined_shift(models, f) for f in ("e", "mu", "tau")]


_FLOORS: dict[tuple[Model, ...], float] = {}


def check_threshold(models: tuple[Model, ...], lowest: float, name: str) -> None:
    """Refuse a lowest recoil energy of 0 where the model diverges there."""
    if lowest > 0.0:
        return
    if any(needs_threshold(s) for s in shifts(models)):
        raise ValueError(f"{name} must be > 0 MeV with this model: a massless mediator, a "
                         f"millicharge or a magnetic moment makes dsigma/dT diverge at "
                         f"T = 0; got {lowest!r}")


def floor_scale(models: tuple[Model, ...]) -> float:
    """Smallest momentum scale of the models over 8 (MeV), 0 without one: where the
    rules start doubling when they start from q = 0 (coh_bsm_floor)."""
    cached = _FLOORS.get(models)
    if cached is not None:
        return cached
    scales = []
    for s in shifts(models):
        for _, _, m2, lep in s.terms:
            if m2 > 0:
                scales.append(math.sqrt(m2))
            if lep > 0:
                scales.append(lep)
        if s.scalar is not None and s.scalar[2] > 0:
            scales.append(math.sqrt(s.scalar[2]))
    value = min(scales) / 8.0 if scales else 0.0
    if len(_FLOORS) < 4096:
        _FLOORS[models] = value
    return value


def flavour_parts(source: Any, couplings: Any, models: tuple[Model, ...]
                  ) -> list[tuple[str | None, Any, float]]:
    """(flavour, part, weight) of the source: one part, flavour None, when neither the
    couplings nor the models depend on the flavour; else its flavour components."""
    if check_scheme(couplings, None) in (None, "tree") and not flavour_dependent(models):
        return [(None, source, 1.0)]
    comps = getattr(source, "flavour_components", None)
    if comps is None:
        raise ValueError(f"model: {getattr(source, 'name', source)!r} has no "
                         f"flavour_components(); a flavour-dependent model needs them")
    try:
        parts = comps()
    except ValueError as exc:
        raise ValueError(f"model: a flavour-dependent model needs the source's flavours: "
                         f"{exc}") from None
    return [(flavour_of(f), part, float(w)) for f, part, w in parts]


def flavour_for(flavour: str | None) -> str:
    """The flavour whose record a flavour-blind part uses (any gives the same)."""
    return "e" if flavour is None else flavour


# ---- flux moments ------------------------------------------------------------------

@dataclass(frozen=True, eq=True)
class EnergyWeighted(Source):
    """A source's flux times E (lines too): its F2 moment is the source's
    F1(x) = integral_x Phi/E dE, which the magnetic moment needs."""

    source: Any

    def _continuum(self, E: FloatArray) -> FloatArray:
        return E * np.asarray(self.source.flux(E), dtype=np.float64)

    def continuum_flux_integral(self) -> float:
        return self._integrate_pieces()

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return tuple(self.source.breakpoints)

    @property
    def lines(self) -> tuple[tuple[float, float], ...]:
        return tuple((e, f * e) for e, f in self.source.lines)

    @property
    def name(self) -> str:
        return f"E x {getattr(self.source, 'name', 'source')}"


def moments(source: Any, x: FloatArray, need_f1: bool, n_threads: int = 1
            ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """F0, F1, F2 at x (F1 zero unless needed)."""
    F0, F2 = flux_moments(source, x, n_threads)
    if need_f1:
        _, F1 = flux_moments(EnergyWeighted(source), x, n_threads)
    else:
        F1 = np.zeros_like(F0)
    return F0, F1, F2


# ---- the q rule of the rates ------------------------------------------------------

def _kinks(source: Any, mass: float) -> list[float]:
    energies = [float(b) for b in source.breakpoints] + [float(e) for e, _ in source.lines]
    return sorted({math.sqrt(q2_max_of(e, mass)) for e in energies if e > 0})


@memoize("bsm q rules")
def q_rule(source: Any, mass: float, q_lo: float, q_hi: float, panel_dq: float,
           floor: float) -> tuple[FloatArray, FloatArray]:
    """Nodes q (MeV) and weights of integral_{q_lo}^{min(q_hi, q_top)} f(q) dq (module
    notes); the panel below each kink and below the top uses the map
    q = b - (b - a)(1 - t)^2 (ends like a power of b - q become smooth)."""
    kinks = _kinks(source, mass)
    top = min(q_hi, kinks[-1]) if kinks else 0.0
    if not top > q_lo:
        return np.empty(0), np.empty(0)
    edges = {q_lo, top, *(k for k in kinks if q_lo < k < top)}
    start = q_lo if q_lo > 0 else floor
    if start > 0:
        e = start if q_lo == 0 else 2.0 * start
        while e < top:
            edges.add(e)
            e *= 2.0
    ends = set(kinks) | {top}
    cuts = sorted(edges)
    t = 0.5 * (GL_X + 1.0)
    qs, ws = [], []
    for a, b in zip(cuts[:-1], cuts[1:]):
        n = max(1, math.ceil((b - a) / panel_dq)) if panel_dq > 0 else 1
        for k in range(n):
            lo = a + (b - a) * k / n
            hi = b if k == n - 1 else a + (b - a) * (k + 1) / n
            if k == n - 1 and b in ends:
                s = 1.0 - t
                qs.append(hi - (hi - lo) * s * s)
                ws.append(GL_W * (hi - lo) * s)
            else:
                qs.append(0.5 * (lo + hi) + 0.5 * (hi - lo) * GL_X)
                ws.append(0.5 * (hi - lo) * GL_W)
    q, w = np.concatenate(qs), np.concatenate(ws)
    q.setflags(write=False)
    w.setflags(write=False)
    return q, w


@memoize("bsm folded nodes")
def folded_nodes(source: Any, mass: float, q_lo: float, q_hi: float, panel_dq: float,
                 floor: float, need_f1: bool) -> tuple[FloatArray, ...]:
    """(q2, weight x 2q, F0, F1, F2) at the nodes of :func:`q_rule`: sum(weight x 2q x
    dN/dq2(q2)) is the integral of dN/dq2 over q2."""
    q, w = q_rule(source, mass, q_lo, q_hi, panel_dq, floor)
    q2 = q * q
    x = E_min_flat(q2 / (2.0 * mass), mass)
    F0, F1, F2 = moments(source, x, need_f1)
    out = (np.ascontiguousarray(q2), np.ascontiguousarray(2.0 * q * w), F0, F1, F2)
    for arr in out:
        arr.setflags(write=False)
    return out


def parts(rec: BSMSpec, q2: FloatArray, F0: FloatArray, F1: FloatArray, F2: FloatArray,
          n_threads: int = 1) -> tuple[FloatArray, FloatArray]:
    """lin, quad of the kernel (csrc/coh_bsm.h) at q2 with moments F_k."""
    lin = np.empty(q2.size)
    quad = np.empty(q2.size)
    _backend.kernels().bsm_parts(rec, np.ascontiguousarray(q2), np.ascontiguousarray(F0),
                                 np.ascontiguousarray(F1), np.ascontiguousarray(F2), lin,
                                 quad, n_threads)
    return lin, quad


@memoize("bsm panel widths", per_backend=False)
def panel_width(ffs: NuclearFormFactors, nuc: Nucleus) -> float:
    """One oscillation of F^2 in q (MeV), the widest panel of the rules."""
    return _panel_dq(ffs, nuc)


def folded_change(models: tuple[Model, ...], flavour: str | None, part: Any, nuc: Nucleus,
                  ffs: NuclearFormFactors, couplings: Any, epsilon: Any, q_lo: float,
                  q_hi: float, efficiency: Any = None, n_threads: int = 1) -> float:
    """integral dq^2 of the change of dN/dq2 between q_lo and q_hi (MeV), per target
    nucleus and unit exposure (cm^2 x flux); ``efficiency`` None or a function of the
    recoil energy T (MeV) at the nodes, returning an array."""
    rec = nucleus_spec(models, flavour_for(flavour), nuc, ffs, couplings, epsilon)
    q2, wq, F0, F1, F2 = folded_nodes(part, float(nuc.mass), float(q_lo), float(q_hi),
                                      panel_width(ffs, nuc), floor_scale(models),
                                      rec.pm != 0.0)
    if q2.size == 0:
        return 0.0
    lin, quad = parts(rec, q2, F0, F1, F2, n_threads)
    w = wq if efficiency is None else wq * efficiency(q2 / (2.0 * nuc.mass))
    return float(np.dot(w, lin + quad))
