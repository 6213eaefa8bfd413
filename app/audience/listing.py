"""The Audience page's data: one page of members, newest first, and the counts.

Pages are cut by keyset on (first_signup_at, id) within the workspace, with the index
ix_audience_member_page, so any page reads as few rows as the first. The cursor is the
Subscribers tab's (app/subscribers/listing.py): the same shape of place in the same order.
Search is by the start of the email (ix_audience_member_search); the counts are read from
the tallies the database keeps (app/models/audience.py), never by counting members.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, tuple_

from app import clock
from app.extensions import db
from app.models import AudienceCampaign, AudienceDay, AudienceMember, AudienceTally
from app.platforms import registry
from app.subscribers.listing import PAGE_SIZE, Cursor

NEW_DAYS = 30


@dataclass(frozen=True)
class Row:
    id: int
    email: str
    platform: str
    country: str | None
    first_source: str
    first_signup_at: datetime
    last_signup_at: datetime
    withdrawn_at: datetime | None
    bounced_at: datetime | None
    campaigns: int

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.first_signup_at, self.id)

    @property
    def platform_name(self) -> str:
        return registry.name(self.platform)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    older: Cursor | None
    newer: Cursor | None


@dataclass(frozen=True)
class Counts:
    total: int  # who can be reached: consenting, not bounced
    new: int  # of those, joined in the last NEW_DAYS days
    gone: int  # withdrawn or bounced
    by_platform: list[tuple[str, int]]
    by_country: list[tuple[str, int]]


def joined_count():
    """How many campaigns a member joined from: a correlated count on the join table's key."""
    return (
        select(func.count())
        .where(AudienceCampaign.member_id == AudienceMember.id)
        .correlate(AudienceMember)
        .scalar_subquery()
        .label("campaigns")
    )


def member_page(
    owner: int,
    *,
    search: str = "",
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    key = tuple_(AudienceMember.first_signup_at, AudienceMember.id)
    query = select(
        AudienceMember.id,
        AudienceMember.email,
        AudienceMember.platform,
        AudienceMember.country,
        AudienceMember.first_source,
        AudienceMember.first_signup_at,
        AudienceMember.last_signup_at,
        AudienceMember.withdrawn_at,
        AudienceMember.bounced_at,
        joined_count(),
    ).where(AudienceMember.workspace_id == owner)
    if search:
        # Emails are stored lower-cased; a prefix LIKE walks the search index.
        query = query.where(AudienceMember.email.startswith(search.lower(), autoescape=True))
    if after is not None:
        query = query.where(key > tuple_(after.created_at, after.id))
        order = (AudienceMember.first_signup_at.asc(), AudienceMember.id.asc())
    else:
        if before is not None:
            query = query.where(key < tuple_(before.created_at, before.id))
        order = (AudienceMember.first_signup_at.desc(), AudienceMember.id.desc())
    query = query.order_by(*order).limit(size + 1)
    rows = [Row(**row._mapping) for row in db.session.execute(query)]
    more = len(rows) > size
    rows = rows[:size]
    if after is not None:
        rows.reverse()
        return Page(
            rows, older=rows[-1].cursor if rows else after, newer=rows[0].cursor if more else None
        )
    newer = (rows[0].cursor if rows else before) if before is not None else None
    return Page(rows, older=rows[-1].cursor if more else None, newer=newer)


def reachable():
    """Members an announcement may go to."""
    return (AudienceMember.withdrawn_at.is_(None), AudienceMember.bounced_at.is_(None))


def member_counts(owner: int) -> Counts:
    """From the tallies: new members are counted by UTC day of first signup, so "the last
    NEW_DAYS days" are today and the NEW_DAYS days before it."""
    since = (clock.now() - timedelta(days=NEW_DAYS)).date()
    tallies = db.session.execute(
        select(
            AudienceTally.platform,
            AudienceTally.country,
            AudienceTally.reachable,
            AudienceTally.members,
        ).where(AudienceTally.workspace_id == owner, AudienceTally.members > 0)
    ).all()
    new = db.session.scalar(
        select(func.coalesce(func.sum(AudienceDay.members), 0)).where(
            AudienceDay.workspace_id == owner, AudienceDay.day >= since
        )
    )
    platforms: dict[str, int] = {}
    countries: dict[str, int] = {}
    gone = 0
    for row in tallies:
        if not row.reachable:
            gone += row.members
            continue
        platforms[row.platform] = platforms.get(row.platform, 0) + row.members
        if row.country:
            countries[row.country] = countries.get(row.country, 0) + row.members
    order = {key: i for i, key in enumerate(registry.KEYS)}
    return Counts(
        total=sum(platforms.values()),
        new=new,
        gone=gone,
        by_platform=[
            (registry.name(key), n)
            for key, n in sorted(platforms.items(), key=lambda kv: order.get(kv[0], len(order)))
        ],
        by_country=sorted(countries.items(), key=lambda kv: (-kv[1], kv[0])),
    )
