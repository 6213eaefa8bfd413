"""Release day at scale: how fast do N fans get their email, push and save?

    .venv/bin/python bench/release_day.py                  # N = 10,000 and 100,000
    .venv/bin/python bench/release_day.py --n 10000
    .venv/bin/python bench/release_day.py --chaos --n 10000   # under fire (see below)

For each N, on PostgreSQL (its own database, created if missing): seeds N email signups,
plus 10% direct saves (TIDAL and Apple Music, half each; YouTube Music is left out because
its 10,000-unit daily quota allows some 200 likes a day) and 10% push subscriptions; makes
the release live in the platform simulator (served from this process over HTTP, platforms
and push service); runs two real worker processes (`python worker.py`, whose cron tick
starts detection); and waits until every delivery is final. Then, in the same run, a
baseline: plain `smtplib` sending N small messages over one connection to the same sink.

The SMTP sink is a minimal discarding SMTP server in its own process: not the dev mailbox,
which writes one file per message (100,000 files would measure the disk, not Dropday), nor
aiosmtpd, which spends about a millisecond of CPU on each message, on the same two cores
as the workers it is meant to measure.

Prints deliveries per second by kind, the time from the conversion to the last delivery,
each worker's peak RSS, the baseline and the ratio. A benchmark, not a test: no assertion.

`--chaos`: for each N three runs, all with a slow sink (20% of messages answered 0.5 s late,
every recipient recorded): calm; a worker SIGKILLed every 5 s and restarted, Redis emptied
once; the same with SIGTERM. Prints lost and duplicated emails, pushes and saves, the time
from the release moment to the first and the last delivery, and the recovery time after each
stop (until every row running at that moment was finished or claimed again).
"""

import argparse
import compileall
import multiprocessing
import os
import secrets
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from redis import Redis  # noqa: E402
from rq import Worker  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

PLATFORMS = ["spotify", "deezer", "tidal", "apple_music"]
SOURCE = "spotify:album:4aawyAB9vmqN3uQ7FjRGTy"  # the simulator's demo album


# -- the SMTP sink --------------------------------------------------------------------------


