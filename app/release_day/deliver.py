"""Deliveries: the job that works through the outbox, the outcome rules, and direct saves.

`run` (the delivery job) claims batches of due rows of each kind in turn (saves, pushes,
emails) with a lease (app/jobs.py, claim_due), does each effect and records its outcome on
the row, conditional on still holding the lease. A row a dead worker held is due again
once its lease runs out (schedule.revive_expired_leases), so every effect happens, and
happens once, except in the one window documented in mail.py (and its equivalents for a
push or a save): after the other side accepted, before our row says so.

Outcomes, shown to the artist: done (with `verified` for saves), failed with the reason,
the number of attempts. A temporary failure (429 honouring Retry-After, 5xx, timeout,
quota, TIDAL still indexing) retries with growing backoff for at least RETRY_WINDOW after
the row first became due, then fails with the last reason. A revoked connection fails at
once and marks the Connection revoked; it is never retried.
"""

import functools
import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g
from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.engine import Connection as DatabaseConnection

from app import clock
from app.extensions import db
from app.jobs import Lease, claim_due, release
from app.models import Connection, Delivery, PlatformLink
from app.platforms.base import (
    Listing,
    NotFound,
    PermanentError,
    SaveResult,
    TemporaryError,
    Tokens,
    VerifiableSaveClient,
)
from app.platforms.clients import client_for
from app.platforms.oauth import REVOKED

log = logging.getLogger(__name__)

RETRY_WINDOW = timedelta(hours=12)
FIRST_BACKOFF = 60  # seconds; doubles per attempt
MAX_BACKOFF = 20 * 60  # some 36 tries in a 12 h window
VERIFY_AFTER = timedelta(minutes=2)  # Apple: look in the fan's library this much later
# A delivery job keeps claiming batches for about this long (real seconds), well inside
# JOB_TIMEOUT, then ends; the next tick starts new ones while work is left.
JOB_BUDGET = 120
BATCH = {"save": 25, "push": 100, "email": 200}
PARALLEL = 8  # saves or pushes of one batch in flight at once (see in_parallel)


def run(budget: float = JOB_BUDGET) -> dict:
    """The delivery job: batches of every kind in turn until nothing is due or time is up."""
    from app.release_day import mail, push

    handlers = {"save": deliver_saves, "push": push.deliver_pushes, "email": mail.deliver_emails}
    done = dict.fromkeys(handlers, 0)
    started = time.monotonic()
    try:
        while time.monotonic() - started < budget:
            worked = 0
            for kind, handle in handlers.items():
                lease = claim_due(kind, BATCH[kind])
                if lease.ids:
                    handle(lease)
                    done[kind] += len(lease.ids)
                    worked += len(lease.ids)
            if not worked:
                break
    finally:
        close_outcomes()
    log.info("delivered %s", done)
    return done


# -- outcomes ---------------------------------------------------------------------------------


def record(lease: Lease, delivery_id: int, **values) -> bool:
    """Write a claimed row's outcome, if this claim still holds it; committed at once."""
    values.setdefault("lease_until", None)
    values["updated_at"] = clock.now()
    params = {f"v_{name}": value for name, value in values.items()}
    params.update(b_id=delivery_id, b_until=lease.until)
    statement = _outcome_statement(tuple(sorted(values)))
    outcomes = _outcomes()
    if outcomes is not None:
        result = outcomes.execute(statement, params)
    else:
        result = db.session.connection().execute(statement, params)
        db.session.commit()
    if not result.rowcount:
        log.warning("delivery %s: lease lost before its outcome was recorded", delivery_id)
    return bool(result.rowcount)


def _outcomes() -> DatabaseConnection | None:
    """The job's own connection for outcomes, in autocommit: each outcome is one statement
    in one round trip, its own commit (through the session it would be four: the pool's
    ping after each commit, BEGIN, the UPDATE, COMMIT). Closed when the delivery job ends.
    None when the session is bound to a caller's connection and transaction (the tests'
    rolled-back ones), whose rows no other connection can see: outcomes then go through it.
    """
    if "dropday_outcomes" not in g:
        bind = db.session.get_bind()
        g.dropday_outcomes = (
            bind.connect().execution_options(isolation_level="AUTOCOMMIT")
            if isinstance(bind, Engine)
            else None
        )
    return g.dropday_outcomes


def close_outcomes() -> None:
    connection = g.pop("dropday_outcomes", None)
    if connection is not None:
        connection.close()


def parallel_allowed() -> bool:
    """Whether a job may work in threads: not when the session is bound to a caller's
    connection and transaction (see _outcomes), which threads can't share."""
    return _outcomes() is not None


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
    delivery: Delivery,
    reason: str,
    retry_after: float | None = None,
    step: str | None = None,
) -> bool:
    """A temporary failure: due again after a backoff, or failed once the window is over."""
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


# -- direct saves -----------------------------------------------------------------------------


def deliver_saves(lease: Lease) -> None:
    rows = db.session.execute(
        select(Delivery, Connection)
        .join(Connection, Connection.signup_id == Delivery.signup_id)
        .where(Delivery.id.in_(lease.ids))
        .order_by(Delivery.id)
    ).all()
    have_connection = {delivery.id for delivery, _ in rows}
    for missing in set(lease.ids) - have_connection:
        failed(lease, missing, "the fan's connection was removed")
    links = _links({delivery.campaign_id for delivery, _ in rows})
    saves = []
    for delivery, connection in rows:
        link = links.get((delivery.campaign_id, delivery.platform))
        if link is None:  # a link can only be added, so this is a row woken too early
            record(lease, delivery.id, state="waiting", next_attempt_at=None)
        elif connection.status == "revoked":
            failed(lease, delivery.id, REVOKED)
        else:
            saves.append(Save.of(delivery, connection, link))
    in_parallel(lease, saves, _save, _saved)


