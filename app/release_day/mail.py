"""Release-day emails: one per fan with an email who has not unsubscribed, once.

Each message is built with the standard library (`email.message.EmailMessage`) from
templates/emails/release_day.{txt,html}: text and HTML alternatives with one button,
"Listen on <platform>", to the fan's personal routing link (links.py); `List-Unsubscribe`
(the fan's /u/<token> page, which takes RFC 8058's one-click POST) with
`List-Unsubscribe-Post`, and a visible unsubscribe link; a `Message-ID` made from the
delivery's id, the same on every attempt. It goes out with `smtplib` (account mail keeps
Flask-Mail): a batch over SMTP_CONNECTIONS connections, one thread each, each thread
sending its share in turn, for every message: still ours? -> send it -> record it.

The one repeat window. Between the server accepting a message and the statement that
records it done (its own commit), a crash repeats the email: a worker killed there leaves
the row "running", and once its lease runs out the row is due again and the fan gets it a
second time. It is kept narrow: every message is recorded the moment it is accepted, never
at the end of a batch, so a crash repeats at most the one message in flight on each
connection; and the repeat carries the same Message-ID, which lets mail systems that
deduplicate on it drop it. Pushes and saves have the same window (outbox.in_parallel).
"""

import base64
import contextlib
import email.policy
import functools
import logging
import secrets
import smtplib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from app import bounces, languages
from app.extensions import db
from app.models import Signup
from app.release_day import outages, wording
from app.release_day.content import Release, batch_rows, releases
from app.release_day.links import personal_link
from app.release_day.outbox import (
    Lease,
    close_outcomes,
    done,
    failed,
    hand_back,
    retry_later,
    skipped,
)

log = logging.getLogger(__name__)

SMTP_CONNECTIONS = 8  # per delivery job; each sends its share of the batch in turn
SMTP_TIMEOUT = 30  # seconds for the server's answer to any one command


def _plain(name: str, value) -> bool:
    """A header that needs no encoding or folding: ASCII on one line of at most 78."""
    return (
        type(value) is str
        and value.isascii()
        and "\r" not in value
        and "\n" not in value
        and len(name) + len(value) + 2 <= 78
    )


@functools.cache
def _max_count(name: str) -> int | None:
    return email.policy.default.header_max_count(name)


class _Wire(email.policy.EmailPolicy):
    """The standard policy for SMTP, minus work that cost more per message than sending
    it: a plain header (`_plain`) is kept as the string it is instead of being parsed into
    a structured header on every write and read, and how often a header may appear is
    looked up once per name. Anything else (a non-ASCII title, a long URL) is encoded and
    folded by the standard policy."""

    def header_store_parse(self, name, value):
        return (name, value) if _plain(name, value) else super().header_store_parse(name, value)

    def header_fetch_parse(self, name, value):
        return value if _plain(name, value) else super().header_fetch_parse(name, value)

    def header_max_count(self, name):
        return _max_count(name.lower())


_WIRE = _Wire(linesep="\r\n")
# Part of every boundary: unknowable to whoever writes a release's title or artist name, so
# their text can never close a part early.
_BOUNDARY = f"=_{secrets.token_hex(12)}"


