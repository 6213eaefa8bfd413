"""Password reset by email: same answer for any address, a signed link that works once for
one hour, rate-limited, and using it ends every session. Mail goes over real SMTP."""

import re
import time

import pytest

from app.account import tokens
from app.auth import password_reset
from app.extensions import db
from app.jobs import make_worker
from app.models import Artist
from tests.factories import PASSWORD, log_in

NEW_PASSWORD = "a fresh new passphrase"


def deliver(app):
    """Run the mail queue like the worker does."""
    make_worker(app).work(burst=True)


def reset_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/reset-password/\S+)", text).group(1)


def ask_for_reset(client, app, email):
    response = client.post("/forgot-password", data={"email": email})
    deliver(app)
    return response


def test_the_login_page_offers_forgot_password(client):
    assert 'href="/forgot-password"' in client.get("/login").text
    assert client.get("/forgot-password").status_code == 200


def test_an_artist_resets_their_password_by_the_emailed_link(client, app, artist, mailbox_messages):
    response = ask_for_reset(client, app, " ADA@example.com ")
    assert response.status_code == 303

    [message] = mailbox_messages()
    assert message["To"] == artist.email
    assert message["Subject"] == "Reset your Dropday password"
    html = message.get_body(("html",)).get_content()
    link = reset_link(message)
    assert f'href="http://localhost{link}"' in html

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD})
    assert response.status_code == 303
    assert log_in(app.test_client(), artist.email, NEW_PASSWORD).status_code == 303
    assert log_in(app.test_client(), artist.email, PASSWORD).status_code == 422


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, app, mailbox_messages):
    known = ask_for_reset(client, app, "nobody@example.com")
    assert known.status_code == 303
    page = client.get(known.headers["Location"]).text
    assert "If nobody@example.com has a Dropday account, a link" in page
    assert mailbox_messages() == []


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(client, app, artist):
    known = client.post("/forgot-password", data={"email": artist.email})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]


def test_a_reset_link_works_only_once(client, app, artist, mailbox_messages):
    ask_for_reset(client, app, artist.email)
    link = reset_link(mailbox_messages()[0])
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 303
    again = client.post(link, data={"password": "yet another passphrase"})
    assert again.status_code == 410
    assert "This link no longer works" in again.text
    with app.app_context():
        assert db.session.get(Artist, artist.id).check_password(NEW_PASSWORD)


def test_a_reset_link_dies_after_an_hour(app, artist, monkeypatch):
    with app.test_request_context():
        token = password_reset.password_reset_token(db.session.get(Artist, artist.id))
        assert password_reset.artist_for_reset(token) is not None
        now = time.time()
        monkeypatch.setattr(time, "time", lambda: now + 3601)
        assert password_reset.artist_for_reset(token) is None


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 5000])
def test_a_forged_link_is_refused(client, token):
    response = client.get(f"/reset-password/{token}")
    assert response.status_code == 410


def test_a_link_signed_for_another_purpose_is_refused(client, app, artist):
    with app.test_request_context():
        email_token = tokens.email_change_token(db.session.get(Artist, artist.id), "a@b.example")
    assert client.get(f"/reset-password/{email_token}").status_code == 410


def test_using_the_link_ends_every_session(client, app, artist, mailbox_messages):
    phone = app.test_client()
    log_in(phone, artist.email)
    ask_for_reset(client, app, artist.email)
    client.post(reset_link(mailbox_messages()[0]), data={"password": NEW_PASSWORD})
    assert phone.get("/dashboard/").status_code == 302


def test_a_short_new_password_is_refused_and_the_link_still_works(
    client, app, artist, mailbox_messages
):
    ask_for_reset(client, app, artist.email)
    link = reset_link(mailbox_messages()[0])
    response = client.post(link, data={"password": "short"})
    assert response.status_code == 422
    assert "Use at least 10 characters." in response.text
    assert client.get(link).status_code == 200


def test_reset_requests_for_one_address_are_rate_limited(client, app, artist, mailbox_messages):
    answers = [
        client.post("/forgot-password", data={"email": artist.email}).status_code for _ in range(4)
    ]
    assert answers == [303, 303, 303, 429]
    deliver(app)
    assert len(mailbox_messages()) == 3


def test_a_stranger_asking_for_resets_does_not_stop_the_artist_asking(
    behind_a_proxy, client, app, artist, mailbox_messages
):
    stranger = {"X-Forwarded-For": "203.0.113.9"}
    for _ in range(5):
        client.post("/forgot-password", data={"email": artist.email}, headers=stranger)
    refused = client.post("/forgot-password", data={"email": artist.email}, headers=stranger)
    assert refused.status_code == 429 and "Please wait 60 minutes" in refused.text
    mine = client.post(
        "/forgot-password",
        data={"email": artist.email},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert mine.status_code == 303
    deliver(app)
    assert len(mailbox_messages()) == 4  # three for the stranger, one for the artist


def test_reset_requests_from_one_address_are_rate_limited(client):
    answers = [
        client.post("/forgot-password", data={"email": f"n{i}@example.com"}).status_code
        for i in range(11)
    ]
    assert answers[:10] == [303] * 10 and answers[10] == 429
