"""Artists: the people (or labels) who run campaigns in the dashboard."""

import functools

from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.models.workspace import Membership, Workspace


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when the email is unknown, so a miss costs as long as a wrong
    password."""
    return generate_password_hash("not-a-real-password", method=method)


class Artist(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(db.String(254), unique=True)
    name: Mapped[str] = mapped_column(db.String(120))
    password_hash: Mapped[str] = mapped_column(db.String(255))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    personal_workspace = relationship(
        "Workspace", back_populates="personal_of", uselist=False, passive_deletes=True
    )
    memberships = relationship(
        "Membership", back_populates="artist", cascade="all, delete-orphan", passive_deletes=True
    )
    login_sessions = relationship(
        "LoginSession", back_populates="artist", cascade="all, delete-orphan", passive_deletes=True
    )

    # The log-in session this request came with and its token (see models/login_session.py).
    # Flask-Login keeps get_id() in the cookie, so the cookie names a session, not the artist.
    current_session = None
    session_token = None

    def __init__(self, **fields):
        """Every account comes with its personal workspace, where it is the owner."""
        super().__init__(**fields)
        self.personal_workspace = Workspace(name=self.name or "Personal")
        self.personal_workspace.memberships.append(Membership(artist=self, role="owner"))

    def get_id(self) -> str | None:
        return self.session_token

    @staticmethod
    def normalize_email(email: str) -> str:
        return email.strip().lower()

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @classmethod
    def named_in(cls, data) -> "Artist | None":
        """The artist whose id a signed link carries under "artist", if it still exists."""
        artist_id = data.get("artist") if isinstance(data, dict) else None
        return db.session.get(cls, artist_id) if type(artist_id) is int else None

    @classmethod
    def authenticate(cls, email: str, password: str) -> "Artist | None":
        artist = db.session.scalar(db.select(cls).filter_by(email=cls.normalize_email(email)))
        if artist is None:
            check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
            return None
        return artist if artist.check_password(password) else None
