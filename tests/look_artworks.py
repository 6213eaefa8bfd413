"""The four test artworks of the contrast rule: white, black, mid-grey and saturated."""

import io

from PIL import Image, ImageDraw


def artwork(fill, detail) -> bytes:
    image = Image.new("RGB", (800, 800), fill)
    ImageDraw.Draw(image).ellipse((200, 200, 600, 600), fill=detail)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


ARTWORKS = {
    "white": artwork("#ffffff", "#f0f0f0"),
    "black": artwork("#000000", "#101010"),
    "mid-grey": artwork("#777777", "#888888"),
    "saturated": artwork("#ff00aa", "#00e5ff"),
}
