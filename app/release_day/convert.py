"""Conversion: the first detection turns the pre-save page into the Smart Link (same URL,
phase "live") and writes every fan's release-day effects into the outbox, once.

Deliveries are created with one INSERT ... SELECT per kind (a hundred thousand fans is one
statement, not a hundred thousand), and ON CONFLICT DO NOTHING on (signup, kind), so
converting twice, or creating them again later, never makes a second row for an effect.
"""

from datetime import datetime

from sqlalchemy import and_, literal, select, update

from app import database
from app.extensions import db
from app.models import (
    BouncedEmail,
    Campaign,
    Connection,
    Delivery,
    PlatformLink,
    PushSubscription,
    Signup,
)
from app.platforms import registry
from app.release_day import webhook_events

SAVE_PLATFORMS = tuple(p.key for p in registry.PLATFORMS if p.can_save)


def convert(campaign: Campaign, now: datetime) -> None:
    """Flip the campaign live (the caller commits) and create its deliveries."""
    campaign.phase = "live"
    campaign.converted_at = now
    db.session.flush()
    create_deliveries(campaign.id, now)
    webhook_events.emit_for_campaign(
        campaign.id, "campaign.converted", {"slug": campaign.slug, "at": now.isoformat()}
    )


def create_deliveries(campaign_id: int, now: datetime) -> None:
    linked = select(PlatformLink.platform).where(PlatformLink.campaign_id == campaign_id)
    columns = ["campaign_id", "signup_id", "kind", "platform", "state", "attempts"]
    columns += ["next_attempt_at", "due_since", "created_at", "updated_at"]

    def rows(kind, state, source, *where, platform=Signup.platform, due=True):
        when = literal(now) if due else None
        return (
            select(
                Signup.campaign_id,
                Signup.id,
                literal(kind),
                platform,
                state,
                literal(0),
                when if due else literal(None, Delivery.next_attempt_at.type),
                when if due else literal(None, Delivery.due_since.type),
                literal(now),
                literal(now),
            )
            .select_from(source)
            .where(Signup.campaign_id == campaign_id, *where)
        )

    due = literal("due")
    _insert(
        columns,
        rows(
            "email",
            due,
            Signup,
            Signup.email.is_not(None),
            Signup.unsubscribed_at.is_(None),
            Signup.confirmed_at.is_not(None),  # double opt-in: only confirmed fans
            Signup.email.not_in(select(BouncedEmail.email)),
        ),
    )
    _insert(
        columns,
        rows(
            "push",
            due,
            Signup.__table__.join(PushSubscription, PushSubscription.signup_id == Signup.id),
            Signup.confirmed_at.is_not(None),  # double opt-in: only confirmed fans
        ),
    )
    saves = Signup.__table__.join(Connection, Connection.signup_id == Signup.id)
    found = Connection.platform.in_(linked)
    _insert(
        columns,
        rows(
            "save",
            due,
            saves,
            Connection.platform.in_(SAVE_PLATFORMS),
            found,
            platform=Connection.platform,
        ),
    )
    _insert(
        columns,
        rows(
            "save",
            literal("waiting"),
            saves,
            Connection.platform.in_(SAVE_PLATFORMS),
            ~found,
            platform=Connection.platform,
            due=False,
        ),
    )


def _insert(columns, select_rows) -> None:
    statement = database.insert(Delivery).from_select(columns, select_rows).on_conflict_do_nothing()
    db.session.execute(statement)


def wake_saves(campaign_id: int, platforms, now: datetime) -> int:
    """Saves waiting for a platform's link become due now that it has one."""
    platforms = list(platforms)
    if not platforms:
        return 0
    return db.session.execute(
        update(Delivery)
        .where(
            and_(
                Delivery.campaign_id == campaign_id,
                Delivery.kind == "save",
                Delivery.state == "waiting",
                Delivery.platform.in_(platforms),
            )
        )
        .values(state="due", next_attempt_at=now, due_since=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
