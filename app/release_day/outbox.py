"""The outbox contract: claim due deliveries with a lease, keep the lease alive while
working, record each outcome against the claim, retry temporary failures with backoff, run
effects in parallel, and stop early when the worker is asked to.

Every release-day effect (a save, an email, a push) goes through here. A claim marks rows
"running" with its own token (`claim`) until its lease ends; a heartbeat (`kept_alive`
calling `renew`) moves the lease on while the job works, so the lease can be short: a
worker that dies stops renewing, and its rows are claimed again within LEASE. An outcome
is written only while the claim still holds the row, so a slow worker whose lease ran out
cannot overwrite a newer claim's work. A row taken over after its lease ran out is marked
`unconfirmed`: whether its effect happened before the worker died is unknown (the one
repeat window, see mail.py).

STOPPING is the worker's stop flag (set on SIGTERM, jobs.AppWorker): batches stop starting
effects, finish and record those in flight, and hand the rest back at once.

A temporary failure (429 honouring Retry-After, 5xx, timeout, quota, TIDAL still indexing)
retries with growing backoff for at least RETRY_WINDOW after the row first became due, then
fails with the last reason. Every final failure goes through `failed`: a fan's save, email or
push that failed is reported to the workspace's webhooks (`delivery.failed`) in the same
transaction as the failure, so exactly once.
"""

import contextlib
import functools
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from datetime import datetime, timedelta

from flask import current_app, g
from sqlalchemy import bindparam, literal_column, or_, select, text, update
from sqlalchemy.engine import Connection as DatabaseConnection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.sql import Executable

from app import clock
from app.extensions import db
from app.models import Delivery
from app.models.release_day import DELIVERY_KINDS
from app.release_day import presence, webhook_events

log = logging.getLogger(__name__)

# How long a claimed batch belongs to its worker without a heartbeat: a dead worker's rows
# are taken over this long after its last one.
LEASE = timedelta(seconds=15)
HEARTBEAT = 5  # real seconds between renewals: three chances inside one LEASE
RETRY_WINDOW = timedelta(hours=12)
FIRST_BACKOFF = 60  # seconds; doubles per attempt
MAX_BACKOFF = 20 * 60  # some 36 tries in a 12 h window
DATABASE_PATIENCE = 30  # seconds an outcome waits for the database to come back
PARALLEL = 8  # effects of one batch in flight at once (see in_parallel)
# Set when the worker is asked to stop (SIGTERM): no new effect starts after it.
STOPPING = threading.Event()


class Lease:
    """The rows one claim took, its token, and until when it holds them (moved on by the
    heartbeat)."""

    def __init__(self, ids: list[int], claim: int, until: datetime):
        self.ids = ids
        self.claim = claim
        self.until = until

    def ending(self, margin: timedelta = timedelta(seconds=5)) -> bool:
        """Start no new effect: the worker is stopping, or the lease is about to run out
        (its heartbeat could not renew it)."""
        if STOPPING.is_set() or presence.lost(self.claim):
            return True
        return clock.now() >= self.until - margin


# -- claiming, keeping and handing back --------------------------------------------------------


# The tokens of the workers alive now, in this database (app/release_day/presence.py).
_LIVE = (
    select(literal_column("objid::bigint"))
    .select_from(text("pg_locks"))
    .where(
        text(
            "locktype = 'advisory' AND classid = CAST(:presence_lock AS oid) AND objsubid = 2"
            " AND granted AND database = (SELECT oid FROM pg_database"
            " WHERE datname = current_database())"
        ).bindparams(presence_lock=presence.NAMESPACE)
    )
)


