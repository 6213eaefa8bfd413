"""Counting events into the rollups, in the same transaction as the event itself.

An event adds 1 to its metric's total and to each of its dimensions' values for the
current UTC hour: one INSERT ... ON CONFLICT DO UPDATE of a handful of rows. Rows go in
a fixed order so two events at once never lock each other's rows crosswise. Channel codes
are kept only when the campaign has that channel (a short per-process cache of its codes),
so a made-up `?c=` adds no rows.
"""

import threading
from collections.abc import Iterable

from cachetools import TTLCache
from flask import Request, current_app
from sqlalchemy import select

from app import clock
from app.database import dialect_insert
from app.extensions import db
from app.insights import visitors
from app.insights.attribution import Attribution
from app.models import Channel, InsightCount, VisitorDay

METRICS = ("visit", "visitor", "signup", "connection", "push", "unsubscribe", "click")
CODES_SECONDS = 30

_codes_lock = threading.Lock()


def _codes() -> TTLCache:
    """This app's cache of each campaign's channel codes (a new channel shows in other
    processes within CODES_SECONDS)."""
    codes = current_app.extensions.get("dropday.channel_codes")
    if codes is None:
        codes = current_app.extensions["dropday.channel_codes"] = TTLCache(4096, CODES_SECONDS)
    return codes


def channel_codes(campaign_id: int) -> frozenset[str]:
    with _codes_lock:
        codes = _codes().get(campaign_id)
    if codes is None:
        rows = db.session.scalars(select(Channel.code).filter_by(campaign_id=campaign_id))
        codes = frozenset(rows)
        with _codes_lock:
            _codes()[campaign_id] = codes
    return codes


def forget_channel_codes(campaign_id: int) -> None:
    with _codes_lock:
        _codes().pop(campaign_id, None)


def add(campaign_id: int, metric: str, pairs: Iterable[tuple[str, str]]) -> None:
    """Count one `metric` event with its (dimension, value) pairs; the caller commits."""
    hour = clock.now().replace(minute=0, second=0, microsecond=0)
    keys = sorted({("", "")} | {(d, v[:64]) for d, v in pairs})
    rows = [
        {"campaign_id": campaign_id, "hour": hour, "metric": metric, "dimension": d, "value": v}
        | {"count": 1}
        for d, v in keys
    ]
    insert = dialect_insert(InsightCount.__table__).values(rows)
    table = InsightCount.__table__
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=list(table.primary_key.columns),
            set_={"count": table.c.count + insert.excluded.count},
        )
    )


def attributed(campaign_id: int, attribution: Attribution) -> list[tuple[str, str]]:
    """The attribution's pairs, without a channel code the campaign doesn't have."""
    pairs = attribution.dimensions()
    if attribution.channel and attribution.channel not in channel_codes(campaign_id):
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
    add(campaign_id, "visit", pairs)
    if first is not None:
        add(campaign_id, "visitor", pairs)
    db.session.commit()
