"""The Odesli client: links for the platforms without identifier lookups."""

from datetime import timedelta

import pytest
import requests

from app.platforms.base import NotFound, PermanentError, ReleaseIdentity, TemporaryError
from app.simulator.demo import DEMO_SPOTIFY_ID

DEMO_URL = f"https://open.spotify.com/album/{DEMO_SPOTIFY_ID}"


@pytest.fixture
def odesli(simulator):
    return simulator.client("odesli")


def test_a_spotify_url_maps_to_the_platforms_the_release_is_live_on(simulator, odesli):
    demo = simulator.sim.release("demo")
    links = odesli.links(DEMO_URL)
    assert {"amazon_music", "soundcloud", "youtube", "youtube_music"} <= set(links)
    assert "tidal" not in links  # the demo album is still indexing on TIDAL
    youtube_music = links["youtube_music"]
    assert youtube_music.platform_id == demo.ids["youtube_music"]
    assert youtube_music.platform_id.startswith("OLAK5uy_")
    assert youtube_music.url.startswith("https://music.youtube.com/playlist?list=OLAK5uy_")
    assert youtube_music.kind == "album" and youtube_music.matched_by == "odesli"
    (call,) = simulator.sim.requests("odesli")
    assert call.query == {"url": DEMO_URL, "userCountry": "US"}

    simulator.sim.advance(hours=7)
    assert "tidal" in odesli.links(DEMO_URL)


def test_an_apple_music_track_url_maps_to_the_track_elsewhere(simulator, odesli):
    demo = simulator.sim.release("demo")
    track = demo.tracks[1]
    url = f"https://music.apple.com/us/album/midnight-signals/{demo.ids['apple_music']}?i={track.ids['apple_music']}"
    links = odesli.links(url)
    assert links["spotify"].platform_id == track.ids["spotify"]
    # One YouTube video serves both YouTube and YouTube Music, as on Odesli.
    video = track.ids["youtube_music"]
    assert links["youtube"].url == f"https://www.youtube.com/watch?v={video}"
    assert links["youtube_music"].url == f"https://music.youtube.com/watch?v={video}"
    assert links["amazon_music"].kind == "track"


def test_an_unknown_or_unreleased_url_is_not_found(simulator, odesli):
    with pytest.raises(NotFound):
        odesli.links("https://open.spotify.com/album/0000000000000000000000")
    upcoming = simulator.sim.release("upcoming")
    identity = ReleaseIdentity("x", (), spotify_id=upcoming.ids["spotify"], spotify_type="album")
    assert odesli.find_links(identity) == {}
    answer = requests.get(
        f"{simulator.url}/odesli/v1-alpha.1/links", params={"url": identity.spotify_url}, timeout=5
    )
    assert answer.status_code == 400
    assert answer.json() == {"statusCode": 400, "code": "could_not_resolve_entity"}


def test_shared_entities_serve_several_platforms_and_optional_fields_are_left_out(simulator):
    demo = simulator.sim.release("demo")
    track = demo.tracks[0]
    answer = requests.get(
        f"{simulator.url}/odesli/v1-alpha.1/links",
        params={"url": f"https://open.spotify.com/track/{track.ids['spotify']}"},
        timeout=5,
    ).json()
    links = answer["linksByPlatform"]
    youtube = f"YOUTUBE_VIDEO::{track.ids['youtube_music']}"
    assert links["youtube"]["entityUniqueId"] == links["youtubeMusic"]["entityUniqueId"] == youtube
    assert set(answer["entitiesByUniqueId"][youtube]["platforms"]) == {"youtube", "youtubeMusic"}
    apple = links["appleMusic"]["entityUniqueId"]
    assert links["itunes"]["entityUniqueId"] == apple == f"ITUNES_SONG::{track.ids['apple_music']}"
    assert all(set(link) == {"entityUniqueId", "url"} for link in links.values())
    assert None not in [v for e in answer["entitiesByUniqueId"].values() for v in e.values()]


def test_find_links_falls_back_to_other_known_urls(simulator, odesli):
    demo = simulator.sim.release("demo")
    apple = f"https://music.apple.com/us/album/midnight-signals/{demo.ids['apple_music']}"
    unknown = ReleaseIdentity("x", (), spotify_id="0000000000000000000000", spotify_type="album")
    assert odesli.find_links(unknown, urls=(apple,))["spotify"].platform_id == DEMO_SPOTIFY_ID


def test_the_keyless_limit_is_ten_a_minute(simulator, odesli):
    simulator.sim.set_clock(simulator.sim.now())
    for _ in range(10):
        odesli.links(DEMO_URL)
    with pytest.raises(TemporaryError):
        odesli.links(DEMO_URL)
    simulator.sim.advance(timedelta(minutes=1).total_seconds())
    assert odesli.links(DEMO_URL)


def test_an_api_key_is_sent_and_a_wrong_one_is_refused(simulator):
    simulator.sim.clients["odesli"] = {"good-key": ""}
    keyed = simulator.client("odesli", ODESLI_API_KEY="good-key")
    assert keyed.links(DEMO_URL)
    assert simulator.sim.requests("odesli")[-1].token == "good-key"
    with pytest.raises(PermanentError, match="401"):
        simulator.client("odesli", ODESLI_API_KEY="bad-key").links(DEMO_URL)
