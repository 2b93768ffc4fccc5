"""Cross sections of coherent elastic neutrino-nucleus scattering (Sharma & Wong Eq. 1).

dsigma/dq2 = (1/2) (G_F^2 / 4 pi) (1 - q^2 / 4 E^2) Gamma(q^2), returned in cm^2/MeV^2;
Gamma = Gamma_NP = [eps Z F_Z - N F_N]^2 (Eq. 2, with the square) or, with
``alpha=``, Gamma_QM (Eq. 3). Energies in MeV, q^2 in MeV^2, cross sections in cm^2.
For a target with several nuclei (isotope mixes, compounds) the result is the
average per nucleus, weighted by number fraction.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _backend, _ff_models, _validation
from ._cache import BoundedDict
from ._records import FormFactorParams, NucleusSpec
from ._typing import FloatOrArray
from .constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2
from .couplings import for_flavour
from .form_factors import (
    FormFactor,
    FormFactorSpec,
    NuclearFormFactors,
    resolve,
    with_couplings,
)
from .targets import Nucleus, Target, as_target

# Gauss-Legendre rule of every q integral: 16 nodes per panel, a panel spanning at
# most one oscillation of F^2 (pi hbar c / R); the error is below 1e-15 relative
# (tests compare with adaptive quad at 1e-10). Computed once, passed to the kernels
# so that both backends see the same nodes (STYLE.md 2).
GL_ORDER = 16
GL_X, GL_W = (np.ascontiguousarray(a) for a in np.polynomial.legendre.leggauss(GL_ORDER))

# Domains (docs/physics.md §12), for the scalar fast paths' range tests.
_E_MAX = _validation.E_NU_MAX_MEV
_T_MAX = _validation.T_RECOIL_MAX_MEV
_Q2_MAX = _validation.Q2_MAX_MEV2


def _epsilon(epsilon: Any) -> float:
    return _validation.check_epsilon(epsilon)


def _panel_dq(ffs: NuclearFormFactors, nuc: Nucleus) -> float:
    widths = [
        ff.panel_dq(nuc)
        for ff in (ffs.proton, ffs.neutron)
        if isinstance(ff, FormFactor) and ff.panel_dq(nuc) > 0
    ]
    if not ffs.compiled:
        # A user callable: assume nuclear sizes up to 1.5 A^(1/3) fm oscillate.
        from .constants import HBARC_MEV_FM

        widths.append(math.pi * HBARC_MEV_FM / (1.5 * nuc.A ** (1.0 / 3.0)))
    return min(widths) if widths else 0.0


def kernel_spec(nuc: Nucleus, ffs: NuclearFormFactors, epsilon: float) -> NucleusSpec:
    """The ``spec`` record the kernels take for one nucleus (compiled form factors)."""
    return NucleusSpec(
        mass=float(nuc.mass),
        prefactor=DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2,
        wz=epsilon * nuc.Z,
        wn=float(nuc.N),
        ffz=ffs.proton.kernel_params(nuc),  # type: ignore[union-attr]
        ffn=ffs.neutron.kernel_params(nuc),  # type: ignore[union-attr]
    )


_UNITY = FormFactorParams(_ff_models.UNITY.id, 0.0, 0.0)


def unity_spec(nuc: Nucleus, epsilon: float) -> NucleusSpec:
    """Kernel spec for F_Z = F_N = 1 (complete coherency)."""
    return NucleusSpec(mass=float(nuc.mass), prefactor=DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2,
                       wz=epsilon * nuc.Z, wn=float(nuc.N), ffz=_UNITY, ffn=_UNITY)


def _gamma_python(q: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float) -> np.ndarray:
    fz = np.asarray(ffs.proton(q, nuc), dtype=np.float64)
    fn = fz if ffs.neutron is ffs.proton else np.asarray(ffs.neutron(q, nuc), dtype=np.float64)
    return (eps * nuc.Z * fz - nuc.N * fn) ** 2


def _alpha_scale(alpha: np.ndarray, nuc: Nucleus, eps: float) -> np.ndarray:
    """Gamma_QM(alpha) / Gamma(F = 1): Eq. 3 over (eps Z - N)^2."""
    from .coherence import gamma_qm

    coherent = (eps * nuc.Z - nuc.N) ** 2
    return np.asarray(gamma_qm(alpha, nuc, epsilon=eps), dtype=np.float64) / coherent


def _dsigma_dq2_nucleus(
    q2: np.ndarray, E: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors,
    alpha: np.ndarray | None, eps: float, n_threads: int = 1,
) -> np.ndarray:
    out = np.empty(q2.size)
    kern = _backend.kernels()
    if alpha is not None:
        kern.dsigma_dq2(q2, E, unity_spec(nuc, eps), out, n_threads)
        return out * _alpha_scale(alpha, nuc, eps)
    if ffs.compiled:
        kern.dsigma_dq2(q2, E, kernel_spec(nuc, ffs, eps), out, n_threads)
        return out
    kern.dsigma_dq2(q2, E, unity_spec(nuc, eps), out, n_threads)
    coherent = (eps * nuc.Z - nuc.N) ** 2
    return out * _gamma_python(np.sqrt(q2), nuc, ffs, eps) / coherent


def _prepare(
    nucleus: Any, form_factor: FormFactorSpec, alpha: Any, epsilon: Any
) -> tuple[Target, NuclearFormFactors, np.ndarray | None, float]:
    tgt = as_target(nucleus)
    eps = _epsilon(epsilon)
    alpha_arr = None
    if alpha is not None:
        alpha_arr = _validation.as_float_array(alpha, "alpha", min_value=0.0, max_value=1.0)
    return tgt, resolve(form_factor), alpha_arr, eps


def _average_over_nuclei(
    first: tuple[str, np.ndarray],
    second: tuple[str, np.ndarray],
    nucleus: Any,
    form_factor: FormFactorSpec,
    alpha: Any,
    epsilon: Any,
    per_nucleus: Any,
) -> FloatOrArray:
    """Broadcast the two arguments (and alpha), then average per_nucleus(nuc, x, y,
    ffs, alpha, eps) over the target's nuclei with their number fractions."""
    tgt, ffs, alpha_arr, eps = _prepare(nucleus, form_factor, alpha, epsilon)
    named = [first, second] + ([("alpha", alpha_arr)] if alpha_arr is not None else [])
    arrays = _validation.broadcast(*named)
    flat = [a.reshape(-1) for a in arrays]
    alpha_flat = flat[2] if alpha_arr is not None else None
    total = np.zeros(flat[0].size)
    for nuc, fraction in tgt.components:
        total += fraction * per_nucleus(nuc, flat[0], flat[1], ffs, alpha_flat, eps)
    return _validation.restore_shape(total, arrays[0].shape)


