"""A fan's platform tokens are copied to and from a row in one place (HoldsTokens), the
same for a connection waiting for the fan's email and for a finished one."""

from datetime import UTC, datetime

import pytest

from app.models import Connection, PendingConnect
from app.platforms.base import Tokens

EXPIRY = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("row_type", [PendingConnect, Connection])
def test_a_row_gives_back_the_tokens_it_was_given(row_type):
    row = row_type()
    row.store_tokens(Tokens("access", "refresh", EXPIRY, "library"))
    assert row.tokens == Tokens("access", "refresh", EXPIRY, "library")


def test_a_refresh_without_a_new_refresh_token_keeps_the_current_one():
    connection = Connection()
    connection.store_tokens(Tokens("access", "refresh", EXPIRY, "library"))
    connection.store_tokens(Tokens("newer", None, None, None), refreshed=True)
    assert connection.tokens == Tokens("newer", "refresh", None, "library")
    assert connection.expires_at is None  # the column the synonym names


def test_a_new_grant_replaces_everything_even_an_absent_refresh_token():
    connection = Connection()
    connection.store_tokens(Tokens("access", "refresh", EXPIRY, "library"))
    connection.store_tokens(Tokens("apple-user-token"))
    assert connection.tokens == Tokens("apple-user-token")
