"""
Fitting the COHERENT CsI 2021 data release
===========================================

:func:`coherency.inference.fit_experiment` measures CEvNS in a preset's data release
with a binned Poisson likelihood (signal from the preset, backgrounds and systematic
variants from the release; docs/fits.md): the number of CEvNS events, the cross section
relative to the Standard Model and the significance of the signal.
"""

from coherency import experiments
from coherency.inference import fit_experiment

csi = experiments.load("coherent-csi-2021")
result = fit_experiment(csi)
print(result.summary())

# %%
# The published fit for comparison:
pub = csi.published["fitted_counts"]
print(f"published: {pub.value:g} +- {pub.err_hi:g} CEvNS events ({pub.reference})")

# %%
# From the command line::
#
#     coherency experiment coherent-csi-2021 --fit
