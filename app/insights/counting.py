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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from cachetools import TTLCache
from flask import Request, current_app
from sqlalchemy import select

from app import clock
from app.database import dialect_insert
from app.extensions import db
from app.insights import visitors
from app.insights.attribution import Attribution
from app.models import Campaign, Channel, InsightCount, VisitorDay

METRICS = ("visit", "visitor", "signup", "connection", "push", "unsubscribe", "click")
FACTS_SECONDS = 30

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
    insert = dialect_insert(table)
    return insert.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={"count": table.c.count + insert.excluded.count},
    )


def add(campaign_id: int, metrics: str | tuple[str, ...], pairs: Iterable[tuple[str, str]]):
    """Count one event of each of `metrics` with its (dimension, value) pairs, at both
    grains; the caller commits."""
    now = clock.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    zone = facts(campaign_id).zone
    local_day = now.astimezone(zone).date()
    day = datetime.combine(local_day, time(0), zone).astimezone(UTC)
    keys = sorted({("", "")} | {(d, v[:64]) for d, v in pairs})
    rows = [
        {"campaign_id": campaign_id, "grain": grain, "start": start, "metric": metric}
        | {"dimension": d, "value": v, "count": 1}
        for grain, start in (("d", day), ("h", hour))
        for metric in ((metrics,) if isinstance(metrics, str) else metrics)
        for d, v in keys
    ]
    db.session.execute(_upsert(db.session.get_bind().dialect.name), rows)


def attributed(campaign_id: int, attribution: Attribution) -> list[tuple[str, str]]:
    """The attribution's pairs, without a channel code the campaign doesn't have."""
    pairs = attribution.dimensions()
    if attribution.channel and attribution.channel not in facts(campaign_id).codes:
        pairs = [pair for pair in pairs if pair[0] != "channel"]
    return pairs


def record_visit(campaign_id: int, page: str, attribution: Attribution, request: Request) -> None:
    """A person's page view; the first of the day from this visitor also counts a visitor."""
    pairs = [*attributed(campaign_id, attribution), ("page", page)]
    now = clock.now()
    mark = visitors.digest(
        campaign_id, request.remote_addr or "", request.headers.get("User-Agent", ""), now
    )
    table = VisitorDay.__table__
    first = db.session.execute(
        dialect_insert(table)
        .values(campaign_id=campaign_id, day=visitors.day_of(now), digest=mark)
        .on_conflict_do_nothing()
        .returning(table.c.digest)
    ).first()
    add(campaign_id, ("visit", "visitor") if first is not None else "visit", pairs)
    db.session.commit()
