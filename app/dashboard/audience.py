"""The Audience page: the workspace's members across its campaigns, counts (their own request),
search, pages, delete, and the CSV export. Whose audience is app/audience/scope.py's to say."""

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

from app.audience import export, members
from app.audience.listing import member_counts, member_page
from app.dashboard.blueprint import bp
from app.extensions import db
from app.htmx_fragments import fragment_request
from app.models import AudienceMember
from app.subscribers.listing import BadCursor, Cursor, clean_search
from app.workspaces.scope import MAX_ID, current_membership, require_role


def current_owner() -> int:
    """The audience shown here: the current workspace's (app/audience/scope.py)."""
    return current_membership().workspace_id


@bp.get("/audience")
def audience():
    owner = current_owner()
    search = clean_search(request.args.get("q"))
    try:
        before, after = (
            Cursor.parse(text) if (text := request.args.get(name)) else None
            for name in ("before", "after")
        )
    except BadCursor:
        abort(400)
    page = member_page(owner, search=search, before=before, after=after)
    template = "_audience_results" if fragment_request() else "audience"
    return render_template(f"dashboard/{template}.html", page=page, search=search)


@bp.get("/audience/counts")
def audience_counts():
    """The counts read the whole audience: the page asks for them on their own (htmx)."""
    counts = member_counts(current_owner())
    template = "_audience_counts" if fragment_request() else "audience_counts"
    return render_template(f"dashboard/{template}.html", counts=counts)


def my_member(member_id: int) -> AudienceMember:
    """A member of the logged-in owner's audience, or 404."""
    member = None
    if 1 <= member_id <= MAX_ID:
        member = db.session.scalar(
            db.select(AudienceMember).filter_by(workspace_id=current_owner(), id=member_id)
        )
    if member is None:
        abort(404)
    return member


@bp.route("/audience/<int:member_id>/delete", methods=["GET", "POST"])
def delete_member(member_id: int):
    member = my_member(member_id)
    if request.method == "GET":
        return render_template("dashboard/confirm_delete_member.html", member=member)
    everywhere = request.form.get("everywhere") == "yes"
    email = member.email
    members.remove(current_owner(), member.id, everywhere=everywhere)
    where = " and from every campaign" if everywhere else ""
    flash(f"{email} was removed from your audience{where}.", "info")
    return redirect(url_for("dashboard.audience"), 303)


@bp.get("/audience.csv")
def export_audience():
    require_role("editor")  # the export holds fans' emails: not for viewers
    response = Response(
        stream_with_context(export.csv_chunks(current_owner())), mimetype="text/csv"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{export.FILENAME}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
