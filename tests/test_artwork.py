import io

import pytest
from PIL import Image

from app.campaigns.artwork import (
    MAX_ARTWORK_BYTES,
    RENDITION_FILES,
    WIDTHS,
    InvalidArtwork,
    delete_artwork,
    process_artwork,
    rendition_name,
)
from app.extensions import db
from app.media.folder import FolderStorage
from app.media.storage import storage
from app.models import Campaign


def image_bytes(size=(600, 600), fmt="PNG", mode="RGB", color=(200, 30, 60), **save_args):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save_args)
    return buffer.getvalue()


def stored(upload_folder, key, rendition):
    with Image.open(upload_folder / rendition_name(key, rendition)) as image:
        image.load()
        return image


def refusal(data, upload_folder):
    with pytest.raises(InvalidArtwork) as caught:
        process_artwork(io.BytesIO(data), FolderStorage(upload_folder))
    assert not (upload_folder / "artwork").exists() or not any(
        (upload_folder / "artwork").iterdir()
    )
    return str(caught.value)


def test_a_png_is_stored_as_a_square_page_and_a_square_thumbnail(tmp_path):
    key, _ = process_artwork(io.BytesIO(image_bytes((2400, 2400))), FolderStorage(tmp_path))

    page, thumb = stored(tmp_path, key, "page.jpg"), stored(tmp_path, key, "thumb.jpg")
    assert (page.format, page.mode, page.size) == ("JPEG", "RGB", (1200, 1200))
    assert (thumb.format, thumb.mode, thumb.size) == ("JPEG", "RGB", (240, 240))
    assert sorted(p.name for p in (tmp_path / "artwork").iterdir()) == sorted(
        f"{key}-{rendition}" for rendition in RENDITION_FILES
    )


def test_each_width_is_stored_in_avif_webp_and_jpeg_and_the_share_card_is_1200_by_630(tmp_path):
    key, _ = process_artwork(io.BytesIO(image_bytes((2400, 2400))), FolderStorage(tmp_path))

    for width in WIDTHS:
        for ext, pillow_format in (("avif", "AVIF"), ("webp", "WEBP"), ("jpg", "JPEG")):
            image = stored(tmp_path, key, f"{width}.{ext}")
            assert (image.format, image.size) == (pillow_format, (width, width))
    card = stored(tmp_path, key, "og.jpg")
    assert (card.format, card.size) == ("JPEG", (1200, 630))


def test_a_small_image_is_not_upscaled_for_the_page(tmp_path):
    key, _ = process_artwork(io.BytesIO(image_bytes((400, 300), "JPEG")), FolderStorage(tmp_path))
    assert stored(tmp_path, key, "page.jpg").size == (300, 300)


@pytest.mark.parametrize("size", [(1600, 800), (800, 1600)])
def test_a_non_square_image_is_cropped_to_its_centred_square_never_stretched(tmp_path, size):
    # A red square in the middle, blue bands on the two long sides.
    image = Image.new("RGB", size, (0, 0, 255))
    short = min(size)
    left, top = (size[0] - short) // 2, (size[1] - short) // 2
    image.paste((255, 0, 0), (left, top, left + short, top + short))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    key, _ = process_artwork(io.BytesIO(buffer.getvalue()), FolderStorage(tmp_path))
    for rendition, side in (("page.jpg", short), ("thumb.jpg", 240)):
        stored_image = stored(tmp_path, key, rendition)
        assert stored_image.size == (side, side)
        for corner in ((2, 2), (side - 3, 2), (2, side - 3), (side - 3, side - 3)):
            r, _, b = stored_image.getpixel(corner)
            assert r > 200 and b < 60, (rendition, corner)


def test_a_webp_is_accepted(tmp_path):
    key, _ = process_artwork(io.BytesIO(image_bytes(fmt="WEBP")), FolderStorage(tmp_path))
    assert stored(tmp_path, key, "page.jpg").size == (600, 600)


def test_transparent_areas_become_white_not_black(tmp_path):
    data = image_bytes(mode="RGBA", color=(0, 0, 0, 0))
    key, _ = process_artwork(io.BytesIO(data), FolderStorage(tmp_path))
    for rendition in ("page.jpg", "thumb.jpg"):
        r, g, b = stored(tmp_path, key, rendition).getpixel((10, 10))
        assert min(r, g, b) >= 250


def test_a_palette_png_with_a_transparent_colour_becomes_white(tmp_path):
    image = Image.new("P", (400, 400), 0)
    image.putpalette([0, 0, 0] * 256)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    key, _ = process_artwork(io.BytesIO(buffer.getvalue()), FolderStorage(tmp_path))
    assert min(stored(tmp_path, key, "page.jpg").getpixel((5, 5))) >= 250


