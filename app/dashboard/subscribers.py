"""A campaign's Subscribers tab: the table, counts, search, pages, delete, and the CSV export."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from app.dashboard.blueprint import bp
from app.htmx_fragments import fragment_request
from app.retention import forget_date
from app.subscribers import export
from app.subscribers.listing import (
    BadCursor,
    Cursor,
    clean_search,
    delete_subscriber,
    find_subscriber,
    subscriber_counts,
    subscriber_page,
)
from app.workspaces import activity
from app.workspaces.scope import require_role, workspace_campaign


@bp.app_template_filter("in_zone")
def in_zone(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


@bp.get("/campaigns/<int:campaign_id>/subscribers")
def subscribers(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    search = clean_search(request.args.get("q"))
    try:
        before, after = (_cursor(request.args.get(name)) for name in ("before", "after"))
    except BadCursor:
        abort(400)
    page = subscriber_page(campaign.id, search=search, before=before, after=after)
    context = {"campaign": campaign, "page": page, "search": search}
    if fragment_request():
        return render_template("dashboard/_subscriber_results.html", **context)
    counts = subscriber_counts(campaign.id, campaign.platforms)
    return render_template(
        "dashboard/subscribers.html", counts=counts, forget_date=forget_date(campaign), **context
    )


def _cursor(text: str | None) -> Cursor | None:
    return Cursor.parse(text) if text else None


@bp.route(
    "/campaigns/<int:campaign_id>/subscribers/<int:signup_id>/delete", methods=["GET", "POST"]
)
def delete_signup(campaign_id: int, signup_id: int):
    campaign = workspace_campaign(campaign_id)
    signup = find_subscriber(campaign.id, signup_id)
    if signup is None:
        abort(404)
    if request.method == "GET":
        return render_template(
            "dashboard/confirm_delete_signup.html", campaign=campaign, signup=signup
        )
    who = signup.email or "The subscriber"
    delete_subscriber(signup)
    if fragment_request():
        # htmx swaps the row away (empty body) and refreshes the counts out of band.
        counts = subscriber_counts(campaign.id, campaign.platforms)
        return render_template("dashboard/_subscriber_counts.html", counts=counts, oob=True)
    flash(f"{who} was removed from “{campaign.title}”.", "info")
    return redirect(url_for("dashboard.subscribers", campaign_id=campaign.id), 303)


@bp.get("/campaigns/<int:campaign_id>/subscribers.csv")
def export_subscribers(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    require_role("editor")  # the export holds fans' emails: not for viewers
    activity.record("subscribers.exported", campaign.title)
    response = Response(stream_with_context(export.csv_chunks(campaign)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename(campaign)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
