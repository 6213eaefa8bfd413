"""Counting visits to the fan page and the Smart Link while the page stays cacheable.

The page itself records nothing (a cache may answer it). static/js/visit.js sends one
`POST /<slug>/v` with navigator.sendBeacon once the page is really shown (not while it is
prerendered); a browser without JavaScript loads `/<slug>/v.gif` from a <noscript> image
instead. Both answer at once, never from a cache, and count only people: bots, link
previews and prefetches are left out (app/insights/attribution.py, person).
"""

import base64

from flask import abort, make_response, request

from app.extensions import csrf
from app.fan.blueprint import bp
from app.fan.lookup import find_campaign
from app.fan.page_cache import remembered_campaign
from app.insights import attribution, counting

MAX_BODY = 2048
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _count(slug: str, given: str | None) -> None:
    campaign = remembered_campaign(slug, lambda: find_campaign(slug))
    if campaign is None:
        abort(404)
    if not attribution.person(request):
        return
    page = "smart_link" if campaign.phase == "live" else "presave"
    counting.record_visit(campaign.id, page, attribution.of_request(request, given), request)


def _not_stored(response):
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


@bp.post("/<slug>/v")
@csrf.exempt  # counts a view, changes nothing a fan owns; sendBeacon cannot send a token
def visit(slug: str):
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    _count(slug, request.get_data(as_text=True) or None)
    return _not_stored(make_response("", 204))


@bp.get("/<slug>/v.gif")
def visit_without_script(slug: str):
    _count(slug, None)
    response = make_response(PIXEL)
    response.mimetype = "image/gif"
    return _not_stored(response)
