"""Connection health before release day: 24 h and again 1 h before the release moment every
connected fan's access is checked, and a fan whose connection broke is emailed once."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.jobs import enqueue
from app.models import Connection
from app.release_day import health
from tests.factories import log_in


def _check(rd):
    with rd.app.app_context():
        enqueue(health.check_connections, queue_name="release")
    rd.work()


def _health(rd):
    with rd.app.app_context():
        return dict(db.session.execute(select(Connection.signup_id, Connection.health)).all())


def test_a_revoked_connection_a_day_before_release_gets_exactly_one_reconnect_email(
    rd, artist, mailbox_messages
):
    campaign = rd.campaign(
        artist,
        platforms=["tidal", "youtube_music", "apple_music"],
        released_ago=-timedelta(hours=23),
    )
    broken = rd.direct_fan(campaign, "tidal", email="broken@example.com")
    fine = rd.direct_fan(campaign, "youtube_music", email="fine@example.com")
    apple = rd.direct_fan(campaign, "apple_music", email="apple@example.com")
    rd.sim.revoke(broken.listener, "tidal")

    _check(rd)
    _check(rd)  # the same check moment: nothing is checked twice
    assert _health(rd) == {
        broken.signup_id: "broken",
        fine.signup_id: "healthy",
        apple.signup_id: "healthy",
    }
    rd.sim.advance(hours=22, minutes=30)  # one hour before release: the second check
    _check(rd)
    assert [m["To"] for m in mailbox_messages()] == ["broken@example.com"]
    assert f"/{campaign.slug}" in mailbox_messages()[0].get_body(("plain",)).get_content()

    client = rd.app.test_client()
    log_in(client, artist.email)
    tab = client.get(f"/dashboard/campaigns/{campaign.id}/release-day").text
    assert "2 healthy" in tab and "1 broken" in tab and "0 reconnected" in tab


def test_a_revoked_apple_music_token_is_found_broken(rd, artist, mailbox_messages):
    campaign = rd.campaign(artist, platforms=["apple_music"], released_ago=-timedelta(hours=1))
    fan = rd.direct_fan(campaign, "apple_music", email="apple@example.com")
    rd.sim.revoke(fan.listener, "apple_music")
    _check(rd)
    assert _health(rd) == {fan.signup_id: "broken"}
    assert [m["To"] for m in mailbox_messages()] == ["apple@example.com"]


def test_the_reconnect_email_speaks_the_language_the_fan_signed_up_in(rd, artist, mailbox_messages):
    campaign = rd.campaign(artist, platforms=["tidal"], released_ago=-timedelta(hours=23))
    fan = rd.direct_fan(campaign, "tidal", email="fan@example.com", language="fr")
    rd.sim.revoke(fan.listener, "tidal")
    _check(rd)
    [message] = mailbox_messages()  # over real SMTP
    title = campaign.title
    assert message["Subject"] == (
        f"Reconnectez-vous pour que {title} soit enregistré le jour de la sortie"
    )
    text = message.get_body(("plain",)).get_content()
    assert f"Votre connexion pour « {title} »" in text
    assert f"Se reconnecter: http://localhost/{campaign.slug}?lang=fr" in text
    assert '<html lang="fr">' in message.get_body(("html",)).get_content()


def test_a_fan_who_connects_again_after_the_email_counts_as_reconnected(
    rd, artist, mailbox_messages
):
    campaign = rd.campaign(artist, platforms=["tidal"], released_ago=-timedelta(hours=23))
    fan = rd.direct_fan(campaign, "tidal", email="fan@example.com")
    rd.sim.revoke(fan.listener, "tidal")
    _check(rd)
    assert _health(rd) == {fan.signup_id: "broken"}
    again = rd.direct_fan(campaign, "tidal", email="fan@example.com")  # from the email's link
    assert again.signup_id == fan.signup_id  # the same signup, with fresh tokens
    assert _health(rd) == {fan.signup_id: "reconnected"}
    rd.sim.advance(hours=22, minutes=30)  # the check an hour before: the new access works
    _check(rd)
    assert _health(rd) == {fan.signup_id: "reconnected"}
    assert len(mailbox_messages()) == 1
    client = rd.app.test_client()
    log_in(client, artist.email)
    tab = client.get(f"/dashboard/campaigns/{campaign.id}/release-day").text
    assert "0 healthy" in tab and "0 broken" in tab and "1 reconnected" in tab
