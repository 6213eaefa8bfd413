"""Spotify Web API client: catalog lookups with an app (client-credentials) token.

Spotify is an email-signup platform in Dropday (seed matrix): fans are routed to the release,
never saved for. The product does not offer a Spotify authorization flow, and a Development-
Mode app could serve only 5 users anyway (platforms.md §1), so this client has no fan side.

Spotify is also where a campaign's source usually resolves (identity.py): album/track by id,
and `upc:` / `isrc:` searches, always with a market, since UPC searches without one can come
back empty (web-api#1469).

Lookups by id raise NotFound; `find_release` returns None when Spotify does not have it.
"""

import requests

from app.platforms import http, settings
from app.platforms.barcode import upc_variants
from app.platforms.base import (
    Listing,
    NotFound,
    PermanentError,
    ReleaseIdentity,
    TemporaryError,
)
from app.platforms.oauth import AppTokenSession

# spotipy's margin: a token this close to expiry is treated as expired.
TOKEN_LEEWAY = 60
# Dev-Mode quota is shared by the whole developer account; hammering it only prolongs it.
QUOTA_WAIT = 3600
PAGE = 50


class SpotifyClient(http.HttpClient):
    key = "spotify"

    def __init__(
        self,
        *,
        accounts_url: str,
        client_id: str | None,
        client_secret: str | None,
        market: str = "US",
        **common,
    ):
        super().__init__(**common)
        self.market = market
        self._app = AppTokenSession(
            "Spotify",
            self.session,
            accounts_url.rstrip("/") + "/api/token",
            self.timeout,
            client_id=client_id,
            client_secret=client_secret,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106
            leeway=TOKEN_LEEWAY,
        )

    @classmethod
    def from_config(cls, config) -> "SpotifyClient":
        return cls(
            api_url=settings.url(config, "SPOTIFY_API_URL"),
            accounts_url=settings.url(config, "SPOTIFY_ACCOUNTS_URL"),
            client_id=config.get("SPOTIFY_CLIENT_ID"),
            client_secret=config.get("SPOTIFY_CLIENT_SECRET"),
            market=config.get("SPOTIFY_MARKET") or "US",
            timeout=settings.timeout(config),
        )

    # -- lookups ---------------------------------------------------------------------------

    def album(self, album_id: str) -> dict:
        """The full album object (external_ids.upc, tracks page); NotFound if unknown."""
        return self._get(f"/albums/{album_id}")

    def album_tracks(self, album: dict) -> list[dict]:
        """All of an album's (simplified) tracks, following the pages."""
        page = album["tracks"]
        tracks = [t for t in page["items"] if t]
        while page.get("next"):
            page = self._get(f"/albums/{album['id']}/tracks", offset=len(tracks), limit=PAGE)
            tracks.extend(t for t in page["items"] if t)
        return tracks

    def track(self, track_id: str) -> dict:
        """The full track object (external_ids.isrc, album); NotFound if unknown."""
        return self._get(f"/tracks/{track_id}")

    def search_upc(self, upc: str) -> dict | None:
        """The (simplified) album with this UPC, trying it with and without a leading zero."""
        for variant in upc_variants(upc):
            if found := self._search(f"upc:{variant}", "album"):
                return found
        return None

    def search_isrc(self, isrc: str) -> dict | None:
        """A (full) track with this ISRC, or None."""
        return self._search(f"isrc:{isrc}", "track")

    def find_release(self, identity: ReleaseIdentity) -> Listing | None:
        """By the source's Spotify id, then UPC, then each ISRC; None if Spotify lacks it."""
        if identity.spotify_id:
            try:
                item = self._get(f"/{identity.spotify_type}s/{identity.spotify_id}")
            except NotFound:
                pass
            else:
                return _listing(item, "source")
        if identity.upc and (album := self.search_upc(identity.upc)):
            return _listing(album, "upc")
        wants_album = identity.kind == "album"
        for isrc in identity.isrcs:
            if track := self.search_isrc(isrc):
                return _listing(track["album"] if wants_album else track, "isrc")
        return None

    # -- HTTP ------------------------------------------------------------------------------

    def _search(self, query: str, kind: str) -> dict | None:
        answer = self._get("/search", q=query, type=kind, market=self.market, limit=1)
        # Result lists can hold nulls (web-api#1547).
        items = [item for item in answer.get(f"{kind}s", {}).get("items", []) if item]
        return items[0] if items else None

    def _get(self, path: str, **params) -> dict:
        # Not `check`ed: a 429's body says whether it is the long QUOTA_EXCEEDED.
        response = self._app.get(self.api_url + path, params=params, check=False)
        status = response.status_code
        if status == 200:
            return _json(response)
        message = _error(response)
        if status == 404:
            raise NotFound(f"Spotify: {message} ({path})")
        if status == 429 and _error(response, "reason") == "QUOTA_EXCEEDED":
            wait = max(http.retry_after(response) or 0, QUOTA_WAIT)
            raise TemporaryError("Spotify quota exceeded", retry_after=wait)
        http.raise_for_temporary(response)
        if status == 401:
            raise PermanentError(f"Spotify refused Dropday's app token: {message}")
        raise PermanentError(f"Spotify refused the request ({status}: {message})")


def _json(response: requests.Response) -> dict:
    try:
        return response.json()
    except ValueError as error:
        raise TemporaryError("Spotify answered with something that is not JSON") from error


def _error(response: requests.Response, field: str = "message") -> str | None:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None if field != "message" else response.reason
    if isinstance(error, dict):
        return error.get(field)
    return error if field == "message" else None


def _listing(item: dict, matched_by: str) -> Listing:
    return Listing(
        platform="spotify",
        url=item["external_urls"]["spotify"],
        platform_id=item["id"],
        kind=item["type"],
        matched_by=matched_by,
        extra={"uri": item["uri"], "name": item["name"]},
    )
