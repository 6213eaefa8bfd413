"""What runs by itself: the tick, and the table of periodic jobs (PERIODIC).

Every worker's cron thread (worker.py) enqueues each periodic job under an id naming its
period, once per period for all workers together (app/jobs.py, enqueue_periodic). The tick
is cheap and idempotent all the same, so a tick right after Redis was emptied does no harm:
- deliveries whose lease ran out become due again (outbox.revive_expired_leases);
- every campaign whose check is due is claimed and its check enqueued (detect.py);
- while deliveries are due, delivery jobs are started (deliver.py).

Between the periods, the cron thread also wakes at `next_due`, the next moment something
is due (a release moment, a check, a retry, a lease running out), and ticks then: the first
check of a release runs at its release moment, not at the next minute's start.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from app import clock, retention
from app.extensions import db
from app.fan import double_opt_in
from app.insights import visitors
from app.models import Campaign, Delivery
from app.models.release_day import OUTBOX_KINDS
from app.release_day import health
from app.release_day.deliver import enqueue_deliveries
from app.release_day.detect import enqueue_due_checks
from app.release_day.outbox import revive_expired_leases

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """A periodic job as data: worker.py's cron thread enqueues each once per period."""

    name: str
    func: object
    queue: str
    every: int  # seconds


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


def next_due() -> datetime | None:
    """The earliest moment the tick has something to do (may be past); None: nothing ahead.

    Mirrors what the tick looks at: checks (a presave campaign's first is at its release
    moment), due deliveries, and running deliveries whose lease will run out. Each is an
    indexed MIN."""
    free = or_(Campaign.check_lease_until.is_(None), Campaign.check_lease_until < clock.now())
    moments = [
        select(func.min(Campaign.next_check_at)).where(free),
        select(func.min(Campaign.release_at)).where(free, Campaign.phase == "presave"),
        select(func.min(Delivery.lease_until)).where(Delivery.state == "running"),
        *(
            select(func.min(Delivery.next_attempt_at)).where(
                Delivery.kind == kind, Delivery.state == "due"
            )
            for kind in OUTBOX_KINDS
        ),
    ]
    found = [moment for query in moments if (moment := db.session.scalar(query)) is not None]
    db.session.rollback()
    return min(found, default=None)


PERIODIC = (
    Periodic("dropday-tick", tick, "release", 60),
    # Insights: yesterday's visitor digests go (app/insights/visitors.py).
    Periodic("dropday-insights-forget", visitors.forget_past_days, "release", 600),
    # Double opt-in signups never confirmed go after a week (app/fan/double_opt_in.py).
    Periodic("dropday-forget-unconfirmed", double_opt_in.forget_unconfirmed, "release", 3600),
    # Spent platform tokens, and fans' data past RETENTION_DAYS, go (app/retention.py).
    Periodic("dropday-retention", retention.enforce, "release", 60),
    # Fans' platform connections, 24 h and 1 h before each release (health.py).
    Periodic("dropday-connection-health", health.check_connections, "release", 60),
)
