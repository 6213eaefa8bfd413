"""Workspaces and roles: invitations, the switcher, what each role may do, the activity log."""

import re
from datetime import timedelta

import pytest

from app import clock
from app.extensions import db
from app.jobs import make_worker
from app.models import (
    Activity,
    AudienceMember,
    Campaign,
    Channel,
    Delivery,
    Invitation,
    Membership,
    Signup,
    WebhookEndpoint,
    Workspace,
)
from tests.factories import PASSWORD, log_in
from tests.signup_rows import add_signup


def join_workspace(app, workspace_id, artist, role):
    with app.app_context():
        db.session.add(Membership(workspace_id=workspace_id, artist_id=artist.id, role=role))
        db.session.commit()


@pytest.fixture
def label(app, make):
    """A label's workspace, owned by its boss, with one campaign that has a fan and a channel."""
    boss = make.artist(email="boss@label.example", name="Boss")
    with app.app_context():
        workspace = Workspace(name="Night Label")
        workspace.memberships.append(Membership(artist_id=boss.id, role="owner"))
        db.session.add(workspace)
        db.session.commit()
        workspace_id = workspace.id
    campaign = make.campaign(boss, title="Label release", workspace_id=workspace_id)
    add_signup(app, campaign, email="label-fan@example.com")
    with app.app_context():
        db.session.add(Channel(campaign_id=campaign.id, name="Poster", code="labelc1"))
        db.session.add(
            WebhookEndpoint(
                workspace_id=workspace_id,
                url="https://93.184.215.14/hooks",
                secret="whsec_label",
                events=["signup.created"],
                active=False,
            )
        )
        db.session.commit()
    return {"workspace_id": workspace_id, "boss": boss, "campaign": campaign}


def member_as(app, client, label, artist, role):
    join_workspace(app, label["workspace_id"], artist, role)
    response = client.post("/workspace/switch", data={"workspace": label["workspace_id"]})
    assert response.status_code == 303
    return client


def test_every_account_has_a_personal_workspace_where_it_is_owner(app, artist):
    with app.app_context():
        workspace = db.session.scalar(db.select(Workspace).filter_by(personal_of_id=artist.id))
        [membership] = workspace.memberships
        assert (membership.artist_id, membership.role) == (artist.id, "owner")


def test_a_new_campaign_goes_into_the_workspace_being_worked_in(logged_in, app, artist, label):
    member_as(app, logged_in, label, artist, "editor")
    response = logged_in.get("/dashboard/")
    assert "Label release" in response.text
    with app.app_context():
        campaign = db.session.get(Campaign, label["campaign"].id)
        assert campaign.workspace_id == label["workspace_id"]


def test_the_switcher_only_switches_to_workspaces_one_belongs_to(logged_in, app, label):
    response = logged_in.post("/workspace/switch", data={"workspace": label["workspace_id"]})
    assert response.status_code == 404
    assert "Label release" not in logged_in.get("/dashboard/").text
    assert logged_in.post("/workspace/switch", data={"workspace": "x"}).status_code == 404


def test_an_editor_works_on_the_labels_campaigns_and_it_is_logged(logged_in, app, artist, label):
    member_as(app, logged_in, label, artist, "editor")
    campaign_id = label["campaign"].id
    response = logged_in.post(f"/dashboard/campaigns/{campaign_id}/active", data={"active": "0"})
    assert response.status_code == 303
    assert logged_in.get(f"/dashboard/campaigns/{campaign_id}/subscribers.csv").status_code == 200
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).active is False
        log = db.session.scalars(
            db.select(Activity.action).filter_by(workspace_id=label["workspace_id"])
        ).all()
    assert sorted(log) == ["campaign.paused", "subscribers.exported"]
    # The activity log is for owners.
    assert logged_in.get("/workspace/activity").status_code == 403


def test_the_owner_reads_who_did_what_in_the_activity_log(app, make, label, artist):
    boss = app.test_client()
    log_in(boss, label["boss"].email)
    boss.post("/workspace/switch", data={"workspace": label["workspace_id"]})
    editor = app.test_client()
    log_in(editor, artist.email)
    member_as(app, editor, label, artist, "editor")
    editor.post(f"/dashboard/campaigns/{label['campaign'].id}/delete")
    page = boss.get("/workspace/activity")
    assert page.status_code == 200
    assert "ada@example.com" in page.text and "deleted campaign Label release" in page.text


# -- roles over every route -------------------------------------------------------------------

# POSTs any member may make: they change only the member's own standing.
ANY_MEMBER_POSTS = {
    "workspaces.new_workspace",  # makes a workspace of one's own
    "workspaces.switch",  # chooses where to work
    "workspaces.join",  # accepts an invitation addressed to oneself
}
# GETs a viewer is refused: the export holds fans' emails; the log is for owners.
VIEWER_REFUSED_GETS = {
    "dashboard.export_subscribers",
    "dashboard.export_audience",
    "workspaces.activity_log",
    "workspaces.webhooks_page",  # the endpoints' signing secrets
    "workspaces.webhook_log",
}


