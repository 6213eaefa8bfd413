"""An artist's audience: fans who asked to hear about future releases, and announcements.

An AudienceMember is one fan (one email) per owner, deduplicated across the owner's
campaigns; it exists only because the fan ticked the future-releases box, and records the
consent text's version and when it was given. `AudienceCampaign` says which campaigns the
fan joined from. An Announcement is the one email a campaign in pre-save may send to the
audience; each fan's copy is a Delivery row of kind "announcement" (the release-day outbox).
"""

import secrets

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


def new_withdraw_token() -> str:
    return secrets.token_urlsafe(32)


class AudienceMember(db.Model):
    __table_args__ = (
        UniqueConstraint("artist_id", "email"),
        # Keyset pagination of the Audience page: newest first signup first, ties by id.
        Index("ix_audience_member_page", "artist_id", "first_signup_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The owner whose audience this is (workspaces will take this role: app/audience/scope.py).
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(db.String(254))  # normalized, lower-cased
    platform: Mapped[str] = mapped_column(db.String(32))  # the one the fan chose last
    # The language of the page the fan last joined from (app/languages.py): announcements
    # and the withdrawal page speak it.
    language: Mapped[str] = mapped_column(db.String(8), default="en", server_default="en")
    country: Mapped[str | None] = mapped_column(db.String(2))  # where known
    first_campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL")
    )
    first_source: Mapped[str] = mapped_column(db.String(64))  # channel code, else the source
    consent_version: Mapped[int]
    consented_at = mapped_column(UTCDateTime, nullable=False)
    first_signup_at = mapped_column(UTCDateTime, nullable=False)
    last_signup_at = mapped_column(UTCDateTime, nullable=False)
    withdrawn_at = mapped_column(UTCDateTime)
    bounced_at = mapped_column(UTCDateTime)  # the mail server refused the address for good
    withdraw_token: Mapped[str] = mapped_column(
        db.String(64), unique=True, default=new_withdraw_token
    )


class AudienceCampaign(db.Model):
    """A campaign an audience member signed up to (with the box ticked)."""

    member_id: Mapped[int] = mapped_column(
        ForeignKey("audience_member.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )


class Announcement(db.Model):
    """At most one per campaign (the unique campaign_id)."""

    __table_args__ = (Index("ix_announcement_artist", "artist_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), unique=True
    )
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(db.String(600))
    recipients: Mapped[int] = mapped_column(default=0)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
