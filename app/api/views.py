"""The API's views: parse, call the same domain functions as the dashboard, answer JSON."""

from flask import Response, abort, current_app, jsonify, request, stream_with_context
from pydantic import BaseModel, ValidationError

from app import clock
from app.api import schemas as s
from app.api.blueprint import bp
from app.api.campaign_input import BadArtwork, campaign_form
from app.api.openapi import document
from app.api.operations import LIMIT, operation
from app.api.problems import problem
from app.campaigns.artwork import InvalidArtwork
from app.campaigns.editing import SlugTaken, delete_campaign, save_campaign
from app.dashboard.release_report import overview
from app.extensions import db
from app.insights import channels, report
from app.insights.labels import labeller
from app.models import Artist, Campaign
from app.subscribers import export
from app.subscribers.listing import (
    BadCursor,
    Cursor,
    delete_subscriber,
    find_subscriber,
    subscriber_page,
)
from app.workspaces import activity
from app.workspaces.scope import MAX_ID, current_membership, workspace_campaign, workspace_campaigns

PAGE_LIMIT = 100
CAMPAIGN_CURSOR = {"type": "string", "pattern": "^[0-9]{1,10}$", "description": "next_cursor"}
SIGNUP_CURSOR = {
    "type": "string",
    "pattern": r"^[0-9]{1,16}\.[0-9]{1,18}$",
    "description": "next_cursor",
}
REFUSED = "The campaign was not saved."


