"""What the Insights tab and the overview show, read from the rollups only.

A Period is a span of whole local days in the artist's time zone (last 7/30/90 days, all
time, or custom dates), turned into UTC hours for the query. Series come by hour for spans
up to two days, else by local day; breakdowns sum a dimension's values over the span.
Every number is a sum of InsightCount rows (hourly ones for hourly spans, else daily ones):
raw events are never scanned (there are none).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.models import InsightCount

RANGES = {"7": 7, "30": 30, "90": 90}
HOURLY_UP_TO = timedelta(days=2)
LONGEST_CUSTOM = 3 * 366  # days
SUMMARY_METRICS = ("visit", "visitor", "signup", "click")


class BadPeriod(ValueError):
    """Why the dates asked for make no period, worded for the artist."""


@dataclass(frozen=True)
class Period:
    key: str  # "7", "30", "90", "all" or "custom"
    first: date  # local dates, both included
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), self.zone).astimezone(UTC)

    @property
    def hourly(self) -> bool:
        return self.end - self.start <= HOURLY_UP_TO + timedelta(hours=1)

    def query(self) -> dict[str, str]:
        if self.key == "custom":
            return {"range": "custom", "from": self.first.isoformat(), "to": self.last.isoformat()}
        return {"range": self.key}


def _date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadPeriod(f"The {name} date must look like 2026-12-31.") from None


def period(args, zone: str, now: datetime, first_day: date | None) -> Period:
    """The period the request asks for (default: the last 30 days)."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    key = args.get("range", "30")
    if key in RANGES:
        return Period(key, today - timedelta(days=RANGES[key] - 1), today, tz)
    if key == "all":
        return Period(key, min(first_day or today, today), today, tz)
    if key != "custom":
        raise BadPeriod("Pick one of the ranges offered.")
    first = _date(args.get("from", "")[:20], "start")
    last = _date(args.get("to", "")[:20], "end")
    if last < first:
        raise BadPeriod("The end date comes before the start date.")
    if (last - first).days > LONGEST_CUSTOM:
        raise BadPeriod("Pick a span of at most three years.")
    return Period(key, first, last, tz)


def _scope(campaign_ids: list[int], span: Period):
    """Hourly rows for spans drawn by hour, else the campaigns' daily rows."""
    return (
        InsightCount.campaign_id.in_(campaign_ids),
        InsightCount.grain == ("h" if span.hourly else "d"),
        InsightCount.start >= span.start,
        InsightCount.start < span.end,
    )


def first_day(campaign_ids: list[int], zone: str) -> date | None:
    first = db.session.scalar(
        select(func.min(InsightCount.start)).where(
            InsightCount.campaign_id.in_(campaign_ids), InsightCount.grain == "d"
        )
    )
    return first.astimezone(ZoneInfo(zone)).date() if first else None


def totals(campaign_ids: list[int], span: Period) -> dict[str, int]:
    rows = db.session.execute(
        select(InsightCount.metric, func.sum(InsightCount.count))
        .where(*_scope(campaign_ids, span), InsightCount.dimension == "")
        .group_by(InsightCount.metric)
    )
    counts = defaultdict(int, {metric: int(total) for metric, total in rows})
    return counts


def conversion(counts: dict[str, int]) -> float | None:
    """Signups per unique visitor (None before anyone visited)."""
    return counts["signup"] / counts["visitor"] if counts["visitor"] else None


def series(campaign_ids: list[int], span: Period) -> list[tuple[datetime, dict[str, int]]]:
    """(bucket start, local time; counts per metric) for every bucket of the span."""
    rows = db.session.execute(
        select(InsightCount.start, InsightCount.metric, func.sum(InsightCount.count))
        .where(*_scope(campaign_ids, span), InsightCount.dimension == "")
        .where(InsightCount.metric.in_(SUMMARY_METRICS))
        .group_by(InsightCount.start, InsightCount.metric)
    )
    starts = _buckets(span)
    counts = [dict.fromkeys(SUMMARY_METRICS, 0) for _ in starts]
    for hour, metric, total in rows:
        counts[_index_of(hour, span)][metric] += int(total)
    return list(zip(starts, counts, strict=True))


