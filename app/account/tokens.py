"""Signed links for email: password reset and email confirmation.

Nothing is stored: a link carries what it is for, signed with SECRET_KEY and dated
(itsdangerous). Each is bound to state the link changes, so it works once: a reset link to a
digest of the current password hash, an email link to the current address.
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.extensions import db
from app.models import Artist

RESET_MAX_AGE = 60 * 60  # one hour
EMAIL_MAX_AGE = 24 * 60 * 60  # a day: the new mailbox may be read later


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"dropday.{purpose}")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def password_reset_token(artist: Artist) -> str:
    return _serializer("password-reset").dumps(
        {"artist": artist.id, "password": _digest(artist.password_hash)}
    )


def artist_for_reset(token: str) -> Artist | None:
    """The artist a reset link is for, or None if it is forged, expired or already used."""
    data = _load("password-reset", token, RESET_MAX_AGE)
    artist = _artist(data)
    if artist is None or data.get("password") != _digest(artist.password_hash):
        return None
    return artist


def email_change_token(artist: Artist, new_email: str) -> str:
    return _serializer("email-change").dumps(
        {"artist": artist.id, "email": new_email, "old": _digest(artist.email)}
    )


def email_change(token: str) -> tuple[Artist, str] | None:
    """(artist, new address) of a confirmation link, or None if forged, expired or used."""
    data = _load("email-change", token, EMAIL_MAX_AGE)
    artist = _artist(data)
    if artist is None or data.get("old") != _digest(artist.email):
        return None
    new_email = data.get("email")
    return (artist, new_email) if isinstance(new_email, str) else None


def _load(purpose: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return {}
    return data if isinstance(data, dict) else {}


def _artist(data: dict) -> Artist | None:
    artist_id = data.get("artist")
    if not isinstance(artist_id, int) or isinstance(artist_id, bool):
        return None
    return db.session.get(Artist, artist_id)
