"""Bounces: a permanent SMTP failure (5xx at RCPT) marks the fan's address bounced, and no
campaign of the installation mails it again; a temporary one (4xx) is retried as before.
The refusing SMTP server is `refusing_smtp` (conftest.py)."""

from sqlalchemy import select

from app import mailbox
from app.extensions import db
from app.models import BouncedEmail, Delivery
from tests.factories import log_in
from tests.test_subscribers import subscribers_url


def _emails(app):
    with app.app_context():
        return {
            (d.signup_id, d.state, d.last_error)
            for d in db.session.scalars(select(Delivery).where(Delivery.kind == "email"))
        }


def test_a_bounced_address_is_never_mailed_again_by_any_campaign(rd, artist, refusing_smtp):
    first = rd.campaign(artist, platforms=["spotify"])
    gone = rd.email_fan(first, email="gone@example.com")
    rd.email_fan(first, email="fine@example.com")
    rd.run_tick()
    assert (gone.signup_id, "failed", "the address bounced (550)") in _emails(rd.app)
    with rd.app.app_context():
        assert db.session.scalars(select(BouncedEmail.email)).all() == ["gone@example.com"]

    second = rd.campaign(artist, platforms=["spotify"])
    again = rd.email_fan(second, email="gone@example.com")
    rd.run_tick()
    assert not any(signup_id == again.signup_id for signup_id, *_ in _emails(rd.app))
    assert sorted(m["To"] for m in mailbox.read(refusing_smtp)) == ["fine@example.com"]

    client = rd.app.test_client()
    log_in(client, artist.email)
    assert "bounced" in client.get(subscribers_url(second)).text


def test_a_temporary_refusal_is_retried_and_is_not_a_bounce(rd, artist, refusing_smtp):
    campaign = rd.campaign(artist, platforms=["spotify"])
    busy = rd.email_fan(campaign, email="busy@example.com")
    rd.run_tick()
    with rd.app.app_context():
        delivery = db.session.scalar(select(Delivery).where(Delivery.signup_id == busy.signup_id))
        assert delivery.state == "due" and delivery.attempts == 1
        assert db.session.scalars(select(BouncedEmail)).all() == []


def test_a_permanent_refusal_at_data_is_a_bounce_too(rd, artist, refusing_smtp):
    campaign = rd.campaign(artist, platforms=["spotify"])
    full = rd.email_fan(campaign, email="full@example.com")
    rd.run_tick()
    assert (full.signup_id, "failed", "the mail server refused it (552)") in _emails(rd.app)
    with rd.app.app_context():
        assert db.session.scalars(select(BouncedEmail.email)).all() == ["full@example.com"]
