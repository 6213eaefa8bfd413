"""The YouTube Music (and YouTube) client against simulated Google sign-in and YouTube Data API."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from app.platforms.base import Listing, PermanentError, ReleaseIdentity, TemporaryError
from app.platforms.oauth import REFUSED, REVOKED
from app.platforms.youtube_music import seconds_until_quota_reset
from app.simulator.youtube import quota_used
from tests.platforms.consent import GOOGLE_CALLBACK as CALLBACK
from tests.platforms.consent import answer
from tests.platforms.releases import DEMO, DEMO_BY_UPC

PACIFIC = ZoneInfo("America/Los_Angeles")
# No Spotify URL: Odesli cannot help, so the client searches.
SINGLE = ReleaseIdentity(
    title="Paper Lanterns (feat. The Night Owls)",
    artists=("Mira Vale",),
    isrcs=("USUM71703870",),
    spotify_type="track",
)


@pytest.fixture
def youtube_music(simulator):
    return simulator.client("youtube_music")


@pytest.fixture
def connected(youtube_music):
    """A fan ("ada") who connected YouTube Music: (tokens, what the token saver received)."""
    start = youtube_music.begin_connect(CALLBACK, state="s-1")
    return youtube_music.finish_connect(CALLBACK, answer(start.redirect_url)).tokens, []


def _album(simulator, platform="youtube_music") -> Listing:
    playlist = simulator.sim.release("demo").ids[platform]
    return Listing(
        platform, f"https://music.youtube.com/playlist?list={playlist}", playlist, "album", "odesli"
    )


def _track_videos(simulator, key="demo", platform="youtube_music") -> list[str]:
    return [t.ids[platform] for t in simulator.sim.release(key).tracks]


# -- finding the release ---------------------------------------------------------------------


def test_a_release_with_a_spotify_url_is_mapped_through_odesli_without_spending_quota(
    simulator, youtube_music
):
    listing = youtube_music.find_release(DEMO)
    playlist = simulator.sim.release("demo").ids["youtube_music"]
    assert (listing.matched_by, listing.kind, listing.platform_id) == ("odesli", "album", playlist)
    assert simulator.sim.requests("youtube") == []


def test_without_odesli_the_album_is_found_by_search_on_the_topic_channel(simulator, youtube_music):
    listing = youtube_music.find_release(DEMO_BY_UPC)
    playlist = simulator.sim.release("demo").ids["youtube_music"]
    assert (listing.matched_by, listing.kind, listing.platform_id) == ("search", "album", playlist)
    assert listing.url == f"https://music.youtube.com/playlist?list={playlist}"
    (search,) = simulator.sim.requests("youtube")
    assert search.path == "/youtube/v3/search"
    assert (
        search.query["type"] == "playlist"
        and search.query["q"] == "The Night Owls Midnight Signals"
    )
    assert search.query["key"] == simulator.app.config["YOUTUBE_API_KEY"]


def test_a_single_is_found_as_its_video_despite_feat_credits_and_a_cover(simulator, youtube_music):
    listing = youtube_music.find_release(SINGLE)
    assert listing.kind == "track"
    assert listing.platform_id == _track_videos(simulator, "catalog-single")[0]
    assert listing.url == f"https://music.youtube.com/watch?v={listing.platform_id}"


def test_the_youtube_choice_links_the_artists_own_video(simulator):
    listing = simulator.client("youtube").find_release(SINGLE)
    assert listing.platform == "youtube"
    assert listing.platform_id == _track_videos(simulator, "catalog-single", "youtube")[0]
    assert listing.url.startswith("https://www.youtube.com/watch?v=")


def test_a_result_by_another_artist_is_rejected(youtube_music):
    impostor = ReleaseIdentity(
        title="Paper Lanterns", artists=("Someone Else",), spotify_type="track"
    )
    assert youtube_music.find_release(impostor) is None


def test_a_release_that_is_not_live_yet_is_not_found(simulator, youtube_music):
    upcoming = ReleaseIdentity(
        title="Tides Between Us", artists=("Harbor Lights",), upc="602445790623"
    )
    assert youtube_music.find_release(upcoming) is None
    simulator.sim.go_live("upcoming", "youtube_music")
    assert youtube_music.find_release(upcoming).matched_by == "search"


def test_an_invalid_api_key_is_permanent(simulator):
    client = simulator.client("youtube_music", YOUTUBE_API_KEY="wrong")
    with pytest.raises(PermanentError, match="400"):
        client.find_release(DEMO_BY_UPC)


# -- connecting a fan ------------------------------------------------------------------------


def test_the_fan_is_sent_to_google_for_offline_access_with_consent(simulator, youtube_music):
    request = youtube_music.begin_connect(CALLBACK, state="s-1")
    parts = urlsplit(request.redirect_url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"{simulator.url}/youtube/accounts/o/oauth2/v2/auth"
    )
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["scope"] == ["https://www.googleapis.com/auth/youtube"]
    assert query["response_type"] == ["code"] and query["state"] == ["s-1"]
    assert request.verifier is None


def test_a_fan_who_allows_access_gets_a_refresh_token(simulator, connected):
    tokens, _ = connected
    assert tokens.access_token.startswith("ya29.") and tokens.refresh_token
    assert tokens.expires_at > datetime.now(UTC)
    (exchange,) = simulator.sim.requests("youtube", path="/oauth2/token")
    assert exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["client_id"] == simulator.app.config["GOOGLE_CLIENT_ID"]


def test_the_connected_account_is_named_by_the_fans_channel(simulator, youtube_music):
    start = youtube_music.begin_connect(CALLBACK, state="s-1")
    connected = youtube_music.finish_connect(CALLBACK, answer(start.redirect_url))
    assert connected.account_id == "UCada"
    (lookup,) = simulator.sim.requests("youtube", path="/youtube/v3/channels")
    assert lookup.status == 200


def test_a_fan_who_refuses_is_a_permanent_refusal(youtube_music):
    request = youtube_music.begin_connect(CALLBACK, state="s-1")
    back = answer(request.redirect_url, decision="deny")
    assert back["error"] == "access_denied"
    with pytest.raises(PermanentError, match=REFUSED):
        youtube_music.finish_connect(CALLBACK, back)


def test_the_simulator_refuses_an_unknown_client(simulator):
    client = simulator.client("youtube_music", GOOGLE_CLIENT_ID="someone-else")
    page = requests.get(client.begin_connect(CALLBACK, state="s").redirect_url, timeout=5)
    assert page.status_code == 401 and "invalid_client" in page.text


# -- saving ----------------------------------------------------------------------------------


def test_a_save_likes_every_track_of_the_album(simulator, youtube_music, connected):
    tokens, saved = connected
    result = youtube_music.save(tokens, _album(simulator), saved.append)
    assert result.verified and result.detail == "liked 3 video(s)"
    videos = _track_videos(simulator)
    assert simulator.sim.library("ada", "youtube") == {"liked_videos": videos}
    rates = simulator.sim.requests("youtube", path="/youtube/v3/videos/rate")
    assert [r.query for r in rates] == [{"id": v, "rating": "like"} for v in videos]
    assert all(r.token == tokens.access_token for r in rates)
    assert quota_used(simulator.sim) == 1 + 1 + 3 * 50  # channel at connect, playlist, likes
    assert saved == []


def test_saving_twice_likes_nothing_twice(simulator, youtube_music, connected):
    tokens, saved = connected
    youtube_music.save(tokens, _album(simulator), saved.append)
    youtube_music.save(tokens, _album(simulator), saved.append)
    assert simulator.sim.library("ada", "youtube") == {"liked_videos": _track_videos(simulator)}


def test_an_expired_access_token_is_refreshed_once_and_handed_to_the_saver(
    simulator, youtube_music, connected
):
    tokens, saved = connected
    simulator.sim.expire_tokens("youtube", "ada")
    assert youtube_music.save(tokens, _album(simulator), saved.append).verified
    (new,) = saved
    assert new.access_token != tokens.access_token
    assert new.refresh_token == tokens.refresh_token  # Google keeps the refresh token
    refreshes = [
        r
        for r in simulator.sim.requests("youtube", path="/oauth2/token")
        if r.form["grant_type"] == "refresh_token"
    ]
    assert len(refreshes) == 1
    first, *rest = simulator.sim.requests("youtube", path="/youtube/v3/playlistItems")
    assert first.status == 401
    assert {r.token for r in rest} == {new.access_token}


def test_a_token_known_to_be_expired_is_refreshed_before_the_first_call(
    simulator, youtube_music, connected
):
    tokens, saved = connected
    tokens.expires_at = datetime.now(UTC) - timedelta(minutes=5)
    assert youtube_music.save(tokens, _album(simulator), saved.append).verified
    assert len(saved) == 1
    assert all(r.status < 400 for r in simulator.sim.requests("youtube", path="/youtube/v3/"))


def test_a_revoked_connection_is_permanent(simulator, youtube_music, connected):
    tokens, saved = connected
    simulator.sim.revoke("ada", "youtube")
    with pytest.raises(PermanentError, match=REVOKED):
        youtube_music.save(tokens, _album(simulator), saved.append)
    assert saved == []
    refresh = simulator.sim.requests("youtube", path="/oauth2/token")[-1]
    assert refresh.status == 400


def test_an_exhausted_quota_waits_until_midnight_pacific(simulator, youtube_music, connected):
    tokens, saved = connected
    simulator.sim.set_daily_quota("youtube", 60)  # room for the playlist read and one like
    with pytest.raises(TemporaryError, match="quota") as error:
        youtube_music.save(tokens, _album(simulator), saved.append)
    resume = (simulator.sim.now() + timedelta(seconds=error.value.retry_after)).astimezone(PACIFIC)
    assert (resume.hour, resume.minute) in {(0, 0), (23, 59)}
    assert 0 < error.value.retry_after <= 25 * 3600
    assert simulator.sim.requests("youtube")[-1].status == 403


def test_an_injected_quota_fault_is_temporary_too(simulator, youtube_music, connected):
    tokens, saved = connected
    simulator.sim.fail("youtube", "quota")
    with pytest.raises(TemporaryError) as error:
        youtube_music.save(tokens, _album(simulator), saved.append)
    assert error.value.retry_after == pytest.approx(seconds_until_quota_reset(), abs=5)


def test_liking_a_video_youtube_does_not_have_is_permanent(simulator, youtube_music, connected):
    tokens, saved = connected
    missing = Listing(
        "youtube_music", "https://music.youtube.com/watch?v=x", "x" * 11, "track", "search"
    )
    with pytest.raises(PermanentError, match="404"):
        youtube_music.save(tokens, missing, saved.append)


@pytest.mark.parametrize(
    ("now", "hours"),
    [
        (datetime(2026, 6, 1, 23, 0, tzinfo=PACIFIC), 1),  # PDT
        (datetime(2026, 1, 15, 12, 0, tzinfo=PACIFIC), 12),  # PST
        (datetime(2026, 3, 8, 0, 30, tzinfo=PACIFIC), 22.5),  # clocks spring forward at 2:00
        (datetime(2026, 11, 1, 0, 30, tzinfo=PACIFIC), 24.5),  # and fall back
        (datetime(2026, 6, 1, 7, 0, tzinfo=UTC), 24),  # midnight PDT exactly
    ],
)
def test_the_quota_resets_at_the_next_midnight_pacific(now, hours):
    assert seconds_until_quota_reset(now) == hours * 3600


def test_an_injected_revoked_token_fault_is_a_permanent_revocation(
    simulator, youtube_music, connected
):
    tokens, saved = connected
    simulator.sim.fail("youtube", "revoked", path="/youtube/v3/")
    with pytest.raises(PermanentError, match=REVOKED):
        youtube_music.save(tokens, _album(simulator), saved.append)
    assert saved == []
    first = simulator.sim.requests("youtube", path="/youtube/v3/playlistItems")[0]
    assert (first.fault, first.status) == ("revoked", 401)
    refresh = simulator.sim.requests("youtube", path="/oauth2/token")[-1]
    assert (refresh.form["grant_type"], refresh.status) == ("refresh_token", 400)


def test_the_simulated_api_refuses_missing_and_bad_credentials_as_google_does(simulator):
    api = f"{simulator.url}/youtube/youtube/v3"
    no_key = requests.get(f"{api}/search", params={"part": "snippet", "q": "x"}, timeout=5)
    assert (no_key.status_code, no_key.json()["error"]["errors"][0]["reason"]) == (403, "forbidden")
    no_login = requests.post(f"{api}/videos/rate", params={"id": "x", "rating": "like"}, timeout=5)
    assert (no_login.status_code, no_login.json()["error"]["status"]) == (401, "UNAUTHENTICATED")
    bogus = requests.post(
        f"{api}/videos/rate",
        params={"id": "x", "rating": "like"},
        headers={"Authorization": "Bearer ya29.made-up"},
        timeout=5,
    )
    assert bogus.json()["error"]["errors"][0]["reason"] == "authError"
    wrong_secret = requests.post(
        f"{simulator.url}/youtube/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "client_id": simulator.app.config["GOOGLE_CLIENT_ID"],
            "client_secret": "nope",
        },
        timeout=5,
    )
    assert (wrong_secret.status_code, wrong_secret.json()["error"]) == (401, "invalid_client")
    unknown_refresh = requests.post(
        f"{simulator.url}/youtube/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "client_id": simulator.app.config["GOOGLE_CLIENT_ID"],
            "client_secret": simulator.app.config["GOOGLE_CLIENT_SECRET"],
        },
        timeout=5,
    )
    assert (unknown_refresh.status_code, unknown_refresh.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        ("rate_limit", None, "rateLimitExceeded"),
        ("user_rate_limit", None, "userRateLimitExceeded"),
        ("rate_limit", 429, "rateLimitExceeded"),
    ],
)
def test_each_kind_of_google_rate_limit_is_temporary(
    simulator, youtube_music, connected, kind, status, reason
):
    tokens, saved = connected
    simulator.sim.fail("youtube", kind, status=status, retry_after=9, path="/youtube/v3/")
    with pytest.raises(TemporaryError) as error:
        youtube_music.save(tokens, _album(simulator), saved.append)
    assert error.value.retry_after == 9
    call = simulator.sim.requests("youtube", path="/youtube/v3/")[-1]
    assert call.status == (status or 403)


def test_a_refused_token_gets_google_s_401_with_www_authenticate(simulator):
    answer = requests.post(
        f"{simulator.url}/youtube/youtube/v3/videos/rate",
        params={"id": "x", "rating": "like"},
        headers={"Authorization": "Bearer ya29.made-up"},
        timeout=5,
    )
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == (
        'Bearer realm="https://accounts.google.com/", error="invalid_token"'
    )
    assert answer.json()["error"]["errors"][0] == {
        "message": "Invalid Credentials",
        "domain": "global",
        "reason": "authError",
        "location": "Authorization",
        "locationType": "header",
    }


def test_rating_without_a_video_id_is_a_missing_required_parameter(simulator, connected):
    tokens, _ = connected
    answer = requests.post(
        f"{simulator.url}/youtube/youtube/v3/videos/rate",
        params={"rating": "like"},
        headers={"Authorization": f"Bearer {tokens.access_token}"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["reason"] == "missingRequiredParameter"


def test_google_refuses_a_redirect_uri_it_does_not_have_registered(simulator, youtube_music):
    start = youtube_music.begin_connect("http://127.0.0.1:9/elsewhere", state="s-1")
    refused = requests.get(start.redirect_url, timeout=5)
    assert refused.status_code == 400 and "redirect_uri_mismatch" in refused.text
