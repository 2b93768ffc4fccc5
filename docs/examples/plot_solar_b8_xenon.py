"""
Solar ⁸B neutrinos in a xenon detector
=======================================

The "neutrino floor" of dark-matter searches: the recoil spectrum of ⁸B solar neutrinos
on natural xenon for one tonne-year, and the counts above a nuclear-recoil threshold.
"""

import matplotlib.pyplot as plt
import numpy as np

import coherency as coh

b8 = coh.sources.Solar(components=("8B",))
year = 365.25 * 86400.0
T_keV = np.linspace(0.0, 4.5, 300)
dndT = np.asarray(coh.recoil_spectrum(b8, "Xe", T_keV * 1e-3, 1000.0, year)) * 1e-3

fig, (a, b) = plt.subplots(1, 2, figsize=(9.6, 3.8), layout="constrained")
a.semilogy(T_keV, dndT)
a.set_xlabel("nuclear recoil energy T (keVnr)")
a.set_ylabel("dN/dT (events per keVnr, 1 t yr)")
a.set_ylim(1e-3, None)

thresholds = np.linspace(0.5, 4.0, 15)
counts = [coh.event_rate(b8, "Xe", 1000.0, year, T_min=t * 1e-3) for t in thresholds]
b.semilogy(thresholds, counts, marker="o", ms=3)
b.set_xlabel("threshold (keVnr)")
b.set_ylabel("events above threshold (1 t yr)")
fig.suptitle("Solar 8B on natural xenon")

# %%
# Above the largest recoil the Sun can give, the answer is zero, and the package says
# why (a warning of its own category):
import warnings  # noqa: E402

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print(coh.event_rate(b8, "Xe", 1000.0, year, T_min=10e-3))
print(caught[0].category.__name__, ":", caught[0].message)

# %%
# From the command line::
#
#     coherency spectrum solar-8B Xe --exposure 1tonne*yr --out b8.csv
#     coherency rate solar-8B Xe --exposure 1tonne*yr --threshold 1keVnr
