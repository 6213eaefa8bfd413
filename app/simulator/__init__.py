"""The platform simulator: imitations of the streaming APIs Dropday calls, at their real paths.

Mounted only when PLATFORM_MODE=simulator (tests and `make dev`). It imports nothing of
Dropday's platform code; its settings (URLs, credentials, keys) are in defaults.py.
All state lives in one in-memory `Simulator` per app (`app.extensions["simulator"]`, see
state.py); each platform's endpoints are a module here registering on `bp` through
`routing.sim_route`, which applies injected faults and writes the request log.
"""

from flask import Blueprint, current_app

from app.extensions import limiter

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
# The simulated platforms answer with their own rate limits (faults), never Dropday's.
limiter.exempt(bp)


@bp.record_once
def _create_simulator(state) -> None:
    from app.simulator import defaults
    from app.simulator.state import Simulator

    config = state.app.config
    state.app.extensions["simulator"] = Simulator(
        defaults.clients(config),
        # Asked at each check: tests that move PUBLIC_URL move Dropday's callbacks with it.
        redirect_uris=lambda: defaults.redirect_uris(config),
        seed=config.get("SIMULATOR_SEED", 0),
        slow_seconds=config.get("SIMULATOR_SLOW_SECONDS", 15.0),
    )


def current_simulator():
    return current_app.extensions["simulator"]


# Each module registers its routes on bp.
from app.simulator import (  # noqa: E402, F401
    apple_music,
    clock,
    console,
    deezer,
    google_accounts,
    musickit,
    odesli,
    push,
    spotify,
    tidal,
    youtube,
)
