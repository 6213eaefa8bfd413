"""Release-day emails: one per fan with an email who has not unsubscribed, once.

A batch of email deliveries goes out over SMTP_CONNECTIONS connections (Flask-Mail's
`connect()`), one per thread, each sending its share of the batch in turn; each message is
rendered from templates/emails/release_day.{html,txt}, with
- one button, "Listen on <platform>", to the fan's personal routing link (links.py),
- `List-Unsubscribe` (the fan's /u/<token> page, which takes RFC 8058's one-click POST)
  and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and a visible unsubscribe link,
- a `Message-ID` made from the delivery's id, the same on every attempt.
"""

import contextlib
import email.policy
import functools
import logging
import secrets
import smtplib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_mail import Message, sanitize_address, sanitize_subject
from sqlalchemy import select

from app import languages
from app.extensions import db, mail
from app.jobs import Lease, release
from app.models import Campaign, Delivery, PlatformLink, Signup
from app.release_day import wording
from app.release_day.deliver import (
    close_outcomes,
    done,
    failed,
    parallel_allowed,
    retry_later,
    skipped,
)
from app.release_day.links import personal_link

log = logging.getLogger(__name__)

SMTP_CONNECTIONS = 4  # per delivery job; each sends its share of the batch in turn


class _Wire(email.policy.Compat32):
    """The classic header model: headers go out as the strings Flask-Mail already encoded,
    without the modern policy parsing each one again; and a header that is plain ASCII on
    one short line goes out as it is, not through the folding machinery, which cost more
    per message than sending it."""

    def fold_binary(self, name, value):
        line = f"{name}: {value}"
        plain = isinstance(value, str) and line.isascii() and len(line) <= 78
        if plain and "\r" not in line and "\n" not in line:
            return (line + self.linesep).encode("ascii")
        return super().fold_binary(name, value)


_WIRE = _Wire(linesep="\r\n")
# Part of every boundary: unknowable to whoever writes a release's title or artist name, so
# their text can never close a part early.
_BOUNDARY = secrets.token_hex(12)


class ReleaseMail(Message):
    """The release-day email, always one shape (text and HTML alternatives, one recipient),
    so its MIME tree is built directly: Flask-Mail's general one (a mixed part around the
    alternatives, every address parsed again) cost more per message than sending it."""

    def _message(self) -> MIMEMultipart:
        # A boundary named here spares the generator a regular expression compiled per
        # message to prove a random one absent from the text (see _BOUNDARY).
        message = MIMEMultipart("alternative", boundary=f"=_{_BOUNDARY}")
        message.attach(MIMEText(self.body, "plain", "utf-8"))
        message.attach(MIMEText(self.html, "html", "utf-8"))
        message["Subject"] = sanitize_subject(self.subject)
        message["From"] = _sender(self.sender)
        (to,) = self.recipients
        message["To"] = to if to.isascii() else sanitize_address(to)
        message["Date"] = formatdate(self.date, localtime=True)
        message["Message-ID"] = self.msgId
        for name, value in self.extra_headers.items():
            message[name] = value
        return message

    def as_bytes(self) -> bytes:
        message = self._message()
        message.policy = _WIRE
        return message.as_bytes(policy=_WIRE)


@functools.cache
def _sender(sender) -> str:
    return sanitize_address(sender)


@dataclass(frozen=True)
class Release:
    """What every email of one campaign shares."""

    title: str
    artist_name: str
    artwork_url: str | None
    smart_link: str
    found: frozenset[str]


def _release(campaign_id: int) -> Release:
    campaign = db.session.get(Campaign, campaign_id)
    base = current_app.config["PUBLIC_URL"]
    found = db.session.scalars(
        select(PlatformLink.platform).where(PlatformLink.campaign_id == campaign_id)
    )
    return Release(
        title=campaign.title,
        artist_name=campaign.artist_name,
        artwork_url=f"{base}/artwork/{campaign.artwork}-page.jpg" if campaign.artwork else None,
        smart_link=f"{base}/{campaign.slug}",
        found=frozenset(found),
    )


