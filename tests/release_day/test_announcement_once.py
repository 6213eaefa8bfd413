"""An announcement to a big audience under a fault: a real worker process (`python
worker.py --burst`) killed in the middle of a batch, then the outbox's ordinary recovery
(lease runs out, the tick revives the rows, a new worker sends them). Each opted-in fan gets
the announcement once; fans who withdrew get nothing.

The worker process, the stalling SMTP server and the drain loop are the release-day
exactly-once test's (test_exactly_once.py): the announcement is one more client of the same
outbox, so it is tested the same way.
"""

import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock, mailbox
from app.audience import announcements
from app.extensions import db
from app.models import Campaign, Delivery
from app.release_day.outbox import LEASE
from tests.audience_rows import add_members
from tests.factories import Factories
from tests.release_day.conftest import ReleaseDay
from tests.release_day.test_exactly_once import (  # noqa: F401  (smtp: a fixture)
    _drain,
    _finish,
    _output,
    _start_worker,
    _tick,
    _worker_env,
    smtp,
)

FANS = 10_000
WITHDRAWN = 25


@pytest.fixture
def day(simulator, vapid_private_key, smtp, database_url, redis_url, tmp_path):  # noqa: F811
    app = simulator.app
    app.config.update(
        SIMULATOR_URL=simulator.url,
        VAPID_PRIVATE_KEY=vapid_private_key,
        ALERT_EMAIL="ops@dropday.test",
    )
    sim = simulator.sim
    sim.natural_limits = False
    sim.set_clock(sim.now())
    clock.install(app, sim.now)
    day = ReleaseDay(app, simulator)
    make = Factories(app)
    artist = make.artist()
    campaign = make.campaign(artist, artist_name="Ada")
    add_members(app, campaign.id, FANS)
    add_members(app, campaign.id, WITHDRAWN, start=FANS, withdrawn_at=sim.now())
    day.env = _worker_env(app, simulator, smtp, database_url, redis_url, tmp_path)
    day.smtp = smtp
    with app.app_context():
        announcements.send(db.session.get(Campaign, campaign.id), "Out in two weeks.")
    return day


def test_an_announcement_to_10000_fans_with_a_worker_killed_mid_batch_reaches_each_once(day):
    # The SMTP server holds fan4000's message at RCPT (not accepted), and every one after
    # it; the worker is killed there, its other claimed rows not yet sent.
    day.smtp.handler.stall_for = "fan4000@example.com"
    _tick(day)
    worker = _start_worker(day)
    try:
        assert day.smtp.handler.stalled.wait(120), _finish(worker, 5)
        time.sleep(1)  # the worker's other SMTP connections: each records its last message
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        day.smtp.handler.stall_for = None
        day.smtp.handler.resume.set()
    _output(worker)
    sent = len(mailbox.read(day.smtp.handler.folder))
    assert 0 < sent < FANS  # it really died in the middle
    with day.app.app_context():
        running = db.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.state == "running")
        )
    assert running > 0
    day.sim.advance((LEASE + timedelta(seconds=1)).total_seconds())
    _drain(day, rounds=12)
    per_fan = Counter(m["To"] for m in mailbox.read(day.smtp.handler.folder))
    assert len(per_fan) == FANS and set(per_fan.values()) == {1}, per_fan.most_common(3)
    assert not any(f"fan{n}@example.com" in per_fan for n in range(FANS, FANS + WITHDRAWN))
    with day.app.app_context():
        states = Counter(db.session.scalars(select(Delivery.state)))
    assert states == {"done": FANS}
