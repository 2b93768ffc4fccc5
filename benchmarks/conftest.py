"""Benchmark suite (pytest-benchmark): compiled kernels vs the numpy/scipy twin vs a
plain scipy baseline, in the same run. Not part of the test run (pyproject's
testpaths leave benchmarks/ out). Rerun, from the repository root:

    pytest benchmarks --benchmark-group-by=group --benchmark-json=bench.json
    python benchmarks/summarize.py bench.json

Every case checks its answer against the twin; no time is asserted. Each case
records the number of points in ``extra_info["n"]`` so that summarize.py can
report ns/point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def pytest_collect_file(file_path: Path, parent: Any) -> Any:
    # bench_*.py are not test_*.py: collect them when the folder is given
    # (`pytest benchmarks`); files named explicitly are collected by pytest itself.
    if (
        file_path.suffix == ".py"
        and file_path.name.startswith("bench_")
        and not parent.session.isinitpath(file_path)
    ):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
