"""No page scrolls sideways, at phone and desktop width, whatever the artist typed."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, Factories
from tests.signup_rows import add_signup

LONG_WORD = "Supercalifragilisticexpialidocious" * 2
TITLE_200 = ("Pneumonoultramicroscopicsilicovolcanoconiosis" * 5)[:200]
WIDTHS = [390, 1280]


@pytest.fixture
def long_account(site):
    make = Factories(site.app)
    artist = make.artist(email=("x" * 60) + "@" + ("long" * 12) + ".example.com", name=LONG_WORD)
    campaigns = [
        make.campaign(artist, title=LONG_WORD, artist_name=LONG_WORD, slug="a" * 60),
        make.campaign(artist, title=TITLE_200, artist_name=TITLE_200),
        make.campaign(artist, title="Short", active=False),
    ]
    add_signup(site.app, campaigns[1], ("fan" * 30) + "@" + ("records" * 8) + ".example.com")
    return artist, campaigns


def dashboard_pages(campaigns):
    first = campaigns[0].id
    long_one = campaigns[1].id
    return [
        "/dashboard/",
        "/dashboard/campaigns/new",
        f"/dashboard/campaigns/{first}/edit",
        f"/dashboard/campaigns/{long_one}/edit",
        f"/dashboard/campaigns/{long_one}/delete",
        f"/dashboard/campaigns/{long_one}",
        f"/dashboard/campaigns/{long_one}/subscribers",
        "/account/",
        "/simulator/",
        "/dev/mailbox/",
    ]


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_no_dashboard_page_scrolls_sideways_with_long_titles(browser, site, long_account, width):
    artist, campaigns = long_account
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=site.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    for path in ["/login", "/signup", "/forgot-password"]:
        page.goto(path)
        assert overflow(page) <= 0, path
    page.goto("/login")
    page.get_by_label("Email").fill(artist.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Smart Links", exact=True)).to_be_visible()

    for path in dashboard_pages(campaigns):
        page.goto(path)
        assert overflow(page) <= 0, f"{path} scrolls sideways at {width}px"

    # The fans' page of each campaign, with the same titles.
    for campaign in campaigns[:2]:
        page.goto(f"/{campaign.slug}")
        assert overflow(page) <= 0, f"the fan page /{campaign.slug} scrolls sideways at {width}px"

    # Every campaign's buttons stay on screen, however long its title.
    page.goto("/dashboard/")
    for button in page.locator(".campaign-actions a, .campaign-actions button").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, button.inner_text()

    # A failed save repeats the long title in a message; that must wrap too.
    page.goto(f"/dashboard/campaigns/{campaigns[1].id}/edit")
    page.get_by_label("Release source").fill("not a source")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#release_source-error")).to_be_visible()
    assert overflow(page) <= 0
    context.close()


SCROLLERS = """[...document.querySelectorAll('*')].filter(e => {
  const x = getComputedStyle(e).overflowX;
  return (x === 'auto' || x === 'scroll') && e.scrollWidth > e.clientWidth + 1;
}).map(e => ({label: e.getAttribute('aria-label') || e.tagName, tab: e.tabIndex}))"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_simulator_tables_scroll_only_in_regions_a_keyboard_can_reach(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=site.url)
    page = context.new_page()
    page.goto("/simulator/")
    assert overflow(page) <= 0
    scrollers = page.evaluate(SCROLLERS)
    # axe's scrollable-region-focusable: whatever scrolls can take the keyboard's focus.
    assert all(s["tab"] >= 0 for s in scrollers), scrollers
    if width == 1280:
        assert scrollers == []  # the catalog fits whole on a desktop
    else:
        region = page.get_by_role("region", name="Catalog (scrolls sideways)")
        region.focus()
        page.keyboard.press("ArrowRight")
        # Polled from here: wait_for_function would evaluate its string inside the page,
        # which the page's CSP (no 'unsafe-eval') rightly refuses whenever it has to poll.
        scrolled = "document.querySelector('[aria-label^=\"Catalog\"]').scrollLeft"
        for _ in range(100):
            if page.evaluate(scrolled) > 0:
                break
            page.wait_for_timeout(50)
        assert page.evaluate(scrolled) > 0
    context.close()
