"""The Apple Music client against the simulated Apple Music API over real HTTP."""

import time
from html.parser import HTMLParser

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from app.platforms.apple_music import TOKEN_LIFETIME
from app.platforms.base import Listing, PermanentError, ReleaseIdentity, TemporaryError, Tokens
from app.platforms.oauth import REFUSED, REVOKED
from app.simulator.apple_developer_token import MAX_TOKEN_AGE
from app.simulator.apple_music import delay_library_adds
from app.simulator.demo import DEMO_UPC
from tests.platforms.consent import APPLE_CALLBACK as CALLBACK
from tests.platforms.consent import consent
from tests.platforms.releases import DEMO, SINGLE_ALBUM, UPCOMING


@pytest.fixture
def apple(simulator):
    return simulator.client("apple_music")


@pytest.fixture
def fan(simulator, apple) -> Tokens:
    """ "ada" allowed Dropday on the MusicKit consent page; her token is checked and kept."""
    return _connect(apple, _music_user_token(simulator, apple)).tokens


def _connect(apple, music_user_token):
    return apple.finish_connect(CALLBACK, {"music_user_token": music_user_token or ""})


def _music_user_token(simulator, apple, decision="allow") -> str | None:
    setup = apple.begin_connect(CALLBACK, state="s-1").browser
    answer = consent(
        f"{simulator.url}/apple_music/authorize?"
        + requests.compat.urlencode(
            {
                "developer_token": setup["developer_token"],
                "app": "Dropday",
                "origin": simulator.root,
            }
        ),
        decision=decision,
    )
    assert answer.status_code == 200
    found = _Output()
    found.feed(answer.text)
    return found.values.get("music-user-token")


