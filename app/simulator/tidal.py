"""Simulated TIDAL: login (authorize page), auth (token endpoint) and the JSON:API catalog and
collections (platforms.md §4).

Served under /simulator/tidal: `/login/authorize`, `/auth/v1/oauth2/token` and `/v2/...`.

- Login accepts only registered redirect URIs (exact match), and the token exchange only
  the one the code was issued for.
- Login requires PKCE with S256; the token endpoint checks the verifier against the challenge
  and answers a wrong or missing one with 400 invalid_grant.
- The token endpoint takes client credentials in the form body (as TIDAL's SDK sends them) or
  as HTTP Basic; refreshing returns a new access token and no new refresh token.
- API errors are JSON:API `{"errors": [{"status", "code", "detail"}]}`. A refused token is a
  401 carrying a sub-status (11001 unknown, 11002 revoked, 11003 expired: codes TIDAL's SDK
  refreshes on). ⚠️ Where the real v2 API puts the sub-status is not documented; the
  simulator puts it on the error object as `subStatus`.
- Catalog lookups take an optional `countryCode` (the spec has `required: false`).
- Collection adds answer 200 with a JSON:API document whose `meta.skipped` lists the items
  not added, each with a reason: `NOT_FOUND` (TIDAL does not have it, or not yet) or
  `ALREADY_PRESENT`; the others are added. ⚠️ The spec names the reasons, not the exact
  shape of an entry; the simulator sends `{"id", "type", "reason"}`. The same item twice in
  one request is `409 DUPLICATE_ITEMS_IN_COLLECTION`.
- No token revocation endpoint: TIDAL documents none (platforms.md §4), so none is served
  and Dropday calls none.
- Collections honour `Idempotency-Key`: the same key from the same user replays the first
  answer; the same key with a different body is `422 IDEMPOTENT_REQUEST_PAYLOAD_MISMATCH`.
"""

import base64
import hashlib
import hmac
import json

from flask import Response, request

from app.simulator import consent
from app.simulator.blueprint import current_simulator
from app.simulator.catalog import Release, Track, url
from app.simulator.faults import REVOKED
from app.simulator.routing import (
    bearer_token,
    client_credentials,
    error_shape,
    fault_answer,
    sim_route,
)
from app.simulator.tokens import TokenProblem

P = "tidal"
BRAND = "TIDAL"
JSON_API = "application/vnd.api+json"
SCOPES = {
    "collection.read": "Read your collection",
    "collection.write": "Add to and remove from your collection",
    "playlists.read": "Read your playlists",
    "playlists.write": "Change your playlists",
    "user.read": "Read your profile",
    "entitlements.read": "Read your subscription",
    "playback": "Play music",
    "recommendations.read": "Read your recommendations",
    "search.read": "Search",
    "search.write": "Save your searches",
}
SUB_STATUS = {"invalid": 11001, "revoked": 11002, "expired": 11003, "wrong_client": 11001}
MAX_ITEMS = 50
MAX_KEY_LENGTH = 128


@error_shape(P)
def api_error(status: int, detail: str, code: str | None = None, **extra) -> Response:
    error = {"status": str(status), "code": code or _CODES.get(status, "ERROR"), "detail": detail}
    return _json_api({"errors": [error | extra]}, status)


_CODES = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMITED",
}


def _json_api(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype=JSON_API)


def oauth_error(error: str, description: str, status: int = 400, sub_status: int | None = None):
    body = {"status": status, "error": error, "error_description": description}
    if sub_status:
        body["sub_status"] = sub_status
    return Response(json.dumps(body), status=status, mimetype="application/json")


@fault_answer(P, extra_kinds=(REVOKED,))
def _fault(fault):
    if fault.kind in {"rate_limit", "quota"}:
        response = api_error(fault.status or 429, "Rate limit exceeded")
        if fault.retry_after is not None:
            # ⚠️ TIDAL documents no Retry-After; the simulator sends one when a scenario sets it.
            response.headers["Retry-After"] = str(fault.retry_after)
        return response
    status = fault.status or 503
    return api_error(status, "Service unavailable" if status == 503 else "Internal error")


# -- login.tidal.com/authorize -----------------------------------------------------------------


def _authorize_params(source) -> dict:
    names = (
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    )
    return {name: source.get(name) for name in names if source.get(name)}


