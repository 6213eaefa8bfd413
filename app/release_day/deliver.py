"""The delivery job: works through the outbox, one batch of each kind in turn, and starts
itself while anything is due.

`run` claims batches of due saves, pushes, emails, announcements and webhooks with a lease
(outbox.py), hands each to its module (saves.py, push.py, mail.py, webhooks.py,
app/audience/announcement_mail.py), which does the effects and records every outcome on its
row. DELIVERY_SLOTS jobs at a time share the work through their claims, so none is done
twice; each ends after about JOB_BUDGET seconds, when nothing is due, or as soon as its
worker is asked to stop (outbox.STOPPING: the batch in hand finishes what is in flight and
hands the rest back), and the tick (or a kick after a conversion) starts new ones while
work is left. While a batch is worked its lease is kept alive (outbox.kept_alive).
"""

import logging
import time
from datetime import datetime

from sqlalchemy import select

from app import clock
from app.audience import announcement_mail
from app.extensions import db
from app.jobs import enqueue
from app.models import Delivery
from app.release_day import mail, push, saves, webhooks
from app.release_day.outbox import STOPPING, claim_due, close_outcomes, kept_alive, renew

log = logging.getLogger(__name__)

# A delivery job keeps claiming batches for about this long (real seconds), well inside
# JOB_TIMEOUT, then ends; the next tick starts new ones while work is left.
JOB_BUDGET = 120
BATCH = {"save": 25, "push": 100, "email": 200, "announcement": 200, "webhook": 200}
HANDLERS = {
    "save": saves.deliver_saves,
    "push": push.deliver_pushes,
    "email": mail.deliver_emails,
    "announcement": announcement_mail.deliver_announcements,
    "webhook": webhooks.deliver_webhooks,
}
DELIVERY_SLOTS = 3


def run(budget: float = JOB_BUDGET) -> dict:
    """The delivery job: batches of every kind in turn until nothing is due or time is up."""
    done = dict.fromkeys(HANDLERS, 0)
    started = time.monotonic()
    try:
        while time.monotonic() - started < budget and not STOPPING.is_set():
            worked = 0
            for kind, handle in HANDLERS.items():
                if STOPPING.is_set():
                    break
                lease = claim_due(kind, BATCH[kind])
                if lease.ids:
                    with kept_alive(lambda lease=lease: renew(lease)):
                        handle(lease)
                    done[kind] += len(lease.ids)
                    worked += len(lease.ids)
            if not worked:
                break
    finally:
        close_outcomes()
    log.info("delivered %s", done)
    return done


WINDOW = 10  # seconds


def enqueue_deliveries(now: datetime, slots: int = DELIVERY_SLOTS) -> int:
    """Start delivery jobs while anything is due. Ids are fixed per WINDOW seconds, so ticks
    in the same window enqueue them once; a job left over from a lost Redis is simply gone,
    a stale one from earlier finds nothing left and ends, and one a killed worker left
    "started" in Redis holds its id only until the next window (its rows come back when
    their lease runs out)."""
    due = db.session.scalar(
        select(Delivery.id).where(Delivery.state == "due", Delivery.next_attempt_at <= now).limit(1)
    )
    if due is None:
        return 0
    window = int(now.timestamp() // WINDOW)
    for slot in range(slots):
        enqueue(run, queue_name="deliveries", job_id=f"deliver-{window}-{slot}")
    return slots


def kick_deliveries() -> int:
    """Start delivery jobs now rather than at the next tick (after a conversion, a link
    found, a retry requested)."""
    return enqueue_deliveries(clock.now())
