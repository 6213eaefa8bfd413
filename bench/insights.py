"""The Insights tab at scale: is it well under a second however many events there were?

    .venv/bin/python bench/insights.py

On PostgreSQL (its own database BENCH_DATABASE, default .../bench_insights, dropped and
created): seeds one campaign with the rollup rows that 1,000,000 signups, 5,000,000 visits
and 2,000,000 clicks spread over 90 days produce. Dropday keeps no raw events, so these rows
are all the tab ever reads: every hour of the 90 days (and every local day, the second
grain counting writes) gets its totals and a row for each value of each dimension (8
sources, 5 channels, 30 countries, 3 devices, 3 OS, UTM, 8 platforms, ...), about as many
rows as the busiest real campaign could make. Then times
the tab and each CSV for the 7-day, 90-day and all-time ranges (the app's test client,
logged in; median of 5), and the visit beacon's requests/s in one process. Last, in the
same run, bench/fan_page.sh under gunicorn: the fan page's requests/s with visits counted
and with COUNT_VISITS=0, in turns, and the beacon's.

A benchmark, not a test: it prints figures (targets: each page or CSV under 300 ms;
counting costs the page at most 10% of its requests/s; the beacon at least 2,000 req/s).
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

DB_URL = os.environ.get("BENCH_DATABASE", "postgresql://postgres@127.0.0.1:5432/bench_insights")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5")
DAYS = 90
TOTALS = {"visit": 5_000_000, "visitor": 3_000_000, "signup": 1_000_000, "click": 2_000_000}
TOTALS |= {"connection": 100_000, "push": 150_000, "unsubscribe": 20_000}
SOURCES = ["direct", "Instagram", "TikTok", "YouTube", "Facebook", "X", "Google", "example.org"]
CHANNELS = ["bio0001", "tiktok1", "poster1", "newslet", "story01"]
COUNTRIES = ["US", "GB", "DE", "FR", "BR", "MX", "CA", "AU", "NL", "SE", "ES", "IT", "JP",
             "KR", "IN", "ID", "PH", "NG", "ZA", "AR", "CL", "CO", "PL", "TR", "NO", "DK",
             "FI", "IE", "NZ", "unknown"]  # fmt: skip
PLATFORMS = ["spotify", "apple_music", "deezer", "tidal", "youtube_music", "amazon_music",
             "soundcloud", "youtube"]  # fmt: skip
AUDIENCE = {
    "source": SOURCES,
    "channel": CHANNELS,
    "country": COUNTRIES,
    "device": ["mobile", "tablet", "desktop"],
    "os": ["iOS", "Android", "other"],
    "utm_source": ["ig", "tt", "newsletter"],
    "utm_medium": ["bio", "paid"],
    "utm_campaign": ["launch", "teaser"],
}
EXTRA = {
    "visit": {"page": ["presave", "smart_link"]},
    "visitor": {"page": ["presave", "smart_link"]},
    "signup": {"platform": PLATFORMS, "mode": ["email", "direct"]},
    "click": {"platform": PLATFORMS, "via": ["smart_link", "email", "push"]},
}
SMALL = {"connection", "push", "unsubscribe"}  # counted by platform only


def split(total: int, parts: int) -> list[int]:
    """`total` over `parts` values, the first ones biggest (a rough long tail)."""
    weights = [1 / (n + 1) for n in range(parts)]
    scale = total / sum(weights)
    return [max(1, round(w * scale)) for w in weights]


def seed_rows(campaign_id: int, start: datetime, zone: ZoneInfo):
    """Hourly rows ("h") and, for each local day, their sums ("d"), as counting writes them."""
    hours = DAYS * 24
    daily: dict[tuple, int] = {}
    for row in hourly_rows(campaign_id, start, hours):
        yield row
        _, _, hour, metric, dimension, value, count = row
        midnight = datetime.combine(hour.astimezone(zone).date(), datetime.min.time(), zone)
        key = (midnight.astimezone(UTC), metric, dimension, value)
        daily[key] = daily.get(key, 0) + count
    for (midnight, metric, dimension, value), count in daily.items():
        yield (campaign_id, "d", midnight, metric, dimension, value, count)


def hourly_rows(campaign_id: int, start: datetime, hours: int):
    for metric, total in TOTALS.items():
        per_hour = max(1, total // hours)
        dimensions = (
            {"platform": PLATFORMS} if metric in SMALL else AUDIENCE | EXTRA.get(metric, {})
        )
        shares = {d: split(per_hour, len(values)) for d, values in dimensions.items()}
        for n in range(hours):
            hour = start + timedelta(hours=n)
            yield (campaign_id, "h", hour, metric, "", "", per_hour)
            for dimension, values in dimensions.items():
                for value, count in zip(values, shares[dimension], strict=True):
                    yield (campaign_id, "h", hour, metric, dimension, value, count)


def fresh_database() -> None:
    name = DB_URL.rsplit("/", 1)[1]
    with psycopg.connect(DB_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def timed(call, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    fresh_database()
    instance = tempfile.mkdtemp(prefix="bench-insights-")
    os.environ.update(DROPDAY_INSTANCE=instance, DROPDAY_ENV="development")
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import Artist, Campaign, Channel

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": DB_URL.replace("postgresql://", "postgresql+psycopg://"),
            "REDIS_URL": REDIS_URL,
            "PLATFORM_MODE": "live",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "UPLOAD_FOLDER": instance,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        artist = Artist(email="bench@example.com", name="Bench")
        artist.set_password("bench password 1")
        db.session.add(artist)
        db.session.flush()
        campaign = Campaign(
            creator=artist,
            slug="bench-insights",
            title="Bench",
            artist_name="Bench",
            source_kind="upc",
            source_value="602445790609",
            platforms=PLATFORMS,
        )
        today = datetime.now(UTC).date()
        campaign.schedule(today - timedelta(days=30), "Europe/Berlin")
        db.session.add(campaign)
        db.session.flush()
        for code in CHANNELS:
            db.session.add(Channel(campaign_id=campaign.id, name=f"Channel {code}", code=code))
        db.session.commit()
        campaign_id = campaign.id
        start = datetime.combine(today - timedelta(days=DAYS - 1), datetime.min.time(), UTC)

        seeded = time.perf_counter()
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            columns = "campaign_id, grain, start, metric, dimension, value, count"
            copy_sql = f"COPY insight_count ({columns}) FROM STDIN"
            with cursor.copy(copy_sql) as copy:
                rows = 0
                for row in seed_rows(campaign_id, start, ZoneInfo("Europe/Berlin")):
                    copy.write_row(row)
                    rows += 1
        db.session.commit()
        with psycopg.connect(DB_URL, autocommit=True) as maintenance:
            maintenance.execute("VACUUM ANALYZE insight_count")
        print(f"seeded {rows:,} rollup rows in {time.perf_counter() - seeded:.1f} s")

    client = app.test_client()
    login = client.post(
        "/login", data={"email": "bench@example.com", "password": "bench password 1"}
    )
    assert login.status_code in {302, 303}, login.status_code
    base = f"/dashboard/campaigns/{campaign_id}/insights"
    print(f"\n{'':28}{'7 days':>10}{'90 days':>10}{'all time':>10}   (median of 5, ms)")
    for name, path in [("Insights tab", ""), *[(f"{s}.csv", f"/{s}.csv") for s in
                       ("summary", "sources", "services", "locations", "devices")]]:  # fmt: skip
        figures = []
        for key in ("7", "90", "all"):
            url = f"{base}{path}?range={key}"
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            figures.append(timed(lambda url=url: client.get(url)))
        print(f"{name:28}" + "".join(f"{f:10.0f}" for f in figures))
    overview = timed(lambda: client.get("/dashboard/insights?range=all"))
    print(f"{'overview (all campaigns)':28}{'':20}{overview:10.0f}")

    agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E%d Safari/604.1"
    n = 3000
    started = time.perf_counter()
    for i in range(n):
        client.post(
            "/bench-insights/v",
            data="r=https%3A%2F%2Fl.instagram.com",
            content_type="application/x-www-form-urlencoded",
            headers={"User-Agent": agent % (i % 1000)},
            environ_base={"REMOTE_ADDR": f"81.2.{i % 250}.{i % 200}"},
        )
    elapsed = time.perf_counter() - started
    print(f"\nvisit beacon, one process, one thread, in-process client: {n / elapsed:,.0f} req/s")
    print(f"load: {os.getloadavg()} on {os.cpu_count()} cores (the machine is shared)")
    what_counting_costs()


PAGE_LINE = re.compile(r"pre-save page /bench-release\s+(\d+) req/s.*web CPU\s+([\d.]+)")
BEACON_LINE = re.compile(r"visit beacon /bench-release/v\s+(\d+) req/s.*web CPU\s+([\d.]+)")


def fan_page(count_visits: bool) -> str:
    """One bench/fan_page.sh run of the page (and, when counting, the beacon) under gunicorn
    as the Procfile starts it; its output."""
    settings = {
        "COUNT_VISITS": "1" if count_visits else "0",
        "PARTS": "page beacon" if count_visits else "page",
        "DURATION": os.environ.get("DURATION", "10s"),
    }
    done = subprocess.run(
        ["bash", str(ROOT / "bench/fan_page.sh")],
        env=os.environ | settings,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def what_counting_costs(rounds: int = int(os.environ.get("ROUNDS", "4"))) -> None:
    """The fan page's requests/s with visits counted and with COUNT_VISITS off (no beacon in
    the page, nothing counted), in turns so a change in the machine's load falls on both."""
    print("\nthe fan page with and without counting visits (bench/fan_page.sh, in turns):")
    pages: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    beacons, beacon_cpu = [], []
    for turn in range(rounds):
        for counting in (True, False) if turn % 2 == 0 else (False, True):  # on off, off on...
            out = fan_page(counting)
            rps, ms = PAGE_LINE.search(out).groups()
            pages[counting].append(float(rps))
            cpu[counting].append(float(ms))
            label = "counting visits" if counting else "COUNT_VISITS=0 "
            print(f"  page, {label}: {float(rps):,.0f} req/s, web CPU {ms} ms/request")
            if counting:
                rps, ms = BEACON_LINE.search(out).groups()
                beacons.append(float(rps))
                beacon_cpu.append(float(ms))
    on, off = statistics.median(pages[True]), statistics.median(pages[False])
    print(
        f"  counting costs the page {max(0.0, 1 - on / off):.1%} of its req/s "
        f"(median {on:,.0f} vs {off:,.0f}; target at most 10%)"
    )
    print(f"  visit beacon: median {statistics.median(beacons):,.0f} req/s (target >= 2,000)")
    page_ms, beacon_ms = statistics.median(cpu[True]), statistics.median(beacon_cpu)
    print(
        f"  each page view also sends its beacon: by web CPU a view with its beacon costs "
        f"{page_ms + beacon_ms:.2f} ms, the page alone {page_ms:.2f} ms"
    )


if __name__ == "__main__":
    main()
