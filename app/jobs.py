"""RQ glue: the Redis connection, Dropday's queues, and the worker that runs jobs in the app.

Jobs take ids, never ORM objects, and each runs in a fresh app context so it gets its own
database session. Redis only carries messages: the database says what is still to do.
"""

import os

from flask import Flask, current_app
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app.extensions import db

# Queues by purpose, most urgent first: a worker listening on all of them drains them in order.
QUEUES = ("release", "saves", "mail", "default")


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
    return Queue(name, connection=redis_connection(app))


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


class AppContextMixin:
    """Runs every job inside a fresh context of the worker's app."""

    app: Flask

    def perform_job(self, job, queue, execution):
        with self.app.app_context():
            if os.getpid() != self._parent_pid:
                # A forked work horse must not reuse the parent's database connections.
                db.engine.dispose(close=False)
            return super().perform_job(job, queue, execution)


class AppWorker(AppContextMixin, Worker):
    """Forks a work horse per job: a job that crashes or hangs cannot take the worker down."""


class AppSimpleWorker(AppContextMixin, SimpleWorker):
    """Runs jobs in-process (tests, and platforms where fork is unavailable)."""


def make_worker(app: Flask, simple: bool = False) -> Worker:
    cls = AppSimpleWorker if simple else AppWorker
    worker = cls([queue(name, app) for name in QUEUES], connection=redis_connection(app))
    worker.app = app
    worker._parent_pid = os.getpid()
    return worker
