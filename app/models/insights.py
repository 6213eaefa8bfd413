"""Insights: counts that identify no one, and the artist's channel links.

InsightCount is the rollup the Insights tab reads: one row per campaign, grain, period start,
metric (visit, visitor, signup, ...), dimension (source, channel, country, ...) and value,
with a count that events add to (app/insights/counting.py). Each event counts at two grains:
"h", the UTC hour (for charts of up to two days), and "d", the day in the campaign's time
zone (`start` is its local midnight), so a 90-day tab sums ~24 times fewer rows. No raw
event is kept.

VisitorDay holds today's salted digests of (address, user agent) so a visitor is counted
once a day; the salt lives only in Redis until the day ends, and yesterday's rows are
deleted by the periodic job, so no digest outlives its day.

Channel: a named link ("Instagram bio", "Poster") whose code rides on `/<slug>?c=<code>`.
"""

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class InsightCount(db.Model):
    __table_args__ = (CheckConstraint("grain IN ('h', 'd')", name="grain"),)

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    grain: Mapped[str] = mapped_column(db.String(1), primary_key=True)  # "h" or "d"
    start = mapped_column(UTCDateTime, primary_key=True)
    metric: Mapped[str] = mapped_column(db.String(16), primary_key=True)
    dimension: Mapped[str] = mapped_column(db.String(16), primary_key=True)
    value: Mapped[str] = mapped_column(db.String(64), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class VisitorDay(db.Model):
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[str] = mapped_column(db.String(10), primary_key=True)  # UTC, ISO date
    digest: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)


class Channel(db.Model):
    __table_args__ = (
        UniqueConstraint("campaign_id", "code", name="uq_channel_code"),
        UniqueConstraint("campaign_id", "name", name="uq_channel_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(db.String(60))
    code: Mapped[str] = mapped_column(db.String(16))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
