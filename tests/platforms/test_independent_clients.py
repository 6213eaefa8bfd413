"""The simulator checked by clients Dropday did not write.

Each simulated API and its Dropday client were written from the same reading of the docs, so
they could agree with each other and both be wrong. These tests point libraries written for
the real APIs at the live simulator, changing only the base URLs they expose: spotipy
(Spotify), deezer-python (Deezer), Authlib's generic OAuth2Session (TIDAL with PKCE, Google)
and PyJWT (Apple's developer token). Every endpoint Dropday uses is called, and the refusals
a real service gives are checked too.
"""

import time
from urllib.parse import parse_qsl, urlsplit

import deezer
import jwt
import pytest
import requests
import spotipy
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from spotipy.cache_handler import MemoryCacheHandler

from app.simulator.demo import DEMO_SPOTIFY_ID, DEMO_UPC
from tests.platforms.consent import GOOGLE_CALLBACK, TIDAL_CALLBACK, callback

JSON_API = "application/vnd.api+json"
YOUTUBE = "https://www.googleapis.com/auth/youtube"


# -- Spotify through spotipy -------------------------------------------------------------------


def _spotipy(simulator, secret: str | None = None, retries: int = 0) -> spotipy.Spotify:
    config = simulator.app.config
    credentials = spotipy.SpotifyClientCredentials(
        client_id=config["SPOTIFY_CLIENT_ID"],
        client_secret=secret or config["SPOTIFY_CLIENT_SECRET"],
        cache_handler=MemoryCacheHandler(),
    )
    credentials.OAUTH_TOKEN_URL = config["SPOTIFY_ACCOUNTS_URL"] + "/api/token"
    client = spotipy.Spotify(
        auth_manager=credentials,
        retries=retries,
        status_retries=retries,
        backoff_factor=0,
        requests_timeout=5,
    )
    client.prefix = config["SPOTIFY_API_URL"] + "/"
    return client


def test_spotipy_reads_albums_tracks_and_searches_as_dropday_does(simulator):
    sp = _spotipy(simulator)
    demo = simulator.sim.release("demo")
    album = sp.album(DEMO_SPOTIFY_ID)
    assert (album["name"], album["external_ids"]["upc"]) == ("Midnight Signals", DEMO_UPC)
    # spotipy asks for /albums/{id}/tracks/ with a trailing slash, as Spotify serves it.
    tracks = sp.album_tracks(DEMO_SPOTIFY_ID)
    assert [t["id"] for t in tracks["items"]] == [t.ids["spotify"] for t in demo.tracks]
    track = sp.track(demo.tracks[0].ids["spotify"])
    assert track["external_ids"]["isrc"] == "USUM71703861"
    by_upc = sp.search(f"upc:{DEMO_UPC}", type="album", market="US", limit=1)
    assert by_upc["albums"]["items"][0]["id"] == DEMO_SPOTIFY_ID
    by_isrc = sp.search("isrc:USUM71703861", type="track", market="US", limit=1)
    assert by_isrc["tracks"]["items"][0]["album"]["id"] == DEMO_SPOTIFY_ID
    paths = [(c.method, c.path, c.status) for c in simulator.sim.requests("spotify")]
    assert paths[0] == ("POST", "/accounts/api/token", 200)  # one app token for all calls
    assert ("GET", f"/v1/albums/{DEMO_SPOTIFY_ID}/tracks/", 200) in paths
    assert all(status == 200 for *_, status in paths)


def test_spotipy_sees_spotify_s_refusals(simulator):
    with pytest.raises(spotipy.SpotifyOauthError) as wrong_secret:
        _spotipy(simulator, secret="not-the-secret").album(DEMO_SPOTIFY_ID)
    assert wrong_secret.value.error == "invalid_client"

    sp = _spotipy(simulator)
    with pytest.raises(spotipy.SpotifyException) as unknown:
        sp.album("0000000000000000000000")
    assert (unknown.value.http_status, "non existing id" in unknown.value.msg) == (404, True)

    simulator.sim.revoke_app_tokens("spotify")  # spotipy keeps using its cached token
    with pytest.raises(spotipy.SpotifyException) as revoked:
        sp.album(DEMO_SPOTIFY_ID)
    assert revoked.value.http_status == 401
    assert "Missing/invalid/expired access token" in revoked.value.msg


