"""Two web processes that share nothing but the database (as two dynos, or a PaaS's
ephemeral disks): artwork uploaded through one is served by the other."""

import os
import re
import subprocess
import sys
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta

import pytest
import requests

from app.config import ROOT
from app.extensions import db
from app.models import Campaign
from tests.conftest import free_port, wait_until_answering
from tests.factories import PASSWORD, Factories, png_bytes

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def on_the_database(test_config):
    test_config["MEDIA_STORAGE"] = "database"


@contextmanager
def gunicorn(app, workdir):
    """`web:` from the Procfile, in its own working directory and instance folder."""
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}} | {
        "DROPDAY_ENV": "development",
        "DROPDAY_INSTANCE": str(workdir),
        "SECRET_KEY": "shared-by-both-processes",
        "TOKEN_KEYS": app.config["TOKEN_KEYS"],
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "MEDIA_STORAGE": "database",
        "FAN_PAGE_CACHE_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(
        [*command, "--workers", "1", "--threads", "4", "app:create_app()"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url + "/healthz", proc, seconds=60)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


def csrf_token(session, url):
    response = session.get(url, timeout=10)
    assert response.status_code == 200, url
    return CSRF.search(response.text).group(1)


def test_artwork_uploaded_through_one_web_process_is_served_by_another(
    on_the_database, committed_app, tmp_path
):
    Factories(committed_app).artist(email="ada@example.com", name="Ada")
    with ExitStack() as stack:
        first = stack.enter_context(gunicorn(committed_app, tmp_path / "web.1"))
        second = stack.enter_context(gunicorn(committed_app, tmp_path / "web.2"))

        artist = requests.Session()
        login = {"email": "ada@example.com", "password": PASSWORD}
        login["csrf_token"] = csrf_token(artist, first + "/login")
        assert artist.post(first + "/login", data=login, timeout=10).ok
        fields = {
            "csrf_token": csrf_token(artist, first + "/dashboard/campaigns/new"),
            "title": "Night Drive",
            "artist_name": "Ada",
            "release_date": (date.today() + timedelta(days=30)).isoformat(),
            "time_zone": "Europe/Berlin",
            "release_source": "602445790609",
            "platforms": ["spotify", "deezer"],
            "slug": "night-drive",
        }
        saved = artist.post(
            first + "/dashboard/campaigns/new",
            data=fields,
            files={"artwork": ("cover.png", png_bytes(), "image/png")},
            allow_redirects=False,
            timeout=60,
        )
        assert saved.status_code == 303, saved.text[:500]
        with committed_app.app_context():
            key = db.session.scalar(db.select(Campaign.artwork).filter_by(slug="night-drive"))

        address = f"/media/artwork/{key}-page.jpg"
        there = requests.get(first + address, timeout=10)
        here = requests.get(second + address, timeout=10)
        assert here.status_code == 200 and here.headers["Content-Type"] == "image/jpeg"
        assert here.content == there.content and here.headers["ETag"] == there.headers["ETag"]
        fan_page = requests.get(second + "/night-drive", timeout=10).text
        assert address.replace("page.jpg", "480.jpg") in fan_page
    # Neither process kept the artwork on its own disk.
    assert not [p for p in tmp_path.rglob("*") if key in p.name]
