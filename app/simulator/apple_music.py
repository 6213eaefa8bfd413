"""Simulated Apple Music API (platforms.md §2), served under /simulator/apple_music at
`/v1/...`; the MusicKit JS stand-in that hands out Music User Tokens is musickit.py.

Every API call must carry a developer token Apple would accept (apple_developer_token.py);
anything else is a bare 401.

Personal endpoints also need a Music User Token (`Music-User-Token`); a bad, expired or
revoked one is a 403. Library adds answer 202 whatever happens to the ids (unknown ones are
silently ignored), and `delay_library_adds` makes accepted items appear only later.
"""

import hashlib
import re
import secrets
from datetime import timedelta
from http import HTTPStatus

from flask import Response, jsonify, request

from app.simulator.apple_developer_token import developer_token_problem
from app.simulator.blueprint import current_simulator
from app.simulator.catalog import Release, Track, url
from app.simulator.faults import REVOKED
from app.simulator.routing import bearer_token, error_shape, fault_answer, int_arg, sim_route
from app.simulator.tokens import TokenProblem

P = "apple_music"
_STOREFRONT = re.compile(r"[a-z]{2}")


# -- scenario knobs ----------------------------------------------------------------------------


def delay_library_adds(sim, seconds: float | None) -> None:
    """Accepted adds show up in the library after `seconds` (None: never, as if ignored)."""
    with sim.lock:
        sim.scratch(P)["delay"] = seconds


def _flush_pending(sim) -> None:
    """Move adds whose delay has passed into the listeners' libraries. Caller holds the lock."""
    state = sim.scratch(P)
    waiting = []
    for listener, collection, item_id, visible_at in state.get("pending", []):
        if visible_at <= sim.now():
            sim.listener(listener).save(P, collection, item_id)
        else:
            waiting.append((listener, collection, item_id, visible_at))
    state["pending"] = waiting


# -- errors ------------------------------------------------------------------------------------


def api_error(status: int, code: str, title: str, detail: str = ""):
    error = {"id": secrets.token_hex(13).upper()}
    error |= {"title": title, "detail": detail or title, "status": str(status), "code": code}
    response = jsonify(errors=[error])
    response.status_code = status
    return response


@error_shape(P)
def _http_error(status: int, message: str):
    return api_error(status, f"{status}00", HTTPStatus(status).phrase, message)


@fault_answer(P, extra_kinds=(REVOKED,))
def _fault(fault):
    if fault.kind in {"rate_limit", "quota"}:
        response = api_error(fault.status or 429, "42900", "Too Many Requests")
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response
    status = fault.status or 500
    return api_error(status, f"{status}00", "Internal Server Error")


def _unauthorized(why: str) -> Response:
    # Apple answers a bad developer token with a bare 401; the header only helps debugging.
    response = Response(status=401)
    response.headers["X-Simulator-Reason"] = why
    return response


def _developer_token() -> Response | None:
    why = developer_token_problem(bearer_token())
    return _unauthorized(why) if why else None


def _listener():
    """(listener key, None) for a good Music User Token, or (None, the 403)."""
    try:
        token = current_simulator().check_token(P, request.headers.get("Music-User-Token"))
    except TokenProblem:
        return None, api_error(403, "40300", "Forbidden", "Invalid authentication")
    return token.listener, None


# -- resources ---------------------------------------------------------------------------------


def _base(storefront: str) -> str:
    return f"/v1/catalog/{storefront}"


def _album(release: Release, storefront: str, tracks: bool = True) -> dict:
    album_id = release.ids[P]
    data = {
        "id": album_id,
        "type": "albums",
        "href": f"{_base(storefront)}/albums/{album_id}",
        "attributes": {
            "name": release.title,
            "artistName": " & ".join(release.artists),
            "upc": release.upc_on(P),
            "url": url(P, release).replace("/us/", f"/{storefront}/"),
            "releaseDate": release.release_date.isoformat() if release.release_date else None,
            "trackCount": len(release.tracks),
            "isSingle": release.album_type == "single",
            "isComplete": True,
            "recordLabel": release.label,
            "playParams": {"id": album_id, "kind": "album"},
        },
    }
    if tracks:
        data["relationships"] = {
            "tracks": {
                "href": f"{data['href']}/tracks",
                "data": [_song_ref(t, storefront) for t in release.tracks],
            }
        }
    return data


