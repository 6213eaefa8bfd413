"""A fan who connects a platform is counted for the channel and source of the page they
started from, through the platform's consent page and Dropday's email step."""

import requests

from app.extensions import db
from app.models import Channel
from tests.insight_counts import PHONE, count
from tests.platforms.conftest import simulator  # noqa: F401  (fixtures)
from tests.platforms.consent import callback
from tests.test_fan_connect import browser, site  # noqa: F401


def add_channel(live, code):
    with live.app.app_context():
        db.session.add(Channel(campaign_id=live.campaign.id, name="TikTok ad", code=code))
        db.session.commit()


def test_a_connected_fan_keeps_the_channel_of_the_page_through_consent_and_email(
    site,  # noqa: F811
    browser,  # noqa: F811
):
    add_channel(site, "tiktokad")
    browser.headers["User-Agent"] = PHONE
    started = browser.get(
        f"{site.root}/connect/tidal/start",
        params={"campaign": "night-drive", "from": "c=tiktokad&r=https://www.tiktok.com"},
        allow_redirects=False,
        timeout=10,
    )
    assert started.status_code == 303, started.text
    back = browser.get(callback(started.headers["Location"]), allow_redirects=False, timeout=10)
    assert back.status_code == 303
    done = browser.post(
        f"{site.root}/connect/tidal/email",
        data={"email": "fan@example.com"},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 200, done.text
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
    add_channel(site, "poster")
    browser.headers["User-Agent"] = PHONE
    started = browser.get(
        f"{site.root}/connect/youtube_music/start",
        params={"campaign": "night-drive"},
        headers={"Referer": f"{site.root}/night-drive?c=poster"},
        allow_redirects=False,
        timeout=10,
    )
    back = browser.get(callback(started.headers["Location"]), allow_redirects=False, timeout=10)
    assert back.status_code == 303
    browser.post(
        f"{site.root}/connect/youtube_music/email",
        data={"email": "fan@example.com"},
        timeout=10,
    )
    assert count(site.app, site.campaign.id, "signup", "channel", "poster") == 1
    assert requests.get(f"{site.root}/night-drive", timeout=10).status_code == 200
