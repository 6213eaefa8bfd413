"""The campaign's Release day tab: what the artist sees of release day, and when it polls."""

import re
from datetime import date, timedelta

import pytest

from app import clock
from app.dashboard import release_report
from app.extensions import db
from app.models import Campaign
from tests.release_day_rows import Rows


@pytest.fixture
def rows(app):
    return Rows(app)


@pytest.fixture
def campaign(make, artist):
    # Released yesterday: release day has started.
    return make.campaign(artist, title="Night Drive", release_date=date.today() - timedelta(days=1))


def tab(client, campaign, **params):
    return client.get(f"/dashboard/campaigns/{campaign.id}/release-day", query_string=params)


def part(client, campaign, target, trigger=None, **params):
    headers = {"HX-Request": "true", "HX-Target": target, "HX-Trigger": trigger or target}
    return client.get(
        f"/dashboard/campaigns/{campaign.id}/release-day", query_string=params, headers=headers
    )


def test_the_tab_shows_phase_checks_links_counts_and_clicks(logged_in, rows, campaign):
    rows.check(
        campaign,
        "not_found",
        {"spotify": {"status": "not_found"}, "deezer": {"status": "outage", "detail": "503"}},
        ago=timedelta(minutes=10),
    )
    rows.check(
        campaign,
        "found",
        {"spotify": {"status": "found", "matched_by": "upc", "url": "x"}},
        triggered_by="manual",
    )
    rows.live(campaign, "spotify", "deezer")
    fan = rows.signup(campaign, "fan@example.com", "deezer")
    rows.delivery(fan, "email", "done", attempts=1, done_at=clock.now())
    rows.delivery(fan, "push", "failed", attempts=1, last_error="subscription gone (410)")
    rows.click(campaign, "deezer", "email", n=2)
    rows.click(campaign, "spotify", "smart_link")
    rows.click(campaign, None, "push")

    page = tab(logged_in, campaign)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Live: the page is a Smart Link" in html
    assert "https://www.deezer.com/album/302127" in html
    assert "Platform outage" not in html and "outage (not counted as not found)" in html
    assert "(Check now)" in html and "by UPC" in html
    counts = re.search(r'id="count-email">(.*?)</tr>', html, re.S)[1]
    assert '<td data-state="done">1</td>' in counts
    pushes = re.search(r'id="count-push">(.*?)</tr>', html, re.S)[1]
    assert '<td data-state="failed">1</td>' in pushes
    clicks = re.search(r'id="clicks">(.*?)</table>', html, re.S)[1]
    assert re.search(r"Spotify</th><td>1</td><td>0</td><td>0</td><td>1</td>", clicks)
    assert re.search(r"Deezer</th><td>0</td><td>2</td><td>0</td><td>2</td>", clicks)
    assert re.search(r"platform not found yet\)</th><td>0</td><td>0</td><td>1</td>", clicks)
    assert "fan@example.com" in html and "subscription gone (410)" in html


def test_the_delivery_log_gives_each_fan_s_reasons(logged_in, rows, campaign):
    rows.live(campaign, "tidal")
    saver = rows.signup(campaign, None, "tidal", mode="direct")
    rows.delivery(saver, "save", "done", attempts=2, verified=True, done_at=clock.now())
    waiting = rows.signup(campaign, "wait@example.com", "apple_music", mode="direct")
    rows.delivery(waiting, "save", "waiting")
    retry = rows.signup(campaign, "retry@example.com", "youtube_music", mode="direct")
    rows.delivery(
        retry,
        "save",
        "due",
        attempts=3,
        last_error="YouTube Music was busy (503)",
        next_attempt_at=clock.now() + timedelta(minutes=8),
    )
    revoked = rows.signup(campaign, "gone@example.com", "tidal", mode="direct")
    rows.delivery(revoked, "save", "failed", attempts=1, last_error="access revoked by the fan")

    html = tab(logged_in, campaign).get_data(as_text=True)
    assert "Connected TIDAL account" in html
    assert "(2 attempts). Verified in the library." in html
    assert "Waits until Apple Music has the release." in html
    assert "3 attempts). Last error: YouTube Music was busy (503)." in html
    assert "Failed: access revoked by the fan (1 attempt)." in html
    assert "Retry failed saves" not in html  # its tokens are gone with the failure


