"""One artist can never see or change another artist's campaigns: every route answers 404."""

import io

import pytest

from app.extensions import db
from app.models import Campaign
from tests.factories import png_bytes


@pytest.fixture
def someone_elses(make):
    return make.campaign(make.artist(email="other@example.com"), title="Not yours")


ROUTES = [
    ("GET", "/dashboard/campaigns/{id}/edit", None),
    ("POST", "/dashboard/campaigns/{id}/edit", {"title": "Hijacked"}),
    ("POST", "/dashboard/campaigns/{id}/active", {"active": "0"}),
    ("GET", "/dashboard/campaigns/{id}/delete", None),
    ("POST", "/dashboard/campaigns/{id}/delete", {}),
    ("POST", "/dashboard/campaigns/validate/slug?campaign={id}", {"slug": "x"}),
    ("GET", "/dashboard/campaigns/{id}/release-day", None),
    ("POST", "/dashboard/campaigns/{id}/release-day/check", {}),
    ("POST", "/dashboard/campaigns/{id}/release-day/retry-saves", {}),
]


def test_every_dashboard_route_with_a_campaign_id_is_listed_here(app):
    with_id = sorted(
        str(rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("dashboard.") and "campaign_id" in rule.arguments
    )
    covered = sorted(
        {
            path.split("?")[0].replace("{id}", "<int:campaign_id>")
            for _, path, _ in ROUTES
            if "{id}/" in path
        }
    )
    assert with_id == covered


@pytest.mark.parametrize(("method", "path", "data"), ROUTES)
def test_an_artist_cannot_reach_another_artists_campaign(
    logged_in, app, someone_elses, method, path, data
):
    if data is not None and "title" in data:
        data = data | {"artwork": (io.BytesIO(png_bytes()), "x.png")}
    response = logged_in.open(path.format(id=someone_elses.id), method=method, data=data)
    assert response.status_code == 404
    with app.app_context():
        campaign = db.session.get(Campaign, someone_elses.id)
        assert campaign is not None
        assert campaign.title == "Not yours" and campaign.active


def test_a_campaign_id_that_does_not_exist_is_404_too(logged_in):
    assert logged_in.get("/dashboard/campaigns/999999/edit").status_code == 404
