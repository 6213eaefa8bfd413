"""The simulator itself: its scenario API, its fault injection, its dev page and its CSRF rules."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests

from app.simulator.state import Simulator
from app.simulator.tokens import TokenProblem


@pytest.fixture
def sim(app):
    return app.extensions["simulator"]


def test_a_release_goes_live_at_its_moment_per_platform(sim):
    release = sim.add_release(
        "lag",
        title="Lag",
        artists=["A"],
        upc="190000000015",
        tracks=[("USUM71700001", "Lag")],
        live={"spotify": True, "deezer": sim.now() + timedelta(hours=3)},
    )
    assert sim.is_live(release, "spotify") and not sim.is_live(release, "deezer")
    assert not sim.is_live(release, "tidal")
    sim.advance(hours=3)
    assert sim.is_live(release, "deezer")
    sim.take_down(release, "spotify")
    assert not sim.is_live(release, "spotify")


def test_platform_ids_are_stable_and_in_each_platform_s_style(sim):
    demo = sim.release("demo")
    assert demo.ids["spotify"] == "4aawyAB9vmqN3uQ7FjRGTy"
    assert demo.ids["apple_music"].isdigit() and len(demo.ids["apple_music"]) == 10
    assert demo.ids["youtube_music"].startswith("OLAK5uy_")
    assert len(demo.tracks[0].ids["youtube"]) == 11
    assert demo.ids["amazon_music"].startswith("B0")
    assert Simulator().release("demo").ids == demo.ids


def test_faults_at_a_rate_follow_the_seed(sim):
    def pattern(simulator):
        simulator.fail("deezer", "busy", rate=0.5)
        return [bool(simulator.draw_fault("deezer", "/", "GET", {"busy"})) for _ in range(20)]

    first = pattern(Simulator(seed=7))
    assert first == pattern(Simulator(seed=7))
    assert 0 < sum(first) < 20


def test_a_fault_for_n_calls_stops_after_them_and_until_stops_at_its_moment(sim):
    sim.fail("spotify", "server_error", times=2)
    assert [bool(sim.draw_fault("spotify", "/v1/x", "GET")) for _ in range(3)] == [1, 1, 0]
    sim.fail("spotify", "quota", times=None, until=sim.now() + timedelta(hours=1))
    assert sim.draw_fault("spotify", "/v1/x", "GET").kind == "quota"
    sim.advance(hours=1)
    assert sim.draw_fault("spotify", "/v1/x", "GET") is None


def test_revoking_a_listener_ends_all_their_tokens_on_that_platform_only(sim):
    sim.add_listener("ada")
    on_tidal = sim.issue_tokens("tidal", "client", listener="ada")
    on_youtube = sim.issue_tokens("youtube", "client", listener="ada")
    assert sim.revoke("ada", "tidal") == 2
    with pytest.raises(TokenProblem, match="revoked"):
        sim.check_token("tidal", on_tidal.access.value)
    with pytest.raises(TokenProblem, match="revoked"):
        sim.check_token("tidal", on_tidal.refresh.value, kind="refresh")
    assert sim.check_token("youtube", on_youtube.access.value).listener == "ada"


def test_a_refresh_keeps_the_grant_and_expired_tokens_are_refused(sim):
    sim.add_listener("bo")
    issued = sim.issue_tokens("tidal", "client", listener="bo", scope="collection.write")
    sim.advance(hours=2)
    with pytest.raises(TokenProblem, match="expired"):
        sim.check_token("tidal", issued.access.value)
    renewed = sim.tokens.refresh("tidal", "client", issued.refresh.value)
    assert sim.check_token("tidal", renewed.access.value).scope == "collection.write"
    with pytest.raises(TokenProblem, match="wrong_client"):
        sim.tokens.refresh("tidal", "other", issued.refresh.value)


def test_libraries_record_saves_once_in_order(sim):
    sim.add_listener("cy")
    assert sim.save("cy", "tidal", "albums", "1") and sim.save("cy", "tidal", "albums", "2")
    assert not sim.save("cy", "tidal", "albums", "1")
    assert sim.library("cy", "tidal") == {"albums": ["1", "2"]}
    assert sim.library("cy", "youtube") == {}


def test_reset_restores_the_default_catalog_and_forgets_the_rest(sim):
    sim.add_listener("ada")
    sim.take_down("demo")
    sim.fail("spotify", "slow")
    sim.advance(hours=5)
    sim.reset()
    assert sim.listeners == {} and sim.faults.active == []
    assert sim.is_live("demo", "spotify")
    assert abs((sim.now() - datetime.now(UTC)).total_seconds()) < 5


def test_the_request_log_names_the_listener_behind_a_token(simulator):
    sim = simulator.sim
    sim.add_listener("ada")
    issued = sim.issue_tokens("spotify", "dropday-sim-spotify", listener="ada")
    requests.get(
        f"{simulator.url}/spotify/v1/tracks/0000000000000000000000",
        headers={"Authorization": f"Bearer {issued.access.value}"},
        params={"market": "US"},
        timeout=5,
    )
    (entry,) = sim.requests("spotify")
    assert (entry.listener, entry.token, entry.status) == ("ada", issued.access.value, 404)
    assert entry.query == {"market": "US"} and entry.auth_scheme == "Bearer"


@pytest.fixture
def csrf_on(test_config):
    test_config["WTF_CSRF_ENABLED"] = True


def test_the_dev_page_plays_a_scenario_with_csrf_protected_forms(csrf_on, client, sim):
    page = client.get("/simulator/")
    assert page.status_code == 200 and b"Midnight Signals" in page.data
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)[1].decode()

    sim.take_down("demo", "deezer")
    refused = client.post("/simulator/releases/demo/availability", data={"platform": "deezer"})
    assert refused.status_code == 400 and not sim.is_live("demo", "deezer")

    made_live = client.post(
        "/simulator/releases/demo/availability",
        data={"platform": "deezer", "action": "go_live", "csrf_token": token},
    )
    assert made_live.status_code == 303 and sim.is_live("demo", "deezer")

    client.post(
        "/simulator/faults",
        data={"platform": "deezer", "kind": "busy", "times": "2", "csrf_token": token},
    )
    assert [(f.platform, f.kind, f.times) for f in sim.faults.active] == [("deezer", "busy", 2)]
    client.post("/simulator/faults/clear", data={"csrf_token": token})
    assert sim.faults.active == []

    client.post("/simulator/listeners", data={"key": "ada", "csrf_token": token})
    sim.issue_tokens("tidal", "x", listener="ada")
    client.post("/simulator/listeners/ada/revoke", data={"platform": "tidal", "csrf_token": token})
    assert all(t.revoked for t in sim.tokens.held_by("tidal", "ada"))


def test_the_simulated_apis_take_no_csrf_token(csrf_on, client):
    answer = client.post(
        "/simulator/spotify/accounts/api/token",
        data={"grant_type": "client_credentials"},
        auth=("dropday-sim-spotify", "dropday-sim-spotify-secret"),
    )
    assert answer.status_code == 200 and answer.json["token_type"] == "Bearer"


# -- bad input: a clear message and the right status, never a 500 -----------------------------


@pytest.mark.parametrize(
    ("path", "form", "status", "message"),
    [
        ("/simulator/clock", {"hours": "nan"}, 422, "hours must be a number"),
        ("/simulator/clock", {"hours": "1e400"}, 422, "hours must be a number"),
        ("/simulator/clock", {"hours": "soon"}, 422, "hours must be a number"),
        ("/simulator/faults", {"platform": "spotify", "kind": "quota", "times": "x"}, 422, "times"),
        ("/simulator/faults", {"platform": "spotify", "kind": "quota", "times": "0"}, 422, "times"),
        ("/simulator/faults", {"platform": "spotify", "kind": "quota", "rate": "5"}, 422, "rate"),
        ("/simulator/faults", {"platform": "spotify", "kind": "quota", "rate": "nan"}, 422, "rate"),
        (
            "/simulator/faults",
            {"platform": "spotify", "kind": "quota", "retry_after": "-1"},
            422,
            "retry_after",
        ),
        ("/simulator/faults", {"platform": "myspace", "kind": "quota"}, 422, "platform must be"),
        ("/simulator/faults", {"platform": "deezer", "kind": "revoked"}, 422, "kind must be"),
        ("/simulator/faults/clear", {"platform": "myspace"}, 422, "platform must be"),
        ("/simulator/releases/nope/availability", {}, 404, "no release"),
        ("/simulator/releases/demo/availability", {"platform": "myspace"}, 422, "platform"),
        ("/simulator/releases/demo/availability", {"action": "explode"}, 422, "action"),
        ("/simulator/listeners", {"key": "two words"}, 422, "short name"),
        ("/simulator/listeners/nobody/revoke", {"platform": "tidal"}, 404, "no listener"),
        (
            "/simulator/faults",
            {"platform": "tidal", "kind": "quota", "status": "700"},
            422,
            "status",
        ),
        ("/simulator/faults", {"platform": "tidal", "kind": "slow", "delay": "-2"}, 422, "delay"),
        ("/simulator/faults", {"platform": "tidal", "kind": "quota", "body": "{}"}, 422, "status"),
        ("/simulator/quota", {"platform": "youtube"}, 422, "units"),
        ("/simulator/quota", {"platform": "deezer", "units": "5"}, 422, "platform must be"),
    ],
)
def test_the_dev_page_answers_bad_input_with_the_page_and_the_reason(
    client, sim, path, form, status, message
):
    sim.add_listener("ada")
    before = (sim.now(), list(sim.faults.active), sorted(sim.listeners))
    answer = client.post(path, data=form)
    assert answer.status_code == status
    assert b"Platform simulator" in answer.data  # the page itself, not a redirect
    alert = re.search(rb'id="simulator-error">([^<]*)<', answer.data)[1].decode()
    assert message in alert
    after = (sim.now(), list(sim.faults.active), sorted(sim.listeners))
    assert after[1:] == before[1:] and abs((after[0] - before[0]).total_seconds()) < 5


def test_the_dev_page_still_redirects_after_good_input(client, sim):
    answer = client.post("/simulator/clock", data={"hours": "2"})
    assert answer.status_code == 303
    answer = client.post("/simulator/faults", data={"platform": "tidal", "kind": "revoked"})
    assert answer.status_code == 303 and sim.faults.active[0].kind == "revoked"


def test_paging_parameters_that_are_not_numbers_get_each_platform_s_400(simulator):
    sim = simulator.sim
    sim.add_listener("ada")
    spotify = sim.issue_tokens("spotify", "dropday-sim-spotify").access.value
    search = requests.get(
        f"{simulator.url}/spotify/v1/search",
        params={"q": "isrc:USUM71703861", "type": "track", "offset": "-1"},
        headers={"Authorization": f"Bearer {spotify}"},
        timeout=5,
    )
    assert search.status_code == 400
    assert search.json() == {"error": {"status": 400, "message": "Invalid offset"}}
    tracks = requests.get(
        f"{simulator.url}/spotify/v1/albums/4aawyAB9vmqN3uQ7FjRGTy/tracks",
        params={"limit": "lots"},
        headers={"Authorization": f"Bearer {spotify}"},
        timeout=5,
    )
    assert tracks.json()["error"]["message"] == "Invalid limit"
    youtube = requests.get(
        f"{simulator.url}/youtube/youtube/v3/search",
        params={"part": "snippet", "q": "x", "maxResults": "ten", "key": "dropday-sim-youtube-key"},
        timeout=5,
    )
    assert youtube.status_code == 400
    assert youtube.json()["error"]["errors"][0]["reason"] == "invalidParameter"
    apple = simulator.client("apple_music")
    library = requests.get(
        f"{simulator.url}/apple_music/v1/me/library/albums",
        params={"offset": "x"},
        headers={
            "Authorization": f"Bearer {apple.developer_token()}",
            "Music-User-Token": sim.issue_tokens("apple_music", "t", listener="ada").access.value,
        },
        timeout=5,
    )
    assert library.status_code == 400 and library.json()["errors"][0]["status"] == "400"


@pytest.mark.parametrize(
    "body", [b"{not json", b"[]", b'{"data": "x"}', b'{"data": [5]}', b'{"data": [{"id": []}]}']
)
def test_a_malformed_json_api_body_gets_tidal_s_400(simulator, body):
    sim = simulator.sim
    sim.add_listener("ada")
    token = sim.issue_tokens("tidal", "x", listener="ada", scope="collection.write").access.value
    answer = requests.post(
        f"{simulator.url}/tidal/v2/userCollectionAlbums/me/relationships/items",
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/vnd.api+json",
        },
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/vnd.api+json"
    assert answer.json()["errors"][0]["status"] == "400"


def test_a_token_endpoint_given_json_instead_of_a_form_refuses_the_client(simulator):
    for path in (
        "spotify/accounts/api/token",
        "youtube/oauth2/token",
        "tidal/auth/v1/oauth2/token",
    ):
        answer = requests.post(f"{simulator.url}/{path}", data=b"{not json", timeout=5)
        assert answer.status_code in {400, 401}, path
        assert answer.json()["error"] == "invalid_client", path


def test_the_dev_page_sets_an_exact_answer_a_delay_and_youtube_s_quota(client, sim):
    answer = client.post(
        "/simulator/faults",
        data={
            "platform": "deezer",
            "kind": "server_error",
            "status": "418",
            "body": '{"error": "teapot"}',
            "delay": "0.5",
        },
    )
    assert answer.status_code == 303
    (fault,) = sim.faults.active
    assert (fault.status, fault.body, fault.delay) == (418, '{"error": "teapot"}', 0.5)
    assert (
        client.post("/simulator/quota", data={"platform": "youtube", "units": "60"}).status_code
        == 303
    )
    assert sim.daily_quota("youtube", 10_000) == 60


def test_an_injected_fault_answers_exactly_the_status_and_body_after_the_delay(simulator):
    simulator.sim.fail("deezer", "server_error", status=418, body={"error": "teapot"}, delay=0.3)
    started = datetime.now(UTC)
    answer = requests.get(f"{simulator.url}/deezer/album/upc:602445790609", timeout=5)
    assert (datetime.now(UTC) - started).total_seconds() >= 0.3
    assert (answer.status_code, answer.json()) == (418, {"error": "teapot"})
    (call,) = simulator.sim.requests("deezer")
    assert (call.status, call.fault) == (418, "server_error")
    # A plain-text body goes out as text, and a delay alone answers normally, later.
    simulator.sim.fail("deezer", "server_error", status=502, body="Bad Gateway")
    text = requests.get(f"{simulator.url}/deezer/album/upc:602445790609", timeout=5)
    assert (text.status_code, text.text, text.headers["Content-Type"]) == (
        502,
        "Bad Gateway",
        "text/plain; charset=utf-8",
    )


UNKNOWN_PATHS = {
    "spotify": (
        "/v1/nope",
        lambda body: body == {"error": {"status": 404, "message": "Not found"}},
    ),
    "deezer": ("/nope/1", lambda body: body == {"error": "Not Found"}),
    "odesli": ("/v1-alpha.1/nope", lambda body: body["statusCode"] == 404),
    "tidal": ("/v2/nope", lambda body: body["errors"][0]["code"] == "NOT_FOUND"),
    "apple_music": ("/v1/nope", lambda body: body["errors"][0]["status"] == "404"),
    "youtube": (
        "/youtube/v3/nope",
        lambda body: body["error"]["errors"][0]["reason"] == "notFound",
    ),
}
WRONG_METHODS = {
    "spotify": ("DELETE", "/v1/search", "GET, HEAD, OPTIONS", lambda b: b["error"]["status"]),
    "deezer": ("POST", "/album/1", "GET, HEAD, OPTIONS", lambda b: b["error"]),
    "odesli": ("PUT", "/v1-alpha.1/links", "GET, HEAD, OPTIONS", lambda b: b["code"]),
    "tidal": (
        "GET",
        "/v2/userCollectionAlbums/me/relationships/items",
        "OPTIONS, POST",
        lambda b: b["errors"][0]["code"],
    ),
    "apple_music": ("PUT", "/v1/me/library", "OPTIONS, POST", lambda b: b["errors"][0]["status"]),
    "youtube": (
        "GET",
        "/youtube/v3/videos/rate",
        "OPTIONS, POST",
        lambda b: b["error"]["errors"][0]["reason"],
    ),
}
WRONG_METHOD_SAYS = {
    "spotify": 405,
    "deezer": "Method Not Allowed",
    "odesli": "method_not_allowed",
    "tidal": "METHOD_NOT_ALLOWED",
    "apple_music": "405",
    "youtube": "methodNotAllowed",
}


@pytest.mark.parametrize("platform", sorted(UNKNOWN_PATHS))
def test_an_unknown_path_is_a_404_in_the_platform_s_own_shape(simulator, platform):
    path, shape = UNKNOWN_PATHS[platform]
    answer = requests.get(f"{simulator.url}/{platform}{path}", timeout=5)
    assert answer.status_code == 404
    assert shape(answer.json()), answer.text
    assert simulator.sim.requests(platform)[-1].status == 404


@pytest.mark.parametrize("platform", sorted(WRONG_METHODS))
def test_a_wrong_method_is_a_405_with_allow_in_the_platform_s_own_shape(simulator, platform):
    method, path, allow, says = WRONG_METHODS[platform]
    answer = requests.request(method, f"{simulator.url}/{platform}{path}", timeout=5)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == allow
    assert says(answer.json()) == WRONG_METHOD_SAYS[platform]


def test_registered_redirect_uris_follow_public_url_until_a_test_sets_its_own(app, sim):
    app.config["PUBLIC_URL"] = "http://127.0.0.1:8123"
    assert sim.redirect_uri_registered("tidal", "http://127.0.0.1:8123/connect/tidal/callback")
    assert not sim.redirect_uri_registered("tidal", "http://localhost/connect/tidal/callback")
    google = "http://127.0.0.1:8123/connect/youtube_music/callback"
    assert sim.redirect_uri_registered("youtube", google)
    sim.set_redirect_uris("youtube", "https://elsewhere.test/cb")
    assert not sim.redirect_uri_registered("youtube", google)
    assert sim.redirect_uri_registered("youtube", "https://elsewhere.test/cb")
    sim.reset()
    assert sim.redirect_uri_registered("youtube", google)