async def _session(reader, writer, slow: float = 0.0, record=None) -> None:
    """One SMTP conversation, answered and discarded: just enough RFC 5321 for smtplib.
    `slow`: the share of messages answered 0.5 s late; `record`: a file the recipient of
    every accepted message is written to, a line each."""
    import asyncio
    import random

    writer.write(b"220 sink ESMTP\r\n")
    recipients = []
    while line := await reader.readline():
        verb = line[:4].upper()
        if verb == b"EHLO":
            writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n")
        elif verb == b"RCPT":
            recipients.append(line.split(b"<", 1)[1].split(b">", 1)[0].decode())
            writer.write(b"250 OK\r\n")
        elif verb == b"DATA":
            writer.write(b"354 go ahead\r\n")
            await reader.readuntil(b"\r\n.\r\n")
            if random.random() < slow:
                await asyncio.sleep(0.5)
            if record:
                record.write("".join(f"{r}\n" for r in recipients))
                record.flush()
            recipients = []
            writer.write(b"250 OK\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        else:  # HELO, MAIL, RCPT, RSET, NOOP
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


def _sink(port: int, slow: float = 0.0, record_path: str | None = None) -> None:
    import asyncio
    import functools

    record = open(record_path, "a") if record_path else None  # noqa: SIM115 - the process's
    session = functools.partial(_session, slow=slow, record=record)

    async def serve():
        server = await asyncio.start_server(session, "127.0.0.1", port, limit=2**24)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


def start_sink(slow: float = 0.0, record_path: str | None = None):
    from app.local_redis import free_port

    port = free_port()
    process = multiprocessing.Process(target=_sink, args=(port, slow, record_path), daemon=True)
    process.start()
    for _ in range(100):
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            return process, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP sink did not start")


def baseline(n: int, port: int) -> float:
    """Plain smtplib: n small messages over one connection; messages per second."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            message = EmailMessage()
            message["From"] = "noreply@localhost"
            message["To"] = f"fan{i}@example.com"
            message["Subject"] = "Out now"
            message.set_content("The release is out now: http://localhost/r/x\n")
            smtp.send_message(message)
    return n / (time.perf_counter() - started)


# -- database, app, simulator -----------------------------------------------------------------


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def make_app(database_url: str, redis_url: str, secrets_: dict, sink_port: int):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app(
        {
            "DROPDAY_ENV": "development",
            "DEBUG": False,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://" + database_url.split("://", 1)[1],
            "REDIS_URL": redis_url,
            "PLATFORM_MODE": "simulator",
            "PUBLIC_URL": "http://localhost",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": sink_port,
            **secrets_,
        }
    )
    with app.app_context():
        upgrade()
    return app


def serve(app) -> str:
    import logging

    from werkzeug.serving import WSGIRequestHandler

    class KeepAlive(WSGIRequestHandler):
        # HTTP/1.1: the workers' pooled sessions keep their connections, as they would with
        # the real platforms and push services (HTTP/1.0 would connect once per request).
        protocol_version = "HTTP/1.1"

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request costs CPU
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=KeepAlive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def seed(app, sim, sim_url: str, n: int) -> int:
    from app.extensions import db
    from app.models import Artist, Campaign, Connection, PushSubscription, Signup
    from app.simulator import push as sim_push
    from app.simulator.musickit import USER_TOKEN_LIFETIME

    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        artist = Artist(email=f"bench{secrets.token_hex(4)}@example.com", name="Bench")
        artist.set_password("bench-password")
        db.session.add(artist)
        db.session.flush()
        campaign = Campaign(
            creator=artist,
            slug=f"bench-{secrets.token_hex(4)}",
            title="Midnight Signals",
            artist_name="The Night Owls",
            source_kind="spotify",
            source_value=SOURCE,
            platforms=PLATFORMS,
        )
        now = sim.now()
        campaign.schedule(now.date(), "UTC")
        campaign.release_at = now + timedelta(seconds=5)  # the workers' first ticks find it
        db.session.add(campaign)
        db.session.commit()
        campaign_id = campaign.id

        signups = [
            {
                "campaign_id": campaign_id,
                "platform": "spotify",
                "mode": "email",
                "email": f"fan{i:06d}@example.com",
                "consent_version": 1,
                "unsubscribe_token": secrets.token_urlsafe(32),
                "created_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ]
        for start in range(0, n, 5000):
            db.session.execute(insert(Signup), signups[start : start + 5000])
        db.session.commit()
        ids = db.session.scalars(
            select(Signup.id).where(Signup.campaign_id == campaign_id).order_by(Signup.id)
        ).all()

        # 10% direct saves: the first tenth of the fans connected TIDAL or Apple Music.
        sim.set_token_lifetime("apple_music", USER_TOKEN_LIFETIME)
        connections = []
        for k, signup_id in enumerate(ids[: n // 10]):
            platform = "tidal" if k % 2 else "apple_music"
            listener = f"bench{k}"
            sim.add_listener(listener)
            if platform == "tidal":
                issued = sim.issue_tokens(
                    "tidal",
                    app.config["TIDAL_CLIENT_ID"],
                    listener=listener,
                    scope="collection.read collection.write",
                )
            else:
                issued = sim.issue_tokens(
                    "apple_music", app.config["APPLE_TEAM_ID"], listener=listener, refresh=False
                )
            connections.append(
                {
                    "signup_id": signup_id,
                    "campaign_id": campaign_id,
                    "platform": platform,
                    "account_id": listener,
                    "access_token": issued.access.value,
                    "refresh_token": issued.refresh.value if issued.refresh else None,
                    "expires_at": issued.access.expires_at,
                    "status": "valid",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for start in range(0, len(connections), 2000):
            db.session.execute(insert(Connection), connections[start : start + 2000])
        db.session.execute(
            text(
                "UPDATE signup SET mode = 'direct', platform = c.platform "
                "FROM connection c WHERE c.signup_id = signup.id"
            )
        )
        # 10% push subscriptions: the last tenth of the fans.
        pushes = []
        for signup_id in ids[-(n // 10) :]:
            subscription = sim_push.subscribe(sim, sim_url)
            pushes.append(
                {
                    "signup_id": signup_id,
                    "endpoint": subscription["endpoint"],
                    "p256dh": subscription["keys"]["p256dh"],
                    "auth": subscription["keys"]["auth"],
                    "created_at": now,
                }
            )
        for start in range(0, len(pushes), 5000):
            db.session.execute(insert(PushSubscription), pushes[start : start + 5000])
        db.session.commit()
    return campaign_id


# -- workers --------------------------------------------------------------------------------


def compile_bytecode() -> None:
    """Compile the project's bytecode once, as a deploy's build step does: where
    PYTHONDONTWRITEBYTECODE is set, every restarted worker would compile it again."""
    compileall.compile_dir(ROOT / "app", quiet=1)
    compileall.compile_file(ROOT / "worker.py", quiet=1)


def start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    workers = []
    for _ in range(count):
        log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - kept open with the worker
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "worker.py")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        proc.log = log
        workers.append(proc)
    return workers


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(n: int, args, sink_port: int):
    """A fresh database seeded with N fans, the simulator served, the workers' environment."""
    secrets_ = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "TOKEN_KEYS": Fernet.generate_key().decode(),
    }
    ensure_database(args.database_url)
    app = make_app(args.database_url, args.redis_url, secrets_, sink_port)
    root = serve(app)
    sim_url = root + "/simulator"
    app.config["SIMULATOR_URL"] = sim_url
    sim = app.extensions["simulator"]
    sim.natural_limits = False
    sim.go_live("demo")
    with Redis.from_url(args.redis_url) as redis:
        redis.flushdb()
    print(f"N={n:,}: seeding...", flush=True)
    campaign_id = seed(app, sim, sim_url, n)

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    vapid = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}} | {
        "DROPDAY_ENV": "development",
        "DROPDAY_INSTANCE": tempfile.mkdtemp(prefix="bench-rday-"),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "PUBLIC_URL": "http://localhost",
        "PLATFORM_MODE": "simulator",
        "SIMULATOR_URL": sim_url,
        "APPLE_PRIVATE_KEY": app.config["APPLE_PRIVATE_KEY"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(sink_port),
        "VAPID_PRIVATE_KEY": vapid.decode(),
        "PYTHONPATH": str(ROOT),
        **secrets_,
    }
    return app, sim, campaign_id, env


def run(n: int, args, sink_port: int) -> dict:
    from app.extensions import db
    from app.models import Campaign, Delivery

    app, _sim, campaign_id, env = prepare(n, args, sink_port)
    print(f"N={n:,}: two workers, waiting for release day to finish...", flush=True)
    workers = start_workers(2, env)
    peaks = [0.0, 0.0]
    try:
        with app.app_context():
            deadline = time.monotonic() + args.timeout
            while True:
                for k, worker in enumerate(workers):
                    if worker.poll() is None:
                        peaks[k] = max(peaks[k], peak_rss_mb(worker.pid))
                converted = db.session.scalar(
                    select(Campaign.converted_at).where(Campaign.id == campaign_id)
                )
                left = db.session.scalar(
                    select(func.count())
                    .select_from(Delivery)
                    .where(Delivery.state.in_(("waiting", "due", "running")))
                )
                db.session.rollback()
                if converted and left == 0:
                    break
                if time.monotonic() > deadline:
                    print(f"  timed out with {left} deliveries left", flush=True)
                    break
                time.sleep(2)  # counting 100,000 rows costs PostgreSQL CPU: not too often
            rows = db.session.execute(
                select(
                    Delivery.kind,
                    Delivery.state,
                    func.count(),
                    func.min(Delivery.done_at),
                    func.max(Delivery.done_at),
                ).group_by(Delivery.kind, Delivery.state)
            ).all()
    finally:
        for worker in workers:
            if worker.poll() is None:
                peaks[workers.index(worker)] = max(
                    peaks[workers.index(worker)], peak_rss_mb(worker.pid)
                )
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
    by_kind = {}
    last = converted
    for kind, state, count, _first, latest in rows:
        entry = by_kind.setdefault(kind, {"done": 0, "other": 0, "last": converted})
        entry["done" if state == "done" else "other"] += count
        if latest and latest > entry["last"]:
            entry["last"] = latest
        if latest and latest > last:
            last = latest
    result = {"n": n, "kinds": {}, "span": (last - converted).total_seconds(), "peaks": peaks}
    for kind, entry in by_kind.items():
        seconds = max((entry["last"] - converted).total_seconds(), 1e-6)
        result["kinds"][kind] = (entry["done"], entry["other"], entry["done"] / seconds)
    print(f"N={n:,}: plain smtplib baseline...", flush=True)
    # Its rate is per message: beyond a few ten thousand it only takes longer.
    result["baseline"] = baseline(min(n, args.baseline_max), sink_port)
    return result


# -- under fire -------------------------------------------------------------------------------


def chaos(n: int, args, stop: signal.Signals | None) -> dict:
    """One run with a slow sink; with `stop`, a worker stopped that way every 5 s and
    restarted, and Redis emptied once."""
    from collections import Counter

    from app.extensions import db
    from app.models import Campaign, Delivery, Signup
    from app.simulator import push as sim_push

    record = tempfile.NamedTemporaryFile("r", suffix=".rcpt", delete=False)  # noqa: SIM115
    sink, port = start_sink(0.2, record.name)
    app, sim, campaign_id, env = prepare(n, args, port)
    label = stop.name if stop else "calm"
    print(f"N={n:,} {label}: two workers...", flush=True)
    with app.app_context():  # the release moment comes once both workers listen
        db.session.get(Campaign, campaign_id).release_at = sim.now() + timedelta(days=1)
        db.session.commit()
    workers = start_workers(2, env)
    with Redis.from_url(args.redis_url) as redis:
        while len(Worker.all(connection=redis)) < 2:
            time.sleep(0.2)
    with app.app_context():
        db.session.get(Campaign, campaign_id).release_at = sim.now() + timedelta(seconds=5)
        db.session.commit()
    stops = []  # [started, seconds to stop, claims running then, recovered after]
    over = threading.Event()

    def running_claims() -> set[int]:
        with app.app_context():
            claims = set(
                db.session.scalars(select(Delivery.claim).where(Delivery.state == "running"))
            )
            db.session.rollback()
        return claims

    def fire() -> None:
        turn = 0
        while not over.wait(5):
            claims, at = running_claims(), time.monotonic()
            victim = workers[turn % 2]
            victim.send_signal(stop)
            try:
                victim.wait(30)
            except subprocess.TimeoutExpired:
                victim.kill()
                victim.wait()
            stops.append([at, time.monotonic() - at, claims, None])
            workers[turn % 2] = start_workers(1, env)[0]
            turn += 1
            if turn == 3:
                with Redis.from_url(args.redis_url) as redis:
                    redis.flushdb()

    if stop:
        threading.Thread(target=fire, daemon=True).start()
    try:
        with app.app_context():
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline:
                time.sleep(1)
                for entry in stops:
                    if entry[3] is None and not db.session.scalar(
                        select(func.count())
                        .select_from(Delivery)
                        .where(Delivery.state == "running", Delivery.claim.in_(entry[2] or {0}))
                    ):
                        entry[3] = time.monotonic() - entry[0]
                campaign = db.session.get(Campaign, campaign_id)
                left = db.session.scalar(
                    select(func.count())
                    .select_from(Delivery)
                    .where(Delivery.state.in_(("waiting", "due", "running")))
                )
                db.session.rollback()
                if campaign.converted_at and left == 0:
                    break
            else:
                print(f"  timed out with {left} deliveries left", flush=True)
    finally:
        over.set()
        time.sleep(0.5)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
    with app.app_context():
        release_at = db.session.get(Campaign, campaign_id).release_at
        first, last = db.session.execute(
            select(func.min(Delivery.done_at), func.max(Delivery.done_at)).where(
                Delivery.state == "done"
            )
        ).one()
        finished = sorted(
            (at - release_at).total_seconds()
            for at in db.session.scalars(select(Delivery.done_at).where(Delivery.state == "done"))
        )
        emails = set(
            db.session.scalars(
                select(Signup.email)
                .join(Delivery, Delivery.signup_id == Signup.id)
                .where(Delivery.kind == "email")
            )
        )
        expected = dict(
            db.session.execute(select(Delivery.kind, func.count()).group_by(Delivery.kind)).all()
        )
        unconfirmed = db.session.scalar(select(func.count()).where(Delivery.unconfirmed))
    sink.terminate()
    received = Counter(line.strip() for line in record)
    record.close()
    os.unlink(record.name)
    pushes = Counter(p.endpoint for p in sim_push.received(sim))
    saves = Counter()
    for entry in sim.requests(method="POST"):
        if entry.path == "/v1/me/library":
            token = sim.token_info("apple_music", entry.headers.get("Music-User-Token"))
            saves[token.listener] += 1
        elif entry.listener and entry.path.startswith("/v2/userCollection"):
            saves[entry.listener] += 1
    recoveries = sorted(entry[3] for entry in stops if entry[3] is not None)
    return {
        "n": n,
        "label": label,
        "lost": {
            "email": len(emails - set(received)),
            "push": expected.get("push", 0) - len(pushes),
            "save": expected.get("save", 0) - len(saves),
        },
        "duplicated": {
            "email": sum(c - 1 for c in received.values()),
            "push": sum(c - 1 for c in pushes.values()),
            "save": sum(c - 1 for c in saves.values()),
        },
        "first": (first - release_at).total_seconds() if first else float("nan"),
        "last": (last - release_at).total_seconds() if last else float("nan"),
        "done_by": {
            share: finished[min(len(finished) - 1, int(share * len(finished)))]
            for share in (0.5, 0.9, 0.99)
        }
        if finished
        else {},
        "stops": len(stops),
        "stop_seconds": max((entry[1] for entry in stops), default=0.0),
        "recoveries": recoveries,
        "unconfirmed": unconfirmed,
    }


def report_chaos(results: list[dict]) -> None:
    print()
    for r in results:
        recoveries = r["recoveries"]
        print(f"N={r['n']:,} {r['label']}:")
        print(f"  lost        {r['lost']}")
        print(f"  duplicated  {r['duplicated']}  (sent, unconfirmed: {r['unconfirmed']})")
        print(f"  release moment -> first delivery {r['first']:.1f} s, last {r['last']:.1f} s")
        shares = ", ".join(f"{share:.0%} by {at:.1f} s" for share, at in r["done_by"].items())
        print(f"  deliveries done: {shares}")
        if r["stops"]:
            print(
                f"  {r['stops']} stops, slowest exit {r['stop_seconds']:.1f} s; recovery after "
                f"each: median {recoveries[len(recoveries) // 2] if recoveries else 0:.1f} s, "
                f"max {max(recoveries, default=0):.1f} s "
                f"({r['stops'] - len(recoveries)} not measured: the run ended first)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description="Release day benchmark")
    parser.add_argument("--n", type=int, action="append", help="fans (repeatable)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_rday")
    parser.add_argument(
        "--redis-url",
        help="a Redis of its own (default: a bundled redis-server started for the run); "
        "never one that tests or other workers use, or its workers would take their jobs",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds a run may take (then it reports what was done so far)",
    )
    parser.add_argument(
        "--baseline-max", type=int, default=20_000, help="messages the baseline sends at most"
    )
    parser.add_argument(
        "--chaos", action="store_true", help="calm, SIGKILL and SIGTERM runs (module docstring)"
    )
    parser.add_argument(
        "--runs",
        type=lambda text: text.split(","),
        default=["calm", "SIGKILL", "SIGTERM"],
        help="which chaos runs, comma-separated (default calm,SIGKILL,SIGTERM)",
    )
    args = parser.parse_args()
    compile_bytecode()
    redis = None
    if not args.redis_url:
        from app.local_redis import start_redis

        redis, args.redis_url = start_redis()
    if args.chaos:
        try:
            stops = [None if name == "calm" else signal.Signals[name] for name in args.runs]
            report_chaos([chaos(n, args, stop) for n in args.n or [10_000] for stop in stops])
        finally:
            if redis is not None:
                redis.terminate()
        return
    sink, port = start_sink()
    try:
        results = [run(n, args, port) for n in (args.n or [10_000, 100_000])]
    finally:
        sink.terminate()
        if redis is not None:
            redis.terminate()

    print()
    header = f"{'':38}" + "".join(f"{'N=' + format(r['n'], ','):>16}" for r in results)
    print(header)

    def row(label, values):
        print(f"{label:38}" + "".join(f"{v:>16}" for v in values))

    for kind in ("email", "push", "save"):
        row(
            f"{kind}s done (not done)",
            [
                f"{r['kinds'].get(kind, (0, 0, 0))[0]:,} ({r['kinds'].get(kind, (0, 0, 0))[1]})"
                for r in results
            ],
        )
        row(f"{kind}s per second", [f"{r['kinds'].get(kind, (0, 0, 0))[2]:,.0f}" for r in results])
    row("conversion -> last delivery (s)", [f"{r['span']:,.1f}" for r in results])
    row("peak worker RSS (MB)", [" / ".join(f"{p:.0f}" for p in r["peaks"]) for r in results])
    row("smtplib baseline (msg/s)", [f"{r['baseline']:,.0f}" for r in results])
    row(
        "email rate / baseline",
        [f"{r['kinds'].get('email', (0, 0, 0))[2] / r['baseline']:.2f}" for r in results],
    )


if __name__ == "__main__":
    main()