def claim_due(kind: str, limit: int, lease: timedelta = LEASE) -> Lease:
    """Claim up to `limit` deliveries of `kind` for this worker, oldest first; committed.
    Due rows, and running rows whose worker died: their lease ran out, or (PostgreSQL) the
    worker that claimed them holds its presence lock no more (presence.py). Those are
    marked `unconfirmed`.

    PostgreSQL: `FOR UPDATE SKIP LOCKED` in the subquery, so workers claiming at the same
    moment take disjoint rows without waiting for each other. SQLite has a single writer:
    the one UPDATE statement runs under the database's write lock, so the subquery and the
    update see the same rows and two claims can never take the same one.
    """
    now = clock.now()
    until = now + lease
    bits = presence.TOKEN_BITS
    claim = presence.token() << bits | secrets.randbits(bits)
    taken_over = [(Delivery.state == "running") & (Delivery.lease_until < now)]
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql and presence.settled():
        holder = Delivery.claim.op(">>")(literal_column(str(bits)))
        taken_over.append((Delivery.state == "running") & (holder != 0) & holder.not_in(_LIVE))
    claimable = or_((Delivery.state == "due") & (Delivery.next_attempt_at <= now), *taken_over)
    due = (
        select(Delivery.id)
        .where(Delivery.kind == kind, claimable)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if postgresql:
        # In a materialized CTE: inside `IN (...)` PostgreSQL may rescan a LIMIT ... SKIP
        # LOCKED subquery and so take more than `limit` rows.
        due = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        chosen = Delivery.id == due.c.id
    else:
        chosen = Delivery.id.in_(due.scalar_subquery())
    ids = db.session.scalars(
        update(Delivery)
        .where(chosen, claimable)
        .values(
            state="running",
            claim=claim,
            lease_until=until,
            unconfirmed=Delivery.unconfirmed | (Delivery.state == "running"),
            attempts=Delivery.attempts + 1,
            updated_at=now,
        )
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return Lease(sorted(ids), claim, until)


def renew(lease: Lease, lease_for: timedelta = LEASE) -> int:
    """The heartbeat: move the claim's lease on, for the rows it still holds."""
    until = clock.now() + lease_for
    rows = (
        _outcomes()
        .execute(
            update(Delivery)
            .where(Delivery.claim == lease.claim, Delivery.state == "running")
            .values(lease_until=until)
        )
        .rowcount
    )
    lease.until = until
    return rows


@contextlib.contextmanager
def kept_alive(renew: Callable[[], object], every: float = HEARTBEAT):
    """Call `renew` (a lease's renewal) every `every` seconds while the block runs, in a
    thread with its own app context and connection. A renewal that fails (database away)
    is logged and tried again; if none succeeds before a delivery lease ends,
    `Lease.ending` stops the batch."""
    app = current_app._get_current_object()
    finished = threading.Event()

    def beat():
        with app.app_context():
            try:
                while not finished.wait(every):
                    try:
                        renew()
                    except DBAPIError as error:
                        log.warning("lease not renewed (will try again): %s", error)
                        db.session.rollback()
                        close_outcomes()
            finally:
                close_outcomes()

    heart = threading.Thread(target=beat, name="heartbeat", daemon=True)
    heart.start()
    try:
        yield
    finally:
        finished.set()
        heart.join()


def hand_back(lease: Lease, ids) -> int:
    """Give claimed rows back untouched (a batch cut short): due again at once."""
    ids = list(ids)
    if not ids:
        return 0
    try:
        result = db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.state == "running", Delivery.claim == lease.claim)
            .values(state="due", claim=None, lease_until=None, attempts=Delivery.attempts - 1)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except DBAPIError as error:  # the database is away: the rows come back with the lease
        db.session.rollback()
        log.warning("%d deliveries not handed back, left to their lease: %s", len(ids), error)
        return 0
    return result.rowcount


def revive_expired_leases(now: datetime) -> int:
    """Rows whose lease ran out (their worker died, or their job was lost with Redis) are
    due again, their outcome unconfirmed."""
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.state == "running", Delivery.lease_until < now)
        .values(state="due", claim=None, lease_until=None, unconfirmed=True, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


# -- outcomes ----------------------------------------------------------------------------------


def record(lease: Lease, delivery_id: int, then: Executable | None = None, **values) -> bool:
    """Write a claimed row's outcome, if this claim still holds it; committed at once.
    `then`: a statement (the row's id bound as `b_id`) that belongs to the outcome, run in
    its transaction only if the outcome was written."""
    statement, params = _against_claim(lease, delivery_id, values)
    if then is None:
        result = _patiently(delivery_id, lambda: _outcomes().execute(statement, params))
    else:

        def write():
            with db.engine.begin() as connection:
                result = connection.execute(statement, params)
                if result.rowcount:
                    connection.execute(then, {"b_id": delivery_id})
                return result

        result = _patiently(delivery_id, write)
    if not result.rowcount:
        log.warning("delivery %s: lease lost before its outcome was recorded", delivery_id)
    return bool(result.rowcount)


def note(delivery_id: int, statement, params: dict) -> None:
    """A log line of an outcome (a webhook's attempt), written just before it on the same
    connection: one statement, one round trip, committed at once."""
    _patiently(delivery_id, lambda: _outcomes().execute(statement, params))


def _against_claim(lease: Lease, delivery_id: int, values: dict):
    """The UPDATE writing `values` (the lease and claim let go) while the claim holds the
    row, and its parameters."""
    values.setdefault("lease_until", None)
    values.setdefault("claim", None)
    values["updated_at"] = clock.now()
    params = {f"v_{name}": value for name, value in values.items()}
    params.update(b_id=delivery_id, b_claim=lease.claim)
    return _outcome_statement(tuple(sorted(values))), params


def _patiently(delivery_id: int, write: Callable):
    """`write()` an outcome, waiting up to DATABASE_PATIENCE for the database: when it went
    away (a restart drops every connection) the effect has happened, so wait for it rather
    than leave the row to be repeated."""
    waited = 0
    while True:
        try:
            return write()
        except OperationalError as error:
            close_outcomes()
            if waited >= DATABASE_PATIENCE:
                raise
            log.warning("outcome of delivery %s not recorded yet, retrying: %s", delivery_id, error)
            time.sleep(1)
            waited += 1


def _outcomes() -> DatabaseConnection:
    """This app context's own connection for outcomes, in autocommit: each outcome is one
    statement in one round trip, its own commit (through the session it would be four: the
    pool's ping after each commit, BEGIN, the UPDATE, COMMIT)."""
    if "dropday_outcomes" not in g:
        g.dropday_outcomes = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    return g.dropday_outcomes


def close_outcomes() -> None:
    connection = g.pop("dropday_outcomes", None)
    if connection is not None:
        connection.close()


@functools.cache
def _outcome_statement(columns: tuple[str, ...]):
    """UPDATE delivery SET <columns> WHERE the claim still holds the row; built once per
    set of columns (a handful), since building a statement costs more than running it."""
    table = Delivery.__table__
    return (
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            table.c.state == "running",
            table.c.claim == bindparam("b_claim"),
        )
        .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in columns})
    )


