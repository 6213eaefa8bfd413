"""The account page: name, email, password, sessions, and deleting the account."""

import re

from app.extensions import db
from app.jobs import make_worker
from app.models import Artist, Campaign, LoginSession, Signup
from tests.factories import PASSWORD, artwork_is_stored, log_in

NEW_PASSWORD = "a brand new passphrase"


def other_device(app, artist, password=PASSWORD):
    device = app.test_client()
    log_in(device, artist.email, password)
    assert device.get("/dashboard/").status_code == 200
    return device


def reload(app, artist):
    with app.app_context():
        return db.session.get(Artist, artist.id)


def test_the_account_page_shows_each_setting(logged_in, artist):
    page = logged_in.get("/account/")
    assert page.status_code == 200
    for text in ("Name", "New email", "Current password", "New password", "Log out everywhere"):
        assert text in page.text
    assert 'value="Ada"' in page.text
    assert artist.email in page.text


def test_an_artist_changes_their_name(logged_in, app, artist):
    response = logged_in.post("/account/name", data={"name-name": "  Ada\u202e L. "})
    assert response.status_code == 303
    assert reload(app, artist).name == "Ada L."


def test_an_empty_name_is_refused_with_its_reason(logged_in, app, artist):
    response = logged_in.post("/account/name", data={"name-name": " "})
    assert response.status_code == 422
    assert "Enter your name." in response.text
    assert reload(app, artist).name == "Ada"


def test_changing_the_password_needs_the_current_one(logged_in, app, artist):
    response = logged_in.post(
        "/account/password",
        data={"password-password": "a wrong guess!", "password-new_password": NEW_PASSWORD},
    )
    assert response.status_code == 422
    assert "That isn&#39;t your current password." in response.text
    assert reload(app, artist).check_password(PASSWORD)


def test_changing_the_password_ends_every_other_session(app, logged_in, artist):
    laptop = other_device(app, artist)
    response = logged_in.post(
        "/account/password",
        data={"password-password": PASSWORD, "password-new_password": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert logged_in.get("/dashboard/").status_code == 200  # this one goes on
    assert laptop.get("/dashboard/").status_code == 302
    assert reload(app, artist).check_password(NEW_PASSWORD)
    assert log_in(app.test_client(), artist.email, NEW_PASSWORD).status_code == 303


def test_log_out_everywhere_ends_every_session_this_one_too(app, logged_in, artist):
    laptop = other_device(app, artist)
    response = logged_in.post("/account/logout-everywhere")
    assert response.status_code == 303
    assert laptop.get("/dashboard/").status_code == 302
    assert logged_in.get("/dashboard/").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(LoginSession.id))) == 0


def test_the_account_page_is_for_logged_in_artists_only(client):
    assert client.get("/account/").status_code == 302
    assert client.post("/account/delete", data={"delete-confirm": "x"}).status_code == 302


def test_deleting_needs_the_accounts_email_typed(logged_in, app, make, artist):
    make.campaign(artist)
    response = logged_in.post("/account/delete", data={"delete-confirm": "someone@example.com"})
    assert response.status_code == 422
    assert "nothing was deleted" in response.text
    assert reload(app, artist) is not None


def test_deleting_the_account_deletes_its_campaigns_and_artwork_and_no_one_elses(
    logged_in, app, make, artist
):
    mine = [make.campaign(artist), make.campaign(artist)]
    others = make.campaign(make.artist(email="other@example.com"))

    response = logged_in.post("/account/delete", data={"delete-confirm": " ADA@example.com "})

    assert response.status_code == 303
    response.close()
    assert logged_in.get("/dashboard/").status_code == 302
    assert log_in(app.test_client(), artist.email).status_code == 422
    with app.app_context():
        assert db.session.get(Artist, artist.id) is None
        assert db.session.scalars(db.select(Campaign.id)).all() == [others.id]
    for campaign in mine:
        assert not artwork_is_stored(app, campaign.artwork, "page.jpg")
        assert not artwork_is_stored(app, campaign.artwork, "thumb.jpg")
    assert artwork_is_stored(app, others.artwork, "page.jpg")


def change_email(client, new_email, password=PASSWORD):
    return client.post(
        "/account/email", data={"email-email": new_email, "email-password": password}
    )


def confirm_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/account/confirm-email/\S+)", text).group(1)


def test_a_new_email_takes_over_only_once_confirmed_by_a_link_sent_to_it(
    logged_in, app, artist, mailbox_messages
):
    response = change_email(logged_in, "Ada.New@Example.com")
    assert response.status_code == 303
    assert reload(app, artist).email == "ada@example.com"  # not yet
    make_worker(app).work(burst=True)

    [message] = mailbox_messages()
    assert message["To"] == "ada.new@example.com"
    assert message["Subject"] == "Confirm your new Dropday email"
    link = confirm_link(message)
    assert f'href="http://localhost{link}"' in message.get_body(("html",)).get_content()

    assert logged_in.get(link).status_code == 302
    assert reload(app, artist).email == "ada.new@example.com"
    assert log_in(app.test_client(), "ada.new@example.com").status_code == 303
    # The link worked once: the address it was bound to is gone.
    logged_in.get(link)
    assert "expired or was already used" in logged_in.get("/account/").text


def test_changing_the_email_needs_the_current_password(logged_in, app, mailbox_messages):
    response = change_email(logged_in, "new@example.com", password="not my password")
    assert response.status_code == 422
    assert "isn&#39;t your current password" in response.text
    make_worker(app).work(burst=True)
    assert mailbox_messages() == []


def test_an_invalid_new_email_is_refused(logged_in):
    response = change_email(logged_in, "not-an-email")
    assert response.status_code == 422
    assert "Enter a valid email address." in response.text


def test_an_address_taken_meanwhile_is_not_given_to_a_second_account(
    logged_in, app, make, artist, mailbox_messages
):
    change_email(logged_in, "shared@example.com")
    make_worker(app).work(burst=True)
    make.artist(email="shared@example.com")
    logged_in.get(confirm_link(mailbox_messages()[0]))
    assert reload(app, artist).email == "ada@example.com"
    assert "belongs to another account" in logged_in.get("/account/").text


def test_deleting_the_account_deletes_its_fans_signups(logged_in, app, make, artist):
    campaign = make.campaign(artist)
    with app.app_context():
        db.session.add(
            Signup(
                campaign_id=campaign.id,
                platform="deezer",
                mode="email",
                email="fan@example.com",
                consent_version=1,
            )
        )
        db.session.commit()
    logged_in.post("/account/delete", data={"delete-confirm": artist.email})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Signup.id))) == 0
