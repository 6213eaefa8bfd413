"""A campaign's look: the fan pages' colours, made from the artwork's palette and the chosen
theme so that every text and button colour meets WCAG AA against what it sits on.

Contrast is computed (WCAG 2 relative luminance), never hoped for: each colour is pushed
towards black or white until it holds against every background it is drawn on.
"""

from app.campaigns.palette import Palette

THEMES = {"artwork": "From artwork", "light": "Light", "dark": "Dark"}
DEFAULT_THEME = "artwork"

AA = 4.5  # normal text
BODY = 7.0  # the page's own text keeps a margin, so muted text can sit between
INK = "#14121a"
PAPER = "#f7f5fa"
BLACK = "#000000"
WHITE = "#ffffff"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(c) for c in rgb))


def luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = map(linear, _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mix(colour: str, other: str, share: float) -> str:
    """`colour` with `share` (0..1) of `other` mixed in."""
    return _hex(x + (y - x) * share for x, y in zip(_rgb(colour), _rgb(other), strict=True))


def ensure_contrast(colour: str, against: list[str], ratio: float, toward: str) -> str:
    """`colour`, moved towards `toward` (black or white) until it reaches `ratio` against
    every colour in `against`."""
    for step in range(21):
        candidate = mix(colour, toward, step / 20)
        if min(contrast(candidate, other) for other in against) >= ratio:
            return candidate
    return toward


def colours(theme: str, palette: Palette) -> dict[str, str]:
    """The CSS custom properties of the fan pages for this theme and palette."""
    dominant, accent = palette.dominant, palette.accent
    if theme == "light":
        dark = False
        top, bottom = mix(dominant, WHITE, 0.9), mix(accent, WHITE, 0.9)
    elif theme == "dark":
        dark = True
        top, bottom = mix(dominant, "#121016", 0.85), mix(accent, "#121016", 0.85)
    else:
        dark = contrast(dominant, WHITE) >= contrast(dominant, BLACK)
        top, bottom = dominant, mix(dominant, accent, 0.5)
    text, away = (PAPER, BLACK) if dark else (INK, WHITE)
    # The backgrounds give way to the text, not the other way round.
    top = ensure_contrast(top, [text], BODY, away)
    bottom = ensure_contrast(bottom, [text], BODY, away)
    card = mix(top, text, 0.08)
    surfaces = [top, bottom, card]
    toward_text = WHITE if dark else BLACK
    muted = ensure_contrast(mix(text, top, 0.3), surfaces, AA, toward_text)

    link = ensure_contrast(accent, surfaces, AA, toward_text)
    link_fg = INK if dark else WHITE
    link = ensure_contrast(link, [link_fg, *surfaces], AA, toward_text)

    button_fg = INK if contrast(accent, INK) >= contrast(accent, WHITE) else WHITE
    button_away = BLACK if button_fg == WHITE else WHITE
    button = ensure_contrast(accent, [button_fg], BODY, button_away)
    hint = ensure_contrast(mix(button_fg, button, 0.2), [button], AA, button_fg)

    error = ensure_contrast("#ffb4ab" if dark else "#b3261e", surfaces, AA, toward_text)
    return {
        "bg": top,
        "bg2": bottom,
        "fg": text,
        "muted": muted,
        "line": mix(top, text, 0.25),
        "card": card,
        "accent": link,
        "accent-fg": link_fg,
        "button": button,
        "button-fg": button_fg,
        "button-hint": hint,
        "error": error,
        "focus": link,
        "scheme": "dark" if dark else "light",
    }


def stylesheet(theme: str, palette: Palette, selector: str = ":root") -> str:
    """The custom properties for the fan pages (":root"), or for the dashboard's preview."""
    values = colours(theme, palette)
    scheme = values.pop("scheme")
    props = ";".join(f"--{name}:{value}" for name, value in values.items())
    return f"{selector}{{color-scheme:{scheme};{props}}}\n"
