"""The two statistical models of the α projections (:mod:`.projections`), per q² bin.

``gaussian_sigma_xi``: σ_ξ of the Gaussian model, counts and systematics in quadrature.
``PoissonBin``: the Asimov profile likelihood of ``method="poisson"`` (flux factor,
background factor and, with a control sample, the background level profiled out).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import optimize

from .._typing import FloatArray

if TYPE_CHECKING:
    from .projections import Experiment

__all__ = ["PoissonBin", "gaussian_sigma_xi"]


def gaussian_sigma_xi(n_coh: FloatArray, n_helm: FloatArray, bkg: FloatArray,
                       exp: Experiment) -> FloatArray:
    var_counts = n_helm + bkg + (exp.background_unc * bkg) ** 2
    if exp.background_control_ratio is not None:
        var_counts = var_counts + bkg / exp.background_control_ratio
    xi = n_helm / n_coh
    return np.asarray(np.sqrt(var_counts / n_coh**2 + (exp.flux_unc * xi) ** 2),
                      dtype=np.float64)


def _poisson_dev(n: float, mu: float) -> float:
    """2 × (Poisson −ln L(mu) − −ln L(n)), the deviance of one count."""
    if mu <= 0.0:
        return math.inf if n > 0 else 0.0
    return 2.0 * (mu - n + (n * math.log(n / mu) if n > 0 else 0.0))


class PoissonBin:
    """Asimov profile likelihood of one bin (module docstring, ``method="poisson"``)."""

    def __init__(self, n_coh: float, n_helm: float, bkg: float, xi_dec: float,
                 exp: Experiment) -> None:
        self.n_coh, self.bkg, self.xi_dec = n_coh, bkg, xi_dec
        self.n = n_helm + bkg
        self.sf, self.sb = exp.flux_unc, exp.background_unc
        self.tau = exp.background_control_ratio
        self.alpha_true = (n_helm / n_coh - xi_dec) / (1.0 - xi_dec)
        # free nuisances: flux factor, background factor, background level
        self.free = [self.sf > 0, self.sb > 0 and bkg > 0,
                     self.tau is not None and bkg > 0]

    def _q_grad(self, alpha: float, y: FloatArray) -> tuple[float, FloatArray]:
        """q and its gradient in the scaled nuisances y = (δ/σ_f, β/σ_b, b/b_0)
        (fixed ones stay at their nominal values through the ``free`` mask)."""
        fd, fb, fl = self.free
        d = y[0] * self.sf if fd else 0.0
        beta = y[1] * self.sb if fb else 0.0
        b = y[2] * self.bkg if fl else self.bkg
        s = self.n_coh * (alpha + (1.0 - alpha) * self.xi_dec)
        mu = s * (1.0 + d) + b * (1.0 + beta)
        if mu <= 0.0:
            return math.inf, np.zeros(3)
        q = _poisson_dev(self.n, mu)
        dq_dmu = 2.0 * (1.0 - self.n / mu)
        grad = np.zeros(3)
        if fd:
            q += y[0] ** 2
            grad[0] = dq_dmu * s * self.sf + 2.0 * y[0]
        if fb:
            q += y[1] ** 2
            grad[1] = dq_dmu * b * self.sb + 2.0 * y[1]
        if fl:
            assert self.tau is not None
            q += _poisson_dev(self.tau * self.bkg, self.tau * b)
            grad[2] = (dq_dmu * (1.0 + beta) + 2.0 * self.tau * (1.0 - self.bkg / b)) * self.bkg
        return q, grad

    def q(self, alpha: float) -> float:
        """−2 ln λ(α) on the Asimov data, nuisances profiled (L-BFGS-B from the
        nominal point with the analytic gradient)."""
        y0 = np.array([0.0, 0.0, 1.0])
        if not any(self.free):
            return max(self._q_grad(alpha, y0)[0], 0.0)
        lo_d = -0.95 / self.sf if self.free[0] else 0.0
        lo_b = -0.95 / self.sb if self.free[1] else 0.0
        bounds = [(lo_d, None), (lo_b, None), (1e-12, None)]
        res = optimize.minimize(lambda y: self._q_grad(alpha, y), y0, jac=True,
                                method="L-BFGS-B", bounds=bounds,
                                options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 500})
        return max(float(res.fun), 0.0)

    def z(self, alpha: float) -> float:
        return math.copysign(math.sqrt(self.q(alpha)), self.alpha_true - alpha)

    def alpha_floor(self) -> float:
        """Smallest α with a non-negative signal (ξ(α) = 0)."""
        return -self.xi_dec / (1.0 - self.xi_dec)

    def solve(self, target_z: float, side: str, limit: float) -> float:
        """α on ``side`` of α_true where Z(α) = target_z (|target_z|), or ``limit`` if
        Z does not get there before it."""
        a0 = self.alpha_true
        zt = abs(target_z)
        if side == "lower":
            if self.z(limit) < zt:
                return limit
            return float(optimize.brentq(lambda a: self.z(a) - zt, limit, a0, xtol=1e-7))
        if -self.z(limit) < zt:
            return limit
        return float(optimize.brentq(lambda a: -self.z(a) - zt, a0, limit, xtol=1e-7))
