"""The audience at scale: the Audience page and its export over 1,000,000 fans, and an
announcement to 100,000 fans against plain smtplib.

    .venv/bin/python bench/audience.py
    .venv/bin/python bench/audience.py --members 200000 --announce 20000

On PostgreSQL (its own database, dropped and created): one workspace with --members
audience members (one SQL INSERT ... SELECT over generate_series, through the counting
triggers), then, over HTTP through the app's
test client (logged in): the Audience page's first page (with its counts), a page in the
middle and the oldest page (keyset: each reads one page of rows), whole and as htmx
swaps, and the counts (their own request), median of 5; the CSV
export streamed to the end, with its time and the growth of this process's peak RSS. Then a
second artist with --announce members announces a campaign; two real worker processes
(`python worker.py`) send it through the outbox to a discarding SMTP sink (bench/
release_day.py's, with its database, app and worker set-up), and the run prints the
announcement's emails per second beside a plain-smtplib baseline over one connection.
bench/release_day.py prints the release-day email rate the same way, for comparison.

A benchmark, not a test: it prints figures (targets: every page under 300 ms, the export
under 60 s with flat memory, the announcement at no less than the release-day email rate).
"""

import argparse
import os
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cryptography.fernet import Fernet  # noqa: E402
from redis import Redis  # noqa: E402
from release_day import (  # noqa: E402
    baseline,
    ensure_database,
    make_app,
    peak_rss_mb,
    serve,
    start_sink,
    start_workers,
)
from sqlalchemy import func, select, text  # noqa: E402

PASSWORD = "bench-password-123"
SEED = text(
    """
    INSERT INTO audience_member (workspace_id, email, platform, country, first_campaign_id,
        first_source, consent_version, consented_at, first_signup_at, last_signup_at,
        withdraw_token)
    SELECT :workspace, 'fan' || n || '@example.com',
        (ARRAY['spotify','apple_music','deezer','tidal','youtube_music'])[1 + n % 5],
        (ARRAY['US','DE','FR','GB','BR',NULL])[1 + n % 6], :campaign, 'direct', 1, now(),
        now() - make_interval(secs => :count - n), now(), md5(:workspace || '-' || n)
    FROM generate_series(1, :count) AS n
    """
)
JOINED = text(
    "INSERT INTO audience_campaign (member_id, campaign_id) "
    "SELECT id, :campaign FROM audience_member WHERE workspace_id = :workspace"
)


def seed_audience(app, email: str, count: int) -> tuple[int, int]:
    from app.extensions import db
    from tests.factories import Factories

    make = Factories(app)
    artist = make.artist(email=email, password=PASSWORD)
    campaign = make.campaign(artist, artist_name="Bench Artist")
    with app.app_context():
        params = {"workspace": campaign.workspace_id, "campaign": campaign.id, "count": count}
        db.session.execute(SEED, params)
        db.session.execute(JOINED, params)
        db.session.commit()
        db.session.execute(text("ANALYZE audience_member"))
        db.session.execute(text("ANALYZE audience_campaign"))
        db.session.commit()
    return campaign.workspace_id, campaign.id


