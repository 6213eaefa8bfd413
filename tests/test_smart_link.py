"""The Smart Link at the campaign's address, its `/go/` buttons and the personal `/r/` links:
a click is counted once per request, and fans only ever go to a link detection stored."""

import re

import pytest
from itsdangerous import URLSafeSerializer

from app.extensions import db
from app.models import Signup
from app.release_day.links import personal_link
from tests.fan_pages import FIRST_VIEW_BUDGET, first_view
from tests.release_day_rows import URLS, Rows


@pytest.fixture
def rows(app):
    return Rows(app)


@pytest.fixture
def campaign(make, artist):
    return make.campaign(artist, slug="night-drive", title="Night Drive", artist_name="The Owls")


@pytest.fixture
def live(rows, campaign):
    rows.live(campaign, "deezer", "spotify", "apple_music")
    return campaign


def link_for(app, signup, source):
    with app.test_request_context():
        return personal_link(signup.id, source).removeprefix(app.config["PUBLIC_URL"])


# -- the page -----------------------------------------------------------------------------------


def test_before_release_the_address_shows_the_pre_save_page(client, campaign):
    html = client.get("/night-drive").get_data(as_text=True)
    # (The countdown's script holds the words for the moment it reaches zero.)
    assert ">Out now" not in html and "/go/" not in html


def test_once_live_the_same_address_is_the_smart_link(client, live):
    response = client.get("/night-drive")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Out now" in html and "Night Drive" in html and "The Owls" in html
    assert re.search(r'<img src="/media/artwork/[0-9a-f]{32}-480\.jpg"', html)
    assert re.search(
        r'<source type="image/avif" srcset="/media/artwork/[0-9a-f]{32}-240\.avif 240w', html
    )
    assert 'alt="Artwork of “Night Drive” by The Owls"' in html
    # One button per platform found, in the registry's order, each through /go/.
    buttons = re.findall(r'href="/night-drive/go/([a-z_]+)"', html)
    assert buttons == ["apple_music", "spotify", "deezer"]
    assert "music.apple.com" not in html  # the destination is only behind /go/
    assert "More platforms appear here" in html  # the campaign has others, not found yet


def test_the_smart_link_can_be_kept_by_a_shared_cache(client, live):
    response = client.get("/night-drive", headers={"Cookie": "dropday_platform=deezer"})
    assert response.cache_control.public and response.cache_control.max_age == 60
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers
    # The same HTML whoever asks: the fan's own platform goes first in the browser.
    assert response.get_data() == client.get("/night-drive").get_data()
    assert re.search(
        r'<script src="/static/js/smart-link\.[0-9a-f]{12}\.js" defer></script>',
        response.get_data(as_text=True),
    )


def test_a_platform_found_later_appears_on_the_page(client, rows, live):
    assert "/night-drive/go/tidal" not in client.get("/night-drive").get_data(as_text=True)
    rows.link(live, "tidal")
    assert "/night-drive/go/tidal" in client.get("/night-drive").get_data(as_text=True)


def test_the_smart_link_is_self_contained_and_within_budget(client, live):
    response = client.get("/night-drive")
    html = response.get_data()
    text = html.decode()
    # Everything it loads or links to is on this site; only the addresses that name the
    # page itself for search engines (canonical, each language's alternate) are absolute.
    names_itself = r'<link rel="(?:canonical|alternate)"[^>]*>'
    for url in re.findall(r'(?:src|href)="([^"]+)"', re.sub(names_itself, "", text)):
        assert url.startswith("/"), url
    assert "<style" not in text and "style=" not in text
    assert all(tag.count("src=") == 1 for tag in re.findall(r"<script[^>]*>", text))
    sent = first_view(client, "/night-drive")
    assert any("/css/smart-link." in url for url in sent) and any("marks." in url for url in sent)
    assert sum(sent.values()) <= FIRST_VIEW_BUDGET, sent


# -- /<slug>/go/<platform> ----------------------------------------------------------------------


def test_a_button_counts_one_click_and_redirects_to_the_stored_link(client, rows, live):
    first = client.get("/night-drive/go/deezer")
    assert first.status_code == 302 and first.headers["Location"] == URLS["deezer"]
    assert "no-store" in first.headers["Cache-Control"]
    assert rows.clicks(live) == [("deezer", "smart_link")]
    client.get("/night-drive/go/deezer")
    assert rows.clicks(live) == [("deezer", "smart_link")] * 2


