"""Lighthouse (npm lighthouse 12.2.3, installed by `make browser-deps` into .node/) against
the fan page and the Smart Link served by gunicorn, as in production: mobile form factor
with simulated throttling; Performance, Accessibility, Best Practices and SEO all 100."""

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.factories import Factories, serve_at
from tests.look_artworks import ARTWORKS
from tests.release_day_rows import Rows
from tests.test_weight import photo_like

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / ".node" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(site, test_config):
    """The app under gunicorn, on the same database and uploads as the test's rows."""
    if shutil.which("node") is None:
        pytest.skip("Lighthouse needs Node.js, which is not installed on this machine")
    if not LIGHTHOUSE.exists():
        pytest.fail("Lighthouse is missing: run `make browser-deps` (installs it into .node/)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = dict(test_config) | {"PUBLIC_URL": url}
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--threads", "4", f"app:create_app({config!r})",
        ],
        cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                requests.get(url + "/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def site_with_pages(site):
    serve_at(site.app, site.url)
    make, rows = Factories(site.app), Rows(site.app)
    owner = make.artist(email="owner@example.com", name="Owner")
    make.campaign(owner=owner, slug="night-drive", title="Night Drive", artwork_bytes=photo_like())
    live = make.campaign(
        owner=owner, slug="out-now", title="Out Now", artwork_bytes=ARTWORKS["saturated"]
    )
    rows.live(live, "apple_music", "spotify", "deezer", "youtube_music", "tidal")
    return site


def lighthouse(url: str, out: Path) -> dict:
    subprocess.run(
        [
            str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
            "--only-categories=" + ",".join(CATEGORIES),
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        env={"CHROME_PATH": "/usr/bin/chromium", "PATH": "/usr/bin:/bin", "HOME": str(out.parent)},
        check=True,
        timeout=240,
    )  # fmt: skip
    return json.loads(out.read_text())


@pytest.mark.parametrize("slug", ["night-drive", "out-now"])
def test_lighthouse_scores_100_on_the_fan_page_and_the_smart_link(
    site_with_pages, gunicorn, tmp_path, slug
):
    report = lighthouse(f"{gunicorn}/{slug}", tmp_path / "report.json")
    scores = {name: report["categories"][name]["score"] for name in CATEGORIES}
    failing = {
        audit["id"]: audit.get("displayValue") or audit["score"]
        for audit in report["audits"].values()
        if audit["score"] is not None
        and audit["score"] < 1
        and audit["scoreDisplayMode"] in {"binary", "numeric"}
    }
    assert scores == dict.fromkeys(CATEGORIES, 1), (scores, failing)
    lcp = report["audits"]["largest-contentful-paint"]["numericValue"]
    assert lcp <= 1500, lcp
