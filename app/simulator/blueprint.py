"""The simulator's blueprint, and the one in-memory `Simulator` each app carries."""

from flask import Blueprint, current_app

from app.extensions import limiter
from app.loopback import local_only

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
local_only(bp)
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
