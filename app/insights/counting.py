"""Counting events into the rollups, in the same transaction as the event itself.

An event adds 1 to its metric's total and to each of its dimensions' values for the
current UTC hour and the campaign's local day: one INSERT ... ON CONFLICT DO UPDATE sent
with its handful of rows in one round trip. Rows go in a fixed order so two events at once
never lock each other's rows crosswise. Channel codes are kept only when the campaign has
that channel (a short per-process cache of its codes and time zone), so a made-up `?c=`
adds no rows.
"""

import functools
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from cachetools import TTLCache
from flask import Request, current_app
from sqlalchemy import select

from app import clock, database
from app.extensions import db
from app.insights import visitors
from app.insights.attribution import Attribution
from app.models import Campaign, Channel, InsightCount, VisitorDay

METRICS = ("visit", "visitor", "signup", "connection", "push", "unsubscribe", "click")
FACTS_SECONDS = 30
KNOWN_MAX = 50_000  # digests a process remembers having written today (~10 MB at most)

_facts_lock = threading.Lock()


@dataclass(frozen=True)
class Facts:
    """What counting needs of a campaign: its time zone (for the day grain) and its
    channel codes."""

    zone: ZoneInfo
    codes: frozenset[str]


def _cache() -> TTLCache:
    """This app's cache of campaign facts (an edit shows in other processes within
    FACTS_SECONDS)."""
    facts = current_app.extensions.get("dropday.insight_facts")
    if facts is None:
        facts = current_app.extensions["dropday.insight_facts"] = TTLCache(4096, FACTS_SECONDS)
    return facts


def facts(campaign_id: int) -> Facts:
    with _facts_lock:
        found = _cache().get(campaign_id)
    if found is None:
        zone = db.session.scalar(select(Campaign.time_zone).filter_by(id=campaign_id))
        codes = db.session.scalars(select(Channel.code).filter_by(campaign_id=campaign_id))
        found = Facts(ZoneInfo(zone or "UTC"), frozenset(codes))
        with _facts_lock:
            _cache()[campaign_id] = found
    return found


def forget(campaign_id: int) -> None:
    """Drop this process's copy of the campaign's facts (a channel was added or deleted)."""
    with _facts_lock:
        _cache().pop(campaign_id, None)


@functools.cache
def _upsert(dialect: str):
    """One row's INSERT ... ON CONFLICT add, built once per dialect; executed with many
    rows at once (one round trip)."""
    table = InsightCount.__table__
    insert = database.insert(table)
    return insert.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={"count": table.c.count + insert.excluded.count},
    )


Key = tuple[int, str, datetime, str, str]  # campaign, grain, start, dimension, value