# Scalar fast path: (nucleus, form_factor, epsilon) -> per nucleus
# (number fraction, mass, kernel spec, panel width), built by the same helpers as
# the array path; only compiled form factors, only hashable arguments.
_Plan = tuple[tuple[float, float, NucleusSpec, float], ...]
_PLANS: BoundedDict[tuple[Any, Any, Any], _Plan] = BoundedDict("cross-section plans")


def _scalar_plan(nucleus: Any, form_factor: Any, epsilon: Any) -> _Plan | None:
    """The cached per-nucleus kernel arguments, or None (take the array path)."""
    key = (nucleus, form_factor, epsilon)
    try:
        cached = _PLANS.get(key)
    except TypeError:  # unhashable argument (a list, a dict, ...)
        return None
    if cached is not None:
        return cached or None
    tgt, ffs, _, eps = _prepare(nucleus, form_factor, None, epsilon)
    plan: _Plan = ()  # a user callable form factor: remembered as "no fast path"
    if ffs.compiled:
        plan = tuple(
            (fraction, float(nuc.mass), kernel_spec(nuc, ffs, eps), _panel_dq(ffs, nuc))
            for nuc, fraction in tgt.components
        )
    _PLANS[key] = plan
    return plan or None


def _with_couplings(form_factor: FormFactorSpec, epsilon: Any, couplings: Any,
                    flavour: Any) -> tuple[FormFactorSpec, float, float]:
    """(form factor, eps_eff, norm) for ``couplings`` and ``flavour`` (docs/physics.md
    Eq. (9.2)): Gamma = norm [eps_eff Z F_Z - N F_N]^2."""
    eps, norm, c = for_flavour(couplings, flavour, epsilon)
    if c is not None and c.runs:
        return with_couplings(resolve(form_factor), c), eps, norm
    return form_factor, eps, norm


