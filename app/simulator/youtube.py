"""Simulated Google sign-in and YouTube Data API v3 (platforms.md §3).

Served under /simulator/youtube: the consent page (`/accounts/o/oauth2/v2/auth`), the token
endpoint (`/oauth2/token`) and the API (`/youtube/v3/...`). Google's errors: the token
endpoint answers OAuth's flat `{"error", "error_description"}`; the API answers
`{"error": {"code", "message", "errors": [{"reason", ...}], "status"}}`.

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

from app.simulator import consent, current_simulator
from app.simulator.catalog import Release, platform_id
from app.simulator.faults import REVOKED
from app.simulator.routing import (
    bearer_token,
    client_credentials,
    fault_answer,
    int_arg,
    oauth_error,
    sim_route,
)
from app.simulator.tokens import TokenProblem

P = "youtube"
BRAND = "Google"
PLATFORMS = ("youtube_music", "youtube")  # catalog platforms whose items this API serves
SCOPES = {
    "https://www.googleapis.com/auth/youtube": "Manage your YouTube account",
    "https://www.googleapis.com/auth/youtube.force-ssl": "Manage your YouTube account",
    "https://www.googleapis.com/auth/youtube.readonly": "View your YouTube account",
}
WRITE_SCOPES = {
    "https://www.googleapis.com/auth/youtube",
    "https://www.googleapis.com/auth/youtube.force-ssl",
}
DAILY_QUOTA = 10_000
COST = {"search": 100, "rate": 50}
PACIFIC = ZoneInfo("America/Los_Angeles")


# -- scenario knobs (tests and the console) ---------------------------------------------------


def set_daily_quota(sim, units: int) -> None:
    with sim.lock:
        sim.scratch(P)["quota"] = units


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
        if used.get(day, 0) + units > state.get("quota", DAILY_QUOTA):
            return _quota_exceeded()
        used[day] = used.get(day, 0) + units
    return None


# -- error shapes ------------------------------------------------------------------------------


def api_error(code: int, reason: str, message: str, status: str, domain: str = "youtube"):
    response = jsonify(
        error={
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
            "status": status,
        }
    )
    response.status_code = code
    return response


def _quota_exceeded():
    return api_error(
        403,
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your quota.",
        "PERMISSION_DENIED",
        domain="youtube.quota",
    )


@fault_answer(P, extra_kinds=(REVOKED,))
def _fault(fault):
    if fault.kind == "quota":
        return _quota_exceeded()
    if fault.kind == "rate_limit":
        response = api_error(
            fault.status or 429,
            "rateLimitExceeded",
            "The request was rate limited.",
            "RESOURCE_EXHAUSTED",
            domain="usageLimits",
        )
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response
    return api_error(
        fault.status or 503, "backendError", "Backend Error", "UNAVAILABLE", domain="global"
    )


# -- accounts.google.com: the consent page ------------------------------------------------------


def _authorize_params(source) -> dict:
    names = ("client_id", "redirect_uri", "response_type", "scope", "state", "access_type")
    return {name: source.get(name) for name in (*names, "prompt") if source.get(name)}


@sim_route(
    P, "/accounts/o/oauth2/v2/auth", methods=("GET", "POST"), faults=False, csrf_exempt=False
)
def authorize():
    sim = current_simulator()
    params = _authorize_params(request.values)
    if not sim.check_client(P, params.get("client_id"), None):
        return consent.error_page(
            BRAND, "Error 401: invalid_client. The OAuth client was not found.", 401
        )
    if not consent.redirect_uri_ok(params.get("redirect_uri")):
        return consent.error_page(BRAND, "Error 400: redirect_uri_mismatch")
    redirect_uri, state = params["redirect_uri"], params.get("state")
    if params.get("response_type") != "code":
        return consent.back_to_app(redirect_uri, error="unsupported_response_type", state=state)
    scopes = (params.get("scope") or "").split()
    if not scopes or any(scope not in SCOPES for scope in scopes):
        return consent.back_to_app(redirect_uri, error="invalid_scope", state=state)
    return consent.authorize(
        sim,
        P,
        BRAND,
        params,
        {scope: SCOPES[scope] for scope in scopes},
        access_type=params.get("access_type", "online"),
        echo_scope=True,
    )


# -- oauth2.googleapis.com/token ---------------------------------------------------------------


@sim_route(P, "/oauth2/token", methods=("POST",))
def token():
    sim = current_simulator()
    client_id, secret = client_credentials()
    if not sim.check_client(P, client_id, None):
        return oauth_error("invalid_client", "The OAuth client was not found.", 401)
    if not sim.check_client(P, client_id, secret or ""):
        return oauth_error("invalid_client", "Unauthorized", 401)
    grant_type = request.form.get("grant_type")
    if grant_type == "authorization_code":
        return _redeem_code(sim, client_id)
    if grant_type == "refresh_token":
        return _refresh(sim, client_id)
    return oauth_error("unsupported_grant_type", "Invalid grant_type: " + (grant_type or ""))


def _redeem_code(sim, client_id: str):
    with sim.lock:
        code = sim.tokens.take_code(P, request.form.get("code"))
    if code is None or code.client_id != client_id:
        return oauth_error("invalid_grant", "Malformed auth code.")
    if code.redirect_uri != request.form.get("redirect_uri"):
        return oauth_error("redirect_uri_mismatch", "Bad Request")
    # Only offline access gets a refresh token, as with Google.
    offline = code.extra.get("access_type") == "offline"
    issued = sim.issue_tokens(
        P, client_id, listener=code.listener, scope=code.scope, refresh=offline, prefix="ya29."
    )
    body = {
        "access_token": issued.access.value,
        "expires_in": issued.expires_in,
        "scope": code.scope,
        "token_type": "Bearer",
    }
    if issued.refresh:
        body["refresh_token"] = issued.refresh.value
    return jsonify(body)


def _refresh(sim, client_id: str):
    try:
        with sim.lock:
            issued = sim.tokens.refresh(P, client_id, request.form.get("refresh_token"))
    except TokenProblem:
        return oauth_error("invalid_grant", "Token has been expired or revoked.")
    # Google keeps the refresh token: the answer carries only the new access token.
    body = {"access_token": issued.access.value, "expires_in": issued.expires_in}
    return jsonify(body | {"scope": issued.access.scope, "token_type": "Bearer"})


# -- www.googleapis.com/youtube/v3 -------------------------------------------------------------


def _caller(write: bool = False):
    """(listener or None, error response or None) from the bearer token or the API key."""
    sim = current_simulator()
    value = bearer_token()
    if value:
        try:
            token = sim.check_token(P, value)
        except TokenProblem:
            return None, api_error(
                401,
                "authError",
                "Request had invalid authentication credentials.",
                "UNAUTHENTICATED",
                domain="global",
            )
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
    rating = request.args.get("rating")
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
