"""Recoil and q^2 spectra (docs/physics.md Eqs. (6.2)-(6.4)):
:func:`coherency.rates.recoil_spectrum`, :func:`~coherency.rates.q2_spectrum`, the
reach :func:`~coherency.rates.max_q2` and the FWHM of the q^2 distribution
:func:`~coherency.rates.q2_fwhm`.

At fixed q the E integral of dsigma/dq2 is analytic in the flux moments,
    integral Phi(E) (1 - q^2/4E^2) dE = F0(E_min) - q^2/4 F2(E_min),
with F_k(x) = integral_x^inf Phi(E) E^-k dE (+ lines), so dN/dT costs one form-factor
evaluation per T: dN/dq2 = prefactor Gamma(q) K(q2), with K from the source's cached
Chebyshev flux-moment model (``dn_dq2``, csrc/coh_rate.c) and cached per recoil grid.
Part of :mod:`coherency.rates`, which re-exports every public name.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from . import _backend, _cache, _ff_models, _validation
from ._cache import memoize
from ._flux_moments import cheb_model, flux_moments
from ._quadrature import check_source
from ._rate_inputs import _exposure, _resolve, _terms, check_threads
from ._records import FormFactorParams, NucleusSpec
from ._typing import FloatOrArray
from .constants import DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2
from .cross_sections import _gamma_python
from .form_factors import FormFactorSpec, NuclearFormFactors
from .kinematics import E_min_flat, T_max_of, q2_max_of
from .targets import Nucleus, as_target


@memoize("form-factor parameters per nucleus", per_backend=False)
def _kernel_params(ffs: NuclearFormFactors, nuc: Nucleus
                   ) -> tuple[FormFactorParams, FormFactorParams | None]:
    """The kernel parameters of F_Z and F_N on a nucleus (None for F_N when it is F_Z),
    cached: a measured-radius model looks its radii up and builds its base model on
    every call of kernel_params."""
    pz = ffs.proton.kernel_params(nuc)  # type: ignore[union-attr]
    if ffs.neutron is ffs.proton or ffs.neutron == ffs.proton:
        return pz, None
    return pz, ffs.neutron.kernel_params(nuc)  # type: ignore[union-attr]


def _gamma(q: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float,
           n_threads: int = 1) -> np.ndarray:
    """Gamma_NP at momenta q: compiled form-factor kernel on n_threads when it can."""
    if not ffs.compiled:
        return _gamma_python(q, nuc, ffs, eps)
    kern = _backend.kernels()
    q = np.ascontiguousarray(q, dtype=np.float64)
    fz = np.empty(q.size)
    pz, pn = _kernel_params(ffs, nuc)
    kern.form_factor(q, pz.model, pz.p1, pz.p2, fz, n_threads)
    if pn is None:
        fn = fz
    else:
        fn = np.empty(q.size)
        kern.form_factor(q, pn.model, pn.p1, pn.p2, fn, n_threads)
    return (eps * nuc.Z * fz - nuc.N * fn) ** 2


# dN/dq2 = prefactor Gamma(q) K(q2) per nucleus, with K(q2) = max(F0(x) - q2/4 F2(x), 0)
# at x = E_min(q2/2M) (lines included) the part that does not depend on the form factors
# or the couplings. Spectra on the same recoil energies (a fit's grid, an experiment's
# rule, event_rate's nodes) differ from call to call in those only, so K is cached per
# (source, mass, grid) for grids of up to K_CACHE_MAX points: a new parameter set then
# costs the form factors at the grid and a product.
K_CACHE_MAX = 4096
_K_CACHE: _cache.BoundedDict[tuple[Any, ...], np.ndarray] = _cache.BoundedDict(
    "recoil kinematic factors")
_UNITY_PARAMS = FormFactorParams(_ff_models.UNITY.id, 0.0, 0.0)


def _unit_spec(mass: float) -> NucleusSpec:
    """A spec whose Gamma is 1 and prefactor 1: coh_dn_dq2 then returns K itself."""
    return NucleusSpec(mass, 1.0, 0.0, 1.0, _UNITY_PARAMS, _UNITY_PARAMS)


def _kin_numpy(source: Any, q2: np.ndarray, mass: float, n_threads: int) -> np.ndarray:
    """K at q2 from the flux moments (their direct fallback included); at q2 = 0 it is
    F0, q2 F2 -> 0 even where F2(0) diverges (a table from E = 0 with flux there)."""
    x = E_min_flat(q2 / (2.0 * mass), mass)
    F0, F2 = flux_moments(source, x, n_threads)
    with np.errstate(invalid="ignore"):
        kin = np.where(q2 > 0.0, F0 - 0.25 * q2 * F2, F0)
    return np.maximum(kin, 0.0)


def _kin_factor(source: Any, v: np.ndarray, scale: float, cap: float, mass: float,
                n_threads: int) -> np.ndarray:
    """Rows K and q at q2 = scale min(v, cap) for one nucleus mass (MeV), cached for
    frozen sources and grids of up to K_CACHE_MAX points. The values never depend on
    the cache."""
    key: tuple[Any, ...] | None = None
    if v.size <= K_CACHE_MAX and _cache.is_frozen(source):
        key = (_backend.get_backend(), source, mass, scale, cap, v.tobytes())
        try:
            known = _K_CACHE.get(key)
        except TypeError:  # a frozen source with an unhashable field
            known, key = None, None
        if known is not None:
            return known
    q = np.sqrt(scale * np.minimum(v, cap))
    model = cheb_model(source)
    if model is not None and model["keys"].size and model["bps"].size >= 2:
        # the compiled pass of the spectrum (E_min, moments, lines), Gamma = 1
        K = np.empty(v.size)
        redo = np.empty(v.size, dtype=np.uint8)
        lines = np.array([(e, f, f / e**2) for e, f in source.lines],
                         dtype=np.float64).reshape(-1, 3).T.copy()
        _backend.kernels().dn_dq2(model["kernel"], lines[0], lines[1], lines[2],
                                  _unit_spec(mass), v, scale, cap, 1.0, K, redo, False,
                                  n_threads)
        r = np.nonzero(redo)[0]
        if r.size:  # pieces the model does not trust: their moments directly
            K[r] = _kin_numpy(source, scale * np.minimum(v[r], cap), mass, n_threads)
    else:
        K = _kin_numpy(source, scale * np.minimum(v, cap), mass, n_threads)
    K = np.stack([K, q])  # one array: K and the momenta q = sqrt(q2) MeV
    if key is not None:
        K.setflags(write=False)
        _K_CACHE[key] = K
    return K


def _add_dN_dq2(
    source: Any, v: np.ndarray, scale: float, cap: float, nuc: Nucleus,
    ffs: NuclearFormFactors, eps: float, weight: float, out: np.ndarray, add: bool,
    n_threads: int = 1,
) -> None:
    """out (+)= weight x integral Phi dsigma/dq2 dE at q2 = scale min(v, cap), per
    target nucleus and unit exposure (cm^2/MeV^2 x flux): weight prefactor Gamma K."""
    v = np.ascontiguousarray(v, dtype=np.float64)
    K, q = _kin_factor(source, v, scale, cap, float(nuc.mass), n_threads)
    gam = _gamma(q, nuc, ffs, eps, n_threads)
    with np.errstate(over="ignore", invalid="ignore"):  # inf: check_finite_result
        val = weight * (DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 * gam * K)
    if add:
        out += val
    else:
        out[:] = val


def _dN_dq2_nucleus(
    source: Any, q2: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float,
    n_threads: int = 1,
) -> np.ndarray:
    """Per target nucleus and unit exposure: integral Phi dsigma/dq2 dE, cm^2/MeV^2 x flux."""
    out = np.empty(np.size(q2))
    _add_dN_dq2(source, q2, 1.0, math.inf, nuc, ffs, eps, 1.0, out, False, n_threads)
    return out


def _dN_dq2_numpy(
    source: Any, q2: np.ndarray, nuc: Nucleus, ffs: NuclearFormFactors, eps: float,
    n_threads: int = 1,
) -> np.ndarray:
    """_dN_dq2_nucleus step by step in numpy (moments with their direct fallback)."""
    gam = _gamma(np.sqrt(q2), nuc, ffs, eps, n_threads)
    return DSIGMA_DQ2_PREFACTOR_CM2_PER_MEV2 * gam * _kin_numpy(source, q2, float(nuc.mass),
                                                                n_threads)


def recoil_spectrum(
    source: Any,
    target: Any,
    T: npt.ArrayLike,
    mass_kg: float = 1.0,
    time_s: float = 1.0,
    form_factor: FormFactorSpec = "helm",
    epsilon: float | None = None,
    n_threads: int = 1,
    couplings: str | None = None,
    model: Any = None,
) -> FloatOrArray:
    """Recoil spectrum dN/dT for a detector exposure.

    Parameters
    ----------
    source : coherency.sources.Source
        Neutrino energies up to 1e4 MeV (``E_NU_MAX_MEV``, docs/physics.md §12).
    target : Target, Nucleus or str
    T : array_like, MeV
        Nuclear recoil energy in [0, 1e4] MeV (``T_RECOIL_MAX_MEV``).
    mass_kg : float, kg
        Target mass in [0, 1e12] kg (nuclei per kg from the target's composition).
    time_s : float, s
        Exposure time in [0, 1e12] s (use 1 for a fluence source such as a
        supernova).
    form_factor, epsilon, couplings, model
        As in :func:`coherency.flux_averaged_sigma` (with a model, T must be > 0 where
        the model diverges at T = 0).
    n_threads : int
        Threads of the compiled loops: an int in [1, 1024], of which at most the CPUs
        available to the process are used (``coherency.config()["cpus_available"]``);
        small inputs run on one thread; the result does not depend on it.

    Returns
    -------
    float or ndarray, events per MeV
        dN/dT = sum_i n_i m t integral_{E_min(T)} Phi(E) dsigma_i/dT dE.

    Notes
    -----
    With q^2 = 2 M T the E integral is analytic in two flux moments (module notes).
    """
    if model is not None:
        from .bsm import _public

        return _public.spectrum(source, target, T, mass_kg, time_s, form_factor, epsilon,
                                n_threads, couplings, model, recoil=True)
    source = check_source(source)
    nt = check_threads(n_threads)
    Ta = _validation.check_recoil_energy(T, "T", n_threads=nt)
    out = _summed_spectrum(source, target, _validation.flat(Ta), mass_kg, time_s,
                           form_factor, epsilon, couplings, nt, recoil=True)
    return _validation.restore_shape(out, Ta.shape)


def q2_spectrum(
    source: Any,
    target: Any,
    q2: npt.ArrayLike,
    mass_kg: float = 1.0,
    time_s: float = 1.0,
    form_factor: FormFactorSpec = "helm",
    epsilon: float | None = None,
    n_threads: int = 1,
    couplings: str | None = None,
    model: Any = None,
) -> FloatOrArray:
    """Event distribution in q^2, dN/dq^2 (events per MeV^2) for an exposure.

    Same parameters as :func:`recoil_spectrum` (``n_threads`` too) with ``q2``
    (MeV^2, in [0, 4e8], ``Q2_MAX_MEV2``) instead of T;
    dN/dq^2 = dN/dT / (2M) summed over the target's nuclei; ``model`` as in
    :func:`recoil_spectrum`.
    """
    if model is not None:
        from .bsm import _public

        return _public.spectrum(source, target, q2, mass_kg, time_s, form_factor, epsilon,
                                n_threads, couplings, model, recoil=False)
    source = check_source(source)
    nt = check_threads(n_threads)
    qa = _validation.check_q2(q2, "q2", n_threads=nt)
    out = _summed_spectrum(source, target, _validation.flat(qa), mass_kg, time_s,
                           form_factor, epsilon, couplings, nt, recoil=False)
    return _validation.restore_shape(out, qa.shape)


def _summed_spectrum(source: Any, target: Any, flat: np.ndarray, mass_kg: float,
                     time_s: float, form_factor: FormFactorSpec, epsilon: float | None,
                     couplings: str | None, nt: int, *, recoil: bool) -> np.ndarray:
    """dN/dT at recoils T (``recoil``) or dN/dq^2 at q^2 (``flat``, checked, 1-D),
    summed over the source's flavour parts and the target's nuclei (Eqs. 6.2-6.4):
    dN/dT = 2M dN/dq^2 at q^2 = 2M T. Zero above each nucleus's reach (the points are
    clipped there: no overflow for huge arguments)."""
    tgt, ffs = as_target(target), _resolve(form_factor)
    m, t = _exposure(tgt, mass_kg, time_s, source)
    out = np.zeros(flat.size)
    first = True
    for part, weight, part_ffs, eps in _terms(source, ffs, epsilon, couplings):
        E_top = float(part.E_max)
        for nuc, per_kg in tgt.component_nuclei_per_kg():
            if recoil:
                scale, top = 2.0 * nuc.mass, T_max_of(E_top, float(nuc.mass))
            else:
                scale, top = 1.0, q2_max_of(E_top, float(nuc.mass))
            _add_dN_dq2(part, flat, scale, 2.0 * top, nuc, part_ffs, eps,
                        weight * per_kg * scale * m * t, out, not first, nt)
            first = False
    name = "recoil_spectrum" if recoil else "q2_spectrum"
    _validation.check_finite_result(out, name, "reduce mass_kg x time_s or the source's "
                                    "flux")
    return out


def max_q2(source: Any, target: Any) -> float:
    """Largest q^2 (MeV^2) a source can give on a target: :func:`coherency.q2_max`
    (the kinematic maximum at one neutrino energy, docs/physics.md Eq. (1.3)) at the
    source's highest energy E_max, on the target's lightest nucleus.

    See Also
    --------
    coherency.q2_max : q^2_max(E, mass) at given neutrino energies.
    """
    source = check_source(source)
    tgt = as_target(target)
    E = float(source.E_max)
    return max(float(q2_max_of(E, float(nuc.mass))) for nuc, _ in tgt.components)


def q2_fwhm(
    source: Any,
    target: Any,
    T_min: float = 0.0,
    form_factor: FormFactorSpec = "helm",
    epsilon: float | None = None,
    n_grid: int = 4000,
    couplings: str | None = None,
) -> tuple[float, float]:
    """q^2 range (MeV^2) where the event distribution dN/dq^2 exceeds half its maximum.

    Sharma & Wong's "q^2 range specified by FWHM in [Phi sigma]" (Fig. 2): dN/dq^2 is
    proportional to integral Phi(E) dsigma/dq2 dE, with the threshold applied
    (q^2 >= 2 M T_min). The maximum is located on a grid and refined with a bounded
    scalar search; the half-maximum crossings are found with brentq.

    Parameters
    ----------
    source, target, form_factor, epsilon
        As in :func:`flux_averaged_sigma`.
    T_min : float, MeV
        Nuclear-recoil threshold in [0, 1e4] MeV.
    n_grid : int
        Points of the search grid, an int in [3, 10^6] (``N_GRID_RANGE``).

    Returns
    -------
    (lo, hi) : tuple of float, MeV^2

    Raises
    ------
    ValueError
        An argument outside its domain (docs/physics.md §12), a threshold above every
        recoil the source gives, or no events.
    TypeError
        ``n_grid`` not an int.
    """
    source = check_source(source)
    T = _validation.check_recoil_scalar(T_min, "T_min")
    n_grid = _validation.check_int(n_grid, "n_grid", *_validation.N_GRID_RANGE)
    tgt = as_target(target)
    q2_lo = min(2.0 * nuc.mass * T for nuc, _ in tgt.components)
    q2_hi = max_q2(source, tgt)
    if not q2_hi > q2_lo:
        raise ValueError(f"T_min = {T:g} MeV is above every recoil this source can give")

    def density(q2: np.ndarray) -> np.ndarray:
        q2 = np.atleast_1d(np.asarray(q2, dtype=np.float64))
        val = np.asarray(q2_spectrum(source, tgt, q2, form_factor=form_factor, epsilon=epsilon,
                                     couplings=couplings))
        # apply the threshold per nucleus: below 2 M T_min there are no events
        if T > 0:
            cut = np.zeros_like(q2)
            for nuc, _ in tgt.components:
                cut = np.maximum(cut, (q2 >= 2.0 * nuc.mass * T).astype(float))
            val = val * cut
        return val

    grid = np.linspace(q2_lo, q2_hi, n_grid)
    vals = density(grid)
    i = int(np.argmax(vals))
    if vals[i] <= 0:
        raise ValueError("no events: the q^2 distribution is zero everywhere")
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, n_grid - 1)]
    res = optimize.minimize_scalar(lambda x: -density(x)[0], bounds=(a, b), method="bounded",
                                   options={"xatol": 1e-10 * max(abs(b), 1.0)})
    peak = max(vals[i], -res.fun)
    half = 0.5 * peak
    g = lambda x: density(x)[0] - half  # noqa: E731
    above = np.nonzero(vals >= half)[0]
    j0, j1 = above[0], above[-1]
    tol = {"xtol": 1e-12, "rtol": 1e-12}
    lo = q2_lo if j0 == 0 else optimize.brentq(g, grid[j0 - 1], grid[j0], **tol)
    hi = q2_hi if j1 == n_grid - 1 else optimize.brentq(g, grid[j1], grid[j1 + 1], **tol)
    return float(lo), float(hi)
