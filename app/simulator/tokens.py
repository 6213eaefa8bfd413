"""Tokens the simulated platforms issue: app tokens, listener access/refresh tokens, codes.

One authorization (a "grant") ties a listener's access and refresh tokens together, so
revoking a listener on a platform ends every token of theirs there, as on the real services.
Times come from the simulator's clock, so tests can make tokens expire by advancing it.
The store does not lock: the Simulator calls it under its lock.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

ACCESS_LIFETIME = 3600  # seconds; Spotify, Google and TIDAL all hand out one-hour tokens
CODE_LIFETIME = 600


class TokenProblem(Exception):
    """Why a token was refused: "invalid", "expired", "revoked" or "wrong_client"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Token:
    value: str
    platform: str
    kind: str  # "access" or "refresh"
    client_id: str
    listener: str | None  # None for an app (client-credentials) token
    scope: str
    grant: str
    expires_at: datetime | None
    revoked: bool = False


@dataclass
class Issued:
    access: Token
    refresh: Token | None
    expires_in: int


@dataclass
class AuthCode:
    """An authorization code, with what the token endpoint must check when it is redeemed."""

    value: str
    platform: str
    client_id: str
    listener: str
    redirect_uri: str
    scope: str
    expires_at: datetime
    extra: dict = field(default_factory=dict)  # e.g. code_challenge, code_challenge_method


class TokenStore:
    def __init__(self, now: Callable[[], datetime]):
        self._now = now
        self._tokens: dict[tuple[str, str], Token] = {}  # (platform, value)
        self._codes: dict[tuple[str, str], AuthCode] = {}
        self.lifetimes: dict[str, int] = {}  # platform -> access token seconds

    def clear(self) -> None:
        self._tokens.clear()
        self._codes.clear()
        self.lifetimes.clear()

    def issue(
        self,
        platform: str,
        client_id: str,
        *,
        listener: str | None = None,
        scope: str = "",
        refresh: bool = True,
        grant: str | None = None,
        refresh_lifetime: int | None = None,
        prefix: str = "",
    ) -> Issued:
        """New tokens; app tokens (no listener) never get a refresh token.

        `prefix` imitates a platform's token look (Google's start "ya29."); `refresh_lifetime`
        None means the refresh token lasts until revoked.
        """
        lifetime = self.lifetimes.get(platform, ACCESS_LIFETIME)
        now = self._now()
        grant = grant or secrets.token_hex(8)
        expires = now + timedelta(seconds=lifetime)
        access = self._add(prefix, platform, "access", client_id, listener, scope, grant, expires)
        refresh_token = None
        if refresh and listener is not None:
            expires = now + timedelta(seconds=refresh_lifetime) if refresh_lifetime else None
            refresh_token = self._add(
                prefix, platform, "refresh", client_id, listener, scope, grant, expires
            )
        return Issued(access, refresh_token, lifetime)

    def _add(self, prefix, platform, kind, client_id, listener, scope, grant, expires_at) -> Token:
        value = prefix + secrets.token_urlsafe(32)
        token = Token(value, platform, kind, client_id, listener, scope, grant, expires_at)
        self._tokens[(platform, token.value)] = token
        return token

    def find(self, platform: str, value: str | None) -> Token | None:
        """The token whatever its state (for the request log)."""
        return self._tokens.get((platform, value or ""))

    def check(self, platform: str, value: str | None, kind: str = "access") -> Token:
        """The token if it is usable now; else TokenProblem says why."""
        token = self._tokens.get((platform, value or ""))
        if token is None or token.kind != kind:
            raise TokenProblem("invalid")
        if token.revoked:
            raise TokenProblem("revoked")
        if token.expires_at is not None and token.expires_at <= self._now():
            raise TokenProblem("expired")
        return token

    def refresh(
        self, platform: str, client_id: str, value: str | None, *, rotate: bool = False
    ) -> Issued:
        """New access token for a refresh token; `rotate` also replaces the refresh token."""
        old = self.check(platform, value, kind="refresh")
        if old.client_id != client_id:
            raise TokenProblem("wrong_client")
        issued = self.issue(
            platform,
            client_id,
            listener=old.listener,
            scope=old.scope,
            grant=old.grant,
            refresh=rotate,
        )
        if rotate:
            old.revoked = True
            issued.refresh.expires_at = old.expires_at  # rotation does not extend the grant
        else:
            issued.refresh = old
        return issued

    def revoke_grant(self, platform: str, client_id: str | None, value: str | None) -> bool:
        """RFC 7009 as Google and TIDAL do it: a token (access or refresh) the client holds
        ends, with every token of its listener's grant. False for an unknown token."""
        token = self._tokens.get((platform, value or ""))
        if token is None or token.client_id != client_id or token.listener is None:
            return False
        self.revoke(platform, token.listener)
        return True

    def revoke(self, platform: str, listener: str | None) -> int:
        """End every token `listener` (None: the app itself) holds on `platform`; how many."""
        count = 0
        for token in self._tokens.values():
            if token.platform == platform and token.listener == listener and not token.revoked:
                token.revoked = True
                count += 1
        return count

    def expire(self, platform: str, listener: str | None = None) -> None:
        """Make access tokens expire now (refresh tokens stay valid): tests of refresh."""
        now = self._now()
        for token in self._tokens.values():
            mine = listener is None or token.listener == listener
            if token.platform == platform and token.kind == "access" and mine:
                token.expires_at = now

    def held_by(self, platform: str, listener: str | None) -> list[Token]:
        return [
            t for t in self._tokens.values() if t.platform == platform and t.listener == listener
        ]

    def issue_code(
        self,
        platform: str,
        client_id: str,
        listener: str,
        redirect_uri: str,
        scope: str,
        **extra,
    ) -> AuthCode:
        code = AuthCode(
            secrets.token_urlsafe(24),
            platform,
            client_id,
            listener,
            redirect_uri,
            scope,
            self._now() + timedelta(seconds=CODE_LIFETIME),
            extra,
        )
        self._codes[(platform, code.value)] = code
        return code

    def take_code(self, platform: str, value: str | None) -> AuthCode | None:
        """Redeem a code once; None if unknown, used or expired."""
        code = self._codes.pop((platform, value or ""), None)
        if code is None or code.expires_at <= self._now():
            return None
        return code
