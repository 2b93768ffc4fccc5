"""Shared fixtures: every physics test runs under both backends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import coherency
from coherency import _backend

REQUIRE_COMPILED = os.environ.get("COHERENCY_REQUIRE_COMPILED", "") == "1"
FORCED = os.environ.get("COHERENCY_BACKEND", "").strip().lower()



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
def releases() -> Path:
    """The folder of the public data releases shipped in the package."""
    return coherency.data.release_dir()
