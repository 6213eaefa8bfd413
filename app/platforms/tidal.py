"""TIDAL's developer API (JSON:API at openapi.tidal.com/v2) and its OAuth 2.1 login.

The catalog needs only an app token (client credentials, cached by Authlib until it expires).
Fans log in with the authorization code flow and PKCE (S256); the caller keeps the code
verifier between `begin_connect` and `finish_connect`.

A save adds the album to the fan's collection with an `Idempotency-Key` that is the same for
the same connection and album, so a job retried after a lost response replays TIDAL's first
answer instead of adding twice. TIDAL answers 200 and lists what it did not add in
`meta.skipped`: `ALREADY_PRESENT` counts as saved (the fan wanted the album in their
collection, and it is there); `NOT_FOUND` is no save, and temporary, since a release can
still be indexing (release-day code decides when it becomes a failure).
"""

import contextlib
import hashlib
from collections.abc import Mapping

import requests
from authlib.common.security import generate_token

from app.platforms import settings
from app.platforms.base import (
    ConnectStart,
    Listing,
    PermanentError,
    ReleaseIdentity,
    SaveResult,
    TemporaryError,
    Tokens,
    TokenSaver,
)
from app.platforms.oauth import AppTokenSession, OAuthClient

JSON_API = "application/vnd.api+json"
SCOPES = "collection.read collection.write"
# 401 sub-statuses after which TIDAL's own SDK refreshes the token (auth.ts knownSubStatus).
REFRESH_SUB_STATUSES = {"11003", "6001", "11001", "11002", "11101"}


def sub_status(response: requests.Response) -> str | None:
    """The sub-status of a 401, wherever the body carries it.

    ⚠️ TIDAL documents the codes, not where the v2 API puts them: the legacy API sends a
    top-level `subStatus`; JSON:API bodies may carry it on the error object or its `meta`.
    """
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if body.get("subStatus") is not None:
        return str(body["subStatus"])
    for error in body.get("errors") or []:
        for value in (error.get("subStatus"), (error.get("meta") or {}).get("subStatus")):
            if value is not None:
                return str(value)
    return None


def needs_refresh(response: requests.Response) -> bool:
    """A 401 with a known sub-status, or with none at all (⚠️ see `sub_status`)."""
    if response.status_code != 401:
        return False
    status = sub_status(response)
    return status is None or status in REFRESH_SUB_STATUSES


def idempotency_key(connection_id: str, album_id: str) -> str:
    # Hashed so the header carries no internal ids; hex sha256 is well under 128 characters.
    return hashlib.sha256(f"dropday:{connection_id}:{album_id}".encode()).hexdigest()


