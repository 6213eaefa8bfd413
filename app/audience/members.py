"""Joining, withdrawing from and leaving an audience. No request in here.

A fan joins only by ticking the future-releases box: `join` records the consent's version
and time, and is an upsert on (workspace, email), so the same fan from another campaign (or in
another letter case: emails are normalized before they get here) stays one member. A fan
who withdrew and ticks the box again has given consent again.
"""

from sqlalchemy import delete, func, select, update

from app import clock, database
from app.audience.scope import campaigns_of, owner_of
from app.extensions import db
from app.insights.attribution import Attribution
from app.insights.classify import UNKNOWN
from app.models import AudienceCampaign, AudienceMember, Campaign, Signup, Workspace
from app.models.audience import new_withdraw_token


def join(
    campaign,
    email: str,
    platform: str,
    came_from: Attribution | None,
    consent_version: int,
    language: str,
) -> int:
    """`email` (normalized) joins the audience of `campaign`'s workspace, having ticked the
    box under the future-releases text `consent_version` (app/fan/consent.py) on a page in
    `language` (the latest page's wins, like the platform); the member's id."""
    owner = owner_of(campaign)
    now = clock.now()
    table = AudienceMember.__table__
    country = came_from.country if came_from and came_from.country != UNKNOWN else None
    source = (came_from.channel or came_from.source) if came_from else "direct"
    insert = database.insert(table).values(
        workspace_id=owner,
        email=email,
        platform=platform,
        language=language,
        country=country,
        first_campaign_id=campaign.id,
        first_source=source[:64],
        consent_version=consent_version,
        consented_at=now,
        first_signup_at=now,
        last_signup_at=now,
        withdraw_token=new_withdraw_token(),
    )
    insert = insert.on_conflict_do_update(
        index_elements=[table.c.workspace_id, table.c.email],
        set_={
            "platform": insert.excluded.platform,
            "language": insert.excluded.language,
            "country": func.coalesce(insert.excluded.country, table.c.country),
            "consent_version": insert.excluded.consent_version,
            "consented_at": insert.excluded.consented_at,
            "last_signup_at": insert.excluded.last_signup_at,
            "withdrawn_at": None,
        },
    ).returning(table.c.id)
    member_id = db.session.execute(insert).scalar_one()
    joined = database.insert(AudienceCampaign).values(member_id=member_id, campaign_id=campaign.id)
    db.session.execute(joined.on_conflict_do_nothing())
    db.session.commit()
    return member_id


def by_token(token: str) -> AudienceMember | None:
    return db.session.scalar(select(AudienceMember).filter_by(withdraw_token=token))


def of_signup(signup: Signup) -> AudienceMember | None:
    """The audience member a campaign signup's email is, if the fan joined."""
    if not signup.email:
        return None
    owner = owner_of(db.session.get(Campaign, signup.campaign_id))
    return db.session.scalar(
        select(AudienceMember).filter_by(workspace_id=owner, email=signup.email)
    )


def artist_name(owner: int) -> str:
    """How fans know `owner`: the artist name on its latest campaign (the workspace's own
    name if there is none)."""
    name = db.session.scalar(
        select(Campaign.artist_name)
        .where(Campaign.id.in_(campaigns_of(owner)))
        .order_by(Campaign.id.desc())
        .limit(1)
    )
    return name or db.session.get(Workspace, owner).name


def withdraw(member: AudienceMember) -> None:
    """No more announcements for this fan; the row stays (marked) so a repeat is a no-op
    and any announcement already queued for them is skipped at send time."""
    if member.withdrawn_at is None:
        member.withdrawn_at = clock.now()
    db.session.commit()


def remove(owner: int, member_id: int, everywhere: bool = False) -> bool:
    """Delete a member from `owner`'s audience; with `everywhere`, their signups to every
    campaign of the owner go too. False when there is no such member."""
    member = db.session.scalar(select(AudienceMember).filter_by(workspace_id=owner, id=member_id))
    if member is None:
        return False
    if everywhere:
        mine = Signup.campaign_id.in_(campaigns_of(owner))
        db.session.execute(delete(Signup).where(mine, Signup.email == member.email))
    db.session.execute(delete(AudienceMember).where(AudienceMember.id == member.id))
    db.session.commit()
    return True


def mark_bounced(member_ids) -> None:
    """The mail server refused these addresses for good: no more announcements to them."""
    db.session.execute(
        update(AudienceMember)
        .where(AudienceMember.id.in_(list(member_ids)), AudienceMember.bounced_at.is_(None))
        .values(bounced_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
