"""Deezer public API client: `album/upc:…` and `track/isrc:…` lookups, no credentials.

Deezer is an email-signup platform in Dropday: it has not accepted new app registrations
since about mid-2024, so a fan library save (OAuth `manage_library`) cannot be built
(platforms.md §5). Deezer also backs up Spotify when a UPC or ISRC source is resolved.

Errors arrive inside HTTP 200 bodies: code 4 (quota, 50 requests per 5 s per IP, no
Retry-After) and 700 (busy) are temporary; 800 is "no data"; the rest are permanent.
Lookups raise NotFound; `find_release` returns None when Deezer does not have the release.
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

QUOTA_WINDOW = 5  # seconds: the quota is counted over 5 s, so that is when to come back
TEMPORARY = {4: QUOTA_WINDOW, 700: None}
NOT_FOUND = 800


class DeezerClient(http.HttpClient):
    key = "deezer"

    @classmethod
    def from_config(cls, config) -> "DeezerClient":
        return cls(api_url=settings.url(config, "DEEZER_API_URL"), timeout=settings.timeout(config))

    def album(self, album_id: str | int) -> dict:
        return self._get(f"/album/{album_id}")

    def track(self, track_id: str | int) -> dict:
        return self._get(f"/track/{track_id}")

    def album_by_upc(self, upc: str) -> dict:
        """Tries the UPC as given, then with a leading zero added or removed."""
        for variant in upc_variants(upc):
            try:
                return self._get(f"/album/upc:{variant}")
            except NotFound:
                continue
        raise NotFound(f"Deezer has no album with UPC {upc}")

    def track_by_isrc(self, isrc: str) -> dict:
        return self._get(f"/track/isrc:{isrc}")

    def find_release(self, identity: ReleaseIdentity) -> Listing | None:
        """By UPC, then by each ISRC (an album identity takes the found track's album)."""
        if identity.upc:
            try:
                return _listing(self.album_by_upc(identity.upc), "album", "upc")
            except NotFound:
                pass
        wants_album = identity.kind == "album"
        for isrc in identity.isrcs:
            try:
                track = self.track_by_isrc(isrc)
            except NotFound:
                continue
            if wants_album:
                return _listing(track["album"], "album", "isrc")
            return _listing(track, "track", "isrc")
        return None

    def _get(self, path: str) -> dict:
        response = http.send(self.session, "GET", self.api_url + path, timeout=self.timeout)
        try:
            body = response.json()
        except requests.JSONDecodeError as error:
            raise TemporaryError(f"Deezer answered {response.status_code} without JSON") from error
        error = body.get("error") if isinstance(body, dict) else None
        if response.status_code == 404 or (error and error.get("code") == NOT_FOUND):
            raise NotFound(f"Deezer: no data for {path}")
        if error:
            code, message = error.get("code"), error.get("message", "")
            if code in TEMPORARY:
                raise TemporaryError(f"Deezer: {message} (code {code})", TEMPORARY[code])
            raise PermanentError(f"Deezer refused {path}: {message} (code {code})")
        if response.status_code != 200:
            raise PermanentError(f"Deezer refused {path} ({response.status_code})")
        return body


def _listing(item: dict, kind: str, matched_by: str) -> Listing:
    return Listing(
        platform="deezer",
        url=item["link"],
        platform_id=str(item["id"]),
        kind=kind,
        matched_by=matched_by,
        extra={"title": item.get("title")},
    )
