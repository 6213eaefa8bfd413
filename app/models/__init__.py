"""The models, one module per aggregate; importing this package registers them all."""

from app.models.artist import Artist
from app.models.campaign import Campaign

__all__ = ["Artist", "Campaign"]
