"""The artist's channel links: a name, a short code, its link `/<slug>?c=<code>` and QR code.

The code goes in the query string, which the page's script reads (app/insights/
attribution.py): the page stays the same for everyone and cacheable. The QR code is drawn
by segno, as SVG or PNG, for posters and screens.
"""

import io
import secrets

from flask import current_app, url_for
from segno import make_qr
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.insights import counting
from app.models import Campaign, Channel

MAX_NAME = 60
MAX_CHANNELS = 50
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes for a code typed by hand


class ChannelRefused(ValueError):
    """Why a channel can't be made, worded for the artist."""


def of_campaign(campaign_id: int) -> list[Channel]:
    return list(
        db.session.scalars(select(Channel).filter_by(campaign_id=campaign_id).order_by(Channel.id))
    )


def names(campaign_ids: list[int]) -> dict[str, str]:
    """Channel code -> name (an overview's codes may repeat across campaigns: first wins)."""
    rows = db.session.execute(
        select(Channel.code, Channel.name).where(Channel.campaign_id.in_(campaign_ids))
    )
    found: dict[str, str] = dict(counting.BUILT_IN_CHANNELS)
    for code, name in rows:
        found.setdefault(code, name)
    return found


def create(campaign: Campaign, name: str) -> Channel:
    name = " ".join(name.split())
    if not name:
        raise ChannelRefused("Give the channel a name, like “Instagram bio”.")
    if len(name) > MAX_NAME:
        raise ChannelRefused(f"Keep the name under {MAX_NAME} characters.")
    existing = of_campaign(campaign.id)
    if len(existing) >= MAX_CHANNELS:
        raise ChannelRefused(f"A campaign has at most {MAX_CHANNELS} channels.")
    if any(channel.name.lower() == name.lower() for channel in existing):
        raise ChannelRefused("This campaign has a channel of that name already.")
    channel = Channel(campaign_id=campaign.id, name=name, code=_new_code())
    db.session.add(channel)
    try:
        db.session.commit()
    except IntegrityError:  # the same name saved twice at once, or a code collision
        db.session.rollback()
        raise ChannelRefused("That channel could not be saved; please try again.") from None
    counting.forget(campaign.id)
    return channel


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def delete(channel: Channel) -> None:
    """Its counts stay (shown as a deleted channel); its link stops being attributed."""
    campaign_id = channel.campaign_id
    db.session.delete(channel)
    db.session.commit()
    counting.forget(campaign_id)


def link(campaign: Campaign, channel: Channel) -> str:
    page = url_for("fan.page", slug=campaign.slug, c=channel.code)
    return current_app.config["PUBLIC_URL"] + page


def qr(campaign: Campaign, channel: Channel, kind: str) -> bytes:
    """The channel link's QR code as "svg" or "png" (dark on white, quiet zone kept)."""
    code = make_qr(link(campaign, channel), error="m")
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=8, xmldecl=True, title=channel.name)
    else:
        code.save(out, kind="png", scale=10)
    return out.getvalue()
