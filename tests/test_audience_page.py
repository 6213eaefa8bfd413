"""The Audience page: counts, search, keyset pages, the CSV export, deleting a fan, and
one artist never seeing another's audience."""

import csv
import io
import re
from datetime import timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import AudienceMember, Signup
from tests.audience_rows import add_members
from tests.fan_pages import sign_up


@pytest.fixture
def campaign(make, artist):
    return make.campaign(owner=artist, slug="night-drive", title="Night Drive")


def test_the_page_counts_who_can_be_reached_new_by_platform_and_by_country(
    app, logged_in, artist, campaign
):
    add_members(app, campaign.id, 6)
    old = clock.now() - timedelta(days=60)
    add_members(app, campaign.id, 2, start=10, first_signup_at=old)
    add_members(app, campaign.id, 1, start=20, withdrawn_at=clock.now())
    page = logged_in.get("/dashboard/audience").get_data(as_text=True)
    assert 'hx-get="/dashboard/audience/counts"' in page  # the counts come on their own
    html = logged_in.get("/dashboard/audience/counts", headers={"HX-Request": "true"}).text
    assert "<strong>8</strong> fans" in html and "<html" not in html
    assert "6 new in the last 30 days" in html and "1 withdrawn or bounced" in html
    assert "<dt>Spotify</dt><dd>2</dd>" in html.replace("\n", "")
    assert "<dt>DE</dt>" in html
    assert "<strong>8</strong> fans" in logged_in.get("/dashboard/audience/counts").text


def test_pages_walk_the_whole_audience_once_by_keyset(app, logged_in, artist, campaign):
    add_members(app, campaign.id, 120)
    seen, url = [], "/dashboard/audience"
    while url:
        html = logged_in.get(url).get_data(as_text=True)
        seen += re.findall(r'class="email">(fan\d+@example\.com)', html)
        more = re.search(r'rel="next" href="([^"]+)"', html)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert len(seen) == 120 and len(set(seen)) == 120
    assert seen[0] == "fan119@example.com"  # newest first


def test_search_finds_by_the_start_of_the_email_in_any_case(app, logged_in, artist, campaign):
    add_members(app, campaign.id, 30)
    html = logged_in.get("/dashboard/audience?q=FAN17@").get_data(as_text=True)
    assert re.findall(r'class="email">([^<\s]+)', html) == ["fan17@example.com"]
    assert "No fan's email starts with" in logged_in.get("/dashboard/audience?q=17@").text


def test_a_made_up_cursor_is_a_400_not_a_500(logged_in):
    assert logged_in.get("/dashboard/audience?before=nonsense").status_code == 400


def test_the_export_streams_every_member_with_their_consent(app, logged_in, artist, campaign):
    add_members(app, campaign.id, 2500)
    add_members(app, campaign.id, 1, start=9000, email="=cmd@example.com")
    response = logged_in.get("/dashboard/audience.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 2501
    assert rows[0]["status"] == "subscribed" and rows[0]["campaigns_joined"] == "1"
    assert rows[0]["consent_version"] == "1" and rows[0]["consented_at"].endswith("Z")
    assert rows[-1]["email"] == "'=cmd@example.com"  # never a formula


def test_deleting_a_fan_removes_them_from_the_audience_only(app, client, logged_in, campaign):
    sign_up(client, "night-drive", "fan@example.com", future="yes", future_version="1")
    with app.app_context():
        member_id = db.session.scalar(db.select(AudienceMember.id))
    assert logged_in.get(f"/dashboard/audience/{member_id}/delete").status_code == 200
    response = logged_in.post(f"/dashboard/audience/{member_id}/delete")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(AudienceMember, member_id) is None
        assert db.session.scalar(db.select(db.func.count()).select_from(Signup)) == 1


def test_deleting_a_fan_everywhere_removes_their_signups_to_every_campaign(
    app, client, logged_in, make, artist, campaign
):
    make.campaign(owner=artist, slug="second-one")
    other = make.campaign(owner=make.artist(), slug="not-mine")
    for slug in ("night-drive", "second-one", "not-mine"):
        sign_up(client, slug, "fan@example.com", future="yes", future_version="1")
    with app.app_context():
        member_id = db.session.scalar(
            db.select(AudienceMember.id).filter_by(workspace_id=campaign.workspace_id)
        )
    logged_in.post(f"/dashboard/audience/{member_id}/delete", data={"everywhere": "yes"})
    with app.app_context():
        left = db.session.scalars(db.select(Signup.campaign_id)).all()
    assert left == [other.id]  # another artist's fan list is theirs


def test_another_artists_audience_is_neither_shown_nor_deletable(app, logged_in, make):
    other = make.artist(email="other@example.com")
    theirs = make.campaign(owner=other, slug="theirs")
    [their_member] = add_members(app, theirs.id, 1, email="their-fan@example.com")
    assert "their-fan@example.com" not in logged_in.get("/dashboard/audience").text
    assert "their-fan@example.com" not in logged_in.get("/dashboard/audience.csv").text
    assert logged_in.get(f"/dashboard/audience/{their_member}/delete").status_code == 404
    assert logged_in.post(f"/dashboard/audience/{their_member}/delete").status_code == 404
    assert logged_in.post("/dashboard/audience/99999999999/delete").status_code == 404
    with app.app_context():
        assert db.session.get(AudienceMember, their_member) is not None


def counts_text(client) -> str:
    html = client.get("/dashboard/audience/counts", headers={"HX-Request": "true"}).text
    return re.sub(r"\s+", "", html)


def test_the_counts_follow_each_join_change_withdrawal_and_deletion(
    app, client, logged_in, campaign
):
    sign_up(client, "night-drive", "fan@example.com", "spotify", future="yes", future_version="1")
    assert "<strong>1</strong>fan·" in counts_text(logged_in)
    assert "<dt>Spotify</dt><dd>1</dd>" in counts_text(logged_in)
    # The same fan again, on another platform: a change of platform, not another fan.
    sign_up(client, "night-drive", "FAN@example.com", "deezer", future="yes", future_version="1")
    counts = counts_text(logged_in)
    assert "<strong>1</strong>fan·" in counts and "·1newinthelast30days" in counts
    assert "<dt>Deezer</dt><dd>1</dd>" in counts and "Spotify" not in counts
    with app.app_context():
        member = db.session.scalar(db.select(AudienceMember))
        token, member_id = member.withdraw_token, member.id
    client.post(f"/a/{token}")
    counts = counts_text(logged_in)
    assert "<strong>0</strong>fans" in counts and "1withdrawnorbounced" in counts
    logged_in.post(f"/dashboard/audience/{member_id}/delete")
    counts = counts_text(logged_in)
    assert "<strong>0</strong>fans" in counts and "withdrawn" not in counts
