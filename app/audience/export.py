"""An owner's audience as CSV, written while the rows are read: a server-side cursor in
batches, each batch one chunk of the response, so a million members export in flat memory
(the same way as a campaign's subscribers, app/subscribers/export.py)."""

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select

from app.audience.listing import joined_count
from app.extensions import db
from app.models import AudienceMember
from app.platforms import registry
from app.subscribers.export import BATCH, neutral, utc_iso

HEADER = (
    "email",
    "platform",
    "country",
    "first_signup_at",
    "last_signup_at",
    "campaigns_joined",
    "first_source",
    "consent_version",
    "consented_at",
    "status",
)
FILENAME = "audience.csv"


def csv_chunks(owner: int) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    names: dict[str, str] = {}
    query = (
        select(
            AudienceMember.email,
            AudienceMember.platform,
            AudienceMember.country,
            utc_iso(AudienceMember.first_signup_at),
            utc_iso(AudienceMember.last_signup_at),
            joined_count(),
            AudienceMember.first_source,
            AudienceMember.consent_version,
            utc_iso(AudienceMember.consented_at),
            AudienceMember.withdrawn_at.is_not(None),
            AudienceMember.bounced_at.is_not(None),
        )
        .where(AudienceMember.workspace_id == owner)
        .order_by(AudienceMember.first_signup_at, AudienceMember.id)
        .execution_options(yield_per=BATCH, stream_results=True)
    )
    for batch in db.session.execute(query).partitions():
        writer.writerows(
            (
                neutral(email),
                names.get(platform) or names.setdefault(platform, neutral(registry.name(platform))),
                country or "",
                first,
                last,
                campaigns,
                neutral(source),
                version,
                consented,
                "withdrawn" if withdrawn else "bounced" if bounced else "subscribed",
            )
            for (
                email,
                platform,
                country,
                first,
                last,
                campaigns,
                source,
                version,
                consented,
                withdrawn,
                bounced,
            ) in batch
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if rest := buffer.getvalue():
        yield rest
