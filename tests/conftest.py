"""Shared fixtures: every physics test runs under both backends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import coherency
from coherency import _backend

REQUIRE_COMPILED = os.environ.get("COHERENCY_REQUIRE_COMPILED", "") == "1"
FORCED = os.environ.get("COHERENCY_BACKEND", "").strip().lower()

# The public data releases sit beside the project (../shared/data); tests that read
# them skip with a reason when the folder is absent (e.g. from an installed wheel).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _backends() -> list[str]:
    # COHERENCY_BACKEND=numpy runs the whole suite on the twin alone.
    if FORCED == "numpy":
        return ["numpy"]
    return ["compiled", "numpy"]


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test inside ``use_backend(name)`` for each backend."""
    name = request.param
    if name == "compiled" and not _backend.compiled_available():
        if REQUIRE_COMPILED:
            pytest.fail("COHERENCY_REQUIRE_COMPILED=1 but coherency._kernels is not built")
        pytest.skip("compiled extension not built")
    with coherency.use_backend(name):
        yield name


@pytest.fixture
def shared_data() -> Path:
    """Path of ../shared/data, or skip when it is not there."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public data releases not found at {SHARED_DATA}")
    return SHARED_DATA
