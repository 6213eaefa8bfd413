"""Validate an uploaded artwork image and store the renditions the pages show."""

import io
import os
import re
import tempfile
import uuid
import warnings
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_ARTWORK_BYTES = 5 * 1024 * 1024
MIN_SIDE = 300
PAGE_SIDE = 1200
THUMB_SIZE = (240, 240)
JPEG_QUALITY = 85
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")
RENDITIONS = ("page", "thumb")

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


def process_artwork(stream: BinaryIO, upload_folder: str | os.PathLike) -> str:
    """Store the page and thumbnail renditions of an upload and return their key."""
    data = stream.read(MAX_ARTWORK_BYTES + 1)
    if len(data) > MAX_ARTWORK_BYTES:
        raise InvalidArtwork(TOO_BIG)
    image = _decode(data)
    if min(image.size) < MIN_SIDE:
        raise InvalidArtwork(TOO_SMALL)

    # Pages show artwork square: a non-square upload is cropped to its centred square
    # (as streaming platforms show covers), never stretched, and never upscaled.
    side = min(PAGE_SIDE, *image.size)
    page = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    thumb = ImageOps.fit(image, THUMB_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.5))

    key = uuid.uuid4().hex
    Path(upload_folder, "artwork").mkdir(parents=True, exist_ok=True)
    try:
        _save_atomically(page, artwork_path(upload_folder, key, "page"))
        _save_atomically(thumb, artwork_path(upload_folder, key, "thumb"))
    except BaseException:
        delete_artwork(upload_folder, key)
        raise
    return key


def artwork_path(upload_folder: str | os.PathLike, key: str, rendition: str) -> Path:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(f"not an artwork key: {key!r}")
    if rendition not in RENDITIONS:
        raise ValueError(f"unknown artwork rendition: {rendition!r}")
    return Path(upload_folder, "artwork", f"{key}-{rendition}.jpg")


def delete_artwork(upload_folder: str | os.PathLike, key: str) -> None:
    for rendition in RENDITIONS:
        artwork_path(upload_folder, key, rendition).unlink(missing_ok=True)


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


def _save_atomically(image: Image.Image, path: Path) -> None:
    # Readers never see a half-written file: write beside it, then rename over.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a front web server may serve these
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