def test_spotipy_honours_the_retry_after_of_an_injected_429(simulator):
    sp = _spotipy(simulator, retries=1)
    sp.album(DEMO_SPOTIFY_ID)  # the app token first
    simulator.sim.fail("spotify", "rate_limit", retry_after=1, path="/v1/")
    started = time.monotonic()
    assert sp.album(DEMO_SPOTIFY_ID)["id"] == DEMO_SPOTIFY_ID
    assert time.monotonic() - started >= 1  # it waited as told before asking again
    calls = simulator.sim.requests("spotify", path="/v1/albums")
    assert [(c.status, c.fault) for c in calls][-2:] == [(429, "rate_limit"), (200, None)]


# -- Deezer through deezer-python --------------------------------------------------------------


@pytest.fixture
def deezer_client(simulator):
    client = deezer.Client()
    client.base_url = simulator.app.config["DEEZER_API_URL"] + "/"
    yield client
    client.close()


def test_deezer_python_reads_albums_and_tracks_by_id_upc_and_isrc(simulator, deezer_client):
    demo = simulator.sim.release("demo")
    album = deezer_client.get_album(f"upc:0{DEMO_UPC}")  # Deezer lists the EAN-13
    assert (album.title, album.upc, album.nb_tracks) == ("Midnight Signals", f"0{DEMO_UPC}", 3)
    assert deezer_client.get_album(album.id).id == int(demo.ids["deezer"])
    track = deezer_client.get_track("isrc:USUM71703861")
    assert (track.title, track.isrc, track.album.id) == (
        "Midnight Signals",
        "USUM71703861",
        album.id,
    )
    assert deezer_client.get_track(track.id).track_position == 1


def test_deezer_python_sees_deezer_s_refusals(simulator, deezer_client):
    with pytest.raises(deezer.exceptions.DeezerErrorResponse) as missing:
        deezer_client.get_album(f"upc:{DEMO_UPC}")  # leading zeros matter
    assert missing.value.json_data["error"]["code"] == 800
    simulator.sim.fail("deezer", "quota")
    with pytest.raises(deezer.exceptions.DeezerErrorResponse) as quota:
        deezer_client.get_track("isrc:USUM71703861")
    assert quota.value.json_data["error"]["code"] == 4
    with pytest.raises(deezer.exceptions.DeezerNotFoundError):
        deezer_client.get_artist(1)  # a path the simulator does not serve: a real 404


# -- TIDAL through Authlib's OAuth2Session, with PKCE ------------------------------------------


def _tidal(simulator, redirect_uri=TIDAL_CALLBACK, secret=None) -> OAuth2Session:
    config = simulator.app.config
    return OAuth2Session(
        config["TIDAL_CLIENT_ID"],
        secret or config["TIDAL_CLIENT_SECRET"],
        scope="collection.read collection.write",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",
    )


def _tidal_login(simulator, session: OAuth2Session) -> tuple[str, str]:
    """(the callback URL the fan comes back to, the PKCE verifier)."""
    verifier = generate_token(64)
    url, _ = session.create_authorization_url(
        simulator.app.config["TIDAL_AUTHORIZE_URL"], code_verifier=verifier
    )
    return callback(url), verifier


def test_authlib_connects_a_tidal_fan_with_pkce_saves_and_refreshes(simulator):
    config, sim = simulator.app.config, simulator.sim
    sim.go_live("demo", "tidal")
    session = _tidal(simulator)
    back, verifier = _tidal_login(simulator, session)
    token = session.fetch_token(
        config["TIDAL_TOKEN_URL"], authorization_response=back, code_verifier=verifier
    )
    assert token["user_id"] == "ada" and token["refresh_token"]
    album = sim.release("demo").ids["tidal"]
    added = session.post(
        config["TIDAL_API_URL"] + "/userCollectionAlbums/me/relationships/items",
        json={"data": [{"type": "albums", "id": album}]},
        headers={"Content-Type": JSON_API, "Accept": JSON_API},
    )
    assert (added.status_code, added.json()["meta"]["skipped"]) == (200, [])
    assert sim.library("ada", "tidal") == {"albums": [album]}
    again = session.post(
        config["TIDAL_API_URL"] + "/userCollectionAlbums/me/relationships/items",
        json={"data": [{"type": "albums", "id": album}]},
        headers={"Content-Type": JSON_API},
    )
    assert again.json()["meta"]["skipped"][0]["reason"] == "ALREADY_PRESENT"
    refreshed = session.refresh_token(config["TIDAL_TOKEN_URL"])
    assert refreshed["access_token"] != token["access_token"]


