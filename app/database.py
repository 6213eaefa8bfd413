"""What depends on the database engine: SQLite's pragmas, and the one dialect-aware INSERT
(PostgreSQL's and SQLite's both offer ON CONFLICT; any other database is refused loudly
rather than given SQLite's statement)."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def init_database(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Enforce foreign keys (off by default); let the web process and the worker share the
    # file without "database is locked" errors.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert(table, dialect: str | None = None):
    """An INSERT for `table` (a model or Table) with the dialect's ON CONFLICT clauses, for the
    session's database unless `dialect` is named."""
    dialect = dialect or db.session.get_bind().dialect.name
    if dialect not in _INSERTS:
        raise RuntimeError(f"Dropday runs on PostgreSQL or SQLite, not {dialect}")
    return _INSERTS[dialect](table)
