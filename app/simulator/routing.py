"""How a simulated platform endpoint is served: `sim_route` registers a view on the simulator
blueprint under "/<platform>", exempts it from Dropday's CSRF check (real API clients send no
CSRF token), answers injected faults in the platform's own shape, and logs every call.

    @error_shape("spotify")
    def spotify_error(status, message):  # the platform's error body for any status
        ...

    @fault_answer("spotify")
    def spotify_fault(fault):  # -> the response for a "rate_limit" | "server_error" | "quota"
        ...

    @sim_route("spotify", "/v1/albums/<album_id>")
    def album(album_id): ...

Every path of a platform answers: an unknown one with the platform's 404, a known one asked
with the wrong method with its 405 and an `Allow` header (RFC 9110 §15.5.6), both in the
platform's own error shape, never Dropday's. Views return a response (or what Flask turns
into one); they should not `abort()`, since Dropday's error handlers would answer instead.
"""

import base64
import binascii
import functools
import json
import time
from collections.abc import Callable

from flask import Response, jsonify, make_response, request

from app.extensions import csrf
from app.simulator.blueprint import bp, current_simulator
from app.simulator.faults import GENERIC, REVOKED, Fault
from app.simulator.log import LoggedRequest

ERROR_SHAPES: dict[str, Callable[[int, str], Response]] = {}
FAULT_ANSWERS: dict[str, Callable[[Fault], Response]] = {}
FAULT_KINDS: dict[str, frozenset[str]] = {}
# Every method is routed to the view's wrapper, which refuses the ones the view does not take.
ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_RULES: set[str] = set()


def error_shape(platform: str):
    """Register `platform`'s error body, `(status, message) -> Response`, and answer every
    path below "/<platform>" that no view serves with it (404)."""

    def register(shape: Callable[[int, str], Response]):
        ERROR_SHAPES[platform] = shape

        def unknown(**_):
            return _answer(platform, lambda: shape(404, "Not found"), None)

        endpoint = f"{platform}_unknown_path"
        for rule in (f"/{platform}", f"/{platform}/", f"/{platform}/<path:rest>"):
            bp.add_url_rule(
                rule, endpoint, unknown, methods=ALL_METHODS, provide_automatic_options=False
            )
        csrf.exempt(unknown)
        return shape

    return register


def fault_answer(platform: str, extra_kinds: tuple[str, ...] = ()):
    """Register how `platform` answers the generic faults (see faults.py), plus any kinds of
    its own (`extra_kinds`, e.g. Deezer's "busy"), which are then also applied before views."""

    def register(answer: Callable[[Fault], Response]):
        FAULT_ANSWERS[platform] = answer
        FAULT_KINDS[platform] = GENERIC | frozenset(extra_kinds)
        return answer

    return register


def _status(fault: Fault) -> int:
    return fault.status or {"rate_limit": 429, "quota": 429}.get(fault.kind, 503)


def _default_fault_answer(fault: Fault) -> Response:
    response = jsonify(error=fault.kind)
    response.status_code = _status(fault)
    return _with_retry_after(response, fault)


def _with_retry_after(response: Response, fault: Fault) -> Response:
    if fault.kind == "rate_limit" and fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    return response


def _exact_answer(fault: Fault) -> Response:
    """A fault with a `body` answers exactly that (JSON when it is JSON), with its status."""
    body = fault.body
    if isinstance(body, dict | list):
        body = json.dumps(body)
    try:
        json.loads(body)
        mimetype = "application/json"
    except ValueError:
        mimetype = "text/plain"
    return _with_retry_after(Response(body, status=_status(fault), mimetype=mimetype), fault)


