"""Statistical inference on CEvNS data: binned likelihoods, fits and toys.

Belongs here: Poisson (and Gaussian) likelihoods of binned counts in recoil energy and
arrival time, with nuisance parameters for the flux normalisation, quenching,
efficiency and backgrounds; maximum-likelihood fits and profile scans (with iminuit);
pseudo-experiments (toys) for coverage and p-values, run through :mod:`coherency.scan`.
A likelihood takes its prediction from an experiment preset (:mod:`coherency.experiments`)
and its parameters from the physics modules (form-factor radii, the weak mixing
angle, the degree of coherency α, the parameters of :mod:`coherency.bsm`).

Not here: the bin-wise α(q²) statistics of Sharma & Wong (Measurement, projections),
which live in :mod:`coherency.analysis`.
"""
