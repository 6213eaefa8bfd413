"""Fixtures: a real database (SQLite or TEST_DATABASE_URL), real Redis, per-test rollback.

Each test gets `create_app(test_config)` and a database session bound to one connection whose
outer transaction is rolled back afterwards, so tests never see each other's rows. Tests whose
code runs in other threads or processes (browser tests through `live_server`, release day) use
`committed_app`, which commits for real and empties the tables afterwards.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import boto3
import pytest
import requests
from cryptography.fernet import Fernet
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from redis import Redis
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.serving import make_server

from app import create_app, mailbox
from app.extensions import db
from app.local_redis import start_redis
from app.simulator import defaults as simulator_defaults
from tests import factories


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    proc, url = start_redis()
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            requests.get(url, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered at {url}")


@pytest.fixture(scope="session")
def s3_server():
    """A local S3-compatible server (moto's standalone server), reached over HTTP."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def s3_client(settings: dict):
    """A client of the local S3 server, as the bucket's owner (settings: s3_settings')."""
    return boto3.client(
        "s3",
        endpoint_url=settings["MEDIA_S3_ENDPOINT_URL"],
        region_name=settings["MEDIA_S3_REGION"],
        aws_access_key_id=settings["MEDIA_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["MEDIA_S3_SECRET_ACCESS_KEY"],
    )


@pytest.fixture
def s3_settings(s3_server):
    """Settings for a new, empty bucket on the local S3 server."""
    settings = {
        "MEDIA_S3_BUCKET": f"artwork-{uuid.uuid4().hex[:12]}",
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ACCESS_KEY_ID": "testing",
        "MEDIA_S3_SECRET_ACCESS_KEY": "testing",
    }
    s3_client(settings).create_bucket(Bucket=settings["MEDIA_S3_BUCKET"])
    return settings


MEDIA_BACKENDS = ("folder", "database", "s3")


@pytest.fixture(params=MEDIA_BACKENDS)
def media_backend(request, test_config, tmp_path):
    """Runs a test once per media storage backend (ask for it before `app`); the folder is
    the test's own, the bucket new."""
    test_config["MEDIA_STORAGE"] = request.param
    test_config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    if request.param == "s3":
        test_config.update(request.getfixturevalue("s3_settings"))
    return request.param


@pytest.fixture(scope="session")
def mail_server(tmp_path_factory):
    """One real SMTP server (app/mailbox.py) for the session; every app sends to it."""
    server = mailbox.start(tmp_path_factory.mktemp("mailbox"))
    yield server
    server.stop()


@pytest.fixture
def mailbox_messages(mail_server):
    """What the SMTP server received during this test: call it for the messages so far."""
    mail_server.clear()
    return mail_server.messages


@pytest.fixture(scope="session")
def base_config(database_url, redis_url, mail_server, tmp_path_factory):
    return {
        "TESTING": True,
        "DROPDAY_ENV": "development",
        "DEBUG": False,
        "SECRET_KEY": "test-secret-key",
        "TOKEN_KEYS": Fernet.generate_key().decode(),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
        "PLATFORM_MODE": "simulator",
        "PUBLIC_URL": "http://localhost",
        "SERVER_NAME": None,
        "MAIL_SERVER": mail_server.host,
        "MAIL_PORT": mail_server.port,
        "MAIL_SUPPRESS_SEND": False,  # mail really travels over SMTP, to the test server
        "FAN_PAGE_CACHE_SECONDS": 0,  # tests change campaigns and look again at once
        "INSIGHTS_FLUSH_SECONDS": 0,  # ... and read the counts at once
        # Fast hashes: the suite makes an artist in most tests. test_auth.py checks that the
        # real default, scrypt, is what an app gets unless told otherwise.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    }


@pytest.fixture(scope="session")
def migrated(base_config):
    """The schema, built by the migrations (as production builds it)."""
    app = create_app(base_config)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return True


@pytest.fixture
def empty_database(database_url, tmp_path):
    """An empty database of its own for a migration test, so the shared test schema is never
    rolled back: a SQLite file, or a fresh PostgreSQL database dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'populated.db'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_migration"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture
def test_config(base_config):
    """Tests override settings by changing this dict before asking for `app`."""
    return dict(base_config)


@pytest.fixture
def behind_a_proxy(test_config):
    """One trusted proxy: the app sees each client by its X-Forwarded-For address (ask for it
    before `app`)."""
    test_config["TRUSTED_PROXIES"] = 1


@pytest.fixture
def app(test_config, migrated, redis_url):
    app = create_app(test_config)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy drive it.
        event.listen(engine, "connect", _sqlite_manual_transactions)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    connection = engine.connect()
    outer = connection.begin()
    real_session = db.session
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=_app_ctx_id,
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
        db.session = real_session
        outer.rollback()
        connection.close()
        close_app(app)
        flush_redis(redis_url)


@pytest.fixture
def make_app(test_config, migrated):
    """Build extra apps with changed settings; their connections are closed afterwards."""
    apps = []

    def build(**overrides):
        apps.append(create_app(test_config | overrides))
        return apps[-1]

    yield build
    for extra in apps:
        close_app(extra)


def close_app(app):
    """Close what an app opened, so no connection outlives its test."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    redis = app.extensions.get("dropday.redis")
    if redis is not None:
        redis.close()


def flush_redis(redis_url):
    with Redis.from_url(redis_url) as redis:
        redis.flushdb()


def _sqlite_manual_transactions(dbapi_connection, _record):
    dbapi_connection.isolation_level = None


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """Factories that write rows: `make.artist()`, `make.campaign(owner=...)`."""
    return factories.Factories(app)


@pytest.fixture
def artist(make):
    return make.artist(email="ada@example.com", name="Ada")


@pytest.fixture
def logged_in(client, artist):
    """The test client, logged in as `artist`."""
    factories.log_in(client, artist.email)
    return client


# The simulator's clients in tests: short timeouts, so "slow answer" faults take a second.
TIMEOUT = 0.5  # the clients' read timeout
SLOW = 1.5  # how long a "slow" fault sleeps: beyond TIMEOUT


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(10)


def empty_tables(app) -> None:
    """Delete every row a committing test wrote, children before parents."""
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture
def committed_app(test_config, migrated, redis_url):
    """An app whose sessions commit for real, as in production, for tests whose code runs in
    other threads or processes (which can't see a rolled-back test's rows); the tables are
    emptied afterwards."""
    app = create_app(test_config)
    yield app
    empty_tables(app)
    close_app(app)
    flush_redis(redis_url)


@pytest.fixture
def live_server(committed_app):
    """The app served over real HTTP from a thread; its writes are committed, then wiped."""
    with LiveServer(committed_app) as server:
        yield server


@pytest.fixture(scope="session")
def simulator_server(base_config, migrated, redis_url):
    """One app serving the simulator over real HTTP for the whole session: starting an app
    and a server per test cost more than most of these tests."""
    app = create_app(base_config | {"PLATFORM_TIMEOUT": TIMEOUT, "SIMULATOR_SLOW_SECONDS": SLOW})
    with LiveServer(app) as server:
        simulator_defaults.point_at(app.config, server.url + "/simulator")
        yield server
    close_app(app)
