"""A model of :mod:`coherency.bsm` as named parameters of the likelihoods of
:mod:`coherency.inference` (docs/physics.md Eqs. 13.10, 13.12): the change the model
brings to an experiment's recoil spectrum, computed once per mediator mass at the
preset's recoil nodes and combined as a quadratic form in the couplings. Used by the
``statistic="likelihood"`` limits of :mod:`coherency.bsm.limits`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _validation
from ..couplings import FLAVOURS, flavour_of
from ..form_factors import resolve
from ..kinematics import E_min_flat
from . import _engine
from .batch import grid
from .models import (
    CHARGE_RADIUS_MAX_CM2,
    COUPLING_MAX,
    MAGNETIC_MOMENT_MAX,
    MEDIATOR_MASS_MAX_MEV,
    MILLICHARGE_MAX,
    NSI,
    NSI_MAX,
    ChargeRadius,
    MagneticMoment,
    Millicharge,
    Model,
    ScalarMediator,
    VectorMediator,
)

__all__ = ["LikelihoodModel"]

FloatArray = npt.NDArray[np.float64]

_PER_FLAVOUR: dict[type, tuple[str, float]] = {
    MagneticMoment: ("mu_nu_bohr", MAGNETIC_MOMENT_MAX),
    Millicharge: ("q_e", MILLICHARGE_MAX),
    ChargeRadius: ("r2_cm2", CHARGE_RADIUS_MAX_CM2),
}


# ---- the model as parameters of a likelihood ------------------------------------------

def _names_of(template: Model, params: Mapping[str, Any]) -> dict[str, Any]:
    """The likelihood parameter names of grid keywords (:func:`coherency.bsm.grid`):
    ``coupling``, ``mass_MeV``; ``mu_nu_bohr`` (every flavour alike) or
    ``mu_nu_bohr_e``, ... per flavour (likewise ``q_e``, ``r2_cm2``);
    ``eps_uV_e_e``, ``eps_dV_e_mu``, ... for NSI. Returns name -> value."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(template, NSI) and key in ("eps_uV", "eps_dV"):
            if not isinstance(value, Mapping):
                raise TypeError(f"{key} must be a mapping (flavour, flavour) -> array")
            for pair, v in value.items():
                unit = NSI(**{key: {pair: 1.0}})
                (a, b), _ = getattr(unit, key)[0]
                out[f"{key}_{a}_{b}"] = v
        elif type(template) in _PER_FLAVOUR and isinstance(value, Mapping):
            field, _ = _PER_FLAVOUR[type(template)]
            for f, v in value.items():
                out[f"{field}_{flavour_of(f, f'{key} key')}"] = v
        else:
            out[key] = value
    return out


