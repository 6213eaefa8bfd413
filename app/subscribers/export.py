"""A campaign's subscribers as CSV, written while the rows are read.

The rows come through a server-side cursor (`yield_per` + `stream_results`) in batches, and
each batch leaves as one chunk of the HTTP response, so a million signups export with the same
memory as a hundred. Only plain columns are selected: no ORM objects pile up in the session.
Signups still awaiting their double opt-in confirmation are not exported.
"""

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy import String, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.models import Campaign, Signup
from app.platforms import registry

HEADER = ("email", "platform", "mode", "signed_up_at", "campaign", "unsubscribed")
BATCH = 2000

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class utc_iso(FunctionElement):
    """A timestamp as ISO 8601 UTC text to the second ("2026-03-01T12:00:00Z"), formatted by
    the database: a million rows would spend most of the export in Python's datetime."""

    type = String()
    inherit_cache = True


@compiles(utc_iso)  # PostgreSQL's, and what str(query) shows
def _utc_iso_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


@compiles(utc_iso, "sqlite")
def _utc_iso_sqlite(element, compiler, **kw):
    # SQLite keeps UTCDateTime values as naive UTC text.
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {compiler.process(element.clauses, **kw)})"


def neutral(cell: str) -> str:
    """The cell as text a spreadsheet shows rather than evaluates (OWASP's advice: a quote)."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def filename(campaign: Campaign) -> str:
    return f"{campaign.slug}-subscribers.csv"


def _batches(campaign_id: int):
    """The campaign's signups as plain rows, oldest first, BATCH at a time from a cursor."""
    query = (
        select(Signup.email, Signup.platform, Signup.mode, utc_iso(Signup.created_at))
        .add_columns(Signup.unsubscribed_at.is_not(None))
        .where(Signup.campaign_id == campaign_id, Signup.confirmed_at.is_not(None))
        .order_by(Signup.created_at, Signup.id)
        .execution_options(yield_per=BATCH, stream_results=True)
    )
    return db.session.execute(query).partitions()


def ndjson_chunks(campaign: Campaign) -> Iterator[str]:
    """One JSON object per line (the API's export): raw values, no spreadsheet quoting."""
    return _ndjson(campaign.id)  # read now: the rows stream after the request's commit


def _ndjson(campaign_id: int) -> Iterator[str]:
    for batch in _batches(campaign_id):
        yield "".join(
            json.dumps(
                {
                    "email": email,
                    "platform": platform,
                    "mode": mode,
                    "signed_up_at": signed_up_at,
                    "unsubscribed": bool(unsubscribed),
                }
            )
            + "\n"
            for email, platform, mode, signed_up_at, unsubscribed in batch
        )


def csv_chunks(campaign: Campaign) -> Iterator[str]:
    """The CSV text in chunks of BATCH rows, oldest signup first."""
    return _csv(campaign.id, campaign.title)  # read now, as ndjson_chunks does


def _csv(campaign_id: int, title: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    title = neutral(title)
    names: dict[str, str] = {}  # platform key -> its name, neutralized once
    for batch in _batches(campaign_id):
        writer.writerows(
            (
                neutral(email) if email else "",
                names.get(platform) or names.setdefault(platform, neutral(registry.name(platform))),
                mode,
                signed_up_at,
                title,
                "yes" if unsubscribed else "no",
            )
            for email, platform, mode, signed_up_at, unsubscribed in batch
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if rest := buffer.getvalue():  # the header alone, when nobody signed up yet
        yield rest
