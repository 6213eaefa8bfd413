"""Signed tokens: a value signed with SECRET_KEY for one purpose, optionally dated.

Every link, cookie or form token Dropday signs goes through `SignedToken`, so each purpose
has its own salt (a token for one cannot be replayed as another) and a forged, tampered,
oversized or expired token reads as None, never as an exception.
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer


class SignedToken:
    """Tokens for `purpose`; with `max_age` (seconds) they are dated and expire."""

    def __init__(self, purpose: str, max_age: int | None = None, max_length: int = 1000):
        self.salt = f"dropday.{purpose}"
        self.max_age = max_age
        self.max_length = max_length

    def _serializer(self) -> URLSafeSerializer:
        kind = URLSafeSerializer if self.max_age is None else URLSafeTimedSerializer
        return kind(current_app.config["SECRET_KEY"], salt=self.salt)

    def dumps(self, value) -> str:
        return self._serializer().dumps(value)

    def loads(self, token: str | None):
        """The signed value, or None if `token` is not one Dropday signed for this purpose
        (or is too old)."""
        if not isinstance(token, str) or not token or len(token) > self.max_length:
            return None
        serializer = self._serializer()
        try:
            if self.max_age is None:
                return serializer.loads(token)
            return serializer.loads(token, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
