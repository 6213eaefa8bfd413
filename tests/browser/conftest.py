"""Real headless Chromium (Debian's package), driven by Playwright; never a downloaded browser."""

import os

import pytest
from playwright.sync_api import expect

# expect() waits 5 s by default whatever the page's timeout; on two cores shared with the rest
# of the suite a preview rendered from an upload can take longer, so it waits as pages do.
expect.set_options(timeout=10_000)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's "
            "chromium) or set CHROMIUM_PATH."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def site(test_config, live_server):
    """The live app with CSRF on, as artists meet it."""
    return live_server


@pytest.fixture(autouse=True)
def _real_csrf(test_config):
    test_config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def phone(browser, site):
    """A phone-sized page that records every request it makes."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, base_url=site.url
    )
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.set_default_timeout(10_000)
    yield page
    context.close()
