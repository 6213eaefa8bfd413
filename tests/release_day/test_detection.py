"""Finding the release: the rhythm of checks, what each check records, the alert."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.jobs import queue
from app.models import Campaign, ReleaseCheck
from app.release_day import detect, schedule
from app.release_day.detect import next_check, next_lag_check

UPCOMING = "602445790623"  # the simulator's "upcoming" album: not out anywhere


def _campaign(app, campaign_id):
    with app.app_context():
        row = db.session.get(Campaign, campaign_id)
        db.session.expunge(row)
        return row


def _checks(app):
    with app.app_context():
        rows = db.session.scalars(select(ReleaseCheck).order_by(ReleaseCheck.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_checks_thin_out_from_every_5_minutes_to_every_6_hours_then_stop():
    release = datetime(2026, 12, 4, tzinfo=UTC)

    def gap(after):
        now = release + after
        found = next_check(release, now)
        return None if found is None else found - now

    assert gap(timedelta(0)) == timedelta(minutes=5)
    assert gap(timedelta(hours=1, minutes=59)) == timedelta(minutes=5)
    assert gap(timedelta(hours=2)) == timedelta(minutes=15)
    assert gap(timedelta(hours=23, minutes=59)) == timedelta(minutes=15)
    assert gap(timedelta(hours=24)) == timedelta(hours=1)
    assert gap(timedelta(days=7, hours=23)) == timedelta(hours=1)
    assert gap(timedelta(days=8)) == timedelta(hours=6)
    assert gap(timedelta(days=37, hours=23)) == timedelta(hours=6)
    assert gap(timedelta(days=38)) is None


def test_after_conversion_missing_platforms_are_checked_every_15_minutes_for_72_hours():
    converted = datetime(2026, 12, 4, tzinfo=UTC)
    assert next_lag_check(converted, converted) == converted + timedelta(minutes=15)
    later = converted + timedelta(hours=71)
    assert next_lag_check(converted, later) == later + timedelta(minutes=15)
    assert next_lag_check(converted, converted + timedelta(hours=72)) is None


def test_a_release_not_out_is_checked_on_schedule_and_the_operators_alerted_after_a_day(
    rd, artist, mailbox_messages
):
    campaign = rd.campaign(
        artist, source_kind="upc", source_value=UPCOMING, platforms=["spotify", "deezer"]
    )
    rd.run_tick()
    first = _campaign(rd.app, campaign.id)
    assert first.phase == "awaiting_release"
    assert first.next_check_at == rd.sim.now() + timedelta(minutes=5)
    (check,) = _checks(rd.app)
    assert check.outcome == "not_found", check.answers
    assert set(check.answers) == {"spotify", "deezer"}

    rd.sim.advance(minutes=3)  # not due yet
    rd.run_tick()
    assert len(_checks(rd.app)) == 1

    rd.sim.advance(hours=24)
    rd.run_tick()
    alerted = _campaign(rd.app, campaign.id)
    assert alerted.phase == "not_found"  # the dashboard's banner
    assert alerted.alerted_at == rd.sim.now()
    assert alerted.next_check_at == rd.sim.now() + timedelta(hours=1)
    (alert,) = mailbox_messages()
    assert alert["To"] == "ops@dropday.test"
    assert campaign.title in alert["Subject"]

    # Found at last: the campaign converts even after the alert, and nobody is alerted twice.
    rd.sim.go_live("upcoming")
    rd.sim.advance(hours=1)
    rd.run_tick()
    assert _campaign(rd.app, campaign.id).phase == "live"
    assert len(mailbox_messages()) == 1


def test_an_outage_is_recorded_as_such_and_never_as_not_found(rd, artist):
    campaign = rd.campaign(artist, platforms=["spotify", "deezer"])
    rd.sim.fail("spotify", "server_error", times=None, rate=1.0)
    rd.sim.fail("deezer", "server_error", times=None, rate=1.0)
    rd.run_tick()
    (check,) = _checks(rd.app)
    assert check.outcome == "outage"
    assert {a["status"] for a in check.answers.values()} == {"outage"}
    assert _campaign(rd.app, campaign.id).phase == "awaiting_release"


def test_one_platform_down_does_not_hide_the_others_answers(rd, artist):
    rd.campaign(artist, platforms=["spotify", "deezer", "apple_music"])
    rd.sim.fail("apple_music", "server_error", times=None, rate=1.0)
    rd.run_tick()
    (check,) = _checks(rd.app)
    assert check.outcome == "found"
    assert check.answers["apple_music"]["status"] == "outage"
    assert check.answers["deezer"] == {
        "status": "found",
        "matched_by": "upc",
        "url": check.answers["deezer"]["url"],
    }


def test_a_campaign_for_a_release_already_out_goes_straight_to_detection(rd, artist):
    campaign = rd.campaign(artist, released_ago=timedelta(days=400), platforms=["spotify"])
    rd.run_tick()
    assert _campaign(rd.app, campaign.id).phase == "live"


def test_a_campaign_before_its_release_moment_is_not_checked(rd, artist):
    rd.campaign(artist, released_ago=-timedelta(hours=1), platforms=["spotify"])
    rd.run_tick()
    assert _checks(rd.app) == []


def test_two_ticks_at_once_start_one_check(rd, artist):
    campaign = rd.campaign(artist, platforms=["spotify"])
    with rd.app.app_context():
        assert schedule.tick()["checks"] == [campaign.id]
        assert schedule.tick()["checks"] == []
        assert queue("release").count == 1
    rd.work()
    assert len(_checks(rd.app)) == 1


def test_a_check_waiting_in_the_queue_is_not_doubled_and_a_lost_one_is_enqueued_again(rd, artist):
    campaign = rd.campaign(artist, platforms=["spotify"])
    with rd.app.app_context():
        assert schedule.tick()["checks"] == [campaign.id]
        rd.sim.advance(detect.CHECK_QUEUED.total_seconds() + 1)  # its claim ran out, queued
        assert schedule.tick()["checks"] == [campaign.id]  # claimed again...
        assert queue("release").count == 1  # ...but still one job
        queue("release").empty()  # the job is lost (its worker died as it took it)
        rd.sim.advance(detect.CHECK_QUEUED.total_seconds() + 1)
        assert schedule.tick()["checks"] == [campaign.id]
        assert queue("release").count == 1  # enqueued again
    rd.work()
    assert len(_checks(rd.app)) == 1


def test_check_now_runs_a_check_at_once_unless_one_is_running_or_it_is_too_early(rd, artist):
    early = rd.campaign(artist, released_ago=-timedelta(days=3), platforms=["spotify"])
    campaign = rd.campaign(artist, released_ago=timedelta(days=3), platforms=["spotify"])
    with rd.app.app_context():
        assert not detect.check_now(early.id)
        assert detect.check_now(campaign.id)
        assert not detect.check_now(campaign.id)
    rd.work()
    (check,) = _checks(rd.app)
    assert check.triggered_by == "manual"
