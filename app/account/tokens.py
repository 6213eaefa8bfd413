"""The signed link that confirms a new email address.

Nothing is stored: the link carries the artist, the new address and a digest of the current
one, signed and dated, so it works once (after the change the digest no longer matches).
"""

import hashlib

from app.models import Artist
from app.signed_tokens import SignedToken

EMAIL_MAX_AGE = 24 * 60 * 60  # a day: the new mailbox may be read later
_TOKENS = SignedToken("email-change", max_age=EMAIL_MAX_AGE)


def _digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def email_change_token(artist: Artist, new_email: str) -> str:
    return _TOKENS.dumps({"artist": artist.id, "email": new_email, "old": _digest(artist.email)})


def email_change(token: str) -> tuple[Artist, str] | None:
    """(artist, new address) of a confirmation link, or None if forged, expired or used."""
    data = _TOKENS.loads(token)
    artist = Artist.named_in(data)
    if artist is None or data.get("old") != _digest(artist.email):
        return None
    new_email = data.get("email")
    return (artist, new_email) if isinstance(new_email, str) else None
