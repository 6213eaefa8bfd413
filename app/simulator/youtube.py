"""Simulated YouTube Data API v3 (platforms.md §3), served under /simulator/youtube at
`/youtube/v3/...` beside Google's sign-in (google_accounts.py).

Errors are Google's `{"error": {"code", "message", "errors": [{"reason", ...}], "status"}}`:
a refused token is a 401 with `WWW-Authenticate` and `errors[0]` naming the Authorization
header; a missing required parameter is `400 missingRequiredParameter`. Rate limits come
as Google's standard `403 rateLimitExceeded` (the "rate_limit" fault), `403
userRateLimitExceeded` ("user_rate_limit") or, from newer front ends, `429
RESOURCE_EXHAUSTED` (either fault with `status=429`).

YouTube Music and YouTube share this API. Search results carry both kinds of items the real
one returns for music: YouTube Music's auto-generated "<artist> - Topic" uploads (ids of the
catalog's `youtube_music` platform) and the artist's own videos (ids of `youtube`), each from
the moment the release is live on that platform, plus a look-alike cover that a careful
client must reject.

Quota: each call spends units from a daily budget that resets at midnight Pacific time
(search 100, videos.rate 50, other reads 1); past it, every call is `403 quotaExceeded`.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, jsonify, request

from app.simulator.blueprint import current_simulator
from app.simulator.catalog import Release, platform_id
from app.simulator.faults import REVOKED
from app.simulator.google_accounts import WRITE_SCOPES
from app.simulator.routing import bearer_token, error_shape, fault_answer, int_arg, sim_route
from app.simulator.tokens import TokenProblem

P = "youtube"
PLATFORMS = ("youtube_music", "youtube")  # catalog platforms whose items this API serves
DAILY_QUOTA = 10_000
COST = {"search": 100, "rate": 50}
PACIFIC = ZoneInfo("America/Los_Angeles")


# -- quota (Simulator.set_daily_quota sets the budget) -------------------------------------------


def quota_used(sim) -> int:
    with sim.lock:
        return sim.scratch(P).get("used", {}).get(_quota_day(sim.now()), 0)


def _quota_day(now: datetime) -> str:
    return now.astimezone(PACIFIC).date().isoformat()


def _spend(units: int):
    """Charge the call to today's budget; the 403 answer once the budget is gone."""
    sim = current_simulator()
    with sim.lock:
        state = sim.scratch(P)
        used = state.setdefault("used", {})
        day = _quota_day(sim.now())
        if used.get(day, 0) + units > sim.daily_quota(P, DAILY_QUOTA):
            return _quota_exceeded()
        used[day] = used.get(day, 0) + units
    return None


# -- error shapes ------------------------------------------------------------------------------


def api_error(
    code: int,
    reason: str,
    message: str,
    status: str,
    domain: str = "youtube",
    *,
    detail: dict | None = None,
):
    """Google's error body; `detail` replaces errors[0]'s message and adds its location."""
    first = {"message": message, "domain": domain, "reason": reason} | (detail or {})
    response = jsonify(
        error={"code": code, "message": message, "errors": [first], "status": status}
    )
    response.status_code = code
    return response


_STATUSES = {404: ("notFound", "NOT_FOUND"), 405: ("methodNotAllowed", "METHOD_NOT_ALLOWED")}


@error_shape(P)
def _http_error(code: int, message: str):
    reason, status = _STATUSES.get(code, ("badRequest", "INVALID_ARGUMENT"))
    return api_error(code, reason, message, status, domain="global")


def _invalid_credentials():
    """Google's 401 for a bad, expired or revoked access token."""
    response = api_error(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        "UNAUTHENTICATED",
        domain="global",
        detail={
            "message": "Invalid Credentials",
            "location": "Authorization",
            "locationType": "header",
        },
    )
    response.headers["WWW-Authenticate"] = (
        'Bearer realm="https://accounts.google.com/", error="invalid_token"'
    )
    return response


