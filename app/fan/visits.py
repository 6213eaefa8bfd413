"""Counting visits to the fan page and the Smart Link while the page stays cacheable.

The page itself records nothing (a cache may answer it). static/js/visit.js sends one
`POST /<slug>/v` with navigator.sendBeacon once the page is really shown (not while it is
prerendered); a browser without JavaScript loads `/<slug>/v.gif` from a <noscript> image
instead. Both answer at once, never from a cache, and count only people: bots, link
previews and prefetches are left out (app/insights/attribution.py, person).

The beacon comes with every page view, so app/fan/front.py counts it before Flask's
dispatch (`count`, then BEACON_STATUS with `beacon_headers`); the view below answers only
what that layer leaves to it (no such campaign, a body too large).
"""

import base64

from flask import Request, abort, current_app, make_response, request
from werkzeug.datastructures import Headers

from app.extensions import csrf
from app.fan.blueprint import bp
from app.fan.lookup import find_campaign
from app.fan.page_cache import remembered_campaign
from app.insights import attribution, counting
from app.security_headers import add_early_headers

MAX_BODY = 2048
BEACON_STATUS = "204 No Content"
NOT_STORED = "no-store, private"
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def count(slug: str, request: Request, beacon: bool) -> bool:
    """Count `request` as a visit to the page at `slug` if a person made it (a beacon's
    body is the page's `from`); False when there is no such campaign. With COUNT_VISITS
    off nothing is counted, but a page kept by a cache from before may still send one."""
    campaign = remembered_campaign(slug, lambda: find_campaign(slug))
    if campaign is None:
        return False
    if current_app.config["COUNT_VISITS"] and attribution.person(request):
        given = (request.get_data(as_text=True) or None) if beacon else None
        page = "smart_link" if campaign.phase == "live" else "presave"
        counting.record_visit(campaign.id, page, attribution.of_request(request, given), request)
    return True


def beacon_headers(debug: bool) -> list[tuple[str, str]]:
    """The beacon's answer headers: never stored, and the site's headers like any answer."""
    headers = Headers({"Cache-Control": NOT_STORED})
    add_early_headers(headers, debug)
    return headers.to_wsgi_list()


def _not_stored(response):
    response.headers["Cache-Control"] = NOT_STORED
    return response


@bp.post("/<slug>/v")
@csrf.exempt  # counts a view, changes nothing a fan owns; sendBeacon cannot send a token
def visit(slug: str):
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    if not count(slug, request, beacon=True):
        abort(404)
    return _not_stored(make_response("", 204))


@bp.get("/<slug>/v.gif")
def visit_without_script(slug: str):
    if not count(slug, request, beacon=False):
        abort(404)
    response = make_response(PIXEL)
    response.mimetype = "image/gif"
    return _not_stored(response)
