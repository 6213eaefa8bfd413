"""An artist's audience: fans who asked to hear about future releases, and announcements.

An AudienceMember is one fan (one email) per workspace, deduplicated across the
workspace's campaigns; it exists only because the fan ticked the future-releases box, and
records the consent text's version and when it was given. `AudienceCampaign` says which
campaigns the fan joined from. An Announcement is the one email a campaign in pre-save may
send to the audience; each fan's copy is a Delivery row of kind "announcement" (the
release-day outbox).

AudienceTally and AudienceDay are the Audience page's counts, kept by database triggers
(migration 0014) in the same transaction as every insert, update and delete of a member,
so the page reads a few dozen rows instead of counting a million.
"""

import secrets

from sqlalchemy import Date, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


def new_withdraw_token() -> str:
    return secrets.token_urlsafe(32)


class AudienceMember(db.Model):
    __table_args__ = (
        UniqueConstraint("workspace_id", "email"),
        # Keyset pagination of the Audience page: newest first signup first, ties by id.
        Index("ix_audience_member_page", "workspace_id", "first_signup_at", "id"),
        # Search by the start of the email (LIKE 'x%'): PostgreSQL needs the pattern
        # operator class for it unless the database's collation is C.
        Index(
            "ix_audience_member_search",
            "workspace_id",
            "email",
            postgresql_ops={"email": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose audience this is (app/audience/scope.py).
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
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

    __table_args__ = (Index("ix_announcement_workspace", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), unique=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(db.String(600))
    recipients: Mapped[int] = mapped_column(default=0)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class AudienceTally(db.Model):
    """How many members of a workspace have one platform and country ('' where unknown),
    apart by whether they can be reached (neither withdrawn nor bounced)."""

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(db.String(32), primary_key=True)
    country: Mapped[str] = mapped_column(db.String(2), primary_key=True)
    reachable: Mapped[bool] = mapped_column(primary_key=True)
    members: Mapped[int]


class AudienceDay(db.Model):
    """How many reachable members of a workspace first signed up on one UTC day."""

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    day = mapped_column(Date, primary_key=True)
    members: Mapped[int]
