"""On release day the worker pushes only to public https push services, checked again at the
moment of connecting (a name may resolve elsewhere by then), and never follows a redirect.
The artist sees a generic reason, never what an arbitrary host answered."""

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Delivery, PushSubscription
from app.simulator import push as sim_push
from tests.listening import Listener


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def listener6():
    server = Listener("::1")
    yield server
    server.close()


def _point_push_at(app, fan, endpoint):
    """As if the fan's endpoint had been accepted, then its name moved (DNS rebinding)."""
    with app.app_context():
        db.session.execute(
            update(PushSubscription)
            .where(PushSubscription.signup_id == fan.signup_id)
            .values(endpoint=endpoint)
        )
        db.session.commit()


def _push_errors(app, campaign_id):
    with app.app_context():
        return db.session.execute(
            select(Delivery.state, Delivery.last_error).where(
                Delivery.campaign_id == campaign_id, Delivery.kind == "push"
            )
        ).all()


def test_pushes_to_private_addresses_are_never_sent(rd, artist, listener, listener6):
    campaign = rd.campaign(artist, platforms=["spotify"])
    targets = [
        f"https://127.0.0.1:{listener.port}/send/a",
        f"https://localhost:{listener.port}/send/b",  # a name resolving to 127.0.0.1
        f"https://[::1]:{listener6.port}/send/c",
        "https://10.0.0.1/send/d",
        f"http://127.0.0.1:{listener.port}/send/e",
    ]
    for target in targets:
        _point_push_at(rd.app, rd.subscribe_push(rd.email_fan(campaign)), target)
    rd.app.config["PLATFORM_MODE"] = "live"  # the rule production follows
    rd.run_tick()
    assert listener.connections == 0 and listener6.connections == 0
    assert _push_errors(rd.app, campaign.id) == [("failed", "push service refused it")] * 5


def test_a_redirecting_push_service_is_not_followed(rd, artist, listener):
    campaign = rd.campaign(artist, platforms=["spotify"])
    fan = rd.subscribe_push(rd.email_fan(campaign))
    sim_push.redirect(rd.sim, fan.endpoint, f"http://127.0.0.1:{listener.port}/admin")
    rd.run_tick()
    assert listener.connections == 0
    assert rd.pushes() == []
    assert _push_errors(rd.app, campaign.id) == [("failed", "push service refused it")]
