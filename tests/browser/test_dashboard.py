"""The dashboard in a real browser, on a phone: sign up, create a campaign, fix a field inline,
pause it with htmx, and never a request to another site."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.factories import png_bytes
from tests.look_artworks import ARTWORKS

SOON = (date.today() + timedelta(days=60)).isoformat()


def sign_up(page, email="mira@example.com"):
    page.goto("/signup")
    page.get_by_label("Name").fill("Mira")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a-very-long-password")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Smart Links", exact=True)).to_be_visible()


def test_an_artist_creates_a_campaign_on_a_phone(phone, site, tmp_path):
    sign_up(phone)
    phone.get_by_role("link", name="Create your first Smart Link").click()

    phone.get_by_label("Release title").fill("Glass Rivers")
    phone.get_by_label("Artist name").fill("Mira")
    cover = tmp_path / "cover.png"
    cover.write_bytes(png_bytes((800, 800)))
    phone.get_by_label("Artwork").set_input_files(str(cover))
    phone.get_by_label("Release date").fill(SOON)
    phone.get_by_label("Time zone").select_option("Europe/Lisbon")

    # A wrong source is flagged inline as soon as the field is left, before any submit.
    source = phone.get_by_label("Release source")
    source.fill("my album")
    source.blur()
    expect(phone.locator("#release_source-error")).to_contain_text("Enter a Spotify album")
    phone.get_by_label("Release source").fill("spotify:album:4aawyAB9vmqN3uQ7FjRGTy")
    phone.get_by_label("Release source").blur()
    expect(phone.locator("#release_source-error")).to_be_hidden()

    phone.get_by_role("button", name="Create campaign").click()
    expect(phone.get_by_text("“Glass Rivers” is saved.")).to_be_visible()
    card = phone.locator(".campaign", has_text="Glass Rivers")
    expect(card.get_by_text("Spotify album 4aawyAB9vmqN3uQ7FjRGTy")).to_be_visible()
    expect(card.locator("img.thumb")).to_be_visible()

    # The toggle swaps only itself: the page is not reloaded.
    phone.evaluate("window.notReloaded = true")
    card.get_by_role("button", name=re.compile("Pause")).click()
    expect(card.get_by_text("Paused")).to_be_visible()
    assert phone.evaluate("window.notReloaded") is True

    foreign = [url for url in phone.requests if not url.startswith(site.url)]
    assert foreign == []


def test_a_new_campaign_starts_in_the_artists_own_time_zone(browser, site):
    context = browser.new_context(base_url=site.url, timezone_id="America/Chicago")
    page = context.new_page()
    sign_up(page, "tz@example.com")
    page.goto("/dashboard/campaigns/new")
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    context.close()


def test_a_field_error_on_submit_keeps_what_was_typed(phone, site):
    sign_up(phone, "kai@example.com")
    phone.goto("/dashboard/campaigns/new")
    phone.get_by_label("Release title").fill("Keep This Title")
    phone.get_by_role("button", name="Create campaign").click()
    expect(phone.locator("#artist_name-error")).to_contain_text("Enter the artist name.")
    expect(phone.get_by_label("Release title")).to_have_value("Keep This Title")


def test_deleting_a_campaign_asks_for_confirmation(phone, site):
    sign_up(phone, "lee@example.com")
    phone.goto("/dashboard/campaigns/new")
    phone.get_by_label("Release title").fill("Short Lived")
    phone.get_by_label("Artist name").fill("Lee")
    phone.get_by_label("Artwork").set_input_files(
        files=[{"name": "a.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    phone.get_by_label("Release date").fill(SOON)
    phone.get_by_label("Release source").fill("602445790609")
    phone.get_by_role("button", name="Create campaign").click()
    phone.get_by_role("link", name="Delete").click()
    expect(phone.get_by_role("heading", name="Delete “Short Lived”?")).to_be_visible()
    phone.get_by_role("button", name="Delete campaign").click()
    expect(phone.get_by_text("“Short Lived” was deleted.")).to_be_visible()
    expect(phone.get_by_role("heading", name="No Smart Links yet")).to_be_visible()


def test_an_artwork_over_the_limit_is_refused_in_the_page_and_nothing_typed_is_lost(phone, site):
    sign_up(phone, "big@example.com")
    phone.goto("/dashboard/campaigns/new")
    phone.get_by_label("Release title").fill("Heavy Cover")
    phone.get_by_label("Artist name").fill("Big")
    sent = []
    phone.on("request", lambda r: sent.append(len(r.post_data_buffer or b"")))

    huge = png_bytes() + b"\0" * (5 * 1024 * 1024)
    phone.get_by_label("Artwork").set_input_files(
        files=[{"name": "huge.png", "mimeType": "image/png", "buffer": huge}]
    )

    error = phone.locator("#artwork-error")
    expect(error).to_contain_text("5 MB or smaller")
    expect(error).to_contain_text("huge.png")
    expect(phone.get_by_label("Artwork")).to_have_attribute("aria-invalid", "true")
    assert phone.get_by_label("Artwork").evaluate("input => input.files.length") == 0
    expect(phone.get_by_label("Release title")).to_have_value("Heavy Cover")
    # Nothing was uploaded (the preview may redraw, without the file).
    assert all(size < 1024 * 1024 for size in sent), sent

    # A file within the limit clears the message.
    phone.get_by_label("Artwork").set_input_files(
        files=[{"name": "ok.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    expect(error).to_be_hidden()


def test_the_time_zone_field_on_a_phone_is_grouped_preselected_and_beside_the_date(browser, site):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        base_url=site.url,
        timezone_id="America/Sao_Paulo",
    )
    page = context.new_page()
    sign_up(page, "tzphone@example.com")
    page.goto("/dashboard/campaigns/new")
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("America/Sao_Paulo")
    group = zone.evaluate("select => select.selectedOptions[0].parentElement.label")
    assert group == "America"
    assert zone.evaluate("select => select.selectedOptions[0].textContent") == "Sao Paulo"
    date_box = page.get_by_label("Release date").bounding_box()
    zone_box = zone.bounding_box()
    assert abs(date_box["y"] - zone_box["y"]) < 2  # one row
    assert zone_box["x"] >= date_box["x"] + date_box["width"]
    assert zone_box["x"] + zone_box["width"] <= 390
    context.close()


def test_the_fan_page_preview_follows_the_artwork_and_theme_before_saving(phone, site, tmp_path):
    sign_up(phone)
    phone.goto("/dashboard/campaigns/new")
    preview = phone.locator("#fan-preview")
    phone.on("console", lambda m: m.type == "error" and phone.requests.append("console:" + m.text))
    phone.get_by_label("Release title").fill("Glass Rivers")
    phone.get_by_label("Release title").blur()
    expect(preview).to_contain_text("Glass Rivers")
    cover = tmp_path / "cover.png"
    cover.write_bytes(ARTWORKS["saturated"])
    phone.get_by_label("Artwork").set_input_files(str(cover))
    expect(preview.locator('link[href^="/media/look/preview/artwork-"]')).to_have_count(1)
    expect(preview.locator('img[src^="data:image/jpeg"]')).to_be_visible()
    phone.get_by_label("Page colours").select_option("Dark")
    expect(preview.locator('link[href^="/media/look/preview/dark-"]')).to_have_count(1)
    background = preview.locator(".fan-preview").evaluate(
        "el => getComputedStyle(el).getPropertyValue('--bg').trim()"
    )
    assert background.startswith("#") and background != "#ffffff"
    assert [url for url in phone.requests if not url.startswith(site.url)] == []
