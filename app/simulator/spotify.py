"""Simulated Spotify: the accounts service's token endpoint and the Web API lookups Dropday uses.

Real shapes (platforms.md §1): Web API errors are `{"error": {"status", "message"}}`, token
endpoint errors are OAuth's flat `{"error", "error_description"}`. Spotify is an email-signup
platform in Dropday, so only client credentials are served, not the fan authorization flow.
"""

import re
from datetime import date

from flask import jsonify, request

from app.simulator.blueprint import current_simulator
from app.simulator.catalog import Release, Track, platform_id, url
from app.simulator.faults import REVOKED
from app.simulator.routing import (
    bearer_token,
    client_credentials,
    error_shape,
    fault_answer,
    int_arg,
    oauth_error,
    sim_route,
)
from app.simulator.tokens import TokenProblem

P = "spotify"
_ID = re.compile(r"[0-9A-Za-z]{22}")
MARKETS = ["CA", "DE", "FR", "GB", "US"]
PAGE = 50  # album tracks per page, as Spotify pages them
# Development-Mode apps reportedly get 5 results by default and at most 10 (⚠️ platforms.md).
SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX = 5, 10


# What Spotify answers for a bad, missing or expired bearer alike (platforms.md, "Checked
# against independent clients").
UNAUTHORIZED = "Missing/invalid/expired access token"


@error_shape(P)
def api_error(status: int, message: str, **extra):
    response = jsonify(error={"status": status, "message": message, **extra})
    response.status_code = status
    return response


def api_route(rule: str):
    """A Web API path; Spotify also serves each one with a trailing slash (spotipy sends
    `/albums/{id}/tracks/`)."""
    return sim_route(P, rule, trailing_slash=True)


@fault_answer(P, extra_kinds=(REVOKED,))
def _fault(fault):
    if fault.kind in {"rate_limit", "quota"}:
        extra = {"reason": "QUOTA_EXCEEDED"} if fault.kind == "quota" else {}
        message = "Quota exceeded" if extra else "API rate limit exceeded"
        response = api_error(fault.status or 429, message, **extra)
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response
    status = fault.status or 503
    return api_error(status, "Service unavailable" if status == 503 else "Server error")


# -- accounts.spotify.com --------------------------------------------------------------------


@sim_route(P, "/accounts/api/token", methods=("POST",))
def token():
    sim = current_simulator()
    client_id, secret = client_credentials()
    grant_type = request.form.get("grant_type")
    if not client_id:
        return oauth_error("invalid_client", "Invalid client")
    if not sim.check_client(P, client_id, None):
        return oauth_error("invalid_client", "Invalid client")
    if not sim.check_client(P, client_id, secret or ""):
        return oauth_error("invalid_client", "Invalid client secret")
    if not grant_type:
        return oauth_error("unsupported_grant_type", "grant_type parameter is missing")
    if grant_type != "client_credentials":
        return oauth_error(
            "unsupported_grant_type",
            "grant_type must be client_credentials, authorization_code or refresh_token",
        )
    issued = sim.issue_tokens(P, client_id, prefix="BQ")
    return jsonify(
        access_token=issued.access.value,
        token_type="Bearer",  # noqa: S106
        expires_in=issued.expires_in,
    )


# -- api.spotify.com/v1 ----------------------------------------------------------------------


def _authorize():
    """None if the bearer token is good, else the 401 Spotify sends."""
    try:
        current_simulator().check_token(P, bearer_token())
    except TokenProblem:
        return api_error(401, UNAUTHORIZED)
    return None


def _lookup(item_id: str, kind: str) -> tuple[Release, Track | None] | None:
    """The live release (and track) behind an id, or None, as Spotify knows nothing else.

    ⚠️ What Spotify answers for an album that exists but is not released yet is undocumented
    (spotify/web-api#1152); the simulator answers as for an unknown id, which is the answer
    a careful client must handle anyway.
    """
    sim = current_simulator()
    with sim.lock:
        found = sim.catalog.by_id(P, item_id)
        if not found or not found[0].is_live(P, sim.now()):
            return None
        release, track = found
    if (kind == "track") != (track is not None):
        return None
    return release, track


def _item(item_id: str, kind: str):
    """((release, track), None) for an authorized lookup of a live id, else (None, the error
    Spotify answers: 401 for the token, 400 for a malformed id, 404 for an unknown one)."""
    if problem := _authorize():
        return None, problem
    if not _ID.fullmatch(item_id):
        return None, api_error(400, "invalid id")
    found = _lookup(item_id, kind)
    if not found:
        return None, api_error(404, "non existing id")
    return found, None


@api_route("/v1/albums/<album_id>")
def album(album_id):
    found, problem = _item(album_id, "album")
    return problem or jsonify(_album(found[0], full=True))


@api_route("/v1/albums/<album_id>/tracks")
def album_tracks(album_id):
    found, problem = _item(album_id, "album")
    if problem:
        return problem
    limit, offset = int_arg("limit", 20, low=1, high=PAGE), int_arg("offset", 0)
    if limit is None:
        return api_error(400, "Invalid limit")
    if offset is None:
        return api_error(400, "Invalid offset")
    return jsonify(_track_page(found[0], offset, limit))


@api_route("/v1/tracks/<track_id>")
def track(track_id):
    found, problem = _item(track_id, "track")
    return problem or jsonify(_track(*found))


_FILTER = re.compile(r'(\w+):("[^"]*"|\S+)')


