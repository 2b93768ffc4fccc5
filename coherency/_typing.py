"""Type aliases shared by the package's modules."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: A float64 numpy array.
FloatArray = npt.NDArray[np.float64]
#: What the public functions return: a Python float for scalar input, else an array.
FloatOrArray = float | npt.NDArray[np.float64]
