"""The fan page and the Smart Link in Chromium at a phone's and a laptop's size, over the
four test artworks (white, black, mid-grey, saturated): each platform's logo beside its
name, the name as the accessible label, and axe-core finding nothing at all (every rule,
contrast included, any impact) in every theme."""

import re

import pytest
from playwright.sync_api import expect

from app.fan import wording
from app.platforms import registry
from tests.factories import Factories, serve_at
from tests.look_artworks import ARTWORKS
from tests.release_day_rows import Rows

AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"
SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
LIVE_ON = ("apple_music", "spotify", "amazon_music", "deezer", "youtube")


@pytest.fixture
def looks(site):
    """A pre-save campaign and a live one per artwork and theme."""
    serve_at(site.app, site.url)
    make, rows = Factories(site.app), Rows(site.app)
    owner = make.artist(email="owner@example.com", name="Owner")
    for name, data in ARTWORKS.items():
        for theme in ("artwork", "light", "dark"):
            make.campaign(owner=owner, slug=f"pre-{name}-{theme}", artwork_bytes=data, theme=theme)
            live = make.campaign(
                owner=owner, slug=f"live-{name}-{theme}", artwork_bytes=data, theme=theme
            )
            rows.live(live, *LIVE_ON)
    return site


def no_violations(page, where: str) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    assert found == [], f"{where}: {found}"


def open_page(browser, site, size):
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=site.url, is_mobile=size == "phone"
    )
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return context, page


@pytest.mark.parametrize("size", SIZES)
def test_every_artwork_and_theme_reads_well_with_logos_beside_the_names(looks, browser, size):
    context, page = open_page(browser, looks, size)
    themes = ("artwork", "light", "dark") if size == "phone" else ("artwork",)
    for name in ARTWORKS:
        for theme in themes:
            page.goto(f"/pre-{name}-{theme}")
            where = f"pre-save page, {name} artwork, {theme}, {size}"
            buttons = page.locator("ul.platforms > li > a.button:visible")
            expected = list(registry.PLATFORMS)
            assert buttons.count() == len(expected), where
            for index, platform in enumerate(expected):
                button = buttons.nth(index)
                label = wording.button_label(platform)
                # The logo is hidden from screen readers: the name says it all.
                expect(button).to_have_accessible_name(re.compile("^" + re.escape(label)))
                mark = button.locator(".mark")
                expect(mark).to_have_attribute("aria-hidden", "true")
                has_logo = button.locator(f'use[href$="#{platform.key}"]').count() == 1
                assert has_logo == (platform.key not in {"amazon_music", "other"}), where
            no_violations(page, where)

            page.goto(f"/live-{name}-{theme}")
            where = f"Smart Link, {name} artwork, {theme}, {size}"
            for key in LIVE_ON:
                platform = registry.BY_KEY[key]
                link = page.get_by_role("link", name=platform.name, exact=True)
                expect(link).to_be_visible()
                assert link.locator(f'use[href$="#{key}"]').count() == (key != "amazon_music")
            no_violations(page, where)
    assert page.errors == []
    context.close()
