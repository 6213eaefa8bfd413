"""Campaign pages. Each works as a plain form post; htmx only makes parts of it live."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.campaigns.artwork import InvalidArtwork
from app.campaigns.editing import SlugTaken, delete_campaign, save_campaign
from app.dashboard.blueprint import bp
from app.dashboard.forms import CampaignForm
from app.dashboard.preview import page_preview
from app.extensions import db
from app.htmx_fragments import fragment_request
from app.models import Campaign
from app.workspaces import activity
from app.workspaces.scope import current_membership, workspace_campaign, workspace_campaigns


@bp.get("/")
def index():
    campaigns = db.session.scalars(workspace_campaigns().order_by(Campaign.release_at.desc())).all()
    return render_template("dashboard/index.html", campaigns=campaigns)


@bp.route("/campaigns/new", methods=["GET", "POST"])
def new_campaign():
    return _edit(None)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit_campaign(campaign_id: int):
    return _edit(workspace_campaign(campaign_id))


def _edit(campaign: Campaign | None):
    form = CampaignForm(campaign=campaign)
    if form.validate_on_submit():
        try:
            workspace_id = current_membership().workspace_id
            saved = save_campaign(form, current_user, campaign, workspace_id)
        except InvalidArtwork as error:
            form.artwork.errors.append(str(error))
        except SlugTaken:
            form.slug.errors.append("That page address is taken — pick another.")
        else:
            activity.record("campaign.edited" if campaign else "campaign.created", saved.title)
            flash(f"“{saved.title}” is saved.", "success")
            return redirect(url_for("dashboard.index"), 303)
    status = 422 if form.is_submitted() else 200
    preview = page_preview(request.form, {}, campaign)
    page = render_template(
        "dashboard/campaign_form.html", form=form, campaign=campaign, preview=preview
    )
    return page, status


def _campaign_in_query() -> Campaign | None:
    campaign_id = request.args.get("campaign")
    if campaign_id is not None and not campaign_id.isdecimal():
        abort(404)
    return workspace_campaign(int(campaign_id)) if campaign_id else None


@bp.post("/campaigns/preview")
def preview_page():
    """The fan page as the form stands, before saving (htmx swaps it in beside the form)."""
    preview = page_preview(request.form, request.files, _campaign_in_query())
    return render_template("dashboard/_fan_preview.html", preview=preview)


@bp.post("/campaigns/validate/<field>")
def validate_field(field: str):
    """Inline check of one field as the artist types; answers the field's fragment."""
    campaign = _campaign_in_query()
    form = CampaignForm(campaign=campaign)
    if field not in form or field in {"csrf_token", "artwork"}:
        abort(404)
    form.validate_one(field)
    return render_template("dashboard/_field.html", form=form, field=form[field])


@bp.post("/campaigns/<int:campaign_id>/active")
def toggle_active(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    campaign.active = request.form.get("active") == "1"
    db.session.commit()
    activity.record("campaign.resumed" if campaign.active else "campaign.paused", campaign.title)
    if fragment_request():
        return render_template("dashboard/_active_toggle.html", campaign=campaign)
    state = "active: fans can pre-save" if campaign.active else "paused: signups are closed"
    flash(f"“{campaign.title}” is {state}.", "info")
    return redirect(url_for("dashboard.index"), 303)


@bp.route("/campaigns/<int:campaign_id>/delete", methods=["GET", "POST"])
def confirm_delete(campaign_id: int):
    campaign = workspace_campaign(campaign_id)
    if request.method == "POST":
        title = campaign.title
        delete_campaign(campaign)
        activity.record("campaign.deleted", title)
        flash(f"“{title}” was deleted.", "info")
        return redirect(url_for("dashboard.index"), 303)
    return render_template("dashboard/confirm_delete.html", campaign=campaign)
