"""What an experiment preset is, and how it predicts its data (docs/physics.md §11).

An :class:`Experiment` joins a neutrino source (with its exposure), the arrival-time
structure of a pulsed source, a target and its mass, a detector response
(:class:`coherency.detector.Response`), the observed bins (energy x time) and the
published numbers it is checked against. Its prediction is Eq. (11.6):

    counts[b, c] = sum_f  sum_j R[b, j] w_j dN_f/dT(T_j)  x  tau_f[c],

f the flavour parts of the source (:meth:`~coherency.sources.Source.flavour_components`,
each with its couplings), (T_j, w_j) a Gauss-Legendre rule in true recoil energy with
panels cut at every kink of dN/dT, R the response matrix and tau_f the fraction of
part f arriving in time bin c under the timing efficiency (Eq. 10.4).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _validation
from .._quadrature import recoil_rule
from .._typing import FloatArray
from ..kinematics import T_max_of
from ..sources.timing import DAR_FLAVOUR_COMPONENT
from ..targets import as_target

__all__ = ["Experiment", "Published"]


@dataclass(frozen=True)
class Published:
    """A published number: value, its lower and upper 1-sigma errors, unit, reference.

    ``err_lo`` and ``err_hi`` are the sizes of the errors (both >= 0); a symmetric
    error has them equal.
    """

    value: float
    err_lo: float
    err_hi: float
    unit: str
    reference: str
    note: str = ""

    def __post_init__(self) -> None:
        _validation.as_float(self.value, "value")
        _validation.as_float(self.err_lo, "err_lo", min_value=0.0)
        _validation.as_float(self.err_hi, "err_hi", min_value=0.0)

    def as_dict(self) -> dict[str, Any]:
        """Numbers as numbers (for JSON)."""
        return {"value": self.value, "err_lo": self.err_lo, "err_hi": self.err_hi,
                "unit": self.unit, "reference": self.reference, "note": self.note}


def _edges(values: Any, name: str) -> tuple[float, ...]:
    arr = _validation.as_float_array(values, name, unit="us")
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{name} must be 1-D with at least two edges; got shape {arr.shape}")
    _validation.check_increasing(arr, name)
    return tuple(float(v) for v in arr)


@dataclass(frozen=True, eq=False)
class Experiment:
    """An experiment and data set: everything needed to predict its observed bins.

    Parameters
    ----------
    name : str
        The preset's name (``coherency.experiments.load(name)``).
    title : str
        One line: the experiment, detector and data set.
    source : coherency.sources.Source
        The neutrino source of the whole exposure: a fluence (then ``time_s = 1``) or a
        steady flux (then ``time_s`` is the live time).
    target : str or Target
        Detector material.
    mass_kg : float, kg
        Target mass (> 0).
    time_s : float, s
        Exposure time of a steady source; 1 for a fluence.
    response : coherency.detector.Response
        Quenching, resolution, efficiency and the observed bins in the observable.
    timing : GaussianPulse or BinnedTiming, optional
        Arrival times of a pulsed source (None: a steady source, one time bin).
    time_edges_us : array_like, us, optional
        Observed time bins (required with ``timing``).
    timing_efficiency : callable, optional
        eps(t_us) in [0, 1] of the arrival time.
    true_efficiency : callable, optional
        eps(T_nr_MeV) in [0, 1] applied to the true recoil energy (an efficiency a
        release gives per nuclear-recoil energy), before the response.
    form_factor, couplings
        Defaults of the prediction (``form_factor=``, ``couplings=`` of
        :func:`coherency.recoil_spectrum`).
    T_lo_MeV : float, MeV
        Lowest true recoil energy of the quadrature (below it nothing is seen).
    published : mapping of str to Published
        The publication's numbers (``"predicted_counts"``, ``"flux_averaged_sigma"``,
        ``"fitted_counts"``, ...).
    inputs : mapping of str to str
        Every input with its reference (documentation).
    """

    name: str
    title: str
    source: Any
    target: Any
    mass_kg: float
    time_s: float
    response: Any
    timing: Any = None
    time_edges_us: tuple[float, ...] | None = None
    timing_efficiency: Callable[[Any], Any] | None = None
    true_efficiency: Callable[[Any], Any] | None = None
    form_factor: Any = "helm-measured"
    couplings: str | None = "pdg"
    T_lo_MeV: float = 1e-4
    published: Mapping[str, Published] = field(default_factory=dict)
    inputs: Mapping[str, str] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "target", as_target(self.target))
        _validation.as_float(self.mass_kg, "mass_kg", min_value=0.0, exclusive_min=True,
                             unit="kg")
        _validation.as_float(self.time_s, "time_s", min_value=0.0, exclusive_min=True,
                             unit="s")
        _validation.as_float(self.T_lo_MeV, "T_lo_MeV", min_value=0.0, exclusive_min=True,
                             unit="MeV")
        if (self.timing is None) != (self.time_edges_us is None):
            raise ValueError("timing and time_edges_us come together: a pulsed source needs "
                             "both, a steady source neither")
        if self.time_edges_us is not None:
            object.__setattr__(self, "time_edges_us", _edges(self.time_edges_us,
                                                             "time_edges_us"))
        for name in ("timing_efficiency", "true_efficiency"):
            f = getattr(self, name)
            if f is not None and not callable(f):
                raise TypeError(f"{name} must be a callable or None; got {f!r}")

    # ---- the quadrature and the response -----------------------------------------

    def _edge_recoils(self, top: float) -> list[float]:
        """The true recoil energies (MeV) whose mean observable is an observed bin edge:
        where a narrow resolution makes the response step."""
        from ..detector.quenching import nr_from_ee_MeV
        from ..detector.resolution import NoSmearing

        if not isinstance(self.response.resolution, NoSmearing):
            return []  # a smeared response is smooth in T: no cut needed
        y = self.response.light_yield
        out = []
        for x in self.response.edges:
            e_ee_MeV = (x / y if y is not None else x) * 1e-3
            if e_ee_MeV > 0.0:
                out.append(nr_from_ee_MeV(e_ee_MeV, self.response.quenching, top))
        return out

    def recoil_nodes(self) -> tuple[FloatArray, FloatArray]:
        """(T_j, w_j): the rule in true recoil energy (MeV) from ``T_lo_MeV`` to the
        largest recoil, panels cut at the recoil end points of every line and
        breakpoint of the source on every nucleus of the target and, without smearing,
        at the recoils whose observable is a bin edge (computed once)."""
        if "nodes" not in self._cache:
            kinks = {float(T_max_of(float(e), float(nuc.mass)))
                     for nuc, _ in self.target.components
                     for e in (*self.source.breakpoints,
                               *(line[0] for line in self.source.lines))
                     if e > 0}
            top = max(kinks)
            if not top > self.T_lo_MeV:
                raise ValueError(f"T_lo_MeV = {self.T_lo_MeV:g} MeV is above every recoil "
                                 f"the source can give ({top:g} MeV)")
            kinks.update(self._edge_recoils(top))
            edges = sorted({self.T_lo_MeV, *(k for k in kinks if self.T_lo_MeV < k < top),
                            top})
            self._cache["nodes"] = recoil_rule(edges)
        return self._cache["nodes"]

    def response_matrix(self, n_threads: int = 1) -> FloatArray:
        """R[b, j] at :meth:`recoil_nodes`, times the true-recoil efficiency (computed
        once; docs/physics.md Eq. 11.5)."""
        if "R" not in self._cache:
            T, _ = self.recoil_nodes()
            R = self.response.matrix(T, n_threads)
            if self.true_efficiency is not None:
                eff = np.asarray(self.true_efficiency(T), dtype=np.float64)
                _validation.check_unit_interval(eff, "true_efficiency", T)
                R = R * eff[None, :]
            self._cache["R"] = R
        return self._cache["R"]

    def time_fractions(self, flavour: str) -> FloatArray:
        """tau[c]: the fraction of a flavour part arriving in each time bin, under the
        timing efficiency (docs/physics.md Eq. 10.4); [1] for a steady source."""
        if self.timing is None:
            return np.ones(1)
        key = "tau:" + DAR_FLAVOUR_COMPONENT.get(flavour, flavour)
        if key not in self._cache:
            comp = DAR_FLAVOUR_COMPONENT.get(flavour, flavour)
            e = self.time_edges_us
            assert e is not None
            self._cache[key] = np.array([
                self.timing.fraction(comp, (a, b), self.timing_efficiency)
                for a, b in zip(e[:-1], e[1:])])
        return self._cache[key]

    # ---- predictions ------------------------------------------------------------

    def _parts(self, couplings: Any, model: Any = None) -> tuple[tuple[str, Any, float], ...]:
        if couplings in (None, "tree") and self.timing is None and model is None:
            return (("all", self.source, 1.0),)
        if "parts" not in self._cache:  # new objects on every call of the source
            self._cache["parts"] = tuple(self.source.flavour_components())
        return self._cache["parts"]

    def predicted_spectrum(self, *, form_factor: Any = None, couplings: Any = "default",
                           epsilon: float | None = None, n_threads: int = 1,
                           by_flavour: bool = False, model: Any = None) -> Any:
        """CEvNS counts per observed bin (docs/physics.md Eq. 11.6).

        Parameters
        ----------
        form_factor, couplings
            Override the preset's (``couplings=None``: tree level).
        epsilon : float, optional
            1 - 4 sin^2 theta_W of tree-level couplings (``couplings=None`` or
            ``"tree"`` only; default ``constants.EPSILON_DEFAULT``).
        n_threads : int
            Threads of the compiled loops; the result does not depend on it.
        by_flavour : bool
            Return a dict flavour -> array instead of the sum.
        model : coherency.bsm model or tuple of models, optional
            Physics beyond the Standard Model (:mod:`coherency.bsm`), applied to each
            flavour part of the source (``model=bsm.VectorMediator(10.0, 1e-9)``); None:
            the Standard Model. A model with all its parameters zero gives the
            Standard Model's numbers bit for bit. For grids of model parameters,
            :func:`coherency.bsm.experiment_grid` is much faster than a loop.

        Returns
        -------
        ndarray, shape (n_energy_bins, n_time_bins)
            Counts; one time bin for a steady source.
        """
        ff = self.form_factor if form_factor is None else form_factor
        cp = self.couplings if couplings == "default" else couplings
        from ..rates import recoil_spectrum

        T, w = self.recoil_nodes()
        R = self.response_matrix(n_threads)
        out: dict[str, FloatArray] = {}
        for flavour, part, weight in self._parts(cp, model):
            dn = np.asarray(recoil_spectrum(part, self.target, T, self.mass_kg, self.time_s,
                                            form_factor=ff, couplings=cp, epsilon=epsilon,
                                            n_threads=n_threads, model=model),
                            dtype=np.float64)
            energy = R @ (w * weight * dn)
            spec = np.outer(energy, self.time_fractions(flavour))
            out[flavour] = out[flavour] + spec if flavour in out else spec
        if by_flavour:
            return out
        return sum(out.values())

    def recoil_weights(self, *, form_factor: Any = None, couplings: Any = "default",
                       epsilon: float | None = None, n_threads: int = 1) -> FloatArray:
        """W[b, j]: the counts of observed energy bin b (summed over the time bins) that
        come from true-recoil node j of :meth:`recoil_nodes` (docs/physics.md Eq. 11.6
        before the sum over j). ``W.sum(axis=1)`` is ``predicted_spectrum().sum(axis=1)``;
        a row, as a distribution over T_j, gives the true recoil energies (and
        q^2 = 2 M T) an observed bin samples. Arguments as :meth:`predicted_spectrum`."""
        ff = self.form_factor if form_factor is None else form_factor
        cp = self.couplings if couplings == "default" else couplings
        from ..rates import recoil_spectrum

        T, w = self.recoil_nodes()
        R = self.response_matrix(n_threads)
        col = np.zeros(T.size)
        for flavour, part, weight in self._parts(cp):
            dn = np.asarray(recoil_spectrum(part, self.target, T, self.mass_kg, self.time_s,
                                            form_factor=ff, couplings=cp, epsilon=epsilon,
                                            n_threads=n_threads), dtype=np.float64)
            col += w * weight * dn * float(np.sum(self.time_fractions(flavour)))
        return np.asarray(R * col[None, :], dtype=np.float64)

    def predicted_counts(self, **kwargs: Any) -> float:
        """CEvNS events in the publication's region of interest: the sum of
        :meth:`predicted_spectrum` (same keyword arguments, ``model=`` included)."""
        return float(np.sum(self.predicted_spectrum(**kwargs)))

    def flux_averaged_sigma(self, *, form_factor: Any = None, couplings: Any = "default",
                            T_min: float = 0.0, model: Any = None) -> float:
        """<sigma> per nucleus over the source's spectrum (cm^2), no detector response:
        the number experiments quote as the Standard-Model flux-averaged cross section
        (with ``model``, the model's)."""
        from ..rates import flux_averaged_sigma

        ff = self.form_factor if form_factor is None else form_factor
        cp = self.couplings if couplings == "default" else couplings
        return flux_averaged_sigma(self.source, self.target, T_min=T_min, form_factor=ff,
                                   couplings=cp, model=model)

    # ---- fits to the data release (coherency.inference, docs/physics.md §14) -------

    def likelihood(self, **options: Any) -> Any:
        """The binned likelihood of this experiment's data release
        (:func:`coherency.inference.experiment_fit.likelihood`; options: those of
        :func:`~coherency.inference.csi_2021_likelihood` or
        :func:`~coherency.inference.ar_2020_likelihood`).

        Raises
        ------
        ValueError
            No data release of this experiment can be fitted (CONUS+, CsI 2017).
        """
        from ..inference.experiment_fit import likelihood

        return likelihood(self, **options)

    def fit(self, *, physics: Any = (), **options: Any) -> Any:
        """Fit the data release: without ``physics``, the measurement of CEvNS
        (:class:`~coherency.inference.CEvNSMeasurement`: ``signal_events``,
        ``signal_events_error``, ``flux_averaged_sigma`` and its error in cm^2,
        ``significance``, ``values``, ``errors``); with ``physics`` (e.g.
        ``("sin2_theta_w",)``, ``("rn_each",)``, ``("xi",)`` with ``q2_edges=``), a
        :class:`~coherency.inference.ParameterFit` of those parameters.

        Examples
        --------
        >>> from coherency import experiments
        >>> res = experiments.load("coherent-ar-2020").fit()
        >>> 100 < res.signal_events < 220, res.valid
        (True, True)
        """
        from ..inference.experiment_fit import fit_experiment, fit_parameters

        if physics:
            return fit_parameters(self, physics, **options)
        return fit_experiment(self, **options)

    def profile(self, name: str, grid: Any, **options: Any) -> Any:
        """Delta(-2 ln L) of parameter ``name`` on ``grid``, every other parameter
        profiled (:func:`coherency.inference.experiment_fit.profile_experiment`):
        ``"signal_events"``, ``"flux_averaged_sigma"`` (cm^2), ``"mu"``, a physics
        parameter (``"sin2_theta_w"``, ``"rn_fm"``, ``"rn_Cs_fm"``, ...) or a nuisance."""
        from ..inference.experiment_fit import profile_experiment

        return profile_experiment(self, name, grid, **options)

    def comparison(self) -> dict[str, dict[str, Any]]:
        """Each published prediction beside ours: value, errors, ours, difference in %
        and in units of the published error."""
        ours = {"predicted_counts": self.predicted_counts,
                "flux_averaged_sigma": self.flux_averaged_sigma}
        table: dict[str, dict[str, Any]] = {}
        for key, pub in self.published.items():
            if key not in ours:
                continue
            value = ours[key]()
            err = pub.err_hi if value > pub.value else pub.err_lo
            table[key] = {
                **pub.as_dict(), "ours": value,
                "difference_percent": 100.0 * (value / pub.value - 1.0),
                "difference_sigma": (value - pub.value) / err if err > 0 else math.nan,
            }
        return table
