"""The platform simulator: imitations of the streaming APIs Dropday calls, at their real paths.

Mounted only when PLATFORM_MODE=simulator (tests and `make dev`).
"""

from flask import Blueprint

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
