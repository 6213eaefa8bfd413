"""Double opt-in: with the campaign's switch on, an email signup counts only once the fan
confirms it from an email. Until then it is not mailed, not exported, shown as
"unconfirmed", and deleted after UNCONFIRMED_DAYS. No request in here: the views are in
confirm.py; the confirmation mail goes out from a worker (queue "mail").
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from app import clock
from app.auth import mail
from app.extensions import db
from app.models import BouncedEmail, Campaign, Signup
from app.signed_tokens import SignedToken

UNCONFIRMED_DAYS = 7
_TOKENS = SignedToken("opt-in", max_age=UNCONFIRMED_DAYS * 24 * 3600, max_length=200)


def confirmation_token(signup_id: int) -> str:
    return _TOKENS.dumps(signup_id)


def signup_for(token: str) -> Signup | None:
    """The signup a confirmation link names, while it still exists."""
    signup_id = _TOKENS.loads(token)
    return db.session.get(Signup, signup_id) if isinstance(signup_id, int) else None


def send_confirmation(signup_id: int) -> bool:
    """The job: mail the fan their confirmation link, in the language they signed up in,
    unless already confirmed, gone, or the address bounced."""
    signup = db.session.get(Signup, signup_id)
    if signup is None or signup.confirmed_at is not None or signup.email is None:
        return False
    if db.session.get(BouncedEmail, signup.email) is not None:
        return False
    campaign = db.session.get(Campaign, signup.campaign_id)
    mail.send_to_fan(
        signup,
        _l("Confirm your signup for %(title)s", title=campaign.title),
        "confirm_signup",
        campaign=campaign,
        link=mail.link("fan.confirm_page", token=confirmation_token(signup.id)),
        days=UNCONFIRMED_DAYS,
    )
    return True


def confirm(signup: Signup) -> None:
    """Record the confirmation time (the first one stands)."""
    db.session.execute(
        update(Signup)
        .where(Signup.id == signup.id, Signup.confirmed_at.is_(None))
        .values(confirmed_at=clock.now())
    )
    db.session.commit()
    db.session.refresh(signup)


def forget_unconfirmed() -> int:
    """The periodic job: signups left unconfirmed for UNCONFIRMED_DAYS are deleted."""
    cutoff = clock.now() - timedelta(days=UNCONFIRMED_DAYS)
    stale = select(Signup.id).where(Signup.confirmed_at.is_(None), Signup.created_at < cutoff)
    deleted = db.session.execute(
        delete(Signup).where(Signup.id.in_(stale)).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return deleted
