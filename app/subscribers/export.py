"""A campaign's subscribers as CSV, written while the rows are read.

The rows come through a server-side cursor (`yield_per` + `stream_results`) in batches, and
each batch leaves as one chunk of the HTTP response, so a million signups export with the same
memory as a hundred. Only plain columns are selected: no ORM objects pile up in the session.
"""

import csv
import io
from collections.abc import Iterator
from datetime import UTC

from sqlalchemy import select

from app.extensions import db
from app.models import Campaign, Signup
from app.subscribers.listing import platform_name

HEADER = ("email", "platform", "mode", "signed_up_at", "campaign", "unsubscribed")
BATCH = 2000

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(cell: str) -> str:
    """The cell as text a spreadsheet shows rather than evaluates (OWASP's advice: a quote)."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def filename(campaign: Campaign) -> str:
    return f"{campaign.slug}-subscribers.csv"


def csv_chunks(campaign: Campaign) -> Iterator[str]:
    """The CSV text in chunks of BATCH rows, oldest signup first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    title = neutral(campaign.title)
    query = (
        select(Signup.email, Signup.platform, Signup.mode)
        .add_columns(Signup.created_at, Signup.unsubscribed_at)
        .where(Signup.campaign_id == campaign.id)
        .order_by(Signup.created_at, Signup.id)
        .execution_options(yield_per=BATCH, stream_results=True)
    )
    for batch in db.session.execute(query).partitions():
        writer.writerows(
            (
                neutral(email or ""),
                neutral(platform_name(platform)),
                mode,
                created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                title,
                "yes" if unsubscribed_at else "no",
            )
            for email, platform, mode, created_at, unsubscribed_at in batch
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if rest := buffer.getvalue():  # the header alone, when nobody signed up yet
        yield rest