def _buckets(span: Period) -> list[datetime]:
    if span.hourly:
        hours = int((span.end - span.start).total_seconds() // 3600)
        return [(span.start + timedelta(hours=n)).astimezone(span.zone) for n in range(hours)]
    days = (span.last - span.first).days + 1
    return [
        datetime.combine(span.first + timedelta(days=n), time(0), span.zone) for n in range(days)
    ]


def _index_of(start: datetime, span: Period) -> int:
    """The bucket of a rollup row: its hour (in a half-hour zone, the local hour it starts
    in), or its day (a campaign in another zone than the overview's: the day its midnight
    falls on)."""
    if span.hourly:
        return int((start - span.start).total_seconds() // 3600)
    return (start.astimezone(span.zone).date() - span.first).days


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    metrics: tuple[str, ...]
    rows: list[tuple[str, dict[str, int]]]  # (value, counts), biggest first


def breakdown(
    campaign_ids: list[int], span: Period, dimension: str, metrics: tuple[str, ...]
) -> Breakdown:
    rows = db.session.execute(
        select(InsightCount.value, InsightCount.metric, func.sum(InsightCount.count))
        .where(*_scope(campaign_ids, span), InsightCount.dimension == dimension)
        .where(InsightCount.metric.in_(metrics))
        .group_by(InsightCount.value, InsightCount.metric)
    )
    values: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(metrics, 0))
    for value, metric, total in rows:
        values[value][metric] += int(total)
    ordered = sorted(values.items(), key=lambda item: (-item[1][metrics[0]], item[0]))
    return Breakdown(dimension, metrics, ordered)


@dataclass(frozen=True)
class Table:
    """One breakdown as the tab shows it: a chart of its first metric, the full table."""

    dimension: str
    title: str
    metrics: tuple[str, ...]
    rows: list[tuple[str, dict[str, int]]]  # (label, counts)
    values: tuple[str, ...] = ()  # the raw value of each row, in the same order

    @property
    def chart_rows(self) -> list[tuple[str, int]]:
        return [(label, counts[self.metrics[0]]) for label, counts in self.rows]


# Each section of the tab: its breakdowns (dimension, title) and the metrics they show.
SECTIONS: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    "sources": (
        (
            ("source", "Sources"),
            ("channel", "Channels"),
            ("page", "Pages"),
            ("utm_source", "UTM source"),
            ("utm_medium", "UTM medium"),
            ("utm_campaign", "UTM campaign"),
        ),
        ("visit", "visitor", "signup", "click"),
    ),
    "services": (
        (("platform", "Platforms"), ("mode", "Signup mode"), ("via", "Clicks by link")),
        ("signup", "connection", "click"),
    ),
    "locations": ((("country", "Countries"),), ("visit", "signup", "click")),
    "devices": (
        (("device", "Device class"), ("os", "Operating system")),
        ("visit", "signup", "click"),
    ),
}
METRIC_NAMES = {
    "visit": "Visits",
    "visitor": "Unique visitors",
    "signup": "Signups",
    "connection": "Connections",
    "push": "Push opt-ins",
    "unsubscribe": "Unsubscribes",
    "click": "Clicks",
}


def section(campaign_ids: list[int], span: Period, name: str, label) -> list[Table]:
    """The tables of one section; `label(dimension, value)` names a value for people."""
    dimensions, metrics = SECTIONS[name]
    tables = []
    for dimension, title in dimensions:
        found = breakdown(campaign_ids, span, dimension, metrics)
        rows = [(label(dimension, value), counts) for value, counts in found.rows]
        values = tuple(value for value, _ in found.rows)
        tables.append(Table(dimension, title, metrics, rows, values))
    return tables


def period_asked(args, campaign_ids: list[int], zone: str, now: datetime) -> Period:
    """The period a request's `range` (and `from`, `to`) asks for; BadPeriod if none."""
    return period(args, zone, now, first_day(campaign_ids, zone))


@dataclass(frozen=True)
class Report:
    """Everything the Insights tab shows, and the API answers, for one period."""

    span: Period
    totals: dict[str, int]
    conversion: float | None
    buckets: list[tuple[datetime, dict[str, int]]]
    sections: dict[str, list[Table]]


def build(campaign_ids: list[int], span: Period, label) -> Report:
    counts = totals(campaign_ids, span)
    return Report(
        span,
        counts,
        conversion(counts),
        series(campaign_ids, span),
        {name: section(campaign_ids, span, name, label) for name in SECTIONS},
    )