def test_a_photo_taken_sideways_is_turned_upright_by_its_exif_orientation(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display: the left half ends up on top
    image = Image.new("RGB", (800, 400), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 400, 400))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    key, _ = process_artwork(io.BytesIO(buffer.getvalue()), FolderStorage(tmp_path))
    page = stored(tmp_path, key, "page.jpg")
    assert page.size == (400, 400)
    r, _, b = page.getpixel((350, 50))  # top right: red only if turned upright
    assert r > 200 and b < 60


def test_each_upload_gets_its_own_key(tmp_path):
    data = image_bytes()
    assert (
        process_artwork(io.BytesIO(data), FolderStorage(tmp_path))[0]
        != process_artwork(io.BytesIO(data), FolderStorage(tmp_path))[0]
    )


def test_a_gif_is_refused_as_the_wrong_format(tmp_path):
    message = refusal(image_bytes(fmt="GIF", mode="P", color=1), tmp_path)
    assert message == "Artwork must be a PNG, JPEG or WebP image."


def test_a_text_file_named_like_an_image_is_refused_as_the_wrong_format(tmp_path):
    assert refusal(b"not really a png\n" * 100, tmp_path) == (
        "Artwork must be a PNG, JPEG or WebP image."
    )


def test_a_file_over_5_mb_is_refused_without_reading_all_of_it(tmp_path):
    stream = io.BytesIO(image_bytes() + b"\0" * MAX_ARTWORK_BYTES * 2)
    with pytest.raises(InvalidArtwork, match=r"^Artwork must be 5 MB or smaller\.$"):
        process_artwork(stream, FolderStorage(tmp_path))
    assert stream.tell() == MAX_ARTWORK_BYTES + 1


def test_a_truncated_png_is_refused_as_unreadable(tmp_path):
    buffer = io.BytesIO()
    Image.effect_noise((800, 800), 64).convert("RGB").save(buffer, "PNG")
    data = buffer.getvalue()
    assert refusal(data[: len(data) // 2], tmp_path) == "That file isn't a readable image."


def test_an_image_under_300_pixels_on_a_side_is_refused(tmp_path):
    expected = "Artwork must be at least 300×300 pixels."  # noqa: RUF001
    assert refusal(image_bytes((100, 100)), tmp_path) == expected
    assert refusal(image_bytes((1000, 299)), tmp_path) == expected


@pytest.mark.parametrize("size", [(400, 400), (1000, 1000)])
def test_a_decompression_bomb_is_refused(tmp_path, monkeypatch, size):
    data = image_bytes(size)
    # Over the limit warns, over twice the limit errors; both must be refused.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300 * 300)
    assert "too many pixels" in refusal(data, tmp_path)


def test_artwork_names_refuse_keys_that_could_escape_the_folder():
    for key in ["../../etc/passwd", "ABCDEF", "", "a" * 31, "g" * 32]:
        with pytest.raises(ValueError, match="not an artwork key"):
            rendition_name(key, "page.jpg")
    with pytest.raises(ValueError, match="unknown artwork rendition"):
        rendition_name("a" * 32, "original")


def test_deleting_artwork_removes_both_renditions_and_tolerates_missing_files(tmp_path):
    key, _ = process_artwork(io.BytesIO(image_bytes()), FolderStorage(tmp_path))
    delete_artwork(FolderStorage(tmp_path), key)
    assert not any((tmp_path / "artwork").iterdir())
    delete_artwork(FolderStorage(tmp_path), key)


def test_artwork_stored_before_renditions_gets_them_and_its_palette(app, make, artist, runner):
    campaign = make.campaign(owner=artist, slug="old-cover")
    with app.app_context():
        row = db.session.get(Campaign, campaign.id)
        old_key = row.artwork
        # As stored before renditions: only the page and thumbnail JPEGs, no palette.
        storage().delete(
            rendition_name(old_key, r) for r in RENDITION_FILES - {"page.jpg", "thumb.jpg"}
        )
        row.palette_dominant = row.palette_accent = None
        db.session.commit()

    result = runner.invoke(args=["refresh-artwork"])
    assert "Refreshed the artwork of 1 campaign(s)." in result.output

    with app.app_context():
        row = db.session.get(Campaign, campaign.id)
        assert row.artwork != old_key and row.palette is not None
        assert all(storage().get(rendition_name(row.artwork, r)) for r in RENDITION_FILES)
        assert storage().get(rendition_name(old_key, "page.jpg")) is None