def build(row, release_: Release) -> Message:
    """The email for one delivery; `row`: a batch row (see `deliver_emails`)."""
    config = current_app.config
    unsubscribe = f"{config['PUBLIC_URL']}/u/{row.unsubscribe_token}"
    context = {
        "release": release_,
        "listen": wording.listen(row.platform),
        "pre_save_page": wording.pre_save_page_of(release_.artist_name),
        "lang_tag": languages.tag(str(get_locale())),
        "link": personal_link(row.signup_id, "email"),
        "unsubscribe_url": unsubscribe,
    }
    env = current_app.jinja_env
    message = ReleaseMail(
        subject=wording.subject(release_.title, release_.artist_name),
        recipients=[row.email],
        body=env.get_template("emails/release_day.txt").render(context),
        html=env.get_template("emails/release_day.html").render(context),
        extra_headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    host = urlsplit(config["PUBLIC_URL"]).hostname or "dropday.invalid"
    message.msgId = f"<release-day.{row.campaign_id}.{row.id}@{host}>"
    return message


def deliver_emails(lease: Lease) -> None:
    rows = db.session.execute(
        select(
            Delivery.id,
            Delivery.campaign_id,
            Delivery.attempts,
            Delivery.due_since,
            Signup.id.label("signup_id"),
            Signup.email,
            Signup.platform,
            Signup.language,
            Signup.unsubscribe_token,
            Signup.unsubscribed_at,
        )
        .join(Signup, Signup.id == Delivery.signup_id)
        .where(Delivery.id.in_(lease.ids))
        .order_by(Delivery.id)
    ).all()
    db.session.rollback()  # nothing more to read: don't hold a transaction while sending
    # Most of a message's time is waiting: for the mail server's four replies, for the
    # database. So a batch goes out over a few SMTP connections at once, one thread each,
    # every thread sending and recording its messages in turn exactly as one would.
    width = min(SMTP_CONNECTIONS, len(rows)) if parallel_allowed() else 1
    if width <= 1:
        send_batch(lease, rows)
        return
    app = current_app._get_current_object()

    def run(share):
        with app.app_context():
            try:
                send_batch(lease, share)
            finally:
                close_outcomes()

    with ThreadPoolExecutor(width, thread_name_prefix="mail") as pool:
        for future in [pool.submit(run, rows[k::width]) for k in range(width)]:
            future.result()


def send_batch(lease: Lease, rows) -> None:
    """`rows` over one SMTP connection, each recorded the moment the server accepts it."""
    releases: dict[int, Release] = {}
    try:
        connection = mail.connect().__enter__()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("SMTP server unavailable: %s", error)
        for row in rows:
            retry_later(lease, row, f"SMTP server unavailable: {error}")
        return
    try:
        for n, row in enumerate(rows):
            if lease.ending():
                release(lease, [r.id for r in rows[n:]])
                return
            if row.unsubscribed_at is not None or not row.email:
                skipped(lease, row.id, "the fan unsubscribed")
                continue
            if row.campaign_id not in releases:
                releases[row.campaign_id] = _release(row.campaign_id)
            with force_locale(row.language):
                message = build(row, releases[row.campaign_id])
            try:
                connection.send(message)
            except smtplib.SMTPRecipientsRefused as error:
                failed(lease, row.id, f"the mail server refused the address: {error.recipients}")
                continue
            except smtplib.SMTPResponseException as error:
                if error.smtp_code >= 500:
                    failed(lease, row.id, f"the mail server refused it ({error.smtp_code})")
                    continue
                retry_later(lease, row, f"the mail server said try later ({error.smtp_code})")
                continue
            except (smtplib.SMTPException, OSError) as error:
                # The connection broke: this message may or may not have arrived. Retry it
                # later (see the window below) and hand the rest back for a new connection.
                retry_later(lease, row, f"SMTP connection failed: {error}")
                release(lease, [r.id for r in rows[n + 1 :]])
                return
            # THE ONE WINDOW where a crash repeats an effect: the SMTP server has accepted
            # this message, and the row does not say so until the statement below (its own
            # commit). A worker killed right here leaves the row "running"; when its lease
            # runs out it is due again and the fan gets this email a second time. What
            # limits it: each message is recorded the moment it is accepted, never at the
            # end of the batch, so a crash repeats at most the one message in flight on
            # each of the worker's SMTP_CONNECTIONS; and the repeat carries the same
            # Message-ID, which lets mail systems that deduplicate on it drop it.
            done(lease, row.id)
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.__exit__(None, None, None)
