"""The platform simulator: imitations of the streaming APIs Dropday calls, at their real paths.

Mounted only when PLATFORM_MODE=simulator (tests and `make dev`). It imports nothing of
Dropday's platform code; its settings (URLs, credentials, keys) are in defaults.py.
All state lives in one in-memory `Simulator` per app (`app.extensions["simulator"]`, see
state.py); each platform's endpoints are a module here registering on `bp` through
`routing.sim_route`, which applies injected faults and writes the request log.
"""

from app.simulator import (  # noqa: F401 (each registers its routes on bp)
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
from app.simulator.blueprint import bp

__all__ = ["bp"]
