"""Draw the report's figures into a folder (default: docs/figures, the README's), with
``figures.json``: the fingerprint of each (:func:`coherency.plotting.figure_fingerprint`),
against which ``tests/test_readme_figures.py`` checks that the committed PNG files are
the figures the report draws today.

    python docs/update_figures.py [FOLDER]

The documentation build runs the same function into its own output, so the site always
shows figures drawn by the code it documents.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def update_figures(folder: Path = HERE / "figures") -> dict[str, Path]:
    """Build the report's numbers, draw its figures into ``folder`` as PNG and write
    their fingerprints to ``folder/figures.json``; the paths written."""
    from coherency import plotting, report

    folder.mkdir(parents=True, exist_ok=True)
    data = report.build_report(fits=False)  # the figures do not show the fits
    prints = {}
    paths = {}
    for key, fig in report.report_figures(data).items():
        paths[key] = folder / report.FIGURE_FILES[key]
        report.save_figure(fig, paths[key])
        prints[key] = {"file": report.FIGURE_FILES[key], "caption": report.FIGURE_CAPTIONS[key],
                       "fingerprint": plotting.figure_fingerprint(fig)}
    paths["json"] = folder / "figures.json"
    paths["json"].write_text(json.dumps(prints, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    return paths


if __name__ == "__main__":
    out = update_figures(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "figures")
    print("\n".join(str(p) for p in out.values()))
