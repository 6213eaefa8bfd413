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

import logging
import random
import time
from datetime import timedelta

from sqlalchemy import select, update

from app import clock
from app.extensions import db
from app.jobs import Lease, claim_due, release
from app.models import Connection, Delivery, PlatformLink
from app.platforms import client_for
from app.platforms.base import Listing, NotFound, PermanentError, TemporaryError, Tokens
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


def run(budget: float = JOB_BUDGET) -> dict:
    """The delivery job: batches of every kind in turn until nothing is due or time is up."""
    from app.release_day import mail, push

    handlers = {"save": deliver_saves, "push": push.deliver_pushes, "email": mail.deliver_emails}
    done = dict.fromkeys(handlers, 0)
    started = time.monotonic()
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
    log.info("delivered %s", done)
    return done


# -- outcomes ---------------------------------------------------------------------------------


def record(lease: Lease, delivery_id: int, **values) -> bool:
    """Write a claimed row's outcome, if this claim still holds it; committed at once."""
    values.setdefault("lease_until", None)
    values["updated_at"] = clock.now()
    result = db.session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.state == "running",
            Delivery.lease_until == lease.until,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if not result.rowcount:
        log.warning("delivery %s: lease lost before its outcome was recorded", delivery_id)
    return bool(result.rowcount)


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
    for n, (delivery, connection) in enumerate(rows):
        if lease.ending():
            release(lease, [d.id for d, _ in rows[n:]])
            return
        link = links.get((delivery.campaign_id, delivery.platform))
        if link is None:  # a link can only be added, so this is a row woken too early
            record(lease, delivery.id, state="waiting", next_attempt_at=None)
            continue
        save_one(lease, delivery, connection, link)


def _links(campaign_ids) -> dict[tuple[int, str], PlatformLink]:
    links = db.session.scalars(
        select(PlatformLink).where(PlatformLink.campaign_id.in_(campaign_ids))
    )
    return {(link.campaign_id, link.platform): link for link in links}


def save_one(lease: Lease, delivery: Delivery, connection: Connection, link: PlatformLink):
    if connection.status == "revoked":
        failed(lease, delivery.id, REVOKED)
        return
    client = client_for(delivery.platform)
    listing = Listing(delivery.platform, link.url, link.platform_id, link.kind, link.matched_by)
    tokens = Tokens(
        access_token=connection.access_token,
        refresh_token=connection.refresh_token,
        expires_at=connection.expires_at,
        scope=connection.scope,
    )
    try:
        if delivery.step == "verify":
            if client.verify(tokens, listing):
                done(lease, delivery.id, verified=True)
            else:
                done(lease, delivery.id, verified=False)
            return
        # The effect. A crash after the platform accepted and before `done` below is
        # committed makes the save run again once the lease runs out: harmless, because a
        # save is idempotent on every platform (TIDAL by Idempotency-Key, Apple and
        # YouTube by adding an item that is already there).
        result = client.save(
            tokens,
            listing,
            lambda fresh: _store_tokens(connection.id, fresh),
            connection_id=str(connection.id),
        )
    except PermanentError as error:
        if error.reason == REVOKED:
            _mark_revoked(connection.id)
        failed(lease, delivery.id, error.reason)
        return
    except (TemporaryError, NotFound) as error:
        retry_later(
            lease, delivery, str(error), getattr(error, "retry_after", None), step=delivery.step
        )
        return
    except Exception as error:
        log.exception("save %s failed unexpectedly", delivery.id)
        retry_later(lease, delivery, f"unexpected error: {error.__class__.__name__}")
        return
    if result.verified or not hasattr(client, "verify"):
        done(lease, delivery.id, verified=result.verified)
    else:
        # Accepted but not proven (Apple): look in the library later instead of waiting.
        record(
            lease,
            delivery.id,
            state="due",
            step="verify",
            verified=False,
            next_attempt_at=clock.now() + VERIFY_AFTER,
            last_error=None,
        )


def _store_tokens(connection_id: int, tokens: Tokens) -> None:
    """A client refreshed the fan's tokens: keep them before anything else can fail."""
    connection = db.session.get(Connection, connection_id)
    connection.access_token = tokens.access_token
    if tokens.refresh_token:
        connection.refresh_token = tokens.refresh_token
    connection.expires_at = tokens.expires_at
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
