"""The fans' side: the pre-save page at /<slug>, email signup, direct-save connections,
push opt-in, unsubscribe. Public, session-free pages with their own base template."""

from flask import Blueprint

bp = Blueprint("fan", __name__)

from app.fan import connect, page, push, routing, smart_link, unsubscribe  # noqa: E402,F401
