"""The campaign's Release day tab: what Dropday found and did, live while release day runs.

One URL serves the whole page and, for htmx, the part named by HX-Target (the status panel
or the delivery log), so polling, searching and paging share the same view and template.
While release day runs each part polls itself every 5 s; once it is over the server renders
the parts without their trigger and answers a poll with 286, which tells htmx to stop.
"""

import math
import time

from flask import abort, flash, redirect, render_template, request, url_for
from limits import RateLimitItemPerMinute

from app.dashboard.blueprint import bp
from app.dashboard.release_report import delivery_log, overview, template_context
from app.extensions import htmx, limiter
from app.htmx_fragments import fragment_request
from app.release_day import detect, health
from app.workspaces.scope import workspace_campaign

PARTS = {"release-day-status": "status", "delivery-log": "log"}
STOP_POLLING = 286  # htmx: swap this answer, then cancel the element's polling
CHECK_NOW_LIMIT = RateLimitItemPerMinute(1)


@bp.get("/campaigns/<int:campaign_id>/release-day")
def release_day(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    return _render(campaign)


def _render(campaign, status: int = 200, error: str | None = None):
    view = overview(campaign)
    log = delivery_log(campaign, request.args.get("q", ""), _before())
    context = {"campaign": campaign, "view": view, "log": log, "error": error}
    context["connections"] = health.health_counts(campaign.id)
    context |= template_context(campaign)
    part = PARTS.get(htmx.target) if fragment_request() else None
    if part:
        html = render_template(f"dashboard/release_day/_{part}.html", **context)
        polled = htmx.trigger_name is None and htmx.trigger == htmx.target
        return html, STOP_POLLING if polled and not view.running else status
    return render_template("dashboard/release_day/index.html", **context), status


def _before() -> int | None:
    value = request.args.get("before", "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        abort(400)
    return int(value)


@bp.post("/campaigns/<int:campaign_id>/release-day/check")
def check_now(campaign_id: int):
    """Look for the release now; at most once a minute per campaign, whoever presses."""
    campaign = workspace_campaign(campaign_id)
    if limiter.enabled and not limiter.limiter.hit(CHECK_NOW_LIMIT, "check-now", str(campaign.id)):
        reset, _ = limiter.limiter.get_window_stats(CHECK_NOW_LIMIT, "check-now", str(campaign.id))
        wait = max(1, math.ceil(reset - time.time()))
        response = _render(
            campaign,
            429,
            error=f"Dropday checked a moment ago. You can check again in {wait} seconds.",
        )
        return *response, {"Retry-After": str(wait)}
    if detect.check_now(campaign.id):
        flash("Checking every platform now; the result appears below in a few seconds.", "success")
    else:
        flash("A check is running already; its result appears below shortly.", "success")
    return redirect(url_for("dashboard.release_day", campaign_id=campaign.id), 303)