def _song_ref(track: Track, storefront: str) -> dict:
    song_id = track.ids[P]
    return {"id": song_id, "type": "songs", "href": f"{_base(storefront)}/songs/{song_id}"}


def _song(release: Release, track: Track, storefront: str, include_albums: bool) -> dict:
    data = _song_ref(track, storefront)
    data["attributes"] = {
        "name": track.title,
        "artistName": " & ".join(release.artists),
        "albumName": release.title,
        "isrc": track.isrc,
        "url": url(P, release, track).replace("/us/", f"/{storefront}/"),
        "trackNumber": track.number,
        "durationInMillis": track.duration_ms,
        "playParams": {"id": track.ids[P], "kind": "song"},
    }
    album = (
        _album(release, storefront, tracks=False)
        if include_albums
        else {
            "id": release.ids[P],
            "type": "albums",
            "href": f"{_base(storefront)}/albums/{release.ids[P]}",
        }
    )
    data["relationships"] = {"albums": {"href": f"{data['href']}/albums", "data": [album]}}
    return data


def _library_id(listener: str, item_id: str) -> str:
    return "l." + hashlib.sha256(f"{listener}:{item_id}".encode()).hexdigest()[:7]


def _storefront_problem(storefront: str) -> Response | None:
    if not _STOREFRONT.fullmatch(storefront):
        return api_error(400, "40000", "Invalid storefront", f"'{storefront}' is not a storefront")
    return None


# -- catalog -----------------------------------------------------------------------------------


@sim_route(P, "/v1/catalog/<storefront>/albums")
def albums(storefront):
    if problem := _developer_token() or _storefront_problem(storefront):
        return problem
    upcs = [u for u in request.args.get("filter[upc]", "").split(",") if u]
    ids = [i for i in request.args.get("ids", "").split(",") if i]
    if not upcs and not ids:
        return api_error(400, "40005", "Missing required parameter", "filter[upc] or ids")
    sim = current_simulator()
    with sim.lock:
        now = sim.now()
        found = [sim.catalog.by_upc(P, upc) for upc in upcs]
        found += [hit[0] for i in ids if (hit := sim.catalog.by_id(P, i)) and hit[1] is None]
        data = [_album(r, storefront) for r in found if r and r.is_live(P, now)]
    return jsonify(data=data)


@sim_route(P, "/v1/catalog/<storefront>/songs")
def songs(storefront):
    if problem := _developer_token() or _storefront_problem(storefront):
        return problem
    isrcs = [i for i in request.args.get("filter[isrc]", "").split(",") if i]
    if not isrcs:
        return api_error(400, "40005", "Missing required parameter", "filter[isrc] or ids")
    include_albums = "albums" in request.args.get("include", "").split(",")
    sim = current_simulator()
    with sim.lock:
        now = sim.now()
        hits = [hit for isrc in isrcs for hit in sim.catalog.by_isrc(isrc)]
        data = [
            _song(release, track, storefront, include_albums)
            for release, track in hits
            if release.is_live(P, now)
        ]
    return jsonify(data=data)


