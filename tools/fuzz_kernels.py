"""Python-level fuzz of the public API, run by tools/fuzz_kernels.sh (FUZZ_PYTHON=1)
on a copy of the package whose extension is built with -fsanitize=address,undefined.

usage: python fuzz_kernels.py <package root> <iterations>
Exits 1 if anything but ValueError/TypeError (or the kernel's documented RuntimeError
for more than 2^20 q panels) escapes; the sanitizers abort on any memory error.
"""
import random
import sys
import warnings

import numpy as np

root = sys.argv[1]
sys.path.insert(0, root)
import coherency as coh  # noqa: E402
from coherency import sources  # noqa: E402
from coherency.detector import (  # noqa: E402
    GammaPE,
    GaussianEnergy,
    LogisticEfficiency,
    PoissonPE,
    Response,
)
from coherency.form_factors import KleinNystrand, SymmetrizedFermi  # noqa: E402

assert coh.__file__.startswith(root), coh.__file__
warnings.simplefilter("ignore")
rng = np.random.default_rng(11)
random.seed(11)
EXT = np.array([0.0, -0.0, 5e-324, 1e-300, 1e-160, 1.0, 30.0, 1e5, 1e150, 1e300, 1.7e308,
                -1.0, np.nan, np.inf, -np.inf])
def vals():
    n = int(rng.integers(0, 40))
    v = np.where(rng.random(n) < 0.3, rng.choice(EXT, n), 10 ** rng.uniform(-8, 4, n))
    return v if rng.random() < 0.8 else v.astype(">f8")[::-1]
dar = sources.PionDAR(n_pot=1e22, exposure_time_s=1e7, distance_m=20.0)
csi = Response(0.08, GammaPE(), LogisticEfficiency(1.32, 0.29, 10.9, -0.33),
               [0.0, 10.0, 60.0])
pe = Response(0.08, PoissonPE(13.3), None, [0.0, 5.0, 60.0])
ar = Response(0.25, GaussianEnergy(0.0, 0.58), None, [-5.0, 20.0, 120.0])
calls = [
    lambda v: coh.spherical_j1(v), lambda v: coh.helm_form_factor(v, 132),
    lambda v: coh.helm_form_factor(30.0, v), lambda v: SymmetrizedFermi()(v, 40),
    lambda v: KleinNystrand()(v, 74), lambda v: coh.dsigma_dq2(v, v[::-1] if v.size else v, "CsI"),
    lambda v: coh.dsigma_dT(v, 30.0, "Ge"), lambda v: coh.sigma_total(v, "Xe132", T_min=1e-3),
    lambda v: coh.sigma_total(30.0, "Ar40", T_min=v), lambda v: coh.recoil_spectrum(dar, "CsI", v),
    lambda v: coh.q2_spectrum(dar, "CsI", v), lambda v: coh.alpha_from_xi(v, "Xe132"),
    lambda v: [coh.flux_averaged_sigma(dar, "CsI", T_min=float(x)) for x in v[:3]],
    lambda v: [coh.event_rate(dar, "Ar40", 1.0, 1.0, T_min=float(x)) for x in v[:2]],
    lambda v: csi.matrix(v), lambda v: pe.matrix(v[:5]), lambda v: ar.matrix(v),
]
msgs = set()
counts = {"ok": 0, "ValueError": 0, "TypeError": 0, "other": 0}
for _ in range(int(sys.argv[2])):
    v = vals()
    with coh.use_backend("compiled"):
        try:
            random.choice(calls)(v)
            counts["ok"] += 1
        except (ValueError, TypeError) as e:
            counts[type(e).__name__] += 1
        except RuntimeError as e:
            counts["other"] += 1
            msgs.add(str(e))
print("python fuzz:", counts, sorted(msgs))
documented = {"coh_sigma_total: argument outside the documented domain (status -2)"}
sys.exit(0 if msgs <= documented else 1)