class TidalClient(OAuthClient):
    key = "tidal"
    scope = SCOPES
    code_challenge_method = "S256"  # OAuth 2.1: PKCE is required
    web_url = "https://tidal.com"

    def __init__(self, *, country: str = "US", **common):
        super().__init__(**common)
        self.country = country
        self._app = AppTokenSession(
            "TIDAL", self.session, self.token_url, self.timeout, **self.client_auth()
        )

    @classmethod
    def from_config(cls, config: Mapping) -> "TidalClient":
        return cls(
            api_url=settings.url(config, "TIDAL_API_URL"),
            authorize_url=settings.url(config, "TIDAL_AUTHORIZE_URL"),
            token_url=settings.url(config, "TIDAL_TOKEN_URL"),
            client_id=config.get("TIDAL_CLIENT_ID"),
            client_secret=config.get("TIDAL_CLIENT_SECRET"),
            country=config.get("TIDAL_COUNTRY") or "US",
            timeout=settings.timeout(config),
        )

    # -- the catalog, with an app token -------------------------------------------------

    def _catalog(self, path: str, params: dict) -> dict:
        response = self._app.get(f"{self.api_url}{path}", params=params, headers=_accept())
        _raise_for_error(response)
        return response.json()

    def find_release(self, identity: ReleaseIdentity) -> Listing | None:
        """By barcode, then by each ISRC. An empty `data` is TIDAL's "not (yet) here"."""
        if identity.upc:
            albums = self._catalog(
                "/albums", {"filter[barcodeId]": identity.upc, "countryCode": self.country}
            )
            if albums.get("data"):
                return self._listing(albums["data"][0], "album", "upc")
        for isrc in identity.isrcs:
            tracks = self._catalog(
                "/tracks",
                {"filter[isrc]": isrc, "countryCode": self.country, "include": "albums"},
            )
            if not tracks.get("data"):
                continue
            track = tracks["data"][0]
            albums = ((track.get("relationships") or {}).get("albums") or {}).get("data") or []
            if albums and identity.kind == "album":
                included = {(r.get("type"), r.get("id")): r for r in tracks.get("included") or []}
                album = included.get(("albums", albums[0]["id"]), albums[0])
                return self._listing(album, "album", "isrc")
            return self._listing(track, "track", "isrc")
        return None

    def _listing(self, resource: dict, kind: str, matched_by: str) -> Listing:
        links = (resource.get("attributes") or {}).get("externalLinks") or []
        url = links[0]["href"] if links else f"{self.web_url}/browse/{kind}/{resource['id']}"
        return Listing(self.key, url, str(resource["id"]), kind, matched_by)

    # -- connecting a fan ---------------------------------------------------------------

    def begin_connect(self, redirect_uri: str, state: str) -> ConnectStart:
        verifier = generate_token(64)  # RFC 7636: 43 to 128 characters
        url, state = self.oauth(redirect_uri).create_authorization_url(
            self.authorize_url, state=state, code_verifier=verifier
        )
        return ConnectStart(state=state, redirect_url=url, verifier=verifier)

    def account_id(self, token: dict, tokens: Tokens) -> str:
        """TIDAL's token answer names the user (`user_id`)."""
        if user_id := token.get("user_id"):
            return str(user_id)
        raise PermanentError("TIDAL did not say which account connected")

    # -- saving -------------------------------------------------------------------------

    def save(
        self,
        tokens: Tokens,
        listing: Listing,
        on_refresh: TokenSaver,
        *,
        connection_id: str | None = None,
    ) -> SaveResult:
        fan = self.fan_session(tokens, on_refresh, stale=needs_refresh)
        collection = "userCollectionAlbums" if listing.kind == "album" else "userCollectionTracks"
        headers = {**_accept(), "Content-Type": JSON_API}
        if connection_id:
            headers["Idempotency-Key"] = idempotency_key(connection_id, listing.platform_id)
        response = fan.request(
            "POST",
            f"{self.api_url}/{collection}/me/relationships/items",
            json={"data": [{"type": f"{listing.kind}s", "id": listing.platform_id}]},
            headers=headers,
        )
        if response.status_code == 409 and _error_code(response) == DUPLICATE:
            return SaveResult(verified=True, detail="already in the fan's collection")
        _raise_for_error(response)
        # A 2xx lists the items TIDAL did not add in `meta.skipped`; the others are added.
        reason = _skipped(response, listing)
        if reason == "ALREADY_PRESENT":
            return SaveResult(verified=True, detail="already in the fan's collection")
        if reason == "NOT_FOUND":
            raise TemporaryError(
                f"TIDAL skipped the {listing.kind} as not found: it may still be indexing"
            )
        if reason is not None:
            raise PermanentError(f"TIDAL skipped the {listing.kind} ({reason})")
        return SaveResult(verified=True, detail="added to the fan's collection")


DUPLICATE = "DUPLICATE_ITEMS_IN_COLLECTION"


def _skipped(response: requests.Response, listing: Listing) -> str | None:
    """Why TIDAL skipped the listing's item, from `meta.skipped`; None if it was added.

    ⚠️ The spec names the reasons, not the entry's exact shape: an entry may be a resource
    identifier with a `reason`, or carry the identifier under `item`.
    """
    try:
        body = response.json()
    except ValueError:
        return None
    skipped = ((body or {}).get("meta") or {}).get("skipped") if isinstance(body, dict) else None
    for entry in skipped or []:
        if not isinstance(entry, dict):
            continue
        item = entry.get("item") if isinstance(entry.get("item"), dict) else entry
        if str(item.get("id")) == listing.platform_id:
            return str(entry.get("reason") or "skipped")
    return None


def _error_code(response: requests.Response) -> str | None:
    with contextlib.suppress(ValueError, AttributeError, IndexError):
        return (response.json().get("errors") or [{}])[0].get("code")
    return None


def _accept() -> dict:
    return {"Accept": JSON_API}


def _raise_for_error(response: requests.Response) -> None:
    if response.status_code < 400:
        return
    detail = ""
    with contextlib.suppress(ValueError, AttributeError, IndexError):
        detail = (response.json().get("errors") or [{}])[0].get("detail") or ""
    raise PermanentError(f"TIDAL refused the request ({response.status_code} {detail})".strip())
