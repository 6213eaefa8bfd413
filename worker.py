"""Runs Dropday's worker: `python worker.py` (add `--burst` to stop once the queues are empty).

One process does both halves of release day's machinery: an RQ worker (app/jobs.py) runs
the jobs, and a thread runs RQ's cron scheduler (rq.cron.CronScheduler) for the periodic
jobs in app/release_day/schedule.py (PERIODIC: the tick, every minute), so the Procfile
needs no extra process. Every worker runs its own cron thread; that is harmless, because
the tick is idempotent: it claims what it starts with conditional updates in the database
and enqueues with deterministic job ids. Cron's own state is in this process, so a Redis
that was emptied just gets the next tick enqueued again.

SIGTERM (what a PaaS sends on deploy) stops it warmly: the current job finishes, then it exits.
Anything a killed worker leaves unfinished is found again in the database by the next tick.
"""

import argparse
import logging
import threading

from rq.cron import CronScheduler

from app import create_app
from app.jobs import make_worker, redis_connection
from app.release_day.schedule import PERIODIC

log = logging.getLogger("dropday.worker")


def run_cron(app, stop: threading.Event) -> None:
    cron = CronScheduler(redis_connection(app))
    for job in PERIODIC:
        cron.register(job.func, job.queue, interval=job.every, name=job.name, job_timeout=60)
    while not stop.is_set():
        try:
            cron.enqueue_jobs()
        except Exception:  # Redis away for a moment: try again on the next round
            log.exception("could not enqueue the periodic jobs")
        stop.wait(max(1.0, cron.calculate_sleep_interval()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    args = parser.parse_args()
    # In simulator mode the simulator (and its clock) lives in the web process: ask it there.
    app = create_app({"SIMULATOR_CLOCK": "remote"})
    logging.basicConfig(level=logging.INFO)
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
