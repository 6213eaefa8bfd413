"""Stored media: artwork renditions kept in the database (MEDIA_STORAGE=database).

A table of its own, so no campaign query ever reads image bytes; the checksum is the ETag
and what `flask media migrate` verifies copies by.
"""

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class StoredMedia(db.Model):
    name: Mapped[str] = mapped_column(db.String(200), primary_key=True)
    content_type: Mapped[str] = mapped_column(db.String(64))
    size: Mapped[int]
    checksum: Mapped[str] = mapped_column(db.String(64))  # sha256, hex
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
