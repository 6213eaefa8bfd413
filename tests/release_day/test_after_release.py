"""After the release moment no page promises what will not come: a fan who signs up before
the moment or before the conversion gets the email the page promised, in the language they
signed up in; after the conversion every pre-save address leads to the Smart Link."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Signup
from tests.fan_pages import form_token, sign_up


def _signups(app, campaign_id):
    with app.app_context():
        rows = db.session.scalars(
            select(Signup).where(Signup.campaign_id == campaign_id).order_by(Signup.id)
        ).all()
        return [(row.email, row.language) for row in rows]


def test_each_fan_gets_exactly_what_the_page_promised_around_the_release_moment(
    rd, artist, client, mailbox_messages
):
    campaign = rd.campaign(
        artist,
        slug="night-drive",
        platforms=["spotify", "deezer", "tidal"],
        released_ago=-timedelta(minutes=1),
    )
    token = form_token(client, "night-drive")

    # One minute before the moment: the page counts down and promises release day.
    page = client.get("/night-drive").get_data(as_text=True)
    assert ">Out now" not in page and "Out within a day" in page
    early = sign_up(client, "night-drive", "early@example.com", platform="deezer")
    assert "On release day we&#39;ll email early@example.com a link" in early.get_data(True)

    # The moment has passed, the platforms have not been asked yet: "Out now", and the
    # promise is the email as soon as the links are known (in Spanish for this fan).
    rd.sim.advance(minutes=2)
    page = client.get("/night-drive").get_data(as_text=True)
    assert "Out now" in page and "The links are on their way" in page
    between = sign_up(client, "night-drive", "entre@example.com", platform="deezer", lang="es")
    said = between.get_data(as_text=True)
    assert "Ya salió: en cuanto Deezer lo tenga" in said and "día del lanzamiento" not in said

    rd.run_tick()  # detection finds it, converts, and the emails go out

    # After the conversion: the email form, the signup and the connect start all lead to
    # the release on the fan's platform; nothing is recorded and no email promised.
    form = client.get("/night-drive/email/deezer")
    assert form.status_code == 303 and form.headers["Location"] == "/night-drive/go/deezer"
    late = client.post(
        "/night-drive/signup",
        data={
            "platform": "deezer",
            "email": "late@example.com",
            "form_token": token,
            "consent_version": "1",
        },
    )
    assert late.status_code == 303 and late.headers["Location"] == "/night-drive/go/deezer"
    swapped = client.post(
        "/night-drive/signup",
        data={"platform": "deezer", "email": "late@example.com", "form_token": token},
        headers={"HX-Request": "true"},
    )
    assert swapped.headers["HX-Redirect"] == "/night-drive/go/deezer"
    # TIDAL has not got it yet (it lags): that fan goes to the Smart Link itself.
    connect = client.get("/connect/tidal/start?campaign=night-drive")
    assert connect.status_code == 303 and connect.headers["Location"] == "/night-drive"
    away = client.get("/night-drive/go/deezer")
    assert away.headers["Location"].startswith("https://www.deezer.com/")

    assert _signups(rd.app, campaign.id) == [
        ("early@example.com", "en"),
        ("entre@example.com", "es"),
    ]
    rd.run_tick()
    messages = {m["To"]: m for m in mailbox_messages()}
    assert sorted(messages) == ["early@example.com", "entre@example.com"]
    assert messages["early@example.com"]["Subject"].startswith("Out now: ")
    assert messages["entre@example.com"]["Subject"].startswith("Ya disponible: ")


def test_a_japanese_fan_s_email_and_push_speak_japanese_the_artist_s_words_untranslated(
    rd, artist, client, mailbox_messages
):
    campaign = rd.campaign(
        artist,
        slug="harbor",
        title="Night Drive",
        artist_name="Harbor Lights",
        platforms=["spotify", "deezer"],
        released_ago=-timedelta(days=1),
    )
    sign_up(client, "harbor", "ja@example.com", platform="deezer", lang="ja")
    sign_up(client, "harbor", "en@example.com", platform="deezer")
    rd.subscribe_push(rd.email_fan(campaign, email="push@example.com", language="ja"))
    assert ("ja@example.com", "ja") in _signups(rd.app, campaign.id)

    rd.sim.advance(days=1, minutes=1)
    rd.run_tick()
    messages = {m["To"]: m for m in mailbox_messages()}
    ja = messages["ja@example.com"]
    # (.strip(): the wire folds an encoded subject onto its own line; see mail.py's _Wire)
    assert ja["Subject"].strip() == "配信開始：Harbor Lights「Night Drive」"  # noqa: RUF001
    text = ja.get_body(("plain",)).get_content()
    html = ja.get_body(("html",)).get_content()
    assert "Deezerで聴く: http://localhost/r/" in text
    assert "Harbor Lightsのプリセーブページで登録されたため" in text
    assert '<html lang="ja">' in html and ">配信停止</a>" in html
    # English says the possessive of a name ending in "s" as English does.
    en_text = messages["en@example.com"].get_body(("plain",)).get_content()
    assert "you signed up on Harbor Lights' pre-save page." in en_text
    (push,) = rd.pushes()
    body = push.json()
    assert body["title"] == "「Night Drive」配信開始"
    assert body["body"] == "Harbor Lights · Spotifyで聴く"
