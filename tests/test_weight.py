"""Weight and speed: the app compresses its answers, static files have content-hashed,
immutable addresses with precompressed copies, and artwork fits a phone."""

import io
import re

import brotli
import pytest
from PIL import Image

from app.campaigns.artwork import process_artwork, rendition_name
from app.media.storage import storage

PHONE_ARTWORK_BUDGET = 60 * 1024


@pytest.fixture
def campaign(make, artist):
    return make.campaign(owner=artist, title="Night Drive", slug="night-drive")


def photo_like(side=1600) -> bytes:
    """Gradients and grain: much harder to compress than a flat test image."""
    size = (side, side)
    image = Image.merge(
        "RGB",
        [
            Image.radial_gradient("L").resize(size),
            Image.linear_gradient("L").resize(size),
            Image.effect_noise(size, 40),
        ],
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_pages_are_sent_with_brotli_or_gzip_as_the_browser_accepts(client, campaign):
    br = client.get("/night-drive", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in br.headers["Vary"]
    assert b"Night Drive" in brotli.decompress(br.get_data())
    gz = client.get("/night-drive", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    plain = client.get("/night-drive")
    assert "Content-Encoding" not in plain.headers and b"Night Drive" in plain.get_data()


def test_static_files_have_hashed_immutable_addresses_and_precompressed_copies(client, campaign):
    html = client.get("/night-drive").get_data(as_text=True)
    url = re.search(r'href="(/static/css/fan\.[0-9a-f]{12}\.css)"', html).group(1)
    hashed = client.get(url, headers={"Accept-Encoding": "br"})
    assert hashed.status_code == 200
    assert hashed.headers["Content-Encoding"] == "br"
    assert "immutable" in hashed.headers["Cache-Control"]
    assert hashed.headers["X-Content-Type-Options"] == "nosniff"
    plain = client.get("/static/css/fan.css")
    assert plain.status_code == 200 and "immutable" not in plain.headers["Cache-Control"]
    assert brotli.decompress(hashed.get_data()) == plain.get_data()
    hashed.close()
    plain.close()
    assert client.get("/static/css/no-such.css").status_code == 404


def test_artwork_at_a_phones_width_weighs_at_most_60_kb_and_is_kept_for_a_year(app):
    with app.app_context():
        key, _ = process_artwork(io.BytesIO(photo_like()), storage())
        # A 390 px phone at 3x shows the artwork 358 CSS px wide: the 1080 px rendition.
        for ext in ("avif", "webp"):
            size = storage().get(rendition_name(key, f"1080.{ext}")).size
            assert size <= PHONE_ARTWORK_BUDGET, (ext, size)
    response = app.test_client().get(f"/media/artwork/{key}-1080.avif")
    assert response.status_code == 200 and response.mimetype == "image/avif"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    response.close()
    assert app.test_client().get(f"/media/artwork/{key}-999.avif").status_code == 404


def test_a_shared_link_previews_a_1200_by_630_card_of_the_artwork_title_and_artist(
    client, campaign
):
    html = client.get("/night-drive").get_data(as_text=True)
    url = re.search(r'<meta property="og:image" content="http://localhost([^"]+)"', html).group(1)
    assert url.endswith("-og.jpg")
    assert '<meta property="og:image:width" content="1200">' in html
    card = client.get(url)
    with Image.open(io.BytesIO(card.get_data())) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 630))
    card.close()
