"""The outbox contract: claim due deliveries with a lease, record each outcome against that
lease, retry temporary failures with backoff, and run effects in parallel.

Every release-day effect (a save, an email, a push) goes through here. A claim marks rows
"running" until its lease ends; an outcome is written only while the claim still holds the
row, so a slow worker whose lease ran out cannot overwrite a newer claim's work. A worker
that dies leaves its rows running; `revive_expired_leases` (every tick) makes them due again.

A temporary failure (429 honouring Retry-After, 5xx, timeout, quota, TIDAL still indexing)
retries with growing backoff for at least RETRY_WINDOW after the row first became due, then
fails with the last reason.
"""

import functools
import logging
import random
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from datetime import datetime, timedelta

from flask import current_app, g
from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection as DatabaseConnection

from app import clock
from app.extensions import db
from app.models import Delivery

log = logging.getLogger(__name__)

# How long a claimed batch belongs to its worker. Longer than any batch takes (a job also
# stops working on a batch whose lease is nearly over, see `Lease.ending`).
LEASE = timedelta(minutes=4)
RETRY_WINDOW = timedelta(hours=12)
FIRST_BACKOFF = 60  # seconds; doubles per attempt
MAX_BACKOFF = 20 * 60  # some 36 tries in a 12 h window
PARALLEL = 8  # effects of one batch in flight at once (see in_parallel)


class Lease:
    """The rows one claim took, and until when. `until` doubles as the claim's token: a row
    is only marked by the claim that holds it (`state = 'running' AND lease_until = until`)."""

    def __init__(self, ids: list[int], until: datetime):
        self.ids = ids
        self.until = until

    def ending(self, margin: timedelta = timedelta(seconds=45)) -> bool:
        return clock.now() >= self.until - margin


# -- claiming and handing back -----------------------------------------------------------------


def claim_due(kind: str, limit: int, lease: timedelta = LEASE) -> Lease:
    """Claim up to `limit` due deliveries of `kind` for this worker, oldest first; committed.

    PostgreSQL: `FOR UPDATE SKIP LOCKED` in the subquery, so workers claiming at the same
    moment take disjoint rows without waiting for each other. SQLite has a single writer:
    the one UPDATE statement runs under the database's write lock, so the subquery and the
    update see the same rows and two claims can never take the same one.
    """
    now = clock.now()
    until = now + lease
    due = (
        select(Delivery.id)
        .where(Delivery.kind == kind, Delivery.state == "due", Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # In a materialized CTE: inside `IN (...)` PostgreSQL may rescan a LIMIT ... SKIP
        # LOCKED subquery and so take more than `limit` rows.
        due = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        chosen = Delivery.id == due.c.id
    else:
        chosen = Delivery.id.in_(due.scalar_subquery())
    ids = db.session.scalars(
        update(Delivery)
        .where(chosen, Delivery.state == "due")
        .values(state="running", lease_until=until, attempts=Delivery.attempts + 1, updated_at=now)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return Lease(sorted(ids), until)


def hand_back(lease: Lease, ids) -> int:
    """Give claimed rows back untouched (a batch cut short): due again at once."""
    ids = list(ids)
    if not ids:
        return 0
    result = db.session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(ids),
            Delivery.state == "running",
            Delivery.lease_until == lease.until,
        )
        .values(state="due", lease_until=None, attempts=Delivery.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def revive_expired_leases(now: datetime) -> int:
    """Rows whose lease ran out (their worker died, or their job was lost with Redis) are
    due again."""
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.state == "running", Delivery.lease_until < now)
        .values(state="due", lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


# -- outcomes ----------------------------------------------------------------------------------


def record(lease: Lease, delivery_id: int, **values) -> bool:
    """Write a claimed row's outcome, if this claim still holds it; committed at once."""
    values.setdefault("lease_until", None)
    values["updated_at"] = clock.now()
    params = {f"v_{name}": value for name, value in values.items()}
    params.update(b_id=delivery_id, b_until=lease.until)
    result = _outcomes().execute(_outcome_statement(tuple(sorted(values))), params)
    if not result.rowcount:
        log.warning("delivery %s: lease lost before its outcome was recorded", delivery_id)
    return bool(result.rowcount)


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
            table.c.lease_until == bindparam("b_until"),
        )
        .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in columns})
    )


def done(lease: Lease, delivery_id: int, verified: bool | None = None) -> bool:
    return record(
        lease,
        delivery_id,
        state="done",
        step=None,
        verified=verified,
        last_error=None,
        done_at=clock.now(),
    )


def failed(lease: Lease, delivery_id: int, reason: str) -> bool:
    return record(lease, delivery_id, state="failed", last_error=reason[:500], done_at=clock.now())


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
) -> bool:
    """A temporary failure: due again after a backoff, or failed once the window is over.
    `delivery`: anything with the row's `id`, `attempts` and `due_since`."""
    now = clock.now()
    since = delivery.due_since or now
    if now - since >= RETRY_WINDOW:
        return failed(
            lease,
            delivery.id,
            f"{reason} (gave up after {delivery.attempts} attempts over "
            f"{(now - since).total_seconds() / 3600:.0f} h)",
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


def in_parallel(lease: Lease, items: list, effect: Callable, outcome: Callable) -> None:
    """`effect(item)` for each item (anything with the delivery's `id`), up to PARALLEL at
    once: each waits on another service (a platform, a push service), so a batch takes
    about the slowest answer, not the sum of them. Effects run in threads, each in its own
    app context (its own session, the app's clock); `outcome(lease, item, future)` runs in
    the calling thread as each finishes, so outcomes go through its one connection. Items
    not started when the lease is ending are handed back.

    The window of mail.py widens here to the effects in flight: a worker killed while some
    are accepted but not yet recorded repeats those (at most PARALLEL), which is harmless
    for saves (idempotent) and shows a fan one push twice at worst.
    """
    app = current_app._get_current_object()

    def run(item):
        with app.app_context():
            return effect(item)

    pending: dict[Future, object] = {}
    with ThreadPoolExecutor(PARALLEL, thread_name_prefix="delivery") as pool:
        for n, item in enumerate(items):
            if lease.ending():
                hand_back(lease, [left.id for left in items[n:]])
                break
            pending[pool.submit(run, item)] = item
            if len(pending) >= PARALLEL:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    outcome(lease, pending.pop(future), future)
        for future in as_completed(list(pending)):
            outcome(lease, pending.pop(future), future)
