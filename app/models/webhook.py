"""Webhooks: a workspace's endpoints, the events they are sent, and each attempt's log line.

A webhook POST is an outbox row like every release-day effect (Delivery, kind "webhook",
one per endpoint and event), so it is claimed with a lease, retried with backoff and
recorded once (app/release_day/webhooks.py).
"""

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import EncryptedText, UTCDateTime, utcnow

WEBHOOK_EVENTS = (
    "signup.created",
    "signup.deleted",
    "campaign.released",
    "campaign.converted",
    "delivery.failed",
    "release.alert",
)


class WebhookEndpoint(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(db.String(2048))
    secret: Mapped[str] = mapped_column(EncryptedText)  # signs every POST; encrypted at rest
    events: Mapped[list] = mapped_column(db.JSON)
    active: Mapped[bool] = mapped_column(default=True)
    # The first failure since the last success: failing for a day disables the endpoint.
    failing_since = mapped_column(UTCDateTime)
    disabled_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    workspace = relationship("Workspace")


class WebhookEvent(db.Model):
    """What happened, once: each endpoint's delivery of it carries `uid` as its idempotency
    id, so a receiver that sees a retry can tell it already has it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(db.String(36), unique=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(db.String(32))
    payload: Mapped[dict] = mapped_column(db.JSON)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class WebhookAttempt(db.Model):
    """One POST to an endpoint, for its delivery log."""

    __table_args__ = (Index("ix_webhook_attempt_endpoint", "endpoint_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_event.id", ondelete="CASCADE"))
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    status: Mapped[int | None] = mapped_column()  # the HTTP status; None: no answer
    duration_ms: Mapped[int] = mapped_column()
    error: Mapped[str | None] = mapped_column(db.String(200))

    event = relationship("WebhookEvent")