@sim_route(P, "/v1/catalog/<storefront>/<kind>/<item_id>")
def catalog_item(storefront, kind, item_id):
    if problem := _developer_token() or _storefront_problem(storefront):
        return problem
    if kind not in {"albums", "songs"}:
        return api_error(404, "40400", "Resource Not Found")
    relate = request.args.get("relate", "").split(",")
    listener = None
    if "library" in relate and request.headers.get("Music-User-Token"):
        listener, problem = _listener()
        if problem:
            return problem
    sim = current_simulator()
    with sim.lock:
        hit = sim.catalog.by_id(P, item_id)
        if not hit or not hit[0].is_live(P, sim.now()) or (hit[1] is None) != (kind == "albums"):
            return api_error(404, "40400", "Resource Not Found", f"No {kind} with id {item_id}")
        release, track = hit
        data = (
            _album(release, storefront)
            if track is None
            else _song(release, track, storefront, include_albums=False)
        )
        if listener:
            _flush_pending(sim)
            saved = sim.listener(listener).library(P).get(kind, [])
            library = (
                [{"id": _library_id(listener, item_id), "type": f"library-{kind}"}]
                if item_id in saved
                else []
            )
            data.setdefault("relationships", {})["library"] = {"data": library}
    return jsonify(data=[data])


# -- the fan's library -------------------------------------------------------------------------


@sim_route(P, "/v1/me/storefront")
def my_storefront():
    if problem := _developer_token():
        return problem
    listener, problem = _listener()
    if problem:
        return problem
    sim = current_simulator()
    with sim.lock:
        country = sim.listener(listener).country.lower()
    return jsonify(
        data=[
            {
                "id": country,
                "type": "storefronts",
                "href": f"/v1/storefronts/{country}",
                "attributes": {"name": country.upper(), "defaultLanguageTag": "en-US"},
            }
        ]
    )


@sim_route(P, "/v1/me/library", methods=("POST",))
def add_to_library():
    if problem := _developer_token():
        return problem
    listener, problem = _listener()
    if problem:
        return problem
    wanted = {
        kind: [i for i in request.args.get(f"ids[{kind}]", "").split(",") if i]
        for kind in ("albums", "songs")
    }
    if not any(wanted.values()):
        return api_error(400, "40005", "Missing required parameter", "ids[albums] or ids[songs]")
    sim = current_simulator()
    with sim.lock:
        state = sim.scratch(P)
        delay = state.get("delay", 0)
        now = sim.now()
        for kind, ids in wanted.items():
            for item_id in ids:
                hit = sim.catalog.by_id(P, item_id)
                if not hit or not hit[0].is_live(P, now) or (hit[1] is None) != (kind == "albums"):
                    continue  # Apple silently ignores ids it cannot add
                if delay is None:
                    continue
                visible_at = now + timedelta(seconds=delay)
                state.setdefault("pending", []).append((listener, kind, item_id, visible_at))
        _flush_pending(sim)
    return Response(status=202)


@sim_route(P, "/v1/me/library/albums")
def library_albums():
    if problem := _developer_token():
        return problem
    listener, problem = _listener()
    if problem:
        return problem
    offset, limit = int_arg("offset", 0), int_arg("limit", 25, low=1, high=100)
    if offset is None or limit is None:
        return api_error(
            400, "40005", "Invalid Parameter Value", "offset must be 0 or more, limit 1 to 100"
        )
    include_catalog = "catalog" in request.args.get("include", "").split(",")
    sim = current_simulator()
    with sim.lock:
        _flush_pending(sim)
        saved = sim.listener(listener).library(P).get("albums", [])
        hits = [(i, sim.catalog.by_id(P, i)) for i in saved]
    data = []
    for item_id, hit in hits:
        if not hit:
            continue
        release = hit[0]
        entry = {
            "id": _library_id(listener, item_id),
            "type": "library-albums",
            "href": f"/v1/me/library/albums/{_library_id(listener, item_id)}",
            "attributes": {
                "name": release.title,
                "artistName": " & ".join(release.artists),
                "trackCount": len(release.tracks),
            },
        }
        if include_catalog:
            entry["relationships"] = {"catalog": {"data": [_album(release, "us", tracks=False)]}}
        data.append(entry)
    page = data[offset : offset + limit]
    body = {"data": page}
    if offset + limit < len(data):
        body["next"] = f"/v1/me/library/albums?offset={offset + limit}"
    return jsonify(body)
