"""Release-day direct saves: the release added to the library of each fan who connected.

A revoked connection fails at once; it is never retried. A save accepted but not proven
(Apple) is looked for in the fan's library VERIFY_AFTER later instead of waiting. A
refreshed token is stored the moment the client has it. Once the save is done or has
finally failed, nothing will use the fan's platform tokens again: they are deleted in the
transaction that records the outcome (app/retention.py's periodic job is the safety net).
"""

import logging
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select

from app import clock
from app.extensions import db
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
from app.release_day.outbox import Lease, done, failed, in_parallel, record, retry_later

log = logging.getLogger(__name__)

VERIFY_AFTER = timedelta(minutes=2)  # Apple: look in the fan's library this much later
# Run with a save's final outcome: the fan's tokens go with it.
SPENT_TOKENS = delete(Connection).where(
    Connection.signup_id
    == select(Delivery.signup_id).where(Delivery.id == bindparam("b_id")).scalar_subquery()
)


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
            failed(lease, delivery.id, REVOKED, SPENT_TOKENS)
        else:
            saves.append(Save.of(delivery, connection, link))
    db.session.rollback()  # read all it needs: hold no transaction while saving
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
        failed(lease, save.id, error.reason, SPENT_TOKENS)
        return
    except (TemporaryError, NotFound) as error:
        retry_after = getattr(error, "retry_after", None)
        retry_later(lease, save, str(error), retry_after, step=save.step, then=SPENT_TOKENS)
        return
    except Exception as error:
        log.exception("save %s failed unexpectedly", save.id, exc_info=error)
        retry_later(lease, save, f"unexpected error: {error.__class__.__name__}", then=SPENT_TOKENS)
        return
    if isinstance(result, bool):  # the look in the library
        done(lease, save.id, verified=result, then=SPENT_TOKENS)
    elif result.verified or not isinstance(client_for(save.platform), VerifiableSaveClient):
        done(lease, save.id, verified=result.verified, then=SPENT_TOKENS)
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


def _store_tokens(connection_id: int, tokens: Tokens) -> None:
    """A client refreshed the fan's tokens: keep them before anything else can fail."""
    connection = db.session.get(Connection, connection_id)
    connection.store_tokens(tokens, refreshed=True)
    connection.status = "valid"
    db.session.commit()
