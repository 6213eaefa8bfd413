"""The registry holds the seed's platform matrix: checked row by row against a copy of it.

The rows below are copied from seed/pre-save-platform-behavior.md ("Platform matrix") so the
repository stays self-contained; the lookups come from platforms.md's summary table.
"""

import pytest

from app.platforms import registry
from app.platforms.registry import Email, Lookup, Mode

SEED_MATRIX = [
    ("Apple Music", "Direct pre-add", "Connects Apple Music. Email is optional."),
    ("YouTube Music", "Direct save", "Connects YouTube Music and leaves an email."),
    ("TIDAL", "Direct save", "Connects TIDAL and leaves an email."),
    ("Spotify", "Email signup", "Leaves an email, gets routed to Spotify on release day."),
    ("Amazon Music", "Email signup", "Leaves an email, gets routed on release day."),
    ("Deezer", "Email signup", "Leaves an email, gets routed on release day."),
    ("SoundCloud", "Email signup", "Leaves an email, gets routed on release day."),
    ("YouTube", "Email signup", "Leaves an email, gets routed on release day."),
    ("Other", "Email signup", "Leaves an email, gets a link on release day."),
]

LOOKUPS = {
    "Apple Music": {Lookup.UPC, Lookup.ISRC},
    "YouTube Music": {Lookup.SEARCH, Lookup.ODESLI},
    "TIDAL": {Lookup.UPC, Lookup.ISRC},
    "Spotify": {Lookup.SPOTIFY_ID, Lookup.UPC, Lookup.ISRC},
    "Amazon Music": {Lookup.ODESLI},
    "Deezer": {Lookup.UPC, Lookup.ISRC},
    "SoundCloud": {Lookup.ODESLI},
    "YouTube": {Lookup.SEARCH, Lookup.ODESLI},
    "Other": set(),
}


def _email(what_the_fan_does: str) -> Email:
    if "Email is optional" in what_the_fan_does:
        return Email.OPTIONAL
    return Email.REQUIRED if "leaves an email" in what_the_fan_does.lower() else Email.NOT_ASKED


def test_the_registry_lists_the_seed_platforms_in_the_seed_order():
    assert [p.name for p in registry.PLATFORMS] == [row[0] for row in SEED_MATRIX]


@pytest.mark.parametrize(("name", "mode", "what"), SEED_MATRIX, ids=[r[0] for r in SEED_MATRIX])
def test_each_platform_matches_its_seed_row(name, mode, what):
    platform = next(p for p in registry.PLATFORMS if p.name == name)
    direct = mode.startswith("Direct")
    assert platform.mode is (Mode.DIRECT if direct else Mode.EMAIL)
    assert platform.email is _email(what)
    assert platform.can_save is direct  # only the direct platforms save for the fan
    assert platform.lookups == LOOKUPS[name]
    assert registry.get(platform.key) is platform
