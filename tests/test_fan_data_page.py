"""A fan's own data page (/u/<token>): everything Dropday holds about them for the campaign,
and buttons to disconnect the platform, turn push off, or delete everything at once."""

import pytest
from sqlalchemy import String, cast, or_, select

from app.extensions import db
from app.fan.recording import record_direct_signup
from app.models import Connection, Delivery, PushSubscription, Signup
from app.platforms.base import Connected, Tokens
from tests.fan_pages import sign_up, signups
from tests.test_fan_followups import SUBSCRIPTION, push_token_of


@pytest.fixture
def campaign(make, artist):
    return make.campaign(owner=artist, slug="night-drive", title="Night Drive")


def _connected_fan(app, campaign, language="en"):
    with app.app_context():
        tokens = Tokens(access_token="access-secret", refresh_token="refresh-secret")
        signup = record_direct_signup(
            campaign,
            "tidal",
            Connected(tokens, "tidal-account-1"),
            "fan@example.com",
            language=language,
        )
        return signup.unsubscribe_token


def test_the_page_shows_what_dropday_holds(app, client, campaign):
    token = push_token_of(sign_up(client, "night-drive", "fan@example.com"))
    client.post("/push/subscription", json={"token": token, "subscription": SUBSCRIPTION})
    page = client.get(f"/u/{signups(app, campaign.id)[0].unsubscribe_token}").text
    assert "fan@example.com" in page and "Spotify" in page
    assert "agree that" in page  # the consent text the fan was shown
    assert "Notifications</dt><dd>On" in page and "Platform connected</dt><dd>No" in page


def test_disconnecting_deletes_the_platform_tokens(app, client, campaign):
    token = _connected_fan(app, campaign)
    page = client.post(f"/u/{token}/disconnect")
    assert page.status_code == 200 and "Platform connected</dt><dd>No" in page.text
    with app.app_context():
        assert db.session.scalars(select(Connection)).all() == []


def test_turning_push_off_removes_the_subscription(app, client, campaign):
    token = push_token_of(sign_up(client, "night-drive", "fan@example.com"))
    client.post("/push/subscription", json={"token": token, "subscription": SUBSCRIPTION})
    page = client.post(f"/u/{signups(app, campaign.id)[0].unsubscribe_token}/push-off")
    assert "Notifications</dt><dd>Off" in page.text
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []


def test_deleting_leaves_no_row_with_the_fans_email(app, client, campaign):
    token = _connected_fan(app, campaign)
    with app.app_context():
        signup_id = db.session.scalar(select(Signup.id))
        db.session.add(
            Delivery(
                campaign_id=campaign.id,
                signup_id=signup_id,
                kind="email",
                platform="tidal",
                state="done",
            )
        )
        db.session.commit()
    page = client.post(f"/u/{token}/delete")
    assert page.status_code == 200 and "Everything is deleted" in page.text
    with app.app_context():
        for table in db.metadata.sorted_tables:
            text_columns = [cast(c, String) for c in table.columns]
            found = db.session.execute(
                select(table).where(or_(*(c.contains("fan@example.com") for c in text_columns)))
            ).all()
            assert found == [], table.name
        assert db.session.scalars(select(Delivery)).all() == []
    assert client.get(f"/u/{token}").status_code == 404


def test_the_page_its_buttons_and_their_answers_speak_the_fan_s_language(app, client, campaign):
    token = _connected_fan(app, campaign, language="de")
    with app.app_context():
        signup = db.session.scalar(select(Signup).filter_by(unsubscribe_token=token))
        db.session.add(
            PushSubscription(
                signup_id=signup.id, endpoint="https://push.example/1", p256dh="k", auth="a"
            )
        )
        db.session.commit()
    page = client.get(f"/u/{token}").text.replace("\n", "")
    assert '<html lang="de">' in page and "Was Dropday über dich speichert" in page
    assert "Plattform verbunden</dt><dd>Ja" in page and "Benachrichtigungen</dt><dd>An" in page
    assert "Bestätigt</dt><dd><time" in page  # a signup without double opt-in stands confirmed
    # The consent the fan gave, in the words they read it in.
    assert "Mit dem Verbinden erlaubst du Dropday, „Night Drive“ von" in page
    for button in ("Abmelden", "TIDAL trennen", "Benachrichtigungen ausschalten", "Alles löschen"):
        assert f">{button}</button>" in page
    assert "Alles ist gelöscht" not in page
    pushed_off = client.post(f"/u/{token}/push-off").text.replace("\n", "")
    assert "Benachrichtigungen sind aus." in pushed_off
    disconnected = client.post(f"/u/{token}/disconnect").text
    assert "Deine Plattform ist getrennt: Dropday hat den Zugriff gelöscht." in disconnected
    unsubscribed = client.post(f"/u/{token}").text
    assert "Du hörst von uns nichts mehr zu „Night Drive“" in unsubscribed
    deleted = client.post(f"/u/{token}/delete").text
    assert "Alles ist gelöscht" in deleted and '<html lang="de">' in deleted
