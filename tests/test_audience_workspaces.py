"""An audience is a workspace's: teammates share it by role, fans of any of its campaigns
make it one list, another workspace never reaches it, and the daily cap counts the
workspace's announcements, whoever sends them."""

import pytest

from app.extensions import db
from app.models import (
    Announcement,
    AudienceDay,
    AudienceMember,
    AudienceTally,
    Membership,
    Workspace,
)
from tests.audience_rows import add_members
from tests.factories import log_in
from tests.fan_pages import sign_up


@pytest.fixture
def label(app, make):
    """A label's workspace, its boss, two campaigns by two of its artists."""
    boss = make.artist(email="boss@label.example", name="Boss")
    singer = make.artist(email="singer@label.example", name="Singer")
    with app.app_context():
        workspace = Workspace(name="Night Label")
        workspace.memberships.append(Membership(artist_id=boss.id, role="owner"))
        workspace.memberships.append(Membership(artist_id=singer.id, role="editor"))
        db.session.add(workspace)
        db.session.commit()
        workspace_id = workspace.id
    first = make.campaign(boss, slug="label-one", workspace_id=workspace_id)
    second = make.campaign(singer, slug="label-two", workspace_id=workspace_id)
    return {"workspace_id": workspace_id, "campaigns": (first, second)}


def work_in(app, client, label, artist, role):
    with app.app_context():
        db.session.add(
            Membership(workspace_id=label["workspace_id"], artist_id=artist.id, role=role)
        )
        db.session.commit()
    assert (
        client.post("/workspace/switch", data={"workspace": label["workspace_id"]}).status_code
        == 303
    )
    return client


def test_fans_of_two_creators_campaigns_in_one_workspace_are_one_audience(app, client, label):
    first, second = label["campaigns"]
    sign_up(client, first.slug, "Fan@Example.com", future="yes", future_version="1")
    sign_up(client, second.slug, "fan@example.com", future="yes", future_version="1")
    with app.app_context():
        [member] = db.session.scalars(db.select(AudienceMember)).all()
        assert member.workspace_id == label["workspace_id"]


def test_a_teammate_sees_the_workspaces_audience_and_not_their_own(
    app, logged_in, make, artist, label
):
    mine = make.campaign(artist, slug="my-own")
    add_members(app, mine.id, 1, email="my-fan@example.com")
    add_members(app, label["campaigns"][0].id, 1, email="label-fan@example.com")
    assert "my-fan@example.com" in logged_in.get("/dashboard/audience").text
    work_in(app, logged_in, label, artist, "editor")
    page = logged_in.get("/dashboard/audience").text
    assert "label-fan@example.com" in page and "my-fan@example.com" not in page
    export = logged_in.get("/dashboard/audience.csv").text
    assert "label-fan@example.com" in export and "my-fan@example.com" not in export


def test_a_viewer_reads_the_audience_but_cannot_export_delete_or_announce(
    app, logged_in, artist, label
):
    campaign = label["campaigns"][0]
    [member] = add_members(app, campaign.id, 1, email="label-fan@example.com")
    viewer = work_in(app, logged_in, label, artist, "viewer")
    assert "label-fan@example.com" in viewer.get("/dashboard/audience").text
    assert viewer.get("/dashboard/audience/counts").status_code == 200
    assert viewer.get(f"/dashboard/campaigns/{campaign.id}/announce").status_code == 200
    assert viewer.get("/dashboard/audience.csv").status_code == 403
    assert viewer.post(f"/dashboard/audience/{member}/delete").status_code == 403
    sent = viewer.post(
        f"/dashboard/campaigns/{campaign.id}/announce", data={"message": "Hi", "action": "send"}
    )
    assert sent.status_code == 403
    with app.app_context():
        assert db.session.get(AudienceMember, member) is not None
        assert db.session.scalar(db.select(db.func.count()).select_from(Announcement)) == 0


def test_another_workspace_gets_404_on_the_members_and_announcement_routes(app, logged_in, label):
    campaign = label["campaigns"][0]
    [member] = add_members(app, campaign.id, 1, email="label-fan@example.com")
    assert "label-fan@example.com" not in logged_in.get("/dashboard/audience").text
    assert "label-fan@example.com" not in logged_in.get("/dashboard/audience/counts").text
    assert "label-fan@example.com" not in logged_in.get("/dashboard/audience.csv").text
    assert logged_in.get(f"/dashboard/audience/{member}/delete").status_code == 404
    assert logged_in.post(f"/dashboard/audience/{member}/delete").status_code == 404
    announce = f"/dashboard/campaigns/{campaign.id}/announce"
    assert logged_in.get(announce).status_code == 404
    assert logged_in.post(announce, data={"message": "Hi", "action": "send"}).status_code == 404
    with app.app_context():
        assert db.session.get(AudienceMember, member) is not None
        assert db.session.scalar(db.select(db.func.count()).select_from(Announcement)) == 0


def test_the_daily_cap_counts_the_workspaces_announcements_whoever_sent_them(
    app, logged_in, make, artist, label
):
    app.config["ANNOUNCEMENTS_PER_DAY"] = 1
    first, second = label["campaigns"]
    boss = app.test_client()
    log_in(boss, "boss@label.example")
    assert (
        boss.post("/workspace/switch", data={"workspace": label["workspace_id"]}).status_code == 303
    )
    send = {"message": "Soon", "action": "send"}
    assert boss.post(f"/dashboard/campaigns/{first.id}/announce", data=send).status_code == 303
    work_in(app, logged_in, label, artist, "editor")
    refused = logged_in.post(f"/dashboard/campaigns/{second.id}/announce", data=send)
    assert refused.status_code == 422 and "a day" in refused.text
    # Another workspace has a cap of its own.
    assert (
        logged_in.post("/workspace/switch", data={"workspace": personal(app, artist)}).status_code
        == 303
    )
    mine = make.campaign(artist, slug="my-own")
    assert logged_in.post(f"/dashboard/campaigns/{mine.id}/announce", data=send).status_code == 303


def personal(app, artist) -> int:
    with app.app_context():
        return Workspace.personal_id(artist.id)


def test_deleting_a_workspace_takes_its_audience_and_its_counts(app, logged_in, artist, label):
    add_members(app, label["campaigns"][0].id, 3)
    owner = work_in(app, logged_in, label, artist, "owner")
    assert owner.post("/workspace/delete").status_code == 303
    with app.app_context():
        for model in (AudienceMember, AudienceTally, AudienceDay):
            assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0
