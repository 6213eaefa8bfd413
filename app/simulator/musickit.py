"""A stand-in for MusicKit JS, served under /simulator/apple_music: the script at
`/musickit/v3/musickit.js` and the window its `authorize()` opens (`/authorize`), where the
listener allows access and the page gets a Music User Token for the simulated Apple Music API.
"""

from flask import Response, current_app, render_template, request

from app.simulator import consent
from app.simulator.apple_developer_token import developer_token_problem
from app.simulator.blueprint import current_simulator
from app.simulator.routing import sim_route

P = "apple_music"
BRAND = "Apple Music"
# Apple documents no lifetime for Music User Tokens; third parties report about 6 months.
USER_TOKEN_LIFETIME = 180 * 24 * 3600


@sim_route(P, "/musickit/v3/musickit.js", faults=False)
def musickit_js():
    return Response(render_template("simulator/musickit.js"), mimetype="text/javascript")


@sim_route(P, "/authorize", methods=("GET", "POST"), faults=False, csrf_exempt=False)
def authorize():
    """The window MusicKit's authorize() opens: Allow hands a Music User Token back to the page."""
    developer_token = request.values.get("developer_token")
    origin = request.values.get("origin", "")
    if why := developer_token_problem(developer_token, check_origin=False):
        return consent.error_page(BRAND, f"This app can't use Apple Music ({why}).", 401)
    if not consent.absolute_url(origin):
        return consent.error_page(BRAND, "The page asking for access has no valid origin.")
    app_name = request.values.get("app") or "Dropday"
    if request.method == "GET":
        hidden = {"developer_token": developer_token, "origin": origin, "app": app_name}
        return consent.page(
            BRAND, app_name=app_name, scopes=["Add music to your library"], hidden=hidden
        )
    sim = current_simulator()
    who = consent.listener(sim)
    token = None
    if consent.allowed(who):
        with sim.lock:
            sim.tokens.lifetimes.setdefault(P, USER_TOKEN_LIFETIME)
            token = sim.tokens.issue(
                P, current_app.config["APPLE_TEAM_ID"], listener=who.key, refresh=False
            ).access.value
    return render_template("simulator/musickit_done.html", token=token, origin=origin)