def _scaled(norm: float, value: FloatOrArray) -> FloatOrArray:
    return value if norm == 1.0 else norm * value


def _small_pair(x: Any, xf: float | None, y: Any, yf: float | None) -> tuple[Any, Any]:
    """The two arguments of a cross section as ``small_cross_section`` takes them (two
    small float64 arrays of one shape, or one and a float): a number that
    :func:`_validation.plain_float` read (numpy scalars too) as that float, and a 0-d or
    one-element array beside a larger one of at least its dimensions as its value (the
    broadcast shape is the larger one's)."""
    if xf is not None:
        x = xf
    if yf is not None:
        y = yf
    if type(x) is np.ndarray and type(y) is np.ndarray and x.shape != y.shape:
        if x.size == 1:
            v = _validation.size1_float(x, y)
            x = x if v is None else v
        elif y.size == 1:
            v = _validation.size1_float(y, x)
            y = y if v is None else v
    return x, y


def dsigma_dq2(
    q2: npt.ArrayLike,
    E: npt.ArrayLike,
    nucleus: Any,
    form_factor: FormFactorSpec = "helm",
    alpha: npt.ArrayLike | None = None,
    epsilon: float | None = None,
    n_threads: int = 1,
    couplings: str | None = None,
    flavour: str | None = None,
    model: Any = None,
) -> FloatOrArray:
    """Differential cross section in q^2, Sharma & Wong Eq. 1.

    Parameters
    ----------
    q2 : array_like, MeV^2
        Squared three-momentum transfer in [0, 4e8] MeV^2 (``Q2_MAX_MEV2``).
    E : array_like, MeV
        Neutrino energy in (0, 1e4] MeV (``E_NU_MAX_MEV``). Broadcasts against ``q2``.
    nucleus : Nucleus, Target or str
        Target nucleus; a multi-nucleus target gives the number-weighted average.
    form_factor : str, FormFactor, callable, (F_Z, F_N) or NuclearFormFactors
        Nuclear form factor for Gamma_NP (Eq. 2); default Sharma & Wong's Helm.
    alpha : array_like, optional
        Degree of coherency in [0, 1]; when given, Gamma = Gamma_QM(alpha) (Eq. 3)
        and ``form_factor`` is ignored.
    epsilon : float, optional
        1 - 4 sin^2 theta_W; default 0.04572 (sin^2 theta_W = 0.23857); Sharma & Wong
        used 0.045.
    n_threads : int
        Threads of the compiled loop: an int in [1, 1024], of which at most the CPUs
        available to the process are used (``coherency.config()["cpus_available"]``);
        small inputs run on one thread; the result does not depend on it.
    couplings : {None, "tree", "pdg", "tomalak"}
        Weak couplings (docs/physics.md §9): None, tree level with ``epsilon``;
        ``"pdg"`` and ``"tomalak"`` are radiatively corrected and depend on the
        neutrino ``flavour`` (then ``epsilon`` must be None).
    flavour : str, optional
        ``"e"``, ``"mu"``, ``"tau"`` (or ``"nue"``, ``"numubar"``, ...): needed by the
        flavour-dependent couplings and models.
    model : coherency.bsm model or tuple of models, optional
        Physics beyond the Standard Model (:mod:`coherency.bsm`, docs/physics.md §13):
        the change it brings is added to the Standard Model, for the neutrino
        ``flavour`` (required when the model depends on it). None: the Standard Model.

    Returns
    -------
    float or ndarray, cm^2/MeV^2
        Zero where q^2 > q2_max(E) = 4 E^2 M/(M + 2E).

    Raises
    ------
    ValueError
        q2 outside [0, 4e8] MeV^2, E outside (0, 1e4] MeV, alpha outside [0, 1],
        NaN or infinite input, shapes that do not broadcast, unknown target or
        form-factor name.

    Notes
    -----
    dsigma/dq2 = (1/2)(G_F^2/4 pi)(1 - q^2/4E^2) Gamma(q^2), converted with
    (hbar c)^2 (docs/physics.md §1).

    Examples
    --------
    >>> from coherency import dsigma_dq2, nucleus
    >>> xe = nucleus("Xe132")
    >>> ratio = dsigma_dq2(0.0, 10.0, xe, form_factor="unity") / dsigma_dq2(0.0, 10.0, xe)
    >>> abs(ratio - 1.0) < 1e-15   # F(0) = 1
    True
    """
    if model is not None:
        from .bsm import _public

        return _public.dsigma(q2, E, nucleus, form_factor, alpha, epsilon, n_threads,
                              couplings, flavour, model, recoil=False)
    if couplings is not None or flavour is not None:
        ff, eps, norm = _with_couplings(form_factor, epsilon, couplings, flavour)
        return _scaled(norm, dsigma_dq2(q2, E, nucleus, ff, alpha, eps, n_threads))
    nt = _validation.check_threads(n_threads)
    q2f = _validation.plain_float(q2)
    Ef = _validation.plain_float(E)
    if (alpha is None and q2f is not None and Ef is not None
            and 0.0 <= q2f <= _Q2_MAX and 0.0 < Ef <= _E_MAX):
        plan = _scalar_plan(nucleus, form_factor, epsilon)
        if plan is not None:  # plain floats: one C call per nucleus, no arrays
            kern = _backend.kernels()
            total = 0.0
            for fraction, _, spec, _ in plan:
                total += fraction * kern.dsigma_dq2_scalar(q2f, Ef, spec)
            return total
    if alpha is None and (type(q2) is np.ndarray or type(E) is np.ndarray):
        plan = _scalar_plan(nucleus, form_factor, epsilon)
        small = (None if plan is None else _backend.kernels().small_cross_section(
            0, *_small_pair(q2, q2f, E, Ef), plan, _Q2_MAX, _E_MAX, GL_X, GL_W))
        if small is not None:  # small float64 arrays: one compiled call
            return small
    q2a = _validation.check_q2(q2, "q2", n_threads=nt)
    Ea = _validation.check_neutrino_energy(E, "E", n_threads=nt)

    def per_nucleus(nuc, q2f, Ef, ffs, alpha_f, eps):  # type: ignore[no-untyped-def]
        return _dsigma_dq2_nucleus(q2f, Ef, nuc, ffs, alpha_f, eps, nt)

    return _average_over_nuclei(("q2", q2a), ("E", Ea), nucleus, form_factor, alpha, epsilon,
                                per_nucleus)