class _Output(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values, self._id = {}, None

    def handle_starttag(self, tag, attrs):
        self._id = dict(attrs).get("id") if tag == "output" else None

    def handle_endtag(self, tag):
        self._id = None

    def handle_data(self, data):
        if self._id:
            self.values[self._id] = data.strip()


def _album(simulator) -> Listing:
    album_id = simulator.sim.release("demo").ids["apple_music"]
    return Listing("apple_music", "https://music.apple.com/", album_id, "album", "upc")


# -- the developer token ---------------------------------------------------------------------


def test_the_developer_token_is_an_es256_jwt_with_the_configured_kid_and_team(simulator, apple):
    token = apple.developer_token()
    config = simulator.app.config
    public = ECKey.import_key(ECKey.import_key(config["APPLE_PRIVATE_KEY"]).as_pem(private=False))
    decoded = jwt.decode(token, public, ["ES256"])
    assert decoded.header == {"typ": "JWT", "alg": "ES256", "kid": config["APPLE_KEY_ID"]}
    claims = decoded.claims
    assert claims["iss"] == config["APPLE_TEAM_ID"]
    assert abs(claims["iat"] - time.time()) < 5
    assert claims["exp"] - claims["iat"] == TOKEN_LIFETIME <= MAX_TOKEN_AGE
    assert "origin" not in claims


def test_the_browser_copy_is_limited_to_dropdays_origin(simulator, apple):
    start = apple.begin_connect(CALLBACK, state="s-1")
    assert start.redirect_url is None  # authorized in the page, not by a redirect
    setup = start.browser
    claims = jwt.decode(setup["developer_token"], _public_key(simulator), ["ES256"]).claims
    assert claims["origin"] == [simulator.app.config["PUBLIC_URL"]]
    assert setup["script_url"] == f"{simulator.url}/apple_music/musickit/v3/musickit.js"


def test_the_developer_token_is_cached_until_close_to_expiry(apple):
    first = apple.developer_token()
    assert apple.developer_token() == first
    token, _ = apple._tokens[False]
    apple._tokens[False] = (token, int(time.time()) + 60)  # about to expire
    assert apple.developer_token() != first


@pytest.mark.parametrize(
    "problem",
    ["other_key", "hs256", "wrong_kid", "wrong_team", "expired", "beyond_six_months", "none"],
)
def test_the_simulator_refuses_developer_tokens_apple_would_refuse(simulator, problem):
    config = simulator.app.config
    now = int(time.time())
    header = {"alg": "ES256", "kid": config["APPLE_KEY_ID"]}
    claims = {"iss": config["APPLE_TEAM_ID"], "iat": now, "exp": now + 3600}
    key = ECKey.import_key(config["APPLE_PRIVATE_KEY"])
    if problem == "other_key":
        key = ECKey.generate_key("P-256")
    elif problem == "hs256":
        header["alg"], key = "HS256", OctKey.import_key("a-shared-secret-that-is-long-enough")
    elif problem == "wrong_kid":
        header["kid"] = "ABCDEFGHIJ"
    elif problem == "wrong_team":
        claims["iss"] = "ABCDEFGHIJ"
    elif problem == "expired":
        claims |= {"iat": now - 7200, "exp": now - 3600}
    elif problem == "beyond_six_months":
        claims["exp"] = now + MAX_TOKEN_AGE + 1
    token = "" if problem == "none" else jwt.encode(header, claims, key)
    answer = requests.get(
        f"{simulator.url}/apple_music/v1/catalog/us/albums",
        params={"filter[upc]": DEMO_UPC},
        headers={"Authorization": f"Bearer {token}"} if token else {},
        timeout=5,
    )
    assert answer.status_code == 401


def test_a_client_with_the_wrong_key_is_refused_permanently(simulator):
    other = ECKey.generate_key("P-256").as_pem(private=True).decode()
    apple = simulator.client("apple_music", APPLE_PRIVATE_KEY=other)
    with pytest.raises(PermanentError, match="developer token"):
        apple.find_release(DEMO)


# -- the catalog -----------------------------------------------------------------------------


def test_an_album_is_found_by_upc_in_the_storefront(simulator, apple):
    listing = apple.find_release(DEMO)
    album_id = simulator.sim.release("demo").ids["apple_music"]
    assert (listing.matched_by, listing.kind, listing.platform_id) == ("upc", "album", album_id)
    assert listing.url == f"https://music.apple.com/us/album/midnight-signals/{album_id}"
    (lookup,) = simulator.sim.requests("apple_music")
    assert lookup.path == "/v1/catalog/us/albums"
    assert lookup.query == {"filter[upc]": DEMO_UPC}
    assert lookup.auth_scheme == "Bearer"


def test_the_configured_storefront_is_used(simulator):
    apple = simulator.client("apple_music", APPLE_STOREFRONT="gb")
    assert "/gb/" in apple.find_release(DEMO).url
    (lookup,) = simulator.sim.requests("apple_music")
    assert lookup.path == "/v1/catalog/gb/albums"


def test_a_release_without_a_upc_is_found_through_an_isrc(simulator, apple):
    listing = apple.find_release(SINGLE_ALBUM)
    single = simulator.sim.release("catalog-single")
    assert (listing.matched_by, listing.kind) == ("isrc", "album")
    assert listing.platform_id == single.ids["apple_music"]
    (lookup,) = simulator.sim.requests("apple_music")
    assert lookup.query == {"filter[isrc]": "USUM71703870", "include": "albums"}


def test_a_track_source_is_listed_as_the_song(simulator, apple):
    track = ReleaseIdentity(
        title="Paper Lanterns",
        artists=("Mira Vale",),
        isrcs=("USUM71703870",),
        spotify_type="track",
    )
    listing = apple.find_release(track)
    assert listing.kind == "track"
    assert (
        listing.platform_id == simulator.sim.release("catalog-single").tracks[0].ids["apple_music"]
    )


def test_a_release_that_is_not_live_yet_is_not_found_until_it_is(simulator, apple):
    assert apple.find_release(UPCOMING) is None
    simulator.sim.go_live("upcoming", "apple_music")
    assert apple.find_release(UPCOMING).matched_by == "upc"


# -- connecting a fan (MusicKit JS) ----------------------------------------------------------


def test_the_musickit_stand_in_script_is_served(simulator, apple):
    script = requests.get(apple.begin_connect(CALLBACK, "s").browser["script_url"], timeout=5)
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert "MusicKit" in script.text and "authorize" in script.text


def test_a_fan_who_allows_access_is_connected_with_a_music_user_token(simulator, apple):
    token = _music_user_token(simulator, apple)
    connected = _connect(apple, token)
    tokens = connected.tokens
    assert tokens.access_token == token
    assert connected.account_id == _connect(apple, token).account_id != token
    assert tokens.refresh_token is None  # Apple offers no refresh
    check = simulator.sim.requests("apple_music", path="/v1/me/storefront")[-1]
    assert check.status == 200
    assert check.headers["Music-User-Token"] == token


def test_a_fan_who_refuses_gets_no_token(simulator, apple):
    assert _music_user_token(simulator, apple, decision="deny") is None
    with pytest.raises(PermanentError, match=REFUSED):
        _connect(apple, "")


def test_a_token_apple_does_not_know_is_refused_at_connection(apple):
    with pytest.raises(PermanentError, match=REFUSED):
        _connect(apple, "not-a-music-user-token")


def test_the_consent_page_refuses_a_bad_developer_token(simulator):
    answer = requests.get(
        f"{simulator.url}/apple_music/authorize",
        params={"developer_token": "nope", "origin": simulator.root},
        timeout=5,
    )
    assert answer.status_code == 401


# -- saving ----------------------------------------------------------------------------------


def test_a_save_is_verified_in_the_fans_library(simulator, apple, fan):
    saved = []
    listing = _album(simulator)
    result = apple.save(fan, listing, saved.append)
    assert result.verified
    assert simulator.sim.library("ada", "apple_music") == {"albums": [listing.platform_id]}
    add, check = simulator.sim.requests("apple_music", path="/v1/")[-2:]
    assert (add.method, add.path, add.status) == ("POST", "/v1/me/library", 202)
    assert add.query == {"ids[albums]": listing.platform_id}
    assert add.headers["Music-User-Token"] == fan.access_token
    assert check.path == f"/v1/catalog/us/albums/{listing.platform_id}"
    assert check.query == {"relate": "library"}
    assert saved == []  # a Music User Token is never refreshed


def test_an_add_that_does_not_show_up_is_recorded_as_unverified(simulator, apple, fan):
    delay_library_adds(simulator.sim, 3600)  # Apple accepts, the library lags behind
    result = apple.save(fan, _album(simulator), [].append)
    assert not result.verified
    assert "202" in result.detail
    checks = simulator.sim.requests("apple_music", path="/v1/catalog/us/albums/")
    assert len(checks) == 1  # one look right away; release day verifies later, not by waiting
    simulator.sim.advance(hours=2)
    assert simulator.sim.library("ada", "apple_music") == {}  # until someone reads it
    assert apple._in_library(fan.access_token, "albums", _album(simulator).platform_id)


def test_an_id_apple_silently_ignores_is_unverified(simulator, apple, fan):
    result = apple.save(fan, Listing("apple_music", "u", "1234567890", "album", "upc"), [].append)
    assert not result.verified
    assert simulator.sim.requests("apple_music", path="/v1/me/library")[0].status == 202


def test_a_revoked_music_user_token_is_permanent(simulator, apple, fan):
    simulator.sim.revoke("ada", "apple_music")
    with pytest.raises(PermanentError, match=REVOKED):
        apple.save(fan, _album(simulator), [].append)


def test_a_rate_limited_save_is_temporary(simulator, apple, fan):
    simulator.sim.fail("apple_music", "rate_limit", retry_after=4, path="/v1/me/library")
    with pytest.raises(TemporaryError) as error:
        apple.save(fan, _album(simulator), [].append)
    assert error.value.retry_after == 4


def test_a_busy_library_read_leaves_an_accepted_add_unverified(simulator, apple, fan):
    simulator.sim.fail("apple_music", "server_error", path="/v1/catalog/us/albums/")
    result = apple.save(fan, _album(simulator), [].append)
    assert not result.verified


def _public_key(simulator):
    private = ECKey.import_key(simulator.app.config["APPLE_PRIVATE_KEY"])
    return ECKey.import_key(private.as_pem(private=False))


def test_the_browser_copy_only_works_from_dropdays_origin(simulator, apple):
    token = apple.begin_connect(CALLBACK, "s").browser["developer_token"]
    url = f"{simulator.url}/apple_music/v1/catalog/us/albums"
    answers = [
        requests.get(
            url,
            params={"filter[upc]": DEMO_UPC},
            headers={"Authorization": f"Bearer {token}", "Origin": origin},
            timeout=5,
        ).status_code
        for origin in (simulator.app.config["PUBLIC_URL"], "https://elsewhere.example")
    ]
    assert answers == [200, 401]


def test_an_injected_revoked_token_fault_at_a_rate_is_a_permanent_revocation(simulator, apple, fan):
    simulator.sim.fail("apple_music", "revoked", rate=1.0, path="/v1/me/library")
    with pytest.raises(PermanentError, match=REVOKED):
        apple.save(fan, _album(simulator), [].append)
    add = simulator.sim.requests("apple_music", path="/v1/me/library")[0]
    assert (add.fault, add.status) == ("revoked", 403)
