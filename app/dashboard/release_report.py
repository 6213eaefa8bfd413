"""What the Release day tab shows: read-only queries over the outbox, checks, links and clicks.

Every figure is an aggregate in the database (one GROUP BY per table, on the indexes the
release-day models carry), so the tab costs the same for ten fans or a hundred thousand and
can be polled every few seconds.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func

from app import clock
from app.extensions import db
from app.models import Campaign, Click, Delivery, Outage, PlatformLink, ReleaseCheck, Signup
from app.models.release_day import CLICK_SOURCES, DELIVERY_KINDS, DELIVERY_STATES
from app.platforms import registry
from app.release_day import outages

CHECKS_SHOWN = 20
LOG_PAGE = 50
# Polling starts a little before the release moment, so an open tab sees the first check.
WARM_UP = timedelta(hours=1)
PENDING_STATES = ("waiting", "due", "running")

PHASES = {
    "presave": "Pre-save",
    "awaiting_release": "Looking for the release",
    "live": "Live: the page is a Smart Link",
    "not_found": "Not found yet: still checking",
}


def findable(key: str) -> bool:
    """A platform detection can look the release up on ("other" has no lookups)."""
    return key in registry.BY_KEY and bool(registry.BY_KEY[key].lookups)


def platform_name(key: str | None) -> str:
    if key is None:
        return "Smart Link (platform not found yet)"
    return registry.name(key)


@dataclass
class Overview:
    campaign: Campaign
    now: datetime
    links: list[PlatformLink]
    missing: list[str]  # enabled platforms with no link yet
    counts: dict[str, dict[str, int]]  # kind -> state -> deliveries
    clicks: dict[tuple[str | None, str], int]  # (platform, source) -> clicks
    checks: list[ReleaseCheck]  # newest first
    check_total: int
    fans: int
    first_done: datetime | None  # the first delivery that reached its fan
    unconfirmed: int  # deliveries a crashed worker left with an unknown outcome
    outages: list[Outage]  # services release day is waiting on

    @property
    def phase(self) -> str:
        if self.campaign.phase == "presave" and self.started:
            return PHASES["awaiting_release"]  # the first check is on its way
        return PHASES.get(self.campaign.phase, self.campaign.phase)

    @property
    def started(self) -> bool:
        return self.now >= self.campaign.release_at

    @property
    def missing_names(self) -> list[str]:
        return [platform_name(p) for p in self.missing]

    @property
    def pending(self) -> int:
        return sum(self.counts[k][s] for k in DELIVERY_KINDS for s in PENDING_STATES)

    @property
    def running(self) -> bool:
        """Release day is on: the tab keeps polling. Over once the page is live and every
        delivery reached an end (done, failed or skipped); before, from shortly ahead of the
        release moment while Dropday looks for the release."""
        if self.campaign.phase == "live":
            return self.pending > 0
        return self.now >= self.campaign.release_at - WARM_UP

    @property
    def alert(self) -> bool:
        return self.campaign.alerted_at is not None and self.campaign.phase != "live"

    def click_rows(self) -> list[tuple[str, dict[str, int], int]]:
        """(platform name, {source: clicks}, total) for every platform that had a click."""
        rows: dict[str | None, dict[str, int]] = {}
        for (platform, source), n in self.clicks.items():
            rows.setdefault(platform, dict.fromkeys(CLICK_SOURCES, 0))[source] = n
        order = {key: i for i, key in enumerate(registry.KEYS)}
        ordered = sorted(rows, key=lambda p: order.get(p, len(order)) if p else len(order) + 1)
        return [(platform_name(p), rows[p], sum(rows[p].values())) for p in ordered]

    def click_totals(self) -> dict[str, int]:
        totals = dict.fromkeys(CLICK_SOURCES, 0)
        for (_, source), n in self.clicks.items():
            totals[source] += n
        return totals


def overview(campaign: Campaign) -> Overview:
    cid = campaign.id
    counts = {kind: dict.fromkeys(DELIVERY_STATES, 0) for kind in DELIVERY_KINDS}
    rows = db.session.execute(
        db.select(Delivery.kind, Delivery.state, func.count())
        .where(Delivery.campaign_id == cid, Delivery.kind.in_(DELIVERY_KINDS))
        .group_by(Delivery.kind, Delivery.state)
    )
    for kind, state, n in rows:
        counts[kind][state] = n
    clicks = {
        (platform, source): n
        for platform, source, n in db.session.execute(
            db.select(Click.platform, Click.source, func.count())
            .where(Click.campaign_id == cid)
            .group_by(Click.platform, Click.source)
        )
    }
    links = ordered_links(campaign)
    found = {link.platform for link in links}
    return Overview(
        campaign=campaign,
        now=clock.now(),
        links=links,
        missing=[p for p in campaign.platforms if p not in found and findable(p)],
        counts=counts,
        clicks=clicks,
        checks=db.session.scalars(
            db.select(ReleaseCheck)
            .where(ReleaseCheck.campaign_id == cid)
            .order_by(ReleaseCheck.checked_at.desc(), ReleaseCheck.id.desc())
            .limit(CHECKS_SHOWN)
        ).all(),
        check_total=db.session.scalar(
            db.select(func.count()).select_from(ReleaseCheck).where(ReleaseCheck.campaign_id == cid)
        ),
        fans=db.session.scalar(
            db.select(func.count()).select_from(Signup).where(Signup.campaign_id == cid)
        ),
        unconfirmed=db.session.scalar(
            db.select(func.count())
            .select_from(Delivery)
            .where(Delivery.campaign_id == cid, Delivery.unconfirmed)
        ),
        outages=outages.current(),
        first_done=db.session.scalar(
            db.select(func.min(Delivery.done_at)).where(
                Delivery.campaign_id == cid, Delivery.state == "done"
            )
        ),
    )


def ordered_links(campaign: Campaign) -> list[PlatformLink]:
    """The campaign's found platforms in the seed's order (the Smart Link's order too)."""
    links = db.session.scalars(db.select(PlatformLink).filter_by(campaign_id=campaign.id)).all()
    order = {key: i for i, key in enumerate(registry.KEYS)}
    return sorted(links, key=lambda link: (order.get(link.platform, len(order)), link.platform))


@dataclass
class FanRow:
    signup: Signup
    deliveries: dict[str, Delivery] = field(default_factory=dict)

    @property
    def who(self) -> str:
        if self.signup.email:
            return self.signup.email
        return f"Connected {platform_name(self.signup.platform)} account"


@dataclass
class LogPage:
    rows: list[FanRow]
    query: str
    before: int | None  # the page starts below this signup id (None: the newest)
    next_before: int | None  # where the next page starts (None: this is the last)


def delivery_log(campaign: Campaign, query: str = "", before: int | None = None) -> LogPage:
    """One page of fans, newest first, each with its deliveries; `query` finds emails
    containing it. Keyset pagination on the signup id keeps every page as cheap as the first."""
    query = query.strip().lower()[:254]
    select = db.select(Signup).where(Signup.campaign_id == campaign.id)
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        select = select.where(Signup.email.like(pattern, escape="\\"))
    if before is not None:
        select = select.where(Signup.id < before)
    signups = db.session.scalars(select.order_by(Signup.id.desc()).limit(LOG_PAGE + 1)).all()
    more = len(signups) > LOG_PAGE
    signups = signups[:LOG_PAGE]
    rows = {s.id: FanRow(s) for s in signups}
    if rows:
        for delivery in db.session.scalars(db.select(Delivery).where(Delivery.signup_id.in_(rows))):
            rows[delivery.signup_id].deliveries[delivery.kind] = delivery
    return LogPage(
        rows=list(rows.values()),
        query=query,
        before=before,
        next_before=signups[-1].id if more else None,
    )


# -- words for the template --------------------------------------------------------------------

KIND_LABELS = (("save", "Direct saves"), ("email", "Emails"), ("push", "Pushes"))
SOURCE_LABELS = (("smart_link", "Smart Link"), ("email", "Email"), ("push", "Push"))
MATCHED_BY = {
    "source": "release source",
    "upc": "UPC",
    "isrc": "ISRC",
    "search": "search",
    "odesli": "Odesli (song.link)",
}
OUTCOMES = {"found": "Found", "not_found": "Not found", "outage": "Platform outage"}
ANSWERS = {
    "found": "found",
    "not_found": "not found",
    "outage": "outage (not counted as not found)",
    "skipped": "not asked",
}


def delivery_reason(delivery: Delivery, when) -> str:
    """A short sentence for the delivery log: where the delivery stands and why."""
    tries = f"{delivery.attempts} attempt{'s' if delivery.attempts != 1 else ''}"
    match delivery.state:
        case "waiting":
            return f"Waits until {platform_name(delivery.platform)} has the release."
        case "due" if delivery.attempts:
            error = f" Last error: {delivery.last_error}." if delivery.last_error else ""
            return f"Retry {when(delivery.next_attempt_at)} ({tries}).{error}"
        case "due":
            return "Due now." if delivery.step is None else "Accepted; verifies shortly."
        case "running":
            return f"In progress ({tries})."
        case "done":
            verified = ""
            if delivery.kind == "save":
                verified = " Verified in the library." if delivery.verified else " Not verified."
            return f"Done {when(delivery.done_at)} ({tries}).{verified}"
        case "failed":
            return f"Failed: {delivery.last_error or 'no reason given'} ({tries})."
        case _:
            return f"Skipped: {delivery.last_error or 'nothing to do'}."


def template_context(campaign: Campaign) -> dict:
    zone = ZoneInfo(campaign.time_zone)

    def when(moment: datetime | None) -> str:
        if moment is None:
            return "—"
        local = moment.astimezone(zone)
        return f"{local:%-d %b %Y, %H:%M}"

    return {
        "when": when,
        "platform_name": platform_name,
        "delivery_reason": lambda d: delivery_reason(d, when),
        "kinds": KIND_LABELS,
        "sources": SOURCE_LABELS,
        "states": DELIVERY_STATES,
        "matched_by": MATCHED_BY,
        "outcomes": OUTCOMES,
        "answers": ANSWERS,
    }
