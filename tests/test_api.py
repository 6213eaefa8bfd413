"""The HTTP API: tokens made in the account page, the workspace they act in, the same rules
as the dashboard, problem details, and the OpenAPI document."""

import base64
import json
import re
from datetime import date, timedelta

import pytest
from openapi_spec_validator import validate

from app.account.api_tokens import RoleTooHigh, create_token
from app.extensions import db
from app.models import ApiToken, Artist, Campaign, Membership, Workspace
from tests.factories import png_bytes
from tests.signup_rows import add_signup


def make_token(app, artist, role="editor", workspace_id=None) -> str:
    with app.app_context():
        workspace_id = workspace_id or Workspace.personal_id(artist.id)
        _, token = create_token(db.session.get(Artist, artist.id), workspace_id, role, "script")
    return token


class Api:
    def __init__(self, client, token):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method):
        def call(path, **kwargs):
            return self.client.open(
                "/api/v1" + path, method=method.upper(), headers=self.headers, **kwargs
            )

        return call


@pytest.fixture
def api(app, client, artist):
    return Api(client, make_token(app, artist))


def new_campaign(**fields):
    return {
        "title": "Night Drive",
        "artist_name": "Ada",
        "release_date": (date.today() + timedelta(days=20)).isoformat(),
        "time_zone": "Europe/Berlin",
        "release_source": "602445790609",
        "platforms": ["spotify", "deezer"],
        "artwork": base64.b64encode(png_bytes()).decode(),
    } | fields


def test_a_script_creates_changes_pauses_and_deletes_a_campaign(api, app, artist):
    created = api.post("/campaigns", json=new_campaign())
    assert created.status_code == 201, created.json
    campaign = created.json
    assert campaign["title"] == "Night Drive" and campaign["slug"] == "night-drive"
    changed = api.patch(f"/campaigns/{campaign['id']}", json={"title": "Night Drive (Live)"})
    assert changed.status_code == 200
    assert changed.json["title"] == "Night Drive (Live)"
    assert changed.json["source_value"] == "602445790609"  # what the body left out stays
    assert api.post(f"/campaigns/{campaign['id']}/pause").json["active"] is False
    assert api.post(f"/campaigns/{campaign['id']}/resume").json["active"] is True
    assert [c["id"] for c in api.get("/campaigns").json["items"]] == [campaign["id"]]
    assert api.delete(f"/campaigns/{campaign['id']}").status_code == 204
    with app.app_context():
        assert db.session.get(Campaign, campaign["id"]) is None


def test_the_api_refuses_with_the_dashboards_own_messages(api, logged_in):
    response = api.post("/campaigns", json=new_campaign(title="", release_source="nonsense"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    errors = response.json["errors"]
    page = logged_in.post("/dashboard/campaigns/new", data={"title": "", "release_source": "x"})
    assert errors["title"] == ["Enter the release title."]
    assert errors["title"][0] in page.text
    assert errors["release_source"][0] in page.text.replace("&#39;", "'").replace("&#34;", '"')
    wrong_types = api.post("/campaigns", json={"title": 5, "colour": "red"})
    assert wrong_types.status_code == 422
    assert set(wrong_types.json["errors"]) == {"title", "colour"}
    assert api.post("/campaigns", data="not json").status_code == 422
    assert api.post("/campaigns", json=new_campaign(artwork="%%%")).status_code == 422


def test_tokens_are_stored_hashed_and_shown_once(app, logged_in, artist):
    with app.app_context():
        workspace_id = Workspace.personal_id(artist.id)
    page = logged_in.post(
        "/account/tokens",
        data={"token-name": "CI", "token-workspace": workspace_id, "token-role": "viewer"},
    )
    assert page.status_code == 200
    token = re.search(r'id="new-token">([^<]+)<', page.text).group(1)
    with app.app_context():
        row = db.session.scalar(db.select(ApiToken))
        stored = [str(getattr(row, c.key)) for c in ApiToken.__table__.columns]
    assert token not in stored and token[:8] in row.prefix
    assert token not in logged_in.get("/account/").text
    assert "CI" in logged_in.get("/account/").text
    assert Api(app.test_client(), token).get("/campaigns").status_code == 200


def test_a_revoked_or_unknown_token_is_refused(app, logged_in, artist, api):
    assert api.get("/campaigns").status_code == 200
    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id))
        assert db.session.get(ApiToken, token_id).last_used_at is not None
    assert logged_in.post(f"/account/tokens/{token_id}/revoke").status_code == 303
    response = api.get("/campaigns")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json["status"] == 401
    assert Api(app.test_client(), "ddp_madeup").get("/campaigns").status_code == 401
    assert app.test_client().get("/api/v1/campaigns").status_code == 401


