"""Personal access tokens for the HTTP API: one workspace, one role, stored only as a hash."""

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.models.workspace import ROLES


class ApiToken(db.Model):
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(db.String(80))
    role: Mapped[str] = mapped_column(db.String(10))
    # SHA-256 of the token: the token is 32 random bytes, so a fast hash is enough, and a
    # leaked table gives no usable token. The first characters are kept to tell tokens apart.
    digest: Mapped[str] = mapped_column(db.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(db.String(12))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_at = mapped_column(UTCDateTime)
    revoked_at = mapped_column(UTCDateTime)

    workspace = relationship("Workspace")
