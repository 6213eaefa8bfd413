"""The workspace's webhooks page (owners): endpoints, their events, a test event, the log."""

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app import user_urls
from app.dashboard.forms import CheckboxesField
from app.extensions import db
from app.form_filters import clean_text
from app.models import WebhookAttempt, WebhookEndpoint
from app.models.webhook import WEBHOOK_EVENTS
from app.release_day import webhook_events, webhooks
from app.release_day.deliver import kick_deliveries
from app.workspaces.blueprint import bp
from app.workspaces.scope import require_role

LOG_LINES = 100


class EndpointForm(FlaskForm):
    url = StringField(
        "Address",
        filters=[clean_text],
        validators=[DataRequired("Enter the address to post to."), Length(max=2048)],
    )
    events = CheckboxesField("Events", choices=[SelectChoice(e, e) for e in WEBHOOK_EVENTS])

    def validate_url(self, field):
        try:
            webhooks.check_url(field.data or "")
        except user_urls.UnsafeURL as error:
            raise ValidationError(str(error)) from None

    def validate_events(self, field):
        if not field.data:
            raise ValidationError("Choose at least one event.")


def _endpoints(workspace_id: int) -> list[WebhookEndpoint]:
    return db.session.scalars(
        db.select(WebhookEndpoint).filter_by(workspace_id=workspace_id).order_by(WebhookEndpoint.id)
    ).all()


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    """An endpoint of the current workspace (owners only), or 404."""
    membership = require_role("owner")
    endpoint = db.session.scalar(
        db.select(WebhookEndpoint).filter_by(id=endpoint_id, workspace_id=membership.workspace_id)
    )
    if endpoint is None:
        abort(404)
    return endpoint


def _page(form=None, status: int = 200):
    membership = require_role("owner")
    form = form or EndpointForm(formdata=None)
    endpoints = _endpoints(membership.workspace_id)
    return render_template(
        "workspaces/webhooks.html", membership=membership, endpoints=endpoints, form=form
    ), status


@bp.get("/webhooks")
def webhooks_page():
    return _page()


@bp.post("/webhooks")
def add_webhook():
    membership = require_role("owner")
    form = EndpointForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    endpoint = WebhookEndpoint(
        workspace_id=membership.workspace_id,
        url=form.url.data,
        secret=webhooks.new_secret(),
        events=[e for e in WEBHOOK_EVENTS if e in form.events.data],
    )
    db.session.add(endpoint)
    db.session.commit()
    flash("Webhook added. Its signing secret is shown beside it.", "success")
    return redirect(url_for("workspaces.webhooks_page"), 303)


@bp.post("/webhooks/<int:endpoint_id>/test")
def test_webhook(endpoint_id: int):
    webhook_events.send_test_event(_endpoint(endpoint_id))
    kick_deliveries()
    flash("A test event is on its way; its line appears in the log.", "info")
    return redirect(url_for("workspaces.webhook_log", endpoint_id=endpoint_id), 303)


@bp.post("/webhooks/<int:endpoint_id>/enable")
def enable_webhook(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    endpoint.active, endpoint.disabled_at, endpoint.failing_since = True, None, None
    db.session.commit()
    flash("The webhook is on again.", "success")
    return redirect(url_for("workspaces.webhooks_page"), 303)


@bp.post("/webhooks/<int:endpoint_id>/delete")
def delete_webhook(endpoint_id: int):
    db.session.delete(_endpoint(endpoint_id))
    db.session.commit()
    flash("The webhook was deleted.", "info")
    return redirect(url_for("workspaces.webhooks_page"), 303)


@bp.get("/webhooks/<int:endpoint_id>")
def webhook_log(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    attempts = db.session.scalars(
        db.select(WebhookAttempt)
        .filter_by(endpoint_id=endpoint.id)
        .order_by(WebhookAttempt.at.desc(), WebhookAttempt.id.desc())
        .limit(LOG_LINES)
    ).all()
    return render_template("workspaces/webhook_log.html", endpoint=endpoint, attempts=attempts)
