"""The models, one module per aggregate; importing this package registers them all."""

from app.models.artist import Artist
from app.models.campaign import Campaign
from app.models.login_session import LoginSession

__all__ = ["Artist", "Campaign", "LoginSession"]
