"""The `flask dev` supervisor: Redis (bundled unless REDIS_URL is set), a local mailbox, the
database with the demo, the web app and the worker, each its own process; if one part dies
the rest stop, and Ctrl-C stops them in order (web, worker, mailbox, Redis)."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

import click
import requests
from flask import current_app
from flask_migrate import upgrade

from app.config import ROOT
from app.demo import rehearsal
from app.demo.seed import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo
from app.extensions import db
from app.local_redis import free_port, start_redis


def run(port: int) -> None:
    """Run Dropday locally: Redis (bundled unless REDIS_URL is set), a local mailbox, the
    database, the worker and the web app."""
    children: list[subprocess.Popen] = []
    env = dict(os.environ, DROPDAY_ENV="development", PUBLIC_URL=f"http://127.0.0.1:{port}")
    if not env.get("REDIS_URL"):
        redis_proc, env["REDIS_URL"] = start_redis()
        children.append(redis_proc)
        click.echo(f"Started a private redis-server at {env['REDIS_URL']}")

    # Every email (password resets, release day) goes to a local SMTP server that keeps it
    # for the mailbox page: nothing leaves the machine.
    mail_port = free_port()
    folder = current_app.config["MAILBOX_FOLDER"]
    env |= {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_port),
        "MAIL_USE_TLS": "",
        "MAIL_USE_SSL": "",
        "MAILBOX_FOLDER": folder,
    }
    children.append(
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "app.mailbox", "--folder", folder, "--port", str(mail_port)],
            env=env,
            start_new_session=True,
        )
    )

    upgrade(directory=str(ROOT / "migrations"))
    click.echo(ensure_demo())

    py = sys.executable
    url = f"http://127.0.0.1:{port}"
    # Every part runs in its own session, out of reach of the terminal's Ctrl-C, so that
    # `_stop` alone decides the order. The worker gets SIGTERM itself (a warm shutdown that
    # lets its work horse finish); the web server's whole group goes, reloader child too.
    web = subprocess.Popen(  # noqa: S603
        [py, "-m", "flask", "--app", "app", "run", "--debug", "--port", str(port)],
        env=env,
        start_new_session=True,
    )
    children.append(web)  # stopped first (_stop goes from the end)
    click.echo(
        f"\n  Dropday is running at {url}/dashboard/\n"
        f"  Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
        f"  Demo fan page: {url}/midnight-signals\n"
        f"  Platform simulator: {url}/simulator/\n"
        f"  Local mailbox (every email sent): {url}/dev/mailbox/\n"
        f"  Release-day rehearsal: {url}/tides-between-us (see README)\n"
        "  Ctrl-C stops everything.\n"
    )
    # Ctrl-C (or SIGTERM) only asks to stop, and the steps below look at that request: an
    # exception raised at an arbitrary point (inside a library's cleanup, say) can be lost.
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        # The web process serves the simulator, whose clock the worker's tick reads: the
        # worker starts once the web app answers.
        if _wait_until_up(url, web, stop):
            worker_command = [py, str(ROOT / "worker.py")]
            worker = subprocess.Popen(worker_command, env=env, start_new_session=True)  # noqa: S603
            children.insert(-1, worker)
            _connect_rehearsal_fan(url)
        # If one part dies, stop the rest rather than leave a half-running Dropday.
        while not stop.is_set() and all(child.poll() is None for child in children):
            stop.wait(0.5)
        if stop.is_set():
            click.echo("Stopping Dropday...")
        else:
            click.echo("A part of Dropday stopped (see above); stopping the rest.", err=True)
    finally:
        _stop(children)


def _wait_until_up(url: str, web: subprocess.Popen, stop: threading.Event, timeout=90) -> bool:
    """Wait for the web app's health check; False if asked to stop first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and web.poll() is None and not stop.is_set():
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return not stop.is_set()
        except requests.RequestException:
            pass  # not listening yet, or busy loading the app
        stop.wait(0.5)
    return not stop.is_set()


def _connect_rehearsal_fan(public_url: str) -> None:
    """Connect the rehearsal's TIDAL fan in the running web app's simulator (whose tokens
    live in that process's memory, so each run connects the fan again)."""
    try:
        rehearsal.connect_fan(public_url)
    except Exception as error:  # the rest of `make dev` works without this fan
        db.session.rollback()
        click.echo(f"Could not connect the rehearsal's TIDAL fan ({error}); skipping.", err=True)
    else:
        click.echo(f"Rehearsal fan connected to TIDAL in the simulator ({rehearsal.LISTENER}).")


def _stop(children: list[subprocess.Popen]) -> None:
    """Web first, then the worker (which may finish a job), then the mailbox and Redis: one
    at a time."""
    web = children[-1]
    for child in reversed(children):
        _signal(child, signal.SIGTERM, group=child is web)
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            _signal(child, signal.SIGKILL, group=True)
            child.wait()


def _signal(child: subprocess.Popen, sig: int, group: bool) -> None:
    with contextlib.suppress(ProcessLookupError):
        if group:
            os.killpg(child.pid, sig)
        else:
            child.send_signal(sig)
