"""Workspace pages: members and roles, invitations, the activity log, the switcher."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.models import Membership
from app.workspaces import activity, members, webhook_pages  # noqa: F401 (routes)
from app.workspaces.blueprint import bp
from app.workspaces.deletion import delete_workspaces
from app.workspaces.forms import InviteForm, RoleForm, SwitchForm, WorkspaceForm
from app.workspaces.scope import current_membership, my_memberships, require_role, switch_to

LAST_OWNER = "A workspace needs an owner: make someone else owner first."


def _page(status: int = 200, **forms):
    membership = current_membership()
    forms = {"invite": InviteForm(formdata=None), "new": WorkspaceForm(formdata=None)} | forms
    return render_template(
        "workspaces/index.html",
        membership=membership,
        members=members.members(membership.workspace_id),
        invitations=members.pending_invitations(membership.workspace_id),
        role_form=RoleForm(formdata=None),
        forms=forms,
    ), status


def _back():
    return redirect(url_for("workspaces.index"), 303)


def _member(membership_id: int) -> Membership:
    """A member of the current workspace, or 404."""
    member = db.session.scalar(
        db.select(Membership).filter_by(
            id=membership_id, workspace_id=current_membership().workspace_id
        )
    )
    if member is None:
        abort(404)
    return member


@bp.get("/")
def index():
    return _page()


@bp.post("/new")
def new_workspace():
    form = WorkspaceForm()
    if not form.validate_on_submit():
        return _page(422, new=form)
    workspace = members.create_workspace(current_user, form.name.data)
    switch_to(workspace.id)
    flash(f"Workspace “{workspace.name}” is made; you are its owner.", "success")
    return _back()


@bp.post("/switch")
def switch():
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(404)
    membership = switch_to(form.workspace.data)
    flash(f"You are working in “{membership.workspace.name}”.", "info")
    return redirect(url_for("dashboard.index"), 303)


@bp.post("/invitations")
def invite():
    membership = require_role("owner")
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(422, invite=form)
    members.invite(membership.workspace, current_user, form.email.data, form.role.data)
    activity.record("member.invited", f"{form.email.data} ({form.role.data})")
    flash(f"Invitation sent to {form.email.data}.", "success")
    return _back()


@bp.post("/members/<int:membership_id>/role")
def change_role(membership_id: int):
    require_role("owner")
    member = _member(membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _page(422)
    try:
        members.change_role(member, form.role.data)
    except members.LastOwner:
        flash(LAST_OWNER, "error")
        return _page(409)
    activity.record("member.role_changed", f"{member.artist.email} to {form.role.data}")
    flash(f"{member.artist.email} is now {form.role.data}.", "success")
    return _back()


@bp.post("/members/<int:membership_id>/remove")
def remove_member(membership_id: int):
    """Owners remove anyone; anyone may leave (remove themselves)."""
    member = _member(membership_id)
    leaving = member.artist_id == current_user.id
    if not leaving:
        require_role("owner")
    workspace_id, artist_id, email = member.workspace_id, member.artist_id, member.artist.email
    try:
        members.remove(member)
    except members.LastOwner:
        flash(LAST_OWNER if leaving else "That member cannot be removed.", "error")
        return _page(409)
    if leaving:
        activity.write(workspace_id, artist_id, "member.left", "")
        g.pop("membership", None)  # the one just left
        flash("You left the workspace.", "info")
        return redirect(url_for("dashboard.index"), 303)
    activity.record("member.removed", email)
    flash(f"{email} was removed.", "info")
    return _back()


@bp.post("/delete")
def delete_workspace():
    membership = require_role("owner")
    workspace = membership.workspace
    if workspace.personal_of_id is not None:
        flash("Your personal workspace goes only with your account.", "error")
        return _page(409)
    name = workspace.name
    delete_workspaces([workspace.id])
    flash(f"Workspace “{name}” and its campaigns were deleted.", "info")
    return redirect(url_for("dashboard.index"), 303)


@bp.app_context_processor
def workspace_switcher():
    """The switcher in the top bar, for dashboard-like pages (fan pages have their own base)."""
    return {"my_memberships": my_memberships, "current_membership": current_membership}


@bp.get("/activity")
def activity_log():
    membership = require_role("owner")
    entries = activity.recent(membership.workspace_id)
    return render_template(
        "workspaces/activity.html",
        membership=membership,
        entries=entries,
        actions=activity.ACTIONS,
    )


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    invitation = members.open_invitation(token)
    if invitation is None:
        return render_template("workspaces/invitation_gone.html"), 404
    if invitation.email != current_user.email:
        page = render_template("workspaces/join.html", invitation=invitation, wrong_account=True)
        return page, 403
    if request.method == "GET":
        return render_template("workspaces/join.html", invitation=invitation)
    membership = members.accept(invitation, current_user)
    if membership is None:
        return render_template("workspaces/invitation_gone.html"), 404
    switch_to(membership.workspace_id)
    activity.record("member.joined", membership.role)
    flash(f"You joined “{invitation.workspace.name}” as {membership.role}.", "success")
    return redirect(url_for("dashboard.index"), 303)