def _keys(campaign_id: int, pairs: Iterable[tuple[str, str]], now: datetime) -> list[Key]:
    """Where an event at `now` counts: its total and each pair, at both grains."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    zone = facts(campaign_id).zone
    day = datetime.combine(now.astimezone(zone).date(), time(0), zone).astimezone(UTC)
    values = sorted({("", "")} | {(d, v[:64]) for d, v in pairs})
    return [
        (campaign_id, grain, start, d, v)
        for grain, start in (("d", day), ("h", hour))
        for d, v in values
    ]


def _write(counts: dict[tuple[Key, str], int]) -> None:
    """Add `counts` ((key, metric) -> n) to the rollups, in a fixed order; caller commits."""
    rows = [
        {"campaign_id": c, "grain": g, "start": s, "dimension": d, "value": v}
        | {"metric": metric, "count": n}
        for ((c, g, s, d, v), metric), n in sorted(counts.items())
    ]
    if rows:
        db.session.execute(_upsert(db.session.get_bind().dialect.name), rows)


def add(campaign_id: int, metric: str, pairs: Iterable[tuple[str, str]]) -> None:
    """Count one `metric` event with its (dimension, value) pairs; the caller commits (in
    the transaction that records the event itself)."""
    _write({(key, metric): 1 for key in _keys(campaign_id, pairs, clock.now())})


# Channels Dropday itself links from, kept for every campaign (code -> name): the
# announcement email's button (app/audience/announcement_mail.py). Artists' codes are six
# letters (channels.py), so they never meet these.
BUILT_IN_CHANNELS = {"announcement": "Announcement email"}


def attributed(campaign_id: int, attribution: Attribution) -> list[tuple[str, str]]:
    """The attribution's pairs, without a channel code the campaign doesn't have."""
    pairs = attribution.dimensions()
    channel = attribution.channel
    if channel and channel not in BUILT_IN_CHANNELS and channel not in facts(campaign_id).codes:
        pairs = [pair for pair in pairs if pair[0] != "channel"]
    return pairs


# -- visits: counted in memory, written once per INSIGHTS_FLUSH_SECONDS -----------------------


class VisitBuffer:
    """This process's visits since its last write. Visits are the busiest thing Dropday
    counts (every page view sends one), so a beacon costs a few dictionary updates, and
    the first beacon after INSIGHTS_FLUSH_SECONDS writes all of them in one transaction:
    the day's visitor digests (the database says which are new) and the summed counts.
    A process that dies loses at most that many seconds of visits.

    Digests this process has written today are not sent again (`known`): a returning
    visitor is no new row, so each write stays small however many return, and the
    request that writes does not hold up the others for long."""

    def __init__(self, now: datetime):
        self.lock = threading.Lock()
        self.known: set[tuple[int, str, bytes]] = set()
        self.known_day = ""
        self._start(now)

    def _start(self, now: datetime) -> None:
        self.since = now
        self.visits: Counter[Key] = Counter()
        self.visitors: dict[tuple[int, str, bytes], list[Key]] = {}

    def add(self, keys: list[Key], visitor: tuple[int, str, bytes], now: datetime, wait: float):
        """Count a visit; returns what to write when it is time, else None."""
        with self.lock:
            self.visits.update(keys)
            if visitor not in self.known:
                self.visitors.setdefault(visitor, keys)
            if (now - self.since).total_seconds() < wait:
                return None
            taken = (self.visits, self.visitors)
            self._start(now)
            return taken

    def written(self, seen: Iterable[tuple[int, str, bytes]], day: str) -> None:
        """`seen` (today's digests) are in the database now."""
        with self.lock:
            if day != self.known_day or len(self.known) > KNOWN_MAX:
                self.known, self.known_day = set(), day
            self.known.update(v for v in seen if v[1] == day)


_buffer_lock = threading.Lock()


def _buffer(now: datetime) -> VisitBuffer:
    with _buffer_lock:
        found = current_app.extensions.get("dropday.visit_buffer")
        if found is None:
            found = current_app.extensions["dropday.visit_buffer"] = VisitBuffer(now)
        return found


def record_visit(campaign_id: int, page: str, attribution: Attribution, request: Request) -> None:
    """A person's page view; the first of the day from this visitor also counts a visitor."""
    pairs = [*attributed(campaign_id, attribution), ("page", page)]
    now = clock.now()
    mark = visitors.digest(
        campaign_id, request.remote_addr or "", request.headers.get("User-Agent", ""), now
    )
    wait = current_app.config["INSIGHTS_FLUSH_SECONDS"]
    visitor = (campaign_id, visitors.day_of(now), mark)
    buffer = _buffer(now)
    taken = buffer.add(_keys(campaign_id, pairs, now), visitor, now, wait)
    if taken is not None:
        _write_visits(*taken)
        buffer.written(taken[1], visitors.day_of(now))


def _write_visits(visits: Counter, seen: dict[tuple[int, str, bytes], list[Key]]) -> None:
    table = VisitorDay.__table__
    rows = [{"campaign_id": c, "day": day, "digest": mark} for c, day, mark in sorted(seen)]
    new = []
    if rows:
        new = db.session.execute(
            database.insert(table)
            .on_conflict_do_nothing()
            .returning(table.c.campaign_id, table.c.day, table.c.digest),
            rows,
        ).all()
    counts: dict[tuple[Key, str], int] = {(key, "visit"): n for key, n in visits.items()}
    for first in new:
        for key in seen[tuple(first)]:
            counts[(key, "visitor")] = counts.get((key, "visitor"), 0) + 1
    _write(counts)
    db.session.commit()
