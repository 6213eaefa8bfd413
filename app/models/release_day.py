"""Release day's records: the outbox of effects, the detection log, found links and clicks.

Every release-day effect (a direct save, an email, a push) is one Delivery row, unique per
(signup, kind), and so is each fan's copy of an announcement (per announcement, member):
the database, not Redis, says what is still to do and what was done, so a lost job or a
killed worker loses nothing and repeats nothing (see app/release_day/outbox.py).
"""

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

DELIVERY_KINDS = ("save", "email", "push")
# The outbox carries more than release day's effects for fans: an announcement's email to an
# audience member, and webhook POSTs, which belong to an endpoint and an event. Neither has a
# signup (the release-day tab counts fans' deliveries only).
OUTBOX_KINDS = (*DELIVERY_KINDS, "announcement", "webhook")
OWNER = (
    "(kind = 'webhook') = (webhook_id IS NOT NULL)"
    " AND (kind = 'announcement') = (announcement_id IS NOT NULL AND member_id IS NOT NULL)"
    " AND (signup_id IS NULL) = (kind IN ('webhook', 'announcement'))"
)
# waiting: its platform has no link yet; due: claimable from next_attempt_at on;
# running: claimed (claim) until lease_until; done / failed / skipped: final.
DELIVERY_STATES = ("waiting", "due", "running", "done", "failed", "skipped")
# A step past the first call: "verify" = the platform accepted the save, check it later.
CHECK_OUTCOMES = ("found", "not_found", "outage")
CHECK_TRIGGERS = ("schedule", "manual")
MATCHED_BY = ("source", "upc", "isrc", "search", "odesli")
LINK_KINDS = ("album", "track")
CLICK_SOURCES = ("smart_link", "email", "push")


class Delivery(db.Model):
    __table_args__ = (
        UniqueConstraint("signup_id", "kind"),
        UniqueConstraint("webhook_id", "event_id", name="uq_delivery_webhook_event"),
        # An announcement reaches each audience member at most once.
        UniqueConstraint("announcement_id", "member_id"),
        CheckConstraint(f"kind IN {OUTBOX_KINDS!r}", name="kind"),
        # Whose effect it is: a fan's signup, an audience member's, or a webhook endpoint's.
        CheckConstraint(OWNER, name="owner"),
        CheckConstraint(f"state IN {DELIVERY_STATES!r}", name="state"),
        CheckConstraint("step IS NULL OR step = 'verify'", name="step"),
        CheckConstraint("state <> 'running' OR lease_until IS NOT NULL", name="running_has_lease"),
        # claim_due: the due rows of one kind, oldest first.
        Index("ix_delivery_claim", "kind", "state", "next_attempt_at"),
        # The tick's search for expired leases.
        Index("ix_delivery_lease", "state", "lease_until"),
        # Counts per campaign for the release-day view; waking a platform's waiting saves.
        Index("ix_delivery_campaign", "campaign_id", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    signup_id: Mapped[int | None] = mapped_column(ForeignKey("signup.id", ondelete="CASCADE"))
    webhook_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE")
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_event.id", ondelete="CASCADE"))
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE")
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("audience_member.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(db.String(16))
    # The platform the effect is for (the fan's choice): a save waits for its link.
    platform: Mapped[str | None] = mapped_column(db.String(32))
    state: Mapped[str] = mapped_column(db.String(8), default="waiting")
    step: Mapped[str | None] = mapped_column(db.String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at = mapped_column(UTCDateTime)
    # When it first became due: temporary failures are retried for a window from here.
    due_since = mapped_column(UTCDateTime)
    lease_until = mapped_column(UTCDateTime)  # moved on by the claim's heartbeat
    # The claim holding a running row (outbox.Lease.claim): outcomes are written against it.
    claim: Mapped[int | None] = mapped_column(db.BigInteger)
    # Its lease ran out while it was running: whether the effect happened is unknown.
    unconfirmed: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    last_error: Mapped[str | None] = mapped_column(db.String(500))
    verified: Mapped[bool | None] = mapped_column()  # saves only: the platform confirmed it
    done_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    signup = relationship("Signup")


class Outage(db.Model):
    """A service release day is waiting on (the mail server, a push service), since when
    and what it last said; deleted once it answers again (app/release_day/outages.py)."""

    service: Mapped[str] = mapped_column(db.String(32), primary_key=True)
    since = mapped_column(UTCDateTime, nullable=False)
    detail: Mapped[str] = mapped_column(db.String(200))


class ReleaseCheck(db.Model):
    """One detection attempt and what each platform answered.

    `answers`: {platform: {"status": "found"|"not_found"|"outage"|"skipped", "matched_by",
    "url", "detail"}}. An outage is recorded as such and never counts as "not found".
    """

    __table_args__ = (
        CheckConstraint(f"outcome IN {CHECK_OUTCOMES!r}", name="outcome"),
        CheckConstraint(f"triggered_by IN {CHECK_TRIGGERS!r}", name="triggered_by"),
        Index("ix_release_check_campaign", "campaign_id", "checked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    checked_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    outcome: Mapped[str] = mapped_column(db.String(16))
    triggered_by: Mapped[str] = mapped_column(db.String(16), default="schedule")
    answers: Mapped[dict] = mapped_column(db.JSON, default=dict)


class PlatformLink(db.Model):
    """Where the release is on one platform: a "detected platform" of the Smart Link."""

    __table_args__ = (
        UniqueConstraint("campaign_id", "platform"),
        CheckConstraint(f"matched_by IN {MATCHED_BY!r}", name="matched_by"),
        CheckConstraint(f"kind IN {LINK_KINDS!r}", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(db.String(32))
    url: Mapped[str] = mapped_column(db.String(2048))
    platform_id: Mapped[str] = mapped_column(db.String(255))
    kind: Mapped[str] = mapped_column(db.String(8))
    matched_by: Mapped[str] = mapped_column(db.String(8))
    found_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Click(db.Model):
    """A fan followed a release-day link. Nothing about the fan or device is stored.

    `platform` is where the click led; None when it led to the Smart Link itself (the fan's
    platform had no link yet).
    """

    __table_args__ = (
        CheckConstraint(f"source IN {CLICK_SOURCES!r}", name="source"),
        Index("ix_click_campaign", "campaign_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    platform: Mapped[str | None] = mapped_column(db.String(32))
    source: Mapped[str] = mapped_column(db.String(16))
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
