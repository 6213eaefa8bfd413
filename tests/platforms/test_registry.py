"""The registry holds the seed's platform matrix: checked row by row against the seed itself,
and each platform's lookups against what its client really does."""

import re

import pytest

from app.config import ROOT
from app.platforms import registry
from app.platforms.base import ReleaseIdentity
from app.platforms.clients import CLIENTS
from app.platforms.registry import Email, Lookup, Mode
from app.simulator.demo import DEMO_SPOTIFY_ID, DEMO_UPC

# The project brief's product contract sits beside the repository (shared/seed/).
SEED = ROOT.parent / "shared" / "seed" / "pre-save-platform-behavior.md"


def _seed_matrix() -> list[tuple[str, str, str]]:
    """The rows of the seed's "Platform matrix" table: (platform, mode, what the fan does)."""
    if not SEED.exists():
        pytest.skip(f"the seed ({SEED}) is not beside the repository")
    table = SEED.read_text().split("## Platform matrix", 1)[1].split("\n## ", 1)[0]
    rows = [re.findall(r"\|\s*([^|]+?)\s*(?=\|)", line) for line in table.splitlines()]
    return [tuple(row) for row in rows if len(row) == 3][2:]  # after the header and the rule


def _email(what_the_fan_does: str) -> Email:
    if "Email is optional" in what_the_fan_does:
        return Email.OPTIONAL
    return Email.REQUIRED if "leaves an email" in what_the_fan_does.lower() else Email.NOT_ASKED


def test_the_registry_lists_the_seed_platforms_in_the_seed_order():
    assert [p.name for p in registry.PLATFORMS] == [row[0] for row in _seed_matrix()]


def test_each_platform_matches_its_seed_row():
    for name, mode, what in _seed_matrix():
        platform = next(p for p in registry.PLATFORMS if p.name == name)
        direct = mode.startswith("Direct")
        assert platform.mode is (Mode.DIRECT if direct else Mode.EMAIL), name
        assert platform.email is _email(what), name
        assert platform.can_save is direct, name  # only the direct platforms save for the fan
        assert registry.get(platform.key) is platform


# Probes of the live demo album, each findable by one kind of lookup only: nothing but the
# id, UPC or ISRC is right in the first three, and the last has no identifier at all.
PROBES = (
    ReleaseIdentity("zzz", ("nobody",), spotify_id=DEMO_SPOTIFY_ID, spotify_type="album"),
    ReleaseIdentity("zzz", ("nobody",), upc=DEMO_UPC),
    ReleaseIdentity("zzz", ("nobody",), isrcs=("USUM71703861",)),
    ReleaseIdentity("Midnight Signals", ("The Night Owls",), spotify_type="album"),
)
MATCHED_BY = {
    "source": Lookup.SPOTIFY_ID,
    "upc": Lookup.UPC,
    "isrc": Lookup.ISRC,
    "search": Lookup.SEARCH,
    "odesli": Lookup.ODESLI,
}


def test_each_platform_s_lookups_are_the_ones_its_client_really_makes(simulator):
    simulator.sim.go_live("demo", "tidal")
    simulator.sim.natural_limits = False
    via_odesli = simulator.client("odesli").links(
        f"https://open.spotify.com/album/{DEMO_SPOTIFY_ID}"
    )
    for platform in registry.PLATFORMS:
        if platform.key in CLIENTS:
            client = simulator.client(platform.key)
            found = [client.find_release(probe) for probe in PROBES]
            seen = {MATCHED_BY[listing.matched_by] for listing in found if listing}
        else:  # no API of its own: found only through Odesli, if at all
            seen = {Lookup.ODESLI} if platform.key in via_odesli else set()
        assert platform.lookups == seen, platform.key


def test_a_platform_is_named_from_the_matrix_and_an_unknown_key_as_stored():
    assert registry.name("tidal") == "TIDAL"
    assert registry.name("apple_music") == "Apple Music"
    assert registry.name("napster") == "napster"
