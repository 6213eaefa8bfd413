"""The TIDAL client against the simulated TIDAL (login, auth, JSON:API) over real HTTP."""

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from app.platforms.base import Listing, PermanentError, ReleaseIdentity, TemporaryError
from app.platforms.oauth import REFUSED, REVOKED
from app.platforms.tidal import idempotency_key
from app.simulator.demo import DEMO_UPC
from tests.platforms.consent import TIDAL_CALLBACK as CALLBACK
from tests.platforms.consent import answer, consent
from tests.platforms.releases import DEMO, SINGLE, SINGLE_ALBUM, UPCOMING


@pytest.fixture
def tidal(simulator):
    # The demo album is still being ingested on TIDAL; most tests want it there already.
    simulator.sim.go_live("demo", "tidal")
    return simulator.client("tidal")


@pytest.fixture
def connected(tidal):
    """A fan ("ada") who connected TIDAL: (tokens, what the token saver received)."""
    start = tidal.begin_connect(CALLBACK, state="s-1")
    tokens = tidal.finish_connect(CALLBACK, answer(start.redirect_url), start.verifier).tokens
    return tokens, []


def _album(simulator) -> Listing:
    album_id = simulator.sim.release("demo").ids["tidal"]
    return Listing("tidal", f"https://tidal.com/browse/album/{album_id}", album_id, "album", "upc")


# -- the catalog -----------------------------------------------------------------------------


def test_an_album_is_found_by_its_barcode_with_an_app_token(simulator, tidal):
    listing = tidal.find_release(DEMO)
    album_id = simulator.sim.release("demo").ids["tidal"]
    assert (listing.matched_by, listing.kind, listing.platform_id) == ("upc", "album", album_id)
    assert listing.url == f"https://tidal.com/browse/album/{album_id}"
    token, lookup = simulator.sim.requests("tidal")
    assert token.form["grant_type"] == "client_credentials"
    assert lookup.query == {"filter[barcodeId]": DEMO_UPC, "countryCode": "US"}
    assert lookup.headers["Accept"] == "application/vnd.api+json"


def test_the_app_token_is_reused_until_it_expires(simulator, tidal):
    tidal.find_release(DEMO)
    tidal.find_release(SINGLE)
    assert len(simulator.sim.requests("tidal", path="/auth/")) == 1


def test_a_release_without_a_barcode_is_found_through_an_isrc(simulator, tidal):
    listing = tidal.find_release(SINGLE_ALBUM)
    single = simulator.sim.release("catalog-single")
    assert (listing.matched_by, listing.kind) == ("isrc", "album")
    assert listing.platform_id == single.ids["tidal"]
    assert listing.url == f"https://tidal.com/browse/album/{single.ids['tidal']}"


def test_a_track_source_is_listed_as_the_track(simulator, tidal):
    track_source = ReleaseIdentity(
        title="Paper Lanterns",
        artists=("Mira Vale",),
        isrcs=("USUM71703870",),
        spotify_type="track",
    )
    listing = tidal.find_release(track_source)
    assert listing.kind == "track"
    assert listing.platform_id == simulator.sim.release("catalog-single").tracks[0].ids["tidal"]


def test_a_release_not_on_tidal_yet_is_not_found_until_it_goes_live(simulator):
    tidal = simulator.client("tidal")  # the demo album is live on TIDAL only in six hours
    assert tidal.find_release(DEMO) is None
    simulator.sim.advance(hours=7)
    assert tidal.find_release(DEMO).matched_by == "upc"


def test_an_announced_release_is_not_found(tidal):
    assert tidal.find_release(UPCOMING) is None


def test_wrong_client_credentials_are_permanent(simulator):
    tidal = simulator.client("tidal", TIDAL_CLIENT_SECRET="not-the-secret")
    with pytest.raises(PermanentError, match="client credentials"):
        tidal.find_release(DEMO)
    (token,) = simulator.sim.requests("tidal")
    assert token.status == 401


def test_the_simulated_api_refuses_a_request_without_a_token(simulator):
    answer = requests.get(
        f"{simulator.url}/tidal/v2/albums",
        params={"filter[barcodeId]": DEMO_UPC, "countryCode": "US"},
        timeout=5,
    )
    assert answer.status_code == 401
    assert answer.headers["Content-Type"] == "application/vnd.api+json"
    assert answer.json()["errors"][0]["status"] == "401"


# -- connecting a fan (OAuth 2.1 with PKCE) --------------------------------------------------


