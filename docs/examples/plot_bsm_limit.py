"""
A light-mediator limit from COHERENT CsI 2021
==============================================

:mod:`coherency.bsm`: a light vector boson Z' coupled to neutrinos and quarks changes
the weak charge at low q². :func:`coherency.bsm.limit_curve` scans its coupling per
mass against the CsI 2021 preset (counts-only χ², docs/bsm.md) and returns the 90 % CL
upper limit.
"""

import matplotlib.pyplot as plt
import numpy as np

from coherency import bsm, experiments

csi = experiments.load("coherent-csi-2021")
masses = np.geomspace(1.0, 1000.0, 25)  # MeV
fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
for charges, couplings in (("universal", np.geomspace(1e-11, 1e-5, 80)),
                           ("B-L", np.geomspace(1e-6, 1e-2, 80))):
    limit = bsm.limit_curve(csi, bsm.VectorMediator(10.0, 1e-9, charges=charges), masses,
                            couplings)
    label = "universal, $g_\\nu g_q$" if charges == "universal" else "B−L, $g'$"
    ax.loglog(masses, limit, label=label)
    print(f"{charges}: 90 % CL limit at 10 MeV = {np.interp(10.0, masses, limit):.2g}")
ax.set_xlabel("mediator mass (MeV)")
ax.set_ylabel("coupling, 90 % CL upper limit")
ax.set_title("Light vector mediator: COHERENT CsI 2021")
ax.legend()
