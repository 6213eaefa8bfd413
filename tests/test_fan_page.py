"""The pre-save page at /<slug>: what it shows, how caches may keep it, who gets a 404."""

import re
from datetime import date, timedelta

import pytest

from tests.fan_pages import FIRST_VIEW_BUDGET, first_view, sign_up, signups


@pytest.fixture
def campaign(make, artist):
    return make.campaign(
        owner=artist,
        title="Night Drive",
        artist_name="Ada & The Owls",
        slug="night-drive",
        release_date=date.today() + timedelta(days=10),
        time_zone="America/New_York",
    )


def test_the_page_shows_the_release_and_one_button_per_platform_in_registry_order(
    client, make, artist
):
    campaign = make.campaign(
        owner=artist, slug="ordered", platforms=["spotify", "tidal", "apple_music", "deezer"]
    )
    html = client.get(f"/{campaign.slug}").get_data(as_text=True)
    labels = re.findall(r'<span class="label">([^<]+)</span>', html)
    assert labels == [
        "Pre-add on Apple Music",
        "Get an email on release day for Apple Music",  # shown instead in in-app browsers
        "Pre-save on TIDAL",
        "Get an email on release day for TIDAL",
        "Get an email on release day for Spotify",
        "Get an email on release day for Deezer",
    ]


def test_the_release_time_is_shown_in_the_campaign_zone_without_javascript(client, campaign):
    html = client.get("/night-drive").get_data(as_text=True)
    assert "Night Drive" in html and "Ada &amp; The Owls" in html
    # Local midnight in New York, as a machine-readable UTC moment for the page script.
    moment = re.search(r'<time datetime="([^"]+)" data-local-time>([^<]+)</time>', html)
    assert moment.group(1).endswith("+00:00")
    assert moment.group(2) == "Sunday, December 13, 2026, 12:00\u202fAM (New York)"
    assert re.search(r"\b(9|10) days to go", html)


def test_shared_links_preview_with_absolute_artwork_url(client, campaign):
    html = client.get("/night-drive").get_data(as_text=True)
    image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert image.startswith("http://localhost/media/artwork/")
    artwork = client.get(image.removeprefix("http://localhost"))
    assert artwork.status_code == 200
    artwork.close()
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="og:title" content="Night Drive · Ada &amp; The Owls">' in html


def test_a_shared_cache_may_keep_the_page_which_sets_no_cookie(client, campaign, logged_in):
    for visitor in (client, logged_in):
        response = visitor.get("/night-drive")
        assert response.status_code == 200
        assert response.cache_control.public and 0 < response.cache_control.max_age <= 300
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.vary
        assert "csrf" not in response.get_data(as_text=True).lower()


def test_the_page_is_self_contained(client, campaign):
    html = client.get("/night-drive").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "http://localhost/")), url
    # Scripts only from files, never inline; no inline styles.
    assert "<style" not in html and "style=" not in html
    assert all(tag.count("src=") == 1 for tag in re.findall(r"<script[^>]*>", html))


def test_the_first_view_weighs_under_30_kb_as_sent_and_loads_no_htmx(client, campaign):
    """The HTML, stylesheets, script, icon and marks, each as the app sends it (brotli)."""
    sent = first_view(client, "/night-drive")
    assert any("/css/fan." in url for url in sent) and any("/media/look/" in url for url in sent)
    assert any("/js/fan." in url for url in sent) and any("marks." in url for url in sent)
    assert not any("htmx" in url for url in sent)
    assert sum(sent.values()) <= FIRST_VIEW_BUDGET, sent


def test_an_unknown_address_gets_a_friendly_404_in_the_fan_style(client):
    response = client.get("/no-such-release")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "no release at this address" in html
    assert "css/fan." in html and "Log in" not in html


def test_an_absurd_address_is_still_a_404(client):
    assert client.get("/" + "a" * 5000).status_code == 404
    assert client.get("/%00").status_code == 404


def test_an_inactive_campaign_says_signups_are_closed(client, make, artist):
    campaign = make.campaign(owner=artist, slug="closed-one", active=False)
    html = client.get(f"/{campaign.slug}").get_data(as_text=True)
    assert "Signups for this release are closed." in html
    assert "data-connect" not in html and "signup" not in re.findall(r"action=\"[^\"]+\"", html)


def test_a_signup_posted_to_an_inactive_campaign_records_nothing(app, client, make, artist):
    campaign = make.campaign(owner=artist, slug="closed-two")
    token_page = client.get(f"/{campaign.slug}/email/spotify").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', token_page).group(1)
    with app.app_context():
        from app.extensions import db
        from app.models import Campaign

        db.session.get(Campaign, campaign.id).active = False
        db.session.commit()
    response = client.post(
        f"/{campaign.slug}/signup",
        data={
            "platform": "spotify",
            "email": "fan@example.com",
            "form_token": token,
            "consent_version": "1",
        },
    )
    assert response.status_code == 403
    assert "Signups for this release are closed." in response.get_data(as_text=True)
    assert signups(app, campaign.id) == []