def test_login_sends_an_s256_challenge_of_the_verifier_kept_by_the_caller(tidal):
    request = tidal.begin_connect(CALLBACK, state="s-1")
    query = parse_qs(urlsplit(request.redirect_url).query)
    digest = hashlib.sha256(request.verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert query["code_challenge"] == [expected]
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["collection.read collection.write"]
    assert request.verifier not in request.redirect_url
    assert 43 <= len(request.verifier) <= 128


def test_a_fan_who_allows_access_gets_tokens_with_a_refresh_token(simulator, tidal):
    request = tidal.begin_connect(CALLBACK, state="s-1")
    connected = tidal.finish_connect(CALLBACK, answer(request.redirect_url), request.verifier)
    tokens = connected.tokens
    assert tokens.refresh_token and tokens.expires_at
    assert connected.account_id == "ada"
    (exchange,) = simulator.sim.requests("tidal", path="/auth/")
    assert exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["code_verifier"] == request.verifier


def test_the_simulator_refuses_a_wrong_pkce_verifier(simulator, tidal):
    request = tidal.begin_connect(CALLBACK, state="s-1")
    with pytest.raises(PermanentError, match=REFUSED):
        tidal.finish_connect(CALLBACK, answer(request.redirect_url), "x" * 64)
    (exchange,) = simulator.sim.requests("tidal", path="/auth/")
    assert exchange.status == 400


def test_the_simulator_refuses_a_login_without_pkce(simulator):
    login = requests.get(
        f"{simulator.url}/tidal/login/authorize",
        params={
            "client_id": simulator.app.config["TIDAL_CLIENT_ID"],
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "scope": "collection.write",
            "state": "s",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert login.status_code == 302
    assert parse_qs(urlsplit(login.headers["Location"]).query)["error"] == ["invalid_request"]


def test_a_fan_who_refuses_is_a_permanent_refusal(tidal):
    request = tidal.begin_connect(CALLBACK, state="s-1")
    back = answer(request.redirect_url, decision="deny")
    assert back["error"] == "access_denied"
    with pytest.raises(PermanentError, match=REFUSED):
        tidal.finish_connect(CALLBACK, back, request.verifier)


def test_token_endpoints_take_real_clients_while_consent_forms_keep_csrf(simulator):
    simulator.app.config["WTF_CSRF_ENABLED"] = True  # restored after the test
    tidal = simulator.client("tidal")
    assert tidal.find_release(SINGLE) is not None  # token endpoint + API: no CSRF token
    login = tidal.begin_connect(CALLBACK, state="s-1")
    page = consent(login.redirect_url)  # a post without the form's CSRF token (no session cookie)
    assert page.status_code == 400


# -- saving ----------------------------------------------------------------------------------


def test_a_save_adds_the_album_to_the_collection_with_an_idempotency_key(
    simulator, tidal, connected
):
    tokens, saved = connected
    listing = _album(simulator)
    result = tidal.save(tokens, listing, saved.append, connection_id="42")
    assert result.verified
    assert simulator.sim.library("ada", "tidal") == {"albums": [listing.platform_id]}
    (post,) = simulator.sim.requests("tidal", path="/v2/userCollectionAlbums")
    assert post.json == {"data": [{"type": "albums", "id": listing.platform_id}]}
    assert post.headers["Content-Type"] == "application/vnd.api+json"
    assert post.headers["Idempotency-Key"] == idempotency_key("42", listing.platform_id)
    assert saved == []


def test_the_idempotency_key_is_stable_per_connection_and_album():
    assert idempotency_key("42", "1001") == idempotency_key("42", "1001")
    assert idempotency_key("42", "1001") != idempotency_key("43", "1001")
    assert idempotency_key("42", "1001") != idempotency_key("42", "1002")
    assert len(idempotency_key("42", "1001")) <= 128


def test_a_retried_save_replays_the_first_answer_instead_of_adding_again(
    simulator, tidal, connected
):
    tokens, saved = connected
    listing = _album(simulator)
    first = tidal.save(tokens, listing, saved.append, connection_id="42")
    again = tidal.save(tokens, listing, saved.append, connection_id="42")
    assert first.verified and again.verified
    assert again.detail == first.detail  # the first answer replayed, not "already present"
    posts = simulator.sim.requests("tidal", path="/v2/userCollectionAlbums")
    assert [p.status for p in posts] == [200, 200]
    assert simulator.sim.library("ada", "tidal") == {"albums": [listing.platform_id]}


def test_an_album_already_in_the_collection_counts_as_saved(simulator, tidal, connected):
    tokens, saved = connected
    listing = _album(simulator)
    simulator.sim.save("ada", "tidal", "albums", listing.platform_id)
    result = tidal.save(tokens, listing, saved.append, connection_id="42")
    assert result.verified and "already" in result.detail
    (post,) = simulator.sim.requests("tidal", path="/v2/userCollectionAlbums")
    assert post.status == 200


def test_the_simulator_refuses_a_reused_key_with_a_different_body(simulator, tidal, connected):
    tokens, _ = connected
    url = f"{simulator.url}/tidal/v2/userCollectionAlbums/me/relationships/items"
    headers = {
        "Authorization": f"Bearer {tokens.access_token}",
        "Content-Type": "application/vnd.api+json",
        "Idempotency-Key": "same-key",
    }
    ids = [simulator.sim.release(key).ids["tidal"] for key in ("demo", "catalog-single")]
    answers = [
        requests.post(url, json={"data": [{"type": "albums", "id": i}]}, headers=headers, timeout=5)
        for i in ids
    ]
    assert [a.status_code for a in answers] == [200, 422]
    assert answers[1].json()["errors"][0]["code"] == "IDEMPOTENT_REQUEST_PAYLOAD_MISMATCH"


def test_an_expired_access_token_is_refreshed_once_and_handed_to_the_saver(
    simulator, tidal, connected
):
    tokens, saved = connected
    simulator.sim.expire_tokens("tidal", "ada")
    result = tidal.save(tokens, _album(simulator), saved.append, connection_id="42")
    assert result.verified
    (new,) = saved
    assert new.access_token != tokens.access_token
    assert new.refresh_token == tokens.refresh_token  # TIDAL sends no new refresh token
    calls = [(c.method, c.path, c.status) for c in simulator.sim.requests("tidal")][-3:]
    assert calls == [
        ("POST", "/v2/userCollectionAlbums/me/relationships/items", 401),
        ("POST", "/auth/v1/oauth2/token", 200),
        ("POST", "/v2/userCollectionAlbums/me/relationships/items", 200),
    ]
    expired = simulator.sim.requests("tidal", path="/v2/userCollectionAlbums")[0]
    assert expired.token == tokens.access_token


def test_a_token_known_to_be_expired_is_refreshed_before_the_call(simulator, tidal, connected):
    tokens, saved = connected
    tokens.expires_at -= timedelta(days=1)
    assert tidal.save(tokens, _album(simulator), saved.append, connection_id="42").verified
    assert len(saved) == 1
    assert [c.status for c in simulator.sim.requests("tidal", path="/v2/userCollection")] == [200]


def test_a_revoked_connection_is_permanent(simulator, tidal, connected):
    tokens, saved = connected
    simulator.sim.revoke("ada", "tidal")
    with pytest.raises(PermanentError, match=REVOKED):
        tidal.save(tokens, _album(simulator), saved.append, connection_id="42")
    assert saved == []
    refresh = simulator.sim.requests("tidal", path="/auth/")[-1]
    assert (refresh.form["grant_type"], refresh.status) == ("refresh_token", 400)


def test_a_token_endpoint_outage_during_refresh_is_temporary_not_revoked(
    simulator, tidal, connected
):
    tokens, saved = connected
    simulator.sim.expire_tokens("tidal", "ada")
    simulator.sim.fail("tidal", "server_error", path="/auth/")
    with pytest.raises(TemporaryError):
        tidal.save(tokens, _album(simulator), saved.append, connection_id="42")
    assert saved == []


def test_a_rate_limited_save_is_temporary_with_retry_after(simulator, tidal, connected):
    tokens, saved = connected
    simulator.sim.fail("tidal", "rate_limit", retry_after=12, path="/v2/userCollection")
    with pytest.raises(TemporaryError) as error:
        tidal.save(tokens, _album(simulator), saved.append, connection_id="42")
    assert error.value.retry_after == 12


def test_an_album_tidal_skips_as_not_found_is_no_save_and_temporary(simulator, tidal, connected):
    tokens, saved = connected
    missing = Listing("tidal", "https://tidal.com/browse/album/1", "1", "album", "upc")
    with pytest.raises(TemporaryError, match="not found: it may still be indexing"):
        tidal.save(tokens, missing, saved.append, connection_id="42")
    (post,) = simulator.sim.requests("tidal", path="/v2/userCollection")
    assert post.status == 200  # TIDAL answers 200 and lists the item in meta.skipped
    assert simulator.sim.library("ada", "tidal") == {}


def test_an_album_still_indexing_is_saved_once_tidal_has_it(simulator, tidal, connected):
    tokens, saved = connected
    simulator.sim.go_live("demo", "tidal", at=simulator.sim.now() + timedelta(hours=6))
    listing = _album(simulator)
    with pytest.raises(TemporaryError):
        tidal.save(tokens, listing, saved.append, connection_id="42")
    simulator.sim.advance(hours=7)
    assert tidal.save(tokens, listing, saved.append, connection_id="43").verified
    assert simulator.sim.library("ada", "tidal") == {"albums": [listing.platform_id]}


def test_the_simulator_lists_what_it_did_not_add_and_refuses_duplicates(
    simulator, tidal, connected
):
    tokens, _ = connected
    simulator.sim.save("ada", "tidal", "albums", simulator.sim.release("demo").ids["tidal"])
    url = f"{simulator.url}/tidal/v2/userCollectionAlbums/me/relationships/items"
    headers = {
        "Authorization": f"Bearer {tokens.access_token}",
        "Content-Type": "application/vnd.api+json",
    }
    ids = [simulator.sim.release(key).ids["tidal"] for key in ("demo", "catalog-single")]
    added = requests.post(
        url,
        json={"data": [{"type": "albums", "id": i} for i in [*ids, "1"]]},
        headers=headers,
        timeout=5,
    )
    assert added.status_code == 200
    assert added.json()["meta"]["skipped"] == [
        {"id": ids[0], "type": "albums", "reason": "ALREADY_PRESENT"},
        {"id": "1", "type": "albums", "reason": "NOT_FOUND"},
    ]
    assert simulator.sim.library("ada", "tidal") == {"albums": ids}
    twice = requests.post(
        url, json={"data": [{"type": "albums", "id": ids[1]}] * 2}, headers=headers, timeout=5
    )
    assert twice.status_code == 409
    assert twice.json()["errors"][0]["code"] == "DUPLICATE_ITEMS_IN_COLLECTION"


def test_the_catalog_takes_no_country_code_as_well(simulator, tidal):
    tidal.find_release(DEMO)  # gets the app token
    token = simulator.sim.requests("tidal", path="/v2/")[0].token
    found = requests.get(
        f"{simulator.url}/tidal/v2/albums",
        params={"filter[barcodeId]": DEMO_UPC},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert found.status_code == 200 and found.json()["data"]


def test_login_and_the_code_exchange_take_only_the_registered_redirect_uri(simulator, tidal):
    elsewhere = "http://127.0.0.1:9/connect/tidal/callback"
    refused = requests.get(tidal.begin_connect(elsewhere, state="s-1").redirect_url, timeout=5)
    assert refused.status_code == 400 and "redirect_uri" in refused.text
    # Registered at login, another one at the exchange: refused too.
    simulator.sim.set_redirect_uris("tidal", CALLBACK, elsewhere)
    login = tidal.begin_connect(CALLBACK, state="s-1")
    with pytest.raises(PermanentError, match=REFUSED):
        tidal.finish_connect(elsewhere, answer(login.redirect_url), login.verifier)
    assert simulator.sim.requests("tidal", path="/auth/")[-1].status == 400


def test_an_injected_revoked_token_fault_is_a_permanent_revocation(simulator, tidal, connected):
    tokens, saved = connected
    simulator.sim.fail("tidal", "revoked", path="/v2/userCollection")
    with pytest.raises(PermanentError, match=REVOKED):
        tidal.save(tokens, _album(simulator), saved.append, connection_id="42")
    assert saved == []
    post = simulator.sim.requests("tidal", path="/v2/userCollection")[0]
    assert (post.fault, post.status) == ("revoked", 401)
    assert simulator.sim.requests("tidal", path="/auth/")[-1].status == 400  # refresh refused


def test_the_simulated_api_refuses_bad_tokens_and_client_secrets_as_tidal_does(simulator):
    bogus = requests.get(
        f"{simulator.url}/tidal/v2/albums",
        params={"filter[barcodeId]": DEMO_UPC, "countryCode": "US"},
        headers={"Authorization": "Bearer made-up"},
        timeout=5,
    )
    assert bogus.status_code == 401
    assert bogus.json()["errors"][0]["subStatus"] == 11001
    wrong = requests.post(
        f"{simulator.url}/tidal/auth/v1/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": simulator.app.config["TIDAL_CLIENT_ID"],
            "client_secret": "nope",
        },
        timeout=5,
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