@sim_route(P, "/login/authorize", methods=("GET", "POST"), faults=False, csrf_exempt=False)
def authorize():
    sim = current_simulator()
    params = _authorize_params(request.values)
    if not sim.check_client(P, params.get("client_id"), None):
        return consent.error_page(BRAND, "Unknown client_id.", 400)
    if not sim.redirect_uri_registered(P, params.get("redirect_uri")):
        return consent.error_page(BRAND, "Invalid redirect_uri: it is not registered.", 400)
    redirect_uri, state = params["redirect_uri"], params.get("state")
    if params.get("response_type") != "code":
        return consent.back_to_app(redirect_uri, error="unsupported_response_type", state=state)
    # OAuth 2.1: PKCE is not optional, and only S256 is accepted.
    if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
        return consent.back_to_app(
            redirect_uri,
            error="invalid_request",
            error_description="code_challenge with code_challenge_method=S256 is required",
            state=state,
        )
    scopes = (params.get("scope") or "").split()
    if any(scope not in SCOPES for scope in scopes):
        return consent.back_to_app(redirect_uri, error="invalid_scope", state=state)
    return consent.authorize(
        sim,
        P,
        BRAND,
        params,
        {scope: SCOPES[scope] for scope in scopes},
        code_challenge=params["code_challenge"],
    )


# -- auth.tidal.com/v1/oauth2/token ------------------------------------------------------------


@sim_route(P, "/auth/v1/oauth2/token", methods=("POST",))
def token():
    sim = current_simulator()
    client_id, secret = client_credentials()
    if not sim.check_client(P, client_id, None):
        return oauth_error("invalid_client", "Client not found", 401)
    if secret is not None and not sim.check_client(P, client_id, secret):
        return oauth_error("invalid_client", "Client authentication failed", 401)
    grant_type = request.form.get("grant_type")
    if grant_type == "client_credentials":
        if secret is None:
            return oauth_error("invalid_client", "Client secret required", 401)
        issued = sim.issue_tokens(P, client_id)
        return _token_answer(issued, scope="")
    if grant_type == "authorization_code":
        return _redeem_code(sim, client_id)
    if grant_type == "refresh_token":
        try:
            with sim.lock:
                issued = sim.tokens.refresh(P, client_id, request.form.get("refresh_token"))
        except TokenProblem as problem:
            return oauth_error("invalid_grant", f"Refresh token {problem.reason}", sub_status=11101)
        return _token_answer(issued, scope=issued.access.scope, refresh=False)
    return oauth_error("unsupported_grant_type", f"Unsupported grant_type {grant_type!r}")


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _redeem_code(sim, client_id: str):
    redirect_uri = request.form.get("redirect_uri")
    with sim.lock:
        code = sim.tokens.take_code(P, request.form.get("code"))
    if code is None or code.client_id != client_id:
        return oauth_error("invalid_grant", "Invalid authorization code")
    if code.redirect_uri != redirect_uri or not sim.redirect_uri_registered(P, redirect_uri):
        return oauth_error("invalid_grant", "redirect_uri does not match the authorization")
    verifier = request.form.get("code_verifier") or ""
    if not 43 <= len(verifier) <= 128 or not hmac.compare_digest(
        s256(verifier), code.extra.get("code_challenge", "")
    ):
        return oauth_error("invalid_grant", "PKCE verification failed")
    issued = sim.issue_tokens(P, client_id, listener=code.listener, scope=code.scope)
    return _token_answer(issued, scope=code.scope, user_id=code.listener)


def _token_answer(issued, scope: str, refresh: bool = True, user_id: str | None = None):
    body = {
        "access_token": issued.access.value,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": scope,
    }
    if refresh and issued.refresh:
        body["refresh_token"] = issued.refresh.value
    if user_id:
        body["user_id"] = user_id
    return Response(json.dumps(body), mimetype="application/json")


# -- openapi.tidal.com/v2 ----------------------------------------------------------------------


def _caller():
    """(token, None) for a usable bearer token, else (None, the 401)."""
    value = bearer_token()
    if not value:
        return None, api_error(401, "Missing access token", subStatus=SUB_STATUS["invalid"])
    try:
        return current_simulator().check_token(P, value), None
    except TokenProblem as problem:
        detail = {"expired": "The token has expired.", "revoked": "The token has been revoked."}
        return None, api_error(
            401,
            detail.get(problem.reason, "Invalid access token"),
            subStatus=SUB_STATUS.get(problem.reason, 11001),
        )


def _catalog_problem() -> Response | None:
    """The error for a catalog request without a usable token or a countryCode, if any."""
    _, problem = _caller()
    if problem:
        return problem
    country = request.args.get("countryCode")
    if country is not None and not (len(country) == 2 and country.isalpha()):
        return api_error(400, "countryCode must be an ISO 3166-1 alpha-2 code")
    return None


def _album(release: Release) -> dict:
    album_id = release.ids[P]
    return {
        "id": album_id,
        "type": "albums",
        "attributes": {
            "title": release.title,
            "barcodeId": release.upc_on(P),
            "numberOfItems": len(release.tracks),
            "releaseDate": release.release_date.isoformat() if release.release_date else None,
            "type": "SINGLE" if release.album_type == "single" else "ALBUM",
            "externalLinks": [{"href": url(P, release), "meta": {"type": "TIDAL_SHARING"}}],
        },
        "relationships": {"items": {"links": {"self": f"/albums/{album_id}/relationships/items"}}},
    }


