"""Simulated Deezer public API: `track/isrc:…`, `album/upc:…` and lookups by numeric id.

No authentication. Errors arrive with HTTP 200 and an `error` body (platforms.md §5):
code 4 quota, 700 busy, 800 no data, 200/300 OAuth problems. A path Deezer does not serve
is a real 404 `{"error": "Not Found"}`. `isrc:` and `upc:` are
undocumented forms (⚠️); the simulator matches them exactly, so leading zeros matter.
"""

from http import HTTPStatus

from flask import jsonify, request

from app.simulator.blueprint import current_simulator
from app.simulator.catalog import Release, Track, platform_id, url
from app.simulator.routing import error_shape, fault_answer, sim_route

P = "deezer"
API = "https://api.deezer.com"

ERRORS = {
    4: ("Exception", "Quota limit exceeded"),
    200: ("OAuthException", "Permission denied"),
    300: ("OAuthException", "Invalid OAuth access token."),
    500: ("ParameterException", "Wrong parameter"),
    700: ("Exception", "Service busy"),
    800: ("DataException", "no data"),
}


def error(code: int):
    """Deezer's API errors, which arrive inside an HTTP 200."""
    kind, message = ERRORS[code]
    return jsonify(error={"type": kind, "message": message, "code": code})


@error_shape(P)
def http_error(status: int, _message: str):
    """What Deezer's front answers for a path or method it does not serve, e.g. 404
    `{"error": "Not Found"}`: a real HTTP status, unlike API errors."""
    response = jsonify(error=HTTPStatus(status).phrase)
    response.status_code = status
    return response


# Deezer's own kinds: "busy" (700), "permission" (200), "token_invalid" (300).
@fault_answer(P, extra_kinds=("busy", "permission", "token_invalid"))
def _fault(fault):
    if fault.kind in {"rate_limit", "quota"}:
        return error(4)  # Deezer's only rate answer: code 4, no Retry-After
    codes = {"busy": 700, "permission": 200, "token_invalid": 300}
    if fault.kind in codes:
        return error(codes[fault.kind])
    response = jsonify(error={"type": "Exception", "message": "Internal error", "code": 0})
    response.status_code = fault.status or 503
    return response


def _over_quota() -> bool:
    # The published limit: 50 requests per 5 seconds per IP.
    return current_simulator().hit_rate_limit(P, request.remote_addr, 50, 5)


def _live(release: Release) -> bool:
    sim = current_simulator()
    return release.is_live(P, sim.now())


@sim_route(P, "/track/<ref>")
def track(ref: str):
    sim = current_simulator()
    if _over_quota():
        return error(4)
    with sim.lock:
        if ref.lower().startswith("isrc:"):
            found = [(r, t) for r, t in sim.catalog.by_isrc(ref[5:]) if _live(r)]
            hit = found[0] if found else None
        else:
            hit = sim.catalog.by_id(P, ref)
            if hit and (hit[1] is None or not _live(hit[0])):
                hit = None
    if not hit:
        return error(800)
    return jsonify(_track(*hit))


@sim_route(P, "/album/<ref>")
def album(ref: str):
    sim = current_simulator()
    if _over_quota():
        return error(4)
    with sim.lock:
        if ref.lower().startswith("upc:"):
            release = sim.catalog.by_upc(P, ref[4:])
        else:
            hit = sim.catalog.by_id(P, ref)
            release = hit[0] if hit and hit[1] is None else None
        if release is None or not _live(release):
            return error(800)
    return jsonify(_album(release))


def _artist(release: Release) -> dict:
    name = release.artists[0]
    artist_id = int(platform_id(P, "album", "artist:" + name))
    return {
        "id": artist_id,
        "name": name,
        "link": f"https://www.deezer.com/artist/{artist_id}",
        "tracklist": f"{API}/artist/{artist_id}/top?limit=50",
        "type": "artist",
    }


def _album_ref(release: Release) -> dict:
    album_id = int(release.ids[P])
    return {
        "id": album_id,
        "title": release.title,
        "link": url(P, release),
        "cover": f"{API}/album/{album_id}/image",
        "release_date": _date(release),
        "tracklist": f"{API}/album/{album_id}/tracks",
        "type": "album",
    }


def _date(release: Release) -> str:
    return release.release_date.isoformat() if release.release_date else "2026-01-01"


def _track(release: Release, track: Track, short: bool = False) -> dict:
    data = {
        "id": int(track.ids[P]),
        "readable": True,
        "title": track.title,
        "title_short": track.title,
        "link": url(P, release, track),
        "duration": track.duration_ms // 1000,
        "rank": 0,
        "explicit_lyrics": False,
        "artist": _artist(release),
        "type": "track",
    }
    if not short:
        data |= {
            "isrc": track.isrc,
            "track_position": track.number,
            "disk_number": 1,
            "release_date": _date(release),
            "available_countries": ["DE", "FR", "GB", "US"],
            "contributors": [_artist(release)],
            "album": _album_ref(release),
        }
    return data


def _album(release: Release) -> dict:
    tracks = [_track(release, t, short=True) for t in release.tracks]
    return _album_ref(release) | {
        "upc": release.upc_on(P),
        "label": release.label,
        "nb_tracks": len(release.tracks),
        "duration": sum(t.duration_ms for t in release.tracks) // 1000,
        "record_type": "single" if release.album_type == "single" else "album",
        "available": True,
        "explicit_lyrics": False,
        "contributors": [_artist(release)],
        "artist": _artist(release),
        "tracks": {"data": tracks},
    }