def dsigma_dT(
    T: npt.ArrayLike,
    E: npt.ArrayLike,
    nucleus: Any,
    form_factor: FormFactorSpec = "helm",
    alpha: npt.ArrayLike | None = None,
    epsilon: float | None = None,
    n_threads: int = 1,
    couplings: str | None = None,
    flavour: str | None = None,
    model: Any = None,
) -> FloatOrArray:
    """Differential cross section in nuclear recoil energy, dsigma/dT = 2M dsigma/dq2.

    Parameters
    ----------
    T : array_like, MeV
        Nuclear recoil kinetic energy in [0, 1e4] MeV (q^2 = 2 M T).
    E : array_like, MeV
        Neutrino energy in (0, 1e4] MeV.
    nucleus, form_factor, alpha, epsilon, n_threads, couplings, flavour, model
        As in :func:`dsigma_dq2`; with a model, T must be > 0 where the model diverges
        at T = 0 (a massless mediator, a millicharge, a magnetic moment).

    Returns
    -------
    float or ndarray, cm^2/MeV
        G_F^2 M/(4 pi) Q_W^2 (1 - M T/2E^2) F^2 for Gamma_NP with F_Z = F_N = F;
        zero above T_max(E) = 2E^2/(M + 2E).

    Examples
    --------
    >>> from coherency import dsigma_dT, dsigma_dq2, nucleus
    >>> ar = nucleus("Ar40")
    >>> T = 1e-3
    >>> ratio = dsigma_dT(T, 30.0, ar) / (2 * ar.mass * dsigma_dq2(2 * ar.mass * T, 30.0, ar))
    >>> abs(ratio - 1) < 1e-15
    True
    """
    if model is not None:
        from .bsm import _public

        return _public.dsigma(T, E, nucleus, form_factor, alpha, epsilon, n_threads,
                              couplings, flavour, model, recoil=True)
    if couplings is not None or flavour is not None:
        ff, eps, norm = _with_couplings(form_factor, epsilon, couplings, flavour)
        return _scaled(norm, dsigma_dT(T, E, nucleus, ff, alpha, eps, n_threads))
    nt = _validation.check_threads(n_threads)
    Tf = _validation.plain_float(T)
    Ef = _validation.plain_float(E)
    if (alpha is None and Tf is not None and Ef is not None
            and 0.0 <= Tf <= _T_MAX and 0.0 < Ef <= _E_MAX):
        plan = _scalar_plan(nucleus, form_factor, epsilon)
        if plan is not None:  # plain floats: one C call per nucleus, no arrays
            kern = _backend.kernels()
            total = 0.0
            for fraction, mass, spec, _ in plan:
                two_m = 2.0 * mass
                total += fraction * (two_m * kern.dsigma_dq2_scalar(two_m * Tf, Ef, spec))
            return total
    if alpha is None and (type(T) is np.ndarray or type(E) is np.ndarray):
        plan = _scalar_plan(nucleus, form_factor, epsilon)
        small = (None if plan is None else _backend.kernels().small_cross_section(
            1, *_small_pair(T, Tf, E, Ef), plan, _T_MAX, _E_MAX, GL_X, GL_W))
        if small is not None:  # small float64 arrays: one compiled call
            return small
    Ta = _validation.check_recoil_energy(T, "T", n_threads=nt)
    Ea = _validation.check_neutrino_energy(E, "E", n_threads=nt)

    def per_nucleus(nuc, Tf, Ef, ffs, alpha_f, eps):  # type: ignore[no-untyped-def]
        with np.errstate(over="ignore"):  # q2 = inf for a huge T: zero, as in the kernel
            q2 = 2.0 * nuc.mass * Tf
        return 2.0 * nuc.mass * _dsigma_dq2_nucleus(q2, Ef, nuc, ffs, alpha_f, eps, nt)

    return _average_over_nuclei(("T", Ta), ("E", Ea), nucleus, form_factor, alpha, epsilon,
                                per_nucleus)