def _rules(app, method):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in {"dashboard", "workspaces"} and method in rule.methods:
            yield rule


def boss_membership_id(label) -> int:
    return db.session.scalar(
        db.select(Membership.id).filter_by(
            artist_id=label["boss"].id, workspace_id=label["workspace_id"]
        )
    )


def _path(rule, label, ids):
    values = {
        "campaign_id": label["campaign"].id,
        "signup_id": ids["signup"],
        "channel_id": ids["channel"],
        "membership_id": ids["boss_membership"],
        "endpoint_id": ids["endpoint"],
        "member_id": ids["member"],
        "field": "title",
        "section": "summary",
        "kind": "svg",
        "token": "not-a-token",
    }
    missing = rule.arguments - values.keys()
    assert not missing, f"{rule} takes {missing}: teach this test a value for it"
    return rule.build({name: values[name] for name in rule.arguments})[1]


def _ids(app, label):
    with app.app_context():
        return {
            "signup": db.session.scalar(db.select(Signup.id)),
            "channel": db.session.scalar(db.select(Channel.id)),
            "boss_membership": boss_membership_id(label),
            "endpoint": db.session.scalar(db.select(WebhookEndpoint.id)),
            # The boss's audience is empty: a made-up member is refused all the same.
            "member": db.session.scalar(db.select(AudienceMember.id)) or 1,
        }


def _state(app, label):
    with app.app_context():
        campaign = db.session.get(Campaign, label["campaign"].id)
        return (
            campaign and (campaign.title, campaign.active),
            db.session.scalar(db.select(db.func.count()).select_from(Signup)),
            db.session.scalar(db.select(db.func.count()).select_from(Channel)),
            db.session.scalars(db.select(Membership.role).order_by(Membership.id)).all(),
            db.session.scalar(db.select(db.func.count()).select_from(Invitation)),
            db.session.scalar(db.select(db.func.count()).select_from(Workspace)),
            db.session.scalars(db.select(WebhookEndpoint.active)).all(),
            db.session.scalar(db.select(db.func.count()).select_from(Delivery)),
        )


def test_a_viewers_posts_are_refused_with_403_and_change_nothing(logged_in, app, artist, label):
    viewer = member_as(app, logged_in, label, artist, "viewer")
    ids = _ids(app, label)
    before = _state(app, label)
    for rule in _rules(app, "POST"):
        if rule.endpoint in ANY_MEMBER_POSTS:
            continue
        path = _path(rule, label, ids)
        data = {"title": "Hijacked", "active": "0", "name": "Mine", "role": "owner"}
        data |= {"email": "friend@example.com"}
        response = viewer.post(path, data=data)
        assert response.status_code == 403, f"POST {path}"
        assert "label-fan@example.com" not in response.text
    assert _state(app, label) == before


def test_a_viewer_reads_every_page_but_not_the_email_export(logged_in, app, artist, label):
    viewer = member_as(app, logged_in, label, artist, "viewer")
    ids = _ids(app, label)
    for rule in _rules(app, "GET"):
        path = _path(rule, label, ids)
        response = viewer.get(path)
        if rule.endpoint in VIEWER_REFUSED_GETS:
            assert response.status_code == 403, f"GET {path}"
            assert "label-fan@example.com" not in response.text
        else:
            assert response.status_code < 500 and response.status_code != 403, f"GET {path}"


def test_a_member_of_one_workspace_gets_404_for_everything_of_another(
    logged_in, app, make, artist, label
):
    """Ada is owner in her own workspace, but not a member of the label's."""
    ids = _ids(app, label)
    before = _state(app, label)
    for method in ("GET", "POST"):
        for rule in _rules(app, method):
            ids_in_path = {"campaign_id", "signup_id", "channel_id", "membership_id", "endpoint_id"}
            if rule.arguments & ids_in_path:
                path = _path(rule, label, ids)
                response = logged_in.open(path, method=method, data={"role": "viewer"})
                assert response.status_code == 404, f"{method} {path}"
    assert _state(app, label) == before


# -- invitations ------------------------------------------------------------------------------


def invitation_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/workspace/join/\S+)", text).group(1)


@pytest.fixture
def boss_client(app, label):
    client = app.test_client()
    log_in(client, label["boss"].email)
    client.post("/workspace/switch", data={"workspace": label["workspace_id"]})
    return client


def invite(app, boss_client, mailbox_messages, email, role="editor"):
    response = boss_client.post("/workspace/invitations", data={"email": email, "role": role})
    assert response.status_code == 303
    make_worker(app).work(burst=True)
    [message] = [m for m in mailbox_messages() if m["To"] == email]
    return invitation_link(message)


