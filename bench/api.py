"""The API at scale: a streamed subscribers export, and webhooks delivered by two workers.

    .venv/bin/python bench/api.py [EXPORT_ROWS] [WEBHOOKS]   (defaults 1,000,000 and 10,000)

On PostgreSQL (its own database BENCH_DATABASE, default .../bench_api, dropped and created)
and Redis db BENCH_REDIS (default 6): seeds one campaign with EXPORT_ROWS signups, then
streams GET /api/v1/campaigns/<id>/subscribers/export (NDJSON and CSV) through the app with a
token, printing the time and this process's RSS growth while streaming (targets: under 30 s,
under 50 MB). Then queues WEBHOOKS signup.created events for a local keep-alive receiver,
starts two worker processes that each run the delivery job (deliver.run), and prints how
long until every one arrived, how many arrived twice (targets: within 2 minutes, none), and
how many outbox rows are recorded done.

A benchmark, not a test: it prints figures.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

DB_URL = os.environ.get("BENCH_DATABASE", "postgresql://postgres@127.0.0.1:5432/bench_api")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/6")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fresh_database() -> None:
    name = DB_URL.rsplit("/", 1)[1]
    with psycopg.connect(DB_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def config(instance: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": DB_URL.replace("postgresql://", "postgresql+psycopg://"),
        "REDIS_URL": REDIS_URL,
        "PLATFORM_MODE": "live",
        "RATELIMIT_ENABLED": False,
        "UPLOAD_FOLDER": instance,
        "WEBHOOK_ALLOW_PRIVATE": True,
    }


class Receiver:
    """Counts each idempotency id it is sent."""

    def __init__(self):
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as any web server a receiver runs on

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    uid = self.headers["Dropday-Webhook-Id"]
                    receiver.seen[uid] = receiver.seen.get(uid, 0) + 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


WORKER = """
import sys
sys.path.insert(0, {root!r})
from app import create_app
from app.jobs import make_worker
from app.release_day.deliver import run
app = create_app({config!r})
with app.app_context():
    run(budget=600)
"""


def main() -> None:
    export_rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    hooks = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    fresh_database()
    instance = tempfile.mkdtemp(prefix="bench-api-")
    os.environ.update(DROPDAY_INSTANCE=instance, DROPDAY_ENV="development")
    from flask_migrate import upgrade
    from redis import Redis
    from sqlalchemy import text

    from app import create_app
    from app.account.api_tokens import create_token
    from app.extensions import db
    from app.models import Artist, Campaign, WebhookEndpoint
    from app.release_day import webhook_events, webhooks

    Redis.from_url(REDIS_URL).flushdb()
    app = create_app(config(instance))
    receiver = Receiver()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        artist = Artist(email="bench@example.com", name="Bench")
        artist.set_password("bench password 1")
        campaign = Campaign(
            creator=artist, slug="bench-api", title="Bench", artist_name="Bench",
            source_kind="upc", source_value="602445790609", platforms=["spotify"],
        )  # fmt: skip
        campaign.schedule(campaign_day(), "UTC")
        db.session.add_all([artist, campaign])
        db.session.commit()
        campaign_id, workspace_id = campaign.id, campaign.workspace_id
        db.session.execute(
            text(
                "INSERT INTO signup (campaign_id, platform, mode, email, consent_version,"
                " unsubscribe_token, confirmed_at, created_at, updated_at)"
                " SELECT :c, 'spotify', 'email', 'fan' || n || '@example.com', 1,"
                " md5('b-' || n), now(), now(), now()"
                " FROM generate_series(1, :n) AS n"
            ),
            {"c": campaign_id, "n": export_rows},
        )
        db.session.commit()
        _, token = create_token(artist, workspace_id, "editor", "bench")

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for kind in ("ndjson", "csv"):
        before = peak = rss_mb()
        started = time.perf_counter()
        response = client.get(
            f"/api/v1/campaigns/{campaign_id}/subscribers/export?format={kind}",
            headers=headers,
            buffered=False,
        )
        size = 0
        for chunk in response.response:
            size += len(chunk)
            peak = max(peak, rss_mb())
        seconds = time.perf_counter() - started
        print(
            f"export {kind}: {export_rows:,} rows, {size / 1e6:.0f} MB in {seconds:.1f} s,"
            f" RSS growth {peak - before:.1f} MB"
        )

    with app.app_context():
        endpoint = WebhookEndpoint(
            workspace_id=workspace_id,
            url=receiver.url,
            secret=webhooks.new_secret(),
            events=["signup.created"],
        )
        db.session.add(endpoint)
        db.session.commit()
        for n in range(hooks):
            webhook_events.signup_event(
                "signup.created", campaign_id, n, email=f"hook{n}@example.com"
            )
            if n % 1000 == 999:
                db.session.commit()
        db.session.commit()
    script = WORKER.format(root=str(ROOT), config=config(instance))
    started = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(2)]
    while len(receiver.seen) < hooks and time.perf_counter() - started < 600:
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    for worker in workers:
        worker.wait(60)
    twice = sum(1 for count in receiver.seen.values() if count > 1)
    with app.app_context():
        done = db.session.scalar(
            text("SELECT count(*) FROM delivery WHERE kind = 'webhook' AND state = 'done'")
        )
    print(
        f"webhooks: {len(receiver.seen):,} of {hooks:,} delivered by two workers in"
        f" {seconds:.1f} s ({hooks / seconds:.0f}/s), {twice} twice, {done:,} rows done"
    )


def campaign_day():
    from datetime import date, timedelta

    return date.today() + timedelta(days=30)


if __name__ == "__main__":
    main()
