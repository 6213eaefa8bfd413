"""/api/v1: JSON for scripts and integrations (blueprint.py: tokens, limits; views.py: the
operations; openapi.py: the document made from them)."""

from app.api import views  # noqa: F401 (registers the operations)
from app.api.blueprint import bp

__all__ = ["bp"]
