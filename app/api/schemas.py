"""The API's request and response shapes (pydantic), from which the OpenAPI document is made.

Request bodies only fix the JSON types; the rules and their messages are the dashboard's
campaign form's (app/api/campaign_input.py feeds the body through it), so a bad title reads
the same in the browser and in a script.
"""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CampaignInput(Strict):
    title: str | None = None
    artist_name: str | None = None
    release_date: str | None = Field(None, description="YYYY-MM-DD")
    time_zone: str | None = Field(None, description="IANA time zone, like Europe/Berlin")
    release_source: str | None = Field(
        None, description="A Spotify album or track link or URI, a UPC/EAN, or an ISRC"
    )
    platforms: list[str] | None = Field(None, description="Platform keys, like spotify")
    theme: str | None = None
    slug: str | None = None
    artwork: str | None = Field(
        None,
        description="The artwork file itself, base64 (PNG, JPEG or WebP, up to 5 MB); "
        "required to create, optional to update",
    )


class Campaign(BaseModel):
    id: int
    slug: str
    url: str
    title: str
    artist_name: str
    release_date: date
    time_zone: str
    release_at: datetime
    source_kind: str
    source_value: str
    platforms: list[str]
    theme: str
    active: bool
    phase: str
    created_at: datetime
    updated_at: datetime


class CampaignPage(BaseModel):
    items: list[Campaign]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class Subscriber(BaseModel):
    id: int
    email: str | None
    platform: str
    mode: str
    created_at: datetime
    unsubscribed_at: datetime | None
    push: bool


class SubscriberPage(BaseModel):
    items: list[Subscriber]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next (older) page")


class FoundOn(BaseModel):
    platform: str
    url: str
    matched_by: str
    found_at: datetime


class ReleaseDay(BaseModel):
    phase: str
    release_at: datetime
    converted_at: datetime | None
    found: list[FoundOn]
    missing: list[str]
    deliveries: dict[str, dict[str, int]] = Field(description="kind -> state -> count")
    fans: int


class InsightsBucket(BaseModel):
    start: datetime = Field(description="The hour's or day's start, in the campaign's time zone")
    counts: dict[str, int] = Field(description="visit, visitor, signup, click")


class InsightsRow(BaseModel):
    value: str = Field(description="As counted, like a platform key or a country code")
    label: str = Field(description="As the Insights tab names it")
    counts: dict[str, int]


class InsightsBreakdown(BaseModel):
    dimension: str
    title: str
    metrics: list[str]
    rows: list[InsightsRow] = Field(description="Biggest first")


class Insights(BaseModel):
    """The Insights tab's numbers for one period, from the same rollups and functions."""

    range: str
    first: date = Field(description="The period's first local day")
    last: date = Field(description="The period's last local day (included)")
    time_zone: str
    grain: Literal["hour", "day"] = Field(description="Of `series`: by hour up to two days")
    totals: dict[str, int] = Field(description="metric -> count over the period")
    conversion: float | None = Field(description="Signups per unique visitor")
    series: list[InsightsBucket]
    sections: dict[str, list[InsightsBreakdown]] = Field(
        description="sources, services, locations, devices"
    )


class Problem(BaseModel):
    """RFC 9457 problem details; `errors` names each refused field with its messages."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: dict[str, list[str]] | None = None
