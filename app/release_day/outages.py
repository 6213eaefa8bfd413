"""Outages release day is waiting on: a service that keeps refusing (the mail server, a
push service) is noted with the moment it started, for the Release day tab ("mail server
unreachable since 00:01, retrying"), and forgotten once it answers again.

One row per service (Outage), written outside any delivery's transaction: the first
failure inserts it (`since`), later ones only update what it said; the first success
deletes it. A success costs one DELETE per batch, not per delivery.
"""

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.models import Outage

MAIL = "mail"
PUSH = "push"


def noticed(service: str, detail: str) -> None:
    """`service` failed again (or for the first time): keep when it started."""
    detail = detail[:200]
    try:
        db.session.add(Outage(service=service, since=clock.now(), detail=detail))
        db.session.commit()
    except IntegrityError:  # already noted, by this worker or another
        db.session.rollback()
        db.session.execute(update(Outage).where(Outage.service == service).values(detail=detail))
        db.session.commit()


def over(service: str) -> None:
    """`service` answered: nothing to wait on."""
    db.session.execute(delete(Outage).where(Outage.service == service))
    db.session.commit()


def current() -> list[Outage]:
    return db.session.scalars(db.select(Outage).order_by(Outage.since)).all()
