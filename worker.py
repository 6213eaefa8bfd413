"""Runs Dropday's worker: `python worker.py` (add `--burst` to stop once the queues are empty).

One process does both halves of release day's machinery: an RQ worker (app/jobs.py) runs
the jobs, and a cron thread enqueues the periodic jobs of app/release_day/schedule.py
(PERIODIC: the tick, every minute), so the Procfile needs no extra process. Every worker
runs its own cron thread, and each period's job is enqueued under an id naming the period,
once for all of them (jobs.enqueue_periodic). The periods are the machine's real minutes,
not app/clock.py's: they only say how often to look; the tick asks the clock what is due.
A Redis that was emptied just gets the next period's tick.

Between periods the cron thread also wakes at the next moment something is due
(schedule.next_due, on app/clock.py's time, looked at again every LOOK_AGAIN seconds) and
enqueues a tick named for that moment, once for all workers: a release's first check runs
at its release moment.

SIGTERM (what a PaaS sends on deploy) stops it warmly: a delivery job in hand finishes the
effects in flight, records them, hands the rest of its batch back (outbox.STOPPING), and
the worker exits, within seconds. Anything a killed worker leaves unfinished is taken over
once its lease (15 s; a release check's, 6 s) runs out, or on PostgreSQL as soon as its
presence lock is free (app/release_day/presence.py): within seconds.
"""

import argparse
import logging
import threading
import time

from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError

from app import clock, create_app
from app.extensions import db
from app.jobs import enqueue_once, enqueue_periodic, make_worker
from app.release_day import presence
from app.release_day.schedule import PERIODIC, next_due, tick

log = logging.getLogger("dropday.worker")

LOOK_AGAIN = 5  # seconds: how stale the cron thread's idea of the next due moment may get
# What the cron thread may meet while a service is away; it says so and tries again.
AWAY = (RedisError, DBAPIError, clock.ClockUnavailable)


def run_cron(app, stop: threading.Event) -> None:
    every = min(job.every for job in PERIODIC)
    while not stop.is_set():
        at = time.time()
        wait = every - at % every + 0.01  # the next period's start, as every other worker
        with app.app_context():
            for job in PERIODIC:
                try:
                    enqueue_periodic(job.func, job.queue, job.name, job.every, at)
                except AWAY as error:  # away for a moment: try again next period
                    log.warning("could not enqueue %s: %s", job.name, error)
            try:
                wait = min(wait, tick_when_due())
            except AWAY as error:
                log.warning("could not look for the next due moment: %s", error)
        stop.wait(min(wait, LOOK_AGAIN))


def tick_when_due() -> float:
    """Tick now if something is due (once per due moment for all workers); else the seconds
    until it is."""
    due, now = next_due(), clock.now()
    if due is None:
        return LOOK_AGAIN
    if due <= now:
        # Named for the due moment, or while it stays past (work waiting, a killed worker's
        # rows), for each LOOK_AGAIN-long window of it: the tick comes again until it's done.
        moment = max(due.timestamp(), now.timestamp() // LOOK_AGAIN * LOOK_AGAIN)
        enqueue_once(tick, "release", f"dropday-tick-at-{moment * 1000:.0f}", 60)
        return LOOK_AGAIN
    return (due - now).total_seconds() + 0.01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    args = parser.parse_args()
    # In simulator mode the simulator (and its clock) lives in the web process: ask it there.
    app = create_app({"SIMULATOR_CLOCK": "remote"})
    logging.basicConfig(level=logging.INFO)
    with app.app_context():
        presence.start(db.engine)
    worker = make_worker(app)
    stop = threading.Event()
    if not args.burst:
        threading.Thread(target=run_cron, args=(app, stop), daemon=True, name="cron").start()
    try:
        worker.work(burst=args.burst, with_scheduler=not args.burst)
    finally:
        stop.set()


if __name__ == "__main__":
    main()
