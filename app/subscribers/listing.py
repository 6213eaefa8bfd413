"""The Subscribers tab's data: one page of signups, newest first, and the counts.

Pages are cut by keyset, never OFFSET: a page is "the next N signups older than this
(created_at, id)". With the index ix_signup_campaign_created the database walks straight to
the cursor, so page 500 reads as few rows as page 1.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, delete, func, select, tuple_

from app.extensions import db
from app.models import BouncedEmail, PushSubscription, Signup
from app.platforms import registry
from app.release_day import webhook_events

PAGE_SIZE = 50
MODE_LABELS = {"direct": "Direct save", "email": "Email"}
SEARCH_MAX = 254  # the longest email we store

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"(\d{1,16})\.(\d{1,18})")


class BadCursor(ValueError):
    """A page link that Dropday did not make (edited by hand, truncated)."""


@dataclass(frozen=True)
class Cursor:
    """A signup's place in the newest-first order, written into page links."""

    created_at: datetime
    id: int

    def __str__(self) -> str:
        return f"{(self.created_at - _EPOCH) // timedelta(microseconds=1)}.{self.id}"

    @classmethod
    def parse(cls, text: str) -> "Cursor":
        match = _CURSOR.fullmatch(text)
        if not match:
            raise BadCursor(text)
        micros, signup_id = map(int, match.groups())
        try:
            return cls(_EPOCH + timedelta(microseconds=micros), signup_id)
        except OverflowError as error:
            raise BadCursor(text) from error


@dataclass(frozen=True)
class Row:
    id: int
    email: str | None
    platform: str
    mode: str
    created_at: datetime
    unsubscribed_at: datetime | None
    push: bool
    confirmed_at: datetime | None  # None: double opt-in, not confirmed yet
    bounced: bool  # the address refused mail for good: no campaign mails it again

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.created_at, self.id)

    @property
    def platform_name(self) -> str:
        return registry.name(self.platform)

    @property
    def mode_label(self) -> str:
        return MODE_LABELS.get(self.mode, self.mode)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    older: Cursor | None  # where the next (older) page starts, if there is one
    newer: Cursor | None  # where the previous (newer) page ends, if there is one


@dataclass(frozen=True)
class Counts:
    total: int
    unsubscribed: int
    by_platform: list[tuple[str, int]]  # (platform name, signups), in the registry's order
    by_mode: list[tuple[str, int]]  # (mode's label, signups)


def clean_search(text: str | None) -> str:
    """What the artist typed, made safe to search with (no control characters, bounded)."""
    text = re.sub(r"[\x00-\x1f\x7f]", "", text or "").strip()
    return text[:SEARCH_MAX]


def page_query(
    campaign_id: int,
    *,
    search: str = "",
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> Select:
    """Signups older than `before` (newest first) or newer than `after` (oldest first)."""
    key = tuple_(Signup.created_at, Signup.id)
    query = (
        select(
            Signup.id,
            Signup.email,
            Signup.platform,
            Signup.mode,
            Signup.created_at,
            Signup.unsubscribed_at,
            PushSubscription.id.is_not(None).label("push"),
            Signup.confirmed_at,
            BouncedEmail.email.is_not(None).label("bounced"),
        )
        .outerjoin(PushSubscription, PushSubscription.signup_id == Signup.id)
        .outerjoin(BouncedEmail, BouncedEmail.email == Signup.email)
        .where(Signup.campaign_id == campaign_id)
    )
    if search:
        query = query.where(Signup.email.icontains(search, autoescape=True))
    if after is not None:
        query = query.where(key > tuple_(after.created_at, after.id))
        order = (Signup.created_at.asc(), Signup.id.asc())
    else:
        if before is not None:
            query = query.where(key < tuple_(before.created_at, before.id))
        order = (Signup.created_at.desc(), Signup.id.desc())
    # One row more than the page shows tells whether another page follows.
    return query.order_by(*order).limit(size + 1)


def subscriber_page(
    campaign_id: int,
    *,
    search: str = "",
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    query = page_query(campaign_id, search=search, before=before, after=after, size=size)
    rows = [Row(**row._mapping) for row in db.session.execute(query)]
    more = len(rows) > size
    rows = rows[:size]
    if after is not None:
        rows.reverse()  # fetched oldest first to walk towards the newest
        newer = rows[0].cursor if more else None
        older = rows[-1].cursor if rows else after
        return Page(rows, older=older, newer=newer)
    older = rows[-1].cursor if more else None
    newer = (rows[0].cursor if rows else before) if before is not None else None
    return Page(rows, older=older, newer=newer)


def subscriber_counts(campaign_id: int, platforms: list[str]) -> Counts:
    """Signups per platform and per mode, in one grouped query."""
    grouped = db.session.execute(
        select(
            Signup.platform,
            Signup.mode,
            func.count().label("n"),
            func.count(Signup.unsubscribed_at).label("gone"),
        )
        .where(Signup.campaign_id == campaign_id)
        .group_by(Signup.platform, Signup.mode)
    ).all()
    per_platform = dict.fromkeys(platforms, 0)
    per_mode = dict.fromkeys(MODE_LABELS, 0)
    for row in grouped:
        per_platform[row.platform] = per_platform.get(row.platform, 0) + row.n
        per_mode[row.mode] = per_mode.get(row.mode, 0) + row.n
    order = {key: i for i, key in enumerate(registry.KEYS)}
    by_platform = sorted(per_platform.items(), key=lambda kv: order.get(kv[0], len(order)))
    return Counts(
        total=sum(row.n for row in grouped),
        unsubscribed=sum(row.gone for row in grouped),
        by_platform=[(registry.name(key), n) for key, n in by_platform],
        by_mode=[(MODE_LABELS.get(mode, mode), n) for mode, n in per_mode.items()],
    )


MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger number in a URL is no id at all


def find_subscriber(campaign_id: int, signup_id: int) -> Signup | None:
    if not 1 <= signup_id <= MAX_ID:
        return None
    return db.session.scalar(select(Signup).filter_by(campaign_id=campaign_id, id=signup_id))


def delete_subscriber(signup: Signup) -> None:
    """Remove a fan; their connection (tokens) and push subscription go with them.

    The foreign keys cascade in the database (ON DELETE CASCADE), so a bulk DELETE by id
    is enough and never loads the encrypted tokens.
    """
    webhook_events.signup_event(
        "signup.deleted",
        signup.campaign_id,
        signup.id,
        email=signup.email,
        platform=signup.platform,
        mode=signup.mode,
    )
    db.session.execute(delete(Signup).where(Signup.id == signup.id))
    db.session.commit()
