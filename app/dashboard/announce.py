"""A campaign's Announce tab: write a note, preview it, send a test to yourself, then send
it to the audience; afterwards, its progress (polled while it runs) and result.

One URL shows the tab and takes the form with `action` = preview, test or send; a refused form comes
back with its message and 422. The rules are app/audience/announcements.py's.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.audience import announcements
from app.audience.scope import owner_of
from app.dashboard.blueprint import bp
from app.htmx_fragments import fragment_request
from app.workspaces.scope import workspace_campaign

STOP_POLLING = 286  # htmx: swap this answer, then stop polling


@bp.route("/campaigns/<int:campaign_id>/announce", methods=["GET", "POST"])
def announce(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    if request.method == "POST":
        return _post(campaign)
    announcement = announcements.of_campaign(campaign.id)
    if announcement is not None:
        progress = announcements.progress(announcement)
        context = {"campaign": campaign, "announcement": announcement, "progress": progress}
        if fragment_request():
            html = render_template("dashboard/_announce_progress.html", **context)
            return html, STOP_POLLING if progress.finished else 200
        return render_template("dashboard/announce.html", **context)
    return _form(campaign)


def _form(campaign, message="", status=200, error=None, preview=None):
    context = {
        "campaign": campaign,
        "message": message,
        "error": error,
        "preview": preview,
        "audience": announcements.audience_size(owner_of(campaign)),
        "max_message": announcements.MAX_MESSAGE,
    }
    return render_template("dashboard/announce.html", **context), status


def _post(campaign):
    text = request.form.get("message", "")[:5000]
    action = request.form.get("action", "preview")
    try:
        message = announcements.clean_message(text)
        announcements.check_allowed(campaign)
        if action == "send":
            announcement = announcements.send(campaign, message)
            flash(f"Sending to {announcement.recipients:,} fans.", "success")
            return redirect(url_for("dashboard.announce", campaign_id=campaign.id), 303)
    except announcements.Refused as refused:
        return _form(campaign, text, 422, error=str(refused))
    built = announcements.preview(campaign, message, current_user.email)
    preview = announcements.shown(built, campaign)
    if action == "test":
        problem = announcements.test_send(campaign, message, current_user.email)
        if problem:
            return _form(campaign, message, 502, f"The test was not sent: {problem}.", preview)
        flash(f"A test was sent to {current_user.email}.", "success")
    return _form(campaign, message, preview=preview)
