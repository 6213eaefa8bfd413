"""Runs Dropday's worker: `python worker.py` (add `--burst` to stop once the queues are empty).

One process does both halves of release day's machinery: an RQ worker (app/jobs.py) runs
the jobs, and a cron thread enqueues the periodic jobs of app/release_day/schedule.py
(PERIODIC: the tick, every minute), so the Procfile needs no extra process. Every worker
runs its own cron thread, and each period's job is enqueued under an id naming the period,
once for all of them (jobs.enqueue_periodic). The periods are the machine's real minutes,
not app/clock.py's: they only say how often to look; the tick asks the clock what is due.
A Redis that was emptied just gets the next period's tick.

SIGTERM (what a PaaS sends on deploy) stops it warmly: the current job finishes, then it exits.
Anything a killed worker leaves unfinished is found again in the database by the next tick.
"""

import argparse
import logging
import threading
import time

from redis.exceptions import RedisError

from app import create_app
from app.jobs import enqueue_periodic, make_worker
from app.release_day.schedule import PERIODIC

log = logging.getLogger("dropday.worker")


def run_cron(app, stop: threading.Event) -> None:
    every = min(job.every for job in PERIODIC)
    while not stop.is_set():
        at = time.time()
        with app.app_context():
            for job in PERIODIC:
                try:
                    enqueue_periodic(job.func, job.queue, job.name, job.every, at)
                except RedisError:  # Redis away for a moment: try again next period
                    log.exception("could not enqueue %s", job.name)
        # Wake at the next period's start, as every other worker does: one of them wins it.
        stop.wait(every - time.time() % every + 0.01)


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
