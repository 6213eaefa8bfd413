"""Parse and normalize what an artist types as a campaign's release source.

One field accepts a Spotify album or track (URI or open.spotify.com link), a UPC/EAN or an ISRC;
detection later resolves any of them to the same release.
"""

import re
from dataclasses import dataclass

KINDS = ("spotify", "upc", "isrc")
SPOTIFY_TYPES = ("album", "track")

ACCEPTED_FORMS = (
    "Enter a Spotify album or track link (or spotify: URI), a UPC/EAN (12 or 13 digits) "
    "or an ISRC (like USUM71703861)."
)

_SPOTIFY_URI = re.compile(r"spotify:([a-z-]+):(\S+)", re.IGNORECASE)
_SPOTIFY_URL = re.compile(
    r"(?:https?://)?open\.spotify\.com/(?:intl-[a-z_-]+/)?(?:embed/)?([a-z-]+)/([^/?#\s]+)/?(?:[?#]\S*)?",
    re.IGNORECASE,
)
_SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")
_DIGITS = re.compile(r"\d[\d\s-]*\d")
_ISRC = re.compile(r"([A-Z]{2})-?([A-Z0-9]{3})-?(\d{2})-?(\d{5})", re.IGNORECASE)


class InvalidReleaseSource(ValueError):
    """The text is not a release source; the message tells the artist why."""


@dataclass(frozen=True)
class ReleaseSource:
    kind: str
    value: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown release source kind {self.kind!r}")

    @classmethod
    def from_stored(cls, kind: str, value: str) -> "ReleaseSource":
        return cls(kind, value)

    @property
    def spotify_type(self) -> str | None:
        return self.value.split(":")[1] if self.kind == "spotify" else None

    @property
    def spotify_id(self) -> str | None:
        return self.value.split(":")[2] if self.kind == "spotify" else None

    @property
    def url(self) -> str | None:
        if self.kind != "spotify":
            return None
        return f"https://open.spotify.com/{self.spotify_type}/{self.spotify_id}"

    @property
    def label(self) -> str:
        if self.kind == "spotify":
            return f"Spotify {self.spotify_type} {self.spotify_id}"
        if self.kind == "upc":
            return f"{'UPC' if len(self.value) == 12 else 'EAN'} {self.value}"
        return f"ISRC {self.value}"


def parse_release_source(text: str) -> ReleaseSource:
    text = (text or "").strip()
    if match := _SPOTIFY_URI.fullmatch(text) or _SPOTIFY_URL.fullmatch(text):
        return _spotify(match[1].lower(), match[2])
    if _DIGITS.fullmatch(text):
        return _upc(re.sub(r"[\s-]", "", text))
    if match := _ISRC.fullmatch(text):
        return ReleaseSource("isrc", "".join(match.groups()).upper())
    raise InvalidReleaseSource(ACCEPTED_FORMS)


def _spotify(kind: str, spotify_id: str) -> ReleaseSource:
    if kind not in SPOTIFY_TYPES:
        raise InvalidReleaseSource(
            f"That's a Spotify {kind} link. Only album or track links (or spotify: URIs) "
            "are accepted — open the release itself and copy its link."
        )
    if not _SPOTIFY_ID.fullmatch(spotify_id):
        raise InvalidReleaseSource(
            "That Spotify link's ID doesn't look right (it should be 22 letters and digits) — "
            "copy the link again."
        )
    return ReleaseSource("spotify", f"spotify:{kind}:{spotify_id}")


def _upc(digits: str) -> ReleaseSource:
    if len(digits) not in (12, 13):
        raise InvalidReleaseSource(
            f"A UPC has 12 digits and an EAN 13, but that number has {len(digits)}. "
            + ACCEPTED_FORMS
        )
    if _gs1_check_digit(digits[:-1]) != int(digits[-1]):
        raise InvalidReleaseSource("That UPC/EAN's check digit doesn't match — check for a typo.")
    return ReleaseSource("upc", digits)


def _gs1_check_digit(body: str) -> int:
    # GS1 mod 10: weights 3, 1, 3, ... counted from the rightmost digit of the body.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return -total % 10
