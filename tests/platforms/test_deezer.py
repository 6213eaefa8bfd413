"""The Deezer client against the simulated Deezer: errors live inside HTTP 200 bodies."""

import pytest
import requests

from app.platforms.base import NotFound, PermanentError, ReleaseIdentity, TemporaryError
from app.platforms.deezer import QUOTA_WINDOW
from app.simulator.demo import DEMO_UPC


@pytest.fixture
def deezer(simulator):
    return simulator.client("deezer")


def test_a_upc_deezer_lists_with_a_leading_zero_is_found(simulator, deezer):
    album = deezer.album_by_upc(DEMO_UPC)
    assert album["upc"] == "0" + DEMO_UPC
    assert album["title"] == "Midnight Signals"
    paths = [r.path for r in simulator.sim.requests("deezer")]
    assert paths == [f"/album/upc:{DEMO_UPC}", f"/album/upc:0{DEMO_UPC}"]


def test_a_release_is_found_by_upc_then_by_isrc(simulator, deezer):
    demo = simulator.sim.release("demo")
    listing = deezer.find_release(ReleaseIdentity("x", (), upc=DEMO_UPC))
    assert listing.matched_by == "upc" and listing.kind == "album"
    assert listing.platform_id == demo.ids["deezer"]
    assert listing.url == f"https://www.deezer.com/album/{demo.ids['deezer']}"

    by_isrc = deezer.find_release(ReleaseIdentity("x", (), isrcs=("USUM71703862",)))
    assert by_isrc.kind == "track" and by_isrc.matched_by == "isrc"
    album_wanted = ReleaseIdentity("x", (), isrcs=("USUM71703862",), spotify_type="album")
    assert deezer.find_release(album_wanted).platform_id == demo.ids["deezer"]


def test_a_track_by_isrc_has_the_documented_fields(deezer):
    track = deezer.track_by_isrc("USUM71703861")
    for name in ("id", "title", "isrc", "link", "duration", "track_position", "release_date"):
        assert name in track
    assert track["album"]["title"] == "Midnight Signals"


def test_a_release_not_live_yet_answers_no_data(simulator, deezer):
    upcoming = simulator.sim.release("upcoming")
    identity = ReleaseIdentity("x", (), upc=upcoming.upc, isrcs=(upcoming.tracks[0].isrc,))
    assert deezer.find_release(identity) is None
    answer = requests.get(f"{simulator.url}/deezer/album/upc:{upcoming.upc}", timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {"error": {"type": "DataException", "message": "no data", "code": 800}}
    simulator.sim.go_live("upcoming", "deezer")
    assert deezer.find_release(identity).matched_by == "upc"


def test_an_unknown_isrc_raises_not_found(deezer):
    with pytest.raises(NotFound):
        deezer.track_by_isrc("ZZZZZ0000000")


def test_an_exhausted_quota_inside_a_200_is_temporary(simulator, deezer):
    simulator.sim.fail("deezer", "quota")
    with pytest.raises(TemporaryError, match="code 4") as caught:
        deezer.track_by_isrc("USUM71703861")
    assert caught.value.retry_after == QUOTA_WINDOW
    (call,) = simulator.sim.requests("deezer")
    assert call.status == 200


def test_more_than_fifty_calls_in_five_seconds_hit_the_quota(simulator, deezer):
    simulator.sim.set_clock(simulator.sim.now())
    for _ in range(50):
        deezer.track_by_isrc("USUM71703861")
    with pytest.raises(TemporaryError, match="Quota"):
        deezer.track_by_isrc("USUM71703861")
    simulator.sim.advance(5)
    assert deezer.track_by_isrc("USUM71703861")["isrc"] == "USUM71703861"


def test_a_busy_service_is_temporary(simulator, deezer):
    simulator.sim.fail("deezer", "busy")
    with pytest.raises(TemporaryError, match="code 700"):
        deezer.track_by_isrc("USUM71703861")


@pytest.mark.parametrize(("kind", "code"), [("permission", 200), ("token_invalid", 300)])
def test_oauth_errors_are_permanent(simulator, deezer, kind, code):
    simulator.sim.fail("deezer", kind)
    with pytest.raises(PermanentError, match=f"code {code}"):
        deezer.track_by_isrc("USUM71703861")
