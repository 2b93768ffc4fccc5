"""
Limits from the full likelihood of COHERENT CsI 2021
=====================================================

:func:`coherency.bsm.limit_curve`, :func:`~coherency.bsm.upper_limit` and
:func:`~coherency.bsm.delta_chi2` with ``statistic="likelihood"``: the binned Poisson
likelihood of the CsI 2021 data release (PE × arrival time, neutron and steady-state
backgrounds) with every nuisance profiled at each point (docs/physics.md §13.12).
Left: the 90 % CL upper limit on a universal light vector mediator's g_ν g_q, beside
the counts-only χ² of the same preset. Right: the 90 % CL region of ν_e NSI with u and
d quarks, with the LMA-Dark line and the significances with which the published
analyses of CsI 2017 exclude its u-only and d-only points
(``coherency/data/bsm_published_limits.csv``). The grids are coarse to keep the page
fast; docs/bsm.md has the numbers on fine grids.
"""

import csv
import io
import math
from importlib import resources

import matplotlib.pyplot as plt
import numpy as np

from coherency import bsm, experiments

csi = experiments.load("coherent-csi-2021")

# ---- the light vector mediator -----------------------------------------------------
masses = np.geomspace(0.1, 1e4, 11)  # MeV
couplings = np.geomspace(1e-11, 1e-4, 90)
zp = bsm.VectorMediator(10.0, 0.0, charges="universal")
full = bsm.limit_curve(csi, zp, masses, couplings, statistic="likelihood")
counts = bsm.limit_curve(csi, zp, masses, couplings)
print(f"g_nu g_q < {full[0]:.2g} (likelihood), {counts[0]:.2g} (counts-only) "
      f"at {masses[0]:g} MeV")

# ---- the magnetic moment, flavour by flavour ---------------------------------------
mu = np.linspace(0.0, 1e-8, 26)
for flavour in ("e", "mu"):
    lim = bsm.upper_limit(csi, bsm.MagneticMoment(0.0), statistic="likelihood",
                          mu_nu_bohr={flavour: mu})
    print(f"mu_nu_{flavour} < {lim:.2g} mu_B (90 % CL)")

# ---- NSI of nu_e with u and d quarks -------------------------------------------------
# the region is a pair of bands along (2Z + N) eps_u + (Z + 2N) eps_d = const: a grid
# fine across them and coarse along them
along = np.linspace(-1.4, 1.4, 5)
across = np.linspace(-0.2, 0.55, 26)
direction = np.array([211.0, -188.0]) / math.hypot(211.0, 188.0)  # Cs: 2Z+N, Z+2N
normal = np.array([188.0, 211.0]) / math.hypot(188.0, 211.0)
A, S = np.meshgrid(along, across, indexing="ij")
U = A * direction[0] + S * normal[0]
D = A * direction[1] + S * normal[1]
dchi2 = bsm.delta_chi2(csi, bsm.NSI(), statistic="likelihood", eps_uV={("e", "e"): U},
                       eps_dV={("e", "e"): D})
lma = {"u": (-2.0 / 3.0, 0.0), "d": (0.0, -2.0 / 3.0)}
at_lma = bsm.delta_chi2(csi, bsm.NSI(), statistic="likelihood",
                        eps_uV={("e", "e"): np.array([0.0, -2.0 / 3.0, 0.0])},
                        eps_dV={("e", "e"): np.array([0.0, 0.0, -2.0 / 3.0])})
text = resources.files("coherency.data").joinpath("bsm_published_limits.csv").read_text()
rows = list(csv.DictReader(io.StringIO("\n".join(
    line for line in text.splitlines() if not line.startswith("#")))))

fig, (ax, bx) = plt.subplots(1, 2, figsize=(10.0, 4.2), layout="constrained")
ax.loglog(masses, full, "o-", label="full likelihood (this package)")
ax.loglog(masses, counts, "--", label="counts-only χ²")
ax.set_xlabel("mediator mass (MeV)")
ax.set_ylabel(r"$g_\nu g_q$, 90 % CL upper limit")
ax.set_title("Universal Z′, COHERENT CsI 2021\n(no published CsI 2021 points found)",
             fontsize=10)
ax.legend()

bx.contourf(U, D, dchi2, levels=[0.0, 4.605], colors=["tab:blue"], alpha=0.5)
bx.contour(U, D, dchi2, levels=[4.605], colors=["tab:blue"])
line = np.linspace(-1.0, 0.4, 2)
bx.plot(line, -2.0 / 3.0 - line, ":", color="k", label="LMA-Dark (ε⊕_ee = −2, Y_n = 1)")
for k, (q, (u, d)) in enumerate(lma.items()):
    pub = ", ".join(f"{float(r['value']):g}σ ({r['reference'].split(',')[0].split()[-1]})"
                    for r in rows if r["model"] == f"NSI with {q} quarks")
    ours = math.sqrt(max(at_lma[k + 1] - at_lma[0], 0.0))
    bx.plot(u, d, "kx")
    bx.annotate(f"{q} only: {ours:.0f}σ here\n(CsI 2017: {pub})", (u, d),
                textcoords="offset points", xytext=(6, 6), fontsize=7)
    print(f"LMA-Dark, {q} quarks only: sqrt(Delta) = {ours:.1f}; published: {pub}")
bx.plot(0.0, 0.0, "k*", label="Standard Model")
bx.set_xlim(-1.0, 1.0)
bx.set_ylim(-1.0, 1.0)
bx.set_xlabel(r"$\varepsilon^{uV}_{ee}$")
bx.set_ylabel(r"$\varepsilon^{dV}_{ee}$")
bx.set_title("ν_e NSI, 90 % CL (2 dof), CsI 2021", fontsize=10)
bx.legend(fontsize=7, loc="lower left")
