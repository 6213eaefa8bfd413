"""Withdrawing the future-releases consent: /a/<token>, the member's own random token.

GET shows whose news the fan is leaving and a button; POST withdraws. The announcement
emails name this URL in `List-Unsubscribe`, so RFC 8058 one-click POSTs arrive here without
a CSRF token: the token in the URL is the proof. A campaign's unsubscribe page (/u/<token>)
offers the same withdrawal for the fan it names (app/fan/unsubscribe.py).
"""

from flask import abort, render_template
from flask_babel import force_locale

from app.audience import members
from app.extensions import csrf
from app.fan.blueprint import bp
from app.fan.unsubscribe import TOKEN, one_click_answer, one_click_asked, spoken, token_page
from app.models import AudienceMember


def member_or_404(token: str) -> AudienceMember:
    member = members.by_token(token) if TOKEN.fullmatch(token) else None
    if member is None:
        abort(404)
    return member


def page(member: AudienceMember, done: bool):
    name = members.artist_name(member.workspace_id)
    with force_locale(spoken(member.language)):
        html = render_template("fan/withdraw.html", member=member, artist_name=name, done=done)
    return token_page(html)


@bp.get("/a/<token>")
def withdraw_page(token: str):
    member = member_or_404(token)
    return page(member, done=member.withdrawn_at is not None)


@bp.post("/a/<token>")
@csrf.exempt  # RFC 8058: one-click POSTs carry no token but the one in the URL
def withdraw_post(token: str):
    member = member_or_404(token)
    members.withdraw(member)
    if one_click_asked():
        return one_click_answer()
    return page(member, done=True)
