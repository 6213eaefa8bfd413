"""Resolving a campaign's release source into the identifiers every lookup starts from."""

import pytest

from app.platforms.base import PermanentError, TemporaryError
from app.platforms.identity import UnresolvedSource, resolve
from app.platforms.release_source import ReleaseSource, parse_release_source
from app.simulator.demo import DEMO_SPOTIFY_ID, DEMO_UPC

DEMO_ISRCS = ("USUM71703861", "USUM71703862", "USUM71703863")


@pytest.fixture
def resolve_source(simulator):
    spotify, deezer = simulator.client("spotify"), simulator.client("deezer")
    return lambda text: resolve(parse_release_source(text), spotify, deezer)


def test_a_spotify_album_resolves_to_its_upc_isrcs_title_and_artists(resolve_source):
    identity = resolve_source(f"spotify:album:{DEMO_SPOTIFY_ID}")
    assert identity.title == "Midnight Signals"
    assert identity.artists == ("The Night Owls",)
    assert identity.upc == DEMO_UPC
    assert identity.isrcs == DEMO_ISRCS
    assert (identity.spotify_id, identity.spotify_type) == (DEMO_SPOTIFY_ID, "album")


def test_a_spotify_track_link_resolves_to_its_isrc(simulator, resolve_source):
    track = simulator.sim.release("demo").tracks[1]
    identity = resolve_source(f"https://open.spotify.com/track/{track.ids['spotify']}?si=x")
    assert identity.isrcs == ("USUM71703862",)
    assert (identity.spotify_type, identity.title) == ("track", "Static Hearts")


def test_a_upc_resolves_through_spotify_search(resolve_source):
    identity = resolve_source(DEMO_UPC)
    assert identity.spotify_id == DEMO_SPOTIFY_ID and identity.isrcs == DEMO_ISRCS


def test_an_isrc_resolves_through_spotify_search(simulator, resolve_source):
    identity = resolve_source("US-UM7-17-03863")
    assert identity.isrcs == ("USUM71703863",)
    assert identity.spotify_id == simulator.sim.release("demo").tracks[2].ids["spotify"]


def test_a_upc_spotify_does_not_have_resolves_through_deezer(simulator, resolve_source):
    simulator.sim.go_live("upcoming", "deezer")
    identity = resolve_source("602445790623")
    assert identity.spotify_id is None
    assert identity.title == "Tides Between Us" and identity.artists == ("Harbor Lights",)
    assert identity.isrcs == ("GBARL2600101", "GBARL2600102")
    assert identity.upc == "602445790623"


def test_an_isrc_spotify_does_not_have_resolves_through_deezer(simulator, resolve_source):
    simulator.sim.go_live("upcoming", "deezer")
    identity = resolve_source("GBARL2600102")
    assert identity.title == "Undertow" and identity.isrcs == ("GBARL2600102",)


def test_a_source_no_platform_has_yet_is_unresolved_with_a_reason(simulator, resolve_source):
    upcoming = simulator.sim.release("upcoming")
    with pytest.raises(UnresolvedSource, match="Neither Spotify nor Deezer knows UPC"):
        resolve_source(upcoming.upc)
    with pytest.raises(UnresolvedSource, match="expected before release day"):
        resolve_source(f"spotify:album:{upcoming.ids['spotify']}")


def test_a_spotify_outage_is_temporary_when_deezer_lacks_the_release_too(simulator, resolve_source):
    simulator.sim.fail("spotify", "server_error", path="/v1/search")
    with pytest.raises(TemporaryError):
        resolve_source("602445790623")


def test_a_spotify_outage_does_not_stop_deezer_from_resolving(simulator, resolve_source):
    simulator.sim.fail("spotify", "rate_limit", path="/v1/search")
    identity = resolve_source(DEMO_UPC)
    assert identity.title == "Midnight Signals" and identity.isrcs == DEMO_ISRCS


def test_refused_app_credentials_are_permanent(simulator):
    spotify = simulator.client("spotify", SPOTIFY_CLIENT_ID="unknown-app")
    with pytest.raises(PermanentError, match="invalid_client"):
        resolve(ReleaseSource("upc", DEMO_UPC), spotify, simulator.client("deezer"))
