"""Fans' signups to a campaign, their platform connections and their push subscriptions.

A Signup is one fan's intent for one campaign. The database decides what "the same fan" is:
one row per (campaign, email) and one Connection per (campaign, platform, account), so two
simultaneous identical posts still make one row (the loser of the race updates the winner).
Nothing about the fan's device (IP address, user agent) is stored.
"""

import secrets

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from app.extensions import db
from app.models.held_tokens import HoldsTokens
from app.models.types import EncryptedText, UTCDateTime, utcnow

MODES = ("direct", "email")
CONNECTION_STATUSES = ("valid", "expired", "revoked")


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(32)


class Signup(db.Model):
    __table_args__ = (
        UniqueConstraint("campaign_id", "email"),
        CheckConstraint(f"mode IN {MODES!r}", name="mode"),
        # An email signup without an email would be a fan Dropday cannot reach.
        CheckConstraint("mode = 'direct' OR email IS NOT NULL", name="email_mode_has_email"),
        # Keyset pagination of the Subscribers tab: newest first, ties broken by id.
        Index("ix_signup_campaign_created", "campaign_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(db.String(32))  # a registry key
    mode: Mapped[str] = mapped_column(db.String(8))
    email: Mapped[str | None] = mapped_column(db.String(254))  # normalized
    # Which consent text the fan was shown: texts are versioned in code, stored by number.
    consent_version: Mapped[int]
    # The language the fan signed up in (app/languages.py): their release-day email and push.
    language: Mapped[str] = mapped_column(db.String(8), default="en", server_default="en")
    unsubscribe_token: Mapped[str] = mapped_column(
        db.String(64), unique=True, default=new_unsubscribe_token
    )
    unsubscribed_at = mapped_column(UTCDateTime)
    # When the fan confirmed their email; None while a double opt-in signup awaits it (such a
    # signup is not mailed, not exported, and is deleted after a week). Set at signup where
    # the campaign asks for no confirmation.
    confirmed_at = mapped_column(UTCDateTime, default=utcnow)
    # When the fan was emailed that their platform connection broke (at most once).
    reconnect_mailed_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    campaign = relationship("Campaign")
    connection = relationship(
        "Connection", back_populates="signup", uselist=False, passive_deletes=True
    )
    push_subscription = relationship(
        "PushSubscription", back_populates="signup", uselist=False, passive_deletes=True
    )


class Connection(HoldsTokens, db.Model):
    """A fan's authorization on a direct-save platform. Tokens are encrypted at rest."""

    __table_args__ = (
        # The same platform account connecting twice to one campaign is one signup.
        UniqueConstraint("campaign_id", "platform", "account_id"),
        CheckConstraint(f"status IN {CONNECTION_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("signup.id", ondelete="CASCADE"), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(db.String(32))
    # The platform's id for the account (a digest of the token where the platform gives none).
    account_id: Mapped[str] = mapped_column(db.String(128))
    access_token: Mapped[str] = mapped_column(EncryptedText)
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText)
    expires_at = mapped_column(UTCDateTime)
    token_expires_at = synonym("expires_at")  # the name HoldsTokens reads
    scope: Mapped[str | None] = mapped_column(db.String(255))
    status: Mapped[str] = mapped_column(db.String(8), default="valid")
    # Before release day (app/release_day/health.py): "healthy", "broken" or "reconnected".
    health: Mapped[str | None] = mapped_column(db.String(12))
    health_checked_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    signup = relationship("Signup", back_populates="connection")


class PushSubscription(db.Model):
    """A browser's Web Push subscription for a fan's release-day notification."""

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("signup.id", ondelete="CASCADE"), unique=True)
    endpoint: Mapped[str] = mapped_column(db.String(2048))
    p256dh: Mapped[str] = mapped_column(db.String(255))
    auth: Mapped[str] = mapped_column(db.String(255))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    signup = relationship("Signup", back_populates="push_subscription")


class BouncedEmail(db.Model):
    """An address whose mail server refused mail for good (SMTP 5xx): no campaign of this
    installation mails it again."""

    email: Mapped[str] = mapped_column(db.String(254), primary_key=True)  # normalized
    reason: Mapped[str] = mapped_column(db.String(255))
    bounced_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
