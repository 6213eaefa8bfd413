"""Resolve a campaign's release source into a ReleaseIdentity: the identifiers every
platform lookup starts from (Spotify id and type, UPC, every track's ISRC, title, artists).

Spotify answers first: album or track by id, or a `upc:` / `isrc:` search in the configured
market. A UPC or ISRC Spotify does not know is tried on Deezer, which needs no credentials.

Outcomes: a ReleaseIdentity; `UnresolvedSource(reason)` when no platform knows the source
(yet: before release day that is the normal answer); TemporaryError when a platform could
not answer and the source may well resolve on a retry; PermanentError when Spotify refuses
Dropday itself (bad app credentials), which an operator must fix.
"""

from app.platforms.base import NotFound, ReleaseIdentity, TemporaryError
from app.platforms.deezer import DeezerClient
from app.platforms.release_source import ReleaseSource
from app.platforms.spotify import SpotifyClient


class UnresolvedSource(Exception):
    """No platform knows the source; `reason` says what was tried, for artists and operators."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def resolve(source: ReleaseSource, spotify: SpotifyClient, deezer: DeezerClient) -> ReleaseIdentity:
    if source.kind == "spotify":
        return _from_spotify_id(source, spotify)
    try:
        found = _spotify_search(source, spotify)
        spotify_failure = None
    except TemporaryError as error:
        found, spotify_failure = None, error
    if found:
        return found
    if found := _from_deezer(source, deezer):
        return found
    if spotify_failure:  # Deezer lacks it, and Spotify could not say: ask again later
        raise spotify_failure
    raise UnresolvedSource(f"Neither Spotify nor Deezer knows {source.label} yet.")


def resolve_for(source: ReleaseSource, app=None) -> ReleaseIdentity:
    """`resolve` with the app's clients (release-day detection)."""
    from app.platforms.clients import client_for

    return resolve(source, client_for("spotify", app), client_for("deezer", app))


def _from_spotify_id(source: ReleaseSource, spotify: SpotifyClient) -> ReleaseIdentity:
    try:
        if source.spotify_type == "album":
            return _spotify_album(spotify, spotify.album(source.spotify_id))
        return _spotify_track(spotify.track(source.spotify_id))
    except NotFound:
        raise UnresolvedSource(
            f"Spotify doesn't know {source.label} (yet). Spotify's API only knows released "
            "music, so this is expected before release day; otherwise check the link."
        ) from None


def _spotify_search(source: ReleaseSource, spotify: SpotifyClient) -> ReleaseIdentity | None:
    if source.kind == "upc":
        album = spotify.search_upc(source.value)
        # Search gives a simplified album: the full one carries the UPC and the tracks.
        return _spotify_album(spotify, spotify.album(album["id"])) if album else None
    track = spotify.search_isrc(source.value)
    return _spotify_track(track) if track else None


def _spotify_album(spotify: SpotifyClient, album: dict) -> ReleaseIdentity:
    # Album track listings are simplified (no ISRC): each track is fetched once.
    isrcs = []
    for item in spotify.album_tracks(album):
        isrc = spotify.track(item["id"]).get("external_ids", {}).get("isrc")
        if isrc and isrc.upper() not in isrcs:
            isrcs.append(isrc.upper())
    return ReleaseIdentity(
        title=album["name"],
        artists=tuple(a["name"] for a in album["artists"]),
        upc=album.get("external_ids", {}).get("upc"),
        isrcs=tuple(isrcs),
        spotify_id=album["id"],
        spotify_type="album",
        release_date=album.get("release_date"),
    )


def _spotify_track(track: dict) -> ReleaseIdentity:
    isrc = track.get("external_ids", {}).get("isrc")
    return ReleaseIdentity(
        title=track["name"],
        artists=tuple(a["name"] for a in track["artists"]),
        isrcs=(isrc.upper(),) if isrc else (),
        spotify_id=track["id"],
        spotify_type="track",
        release_date=track.get("album", {}).get("release_date"),
    )


def _from_deezer(source: ReleaseSource, deezer: DeezerClient) -> ReleaseIdentity | None:
    try:
        if source.kind == "upc":
            album = deezer.album_by_upc(source.value)
        else:
            track = deezer.track_by_isrc(source.value)
    except NotFound:
        return None
    if source.kind == "isrc":
        return ReleaseIdentity(
            title=track["title"],
            artists=_deezer_artists(track),
            isrcs=(track.get("isrc", source.value).upper(),),
            release_date=track.get("release_date"),
        )
    # The album's track list carries no ISRCs: each track is fetched once.
    isrcs = []
    for item in album.get("tracks", {}).get("data", []):
        isrc = deezer.track(item["id"]).get("isrc")
        if isrc and isrc.upper() not in isrcs:
            isrcs.append(isrc.upper())
    return ReleaseIdentity(
        title=album["title"],
        artists=_deezer_artists(album),
        upc=source.value,
        isrcs=tuple(isrcs),
        release_date=album.get("release_date"),
    )


def _deezer_artists(item: dict) -> tuple[str, ...]:
    names = [c["name"] for c in item.get("contributors", []) if c.get("name")]
    return tuple(dict.fromkeys(names)) or (item["artist"]["name"],)
