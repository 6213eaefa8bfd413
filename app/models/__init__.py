"""The models, one module per aggregate; importing this package registers them all."""

from app.models.api_token import ApiToken
from app.models.artist import Artist
from app.models.audience import (
    Announcement,
    AudienceCampaign,
    AudienceDay,
    AudienceMember,
    AudienceTally,
)
from app.models.campaign import Campaign
from app.models.fan_page import PendingConnect, PreviousSlug
from app.models.insights import Channel, InsightCount, VisitorDay
from app.models.login_session import LoginSession
from app.models.media import MediaChunk, StoredMedia
from app.models.release_day import Click, Delivery, Outage, PlatformLink, ReleaseCheck
from app.models.signup import BouncedEmail, Connection, PushSubscription, Signup
from app.models.webhook import WebhookAttempt, WebhookEndpoint, WebhookEvent
from app.models.workspace import Activity, Invitation, Membership, Workspace

__all__ = [
    "Activity",
    "Announcement",
    "ApiToken",
    "Artist",
    "AudienceCampaign",
    "AudienceDay",
    "AudienceMember",
    "AudienceTally",
    "BouncedEmail",
    "Campaign",
    "Channel",
    "Click",
    "Connection",
    "Delivery",
    "InsightCount",
    "Invitation",
    "LoginSession",
    "MediaChunk",
    "Membership",
    "Outage",
    "PendingConnect",
    "PlatformLink",
    "PreviousSlug",
    "PushSubscription",
    "ReleaseCheck",
    "Signup",
    "StoredMedia",
    "VisitorDay",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookEvent",
    "Workspace",
]
