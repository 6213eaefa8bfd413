"""How long Dropday keeps fans' data, enforced by a periodic job (release_day/schedule.py).

- Platform tokens go as soon as the fan's save is done or has finally failed: nothing will
  use them again. The save's outcome deletes them in its own transaction
  (app/release_day/saves.py); this job deletes any an outcome left behind (a row finished
  some other way, e.g. before that rule) as a safety net.
- Everything else about a fan (the signup with its email, the push subscription, the
  deliveries) goes RETENTION_DAYS after the campaign's release moment; the artist can export
  before then. Insights keep only counts, which name nobody, and stay.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from app import clock
from app.extensions import db
from app.models import Campaign, Connection, Delivery, Signup

FINISHED = ("done", "failed")


def forget_date(campaign: Campaign) -> datetime:
    """When the campaign's fans' emails and push subscriptions are deleted."""
    return campaign.release_at + timedelta(days=current_app.config["RETENTION_DAYS"])


def enforce() -> tuple[int, int]:
    """The periodic job: (connections, signups) deleted."""
    saved = select(Delivery.signup_id).where(Delivery.kind == "save", Delivery.state.in_(FINISHED))
    tokens = db.session.execute(
        delete(Connection)
        .where(Connection.signup_id.in_(saved))
        .execution_options(synchronize_session=False)
    ).rowcount
    cutoff = clock.now() - timedelta(days=current_app.config["RETENTION_DAYS"])
    past = select(Campaign.id).where(Campaign.release_at < cutoff)
    fans = db.session.execute(
        delete(Signup)
        .where(Signup.campaign_id.in_(past))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return tokens, fans