def sim_route(
    platform: str,
    rule: str,
    *,
    methods=("GET",),
    faults: bool = True,
    csrf_exempt: bool = True,
    trailing_slash: bool = False,
):
    """Serve `rule` at /simulator/<platform><rule>. `faults=False` for browser pages (consent
    screens) that should never misbehave; `csrf_exempt=False` for pages posting our own forms;
    `trailing_slash` also serves `rule` + "/" (as Spotify does)."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())
    allow_header = ", ".join(sorted(allowed | {"OPTIONS"}))

    def decorate(view):
        @functools.wraps(view)
        def endpoint(**kwargs):
            if request.method == "OPTIONS":
                return _answer(platform, lambda: _options(allow_header), None)
            if request.method not in allowed:
                return _answer(platform, lambda: _wrong_method(platform, allow_header), None)
            sim = current_simulator()
            kinds = FAULT_KINDS.get(platform, GENERIC)
            presented = _presented_token(sim, platform)
            if presented is None:
                kinds = kinds - {REVOKED}
            path = _platform_path(platform)
            fault = sim.draw_fault(platform, path, request.method, kinds) if faults else None
            if fault and (fault.kind == "slow" or fault.delay is not None):
                # Sleep without the lock: the answer comes, but maybe after the client gave up.
                time.sleep(sim.slow_seconds if fault.delay is None else fault.delay)
            if fault and fault.kind == REVOKED:
                # The holder withdraws access now; the view answers as for any revoked token.
                sim.revoke_holder(presented)
            if fault and fault.body is not None:
                return _answer(platform, lambda: _exact_answer(fault), fault)
            if fault and fault.kind not in {"slow", REVOKED}:
                answer = FAULT_ANSWERS.get(platform, _default_fault_answer)
                return _answer(platform, lambda: answer(fault), fault)
            return _answer(platform, lambda: make_response(view(**kwargs)), fault)

        rules = [f"/{platform}{rule}"] + ([f"/{platform}{rule}/"] if trailing_slash else [])
        for full in rules:
            if full in _RULES:
                raise ValueError(f"{full} is served twice: one view per path, for every method")
            _RULES.add(full)
            bp.add_url_rule(
                full,
                f"{platform}_{view.__name__}",
                endpoint,
                methods=ALL_METHODS,
                provide_automatic_options=False,
            )
        if csrf_exempt:
            csrf.exempt(endpoint)
        return endpoint

    return decorate


def _options(allow: str) -> Response:
    response = Response(status=204)
    response.headers["Allow"] = allow
    return response


def _wrong_method(platform: str, allow: str) -> Response:
    response = ERROR_SHAPES[platform](405, f"Method {request.method} is not allowed here")
    response.headers["Allow"] = allow
    return response


def _platform_path(platform: str) -> str:
    return request.path.removeprefix(f"{bp.url_prefix}/{platform}")


def _answer(platform: str, respond: Callable[[], Response], fault: Fault | None) -> Response:
    """The response, logged."""
    sim = current_simulator()
    response = respond()
    sim.record(_entry(sim, platform, _platform_path(platform), response, fault))
    return response


def bearer_token() -> str | None:
    """The token from `Authorization: Bearer ...`, if that is what was sent."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def basic_credentials() -> tuple[str | None, str | None]:
    """(client id, secret) from `Authorization: Basic ...`; (None, None) if absent or garbled."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else (None, None)


def client_credentials() -> tuple[str | None, str | None]:
    """(client id, secret) from HTTP Basic, else from the form body (token endpoints take
    both); the secret is None when none was sent (a public client)."""
    client_id, secret = basic_credentials()
    if client_id is None:
        client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
    return client_id, secret


def int_arg(name: str, default: int, low: int = 0, high: int | None = None) -> int | None:
    """The query parameter `name` as an integer in [low, high] (`default` if absent); None
    if it is not one, for the endpoint to answer with its platform's 400."""
    text = request.args.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        return None
    if value < low or (high is not None and value > high):
        return None
    return value


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    """A token endpoint's error in OAuth's flat shape (RFC 6749 §5.2), as Spotify and Google
    send it."""
    response = jsonify(error=error, error_description=description)
    response.status_code = status
    return response


def _presented_token(sim, platform: str):
    """The platform-issued token this call carries (bearer, Apple's Music-User-Token, or a
    refresh token in a token request), whatever its state; None if it carries none."""
    candidates = (
        bearer_token(),
        request.headers.get("Music-User-Token"),
        request.form.get("refresh_token"),
    )
    for value in candidates:
        if value and (token := sim.token_info(platform, value)):
            return token
    return None


def _entry(sim, platform: str, path: str, response: Response, fault: Fault | None):
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    scheme, value = scheme or None, value.strip() or None
    client_id = request.form.get("client_id")
    if scheme and scheme.lower() == "basic":
        client_id = basic_credentials()[0] or client_id
        value = None
    elif not scheme and request.args.get("key"):
        scheme, value = "key", request.args["key"]
    token = sim.token_info(platform, value) if value and scheme != "key" else None
    return LoggedRequest(
        platform=platform,
        method=request.method,
        path=path,
        query=request.args.to_dict(flat=True),
        status=response.status_code,
        at=sim.now(),
        auth_scheme=scheme,
        token=value,
        client_id=client_id or (token.client_id if token else None),
        listener=token.listener if token else None,
        fault=fault.kind if fault else None,
        form=request.form.to_dict(flat=True),
        json=request.get_json(silent=True),
        headers={k: v for k, v in request.headers.items() if k.lower() != "cookie"},
    )
