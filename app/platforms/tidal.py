"""TIDAL's developer API (JSON:API at openapi.tidal.com/v2) and its OAuth 2.1 login.

The catalog needs only an app token (client credentials, cached by Authlib until it expires).
Fans log in with the authorization code flow and PKCE (S256); the caller keeps the code
verifier between `begin_connect` and `finish_connect`.

A save adds the album to the fan's collection with an `Idempotency-Key` that is the same for
the same connection and album, so a job retried after a lost response replays TIDAL's first
answer instead of adding twice. A 409 ("already in the collection") counts as saved: the fan
wanted the album in their collection, and it is there.
"""

import contextlib
import hashlib
from collections.abc import Mapping

import requests
from authlib.common.errors import AuthlibBaseError
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
from app.platforms.http import DEFAULT_TIMEOUT, new_session, send
from app.platforms.oauth import OAuthClient, oauth_session

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

    def __init__(
        self,
        *,
        api_url: str,
        authorize_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        country: str = "US",
        timeout=DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ):
        self.api_url = api_url.rstrip("/")
        self.authorize_url = authorize_url
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.country = country
        self.timeout = timeout
        self.session = session or new_session()
        self._app = None

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

    def _app_session(self):
        if self._app is None:
            # Authlib fetches a new client-credentials token by itself once this one expires.
            self._app = oauth_session(
                self.session,
                self.timeout,
                token_endpoint=self.token_url,
                grant_type="client_credentials",
                **self.client_auth(),
            )
        return self._app

    def _catalog(self, path: str, params: dict) -> dict:
        app = self._app_session()
        url = f"{self.api_url}{path}"
        try:
            if not app.token:
                app.fetch_token(self.token_url, grant_type="client_credentials")
            response = send(app, "GET", url, params=params, headers=_accept(), timeout=self.timeout)
            if response.status_code == 401:
                # The app token was refused before its time: get a new one, once.
                app.fetch_token(self.token_url, grant_type="client_credentials")
                response = send(
                    app, "GET", url, params=params, headers=_accept(), timeout=self.timeout
                )
        except (AuthlibBaseError, requests.HTTPError) as exc:
            raise PermanentError("TIDAL refused Dropday's client credentials") from exc
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TemporaryError(f"could not reach TIDAL's token endpoint: {exc}") from exc
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
        if response.status_code == 409:
            return SaveResult(verified=True, detail="already in the fan's collection")
        _raise_for_error(response)
        # The add is synchronous: a 2xx means the item is in the collection.
        return SaveResult(verified=True, detail="added to the fan's collection")


def _accept() -> dict:
    return {"Accept": JSON_API}


def _raise_for_error(response: requests.Response) -> None:
    if response.status_code < 400:
        return
    detail = ""
    with contextlib.suppress(ValueError, AttributeError, IndexError):
        detail = (response.json().get("errors") or [{}])[0].get("detail") or ""
    raise PermanentError(f"TIDAL refused the request ({response.status_code} {detail})".strip())