class Refused(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


@bp.errorhandler(Refused)
def refused(error: Refused):
    return problem(422, REFUSED, errors=error.errors)


def _answer(model: type[BaseModel], data, status: int = 200):
    return jsonify(model.model_validate(data).model_dump(mode="json")), status


def _body(model: type[BaseModel]):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Refused({"body": ["Send a JSON object."]})
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors: dict[str, list[str]] = {}
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "body"
            errors.setdefault(name, []).append(item["msg"])
        raise Refused(errors) from None


def _limit() -> int:
    text = request.args.get("limit", str(PAGE_LIMIT))
    if not (text.isdecimal() and len(text) <= 3 and 1 <= int(text) <= PAGE_LIMIT):
        abort(400, "limit is a whole number from 1 to 100.")
    return int(text)


def campaign_json(campaign: Campaign) -> dict:
    return {
        "id": campaign.id,
        "slug": campaign.slug,
        "url": f"{current_app.config['PUBLIC_URL']}/{campaign.slug}",
        "title": campaign.title,
        "artist_name": campaign.artist_name,
        "release_date": campaign.release_date,
        "time_zone": campaign.time_zone,
        "release_at": campaign.release_at,
        "source_kind": campaign.source_kind,
        "source_value": campaign.source_value,
        "platforms": campaign.platforms,
        "theme": campaign.theme,
        "active": campaign.active,
        "phase": campaign.phase,
        "created_at": campaign.created_at,
        "updated_at": campaign.updated_at,
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document(request.host_url.rstrip("/") + bp.url_prefix))


# -- campaigns --------------------------------------------------------------------------------


@operation(
    bp,
    "GET",
    "/campaigns",
    "List the workspace's campaigns, oldest first",
    answer=s.CampaignPage,
    query={"cursor": CAMPAIGN_CURSOR, "limit": LIMIT},
)
def list_campaigns():
    cursor = request.args.get("cursor", "0")
    if not cursor.isdecimal() or len(cursor) > 10:
        return problem(400, "That cursor is not one this API gave.")
    limit = _limit()
    rows = db.session.scalars(
        workspace_campaigns()
        .where(Campaign.id > min(int(cursor), MAX_ID))
        .order_by(Campaign.id)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    items = [campaign_json(c) for c in rows[:limit]]
    return _answer(
        s.CampaignPage, {"items": items, "next_cursor": str(rows[limit - 1].id) if more else None}
    )


def _save(campaign: Campaign | None):
    body = _body(s.CampaignInput)
    try:
        form = campaign_form(body, campaign)
    except BadArtwork as error:
        raise Refused({"artwork": [str(error)]}) from None
    if form.errors:
        raise Refused({name: list(messages) for name, messages in form.errors.items()})
    membership = current_membership()
    creator = db.session.get(Artist, membership.artist_id)
    try:
        return save_campaign(form, creator, campaign, membership.workspace_id)
    except InvalidArtwork as error:
        raise Refused({"artwork": [str(error)]}) from None
    except SlugTaken:
        raise Refused({"slug": ["That page address is taken — pick another."]}) from None


@operation(
    bp,
    "POST",
    "/campaigns",
    "Create a campaign",
    body=s.CampaignInput,
    answer=s.Campaign,
    status=201,
    role="editor",
)
def create_campaign():
    campaign = _save(None)
    activity.record("campaign.created", campaign.title)
    return _answer(s.Campaign, campaign_json(campaign), 201)


@operation(bp, "GET", "/campaigns/<int:campaign_id>", "One campaign", answer=s.Campaign)
def get_campaign(campaign_id: int):
    return _answer(s.Campaign, campaign_json(workspace_campaign(campaign_id)))


@operation(
    bp,
    "PATCH",
    "/campaigns/<int:campaign_id>",
    "Change a campaign (fields left out stay)",
    body=s.CampaignInput,
    answer=s.Campaign,
    role="editor",
)
def update_campaign(campaign_id: int):
    campaign = _save(workspace_campaign(campaign_id))
    activity.record("campaign.edited", campaign.title)
    return _answer(s.Campaign, campaign_json(campaign))


def _set_active(campaign_id: int, active: bool):
    campaign = workspace_campaign(campaign_id)
    campaign.active = active
    db.session.commit()
    activity.record("campaign.resumed" if active else "campaign.paused", campaign.title)
    return _answer(s.Campaign, campaign_json(campaign))


@operation(
    bp,
    "POST",
    "/campaigns/<int:campaign_id>/pause",
    "Close signups",
    answer=s.Campaign,
    role="editor",
)
def pause_campaign(campaign_id: int):
    return _set_active(campaign_id, False)


@operation(
    bp,
    "POST",
    "/campaigns/<int:campaign_id>/resume",
    "Open signups again",
    answer=s.Campaign,
    role="editor",
)
def resume_campaign(campaign_id: int):
    return _set_active(campaign_id, True)


@operation(
    bp,
    "DELETE",
    "/campaigns/<int:campaign_id>",
    "Delete a campaign with its fans",
    status=204,
    role="editor",
)
def remove_campaign(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    title = campaign.title
    delete_campaign(campaign)
    activity.record("campaign.deleted", title)
    return "", 204


# -- subscribers ------------------------------------------------------------------------------


@operation(
    bp,
    "GET",
    "/campaigns/<int:campaign_id>/subscribers",
    "A page of subscribers, newest first",
    answer=s.SubscriberPage,
    query={"cursor": SIGNUP_CURSOR, "limit": LIMIT},
)
def list_subscribers(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    text = request.args.get("cursor")
    try:
        before = Cursor.parse(text) if text else None
    except BadCursor:
        return problem(400, "That cursor is not one this API gave.")
    page = subscriber_page(campaign.id, before=before, size=_limit())
    items = [row.__dict__ for row in page.rows]
    older = str(page.older) if page.older else None
    return _answer(s.SubscriberPage, {"items": items, "next_cursor": older})


EXPORTS = {
    "csv": ("text/csv", export.csv_chunks),
    "ndjson": ("application/x-ndjson", export.ndjson_chunks),
}


@operation(
    bp,
    "GET",
    "/campaigns/<int:campaign_id>/subscribers/export",
    "Every subscriber, streamed as CSV or NDJSON (emails: not for viewers)",
    query={"format": {"enum": list(EXPORTS), "default": "csv"}},
    role="editor",
    media={"text/csv": "CSV", "application/x-ndjson": "One JSON object per line"},
)
def export_subscribers(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    kind = request.args.get("format", "csv")
    if kind not in EXPORTS:
        return problem(400, "Ask for format=csv or format=ndjson.")
    mimetype, chunks = EXPORTS[kind]
    activity.record("subscribers.exported", campaign.title)
    return Response(stream_with_context(chunks(campaign)), mimetype=mimetype)


@operation(
    bp,
    "DELETE",
    "/campaigns/<int:campaign_id>/subscribers/<int:signup_id>",
    "Remove one subscriber (and their connection, push subscription and deliveries)",
    status=204,
    role="editor",
)
def remove_subscriber(campaign_id: int, signup_id: int):
    campaign = workspace_campaign(campaign_id)
    signup = find_subscriber(campaign.id, signup_id)
    if signup is None:
        return problem(404, "No such subscriber in this campaign.")
    delete_subscriber(signup)
    return "", 204


# -- release day ------------------------------------------------------------------------------


@operation(
    bp,
    "GET",
    "/campaigns/<int:campaign_id>/release-day",
    "Release day: phase, where the release was found, deliveries by state",
    answer=s.ReleaseDay,
)
def release_day(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    report = overview(campaign)
    found = [
        {
            "platform": link.platform,
            "url": link.url,
            "matched_by": link.matched_by,
            "found_at": link.found_at,
        }
        for link in report.links
    ]
    return _answer(
        s.ReleaseDay,
        {
            "phase": campaign.phase,
            "release_at": campaign.release_at,
            "converted_at": campaign.converted_at,
            "found": found,
            "missing": report.missing,
            "deliveries": report.counts,
            "fans": report.fans,
        },
    )


# -- insights ---------------------------------------------------------------------------------

RANGE_QUERY = {
    "range": {"enum": [*report.RANGES, "all", "custom"], "default": "30"},
    "from": {"type": "string", "format": "date", "description": "range=custom: first day"},
    "to": {"type": "string", "format": "date", "description": "range=custom: last day"},
}


@operation(
    bp,
    "GET",
    "/campaigns/<int:campaign_id>/insights",
    "Insights: the tab's totals, series and breakdowns for a range of local days",
    answer=s.Insights,
    query=RANGE_QUERY,
)
def insights(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    ids = [campaign.id]
    try:
        span = report.period_asked(request.args, ids, campaign.time_zone, clock.now())
    except report.BadPeriod as error:
        return problem(400, str(error))
    found = report.build(ids, span, labeller(channels.names(ids)))
    sections = {
        name: [
            {
                "dimension": table.dimension,
                "title": table.title,
                "metrics": table.metrics,
                "rows": [
                    {"value": value, "label": label, "counts": counts}
                    for value, (label, counts) in zip(table.values, table.rows, strict=True)
                ],
            }
            for table in tables
        ]
        for name, tables in found.sections.items()
    }
    return _answer(
        s.Insights,
        {
            "range": span.key,
            "first": span.first,
            "last": span.last,
            "time_zone": campaign.time_zone,
            "grain": "hour" if span.hourly else "day",
            "totals": {metric: found.totals[metric] for metric in report.METRIC_NAMES},
            "conversion": found.conversion,
            "series": [{"start": start, "counts": counts} for start, counts in found.buckets],
            "sections": sections,
        },
    )
