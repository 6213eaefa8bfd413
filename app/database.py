"""Engine set-up that depends on the database: SQLite needs a few pragmas to behave."""

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


def dialect_insert(target):
    """INSERT for the session's database, with its ON CONFLICT clauses (both dialects we
    run on have them, under the same names)."""
    dialect = db.session.get_bind().dialect.name
    builder = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if builder is None:
        raise RuntimeError(f"Dropday needs PostgreSQL or SQLite, not {dialect}")
    return builder(target)
