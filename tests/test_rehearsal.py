"""The `make dev` rehearsal: seed-demo gives release day something to do."""

from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.demo import rehearsal
from app.extensions import db
from app.models import Campaign, Connection, Signup
from app.models.campaign import release_moment
from tests.factories import serve_at


def test_seed_demo_adds_a_running_release_day_with_fans_once(runner, app):
    with app.app_context():
        first = runner.invoke(args=["seed-demo"])
        again = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "rehearsal campaign" in first.output
    assert "Demo artist already there." in again.output and "rehearsal" not in again.output

    with app.app_context():
        campaigns = {c.slug: c for c in db.session.scalars(db.select(Campaign))}
        assert set(campaigns) == {"midnight-signals", rehearsal.SLUG}
        rehearsing = campaigns[rehearsal.SLUG]
        # Its release moment passed within the hour (dense checks, no alert yet), and it is
        # the simulator's not-yet-live release.
        assert timedelta(0) <= clock.now() - rehearsing.release_at < timedelta(hours=1)
        assert (rehearsing.source_kind, rehearsing.source_value) == ("upc", rehearsal.UPC)
        sim = app.extensions["simulator"]
        assert sim.release("upcoming").upc == rehearsal.UPC
        assert not any(sim.is_live("upcoming", p) for p in rehearsing.platforms if p != "other")
        for campaign in campaigns.values():
            fans = db.session.scalars(db.select(Signup).filter_by(campaign_id=campaign.id)).all()
            assert len(fans) == len(rehearsal.EMAIL_FANS)
            assert all(f.mode == "email" and f.email for f in fans)


def test_the_rehearsal_fan_connects_to_tidal_in_the_running_simulator(live_server):
    app = live_server.app
    serve_at(app, live_server.url)  # as make dev runs it: PUBLIC_URL is the server
    sim = app.extensions["simulator"]
    with app.app_context():
        from app.demo.seed import ensure_demo

        ensure_demo()
        first = rehearsal.connect_fan(live_server.url)
        # Each `make dev` start connects again: the same fan, fresh tokens.
        second = rehearsal.connect_fan(live_server.url)
        assert first.id == second.id
        connection = db.session.get(Connection, second.id)
        signup = connection.signup
        assert (signup.mode, signup.platform, signup.email) == (
            "direct",
            "tidal",
            rehearsal.CONNECTED_EMAIL,
        )
        token = sim.check_token("tidal", connection.access_token)
        assert token.listener == rehearsal.LISTENER


def test_the_rehearsal_can_start_over(runner, app):
    with app.app_context():
        runner.invoke(args=["seed-demo"])
        first = db.session.scalar(db.select(Campaign).filter_by(slug=rehearsal.SLUG))
        first.phase = "live"
        db.session.commit()
        result = runner.invoke(args=["seed-demo", "--fresh-rehearsal"])
        assert "rehearsal campaign" in result.output
        fresh = db.session.scalar(db.select(Campaign).filter_by(slug=rehearsal.SLUG))
        assert fresh.phase == "presave"  # (SQLite may reuse the id)
        fans = db.session.scalars(db.select(Signup).filter_by(campaign_id=fresh.id)).all()
        assert len(fans) == len(rehearsal.EMAIL_FANS)


@pytest.mark.parametrize("hour", range(24))
def test_the_rehearsal_s_release_moment_is_always_within_the_last_hour(app, hour):
    moment = datetime(2026, 11, 28, hour, 37, tzinfo=UTC)
    with app.app_context():
        clock.install(app, lambda: moment)
        day, zone = rehearsal.just_released()
    released = release_moment(day, zone)
    assert timedelta(0) <= moment - released < timedelta(hours=1), (day, zone)
