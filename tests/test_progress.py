"""Progress bars (tqdm, on stderr) on the calls that take seconds: on when asked (or on
a terminal), off when asked, and never changing a result."""

from __future__ import annotations

import io

import numpy as np
import pytest

import coherency as coh
from coherency import report, scan


def test_grid_progress_on_and_off(capsys: pytest.CaptureFixture[str]) -> None:
    E = np.linspace(5.0, 50.0, 12)
    quiet = scan.grid(coh.sigma_total, E=E, target="Ar40", chunk_size=3, progress=False)
    assert capsys.readouterr().err == ""
    shown = scan.grid(coh.sigma_total, E=E, target="Ar40", chunk_size=3, progress=True)
    err = capsys.readouterr().err
    assert "scan.grid" in err and "/4 " in err  # a bar over the 4 chunks
    np.testing.assert_array_equal(quiet, shown)
    # default: only on a terminal (pytest's captured stderr is not one)
    scan.grid(coh.sigma_total, E=E, target="Ar40", chunk_size=3)
    assert capsys.readouterr().err == ""


def test_toys_progress(capsys: pytest.CaptureFixture[str]) -> None:
    def draw(rng: np.random.Generator) -> float:
        return float(rng.normal())

    a = scan.toys(draw, 20, seed=1, chunk_size=5, progress=True)
    assert "scan.toys" in capsys.readouterr().err
    b = scan.toys(draw, 20, seed=1, chunk_size=5, progress=False)
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(a, b)


def test_report_progress_bar_counts_its_steps() -> None:
    stream = io.StringIO()
    bar = report.Progress(3, enabled=True, stream=stream)
    for label in ("a", "b", "c"):
        bar.step(label)
    text = stream.getvalue()
    assert "1/3" in text and "2/3" in text and "c:" in text
    silent = io.StringIO()
    off = report.Progress(3, enabled=False, stream=silent)
    off.step("a")
    off.close()
    assert silent.getvalue() == "" and off.done == 1