@api_route("/v1/search")
def search():
    if problem := _authorize():
        return problem
    sim = current_simulator()
    query = request.args.get("q", "").strip()
    types = [t for t in request.args.get("type", "").split(",") if t]
    if not query:
        return api_error(400, "No search query")
    if not types:
        return api_error(400, "Missing parameter type")
    if set(types) - {"album", "artist", "playlist", "track", "show", "episode", "audiobook"}:
        return api_error(400, "Bad search type field")
    limit = int_arg("limit", SEARCH_LIMIT_DEFAULT, high=SEARCH_LIMIT_MAX)
    if limit is None:
        return api_error(400, "Invalid limit")
    offset = int_arg("offset", 0)
    if offset is None:
        return api_error(400, "Invalid offset")
    filters = {k.lower(): v.strip('"') for k, v in _FILTER.findall(query)}
    text = _FILTER.sub("", query).strip().lower()
    market = request.args.get("market")

    with sim.lock:
        now = sim.now()
        live = [r for r in sim.catalog.releases.values() if r.is_live(P, now)]
    answer = {}
    if "album" in types:
        albums = [r for r in live if _album_matches(r, filters, text, market)]
        answer["albums"] = _page("album", [_album(r) for r in albums], offset, limit)
    if "track" in types:
        tracks = [(r, t) for r in live for t in r.tracks if _track_matches(r, t, filters, text)]
        answer["tracks"] = _page("track", [_track(r, t) for r, t in tracks], offset, limit)
    for kind in set(types) - {"album", "track"}:
        answer[kind + "s"] = _page(kind, [], offset, limit)
    # A known quirk (spotify/web-api#1547): result lists can hold nulls.
    if sim.take_fault(P, "null_items", "/v1/search"):
        for page in answer.values():
            page["items"].insert(0, None)
    return jsonify(answer)


def _album_matches(release: Release, filters: dict, text: str, market: str | None) -> bool:
    if "isrc" in filters:  # isrc: only filters tracks
        return False
    if "upc" in filters:
        # Exact, leading zeros included (#621); one album per UPC (#1351); without a market
        # UPC searches can come back empty (#1469), so the simulator makes them empty.
        return bool(market) and release.upc_on(P) == filters["upc"]
    return _text_matches(release, filters, text, release.title)


def _track_matches(release: Release, track: Track, filters: dict, text: str) -> bool:
    if "upc" in filters:
        return False
    if "isrc" in filters:
        return track.isrc == filters["isrc"].upper()
    return _text_matches(release, filters, text, track.title)


def _text_matches(release: Release, filters: dict, text: str, title: str) -> bool:
    artists = " ".join(release.artists).lower()
    if "artist" in filters and filters["artist"].lower() not in artists:
        return False
    if "album" in filters and filters["album"].lower() not in release.title.lower():
        return False
    if "track" in filters and filters["track"].lower() not in title.lower():
        return False
    haystack = f"{title} {artists}".lower()
    return all(word in haystack for word in text.split())


def _base() -> str:
    return request.url_root.rstrip("/") + "/simulator/spotify/v1"


def _page(kind: str, items: list, offset: int, limit: int, href: str | None = None) -> dict:
    href = href or f"{_base()}/search?type={kind}"
    page = items[offset : offset + limit]
    more = offset + limit < len(items)
    return {
        "href": f"{href}&offset={offset}&limit={limit}",
        "items": page,
        "limit": limit,
        "next": f"{href}&offset={offset + limit}&limit={limit}" if more else None,
        "offset": offset,
        "previous": f"{href}&offset={max(0, offset - limit)}&limit={limit}" if offset else None,
        "total": len(items),
    }


def _artists(release: Release) -> list[dict]:
    out = []
    for name in release.artists:
        artist_id = platform_id(P, "artist", name)
        out.append(
            {
                "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
                "href": f"{_base()}/artists/{artist_id}",
                "id": artist_id,
                "name": name,
                "type": "artist",
                "uri": f"spotify:artist:{artist_id}",
            }
        )
    return out


def _album(release: Release, full: bool = False) -> dict:
    album_id = release.ids[P]
    day = release.release_date or date(2026, 1, 1)
    data = {
        "album_type": release.album_type,
        "total_tracks": len(release.tracks),
        "available_markets": MARKETS,
        "external_urls": {"spotify": url(P, release)},
        "href": f"{_base()}/albums/{album_id}",
        "id": album_id,
        "images": [
            {"url": f"https://i.scdn.co/image/{album_id}", "height": 640, "width": 640},
        ],
        "name": release.title,
        "release_date": day.isoformat(),
        "release_date_precision": "day",
        "type": "album",
        "uri": f"spotify:album:{album_id}",
        "artists": _artists(release),
    }
    if full:
        data["tracks"] = _track_page(release, 0, PAGE)
        data["copyrights"] = [{"text": f"{day.year} {release.label}", "type": "P"}]
        data["external_ids"] = {"upc": release.upc_on(P)}
        data["genres"] = []
        data["label"] = release.label
        data["popularity"] = 0
    return data


def _track_page(release: Release, offset: int, limit: int) -> dict:
    href = f"{_base()}/albums/{release.ids[P]}/tracks?market=US"
    return _page(
        "track", [_track(release, t, full=False) for t in release.tracks], offset, limit, href
    )


def _track(release: Release, track: Track, full: bool = True) -> dict:
    track_id = track.ids[P]
    data = {
        "artists": _artists(release),
        "available_markets": MARKETS,
        "disc_number": 1,
        "duration_ms": track.duration_ms,
        "explicit": False,
        "external_urls": {"spotify": url(P, release, track)},
        "href": f"{_base()}/tracks/{track_id}",
        "id": track_id,
        "is_local": False,
        "name": track.title,
        "preview_url": None,
        "track_number": track.number,
        "type": "track",
        "uri": f"spotify:track:{track_id}",
    }
    if full:
        data["album"] = _album(release)
        data["external_ids"] = {"isrc": track.isrc}
        data["popularity"] = 0
    return data
