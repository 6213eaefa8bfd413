"""Column types shared by the models."""

import functools
from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import DateTime, Text
from sqlalchemy.types import TypeDecorator

from app import clock


def utcnow() -> datetime:
    return clock.now()


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database.

    SQLite keeps no offset, so values are stored as naive UTC and handed back aware;
    PostgreSQL gets `timestamptz`. Naive values are refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@functools.cache
def fernet_for(keys: str) -> MultiFernet:
    """`keys`: TOKEN_KEYS, comma-separated, newest first. The first encrypts; all decrypt."""
    return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])


def token_fernet() -> MultiFernet:
    return fernet_for(current_app.config["TOKEN_KEYS"])


class EncryptedText(TypeDecorator):
    """Text encrypted at rest with the app's TOKEN_KEYS (Fernet: AES-128-CBC + HMAC).

    Used for fans' platform tokens: a copy of the database alone reveals none of them.
    `flask rotate-token-keys` re-encrypts every value with the newest key.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return token_fernet().encrypt(value.encode()).decode()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return token_fernet().decrypt(value.encode()).decode()
        except InvalidToken as exc:
            raise RuntimeError(
                "A stored token cannot be decrypted with TOKEN_KEYS: keep old keys in the "
                "list (newest first) until `flask rotate-token-keys` has run."
            ) from exc
