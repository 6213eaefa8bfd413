"""A push opt-in that fails says so in our words, never the browser's error text: blocked
notifications, and a push service that refuses the subscription (Chromium, phone size)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_fan_page import PHONE, fan_site  # noqa: F401  (fixture)

# The browser's own failure, as Chromium words it when its push service refuses.
REFUSING_PUSH_SERVICE = """
PushManager.prototype.subscribe = function () {
  return Promise.reject(new DOMException("Registration failed - push service error", "AbortError"));
};
"""


@pytest.mark.parametrize("allowed", [False, True], ids=["blocked", "push-service-refuses"])
def test_a_failed_push_opt_in_tells_the_fan_what_happened_in_our_words(
    fan_site,  # noqa: F811
    browser,
    allowed,
):
    context = browser.new_context(**PHONE, base_url=fan_site.url)
    if allowed:
        context.grant_permissions(["notifications"], origin=fan_site.url)
    context.add_init_script(REFUSING_PUSH_SERVICE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/night-drive/email/deezer")
        page.get_by_label("Your email address").fill("push@example.com")
        page.get_by_role("button", name="Email me on release day").click()
        page.get_by_role("button", name="Notify me in this browser").click()
        status = page.locator("[data-push-status]")
        if allowed:
            expect(status).to_have_text(
                "We couldn't turn on notifications in this browser. Your signup counts either "
                "way; please try again later."
            )
        else:
            expect(status).to_have_text(
                "Notifications are blocked for this site. You can allow them in your browser "
                "settings; your signup counts either way."
            )
        expect(status).not_to_contain_text("push service error")
        expect(page.get_by_role("button", name="Notify me in this browser")).to_be_enabled()
    finally:
        context.close()
