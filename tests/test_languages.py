"""The fan's language: negotiated or named in the address, switchable without JavaScript,
cached per language, stored with the signup; dates in the language's own words; the
artist's words never translated; every catalogue complete."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from icalendar import Calendar

from app.config import ROOT
from app.languages import LANGUAGES
from tests.fan_pages import sign_up, signups

TRANSLATIONS = ROOT / "translations"


@pytest.fixture
def campaign(make, artist):
    return make.campaign(
        owner=artist,
        title="Night Drive",
        artist_name="Harbor Lights",
        slug="night-drive",
        platforms=["spotify", "deezer"],
        release_date=date(2027, 3, 5),
        time_zone="America/Mexico_City",
    )


def test_a_spanish_browser_gets_the_page_in_spanish_and_caches_are_told_why(client, campaign):
    response = client.get("/night-drive", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    html = response.get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Pre-guárdalo" in html and "Recibir un correo el día del lanzamiento para Deezer" in html
    assert "viernes, 5 de marzo de 2027, 0:00 (Ciudad de México)" in html
    # The artist's words as they wrote them.
    assert "<h1>Night Drive</h1>" in html and "Harbor Lights" in html
    # Its links keep the language; the same address in another language is another page.
    assert 'href="/night-drive/email/deezer?lang=es"' in html
    assert "Accept-Language" in response.headers["Vary"]


def test_a_language_named_in_the_address_wins_and_is_the_same_page_for_everyone(client, campaign):
    pages = [
        client.get("/night-drive?lang=ja", headers={"Accept-Language": accept})
        for accept in ("en-US", "de-DE,de", "")
    ]
    assert len({page.get_data() for page in pages}) == 1
    assert all("Accept-Language" not in page.headers.get("Vary", "") for page in pages)
    html = pages[0].get_data(as_text=True)
    assert '<html lang="ja">' in html and "プリセーブする" in html
    assert "2027年3月5日金曜日 0:00 (メキシコシティー)" in html
    # Portuguese is asked for as pt-BR (or just pt); an unknown language falls back to the
    # browser's, then English.
    assert '<html lang="pt-BR">' in client.get("/night-drive?lang=pt-br").get_data(True)
    assert '<html lang="pt-BR">' in client.get(
        "/night-drive", headers={"Accept-Language": "pt"}
    ).get_data(True)
    assert '<html lang="en">' in client.get("/night-drive?lang=xx").get_data(True)


def test_the_in_process_cache_keeps_one_copy_per_language(app, client, campaign):
    app.config["FAN_PAGE_CACHE_SECONDS"] = 30
    french = client.get("/night-drive", headers={"Accept-Language": "fr"}).get_data(True)
    german = client.get("/night-drive", headers={"Accept-Language": "de"}).get_data(True)
    assert '<html lang="fr">' in french and '<html lang="de">' in german


def test_the_language_menu_is_plain_links_to_each_language_s_page(client, campaign):
    html = client.get("/night-drive/email/deezer?lang=de").get_data(as_text=True)
    menu = re.search(r'<nav class="languages" aria-label="Sprache">(.*?)</nav>', html, re.S)
    links = re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', menu.group(1))
    assert links == [
        (f"/night-drive/email/deezer?lang={code}", code.replace("_", "-")) for code in LANGUAGES
    ]
    assert 'aria-current="true">Deutsch</a>' in menu.group(1)
    page = client.get("/night-drive?lang=fr").get_data(as_text=True)
    assert '<link rel="canonical" href="http://localhost/night-drive?lang=fr">' in page
    assert (
        '<link rel="alternate" hreflang="pt-BR" href="http://localhost/night-drive?lang=pt_BR">'
        in page
    )
    assert '<link rel="alternate" hreflang="x-default" href="http://localhost/night-drive">' in page
    # A page whose language was negotiated is the x-default address itself, not a copy of
    # another language's page (Lighthouse's canonical audit fails that).
    negotiated = client.get("/night-drive", headers={"Accept-Language": "es"}).get_data(True)
    assert '<link rel="canonical" href="http://localhost/night-drive">' in negotiated


def test_the_signup_keeps_the_language_and_its_answers_speak_it(app, client, campaign):
    answer = sign_up(client, "night-drive", "fan@example.com", platform="deezer", lang="fr")
    html = answer.get_data(as_text=True)
    assert "Vous êtes sur la liste" in html
    assert "Le jour de la sortie, nous enverrons à fan@example.com un lien" in html
    (signup,) = signups(app)
    assert signup.language == "fr"
    # The unsubscribe page, reached from an email, speaks the language the fan signed up in.
    unsubscribe = client.get(f"/u/{signup.unsubscribe_token}").get_data(as_text=True)
    assert "Se désinscrire ?" in unsubscribe and '<html lang="fr">' in unsubscribe


def test_a_bad_email_is_one_sentence_of_ours_in_the_fan_s_language(client, campaign):
    english = sign_up(client, "night-drive", "fan@@example", platform="deezer")
    assert english.status_code == 422
    message = re.search(r'<p class="error" id="email-error">([^<]+)</p>', english.get_data(True))
    assert (
        message.group(1)
        == "That doesn&#39;t look like an email address: please check it for typos."
    )
    german = sign_up(client, "night-drive", "fan@@example", platform="deezer", lang="de")
    assert "Das sieht nicht nach einer E-Mail-Adresse aus" in german.get_data(True)


def test_the_future_releases_box_speaks_the_fan_s_language(client, campaign):
    html = client.get("/night-drive/email/deezer?lang=es").get_data(as_text=True)
    assert "Avísame también de los próximos lanzamientos de Harbor Lights" in html
    assert "Tu correo sobre “Night Drive” no depende de esto." in html


def test_fan_error_pages_speak_the_fan_s_language(client, campaign):
    missing = client.get("/no-such-release", headers={"Accept-Language": "es"})
    assert missing.status_code == 404
    assert "No hay ningún lanzamiento en esta dirección" in missing.get_data(True)


def test_add_to_calendar_downloads_the_release_moment(client, campaign):
    page = client.get("/night-drive?lang=es").get_data(as_text=True)
    assert 'href="/night-drive/release.ics?lang=es" download>Añadir al calendario</a>' in page
    response = client.get("/night-drive/release.ics?lang=es")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    (event,) = Calendar.from_ical(response.get_data()).walk("VEVENT")
    # Midnight in Mexico City on March 5th is 06:00 UTC.
    assert event.decoded("dtstart").isoformat() == "2027-03-05T06:00:00+00:00"
    assert event.decoded("duration") == timedelta(hours=1)
    assert str(event["summary"]) == "“Night Drive” de Harbor Lights ya salió"
    assert str(event["url"]) == "http://localhost/night-drive?lang=es"
    assert str(event["uid"]) == f"release-{campaign.id}@localhost"
    assert client.get("/nothing-here/release.ics").status_code == 404


@pytest.mark.parametrize("code", [code for code in LANGUAGES if code != "en"])
def test_every_message_is_translated_in_every_language(code):
    template = {m.id for m in _read(read_po, TRANSLATIONS / "messages.pot") if m.id}
    catalog = _read(read_po, _po(code))
    messages = {m.id: m for m in catalog if m.id}
    assert set(messages) == template, "run `make translations`"
    for message in messages.values():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, message.id
    assert not list(catalog.check()), "placeholders must match the English"
    # The compiled catalogue the app reads says the same.
    compiled = _read(read_mo, _po(code).with_suffix(".mo"))
    assert _pairs(compiled) == _pairs(catalog), "run `make translations` to compile"


def _pairs(catalog) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def _read(reader, path: Path):
    with path.open("rb") as file:
        return reader(file)


def _po(code: str) -> Path:
    return TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
