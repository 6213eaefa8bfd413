"""The models, one module per aggregate; importing this package registers them all."""

from app.models.artist import Artist
from app.models.audience import Announcement, AudienceCampaign, AudienceMember
from app.models.campaign import Campaign
from app.models.fan_page import PendingConnect, PreviousSlug
from app.models.insights import Channel, InsightCount, VisitorDay
from app.models.login_session import LoginSession
from app.models.release_day import Click, Delivery, PlatformLink, ReleaseCheck
from app.models.signup import Connection, PushSubscription, Signup

__all__ = [
    "Announcement",
    "Artist",
    "AudienceCampaign",
    "AudienceMember",
    "Campaign",
    "Channel",
    "Click",
    "Connection",
    "Delivery",
    "InsightCount",
    "LoginSession",
    "PendingConnect",
    "PlatformLink",
    "PreviousSlug",
    "PushSubscription",
    "ReleaseCheck",
    "Signup",
    "VisitorDay",
]
