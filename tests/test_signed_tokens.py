"""Every signed link, cookie and form token: bound to its purpose, refused when forged,
tampered with, too long or too old."""

import pytest

from app.signed_tokens import SignedToken


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_a_token_reads_back_as_what_was_signed(ctx):
    tokens = SignedToken("test-purpose", max_age=60)
    assert tokens.loads(tokens.dumps({"artist": 7})) == {"artist": 7}


def test_a_token_for_one_purpose_is_refused_for_another(ctx):
    reset = SignedToken("password-reset", max_age=60).dumps({"artist": 7})
    assert SignedToken("email-change", max_age=60).loads(reset) is None


def test_forged_tampered_oversized_and_missing_tokens_read_as_nothing(ctx):
    tokens = SignedToken("test-purpose", max_length=200)
    good = tokens.dumps(42)
    assert tokens.loads(good) == 42
    assert tokens.loads(good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]) is None
    assert tokens.loads("garbage") is None
    assert tokens.loads("x" * 201) is None
    assert tokens.loads(None) is None
    assert tokens.loads("") is None


def test_a_dated_token_expires_and_an_undated_one_does_not(ctx):
    assert SignedToken("dated", max_age=-1).loads(SignedToken("dated", max_age=-1).dumps(1)) is None
    undated = SignedToken("personal-link")
    assert undated.loads(undated.dumps([1, "email"])) == [1, "email"]


def test_tokens_signed_with_another_secret_are_refused(app, make_app):
    tokens = SignedToken("test-purpose")
    with make_app(SECRET_KEY="another-secret").app_context():
        theirs = tokens.dumps(1)
    with app.app_context():
        assert tokens.loads(theirs) is None