def _track(release: Release, track: Track) -> dict:
    track_id = track.ids[P]
    return {
        "id": track_id,
        "type": "tracks",
        "attributes": {
            "title": track.title,
            "isrc": track.isrc,
            "externalLinks": [{"href": url(P, release, track), "meta": {"type": "TIDAL_SHARING"}}],
        },
        "relationships": {
            "albums": {
                "data": [{"id": release.ids[P], "type": "albums"}],
                "links": {"self": f"/tracks/{track_id}/relationships/albums"},
            }
        },
    }


@sim_route(P, "/v2/albums")
def albums():
    if problem := _catalog_problem():
        return problem
    barcodes = [b for b in request.args.get("filter[barcodeId]", "").split(",") if b]
    sim = current_simulator()
    with sim.lock:
        now = sim.now()
        found = [sim.catalog.by_upc(P, barcode) for barcode in barcodes]
        data = [_album(r) for r in found if r and r.is_live(P, now)]
    return _json_api({"data": data, "links": {"self": request.full_path}})


@sim_route(P, "/v2/tracks")
def tracks():
    if problem := _catalog_problem():
        return problem
    isrcs = [i for i in request.args.get("filter[isrc]", "").split(",") if i]
    include_albums = "albums" in request.args.get("include", "").split(",")
    sim = current_simulator()
    with sim.lock:
        now = sim.now()
        hits = [hit for isrc in isrcs for hit in sim.catalog.by_isrc(isrc)]
        live = [(release, track) for release, track in hits if release.is_live(P, now)]
    body = {"data": [_track(r, t) for r, t in live], "links": {"self": request.full_path}}
    if include_albums:
        body["included"] = list({r.ids[P]: _album(r) for r, _ in live}.values())
    return _json_api(body)


# -- collections -------------------------------------------------------------------------------


@sim_route(P, "/v2/<collection>/<owner>/relationships/items", methods=("POST",))
def add_to_collection(collection, owner):
    kinds = {"userCollectionAlbums": "albums", "userCollectionTracks": "tracks"}
    if collection not in kinds:
        return api_error(404, f"Unknown resource {collection}")
    token, problem = _caller()
    if problem:
        return problem
    if token.listener is None or "collection.write" not in token.scope.split():
        return api_error(403, "Insufficient scope: collection.write is required")
    if owner not in {"me", token.listener}:
        return api_error(403, "You can only change your own collection")
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        return api_error(400, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
    sim = current_simulator()
    fingerprint = hashlib.sha256(request.get_data()).hexdigest()
    with sim.lock:
        replays = sim.scratch(P).setdefault("replays", {})
        if key is not None and (token.listener, key) in replays:
            earlier, status, body = replays[(token.listener, key)]
            if earlier != fingerprint:
                return api_error(
                    422,
                    "Idempotency-Key was used with a different request",
                    "IDEMPOTENT_REQUEST_PAYLOAD_MISMATCH",
                )
            response = Response(body, status=status, mimetype=JSON_API)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        response = _add(sim, token.listener, kinds[collection])
        if key is not None and response.status_code < 500:
            replays[(token.listener, key)] = (
                fingerprint,
                response.status_code,
                response.get_data(),
            )
    return response


def _add(sim, listener: str, kind: str) -> Response:
    """Add the body's items; the caller holds the lock. Items TIDAL does not have, or that
    are in the collection already, are skipped and listed in `meta.skipped`."""
    if request.mimetype != JSON_API:
        return api_error(415, f"Content-Type must be {JSON_API}")
    body = request.get_json(silent=True, force=True)
    items = body.get("data") if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        return api_error(400, f"data must be a list of 1 to {MAX_ITEMS} resource identifiers")
    ids = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") != kind or not item.get("id"):
            return api_error(400, f"each item must be {{'type': '{kind}', 'id': ...}}")
        ids.append(str(item["id"]))
    if len(set(ids)) != len(ids):
        return api_error(409, "The same item is listed twice", "DUPLICATE_ITEMS_IN_COLLECTION")
    now = sim.now()
    who = sim.listener(listener)
    skipped = []
    for item_id in ids:
        hit = sim.catalog.by_id(P, item_id)
        if not hit or not hit[0].is_live(P, now) or (hit[1] is None) != (kind == "albums"):
            skipped.append({"id": item_id, "type": kind, "reason": "NOT_FOUND"})
        elif not who.save(P, kind, item_id):
            skipped.append({"id": item_id, "type": kind, "reason": "ALREADY_PRESENT"})
    return _json_api({"meta": {"skipped": skipped}})