def test_an_invited_artist_joins_once_with_the_role_given(
    app, make, label, boss_client, mailbox_messages
):
    link = invite(app, boss_client, mailbox_messages, "new@example.com", role="viewer")
    newcomer = make.artist(email="new@example.com", name="Newcomer")
    client = app.test_client()
    assert client.get(link).status_code == 302  # log in first
    log_in(client, newcomer.email, PASSWORD)
    assert "Join Night Label" in client.get(link).text
    assert client.post(link).status_code == 303
    assert "Label release" in client.get("/dashboard/").text
    with app.app_context():
        role = db.session.scalar(
            db.select(Membership.role).filter_by(
                artist_id=newcomer.id, workspace_id=label["workspace_id"]
            )
        )
    assert role == "viewer"
    # The link is single-use: replaying it finds nothing.
    assert client.post(link).status_code == 404
    assert client.get(link).status_code == 404


def test_an_invitation_expires(app, make, label, boss_client, mailbox_messages):
    link = invite(app, boss_client, mailbox_messages, "late@example.com")
    make.artist(email="late@example.com")
    client = app.test_client()
    log_in(client, "late@example.com")
    later = clock.now() + timedelta(days=8)
    clock.install(app, lambda: later)
    try:
        response = client.post(link)
    finally:
        clock.install(app, None)
    assert response.status_code == 404
    assert "no longer works" in response.text


def test_an_invitation_is_for_the_address_it_was_sent_to(
    app, logged_in, label, boss_client, mailbox_messages
):
    link = invite(app, boss_client, mailbox_messages, "someone@example.com")
    assert logged_in.post(link).status_code == 403
    assert logged_in.post(link[:-3] + "abc").status_code == 404  # tampered


def test_a_viewer_cannot_invite_and_a_bad_invitation_is_refused_with_its_reason(
    app, logged_in, artist, label, boss_client
):
    response = boss_client.post("/workspace/invitations", data={"email": "nope", "role": "x"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.text


# -- owners -----------------------------------------------------------------------------------


def test_the_last_owner_cannot_leave_or_step_down(app, label, boss_client):
    with app.app_context():
        boss_membership = boss_membership_id(label)
    path = f"/workspace/members/{boss_membership}"
    assert boss_client.post(f"{path}/remove").status_code == 409
    assert boss_client.post(f"{path}/role", data={"role": "editor"}).status_code == 409
    with app.app_context():
        assert db.session.get(Membership, boss_membership).role == "owner"


def test_an_owner_changes_roles_and_removes_members(app, artist, label, boss_client):
    join_workspace(app, label["workspace_id"], artist, "viewer")
    with app.app_context():
        ada = db.session.scalar(
            db.select(Membership.id).filter_by(
                artist_id=artist.id, workspace_id=label["workspace_id"]
            )
        )
    path = f"/workspace/members/{ada}"
    assert boss_client.post(f"{path}/role", data={"role": "editor"}).status_code == 303
    with app.app_context():
        assert db.session.get(Membership, ada).role == "editor"
    assert boss_client.post(f"{path}/remove").status_code == 303
    with app.app_context():
        assert db.session.get(Membership, ada) is None


def test_deleting_a_shared_workspace_takes_its_campaigns(app, label, boss_client):
    assert boss_client.post("/workspace/delete").status_code == 303
    with app.app_context():
        assert db.session.get(Campaign, label["campaign"].id) is None
        assert db.session.get(Workspace, label["workspace_id"]) is None


def test_a_personal_workspace_cannot_be_deleted_on_its_own(app, logged_in, artist):
    assert logged_in.post("/workspace/delete").status_code == 409


def test_deleting_an_account_leaves_the_labels_campaigns_it_made(app, make, artist, label):
    join_workspace(app, label["workspace_id"], artist, "editor")
    made = make.campaign(artist, title="Made by Ada", workspace_id=label["workspace_id"])
    client = app.test_client()
    log_in(client, artist.email)
    response = client.post("/account/delete", data={"delete-confirm": artist.email})
    assert response.status_code == 303
    with app.app_context():
        campaign = db.session.get(Campaign, made.id)
        assert campaign is not None and campaign.artist_id is None


def test_a_member_leaves_and_the_owner_sees_it_in_the_log(app, logged_in, artist, label):
    member_as(app, logged_in, label, artist, "viewer")
    with app.app_context():
        mine = db.session.scalar(
            db.select(Membership.id).filter_by(
                artist_id=artist.id, workspace_id=label["workspace_id"]
            )
        )
    assert logged_in.post(f"/workspace/members/{mine}/remove").status_code == 303
    assert "Label release" not in logged_in.get("/dashboard/").text
    with app.app_context():
        assert db.session.scalar(db.select(Activity.action)) == "member.left"
