"""One artist can never see or change another artist's campaigns: every route answers 404."""

import io

import pytest

from app.extensions import db
from app.models import Campaign, Channel, Signup
from tests.factories import png_bytes
from tests.signup_rows import add_signup


@pytest.fixture
def someone_elses(make):
    campaign = make.campaign(make.artist(email="other@example.com"), title="Not yours")
    add_signup(make.app, campaign, email="their-fan@example.com")
    with make.app.app_context():
        db.session.add(Channel(campaign_id=campaign.id, name="Their poster", code="theirs1"))
        db.session.commit()
    return campaign


ROUTES = [
    ("GET", "/dashboard/campaigns/{id}/edit", None),
    ("POST", "/dashboard/campaigns/{id}/edit", {"title": "Hijacked"}),
    ("POST", "/dashboard/campaigns/{id}/active", {"active": "0"}),
    ("GET", "/dashboard/campaigns/{id}/delete", None),
    ("POST", "/dashboard/campaigns/{id}/delete", {}),
    ("POST", "/dashboard/campaigns/validate/slug?campaign={id}", {"slug": "x"}),
    ("GET", "/dashboard/campaigns/{id}", None),
    ("GET", "/dashboard/campaigns/{id}/subscribers", None),
    ("GET", "/dashboard/campaigns/{id}/subscribers?q=their", None),
    ("GET", "/dashboard/campaigns/{id}/subscribers.csv", None),
    ("GET", "/dashboard/campaigns/{id}/release-day", None),
    ("POST", "/dashboard/campaigns/{id}/release-day/check", {}),
    ("GET", "/dashboard/campaigns/{id}/insights", None),
    ("GET", "/dashboard/campaigns/{id}/insights/summary.csv", None),
    ("POST", "/dashboard/campaigns/{id}/insights/channels", {"name": "Mine now"}),
    ("GET", "/dashboard/campaigns/{id}/insights/channels/{channel}/qr.svg", None),
    ("POST", "/dashboard/campaigns/{id}/insights/channels/{channel}/delete", {}),
    ("GET", "/dashboard/campaigns/{id}/announce", None),
    ("POST", "/dashboard/campaigns/{id}/announce", {"message": "Hi", "action": "preview"}),
    ("POST", "/dashboard/campaigns/{id}/announce", {"message": "Hi", "action": "test"}),
    ("POST", "/dashboard/campaigns/{id}/announce", {"message": "Hi", "action": "send"}),
]
# Routes that also name one of the campaign's subscribers ({signup}).
SIGNUP_ROUTES = [
    ("GET", "/dashboard/campaigns/{id}/subscribers/{signup}/delete", None),
    ("POST", "/dashboard/campaigns/{id}/subscribers/{signup}/delete", {}),
]

PLACEHOLDERS = {
    "{id}": "<int:campaign_id>",
    "{signup}": "<int:signup_id>",
    "{channel}": "<int:channel_id>",
    "summary.csv": "<section>.csv",
    "qr.svg": "qr.<kind>",
}


def _rule(path):
    path = path.split("?")[0]
    for placeholder, argument in PLACEHOLDERS.items():
        path = path.replace(placeholder, argument)
    return path


def test_every_dashboard_route_with_a_campaign_id_is_listed_here(app):
    with_id = sorted(
        str(rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("dashboard.") and "campaign_id" in rule.arguments
    )
    covered = sorted(
        {_rule(path) for _, path, _ in ROUTES + SIGNUP_ROUTES if "{id}" in path.split("?")[0]}
    )
    assert with_id == covered


def _their_signup_id(app, campaign):
    with app.app_context():
        return db.session.scalar(db.select(Signup.id).filter_by(campaign_id=campaign.id))


@pytest.mark.parametrize(("method", "path", "data"), ROUTES + SIGNUP_ROUTES)
def test_an_artist_cannot_reach_another_artists_campaign(
    logged_in, app, someone_elses, method, path, data
):
    if data is not None and "title" in data:
        data = data | {"artwork": (io.BytesIO(png_bytes()), "x.png")}
    signup_id = _their_signup_id(app, someone_elses)
    path = path.replace("{signup}", str(signup_id)).replace("{channel}", _their_channel_id(app))
    response = logged_in.open(path.format(id=someone_elses.id), method=method, data=data)
    assert response.status_code == 404
    assert "their-fan@example.com" not in response.text
    with app.app_context():
        campaign = db.session.get(Campaign, someone_elses.id)
        assert campaign is not None
        assert campaign.title == "Not yours" and campaign.active
        assert db.session.get(Signup, signup_id) is not None
        assert db.session.scalar(db.select(Channel.name)) == "Their poster"


def _their_channel_id(app) -> str:
    with app.app_context():
        return str(db.session.scalar(db.select(Channel.id)))


@pytest.mark.parametrize(("method", "path", "data"), SIGNUP_ROUTES)
def test_an_artist_cannot_delete_another_campaigns_fan_through_their_own_campaign(
    logged_in, app, make, artist, someone_elses, method, path, data
):
    mine = make.campaign(artist)
    signup_id = _their_signup_id(app, someone_elses)
    path = path.replace("{signup}", str(signup_id)).format(id=mine.id)
    assert logged_in.open(path, method=method, data=data).status_code == 404
    with app.app_context():
        assert db.session.get(Signup, signup_id) is not None


def test_a_campaign_id_that_does_not_exist_is_404_too(logged_in):
    assert logged_in.get("/dashboard/campaigns/999999/edit").status_code == 404


BEYOND_ANY_ID = ["9999999999999999999999999", "2147483648", "9223372036854775808", "0"]


@pytest.mark.parametrize("campaign_id", BEYOND_ANY_ID)
@pytest.mark.parametrize(("method", "path", "data"), ROUTES)
def test_a_campaign_id_beyond_the_databases_range_is_404_not_500(
    logged_in, method, path, data, campaign_id
):
    path = path.replace("{channel}", "1")
    response = logged_in.open(path.format(id=campaign_id), method=method, data=data)
    assert response.status_code == 404
