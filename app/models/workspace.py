"""Workspaces: who may see and change which campaigns.

Every campaign belongs to one workspace; every account has a personal one (made with the
account), and a label or manager shares more through invitations. Roles are ordered: a
member can do what their role and every role below it can.
"""

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

# Lowest first: viewer reads; editor also changes campaigns, subscribers and release day;
# owner also manages members and the workspace itself.
ROLES = ("viewer", "editor", "owner")


def role_allows(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


class Workspace(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(db.String(120))
    # Set for an account's personal workspace, which goes when the account goes.
    personal_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("artist.id", ondelete="CASCADE"), unique=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    personal_of = relationship("Artist", back_populates="personal_workspace")
    memberships = relationship(
        "Membership", back_populates="workspace", cascade="all, delete-orphan", passive_deletes=True
    )

    @classmethod
    def personal_id(cls, artist_id: int) -> int | None:
        return db.session.scalar(db.select(cls.id).filter_by(personal_of_id=artist_id))


class Membership(db.Model):
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
        UniqueConstraint("workspace_id", "artist_id", name="uq_membership_member"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(db.String(10))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    workspace = relationship("Workspace", back_populates="memberships")
    artist = relationship("Artist", back_populates="memberships")

    def allows(self, needed: str) -> bool:
        return role_allows(self.role, needed)


class Invitation(db.Model):
    """An emailed link to join a workspace: single use (accepted_at) and dated (expires_at)."""

    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(db.String(254))
    role: Mapped[str] = mapped_column(db.String(10))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("artist.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    accepted_at = mapped_column(UTCDateTime)

    workspace = relationship("Workspace")


class Activity(db.Model):
    """One line of a workspace's activity log: who did what to which thing, and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    artist_id: Mapped[int | None] = mapped_column(ForeignKey("artist.id", ondelete="SET NULL"))
    # Kept as written: the log still says who it was after the account is gone.
    who: Mapped[str] = mapped_column(db.String(254))
    action: Mapped[str] = mapped_column(db.String(40))
    subject: Mapped[str] = mapped_column(db.String(300))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
