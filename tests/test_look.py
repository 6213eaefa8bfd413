"""The artwork's colours on the fan pages: whatever the artwork and theme, every text and
button colour meets WCAG AA against what it sits on."""

import io

import pytest
from PIL import Image

from app.campaigns.look import THEMES, colours, contrast, stylesheet
from app.campaigns.palette import derive_palette
from tests.look_artworks import ARTWORKS

# (text, background) pairs of fan.css and smart-link.css
PAIRS = [
    ("fg", "bg"),
    ("fg", "bg2"),
    ("fg", "card"),
    ("muted", "bg"),
    ("muted", "bg2"),
    ("muted", "card"),
    ("accent", "bg"),
    ("accent", "bg2"),
    ("accent", "card"),
    ("accent-fg", "accent"),
    ("button-fg", "button"),
    ("button-hint", "button"),
    ("error", "bg"),
    ("error", "card"),
]


def palette_of(name):
    with Image.open(io.BytesIO(ARTWORKS[name])) as image:
        return derive_palette(image)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("artwork", ARTWORKS)
def test_every_text_colour_meets_aa_whatever_the_artwork_and_theme(artwork, theme):
    values = colours(theme, palette_of(artwork))
    for text, background in PAIRS:
        ratio = contrast(values[text], values[background])
        assert ratio >= 4.5, (artwork, theme, text, background, round(ratio, 2))


def test_the_palette_is_the_artworks_dominant_colour_and_its_most_colourful_other():
    assert palette_of("white").dominant == "#ffffff"
    assert palette_of("black").dominant == "#000000"
    saturated = palette_of("saturated")
    assert saturated.dominant == "#ff00aa" and saturated.accent == "#00e5ff"


def test_from_artwork_follows_the_artwork_while_light_and_dark_are_what_they_say():
    black, white = palette_of("black"), palette_of("white")
    assert colours("artwork", black)["scheme"] == "dark"
    assert colours("artwork", white)["scheme"] == "light"
    assert colours("dark", white)["scheme"] == "dark"
    assert colours("light", black)["scheme"] == "light"
    # The saturated artwork's colour shows in its page's background.
    bg = colours("artwork", palette_of("saturated"))["bg"]
    red, green, blue = (int(bg[i : i + 2], 16) for i in (1, 3, 5))
    assert red > green + 80 and blue > green


def test_contrast_is_the_wcag_ratio():
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
    assert contrast("#123456", "#123456") == 1.0


def test_the_look_sheet_sets_the_fan_pages_custom_properties(client):
    sheet = stylesheet("artwork", palette_of("saturated"))
    assert sheet.startswith(":root{color-scheme:")
    response = client.get("/media/look/artwork-ff00aa-00e5ff.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.get_data(as_text=True) == sheet
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/media/look/neon-ff00aa-00e5ff.css").status_code == 404
    assert client.get("/media/look/dark-ff00aa-zz.css").status_code == 404