def test_authlib_reads_tidal_s_catalog_with_an_app_token(simulator):
    config = simulator.app.config
    simulator.sim.go_live("demo", "tidal")
    app = _tidal(simulator)
    app.fetch_token(config["TIDAL_TOKEN_URL"], grant_type="client_credentials")
    albums = app.get(
        config["TIDAL_API_URL"] + "/albums",
        params={"filter[barcodeId]": DEMO_UPC, "countryCode": "US"},
        headers={"Accept": JSON_API},
    )
    assert albums.json()["data"][0]["attributes"]["barcodeId"] == DEMO_UPC
    tracks = app.get(
        config["TIDAL_API_URL"] + "/tracks",
        params={"filter[isrc]": "USUM71703861", "include": "albums"},  # no countryCode
        headers={"Accept": JSON_API},
    )
    assert tracks.status_code == 200 and tracks.json()["included"][0]["type"] == "albums"


def test_tidal_refuses_what_a_real_authorization_server_refuses(simulator):
    config = simulator.app.config
    token_url = config["TIDAL_TOKEN_URL"]
    with pytest.raises(OAuthError) as wrong_secret:
        _tidal(simulator, secret="nope").fetch_token(token_url, grant_type="client_credentials")
    assert wrong_secret.value.error == "invalid_client"

    session = _tidal(simulator)
    back, verifier = _tidal_login(simulator, session)
    with pytest.raises(OAuthError) as wrong_verifier:
        session.fetch_token(token_url, authorization_response=back, code_verifier="x" * 64)
    assert wrong_verifier.value.error == "invalid_grant"
    with pytest.raises(OAuthError) as reused:  # the code died with the first attempt
        session.fetch_token(token_url, authorization_response=back, code_verifier=verifier)
    assert reused.value.error == "invalid_grant"

    unregistered = _tidal(simulator, redirect_uri="http://127.0.0.1:9/connect/tidal/callback")
    url, _ = unregistered.create_authorization_url(
        config["TIDAL_AUTHORIZE_URL"], code_verifier=generate_token(64)
    )
    page = requests.get(url, allow_redirects=False, timeout=5)
    assert page.status_code == 400  # no redirect to a URI TIDAL does not know

    back, verifier = _tidal_login(simulator, session)
    token = session.fetch_token(token_url, authorization_response=back, code_verifier=verifier)
    simulator.sim.revoke("ada", "tidal")
    refused = session.get(config["TIDAL_API_URL"] + "/albums", params={"countryCode": "US"})
    assert (refused.status_code, refused.json()["errors"][0]["subStatus"]) == (401, 11002)
    with pytest.raises(OAuthError) as revoked:
        session.refresh_token(token_url, refresh_token=token["refresh_token"])
    assert revoked.value.error == "invalid_grant"


# -- Google and the YouTube Data API through Authlib's OAuth2Session ---------------------------


def _google(simulator, redirect_uri=GOOGLE_CALLBACK, secret=None) -> OAuth2Session:
    config = simulator.app.config
    return OAuth2Session(
        config["GOOGLE_CLIENT_ID"],
        secret or config["GOOGLE_CLIENT_SECRET"],
        scope=YOUTUBE,
        redirect_uri=redirect_uri,
        token_endpoint_auth_method="client_secret_post",
    )


def _google_login(simulator, session: OAuth2Session) -> str:
    url, _ = session.create_authorization_url(
        simulator.app.config["GOOGLE_AUTHORIZE_URL"], access_type="offline", prompt="consent"
    )
    return callback(url)


def test_authlib_connects_a_google_fan_who_then_likes_an_album(simulator):
    config, sim = simulator.app.config, simulator.sim
    api = config["YOUTUBE_API_URL"]
    session = _google(simulator)
    token = session.fetch_token(
        config["GOOGLE_TOKEN_URL"], authorization_response=_google_login(simulator, session)
    )
    assert token["refresh_token"] and token["access_token"].startswith("ya29.")
    channel = session.get(f"{api}/channels", params={"part": "id", "mine": "true"})
    assert channel.json()["items"][0]["id"] == "UCada"
    found = requests.get(
        f"{api}/search",
        params={
            "part": "snippet",
            "q": "The Night Owls Midnight Signals",
            "type": "playlist",
            "key": config["YOUTUBE_API_KEY"],
        },
        timeout=5,
    )
    playlist = sim.release("demo").ids["youtube_music"]
    assert playlist in [item["id"].get("playlistId") for item in found.json()["items"]]
    items = session.get(
        f"{api}/playlistItems", params={"part": "contentDetails", "playlistId": playlist}
    )
    videos = [item["contentDetails"]["videoId"] for item in items.json()["items"]]
    for video in videos:
        liked = session.post(f"{api}/videos/rate", params={"id": video, "rating": "like"})
        assert liked.status_code == 204
    assert sim.library("ada", "youtube") == {"liked_videos": videos}
    refreshed = session.refresh_token(config["GOOGLE_TOKEN_URL"])
    assert refreshed["access_token"] != token["access_token"]


