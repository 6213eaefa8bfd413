"""After the signup: push opt-in, unsubscribe, old addresses, token key rotation."""

import re

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Text, select, type_coerce

from app.extensions import db
from app.fan.recording import record_direct_signup
from app.models import Campaign, Connection, PreviousSlug, PushSubscription, Signup
from app.platforms.base import Connected, Tokens
from tests.factories import log_in
from tests.fan_pages import sign_up, signups

SUBSCRIPTION = {
    "endpoint": "http://localhost/simulator/push/send/abc123",  # the simulator's service
    "keys": {
        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1"
        "XbjhazAkj7I99e8QcYP7DkM",
        "auth": "tBHItJI5svbpez7KI4CCXg",
    },
}


@pytest.fixture
def campaign(make, artist):
    return make.campaign(owner=artist, slug="night-drive", title="Night Drive")


def push_token_of(response) -> str:
    return re.search(r'data-push-token="([^"]+)"', response.get_data(as_text=True)).group(1)


def push_rows(app):
    with app.app_context():
        return db.session.scalars(select(PushSubscription)).all()


def test_the_confirmation_offers_push_with_the_vapid_public_key(app, client, campaign):
    html = sign_up(client, "night-drive", "fan@example.com").get_data(as_text=True)
    key = re.search(r'data-vapid-key="([^"]+)"', html).group(1)
    assert key == app.config["VAPID_PUBLIC_KEY"] and len(key) == 87  # 65 bytes, base64url
    assert 'data-sw-url="/sw.js"' in html


def test_a_push_subscription_is_stored_with_the_signup_and_removed_when_turned_off(
    app, client, campaign
):
    token = push_token_of(sign_up(client, "night-drive", "fan@example.com"))
    stored = client.post("/push/subscription", json={"token": token, "subscription": SUBSCRIPTION})
    assert stored.status_code == 204
    again = client.post("/push/subscription", json={"token": token, "subscription": SUBSCRIPTION})
    assert again.status_code == 204
    [row] = push_rows(app)
    assert row.endpoint == SUBSCRIPTION["endpoint"]
    assert row.signup_id == signups(app, campaign.id)[0].id
    assert client.delete("/push/subscription", json={"token": token}).status_code == 204
    assert push_rows(app) == []


@pytest.mark.parametrize(
    "body",
    [
        {"token": "forged", "subscription": SUBSCRIPTION},
        {"subscription": SUBSCRIPTION},
        "not an object",
        {"token": None},
    ],
)
def test_push_changes_need_the_signed_token_from_the_fans_confirmation(app, client, body):
    response = client.post("/push/subscription", json=body)
    assert response.status_code in {400, 403}
    assert push_rows(app) == []


@pytest.mark.parametrize(
    "subscription",
    [
        {},
        {"endpoint": "javascript:alert(1)", "keys": SUBSCRIPTION["keys"]},
        {"endpoint": "https://push.example/" + "x" * 3000, "keys": SUBSCRIPTION["keys"]},
        {"endpoint": SUBSCRIPTION["endpoint"], "keys": {"p256dh": "", "auth": "x"}},
        {"endpoint": SUBSCRIPTION["endpoint"], "keys": ["nope"]},
        {"endpoint": "https://push.example/a\x00b", "keys": SUBSCRIPTION["keys"]},
        {"endpoint": SUBSCRIPTION["endpoint"], "keys": {"p256dh": "a\x00", "auth": "x"}},
    ],
)
def test_a_malformed_push_subscription_is_refused(app, client, campaign, subscription):
    token = push_token_of(sign_up(client, "night-drive", "fan@example.com"))
    response = client.post(
        "/push/subscription", json={"token": token, "subscription": subscription}
    )
    assert response.status_code == 422
    assert push_rows(app) == []


def test_push_from_another_site_is_refused(app, client, campaign):
    token = push_token_of(sign_up(client, "night-drive", "fan@example.com"))
    response = client.post(
        "/push/subscription",
        json={"token": token, "subscription": SUBSCRIPTION},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript" and response.cache_control.no_cache
    assert "showNotification" in response.get_data(as_text=True)
    response.close()


def test_unsubscribing_asks_first_then_stops_everything(app, client, campaign):
    token = push_token_of(sign_up(client, "night-drive", "fan@example.com"))
    client.post("/push/subscription", json={"token": token, "subscription": SUBSCRIPTION})
    unsubscribe = signups(app, campaign.id)[0].unsubscribe_token
    page = client.get(f"/u/{unsubscribe}")
    assert page.status_code == 200 and "Unsubscribe?" in page.get_data(as_text=True)
    assert signups(app, campaign.id)[0].unsubscribed_at is None  # a GET changes nothing
    done = client.post(f"/u/{unsubscribe}")
    assert done.status_code == 200 and "You're unsubscribed" in done.get_data(as_text=True)
    assert signups(app, campaign.id)[0].unsubscribed_at is not None
    assert push_rows(app) == []
    # The push token no longer works for an unsubscribed fan.
    assert (
        client.post(
            "/push/subscription", json={"token": token, "subscription": SUBSCRIPTION}
        ).status_code
        == 403
    )


def test_one_click_unsubscribe_works_without_a_csrf_token(test_config, app, client, campaign):
    app.config["WTF_CSRF_ENABLED"] = True
    sign_up(client, "night-drive", "fan@example.com")
    token = signups(app, campaign.id)[0].unsubscribe_token
    response = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert signups(app, campaign.id)[0].unsubscribed_at is not None


def test_unsubscribing_a_direct_signup_drops_its_tokens(app, client, campaign):
    with app.app_context():
        signup = record_direct_signup(campaign, "tidal", Connected(Tokens("t"), "1"), None)
        token = signup.unsubscribe_token
    client.post(f"/u/{token}")
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Connection.id))) == 0


