"""Insights in Chromium: a visit with JavaScript and one without are each counted once, a
link preview's fetch not at all; a signup keeps the page's channel; the Insights tab passes
axe-core at phone size. Headless Chromium names itself HeadlessChrome, which the crawler
list rightly counts as automation: these pages present a phone's user agent."""

import time

import pytest
import requests
from playwright.sync_api import expect

from app.extensions import db
from app.models import Channel
from tests.browser.test_fan_page import AXE, PHONE
from tests.factories import PASSWORD, Factories
from tests.insight_counts import PHONE as PHONE_AGENT
from tests.insight_counts import count


@pytest.fixture
def world(site):
    make = Factories(site.app)
    site.artist = make.artist(email="owner@example.com", name="The Owls")
    site.campaign = make.campaign(site.artist, slug="night-drive", title="Night Drive")
    with site.app.app_context():
        db.session.add(Channel(campaign_id=site.campaign.id, name="Poster", code="poster1"))
        db.session.commit()
    return site


def counted(site, metric, *dimension, wanted):
    """The count once it reaches `wanted` (a beacon arrives a moment after the page)."""
    deadline = time.monotonic() + 5
    while (value := count(site.app, site.campaign.id, metric, *dimension)) < wanted:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return value


def test_visits_with_and_without_javascript_count_once_and_previews_not_at_all(world, browser):
    with_js = browser.new_context(**PHONE, base_url=world.url, user_agent=PHONE_AGENT)
    page = with_js.new_page()
    page.goto("/night-drive?c=poster1")
    assert counted(world, "visit", wanted=1) == 1
    assert count(world.app, world.campaign.id, "visit", "channel", "poster1") == 1
    page.get_by_role("link", name="Get an email on release day for Spotify").click()
    page.get_by_label("Your email address").fill("fan@example.com")
    page.get_by_role("button", name="Email me on release day").click()
    expect(page.get_by_text("You're on the list")).to_be_visible()
    assert counted(world, "signup", "channel", "poster1", wanted=1) == 1
    with_js.close()

    without_js = browser.new_context(
        **PHONE, base_url=world.url, java_script_enabled=False, user_agent=PHONE_AGENT
    )
    page = without_js.new_page()
    page.goto("/night-drive")
    assert counted(world, "visit", wanted=2) == 2
    without_js.close()

    preview = requests.get(
        f"{world.url}/night-drive", headers={"User-Agent": "WhatsApp/2.23.20.0"}, timeout=10
    )
    assert preview.status_code == 200
    requests.get(
        f"{world.url}/night-drive/v.gif", headers={"User-Agent": "WhatsApp/2.23.20.0"}, timeout=10
    )
    time.sleep(0.5)
    assert count(world.app, world.campaign.id, "visit") == 2
    assert count(world.app, world.campaign.id, "visitor") == 1  # the same browser, one day


def test_the_insights_tab_passes_axe_at_phone_size(world, browser):
    context = browser.new_context(**PHONE, base_url=world.url, user_agent=PHONE_AGENT)
    page = context.new_page()
    page.goto("/night-drive?c=poster1")
    counted(world, "visit", wanted=1)
    page.goto("/login")
    page.get_by_label("Email").fill(world.artist.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/dashboard/campaigns/{world.campaign.id}/insights?range=7")
    expect(page.get_by_role("heading", name="Sources and channels")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.add_script_tag(url=AXE)
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
        "'best-practice']})"
    )
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
    context.close()
