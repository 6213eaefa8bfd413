"""The outbox's leases: claims never overlap, and a dead worker's rows come back."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Delivery
from app.release_day.outbox import LEASE, claim_due, hand_back, revive_expired_leases


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
