"""
The degree of coherency α(q²) from COHERENT data
=================================================

Sharma & Wong's analysis: the measured cross section over the complete-coherency
prediction, ξ, bin by bin in q², gives the degree of coherency α without any nuclear
model. A bin's p-value is local; the most deviant of n bins needs the look-elsewhere
correction (here Šidák's, 1 − (1 − p)ⁿ).
"""

import matplotlib.pyplot as plt
import numpy as np

import coherency as coh
from coherency._report_text import sidak_global_p

m = coh.data.load("coherent_csi")  # COHERENT CsI 2017, CsI as Xe132
iv = m.alpha_interval(0.6827)
q2 = np.linspace(0.0, 6000.0, 200)
central, lo, hi = coh.alpha_theory(q2, m.nucleus)

fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
ax.fill_between(q2, lo, hi, color="0.8", label="Helm ±10 %")
ax.errorbar(m.q2, 0.5 * (iv.lo + iv.hi), yerr=0.5 * (iv.hi - iv.lo), fmt="none",
            xerr=0.5 * (m.q2_hi - m.q2_lo), color="C1", label="data, 1σ allowed")
ax.set_xlabel("q² (MeV²)")
ax.set_ylabel("degree of coherency α")
ax.set_ylim(0.0, 1.05)
ax.legend(loc="lower left")

# %%
# Local and global p-values of complete coherency (α = 1) and decoherency (α = 0):
for alpha in (1.0, 0.0):
    ex = m.strongest_exclusion(alpha)
    p_global = sidak_global_p(ex.p_value, len(m))
    print(f"alpha = {alpha:g}: local p = {ex.p_value:.3g} at q2 = {ex.q2:.0f} MeV^2, "
          f"global p = {p_global:.3g} over {len(m)} bins")

# %%
# From the command line::
#
#     coherency alpha --data coherent-csi-2017
#     coherency alpha --data coherent-ar-2020 --json
