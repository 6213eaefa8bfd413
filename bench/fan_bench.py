"""Helpers for bench/fan_page.sh: seed the bench database, post-check signups, and measure the
CSV export (time and the web workers' peak RSS growth) and the Subscribers tab's pages.

Run with the app's environment (DATABASE_URL, REDIS_URL, ...) set, from the repository root.
"""

import argparse
import io
import json
import re
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import requests
from PIL import Image
from sqlalchemy import text

ARTIST_EMAIL = "bench@example.com"
PASSWORD = "bench-password-123"


def _app():
    from app import create_app

    return create_app()


def seed(args):
    """An artist, a pre-save campaign for the page and signups, and one for the export."""
    from app.campaigns.artwork import process_artwork
    from app.extensions import db
    from app.media.storage import storage
    from app.models import Artist, Campaign
    from app.platforms import registry

    app = _app()
    with app.app_context():
        artist = Artist(email=ARTIST_EMAIL, name="Bench Artist")
        artist.set_password(PASSWORD)
        db.session.add(artist)
        db.session.flush()
        ids = {}
        for slug, title in (("bench-release", "Glass Rivers"), ("bench-export", "A Million Fans")):
            cover = io.BytesIO()
            Image.new("RGB", (1200, 1200), (90, 40, 200)).save(cover, "PNG")
            cover.seek(0)
            campaign = Campaign(
                creator=artist,
                slug=slug,
                title=title,
                artist_name="Luna Vale",
                source_kind="upc",
                source_value="602445790609",
                platforms=list(registry.KEYS),
            )
            artwork = process_artwork(cover, storage(), title, "Luna Vale")
            campaign.artwork, campaign.palette = artwork
            campaign.schedule(date.today() + timedelta(days=30), "Europe/Berlin")
            db.session.add(campaign)
            db.session.flush()
            ids[slug] = campaign.id
        db.session.commit()
    json.dump(ids, sys.stdout)


def signups(args):
    """`count` confirmed signups for a campaign in one INSERT ... SELECT generate_series
    (the export leaves out signups a double opt-in has not confirmed)."""
    from app.extensions import db

    app = _app()
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO signup (campaign_id, platform, mode, email, consent_version,"
                " unsubscribe_token, created_at, updated_at, confirmed_at, unsubscribed_at)"
                " SELECT :campaign,"
                " (ARRAY['spotify','deezer','amazon_music','soundcloud','youtube','other'])"
                "[1 + n % 6],"
                " 'email', 'fan' || n || '@example.com', 1, md5(:campaign || '-' || n),"
                " at, at, at, CASE WHEN n % 50 = 0 THEN now() END"
                " FROM generate_series(1, :count) AS n,"
                " LATERAL (SELECT now() - interval '1 second' * (:count - n) AS at) AS t"
            ),
            {"campaign": args.campaign, "count": args.count},
        )
        db.session.commit()
        db.session.execute(text("ANALYZE signup"))
        db.session.commit()


def count(args):
    from app.extensions import db

    app = _app()
    with app.app_context():
        n = db.session.scalar(
            text("SELECT count(*) FROM signup WHERE campaign_id = :c"), {"c": args.campaign}
        )
    print(n)


