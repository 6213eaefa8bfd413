"""Connection health before release day: 24 hours and again 1 hour before the release
moment, every connected fan's access is checked (renewed where the platform allows; Apple's
Music User Token verified with a cheap call), so a broken one can still be fixed in time.
A fan whose connection broke is emailed once, with a link back to the page to connect again.

The periodic job checks at most BATCH connections a run and stops at the first rate limit:
what is left waits for the next minute, so each platform's limits hold.
"""

import functools
import logging
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from app import bounces, clock, languages
from app.auth import mail
from app.extensions import db
from app.models import Campaign, Connection, Signup
from app.platforms.base import PermanentError, TemporaryError
from app.platforms.clients import client_for

log = logging.getLogger(__name__)

CHECKS_BEFORE = (timedelta(hours=24), timedelta(hours=1))
BATCH = 50
HEALTH = ("healthy", "broken", "reconnected")


def _due(now) -> list[int]:
    """Connections of campaigns within a day of release whose latest check is older than
    the check moment reached (release - 24 h, then release - 1 h); at most BATCH."""
    campaigns = db.session.execute(
        select(Campaign.id, Campaign.release_at).where(
            Campaign.phase == "presave",
            Campaign.release_at > now,
            Campaign.release_at <= now + max(CHECKS_BEFORE),
        )
    ).all()
    due: list[int] = []
    for campaign_id, release_at in campaigns:
        moment = max(release_at - before for before in CHECKS_BEFORE if release_at - before <= now)
        due += db.session.scalars(
            select(Connection.id)
            .join(Signup, Signup.id == Connection.signup_id)
            .where(
                Connection.campaign_id == campaign_id,
                Signup.unsubscribed_at.is_(None),
                or_(Connection.health_checked_at.is_(None), Connection.health_checked_at < moment),
            )
            .order_by(Connection.id)
            .limit(BATCH - len(due))
        ).all()
        if len(due) >= BATCH:
            break
    return due


def check_connections() -> int:
    """The periodic job: check what is due; returns how many were checked."""
    now = clock.now()
    ids = _due(now)
    checked = 0
    for connection_id in ids:
        connection = db.session.get(Connection, connection_id)
        try:
            client_for(connection.platform).check(
                connection.tokens, functools.partial(connection.store_tokens, refreshed=True)
            )
        except TemporaryError as error:
            log.info("connection check paused on %s: %s", connection.platform, error)
            db.session.commit()  # keep renewed tokens; the rest waits for the next run
            break
        except PermanentError:
            _broken(connection)
        else:
            if connection.health != "reconnected":
                connection.health = "healthy"
        connection.health_checked_at = now
        db.session.commit()
        checked += 1
    return checked


def _broken(connection: Connection) -> None:
    connection.health, connection.status = "broken", "revoked"
    signup = db.session.get(Signup, connection.signup_id)
    if not signup.email or signup.reconnect_mailed_at is not None:
        return
    # Claimed first, so two runs at once mail one of them.
    claimed = db.session.execute(
        update(Signup)
        .where(Signup.id == signup.id, Signup.reconnect_mailed_at.is_(None))
        .values(reconnect_mailed_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if claimed and not bounces.among([signup.email]):
        campaign = db.session.get(Campaign, connection.campaign_id)
        mail.send_to_fan(
            signup,
            _l("Connect again so %(title)s is saved on release day", title=campaign.title),
            "reconnect",
            campaign=campaign,
            # The page in the fan's language (an English one keeps its plain address).
            link=mail.link("fan.page", slug=campaign.slug, lang=languages.named(signup.language)),
        )


def health_counts(campaign_id: int) -> dict[str, int]:
    """healthy / broken / reconnected connections, for the Release day tab."""
    rows = db.session.execute(
        select(Connection.health, func.count())
        .where(Connection.campaign_id == campaign_id, Connection.health.is_not(None))
        .group_by(Connection.health)
    ).all()
    return {state: 0 for state in HEALTH} | dict(rows)
