"""The one dialect-aware INSERT: PostgreSQL's or SQLite's, and nothing else silently."""

import pytest

from app import database
from app.models import PushSubscription


def test_an_insert_speaks_the_session_s_database(app):
    with app.app_context():
        dialect = database.db.session.get_bind().dialect.name
        statement = database.insert(PushSubscription).on_conflict_do_nothing()
        assert type(statement).__module__.endswith(f"dialects.{dialect}.dml")


def test_a_database_other_than_postgresql_or_sqlite_is_refused_not_given_sqlite_s_insert():
    with pytest.raises(RuntimeError, match="PostgreSQL or SQLite, not mysql"):
        database.insert(PushSubscription, "mysql")
