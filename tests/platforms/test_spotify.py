"""The Spotify client against the simulated Spotify over real HTTP."""

import base64
from datetime import timedelta

import pytest
import requests

from app.platforms.base import NotFound, PermanentError, ReleaseIdentity, TemporaryError
from app.platforms.spotify import QUOTA_WAIT
from app.simulator.demo import DEMO_SPOTIFY_ID, DEMO_UPC
from tests.platforms.releases import DEMO, DEMO_BY_UPC


@pytest.fixture
def spotify(simulator):
    return simulator.client("spotify")


def test_an_album_is_found_by_its_spotify_id(simulator, spotify):
    listing = spotify.find_release(DEMO)
    assert listing.matched_by == "source"
    assert listing.platform_id == DEMO_SPOTIFY_ID
    assert listing.url == f"https://open.spotify.com/album/{DEMO_SPOTIFY_ID}"
    assert listing.kind == "album"


def test_a_full_album_carries_its_upc_and_track_listing(spotify):
    album = spotify.album(DEMO_SPOTIFY_ID)
    assert album["external_ids"] == {"upc": DEMO_UPC}
    assert [t["name"] for t in spotify.album_tracks(album)] == [
        "Midnight Signals",
        "Static Hearts",
        "Lighthouse Frequencies",
    ]


def test_a_upc_search_is_sent_with_the_market(simulator, spotify):
    listing = spotify.find_release(DEMO_BY_UPC)
    assert listing.matched_by == "upc" and listing.platform_id == DEMO_SPOTIFY_ID
    (search,) = simulator.sim.requests("spotify", path="/v1/search")
    assert search.query["q"] == f"upc:{DEMO_UPC}"
    assert search.query["market"] == "US" and search.query["type"] == "album"


