"""Insights count people, not bots: visits through the beacon (or its no-script image),
signups with the channel and source their fan arrived by, clicks on the Smart Link; and a
visitor's daily digest is gone the next day."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.insights import classify, visitors
from app.models import Channel, VisitorDay
from tests.fan_pages import sign_up
from tests.insight_counts import DESKTOP, PHONE, UK, count, visit
from tests.release_day_rows import Rows

# -- classification ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "agent",
    [
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "WhatsApp/2.23.20.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "Twitterbot/1.0",
        # iMessage's link preview
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko)"
        " Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "",
    ],
)
def test_crawlers_and_link_previews_are_not_people(agent):
    assert classify.is_bot(agent)


@pytest.mark.parametrize("agent", [PHONE, DESKTOP])
def test_browsers_are_people(agent):
    assert not classify.is_bot(agent)


def test_a_prefetch_or_prerender_is_not_a_visit():
    assert classify.is_prefetch({"Sec-Purpose": "prefetch;prerender"})
    assert classify.is_prefetch({"Purpose": "prefetch"})
    assert not classify.is_prefetch({})


@pytest.mark.parametrize(
    ("referrer", "agent", "source"),
    [
        ("https://l.instagram.com/?u=x", PHONE, "Instagram"),
        ("https://www.tiktok.com/@owls", PHONE, "TikTok"),
        ("https://m.youtube.com/watch", PHONE, "YouTube"),
        ("https://t.co/abc", PHONE, "X"),
        ("https://www.google.co.uk/", DESKTOP, "Google"),
        ("https://lm.facebook.com/l.php", PHONE, "Facebook"),
        ("https://blog.example.org/post", DESKTOP, "example.org"),
        ("", DESKTOP, "direct"),
        ("https://dropday.test/other", DESKTOP, "direct"),
        ("", PHONE + " Instagram 300.0.0.0", "Instagram"),
    ],
)
def test_the_source_is_the_referring_site_by_name(referrer, agent, source):
    assert classify.source_of(referrer, "dropday.test", agent) == source


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("8.8.8.8", "US"),
        ("81.2.69.160", "GB"),
        ("193.0.6.139", "NL"),
        ("10.0.0.1", "unknown"),
        ("not an address", "unknown"),
    ],
)
def test_the_country_comes_from_the_shipped_table(address, country):
    assert classify.country_of(address) == country


def test_the_device_class_and_os_come_from_the_user_agent():
    assert classify.device_of(PHONE) == ("mobile", "iOS")
    assert classify.device_of(DESKTOP) == ("desktop", "other")
    android_tablet = (
        "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/116.0.0.0 Safari/537.36"
    )
    assert classify.device_of(android_tablet) == ("tablet", "Android")


# -- visits -----------------------------------------------------------------------------------


@pytest.fixture
def campaign(make, artist):
    return make.campaign(artist, slug="night-drive")


@pytest.fixture
def channel(app, campaign):
    with app.app_context():
        row = Channel(campaign_id=campaign.id, name="Poster", code="poster1")
        db.session.add(row)
        db.session.commit()
        return row.code


def test_a_visit_counts_once_and_a_returning_visitor_is_one_unique_visitor(app, client, campaign):
    assert visit(client, "night-drive", "r=https://l.instagram.com").status_code == 204
    visit(client, "night-drive")
    visit(client, "night-drive", user_agent=DESKTOP, address="8.8.8.8")
    assert count(app, campaign.id, "visit") == 3
    assert count(app, campaign.id, "visitor") == 2
    assert count(app, campaign.id, "visit", "source", "Instagram") == 1
    assert count(app, campaign.id, "visit", "country", "GB") == 2
    assert count(app, campaign.id, "visit", "country", "US") == 1
    assert count(app, campaign.id, "visit", "device", "mobile") == 2
    assert count(app, campaign.id, "visit", "page", "presave") == 3


def test_visits_are_summed_in_memory_and_written_together(app, client, campaign):
    app.config["INSIGHTS_FLUSH_SECONDS"] = 60
    start = clock.now()
    clock.install(app, lambda: start)
    visit(client, "night-drive")  # the process's first visit starts its buffer
    visit(client, "night-drive")
    visit(client, "night-drive", user_agent=DESKTOP)
    assert count(app, campaign.id, "visit") == 0
    later = start + timedelta(seconds=61)
    clock.install(app, lambda: later)
    visit(client, "night-drive", user_agent=DESKTOP)
    assert count(app, campaign.id, "visit") == 4
    assert count(app, campaign.id, "visitor") == 2
    assert count(app, campaign.id, "visit", "device", "desktop") == 2


def test_bots_previews_and_prefetches_are_not_counted(app, client, campaign):
    assert visit(client, "night-drive", user_agent="WhatsApp/2.23.20.0").status_code == 204
    visit(client, "night-drive", user_agent="facebookexternalhit/1.1")
    visit(client, "night-drive", **{"Sec-Purpose": "prefetch;prerender"})
    client.get("/night-drive/v.gif", headers={"User-Agent": "Slackbot-LinkExpanding 1.0"})
    assert count(app, campaign.id, "visit") == 0


def test_the_beacon_answers_are_never_stored_in_a_cache(client, campaign):
    beacon = visit(client, "night-drive")
    pixel = client.get("/night-drive/v.gif", headers={"User-Agent": PHONE})
    for response in (beacon, pixel):
        assert "no-store" in response.headers["Cache-Control"]
        # Answered before Flask's dispatch or by a view: the site's headers either way.
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert beacon.status_code == 204 and beacon.data == b""
    assert pixel.mimetype == "image/gif" and pixel.data.startswith(b"GIF89a")


def test_a_visit_without_javascript_counts_with_the_channel_of_the_page(
    app, client, campaign, channel
):
    page = client.get(f"/night-drive?c={channel}")
    assert b"/night-drive/v.gif" in page.data and b"js/visit." in page.data
    client.get(
        "/night-drive/v.gif",
        headers={"User-Agent": PHONE, "Referer": f"http://localhost/night-drive?c={channel}"},
    )
    assert count(app, campaign.id, "visit", "channel", channel) == 1


def test_a_made_up_channel_code_is_counted_as_no_channel(app, client, campaign, channel):
    visit(client, "night-drive", "c=nosuchcode")
    assert count(app, campaign.id, "visit") == 1
    assert count(app, campaign.id, "visit", "channel", "nosuchcode") == 0


def test_the_page_is_the_same_for_every_channel(client, campaign, channel):
    plain = client.get("/night-drive").data
    assert client.get(f"/night-drive?c={channel}&utm_source=ig").data == plain


def test_an_unknown_campaign_or_an_oversized_beacon_is_refused(client, campaign):
    assert visit(client, "no-such-page").status_code == 404
    assert visit(client, "night-drive", "c=" + "x" * 5000).status_code == 413


# -- signups and clicks -----------------------------------------------------------------------


def test_a_signup_is_counted_for_the_channel_and_source_its_fan_arrived_by(
    app, client, campaign, channel
):
    response = sign_up(
        client,
        "night-drive",
        "fan@example.com",
        **{"from": f"c={channel}&r=https://www.tiktok.com&utm_medium=bio"},
        headers={"User-Agent": PHONE},
    )
    assert response.status_code == 200
    assert count(app, campaign.id, "signup") == 1
    assert count(app, campaign.id, "signup", "channel", channel) == 1
    assert count(app, campaign.id, "signup", "source", "TikTok") == 1
    assert count(app, campaign.id, "signup", "utm_medium", "bio") == 1
    assert count(app, campaign.id, "signup", "mode", "email") == 1
    assert count(app, campaign.id, "signup", "platform", "spotify") == 1


def test_a_fan_who_signs_up_twice_is_counted_once(app, client, campaign):
    sign_up(client, "night-drive", "fan@example.com", headers={"User-Agent": PHONE})
    sign_up(client, "night-drive", "fan@example.com", "deezer", headers={"User-Agent": PHONE})
    assert count(app, campaign.id, "signup") == 1


def test_without_javascript_the_signup_takes_the_channel_from_the_page_it_was_sent_from(
    app, client, campaign, channel
):
    referer = f"http://localhost/night-drive?c={channel}"
    sign_up(client, "night-drive", "fan@example.com", headers={"Referer": referer})
    assert count(app, campaign.id, "signup", "channel", channel) == 1


def test_the_email_form_page_carries_the_channel_it_was_opened_with_to_the_signup(
    app, client, campaign, channel
):
    page = client.get(f"/night-drive/email/spotify?from=c%3D{channel}")
    assert f'name="from" value="c={channel}"'.encode() in page.data
    sign_up(client, "night-drive", "fan@example.com", **{"from": f"c={channel}"})
    assert count(app, campaign.id, "signup", "channel", channel) == 1


def test_smart_link_visits_and_clicks_are_counted_per_platform(app, client, campaign, channel):
    Rows(app).live(campaign, "deezer", "spotify")
    visit(client, "night-drive", f"c={channel}")
    go = client.get(
        f"/night-drive/go/deezer?from=c%3D{channel}",
        headers={"User-Agent": PHONE},
        environ_base={"REMOTE_ADDR": UK},
    )
    assert go.status_code == 302
    client.get("/night-drive/go/spotify", headers={"User-Agent": "Twitterbot/1.0"})
    assert count(app, campaign.id, "visit", "page", "smart_link") == 1
    assert count(app, campaign.id, "click") == 1
    assert count(app, campaign.id, "click", "platform", "deezer") == 1
    assert count(app, campaign.id, "click", "channel", channel) == 1
    assert count(app, campaign.id, "click", "via", "smart_link") == 1


# -- the day's digests ------------------------------------------------------------------------


def test_visitor_digests_are_forgotten_once_their_day_is_over(app, client, campaign):
    visit(client, "night-drive")
    with app.app_context():
        assert len(db.session.scalars(select(VisitorDay)).all()) == 1
        assert visitors.forget_past_days() == 0
    tomorrow = clock.now() + timedelta(days=1)
    clock.install(app, lambda: tomorrow)
    with app.app_context():
        assert visitors.forget_past_days() == 1
        assert db.session.scalars(select(VisitorDay)).all() == []
    # A new day, a new salt: the same fan is today's unique visitor again.
    visit(client, "night-drive")
    assert count(app, campaign.id, "visitor") == 2


def test_the_salt_lives_only_in_redis_until_the_day_ends(app, client, campaign):
    visit(client, "night-drive")
    redis = app.extensions["dropday.redis"]
    [key] = redis.keys("dropday:insights:salt:*")
    assert 0 < redis.ttl(key) <= 24 * 3600


def test_a_forwarded_address_counts_only_behind_the_configured_proxies(
    app, make_app, client, campaign
):
    forwarded = {"X-Forwarded-For": "8.8.8.8"}
    visit(client, "night-drive", **forwarded)  # TRUSTED_PROXIES=0: the header is ignored
    assert count(app, campaign.id, "visit", "country", "GB") == 1
    behind_one = make_app(TRUSTED_PROXIES=1)
    visit(behind_one.test_client(), "night-drive", **forwarded)
    assert count(app, campaign.id, "visit", "country", "US") == 1


def test_a_server_that_counts_no_visits_sends_no_beacon_and_says_so(
    app, client, logged_in, campaign
):
    app.config["COUNT_VISITS"] = False
    page = client.get("/night-drive")
    assert b"/night-drive/v" not in page.data and b"visit.js" not in page.data
    # A page a cache kept from before still sends its beacon: answered, not counted.
    assert visit(client, "night-drive").status_code == 204
    assert client.get("/night-drive/v.gif", headers={"User-Agent": PHONE}).status_code == 200
    assert count(app, campaign.id, "visit") == 0
    tab = logged_in.get(f"/dashboard/campaigns/{campaign.id}/insights")
    assert b"This server counts no visits" in tab.data
