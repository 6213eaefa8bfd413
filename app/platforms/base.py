"""The interface every platform client implements, and the three errors they raise.

A client implements only what its platform really offers: every client can `find_release`
(`PlatformClient`); direct-save platforms also connect a fan and `save` for them
(`DirectSaveClient`), all through one connect shape; one whose save can be accepted before it
shows in the library also looks again later (`VerifiableSaveClient`). Callers ask with
isinstance, so pages and jobs never branch on a platform's name.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, Self, runtime_checkable


class PlatformError(Exception):
    """Base of the three outcomes a caller must tell apart."""


class NotFound(PlatformError):
    """The platform answered: no such release (yet)."""


class TemporaryError(PlatformError):
    """Try again later: rate limits, quota, 5xx, timeouts. `retry_after` in seconds, if known."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(PlatformError):
    """Retrying will not help: revoked access, refused request. `reason` is shown to artists."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReleaseIdentity:
    """What Dropday knows about a release, resolved from the campaign's source."""

    title: str
    artists: tuple[str, ...]
    upc: str | None = None
    isrcs: tuple[str, ...] = ()
    spotify_id: str | None = None
    spotify_type: str | None = None  # "album" or "track"
    release_date: str | None = None

    @property
    def kind(self) -> str:
        """ "album" or "track": what a platform should list for this release.

        Spotify's type where the source gave one; otherwise a UPC names an album, and an
        identity with none came from an ISRC, which names a track. Every client applies this
        one rule, so the same campaign is an album (or a track) on every platform.
        """
        if self.spotify_type:
            return self.spotify_type
        return "album" if self.upc else "track"

    @property
    def spotify_url(self) -> str | None:
        if not self.spotify_id:
            return None
        return f"https://open.spotify.com/{self.spotify_type}/{self.spotify_id}"


@dataclass(frozen=True)
class Listing:
    """A release found on one platform: where fans go, and the id a save needs."""

    platform: str
    url: str
    platform_id: str
    kind: str  # "album" or "track"
    matched_by: str  # "source", "upc", "isrc", "search" or "odesli"
    extra: dict = field(default_factory=dict, compare=False)


@dataclass
class Tokens:
    """A fan's authorization on a platform; stored encrypted by the caller."""

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scope: str | None = None


@dataclass(frozen=True)
class SaveResult:
    """`verified` is False when the platform accepted the save but gave no proof of it."""

    verified: bool
    detail: str = ""


# Called with new tokens after a refresh, so the caller can store them before going on.
TokenSaver = Callable[[Tokens], None]


@dataclass(frozen=True)
class ConnectStart:
    """The first half of connecting a fan; the same shape for every direct-save platform.

    The caller keeps `state` (and `verifier`, a PKCE secret) server-side, bound to the fan's
    browser, until the answer comes back to the callback. Then either the browser is sent to
    `redirect_url` (OAuth), or a page script authorizes in the page with what `browser` holds
    (Apple's MusicKit JS: a developer token and the script's URL) and posts its answer to
    the same callback.
    """

    state: str
    redirect_url: str | None = None
    browser: dict | None = None
    verifier: str | None = None


@dataclass(frozen=True)
class Connected:
    """A fan's finished connection: their tokens, and the platform's id for the account
    (so the same account connecting twice is recognized)."""

    tokens: Tokens
    account_id: str


@runtime_checkable
class PlatformClient(Protocol):
    key: str

    @classmethod
    def from_config(cls, config: Mapping) -> Self:
        """The client for the app's config (base URLs, credentials, timeouts)."""

    def find_release(self, identity: ReleaseIdentity) -> Listing | None:
        """The release on this platform, None when it is not there (yet)."""


@runtime_checkable
class DirectSaveClient(PlatformClient, Protocol):
    def begin_connect(self, redirect_uri: str, state: str) -> ConnectStart:
        """Start connecting a fan whose answer will come back to `redirect_uri`."""

    def finish_connect(
        self, redirect_uri: str, answer: Mapping[str, str], verifier: str | None = None
    ) -> Connected:
        """Finish with what came back to the callback (OAuth's query, or the form a page
        script posted). The caller has already checked `state`. A fan who said no, or an
        answer the platform refuses, is `PermanentError`."""

    def save(
        self,
        tokens: Tokens,
        listing: Listing,
        on_refresh: TokenSaver,
        *,
        connection_id: str | None = None,
    ) -> SaveResult:
        """Save `listing` for the fan; `on_refresh` gets new tokens before the save goes on."""

    def check(self, tokens: Tokens, on_refresh: TokenSaver) -> None:
        """Is the fan's access still good? Renewed where the platform allows (`on_refresh`
        gets the new tokens), else verified with a cheap call. PermanentError when only the
        fan can fix it by connecting again; TemporaryError when the platform cannot say now."""


@runtime_checkable
class RevocableClient(DirectSaveClient, Protocol):
    def revoke(self, tokens: Tokens) -> None:
        """Withdraw the fan's grant at the platform (its token revocation endpoint)."""


@runtime_checkable
class VerifiableSaveClient(DirectSaveClient, Protocol):
    def verify(self, tokens: Tokens, listing: Listing) -> bool:
        """Is `listing` in the fan's library now? (TemporaryError if the platform cannot say.)"""
