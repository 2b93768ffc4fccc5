"""Sphinx configuration of the coherency documentation site.

Build: ``bash .ci/build-docs`` (warnings are errors, the examples are executed). The
report's figures are redrawn into ``docs/_generated/figures`` at every build, so the
site shows what the documented code draws.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import coherency  # noqa: E402

project = "coherency"
author = "coherency developers"
copyright = "coherency developers"  # noqa: A001 - Sphinx's name
release = coherency.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_generated/figures/figures.json", "figures/figures.json",
                    "examples/*.py", "examples/README.rst", "sg_execution_times.rst"]
myst_heading_anchors = 3
suppress_warnings = ["myst.xref_missing"]  # links to repository files outside the site

# -- API reference from the docstrings (numpydoc) ---------------------------------
autosummary_generate = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- examples, executed at every build ---------------------------------------------
os.environ.setdefault("MPLBACKEND", "Agg")
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "capture_repr": (),
}

# -- the page ------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"coherency {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "navbar_end": ["search-button", "theme-switcher"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars: dict[str, list[str]] = {"index": []}
html_show_sourcelink = False


def _redraw_report_figures(app: object) -> None:
    """The report's figures, drawn by this checkout's code, for the user guide."""
    from update_figures import update_figures

    update_figures(HERE / "_generated" / "figures")


def setup(app: object) -> None:
    app.connect("builder-inited", _redraw_report_figures)  # type: ignore[attr-defined]