def test_the_log_finds_fans_by_email_and_pages_newest_first(logged_in, rows, campaign, app):
    for n in range(release_report.LOG_PAGE + 5):
        rows.signup(campaign, f"fan{n:03}@example.com")
    rows.signup(campaign, "100%_match@example.com")

    first = tab(logged_in, campaign).get_data(as_text=True)
    assert "100%_match@example.com" in first and "fan000@" not in first
    older = re.search(r'href="([^"]*before=\d+)"', first)[1].replace("&amp;", "&")
    second = logged_in.get(older).get_data(as_text=True)
    assert "fan000@example.com" in second and "100%_match" not in second
    assert "Newest fans" in second and "Older fans" not in second

    found = tab(logged_in, campaign, q="FAN01").get_data(as_text=True)
    assert found.count("@example.com</th>") == 10
    # % and _ are searched for literally, not as wildcards.
    literal = tab(logged_in, campaign, q="%_").get_data(as_text=True)
    assert literal.count("@example.com</th>") == 1
    nobody = tab(logged_in, campaign, q="nobody").get_data(as_text=True)
    assert "No fan’s email contains “nobody”" in nobody  # noqa: RUF001


@pytest.mark.parametrize("before", ["x", "-1", "9" * 40])
def test_a_bad_page_marker_is_a_clear_400(logged_in, campaign, before):
    assert tab(logged_in, campaign, before=before).status_code == 400


def test_the_tab_polls_while_release_day_runs(logged_in, rows, campaign):
    html = tab(logged_in, campaign).get_data(as_text=True)
    assert 'hx-trigger="every 5s"' in html and "Updating every 5 seconds" in html

    poll = part(logged_in, campaign, "release-day-status")
    assert poll.status_code == 200
    fragment = poll.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="release-day-status"')
    assert "<html" not in fragment and 'hx-trigger="every 5s"' in fragment
    assert "HX-Request" in poll.headers["Vary"]

    log = part(logged_in, campaign, "delivery-log")
    assert log.get_data(as_text=True).lstrip().startswith('<div id="delivery-log"')


def test_polling_stops_once_every_delivery_is_over(logged_in, rows, campaign):
    rows.live(campaign, "spotify")
    fan = rows.signup(campaign, "fan@example.com")
    rows.delivery(fan, "email", "running", lease_until=clock.now() + timedelta(minutes=5))
    assert part(logged_in, campaign, "release-day-status").status_code == 200

    with logged_in.application.app_context():
        for delivery in db.session.scalars(db.select(release_report.Delivery)):
            delivery.state, delivery.lease_until = "done", None
        db.session.commit()
    for target in ("release-day-status", "delivery-log"):
        stopped = part(logged_in, campaign, target)
        # 286: htmx swaps this last answer in and cancels the element's polling.
        assert stopped.status_code == 286
        assert "every 5s" not in stopped.get_data(as_text=True)
    page = tab(logged_in, campaign).get_data(as_text=True)
    assert "every 5s" not in page and "this page no longer updates itself" in page
    # A search is not a poll: it answers 200.
    assert part(logged_in, campaign, "delivery-log", trigger="log-search").status_code == 200


def test_no_polling_weeks_before_the_release(logged_in, make, artist):
    later = make.campaign(artist, release_date=date.today() + timedelta(days=20))
    html = tab(logged_in, later).get_data(as_text=True)
    assert "every 5s" not in html and "Release day starts" in html
    assert "No checks yet: the first runs at the release moment." in html


def test_the_not_found_alert_shows_as_a_banner(logged_in, rows, campaign, app):
    with app.app_context():
        row = db.session.get(Campaign, campaign.id)
        row.phase, row.alerted_at = "not_found", clock.now()
        db.session.commit()
    html = tab(logged_in, campaign).get_data(as_text=True)
    assert 'class="rd-alert" role="alert"' in html
    assert "We haven’t found “Night Drive” on any platform" in html  # noqa: RUF001
    assert "Not found yet: still checking" in html


# -- the artist's buttons -----------------------------------------------------------------------


def test_check_now_starts_a_check_once_a_minute_per_campaign(
    logged_in, app, make, artist, campaign
):
    from rq import Queue

    from app.jobs import redis_connection

    pressed = logged_in.post(f"/dashboard/campaigns/{campaign.id}/release-day/check")
    assert pressed.status_code == 303
    with app.app_context():
        jobs = Queue("release", connection=redis_connection()).jobs
        assert [(j.func_name, j.args) for j in jobs] == [
            ("app.release_day.detect.run_check", (campaign.id, "manual"))
        ]
        assert db.session.get(Campaign, campaign.id).check_lease_until is not None
    shown = logged_in.get(pressed.headers["Location"]).get_data(as_text=True)
    assert "Checking every platform now" in shown

    again = logged_in.post(f"/dashboard/campaigns/{campaign.id}/release-day/check")
    assert again.status_code == 429
    assert 0 < int(again.headers["Retry-After"]) <= 60
    assert "Dropday checked a moment ago. You can check again in" in again.get_data(as_text=True)
    # Another campaign has its own minute.
    other = make.campaign(artist)
    assert logged_in.post(f"/dashboard/campaigns/{other.id}/release-day/check").status_code == 303
