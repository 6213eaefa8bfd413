"""Email signups on the fan page: the recording rules, and bad input never a 500."""

import re
import threading

import pytest
import requests
from sqlalchemy import update

from app.extensions import db
from app.fan.recording import record_direct_signup
from app.models import Campaign, Connection, Signup
from app.platforms.base import Connected, Tokens
from tests.fan_pages import form_token, sign_up, signups


@pytest.fixture
def campaign(make, artist):
    return make.campaign(owner=artist, slug="night-drive", title="Night Drive")


def test_a_fan_who_signs_up_twice_is_counted_once_with_the_latest_platform(app, client, campaign):
    assert sign_up(client, "night-drive", "Fan@Example.COM", "spotify").status_code == 200
    assert sign_up(client, "night-drive", "fan@example.com", "deezer").status_code == 200
    [signup] = signups(app, campaign.id)
    assert (signup.email, signup.platform, signup.mode) == ("fan@example.com", "deezer", "email")


def test_a_signup_records_what_the_seed_lists_and_nothing_about_the_device(app, client, campaign):
    sign_up(
        client,
        "night-drive",
        "fan@example.com",
        "spotify",
        headers={"User-Agent": "SecretPhone/1.0", "X-Forwarded-For": "203.0.113.9"},
    )
    [signup] = signups(app, campaign.id)
    assert signup.campaign_id == campaign.id and signup.platform == "spotify"
    assert signup.created_at.utcoffset().total_seconds() == 0
    assert signup.consent_version == 1
    columns = {c.name for c in Signup.__table__.columns}
    assert not columns & {"ip", "ip_address", "user_agent", "remote_addr"}
    with app.app_context():
        row = db.session.execute(db.select(Signup.__table__)).one()
    assert "203.0.113.9" not in str(row) and "SecretPhone" not in str(row)


def test_emails_are_normalized(app, client, campaign):
    sign_up(client, "night-drive", "  Fan@EXAMPLE.com ", "spotify")
    assert signups(app, campaign.id)[0].email == "fan@example.com"


@pytest.mark.parametrize(
    "email",
    ["not-an-email", "fan@", "@example.com", "a" * 10_000 + "@example.com", "fan\x00@example.com"],
)
def test_a_bad_email_gets_a_message_next_to_the_field_and_422(app, client, campaign, email):
    response = sign_up(client, "night-drive", email, "spotify")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html and 'aria-invalid="true"' in html
    assert signups(app, campaign.id) == []


def test_a_bad_email_in_an_htmx_swap_comes_back_as_the_form(client, campaign):
    response = sign_up(client, "night-drive", "nope", "spotify", headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert response.get_data(as_text=True).lstrip().startswith("<form")


@pytest.mark.parametrize("platform", ["myspace", "", "spotify\x00", "x" * 5000])
def test_an_unknown_platform_key_is_refused_without_a_500(app, client, campaign, platform):
    response = sign_up(client, "night-drive", "fan@example.com", platform)
    assert response.status_code == 422
    assert "Pick one of the platforms" in response.get_data(as_text=True)
    assert signups(app, campaign.id) == []


def test_an_unknown_platform_in_an_htmx_swap_brings_back_the_buttons(app, client, campaign):
    response = sign_up(
        client, "night-drive", "fan@example.com", "myspace", headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Pick one of the platforms" in html and "data-connect" in html
    assert signups(app, campaign.id) == []


def test_a_platform_the_campaign_does_not_offer_is_refused(app, client, make, artist, campaign):
    only = make.campaign(owner=artist, slug="only-deezer", platforms=["deezer"])
    token = form_token(client, "night-drive")  # any page's token is per campaign
    assert sign_up(client, "only-deezer", "fan@example.com", "spotify").status_code == 422
    response = client.post(
        "/only-deezer/signup",
        data={"platform": "deezer", "email": "f@example.com", "form_token": token},
    )
    assert response.status_code == 400  # another campaign's token
    assert signups(app, only.id) == []


def test_a_post_without_the_pages_form_token_records_nothing(app, client, campaign):
    response = client.post(
        "/night-drive/signup",
        data={"platform": "spotify", "email": "fan@example.com", "consent_version": "1"},
    )
    assert response.status_code == 400
    assert signups(app, campaign.id) == []


def test_a_post_from_another_site_is_refused(app, client, campaign):
    for header in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}):
        response = sign_up(client, "night-drive", "fan@example.com", headers=header)
        assert response.status_code == 403
    assert (
        sign_up(
            client, "night-drive", "fan@example.com", headers={"Origin": "http://localhost"}
        ).status_code
        == 200
    )
    assert len(signups(app, campaign.id)) == 1


def test_the_honeypot_catches_naive_bots_without_telling_them(app, client, campaign):
    response = sign_up(client, "night-drive", "bot@example.com", website="http://spam.example")
    assert response.status_code == 200 and "You're on the list" in response.get_data(as_text=True)
    assert signups(app, campaign.id) == []


