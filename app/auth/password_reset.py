"""Password reset: the signed link, and the job that mails it.

The web request only enqueues, so "Forgot password?" answers equally fast whether or not the
address has an account. The link is bound to a digest of the current password hash, so it
works once: setting a new password makes it stale.
"""

import hashlib

from app.auth import mail
from app.extensions import db
from app.jobs import enqueue
from app.models import Artist
from app.signed_tokens import SignedToken

RESET_MAX_AGE = 60 * 60  # one hour
_TOKENS = SignedToken("password-reset", max_age=RESET_MAX_AGE)


def _digest(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def password_reset_token(artist: Artist) -> str:
    return _TOKENS.dumps({"artist": artist.id, "password": _digest(artist.password_hash)})


def artist_for_reset(token: str) -> Artist | None:
    """The artist a reset link is for, or None if it is forged, expired or already used."""
    data = _TOKENS.loads(token)
    artist = Artist.named_in(data)
    if artist is None or data.get("password") != _digest(artist.password_hash):
        return None
    return artist


def request_password_reset(email: str) -> None:
    enqueue(send_password_reset, Artist.normalize_email(email), queue_name="mail")


def send_password_reset(email: str) -> bool:
    """Mail a reset link if `email` has an account; say nothing otherwise."""
    artist = db.session.scalar(db.select(Artist).filter_by(email=email))
    if artist is None:
        return False
    link = mail.link("auth.reset_password", token=password_reset_token(artist))
    mail.send(
        artist.email, "Reset your Dropday password", "password_reset", artist=artist, link=link
    )
    return True
