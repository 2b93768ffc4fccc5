"""The CEvNS signal of an experiment as a fast function of physics and detector
parameters (docs/physics.md §14, Eqs. (14.8)-(14.10)).

The prediction of a preset (Eq. (11.6)) is linear in the many-body term Gamma at
every true-recoil node. With q_kj = sqrt(2 M_k T_j) on nucleus k,

    dN/dT(T_j) = sum_f sum_k B_fk(T_j) Gamma_fk(q_kj),
    Gamma_fk = 4 [Z_k g_p,f(q) F_Z(q) + N_k g_n,f F_N(q)]^2,              (14.8)

where B_fk is the recoil spectrum of flavour part f on nucleus k per unit Gamma
(form factor 1), computed once. A parameter of interest then changes only Gamma at
the nodes: the weak mixing angle through g_p, the neutron rms radius through F_N, the
suppression xi of a q^2 bin (the coherency analysis) by replacing F_Z = F_N = 1 with
Gamma(F=1) xi in that bin, a model beyond the Standard Model through the couplings.
Each time group (the prompt and delayed neutrinos of a pion source) is folded with
the response matrix and its systematic variants (:class:`ShapeVariant` in observed
space, Eq. (14.3)) and spread over the time bins (Eq. (14.9)), whose fractions move
with a shift of the arrival times (the proton pulse) interpolated from a grid
(Eq. (14.10)). One evaluation costs a few matrix-vector products.

At its default parameters the signal equals :meth:`Experiment.predicted_spectrum`
(the tests check it to 1e-10).
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
from scipy.interpolate import CubicSpline

from .. import _validation
from .._typing import FloatArray
from ..constants import SIN2_THETA_W
from ..couplings import couplings as make_couplings
from ..form_factors import FormFactor, MeasuredRadius, resolve
from ..sources.timing import DAR_FLAVOUR_COMPONENT, GaussianPulse
from ..targets import Nucleus, as_target
from .interpolation import ShapeVariant
from .likelihood import Parameter

__all__ = ["CEvNSSignal", "CouplingModel", "SpectrumModel", "element_symbol"]

#: Neutron rms radii a fit may take (fm): wide enough for any nucleus, small enough
#: for the Helm model (R0^2 = (5/3)(r^2 - 3 s^2) > 0 needs r > sqrt(3) s = 1.56 fm).
RN_LIMITS_FM = (2.0, 12.0)


def element_symbol(nuc: Nucleus) -> str:
    """The element symbol of a nucleus (``Cs`` of Cs133)."""
    return nuc.name.rstrip("0123456789")


class CouplingModel(Protocol):
    """A model beyond the Standard Model that shifts the vector couplings (a fast hook
    of :class:`CEvNSSignal`): non-standard interactions, a light vector mediator.

    ``parameters`` are added to the likelihood; ``shift(values, flavour, q)`` returns
    (delta g_V^p, delta g_V^n) at momentum transfer ``q`` (MeV, array) for a neutrino
    ``flavour`` (``"nue"``, ``"numu"``, ...): numbers or arrays like ``q``.
    """

    parameters: tuple[Parameter, ...]

    def shift(self, values: Mapping[str, float], flavour: str,
              q: FloatArray) -> tuple[Any, Any]: ...


class SpectrumModel(Protocol):
    """A model beyond the Standard Model given as the ``model=`` object of the rates
    (:func:`coherency.recoil_spectrum`): ``parameters`` are added to the likelihood and
    ``build(values)`` returns the object passed as ``model=`` for those values. Slower
    than a :class:`CouplingModel` (the recoil spectrum is recomputed at every
    evaluation) but open to any model the rates know (magnetic moments, scalar
    mediators, oscillations)."""

    parameters: tuple[Parameter, ...]

    def build(self, values: Mapping[str, float]) -> Any: ...


def _node_route(model: Any) -> bool:
    """Whether a spectrum model gives its change at the recoil nodes itself: a method
    ``node_change(experiment, values)`` returning ((flavour, w_j dN/dT change at the
    preset's nodes T_j), ...) per flavour part of the source (the fast route of
    :class:`coherency.bsm.LikelihoodModel`, docs/physics.md Eq. 13.10)."""
    return callable(getattr(model, "node_change", None))


@dataclasses.dataclass
class _Part:
    """One flavour part on one nucleus: B_fk at the nodes and its couplings."""

    flavour: str
    group: str
    k: int                     # index of the nucleus
    base: FloatArray           # w_j B_fk(T_j) (weights included)
    g_p: Any                   # float or array over the nodes (running couplings)
    g_n: float


def _response_at(experiment: Any, response: Any, T: FloatArray) -> FloatArray:
    R = np.asarray(response.matrix(T), dtype=np.float64)
    if experiment.true_efficiency is not None:
        eff = np.asarray(experiment.true_efficiency(T), dtype=np.float64)
        _validation.check_unit_interval(eff, "true_efficiency", T)
        R = R * eff[None, :]
    return R


def _gl_time_nodes(edges: Sequence[float], max_piece: float = 0.025,
                   order: int = 8) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Gauss-Legendre nodes over every time bin (pieces <= max_piece us): (t, weight,
    bin index)."""
    x, w = np.polynomial.legendre.leggauss(order)
    ts, ws, idx = [], [], []
    for b, (a, c) in enumerate(zip(edges[:-1], edges[1:])):
        n = max(1, math.ceil((c - a) / max_piece))
        cuts = np.linspace(a, c, n + 1)
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            ts.append(0.5 * (hi - lo) * x + 0.5 * (hi + lo))
            ws.append(0.5 * (hi - lo) * w)
            idx.append(np.full(order, b))
    return np.concatenate(ts), np.concatenate(ws), np.concatenate(idx)


class CEvNSSignal:
    """Expected CEvNS counts per observed bin of ``experiment`` for given parameters
    (module notes).

    Parameters
    ----------
    experiment : coherency.experiments.Experiment
        The preset: source, target, nodes, response, time bins, form factor and
        couplings of the Standard-Model prediction.
    variants : mapping of str to (Response, Response or None), optional
        Detector systematics: name -> (+1 sigma response, -1 sigma response or None
        for a one-sided variant), e.g. the two quenching directions and the efficiency
        of CsI 2021. Each becomes a unit-Gaussian nuisance parameter of that name.
    time_offset_us : float, optional
        Largest shift of the arrival times (us) a fit may take: the proton pulse
        (a :class:`~coherency.sources.GaussianPulse`) moved by ``t_offset_us``. None:
        no shift.
    q2_edges : array_like, optional
        q^2 bin edges (MeV^2) of the coherency analysis: parameters ``xi_0``, ...
        scale Gamma(F = 1) in each bin; recoils outside keep the Standard-Model form
        factors.
    coupling_model : CouplingModel, optional
        Shifts of the couplings (physics beyond the Standard Model; fast).
    spectrum_model : SpectrumModel, optional
        A ``model=`` object (physics beyond the Standard Model; general): given to
        :func:`coherency.recoil_spectrum` at the nodes when it takes ``model=``, else
        to ``Experiment.predicted_spectrum(model=...)`` with the detector and timing
        nuisances applied as their ratios on the Standard-Model signal. A model with a
        ``node_change(experiment, values)`` method (:class:`coherency.bsm.LikelihoodModel`)
        gives the change of the recoil spectrum at the nodes itself, added to the
        Standard-Model node vectors before the response and its variants (fast).

    Notes
    -----
    Parameters understood by :meth:`__call__` (all optional; missing ones take their
    Standard-Model value): ``sin2_theta_w`` (shifts g_V^p by -2 (s^2 - 0.23857) from the
    scheme's value: the tree-level dependence, radiative corrections kept),
    ``rn_fm`` (the neutron rms radius of every nucleus) or ``rn_<El>_fm`` per element
    (``rn_Cs_fm``, ``rn_I_fm``), ``xi_<k>``, the variant names, ``t_offset_us``, and
    the parameters of the models.
    """

    def __init__(self, experiment: Any, *,
                 variants: Mapping[str, tuple[Any, Any]] | None = None,
                 time_offset_us: float | None = None,
                 q2_edges: Any = None,
                 coupling_model: CouplingModel | None = None,
                 spectrum_model: SpectrumModel | None = None) -> None:
        from ..rates import recoil_spectrum

        self.experiment = experiment
        T, w = experiment.recoil_nodes()
        self.T, self.w = T, w
        self._R0 = experiment.response_matrix()
        self._variant_R: dict[str, tuple[FloatArray, FloatArray | None]] = {}
        for name, pair in (variants or {}).items():
            if not str(name).isidentifier():
                raise ValueError(f"variants: {name!r} is not a valid parameter name")
            plus, minus = pair
            self._variant_R[name] = (_response_at(experiment, plus, T),
                                     None if minus is None
                                     else _response_at(experiment, minus, T))
        tgt = as_target(experiment.target)
        self.nuclei: list[Nucleus] = [nuc for nuc, _ in tgt.components]
        self._q = [np.sqrt(2.0 * nuc.mass * T) for nuc in self.nuclei]
        # form factors of the Standard-Model prediction at the nodes
        ffs = resolve(experiment.form_factor)
        self._ff = ffs
        self._FZ = [np.asarray(ffs.proton(q, nuc), dtype=np.float64)  # type: ignore[arg-type]
                    for q, nuc in zip(self._q, self.nuclei)]
        self._FN = [np.asarray(ffs.neutron(q, nuc), dtype=np.float64)  # type: ignore[arg-type]
                    for q, nuc in zip(self._q, self.nuclei)]
        neutron = ffs.neutron
        self._rn_model: FormFactor | None = (
            neutron.base if isinstance(neutron, MeasuredRadius)
            else neutron if isinstance(neutron, FormFactor) else None)
        self._rn_cache: dict[tuple[int, float], FloatArray] = {}
        # couplings of each flavour part, per unit Gamma spectra per nucleus
        scheme = experiment.couplings or "tree"
        self.scheme = scheme
        parts = experiment.source.flavour_components()
        self._parts: list[_Part] = []
        self.groups: list[str] = []
        per_kg = dict((id(n), x) for n, x in tgt.component_nuclei_per_kg())
        for flavour, part, weight in parts:
            group = (DAR_FLAVOUR_COMPONENT.get(flavour, flavour)
                     if experiment.timing is not None else "all")
            if group not in self.groups:
                self.groups.append(group)
            c = make_couplings(flavour, scheme)
            for k, nuc in enumerate(self.nuclei):
                # mass of the pure nucleus that holds as many nuclei k as the detector
                mass_k = experiment.mass_kg * per_kg[id(nuc)] / as_target(nuc).nuclei_per_kg
                dn = np.asarray(recoil_spectrum(part, nuc, T, mass_k, experiment.time_s,
                                                form_factor="unity", epsilon=0.0),
                                dtype=np.float64)
                base = w * weight * dn / float(nuc.N) ** 2 if nuc.N > 0 else w * 0.0
                g_p = (np.asarray(c.g_p_at(self._q[k]), dtype=np.float64) if c.runs
                       else float(c.g_p))
                self._parts.append(_Part(flavour, group, k, base, g_p, float(c.g_n)))
        self._group_parts = {g: [p for p in self._parts if p.group == g] for g in self.groups}
        # time fractions per group, and their shift with the arrival times
        self._tau0 = {g: (experiment.time_fractions(g if g != "all" else "numu")
                          if experiment.timing is not None else np.ones(1))
                      for g in self.groups}
        self._tau_spline: dict[str, CubicSpline] = {}
        self.time_offset_us: float | None = None
        if time_offset_us is not None:
            self._setup_offsets(_validation.as_float(time_offset_us, "time_offset_us",
                                                     min_value=0.0, exclusive_min=True,
                                                     max_value=10.0, unit="us"))
        # q^2 bins of the coherency analysis
        self.q2_edges: FloatArray | None = None
        self._q2_bin: list[Any] = []
        if q2_edges is not None:
            e = _validation.as_float_array(q2_edges, "q2_edges", min_value=0.0)
            if e.ndim != 1 or e.size < 2:
                raise ValueError(f"q2_edges must be 1-D with at least two edges; got "
                                 f"shape {e.shape}")
            _validation.check_increasing(e, "q2_edges")
            self.q2_edges = np.asarray(e, dtype=np.float64)
            for q in self._q:
                b = np.searchsorted(self.q2_edges, q * q, side="right") - 1
                b[(b < 0) | (b >= e.size - 1)] = -1
                self._q2_bin.append(b)
        self.coupling_model = coupling_model
        self.spectrum_model = spectrum_model
        self._model_route = ""
        if spectrum_model is not None:
            if _node_route(spectrum_model):
                self._model_route = "nodes"
            elif "model" in inspect.signature(recoil_spectrum).parameters:
                self._model_route = "rates"
            elif "model" in inspect.signature(experiment.predicted_spectrum).parameters:
                self._model_route = "experiment"
            else:
                raise ValueError("spectrum_model: neither coherency.recoil_spectrum nor "
                                 "Experiment.predicted_spectrum of this version takes a "
                                 "model= argument; use a CouplingModel")
        self.shape = (self._R0.shape[0], self._tau0[self.groups[0]].size)

    # ---- set-up helpers -----------------------------------------------------------

    def _setup_offsets(self, max_offset: float) -> None:
        timing = self.experiment.timing
        if not isinstance(timing, GaussianPulse):
            raise ValueError(f"time_offset_us: shifting the arrival times needs a "
                             f"GaussianPulse timing; {self.experiment.name} has "
                             f"{type(timing).__name__}")
        edges = self.experiment.time_edges_us
        t, wt, idx = _gl_time_nodes(edges)
        eff = (np.ones_like(t) if self.experiment.timing_efficiency is None
               else np.asarray(self.experiment.timing_efficiency(t), dtype=np.float64))
        n_bins = len(edges) - 1
        offsets = max_offset * np.linspace(-1.0, 1.0, 161)
        offsets[80] = 0.0
        for g in self.groups:
            table = np.empty((offsets.size, n_bins))
            for i, d in enumerate(offsets):
                pulse = dataclasses.replace(timing, mean_us=timing.mean_us + float(d))
                dens = np.asarray(pulse.pdf(g, t), dtype=np.float64) * eff * wt
                table[i] = np.bincount(idx, weights=dens, minlength=n_bins)
            # exact (the preset's quadrature) at 0; the grid carries the change
            zero = table[offsets.size // 2].copy()
            self._tau_spline[g] = CubicSpline(offsets, table - zero[None, :], axis=0)
        self.time_offset_us = max_offset

    def _neutron_ff(self, k: int, radius: float) -> FloatArray:
        if self._rn_model is None:
            raise ValueError("rn: the experiment's neutron form factor has no rms radius "
                             "to vary (a callable form factor)")
        key = (k, radius)
        ff = self._rn_cache.get(key)
        if ff is None:
            model = self._rn_model.with_rms_radius(radius)
            ff = np.asarray(model(self._q[k], self.nuclei[k]), dtype=np.float64)
            if len(self._rn_cache) > 64:
                self._rn_cache.clear()
            self._rn_cache[key] = ff
        return ff

    # ---- what the signal takes ----------------------------------------------------

    @property
    def elements(self) -> tuple[str, ...]:
        """Element symbols of the target (for ``rn_<El>_fm``)."""
        out: list[str] = []
        for nuc in self.nuclei:
            s = element_symbol(nuc)
            if s not in out:
                out.append(s)
        return tuple(out)

    @property
    def variant_names(self) -> tuple[str, ...]:
        return tuple(self._variant_R)

    @property
    def n_q2_bins(self) -> int:
        return 0 if self.q2_edges is None else self.q2_edges.size - 1

    def parameters(self) -> list[Parameter]:
        """The nuisance parameters this signal brings (variants, time offset, models);
        physics parameters are added by the likelihood builders."""
        out = [Parameter(n, 0.0, (-5.0, 5.0), sigma=1.0, doc="detector systematic, +-1 sigma "
                         "templates") for n in self._variant_R]
        for model in (self.coupling_model, self.spectrum_model):
            if model is not None:
                out.extend(model.parameters)
        return out

    # ---- evaluation ---------------------------------------------------------------

    def _gamma(self, part: _Part, values: Mapping[str, float]) -> FloatArray:
        k = part.k
        nuc = self.nuclei[k]
        g_p: Any = part.g_p
        g_n: Any = part.g_n
        s2 = values.get("sin2_theta_w")
        if s2 is not None:
            g_p = g_p - 2.0 * (float(s2) - SIN2_THETA_W)
        if self.coupling_model is not None:
            dp, dn = self.coupling_model.shift(values, part.flavour, self._q[k])
            g_p = g_p + np.asarray(dp, dtype=np.float64)
            g_n = g_n + np.asarray(dn, dtype=np.float64)
        FZ, FN = self._FZ[k], self._FN[k]
        rn = values.get(f"rn_{element_symbol(nuc)}_fm", values.get("rn_fm"))
        if rn is not None:
            FN = self._neutron_ff(k, float(rn))
        gam = 4.0 * (nuc.Z * g_p * FZ + nuc.N * g_n * FN) ** 2
        if self.q2_edges is not None:
            b = self._q2_bin[k]
            inside = b >= 0
            if inside.any():
                xi = np.array([values.get(f"xi_{i}", math.nan) for i in range(self.n_q2_bins)])
                coherent = 4.0 * (nuc.Z * g_p + nuc.N * g_n) ** 2
                coherent = np.broadcast_to(coherent, gam.shape)
                use = inside & ~np.isnan(xi[np.maximum(b, 0)])
                gam = np.where(use, coherent * xi[np.maximum(b, 0)], gam)
        return np.asarray(gam, dtype=np.float64)

    def _node_vectors(self, values: Mapping[str, float]) -> dict[str, FloatArray]:
        """w_j dN/dT(T_j) per time group."""
        out = {g: np.zeros(self.T.size) for g in self.groups}
        if self._model_route == "rates":
            from ..rates import recoil_spectrum

            assert self.spectrum_model is not None
            obj = self.spectrum_model.build(values)
            exp = self.experiment
            for flavour, part, weight in exp.source.flavour_components():
                g = (DAR_FLAVOUR_COMPONENT.get(flavour, flavour) if exp.timing is not None
                     else "all")
                dn = recoil_spectrum(part, exp.target, self.T, exp.mass_kg, exp.time_s,
                                     form_factor=exp.form_factor, couplings=exp.couplings,
                                     model=obj)  # type: ignore[call-arg]
                out[g] += self.w * weight * np.asarray(dn, dtype=np.float64)
            return out
        for g, parts in self._group_parts.items():
            acc = out[g]
            for p in parts:
                acc += p.base * self._gamma(p, values)
        if self._model_route == "nodes":
            exp = self.experiment
            change = self.spectrum_model.node_change(exp, values)  # type: ignore[union-attr]
            for flavour, delta in change:
                g = (DAR_FLAVOUR_COMPONENT.get(flavour, flavour) if exp.timing is not None
                     else "all")
                out[g] = out[g] + np.asarray(delta, dtype=np.float64)
        return out

    def energy(self, values: Mapping[str, float] | None = None) -> dict[str, FloatArray]:
        """Counts per observed energy bin of each time group (before the time split)."""
        vals = values or {}
        out = {}
        for g, v in self._node_vectors(vals).items():
            e = self._R0 @ v
            for name, (Rp, Rm) in self._variant_R.items():
                theta = float(vals.get(name, 0.0))
                if theta != 0.0:
                    var = ShapeVariant(e, Rp @ v, None if Rm is None else Rm @ v)
                    e = e + var.delta(theta)
            out[g] = np.maximum(e, 0.0)
        return out

    def time_fractions(self, group: str, offset_us: float = 0.0) -> FloatArray:
        """Fractions of a time group per time bin for an arrival-time shift."""
        tau = self._tau0[group]
        if offset_us != 0.0:
            if self.time_offset_us is None:
                raise ValueError("t_offset_us: this signal was built without "
                                 "time_offset_us")
            if abs(offset_us) > self.time_offset_us * (1.0 + 1e-12):
                raise ValueError(f"t_offset_us must be within +-{self.time_offset_us:g} us; "
                                 f"got {offset_us!r}")
            tau = np.maximum(tau + self._tau_spline[group](offset_us), 0.0)
        return tau

    def __call__(self, values: Mapping[str, float] | None = None) -> FloatArray:
        """Expected CEvNS counts, shape (energy bins, time bins)."""
        vals = values or {}
        if self._model_route == "experiment":
            # the experiment predicts the model; the detector and timing nuisances act
            # on it as the ratios they make on the Standard-Model signal
            assert self.spectrum_model is not None
            obj = self.spectrum_model.build(vals)
            spec = np.asarray(self.experiment.predicted_spectrum(model=obj),
                              dtype=np.float64)
            sm0 = self._standard({})
            smv = self._standard(vals)
            ratio = np.divide(smv, sm0, out=np.ones_like(sm0), where=sm0 > 0)
            return spec * ratio
        return self._standard(vals)

    def _standard(self, vals: Mapping[str, float]) -> FloatArray:
        offset = float(vals.get("t_offset_us", 0.0))
        total = np.zeros(self.shape)
        for g, e in self.energy(vals).items():
            total += np.outer(e, self.time_fractions(g, offset))
        return total

    # ---- the coherency analysis -----------------------------------------------------

    def q2_templates(self, values: Mapping[str, float] | None = None
                     ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per q^2 bin: (coherent, decoherent, Standard-Model) expected counts in the
        observed bins, shape (n_q2_bins, energy bins, time bins): the signal of the
        recoils in that bin with Gamma at complete coherency (F = 1), at complete
        decoherency (4 (Z g_p^2 + N g_n^2), Sharma & Wong Eq. 3 with alpha = 0) and with
        the Standard-Model form factors; detector and timing parameters from
        ``values``."""
        if self.q2_edges is None:
            raise ValueError("q2_templates: this signal was built without q2_edges")
        vals = dict(values or {})
        K = self.n_q2_bins
        out = np.zeros((3, K, *self.shape))
        offset = float(vals.get("t_offset_us", 0.0))
        for kind in range(3):
            for b in range(K):
                vecs = {g: np.zeros(self.T.size) for g in self.groups}
                for p in self._parts:
                    k = p.k
                    nuc = self.nuclei[k]
                    mask = self._q2_bin[k] == b
                    if not mask.any():
                        continue
                    if kind == 0:
                        gam = 4.0 * (nuc.Z * p.g_p + nuc.N * p.g_n) ** 2
                    elif kind == 1:
                        gam = 4.0 * (nuc.Z * np.asarray(p.g_p) ** 2 + nuc.N * p.g_n ** 2)
                    else:
                        gam = 4.0 * (nuc.Z * p.g_p * self._FZ[k] + nuc.N * p.g_n
                                     * self._FN[k]) ** 2
                    vecs[p.group] += np.where(mask, p.base * gam, 0.0)
                for g, v in vecs.items():
                    e = self._R0 @ v
                    for name, (Rp, Rm) in self._variant_R.items():
                        theta = float(vals.get(name, 0.0))
                        if theta != 0.0:
                            e = e + ShapeVariant(e, Rp @ v, None if Rm is None
                                                 else Rm @ v).delta(theta)
                    out[kind, b] += np.outer(np.maximum(e, 0.0),
                                             self.time_fractions(g, offset))
        return out[0], out[1], out[2]

    def q2_means(self) -> FloatArray:
        """Mean q^2 (MeV^2) of the detected Standard-Model signal in each q^2 bin:
        the nodes weighted by their counts after the response and the time bins."""
        if self.q2_edges is None:
            raise ValueError("q2_means: this signal was built without q2_edges")
        seen = self._R0.sum(axis=0)
        num = np.zeros(self.n_q2_bins)
        den = np.zeros(self.n_q2_bins)
        for p in self._parts:
            k = p.k
            nuc = self.nuclei[k]
            gam = 4.0 * (nuc.Z * p.g_p * self._FZ[k] + nuc.N * p.g_n * self._FN[k]) ** 2
            wgt = p.base * gam * seen * float(self._tau0[p.group].sum())
            b = self._q2_bin[k]
            inside = b >= 0
            q2 = self._q[k] ** 2
            num += np.bincount(b[inside], weights=(wgt * q2)[inside], minlength=self.n_q2_bins)
            den += np.bincount(b[inside], weights=wgt[inside], minlength=self.n_q2_bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            mid = 0.5 * (self.q2_edges[:-1] + self.q2_edges[1:])
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), mid)


def names_for(signal: CEvNSSignal, physics: Sequence[str]) -> list[str]:
    """Expand the physics parameter names a fit asks for (``"rn"`` -> ``rn_fm``,
    ``"rn_each"`` -> one per element, ``"xi"`` -> every q^2 bin)."""
    out: list[str] = []
    for name in physics:
        if name == "rn":
            out.append("rn_fm")
        elif name == "rn_each":
            out.extend(f"rn_{el}_fm" for el in signal.elements)
        elif name == "xi":
            out.extend(f"xi_{i}" for i in range(signal.n_q2_bins))
        else:
            out.append(name)
    return out


def physics_parameter(signal: CEvNSSignal, name: str) -> Parameter:
    """The Parameter of a physics quantity of :class:`CEvNSSignal` at its
    Standard-Model value."""
    if name == "sin2_theta_w":
        return Parameter(name, SIN2_THETA_W, (0.0, 0.6), doc="weak mixing angle at low "
                         "q^2 (tree-level dependence around the scheme's couplings)")
    if name == "rn_fm" or (name.startswith("rn_") and name.endswith("_fm")):
        el = None if name == "rn_fm" else name[3:-3]
        nucs = [n for n in signal.nuclei if el is None or element_symbol(n) == el]
        if not nucs:
            raise ValueError(f"{name}: no element {el!r} in the target; elements: "
                             f"{list(signal.elements)}")
        if signal._rn_model is None:
            raise ValueError(f"{name}: the experiment's neutron form factor has no rms "
                             f"radius to vary")
        neutron = signal._ff.neutron
        r0 = float(np.mean([neutron.rms_radius_fm(n) for n in nucs]))  # type: ignore[union-attr]
        return Parameter(name, r0, RN_LIMITS_FM, unit="fm",
                         doc="neutron rms radius" + (f" of {el}" if el else ""))
    if name.startswith("xi_"):
        i = int(name[3:])
        if not 0 <= i < signal.n_q2_bins:
            raise ValueError(f"{name}: the signal has {signal.n_q2_bins} q2 bins")
        return Parameter(name, 1.0, (0.0, 10.0), doc="cross-section suppression in q2 bin "
                         f"{i} relative to complete coherency")
    raise ValueError(f"unknown physics parameter {name!r}; known: sin2_theta_w, rn_fm, "
                     f"rn_<El>_fm ({', '.join(signal.elements)}), xi_<k>")


