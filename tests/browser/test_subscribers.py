"""The Subscribers tab in a real browser, on a phone and on a desktop: the table fits, the
search filters in place with htmx (and as a plain form without JavaScript), and deleting a
subscriber asks first, then removes their row and updates the counts."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import Factories
from tests.signup_rows import T0, add_signup, add_signups

SCREENSHOTS = "/tmp/dropday-screenshots"

# The page's scripts and styles all come from files (the CSP allows nothing inline): any
# violation the browser reports is collected here and must stay empty.
RECORD_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture
def campaign(site):
    make = Factories(site.app)
    artist = make.artist(email="mira@example.com", name="Mira")
    campaign = make.campaign(
        artist, title="Glass Rivers", artist_name="Mira", time_zone="Europe/Lisbon"
    )
    add_signups(site.app, campaign, 60, start=T0 - timedelta(days=1))
    add_signup(site.app, campaign, "pushy@example.com", "deezer", push=True)
    add_signup(
        site.app,
        campaign,
        None,
        "apple_music",
        created_at=T0 + timedelta(minutes=1),
        connected=True,
    )
    add_signup(
        site.app,
        campaign,
        "a.really.long.address.that.goes.on.and.on.and.on@subdomain.example-records.com",
        "tidal",
        created_at=T0 + timedelta(minutes=2),
        connected=True,
        unsubscribed=True,
    )
    return campaign


def log_in(page):
    page.goto("/login")
    page.get_by_label("Email").fill("mira@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Smart Links", exact=True)).to_be_visible()


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_subscribers_tab_fits_the_screen(browser, site, campaign, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=site.url)
    page = context.new_page()
    log_in(page)
    page.get_by_role("link", name="Glass Rivers").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/campaigns/{campaign.id}/subscribers$"))
    expect(page.get_by_role("link", name="Subscribers", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_text("63 subscribers · 1 unsubscribed")).to_be_visible()
    row = page.locator("tr", has_text="pushy@example.com")
    expect(row).to_contain_text("Deezer")
    expect(row).to_contain_text("Allowed")
    expect(page.locator("tr", has_text="subdomain")).to_contain_text("Yes")
    expect(row).to_contain_text("1 Mar 2026, 12:00")  # Lisbon is on UTC in March
    expect(page.locator("tr", has_text="Apple Music")).to_contain_text("no email given")
    expect(page.get_by_role("link", name="Older →")).to_be_visible()
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
    assert no_sideways_scroll(page)
    page.screenshot(path=f"{SCREENSHOTS}/subscribers-{width}.png", full_page=True)
    context.close()


def test_search_filters_the_table_in_place_with_htmx(phone, site, campaign):
    phone.context.add_init_script(RECORD_CSP)
    log_in(phone)
    phone.goto(f"/dashboard/campaigns/{campaign.id}/subscribers")
    phone.evaluate("window.notReloaded = true")
    phone.get_by_label("Search by email").press_sequentially("fan5")
    expect(phone.locator("td.email")).to_have_count(11)  # fan5, fan50 .. fan59
    expect(phone).to_have_url(re.compile(r"q=fan5"))
    assert phone.evaluate("window.notReloaded") is True
    # The counts are the campaign's, not the search's.
    expect(phone.get_by_text("63 subscribers")).to_be_visible()
    phone.get_by_label("Search by email").fill("nobody-like-this")
    expect(phone.get_by_text("No subscriber's email contains “nobody-like-this”.")).to_be_visible()
    assert phone.evaluate("window.cspViolations") == []


def test_paging_with_htmx_goes_older_and_back(phone, site, campaign):
    log_in(phone)
    phone.goto(f"/dashboard/campaigns/{campaign.id}/subscribers")
    phone.evaluate("window.notReloaded = true")
    first = phone.locator("td.email").all_inner_texts()
    phone.get_by_role("link", name="Older →").click()
    expect(phone.locator("td.email")).to_have_count(13)
    expect(phone.locator("td.email").first).to_have_text("fan13@example.com")
    phone.get_by_role("link", name="← Newer").click()
    expect(phone.locator("td.email").first).to_have_text(first[0])
    assert phone.locator("td.email").all_inner_texts() == first
    assert phone.evaluate("window.notReloaded") is True


def test_search_works_without_javascript(browser, site, campaign):
    context = browser.new_context(java_script_enabled=False, base_url=site.url)
    page = context.new_page()
    log_in(page)
    page.goto(f"/dashboard/campaigns/{campaign.id}/subscribers")
    page.get_by_label("Search by email").fill("pushy")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?q=pushy$"))
    expect(page.locator("td.email")).to_have_text(["pushy@example.com"])
    context.close()


def test_deleting_a_subscriber_asks_then_removes_the_row_in_place(phone, site, campaign):
    phone.context.add_init_script(RECORD_CSP)
    log_in(phone)
    phone.goto(f"/dashboard/campaigns/{campaign.id}/subscribers")
    phone.evaluate("window.notReloaded = true")
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    phone.on("dialog", answer)
    row = phone.locator("tr", has_text="pushy@example.com")
    row.get_by_role("link", name="Delete pushy@example.com").click()
    expect(row).to_be_visible()  # the first answer was "Cancel"
    row.get_by_role("link", name="Delete pushy@example.com").click()
    expect(row).to_have_count(0)
    expect(phone.get_by_text("62 subscribers · 1 unsubscribed")).to_be_visible()
    assert questions[0].startswith("Delete pushy@example.com?")
    assert phone.evaluate("window.notReloaded") is True
    assert phone.evaluate("window.cspViolations") == []
    phone.reload()
    expect(phone.locator("tr", has_text="pushy@example.com")).to_have_count(0)


def test_deleting_without_javascript_goes_through_a_confirmation_page(browser, site, campaign):
    context = browser.new_context(java_script_enabled=False, base_url=site.url)
    page = context.new_page()
    log_in(page)
    page.goto(f"/dashboard/campaigns/{campaign.id}/subscribers")
    page.get_by_role("link", name="Delete pushy@example.com").click()
    expect(page.get_by_role("heading", name="Delete pushy@example.com?")).to_be_visible()
    page.get_by_role("button", name="Delete subscriber").click()
    expect(page.get_by_text("pushy@example.com was removed from “Glass Rivers”.")).to_be_visible()
    expect(page.locator("tr", has_text="pushy@example.com")).to_have_count(0)
    context.close()


def test_the_export_downloads_a_csv_named_for_the_page(phone, site, campaign):
    log_in(phone)
    phone.goto(f"/dashboard/campaigns/{campaign.id}/subscribers")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename == f"{campaign.slug}-subscribers.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "email,platform,mode,signed_up_at,campaign,unsubscribed"
    assert len(lines) == 64
