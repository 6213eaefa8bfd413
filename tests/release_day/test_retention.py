"""What Dropday keeps, and for how long: platform tokens until the fan's save is finished;
emails and push subscriptions until RETENTION_DAYS after the release."""

from datetime import timedelta

from sqlalchemy import select

from app import retention
from app.extensions import db
from app.jobs import enqueue
from app.models import Connection, Delivery, PushSubscription, Signup


def _run_retention(rd):
    with rd.app.app_context():
        enqueue(retention.enforce, queue_name="release")
    rd.work()


def test_platform_tokens_are_deleted_once_the_save_is_done(rd, artist):
    campaign = rd.campaign(artist, platforms=["spotify", "youtube_music", "tidal"])
    saved = rd.direct_fan(campaign, "youtube_music", email="saved@example.com")
    waiting = rd.direct_fan(campaign, "tidal", email="waiting@example.com")  # TIDAL lags 6 h
    rd.run_tick()
    _run_retention(rd)
    with rd.app.app_context():
        states = dict(
            db.session.execute(
                select(Delivery.signup_id, Delivery.state).where(Delivery.kind == "save")
            ).all()
        )
        kept = db.session.scalars(select(Connection.signup_id)).all()
    assert states[saved.signup_id] == "done" and states[waiting.signup_id] == "waiting"
    assert kept == [waiting.signup_id]


def test_fans_data_is_deleted_after_the_retention_time(rd, artist):
    old = rd.campaign(artist, platforms=["spotify"], released_ago=timedelta(days=91))
    recent = rd.campaign(artist, platforms=["spotify"], released_ago=timedelta(days=10))
    rd.subscribe_push(rd.email_fan(old, email="old@example.com"))
    rd.email_fan(recent, email="recent@example.com")
    _run_retention(rd)
    with rd.app.app_context():
        assert db.session.scalars(select(Signup.email)).all() == ["recent@example.com"]
        assert db.session.scalars(select(PushSubscription)).all() == []
