"""The README's figures are the report's figures: the PNG files in docs/figures were
drawn by the code of this checkout (their fingerprints in docs/figures/figures.json
equal those of the figures the report draws now), and the README shows them with the
report's captions. After a change to the report or the plots, run
``python docs/update_figures.py``."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"

pytest.importorskip("matplotlib")
pytestmark = pytest.mark.skipif(not (FIGURES / "figures.json").is_file(),
                                reason="no checkout (docs/figures) beside the tests")


@pytest.fixture(scope="module")
def drawn() -> dict:
    from coherency import plotting, report

    figs = report.report_figures(report.build_report(fits=False))  # figures only
    return {key: plotting.figure_fingerprint(fig) for key, fig in figs.items()}


@pytest.fixture(scope="module")
def committed() -> dict:
    return json.loads((FIGURES / "figures.json").read_text(encoding="utf-8"))


def test_committed_figures_are_the_ones_the_report_draws(drawn: dict, committed: dict
                                                         ) -> None:
    from coherency import report

    assert set(committed) == set(drawn) == set(report.FIGURE_FILES)
    for key, fp in drawn.items():
        assert committed[key]["fingerprint"] == fp, (
            f"docs/figures/{report.FIGURE_FILES[key]} is stale: run "
            f"python docs/update_figures.py")
        assert committed[key]["file"] == report.FIGURE_FILES[key]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_png_files_have_the_figures_size(drawn: dict) -> None:
    from coherency import report

    for key, fp in drawn.items():
        w, h = _png_size(FIGURES / report.FIGURE_FILES[key])
        want = [round(x * report.FIGURE_DPI) for x in fp["size_inches"]]
        assert abs(w - want[0]) <= 2 and abs(h - want[1]) <= 2


def test_readme_shows_the_report_figures_with_their_captions() -> None:
    from coherency import report

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for key, name in report.FIGURE_FILES.items():
        assert re.search(rf"!\[[^\]]*\]\(docs/figures/{re.escape(name)}\)", text), name
        assert report.FIGURE_CAPTIONS[key] in text
    assert "Seed" not in text


def test_figure_texts_carry_no_jargon_and_units(drawn: dict) -> None:
    for fp in drawn.values():
        for ax in fp["axes"]:
            if "q^2" in ax["xlabel"]:
                assert "MeV" in ax["xlabel"]  # q^2 axes carry their unit
            for text in (ax["title"], *ax["legend"], ax["legend_title"]):
                assert "Seed" not in text and "Fig." not in text
