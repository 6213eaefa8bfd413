"""The artwork's colours: a dominant colour and an accent, taken once at upload.

Pillow quantizes a small copy of the artwork; the dominant colour is the most common one,
the accent the most colourful of the others that differs enough from it.
"""

from dataclasses import dataclass

from PIL import Image

SAMPLE_SIDE = 64
COLOURS = 8


@dataclass(frozen=True)
class Palette:
    dominant: str  # "#rrggbb"
    accent: str


def derive_palette(image: Image.Image) -> Palette:
    small = image.convert("RGB").resize((SAMPLE_SIDE, SAMPLE_SIDE), Image.Resampling.BILINEAR)
    quantized = small.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT)
    flat = quantized.getpalette() or []
    counted = sorted(quantized.getcolors() or [], reverse=True)
    colours = [tuple(flat[index * 3 : index * 3 + 3]) for _, index in counted]
    dominant = colours[0]
    others = [c for c in colours[1:] if _distance(c, dominant) > 60] or [dominant]
    accent = max(others, key=_colourfulness)
    return Palette(_hex(dominant), _hex(accent))


def _colourfulness(rgb: tuple[int, ...]) -> int:
    return max(rgb) - min(rgb)


def _distance(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True))


def _hex(rgb: tuple[int, ...]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
