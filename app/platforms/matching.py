"""Deciding whether a text-search result is the release, for platforms with no id lookup.

A wrong match is worse than none: the fan would like someone else's song. So a result must
match the release's title closely *and* name one of its artists, after both sides are
normalised (case, accents, punctuation, "feat." credits and YouTube's video decorations).
"""

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

from app.platforms.base import ReleaseIdentity

# Close enough to forgive a stray character or spacing, not a different word.
TITLE_THRESHOLD = 0.9

_FEATURING = re.compile(r"[(\[]\s*(feat|ft|featuring|with)\b[^)\]]*[)\]]|\s(feat|ft|featuring)\b.*")
_DECORATION = re.compile(
    r"[(\[][^)\]]*\b(official|video|audio|lyrics?|visuali[sz]er|hd|4k|mv)\b[^)\]]*[)\]]"
)
_CHANNEL_SUFFIX = re.compile(r"\s*(-\s*topic|vevo|official)\s*$")
# YouTube Music album playlists are titled "Album - <title>".
_ALBUM_PREFIX = re.compile(r"^album\s*-\s*")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DECORATION.sub(" ", text)
    text = _FEATURING.sub(" ", text)
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _channel(text: str) -> str:
    return normalise(_CHANNEL_SUFFIX.sub("", text.casefold()))


def score(identity: ReleaseIdentity, title: str, channel: str) -> float:
    """0 for a reject; otherwise how closely the title matches (at least TITLE_THRESHOLD)."""
    artists = [normalise(a) for a in identity.artists if normalise(a)]
    wanted = normalise(identity.title)
    found = normalise(_ALBUM_PREFIX.sub("", title.casefold()))
    channel = _channel(channel)
    # Video titles are often "Artist - Title": credit the artist and compare the rest.
    artist_in_title = None
    for artist in artists:
        if found.startswith(artist + " "):
            artist_in_title = artist
            found = found.removeprefix(artist).strip()
            break
    artist_ok = artist_in_title is not None or any(a == channel for a in artists)
    if not artist_ok or not wanted:
        return 0.0
    ratio = SequenceMatcher(None, wanted, found).ratio()
    return ratio if ratio >= TITLE_THRESHOLD else 0.0


def best_match(
    identity: ReleaseIdentity, candidates: Iterable[tuple[str, dict]], prefer_topic: bool = False
) -> str | None:
    """The id of the best candidate `(id, {"title", "channelTitle"})`, or None if all are weak.

    Among equally good matches, `prefer_topic` picks YouTube Music's auto-generated
    "<artist> - Topic" uploads (what YouTube Music shows) and otherwise the artist's own.
    """
    best_id, best_score = None, 0.0
    for candidate_id, snippet in candidates:
        channel = snippet.get("channelTitle", "")
        value = score(identity, snippet.get("title", ""), channel)
        if value and (channel.casefold().endswith("- topic") == prefer_topic):
            value += 0.001  # a tie-breaker only: never lifts a weak match over the threshold
        if candidate_id and value > best_score:
            best_id, best_score = candidate_id, value
    return best_id
