"""Fault injection: make a simulated platform misbehave for the next N calls or at a rate.

The generic kinds are applied before the endpoint runs (see routing.sim_route); each platform
answers them in its own shape (Spotify's 429 with Retry-After, Deezer's error inside a 200, ...):

- "rate_limit":   the platform's rate-limit answer, with `retry_after` seconds where it sends one
- "server_error": a 5xx (`status`, default 503)
- "slow":         sleep `delay` seconds, then answer normally (beyond the client's timeout)
- "quota":        the platform's quota-exhausted answer (Spotify 429 QUOTA_EXCEEDED,
                  YouTube 403 quotaExceeded, Deezer code 4)

Any fault may also carry an exact `status` and `body` (a dict is sent as JSON), which are
answered instead of the platform's usual answer for its kind, and a `delay` in seconds to
wait before answering (the "slow" kind's only effect).

Platforms that issue tokens (Spotify, Apple Music, TIDAL, YouTube) also take "revoked": the
call's token holder (a listener, or Dropday's app) loses every token on that platform just
before the endpoint runs, so the endpoint itself answers as the real API does for revoked
access, and a refresh fails too. It only fires, and only counts down, on calls that present
a token the platform issued.

Endpoints may also look for their own kinds with `Simulator.take_fault` (e.g. Spotify's
"null_items" search quirk); anything not generic is left for them.
"""

import random
from dataclasses import dataclass
from datetime import datetime

GENERIC = frozenset({"rate_limit", "server_error", "slow", "quota"})
REVOKED = "revoked"


@dataclass
class Fault:
    platform: str
    kind: str
    times: int | None = 1  # None: no count limit (then `rate` or `until` bound it)
    rate: float | None = None  # probability per matching call, from the seeded RNG
    until: datetime | None = None  # stop after this moment (simulator clock)
    retry_after: int | None = 30
    status: int | None = None
    delay: float | None = None  # seconds to wait first; "slow" without one: the default
    body: str | dict | list | None = None  # answer exactly this, with `status`
    path: str | None = None  # only calls whose platform path starts with this
    method: str | None = None

    def applies(self, path: str, method: str, now: datetime) -> bool:
        if self.until is not None and now >= self.until:
            return False
        if self.path and not path.startswith(self.path):
            return False
        return not self.method or self.method.upper() == method.upper()

    @property
    def spent(self) -> bool:
        return self.times is not None and self.times <= 0


class Faults:
    """The active faults, in the order they were added. The Simulator locks around calls."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        self.rng = random.Random(seed)
        self.active: list[Fault] = []

    def clear(self, platform: str | None = None) -> None:
        self.active = [f for f in self.active if platform is not None and f.platform != platform]
        if platform is None:
            self.rng = random.Random(self.seed)

    def add(self, fault: Fault) -> Fault:
        self.active.append(fault)
        return fault

    def draw(
        self, platform: str, path: str, method: str, now: datetime, kinds=GENERIC
    ) -> Fault | None:
        """The first matching fault that fires for this call, counting it down."""
        for fault in list(self.active):
            if fault.platform != platform or fault.kind not in kinds:
                continue
            if fault.until is not None and now >= fault.until:
                self.active.remove(fault)
                continue
            if not fault.applies(path, method, now):
                continue
            if fault.rate is not None and self.rng.random() >= fault.rate:
                continue
            if fault.times is not None:
                fault.times -= 1
                if fault.spent:
                    self.active.remove(fault)
            return fault
        return None
