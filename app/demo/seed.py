"""The demo artist and their campaigns, created once for local runs (`flask seed-demo`,
`flask dev`); the release-day rehearsal campaign comes from rehearsal.py."""

import io
from datetime import UTC, datetime, timedelta

from PIL import Image, ImageDraw

from app.campaigns.artwork import process_artwork
from app.campaigns.palette import Palette
from app.demo import rehearsal
from app.extensions import db
from app.media.storage import storage
from app.models import Artist, Campaign
from app.platforms import registry

DEMO_EMAIL = "demo@dropday.test"
DEMO_PASSWORD = "dropday-demo"  # noqa: S105  (a published demo login, local runs only)
# The simulator's catalog knows this album (see app/simulator).
DEMO_SOURCE = ("spotify", "spotify:album:4aawyAB9vmqN3uQ7FjRGTy")


def ensure_demo() -> str:
    """The demo artist, their campaign (released in two weeks) and the release-day
    rehearsal campaign (rehearsal.py), each with a few fans. Safe to run again."""
    artist = db.session.scalar(db.select(Artist).filter_by(email=DEMO_EMAIL))
    if artist is not None:
        said = "Demo artist already there."
    else:
        artist = Artist(email=DEMO_EMAIL, name="Demo Artist")
        artist.set_password(DEMO_PASSWORD)
        campaign = Campaign(
            creator=artist,
            title="Midnight Signals",
            artist_name="The Night Owls",
            slug="midnight-signals",
            platforms=list(registry.KEYS),
            source_kind=DEMO_SOURCE[0],
            source_value=DEMO_SOURCE[1],
        )
        campaign.artwork, campaign.palette = _artwork()
        campaign.schedule((datetime.now(UTC) + timedelta(days=14)).date(), "Europe/Berlin")
        db.session.add_all([artist, campaign])
        db.session.flush()
        rehearsal.add_email_fans(campaign)
        said = f"Demo artist {DEMO_EMAIL} with campaign “{campaign.title}” created."
    if db.session.scalar(db.select(Campaign).filter_by(slug=rehearsal.SLUG)) is None:
        rehearsal.ensure_campaign(artist, *_artwork())
        said += f" Release-day rehearsal campaign “{rehearsal.SLUG}” created."
    db.session.commit()
    return said


def _artwork() -> tuple[str, Palette]:
    return process_artwork(io.BytesIO(_demo_artwork()), storage())


def _demo_artwork() -> bytes:
    image = Image.new("RGB", (1000, 1000), (18, 16, 40))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1000, 8):
        draw.ellipse(
            (500 - i // 2, 520 - i // 2, 500 + i // 2, 520 + i // 2),
            outline=(120 + i % 120, 60, 200 - i // 8),
            width=2,
        )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
