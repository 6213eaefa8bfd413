"""A body over the request limit is refused with 413 however it is sent, chunked included,
and nothing is recorded from it; a chunked body within the limit works as any other."""

from urllib.parse import urlencode

import pytest
import requests

from tests.factories import Factories
from tests.fan_pages import form_token, signups

MB = 1024 * 1024


@pytest.fixture
def site(live_server):
    make = Factories(live_server.app)
    owner = make.artist(email="owner@example.com")
    live_server.campaign = make.campaign(owner=owner, slug="night-drive", title="Night Drive")
    return live_server


def _chunked_signup(site, email: str, padding: int):
    fields = {
        "platform": "spotify",
        "email": email,
        "form_token": form_token(site.app.test_client(), "night-drive"),
        "consent_version": "1",
    }

    def body():  # a generator: requests sends it chunked, with no Content-Length
        yield urlencode(fields).encode() + b"&pad="
        for _ in range(padding // MB):
            yield b"a" * MB

    return requests.post(
        f"{site.url}/night-drive/signup",
        data=body(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
    )


def test_a_chunked_50_mb_body_is_refused_and_nothing_is_recorded(site):
    response = _chunked_signup(site, "big@example.com", padding=50 * MB)
    assert response.status_code == 413
    assert "too large" in response.text
    assert signups(site.app, site.campaign.id) == []


def test_a_chunked_body_within_the_limit_is_read_whole(site):
    response = _chunked_signup(site, "small@example.com", padding=1 * MB)
    assert response.status_code == 200
    assert [s.email for s in signups(site.app, site.campaign.id)] == ["small@example.com"]
