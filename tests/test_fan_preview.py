"""The fan page preview beside the campaign form: it shows the colours and words the page
would have, for the artwork just chosen, before anything is saved."""

import io
import re

from app.extensions import db
from app.models import Campaign
from tests.look_artworks import ARTWORKS


def test_the_preview_takes_the_chosen_artwork_and_theme_before_saving(app, logged_in):
    response = logged_in.post(
        "/dashboard/campaigns/preview",
        data={
            "title": "Night Drive",
            "artist_name": "The Owls",
            "theme": "dark",
            "platforms": ["spotify", "deezer"],
            "artwork": (io.BytesIO(ARTWORKS["saturated"]), "cover.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Night Drive" in html and "The Owls" in html
    assert 'src="data:image/jpeg;base64,' in html
    sheet = re.search(r'href="(/media/look/preview/dark-[0-9a-f]{6}-[0-9a-f]{6}\.css)"', html)
    css = logged_in.get(sheet.group(1)).get_data(as_text=True)
    assert css.startswith(".fan-preview{color-scheme:dark;")
    assert html.index("Spotify") < html.index("Deezer") and "TIDAL" not in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Campaign)) == 0


def test_an_unreadable_upload_or_unknown_theme_still_previews_with_a_message(logged_in):
    response = logged_in.post(
        "/dashboard/campaigns/preview",
        data={"title": "X", "theme": "neon", "artwork": (io.BytesIO(b"nope"), "a.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Artwork must be a PNG, JPEG or WebP image." in html and 'data-theme="artwork"' in html


def test_the_edit_form_shows_the_saved_pages_preview_and_a_stranger_gets_404(
    logged_in, make, artist
):
    mine = make.campaign(owner=artist, title="Mine", theme="light")
    html = logged_in.get(f"/dashboard/campaigns/{mine.id}/edit").get_data(as_text=True)
    assert 'id="fan-preview"' in html and "/media/look/preview/light-" in html
    theirs = make.campaign(owner=make.artist(email="bo@example.com", name="Bo"))
    answer = logged_in.post(f"/dashboard/campaigns/preview?campaign={theirs.id}", data={})
    assert answer.status_code == 404
    assert logged_in.post("/dashboard/campaigns/preview?campaign=x", data={}).status_code == 404