def test_google_refuses_what_a_real_authorization_server_refuses(simulator):
    config = simulator.app.config
    token_url = config["GOOGLE_TOKEN_URL"]
    session = _google(simulator)
    back = _google_login(simulator, session)
    with pytest.raises(OAuthError) as wrong_secret:
        _google(simulator, secret="nope").fetch_token(token_url, authorization_response=back)
    assert wrong_secret.value.error == "invalid_client"

    token = session.fetch_token(token_url, authorization_response=back)
    with pytest.raises(OAuthError) as reused:
        session.fetch_token(token_url, authorization_response=back)
    assert reused.value.error == "invalid_grant"

    elsewhere = "http://127.0.0.1:9/connect/youtube_music/callback"
    url, _ = _google(simulator, redirect_uri=elsewhere).create_authorization_url(
        config["GOOGLE_AUTHORIZE_URL"]
    )
    page = requests.get(url, allow_redirects=False, timeout=5)
    assert page.status_code == 400 and "redirect_uri_mismatch" in page.text
    code = dict(parse_qsl(urlsplit(_google_login(simulator, session)).query))["code"]
    with pytest.raises(OAuthError) as mismatch:  # the code was issued for another redirect URI
        _google(simulator, redirect_uri=elsewhere).fetch_token(token_url, code=code)
    assert mismatch.value.error == "redirect_uri_mismatch"

    simulator.sim.revoke("ada", "youtube")
    refused = session.post(
        config["YOUTUBE_API_URL"] + "/videos/rate", params={"id": "x", "rating": "like"}
    )
    assert refused.status_code == 401 and "invalid_token" in refused.headers["WWW-Authenticate"]
    with pytest.raises(OAuthError) as revoked:
        session.refresh_token(token_url, refresh_token=token["refresh_token"])
    assert revoked.value.error == "invalid_grant"


# -- Apple's developer token through PyJWT -----------------------------------------------------


def _public_key(private_pem: str):
    return serialization.load_pem_private_key(private_pem.encode(), password=None).public_key()


def test_pyjwt_verifies_the_developer_token_dropday_signs(simulator):
    config = simulator.app.config
    apple = simulator.client("apple_music")
    token = apple.developer_token()
    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["kid"]) == ("ES256", config["APPLE_KEY_ID"])
    claims = jwt.decode(
        token,
        _public_key(config["APPLE_PRIVATE_KEY"]),
        algorithms=["ES256"],
        issuer=config["APPLE_TEAM_ID"],
        options={"require": ["iss", "iat", "exp"]},
    )
    assert 0 < claims["exp"] - claims["iat"] <= 15_777_000
    browser = jwt.decode(
        apple.developer_token(for_browser=True),
        _public_key(config["APPLE_PRIVATE_KEY"]),
        algorithms=["ES256"],
    )
    assert browser["origin"] == [config["PUBLIC_URL"]]


def test_the_simulated_apple_api_takes_a_token_pyjwt_signs_and_refuses_other_keys(simulator):
    config = simulator.app.config
    now = int(time.time())
    claims = {"iss": config["APPLE_TEAM_ID"], "iat": now, "exp": now + 3600}
    headers = {"kid": config["APPLE_KEY_ID"]}
    good = jwt.encode(claims, config["APPLE_PRIVATE_KEY"], algorithm="ES256", headers=headers)
    other_key = ec.generate_private_key(ec.SECP256R1())
    forged = jwt.encode(claims, other_key, algorithm="ES256", headers=headers)
    url = config["APPLE_API_URL"] + "/catalog/us/albums"
    for token, status in ((good, 200), (forged, 401)):
        answer = requests.get(
            url,
            params={"filter[upc]": DEMO_UPC},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert answer.status_code == status
    assert answer.headers.get("X-Simulator-Reason") == "bad signature"
