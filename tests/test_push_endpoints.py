"""A fan chooses their push endpoint, so Dropday accepts only public https push services
(in simulator mode, the simulator's own): the worker must never become a port scanner."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import PushSubscription
from tests.fan_pages import sign_up
from tests.test_fan_followups import SUBSCRIPTION, push_token_of

PRIVATE = [
    "https://127.0.0.1/send/x",
    "https://10.0.0.1/send/x",
    "https://[::1]/send/x",
    "https://localhost/send/x",  # a host name that resolves to 127.0.0.1
    "https://169.254.169.254/latest/meta-data",
    "https://224.0.0.1/send/x",
    "https://[::ffff:127.0.0.1]/send/x",
    "https://0.0.0.0/send/x",
    "http://93.184.216.34/send/x",  # public, but not https
    "https://nothing.invalid/send/x",
]


@pytest.fixture
def live_config(test_config):
    test_config["PLATFORM_MODE"] = "live"
    return test_config


@pytest.fixture
def campaign(make, artist):
    return make.campaign(owner=artist, slug="night-drive", title="Night Drive")


def _subscribe(client, endpoint):
    token = push_token_of(sign_up(client, "night-drive", "fan@example.com"))
    return client.post(
        "/push/subscription",
        json={"token": token, "subscription": {**SUBSCRIPTION, "endpoint": endpoint}},
    )


def _stored(app):
    with app.app_context():
        return db.session.scalars(select(PushSubscription.endpoint)).all()


@pytest.mark.parametrize("endpoint", PRIVATE)
def test_a_push_endpoint_on_a_private_or_plain_address_is_refused(
    live_config, app, client, campaign, endpoint
):
    response = _subscribe(client, endpoint)
    assert response.status_code == 422
    assert "public https" in response.get_json()["error"]
    assert _stored(app) == []


def test_a_push_endpoint_on_a_public_https_address_is_accepted(live_config, app, client, campaign):
    assert _subscribe(client, "https://93.184.216.34/send/x").status_code == 204
    assert _stored(app) == ["https://93.184.216.34/send/x"]


def test_in_simulator_mode_only_the_simulators_push_service_is_accepted(app, client, campaign):
    assert _subscribe(client, "https://93.184.216.34/send/x").status_code == 422
    own = app.config["PUBLIC_URL"] + "/simulator/push/send/abc"
    assert _subscribe(client, own).status_code == 204
    assert _stored(app) == [own]
