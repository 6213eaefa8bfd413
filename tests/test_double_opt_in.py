"""Double opt-in, as the artist chooses: a fan's email signup counts only once they confirm
it from the email Dropday sends; unconfirmed signups are not exported and go after 7 days."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.fan.double_opt_in import forget_unconfirmed
from app.jobs import make_worker
from app.models import Signup
from tests.fan_pages import sign_up, signups
from tests.test_subscriber_export import export_url, rows_of
from tests.test_subscribers import subscribers_url


@pytest.fixture
def campaign(make, artist):
    return make.campaign(owner=artist, slug="night-drive", title="Night Drive", double_opt_in=True)


def confirm_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/confirm/\S+)", text).group(1)


def test_a_fan_confirms_from_the_email_and_only_then_counts(
    app, client, logged_in, campaign, mailbox_messages
):
    page = sign_up(client, "night-drive", "fan@example.com").text
    assert "Check your email" in page and "You're on the list" not in page
    [signup] = signups(app, campaign.id)
    assert signup.confirmed_at is None and signup.consent_version == 1
    assert "unconfirmed" in logged_in.get(subscribers_url(campaign)).text
    assert len(rows_of(logged_in.get(export_url(campaign)))) == 1  # the header alone

    make_worker(app).work(burst=True)
    [message] = mailbox_messages()
    assert message["To"] == "fan@example.com" and "Night Drive" in message["Subject"]
    link = confirm_link(message)
    assert "Confirm" in client.get(link).text  # opening the link (a mail scanner) confirms nothing
    assert signups(app, campaign.id)[0].confirmed_at is None

    done = client.post(link)
    assert done.status_code == 200 and "is confirmed" in done.text
    [signup] = signups(app, campaign.id)
    assert signup.confirmed_at is not None
    assert "unconfirmed" not in logged_in.get(subscribers_url(campaign)).text
    assert rows_of(logged_in.get(export_url(campaign)))[1][0] == "fan@example.com"


def test_a_spanish_signup_is_asked_to_confirm_in_spanish_from_the_answer_to_the_page(
    app, client, campaign, mailbox_messages
):
    page = sign_up(client, "night-drive", "fan@example.com", lang="es").text
    assert "Revisa tu correo" in page and "Enviamos un enlace a fan@example.com" in page

    make_worker(app).work(burst=True)
    [message] = mailbox_messages()  # over real SMTP
    assert message["Subject"] == "Confirma tu registro para Night Drive"
    text = message.get_body(("plain",)).get_content()
    assert "Confirmar mi registro: http://localhost/confirm/" in text
    assert "Si no te registraste, ignora este correo." in text
    assert '<html lang="es">' in message.get_body(("html",)).get_content()

    link = confirm_link(message)  # no language in it: the page knows the fan's
    asked = client.get(link).text
    assert "Confirma tu registro" in asked and '<html lang="es">' in asked
    done = client.post(link).text
    assert "fan@example.com está confirmado" in done and "Estás en la lista" in done


def test_without_double_opt_in_a_signup_counts_at_once_and_no_email_is_sent(
    app, client, make, artist, mailbox_messages
):
    make.campaign(owner=artist, slug="open-road", title="Open Road")
    assert "You're on the list" in sign_up(client, "open-road", "fan@example.com").text
    make_worker(app).work(burst=True)
    assert mailbox_messages() == []
    assert signups(app, None)[0].confirmed_at is not None


def test_a_forged_or_unknown_confirmation_link_is_refused(client, campaign):
    assert client.post("/confirm/forged").status_code == 410


def test_unconfirmed_signups_are_deleted_after_seven_days(app, client, campaign):
    sign_up(client, "night-drive", "old@example.com")
    with app.app_context():
        db.session.execute(
            Signup.__table__.update().values(created_at=clock.now() - timedelta(days=8))
        )
        db.session.commit()
    sign_up(client, "night-drive", "new@example.com")
    with app.app_context():
        assert forget_unconfirmed() == 1
        assert db.session.scalars(select(Signup.email)).all() == ["new@example.com"]


def test_the_installation_setting_turns_double_opt_in_on_for_new_campaigns(
    test_config, app, logged_in
):
    app.config["DOUBLE_OPT_IN"] = True
    form = logged_in.get("/dashboard/campaigns/new").text
    assert re.search(
        r'<input[^>]*checked[^>]*name="double_opt_in"|name="double_opt_in"[^>]*checked', form
    )
