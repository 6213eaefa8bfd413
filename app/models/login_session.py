"""Log-in sessions, kept in the database so that logging out really ends them.

Flask's session cookie is signed, not stored: a copy taken before "Log out" would stay valid
for as long as the cookie says. So each log-in gets a row here, and the cookie carries only
that row's random token as Flask-Login's user id (its "alternative id" pattern). Deleting the
row ends the session wherever the cookie was copied to; deleting all of an artist's rows is
"log out everywhere". Only a hash of the token is stored, so a read of this table alone
cannot be replayed as a log-in. A session also ends on its own after LIFETIME, so a cookie
left in a forgotten browser does not stay good for ever.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

LIFETIME = timedelta(days=30)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginSession(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    artist = relationship("Artist", back_populates="login_sessions")

    @classmethod
    def start(cls, artist) -> tuple["LoginSession", str]:
        """A new session row for `artist` and the token its cookie will carry."""
        # Sessions that ran out are swept here, on the artist's next log-in.
        db.session.execute(
            db.delete(cls).where(cls.artist_id == artist.id, cls.created_at < _oldest())
        )
        token = secrets.token_urlsafe(32)
        row = cls(artist=artist, token_hash=token_digest(token))
        db.session.add(row)
        return row, token

    @classmethod
    def find(cls, token: str) -> "LoginSession | None":
        """The live session this token belongs to, if any."""
        query = db.select(cls).filter_by(token_hash=token_digest(token))
        query = query.where(cls.created_at >= _oldest())
        return db.session.scalar(query.options(joinedload(cls.artist)))


def _oldest() -> datetime:
    return utcnow() - LIFETIME
