"""Consent for future releases: asked with an unticked box, recorded with its version and
time, deduplicated per artist, and withdrawn from every place it is offered."""

import re

import pytest

from app.extensions import db
from app.models import AudienceCampaign, AudienceMember
from tests.fan_pages import sign_up, signups
from tests.insight_counts import count


@pytest.fixture
def campaign(make, artist):
    return make.campaign(owner=artist, slug="night-drive", title="Night Drive")


def members(app) -> list[AudienceMember]:
    with app.app_context():
        rows = db.session.scalars(db.select(AudienceMember).order_by(AudienceMember.id)).all()
        db.session.expunge_all()
        return rows


def join(client, slug, email, platform="spotify", **extra):
    return sign_up(client, slug, email, platform, future="yes", future_version="1", **extra)


def test_the_box_is_offered_unticked_with_its_own_consent_text(client, campaign):
    html = client.get("/night-drive/email/spotify").get_data(as_text=True)
    box = re.search(r'<input id="future"[^>]*>', html).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    assert "Also tell me about future releases from" in html
    assert 'id="future-text"' in html and "does not depend on it" in html


def test_a_fan_who_does_not_tick_the_box_never_appears_in_the_audience(app, client, campaign):
    assert sign_up(client, "night-drive", "fan@example.com").status_code == 200
    assert len(signups(app, campaign.id)) == 1  # the release-day email does not depend on it
    assert members(app) == []


def test_a_ticked_box_records_the_consent_its_version_and_time(app, client, campaign):
    assert join(client, "night-drive", "fan@example.com", "deezer").status_code == 200
    [member] = members(app)
    assert (member.email, member.platform, member.consent_version) == (
        "fan@example.com",
        "deezer",
        1,
    )
    assert member.consented_at is not None and member.withdrawn_at is None
    assert member.first_campaign_id == campaign.id
    assert len(signups(app, campaign.id)) == 1


def test_a_box_ticked_under_an_old_text_is_asked_again(app, client, campaign):
    response = sign_up(client, "night-drive", "fan@example.com", future="yes", future_version="0")
    assert response.status_code == 422
    assert "terms changed" in response.get_data(as_text=True)
    assert members(app) == [] and signups(app) == []


def test_the_same_fan_across_campaigns_in_any_case_is_one_member(app, client, make, artist):
    first = make.campaign(owner=artist, slug="first-one", title="First")
    second = make.campaign(owner=artist, slug="second-one", title="Second")
    join(client, "first-one", "Fan@Example.com", "spotify")
    join(client, "second-one", "fan@EXAMPLE.com", "deezer")
    join(client, "second-one", "fan@example.com", "deezer")
    [member] = members(app)
    assert member.platform == "deezer" and member.first_campaign_id == first.id
    assert member.last_signup_at >= member.first_signup_at
    with app.app_context():
        joined = db.session.scalars(
            db.select(AudienceCampaign.campaign_id).filter_by(member_id=member.id)
        ).all()
    assert sorted(joined) == sorted([first.id, second.id])


def test_another_artists_campaign_makes_another_audience(app, client, make, artist, campaign):
    other = make.artist(email="other@example.com")
    theirs = make.campaign(owner=other, slug="their-song", title="Theirs")
    join(client, "night-drive", "fan@example.com")
    join(client, "their-song", "fan@example.com")
    assert sorted(m.workspace_id for m in members(app)) == sorted(
        [campaign.workspace_id, theirs.workspace_id]
    )


def test_withdrawing_from_the_withdraw_page_takes_one_click(app, client, campaign):
    join(client, "night-drive", "fan@example.com")
    [member] = members(app)
    page = client.get(f"/a/{member.withdraw_token}")
    assert page.status_code == 200 and "fan@example.com" in page.get_data(as_text=True)
    done = client.post(f"/a/{member.withdraw_token}")
    assert done.status_code == 200 and "won't hear about future releases" in done.get_data(
        as_text=True
    )
    assert members(app)[0].withdrawn_at is not None
    assert signups(app)[0].unsubscribed_at is None  # this release's email still comes


def test_the_withdraw_page_speaks_the_language_the_fan_joined_in(app, client, campaign):
    join(client, "night-drive", "fan@example.com", lang="pt_BR")
    [member] = members(app)
    assert member.language == "pt_BR"
    page = client.get(f"/a/{member.withdraw_token}").get_data(as_text=True)
    assert '<html lang="pt-BR">' in page and ">Parar estes e-mails</button>" in page
    done = client.post(f"/a/{member.withdraw_token}").get_data(as_text=True)
    assert "Você não vai receber notícias de próximos lançamentos" in done


def test_withdrawing_by_rfc_8058_one_click(app, client, campaign):
    join(client, "night-drive", "fan@example.com")
    token = members(app)[0].withdraw_token
    response = client.post(f"/a/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert members(app)[0].withdrawn_at is not None


def test_a_release_emails_unsubscribe_page_offers_the_withdrawal_too(app, client, campaign):
    join(client, "night-drive", "fan@example.com")
    [signup] = signups(app)
    html = client.get(f"/u/{signup.unsubscribe_token}").get_data(as_text=True)
    member = members(app)[0]
    assert f'action="/a/{member.withdraw_token}"' in html
    client.post(f"/a/{member.withdraw_token}")
    html = client.get(f"/u/{signup.unsubscribe_token}").get_data(as_text=True)
    assert "/a/" not in html  # nothing left to withdraw


def test_ticking_the_box_again_after_withdrawing_is_consent_again(app, client, campaign):
    join(client, "night-drive", "fan@example.com")
    client.post(f"/a/{members(app)[0].withdraw_token}")
    join(client, "night-drive", "fan@example.com")
    assert members(app)[0].withdrawn_at is None


@pytest.mark.parametrize("token", ["x", "a" * 30, "../../etc", "a" * 200])
def test_an_unknown_withdraw_token_is_a_404(client, token):
    assert client.get(f"/a/{token}").status_code == 404
    assert client.post(f"/a/{token}").status_code == 404


def test_a_signup_from_the_announcement_button_is_attributed_to_the_announcement(
    app, client, campaign
):
    # The button opens /night-drive/email/<platform>?c=announcement; without JavaScript
    # that address arrives as the form's Referer, with it visit.js sends it as `from`.
    html = client.get("/night-drive/email/deezer?c=announcement").get_data(as_text=True)
    assert 'id="future"' in html
    sign_up(
        client,
        "night-drive",
        "fan@example.com",
        "deezer",
        future="yes",
        future_version="1",
        headers={"Referer": "http://localhost/night-drive/email/deezer?c=announcement"},
    )
    sign_up(client, "night-drive", "other@example.com", "deezer", **{"from": "c=announcement"})
    assert count(app, campaign.id, "signup", "channel", "announcement") == 2
    assert members(app)[0].first_source == "announcement"


def test_the_insights_tab_names_the_announcement_channel(app, client, logged_in, campaign):
    sign_up(client, "night-drive", "fan@example.com", "deezer", **{"from": "c=announcement"})
    html = logged_in.get(f"/dashboard/campaigns/{campaign.id}/insights").get_data(as_text=True)
    assert "Announcement email" in html and "Deleted channel (announcement)" not in html
