"""The Insights tab of a campaign, the overview across the artist's campaigns, their CSVs,
and the campaign's channel links with their QR codes.

The tab reads rollups only (app/insights/report.py). Around the release moment it polls
itself every 10 s (htmx, the report part only); any other time it renders without a
trigger and answers a poll with 286, which stops it.
"""

import csv
import io
from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for

from app import clock
from app.dashboard.blueprint import bp
from app.extensions import db
from app.htmx_fragments import fragment_request
from app.insights import channels, charts, report
from app.insights.labels import labeller
from app.models import Campaign, Channel
from app.subscribers.export import neutral
from app.workspaces.scope import workspace_campaign, workspace_campaigns

STOP_POLLING = 286
POLL_FROM = timedelta(hours=1)  # before the release moment ...
POLL_UNTIL = timedelta(hours=48)  # ... until this long after it
CSV_SECTIONS = ("summary", *report.SECTIONS)


def _live(campaign: Campaign) -> bool:
    now = clock.now()
    return campaign.release_at - POLL_FROM <= now <= campaign.release_at + POLL_UNTIL


def _period(ids: list[int], zone: str) -> report.Period:
    try:
        return report.period_asked(request.args, ids, zone, clock.now())
    except report.BadPeriod as error:
        page = render_template("error.html", message=str(error), status="Insights")
        abort(Response(page, 400))


def _view(ids: list[int], zone: str, release_at, names: dict[str, str]) -> dict:
    span = _period(ids, zone)
    found = report.build(ids, span, labeller(names))
    return {
        "span": span,
        "totals": found.totals,
        "conversion": found.conversion,
        "buckets": found.buckets,
        "time_chart": charts.over_time(found.buckets, span.hourly, release_at),
        "sections": found.sections,
        "bars": charts.bars,
        "metric_names": report.METRIC_NAMES,
        "ranges": [("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("all", "All time")],
    }


@bp.get("/campaigns/<int:campaign_id>/insights")
def insights(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    context = _view([campaign.id], campaign.time_zone, campaign.release_at, _names(campaign))
    context |= {
        "campaign": campaign,
        "channels": [(c, channels.link(campaign, c)) for c in channels.of_campaign(campaign.id)],
        "live": _live(campaign),
        "here": url_for("dashboard.insights", campaign_id=campaign.id, **context["span"].query()),
        "csv_url": lambda section: url_for(
            "dashboard.insights_csv",
            campaign_id=campaign.id,
            section=section,
            **context["span"].query(),
        ),
        "range_url": lambda **query: url_for(
            "dashboard.insights", campaign_id=campaign.id, **query
        ),
    }
    if fragment_request() and request.headers.get("HX-Target") == "insights-report":
        status = 200 if context["live"] else STOP_POLLING
        return render_template("dashboard/insights/_report.html", **context), status
    return render_template("dashboard/insights/index.html", **context)


def _names(campaign: Campaign) -> dict[str, str]:
    return channels.names([campaign.id])


def _my_ids() -> tuple[list[int], str]:
    """The artist's campaign ids, and the time zone of their latest release (or UTC)."""
    rows = db.session.execute(
        workspace_campaigns()
        .with_only_columns(Campaign.id, Campaign.time_zone)
        .order_by(Campaign.release_at.desc())
    ).all()
    return [row.id for row in rows], (rows[0].time_zone if rows else "UTC")


@bp.get("/insights")
def insights_overview():
    ids, zone = _my_ids()
    context = _view(ids, zone, None, channels.names(ids))
    context |= {
        "campaign_count": len(ids),
        "zone": zone,
        "csv_url": lambda section: url_for(
            "dashboard.insights_overview_csv", section=section, **context["span"].query()
        ),
        "range_url": lambda **query: url_for("dashboard.insights_overview", **query),
        "live": False,
    }
    return render_template("dashboard/insights/overview.html", **context)


@bp.get("/campaigns/<int:campaign_id>/insights/<section>.csv")
def insights_csv(campaign_id: int, section: str):
    campaign = workspace_campaign(campaign_id)
    return _csv([campaign.id], campaign.time_zone, section, _names(campaign), campaign.slug)


@bp.get("/insights/<section>.csv")
def insights_overview_csv(section: str):
    ids, zone = _my_ids()
    return _csv(ids, zone, section, channels.names(ids), "all-campaigns")


def _csv(ids: list[int], zone: str, section: str, names: dict[str, str], stem: str):
    if section not in CSV_SECTIONS:
        abort(404)
    span = _period(ids, zone)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if section == "summary":
        metrics = report.SUMMARY_METRICS
        writer.writerow(["hour" if span.hourly else "day", *metrics])
        for start, counts in report.series(ids, span):
            when = start.isoformat() if span.hourly else start.date().isoformat()
            writer.writerow([when, *(counts[m] for m in metrics)])
    else:
        tables = report.section(ids, span, section, labeller(names))
        writer.writerow(["breakdown", "value", *report.SECTIONS[section][1]])
        for table in tables:
            for label, counts in table.rows:
                writer.writerow(
                    [table.dimension, neutral(label), *(counts[m] for m in table.metrics)]
                )
    name = f"{stem}-{section}-{span.first.isoformat()}-{span.last.isoformat()}.csv"
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- channels -------------------------------------------------------------------------------


def _my_channel(campaign: Campaign, channel_id: int) -> Channel:
    channel = db.session.get(Channel, channel_id) if 1 <= channel_id < 2**31 else None
    if channel is None or channel.campaign_id != campaign.id:
        abort(404)
    return channel


@bp.post("/campaigns/<int:campaign_id>/insights/channels")
def add_channel(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    try:
        channel = channels.create(campaign, request.form.get("name", "")[:500])
    except channels.ChannelRefused as error:
        flash(str(error), "error")
        target = url_for("dashboard.insights", campaign_id=campaign.id, _anchor="channels")
        return redirect(target, 303)
    flash(f"Channel “{channel.name}” is ready: share its link or QR code.", "success")
    return redirect(url_for("dashboard.insights", campaign_id=campaign.id, _anchor="channels"), 303)


@bp.post("/campaigns/<int:campaign_id>/insights/channels/<int:channel_id>/delete")
def delete_channel(campaign_id: int, channel_id: int):
    campaign = workspace_campaign(campaign_id)
    channel = _my_channel(campaign, channel_id)
    name = channel.name
    channels.delete(channel)
    flash(f"Channel “{name}” was deleted; its past counts stay.", "info")
    return redirect(url_for("dashboard.insights", campaign_id=campaign.id, _anchor="channels"), 303)


@bp.get("/campaigns/<int:campaign_id>/insights/channels/<int:channel_id>/qr.<kind>")
def channel_qr(campaign_id: int, channel_id: int, kind: str):
    campaign = workspace_campaign(campaign_id)
    channel = _my_channel(campaign, channel_id)
    if kind not in {"svg", "png"}:
        abort(404)
    mimetype = "image/svg+xml" if kind == "svg" else "image/png"
    response = Response(channels.qr(campaign, channel, kind), mimetype=mimetype)
    filename = f"{campaign.slug}-{channel.code}.{kind}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
