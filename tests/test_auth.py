"""Artist accounts: sign-up, log-in, log-out, and what protects them."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Artist, LoginSession
from app.models.types import utcnow
from tests.factories import PASSWORD, log_in


def signup(client, **fields):
    data = {"name": "Nina", "email": "nina@example.com", "password": "a-long-password"}
    return client.post("/signup", data=data | fields)


def count_artists(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Artist.id)))


@pytest.fixture
def production_hashing(test_config):
    """The suite hashes fast (conftest); this app keeps the production default."""
    del test_config["PASSWORD_HASH_METHOD"]


def test_an_artist_signs_up_and_lands_on_the_dashboard(production_hashing, client, app):
    response = signup(client, email="  Nina@Example.COM ")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dashboard/")
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert "Welcome to Dropday, Nina!" in page.text
    with app.app_context():
        artist = db.session.scalar(db.select(Artist))
        assert artist.email == "nina@example.com"
        # werkzeug's scrypt: the password itself is never stored.
        assert artist.password_hash.startswith("scrypt:")
        assert "a-long-password" not in artist.password_hash


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short"}, "Use at least 10 characters."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"name": ""}, "Enter your name."),
    ],
)
def test_a_bad_signup_comes_back_with_the_reason_and_saves_nothing(client, app, fields, message):
    response = signup(client, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert count_artists(app) == 0


def test_signing_up_twice_with_one_email_is_refused(client, app, artist):
    response = signup(client, email=artist.email.upper())
    assert response.status_code == 422
    assert "already exists" in response.text
    assert count_artists(app) == 1


def test_the_signup_and_login_forms_have_the_agreed_labels(client):
    signup_page = client.get("/signup").text
    for label in ("Name", "Email", "Password"):
        assert f">{label}</label>" in signup_page
    login_page = client.get("/login").text
    assert ">Email</label>" in login_page and ">Password</label>" in login_page


def test_an_artist_logs_in_and_out(client, artist):
    response = log_in(client, artist.email.upper())
    assert response.status_code == 303
    assert client.get("/dashboard/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 303
    assert client.get("/dashboard/").status_code == 302


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(client, artist):
    wrong_password = log_in(client, artist.email, "not the password")
    unknown_email = log_in(client, "nobody@example.com", PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 422
    assert "Email or password is incorrect." in wrong_password.text
    assert "Email or password is incorrect." in unknown_email.text


def from_address(address: str) -> dict:
    return {"headers": {"X-Forwarded-For": address}}


def test_a_stranger_guessing_passwords_locks_out_only_themselves(behind_a_proxy, client, artist):
    for _ in range(10):
        wrong = {"email": artist.email, "password": "x"}
        assert client.post("/login", data=wrong, **from_address("203.0.113.9")).status_code == 422
    refused = client.post(
        "/login", data={"email": artist.email, "password": PASSWORD}, **from_address("203.0.113.9")
    )
    assert refused.status_code == 429
    assert "Please wait 15 minutes" in refused.text  # the real wait, just after the 10th try
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
    # The artist, from their own address, logs in as usual.
    mine = client.post(
        "/login", data={"email": artist.email, "password": PASSWORD}, **from_address("198.51.100.7")
    )
    assert mine.status_code == 303


def test_guesses_spread_over_many_addresses_still_leave_the_artist_in(
    behind_a_proxy, client, artist
):
    for i in range(60):
        wrong = {"email": artist.email, "password": "x"}
        client.post("/login", data=wrong, **from_address(f"203.0.113.{i}"))
    mine = client.post(
        "/login", data={"email": artist.email, "password": PASSWORD}, **from_address("198.51.100.7")
    )
    assert mine.status_code == 303


def test_more_than_ten_failed_logins_from_one_address_are_refused(client, artist):
    for i in range(10):
        log_in(client, f"guess{i}@example.com", "x")
    assert log_in(client, artist.email).status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(client, artist):
    for _ in range(12):
        assert log_in(client, artist.email).status_code == 303
        client.post("/logout")


def test_sign_ups_from_one_address_are_rate_limited(client):
    for i in range(20):
        signup(client, email=f"fan{i}@example.com", password="short")
    refused = signup(client, email="late@example.com")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "\t//evil.example",
    ],
)
def test_next_never_leads_off_the_site(client, artist, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": artist.email, "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard/"


def test_next_leads_to_a_page_on_the_site(client, artist):
    response = client.get("/dashboard/campaigns/new")
    assert response.status_code == 302
    assert "next=/dashboard/campaigns/new" in response.headers["Location"].replace("%2F", "/")
    response = client.post(
        "/login",
        query_string={"next": "/dashboard/campaigns/new"},
        data={"email": artist.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/dashboard/campaigns/new"


def test_the_session_cookie_is_httponly_lax_and_secure_outside_debug(test_config, make_app):
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        del test_config[key]
    # The form's CSRF token puts something in the session, so a cookie is set.
    app = make_app(WTF_CSRF_ENABLED=True)
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert make_app(DEBUG=True).config["SESSION_COOKIE_SECURE"] is False


def test_a_form_without_its_csrf_token_is_refused(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = log_in(client, "ada@example.com")
    assert response.status_code == 400
    assert "Reload the page" in response.text


def test_sign_up_accepts_the_demo_accounts_test_domain_in_development(client, app):
    # The demo account is demo@dropday.test: a local run must accept such addresses too.
    response = signup(client, email="mira@band.test")
    assert response.status_code == 303
    assert count_artists(app) == 1


def test_sign_up_in_production_still_refuses_a_test_domain(make_app):
    client = make_app(DROPDAY_ENV="production").test_client()
    response = signup(client, email="mira@band.test")
    assert response.status_code == 422
    assert "Enter a valid email address." in response.text


def _copy_of_session(app, client):
    """A second browser holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_session_cookie_copied_before_log_out_is_refused_afterwards(app, client, artist):
    log_in(client, artist.email)
    thief = _copy_of_session(app, client)
    assert thief.get("/dashboard/").status_code == 200

    client.post("/logout")

    assert thief.get("/dashboard/").status_code == 302
    response = thief.post("/dashboard/campaigns/new", data={"title": "Stolen"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logging_out_on_one_device_keeps_the_other_logged_in(app, client, artist):
    log_in(client, artist.email)
    laptop = app.test_client()
    log_in(laptop, artist.email)
    client.post("/logout")
    assert laptop.get("/dashboard/").status_code == 200


def test_a_session_ends_on_its_own_after_thirty_days_and_is_swept_at_the_next_log_in(
    app, client, artist
):
    log_in(client, artist.email)
    with app.app_context():
        row = db.session.scalar(db.select(LoginSession))
        row.created_at = utcnow() - timedelta(days=30, minutes=1)
        db.session.commit()
    assert client.get("/dashboard/").status_code == 302
    log_in(client, artist.email)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(LoginSession.id))) == 1
    assert client.get("/dashboard/").status_code == 200
