"""Apple Music API: catalog lookups with a developer token, library adds with a Music User Token.

The developer token is an ES256 JWT Dropday signs itself (team id, key id, private key from
config). Fans authorize in the browser with MusicKit JS, which hands back a Music User Token;
Apple offers no refresh for it, so when Apple stops accepting it (403) only the fan can fix
that by connecting again.

A library add answers 202 with no body even for ids it silently ignores, and items may show
up later, so a save is only `verified` once the album is seen in the fan's library: `save`
looks once, right away; if it is not there yet, the caller asks `verify` later (release day
makes that a later step of the delivery: nothing waits inside a job).
"""

import hashlib
import time
from collections.abc import Mapping

import requests
from joserfc import jwt
from joserfc.jwk import ECKey

from app.platforms import settings
from app.platforms.base import (
    Connected,
    ConnectStart,
    Listing,
    NotFound,
    PermanentError,
    ReleaseIdentity,
    SaveResult,
    TemporaryError,
    Tokens,
    TokenSaver,
)
from app.platforms.http import HttpClient, send
from app.platforms.oauth import REFUSED, REVOKED

# Apple allows up to 15777000 s (6 months). A day is plenty for a token that is re-signed
# on demand, and limits what a copy lifted from a fan page is worth.
TOKEN_LIFETIME = 24 * 3600
# Re-sign this long before expiry so a token never expires in flight (or in an open page).
TOKEN_RENEW_BEFORE = 3600
APP_NAME = "Dropday"


