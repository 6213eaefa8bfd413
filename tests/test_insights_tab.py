"""The Insights tab, its CSVs and channels: the numbers add up across sections, ranges are
the artist's days, and no other artist sees or changes any of it."""

import csv
import io
import re
from datetime import timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import Channel
from tests.factories import log_in
from tests.fan_pages import sign_up
from tests.insight_counts import DESKTOP, PHONE, visit
from tests.test_api import make_token


@pytest.fixture
def campaign(make, artist):
    return make.campaign(artist, slug="night-drive", title="Night Drive")


@pytest.fixture
def seeded(app, client, campaign):
    """Five visits from three visitors, two signups, one of them through a channel."""
    with app.app_context():
        db.session.add(Channel(campaign_id=campaign.id, name="Poster", code="poster1"))
        db.session.commit()
    visit(client, "night-drive", "c=poster1&r=https://l.instagram.com")
    visit(client, "night-drive", "c=poster1")
    visit(client, "night-drive", "r=https://www.tiktok.com", user_agent=DESKTOP, address="8.8.8.8")
    visit(client, "night-drive", user_agent=DESKTOP, address="193.0.6.139")
    visit(client, "night-drive", user_agent=DESKTOP, address="193.0.6.139")
    sign_up(
        client,
        "night-drive",
        "a@example.com",
        **{"from": "c=poster1"},
        headers={"User-Agent": PHONE},
    )
    sign_up(client, "night-drive", "b@example.com", "deezer", headers={"User-Agent": DESKTOP})
    return campaign


def csv_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_tab_shows_the_summary_and_every_section(logged_in, seeded):
    page = logged_in.get(f"/dashboard/campaigns/{seeded.id}/insights")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    summary = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert summary["Visits"] == "5"
    assert summary["Unique visitors"] == "3"
    assert summary["Signups"] == "2"
    assert summary["Conversion"] == "66.7 %"
    for heading in ("Sources and channels", "Services", "Locations", "Devices"):
        assert heading in html
    assert "Poster" in html and "Instagram" in html and "United Kingdom" in html
    assert html.count('<svg class="chart') >= 5
    assert 'data-polling="off"' in html


def test_the_numbers_add_up_across_the_csvs(logged_in, seeded):
    base = f"/dashboard/campaigns/{seeded.id}/insights"
    summary = csv_rows(logged_in, f"{base}/summary.csv?range=7")
    total = {m: sum(int(row[m]) for row in summary) for m in ("visit", "visitor", "signup")}
    assert total == {"visit": 5, "visitor": 3, "signup": 2}
    for section, dimension in [
        ("sources", "source"),
        ("locations", "country"),
        ("devices", "device"),
        ("devices", "os"),
    ]:
        rows = [
            r
            for r in csv_rows(logged_in, f"{base}/{section}.csv?range=7")
            if r["breakdown"] == dimension
        ]
        assert sum(int(r["visit"]) for r in rows) == 5, (section, dimension)
        assert sum(int(r["signup"]) for r in rows) == 2, (section, dimension)
    services = csv_rows(logged_in, f"{base}/services.csv?range=7")
    platforms = {r["value"]: int(r["signup"]) for r in services if r["breakdown"] == "platform"}
    assert platforms == {"Spotify": 1, "Deezer": 1}
    sources = csv_rows(logged_in, f"{base}/sources.csv?range=7")
    channels = {r["value"]: int(r["visit"]) for r in sources if r["breakdown"] == "channel"}
    assert channels == {"Poster": 2}
    pages = {r["value"]: int(r["visit"]) for r in sources if r["breakdown"] == "page"}
    assert pages == {"Pre-save page": 5}


def test_a_range_of_up_to_two_days_goes_by_hour_and_longer_ones_by_day(logged_in, seeded):
    base = f"/dashboard/campaigns/{seeded.id}/insights/summary.csv"
    today = clock.now().date()
    hourly = csv_rows(logged_in, f"{base}?range=custom&from={today - timedelta(days=1)}&to={today}")
    assert "hour" in hourly[0] and len(hourly) == 48
    assert sum(int(r["visit"]) for r in hourly) == 5
    daily = csv_rows(logged_in, f"{base}?range=30")
    assert "day" in daily[0] and len(daily) == 30
    everything = csv_rows(logged_in, f"{base}?range=all")
    assert sum(int(r["visit"]) for r in everything) == 5


def test_the_overview_adds_up_all_the_artists_campaigns(app, logged_in, seeded, make, artist):
    make.campaign(artist, slug="second-song")
    visit(logged_in, "second-song")
    html = logged_in.get("/dashboard/insights?range=7").get_data(as_text=True)
    summary = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert summary["Visits"] == "6"
    rows = csv_rows(logged_in, "/dashboard/insights/locations.csv?range=7")
    assert sum(int(r["visit"]) for r in rows) == 6


def test_bad_ranges_and_unknown_sections_get_clear_answers(logged_in, seeded):
    base = f"/dashboard/campaigns/{seeded.id}/insights"
    wrong = logged_in.get(f"{base}?range=custom&from=2026-13-01&to=2026-01-01")
    assert wrong.status_code == 400 and b"must look like" in wrong.data
    backwards = logged_in.get(f"{base}?range=custom&from=2026-02-01&to=2026-01-01")
    assert backwards.status_code == 400 and b"comes before" in backwards.data
    assert logged_in.get(f"{base}?range=12").status_code == 400
    assert logged_in.get(f"{base}/nothing.csv").status_code == 404


