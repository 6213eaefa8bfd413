"""What every platform client promises release day: a platform that rate limits, fails or
answers too slowly is a TemporaryError (with the wait the platform asked for), never a
permanent failure and never a crash. One test, every client."""

import pytest

from app.platforms import registry
from app.platforms.base import (
    DirectSaveClient,
    PlatformClient,
    TemporaryError,
    VerifiableSaveClient,
)
from app.platforms.clients import CLIENTS
from app.platforms.deezer import QUOTA_WINDOW
from app.platforms.odesli import RATE_WAIT
from tests.platforms.releases import DEMO, DEMO_BY_UPC

# Client key -> (the simulated platform it calls, how it looks the demo release up).
LOOKUPS = {
    "spotify": ("spotify", lambda client: client.find_release(DEMO)),
    "deezer": ("deezer", lambda client: client.find_release(DEMO)),
    "odesli": ("odesli", lambda client: client.links(DEMO.spotify_url)),
    "apple_music": ("apple_music", lambda client: client.find_release(DEMO)),
    "tidal": ("tidal", lambda client: client.find_release(DEMO)),
    # Without a Spotify URL these search YouTube itself, as they do when Odesli cannot help.
    "youtube_music": ("youtube", lambda client: client.find_release(DEMO_BY_UPC)),
    "youtube": ("youtube", lambda client: client.find_release(DEMO_BY_UPC)),
}
# What a rate limit tells a client to wait where the platform sends no Retry-After.
IMPLIED_WAIT = {"deezer": QUOTA_WINDOW, "odesli": RATE_WAIT}


def test_the_contract_covers_every_client():
    assert set(LOOKUPS) == set(CLIENTS)


def test_each_client_declares_what_its_platform_offers(simulator):
    """Pages and jobs ask the protocols, so a client must be exactly what the matrix says."""
    for platform in registry.PLATFORMS:
        if platform.key not in CLIENTS:
            continue
        client = simulator.client(platform.key)
        assert isinstance(client, PlatformClient), platform.key
        if platform.can_save:
            assert isinstance(client, DirectSaveClient), platform.key
        # Apple accepts an add before it shows in the library, so it alone looks again later.
        assert isinstance(client, VerifiableSaveClient) == (platform.key == "apple_music")


@pytest.mark.parametrize("key", sorted(LOOKUPS))
def test_a_rate_limit_is_temporary_with_the_wait_asked_for(simulator, key):
    platform, lookup = LOOKUPS[key]
    simulator.sim.fail(platform, "rate_limit", retry_after=7)
    with pytest.raises(TemporaryError) as caught:
        lookup(simulator.client(key))
    assert caught.value.retry_after == IMPLIED_WAIT.get(platform, 7)


@pytest.mark.parametrize("status", [500, 502, 503])
@pytest.mark.parametrize("key", sorted(LOOKUPS))
def test_a_server_error_is_temporary(simulator, key, status):
    platform, lookup = LOOKUPS[key]
    simulator.sim.fail(platform, "server_error", status=status)
    with pytest.raises(TemporaryError, match=str(status)):
        lookup(simulator.client(key))


@pytest.mark.parametrize("key", sorted(LOOKUPS))
def test_an_answer_slower_than_the_timeout_is_temporary(simulator, key):
    platform, lookup = LOOKUPS[key]
    simulator.sim.fail(platform, "slow")
    with pytest.raises(TemporaryError, match="timed out"):
        lookup(simulator.client(key))


@pytest.mark.parametrize("key", sorted(LOOKUPS))
def test_the_next_call_after_a_fault_is_answered(simulator, key):
    platform, lookup = LOOKUPS[key]
    simulator.sim.go_live("demo", "tidal")
    client = simulator.client(key)
    simulator.sim.fail(platform, "server_error")
    with pytest.raises(TemporaryError):
        lookup(client)
    assert lookup(client)
