"""The outbox's leases: claims never overlap, a heartbeat keeps them, a dead worker's rows
come back, and an outcome survives a dropped database connection."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import Delivery
from app.release_day import presence
from app.release_day.outbox import (
    LEASE,
    _outcomes,
    claim_due,
    close_outcomes,
    done,
    hand_back,
    renew,
    revive_expired_leases,
)


def _email_deliveries(rd, artist, count):
    campaign = rd.campaign(artist, released_ago=-timedelta(days=1), platforms=["spotify"])
    rd.due_emails(campaign, [rd.email_fan(campaign) for _ in range(count)])


def test_claims_take_disjoint_rows_up_to_their_limit(rd, artist):
    _email_deliveries(rd, artist, 5)
    with rd.app.app_context():
        first = claim_due("email", 3)
        second = claim_due("email", 3)
        third = claim_due("email", 3)
    assert len(first.ids) == 3 and len(second.ids) == 2 and third.ids == []
    assert not set(first.ids) & set(second.ids)


def test_a_dead_workers_rows_are_due_again_once_their_lease_runs_out(rd, artist):
    _email_deliveries(rd, artist, 2)
    with rd.app.app_context():
        lease = claim_due("email", 10)
        assert revive_expired_leases(rd.sim.now()) == 0
        rd.sim.advance((LEASE + timedelta(seconds=1)).total_seconds())
        assert revive_expired_leases(rd.sim.now()) == 2
        again = claim_due("email", 10)
        assert again.ids == lease.ids
        # The first claim no longer holds them: it cannot hand them back or mark them.
        assert hand_back(lease, lease.ids) == 0
        states = db.session.scalars(select(Delivery.state)).all()
    assert states == ["running", "running"]


def test_a_row_handed_back_is_claimable_at_once_without_counting_an_attempt(rd, artist):
    _email_deliveries(rd, artist, 1)
    with rd.app.app_context():
        lease = claim_due("email", 10)
        assert hand_back(lease, lease.ids) == 1
        again = claim_due("email", 10)
        assert again.ids == lease.ids
        assert db.session.scalars(select(Delivery.attempts)).one() == 1


def test_a_renewed_lease_is_kept_and_the_old_claim_cannot_write_over_a_takeover(rd, artist):
    _email_deliveries(rd, artist, 2)
    with rd.app.app_context():
        span = LEASE.total_seconds()
        lease = claim_due("email", 10)
        rd.sim.advance(span * 2 / 3)
        assert renew(lease) == 2  # the heartbeat: a whole LEASE more from now
        rd.sim.advance(span * 2 / 3)
        assert claim_due("email", 10).ids == []  # past the first LEASE, still held
        rd.sim.advance(span / 3 + 1)
        taken = claim_due("email", 10)  # its worker stopped renewing: taken over
        assert taken.ids == lease.ids
        assert not done(lease, lease.ids[0])  # the first claim records nothing now
        assert done(taken, lease.ids[0])
        close_outcomes()
        rows = db.session.execute(select(Delivery.state, Delivery.unconfirmed)).all()
    assert sorted(rows) == [("done", True), ("running", True)]


def test_an_outcome_whose_database_connection_was_dropped_is_recorded_on_a_new_one(rd, artist):
    _email_deliveries(rd, artist, 1)
    with rd.app.app_context():
        lease = claim_due("email", 10)
        assert renew(lease) == 1  # opens the outcomes connection
        if db.engine.dialect.name == "postgresql":  # SQLite has no server to drop it
            pid = _outcomes().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            db.session.commit()
        assert done(lease, lease.ids[0])
        close_outcomes()
        assert db.session.scalars(select(Delivery.state)).one() == "done"


def test_a_dead_workers_claim_is_taken_over_at_once_and_a_living_ones_is_kept(
    rd, artist, monkeypatch
):
    if rd.app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite has no advisory locks: the lease alone decides there")
    _email_deliveries(rd, artist, 2)
    with rd.app.app_context():
        holder, other = presence.Presence(db.engine), presence.Presence(db.engine)
        holder.start()
        other.start()
        monkeypatch.setattr(presence, "SETTLE", 0)
        try:
            monkeypatch.setattr(presence, "_presence", holder)
            lease = claim_due("email", 1)
            assert lease.claim >> presence.TOKEN_BITS == holder.token != 0
            monkeypatch.setattr(presence, "_presence", other)
            second = claim_due("email", 10)
            assert len(second.ids) == 1 and second.ids != lease.ids  # the living one's kept
            holder.stop()
            holder._drop()  # the holder dies: its connection closes, its lock is let go
            deadline = time.monotonic() + 10
            while not (taken := claim_due("email", 10)).ids and time.monotonic() < deadline:
                time.sleep(0.1)
            assert taken.ids == lease.ids  # long before its lease runs out
            assert db.session.scalar(select(Delivery.unconfirmed).filter_by(id=lease.ids[0]))
        finally:
            holder.stop()
            other.stop()
            holder._drop()
            other._drop()


def test_a_worker_that_lost_its_presence_starts_no_new_effect(rd, artist, monkeypatch):
    _email_deliveries(rd, artist, 1)
    with rd.app.app_context():
        monkeypatch.setattr(presence, "token", lambda: 7)
        lease = claim_due("email", 1)
        assert not lease.ending()
        monkeypatch.setattr(presence, "token", lambda: 0)  # its lock is gone
        assert lease.ending()
