"""Stored media: artwork renditions kept in the database (MEDIA_STORAGE=database).

Tables of their own, so no campaign query ever reads image bytes. A rendition's description
(type, size, checksum) is one row; its bytes are rows of at most CHUNK bytes, read one by
one by (name, seq) as the answer is sent, so no process holds a whole file or a connection
for a slow client. The checksum is the ETag and what `flask media migrate` verifies by.
"""

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

CHUNK = 256 * 1024


class StoredMedia(db.Model):
    name: Mapped[str] = mapped_column(db.String(200), primary_key=True)
    content_type: Mapped[str] = mapped_column(db.String(64))
    size: Mapped[int]
    checksum: Mapped[str] = mapped_column(db.String(64))  # sha256, hex
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class MediaChunk(db.Model):
    name: Mapped[str] = mapped_column(
        db.String(200), db.ForeignKey("stored_media.name", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
