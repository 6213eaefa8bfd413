"""Flask commands: `flask dev` (everything for a local run), `flask seed-demo`,
`flask rotate-token-keys` and `flask refresh-artwork`."""

import contextlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import click
import requests
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from PIL import Image, ImageDraw

from app import rehearsal
from app.campaigns.artwork import process_artwork
from app.campaigns.palette import Palette
from app.config import ROOT
from app.extensions import db
from app.models import Artist, Campaign
from app.platforms import registry

DEMO_EMAIL = "demo@dropday.test"
DEMO_PASSWORD = "dropday-demo"  # noqa: S105  (a published demo login, local runs only)
# The simulator's catalog knows this album (see app/simulator).
DEMO_SOURCE = ("spotify", "spotify:album:4aawyAB9vmqN3uQ7FjRGTy")


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(dev)
    app.cli.add_command(rotate_token_keys_command)
    app.cli.add_command(refresh_artwork_command)


@click.command("refresh-artwork")
@with_appcontext
def refresh_artwork_command() -> None:
    """Make the renditions and palette of artwork uploaded before they existed."""
    from app.campaigns.editing import refresh_artwork

    before_renditions = Campaign.artwork.is_not(None) & Campaign.palette_dominant.is_(None)
    waiting = db.session.scalars(db.select(Campaign).where(before_renditions)).all()
    for campaign in waiting:
        refresh_artwork(campaign)
    click.echo(f"Refreshed the artwork of {len(waiting)} campaign(s).")


@click.command("rotate-token-keys")
@with_appcontext
def rotate_token_keys_command() -> None:
    """Re-encrypt every stored platform token with the newest of TOKEN_KEYS."""
    from app.token_keys import rotate_token_keys

    click.echo(f"Re-encrypted {rotate_token_keys()} stored token(s) with the newest key.")


@click.command("seed-demo")
@click.option(
    "--fresh-rehearsal",
    is_flag=True,
    help="Start the release-day rehearsal campaign over (its fans, checks and deliveries).",
)
def seed_demo(fresh_rehearsal: bool) -> None:
    """Create the demo artist and campaigns (once)."""
    if fresh_rehearsal:
        rehearsal.reset_campaign()
    click.echo(ensure_demo())


def ensure_demo() -> str:
    """The demo artist, their campaign (released in two weeks) and the release-day
    rehearsal campaign (app/rehearsal.py), each with a few fans. Safe to run again."""
    artist = db.session.scalar(db.select(Artist).filter_by(email=DEMO_EMAIL))
    if artist is not None:
        said = "Demo artist already there."
    else:
        artist = Artist(email=DEMO_EMAIL, name="Demo Artist")
        artist.set_password(DEMO_PASSWORD)
        campaign = Campaign(
            owner=artist,
            title="Midnight Signals",
            artist_name="The Night Owls",
            slug="midnight-signals",
            platforms=list(registry.KEYS),
            source_kind=DEMO_SOURCE[0],
            source_value=DEMO_SOURCE[1],
        )
        campaign.artwork, campaign.palette = _artwork()
        campaign.schedule((datetime.now(UTC) + timedelta(days=14)).date(), "Europe/Berlin")
        db.session.add_all([artist, campaign])
        db.session.flush()
        rehearsal.add_email_fans(campaign)
        said = f"Demo artist {DEMO_EMAIL} with campaign “{campaign.title}” created."
    if db.session.scalar(db.select(Campaign).filter_by(slug=rehearsal.SLUG)) is None:
        rehearsal.ensure_campaign(artist, *_artwork())
        said += f" Release-day rehearsal campaign “{rehearsal.SLUG}” created."
    db.session.commit()
    return said


def _artwork() -> tuple[str, Palette]:
    return process_artwork(io.BytesIO(_demo_artwork()), current_app.config["UPLOAD_FOLDER"])


def _demo_artwork() -> bytes:
    image = Image.new("RGB", (1000, 1000), (18, 16, 40))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1000, 8):
        draw.ellipse(
            (500 - i // 2, 520 - i // 2, 500 + i // 2, 520 + i // 2),
            outline=(120 + i % 120, 60, 200 - i // 8),
            width=2,
        )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@click.command("dev")
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), show_default="5000")
def dev(port: int) -> None:
    """Run Dropday locally: Redis (bundled unless REDIS_URL is set), a local mailbox, the
    database, the worker and the web app."""
    from app.local_redis import free_port, start_redis

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
