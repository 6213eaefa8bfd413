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


def _save_states(rd) -> dict[int, str]:
    with rd.app.app_context():
        return dict(
            db.session.execute(
                select(Delivery.signup_id, Delivery.state).where(Delivery.kind == "save")
            ).all()
        )


def _holding_tokens(rd) -> list[int]:
    with rd.app.app_context():
        return db.session.scalars(select(Connection.signup_id)).all()


def test_platform_tokens_are_deleted_with_the_done_save_not_by_a_later_job(rd, artist):
    campaign = rd.campaign(artist, platforms=["spotify", "youtube_music", "tidal"])
    saved = rd.direct_fan(campaign, "youtube_music", email="saved@example.com")
    waiting = rd.direct_fan(campaign, "tidal", email="waiting@example.com")  # TIDAL lags 6 h
    rd.run_tick()  # the worker saves; no retention job runs here
    states = _save_states(rd)
    assert states[saved.signup_id] == "done" and states[waiting.signup_id] == "waiting"
    assert _holding_tokens(rd) == [waiting.signup_id]


def test_platform_tokens_are_deleted_with_a_save_refused_for_good(rd, artist):
    campaign = rd.campaign(artist, platforms=["tidal", "spotify"])
    rd.sim.go_live("demo", "tidal")
    fan = rd.direct_fan(campaign, "tidal", email="refused@example.com")
    rd.sim.revoke(fan.listener, "tidal")  # a permanent failure: the save fails at once
    rd.run_tick()
    assert _save_states(rd) == {fan.signup_id: "failed"}
    assert _holding_tokens(rd) == []


def test_platform_tokens_are_kept_while_a_save_is_retried_and_deleted_when_it_gives_up(rd, artist):
    campaign = rd.campaign(artist, platforms=["tidal", "spotify"])
    rd.sim.go_live("demo", "tidal")
    fan = rd.direct_fan(campaign, "tidal", email="gave-up@example.com")
    rd.sim.fail("tidal", "server_error", times=None, path="/v2/userCollection")
    rd.run_tick()
    assert _save_states(rd) == {fan.signup_id: "due"}
    assert _holding_tokens(rd) == [fan.signup_id]  # still being retried: kept
    for _ in range(13):  # past the 12 h retry window, the save gives up
        rd.sim.advance(hours=1)
        rd.run_tick()
    assert _save_states(rd) == {fan.signup_id: "failed"}
    assert _holding_tokens(rd) == []


def test_the_periodic_job_still_deletes_tokens_a_finished_save_left(rd, artist):
    campaign = rd.campaign(artist, platforms=["spotify", "youtube_music"])
    fan = rd.direct_fan(campaign, "youtube_music", email="older@example.com")
    with rd.app.app_context():  # a save finished before tokens went with the outcome
        db.session.add(
            Delivery(
                campaign_id=campaign.id,
                signup_id=fan.signup_id,
                kind="save",
                platform="youtube_music",
                state="done",
                done_at=rd.sim.now(),
            )
        )
        db.session.commit()
    assert _holding_tokens(rd) == [fan.signup_id]
    _run_retention(rd)
    assert _holding_tokens(rd) == []


def test_fans_data_is_deleted_after_the_retention_time(rd, artist):
    old = rd.campaign(artist, platforms=["spotify"], released_ago=timedelta(days=91))
    recent = rd.campaign(artist, platforms=["spotify"], released_ago=timedelta(days=10))
    rd.subscribe_push(rd.email_fan(old, email="old@example.com"))
    rd.email_fan(recent, email="recent@example.com")
    _run_retention(rd)
    with rd.app.app_context():
        assert db.session.scalars(select(Signup.email)).all() == ["recent@example.com"]
        assert db.session.scalars(select(PushSubscription)).all() == []