def _log_in(base: str) -> dict:
    """A session cookie for the bench artist, as a header to send with each request.

    The app's cookies are Secure (no debug) and requests keeps Secure cookies off plain http,
    so this bench, talking http on loopback, hands them on itself.
    """

    def cookies(response):
        return "; ".join(f"{c.name}={c.value}" for c in response.cookies)

    form = requests.get(f"{base}/login", timeout=30)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text)
    answer = requests.post(
        f"{base}/login",
        data={"csrf_token": token.group(1), "email": ARTIST_EMAIL, "password": PASSWORD},
        headers={"Cookie": cookies(form)},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code not in (302, 303):
        sys.exit(f"log-in failed: {answer.status_code}")
    return {"Cookie": cookies(answer)}


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def export(args):
    """Download the CSV over HTTP; sample every web worker's RSS while it streams."""
    headers = _log_in(args.base)
    pids = [int(p) for p in args.pids.split(",")]
    baseline = {pid: _rss_kb(pid) for pid in pids}
    peak = dict(baseline)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in pids:
                peak[pid] = max(peak[pid], _rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    size = lines = 0
    first_byte = None
    url = f"{args.base}/dashboard/campaigns/{args.campaign}/subscribers.csv"
    with requests.get(url, headers=headers, stream=True, timeout=300) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 16):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    growth = {pid: (peak[pid] - baseline[pid]) / 1024 for pid in pids}
    worst = max(growth, key=growth.get)
    print(f"  rows exported:        {lines - 1:,} ({size / 1e6:.1f} MB)")
    print(f"  time to first byte:   {first_byte:.2f} s")
    print(f"  export time:          {elapsed:.1f} s   (target < 60 s)")
    print(
        f"  peak RSS growth:      {growth[worst]:.1f} MB in the worker that served it "
        f"(pid {worst}: {baseline[worst] / 1024:.0f} -> {peak[worst] / 1024:.0f} MB; "
        "target < 50 MB)"
    )
    others = ", ".join(f"pid {p}: {g:+.1f} MB" for p, g in growth.items() if p != worst)
    if others:
        print(f"  other workers:        {others}")


def pages(args):
    """The Subscribers tab's first and a deep page: the same cost (keyset, not OFFSET)."""
    from app.subscribers.listing import Cursor

    headers = _log_in(args.base)
    url = f"{args.base}/dashboard/campaigns/{args.campaign}/subscribers"
    with requests.Session() as s:
        # The deepest page: the 50 oldest signups, 20,000 pages in for a million.
        deep = str(Cursor.parse(args.deep_cursor))

        fragment = {"HX-Request": "true", "HX-Target": "subscriber-results"}
        for name, extra in (("whole page", {}), ("htmx table only", fragment)):
            # Interleaved, so a burst of load on the shared machine hits both alike.
            times = {"first": [], "last": []}
            for _ in range(15):
                for which, target in (("first", url), ("last", f"{url}?before={deep}")):
                    started = time.perf_counter()
                    s.get(target, headers=headers | extra, timeout=60).raise_for_status()
                    times[which].append((time.perf_counter() - started) * 1000)
            one, far = (statistics.median(times[k]) for k in ("first", "last"))
            print(f"  {name:16s} page 1: {one:6.1f} ms   last page: {far:6.1f} ms   (median of 15)")


def deep_cursor(args):
    """The cursor after which only the oldest page of a campaign remains."""
    from app.extensions import db
    from app.subscribers.listing import PAGE_SIZE, Cursor

    app = _app()
    with app.app_context():
        row = db.session.execute(
            text(
                "SELECT created_at, id FROM signup WHERE campaign_id = :c"
                " ORDER BY created_at, id OFFSET :n LIMIT 1"
            ),
            {"c": args.campaign, "n": PAGE_SIZE},
        ).one()
        print(Cursor(row.created_at, row.id))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(required=True)
    sub.add_parser("seed").set_defaults(run=seed)
    p = sub.add_parser("signups")
    p.add_argument("campaign", type=int)
    p.add_argument("count", type=int)
    p.set_defaults(run=signups)
    p = sub.add_parser("count")
    p.add_argument("campaign", type=int)
    p.set_defaults(run=count)
    p = sub.add_parser("export")
    p.add_argument("base")
    p.add_argument("campaign", type=int)
    p.add_argument("pids")
    p.set_defaults(run=export)
    p = sub.add_parser("deep-cursor")
    p.add_argument("campaign", type=int)
    p.set_defaults(run=deep_cursor)
    p = sub.add_parser("pages")
    p.add_argument("base")
    p.add_argument("campaign", type=int)
    p.add_argument("deep_cursor")
    p.set_defaults(run=pages)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
