"""The simulated music catalog: releases, their tracks, and when each platform has them.

Every release carries an id per platform in that platform's own style (Spotify base62,
Apple/Deezer/TIDAL digits, YouTube video ids and `OLAK5uy_` album playlists, Amazon ASINs),
derived from a hash so the same release always gets the same ids. `live_at[platform]` says
from when a platform serves the release; None means never (yet). Until then the platform
answers exactly as it does for an id it has never heard of.
"""

import hashlib
import re
import string
from dataclasses import dataclass, field
from datetime import date, datetime

# Platforms the catalog keeps ids and live times for (registry keys, minus "other").
PLATFORMS = (
    "spotify",
    "apple_music",
    "youtube_music",
    "youtube",
    "tidal",
    "deezer",
    "amazon_music",
    "soundcloud",
)

_BASE62 = string.digits + string.ascii_letters
_VIDEO = string.ascii_letters + string.digits + "-_"


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest(), "big")


def _spell(number: int, alphabet: str, length: int) -> str:
    out = []
    for _ in range(length):
        number, rest = divmod(number, len(alphabet))
        out.append(alphabet[rest])
    return "".join(out)


def platform_id(platform: str, kind: str, seed: str) -> str:
    """A stable id for a release ("album") or track on `platform`, in its style."""
    n = _digest(platform, kind, seed)
    if platform == "spotify":
        return _spell(n, _BASE62, 22)
    if platform in {"youtube", "youtube_music"}:
        # Albums are auto-generated playlists; tracks are videos (11 characters).
        if kind == "album":
            return "OLAK5uy_" + _spell(n, _VIDEO, 33)
        return _spell(n, _VIDEO, 11)
    if platform == "amazon_music":
        return "B0" + _spell(n, string.digits + string.ascii_uppercase, 8)
    widths = {"apple_music": 10, "deezer": 9, "tidal": 9, "soundcloud": 10}
    width = widths[platform] + (1 if kind == "track" else 0)
    return str(10 ** (width - 1) + n % (9 * 10 ** (width - 1)))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "untitled"


@dataclass
class Track:
    isrc: str
    title: str
    number: int
    duration_ms: int = 201_000
    ids: dict[str, str] = field(default_factory=dict)


@dataclass
class Release:
    key: str  # the scenario's handle, e.g. "demo"
    title: str
    artists: tuple[str, ...]
    upc: str
    tracks: list[Track]
    album_type: str = "album"  # Spotify's album_type: album, single, compilation
    release_date: date | None = None
    label: str = "Dropday Test Records"
    ids: dict[str, str] = field(default_factory=dict)
    live_at: dict[str, datetime | None] = field(default_factory=dict)
    # The UPC as a platform lists it, where it differs (leading zeros vary by platform).
    listed_upc: dict[str, str] = field(default_factory=dict)

    def upc_on(self, platform: str) -> str:
        return self.listed_upc.get(platform, self.upc)

    def is_live(self, platform: str, now: datetime) -> bool:
        at = self.live_at.get(platform)
        return at is not None and at <= now

    def track_by_id(self, platform: str, track_id: str) -> Track | None:
        return next((t for t in self.tracks if t.ids.get(platform) == track_id), None)

    def track_by_isrc(self, isrc: str) -> Track | None:
        return next((t for t in self.tracks if t.isrc == isrc.upper()), None)


def url(platform: str, release: Release, track: Track | None = None) -> str:
    """Where a fan opens the release (or one of its tracks) on `platform`."""
    item = track or release
    kind = "track" if track else "album"
    pid = item.ids[platform]
    artist = slug(release.artists[0]) if release.artists else "artist"
    match platform:
        case "spotify":
            return f"https://open.spotify.com/{kind}/{pid}"
        case "apple_music":
            album = (
                f"https://music.apple.com/us/album/{slug(release.title)}/{release.ids[platform]}"
            )
            return f"{album}?i={pid}" if track else album
        case "deezer":
            return f"https://www.deezer.com/{kind}/{pid}"
        case "tidal":
            return f"https://tidal.com/browse/{kind}/{pid}"
        case "youtube_music":
            host = "https://music.youtube.com"
            return f"{host}/watch?v={pid}" if track else f"{host}/playlist?list={pid}"
        case "youtube":
            host = "https://www.youtube.com"
            return f"{host}/watch?v={pid}" if track else f"{host}/playlist?list={pid}"
        case "amazon_music":
            return f"https://music.amazon.com/{'tracks' if track else 'albums'}/{pid}"
        case "soundcloud":
            name = slug(item.title)
            return f"https://soundcloud.com/{artist}/{name if track else 'sets/' + name}"
    raise KeyError(platform)


class Catalog:
    """Releases by key, with the lookups the simulated APIs need. Callers hold the lock."""

    def __init__(self):
        self.releases: dict[str, Release] = {}

    def add(self, release: Release) -> Release:
        for platform in PLATFORMS:
            release.ids.setdefault(platform, platform_id(platform, "album", release.upc))
            for track in release.tracks:
                # Per release: a single and its album carry the same recording under two ids.
                seed = f"{release.upc}:{track.isrc}"
                track.ids.setdefault(platform, platform_id(platform, "track", seed))
        self.releases[release.key] = release
        return release

    def get(self, key: str) -> Release:
        return self.releases[key]

    def by_id(self, platform: str, item_id: str) -> tuple[Release, Track | None] | None:
        """The release whose album id, or one of whose track ids, is `item_id`."""
        for release in self.releases.values():
            if release.ids.get(platform) == item_id:
                return release, None
            if track := release.track_by_id(platform, item_id):
                return release, track
        return None

    def by_upc(self, platform: str, upc: str) -> Release | None:
        """Exact match on the UPC as the platform lists it: leading zeros matter."""
        return next((r for r in self.releases.values() if r.upc_on(platform) == upc), None)

    def by_isrc(self, isrc: str) -> list[tuple[Release, Track]]:
        """Every release carrying the recording (a single and its album share ISRCs)."""
        return [
            (release, track)
            for release in self.releases.values()
            if (track := release.track_by_isrc(isrc))
        ]
