"""The seed's platform matrix as data. Pages and jobs read platform facts from here only.

Source: seed/pre-save-platform-behavior.md ("Platform matrix") and platforms.md for what
each platform's API can look up and save.
"""

from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    DIRECT = "direct"  # the fan connects an account; Dropday saves on release day
    EMAIL = "email"  # the fan leaves an email; Dropday routes them on release day


class Email(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    NOT_ASKED = "not_asked"


class Lookup(StrEnum):
    SPOTIFY_ID = "spotify_id"  # album/track by Spotify id
    UPC = "upc"
    ISRC = "isrc"
    SEARCH = "search"  # title + artist text search, checked for similarity
    ODESLI = "odesli"  # mapped from a Spotify or Apple Music URL through song.link


@dataclass(frozen=True)
class Platform:
    key: str
    name: str
    mode: Mode
    email: Email
    lookups: frozenset[Lookup]
    can_save: bool

    @property
    def direct(self) -> bool:
        return self.mode is Mode.DIRECT


def _p(key, name, mode, email, lookups, can_save):
    return Platform(key, name, Mode(mode), Email(email), frozenset(map(Lookup, lookups)), can_save)


# In the seed's order: the direct-save platforms first, then the email ones.
PLATFORMS: tuple[Platform, ...] = (
    _p("apple_music", "Apple Music", "direct", "optional", ["upc", "isrc"], True),
    _p("youtube_music", "YouTube Music", "direct", "required", ["search", "odesli"], True),
    _p("tidal", "TIDAL", "direct", "required", ["upc", "isrc"], True),
    _p("spotify", "Spotify", "email", "required", ["spotify_id", "upc", "isrc"], False),
    _p("amazon_music", "Amazon Music", "email", "required", ["odesli"], False),
    _p("deezer", "Deezer", "email", "required", ["upc", "isrc"], False),
    _p("soundcloud", "SoundCloud", "email", "required", ["odesli"], False),
    _p("youtube", "YouTube", "email", "required", ["search", "odesli"], False),
    _p("other", "Other", "email", "required", [], False),
)

BY_KEY: dict[str, Platform] = {p.key: p for p in PLATFORMS}
KEYS: tuple[str, ...] = tuple(BY_KEY)


def get(key: str) -> Platform:
    return BY_KEY[key]


def name(key: str) -> str:
    """The platform's name for people; a key no longer in the matrix is shown as stored."""
    platform = BY_KEY.get(key)
    return platform.name if platform else key


def enabled(disabled: frozenset[str] | set[str] = frozenset()) -> tuple[Platform, ...]:
    """The platforms this installation offers (DISABLED_PLATFORMS takes some away)."""
    return tuple(p for p in PLATFORMS if p.key not in disabled)
