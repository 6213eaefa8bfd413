"""A worker's presence in PostgreSQL, so a killed worker's claims are taken over in seconds.

A worker process holds one session advisory lock, keyed by its `token`, on a connection of
its own for as long as it lives, and every claim it makes carries that token (outbox.claim_due:
the claim's high bits). PostgreSQL lets go of the lock the moment the process dies: its
connection closes. So a claimed row whose holder's lock is free belongs to no living worker,
and another worker takes it over without waiting for its lease to run out.

Only a worker whose own presence has stood for SETTLE seconds takes over that way: after the
database was away every connection was dropped, and each worker's lock comes back within
POLL seconds; until then a free lock says nothing. A worker that finds its own presence gone
starts no new effect (outbox.Lease.ending): from then on its rows may be taken over. SQLite
has no advisory locks: there the lease alone decides, as it does for a process that never
took its lock (token 0).
"""

import logging
import secrets
import threading
import time

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

NAMESPACE = 0x44524F50  # the advisory locks' first key: "DROP"
SETTLE = 3.0  # seconds a worker's own presence stands before it takes over by a free lock
POLL = 1.0  # seconds between checks that the presence connection still holds the lock
TOKEN_BITS = 31  # a token fits the lock's second key (int4) and leaves 31 bits for claims


class Presence:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.token = 0
        self._since: float | None = None  # monotonic time the lock was last taken
        self._connection = None
        self._stop = threading.Event()

    def start(self) -> None:
        self._take()
        threading.Thread(target=self._watch, name="presence", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def alive(self) -> bool:
        return self._since is not None

    def settled(self) -> bool:
        since = self._since
        return since is not None and time.monotonic() - since >= SETTLE

    def _take(self) -> None:
        """Take the lock under this process's token (a new one if another process holds it)."""
        self._drop()
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            for _ in range(8):
                token = self.token or 1 + secrets.randbelow(2**TOKEN_BITS - 1)
                taken = connection.scalar(
                    text("SELECT pg_try_advisory_lock(:namespace, :token)"),
                    {"namespace": NAMESPACE, "token": token},
                )
                if taken:
                    self.token, self._connection = token, connection
                    self._since = time.monotonic()
                    return
                self.token = 0  # held by another process: draw again
        except BaseException:
            connection.close()
            raise
        connection.close()

    def _drop(self) -> None:
        self._since = None
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.invalidate()

    def _watch(self) -> None:
        while not self._stop.wait(POLL):
            try:
                if self._connection is None:
                    self._take()
                else:
                    self._connection.scalar(text("SELECT 1"))
            except DBAPIError as error:
                if self._since is not None:
                    log.warning("presence lost (its rows may be taken over): %s", error)
                self._drop()


_presence: Presence | None = None


def start(engine: Engine) -> None:
    """Hold this process's presence (PostgreSQL only); a worker calls it once at start."""
    global _presence
    if engine.dialect.name != "postgresql" or _presence is not None:
        return
    _presence = Presence(engine)
    try:
        _presence.start()
    except DBAPIError as error:  # the watcher keeps trying
        log.warning("presence not taken yet: %s", error)
        threading.Thread(target=_presence._watch, name="presence", daemon=True).start()


def token() -> int:
    """This process's token while its lock is held; 0 (the lease alone decides) otherwise."""
    return _presence.token if _presence is not None and _presence.alive() else 0


def settled() -> bool:
    return _presence is not None and _presence.settled()


def lost(claim: int) -> bool:
    """Whether the presence a claim was made under is gone (the claim's rows may be taken
    over now)."""
    holder = claim >> TOKEN_BITS
    return holder != 0 and holder != token()