def _missing(parameter: str):
    return api_error(
        400,
        "missingRequiredParameter",
        f"Required parameter: {parameter}",
        "INVALID_ARGUMENT",
        detail={"location": parameter, "locationType": "parameter"},
    )


def _quota_exceeded():
    return api_error(
        403,
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your quota.",
        "PERMISSION_DENIED",
        domain="youtube.quota",
    )


@fault_answer(P, extra_kinds=(REVOKED, "user_rate_limit"))
def _fault(fault):
    if fault.kind == "quota":
        return _quota_exceeded()
    if fault.kind in {"rate_limit", "user_rate_limit"}:
        if fault.status == 429:
            reason, message = "rateLimitExceeded", "Resource has been exhausted."
            response = api_error(429, reason, message, "RESOURCE_EXHAUSTED", domain="global")
        else:
            reason = "rateLimitExceeded" if fault.kind == "rate_limit" else "userRateLimitExceeded"
            message = (
                "Rate Limit Exceeded"
                if fault.kind == "rate_limit"
                else ("User Rate Limit Exceeded")
            )
            response = api_error(
                fault.status or 403, reason, message, "PERMISSION_DENIED", domain="usageLimits"
            )
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response
    return api_error(
        fault.status or 503, "backendError", "Backend Error", "UNAVAILABLE", domain="global"
    )


# -- www.googleapis.com/youtube/v3 -------------------------------------------------------------


def _caller(write: bool = False):
    """(listener or None, error response or None) from the bearer token or the API key."""
    sim = current_simulator()
    value = bearer_token()
    if value:
        try:
            token = sim.check_token(P, value)
        except TokenProblem:
            return None, _invalid_credentials()
        if write and not WRITE_SCOPES & set(token.scope.split()):
            return None, api_error(
                403,
                "insufficientPermissions",
                "Request had insufficient authentication scopes.",
                "PERMISSION_DENIED",
                domain="global",
            )
        return token.listener, None
    if write:
        return None, api_error(
            401, "required", "Login Required.", "UNAUTHENTICATED", domain="global"
        )
    key = request.args.get("key")
    if not key:
        return None, api_error(
            403,
            "forbidden",
            "The request is missing a valid API key.",
            "PERMISSION_DENIED",
            domain="global",
        )
    if key != current_app.config.get("YOUTUBE_API_KEY"):
        return None, api_error(
            400,
            "badRequest",
            "API key not valid. Please pass a valid API key.",
            "INVALID_ARGUMENT",
            domain="global",
        )
    return None, None


def _live_releases() -> list[Release]:
    sim = current_simulator()
    with sim.lock:
        now = sim.now()
        return [
            r for r in sim.catalog.releases.values() if any(r.is_live(p, now) for p in PLATFORMS)
        ]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


@sim_route(P, "/youtube/v3/search")
def search():
    _, problem = _caller()
    if problem:
        return problem
    if spent := _spend(COST["search"]):
        return spent
    if "snippet" not in request.args.get("part", "").split(","):
        return api_error(400, "invalidPart", "part must include snippet", "INVALID_ARGUMENT")
    query = _words(request.args.get("q", ""))
    kind = request.args.get("type", "video")
    limit = int_arg("maxResults", 5, high=50)
    if limit is None:
        return api_error(
            400,
            "invalidParameter",
            "Invalid value for parameter maxResults: it must be an integer from 0 to 50.",
            "INVALID_ARGUMENT",
        )
    sim = current_simulator()
    items = []
    for release in _live_releases():
        wanted = _words(release.title) | _words(release.artists[0] if release.artists else "")
        if not query or len(query & wanted) * 2 < len(wanted):
            continue
        items += _results(release, kind, sim.now())
    return jsonify(
        kind="youtube#searchListResponse",
        regionCode="US",
        pageInfo={"totalResults": len(items), "resultsPerPage": limit},
        items=items[:limit],
    )


