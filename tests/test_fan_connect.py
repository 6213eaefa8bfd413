"""Direct save: a fan connects Apple Music (MusicKit), TIDAL or YouTube Music through the
simulator's real consent pages, over real HTTP; `state` is bound to the browser and single-use.
"""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import Text, select, type_coerce

from app import clock
from app.extensions import db
from app.models import Artist, AudienceMember, Campaign, Connection, PendingConnect, Signup
from tests.factories import Factories, serve_at
from tests.platforms.conftest import simulator  # noqa: F401  (the live simulator fixture)
from tests.platforms.consent import callback, consent

OAUTH = ["tidal", "youtube_music"]


@pytest.fixture
def site(simulator):  # noqa: F811  (the fixture imported above)
    """The app and the simulator on one live server, PUBLIC_URL set to it (the redirect URIs)."""
    serve_at(simulator.app, simulator.root)
    # The app calls the simulator on the same busy server: give it a fan's patience.
    simulator.app.config["PLATFORM_TIMEOUT"] = 10
    with simulator.app.app_context():
        owner = Artist(email="owner@example.com", name="Owner")
        owner.set_password("correct horse battery")
        db.session.add(owner)
        db.session.commit()
        simulator.owner_id = owner.id
    simulator.campaign = Factories(simulator.app).campaign(owner=owner, slug="night-drive")
    return simulator


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def rows(site, model):
    with site.app.app_context():
        found = db.session.scalars(select(model).order_by(model.id)).all()
        for row in found:
            db.session.expunge(row)
        return found


def start(site, browser, platform, **headers):
    return browser.get(
        f"{site.root}/connect/{platform}/start",
        params={"campaign": "night-drive"},
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )


def through_consent(site, browser, platform, decision="allow", listener="ada"):
    """Tap the button, answer the platform's consent page, come back to Dropday."""
    started = start(site, browser, platform)
    assert started.status_code == 303, started.text
    back = callback(started.headers["Location"], listener, decision)
    assert back.startswith(f"{site.root}/connect/{platform}/callback?")
    return back, browser.get(back, allow_redirects=False, timeout=10)


def finish_with_email(site, browser, platform, email):
    return browser.post(
        f"{site.root}/connect/{platform}/email",
        data={"email": email},
        allow_redirects=False,
        timeout=10,
    )


@pytest.mark.parametrize("platform", OAUTH)
def test_an_oauth_connection_counts_once_the_fan_gives_their_email(site, browser, platform):
    _, back = through_consent(site, browser, platform)
    assert back.status_code == 303
    assert back.headers["Location"].endswith(f"/connect/{platform}/email")
    form = browser.get(site.root + back.headers["Location"].removeprefix(site.root), timeout=10)
    assert "Almost done" in form.text and "required" in form.text
    assert rows(site, Signup) == []  # the email is required before the signup counts

    missing = finish_with_email(site, browser, platform, "")
    assert missing.status_code == 422 and 'id="email-error"' in missing.text
    done = finish_with_email(site, browser, platform, "Fan@Example.com")
    assert done.status_code == 200, done.text
    assert "You're on the list" in done.text and "to your" in done.text
    [signup] = rows(site, Signup)
    assert (signup.platform, signup.mode, signup.email) == (platform, "direct", "fan@example.com")
    [connection] = rows(site, Connection)
    assert connection.signup_id == signup.id and connection.status == "valid"
    assert rows(site, PendingConnect) == []
    assert "dropday_platform=" + platform in done.headers["Set-Cookie"]