def done(
    lease: Lease, delivery_id: int, verified: bool | None = None, then: Executable | None = None
) -> bool:
    return record(
        lease,
        delivery_id,
        then,
        state="done",
        step=None,
        verified=verified,
        last_error=None,
        done_at=clock.now(),
    )


def failed(lease: Lease, delivery_id: int, reason: str, then: Executable | None = None) -> bool:
    """The row failed for good. A fan's save, email or push is reported as delivery.failed
    in the same transaction (its own, on a connection of its own: failures are few), so the
    event exists exactly when the failure was recorded by the claim holding the row. `then`
    as for `record`."""
    reason = reason[:500]
    values = {"state": "failed", "last_error": reason, "done_at": clock.now()}
    statement, params = _against_claim(lease, delivery_id, values)
    table = Delivery.__table__
    statement = statement.returning(
        table.c.id, table.c.kind, table.c.campaign_id, table.c.signup_id, table.c.platform
    )

    def write():
        with db.engine.begin() as connection:
            row = connection.execute(statement, params).first()
            if row is not None and row.kind in DELIVERY_KINDS:
                webhook_events.delivery_failed(connection, row, reason)
            if row is not None and then is not None:
                connection.execute(then, {"b_id": delivery_id})
            return row

    if _patiently(delivery_id, write) is None:
        log.warning("delivery %s: lease lost before its failure was recorded", delivery_id)
        return False
    return True


def skipped(lease: Lease, delivery_id: int, reason: str) -> bool:
    return record(lease, delivery_id, state="skipped", last_error=reason[:500], done_at=clock.now())


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds to wait: doubling from FIRST_BACKOFF up to MAX_BACKOFF, with a little jitter
    so a crowd of retries spreads out; never less than the platform's Retry-After."""
    wait = min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
    wait *= random.uniform(0.9, 1.1)
    return max(wait, retry_after or 0)


def retry_later(
    lease: Lease,
    delivery,
    reason: str,
    retry_after: float | None = None,
    step: str | None = None,
    then: Executable | None = None,
) -> bool:
    """A temporary failure: due again after a backoff, or failed once the window is over
    (with `then`, as for `failed`). `delivery`: anything with the row's `id`, `attempts`
    and `due_since`."""
    now = clock.now()
    since = delivery.due_since or now
    if now - since >= RETRY_WINDOW:
        return failed(
            lease,
            delivery.id,
            f"{reason} (gave up after {delivery.attempts} attempts over "
            f"{(now - since).total_seconds() / 3600:.0f} h)",
            then,
        )
    wait = timedelta(seconds=backoff(delivery.attempts, retry_after))
    return record(
        lease,
        delivery.id,
        state="due",
        step=step,
        next_attempt_at=now + wait,
        last_error=reason[:500],
    )


# -- effects in parallel -----------------------------------------------------------------------


def in_parallel(
    lease: Lease, items: list, effect: Callable, outcome: Callable, parallel: int = PARALLEL
) -> None:
    """`effect(item)` for each item (anything with the delivery's `id`), up to `parallel` at
    once: each waits on another service (a platform, a push service), so a batch takes
    about the slowest answer, not the sum of them. Effects run in threads, each in its own
    app context (its own session, the app's clock); `outcome(lease, item, future)` runs in
    the calling thread as each finishes, so outcomes go through its one connection. Items
    not started when the lease is ending are handed back.

    The window of mail.py widens here to the effects in flight: a worker killed while some
    are accepted but not yet recorded repeats those (at most `parallel`), which is harmless
    for saves (idempotent) and shows a fan one push twice at worst.
    """
    app = current_app._get_current_object()

    def run(item):
        with app.app_context():
            return effect(item)

    pending: dict[Future, object] = {}
    with ThreadPoolExecutor(parallel, thread_name_prefix="delivery") as pool:
        for n, item in enumerate(items):
            if lease.ending():
                hand_back(lease, [left.id for left in items[n:]])
                break
            pending[pool.submit(run, item)] = item
            if len(pending) >= parallel:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    outcome(lease, pending.pop(future), future)
        for future in as_completed(list(pending)):
            outcome(lease, pending.pop(future), future)
