"""What depends on the database engine: SQLite's pragmas, the one dialect-aware INSERT
(PostgreSQL's and SQLite's both offer ON CONFLICT; any other database is refused loudly
rather than given SQLite's statement), and statements marked BINARY_RESULTS, whose rows
PostgreSQL sends in its binary format."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def init_database(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "do_execute", _binary_results)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Enforce foreign keys (off by default); let the web process and the worker share the
    # file without "database is locked" errors.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# A statement's execution option: in the text format PostgreSQL sends bytea hex-encoded,
# which costs the server and this process about four times as much for an artwork-sized
# value. (SQLite hands bytes back as they are.)
BINARY_RESULTS = {"binary_results": True}


def _binary_results(cursor, statement, parameters, context):
    if context is None or not context.execution_options.get("binary_results"):
        return None  # executed as usual
    cursor.execute(statement, parameters, binary=True)  # psycopg's binary format
    return True


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert(table, dialect: str | None = None):
    """An INSERT for `table` (a model or Table) with the dialect's ON CONFLICT clauses, for the
    session's database unless `dialect` is named."""
    dialect = dialect or db.session.get_bind().dialect.name
    if dialect not in _INSERTS:
        raise RuntimeError(f"Dropday runs on PostgreSQL or SQLite, not {dialect}")
    return _INSERTS[dialect](table)