def test_the_tab_polls_around_the_release_and_stops_after(app, logged_in, seeded):
    url = f"/dashboard/campaigns/{seeded.id}/insights"
    poll = {"HX-Request": "true", "HX-Target": "insights-report", "HX-Trigger": "insights-report"}
    assert logged_in.get(url, headers=poll).status_code == 286
    release = seeded.release_at + timedelta(minutes=5)
    clock.install(app, lambda: release)
    page = logged_in.get(url).get_data(as_text=True)
    assert 'data-polling="on"' in page and 'hx-trigger="every 10s"' in page
    fragment = logged_in.get(url, headers=poll)
    assert fragment.status_code == 200 and b"<html" not in fragment.data


def test_a_channel_gets_a_cacheable_link_and_qr_codes(app, logged_in, campaign):
    base = f"/dashboard/campaigns/{campaign.id}/insights"
    made = logged_in.post(f"{base}/channels", data={"name": "  Instagram   bio "})
    assert made.status_code == 303
    with app.app_context():
        channel = db.session.scalar(db.select(Channel).filter_by(campaign_id=campaign.id))
    assert channel.name == "Instagram bio"
    page = logged_in.get(base).get_data(as_text=True)
    assert f"/night-drive?c={channel.code}" in page
    svg = logged_in.get(f"{base}/channels/{channel.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    png = logged_in.get(f"{base}/channels/{channel.id}/qr.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    assert logged_in.get(f"{base}/channels/{channel.id}/qr.gif").status_code == 404
    again = logged_in.post(
        f"{base}/channels", data={"name": "instagram bio"}, follow_redirects=True
    )
    assert "already" in again.get_data(as_text=True)
    empty = logged_in.post(f"{base}/channels", data={"name": "  "}, follow_redirects=True)
    assert "Give the channel a name" in empty.get_data(as_text=True)
    logged_in.post(f"{base}/channels/{channel.id}/delete")
    with app.app_context():
        assert db.session.get(Channel, channel.id) is None


def test_another_artist_gets_404_for_the_tab_csvs_channels_and_qr(app, client, seeded, make):
    with app.app_context():
        channel = db.session.scalar(db.select(Channel).filter_by(campaign_id=seeded.id))
    intruder = make.artist(email="eve@example.com")
    log_in(client, intruder.email)
    base = f"/dashboard/campaigns/{seeded.id}/insights"
    assert client.get(base).status_code == 404
    for section in ("summary", "sources", "services", "locations", "devices"):
        assert client.get(f"{base}/{section}.csv").status_code == 404
    assert client.get(f"{base}/channels/{channel.id}/qr.svg").status_code == 404
    assert client.get(f"{base}/channels/{channel.id}/qr.png").status_code == 404
    assert client.post(f"{base}/channels", data={"name": "Mine"}).status_code == 404
    assert client.post(f"{base}/channels/{channel.id}/delete").status_code == 404
    # Their own overview counts nothing of it.
    html = client.get("/dashboard/insights?range=7").get_data(as_text=True)
    assert dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))["Visits"] == "0"
    with app.app_context():
        assert db.session.get(Channel, channel.id) is not None


@pytest.mark.parametrize("range_", ["7", "90", "all"])
def test_the_api_answers_the_tabs_numbers_for_each_range(app, logged_in, seeded, artist, range_):
    """GET /api/v1/campaigns/<id>/insights: the same totals, series and breakdowns as the
    tab's summary and CSVs for the same range."""
    headers = {"Authorization": f"Bearer {make_token(app, artist, role='viewer')}"}
    answer = logged_in.get(
        f"/api/v1/campaigns/{seeded.id}/insights?range={range_}", headers=headers
    )
    assert answer.status_code == 200, answer.data
    found = answer.json
    assert found["range"] == range_
    assert {m: found["totals"][m] for m in ("visit", "visitor", "signup")} == {
        "visit": 5,
        "visitor": 3,
        "signup": 2,
    }
    assert found["conversion"] == pytest.approx(2 / 3)
    base = f"/dashboard/campaigns/{seeded.id}/insights"
    summary = csv_rows(logged_in, f"{base}/summary.csv?range={range_}")
    grain = found["grain"]  # all time, begun today: by hour, as the tab draws it
    assert grain == ("hour" if range_ == "all" else "day")
    when = {"hour": lambda start: start, "day": lambda start: start[:10]}[grain]
    assert [
        {grain: when(bucket["start"]), **{m: str(n) for m, n in bucket["counts"].items()}}
        for bucket in found["series"]
    ] == summary
    for section, tables in found["sections"].items():
        from_csv = [
            (r["breakdown"], r["value"], *(int(r[m]) for m in tables[0]["metrics"]))
            for r in csv_rows(logged_in, f"{base}/{section}.csv?range={range_}")
        ]
        from_api = [
            (table["dimension"], row["label"], *(row["counts"][m] for m in table["metrics"]))
            for table in tables
            for row in table["rows"]
        ]
        assert from_api == from_csv, section
    platforms = {
        row["value"]: row["counts"]["signup"] for row in found["sections"]["services"][0]["rows"]
    }
    assert platforms == {"spotify": 1, "deezer": 1}


def test_the_api_refuses_a_range_the_tab_refuses(app, seeded, artist, client):
    headers = {"Authorization": f"Bearer {make_token(app, artist, role='viewer')}"}
    url = f"/api/v1/campaigns/{seeded.id}/insights"
    backwards = client.get(f"{url}?range=custom&from=2026-02-01&to=2026-01-01", headers=headers)
    assert backwards.status_code == 400
    assert backwards.json["title"] == "The end date comes before the start date."
    assert client.get(f"{url}?range=12", headers=headers).status_code == 400