def sigma_nucleus(
    E: np.ndarray, q2_min: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float,
    alpha: np.ndarray | None = None, n_threads: int = 1,
) -> np.ndarray:
    """sigma(E) for one nucleus on flat arrays (no validation): the building block of
    :func:`sigma_total` and of the rates."""
    out = np.empty(E.size)
    kern = _backend.kernels()
    if alpha is not None:
        kern.sigma_total(E, q2_min, unity_spec(nuc, eps), 0.0, GL_X, GL_W, out, n_threads)
        return out * _alpha_scale(alpha, nuc, eps)
    if not ffs.compiled:
        return _sigma_callable(E, q2_min, nuc, ffs, eps)
    kern.sigma_total(E, q2_min, kernel_spec(nuc, ffs, eps), _panel_dq(ffs, nuc), GL_X, GL_W, out,
                     n_threads)
    return out


def _sigma_callable(
    E: np.ndarray, q2_min: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float
) -> np.ndarray:
    """sigma(E) with a user form factor: the same Gauss-Legendre panels in q, in numpy."""
    M = nuc.mass
    dq = _panel_dq(ffs, nuc)
    out = np.zeros(E.size)
    for i, (energy, lo2) in enumerate(zip(E, q2_min)):
        hi2 = 4.0 * energy**2 * M / (M + 2.0 * energy)
        if not lo2 < hi2:
            continue
        lo, hi = math.sqrt(max(lo2, 0.0)), math.sqrt(hi2)
        n_panels = max(1, math.ceil((hi - lo) / dq)) if dq > 0 else 1
        edges = np.linspace(lo, hi, n_panels + 1)
        half = 0.5 * np.diff(edges)
        q = (0.5 * (edges[:-1] + edges[1:]))[:, None] + half[:, None] * GL_X[None, :]
        integrand = 2.0 * q * (1.0 - q * q / (4.0 * energy**2)) * _gamma_python(q, nuc, ffs, eps)
        out[i] = DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 * float(np.sum(half[:, None] * GL_W * integrand))
    return out