def test_tidal_is_asked_with_pkce_s256_and_our_exact_redirect_uri(site, browser):
    started = start(site, browser, "tidal")
    query = parse_qs(urlsplit(started.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["redirect_uri"] == [f"{site.root}/connect/tidal/callback"]
    cookie = started.headers["Set-Cookie"]
    assert "dropday_connect=" in cookie and "HttpOnly" in cookie and "Path=/connect" in cookie


@pytest.mark.parametrize("platform", OAUTH)
def test_a_fan_who_refuses_consent_returns_to_the_page_and_nothing_is_recorded(
    site, browser, platform
):
    _, back = through_consent(site, browser, platform, decision="deny")
    assert back.status_code == 303
    page = browser.get(site.root + back.headers["Location"].removeprefix(site.root), timeout=10)
    assert "You didn&#39;t allow access, so nothing was saved" in page.text
    assert rows(site, Signup) == [] and rows(site, Connection) == []


def test_a_replayed_callback_records_nothing_more(site, browser):
    url, back = through_consent(site, browser, "tidal")
    assert back.status_code == 303
    again = browser.get(url, allow_redirects=False, timeout=10)
    assert again.status_code == 400 and "already used" in again.text
    assert rows(site, Signup) == []


def test_a_callback_in_another_browser_is_refused(site, browser):
    started = start(site, browser, "tidal")
    url = callback(started.headers["Location"])
    stranger = requests.get(url, allow_redirects=False, timeout=10)
    assert stranger.status_code == 400
    assert rows(site, Signup) == [] and rows(site, PendingConnect)  # the fan's is untouched


def test_a_wrong_state_returns_to_the_page_and_the_attempt_is_spent(site, browser):
    started = start(site, browser, "tidal")
    url = callback(started.headers["Location"])
    forged = re.sub(r"state=[^&]+", "state=forged", url)
    back = browser.get(forged, allow_redirects=False, timeout=10)
    assert back.status_code == 303 and "notice=connect-expired" in back.headers["Location"]
    assert browser.get(url, allow_redirects=False, timeout=10).status_code == 400
    assert rows(site, Signup) == [] and rows(site, PendingConnect) == []


def test_an_expired_state_returns_to_the_page(site, browser):
    started = start(site, browser, "youtube_music")
    url = callback(started.headers["Location"])
    later = datetime.now(UTC) + timedelta(minutes=20)
    clock.install(site.app, lambda: later)
    try:
        back = browser.get(url, allow_redirects=False, timeout=10)
    finally:
        clock.install(site.app, None)
    assert back.status_code == 303 and "notice=connect-expired" in back.headers["Location"]
    assert rows(site, Signup) == []


def test_the_same_account_connecting_twice_is_one_signup(site, browser):
    for email in ("first@example.com", "second@example.com"):
        with requests.Session() as fan:
            through_consent(site, fan, "tidal", listener="ada")
            assert finish_with_email(site, fan, "tidal", email).status_code == 200
    [signup] = rows(site, Signup)
    assert signup.email == "second@example.com"
    assert len(rows(site, Connection)) == 1


def test_a_fan_signed_up_by_email_who_connects_keeps_one_signup(site, browser):
    page = browser.get(f"{site.root}/night-drive/email/spotify", timeout=10).text
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    browser.post(
        f"{site.root}/night-drive/signup",
        data={
            "platform": "spotify",
            "email": "fan@example.com",
            "form_token": token,
            "consent_version": "1",
        },
        timeout=10,
    )
    through_consent(site, browser, "youtube_music")
    finish_with_email(site, browser, "youtube_music", "fan@example.com")
    [signup] = rows(site, Signup)
    assert (signup.platform, signup.mode) == ("youtube_music", "direct")


def test_tokens_are_stored_encrypted(site, browser):
    through_consent(site, browser, "tidal")
    with site.app.app_context():
        pending = db.session.execute(
            select(type_coerce(PendingConnect.access_token, Text))
        ).scalar_one()
        plain = db.session.scalar(select(PendingConnect.access_token))
    assert plain and plain not in pending
    finish_with_email(site, browser, "tidal", "fan@example.com")
    with site.app.app_context():
        raw = db.session.execute(
            select(
                type_coerce(Connection.access_token, Text),
                type_coerce(Connection.refresh_token, Text),
            )
        ).one()
        connection = db.session.scalars(select(Connection)).one()
        tokens = (connection.access_token, connection.refresh_token)
    assert all(tokens)
    for stored in raw:
        assert stored.startswith("gAAAA")  # a Fernet token
        assert not any(token in stored for token in tokens)


def test_apple_music_through_musickit_counts_at_once_and_the_email_is_optional(site, browser):
    started = start(site, browser, "apple_music", Accept="application/json")
    assert started.status_code == 200
    begun = started.json()
    assert begun["callback"] == "/connect/apple_music/callback" and begun["state"]
    kit = begun["browser"]
    assert kit["script_url"].startswith(site.root) and kit["developer_token"]
    authorize = kit["script_url"].replace("/musickit/v3/musickit.js", "/authorize")
    authorize += f"?developer_token={kit['developer_token']}&origin={site.root}&app=Dropday"
    answer = consent(authorize)
    token = re.search(r'<output id="music-user-token">([^<]+)</output>', answer.text).group(1)
    back = browser.post(
        site.root + begun["callback"],
        data={"state": begun["state"], "music_user_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 303
    [signup] = rows(site, Signup)  # counted already: Apple's email is optional
    assert (signup.platform, signup.mode, signup.email) == ("apple_music", "direct", None)
    page = browser.get(site.root + back.headers["Location"].removeprefix(site.root), timeout=10)
    assert "You're in: Apple Music is connected" in page.text and "(optional)" in page.text
    done = finish_with_email(site, browser, "apple_music", "fan@example.com")
    assert done.status_code == 200
    [signup] = rows(site, Signup)
    assert signup.email == "fan@example.com"


def test_a_musickit_refusal_records_nothing(site, browser):
    begun = start(site, browser, "apple_music", Accept="application/json").json()
    back = browser.post(
        site.root + begun["callback"],
        data={"state": begun["state"], "error": "access_denied"},
        allow_redirects=False,
        timeout=10,
    )
    assert "notice=connect-refused" in back.headers["Location"]
    assert rows(site, Signup) == []


def test_a_forged_music_user_token_is_refused(site, browser):
    begun = start(site, browser, "apple_music", Accept="application/json").json()
    back = browser.post(
        site.root + begun["callback"],
        data={"state": begun["state"], "music_user_token": "made-up"},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 303 and "notice=connect-" in back.headers["Location"]
    assert rows(site, Signup) == []


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/15E148 Instagram 312.0.0.0",
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36 "
        "[FB_IAB/FB4A;FBAV/450.0.0.0]",
        "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/118 Mobile Safari/537.36 "
        "musical_ly_2023 BytedanceWebview/d8a21c6",
    ],
)
def test_in_app_browsers_are_offered_their_real_browser_and_the_email(site, browser, user_agent):
    response = start(site, browser, "tidal", **{"User-Agent": user_agent})
    assert response.status_code == 200
    assert "Open in your browser" in response.text and 'name="email"' in response.text
    assert "dropday_connect" not in response.headers.get("Set-Cookie", "")
    assert rows(site, PendingConnect) == []


def test_connecting_to_an_inactive_campaign_is_refused(site, browser):
    with site.app.app_context():
        from app.models import Campaign

        db.session.get(Campaign, site.campaign.id).active = False
        db.session.commit()
    response = start(site, browser, "tidal")
    assert response.status_code == 403 and "closed" in response.text
    assert rows(site, PendingConnect) == []


@pytest.mark.parametrize("platform", ["spotify", "myspace", "apple_music%00"])
def test_only_direct_platforms_connect(site, browser, platform):
    assert start(site, browser, platform).status_code == 404


def test_connection_starts_are_rate_limited_per_address(site, browser):
    site.app.config["CONNECT_RATE_LIMIT"] = "2 per minute"
    assert [start(site, browser, "tidal").status_code for _ in range(3)] == [303, 303, 429]
    assert len(rows(site, PendingConnect)) == 2


def test_garbage_at_the_connect_addresses_never_gives_a_500(site, browser):
    start(site, browser, "tidal")  # the browser now holds a pending connection cookie
    for path in (
        "/connect/tid%00al/callback?state=x",
        "/connect/tidal/callback?state=%00&code=%00" + "x" * 10_000,
        "/connect/tid%00al/email",
        "/connect/tidal/email",
    ):
        for method in ("GET", "POST"):
            response = browser.request(method, site.root + path, allow_redirects=False, timeout=10)
            assert response.status_code < 500, (method, path, response.status_code)


def test_the_direct_save_email_step_offers_the_future_releases_box_unticked(site, browser):
    _, back = through_consent(site, browser, "tidal")
    form = browser.get(site.root + back.headers["Location"].removeprefix(site.root), timeout=10)
    box = re.search(r'<input id="future"[^>]*>', form.text).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    done = browser.post(
        f"{site.root}/connect/tidal/email",
        data={"email": "Fan@Example.com", "future": "yes", "future_version": "1"},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 200, done.text
    [member] = rows(site, AudienceMember)
    [campaign] = rows(site, Campaign)
    assert (member.email, member.platform, member.workspace_id) == (
        "fan@example.com",
        "tidal",
        campaign.workspace_id,  # the audience is the campaign's workspace's
    )
    assert member.consent_version == 1 and member.consented_at is not None


def test_a_direct_save_without_the_box_ticked_joins_no_audience(site, browser):
    through_consent(site, browser, "tidal")
    done = finish_with_email(site, browser, "tidal", "fan@example.com")
    assert done.status_code == 200
    assert rows(site, AudienceMember) == [] and len(rows(site, Signup)) == 1