@pytest.mark.parametrize("token", ["nope", "x" * 500, "%00" * 30, "a" * 43])
def test_an_unknown_unsubscribe_link_is_a_fan_404(client, token):
    for response in (client.get(f"/u/{token}"), client.post(f"/u/{token}")):
        assert response.status_code == 404
        assert "css/fan." in response.get_data(as_text=True)


def edit_slug(client, campaign, slug):
    return client.post(
        f"/dashboard/campaigns/{campaign.id}/edit",
        data={
            "title": campaign.title,
            "artist_name": campaign.artist_name,
            "slug": slug,
            "release_date": campaign.release_date.isoformat(),
            "time_zone": campaign.time_zone,
            "release_source": "602445790609",
            "platforms": campaign.platforms,
        },
    )


def test_an_old_address_answers_301_to_the_new_one(app, client, campaign, artist):
    log_in(client, artist.email)
    assert edit_slug(client, campaign, "night-drive-deluxe").status_code == 303
    moved = client.get("/night-drive?notice=connect-refused")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/night-drive-deluxe?notice=connect-refused"
    assert client.get("/night-drive-deluxe").status_code == 200
    # Renamed again: both old addresses lead to the current one.
    edit_slug(client, campaign, "night-drive-final")
    assert client.get("/night-drive").headers["Location"] == "/night-drive-final"
    assert client.get("/night-drive-deluxe").headers["Location"] == "/night-drive-final"
    # Taking an old address back makes it the address again.
    edit_slug(client, campaign, "night-drive")
    assert client.get("/night-drive").status_code == 200
    with app.app_context():
        assert set(db.session.scalars(select(PreviousSlug.slug))) == {
            "night-drive-deluxe",
            "night-drive-final",
        }


def test_another_campaign_cannot_take_an_old_address(app, client, make, campaign, artist):
    log_in(client, artist.email)
    edit_slug(client, campaign, "night-drive-deluxe")
    other = make.campaign(owner=make.artist(), slug="someone-else")
    with app.app_context():
        from app.models import Artist

        stranger = db.session.get(Artist, other.artist_id)
    client.post("/logout")
    log_in(client, stranger.email)
    response = edit_slug(client, other, "night-drive")
    assert response.status_code == 422
    assert "That page address is taken" in response.get_data(as_text=True)
    assert client.get("/night-drive").status_code == 301


def test_if_a_race_gives_an_old_address_away_the_current_owner_wins(app, client, make, campaign):
    with app.app_context():
        db.session.add(PreviousSlug(slug="taken-later", campaign_id=campaign.id))
        db.session.commit()
    make.campaign(owner=make.artist(), slug="taken-later", title="The new owner")
    response = client.get("/taken-later")
    assert response.status_code == 200 and "The new owner" in response.get_data(as_text=True)


def test_rotating_token_keys_re_encrypts_every_token_with_the_newest_key(app, runner, campaign):
    old_key = app.config["TOKEN_KEYS"]
    with app.app_context():
        signup = Signup(campaign_id=campaign.id, platform="tidal", mode="direct", consent_version=1)
        db.session.add(signup)
        db.session.flush()
        db.session.add(
            Connection(
                signup_id=signup.id,
                campaign_id=campaign.id,
                platform="tidal",
                account_id="1",
                access_token="access-secret",
                refresh_token="refresh-secret",
            )
        )
        db.session.commit()
    new_key = Fernet.generate_key().decode()
    app.config["TOKEN_KEYS"] = f"{new_key},{old_key}"
    result = runner.invoke(args=["rotate-token-keys"])
    assert result.exit_code == 0 and "Re-encrypted 2 stored token(s)" in result.output
    with app.app_context():
        raw = db.session.execute(
            select(
                type_coerce(Connection.access_token, Text),
                type_coerce(Connection.refresh_token, Text),
            )
        ).one()
    new_only = Fernet(new_key.encode())
    assert [new_only.decrypt(value.encode()) for value in raw] == [
        b"access-secret",
        b"refresh-secret",
    ]
    app.config["TOKEN_KEYS"] = new_key  # the old key can go now
    with app.app_context():
        assert db.session.scalars(select(Connection)).one().access_token == "access-secret"
        assert db.session.get(Campaign, campaign.id)
