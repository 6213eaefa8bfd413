"""Audience members written in bulk, as many fans ticking the box would leave them."""

from datetime import timedelta

from app import clock
from app.extensions import db
from app.models import AudienceCampaign, AudienceMember, Campaign
from app.models.audience import new_withdraw_token

PLATFORMS = ("spotify", "deezer", "apple_music", "tidal")


def add_members(app, campaign_id: int, count: int, start: int = 0, **fields):
    """`count` members fan<start>@example.com ... of the campaign's workspace, a minute
    apart, newest last; their ids."""
    with app.app_context():
        now = clock.now()
        owner_id = db.session.get(Campaign, campaign_id).workspace_id
        rows = [
            {
                "workspace_id": owner_id,
                "email": f"fan{n}@example.com",
                "platform": PLATFORMS[n % len(PLATFORMS)],
                "country": ("DE", "FR", None)[n % 3],
                "first_campaign_id": campaign_id,
                "first_source": "direct",
                "consent_version": 1,
                "consented_at": now,
                "first_signup_at": now - timedelta(minutes=count + start - n),
                "last_signup_at": now,
                "withdraw_token": new_withdraw_token(),
                **fields,
            }
            for n in range(start, start + count)
        ]
        ids = []
        for chunk in range(0, len(rows), 5000):
            ids += db.session.scalars(
                db.insert(AudienceMember).returning(AudienceMember.id), rows[chunk : chunk + 5000]
            ).all()
        db.session.execute(
            db.insert(AudienceCampaign),
            [{"member_id": i, "campaign_id": campaign_id} for i in ids],
        )
        db.session.commit()
        return ids