def build(row, release: Release) -> EmailMessage:
    """The email for one delivery; `row`: a batch row (see `deliver_emails`)."""
    config = current_app.config
    unsubscribe = f"{config['PUBLIC_URL']}/u/{row.unsubscribe_token}"
    context = {
        "release": release,
        "listen": wording.listen(row.platform),
        "pre_save_page": wording.pre_save_page_of(release.artist_name),
        "lang_tag": languages.current_tag(),
        "link": personal_link(row.signup_id, "email"),
        "unsubscribe_url": unsubscribe,
    }
    headers = {
        "Subject": wording.subject(release.title, release.artist_name),
        "From": config["MAIL_DEFAULT_SENDER"],
        "To": row.email,
        "Message-ID": message_id("release-day", row.campaign_id, row.id),
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return assemble(headers, "emails/release_day", context)


def mail_host() -> str:
    return urlsplit(current_app.config["PUBLIC_URL"]).hostname or "dropday.invalid"


def message_id(kind: str, *ids: int) -> str:
    """The same on every attempt at one delivery, so a repeat can be recognized."""
    return f"<{kind}.{'.'.join(map(str, ids))}@{mail_host()}>"


def assemble(headers: dict[str, str], template: str, context: dict) -> EmailMessage:
    """A message with `headers` (and a Date) and two alternatives rendered from
    `<template>.txt` and `<template>.html`."""
    env = current_app.jinja_env
    message = EmailMessage(policy=_WIRE)
    for name, value in headers.items():
        message[name] = value
    message["Date"] = formatdate(localtime=True)
    message["MIME-Version"] = "1.0"
    # The one shape (two alternatives) built directly: `set_content` would parse every
    # header it writes again, and choose an encoding by scanning each body.
    message["Content-Type"] = f'multipart/alternative; boundary="{_BOUNDARY}"'
    for subtype, extension in (("plain", "txt"), ("html", "html")):
        body = env.get_template(f"{template}.{extension}").render(context)
        part = EmailMessage(policy=_WIRE)
        part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
        part["Content-Transfer-Encoding"] = "base64"
        part.set_payload(base64.encodebytes(body.encode()).decode("ascii"))
        message.attach(part)
    return message


def deliver_emails(lease: Lease) -> None:
    rows = batch_rows(lease, Signup.email, Signup.unsubscribe_token, Signup.unsubscribed_at)
    if not rows:  # the fans were deleted since the claim, and their deliveries with them
        return
    by_campaign = releases(row.campaign_id for row in rows)
    db.session.rollback()  # read all it needs: hold no transaction while sending

    def compose(row) -> EmailMessage:
        with force_locale(row.language):  # the language the fan signed up in
            return build(row, by_campaign[row.campaign_id])

    send_all(lease, rows, compose)


def send_all(lease: Lease, rows, compose: Callable[[object], EmailMessage]) -> None:
    """Send each row's `compose(row)` and record it. Shared by every outbox email (the
    release-day email, the audience's announcements): rows need `id`, `attempts`,
    `due_since`, `email` and `unsubscribed_at` (the fan said stop: skipped).

    Most of a message's time is waiting: for the mail server's four replies, for the
    database. So a batch goes out over a few SMTP connections at once, one thread each."""
    width = min(SMTP_CONNECTIONS, len(rows))
    app = current_app._get_current_object()

    def run(share):
        with app.app_context():
            try:
                send_batch(lease, share, compose)
            finally:
                close_outcomes()

    with ThreadPoolExecutor(width, thread_name_prefix="mail") as pool:
        for future in [pool.submit(run, rows[k::width]) for k in range(width)]:
            future.result()


@dataclass(frozen=True)
class Refusal:
    """Why a message did not go out: for good, or to `retry` later; `broken`: the
    connection is gone, so the messages after it wait for a new one."""

    reason: str
    retry: bool = False
    broken: bool = False
    bounced: bool = False  # the fan's mail server refused the address for good (5xx)

    @property
    def outage(self) -> str:
        """What the Release day tab says the mail server is doing (a retried refusal)."""
        return "mail server unreachable" if self.broken else "mail server says try later"


def send_batch(lease: Lease, rows, compose: Callable[[object], EmailMessage]) -> None:
    """`rows` over one SMTP connection, each recorded the moment the server answers."""
    try:
        smtp = connect()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("SMTP server unavailable: %s", error)
        outages.noticed(outages.MAIL, "mail server unreachable")
        for row in rows:
            retry_later(lease, row, f"SMTP server unavailable: {error}")
        return
    bounced = bounces.among(row.email for row in rows)  # here or in another campaign, since
    answered = False
    try:
        for n, row in enumerate(rows):
            if lease.ending():
                hand_back(lease, [r.id for r in rows[n:]])
                return
            if row.unsubscribed_at is not None or not row.email:
                skipped(lease, row.id, "the fan unsubscribed")
                continue
            if row.email in bounced:
                skipped(lease, row.id, "the address bounced")
                continue
            refusal = send_one(smtp, row, compose)
            record_sent(lease, row, refusal)
            if refusal is not None and refusal.retry:
                outages.noticed(outages.MAIL, refusal.outage)
            elif not answered:  # one message through: the mail server is back
                answered = True
                outages.over(outages.MAIL)
            if refusal is not None and refusal.broken:
                hand_back(lease, [r.id for r in rows[n + 1 :]])
                return
    finally:
        disconnect(smtp)


def connect() -> smtplib.SMTP:
    """A connection to the configured mail server (MAIL_* settings), logged in."""
    config = current_app.config
    kind = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    smtp = kind(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def disconnect(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def send_one(smtp: smtplib.SMTP, row, compose: Callable[[object], EmailMessage]) -> Refusal | None:
    """Send one fan's email, `compose(row)`; None once the server accepted it."""
    try:
        message = compose(row)
        sender = _envelope_sender(current_app.config["MAIL_DEFAULT_SENDER"])
        smtp.sendmail(sender, [row.email], message.as_bytes())
    except ValueError as error:  # a header that can't be written, an address SMTP can't carry
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.rset()  # the server may have taken MAIL FROM already
        return Refusal(f"the email could not be written: {error}")
    except smtplib.SMTPRecipientsRefused as error:
        code = min(code for code, _ in error.recipients.values())
        if code >= 500:
            return Refusal(f"the address bounced ({code})", bounced=True)
        return Refusal(f"the mail server said try later ({code})", retry=True)
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500:
            # Refused at DATA: the message to this address (a refused sender is ours to fix).
            bounce = not isinstance(error, smtplib.SMTPSenderRefused)
            return Refusal(f"the mail server refused it ({error.smtp_code})", bounced=bounce)
        return Refusal(f"the mail server said try later ({error.smtp_code})", retry=True)
    except (smtplib.SMTPException, OSError) as error:
        # The connection broke: this message may or may not have arrived.
        return Refusal(f"SMTP connection failed: {error}", retry=True, broken=True)
    return None


def record_sent(lease: Lease, row, refusal: Refusal | None) -> None:
    if refusal is not None and refusal.bounced:
        bounces.record(row.email, refusal.reason)
    if refusal is None:
        done(lease, row.id)  # the one repeat window closes here (module docstring)
    elif refusal.retry:
        retry_later(lease, row, refusal.reason)
    else:
        failed(lease, row.id, refusal.reason)


@functools.cache
def _envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1]
