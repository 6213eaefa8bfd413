"""The recording rules for fans' signups. No request in here: views parse, this decides.

- One signup per (campaign, email): signing up again updates the platform choice (the latest
  wins) and the consent version, and re-subscribes a fan who had unsubscribed.
- One signup per (campaign, platform account): connecting the same account again refreshes
  its tokens instead of adding a fan.
- The database decides both: the email upsert is one INSERT ... ON CONFLICT statement, and a
  direct signup that loses a race on a unique constraint is retried as an update.
- Nothing about the fan's device (IP address, user agent) is kept.
"""

import functools
import logging
from typing import NamedTuple

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import bindparam, case, delete, literal, select
from sqlalchemy.exc import IntegrityError, OperationalError

from app import clock, database
from app.extensions import db
from app.fan import consent
from app.insights import counting
from app.insights.attribution import Attribution
from app.models import Campaign, Connection, PushSubscription, Signup
from app.models.signup import new_unsubscribe_token
from app.platforms.base import Connected, PlatformError, RevocableClient
from app.platforms.clients import client_for
from app.release_day import webhook_events

log = logging.getLogger(__name__)

MAX_EMAIL = 254  # RFC 5321's limit on a whole address


class InvalidEmail(ValueError):
    """What is wrong with an address, worded for the fan."""


