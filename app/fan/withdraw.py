"""Withdrawing the future-releases consent: /a/<token>, the member's own random token.

GET shows whose news the fan is leaving and a button; POST withdraws. The announcement
emails name this URL in `List-Unsubscribe`, so RFC 8058 one-click POSTs arrive here without
a CSRF token: the token in the URL is the proof. A campaign's unsubscribe page (/u/<token>)
offers the same withdrawal for the fan it names (app/fan/unsubscribe.py).
"""

from flask import abort, make_response, render_template, request

from app.audience import members
from app.extensions import csrf
from app.fan.blueprint import bp
from app.fan.unsubscribe import TOKEN
from app.models import AudienceMember
from app.public_cache import private


def member_or_404(token: str) -> AudienceMember:
    member = members.by_token(token) if TOKEN.fullmatch(token) else None
    if member is None:
        abort(404)
    return member


def page(member: AudienceMember, done: bool):
    name = members.artist_name(member.artist_id)
    html = render_template("fan/withdraw.html", member=member, artist_name=name, done=done)
    response = private(make_response(html))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/a/<token>")
def withdraw_page(token: str):
    member = member_or_404(token)
    return page(member, done=member.withdrawn_at is not None)


@bp.post("/a/<token>")
@csrf.exempt  # RFC 8058: one-click POSTs carry no token but the one in the URL
def withdraw_post(token: str):
    member = member_or_404(token)
    members.withdraw(member)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return private(make_response("Unsubscribed.\n", 200, {"Content-Type": "text/plain"}))
    return page(member, done=True)
