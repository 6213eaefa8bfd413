"""Announcing a campaign in pre-save to the owner's audience. No request in here.

The rules against abusing the channel live here: one announcement per campaign (the
database's unique campaign_id), ANNOUNCEMENTS_PER_DAY per owner in any 24 hours, only a
campaign in pre-save, only members who consented and were not refused by the mail server.
Sending writes one Delivery row of kind "announcement" per member in one INSERT ... SELECT
(unique per announcement and member: each fan at most once) and starts the delivery jobs;
the outbox does the rest, as for release-day emails.
"""

import re
import smtplib
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, literal, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.audience.announcement_mail import build, button, letter_of
from app.audience.listing import reachable
from app.audience.scope import owner_of
from app.extensions import db
from app.models import Announcement, AudienceMember, Campaign, Delivery
from app.release_day import mail
from app.release_day.deliver import kick_deliveries

MAX_MESSAGE = 500
ALREADY = "This campaign was announced already: one announcement per campaign."


class Refused(ValueError):
    """Why an announcement can't be made or sent, worded for the artist."""


def clean_message(text: str | None) -> str:
    """The artist's note: control characters gone (line breaks kept), at most MAX_MESSAGE."""
    text = re.sub(r"[\x00-\x09\x0b-\x1f\x7f]", "", (text or "").replace("\r\n", "\n")).strip()
    if not text:
        raise Refused("Write a few words to your fans.")
    if len(text) > MAX_MESSAGE:
        raise Refused(f"Keep the message to {MAX_MESSAGE} characters (it has {len(text)}).")
    return text


def of_campaign(campaign_id: int) -> Announcement | None:
    return db.session.scalar(select(Announcement).filter_by(campaign_id=campaign_id))


def audience_size(owner: int) -> int:
    return db.session.scalar(
        select(func.count()).where(AudienceMember.workspace_id == owner, *reachable())
    )


def check_allowed(campaign: Campaign) -> None:
    if campaign.phase != "presave" or not campaign.active:
        raise Refused("Only an active campaign in pre-save can be announced.")
    if of_campaign(campaign.id) is not None:
        raise Refused(ALREADY)
    cap = current_app.config["ANNOUNCEMENTS_PER_DAY"]
    since = clock.now() - timedelta(days=1)
    recent = db.session.scalar(
        select(func.count()).where(
            Announcement.workspace_id == owner_of(campaign), Announcement.created_at > since
        )
    )
    if recent >= cap:
        raise Refused(f"You can send {cap} announcements a day. Please try again tomorrow.")


def send(campaign: Campaign, message: str) -> Announcement:
    """Queue the announcement for every reachable member; committed, jobs started."""
    check_allowed(campaign)
    owner = owner_of(campaign)
    now = clock.now()
    announcement = Announcement(
        campaign_id=campaign.id, workspace_id=owner, message=message, created_at=now
    )
    db.session.add(announcement)
    try:
        db.session.flush()
    except IntegrityError:  # the same campaign announced twice at once
        db.session.rollback()
        raise Refused(ALREADY) from None
    columns = {
        "campaign_id": literal(campaign.id),
        "announcement_id": literal(announcement.id),
        "member_id": AudienceMember.id,
        "kind": literal("announcement"),
        "platform": AudienceMember.platform,
        "state": literal("due"),
        "attempts": literal(0),
        "next_attempt_at": literal(now, Delivery.next_attempt_at.type),
        "due_since": literal(now, Delivery.due_since.type),
        "created_at": literal(now, Delivery.created_at.type),
        "updated_at": literal(now, Delivery.updated_at.type),
    }
    chosen = select(*columns.values()).where(AudienceMember.workspace_id == owner, *reachable())
    db.session.execute(db.insert(Delivery).from_select(list(columns), chosen))
    # Counted, not the INSERT's rowcount: some drivers give -1 for INSERT ... SELECT.
    announcement.recipients = db.session.scalar(
        select(func.count()).where(Delivery.announcement_id == announcement.id)
    )
    db.session.commit()
    kick_deliveries()
    return announcement


class Progress(NamedTuple):
    recipients: int
    sent: int
    failed: int
    skipped: int
    pending: int

    @property
    def finished(self) -> bool:
        return self.pending == 0


def progress(announcement: Announcement) -> Progress:
    counts = dict(
        db.session.execute(
            select(Delivery.state, func.count())
            .where(Delivery.announcement_id == announcement.id)
            .group_by(Delivery.state)
        ).all()
    )
    return Progress(
        recipients=announcement.recipients,
        sent=counts.get("done", 0),
        failed=counts.get("failed", 0),
        skipped=counts.get("skipped", 0),
        pending=sum(counts.get(state, 0) for state in ("waiting", "due", "running")),
    )


class Recipient(NamedTuple):
    """A test send's recipient, shaped like a delivery row for `build`."""

    id: int | None
    email: str
    platform: str | None
    withdraw_token: str


def preview(campaign: Campaign, message: str, email: str):
    """The message the artist gets as a test: their own copy (its stop link goes nowhere)."""
    letter = letter_of(
        Announcement(id=0, workspace_id=owner_of(campaign), message=message), campaign
    )
    return build(Recipient(None, email, None, "preview"), letter)


def test_send(campaign: Campaign, message: str, email: str) -> str | None:
    """Send the announcement to the artist at `email` now, over the outbox's own SMTP
    pieces; None when the server took it, else why not."""
    try:
        smtp = mail.connect()
    except (smtplib.SMTPException, OSError) as error:
        return f"the mail server could not be reached ({error.__class__.__name__})"
    try:
        recipient = Recipient(None, email, None, "preview")
        refusal = mail.send_one(smtp, recipient, lambda _row: preview(campaign, message, email))
    finally:
        mail.disconnect(smtp)
    return refusal.reason if refusal else None


class Shown(NamedTuple):
    """What the dashboard's preview shows of a built message."""

    subject: str
    sender: str
    text: str
    button: tuple[str, str]


def shown(message, campaign: Campaign) -> Shown:
    text = message.get_payload()[0].get_payload(decode=True).decode()
    letter = letter_of(Announcement(id=0, workspace_id=owner_of(campaign), message=""), campaign)
    return Shown(message["Subject"], message["From"], text, button(letter, None))