def timed(client, url: str, runs: int = 5, headers=None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        assert response.status_code == 200, (url, response.status_code)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def pages_and_export(app, workspace_id: int) -> dict:
    from app.extensions import db
    from app.models import AudienceMember
    from app.subscribers.listing import Cursor

    with app.app_context():
        ordered = select(AudienceMember.first_signup_at, AudienceMember.id).where(
            AudienceMember.workspace_id == workspace_id
        )
        count = db.session.scalar(select(func.count()).select_from(ordered.subquery()))
        middle = db.session.execute(
            ordered.order_by(AudienceMember.first_signup_at, AudienceMember.id).offset(count // 2)
        ).first()
        oldest = db.session.execute(
            ordered.order_by(AudienceMember.first_signup_at, AudienceMember.id).limit(1)
        ).first()
    client = app.test_client()
    login = client.post("/login", data={"email": "big@example.com", "password": PASSWORD})
    assert login.status_code in {302, 303}, login.status_code
    swap = {"HX-Request": "true"}
    result = {
        "first page (whole page)": timed(client, "/dashboard/audience"),
        "counts (their own request)": timed(client, "/dashboard/audience/counts", headers=swap),
        "a page in the middle (htmx)": timed(
            client, f"/dashboard/audience?before={Cursor(*middle)}", headers=swap
        ),
        "a page in the middle (whole page)": timed(
            client, f"/dashboard/audience?before={Cursor(*middle)}"
        ),
        "the oldest page (htmx)": timed(
            client, f"/dashboard/audience?after={Cursor(oldest[0], oldest[1] - 1)}", headers=swap
        ),
        "a search (email starts with)": timed(client, "/dashboard/audience?q=fan4242", runs=3),
        "a broad search (q=fan9)": timed(client, "/dashboard/audience?q=fan9", runs=3),
    }
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get("/dashboard/audience.csv")
    size = sum(len(chunk) for chunk in response.response)
    result["export seconds"] = time.perf_counter() - started
    result["export MB"] = size / 1e6
    result["export peak RSS growth MB"] = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    )
    return result


def announce(app, args, secrets_: dict, sink_port: int, root: str) -> dict:
    from app.audience import announcements
    from app.extensions import db
    from app.models import Announcement, Campaign, Delivery

    _, campaign_id = seed_audience(app, "announcer@example.com", args.announce)
    with Redis.from_url(args.redis_url) as redis:
        redis.flushdb()
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}} | {
        "DROPDAY_ENV": "development",
        "DROPDAY_INSTANCE": tempfile.mkdtemp(prefix="bench-audience-"),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "PUBLIC_URL": "http://localhost",
        "PLATFORM_MODE": "simulator",
        "SIMULATOR_URL": root + "/simulator",
        "APPLE_PRIVATE_KEY": app.config["APPLE_PRIVATE_KEY"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(sink_port),
        "VAPID_PRIVATE_KEY": app.config["VAPID_PRIVATE_KEY"],
        "PYTHONPATH": str(ROOT),
        **secrets_,
    }
    workers = start_workers(2, env)
    peaks = [0.0, 0.0]
    try:
        with app.app_context():
            announcement = announcements.send(db.session.get(Campaign, campaign_id), "Soon!")
            announcement_id = announcement.id
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline:
                peaks = [max(p, peak_rss_mb(w.pid)) for p, w in zip(peaks, workers, strict=True)]
                left = db.session.scalar(
                    select(func.count()).where(
                        Delivery.announcement_id == announcement_id,
                        Delivery.state.in_(("due", "running")),
                    )
                )
                db.session.rollback()
                if left == 0:
                    break
                time.sleep(2)
            created = db.session.scalar(
                select(Announcement.created_at).where(Announcement.id == announcement_id)
            )
            done, last = db.session.execute(
                select(func.count(), func.max(Delivery.done_at)).where(
                    Delivery.announcement_id == announcement_id, Delivery.state == "done"
                )
            ).one()
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
    seconds = max((last - created).total_seconds(), 1e-6) if last else float("nan")
    return {
        "sent": done,
        "of": args.announce,
        "seconds": seconds,
        "rate": done / seconds,
        "peaks": peaks,
        "baseline": baseline(min(args.announce, 20_000), sink_port),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Audience benchmark")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--announce", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_audience"
    )
    parser.add_argument("--redis-url", help="a Redis of its own (default: a bundled one)")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    redis = None
    if not args.redis_url:
        from app.local_redis import start_redis

        redis, args.redis_url = start_redis()
    sink, port = start_sink()
    try:
        secrets_ = {
            "SECRET_KEY": secrets.token_urlsafe(32),
            "TOKEN_KEYS": Fernet.generate_key().decode(),
        }
        ensure_database(args.database_url)
        app = make_app(args.database_url, args.redis_url, secrets_, port)
        app.config["WTF_CSRF_ENABLED"] = False  # the bench logs in with a plain POST
        root = serve(app)
        app.config["SIMULATOR_URL"] = root + "/simulator"
        print(f"seeding {args.members:,} audience members...", flush=True)
        workspace_id, _ = seed_audience(app, "big@example.com", args.members)
        figures = pages_and_export(app, workspace_id)
        print(f"\nAudience of {args.members:,}")
        for label, value in figures.items():
            unit = "" if label.startswith("export") else " ms"
            print(f"  {label:34} {value:10,.1f}{unit}")
        if args.announce:
            print(f"\nannouncing to {args.announce:,} fans with two workers...", flush=True)
            sent = announce(app, args, secrets_, port, root)
            print(f"  sent {sent['sent']:,} of {sent['of']:,} in {sent['seconds']:,.1f} s")
            print(f"  announcement emails per second     {sent['rate']:10,.0f}")
            print(f"  plain smtplib baseline (msg/s)     {sent['baseline']:10,.0f}")
            print(f"  ratio                              {sent['rate'] / sent['baseline']:10.2f}")
            peaks = " / ".join(f"{p:.0f}" for p in sent["peaks"])
            print(f"  peak worker RSS (MB)               {peaks}")
    finally:
        sink.terminate()
        if redis is not None:
            redis.terminate()


if __name__ == "__main__":
    main()
