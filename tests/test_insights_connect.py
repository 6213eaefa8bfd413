"""A fan who connects a platform is counted for the channel and source of the page they
started from, through the platform's consent page and Dropday's email step."""

from app.extensions import db
from app.insights import counting
from app.models import Channel
from tests.insight_counts import PHONE, count
from tests.platforms.conftest import simulator  # noqa: F401  (fixtures)
from tests.platforms.consent import callback
from tests.test_fan_connect import browser, site  # noqa: F401


def connect(live, session, platform, code, params=None, headers=None):
    """A phone with a channel `code` on the campaign connects `platform` and gives its email."""
    with live.app.app_context():
        db.session.add(Channel(campaign_id=live.campaign.id, name="TikTok ad", code=code))
        db.session.commit()
        # As the dashboard does on adding a channel: the app (shared by the session's tests)
        # may remember an earlier campaign of the same id without it.
        counting.forget(live.campaign.id)
    session.headers["User-Agent"] = PHONE
    started = session.get(
        f"{live.root}/connect/{platform}/start",
        params={"campaign": "night-drive", **(params or {})},
        headers=headers or {},
        allow_redirects=False,
        timeout=10,
    )
    assert started.status_code == 303, started.text
    back = session.get(callback(started.headers["Location"]), allow_redirects=False, timeout=10)
    assert back.status_code == 303
    done = session.post(
        f"{live.root}/connect/{platform}/email", data={"email": "fan@example.com"}, timeout=10
    )
    assert done.status_code == 200, done.text


def test_a_connected_fan_keeps_the_channel_of_the_page_through_consent_and_email(
    site,  # noqa: F811
    browser,  # noqa: F811
):
    came_from = {"from": "c=tiktokad&r=https://www.tiktok.com"}
    connect(site, browser, "tidal", "tiktokad", params=came_from)
    campaign_id = site.campaign.id
    assert count(site.app, campaign_id, "signup") == 1
    assert count(site.app, campaign_id, "signup", "channel", "tiktokad") == 1
    assert count(site.app, campaign_id, "signup", "source", "TikTok") == 1
    assert count(site.app, campaign_id, "signup", "mode", "direct") == 1
    assert count(site.app, campaign_id, "connection", "platform", "tidal") == 1


def test_without_javascript_the_connect_link_takes_the_channel_from_the_page(
    site,  # noqa: F811
    browser,  # noqa: F811
):
    page = {"Referer": f"{site.root}/night-drive?c=poster"}
    connect(site, browser, "youtube_music", "poster", headers=page)
    assert count(site.app, site.campaign.id, "signup", "channel", "poster") == 1