@dataclass(frozen=True)
class Save:
    """One direct save of a batch, as plain values: the effect runs in another thread,
    which must not touch this session's objects."""

    id: int
    platform: str
    step: str | None
    attempts: int
    due_since: datetime | None
    connection_id: int
    tokens: Tokens
    listing: Listing

    @classmethod
    def of(cls, delivery: Delivery, connection: Connection, link: PlatformLink) -> "Save":
        return cls(
            id=delivery.id,
            platform=delivery.platform,
            step=delivery.step,
            attempts=delivery.attempts,
            due_since=delivery.due_since,
            connection_id=connection.id,
            tokens=connection.tokens,
            listing=Listing(
                delivery.platform, link.url, link.platform_id, link.kind, link.matched_by
            ),
        )


def _links(campaign_ids) -> dict[tuple[int, str], PlatformLink]:
    links = db.session.scalars(
        select(PlatformLink).where(PlatformLink.campaign_id.in_(campaign_ids))
    )
    return {(link.campaign_id, link.platform): link for link in links}


def _save(save: Save) -> SaveResult | bool:
    """The effect (in a pool thread): the save, or for a save accepted unverified, the look
    in the fan's library (a bool). Only a refreshed token is written here, at once."""
    client = client_for(save.platform)
    if save.step == "verify":
        return client.verify(save.tokens, save.listing)
    # A crash after the platform accepted and before `_saved` records it makes the save run
    # again once the lease runs out: harmless, because a save is idempotent on every
    # platform (TIDAL by Idempotency-Key, Apple and YouTube by adding an item already there).
    return client.save(
        save.tokens,
        save.listing,
        lambda fresh: _store_tokens(save.connection_id, fresh),
        connection_id=str(save.connection_id),
    )


def _saved(lease: Lease, save: Save, outcome: Future) -> None:
    """The save's outcome, recorded by the job's thread."""
    try:
        result = outcome.result()
    except PermanentError as error:
        if error.reason == REVOKED:
            _mark_revoked(save.connection_id)
        failed(lease, save.id, error.reason)
        return
    except (TemporaryError, NotFound) as error:
        retry_later(lease, save, str(error), getattr(error, "retry_after", None), step=save.step)
        return
    except Exception as error:
        log.exception("save %s failed unexpectedly", save.id, exc_info=error)
        retry_later(lease, save, f"unexpected error: {error.__class__.__name__}")
        return
    if isinstance(result, bool):  # the look in the library
        done(lease, save.id, verified=result)
    elif result.verified or not isinstance(client_for(save.platform), VerifiableSaveClient):
        done(lease, save.id, verified=result.verified)
    else:
        # Accepted but not proven (Apple): look in the library later instead of waiting.
        record(
            lease,
            save.id,
            state="due",
            step="verify",
            verified=False,
            next_attempt_at=clock.now() + VERIFY_AFTER,
            last_error=None,
        )


# -- effects in parallel ----------------------------------------------------------------------


def in_parallel(lease: Lease, items: list, effect: Callable, outcome: Callable) -> None:
    """`effect(item)` for each item (anything with the delivery's `id`), up to PARALLEL at
    once: each waits on another service (a platform, a push service), so a batch takes
    about the slowest answer, not the sum of them. Effects run in threads, each in its own
    app context (its own session, the app's clock); `outcome(lease, item, future)` runs in
    the job's thread as each finishes, so outcomes go through the job's one connection.
    Items not started when the lease is ending are handed back.

    The window of mail.py widens here to the effects in flight: a worker killed while some
    are accepted but not yet recorded repeats those (at most PARALLEL), which is harmless
    for saves (idempotent) and shows a fan one push twice at worst.
    """
    width = PARALLEL if parallel_allowed() else 1
    app = current_app._get_current_object()

    def run(item):
        with app.app_context():
            return effect(item)

    pending: dict[Future, object] = {}
    with ThreadPoolExecutor(width, thread_name_prefix="delivery") as pool:
        for n, item in enumerate(items):
            if lease.ending():
                release(lease, [left.id for left in items[n:]])
                break
            if width == 1:
                future = Future()
                try:
                    future.set_result(effect(item))
                except Exception as error:
                    future.set_exception(error)
                outcome(lease, item, future)
                continue
            pending[pool.submit(run, item)] = item
            if len(pending) >= width:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    outcome(lease, pending.pop(future), future)
        for future in as_completed(list(pending)):
            outcome(lease, pending.pop(future), future)


def _store_tokens(connection_id: int, tokens: Tokens) -> None:
    """A client refreshed the fan's tokens: keep them before anything else can fail."""
    connection = db.session.get(Connection, connection_id)
    connection.store_tokens(tokens, refreshed=True)
    connection.status = "valid"
    db.session.commit()


def _mark_revoked(connection_id: int) -> None:
    db.session.execute(
        update(Connection)
        .where(Connection.id == connection_id)
        .values(status="revoked", updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def retry_failed_saves(campaign_id: int) -> int:
    """The artist's "Retry failed saves": failed saves are due again with a fresh window
    (revoked connections stay failed: only the fan can fix those). Returns how many."""
    now = clock.now()
    revoked = select(Connection.signup_id).where(
        Connection.campaign_id == campaign_id, Connection.status == "revoked"
    )
    count = db.session.execute(
        update(Delivery)
        .where(
            Delivery.campaign_id == campaign_id,
            Delivery.kind == "save",
            Delivery.state == "failed",
            Delivery.signup_id.not_in(revoked),
        )
        .values(
            state="due",
            step=None,
            next_attempt_at=now,
            due_since=now,
            done_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if count:
        from app.release_day import schedule

        schedule.kick_deliveries()
    return count