def test_the_email_form_opens_in_place_with_htmx_and_as_a_page_without(client, campaign):
    fragment = client.get("/night-drive/email/spotify", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith("<form")
    page = client.get("/night-drive/email/spotify")
    html = page.get_data(as_text=True)
    assert html.startswith("<!doctype html>") and 'name="email"' in html
    assert "HX-Request" in page.vary


def test_the_spotify_form_says_plainly_it_is_an_email_not_a_library_save(client, campaign):
    html = client.get("/night-drive/email/spotify").get_data(as_text=True)
    assert "an email on release day that takes you to Spotify" in html
    assert "not an automatic save to your Spotify library" in html
    assert 'id="consent-text"' in html and 'aria-describedby="consent-text"' in html


def test_a_platform_the_campaign_does_not_offer_has_no_form(client, make, artist):
    campaign = make.campaign(owner=artist, slug="only-deezer", platforms=["deezer"])
    assert client.get(f"/{campaign.slug}/email/spotify").status_code == 404
    assert client.get(f"/{campaign.slug}/email/myspace").status_code == 404


def test_a_confirmation_says_what_happens_on_release_day(client, campaign):
    response = sign_up(client, "night-drive", "fan@example.com", "spotify")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You're on the list" in html
    assert "On release day we&#39;ll email fan@example.com a link that opens" in html
    assert "on Spotify" in html
    assert response.cache_control.no_store


def test_signing_up_remembers_the_platform_for_the_smart_link(client, campaign):
    response = sign_up(client, "night-drive", "fan@example.com", "deezer")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "dropday_platform" in c)
    assert cookie.startswith("dropday_platform=deezer;")
    assert "Path=/night-drive" in cookie and "HttpOnly" not in cookie
    assert "Max-Age=31536000" in cookie


def test_a_kept_page_is_sent_again_like_a_static_file(app, client, campaign):
    """The answer kept in memory is the page Flask gave, every header included, per
    language and encoding, with an ETag a browser can revalidate against."""
    app.config["FAN_PAGE_CACHE_SECONDS"] = 30
    asked = {"Accept-Encoding": "br, gzip", "Accept-Language": "es-MX,es;q=0.9"}
    first = client.get("/night-drive", headers=asked)
    again = client.get("/night-drive", headers=asked)
    assert first.headers["Content-Encoding"] == "br"
    assert again.get_data() == first.get_data()
    assert again.headers == first.headers and first.headers["ETag"]
    for header in ("Content-Security-Policy", "Vary", "Cache-Control", "X-Frame-Options"):
        assert again.headers[header] == first.headers[header]
    assert "Accept-Language" in again.headers["Vary"] and again.cache_control.public
    plain = client.get("/night-drive", headers={"Accept-Language": "es"})
    assert "Content-Encoding" not in plain.headers and 'lang="es"' in plain.text
    assert plain.headers["ETag"] != first.headers["ETag"]
    english = client.get("/night-drive", headers={"Accept-Language": "en"})
    assert 'lang="en"' in english.text

    cached = client.get("/night-drive", headers=asked | {"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304 and cached.get_data() == b""
    assert (
        cached.headers["ETag"] == first.headers["ETag"] and "Content-Length" not in cached.headers
    )
    head = client.head("/night-drive", headers=asked)
    assert head.status_code == 200 and head.get_data() == b""


def test_each_process_answers_a_busy_page_from_memory_for_a_few_seconds(app, client, campaign):
    from sqlalchemy import update

    from app.extensions import db
    from app.models import Campaign

    app.config["FAN_PAGE_CACHE_SECONDS"] = 30
    first = client.get("/night-drive").get_data(as_text=True)
    fragment = client.get("/night-drive/email/spotify", headers={"HX-Request": "true"})
    with app.app_context():  # another process's edit: this one is not told
        db.session.execute(update(Campaign).filter_by(id=campaign.id).values(title="Renamed"))
        db.session.commit()
    again = client.get("/night-drive")
    assert again.get_data(as_text=True) == first and again.cache_control.public
    assert (
        client.get("/night-drive/email/spotify")
        .get_data(as_text=True)
        .startswith("<!doctype html>")
    )  # the full page is not the fragment cached under the same address
    boosted = client.get(
        "/night-drive/email/spotify", headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert boosted.get_data(as_text=True).startswith("<!doctype html>")  # a boosted link too
    assert fragment.get_data(as_text=True).lstrip().startswith("<form")
    assert "Renamed" in client.get("/night-drive?fresh=1").get_data(as_text=True)
    app.config["FAN_PAGE_CACHE_SECONDS"] = 0
    assert "Renamed" in client.get("/night-drive").get_data(as_text=True)
