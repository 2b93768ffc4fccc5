"""The documentation site in a real headless browser (Chromium): its pages render with
their content, images and navigation, and its search finds pages.

Runs when ``COHERENCY_DOCS_HTML`` names a built site (``.ci/run`` builds it with
``.ci/build-docs`` and sets it); it then needs Chromium (Debian's ``chromium``, which
``.ci/run`` installs). Skipped otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

SITE = os.environ.get("COHERENCY_DOCS_HTML", "")
pytestmark = pytest.mark.skipif(not SITE, reason="COHERENCY_DOCS_HTML names no built site")


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("COHERENCY_DOCS_HTML is set but no Chromium is installed")


@pytest.fixture(scope="module")
def site() -> Path:
    root = Path(SITE).resolve()
    assert (root / "index.html").is_file(), f"no built site in {root}"
    return root


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chromium-profile")


def _run(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [_browser(), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-dev-shm-usage", "--no-first-run", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def dom(profile: Path, url: str) -> str:
    """The page's DOM after its scripts ran (virtual time lets them finish)."""
    res = _run(profile, "--virtual-time-budget=15000", "--dump-dom", url)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "<html" in res.stdout, res.stderr[-2000:]
    return res.stdout


PAGES = {
    "index.html": ["coherency", "User guide", "API reference"],
    "user_guide/command_line.html": ["keVee", "--exposure", "pint", "KinematicReachWarning"],
    "user_guide/report.html": ["degree of coherency"],
    "physics.html": ["Helm", "Form factors"],
    "experiments.html": ["coherent-csi-2021", "CONUS+"],
    "api.html": ["event_rate", "Experiment presets"],
    "generated/coherency.event_rate.html": ["Expected number of events", "Parameters"],
    "auto_examples/index.html": ["Reactor antineutrinos on germanium", "Dask"],
    "auto_examples/plot_reactor_ge.html": ["Lindhard", "CONUS+: ours"],
    "auto_examples/plot_dask_scan.html": ["same bits on the cluster and here: True"],
    "auto_examples/plot_fit_csi_2021.html": ["CEvNS events", "no-CEvNS rejected"],
    "auto_examples/plot_bsm_limit.html": ["90 % CL limit at 10 MeV"],
    "auto_examples/plot_bsm_limits_likelihood.html": ["LMA-Dark, u quarks only"],
    "fits.html": ["coherency.inference"],
    "bsm.html": ["coherency.bsm"],
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_with_its_content(page: str, site: Path, profile: Path) -> None:
    html = dom(profile, (site / page).as_uri())
    text = re.sub(r"<[^>]+>", " ", html)
    for word in PAGES[page]:
        assert word in text, f"{page}: {word!r} not on the rendered page"
    assert 'class="bd-article' in html or "bd-article" in html  # the theme's main column
    assert "navbar" in html  # the theme's header rendered
    # every image of the page exists
    for src in re.findall(r'<img[^>]+src="([^"]+)"', html):
        if src.startswith(("http:", "https:", "data:")):
            continue
        target = (site / page).parent / src.split("#")[0].split("?")[0]
        assert target.resolve().is_file(), f"{page}: missing image {src}"


def test_executed_examples_show_figures(site: Path, profile: Path) -> None:
    html = dom(profile, (site / "auto_examples/plot_reactor_ge.html").as_uri())
    images = re.findall(r'<img[^>]+src="([^"]*sphx_glr_plot_reactor_ge_\d+\.png)"', html)
    assert images, "the reactor example shows no figure"
    html = dom(profile, (site / "user_guide/report.html").as_uri())
    assert re.search(r'<img[^>]+src="[^"]*fig2_alpha_vs_q2\.png"', html)


@pytest.mark.parametrize(("query", "expect"), [
    ("quenching", "user_guide/command_line.html"),
    ("Lindhard", "auto_examples/plot_reactor_ge.html"),
    ("flux_averaged_sigma", "generated/coherency.flux_averaged_sigma.html"),
])
def test_search_finds_pages(query: str, expect: str, site: Path, profile: Path) -> None:
    html = dom(profile, (site / "search.html").as_uri() + "?q=" + quote(query))
    links = re.findall(r'<li[^>]*>\s*<a[^>]+href="([^"#]+)', html)
    assert expect in links, f"search for {query!r} found {links[:10]}"
    assert re.search(r"found \d+ page", html)


def test_search_for_nonsense_finds_nothing(site: Path, profile: Path) -> None:
    html = dom(profile, (site / "search.html").as_uri() + "?q=qwzxvbnmkjh")
    assert "did not match any documents" in html
    assert not re.findall(r'<li[^>]*>\s*<a[^>]+href="[^"#]+\.html', html.split(
        'id="search-results"')[-1])


def test_screenshot_is_not_blank(site: Path, profile: Path, tmp_path: Path) -> None:
    png = tmp_path / "index.png"
    res = _run(profile, "--hide-scrollbars", "--window-size=1280,900",
               f"--screenshot={png}", (site / "index.html").as_uri())
    assert res.returncode == 0 and png.is_file(), res.stderr[-2000:]
    mpimg = pytest.importorskip("matplotlib.image")
    img = mpimg.imread(png)
    assert img.shape[0] == 900 and img.shape[1] == 1280
    # text and navigation: many pixels differ from the background
    background = img[5, -5]
    differs = (abs(img[..., :3] - background[:3]).sum(axis=-1) > 0.3).mean()
    assert differs > 0.02