class AppleMusicClient(HttpClient):
    key = "apple_music"

    def __init__(
        self,
        *,
        api_url: str,
        team_id: str,
        key_id: str,
        private_key: str,
        storefront: str = "us",
        musickit_js_url: str,
        origin: str | None = None,
        **common,
    ):
        super().__init__(api_url=api_url, **common)
        self.team_id = team_id
        self.key_id = key_id
        self.private_key = private_key
        self.storefront = storefront
        self.musickit_js_url = musickit_js_url
        self.origin = origin
        self._tokens: dict[bool, tuple[str, int]] = {}

    @classmethod
    def from_config(cls, config: Mapping) -> "AppleMusicClient":
        return cls(
            api_url=settings.url(config, "APPLE_API_URL"),
            team_id=config.get("APPLE_TEAM_ID"),
            key_id=config.get("APPLE_KEY_ID"),
            # A PEM pasted into one environment variable often arrives with literal "\n"s.
            private_key=(config.get("APPLE_PRIVATE_KEY") or "").replace("\\n", "\n"),
            storefront=config.get("APPLE_STOREFRONT") or "us",
            musickit_js_url=settings.url(config, "APPLE_MUSICKIT_JS_URL"),
            origin=config.get("PUBLIC_URL"),
            timeout=settings.timeout(config),
        )

    # -- developer token ----------------------------------------------------------------

    def developer_token(self, for_browser: bool = False) -> str:
        """A cached ES256 JWT, re-signed when less than TOKEN_RENEW_BEFORE is left.

        The browser copy carries the `origin` claim Apple recommends for web use, so it only
        works from Dropday's own pages. ⚠️ Whether Apple checks `origin` on server requests
        (which send no Origin header) is not documented, so server calls use a copy without it.
        """
        now = int(time.time())
        cached = self._tokens.get(for_browser)
        if cached and cached[1] - now > TOKEN_RENEW_BEFORE:
            return cached[0]
        claims = {"iss": self.team_id, "iat": now, "exp": now + TOKEN_LIFETIME}
        if for_browser and self.origin:
            claims["origin"] = [self.origin]
        try:
            key = ECKey.import_key(self.private_key)
        except ValueError as exc:
            raise PermanentError("APPLE_PRIVATE_KEY is not a valid EC private key") from exc
        token = jwt.encode({"alg": "ES256", "kid": self.key_id}, claims, key)
        self._tokens[for_browser] = (token, claims["exp"])
        return token

    def _headers(self, music_user_token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.developer_token()}"}
        if music_user_token:
            headers["Music-User-Token"] = music_user_token
        return headers

    def _get(self, path: str, music_user_token: str | None = None, **params):
        response = send(
            self.session,
            "GET",
            f"{self.api_url}{path}",
            params=params,
            headers=self._headers(music_user_token),
            timeout=self.timeout,
        )
        self._raise_for_error(response)
        return response

    def _raise_for_error(self, response: requests.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        if status == 401:
            # Our signing setup is wrong (or, on personal endpoints, the fan has no Apple
            # Music subscription): nothing a retry fixes.
            raise PermanentError("Apple Music refused the developer token (401)")
        if status == 403:
            raise PermanentError(REVOKED)
        if status == 404:
            raise NotFound("Apple Music has no such item")
        raise PermanentError(f"Apple Music refused the request ({status} {_error_code(response)})")

    # -- finding the release ------------------------------------------------------------

    def find_release(self, identity: ReleaseIdentity) -> Listing | None:
        """By UPC, then by each ISRC. An empty answer is how Apple says "not (yet) here"."""
        catalog = f"/catalog/{self.storefront}"
        if identity.upc:
            albums = self._get(f"{catalog}/albums", **{"filter[upc]": identity.upc}).json()
            if albums.get("data"):
                return self._listing(albums["data"][0], "album", "upc")
        for isrc in identity.isrcs:
            params = {"filter[isrc]": isrc, "include": "albums"}
            songs = self._get(f"{catalog}/songs", **params).json().get("data") or []
            if not songs:
                continue
            album = _first_album(songs[0])
            if album and identity.kind == "album":
                return self._listing(album, "album", "isrc")
            return self._listing(songs[0], "track", "isrc")
        return None

    def _listing(self, resource: dict, kind: str, matched_by: str) -> Listing:
        url = (resource.get("attributes") or {}).get("url") or (
            f"https://music.apple.com/{self.storefront}/{kind if kind == 'album' else 'song'}"
            f"/{resource['id']}"
        )
        return Listing(self.key, url, resource["id"], kind, matched_by)

    # -- connecting a fan ---------------------------------------------------------------

    def begin_connect(self, redirect_uri: str, state: str) -> ConnectStart:
        """MusicKit JS authorizes in the fan's browser: the page needs a developer token and
        the script, and posts the Music User Token it gets (field `music_user_token`, with
        `state`) to `redirect_uri`."""
        return ConnectStart(
            state=state,
            browser={
                "developer_token": self.developer_token(for_browser=True),
                "script_url": self.musickit_js_url,
                "app_name": APP_NAME,
                "storefront": self.storefront,
            },
        )

    def finish_connect(
        self, redirect_uri: str, answer: Mapping[str, str], verifier: str | None = None
    ) -> Connected:
        """Check the token MusicKit handed the page before keeping it for release day.

        Apple names no account, and a Music User Token stays the same while it is valid
        (`authorize()` hands back the one it has), so its digest stands for the account.
        """
        music_user_token = (answer.get("music_user_token") or "").strip()
        if not music_user_token or answer.get("error"):
            raise PermanentError(REFUSED)
        response = send(
            self.session,
            "GET",
            f"{self.api_url}/me/storefront",
            headers=self._headers(music_user_token),
            timeout=self.timeout,
        )
        if response.status_code == 403:
            raise PermanentError(REFUSED)
        self._raise_for_error(response)
        # No refresh token and no documented lifetime (⚠️ reportedly about 6 months).
        account = hashlib.sha256(music_user_token.encode()).hexdigest()
        return Connected(Tokens(access_token=music_user_token), account)

    # -- saving -------------------------------------------------------------------------

    def save(
        self,
        tokens: Tokens,
        listing: Listing,
        on_refresh: TokenSaver,
        *,
        connection_id: str | None = None,
    ) -> SaveResult:
        """Add to the library, then look for it there. `on_refresh` is never called: a
        Music User Token cannot be refreshed. Adding twice is harmless, so `connection_id`
        (for platforms that deduplicate by key) is not needed."""
        kind = "albums" if listing.kind == "album" else "songs"
        response = send(
            self.session,
            "POST",
            f"{self.api_url}/me/library",
            params={f"ids[{kind}]": listing.platform_id},
            headers=self._headers(tokens.access_token),
            timeout=self.timeout,
        )
        if response.status_code == 404:
            raise PermanentError("Apple Music has no such item")
        self._raise_for_error(response)
        try:
            if self.verify(tokens, listing):
                return SaveResult(verified=True, detail="found in the fan's library")
        except TemporaryError:
            pass  # the add was accepted; a busy library read only means we cannot prove it yet
        return SaveResult(
            verified=False,
            detail=f"Apple accepted the add ({response.status_code}) but it is not in the "
            "fan's library yet",
        )

    def check(self, tokens: Tokens, on_refresh: TokenSaver) -> None:
        """Music User Tokens cannot be renewed by us: the fan's storefront is the cheapest
        call that proves one still works (403 once it is revoked or expired)."""
        self._get("/me/storefront", music_user_token=tokens.access_token)

    def verify(self, tokens: Tokens, listing: Listing) -> bool:
        """Is `listing` in the fan's library now? (TemporaryError if Apple cannot say.)"""
        kind = "albums" if listing.kind == "album" else "songs"
        return self._in_library(tokens.access_token, kind, listing.platform_id)

    def _in_library(self, music_user_token: str, kind: str, item_id: str) -> bool:
        """`relate=library` on the catalog item names its library copy if the fan has one.

        Chosen over paging through `/v1/me/library/albums?include=catalog`, which lists the
        whole library (and lists an album when a single one of its songs was added).
        """
        try:
            body = self._get(
                f"/catalog/{self.storefront}/{kind}/{item_id}", music_user_token, relate="library"
            ).json()
        except NotFound:
            return False  # not in this storefront's catalog, so Apple ignored the add
        for resource in body.get("data", []):
            library = (resource.get("relationships") or {}).get("library") or {}
            if library.get("data"):
                return True
        return False


def _first_album(song: dict) -> dict | None:
    albums = ((song.get("relationships") or {}).get("albums") or {}).get("data") or []
    return albums[0] if albums else None


def _error_code(response: requests.Response) -> str:
    try:
        errors = response.json().get("errors") or [{}]
        return str(errors[0].get("code") or errors[0].get("title") or "")
    except (ValueError, AttributeError):
        return ""
