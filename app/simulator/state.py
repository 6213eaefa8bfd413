"""The Simulator: all simulated platform state for one app, and the scenario API tests use.

One instance lives at `app.extensions["simulator"]`. The simulated APIs run in the server's
threads while a test drives the scenario from its own, so every method takes one lock.

    sim = app.extensions["simulator"]
    sim.add_release("single", title="Night Drive", artists=["Ada"], upc="190000000015",
                    tracks=[("USUM71703870", "Night Drive")], live={"spotify": True})
    sim.go_live("single", "deezer", at=sim.now() + timedelta(hours=2))
    sim.add_listener("ada")
    sim.fail("spotify", "rate_limit", times=2, retry_after=7)
    sim.requests(platform="spotify")  # what Dropday called, in order
"""

import hmac
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from app.simulator import demo
from app.simulator.catalog import PLATFORMS, Catalog, Release, Track
from app.simulator.faults import GENERIC, Fault, Faults
from app.simulator.listeners import Listener
from app.simulator.log import LoggedRequest, RequestLog
from app.simulator.tokens import Issued, Token, TokenStore

# How long a "slow" fault sleeps unless told otherwise: beyond the clients' 10 s read timeout.
SLOW_SECONDS = 15.0


class Simulator:
    def __init__(
        self,
        clients: dict[str, dict[str, str]] | None = None,
        *,
        redirect_uris: Callable[[], dict[str, set[str]]] | None = None,
        seed: int = 0,
        slow_seconds: float = SLOW_SECONDS,
        populate: bool = True,
    ):
        """`clients`: platform -> {client_id: secret} the simulated services accept;
        `redirect_uris()`: platform -> the redirect URIs registered for Dropday's app there,
        asked at each check, so they follow the app's PUBLIC_URL."""
        self.lock = threading.RLock()
        self.clients = {platform: dict(ids) for platform, ids in (clients or {}).items()}
        self._registered = redirect_uris or dict
        self._redirect_overrides: dict[str, set[str]] = {}
        self.slow_seconds = slow_seconds
        self._populate = populate
        self._frozen: datetime | None = None
        self._offset = timedelta(0)
        self.catalog = Catalog()
        self.tokens = TokenStore(self.now)
        self.faults = Faults(seed)
        self.log = RequestLog()
        self.listeners: dict[str, Listener] = {}
        self._scratch: dict[str, dict] = {}
        # Platforms' published rate limits (Odesli 10/min, Deezer 50/5 s); tests may turn off.
        self.natural_limits = True
        self._calls: dict[tuple[str, str], deque[datetime]] = {}
        if populate:
            demo.populate(self)

    # -- clock -----------------------------------------------------------------------------

    def now(self) -> datetime:
        with self.lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.now(UTC) + self._offset

    @property
    def frozen(self) -> bool:
        with self.lock:
            return self._frozen is not None

    def set_clock(self, moment: datetime | None) -> None:
        """Freeze the clock at `moment` (aware); None returns to real time."""
        with self.lock:
            self._frozen = moment.astimezone(UTC) if moment else None
            self._offset = timedelta(0)

    def advance(self, seconds: float = 0, **delta) -> datetime:
        """Move the clock forward, e.g. `advance(hours=2)`; returns the new now."""
        step = timedelta(seconds=seconds, **delta)
        with self.lock:
            if self._frozen is not None:
                self._frozen += step
            else:
                self._offset += step
            return self.now()

    def reset(self) -> None:
        """Back to the start: default catalog, no listeners, tokens, faults or log; real time."""
        with self.lock:
            self._frozen, self._offset = None, timedelta(0)
            self.catalog = Catalog()
            self.tokens.clear()
            self.faults.clear()
            self.log.clear()
            self.listeners.clear()
            self._scratch.clear()
            self._calls.clear()
            self.natural_limits = True
            self._redirect_overrides.clear()
            if self._populate:
                demo.populate(self)

    # -- catalog ---------------------------------------------------------------------------

    def add_release(
        self,
        key: str,
        *,
        title: str,
        artists: list[str] | tuple[str, ...],
        upc: str,
        tracks: list[tuple[str, str]],
        spotify_id: str | None = None,
        album_type: str = "album",
        release_date: date | None = None,
        live: dict[str, datetime | bool | None] | None = None,
        listed_upc: dict[str, str] | None = None,
        ids: dict[str, str] | None = None,
    ) -> Release:
        """Add a release; `tracks` are (ISRC, title) pairs. `live` maps platform to a moment,
        True (live now) or None (not live); platforms left out are not live."""
        release = Release(
            key=key,
            title=title,
            artists=tuple(artists),
            upc=upc,
            tracks=[Track(isrc.upper(), name, n) for n, (isrc, name) in enumerate(tracks, 1)],
            album_type=album_type,
            release_date=release_date,
            ids=dict(ids or {}),
            listed_upc=dict(listed_upc or {}),
        )
        if spotify_id:
            release.ids["spotify"] = spotify_id
        with self.lock:
            self.catalog.add(release)
            for platform, at in (live or {}).items():
                self._set_live(release, platform, at)
        return release

    def release(self, key: str | Release) -> Release:
        with self.lock:
            return self.catalog.get(key if isinstance(key, str) else key.key)

    def go_live(
        self, release: str | Release, platform: str | None = None, at: datetime | None = None
    ) -> None:
        """Make the release live on `platform` (None: everywhere) from `at` (default now)."""
        with self.lock:
            release = self.release(release)
            for key in [platform] if platform else PLATFORMS:
                self._set_live(release, key, at or True)

    def take_down(self, release: str | Release, platform: str | None = None) -> None:
        """Not live on `platform` (None: anywhere): the platform no longer knows it."""
        with self.lock:
            release = self.release(release)
            for key in [platform] if platform else PLATFORMS:
                release.live_at[key] = None

    def _set_live(self, release: Release, platform: str, at: datetime | bool | None) -> None:
        if platform not in PLATFORMS:
            raise KeyError(f"unknown platform {platform!r}")
        if at is True:
            at = self.now()
        release.live_at[platform] = at or None

    def is_live(self, release: str | Release, platform: str) -> bool:
        with self.lock:
            return self.release(release).is_live(platform, self.now())

    # -- listeners -------------------------------------------------------------------------

    def add_listener(
        self,
        key: str,
        *,
        name: str | None = None,
        email: str | None = None,
        country: str = "US",
        consents: bool = True,
    ) -> Listener:
        listener = Listener(
            key, name or key.title(), email or f"{key}@listeners.test", country, consents
        )
        with self.lock:
            self.listeners[key] = listener
        return listener

    def listener(self, key: str | Listener) -> Listener:
        with self.lock:
            return self.listeners[key if isinstance(key, str) else key.key]

    def save(self, listener: str | Listener, platform: str, collection: str, item_id: str) -> bool:
        """Record a save in the listener's library (for the platform endpoints)."""
        with self.lock:
            return self.listener(listener).save(platform, collection, item_id)

    def library(self, listener: str | Listener, platform: str) -> dict[str, list[str]]:
        """A copy of what the listener saved on `platform`: collection -> item ids, in order."""
        with self.lock:
            return self.listener(listener).library(platform)

    def scratch(self, platform: str) -> dict:
        """State one platform's endpoints keep beyond the shared core (YouTube's quota used,
        TIDAL's idempotent replays, Apple's delayed library adds); emptied by `reset`."""
        with self.lock:
            return self._scratch.setdefault(platform, {})

    def set_daily_quota(self, platform: str, units: int) -> None:
        """The daily quota of `platform`'s API (YouTube: 10,000 units by default)."""
        with self.lock:
            self.scratch(platform)["quota"] = units

    def daily_quota(self, platform: str, default: int) -> int:
        with self.lock:
            return self.scratch(platform).get("quota", default)

    # -- credentials and tokens -------------------------------------------------------------

    def set_redirect_uris(self, platform: str, *uris: str) -> None:
        """Register exactly these redirect URIs for Dropday's app on `platform` (until reset)."""
        with self.lock:
            self._redirect_overrides[platform] = set(uris)

    def redirect_uri_registered(self, platform: str, uri: str | None) -> bool:
        """Authorization servers redirect only to registered URIs, compared exactly
        (RFC 6749 §3.1.2.2)."""
        with self.lock:
            if platform in self._redirect_overrides:
                registered = self._redirect_overrides[platform]
            else:
                registered = self._registered().get(platform, set())
            return uri is not None and uri in registered

    def check_client(self, platform: str, client_id: str | None, secret: str | None) -> bool:
        """Are these the app credentials the simulated `platform` knows? (secret None: id only)"""
        with self.lock:
            known = self.clients.get(platform, {})
            if client_id not in known:
                return False
            return secret is None or hmac.compare_digest(known[client_id].encode(), secret.encode())

    def issue_tokens(self, platform: str, client_id: str, **options) -> Issued:
        with self.lock:
            return self.tokens.issue(platform, client_id, **options)

    def check_token(self, platform: str, value: str | None, kind: str = "access") -> Token:
        """The token, or TokenProblem("invalid" | "expired" | "revoked")."""
        with self.lock:
            return self.tokens.check(platform, value, kind)

    def token_info(self, platform: str, value: str | None) -> Token | None:
        """A token as issued, valid or not (None if never issued)."""
        with self.lock:
            return self.tokens.find(platform, value)

    def revoke(self, listener: str | Listener, platform: str) -> int:
        """The listener withdraws the app's access on `platform`: all their tokens stop working."""
        with self.lock:
            return self.tokens.revoke(platform, self.listener(listener).key)

    def revoke_holder(self, token: Token) -> int:
        """Whoever holds `token` (a listener, or the app) loses every token on its platform."""
        with self.lock:
            return self.tokens.revoke(token.platform, token.listener)

    def revoke_app_tokens(self, platform: str) -> int:
        """Dropday's own app (client-credentials) tokens on `platform` stop working."""
        with self.lock:
            return self.tokens.revoke(platform, None)

    def expire_tokens(self, platform: str, listener: str | Listener | None = None) -> None:
        """Access tokens on `platform` (of one listener, or all) expire now."""
        with self.lock:
            key = None if listener is None else self.listener(listener).key
            self.tokens.expire(platform, key)

    def set_token_lifetime(self, platform: str, seconds: int) -> None:
        with self.lock:
            self.tokens.lifetimes[platform] = seconds

    # -- faults ----------------------------------------------------------------------------

    def fail(
        self,
        platform: str,
        kind: str,
        *,
        times: int | None = 1,
        rate: float | None = None,
        until: datetime | None = None,
        retry_after: int | None = 30,
        status: int | None = None,
        delay: float | None = None,
        path: str | None = None,
        method: str | None = None,
        body: str | dict | list | None = None,
    ) -> Fault:
        """Misbehave on `platform`: the next `times` calls, or each call with probability `rate`
        (seeded), optionally only until `until` and only for paths starting with `path`.
        With `rate` and no explicit `times`, there is no count limit. `status` and `body` make
        the answer exactly that; `delay` waits that many seconds first."""
        if rate is not None and times == 1:
            times = None
        fault = Fault(
            platform,
            kind,
            times=times,
            rate=rate,
            until=until,
            retry_after=retry_after,
            status=status,
            delay=delay,
            body=body,
            path=path,
            method=method,
        )
        with self.lock:
            return self.faults.add(fault)

    def hit_rate_limit(self, platform: str, bucket: str, limit: int, window: float) -> bool:
        """For endpoints imitating a published limit: is this call one too many within
        `window` seconds for `bucket` (an IP, a key)? Refused calls are not counted."""
        with self.lock:
            if not self.natural_limits:
                return False
            now = self.now()
            calls = self._calls.setdefault((platform, bucket), deque())
            while calls and (now - calls[0]).total_seconds() >= window:
                calls.popleft()
            if len(calls) >= limit:
                return True
            calls.append(now)
            return False

    def clear_faults(self, platform: str | None = None) -> None:
        with self.lock:
            self.faults.clear(platform)

    def draw_fault(self, platform: str, path: str, method: str, kinds=GENERIC) -> Fault | None:
        with self.lock:
            return self.faults.draw(platform, path, method, self.now(), kinds)

    def take_fault(self, platform: str, kind: str, path: str = "", method: str = "GET"):
        """For endpoints with their own fault kinds: the fault if one fires for this call."""
        return self.draw_fault(platform, path, method, kinds=frozenset({kind}))

    # -- request log -----------------------------------------------------------------------

    def record(self, entry: LoggedRequest) -> None:
        with self.lock:
            self.log.add(entry)

    def requests(
        self, platform: str | None = None, path: str | None = None, method: str | None = None
    ) -> list[LoggedRequest]:
        """Calls received, oldest first; `path` matches the start of the platform path."""
        with self.lock:
            return self.log.select(platform, path, method)

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()
