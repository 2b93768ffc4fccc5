"""
A parameter scan on a Dask cluster
===================================

:func:`coherency.scan.grid` cuts a scan into chunks and runs them here, on an
executor, or on a ``dask.distributed`` cluster; the result is the same bits either way.
This example starts a small local cluster (threads in this process) and scans the
flux-averaged cross section of a monochromatic source over energy and threshold.
"""

import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

import coherency as coh
from coherency import scan

E = np.linspace(5.0, 50.0, 40)          # MeV
T_min = np.array([0.0, 5e-3, 10e-3])    # MeV (0, 5, 10 keVnr)

with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                  dashboard_address=None) as cluster, Client(cluster) as client:
    on_cluster = scan.grid(coh.sigma_total, E=E, T_min=T_min, target="CsI", outer=True,
                           chunk_size=30, client=client)
here = scan.grid(coh.sigma_total, E=E, T_min=T_min, target="CsI", outer=True,
                 chunk_size=30)
print("same bits on the cluster and here:", np.array_equal(on_cluster, here))

fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
for j, t in enumerate(T_min):
    ax.semilogy(E, on_cluster[:, j], label=f"T > {t * 1e3:g} keVnr")
ax.set_xlabel("neutrino energy E (MeV)")
ax.set_ylabel("σ(E) on CsI (cm² per nucleus)")
ax.legend()
