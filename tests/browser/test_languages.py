"""A Spanish and a Japanese fan in Chromium, from signing up to the release-day email in
their own language: the Spanish browser is answered in Spanish (a phone, with JavaScript,
whose script shows the release in the fan's own time zone); the Japanese fan switches the
page with the language menu with JavaScript off (a laptop). Then release day runs: the
simulator has the release, a real RQ worker converts and sends, the SMTP server receives."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import clock
from app.extensions import db
from app.jobs import enqueue, make_worker
from app.models import Campaign, Signup
from app.release_day.schedule import tick
from tests.browser.test_fan_page import check_accessibility, only_our_origin
from tests.factories import Factories, serve_at
from tests.platforms.conftest import simulator  # noqa: F401  (fixture)

SPOTIFY_SOURCE = "spotify:album:4aawyAB9vmqN3uQ7FjRGTy"  # the simulator's "demo" album
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def world(site, simulator):  # noqa: F811
    serve_at(site.app, site.url)
    simulator.sim.natural_limits = False
    simulator.sim.set_clock(simulator.sim.now())
    clock.install(site.app, simulator.sim.now)
    owner = Factories(site.app).artist(email="owner@example.com", name="Harbor Lights")
    campaign = Factories(site.app).campaign(
        owner,
        slug="night-drive",
        title="Night Drive",
        artist_name="Harbor Lights",
        platforms=["spotify", "deezer"],
        source_kind="spotify",
        source_value=SPOTIFY_SOURCE,
        time_zone="America/Mexico_City",
    )
    with site.app.app_context():
        db.session.get(Campaign, campaign.id).release_at = simulator.sim.now() + timedelta(days=1)
        db.session.commit()
    site.sim = simulator.sim
    return site


def _signups(site):
    with site.app.app_context():
        rows = db.session.scalars(db.select(Signup).order_by(Signup.id)).all()
        return [(row.email, row.language) for row in rows]


def test_a_spanish_and_a_japanese_fan_sign_up_and_get_release_day_in_their_language(
    world, browser, mailbox_messages
):
    spanish = browser.new_context(
        base_url=world.url, locale="es-ES", timezone_id="America/Sao_Paulo", **PHONE
    )
    page = spanish.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto("/night-drive")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Pre-guárdalo")).to_be_visible()
    # The script tells the moment in the fan's own zone (São Paulo: GMT-3), in Spanish.
    moment = page.locator("time[data-local-time]")
    expect(moment).to_contain_text("GMT-3")
    expect(moment).not_to_contain_text("Ciudad de México")
    check_accessibility(page, "the page in Spanish (phone)")
    page.get_by_role("link", name="Recibir un correo el día del lanzamiento para Deezer").click()
    page.get_by_label("Tu correo electrónico").fill("lucia@example.com")
    page.get_by_role("button", name="Escríbeme el día del lanzamiento").click()
    expect(page.get_by_role("heading", name="Estás en la lista")).to_be_visible()
    expect(
        page.get_by_text("El día del lanzamiento enviaremos a lucia@example.com")
    ).to_be_visible()
    only_our_origin(page, world)
    spanish.close()

    japanese = browser.new_context(
        base_url=world.url, locale="en-US", java_script_enabled=False, **LAPTOP
    )
    page = japanese.new_page()
    page.goto("/night-drive")
    expect(page.get_by_role("heading", name="Pre-save it")).to_be_visible()
    page.get_by_role("navigation", name="Language").get_by_role("link", name="日本語").click()
    expect(page).to_have_url(f"{world.url}/night-drive?lang=ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    # Without the script, the campaign's own zone, said in Japanese.
    expect(page.locator("time[data-local-time]")).to_contain_text("(メキシコシティー)")
    page.get_by_role("link", name="リリース日にDeezer用のメールを受け取る").click()
    page.get_by_label("メールアドレス").fill("haruto@example.com")
    page.get_by_role("button", name="リリース日にメールで知らせる").click()
    expect(page.get_by_role("heading", name="登録が完了しました")).to_be_visible()
    japanese.close()

    assert _signups(world) == [("lucia@example.com", "es"), ("haruto@example.com", "ja")]

    world.sim.advance(days=1, minutes=1)
    with world.app.app_context():
        enqueue(tick, queue_name="release")
    make_worker(world.app).work(burst=True)

    messages = {m["To"]: m for m in mailbox_messages()}
    assert sorted(messages) == ["haruto@example.com", "lucia@example.com"]
    lucia = messages["lucia@example.com"]
    assert lucia["Subject"].strip() == "Ya disponible: Night Drive de Harbor Lights"
    text = lucia.get_body(("plain",)).get_content()
    assert "Escúchalo en Deezer: " in text
    assert "te inscribiste en la página de pre-guardado de Harbor Lights." in text
    haruto = messages["haruto@example.com"]
    assert haruto["Subject"].strip() == "配信開始：Harbor Lights「Night Drive」"  # noqa: RUF001
    assert "Deezerで聴く: " in haruto.get_body(("plain",)).get_content()
