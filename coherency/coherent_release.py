"""Bin-wise ξ(q²) from the public COHERENT data releases (docs/physics.md §7).

The readers live under :mod:`coherency.data`: :mod:`coherency.data.coherent_csi_2017`
(CsI[Na] 2017), :mod:`coherency.data.coherent_ar_2020` (CENNS-10 Ar 2020) and
:mod:`coherency.data.xi_tables` (the table format and :func:`write_shipped_tables`,
which made ``coherency/data/*_xi.csv``). This module keeps their former import path;
every name here is the same object as there.
"""

from __future__ import annotations

from .data.coherent_ar_2020 import (
    AR_2020_BRN_REL_UNC,
    AR_2020_MASS_KG,
    AR_2020_QF,
    derive_ar_2020,
)
from .data.coherent_csi_2017 import (
    CSI_2017_EFFICIENCY,
    CSI_2017_EFFICIENCY_MIN_PE,
    CSI_2017_FLAT_QF,
    CSI_2017_LIGHT_YIELD_PE_PER_KEVEE,
    CSI_2017_LIVE_DAYS_OFF,
    CSI_2017_LIVE_DAYS_ON,
    CSI_2017_MASS_KG,
    CsIRelease,
    CsISignal,
    QuenchingFit,
    csi_2017_efficiency,
    csi_2017_predicted,
    csi_2017_signal,
    derive_csi_2017,
    fit_quenching,
    read_csi_2017,
)
from .data.xi_tables import (
    SHIPPED,
    XiTable,
    derive_shipped,
    read_table,
    write_shipped_tables,
    write_table,
)

__all__ = [
    "AR_2020_BRN_REL_UNC",
    "AR_2020_MASS_KG",
    "AR_2020_QF",
    "CSI_2017_EFFICIENCY",
    "CSI_2017_EFFICIENCY_MIN_PE",
    "CSI_2017_FLAT_QF",
    "CSI_2017_LIGHT_YIELD_PE_PER_KEVEE",
    "CSI_2017_LIVE_DAYS_OFF",
    "CSI_2017_LIVE_DAYS_ON",
    "CSI_2017_MASS_KG",
    "SHIPPED",
    "CsIRelease",
    "CsISignal",
    "QuenchingFit",
    "XiTable",
    "csi_2017_efficiency",
    "csi_2017_predicted",
    "csi_2017_signal",
    "derive_ar_2020",
    "derive_csi_2017",
    "derive_shipped",
    "fit_quenching",
    "read_csi_2017",
    "read_table",
    "write_shipped_tables",
    "write_table",
]
