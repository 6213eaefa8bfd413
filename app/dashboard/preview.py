"""The live preview of the fan page beside the campaign form: the colours and words the
page would have if the artist saved the form as it stands. Nothing is stored."""

import base64
from dataclasses import dataclass

from app.campaigns.artwork import InvalidArtwork, preview_artwork
from app.campaigns.look import DEFAULT_THEME, THEMES
from app.campaigns.palette import Palette
from app.form_filters import clean_text
from app.media.views import artwork_url
from app.models import Campaign
from app.platforms import registry

SHOWN_PLATFORMS = 3


@dataclass(frozen=True)
class PagePreview:
    title: str
    artist_name: str
    theme: str
    palette: Palette | None
    image_src: str | None
    platforms: list[registry.Platform]
    error: str | None = None


def page_preview(form, files, campaign: Campaign | None) -> PagePreview:
    """The preview for posted form values (or the saved campaign's, for a first view)."""
    saved = campaign is not None
    title = clean_text(form.get("title")) or (campaign.title if saved else "") or "Release title"
    artist = clean_text(form.get("artist_name")) or (campaign.artist_name if saved else "")
    theme = form.get("theme") or (campaign.theme if saved else DEFAULT_THEME)
    if theme not in THEMES:
        theme = DEFAULT_THEME
    palette = campaign.palette if saved else None
    image_src = None
    if saved and campaign.artwork:
        image_src = artwork_url(campaign.artwork, "thumb.jpg")
    error = None
    upload = files.get("artwork")
    if upload and upload.filename:
        try:
            thumb, palette = preview_artwork(upload.stream)
            image_src = "data:image/jpeg;base64," + base64.b64encode(thumb).decode()
        except InvalidArtwork as invalid:
            error = str(invalid)
    chosen = form.getlist("platforms") or (campaign.platforms if saved else list(registry.KEYS))
    platforms = [p for p in registry.PLATFORMS if p.key in chosen][:SHOWN_PLATFORMS]
    return PagePreview(title, artist or "Artist name", theme, palette, image_src, platforms, error)
