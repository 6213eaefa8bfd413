"""A fan who disconnects or deletes their data: Dropday deletes the tokens and revokes the
grant at the platform where it has a revocation endpoint. Google documents one; TIDAL
documents none (platforms.md §4), so a TIDAL grant is only forgotten, never "revoked"."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Connection, Signup
from app.platforms.base import PermanentError
from app.platforms.clients import client_for
from app.simulator.defaults import PATHS


def _held(rd, fan):
    with rd.app.app_context():
        connection = db.session.scalar(
            select(Connection).where(Connection.signup_id == fan.signup_id)
        )
        token = db.session.scalar(select(Signup.unsubscribe_token).filter_by(id=fan.signup_id))
        return connection.tokens, token


def _connected(rd, artist, platform):
    campaign = rd.campaign(artist, platforms=[platform])
    fan = rd.direct_fan(campaign, platform, email="fan@example.com")
    return _held(rd, fan)


def _tokens_left(rd):
    with rd.app.app_context():
        return db.session.scalars(select(Connection)).all()


@pytest.mark.parametrize("action", ["disconnect", "delete"])
def test_a_google_grant_is_revoked_at_googles_revocation_endpoint(rd, artist, action):
    tokens, page_token = _connected(rd, artist, "youtube_music")
    assert rd.app.test_client().post(f"/u/{page_token}/{action}").status_code == 200
    assert _tokens_left(rd) == []
    # Over HTTP, at the address the setting names.
    revocations = [r for r in rd.sim.requests("youtube") if "revoke" in r.path]
    assert [("/youtube" + r.path, r.status) for r in revocations] == [
        (PATHS["GOOGLE_REVOKE_URL"], 200)
    ]
    with rd.app.app_context(), pytest.raises(PermanentError):  # Google honours it no more
        client_for("youtube_music").check(tokens, lambda fresh: None)


@pytest.mark.parametrize("action", ["disconnect", "delete"])
def test_a_tidal_grant_is_forgotten_without_calling_tidal(rd, artist, action):
    _, page_token = _connected(rd, artist, "tidal")
    calls = len(rd.sim.requests("tidal"))
    assert rd.app.test_client().post(f"/u/{page_token}/{action}").status_code == 200
    assert _tokens_left(rd) == []
    assert len(rd.sim.requests("tidal")) == calls  # no revocation endpoint to call
