"""A fan who disconnects or deletes their data: Dropday deletes the tokens and revokes the
grant at the platform where it has a revocation endpoint (Google's, TIDAL's)."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Connection, Signup
from app.platforms.base import PermanentError
from app.platforms.clients import client_for

SIM_PLATFORM = {"tidal": "tidal", "youtube_music": "youtube"}


def _held(rd, fan):
    with rd.app.app_context():
        connection = db.session.scalar(
            select(Connection).where(Connection.signup_id == fan.signup_id)
        )
        token = db.session.scalar(select(Signup.unsubscribe_token).filter_by(id=fan.signup_id))
        return connection.tokens, token


@pytest.mark.parametrize("platform", ["tidal", "youtube_music"])
@pytest.mark.parametrize("action", ["disconnect", "delete"])
def test_the_grant_is_revoked_at_the_platform(rd, artist, platform, action):
    campaign = rd.campaign(artist, platforms=[platform])
    fan = rd.direct_fan(campaign, platform, email="fan@example.com")
    tokens, page_token = _held(rd, fan)
    assert rd.app.test_client().post(f"/u/{page_token}/{action}").status_code == 200
    with rd.app.app_context():
        assert db.session.scalars(select(Connection)).all() == []
        # The platform no longer honours the fan's refresh token.
        with pytest.raises(PermanentError):
            client_for(platform).check(tokens, lambda fresh: None)
    revocations = [r for r in rd.sim.requests(SIM_PLATFORM[platform]) if "revoke" in r.path]
    assert len(revocations) == 1