def test_a_token_sees_only_its_workspace(app, make, api, artist):
    other = make.artist(email="other@example.com")
    theirs = make.campaign(other, title="Not yours")
    add_signup(app, theirs, email="their-fan@example.com")
    paths = ["", "/subscribers", "/subscribers/export", "/release-day"]
    for path in paths:
        response = api.get(f"/campaigns/{theirs.id}{path}")
        assert response.status_code == 404 and "their-fan" not in response.text
    assert api.patch(f"/campaigns/{theirs.id}", json={"title": "Mine"}).status_code == 404
    assert api.delete(f"/campaigns/{theirs.id}").status_code == 404
    assert api.get("/campaigns").json["items"] == []


def test_a_viewer_token_reads_but_changes_nothing_and_exports_no_emails(app, make, artist):
    campaign = make.campaign(artist)
    viewer = Api(app.test_client(), make_token(app, artist, role="viewer"))
    assert viewer.get(f"/campaigns/{campaign.id}").status_code == 200
    assert viewer.post(f"/campaigns/{campaign.id}/pause").status_code == 403
    assert viewer.get(f"/campaigns/{campaign.id}/subscribers/export").status_code == 403
    with app.app_context():
        assert db.session.get(Campaign, campaign.id).active


def test_a_token_cannot_outrank_its_creator_nor_outlive_their_membership(app, make, artist):
    boss = make.artist(email="boss@example.com")
    with app.app_context():
        workspace = Workspace(name="Label")
        workspace.memberships.append(Membership(artist_id=boss.id, role="owner"))
        workspace.memberships.append(Membership(artist_id=artist.id, role="viewer"))
        db.session.add(workspace)
        db.session.commit()
        workspace_id = workspace.id
    with pytest.raises(RoleTooHigh):
        make_token(app, artist, role="editor", workspace_id=workspace_id)
    token = make_token(app, artist, role="viewer", workspace_id=workspace_id)
    assert Api(app.test_client(), token).get("/campaigns").status_code == 200
    with app.app_context():
        db.session.execute(
            db.delete(Membership).filter_by(artist_id=artist.id, workspace_id=workspace_id)
        )
        db.session.commit()
    assert Api(app.test_client(), token).get("/campaigns").status_code == 401


def test_subscribers_page_by_cursor_export_and_delete(app, make, artist, api):
    campaign = make.campaign(artist)
    for n in range(5):
        add_signup(app, campaign, email=f"fan{n}@example.com")
    first = api.get(f"/campaigns/{campaign.id}/subscribers?limit=3").json
    second = api.get(
        f"/campaigns/{campaign.id}/subscribers?limit=3&cursor={first['next_cursor']}"
    ).json
    emails = [s["email"] for s in first["items"] + second["items"]]
    assert sorted(emails) == [f"fan{n}@example.com" for n in range(5)]
    assert second["next_cursor"] is None
    assert api.get(f"/campaigns/{campaign.id}/subscribers?cursor=zz").status_code == 400
    ndjson = api.get(f"/campaigns/{campaign.id}/subscribers/export?format=ndjson")
    lines = [json.loads(line) for line in ndjson.text.splitlines()]
    assert len(lines) == 5 and lines[0]["platform"] == "spotify"
    csv_text = api.get(f"/campaigns/{campaign.id}/subscribers/export").text
    assert csv_text.startswith("email,platform") and csv_text.count("\n") == 6
    one = first["items"][0]["id"]
    assert api.delete(f"/campaigns/{campaign.id}/subscribers/{one}").status_code == 204
    assert api.delete(f"/campaigns/{campaign.id}/subscribers/{one}").status_code == 404


def test_release_day_status(app, make, artist, api):
    campaign = make.campaign(artist)
    add_signup(app, campaign)
    status = api.get(f"/campaigns/{campaign.id}/release-day").json
    assert status["phase"] == "presave" and status["fans"] == 1
    assert status["found"] == [] and "spotify" in status["missing"]
    assert set(status["deliveries"]) == {"save", "email", "push"}


def test_the_openapi_document_is_valid_and_lists_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    assert document["openapi"] == "3.1.0"
    routes = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(rule)).removeprefix("/api/v1"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert routes == documented


def test_each_token_has_its_own_rate_limit(app, artist):
    busy = Api(app.test_client(), make_token(app, artist))
    answers = [busy.get("/campaigns").status_code for _ in range(301)]
    assert answers[:300] == [200] * 300 and answers[300] == 429
    assert busy.get("/campaigns").json["status"] == 429
    other = Api(app.test_client(), make_token(app, artist))
    assert other.get("/campaigns").status_code == 200
