"""Release day in Chromium, on a phone (390x844) and a laptop (1280 px): the Smart Link with
the fan's own platform first and an axe-core pass, and the dashboard's Release day tab
polling while release day runs, then stopping by itself."""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app import clock
from app.extensions import db
from app.models import Delivery
from tests.browser.test_fan_page import check_accessibility, only_our_origin
from tests.factories import PASSWORD, Factories
from tests.release_day_rows import URLS, Rows

SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1280, "height": 900}},
}


def screenshot(page, name):
    """DROPDAY_SCREENSHOTS=<folder> keeps a full-page picture of each state for a look."""
    folder = os.environ.get("DROPDAY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder, f"{name}.png")), full_page=True)


@pytest.fixture
def world(site):
    make = Factories(site.app)
    site.artist = make.artist(email="owner@example.com", name="The Owls")
    site.campaign = make.campaign(
        site.artist,
        slug="night-drive",
        title="Night Drive",
        artist_name="The Owls",
        release_date=date.today() - timedelta(days=1),
    )
    site.rows = Rows(site.app)
    return site


@pytest.fixture(params=sorted(SIZES))
def device(request, browser, world):
    context = browser.new_context(base_url=world.url, **SIZES[request.param])
    page = context.new_page()
    page.size = request.param
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_smart_link_puts_the_fan_s_platform_first(world, device):
    world.rows.live(world.campaign, "apple_music", "spotify", "deezer")
    device.context.add_cookies(
        [{"name": "dropday_platform", "value": "deezer", "url": f"{world.url}/night-drive"}]
    )
    device.goto("/night-drive")
    expect(device.get_by_text("Out now")).to_be_visible()
    expect(device.get_by_role("heading", name="Night Drive")).to_be_visible()
    buttons = device.locator("#smart-link-platforms a")
    expect(buttons).to_have_count(3)
    expect(buttons.first).to_contain_text("Deezer")
    expect(buttons.first).to_contain_text("Your platform")
    expect(buttons.nth(1)).to_contain_text("Apple Music")
    expect(buttons.nth(1).locator(".yours")).to_be_hidden()
    check_accessibility(device, f"the Smart Link ({device.size})")
    only_our_origin(device, world)
    screenshot(device, f"smart_link_{device.size}")

    # The button goes out through Dropday, which counts the click.
    device.route("https://www.deezer.com/**", lambda route: route.fulfill(body="Deezer"))
    buttons.first.click()
    device.wait_for_url(URLS["deezer"])
    assert world.rows.clicks(world.campaign) == [("deezer", "smart_link")]


def test_without_a_cookie_the_smart_link_keeps_the_registry_order(world, device):
    world.rows.live(world.campaign, "deezer", "spotify")
    device.goto("/night-drive")
    expect(device.locator("#smart-link-platforms a").first).to_contain_text("Spotify")
    expect(device.locator(".yours:visible")).to_have_count(0)


def log_in(page, site):
    page.goto("/login")
    page.get_by_label("Email").fill(site.artist.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Smart Links")).to_be_visible()


def test_the_release_day_tab_polls_while_release_day_runs_then_stops(world, device):
    rows, campaign = world.rows, world.campaign
    rows.live(campaign, "spotify", "deezer")
    rows.check(campaign, "found", {"spotify": {"status": "found", "matched_by": "upc"}})
    fan = rows.signup(campaign, "fan@example.com", "deezer")
    rows.delivery(fan, "email", "running", attempts=1, lease_until=clock.now() + timedelta(hours=1))
    rows.click(campaign, "spotify", "smart_link", n=3)

    log_in(device, world)
    # The tab's 5-second polls run when the test moves the page's clock, not on their own.
    device.clock.install()
    device.goto(f"/dashboard/campaigns/{campaign.id}/release-day")
    expect(device.get_by_role("link", name="Release day")).to_have_attribute("aria-current", "page")
    expect(device.locator("#polling-note")).to_contain_text("Updating every 5 seconds")
    expect(device.locator("#delivery-log")).to_contain_text("In progress")
    check_accessibility(device, f"the Release day tab ({device.size})")
    only_our_origin(device, world)
    screenshot(device, f"release_day_running_{device.size}")

    # The engine finishes the email: the next poll shows it, and polling stops there.
    with world.app.app_context():
        row = db.session.scalar(db.select(Delivery).filter_by(signup_id=fan.id))
        row.state, row.lease_until, row.done_at = "done", None, clock.now()
        db.session.commit()
    polls = _polls(device, campaign)
    device.clock.run_for(5_000)
    expect(device.locator("#polling-note")).to_contain_text("no longer updates")
    expect(device.locator("#delivery-log")).to_contain_text("Done")
    assert _polls(device, campaign) > polls, "the tab did not poll every 5 seconds"
    # Nothing polls any more: no element asks to, and three more periods bring no request.
    expect(device.locator("[hx-trigger*='every']")).to_have_count(0)
    polls = _polls(device, campaign)
    device.clock.run_for(15_000)
    device.evaluate("0")  # a round trip: a request the timers started has been reported
    assert _polls(device, campaign) == polls, "the tab kept polling after release day was over"
    screenshot(device, f"release_day_over_{device.size}")


def _polls(page, campaign):
    return sum(1 for url in page.requests if f"/campaigns/{campaign.id}/release-day" in url)
