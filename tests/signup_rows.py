"""Fans' signups written straight into the database, as the fan pages would record them.

`add_signup` writes one through the models; `add_signups` writes many in one statement (with
PostgreSQL's generate_series where available) for the pagination and export tests.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from app.extensions import db
from app.models import Connection, PushSubscription, Signup

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def add_signup(
    app,
    campaign,
    email="fan@example.com",
    platform="spotify",
    *,
    created_at=None,
    unsubscribed=False,
    push=False,
    connected=False,
):
    with app.app_context():
        signup = Signup(
            campaign_id=campaign.id,
            platform=platform,
            mode="direct" if connected else "email",
            email=email,
            consent_version=1,
            created_at=created_at or T0,
            unsubscribed_at=T0 + timedelta(days=1) if unsubscribed else None,
        )
        db.session.add(signup)
        db.session.flush()
        if push:
            db.session.add(
                PushSubscription(
                    signup_id=signup.id,
                    endpoint=f"https://push.example/{signup.id}",
                    p256dh="key",
                    auth="auth",
                )
            )
        if connected:
            db.session.add(
                Connection(
                    signup_id=signup.id,
                    campaign_id=campaign.id,
                    platform=platform,
                    account_id=f"account-{signup.id}",
                    access_token="secret-access-token",
                    refresh_token="secret-refresh-token",
                )
            )
        db.session.commit()
        return signup.id


def add_signups(app, campaign, count, *, start=T0, step=timedelta(seconds=1)):
    """`count` email signups one `step` apart: fan1@example.com (oldest) .. fan<count>."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text(
                    "INSERT INTO signup (campaign_id, platform, mode, email, consent_version,"
                    " unsubscribe_token, created_at, updated_at, confirmed_at)"
                    " SELECT :campaign, 'spotify', 'email', 'fan' || n || '@example.com', 1,"
                    " md5(:campaign || '-' || n), :start + n * :step, :start + n * :step,"
                    " :start + n * :step"
                    " FROM generate_series(1, :count) AS n"
                ),
                {"campaign": campaign.id, "start": start, "step": step, "count": count},
            )
        else:
            db.session.execute(
                insert(Signup),
                [
                    {
                        "campaign_id": campaign.id,
                        "platform": "spotify",
                        "mode": "email",
                        "email": f"fan{n}@example.com",
                        "consent_version": 1,
                        "unsubscribe_token": f"{campaign.id}-{n}",
                        "created_at": start + n * step,
                        "updated_at": start + n * step,
                    }
                    for n in range(1, count + 1)
                ],
            )
        db.session.commit()
