"""RQ glue: the Redis connection, Dropday's queues, enqueueing, and the worker.

Jobs take ids, never ORM objects, and each runs in a fresh app context so it gets its own
database session. Redis only carries messages: the database says what is still to do.

The worker does not fork per job (RQ's SimpleWorker, with RQ's hard per-job time limit,
which SimpleWorker enforces with SIGALRM in its main thread). Why: a release-day job is a
batch of deliveries, and what a batch needs is expensive to build and cheap to keep -- the
platform clients with their pooled HTTPS connections and cached app tokens (Spotify, TIDAL,
Apple's signed developer token), the database pool, parsed VAPID keys, compiled email
templates. A forked work horse would rebuild all of it for every job and lose it afterwards.
What forking buys (a crash or leak in a job cannot take the worker down) matters less here:
jobs only call our own code and well-kept libraries, the time limit ends a hung job, and
anything a dying worker leaves half done is found again in the database by the next tick
(app/release_day/outbox.py).
"""

import os

from flask import Flask, current_app
from redis import Redis
from rq import Queue, SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import event

from app import clock
from app.extensions import db
from app.release_day.outbox import STOPPING

# Queues by purpose, most urgent first: a worker listening on all of them drains them in order.
QUEUES = ("release", "deliveries", "mail", "default")
# A job running longer than this is stopped (RQ's death penalty), whatever it is doing.
JOB_TIMEOUT = 300


def init_jobs(app: Flask) -> None:
    app.extensions["dropday.redis"] = None


def redis_connection(app: Flask | None = None) -> Redis:
    app = app or current_app
    conn = app.extensions.get("dropday.redis")
    if conn is None:
        url = app.config["REDIS_URL"]
        if not url:
            raise RuntimeError("REDIS_URL is not set: jobs need Redis.")
        conn = Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
        app.extensions["dropday.redis"] = conn
    return conn


def queue(name: str = "default", app: Flask | None = None) -> Queue:
    return Queue(name, connection=redis_connection(app), default_timeout=JOB_TIMEOUT)


PENDING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def enqueue(func, *args, queue_name: str = "default", job_id: str | None = None, **kwargs):
    """Enqueue `func(*args)`. With a stable `job_id`, a job still pending is not queued again.

    This only saves work: two callers can still race past the check, so every job must also
    be safe to run twice (conditional updates in the database, not job ids, guard effects).
    """
    q = queue(queue_name)
    if job_id:
        try:
            existing = Job.fetch(job_id, connection=q.connection)
        except NoSuchJobError:
            existing = None
        if existing is not None and existing.get_status(refresh=False) in PENDING:
            return existing
    return q.enqueue(func, *args, job_id=job_id, **kwargs)


def still_queued(job_id: str) -> bool:
    """Whether the job waits in its queue: not started yet, not lost with Redis."""
    try:
        job = Job.fetch(job_id, connection=redis_connection())
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) == JobStatus.QUEUED


def enqueue_periodic(func, queue_name: str, name: str, every: int, at: float) -> Job | None:
    """Enqueue `func` once for the period of `every` seconds that holds `at` (seconds since
    the epoch), however many ask: every worker's cron thread asks each period, one enqueues.

    The job id names the period, and asking is one atomic Redis `SET NX` of that id: unlike
    `enqueue`'s check, it cannot be raced, and it still refuses once the job has finished.
    """
    return enqueue_once(func, queue_name, f"{name}-{int(at // every)}", every)


def enqueue_once(func, queue_name: str, job_id: str, timeout: int) -> Job | None:
    """Enqueue `func` under `job_id` unless anyone did in the last 2 * `timeout` seconds:
    one atomic `SET NX` decides (see enqueue_periodic)."""
    q = queue(queue_name)
    if not q.connection.set(f"dropday:periodic:{job_id}", 1, nx=True, ex=2 * timeout):
        return None
    return q.enqueue(func, job_id=job_id, job_timeout=timeout)


# -- the worker ------------------------------------------------------------------------------


class AppWorker(SimpleWorker):
    """Runs each job in-process inside a fresh app context (see the module docstring).

    A warm stop (SIGTERM, Ctrl-C) also raises the outbox's stop flag, so a delivery job ends
    within seconds (its effects in flight finish and are recorded, the rest of its batch is
    handed back) instead of working through its budget; then RQ lets the worker exit."""

    app: Flask

    def request_stop(self, signum, frame):
        STOPPING.set()
        super().request_stop(signum, frame)

    def perform_job(self, job, queue, execution):
        clock.job_starting(self.app)
        with self.app.app_context():
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()


def make_worker(app: Flask) -> AppWorker:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        # A worker commits each delivery's outcome the moment it happens (see mail.py). It
        # does not wait for PostgreSQL to flush each commit to disk: a killed *worker* loses
        # nothing by that (the server has the commit); only a crash of the database server
        # itself could lose the last fraction of a second of outcomes, which would then be
        # delivered again. Worth it: a flush per email would cap release day at the disk's
        # flush rate.
        event.listen(engine, "connect", _asynchronous_commits)
    worker = AppWorker([queue(name, app) for name in QUEUES], connection=redis_connection(app))
    worker.app = app
    worker.log.debug("worker %s ready in pid %s", worker.name, os.getpid())
    return worker


def _asynchronous_commits(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    dbapi_connection.commit()