def normalize_email(raw: str | None) -> str:
    """A deliverable-looking address, normalized; no network lookups.

    email-validator normalizes the domain (IDNA, lower case) and Unicode; the local part is
    lower-cased too, since the providers fans use ignore its case and one person should not
    become two signups by typing a capital letter.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidEmail(_("Enter your email address."))
    # One sentence of ours for every bad address: the validator's own text is for developers.
    bad = InvalidEmail(_("That doesn't look like an email address: please check it for typos."))
    if len(text) > MAX_EMAIL or "\x00" in text:
        raise bad
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise bad from None
    return result.normalized.lower()


class EmailSignup(NamedTuple):
    """What the confirmation needs of a recorded email signup."""

    id: int
    mode: str
    unsubscribe_token: str
    confirmed_at: object  # None while a double opt-in signup awaits the fan's confirmation


def record_email_signup(
    campaign_id: int,
    platform: str,
    email: str,
    attribution: Attribution | None = None,
    language: str = "en",
) -> EmailSignup | None:
    """The fan's email signup for `platform` (a key the campaign offers); `email` normalized;
    `language` the one the page spoke (the latest signup's wins, like the platform).
    None when the campaign is no longer open for signups (closed, or live: its release-day
    emails were written at conversion): the statement itself checks, so a copy of the
    campaign read a few seconds ago can't let a signup into one.

    A fan who connected this same platform before keeps their connection (the save still
    happens); one who now picks another platform gets the email for that one, and the old
    connection, which no longer serves their choice, is dropped.

    This is the busiest write Dropday has (a big artist's link, thousands of fans a minute),
    so a new fan costs one prepared statement, its insights counts and the commit, outside
    the ORM. A fan signing up again is not counted again.
    """
    token = new_unsubscribe_token()
    connection = db.session.connection()
    row = connection.execute(
        _email_upsert(connection.dialect.name),
        {
            "campaign_id": campaign_id,
            "platform": platform,
            "email": email,
            "language": language,
            "consent_version": consent.CURRENT,
            "unsubscribe_token": token,
            "now": clock.now(),
        },
    ).one_or_none()
    if row is None:
        db.session.rollback()
        return None
    signup = EmailSignup(*row)
    # An update keeps the row's own token: only a fan Dropday knew can have a connection.
    if signup.unsubscribe_token != token and signup.mode == "email":
        connection.execute(delete(Connection.__table__).where(Connection.signup_id == signup.id))
    if signup.unsubscribe_token == token:
        _count_signup(campaign_id, "email", platform, attribution)
        webhook_events.signup_event(
            "signup.created", campaign_id, signup.id, email=email, platform=platform, mode="email"
        )
    db.session.commit()
    return signup


@functools.cache
def _email_upsert(dialect: str):
    """INSERT ... SELECT from the campaign while it is active, ON CONFLICT (campaign, email)
    update; built once per dialect, since building it costs more than running it."""
    table = Signup.__table__
    now = bindparam("now", type_=table.c.created_at.type)
    values = {
        "campaign_id": Campaign.__table__.c.id,
        "platform": bindparam("platform", type_=table.c.platform.type),
        "mode": literal("email", table.c.mode.type),
        "email": bindparam("email", type_=table.c.email.type),
        "language": bindparam("language", type_=table.c.language.type),
        "consent_version": bindparam("consent_version", type_=table.c.consent_version.type),
        "unsubscribe_token": bindparam("unsubscribe_token", type_=table.c.unsubscribe_token.type),
        # With double opt-in the fan confirms by email first; otherwise signing up is enough.
        "confirmed_at": case(
            (Campaign.__table__.c.double_opt_in, literal(None, table.c.confirmed_at.type)),
            else_=now,
        ),
        "created_at": now,
        "updated_at": now,
    }
    # Open: active, and not yet live (conversion wrote the release-day emails already).
    campaigns = Campaign.__table__
    open_campaign = select(*values.values()).where(
        campaigns.c.id == bindparam("campaign_id"),
        campaigns.c.active,
        campaigns.c.phase != "live",
    )
    insert = database.insert(table, dialect)
    insert = insert.from_select(list(values), open_campaign)
    same_platform = table.c.platform == insert.excluded.platform
    return insert.on_conflict_do_update(
        index_elements=[table.c.campaign_id, table.c.email],
        set_={
            "platform": insert.excluded.platform,
            "mode": case((same_platform, table.c.mode), else_="email"),
            "consent_version": insert.excluded.consent_version,
            "language": insert.excluded.language,
            "unsubscribed_at": None,
            "updated_at": insert.excluded.updated_at,
        },
    ).returning(table.c.id, table.c.mode, table.c.unsubscribe_token, table.c.confirmed_at)


def _count_signup(
    campaign_id: int, mode: str, platform: str, attribution: Attribution | None
) -> None:
    pairs = counting.attributed(campaign_id, attribution) if attribution else []
    counting.add(campaign_id, "signup", [*pairs, ("mode", mode), ("platform", platform)])


def record_direct_signup(
    campaign: Campaign,
    platform: str,
    connected: Connected,
    email: str | None,
    attribution: Attribution | None = None,
    language: str = "en",
) -> Signup:
    """A fan who connected `platform` (and gave `email`, where given) on a page in `language`:
    one signup holding the connection, whichever of the two (the email, the account) Dropday
    already knew. A new signup and a new connection are counted for insights with the fan's
    `attribution`."""
    for attempt in range(3):
        try:
            signup = _direct(campaign, platform, connected, email, attribution)
            signup.language = language
            db.session.commit()
            return signup
        except (IntegrityError, OperationalError) as exc:
            # A simultaneous signup by the same fan won the race (a unique constraint, or on
            # SQLite the write lock): do it again, now as an update of the winner's rows.
            db.session.rollback()
            if attempt == 2 or (isinstance(exc, OperationalError) and not _locked(exc)):
                raise
    raise AssertionError("unreachable")


def _locked(exc: OperationalError) -> bool:
    return "locked" in str(exc.orig).lower()


def _direct(
    campaign: Campaign,
    platform: str,
    connected: Connected,
    email: str | None,
    attribution: Attribution | None,
) -> Signup:
    known_account = db.session.scalar(
        select(Connection).filter_by(
            campaign_id=campaign.id, platform=platform, account_id=connected.account_id
        )
    )
    by_email = (
        db.session.scalar(select(Signup).filter_by(campaign_id=campaign.id, email=email))
        if email
        else None
    )
    signup = by_email or (known_account.signup if known_account else None)
    if known_account is not None and known_account.signup_id != (signup and signup.id):
        # The account was another signup's: the same fan, now also known by this email.
        previous = known_account.signup
        db.session.delete(known_account)
        if previous.email is None:
            db.session.delete(previous)
        else:
            previous.mode = "email"  # they still chose that platform, by email
        db.session.flush()
    new_signup = signup is None
    if new_signup:
        signup = Signup(campaign_id=campaign.id)
        db.session.add(signup)
    signup.platform = platform
    signup.mode = "direct"
    signup.email = email or signup.email
    signup.consent_version = consent.CURRENT
    signup.unsubscribed_at = None
    new_connection = signup.connection is None
    connection = signup.connection or Connection(campaign_id=campaign.id)
    connection.signup = signup
    connection.platform = platform
    connection.account_id = connected.account_id
    connection.store_tokens(connected.tokens)
    if connection.health == "broken":  # the fan answered the reconnect email
        connection.health = "reconnected"
    connection.status = "valid"
    db.session.add(connection)
    db.session.flush()
    if new_signup:
        _count_signup(campaign.id, "direct", platform, attribution)
        webhook_events.signup_event(
            "signup.created",
            campaign.id,
            signup.id,
            email=signup.email,
            platform=platform,
            mode="direct",
        )
    if new_connection:
        counting.add(campaign.id, "connection", [("platform", platform)])
    return signup


def store_push_subscription(signup: Signup, endpoint: str, p256dh: str, auth: str) -> None:
    """This browser's Web Push subscription for the fan's release-day notification (one per
    signup: the latest browser the fan allowed replaces an earlier one)."""
    insert = database.insert(PushSubscription).values(
        signup_id=signup.id, endpoint=endpoint, p256dh=p256dh, auth=auth, created_at=clock.now()
    )
    insert = insert.on_conflict_do_update(
        index_elements=[PushSubscription.__table__.c.signup_id],
        set_={"endpoint": endpoint, "p256dh": p256dh, "auth": auth},
    )
    db.session.execute(insert)
    db.session.commit()


def remove_push_subscription(signup: Signup) -> None:
    db.session.execute(delete(PushSubscription).where(PushSubscription.signup_id == signup.id))
    db.session.commit()


def unsubscribe(signup: Signup) -> None:
    """The fan wants nothing more from this campaign: no email, no push, no save. The row
    stays (marked) so the artist's counts stay true; the tokens and the push subscription
    go, since nothing will use them."""
    if signup.unsubscribed_at is None:
        signup.unsubscribed_at = clock.now()
        counting.add(signup.campaign_id, "unsubscribe", [("platform", signup.platform)])
    db.session.execute(delete(PushSubscription).where(PushSubscription.signup_id == signup.id))
    disconnect(signup)


def disconnect(signup: Signup) -> None:
    """The fan withdraws the platform access: the tokens are deleted (no save will happen)
    and, where the platform has a revocation endpoint, revoked there first."""
    _revoke(signup)
    db.session.execute(delete(Connection).where(Connection.signup_id == signup.id))
    db.session.commit()


def _revoke(signup: Signup) -> None:
    connection = db.session.scalar(select(Connection).where(Connection.signup_id == signup.id))
    if connection is None:
        return
    client = client_for(connection.platform)
    if not isinstance(client, RevocableClient):
        return
    try:
        client.revoke(connection.tokens)
    except PlatformError as error:  # the tokens are deleted here all the same
        log.warning("revoking a %s connection failed: %s", connection.platform, error)


def forget(signup: Signup) -> None:
    """Everything Dropday holds about the fan for this campaign goes at once: the signup, and
    with it (foreign keys, ON DELETE CASCADE) the connection's tokens, the push subscription
    and the release-day deliveries, so no row keeps the email. The grant is revoked first."""
    _revoke(signup)
    db.session.execute(delete(Signup).where(Signup.id == signup.id))
    db.session.commit()