def test_a_upc_search_without_a_market_finds_nothing_which_is_why_the_client_sends_one(
    simulator, spotify
):
    token = _app_token(simulator)
    answer = requests.get(
        f"{simulator.url}/spotify/v1/search",
        params={"q": f"upc:{DEMO_UPC}", "type": "album"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert answer.json()["albums"]["items"] == []


def test_a_upc_listed_with_a_leading_zero_is_found_by_trying_both_spellings(simulator, spotify):
    simulator.sim.add_release(
        "ean",
        title="Zeroes",
        artists=["Lead"],
        upc="190000000015",
        tracks=[("USUM71700001", "Zeroes")],
        listed_upc={"spotify": "0190000000015"},
        live={"spotify": True},
    )
    album = spotify.search_upc("190000000015")
    assert album["name"] == "Zeroes"
    queries = [r.query["q"] for r in simulator.sim.requests("spotify", path="/v1/search")]
    assert queries == ["upc:190000000015", "upc:0190000000015"]


def test_an_isrc_finds_the_track_and_an_album_identity_takes_its_album(simulator, spotify):
    track_only = ReleaseIdentity(title="Static Hearts", artists=(), isrcs=("USUM71703862",))
    listing = spotify.find_release(track_only)
    assert listing.kind == "track" and listing.matched_by == "isrc"
    (search,) = simulator.sim.requests("spotify", path="/v1/search")
    assert search.query["q"] == "isrc:USUM71703862"
    assert (search.query["type"], search.query["market"]) == ("track", "US")
    album = ReleaseIdentity(title="x", artists=(), isrcs=("USUM71703862",), spotify_type="album")
    assert spotify.find_release(album).platform_id == DEMO_SPOTIFY_ID


def test_null_items_in_search_results_are_skipped(simulator, spotify):
    simulator.sim.fail("spotify", "null_items")
    assert spotify.search_isrc("USUM71703861")["external_ids"]["isrc"] == "USUM71703861"


def test_a_release_not_live_yet_is_not_found_until_it_goes_live(simulator, spotify):
    upcoming = simulator.sim.release("upcoming")
    identity = ReleaseIdentity(
        title=upcoming.title,
        artists=upcoming.artists,
        upc=upcoming.upc,
        isrcs=tuple(t.isrc for t in upcoming.tracks),
        spotify_id=upcoming.ids["spotify"],
        spotify_type="album",
    )
    with pytest.raises(NotFound):
        spotify.album(upcoming.ids["spotify"])
    assert spotify.find_release(identity) is None

    simulator.sim.go_live("upcoming", "spotify", at=simulator.sim.now() + timedelta(hours=1))
    assert spotify.find_release(identity) is None
    simulator.sim.advance(hours=1)
    assert spotify.find_release(identity).matched_by == "source"


def test_an_unknown_id_is_not_found_with_spotify_s_error(simulator, spotify):
    with pytest.raises(NotFound, match="non existing id"):
        spotify.track("0000000000000000000000")


def test_a_rate_limited_lookup_says_when_to_retry(simulator, spotify):
    simulator.sim.fail("spotify", "rate_limit", retry_after=7, path="/v1")
    with pytest.raises(TemporaryError) as caught:
        spotify.album(DEMO_SPOTIFY_ID)
    assert caught.value.retry_after == 7
    assert spotify.album(DEMO_SPOTIFY_ID)["id"] == DEMO_SPOTIFY_ID  # the next call is fine


def test_an_exhausted_quota_is_temporary_with_a_long_wait(simulator, spotify):
    simulator.sim.fail("spotify", "quota", retry_after=5, path="/v1")
    with pytest.raises(TemporaryError, match="quota") as caught:
        spotify.album(DEMO_SPOTIFY_ID)
    assert caught.value.retry_after >= QUOTA_WAIT


def test_the_app_token_is_fetched_once_and_reused(simulator, spotify):
    spotify.album(DEMO_SPOTIFY_ID)
    spotify.search_isrc("USUM71703861")
    log = simulator.sim.requests("spotify")
    assert [r.path for r in log] == [
        "/accounts/api/token",
        f"/v1/albums/{DEMO_SPOTIFY_ID}",
        "/v1/search",
    ]
    assert log[0].auth_scheme == "Basic" and log[0].client_id == "dropday-sim-spotify"
    assert log[1].token == log[2].token
    assert log[1].token == spotify._app.oauth.token["access_token"]


def test_a_token_within_a_minute_of_expiry_is_replaced_before_use(simulator, spotify):
    simulator.sim.set_token_lifetime("spotify", 45)  # always inside the 60 s margin
    spotify.album(DEMO_SPOTIFY_ID)
    spotify.album(DEMO_SPOTIFY_ID)
    first, second = simulator.sim.requests("spotify", path="/v1/albums")
    assert first.token != second.token
    assert (first.status, second.status) == (200, 200)


def test_a_token_the_api_calls_expired_is_replaced_once(simulator, spotify):
    spotify.album(DEMO_SPOTIFY_ID)
    simulator.sim.advance(hours=2)  # the client's clock says the token is fine; Spotify's not
    assert spotify.album(DEMO_SPOTIFY_ID)["id"] == DEMO_SPOTIFY_ID
    statuses = [(r.path, r.status) for r in simulator.sim.requests("spotify")]
    assert statuses[2:] == [
        (f"/v1/albums/{DEMO_SPOTIFY_ID}", 401),
        ("/accounts/api/token", 200),
        (f"/v1/albums/{DEMO_SPOTIFY_ID}", 200),
    ]


def test_a_revoked_app_token_is_replaced_once(simulator, spotify):
    spotify.album(DEMO_SPOTIFY_ID)
    simulator.sim.revoke_app_tokens("spotify")
    assert spotify.album(DEMO_SPOTIFY_ID)["id"] == DEMO_SPOTIFY_ID
    assert len(simulator.sim.requests("spotify", path="/accounts/api/token")) == 2


def test_wrong_app_credentials_are_refused_permanently(simulator):
    spotify = simulator.client("spotify", SPOTIFY_CLIENT_SECRET="not-the-secret")
    with pytest.raises(PermanentError, match="invalid_client"):
        spotify.album(DEMO_SPOTIFY_ID)
    (attempt,) = simulator.sim.requests("spotify")
    assert attempt.status == 400


def test_the_token_endpoint_answers_bad_credentials_as_spotify_does(simulator):
    url = f"{simulator.url}/spotify/accounts/api/token"
    form = {"grant_type": "client_credentials"}
    missing = requests.post(url, data=form, timeout=5)
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_client")
    wrong = requests.post(url, data=form, auth=("dropday-sim-spotify", "nope"), timeout=5)
    assert wrong.json() == {"error": "invalid_client", "error_description": "Invalid client secret"}
    unknown = requests.post(url, data=form, auth=("someone-else", "x"), timeout=5)
    assert unknown.json()["error_description"] == "Invalid client"
    basic = base64.b64encode(b"dropday-sim-spotify:dropday-sim-spotify-secret").decode()
    no_grant = requests.post(url, headers={"Authorization": f"Basic {basic}"}, timeout=5)
    assert no_grant.json()["error"] == "unsupported_grant_type"


def test_the_api_refuses_missing_and_unknown_tokens_as_spotify_does(simulator):
    url = f"{simulator.url}/spotify/v1/albums/{DEMO_SPOTIFY_ID}"
    missing = requests.get(url, timeout=5)
    assert missing.status_code == 401
    refused = {"error": {"status": 401, "message": "Missing/invalid/expired access token"}}
    assert missing.json() == refused
    bogus = requests.get(url, headers={"Authorization": "Bearer made-up"}, timeout=5)
    assert (bogus.status_code, bogus.json()) == (401, refused)


def test_an_outage_at_the_token_endpoint_is_temporary(simulator, spotify):
    simulator.sim.fail("spotify", "rate_limit", retry_after=11, path="/accounts")
    with pytest.raises(TemporaryError) as caught:
        spotify.album(DEMO_SPOTIFY_ID)
    assert caught.value.retry_after == 11
    simulator.sim.fail("spotify", "server_error", path="/accounts")
    with pytest.raises(TemporaryError):
        spotify.album(DEMO_SPOTIFY_ID)
    assert spotify.album(DEMO_SPOTIFY_ID)["id"] == DEMO_SPOTIFY_ID


def test_an_album_longer_than_one_page_is_read_to_the_end(simulator, spotify):
    tracks = [(f"USUM7170{n:04d}", f"Track {n}") for n in range(1, 56)]
    release = simulator.sim.add_release(
        "long",
        title="Box Set",
        artists=["Lead"],
        upc="190000000022",
        tracks=tracks,
        live={"spotify": True},
    )
    album = spotify.album(release.ids["spotify"])
    assert len(album["tracks"]["items"]) == 50
    assert len(spotify.album_tracks(album)) == 55


def _app_token(simulator) -> str:
    answer = requests.post(
        f"{simulator.url}/spotify/accounts/api/token",
        data={"grant_type": "client_credentials"},
        auth=("dropday-sim-spotify", "dropday-sim-spotify-secret"),
        timeout=5,
    )
    return answer.json()["access_token"]


def test_an_injected_revoked_app_token_is_replaced_once(simulator, spotify):
    simulator.sim.fail("spotify", "revoked", times=1)
    assert spotify.album(DEMO_SPOTIFY_ID)["id"] == DEMO_SPOTIFY_ID
    calls = [(r.path, r.status, r.fault) for r in simulator.sim.requests("spotify")]
    assert calls == [
        ("/accounts/api/token", 200, None),  # no token presented: the fault waits
        (f"/v1/albums/{DEMO_SPOTIFY_ID}", 401, "revoked"),
        ("/accounts/api/token", 200, None),
        (f"/v1/albums/{DEMO_SPOTIFY_ID}", 200, None),
    ]
