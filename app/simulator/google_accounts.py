"""Simulated Google sign-in: the consent page (`/accounts/o/oauth2/v2/auth`) and the token
endpoint (`/oauth2/token`), served under /simulator/youtube beside the YouTube Data API
(youtube.py). Errors are OAuth's flat `{"error", "error_description"}`.

Only registered redirect URIs are accepted, compared exactly, at both steps; anything else
is Google's "Error 400: redirect_uri_mismatch" (see Simulator.redirect_uris).
"""

from flask import jsonify, request

from app.simulator import consent
from app.simulator.blueprint import current_simulator
from app.simulator.routing import client_credentials, oauth_error, sim_route
from app.simulator.tokens import TokenProblem

P = "youtube"
BRAND = "Google"
SCOPES = {
    "https://www.googleapis.com/auth/youtube": "Manage your YouTube account",
    "https://www.googleapis.com/auth/youtube.force-ssl": "Manage your YouTube account",
    "https://www.googleapis.com/auth/youtube.readonly": "View your YouTube account",
}
WRITE_SCOPES = {
    "https://www.googleapis.com/auth/youtube",
    "https://www.googleapis.com/auth/youtube.force-ssl",
}
MISMATCH = "Error 400: redirect_uri_mismatch"


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
    if not sim.redirect_uri_registered(P, params.get("redirect_uri")):
        return consent.error_page(BRAND, MISMATCH)
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


@sim_route(P, "/oauth2/revoke", methods=("POST",))
def revoke():
    """Google's revocation endpoint: 200 once the grant is gone, 400 for an unknown token."""
    sim = current_simulator()
    client_id, _ = client_credentials()
    with sim.lock:
        revoked = sim.tokens.revoke_grant(P, client_id, request.form.get("token"))
    if not revoked:
        return oauth_error("invalid_token", "Token expired or revoked")
    return jsonify({})


def _redeem_code(sim, client_id: str):
    redirect_uri = request.form.get("redirect_uri")
    if not sim.redirect_uri_registered(P, redirect_uri):
        return oauth_error("redirect_uri_mismatch", "Bad Request")
    with sim.lock:
        code = sim.tokens.take_code(P, request.form.get("code"))
    if code is None or code.client_id != client_id:
        return oauth_error("invalid_grant", "Malformed auth code.")
    if code.redirect_uri != redirect_uri:
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
