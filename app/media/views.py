"""Serves uploaded artwork renditions and the fan pages' colour sheets.

Both are named by what they hold (a random artwork key, a palette and theme), so each
address always answers the same bytes: shared caches and browsers keep them for a year.
Artwork itself is answered before Flask by serving.py, from the configured storage.
"""

import re

from flask import Blueprint, Response, abort, current_app, url_for

from app.campaigns import look
from app.campaigns.artwork import FORMATS, WIDTHS, rendition_name
from app.campaigns.palette import Palette
from app.media.serving import PREFIX

bp = Blueprint("media", __name__, url_prefix="/media")

YEAR = 31536000
_COLOUR = re.compile(r"[0-9a-f]{6}")


@bp.app_template_global()
def artwork_url(key: str, rendition: str, external: bool = False) -> str:
    """Where a rendition is fetched: under MEDIA_PUBLIC_URL (a public bucket or a CDN) when
    set, else this site's /media/artwork/ (absolute, from PUBLIC_URL, when `external`)."""
    name = rendition_name(key, rendition)
    if public := current_app.config["MEDIA_PUBLIC_URL"]:
        return f"{public}/{name}"
    path = f"{PREFIX}{key}-{rendition}"
    return current_app.config["PUBLIC_URL"] + path if external else path


@bp.app_template_global()
def artwork_srcset(campaign, ext: str) -> str:
    return ", ".join(
        f"{artwork_url(campaign.artwork, f'{width}.{ext}')} {width}w" for width in WIDTHS
    )


@bp.app_template_global()
def artwork_sources() -> list[tuple[str, str]]:
    """(extension, MIME type) of the modern formats a <picture> offers before JPEG."""
    return [(ext, mime) for ext, (_, mime, _) in FORMATS.items() if ext != "jpg"]


# Artwork is answered by app/media/serving.py before Flask, and its URLs are artwork_url's;
# the rule keeps url_for("media.artwork", ...) building the same address.
bp.add_url_rule("/artwork/<key>-<rendition>", endpoint="artwork", build_only=True)


def _cache_for_a_year(response: Response) -> None:
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    response.cache_control.immutable = True


# The fan pages' sheet sets :root; the dashboard's preview keeps the colours in its box.
SCOPES = {"page": ":root", "preview": ".fan-preview"}


@bp.get("/look/<theme>-<dominant>-<accent>.css", defaults={"scope": "page"})
@bp.get("/look/<any(preview):scope>/<theme>-<dominant>-<accent>.css")
def look_sheet(theme: str, dominant: str, accent: str, scope: str):
    if theme not in look.THEMES or not (_COLOUR.fullmatch(dominant) and _COLOUR.fullmatch(accent)):
        abort(404)
    sheet = look.stylesheet(theme, Palette(f"#{dominant}", f"#{accent}"), SCOPES[scope])
    response = Response(sheet, mimetype="text/css")
    _cache_for_a_year(response)
    return response


@bp.app_template_global()
def look_url(campaign, scope: str = "page") -> str | None:
    """The colour sheet of a campaign's fan pages, or None for the default colours."""
    palette = campaign.palette
    if palette is None:
        return None
    return url_for(
        "media.look_sheet",
        theme=campaign.theme,
        dominant=palette.dominant[1:],
        accent=palette.accent[1:],
        scope=scope,
    )