def test_an_outdated_consent_version_is_asked_again(app, client, campaign):
    response = sign_up(client, "night-drive", "fan@example.com", consent_version="99")
    assert response.status_code == 422
    assert signups(app, campaign.id) == []


def test_a_fan_who_unsubscribed_and_signs_up_again_is_subscribed_again(app, client, campaign):
    sign_up(client, "night-drive", "fan@example.com")
    token = signups(app, campaign.id)[0].unsubscribe_token
    client.post(f"/u/{token}")
    assert signups(app, campaign.id)[0].unsubscribed_at is not None
    sign_up(client, "night-drive", "fan@example.com")
    assert signups(app, campaign.id)[0].unsubscribed_at is None


def test_too_many_signups_from_one_address_get_a_friendly_429(test_config, app, client, campaign):
    app.config["SIGNUP_RATE_LIMIT"] = "3 per minute"
    for n in range(3):
        assert sign_up(client, "night-drive", f"fan{n}@example.com").status_code == 200
    response = sign_up(client, "night-drive", "fan9@example.com")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Please wait a minute" in html and "css/fan." in html
    assert response.headers.get("Retry-After")
    assert len(signups(app, campaign.id)) == 3


def test_a_campaign_closed_a_moment_ago_takes_no_signup_while_its_page_is_remembered(
    app, client, campaign
):
    app.config["FAN_PAGE_CACHE_SECONDS"] = 30  # the web process remembers the campaign
    assert sign_up(client, "night-drive", "first@example.com").status_code == 200
    with app.app_context():  # closed by another process: this one is not told
        db.session.execute(update(Campaign).filter_by(id=campaign.id).values(active=False))
        db.session.commit()
    response = sign_up(client, "night-drive", "second@example.com")
    assert response.status_code == 403
    assert "Signups for this release are closed." in response.get_data(as_text=True)
    assert [s.email for s in signups(app, campaign.id)] == ["first@example.com"]


def test_an_email_signup_for_another_platform_drops_the_old_connection(app, client, campaign):
    with app.app_context():
        connected = Connected(Tokens("secret-token"), account_id="42")
        record_direct_signup(campaign, "tidal", connected, "fan@example.com")
    sign_up(client, "night-drive", "fan@example.com", "tidal")  # same platform: still a save
    [kept] = signups(app, campaign.id)
    assert kept.mode == "direct"
    sign_up(client, "night-drive", "fan@example.com", "spotify")
    [changed] = signups(app, campaign.id)
    assert (changed.platform, changed.mode) == ("spotify", "email")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Connection.id))) == 0


def test_simultaneous_identical_posts_make_one_row(test_config, live_server, make_app):
    """Eight browsers post the same signup at the same instant: the database decides."""
    live_server.app.config["SIGNUP_RATE_LIMIT"] = "100 per minute"
    with live_server.app.app_context():
        from app.models import Artist

        owner = Artist(email="race@example.com", name="Race")
        owner.set_password("correct horse battery")
        db.session.add(owner)
        db.session.commit()
        from tests.factories import Factories

        campaign = Factories(live_server.app).campaign(owner=owner, slug="race-day")
    page = requests.get(f"{live_server.url}/race-day/email/spotify", timeout=5).text
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    start = threading.Barrier(8)
    statuses = []

    def post():
        start.wait()
        response = requests.post(
            f"{live_server.url}/race-day/signup",
            data={
                "platform": "spotify",
                "email": "same@example.com",
                "form_token": token,
                "consent_version": "1",
            },
            timeout=10,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert statuses == [200] * 8
    with live_server.app.app_context():
        count = db.session.scalar(
            db.select(db.func.count(Signup.id)).filter_by(campaign_id=campaign.id)
        )
        assert count == 1
        assert db.session.get(Campaign, campaign.id) is not None


def test_the_same_account_connecting_from_several_tabs_at_once_is_one_signup(live_server):
    """Direct signups race on the unique constraints; the losers retry as updates."""
    from app.fan.recording import record_direct_signup
    from app.platforms.base import Connected, Tokens
    from tests.factories import Factories

    make = Factories(live_server.app)
    campaign = make.campaign(owner=make.artist(), slug="tabs")
    start = threading.Barrier(6)
    errors = []

    def connect(n):
        start.wait()
        try:
            with live_server.app.app_context():
                fresh = db.session.get(Campaign, campaign.id)
                connected = Connected(Tokens(access_token=f"token-{n}"), "account-1")
                record_direct_signup(fresh, "tidal", connected, "tabs@example.com")
        except Exception as exc:  # reported below, with the thread's own error
            errors.append(exc)

    threads = [threading.Thread(target=connect, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with live_server.app.app_context():
        assert db.session.scalar(db.select(db.func.count(Signup.id))) == 1
        assert db.session.scalar(db.select(db.func.count(Connection.id))) == 1
