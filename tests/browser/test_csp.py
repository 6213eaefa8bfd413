"""No page reports a Content-Security-Policy violation: every script, style and image comes
from the site itself, nothing inline (the policy is in app/security_headers.py)."""

from urllib.parse import urlencode

from flask_mail import Message
from playwright.sync_api import expect

from app.auth.password_reset import password_reset_token
from app.extensions import db, mail
from app.models import Artist
from app.platforms.apple_music import AppleMusicClient
from tests.factories import PASSWORD, Factories

RECORD = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def test_no_page_reports_a_csp_violation(browser, site, mail_server):
    site.app.config["MAILBOX_FOLDER"] = str(mail_server.folder)
    mail_server.clear()
    make = Factories(site.app)
    artist = make.artist(email="csp@example.com")
    campaign = make.campaign(artist, title="Checked")
    with site.app.test_request_context():
        reset = password_reset_token(db.session.get(Artist, artist.id))
        developer_token = AppleMusicClient.from_config(site.app.config).developer_token(
            for_browser=True
        )
    with site.app.app_context():
        mail.send(
            Message(
                "Styled mail",
                recipients=[artist.email],
                body="Plain http://localhost/x",
                html='<p style="color:#5b3cc4">Styled <a href="http://localhost/x">link</a></p>',
            )
        )

    context = browser.new_context(base_url=site.url)
    context.add_init_script(RECORD)
    reports = []
    context.on(
        "console",
        lambda msg: (
            reports.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    visited = []

    def visit(path):
        page.goto(path)
        page.wait_for_load_state("load")
        check(path)

    def check(what):
        visited.append(what)
        found = page.evaluate("window.__cspViolations")
        assert found == [], (what, found)

    for path in [
        "/login",
        "/signup",
        "/forgot-password",
        f"/reset-password/{reset}",
        "/reset-password/expired-link",
        "/no-such-page",
    ]:
        visit(path)

    page.goto("/login")
    page.get_by_label("Email").fill(artist.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Smart Links", exact=True)).to_be_visible()
    check("/dashboard/ after log-in")

    # htmx swaps: the active toggle and an inline field check.
    page.get_by_role("button", name="Pause “Checked”").click()
    expect(page.get_by_text("Paused")).to_be_visible()
    check("toggle swap")
    page.get_by_role("button", name="Activate “Checked”").click()
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    for path in [
        "/dashboard/campaigns/new",
        f"/dashboard/campaigns/{campaign.id}/edit",
        f"/dashboard/campaigns/{campaign.id}/delete",
        f"/dashboard/campaigns/{campaign.id}",
        f"/dashboard/campaigns/{campaign.id}/subscribers",
        "/account/",
        "/simulator/",
    ]:
        visit(path)
    page.goto(f"/dashboard/campaigns/{campaign.id}/edit")
    page.get_by_label("Release source").fill("nonsense")
    page.get_by_label("Release source").blur()
    expect(page.locator("#release_source-error")).to_be_visible()
    check("inline validation swap")

    # The mailbox shows the HTML part in a sandboxed frame, its inline style allowed there only.
    visit("/dev/mailbox/")
    frame = page.frame_locator("iframe.mail-html")
    expect(frame.get_by_text("Styled")).to_be_visible()
    check("mailbox with an HTML mail")

    # The fans' pages (their own base template): the pre-save page with its script and
    # service worker, and the email form.
    visit(f"/{campaign.slug}")
    visit(f"/{campaign.slug}/email/deezer")

    # The simulator's MusicKit consent window, and the page that hands the token back.
    query = urlencode({"developer_token": developer_token, "app": "Dropday", "origin": site.url})
    visit(f"/simulator/apple_music/authorize?{query}")
    page.get_by_role("button", name="Allow").click()
    expect(page.locator("#music-user-token")).to_be_visible()
    check("MusicKit consent answer")

    context.close()
    assert reports == [], reports
    assert len(visited) >= 15
