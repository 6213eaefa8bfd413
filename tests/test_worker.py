"""The worker: real RQ against real Redis, every job inside the app context."""

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from rq import Worker
from rq.job import JobStatus

from app.config import ROOT
from app.jobs import enqueue, enqueue_periodic, make_worker, queue
from app.release_day.schedule import PERIODIC
from tests import sample_jobs


def test_a_job_runs_in_the_app_with_a_database_session(app, make):
    make.artist(name="Ada")
    make.artist(name="Grace")
    with app.app_context():
        job = enqueue(sample_jobs.artist_names)
    make_worker(app).work(burst=True)
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() == ["Ada", "Grace"]


def test_a_stable_job_id_keeps_a_job_from_being_queued_twice(app):
    with app.app_context():
        first = enqueue(sample_jobs.artist_names, job_id="names")
        second = enqueue(sample_jobs.artist_names, job_id="names")
        assert first.id == second.id == "names"
        assert queue().count == 1


def test_of_many_workers_asking_for_the_tick_at_once_one_enqueues_it_each_minute(app, make_app):
    workers = [app, make_app(), make_app(), make_app()]  # each with its own Redis connection
    tick = next(job for job in PERIODIC if job.name == "dropday-tick")
    ready = threading.Barrier(len(workers))

    def ask(app, at):
        with app.app_context():
            ready.wait()
            job = enqueue_periodic(tick.func, tick.queue, tick.name, tick.every, at)
            return job and job.id

    minute = 29_000_000 * 60
    enqueued = []
    # The minute's start, its end after the tick already ran, the next minute.
    for at in (minute + 0.2, minute + 59.9, minute + 60.1):
        with ThreadPoolExecutor(len(workers)) as pool:
            enqueued.append(sorted(filter(None, pool.map(ask, workers, [at] * len(workers)))))
        if at == minute + 0.2:
            make_worker(workers[0]).work(burst=True)
    assert enqueued == [["dropday-tick-29000000"], [], ["dropday-tick-29000001"]]
    with workers[0].app_context():
        assert queue(tick.queue).job_ids == ["dropday-tick-29000001"]


def _worker_env(app):
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return env | {
        "DROPDAY_ENV": "development",
        "DROPDAY_INSTANCE": app.config["UPLOAD_FOLDER"],
        "SECRET_KEY": "worker-test",
        "TOKEN_KEYS": app.config["TOKEN_KEYS"],
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "PYTHONPATH": str(ROOT),
    }


def _wait(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_worker_py_finishes_the_running_job_on_sigterm_then_exits_cleanly(app, tmp_path):
    target = tmp_path / "out.txt"
    with app.app_context():
        job = enqueue(sample_jobs.slow_write, str(target), 1.5)
        connection = queue().connection
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "worker.py")],
        cwd=ROOT,
        env=_worker_env(app),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(lambda: job.get_status(refresh=True) == JobStatus.STARTED)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        output = proc.stdout.read().decode()
        proc.stdout.close()
    assert job.get_status(refresh=True) == JobStatus.FINISHED, output
    assert target.read_text() == "development"
    assert Worker.all(connection=connection) == []
