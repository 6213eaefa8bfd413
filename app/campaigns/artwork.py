"""Validate an uploaded artwork image and store the renditions the pages show.

Every rendition goes through `store_rendition` into the media storage the caller passes
(app/media/storage.py), so the backend is a setting, never a concern of this module.
"""

import io
import os
import re
import uuid
import warnings
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError, features

from app.campaigns.palette import Palette, derive_palette
from app.campaigns.share_card import share_card
from app.media.storage import Storage

MAX_ARTWORK_BYTES = 5 * 1024 * 1024
MIN_SIDE = 300
PAGE_SIDE = 1200
THUMB_SIZE = (240, 240)
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")
# The widths a page picks from (srcset), each in every format the browser may take.
WIDTHS = (240, 480, 720, 1080)
# extension: (Pillow format, MIME type, encoder options), best first.
FORMATS = {
    "avif": ("AVIF", "image/avif", {"quality": 50, "speed": 8}),
    "webp": ("WEBP", "image/webp", {"quality": 72, "method": 5}),
    "jpg": ("JPEG", "image/jpeg", {"quality": 80, "optimize": True, "progressive": True}),
}
if not features.check("avif"):
    del FORMATS["avif"]
# The page and thumbnail (emails, dashboard), the share card (og:image), the widths.
RENDITION_FILES = {"page.jpg", "thumb.jpg", "og.jpg"} | {
    f"{width}.{ext}" for width in WIDTHS for ext in FORMATS
}

WRONG_FORMAT = "Artwork must be a PNG, JPEG or WebP image."
TOO_BIG = "Artwork must be 5 MB or smaller."
UNREADABLE = "That file isn't a readable image."
TOO_SMALL = f"Artwork must be at least {MIN_SIDE}×{MIN_SIDE} pixels."  # noqa: RUF001 - typographic times sign
TOO_MANY_PIXELS = "That image has too many pixels to process — export it smaller."

_KEY = re.compile(r"[0-9a-f]{32}")


class InvalidArtwork(ValueError):
    """The upload cannot be used as artwork; the message tells the artist why."""


def check_size(stream: BinaryIO) -> None:
    """Refuse an upload over the size limit before anything reads it (the form's check)."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > MAX_ARTWORK_BYTES:
        raise InvalidArtwork(TOO_BIG)


def process_artwork(
    stream: BinaryIO, storage: Storage, title: str = "", artist: str = ""
) -> tuple[str, Palette]:
    """Store the renditions of an upload; return their key and the artwork's palette."""
    image = _read(stream)
    # Pages show artwork square: a non-square upload is cropped to its centred square
    # (as streaming platforms show covers), never stretched, and never upscaled.
    side = min(PAGE_SIDE, *image.size)
    page = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    thumb = _thumbnail(image)
    palette = derive_palette(thumb)

    key = uuid.uuid4().hex
    try:
        store_rendition(storage, key, "page.jpg", _encode(page, "jpg"))
        store_rendition(storage, key, "thumb.jpg", _encode(thumb, "jpg"))
        card = share_card(page, title, artist, palette)
        store_rendition(storage, key, "og.jpg", _encode(card, "jpg"))
        for width in WIDTHS:
            size = min(width, side)
            resized = page.resize((size, size), Image.Resampling.LANCZOS)
            for ext in FORMATS:
                store_rendition(storage, key, f"{width}.{ext}", _encode(resized, ext))
    except BaseException:
        delete_artwork(storage, key)
        raise
    return key, palette


def preview_artwork(stream: BinaryIO) -> tuple[bytes, Palette]:
    """A not yet saved upload's thumbnail (JPEG bytes) and palette, for the live preview;
    nothing is stored."""
    thumb = _thumbnail(_read(stream))
    return _encode(thumb, "jpg"), derive_palette(thumb)


def _read(stream: BinaryIO) -> Image.Image:
    data = stream.read(MAX_ARTWORK_BYTES + 1)
    if len(data) > MAX_ARTWORK_BYTES:
        raise InvalidArtwork(TOO_BIG)
    image = _decode(data)
    if min(image.size) < MIN_SIDE:
        raise InvalidArtwork(TOO_SMALL)
    return image


def _thumbnail(image: Image.Image) -> Image.Image:
    return ImageOps.fit(image, THUMB_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def rendition_name(key: str, rendition: str) -> str:
    """The storage name of rendition ("page.jpg", "480.avif", ...) of artwork `key`."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(f"not an artwork key: {key!r}")
    if rendition not in RENDITION_FILES:
        raise ValueError(f"unknown artwork rendition: {rendition!r}")
    return f"artwork/{key}-{rendition}"


def mimetype(name: str) -> str:
    """The MIME type of a rendition (or a stored name) by its extension."""
    found = FORMATS.get(name.rsplit(".", 1)[-1])
    return found[1] if found else "application/octet-stream"


def store_rendition(storage: Storage, key: str, rendition: str, data: bytes) -> None:
    storage.put(rendition_name(key, rendition), data, mimetype(rendition))


def rendition_names(key: str) -> list[str]:
    """Every storage name artwork `key` may have."""
    return [rendition_name(key, rendition) for rendition in sorted(RENDITION_FILES)]


def delete_artwork(storage: Storage, key: str) -> None:
    storage.delete(rendition_names(key))


def _encode(image: Image.Image, ext: str) -> bytes:
    pillow_format, _, options = FORMATS[ext]
    out = io.BytesIO()
    image.save(out, pillow_format, **options)
    return out.getvalue()


def _decode(data: bytes) -> Image.Image:
    """Fully decode the upload into an upright RGB image, or refuse it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                probe.verify()
            # verify() leaves the image unusable, so decode again for real.
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                image.load()
                return _flatten(ImageOps.exif_transpose(image))
        except UnidentifiedImageError as exc:
            raise InvalidArtwork(WRONG_FORMAT) from exc
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise InvalidArtwork(TOO_MANY_PIXELS) from exc
        except Exception as exc:  # Pillow's decoders raise many types on corrupt input.
            raise InvalidArtwork(UNREADABLE) from exc


def _flatten(image: Image.Image) -> Image.Image:
    # JPEG has no alpha: composite on white so transparent areas don't turn black.
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")