def sigma_total(
    E: npt.ArrayLike,
    target: Any,
    T_min: npt.ArrayLike = 0.0,
    form_factor: FormFactorSpec = "helm",
    alpha: npt.ArrayLike | None = None,
    epsilon: float | None = None,
    n_threads: int = 1,
    couplings: str | None = None,
    flavour: str | None = None,
    model: Any = None,
) -> FloatOrArray:
    """Total cross section per nucleus above a recoil threshold.

    Parameters
    ----------
    E : array_like, MeV
        Neutrino energy in (0, 1e4] MeV (``E_NU_MAX_MEV``, docs/physics.md §12).
    target : Target, Nucleus or str
        A multi-nucleus target gives the average per nucleus (number fractions).
    T_min : array_like, MeV
        Nuclear-recoil threshold in [0, 1e4] MeV; broadcasts against ``E``.
    form_factor, alpha, epsilon, n_threads, couplings, flavour, model
        As in :func:`dsigma_dq2`; with a model, T_min must be > 0 where the model
        diverges at T = 0.

    Returns
    -------
    float or ndarray, cm^2
        sigma(E) = integral of dsigma/dq2 from 2 M T_min to q2_max(E); 0 when the
        threshold is above T_max(E).

    Notes
    -----
    Integrated in q (dq^2 = 2q dq) with a 16-point Gauss-Legendre rule on panels no
    wider than one oscillation of F^2, in the compiled kernel. For F = 1, T_min = 0
    and M -> infinity, sigma -> G_F^2 (eps Z - N)^2 E^2 / (4 pi) (docs/physics.md §1).

    Examples
    --------
    >>> from coherency import sigma_total
    >>> 1e-39 < sigma_total(30.0, "CsI") < 1e-37
    True
    """
    if model is not None:
        from .bsm import _public

        return _public.sigma_total(E, target, T_min, form_factor, alpha, epsilon, n_threads,
                                   couplings, flavour, model)
    if couplings is not None or flavour is not None:
        ff, eps, norm = _with_couplings(form_factor, epsilon, couplings, flavour)
        return _scaled(norm, sigma_total(E, target, T_min, ff, alpha, eps, n_threads))
    nt = _validation.check_threads(n_threads)
    Ef = _validation.plain_float(E)
    Tf = _validation.plain_float(T_min)
    if (alpha is None and Ef is not None and Tf is not None
            and 0.0 < Ef <= _E_MAX and 0.0 <= Tf <= _T_MAX):
        plan = _scalar_plan(target, form_factor, epsilon)
        if plan is not None:  # plain floats: one C call per nucleus, no arrays
            kern = _backend.kernels()
            total = 0.0
            for fraction, mass, spec, panel_dq in plan:
                total += fraction * kern.sigma_total_scalar(Ef, 2.0 * mass * Tf, spec, panel_dq,
                                                            GL_X, GL_W)
            return total
    if alpha is None and (type(E) is np.ndarray or type(T_min) is np.ndarray):
        plan = _scalar_plan(target, form_factor, epsilon)
        small = (None if plan is None else _backend.kernels().small_cross_section(
            2, *_small_pair(E, Ef, T_min, Tf), plan, _E_MAX, _T_MAX, GL_X, GL_W))
        if small is not None:  # small float64 arrays: one compiled call
            return small
    Ea = _validation.check_neutrino_energy(E, "E", n_threads=nt)
    Ta = _validation.check_recoil_energy(T_min, "T_min", n_threads=nt)

    def per_nucleus(nuc, Ef, Tf, ffs, alpha_f, eps):  # type: ignore[no-untyped-def]
        with np.errstate(over="ignore"):  # q2_min = inf for a huge T_min: sigma = 0
            q2_min = 2.0 * nuc.mass * Tf
        return sigma_nucleus(Ef, q2_min, nuc, ffs, eps, alpha_f, nt)

    return _average_over_nuclei(("E", Ea), ("T_min", Ta), target, form_factor, alpha, epsilon,
                                per_nucleus)
