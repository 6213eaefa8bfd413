"""The share preview (og:image): 1200x630, the artwork on the left, title and artist on the
artwork's dominant colour on the right, drawn once at upload."""

import textwrap

from PIL import Image, ImageDraw, ImageFont

from app.campaigns.look import BLACK, INK, PAPER, WHITE, contrast, ensure_contrast
from app.campaigns.palette import Palette

SIZE = (1200, 630)
MARGIN = 56
TITLE_PX = 64
ARTIST_PX = 40


def share_card(artwork: Image.Image, title: str, artist: str, palette: Palette) -> Image.Image:
    width, height = SIZE
    dark = contrast(palette.dominant, WHITE) >= contrast(palette.dominant, BLACK)
    ink = PAPER if dark else INK
    background = ensure_contrast(palette.dominant, [ink], 7.0, BLACK if dark else WHITE)
    card = Image.new("RGB", SIZE, background)
    card.paste(artwork.resize((height, height), Image.Resampling.LANCZOS), (0, 0))

    draw = ImageDraw.Draw(card)
    left = height + MARGIN
    columns = max(8, (width - left - MARGIN) // (TITLE_PX // 2))
    y = MARGIN * 2
    title_font = ImageFont.load_default(size=TITLE_PX)
    for line in textwrap.wrap(title, columns)[:4]:
        draw.text((left, y), line, fill=ink, font=title_font)
        y += int(TITLE_PX * 1.2)
    artist_font = ImageFont.load_default(size=ARTIST_PX)
    for line in textwrap.wrap(artist, columns * TITLE_PX // ARTIST_PX)[:2]:
        y += int(ARTIST_PX * 0.4)
        draw.text((left, y), line, fill=ink, font=artist_font)
        y += ARTIST_PX
    return card