class LikelihoodModel:
    """A model of :mod:`coherency.bsm` with named parameters, for the likelihoods of
    :mod:`coherency.inference` (a ``SpectrumModel``; docs/physics.md Eq. 13.12).

    Parameters
    ----------
    template : Model
        :class:`VectorMediator`, :class:`ScalarMediator`, :class:`MagneticMoment`,
        :class:`Millicharge`, :class:`ChargeRadius` or :class:`NSI`: the values of
        everything not named in ``names``.
    names : sequence of str
        The parameters the likelihood gets: ``"coupling"`` and ``"mass_MeV"``
        (mediators; the mass is held fixed unless released), ``"mu_nu_bohr"`` (one
        moment for every flavour, mu_B) or ``"mu_nu_bohr_e"``, ``"mu_nu_bohr_mu"``,
        ``"mu_nu_bohr_tau"`` (one flavour each; likewise ``q_e``, ``r2_cm2``),
        ``"eps_uV_e_e"``, ``"eps_dV_e_mu"``, ... (NSI, flavours in e, mu, tau order).

    Notes
    -----
    ``lk = coherency.inference.likelihood(exp, physics=names, spectrum_model=m)``
    then has the model's parameters beside the nuisances (the signal strength fixed
    at 1, the flux constrained). At a fixed mass the change of the recoil spectrum is
    a quadratic form in the linear parameters lambda_k (the coupling, or its square
    for a gauge model; mu_nu; q_nu; <r^2>; each eps), Eq. 13.10: its coefficients
    L_k and Q_kl at the preset's recoil nodes are computed once per mass and flavour
    part by the compiled kernels and cached; each evaluation then adds
    sum_k lambda_k L_k + sum_kl lambda_k lambda_l Q_kl to the Standard-Model node
    vectors of :class:`coherency.inference.CEvNSSignal` (``node_change``), before
    the detector response and its variants.

    Examples
    --------
    >>> import coherency as coh
    >>> from coherency import bsm
    >>> m = bsm.LikelihoodModel(bsm.VectorMediator(10.0, 0.0), ("coupling", "mass_MeV"))
    >>> [p.name for p in m.parameters], m.parameters[1].fixed
    (['coupling', 'mass_MeV'], True)
    >>> m.build({"coupling": 1e-9, "mass_MeV": 30.0})
    VectorMediator(mass_MeV=30.0, coupling=1e-09, charges='universal')
    """

    def __init__(self, template: Model, names: Sequence[str]) -> None:
        from ..inference.likelihood import Parameter

        if not isinstance(template, Model):
            raise TypeError(f"template must be a model of coherency.bsm; got "
                            f"{_validation._short(template)}")
        if isinstance(names, str):
            names = (names,)
        names = tuple(names)
        if not names:
            raise ValueError("names: give at least one parameter of the model")
        self.template = template
        params = []
        for name in names:
            value, lo, hi, unit, doc = self._describe(name)
            params.append(Parameter(name, value, (lo, hi), fixed=(name == "mass_MeV"),
                                    unit=unit, doc=doc))
        self.parameters = tuple(params)
        self._names = names
        # (experiment id, name, units) -> (experiment, coefficients); a few masses
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._last: tuple[Any, Any, list[tuple[str, FloatArray]]] | None = None

    def __repr__(self) -> str:
        return f"LikelihoodModel({self.template!r}, {self._names!r})"

    # ---- names --------------------------------------------------------------------

    def _describe(self, name: str) -> tuple[float, float, float, str, str]:
        t = self.template
        if isinstance(t, (VectorMediator, ScalarMediator)):
            if name == "coupling":
                return (t.coupling, -COUPLING_MAX, COUPLING_MAX, "",
                        f"{type(t).__name__} coupling")
            if name == "mass_MeV":
                return (t.mass_MeV, 0.0, MEDIATOR_MASS_MAX_MEV, "MeV", "mediator mass")
        elif type(t) in _PER_FLAVOUR:
            field, bound = _PER_FLAVOUR[type(t)]
            values = dict(getattr(t, field))
            if name == field:
                return (values["e"], -bound, bound, "", f"{field}, every flavour")
            if name.startswith(field + "_") and name[len(field) + 1:] in FLAVOURS:
                f = name[len(field) + 1:]
                return values[f], -bound, bound, "", f"{field} of nu_{f}"
        elif isinstance(t, NSI):
            parts = name.split("_")
            if (len(parts) == 4 and parts[0] == "eps" and parts[1] in ("uV", "dV")
                    and parts[2] in FLAVOURS and parts[3] in FLAVOURS
                    and FLAVOURS.index(parts[2]) <= FLAVOURS.index(parts[3])):
                return (t.eps(parts[1][0], parts[2], parts[3]), -NSI_MAX, NSI_MAX, "",
                        f"NSI eps^{parts[1]}_{parts[2]}{parts[3]}")
        raise ValueError(f"names: {name!r} is not a parameter of {type(t).__name__} "
                         f"(see LikelihoodModel)")

    def _value(self, values: Mapping[str, float], name: str, default: float) -> float:
        v = values.get(name)
        return default if v is None else float(v)

    def build(self, values: Mapping[str, float]) -> Model:
        """The model at ``values`` (names missing from it keep the template's)."""
        t = self.template
        if isinstance(t, (VectorMediator, ScalarMediator)):
            return dataclasses.replace(t, coupling=self._value(values, "coupling", t.coupling),
                                       mass_MeV=self._value(values, "mass_MeV", t.mass_MeV))
        if type(t) in _PER_FLAVOUR:
            field, _ = _PER_FLAVOUR[type(t)]
            cur = dict(getattr(t, field))
            if field in values:
                cur = dict.fromkeys(FLAVOURS, float(values[field]))
            for f in FLAVOURS:
                cur[f] = self._value(values, f"{field}_{f}", cur[f])
            maker: Any = type(t)
            # transition radii keep the template's values (a MagneticMoment's field
            # already holds the effective moments, transitions included)
            return maker({**cur, **dict(getattr(t, "transition_r2_cm2", ()))})  # type: ignore[no-any-return]
        assert isinstance(t, NSI)
        tables: dict[str, dict[tuple[str, str], float]] = {
            "eps_uV": {k: v for k, v in t.eps_uV}, "eps_dV": {k: v for k, v in t.eps_dV}}
        for name in self._names:
            if name in values:
                q, a, b = name.rsplit("_", 2)[0], *name.rsplit("_", 2)[1:]
                tables[q][(a, b)] = float(values[name])
        return NSI(eps_uV=tables["eps_uV"], eps_dV=tables["eps_dV"])

    # ---- the fast route -------------------------------------------------------------

    def _unit_grid(self, model: Model) -> Any:
        """The unit models and lambdas of ``model`` (:func:`coherency.bsm.grid` with its
        own values: one point)."""
        return grid(model)

    def _coefficients(self, experiment: Any, units: tuple[Model, ...]) -> Any:
        """(flavour, L (K, nodes), Q (K, K, nodes)) per flavour part: the change of
        w_j dN/dT(T_j) per unit lambda (Eq. 13.10), cached per experiment and units."""
        key = (id(experiment), experiment.name, units)
        hit = self._cache.get(key)
        if hit is not None and hit[0] is experiment:
            return hit[1]
        exp = experiment
        T, w = exp.recoil_nodes()
        ffs = resolve(exp.form_factor)
        cp = exp.couplings
        K = len(units)
        need_f1 = any(isinstance(u, MagneticMoment) for u in units)
        out = []
        for flavour, part, weight in exp._parts(cp, units):
            flv = flavour_of(flavour)
            L = np.zeros((K, T.size))
            Q = np.zeros((K, K, T.size))
            for nuc, per_kg in exp.target.component_nuclei_per_kg():
                mass = float(nuc.mass)
                q2 = np.ascontiguousarray(2.0 * mass * T)
                mkey = ("bsm: flux moments", part, mass, need_f1)
                moments = exp._cache.get(mkey)
                if moments is None:
                    moments = _engine.moments(part, E_min_flat(T, mass), need_f1)
                    exp._cache[mkey] = moments
                F0, F1, F2 = moments
                scale = weight * per_kg * exp.mass_kg * exp.time_s * 2.0 * mass * w
                own = []
                for k in range(K):
                    rec = _engine.nucleus_spec((units[k],), flv, nuc, ffs, cp, None)
                    lin, quad = _engine.parts(rec, q2, F0, F1, F2)
                    L[k] += scale * lin
                    Q[k, k] += scale * quad
                    own.append(quad)
                for k in range(K):
                    for j in range(k + 1, K):
                        rec = _engine.nucleus_spec((units[k], units[j]), flv, nuc, ffs, cp,
                                                   None)
                        _, both = _engine.parts(rec, q2, F0, F1, F2)
                        cross = 0.5 * scale * (both - own[k] - own[j])
                        Q[k, j] += cross
                        Q[j, k] += cross
            out.append((str(flavour), L, Q))
        coeffs = tuple(out)
        if len(self._cache) >= 256:
            self._cache.clear()
        self._cache[key] = (experiment, coeffs)
        return coeffs

    def node_change(self, experiment: Any, values: Mapping[str, float]
                    ) -> list[tuple[str, FloatArray]]:
        """The change of w_j dN/dT(T_j) at the preset's recoil nodes, per flavour part
        of its source, at ``values`` (module notes)."""
        key = (id(experiment), tuple(values.get(n) for n in self._names))
        if self._last is not None and self._last[0] == key and self._last[1] is experiment:
            return self._last[2]  # a profile fit holds the model's parameters fixed
        out = self._change(experiment, values)
        self._last = (key, experiment, out)
        return out

    def _change(self, experiment: Any, values: Mapping[str, float]
                ) -> list[tuple[str, FloatArray]]:
        g = self._unit_grid(self.build(values))
        lam = [float(x[0]) for x in g.lambdas]
        if not any(lam):
            return []
        out = []
        for flavour, L, Q in self._coefficients(experiment, g.units):
            d = np.zeros(L.shape[1])
            for k, lk in enumerate(lam):
                if lk == 0.0:
                    continue
                d += lk * L[k]
                for j, lj in enumerate(lam):
                    if lj != 0.0:
                        d += (lk * lj) * Q[k, j]
            out.append((flavour, d))
        return out
