"""Rows for tests, written through the models as the app writes them."""

import io
from datetime import date, timedelta
from itertools import count

from PIL import Image

from app.campaigns.artwork import process_artwork, rendition_name
from app.extensions import db
from app.media.storage import storage
from app.models import Artist, Campaign, Workspace
from app.platforms import registry

PASSWORD = "correct horse battery"
_seq = count(1)


def png_bytes(size=(600, 600), color=(200, 40, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def log_in(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


class Factories:
    def __init__(self, app):
        self.app = app

    def artist(self, email=None, name="Test Artist", password=PASSWORD) -> Artist:
        with self.app.app_context():
            artist = Artist(email=email or f"artist{next(_seq)}@example.com", name=name)
            artist.set_password(password)
            db.session.add(artist)
            db.session.commit()
            db.session.refresh(artist)
            db.session.expunge(artist)
        return artist

    def campaign(self, owner: Artist, **fields) -> Campaign:
        n = next(_seq)
        with self.app.app_context():
            workspace_id = fields.pop("workspace_id", None) or Workspace.personal_id(owner.id)
            campaign = Campaign(
                artist_id=owner.id,
                workspace_id=workspace_id,
                title=fields.pop("title", f"Release {n}"),
                artist_name=fields.pop("artist_name", owner.name),
                slug=fields.pop("slug", f"release-{n}"),
                source_kind=fields.pop("source_kind", "upc"),
                source_value=fields.pop("source_value", "602445790609"),
                platforms=fields.pop("platforms", list(registry.KEYS)),
            )
            image = fields.pop("artwork_bytes", None) or png_bytes()
            campaign.artwork, campaign.palette = process_artwork(io.BytesIO(image), storage())
            campaign.schedule(
                fields.pop("release_date", date.today() + timedelta(days=30)),
                fields.pop("time_zone", "Europe/Berlin"),
            )
            for name, value in fields.items():
                setattr(campaign, name, value)
            db.session.add(campaign)
            db.session.commit()
            db.session.refresh(campaign)
            db.session.expunge(campaign)
        return campaign


def serve_at(app, url: str) -> None:
    """Make `url` the app's PUBLIC_URL (a live server's address): its platform clients call
    the simulator there, which registers the OAuth callbacks there, as a deployment registers
    them on each platform."""
    from app.simulator import defaults

    app.config["PUBLIC_URL"] = url
    defaults.point_at(app.config, url + "/simulator")
    for platform, uris in defaults.redirect_uris(app.config).items():
        app.extensions["simulator"].set_redirect_uris(platform, *uris)


def artwork_is_stored(app, key: str, rendition: str = "page.jpg") -> bool:
    """Does the app's media storage hold this rendition of artwork `key`?"""
    with app.app_context():
        return storage().get(rendition_name(key, rendition)) is not None
