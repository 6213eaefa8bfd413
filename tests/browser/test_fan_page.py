"""The fan page in Chromium at phone size: signing up by email (with and without JavaScript),
connecting Apple Music through the MusicKit stand-in, TIDAL and YouTube Music through the
simulator's consent pages, push opt-in with a push delivered over the DevTools protocol,
in-app browsers, and an axe-core pass in every state."""

import json
import time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import PushSubscription, Signup
from tests.factories import Factories, serve_at

AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"
INSTAGRAM = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 Instagram 321.0.0.0.0"
)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def fan_site(site):
    """The live app with a campaign; PUBLIC_URL is the server (the redirect URIs match)."""
    serve_at(site.app, site.url)
    site.app.config["PLATFORM_TIMEOUT"] = 10
    make = Factories(site.app)
    owner = make.artist(email="owner@example.com", name="Owner")
    site.campaign = make.campaign(
        owner=owner, slug="night-drive", title="Night Drive", artist_name="The Owls"
    )
    return site


def rows(site, model):
    with site.app.app_context():
        found = db.session.scalars(db.select(model).order_by(model.id)).all()
        for row in found:
            db.session.expunge(row)
        return found


def check_accessibility(page, state: str):
    """axe-core's WCAG 2 A/AA rules: no serious or critical violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
        "'best-practice']})"
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert bad == [], f"{state}: {bad}"


def only_our_origin(page, site):
    foreign = [url for url in page.requests if not url.startswith((site.url, "data:"))]
    assert foreign == []


def test_email_signup_swaps_in_place_with_javascript(fan_site, phone):
    phone.goto("/night-drive")
    check_accessibility(phone, "the page")
    expect(phone.locator("[data-countdown]")).to_contain_text(":")  # ticking in the page
    phone.get_by_role("link", name="Get an email on release day for Spotify").click()
    email = phone.get_by_label("Your email address")
    expect(email).to_be_focused()
    assert phone.url.endswith("/night-drive/email/spotify")
    expect(phone.locator(".heads-up")).to_contain_text("not an automatic save")
    check_accessibility(phone, "the email form")

    email.fill("not an email")
    phone.evaluate("document.querySelector('#email').removeAttribute('required')")
    phone.evaluate("document.querySelector('#email').type = 'text'")
    phone.get_by_role("button", name="Email me on release day").click()
    expect(phone.locator("#email-error")).to_be_visible()
    check_accessibility(phone, "the form with an error")

    phone.get_by_label("Your email address").fill("fan@example.com")
    phone.get_by_role("button", name="Email me on release day").click()
    expect(phone.get_by_role("heading", name="You're on the list")).to_be_visible()
    expect(phone.locator(".release-day")).to_contain_text("email fan@example.com a link")
    check_accessibility(phone, "the confirmation")
    # Nothing inline crept in at run time (the CSP allows no inline styles or scripts).
    assert (
        phone.evaluate("document.querySelectorAll('style, [style], script:not([src])').length") == 0
    )
    [signup] = rows(fan_site, Signup)
    assert (signup.email, signup.platform, signup.mode) == ("fan@example.com", "spotify", "email")
    only_our_origin(phone, fan_site)


def test_email_signup_works_without_javascript(fan_site, browser):
    context = browser.new_context(**PHONE, base_url=fan_site.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/night-drive")
        page.get_by_role("link", name="Get an email on release day for Deezer").click()
        page.get_by_label("Your email address").fill("nojs@example.com")
        page.get_by_role("button", name="Email me on release day").click()
        expect(page.get_by_role("heading", name="You're on the list")).to_be_visible()
        assert page.url.endswith("/night-drive/signup")
    finally:
        context.close()
    [signup] = rows(fan_site, Signup)
    assert (signup.email, signup.platform) == ("nojs@example.com", "deezer")


def test_apple_music_through_the_musickit_stand_in(fan_site, phone):
    phone.goto("/night-drive")
    with phone.context.expect_page() as popup_info:
        phone.get_by_role("link", name="Pre-add on Apple Music").click()
    popup = popup_info.value
    popup.get_by_role("button", name="Allow").click()
    expect(phone.get_by_role("heading", name="You're in: Apple Music is connected")).to_be_visible()
    [signup] = rows(fan_site, Signup)
    assert (signup.platform, signup.mode, signup.email) == ("apple_music", "direct", None)
    check_accessibility(phone, "connected, email optional")
    phone.get_by_label("Your email address (optional)").fill("apple@example.com")
    phone.get_by_role("button", name="Done").click()
    expect(phone.get_by_role("heading", name="You're on the list")).to_be_visible()
    assert rows(fan_site, Signup)[0].email == "apple@example.com"


def test_tidal_through_the_simulators_consent_page(fan_site, phone):
    phone.goto("/night-drive")
    phone.get_by_role("link", name="Pre-save on TIDAL").click()
    expect(
        phone.get_by_role("heading", name="Dropday wants to access your TIDAL account")
    ).to_be_visible()
    phone.get_by_role("button", name="Allow").click()
    expect(phone.get_by_role("heading", name="Almost done: TIDAL is connected")).to_be_visible()
    assert rows(fan_site, Signup) == []
    check_accessibility(phone, "connected, email required")
    phone.get_by_label("Your email address").fill("tidal@example.com")
    phone.get_by_role("button", name="Finish my pre-save").click()
    expect(phone.get_by_role("heading", name="You're on the list")).to_be_visible()
    expect(phone.locator(".release-day")).to_contain_text("to your TIDAL library")
    [signup] = rows(fan_site, Signup)
    assert (signup.platform, signup.mode, signup.email) == ("tidal", "direct", "tidal@example.com")


def test_youtube_music_refused_consent_returns_with_a_message(fan_site, phone):
    phone.goto("/night-drive")
    phone.get_by_role("link", name="Pre-save on YouTube Music").click()
    phone.get_by_role("button", name="Deny").click()
    expect(phone.get_by_role("alert")).to_contain_text("You didn't allow access")
    assert "/night-drive?notice=connect-refused" in phone.url
    check_accessibility(phone, "refused consent")
    assert rows(fan_site, Signup) == []


def test_youtube_music_allowed_then_email(fan_site, phone):
    phone.goto("/night-drive")
    phone.get_by_role("link", name="Pre-save on YouTube Music").click()
    phone.get_by_role("button", name="Allow").click()
    phone.get_by_label("Your email address").fill("yt@example.com")
    phone.get_by_role("button", name="Finish my pre-save").click()
    expect(phone.get_by_role("heading", name="You're on the list")).to_be_visible()
    assert rows(fan_site, Signup)[0].platform == "youtube_music"


# No push service is reachable here: this stands in for the browser's subscribe() only.
FAKE_PUSH_MANAGER = """
(() => {
  let current = null;
  const make = () => ({
    endpoint: location.origin + "/simulator/push/send/browser-test",
    toJSON() {
      return {endpoint: this.endpoint, expirationTime: null,
              keys: {p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u" +
                             "-Ts1XbjhazAkj7I99e8QcYP7DkM",
                     auth: "tBHItJI5svbpez7KI4CCXg"}};
    },
    unsubscribe() { current = null; return Promise.resolve(true); },
  });
  PushManager.prototype.subscribe = function (options) {
    if (!options || !options.applicationServerKey || options.applicationServerKey.length !== 65) {
      return Promise.reject(new Error("bad applicationServerKey"));
    }
    current = make();
    return Promise.resolve(current);
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
})();
"""


def test_push_opt_in_registers_the_worker_which_shows_a_delivered_push(fan_site, browser):
    context = browser.new_context(**PHONE, base_url=fan_site.url)
    context.grant_permissions(["notifications"], origin=fan_site.url)
    context.add_init_script(FAKE_PUSH_MANAGER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        cdp = context.new_cdp_session(page)
        registrations = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        cdp.send("ServiceWorker.enable")

        page.goto("/night-drive/email/spotify")
        page.get_by_label("Your email address").fill("push@example.com")
        page.get_by_role("button", name="Email me on release day").click()
        toggle = page.get_by_role("button", name="Notify me in this browser")
        toggle.click()
        expect(page.locator("[data-push-status]")).to_contain_text("you'll get a notification")
        expect(page.get_by_role("button", name="Turn off notifications")).to_be_visible()
        check_accessibility(page, "push allowed")
        [stored] = rows(fan_site, PushSubscription)
        assert stored.endpoint == fan_site.url + "/simulator/push/send/browser-test"
        assert stored.signup_id == rows(fan_site, Signup)[0].id

        deadline = time.monotonic() + 10
        while not any(r["scopeURL"] == fan_site.url + "/" for r in registrations):
            assert time.monotonic() < deadline, registrations
            page.wait_for_timeout(100)
        registration = next(r for r in registrations if r["scopeURL"] == fan_site.url + "/")
        payload = {"title": "Night Drive is out", "body": "Listen now", "url": "/night-drive"}
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": fan_site.url + "/",
                "registrationId": registration["registrationId"],
                "data": json.dumps(payload),
            },
        )
        shown = []
        deadline = time.monotonic() + 10
        while not shown:
            assert time.monotonic() < deadline, "no notification shown"
            shown = page.evaluate(
                "navigator.serviceWorker.ready.then(r => r.getNotifications())"
                ".then(list => list.map(n => ({title: n.title, body: n.body, data: n.data})))"
            )
            page.wait_for_timeout(100)
        assert shown == [
            {"title": "Night Drive is out", "body": "Listen now", "data": {"url": "/night-drive"}}
        ]

        page.get_by_role("button", name="Turn off notifications").click()
        expect(page.locator("[data-push-status]")).to_contain_text("Notifications are off")
        assert rows(fan_site, PushSubscription) == []
    finally:
        context.close()


def test_in_app_browsers_get_the_email_and_a_way_out_instead_of_connecting(fan_site, browser):
    context = browser.new_context(**PHONE, base_url=fan_site.url, user_agent=INSTAGRAM)
    page = context.new_page()
    try:
        page.goto("/night-drive")
        expect(page.get_by_text("You're in an app's built-in browser")).to_be_visible()
        link = page.get_by_role("link", name="Open in your browser")
        assert link.get_attribute("href") == "x-safari-" + fan_site.url + "/night-drive" or (
            link.get_attribute("href").startswith(fan_site.url)  # http: no Safari scheme
        )
        expect(page.get_by_role("link", name="Pre-add on Apple Music")).to_be_hidden()
        page.get_by_role("link", name="Get an email on release day for Apple Music").click()
        expect(page.get_by_label("Your email address")).to_be_focused()
        check_accessibility(page, "in-app browser")
    finally:
        context.close()


def test_the_other_fan_pages_pass_axe_in_light_and_dark(fan_site, phone):
    make = Factories(fan_site.app)
    closed = make.campaign(owner=make.artist(), slug="closed-release", active=False)
    with fan_site.app.app_context():
        signup = Signup(
            campaign_id=closed.id,
            platform="deezer",
            mode="email",
            email="fan@example.com",
            consent_version=1,
        )
        db.session.add(signup)
        db.session.commit()
        unsubscribe = f"/u/{signup.unsubscribe_token}"
    for scheme in ("light", "dark"):
        phone.emulate_media(color_scheme=scheme)
        for url, says in (
            ("/night-drive", "Pre-save it"),
            ("/closed-release", "Signups for this release are closed."),
            ("/no-such-release", "no release at this address"),
            (unsubscribe, "Unsubscribe?"),
        ):
            phone.goto(url)
            expect(phone.locator("main")).to_contain_text(says)
            check_accessibility(phone, f"{url} ({scheme})")
    phone.get_by_role("button", name="Unsubscribe").click()
    expect(phone.get_by_role("heading", name="You're unsubscribed")).to_be_visible()
    check_accessibility(phone, "unsubscribed")


def test_the_release_time_is_shown_in_the_fans_own_time_zone(fan_site, browser):
    context = browser.new_context(
        **PHONE, base_url=fan_site.url, timezone_id="Asia/Tokyo", locale="en-GB"
    )
    page = context.new_page()
    try:
        page.goto("/night-drive")
        moment = page.locator("time[data-local-time]")
        tokyo = fan_site.campaign.release_at.astimezone(ZoneInfo("Asia/Tokyo"))
        expect(moment).to_contain_text(tokyo.strftime("%H:%M"))  # midnight in Berlin
        expect(moment).to_contain_text("GMT+9")
        assert "Europe/Berlin" not in moment.inner_text()
    finally:
        context.close()


def test_the_keyboard_follows_the_page_with_a_visible_focus(fan_site, phone):
    phone.goto("/night-drive")
    order = []
    for _ in range(5):
        phone.keyboard.press("Tab")
        order.append(phone.evaluate("document.activeElement.querySelector('.label')?.textContent"))
        outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # :focus-visible draws a 3px ring
    assert order == [
        "Pre-add on Apple Music",
        "Pre-save on YouTube Music",
        "Pre-save on TIDAL",
        "Get an email on release day for Spotify",
        "Get an email on release day for Amazon Music",
    ]
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Enter")
    expect(phone.get_by_label("Your email address")).to_be_focused()
    phone.keyboard.type("keys@example.com")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="You're on the list")).to_be_visible()
