"""The announcement email and its outbox handler.

One message per audience member: the artist's note, the cover, and one button to the
pre-save page with the fan's platform chosen (a direct-save platform's connect step, else
its email form), tagged with the built-in channel "announcement" so a signup from it is
attributed there. The sender's name is the artist's, `List-Id` names the artist's audience,
and `List-Unsubscribe` is the member's /a/<token>, which takes RFC 8058's one-click POST.
Each copy speaks the member's language (the page they last joined from). Sending is the
release-day email's (app/release_day/mail.py): batched over a few SMTP connections, each
message recorded the moment it is accepted.
"""

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from urllib.parse import urlencode

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app import bounces, languages
from app.audience import members
from app.extensions import db
from app.models import Announcement, AudienceMember, Campaign, Delivery
from app.platforms import registry
from app.release_day.content import artwork_url
from app.release_day.mail import assemble, mail_host, message_id, send_all
from app.release_day.outbox import Lease

CHANNEL = "announcement"  # app/insights/counting.py keeps it for every campaign


@dataclass(frozen=True)
class Letter:
    """What every copy of one announcement shares, as plain values (threads send)."""

    id: int
    owner: int
    message: str
    title: str
    artist_name: str
    slug: str
    platforms: tuple[str, ...]
    artwork_url: str | None


def letter_of(announcement: Announcement, campaign: Campaign) -> Letter:
    return Letter(
        id=announcement.id,
        owner=announcement.workspace_id,
        message=announcement.message,
        title=campaign.title,
        artist_name=campaign.artist_name,
        slug=campaign.slug,
        platforms=tuple(campaign.platforms or ()),
        artwork_url=artwork_url(campaign.artwork, "page"),
    )


def button(letter: Letter, platform: str | None) -> tuple[str, str]:
    """(label, URL) of the one button: the fan's platform pre-selected where offered."""
    base = current_app.config["PUBLIC_URL"]
    known = registry.BY_KEY.get(platform or "")
    if known is None or known.key not in letter.platforms or known.key == "other":
        return _("Pre-save now"), f"{base}/{letter.slug}?c={CHANNEL}"
    label = _("Pre-save on %(platform)s", platform=known.name)
    if known.direct:
        query = urlencode({"campaign": letter.slug, "from": f"c={CHANNEL}"})
        return label, f"{base}/connect/{known.key}/start?{query}"
    return label, f"{base}/{letter.slug}/email/{known.key}?c={CHANNEL}"


def build(row, letter: Letter) -> EmailMessage:
    """One member's copy; `row` has `email`, `platform`, `withdraw_token` and `id` (the
    delivery's, for the Message-ID; None for a test send)."""
    config = current_app.config
    withdraw = f"{config['PUBLIC_URL']}/a/{row.withdraw_token}"
    label, link = button(letter, row.platform)
    sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
    headers = {
        "Subject": _(
            "%(artist)s: “%(title)s” is coming, pre-save it now",
            artist=letter.artist_name,
            title=letter.title,
        ),
        "From": formataddr((letter.artist_name, sender)),
        "To": row.email,
        "Message-ID": message_id("announcement", letter.id, row.id or 0),
        "List-Id": f"{formataddr((letter.artist_name, f'audience-{letter.owner}.{mail_host()}'))}",
        "List-Unsubscribe": f"<{withdraw}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    context = {
        "letter": letter,
        "label": label,
        "link": link,
        "withdraw_url": withdraw,
        "lang_tag": languages.current_tag(),
    }
    return assemble(headers, "emails/announcement", context)


def deliver_announcements(lease: Lease) -> None:
    """The outbox handler for kind "announcement": withdrawn or bounced members are
    skipped when their turn comes; a permanent refusal of an address marks it bounced."""
    rows = db.session.execute(
        select(
            Delivery.id,
            Delivery.attempts,
            Delivery.due_since,
            Delivery.announcement_id,
            Delivery.member_id,
            AudienceMember.email,
            AudienceMember.platform,
            AudienceMember.language,
            AudienceMember.withdraw_token,
            func.coalesce(AudienceMember.withdrawn_at, AudienceMember.bounced_at).label(
                "unsubscribed_at"
            ),
        )
        .join(AudienceMember, AudienceMember.id == Delivery.member_id)
        .where(Delivery.id.in_(lease.ids))
        .order_by(Delivery.id)
    ).all()
    if not rows:  # the members were deleted since the claim, and their deliveries with them
        return
    letters = {
        announcement.id: letter_of(announcement, campaign)
        for announcement, campaign in db.session.execute(
            select(Announcement, Campaign)
            .join(Campaign, Campaign.id == Announcement.campaign_id)
            .where(Announcement.id.in_({row.announcement_id for row in rows}))
        )
    }
    db.session.rollback()  # hold no transaction while sending

    def compose(row) -> EmailMessage:
        with force_locale(row.language):  # the language of the page the fan joined from
            return build(row, letters[row.announcement_id])

    send_all(lease, rows, compose)
    # Addresses refused for good, now or by any earlier email (app/bounces.py records them
    # as mail.py sends): no more announcements to those members.
    gone = bounces.among(row.email for row in rows)
    if gone:
        members.mark_bounced(row.member_id for row in rows if row.email in gone)
    db.session.rollback()
