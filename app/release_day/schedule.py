"""When release-day work happens: the tick, and the rhythm of release checks.

The tick runs every minute (worker.py's cron thread, PERIODIC below). It is cheap and
idempotent, so two ticks at once, or a tick right after Redis was emptied, do no harm:
- deliveries whose lease ran out (their worker died, or their job was lost with Redis)
  become due again;
- each campaign whose check is due is claimed with a conditional update of its
  `check_lease_until` (only one tick wins) and its check is enqueued;
- while deliveries are due, DELIVERY_SLOTS delivery jobs are enqueued with ids fixed for
  this minute, so two ticks enqueue them once; the jobs claim rows with leases
  (app/jobs.py, claim_due), so any number of them share the work without doing it twice.

Release checks, from the release moment on, until the release is found:
every 5 minutes for 2 hours, every 15 minutes until 24 hours past the release moment; then
the alert (operators' email, the dashboard banner: phase "not_found") and hourly for 7 days
more, then every 6 hours for 30 days more; then no more checks. After conversion,
platforms not yet found are checked every 15 minutes for 72 hours.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from app import clock
from app.extensions import db
from app.insights import visitors
from app.jobs import enqueue
from app.models import Campaign, Delivery

log = logging.getLogger(__name__)

DENSE = (timedelta(hours=2), timedelta(minutes=5))
DAY = (timedelta(hours=24), timedelta(minutes=15))
ALERT_AFTER = timedelta(hours=24)
HOURLY = (ALERT_AFTER + timedelta(days=7), timedelta(hours=1))
SPARSE = (HOURLY[0] + timedelta(days=30), timedelta(hours=6))
LAG_WINDOW = timedelta(hours=72)
LAG_EVERY = timedelta(minutes=15)
# A claimed check runs until then; if its job was lost, the next tick after it claims again.
CHECK_LEASE = timedelta(minutes=5)
DELIVERY_SLOTS = 3


@dataclass(frozen=True)
class Periodic:
    """A periodic job as data: worker.py registers each with RQ's cron scheduler."""

    name: str
    func: object
    queue: str
    every: int  # seconds


def next_check(release_at: datetime, now: datetime) -> datetime | None:
    """When to look again for a release not found yet; None once the schedule is over."""
    elapsed = now - release_at
    for until, every in (DENSE, DAY, HOURLY, SPARSE):
        if elapsed < until:
            return now + every
    return None


def next_lag_check(converted_at: datetime, now: datetime) -> datetime | None:
    """After conversion: when to look again for the platforms still missing."""
    return now + LAG_EVERY if now - converted_at < LAG_WINDOW else None


def tick() -> dict:
    """Enqueue what is due; returns what it did (for logs and tests)."""
    try:
        now = clock.now()
    except clock.ClockUnavailable as error:
        # Simulator mode, web process not answering yet (make dev starting): next minute.
        log.warning("tick skipped: %s", error)
        return {"skipped": str(error)}
    revived = revive_expired_leases(now)
    checks = enqueue_due_checks(now)
    jobs = enqueue_deliveries(now)
    return {"revived": revived, "checks": checks, "delivery_jobs": jobs}


PERIODIC = (
    Periodic("dropday-tick", tick, "release", 60),
    # Insights: yesterday's visitor digests go (app/insights/visitors.py).
    Periodic("dropday-insights-forget", visitors.forget_past_days, "release", 600),
)


def revive_expired_leases(now: datetime) -> int:
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.state == "running", Delivery.lease_until < now)
        .values(state="due", lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def enqueue_due_checks(now: datetime) -> list[int]:
    due = select(Campaign.id).where(
        or_(
            Campaign.next_check_at <= now,
            # Never checked and the release moment has come (also a campaign created for a
            # release that is already out): straight to detection.
            (Campaign.phase == "presave") & (Campaign.release_at <= now),
        ),
        or_(Campaign.check_lease_until.is_(None), Campaign.check_lease_until < now),
    )
    started = []
    for campaign_id in db.session.scalars(due).all():
        if claim_check(campaign_id, now):
            started.append(campaign_id)
    return started


def check_now(campaign_id: int) -> bool:
    """The artist's "Check now": a check at once, unless one is already running or the
    release moment has not come yet (nothing is converted early). The caller rate-limits
    it. Returns whether a check was started."""
    now = clock.now()
    return claim_check(campaign_id, now, Campaign.release_at <= now, by="manual")


def claim_check(campaign_id: int, now: datetime, *conditions, by="schedule") -> bool:
    """Take the campaign's next check (a conditional update of its lease: one caller wins,
    given `conditions` too) and enqueue it with an id naming that lease, so it runs once."""
    from app.release_day import detect

    until = now + CHECK_LEASE
    won = db.session.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            or_(Campaign.check_lease_until.is_(None), Campaign.check_lease_until < now),
            *conditions,
        )
        .values(check_lease_until=until)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if won:
        enqueue(
            detect.run_check,
            campaign_id,
            by,
            queue_name="release",
            job_id=f"check-{campaign_id}-{until.timestamp():.0f}",
        )
    return bool(won)


def enqueue_deliveries(now: datetime, slots: int = DELIVERY_SLOTS) -> int:
    """Start delivery jobs while anything is due. Ids are fixed per minute, so two ticks in
    the same minute enqueue them once; a job left over from a lost Redis is simply gone, and
    a stale one from earlier finds nothing left and ends."""
    from app.release_day import deliver

    due = db.session.scalar(
        select(Delivery.id).where(Delivery.state == "due", Delivery.next_attempt_at <= now).limit(1)
    )
    if due is None:
        return 0
    minute = int(now.timestamp() // 60)
    for slot in range(slots):
        enqueue(deliver.run, queue_name="deliveries", job_id=f"deliver-{minute}-{slot}")
    return slots


def kick_deliveries() -> int:
    """Start delivery jobs now rather than at the next tick (after a conversion, a link
    found, a retry requested)."""
    return enqueue_deliveries(clock.now())
