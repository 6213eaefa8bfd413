"""What every client shares: Retry-After parsing, UPC spellings, Authlib for OAuth, and the
README's configuration table."""

import email.utils
import re
import time
from pathlib import Path

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from app.platforms import settings
from app.platforms.barcode import upc_variants
from app.platforms.base import ReleaseIdentity, Tokens
from app.platforms.http import retry_after

README = Path(__file__).parents[2] / "README.md"


def _answer(header: str | None) -> requests.Response:
    response = requests.Response()
    if header is not None:
        response.headers["Retry-After"] = header
    return response


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after(_answer("7")) == 7
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 <= retry_after(_answer(in_a_minute)) <= 60
    past = email.utils.formatdate(time.time() - 60, usegmt=True)
    assert retry_after(_answer(past)) == 0
    assert retry_after(_answer("soon")) is None
    assert retry_after(_answer(None)) is None


@pytest.mark.parametrize(
    ("upc", "variants"),
    [
        ("602445790609", ["602445790609", "0602445790609"]),  # UPC-A: add the EAN's zero
        ("0602445790609", ["0602445790609", "602445790609"]),  # EAN-13 with a zero: drop it
        ("5602445790609", ["5602445790609"]),  # a real EAN-13: no other spelling
    ],
)
def test_a_upc_is_tried_with_and_without_a_leading_zero(upc, variants):
    assert upc_variants(upc) == variants


def test_the_oauth_clients_are_authlib_sessions(simulator):
    """Authlib does the OAuth protocol; Dropday's modules only configure it."""
    assert isinstance(simulator.client("spotify")._app.oauth, OAuth2Session)
    tidal = simulator.client("tidal")
    assert isinstance(tidal.oauth("http://127.0.0.1:9/cb"), OAuth2Session)
    assert isinstance(tidal._app.oauth, OAuth2Session)
    assert isinstance(
        simulator.client("youtube_music").oauth("http://127.0.0.1:9/cb"), OAuth2Session
    )
    assert isinstance(tidal.fan_session(Tokens("a"), print, stale=bool).oauth, OAuth2Session)
    # No module builds a token request by hand.
    sources = Path(settings.__file__).parent.glob("*.py")
    assert not [p.name for p in sources if re.search(r"[\"']grant_type[\"']\s*:", p.read_text())]


def test_every_platform_setting_is_in_the_readme_configuration_table():
    table = README.read_text()
    names = [*settings.URLS, *settings.REQUIRED, *settings.OPTIONS]
    assert [n for n in names if f"`{n}`" not in table] == []


@pytest.mark.parametrize(
    ("spotify_type", "upc", "kind"),
    [
        ("track", "602445790609", "track"),
        ("album", None, "album"),
        (None, "602445790609", "album"),
        (None, None, "track"),  # resolved from an ISRC through Deezer: a track campaign
    ],
)
def test_every_client_lists_an_identity_as_the_same_kind(spotify_type, upc, kind):
    identity = ReleaseIdentity("t", ("a",), upc=upc, isrcs=("X",), spotify_type=spotify_type)
    assert identity.kind == kind


def test_an_isrc_only_identity_is_a_track_on_every_platform_that_looks_isrcs_up(simulator):
    simulator.sim.go_live("demo", "tidal")
    from_isrc = ReleaseIdentity("Static Hearts", ("The Night Owls",), isrcs=("USUM71703862",))
    for key in ("spotify", "deezer", "apple_music", "tidal"):
        assert simulator.client(key).find_release(from_isrc).kind == "track", key