def _results(release: Release, kind: str, now) -> list[dict]:
    artist = release.artists[0] if release.artists else "Unknown Artist"
    out = []
    for platform in PLATFORMS:
        if not release.is_live(platform, now):
            continue
        topic = platform == "youtube_music"
        channel = f"{artist} - Topic" if topic else f"{artist.replace(' ', '')}VEVO"
        if kind == "playlist":
            title = f"Album - {release.title}" if topic else release.title
            out.append(_item("playlist", release.ids[platform], title, channel))
        else:
            for track in release.tracks:
                title = track.title if topic else f"{artist} - {track.title} (Official Video)"
                out.append(_item("video", track.ids[platform], title, channel))
    # A fan's cover with the same title: the similarity check must turn it down.
    if kind != "playlist" and release.tracks:
        cover_id = release.tracks[0].ids["youtube"][::-1]
        out.append(_item("video", cover_id, f"{release.tracks[0].title} (cover)", "Karaoke Hits"))
    return out


def _item(kind: str, item_id: str, title: str, channel: str) -> dict:
    key = "videoId" if kind == "video" else "playlistId"
    return {
        "kind": "youtube#searchResult",
        "id": {"kind": f"youtube#{kind}", key: item_id},
        "snippet": {
            "title": title,
            "channelTitle": channel,
            "channelId": "UC" + platform_id(P, "channel", channel)[:22],
            "description": "",
        },
    }


def _find(item_id: str, kind: str):
    """(release, track or None, platform) for a live video or album playlist id."""
    sim = current_simulator()
    with sim.lock:
        now = sim.now()
        for platform in PLATFORMS:
            found = sim.catalog.by_id(platform, item_id)
            if (
                found
                and found[0].is_live(platform, now)
                and (found[1] is None) == (kind == "album")
            ):
                return found[0], found[1], platform
    return None


@sim_route(P, "/youtube/v3/playlistItems")
def playlist_items():
    _, problem = _caller()
    if problem:
        return problem
    if spent := _spend(1):
        return spent
    found = _find(request.args.get("playlistId", ""), "album")
    if not found:
        return api_error(
            404,
            "playlistNotFound",
            "The playlist identified with the request's playlistId parameter cannot be found.",
            "NOT_FOUND",
        )
    release, _, platform = found
    items = [
        {
            "kind": "youtube#playlistItem",
            "id": f"{release.ids[platform]}.{track.number}",
            "contentDetails": {"videoId": track.ids[platform]},
        }
        for track in release.tracks
    ]
    return jsonify(kind="youtube#playlistItemListResponse", items=items)


@sim_route(P, "/youtube/v3/videos/rate", methods=("POST",))
def rate():
    listener, problem = _caller(write=True)
    if problem:
        return problem
    if spent := _spend(COST["rate"]):
        return spent
    if not request.args.get("id"):
        return _missing("id")
    rating = request.args.get("rating")
    if not rating:
        return _missing("rating")
    if rating not in {"like", "dislike", "none"}:
        return api_error(400, "invalidRating", "Invalid rating.", "INVALID_ARGUMENT")
    video_id = request.args.get("id", "")
    if not _find(video_id, "track"):
        return api_error(
            404,
            "videoNotFound",
            "The video that you are trying to rate cannot be found.",
            "NOT_FOUND",
        )
    sim = current_simulator()
    with sim.lock:
        who = sim.listener(listener)
        if rating == "like":
            who.save(P, "liked_videos", video_id)
        else:
            who.remove(P, "liked_videos", video_id)
    return "", 204


@sim_route(P, "/youtube/v3/channels")
def channels():
    """`channels.list?mine=true`: the signed-in listener's own channel (1 quota unit)."""
    listener, problem = _caller(write=request.args.get("mine") == "true")
    if problem:
        return problem
    if spent := _spend(1):
        return spent
    if not request.args.get("part"):
        return api_error(
            400,
            "required",
            "No filter selected. Expected one of: forUsername, managedByMe, id, mine, "
            "categoryId, forHandle",
            "INVALID_ARGUMENT",
        )
    items = []
    if listener:
        items = [{"kind": "youtube#channel", "id": f"UC{listener}"}]
    return jsonify(
        kind="youtube#channelListResponse", pageInfo={"totalResults": len(items)}, items=items
    )
