"""Campaigns in the dashboard: create, edit, activate, delete, and the messages on bad input."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.test import EnvironBuilder

from app.extensions import db
from app.models import Campaign
from app.platforms import registry
from tests.factories import artwork_is_stored, log_in, png_bytes

NEXT_MONTH = date.today() + timedelta(days=30)


def form(**fields):
    data = {
        "title": "Night Drive",
        "artist_name": "Luna Vale",
        "release_date": NEXT_MONTH.isoformat(),
        "time_zone": "America/New_York",
        "release_source": "https://open.spotify.com/intl-de/album/4aawyAB9vmqN3uQ7FjRGTy?si=abc",
        "platforms": list(registry.KEYS),
        "slug": "",
        "artwork": (io.BytesIO(png_bytes()), "cover.png"),
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def post_form(client, path, data):
    """POST multipart data; big bodies spill to a temp file that the test client leaves open."""
    builder = EnvironBuilder(
        path=path, method="POST", data=data, content_type="multipart/form-data"
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def create(client, **fields):
    return post_form(client, "/dashboard/campaigns/new", form(**fields))


def campaigns(app):
    with app.app_context():
        return db.session.scalars(db.select(Campaign).order_by(Campaign.id)).all()


def test_an_artist_creates_a_campaign_with_every_field(logged_in, app):
    response = create(logged_in)
    assert response.status_code == 303
    [campaign] = campaigns(app)
    assert campaign.title == "Night Drive" and campaign.artist_name == "Luna Vale"
    assert campaign.slug == "night-drive"
    assert (campaign.source_kind, campaign.source_value) == (
        "spotify",
        "spotify:album:4aawyAB9vmqN3uQ7FjRGTy",
    )
    # Local midnight in New York, stored in UTC.
    assert campaign.release_at.tzinfo is not None
    assert campaign.release_at.astimezone(UTC).hour in (4, 5)
    assert campaign.release_at.astimezone(UTC).date() == NEXT_MONTH
    assert campaign.platforms == list(registry.KEYS)
    assert campaign.active and campaign.phase == "presave"
    for rendition in ("page.jpg", "thumb.jpg"):
        assert artwork_is_stored(app, campaign.artwork, rendition)

    listing = logged_in.get("/dashboard/").text
    assert "Night Drive" in listing
    assert "Spotify album 4aawyAB9vmqN3uQ7FjRGTy" in listing


def test_the_release_moment_is_local_midnight_of_the_release_day(logged_in, app):
    create(logged_in, time_zone="Asia/Tokyo", release_date="2027-03-01")
    [campaign] = campaigns(app)
    assert campaign.release_at == datetime(2027, 2, 28, 15, 0, tzinfo=UTC)


def test_the_form_shows_every_field_with_its_agreed_label_and_all_platforms_on(logged_in):
    page = logged_in.get("/dashboard/campaigns/new").text
    for label in (
        "Release title",
        "Artist name",
        "Artwork",
        "Release date",
        "Time zone",
        "Release source",
        "Page address",
    ):
        assert f">{label}</label>" in page
    for platform in registry.PLATFORMS:
        assert f'value="{platform.key}"' in page and platform.name in page
    assert page.count("checked") >= len(registry.PLATFORMS)


@pytest.mark.parametrize(
    ("source", "stored", "shown"),
    [
        (
            "spotify:track:11dFghVXANMlKmJXsNCbNl",
            ("spotify", "spotify:track:11dFghVXANMlKmJXsNCbNl"),
            "Spotify track 11dFghVXANMlKmJXsNCbNl",
        ),
        ("602445790609", ("upc", "602445790609"), "UPC 602445790609"),
        ("us-um7-17-03861", ("isrc", "USUM71703861"), "ISRC USUM71703861"),
    ],
)
def test_each_kind_of_release_source_is_stored_normalized_and_shown_as_what_it_is(
    logged_in, app, source, stored, shown
):
    assert create(logged_in, release_source=source).status_code == 303
    [campaign] = campaigns(app)
    assert (campaign.source_kind, campaign.source_value) == stored
    assert shown in logged_in.get("/dashboard/").text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter the release title."),
        ({"artist_name": "  "}, "Enter the artist name."),
        ({"release_date": "next friday"}, "Enter the release date"),
        ({"release_date": "2001-01-01"}, "can&#39;t be in the past"),
        ({"time_zone": "Mars/Olympus"}, "Choose a time zone from the list"),
        ({"release_source": "hello"}, "Enter a Spotify album or track link"),
        ({"release_source": "602445790608"}, "check digit"),
        (
            {"release_source": "https://open.spotify.com/artist/4aawyAB9vmqN3uQ7FjRGTy"},
            "Only album or track links",
        ),
        ({"platforms": []}, "Choose at least one platform."),
        ({"slug": "Bad Slug!"}, "lower"),
        ({"slug": "dashboard"}, "used by Dropday itself"),
        ({"artwork": None}, "Add the release artwork"),
        (
            {"artwork": (io.BytesIO(b"GIF89a not really"), "cover.gif")},
            "Artwork must be a PNG, JPEG or WebP image.",
        ),
        ({"artwork": (io.BytesIO(png_bytes((100, 100))), "tiny.png")}, "at least 300"),
    ],
)
def test_a_bad_field_comes_back_next_to_the_field_with_422_and_nothing_saved(
    logged_in, app, fields, message
):
    response = create(logged_in, **fields)
    assert response.status_code == 422
    assert message.lower() in response.text.lower()
    assert 'class="field has-error"' in response.text
    assert campaigns(app) == []


def test_artwork_over_five_megabytes_is_refused(logged_in, app):
    big = io.BytesIO(png_bytes() + b"\0" * (5 * 1024 * 1024))
    response = create(logged_in, artwork=(big, "huge.png"))
    assert response.status_code == 422
    assert "5 MB or smaller" in response.text
    assert campaigns(app) == []


def test_an_upload_beyond_the_request_limit_gets_a_clear_413(logged_in, app):
    huge = io.BytesIO(b"\0" * (7 * 1024 * 1024))
    response = create(logged_in, artwork=(huge, "huge.png"))
    assert response.status_code == 413
    assert "5 MB or smaller" in response.text


def test_control_characters_are_dropped_from_text_fields(logged_in, app):
    response = create(logged_in, title=" Night\x00 Drive\x07 ", artist_name="Luna\x1bVale")
    assert response.status_code == 303
    [campaign] = campaigns(app)
    assert (campaign.title, campaign.artist_name) == ("Night Drive", "LunaVale")


def test_bidirectional_controls_are_dropped_from_text_fields(logged_in, app):
    # U+202E would make "evil\u202egpj.exe" read as "evilexe.jpg" on the fan page.
    title = "Night\u202eevird \u2066Drive\u2069\u202a\u202b\u202c\u202d\u2067\u2068"
    response = create(logged_in, title=title, artist_name="\u202eLuna Vale")
    assert response.status_code == 303
    [campaign] = campaigns(app)
    assert (campaign.title, campaign.artist_name) == ("Nightevird Drive", "Luna Vale")


def test_two_releases_with_one_title_get_different_addresses(logged_in, app):
    create(logged_in)
    create(logged_in)
    assert [c.slug for c in campaigns(app)] == ["night-drive", "night-drive-2"]


def test_a_taken_page_address_is_refused(logged_in, app, make, artist):
    other = make.artist()
    make.campaign(other, slug="taken-address")
    response = create(logged_in, slug="taken-address")
    assert response.status_code == 422
    assert "taken" in response.text


def test_editing_keeps_the_artwork_unless_a_new_one_is_uploaded(
    media_backend, logged_in, app, make, artist
):
    # On every storage backend: the old renditions go after the response that shows them.
    campaign = make.campaign(artist, title="Old title")
    url = f"/dashboard/campaigns/{campaign.id}/edit"
    page = logged_in.get(url).text
    assert "Old title" in page and campaign.source_value in page

    response = logged_in.post(
        url,
        data=form(title="New title", slug=campaign.slug, artwork=None),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    [edited] = campaigns(app)
    assert edited.title == "New title" and edited.artwork == campaign.artwork

    response = logged_in.post(
        url, data=form(slug=campaign.slug), content_type="multipart/form-data"
    )
    [replaced] = campaigns(app)
    assert replaced.artwork != campaign.artwork
    # The old artwork goes once the response is sent, not before.
    assert artwork_is_stored(app, campaign.artwork, "page.jpg")
    response.close()
    assert not artwork_is_stored(app, campaign.artwork, "page.jpg")
    assert artwork_is_stored(app, replaced.artwork, "page.jpg")


def test_a_past_release_date_may_stay_when_editing_other_fields(logged_in, app, make, artist):
    campaign = make.campaign(artist, release_date=date(2020, 5, 1))
    response = logged_in.post(
        f"/dashboard/campaigns/{campaign.id}/edit",
        data=form(
            release_date="2020-05-01", time_zone="Europe/Berlin", slug=campaign.slug, artwork=None
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303


def test_a_failed_edit_changes_nothing(logged_in, app, make, artist):
    campaign = make.campaign(artist, title="Keep me")
    response = logged_in.post(
        f"/dashboard/campaigns/{campaign.id}/edit",
        data=form(title="Changed", release_source="nope", artwork=None),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    [unchanged] = campaigns(app)
    assert unchanged.title == "Keep me"


def test_the_active_toggle_answers_htmx_with_its_fragment(logged_in, app, make, artist):
    campaign = make.campaign(artist)
    response = logged_in.post(
        f"/dashboard/campaigns/{campaign.id}/active",
        data={"active": "0"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert response.text.lstrip().startswith("<form") and "Paused" in response.text
    assert "<html" not in response.text
    assert campaigns(app)[0].active is False


def test_the_active_toggle_works_as_a_plain_form_post(logged_in, app, make, artist):
    campaign = make.campaign(artist, active=False)
    response = logged_in.post(f"/dashboard/campaigns/{campaign.id}/active", data={"active": "1"})
    assert response.status_code == 303
    assert campaigns(app)[0].active is True
    assert "is active" in logged_in.get("/dashboard/").text


def test_deleting_asks_first_then_removes_the_campaign_and_its_artwork(
    logged_in, app, make, artist
):
    campaign = make.campaign(artist, title="Doomed")
    url = f"/dashboard/campaigns/{campaign.id}/delete"
    confirm = logged_in.get(url)
    assert confirm.status_code == 200 and "be undone" in confirm.text
    assert len(campaigns(app)) == 1

    response = logged_in.post(url)
    assert response.status_code == 303
    assert campaigns(app) == []
    response.close()
    assert not artwork_is_stored(app, campaign.artwork, "thumb.jpg")
    assert "“Doomed” was deleted." in logged_in.get("/dashboard/").text


def test_inline_validation_answers_the_field_with_its_message(logged_in):
    response = logged_in.post(
        "/dashboard/campaigns/validate/release_source",
        data={"release_source": "not a source"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="field-release_source"' in response.text
    assert "Enter a Spotify album or track link" in response.text
    assert "<html" not in response.text

    fine = logged_in.post(
        "/dashboard/campaigns/validate/release_source", data={"release_source": "GBAYE0601498"}
    )
    assert "has-error" not in fine.text


def test_inline_validation_of_a_slug_knows_the_campaign_being_edited(logged_in, make, artist):
    campaign = make.campaign(artist, slug="my-own-address")
    response = logged_in.post(
        f"/dashboard/campaigns/validate/slug?campaign={campaign.id}",
        data={"slug": "my-own-address"},
    )
    assert "has-error" not in response.text
    response = logged_in.post("/dashboard/campaigns/validate/slug", data={"slug": "my-own-address"})
    assert "taken" in response.text


def test_an_expired_session_sends_htmx_to_the_login_page_instead_of_a_fragment(
    client, make, artist
):
    campaign = make.campaign(artist)
    response = client.post(
        f"/dashboard/campaigns/{campaign.id}/active",
        data={"active": "0"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert response.text == ""


def test_the_dashboard_lists_only_the_artists_own_campaigns(logged_in, make, artist):
    make.campaign(artist, title="Mine")
    make.campaign(make.artist(), title="Someone else's")
    page = logged_in.get("/dashboard/").text
    assert "Mine" in page and "Someone else" not in page


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "couldn&#39;t find that page" in response.text


def test_a_platform_the_installation_switched_off_is_not_offered(make_app, artist):
    client = make_app(DISABLED_PLATFORMS=frozenset({"tidal", "apple_music"})).test_client()
    log_in(client, artist.email)
    page = client.get("/dashboard/campaigns/new").text
    assert 'value="tidal"' not in page and 'value="apple_music"' not in page
    assert 'value="spotify"' in page


def test_the_edit_form_warns_about_shared_links_and_does_not_say_leave_empty(
    logged_in, make, artist
):
    campaign = make.campaign(artist, slug="glass-rivers")
    edit = logged_in.get(f"/dashboard/campaigns/{campaign.id}/edit").text
    assert "Leave empty" not in edit and "made from the title" not in edit
    assert "Links you already shared point to the current address" in edit
    assert "/glass-rivers" in edit
    new = logged_in.get("/dashboard/campaigns/new").text
    assert "Leave empty to use the title." in new
    assert "Links you already shared" not in new


def test_emptying_the_address_on_edit_keeps_it(logged_in, app, make, artist):
    campaign = make.campaign(artist, slug="glass-rivers")
    response = post_form(
        logged_in, f"/dashboard/campaigns/{campaign.id}/edit", form(slug="", artwork=None)
    )
    assert response.status_code == 303
    assert campaigns(app)[0].slug == "glass-rivers"


def test_time_zones_are_grouped_by_region_with_date_and_zone_side_by_side(logged_in):
    page = logged_in.get("/dashboard/campaigns/new").text
    assert '<optgroup label="Europe">' in page
    assert '<option value="Europe/Berlin">Berlin</option>' in page
    assert (
        '<option value="America/Argentina/Buenos_Aires">Argentina / Buenos Aires</option>' in page
    )
    row = page.split('id="release-moment"')[1].split('id="field-release_source"')[0]
    assert 'id="field-release_date"' in row and 'id="field-time_zone"' in row


def test_a_zone_that_is_not_offered_is_still_refused(logged_in, app):
    response = create(logged_in, time_zone="Mars/Olympus_Mons")
    assert response.status_code == 422
    assert "Choose a time zone from the list" in response.text
    assert campaigns(app) == []


def test_the_artwork_hint_says_what_happens_to_a_non_square_image(logged_in):
    page = logged_in.get("/dashboard/campaigns/new").text
    assert "cropped to its centred square" in page
    assert 'data-max-bytes="5242880"' in page


def test_an_edit_shows_on_the_fan_page_at_once_in_the_process_that_saved_it(
    logged_in, app, make, artist
):
    app.config["FAN_PAGE_CACHE_SECONDS"] = 30  # the page is kept for later visitors
    campaign = make.campaign(artist, title="Old title")
    assert "Old title" in logged_in.get(f"/{campaign.slug}").text
    response = logged_in.post(
        f"/dashboard/campaigns/{campaign.id}/edit",
        data=form(title="New title", slug=campaign.slug, artwork=None),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert "New title" in logged_in.get(f"/{campaign.slug}").text