def test_go_never_redirects_to_a_url_from_the_request(client, rows, live):
    answer = client.get(
        "/night-drive/go/deezer?url=https://evil.example/&next=//evil.example",
        headers={"Referer": "https://evil.example/"},
    )
    assert answer.headers["Location"] == URLS["deezer"]


def test_a_link_checker_s_head_request_counts_no_click(client, rows, live):
    assert client.head("/night-drive/go/deezer").status_code == 302
    assert rows.clicks(live) == []


@pytest.mark.parametrize(
    "path",
    [
        "/night-drive/go/tidal",  # offered, not found (yet)
        "/night-drive/go/myspace",  # no such platform
        "/night-drive/go/https:evil.example",
        "/no-such-page/go/deezer",
        "/" + "a" * 300 + "/go/deezer",
    ],
)
def test_an_unknown_platform_or_page_is_a_friendly_404_and_counts_nothing(client, rows, live, path):
    answer = client.get(path)
    assert answer.status_code == 404
    html = answer.get_data(as_text=True)
    assert "css/fan." in html and "Log in" not in html
    assert rows.clicks(live) == []


def test_a_stored_link_that_is_not_a_web_address_is_never_followed(client, rows, campaign):
    rows.live(campaign)
    rows.link(campaign, "deezer", url="javascript:alert(1)")
    assert client.get("/night-drive/go/deezer").status_code == 404
    assert "/go/deezer" not in client.get("/night-drive").get_data(as_text=True)
    assert rows.clicks(campaign) == []


# -- /r/<token> ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["email", "push"])
def test_a_personal_link_goes_to_the_fan_s_platform_and_counts_its_source(
    app, client, rows, live, source
):
    fan = rows.signup(live, "fan@example.com", "spotify")
    answer = client.get(link_for(app, fan, source))
    assert answer.status_code == 302 and answer.headers["Location"] == URLS["spotify"]
    assert "no-store" in answer.headers["Cache-Control"]
    assert rows.clicks(live) == [("spotify", source)]


def test_while_the_fan_s_platform_is_not_found_the_link_opens_the_smart_link(
    app, client, rows, live
):
    fan = rows.signup(live, "fan@example.com", "tidal", mode="direct")
    answer = client.get(link_for(app, fan, "email"))
    assert answer.status_code == 302 and answer.headers["Location"] == "/night-drive"
    assert rows.clicks(live) == [(None, "email")]
    rows.link(live, "tidal")
    assert client.get(link_for(app, fan, "email")).headers["Location"] == URLS["tidal"]


def forged(app, value, key=None):
    serializer = URLSafeSerializer(key or app.config["SECRET_KEY"], salt="dropday.personal-link")
    return "/r/" + serializer.dumps(value)


@pytest.mark.parametrize(
    "token",
    [
        lambda app, fan: "/r/not-a-token",
        lambda app, fan: link_for(app, fan, "email")[:-2] + "xx",  # tampered signature
        lambda app, fan: forged(app, [fan.id, "email"], key="someone else's key"),
        lambda app, fan: forged(app, [fan.id, "sms"]),  # not a source Dropday signs
        lambda app, fan: forged(app, [str(fan.id), "email"]),
        lambda app, fan: forged(app, {"signup": fan.id}),
        lambda app, fan: forged(app, [fan.id + 1000, "email"]),  # no such fan
        lambda app, fan: "/r/" + "a" * 5000,
    ],
)
def test_a_bad_or_forged_token_is_a_friendly_404_and_counts_nothing(app, client, rows, live, token):
    fan = rows.signup(live, "fan@example.com", "spotify")
    answer = client.get(token(app, fan))
    assert answer.status_code == 404
    assert "css/fan." in answer.get_data(as_text=True)
    assert rows.clicks(live) == []


def test_a_deleted_fan_s_link_stops_working(app, client, rows, live):
    fan = rows.signup(live, "fan@example.com", "spotify")
    path = link_for(app, fan, "email")
    with app.app_context():
        db.session.delete(db.session.get(Signup, fan.id))
        db.session.commit()
    assert client.get(path).status_code == 404
