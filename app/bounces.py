"""Addresses whose mail server refused mail for good (an SMTP 5xx at RCPT or DATA): no
campaign of this installation mails them again, and the Subscribers tab shows them.
Temporary refusals (4xx) are not bounces: the outbox retries them with backoff."""

from sqlalchemy import select

from app import clock, database
from app.extensions import db
from app.models import BouncedEmail


def record(email: str, reason: str) -> None:
    statement = (
        database.insert(BouncedEmail)
        .values(email=email, reason=reason[:255], bounced_at=clock.now())
        .on_conflict_do_nothing()
    )
    db.session.execute(statement)
    db.session.commit()


def among(emails) -> set[str]:
    """Which of `emails` bounced."""
    wanted = {e for e in emails if e}
    if not wanted:
        return set()
    return set(db.session.scalars(select(BouncedEmail.email).where(BouncedEmail.email.in_(wanted))))
