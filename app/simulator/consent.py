"""The consent screen simulated platforms show a listener: who is signing in, what the app
asks for, Allow or Deny. Google's and TIDAL's authorize pages and the MusicKit stand-in use it.

The OAuth platforms check the app's redirect URI against the ones registered before they
get here (Simulator.redirect_uri_registered).

Tests drive it over plain HTTP: GET the authorize URL, then POST the form with `listener` and
`decision` ("allow" or "deny"; left out, the listener's own `consents` answers).
"""

from urllib.parse import urlencode, urlsplit

from flask import redirect, render_template, request

from app.simulator.listeners import Listener


def page(brand: str, *, scopes=(), hidden: dict | None = None, app_name: str = "Dropday"):
    return render_template(
        "simulator/consent.html",
        brand=brand,
        app_name=app_name,
        scopes=list(scopes),
        hidden=hidden or {},
        action=request.path,
        listeners=_listener_keys(),
        error=None,
    )


def error_page(brand: str, message: str, status: int = 400):
    html = render_template(
        "simulator/consent.html",
        brand=brand,
        app_name="",
        scopes=[],
        hidden={},
        action=request.path,
        listeners=[],
        error=message,
    )
    return html, status


def listener(sim) -> Listener:
    """The listener named in the form; a new name signs up on the spot (handy in `make dev`)."""
    key = (request.form.get("listener") or "").strip() or "listener"
    with sim.lock:
        if key not in sim.listeners:
            return sim.add_listener(key)
        return sim.listener(key)


def allowed(who: Listener) -> bool:
    decision = request.form.get("decision")
    if decision in {"allow", "deny"}:
        return decision == "allow"
    return who.consents


def authorize(
    sim, platform: str, brand: str, params: dict, scopes: dict, *, echo_scope=False, **code_fields
):
    """The OAuth authorize step once the request itself checks out: GET shows the consent
    page for the `scopes` ({scope: what it lets the app do}); the listener's answer (POST)
    goes back to the app as `error=access_denied` or a fresh code.

    `code_fields` are kept with the code (a PKCE challenge, Google's access_type);
    `echo_scope` repeats the granted scope in the redirect, as Google does.
    """
    redirect_uri, state = params["redirect_uri"], params.get("state")
    if request.method == "GET":
        return page(brand, scopes=list(scopes.values()), hidden=params)
    who = listener(sim)
    if not allowed(who):
        return back_to_app(redirect_uri, error="access_denied", state=state)
    with sim.lock:
        code = sim.tokens.issue_code(
            platform, params["client_id"], who.key, redirect_uri, " ".join(scopes), **code_fields
        )
    scope = " ".join(scopes) if echo_scope else None
    return back_to_app(redirect_uri, code=code.value, scope=scope, state=state)


def absolute_url(uri: str | None) -> bool:
    """Is this an absolute http(s) URL (a web page's origin, say)?"""
    parts = urlsplit(uri or "")
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def back_to_app(redirect_uri: str, **params):
    """The redirect to the app's callback, with `code` and `state` or `error`."""
    separator = "&" if urlsplit(redirect_uri).query else "?"
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return redirect(f"{redirect_uri}{separator}{query}", code=302)


def _listener_keys() -> list[str]:
    from app.simulator.blueprint import current_simulator

    sim = current_simulator()
    with sim.lock:
        return list(sim.listeners)
